/**
 * Spawning the awsmfa CLI exactly as the release binary runs it: `deno run`
 * with the permission set of deno.json (`-P=awsmfa`), never `-A`, with a
 * clean environment and a temporary home.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** Path of the repository root. */
export const ROOT_DIR = decodeURIComponent(new URL(".", ROOT).pathname);

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
  /** The whole environment of the child (PATH, DENO_DIR and NO_COLOR are added). */
  env: Record<string, string>;
  /** Text fed to stdin; stdin is closed after it (or empty). */
  stdin?: string;
}

/** The `deno run` arguments that run main.ts with the binary's permissions. */
export function cliArgs(): string[] {
  return [
    "run",
    "--quiet",
    "--no-prompt",
    `--config=${ROOT_DIR}deno.json`,
    "-P=awsmfa",
    `${ROOT_DIR}main.ts`,
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

/** The environment of a spawned CLI: PATH, DENO_DIR, NO_COLOR, then `env`. */
export async function cliEnv(
  env: Record<string, string>,
): Promise<Record<string, string>> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: await cacheDir(),
    NO_COLOR: "1",
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
 * (`'deno' 'run' … 'main.ts'`), followed by `args`.
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
 * its own (not lib/ini.ts, which is under test).
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
