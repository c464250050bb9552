/**
 * Which functions of a built bundle the everyday runs run, by V8's coverage
 * of the bundle running them: the build compiles those functions eagerly
 * (.ci/eager_compile.ts) and leaves the others lazy.
 *
 * Each function compiled eagerly puts its bytecode in the code cache every
 * run reads, used or not; each one compiled lazily is compiled again on
 * every run that calls it. The everyday runs are the refresh and the fast
 * paths (from shell rc files and `credential_process`, all day long), so
 * their functions are the ones worth the cache.
 *
 * The runs happen as a user's would, in a scratch home: a refresh against a
 * loopback STS double (the tests' own, in its benchmark mode) writes the
 * session to the credentials file and the session cache, then each fast
 * path runs.
 * Every run must end with exit 0, and no fast path may call STS.
 *
 * @module
 */

import { startStsDouble } from "../tests/support/sts_double.ts";
import { writeWorkProfile } from "../tests/support/aws_home.ts";

/** The refresh that starts the everyday runs, with a code (any, for the benchmark-mode double). */
const REFRESH: readonly string[] = ["--profile", "work", "123456"];

/** The fast paths: `--version`, `--help`, status, skip-while-valid, warm credential-process. */
const FAST_PATHS: readonly (readonly string[])[] = [
  ["--version"],
  ["--help"],
  ["status"],
  ["--profile", "work"],
  ["credential-process", "--profile", "work", "--mfa-process", "echo 123456"],
];

/** One function's place in its file: `start-end`, as UTF-16 offsets. */
export type FunctionRange = `${number}-${number}`;

interface Coverage {
  url: string;
  functions: {
    ranges: { startOffset: number; endOffset: number; count: number }[];
  }[];
}

/**
 * The functions each file ran at least once, by the coverage JSON files
 * Deno wrote into `dir` (file URL → ranges; a URL is spelled the same on
 * every OS, where a path's separators are not).
 */
async function ranFunctions(
  dir: string,
): Promise<Map<string, Set<FunctionRange>>> {
  const ran = new Map<string, Set<FunctionRange>>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const coverage = JSON.parse(
      await Deno.readTextFile(`${dir}/${entry.name}`),
    ) as Coverage;
    if (!coverage.url.startsWith("file:")) continue;
    const ranges = ran.get(coverage.url) ?? new Set<FunctionRange>();
    ran.set(coverage.url, ranges);
    for (const { ranges: [whole] } of coverage.functions) {
      if (whole.count > 0) {
        ranges.add(`${whole.startOffset}-${whole.endOffset}`);
      }
    }
  }
  return ran;
}

/**
 * Run the refresh, then the fast paths, with the bundle whose entry is
 * `entry`, under `deno run` with deno.json's permission set and
 * `--coverage`, in a scratch folder made under `under` (the system's
 * temporary folder by default) and removed after; returns the functions each
 * file of the bundle ran.
 *
 * @throws {Error} when a run fails, or a fast path called STS.
 */
export async function everydayFunctions(
  root: string,
  entry: string,
  under?: string,
): Promise<Map<string, Set<FunctionRange>>> {
  const scratch = await Deno.makeTempDir({ dir: under, prefix: ".coverage-" });
  const home = `${scratch}/home`;
  const coverage = `${scratch}/coverage`;
  await Deno.mkdir(home);
  const sts = await startStsDouble({ quiet: true, benchmark: true });
  try {
    await writeWorkProfile(home, sts.addUser());
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      DENO_DIR: `${scratch}/deno`,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      AWS_ENDPOINT_URL_STS: sts.url,
    };
    const run = async (args: readonly string[], flags: string[] = []) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--quiet",
          "--no-prompt",
          `--config=${root}/deno.json`,
          "-P=awsmfa",
          ...flags,
          entry,
          ...args,
        ],
        clearEnv: true,
        env,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      if (out.code !== 0) {
        throw new Error(
          `awsmfa ${args.join(" ")} exited with ${out.code}: ${
            new TextDecoder().decode(out.stderr).trim()
          }`,
        );
      }
    };
    // A session in [mfa], and the cache entry credential-process answers from.
    const covered = `--coverage=${coverage}`;
    await run(REFRESH, [covered]);
    const calls = sts.count("GetSessionToken");
    for (const args of FAST_PATHS) await run(args, [covered]);
    if (sts.count("GetSessionToken") !== calls) {
      throw new Error(
        "A fast path called STS: the runs did not find the session they were given.",
      );
    }
    return await ranFunctions(coverage);
  } finally {
    await sts.close();
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}
