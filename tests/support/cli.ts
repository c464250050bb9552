/**
 * Spawning the awsmfa CLI exactly as the release binary runs it: the bundle
 * `deno task build` makes (dist/bundle/awsmfa.js, what `deno compile` turns
 * into the binary), under `deno run` with the permission set of deno.json
 * (`-P=awsmfa`), never `-A`, with a clean environment and a temporary home.
 *
 * Loading this module makes sure the bundle was built from the sources now in
 * the tree (`deno task build` when its stamp differs), once per test run, so
 * a test never runs an older bundle than the code it tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  BUNDLE_DIR,
  BUNDLE_ENTRY,
  bundleIsFresh,
} from "../../.ci/bundle_stamp.ts";

const ROOT = new URL("../../", import.meta.url);

/** Path of the repository root. */
export const ROOT_DIR = decodeURIComponent(new URL(".", ROOT).pathname);

/** The bundle's entry point, the program every CLI run starts. */
export const BUNDLE_PATH = `${ROOT_DIR}${BUNDLE_DIR}/${BUNDLE_ENTRY}`;

/** Runs `deno task build` unless the bundle is fresh; fails with its output. */
async function ensureBundle(): Promise<void> {
  const root = ROOT_DIR.replace(/\/$/, "");
  if (await bundleIsFresh(root)) return;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build"],
    cwd: ROOT_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0 || !await bundleIsFresh(root)) {
    throw new Error(
      `deno task build failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

await ensureBundle();

let denoDir: string | undefined;

/** Deno's cache directory, so spawned CLIs reuse the npm packages already fetched. */
async function cacheDir(): Promise<string> {
  if (denoDir !== undefined) return denoDir;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  denoDir = JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
  return denoDir;
}

/** What a CLI run produced. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr, without Deno's own notices. */
  stderr: string;
}

/** Options of one CLI run. */
export interface CliOptions {
  /** The whole environment of the child (PATH, DENO_DIR, NO_COLOR and DENO_NO_UPDATE_CHECK are added). */
  env: Record<string, string>;
  /** Text fed to stdin; stdin is closed after it (or empty). */
  stdin?: string;
}

/** The `deno run` arguments that run the bundle with the binary's permissions. */
export function cliArgs(): string[] {
  return [
    "run",
    "--quiet",
    "--no-prompt",
    `--config=${ROOT_DIR}deno.json`,
    "-P=awsmfa",
    BUNDLE_PATH,
  ];
}

/** Strip Deno's notice about permission sets in config files (a dev-time warning). */
function withoutDenoNotices(text: string): string {
  return text.split("\n").filter((line) =>
    !/Permissions in the config file is an experimental feature/.test(line)
  ).join("\n");
}

/** Run awsmfa with `args` and a clean environment. */
export async function runCli(
  args: string[],
  options: CliOptions,
): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...cliArgs(), ...args],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_DIR: await cacheDir(),
      NO_COLOR: "1",
      // Deno's own update check would open a connection (through any proxy).
      DENO_NO_UPDATE_CHECK: "1",
      ...options.env,
    },
    cwd: ROOT_DIR,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  if (options.stdin !== undefined) {
    await writer.write(new TextEncoder().encode(options.stdin));
  }
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: withoutDenoNotices(decoder.decode(out.stderr)),
  };
}

/** The environment of a spawned CLI: PATH, DENO_DIR, NO_COLOR, DENO_NO_UPDATE_CHECK, then `env`. */
export async function cliEnv(
  env: Record<string, string>,
): Promise<Record<string, string>> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: await cacheDir(),
    NO_COLOR: "1",
    // Deno's own update check would open a connection (through any proxy).
    DENO_NO_UPDATE_CHECK: "1",
    ...env,
  };
}

/** `text` quoted for POSIX sh and for fish (single quotes, no `'` or `\` inside). */
function quoteWord(text: string): string {
  if (/['\\]/.test(text)) throw new Error(`cannot quote ${text}`);
  return `'${text}'`;
}

/**
 * The CLI as one command line for sh, fish or an AWS `credential_process`
 * (`'deno' 'run' … 'awsmfa.js'`), followed by `args`.
 */
export function cliCommandLine(args: string[] = []): string {
  return [Deno.execPath(), ...cliArgs(), ...args].map(quoteWord).join(" ");
}

/**
 * Start awsmfa with `args` and a clean environment, without waiting: stdout
 * and stderr piped, stdin null. For tests that signal it while it runs.
 */
export async function spawnCli(
  args: string[],
  env: Record<string, string>,
): Promise<Deno.ChildProcess> {
  return new Deno.Command(Deno.execPath(), {
    args: [...cliArgs(), ...args],
    clearEnv: true,
    env: await cliEnv(env),
    cwd: ROOT_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Every regular file below `dir` with its bytes and mode. */
export async function snapshot(
  dir: string,
): Promise<Map<string, { text: string; mode: number | null }>> {
  const files = new Map<string, { text: string; mode: number | null }>();
  async function walk(path: string) {
    for await (const entry of Deno.readDir(path)) {
      const full = `${path}/${entry.name}`;
      if (entry.isDirectory) await walk(full);
      else if (entry.isFile) {
        const info = await Deno.stat(full);
        files.set(full.slice(dir.length + 1), {
          text: await Deno.readTextFile(full),
          mode: info.mode === null ? null : info.mode & 0o777,
        });
      }
    }
  }
  await walk(dir);
  return files;
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** The files of a snapshot of a home outside the session cache (`.aws/awsmfa/`). */
export function outsideCache(files: Snapshot): Snapshot {
  return new Map(
    [...files].filter(([path]) => !path.startsWith(".aws/awsmfa/")),
  );
}

/** The mode of each file in the session cache of a snapshot of a home, by name. */
export function cacheEntryModes(files: Snapshot): (number | null)[] {
  return [...files].filter(([path]) => path.startsWith(".aws/awsmfa/"))
    .map(([, file]) => file.mode);
}

/**
 * Run `program` with `args` and a clean environment (`cliEnv(env)`), stdin
 * null, Deno's notices taken out of stderr. With `detached` it runs under
 * `setsid --wait`: in a new session, without a controlling terminal.
 */
export async function runProgram(
  program: string,
  args: string[],
  env: Record<string, string>,
  options: { detached?: boolean } = {},
): Promise<CliResult> {
  const out = await new Deno.Command(options.detached ? "setsid" : program, {
    args: options.detached ? ["--wait", program, ...args] : args,
    clearEnv: true,
    env: await cliEnv(env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: withoutDenoNotices(decoder.decode(out.stderr)),
  };
}

/**
 * The `key = value` lines of `[section]` in an INI text, read by a parser of
 * its own (not lib/aws_files/, which is under test).
 */
export function sectionKeys(
  text: string,
  section: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  let inside = false;
  for (const line of text.split(/\r?\n/)) {
    const header = line.match(/^\[(.*)\]$/);
    if (header) {
      inside = header[1] === section;
      continue;
    }
    const kv = line.match(/^([a-z_0-9]+)\s*=\s*(.*)$/);
    if (inside && kv) result[kv[1]] = kv[2];
  }
  return result;
}

/** Fails when any of `texts` holds any of `secrets` (keys, tokens, codes). */
export function assertNoSecrets(texts: string[], secrets: string[]): void {
  for (const text of texts) {
    for (const secret of secrets) {
      assert.ok(
        !text.includes(secret),
        `output leaked a secret or code: ${JSON.stringify(text)}`,
      );
    }
  }
}

/** The bundle's files: all of them, and those its entry loads statically. */
export interface BundleFiles {
  /** Every JavaScript file of the bundle (absolute paths). */
  all: string[];
  /**
   * The modules of the graph Deno builds before a run starts, by
   * `deno info --json`, specifiers that are not files as they are.
   */
  graph: string[];
  /** The entry and what it imports statically: what every run loads. */
  loadedOnEveryRun: string[];
}

/**
 * The bundle's files, and the module graph Deno builds for it, by
 * `deno info --json` (static imports followed for `loadedOnEveryRun`).
 */
export async function bundleFiles(): Promise<BundleFiles> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", BUNDLE_PATH],
    cwd: ROOT_DIR,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: {
        code?: { specifier?: string };
        isDynamic?: boolean;
      }[];
    }[];
  };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const entry = new URL(`file://${BUNDLE_PATH}`).href;
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const specifier = queue.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target !== undefined && !dependency.isDynamic) queue.push(target);
    }
  }
  const path = (specifier: string) =>
    specifier.startsWith("file:")
      ? decodeURIComponent(new URL(specifier).pathname)
      : specifier;
  const bundleDir = `${ROOT_DIR}${BUNDLE_DIR}`;
  const all: string[] = [];
  for await (const file of Deno.readDir(bundleDir)) {
    if (file.isFile && file.name.endsWith(".js")) {
      all.push(`${bundleDir}/${file.name}`);
    }
  }
  return {
    all: all.sort(),
    graph: [...modules.keys()].map(path),
    loadedOnEveryRun: [...seen].map(path),
  };
}

/**
 * A copy of the bundle in `dir` without the chunk that holds the AWS SDK's
 * STS client (the SDK's other chunks load only through it); returns
 * `cliArgs()` for it. A run that needs the SDK fails there.
 */
export async function fastPathBundle(dir: string): Promise<string[]> {
  const bundleDir = BUNDLE_PATH.slice(0, BUNDLE_PATH.lastIndexOf("/") + 1);
  let dropped = 0;
  for await (const entry of Deno.readDir(bundleDir)) {
    if (!entry.isFile || !entry.name.endsWith(".js")) continue;
    const text = await Deno.readTextFile(`${bundleDir}${entry.name}`);
    if (text.includes("AWSSecurityTokenServiceV20110615")) {
      dropped++;
      continue;
    }
    await Deno.copyFile(`${bundleDir}${entry.name}`, `${dir}/${entry.name}`);
  }
  assert.equal(dropped, 1, "one chunk holds the STS client");
  return [...cliArgs().slice(0, -1), `${dir}/${BUNDLE_ENTRY}`];
}
