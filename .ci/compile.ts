/**
 * Builds the awsmfa release binaries with `deno compile` and writes
 * `dist/SHA256SUMS`. Run through the deno.json tasks:
 *
 * - `deno task compile` builds the host target;
 *   `deno task compile --target T` builds target T;
 * - `deno task compile:all` builds the five release targets;
 * - `deno task compile --sums` only rewrites `dist/SHA256SUMS` from the
 *   binaries already in `dist/` (the release workflow gathers the binaries
 *   built on several runners, then runs this).
 *
 * Every target is compiled from the bundle `deno task build` makes
 * (`dist/bundle/`, see .ci/build.ts: the SDK's browser build, split so it
 * loads only when STS is called), built first, never from main.ts itself.
 *
 * Every binary is named `awsmfa-<version>-<target>` (plus `.exe` on Windows)
 * and is compiled with exactly the permission set `awsmfa` of deno.json
 * (`-P=awsmfa`) and `--no-prompt`: the binary runs from shell rc files and
 * bootstrap scripts, often without a terminal, so a permission outside the
 * set must fail at once, never wait for an answer. After every build,
 * `dist/SHA256SUMS` lists every release binary of this version in `dist/`,
 * in the format `sha256sum -c` and `shasum -a 256 -c` accept.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { VERSION } from "../lib/shared/version.ts";
import { BUNDLE_DIR, BUNDLE_ENTRY } from "./bundle_stamp.ts";

/** The targets of a release, in the order they are built. */
export const RELEASE_TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** The directory, relative to the repository root, that receives the binaries. */
export const DIST_DIR = "dist";

/** The name of the checksum file in {@linkcode DIST_DIR}. */
export const SUMS_FILE = "SHA256SUMS";

/** What one run of the script should do. */
export interface CompilePlan {
  /** Targets to build, in order; empty when only the sums are rewritten. */
  targets: string[];
}

/** The outcome of one `deno` subprocess. */
export interface RunResult {
  /** The exit code. */
  code: number;
  /** What it wrote to stderr. */
  stderr: string;
}

/** Everything the script does to the outside world, injected for tests. */
export interface CompileIo {
  /** Runs `deno` with these arguments in the repository root. */
  runDeno(args: string[]): Promise<RunResult>;
  /** Creates a directory and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  /** Lists the names of the regular files in a directory. */
  listFiles(path: string): Promise<string[]>;
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a whole text file. */
  writeTextFile(path: string, text: string): Promise<void>;
  /** Prints one line for the user (to stderr). */
  print(line: string): void;
}

/** A command-line mistake; the message is one sentence for the user. */
export class CompileUsageError extends Error {
  /** Create a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "CompileUsageError";
  }
}

/**
 * Turns the script's arguments into a plan: no argument builds the host
 * target, `--target T` builds T, `--all` builds every release target, `--sums`
 * builds nothing and only rewrites the checksum file.
 *
 * @throws {CompileUsageError} On an unknown flag, an unknown target, or
 * flags that contradict each other.
 */
export function parseCompileArgs(
  args: string[],
  hostTarget: string,
): CompilePlan {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: "string" },
        all: { type: "boolean" },
        sums: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new CompileUsageError(
      `Cannot parse the arguments: ${(error as Error).message}`,
    );
  }
  const chosen = [values.target !== undefined, values.all, values.sums]
    .filter(Boolean).length;
  if (chosen > 1) {
    throw new CompileUsageError(
      "Use only one of --target, --all and --sums.",
    );
  }
  if (values.sums) return { targets: [] };
  if (values.all) return { targets: [...RELEASE_TARGETS] };
  const target = values.target ?? hostTarget;
  if (!RELEASE_TARGETS.includes(target)) {
    throw new CompileUsageError(
      `Cannot build for "${target}": the targets are ${
        RELEASE_TARGETS.join(", ")
      }.`,
    );
  }
  return { targets: [target] };
}

/** The file name of the binary of one version and target. */
export function binaryName(version: string, target: string): string {
  const exe = target.includes("windows") ? ".exe" : "";
  return `awsmfa-${version}-${target}${exe}`;
}

/**
 * The arguments of the `deno compile` that builds one target into `outDir`,
 * run from the repository root (where deno.json defines the permission set).
 */
export function compileArgs(
  version: string,
  target: string,
  outDir: string,
): string[] {
  return [
    "compile",
    "-P=awsmfa",
    "--no-prompt",
    "--target",
    target,
    "--output",
    `${outDir}/${binaryName(version, target)}`,
    `--include=${BUNDLE_DIR}`,
    `${BUNDLE_DIR}/${BUNDLE_ENTRY}`,
  ];
}

/** The arguments of the `deno` run that builds the bundle every target compiles. */
export const BUILD_ARGS: readonly string[] = ["task", "build"];

/**
 * Whether a failed `deno compile` failed because its base runtime (denort)
 * could not be downloaded, judged from its stderr.
 */
export function isBaseDownloadFailure(stderr: string): boolean {
  return /Setting up base binary|denort-[\w-]+\.zip/.test(stderr);
}

/** One checksum entry: a file name and its SHA-256 in lower-case hex. */
export interface SumEntry {
  /** The file name, without a directory. */
  name: string;
  /** The SHA-256 digest in lower-case hex. */
  sha256: string;
}

/**
 * The text of a SHA256SUMS file: one `<hex>  <name>` line per entry, sorted
 * by name, each ending in `\n`, as `sha256sum -c` expects.
 */
export function sha256SumsText(entries: SumEntry[]): string {
  return [...entries]
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    .map((entry) => `${entry.sha256}  ${entry.name}\n`)
    .join("");
}

/** The SHA-256 of some bytes in lower-case hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(new Uint8Array(digest))
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Rewrites `outDir/SHA256SUMS` to list every release binary of `version`
 * found in `outDir`, and returns how many it listed. Writes nothing and
 * returns 0 when there is none.
 */
export async function writeSums(
  version: string,
  outDir: string,
  io: CompileIo,
): Promise<number> {
  const wanted = new Set(
    RELEASE_TARGETS.map((target) => binaryName(version, target)),
  );
  const names = (await io.listFiles(outDir)).filter((name) => wanted.has(name));
  const entries: SumEntry[] = [];
  for (const name of names) {
    entries.push({
      name,
      sha256: await sha256Hex(await io.readFile(`${outDir}/${name}`)),
    });
  }
  if (entries.length === 0) return 0;
  await io.writeTextFile(`${outDir}/${SUMS_FILE}`, sha256SumsText(entries));
  return entries.length;
}

/**
 * Runs the script: parses `args`, builds each target in turn (stopping at
 * the first failure), then rewrites the checksum file. Returns the exit code:
 * 0 on success, 1 when a build failed or there is nothing to checksum, 2 on a
 * usage mistake.
 */
export async function compileMain(
  args: string[],
  io: CompileIo,
  version: string = VERSION,
  hostTarget: string = Deno.build.target,
): Promise<number> {
  let plan: CompilePlan;
  try {
    plan = parseCompileArgs(args, hostTarget);
  } catch (error) {
    if (!(error instanceof CompileUsageError)) throw error;
    io.print(error.message);
    io.print(
      "Usage: deno task compile [--target TARGET] | deno task compile:all | deno task compile --sums",
    );
    return 2;
  }
  await io.mkdir(DIST_DIR);
  if (plan.targets.length > 0) {
    const built = await io.runDeno([...BUILD_ARGS]);
    if (built.code !== 0) {
      io.print(built.stderr.trimEnd());
      io.print(
        `Cannot compile awsmfa: deno task build exited with code ${built.code}.`,
      );
      return 1;
    }
  }
  for (const target of plan.targets) {
    const result = await io.runDeno(compileArgs(version, target, DIST_DIR));
    if (result.code !== 0) {
      if (isBaseDownloadFailure(result.stderr)) {
        io.print(
          `Cannot compile awsmfa for ${target}: the Deno compile base (denort) could not be downloaded from this machine, so release binaries are built by the release workflow (.github/workflows/release.yml).`,
        );
      } else {
        io.print(result.stderr.trimEnd());
        io.print(
          `Cannot compile awsmfa for ${target}: deno compile exited with code ${result.code}.`,
        );
      }
      return 1;
    }
    io.print(`Built ${DIST_DIR}/${binaryName(version, target)}`);
  }
  const listed = await writeSums(version, DIST_DIR, io);
  if (listed === 0) {
    io.print(
      `Cannot write ${DIST_DIR}/${SUMS_FILE}: ${DIST_DIR}/ holds no awsmfa ${version} release binary.`,
    );
    return 1;
  }
  io.print(`Wrote ${DIST_DIR}/${SUMS_FILE} (${listed} binaries)`);
  return 0;
}

/** The real IO: files under the repository root, `deno` from the PATH. */
export function realIo(root: string): CompileIo {
  const at = (path: string) => `${root}/${path}`;
  return {
    async runDeno(args) {
      const output = await new Deno.Command("deno", {
        args,
        cwd: root,
        stdin: "null",
        stdout: "inherit",
        stderr: "piped",
      }).output();
      return {
        code: output.code,
        stderr: new TextDecoder().decode(output.stderr),
      };
    },
    async mkdir(path) {
      await Deno.mkdir(at(path), { recursive: true });
    },
    async listFiles(path) {
      const names: string[] = [];
      for await (const entry of Deno.readDir(at(path))) {
        if (entry.isFile) names.push(entry.name);
      }
      return names;
    },
    readFile: (path) => Deno.readFile(at(path)),
    writeTextFile: (path, text) => Deno.writeTextFile(at(path), text),
    print: (line) => console.error(line),
  };
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url)).replace(
    /[\\/]$/,
    "",
  );
  Deno.exit(await compileMain(Deno.args, realIo(root)));
}
