/**
 * `deno task bench`: paired whole-process timings of awsmfa's paths.
 *
 * Every row compares two commands, A and B, run alternately (A B, then B A,
 * so neither always goes first) after warm-ups, and reports the median of
 * the per-pair ratios A/B with their min–max, for wall time and for user+sys
 * CPU, beside each side's median. On a shared machine single wall times
 * swing by half; a pair's two runs see the same load, so their ratio does
 * not. Each process is measured by bench/rusage.py with wait4(2): wall time,
 * CPU (microseconds) and peak RSS of the child itself.
 *
 * Every awsmfa row runs the bundle of `deno task build` (dist/bundle/, what
 * the release binary compiles) with the binary's permission set
 * (`deno run -P=awsmfa --no-prompt`), except the row that measures the JSR
 * route (main.ts source). The STS doubles run in benchmark mode (any
 * well-formed code, signatures still verified), one over HTTP and one over
 * HTTPS with a throw-away CA made by openssl and trusted through DENO_CERT.
 *
 * Writes BENCHMARKS.md with the rows and the targets of issue 15.
 *
 * Usage: deno task bench [--pairs N] [--only ID,…] [--no-write]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BUNDLE_PATH, cliArgs, ROOT_DIR } from "../tests/support/cli.ts";
import { makeTls } from "../tests/support/tls.ts";
import {
  startStsDouble,
  type StsDouble,
  type StsUser,
} from "../tests/support/sts_double.ts";

/** One measured run (of one process, or of a group started at once). */
interface Sample {
  wallMs: number;
  cpuMs: number;
  rssKiB: number;
}

/** One side of a row: how to run it, and what to do before each run. */
interface Side {
  label: string;
  run: () => Promise<Sample>;
  prepare?: () => Promise<void>;
}

/** A row to measure. */
interface RowSpec {
  id: string;
  name: string;
  note: string;
  a: Side;
  b: Side;
  pairs?: number;
}

/** A measured row. */
interface Row {
  spec: RowSpec;
  a: Sample[];
  b: Sample[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Talks to bench/rusage.py: one JSON request and one JSON answer a line. */
class Runner {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;

  constructor() {
    this.#child = new Deno.Command("python3", {
      args: [`${ROOT_DIR}bench/rusage.py`],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(lineSplitter())[Symbol.asyncIterator]();
  }

  async run(request: {
    argv: string[];
    env: Record<string, string>;
    copies?: number;
    stdout?: boolean;
  }): Promise<Sample & { codes: number[]; stderr: string; stdout: string }> {
    await this.#writer.write(
      new TextEncoder().encode(JSON.stringify(request) + "\n"),
    );
    const next = await this.#lines.next();
    if (next.done) throw new Error("bench/rusage.py ended");
    return JSON.parse(next.value);
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.#child.status;
  }
}

function lineSplitter(): TransformStream<string, string> {
  let held = "";
  return new TransformStream({
    transform(chunk, controller) {
      held += chunk;
      let at: number;
      while ((at = held.indexOf("\n")) >= 0) {
        controller.enqueue(held.slice(0, at));
        held = held.slice(at + 1);
      }
    },
  });
}

let runner: Runner;
let denoDir = "";

/** The environment of every measured process: nothing from ours leaks in. */
function childEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: denoDir,
    NO_COLOR: "1",
    // Deno's own update check would open a connection (through any proxy).
    DENO_NO_UPDATE_CHECK: "1",
    ...env,
  };
}

async function measure(
  argv: string[],
  env: Record<string, string>,
  copies = 1,
): Promise<Sample> {
  const out = await runner.run({ argv, env: childEnv(env), copies });
  if (out.codes.some((code) => code !== 0)) {
    throw new Error(
      `${argv.join(" ")} exited ${out.codes.join(",")}: ${
        out.stderr.slice(0, 600)
      }`,
    );
  }
  return { wallMs: out.wallMs, cpuMs: out.cpuMs, rssKiB: out.rssKiB };
}

async function sample(side: Side): Promise<Sample> {
  await side.prepare?.();
  return await side.run();
}

async function measureRow(spec: RowSpec, pairs: number): Promise<Row> {
  const row: Row = { spec, a: [], b: [] };
  const count = spec.pairs ?? pairs;
  for (let i = 0; i < 2; i++) {
    // warm-ups: Deno's code cache, the page cache, the double's JIT
    await sample(spec.a);
    await sample(spec.b);
  }
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      row.a.push(await sample(spec.a));
      row.b.push(await sample(spec.b));
    } else {
      row.b.push(await sample(spec.b));
      row.a.push(await sample(spec.a));
    }
  }
  const ratio = wallRatio(row);
  console.error(
    `${spec.name}: ${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${
      ratio.max.toFixed(2)
    }), A ${median(row.a.map((s) => s.wallMs)).toFixed(1)} ms`,
  );
  return row;
}

interface Ratio {
  median: number;
  min: number;
  max: number;
}

function ratioOf(row: Row, field: "wallMs" | "cpuMs" | "rssKiB"): Ratio {
  const ratios = row.a.map((a, i) => a[field] / row.b[i][field]);
  return {
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
  };
}

function wallRatio(row: Row): Ratio {
  return ratioOf(row, "wallMs");
}

function shownRatio(ratio: Ratio): string {
  return `${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${
    ratio.max.toFixed(2)
  })`;
}

function credentialsWith(user: StsUser, profiles: number): string {
  const lines = [
    "[work]",
    `aws_access_key_id = ${user.accessKeyId}`,
    `aws_secret_access_key = ${user.secretAccessKey}`,
    "",
  ];
  for (let i = 1; i < profiles; i++) {
    lines.push(
      `[p${i}]`,
      `aws_access_key_id = AKIA${String(i).padStart(16, "0")}`,
      `aws_secret_access_key = ${"x".repeat(40)}`,
      "",
    );
  }
  return lines.join("\n");
}

/** A home with `profiles` profiles in its credentials file, for one double. */
async function makeHome(
  sts: StsDouble,
  user: StsUser,
  profiles: number,
  extraEnv: Record<string, string> = {},
): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-bench-" });
  await Deno.mkdir(`${dir}/.aws`, { mode: 0o700 });
  await Deno.writeTextFile(
    `${dir}/.aws/credentials`,
    credentialsWith(user, profiles),
  );
  await Deno.writeTextFile(
    `${dir}/.aws/config`,
    `[profile work]\nregion = eu-west-1\nmfa_serial = ${user.serial}\n`,
  );
  return {
    dir,
    env: { HOME: dir, AWS_ENDPOINT_URL_STS: sts.url, ...extraEnv },
  };
}

async function readProc(path: string): Promise<string> {
  // Deno's file reads stop short on /proc, whose files claim size 0: cat them.
  const out = await new Deno.Command("cat", {
    args: [path],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  return out ? new TextDecoder().decode(out.stdout) : "";
}

async function machine(): Promise<string> {
  const cpuinfo = await readProc("/proc/cpuinfo");
  const cpu = cpuinfo.match(/model name\s*:\s*(.*)/)?.[1]?.trim() ??
    "unknown CPU";
  const meminfo = await readProc("/proc/meminfo");
  const memKiB = Number(meminfo.match(/MemTotal:\s*(\d+)/)?.[1] ?? 0);
  return `${navigator.hardwareConcurrency} cores (${cpu}), ${
    (memKiB / 1048576).toFixed(0)
  } GiB memory, Deno ${Deno.version.deno}, ${Deno.build.target}`;
}

async function loadAverage(): Promise<string> {
  const text = await readProc("/proc/loadavg");
  return text.split(" ").slice(0, 3).join(" ") || "unknown";
}

async function cacheDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

function rowTable(rows: Row[]): string {
  const lines = [
    "| id | A vs B | A/B wall, median (min–max) | A/B CPU, median (min–max) | A wall ms | A CPU ms | B wall ms | B CPU ms | A peak RSS MiB | pairs | note |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const row of rows) {
    const m = (samples: Sample[], field: keyof Sample) =>
      median(samples.map((s) => s[field]));
    lines.push(
      `| ${row.spec.id} | ${row.spec.name} | ${
        shownRatio(ratioOf(row, "wallMs"))
      } | ${shownRatio(ratioOf(row, "cpuMs"))} | ${
        m(row.a, "wallMs").toFixed(1)
      } | ${m(row.a, "cpuMs").toFixed(1)} | ${
        m(row.b, "wallMs").toFixed(1)
      } | ${m(row.b, "cpuMs").toFixed(1)} | ${
        (m(row.a, "rssKiB") / 1024).toFixed(1)
      } | ${row.a.length} | ${row.spec.note} |`,
    );
  }
  return lines.join("\n");
}

/** The targets of issue 15, each with what this run measured. */
function targetTable(rows: Row[]): string {
  const byId = new Map(rows.map((row) => [row.spec.id, row]));
  const lines = [
    "| target | row | A/B wall, median (min–max) | A/B CPU, median (min–max) | met (wall median) |",
    "| --- | --- | ---: | ---: | :---: |",
  ];
  const ratioTarget = (
    target: string,
    id: string,
    met: (median: number) => boolean,
  ) => {
    const row = byId.get(id);
    if (!row) return;
    const wall = wallRatio(row);
    const cpu = ratioOf(row, "cpuMs");
    lines.push(
      `| ${target} | ${id} | ${shownRatio(wall)} | ${shownRatio(cpu)} | ${
        met(wall.median) ? "yes" : "**no**"
      } |`,
    );
  };
  for (const id of ["version", "help"]) {
    ratioTarget(`\`--${id}\` ≤ 1.3× floor`, id, (r) => r <= 1.3);
  }
  ratioTarget("`status` ≤ 1.3× floor", "status", (r) => r <= 1.3);
  ratioTarget("skip-while-valid ≤ 1.3× floor", "skip", (r) => r <= 1.3);
  ratioTarget(
    "`credential-process` warm ≤ 1.3× floor",
    "cp-warm",
    (r) => r <= 1.3,
  );
  ratioTarget(
    "full refresh (HTTP) ≤ 3.0× floor",
    "refresh-http",
    (r) => r <= 3.0,
  );
  ratioTarget(
    "full refresh (HTTP) below the SDK floor",
    "refresh-vs-sdk",
    (r) => r < 1.0,
  );
  ratioTarget(
    "10,000 profiles ≤ 1.5× 10 profiles",
    "refresh-10k",
    (r) => r <= 1.5,
  );
  ratioTarget(
    "100,000 profiles ≤ 3× 10 profiles",
    "refresh-100k",
    (r) => r <= 3,
  );
  for (
    const [id, limit, label] of [
      ["refresh-http", 45, "10"],
      ["refresh-10k", 60, "10,000"],
    ] as const
  ) {
    const row = byId.get(id);
    if (!row) continue;
    const rss = median(row.a.map((s) => s.rssKiB)) / 1024;
    const max = Math.max(...row.a.map((s) => s.rssKiB)) / 1024;
    lines.push(
      `| peak RSS of a refresh, ${label} profiles, ≤ ${limit} MiB | ${id} | ${
        rss.toFixed(1)
      } MiB (max ${max.toFixed(1)}) | | ${rss <= limit ? "yes" : "**no**"} |`,
    );
  }
  ratioTarget(
    "manual AWS CLI routine ≥ 10× slower than a refresh",
    "aws-cli",
    (r) => r >= 10,
  );
  return lines.join("\n");
}

async function bench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pairs: { type: "string", default: "10" },
      only: { type: "string" },
      "no-write": { type: "boolean", default: false },
    },
    strict: true,
  });
  const pairs = Number(values.pairs);
  const only = values.only?.split(",");
  denoDir = await cacheDir();
  runner = new Runner();
  const deno = Deno.execPath();
  const awsmfa = [deno, ...cliArgs()];
  const flags = cliArgs().slice(0, -1);
  const fromSource = [deno, ...flags, `${ROOT_DIR}main.ts`];
  const floorCommand = [deno, ...flags, `${ROOT_DIR}bench/floor.ts`];
  const sdkFloorCommand = [deno, ...flags, `${ROOT_DIR}bench/sdk_floor.ts`];
  const sdkCallCommand = [deno, ...flags, `${ROOT_DIR}bench/sdk_call.ts`];

  const work = await Deno.makeTempDir({ prefix: "awsmfa-bench-tls-" });
  const tls = await makeTls(work);
  const http = await startStsDouble({ quiet: true, benchmark: true });
  const https = await startStsDouble({
    quiet: true,
    benchmark: true,
    tls: { cert: tls.cert, key: tls.key },
  });
  const homes: string[] = [work];
  const rows: Row[] = [];
  try {
    const user = http.addUser();
    const tlsUser = https.addUser();
    const home = async (profiles: number) => {
      const made = await makeHome(http, user, profiles);
      homes.push(made.dir);
      return made.env;
    };
    const env10 = await home(10);
    const env10k = await home(10_000);
    const env100k = await home(100_000);
    const tlsHome = await makeHome(https, tlsUser, 10, {
      DENO_CERT: tls.caFile,
    });
    homes.push(tlsHome.dir);
    const envValid = await home(10);
    const envWarm = await home(10);
    const envCold = await home(10);
    const coldDir = envCold.HOME;

    const refresh = ["--profile", "work", "--force", "123456"];
    const sdkCallEnv = {
      ...env10,
      AWSMFA_BENCH_KEY_ID: user.accessKeyId,
      AWSMFA_BENCH_SECRET: user.secretAccessKey,
      AWSMFA_BENCH_SERIAL: user.serial,
      AWSMFA_BENCH_ENDPOINT: http.url,
    };
    const side = (
      label: string,
      command: string[],
      env: Record<string, string>,
      copies = 1,
    ): Side => ({ label, run: () => measure(command, env, copies) });
    const floor = side("floor", floorCommand, env10);
    const credentialProcess = [
      ...awsmfa,
      "credential-process",
      "--profile",
      "work",
      "--mfa-process",
      "echo 123456",
    ];
    const forgetCache = () =>
      Deno.remove(`${coldDir}/.aws/awsmfa`, { recursive: true }).catch(
        () => {},
      );

    // A valid session for skip-while-valid and status, a warm cache.
    await measure([...awsmfa, "--profile", "work", "123456"], envValid);
    await measure(credentialProcess, envWarm);

    const specs: RowSpec[] = [
      {
        id: "floor",
        name: "floor vs floor (the noise of a pair)",
        note: "bench/floor.ts, a one-line script, same flags",
        a: floor,
        b: floor,
      },
      {
        id: "version",
        name: "`awsmfa --version` vs floor",
        note: "",
        a: side("version", [...awsmfa, "--version"], env10),
        b: floor,
      },
      {
        id: "help",
        name: "`awsmfa --help` vs floor",
        note: "",
        a: side("help", [...awsmfa, "--help"], env10),
        b: floor,
      },
      {
        id: "status",
        name: "`awsmfa status` vs floor",
        note: "one managed profile",
        a: side("status", [...awsmfa, "status"], envValid),
        b: floor,
      },
      {
        id: "skip",
        name: "skip while valid vs floor",
        note: "target valid, no code given",
        a: side("skip", [...awsmfa, "--profile", "work"], envValid),
        b: floor,
      },
      {
        id: "cp-warm",
        name: "`credential-process`, warm cache vs floor",
        note: "answered from ~/.aws/awsmfa/",
        a: side("cp-warm", credentialProcess, envWarm),
        b: floor,
      },
      {
        id: "refresh-http",
        name: "full refresh (HTTP) vs floor",
        note: "10 profiles, loopback STS double",
        a: side("refresh", [...awsmfa, ...refresh], env10),
        b: floor,
      },
      {
        id: "refresh-vs-sdk",
        name: "full refresh (HTTP) vs SDK floor",
        note:
          "SDK floor: bench/sdk_floor.ts, Deno + import of `@aws-sdk/client-sts` (its Node build, as `deno run` of source loads it)",
        a: side("refresh", [...awsmfa, ...refresh], env10),
        b: side("sdk-floor", sdkFloorCommand, env10),
      },
      {
        id: "sdk-call",
        name: "one GetSessionToken through the bundled SDK vs floor",
        note:
          "bench/sdk_call.ts: the bundle's STS chunk, one call, no AWS file read or written",
        a: side("sdk-call", sdkCallCommand, sdkCallEnv),
        b: floor,
      },
      {
        id: "refresh-vs-call",
        name: "full refresh (HTTP) vs one bundled SDK call",
        note: "what awsmfa's own work (files, locks, cache, checks) adds",
        a: side("refresh", [...awsmfa, ...refresh], env10),
        b: side("sdk-call", sdkCallCommand, sdkCallEnv),
      },
      {
        id: "refresh-https",
        name: "full refresh (HTTPS) vs floor",
        note: "loopback TLS double, throw-away CA through DENO_CERT",
        a: side("refresh-https", [...awsmfa, ...refresh], tlsHome.env),
        b: floor,
      },
      {
        id: "https-vs-http",
        name: "full refresh, HTTPS vs HTTP",
        note: "what TLS adds",
        a: side("refresh-https", [...awsmfa, ...refresh], tlsHome.env),
        b: side("refresh", [...awsmfa, ...refresh], env10),
      },
      {
        id: "source-vs-bundle",
        name: "full refresh, main.ts source (JSR route) vs the bundle",
        note: "what the bundle saves",
        a: side("source", [...fromSource, ...refresh], env10),
        b: side("refresh", [...awsmfa, ...refresh], env10),
      },
      {
        id: "refresh-10k",
        name: "full refresh, 10,000 vs 10 profiles",
        note: "credentials file ≈ 0.9 MB",
        a: side("refresh-10k", [...awsmfa, ...refresh], env10k),
        b: side("refresh", [...awsmfa, ...refresh], env10),
      },
      {
        id: "refresh-100k",
        name: "full refresh, 100,000 vs 10 profiles",
        note: "credentials file ≈ 9 MB",
        a: side("refresh-100k", [...awsmfa, ...refresh], env100k),
        b: side("refresh", [...awsmfa, ...refresh], env10),
      },
      {
        id: "cp-cold-20",
        name: "20 concurrent `credential-process`, cold cache vs one",
        note:
          "A: wall of the group, CPU summed over the 20; one STS call per group",
        a: {
          label: "cp-cold-20",
          prepare: forgetCache,
          run: async () => {
            const before = http.count("GetSessionToken");
            const result = await measure(credentialProcess, envCold, 20);
            const calls = http.count("GetSessionToken") - before;
            if (calls !== 1) {
              throw new Error(`20 cold callers made ${calls} STS calls`);
            }
            return result;
          },
        },
        b: {
          label: "cp-cold-1",
          prepare: forgetCache,
          run: () => measure(credentialProcess, envCold),
        },
      },
    ];

    const aws = "/usr/bin/aws";
    if (await Deno.stat(aws).then(() => true, () => false)) {
      const awsEnv = { ...env10, AWS_PAGER: "", AWS_PROFILE: "work" };
      specs.push({
        id: "aws-cli",
        name: "manual AWS CLI v2 routine vs full refresh",
        note: "aws sts get-session-token + aws configure set ×4",
        pairs: 3,
        a: {
          label: "aws-cli",
          run: async () => {
            const token = await runner.run({
              argv: [
                aws,
                "sts",
                "get-session-token",
                "--serial-number",
                user.serial,
                "--token-code",
                "123456",
                "--endpoint-url",
                http.url,
                "--output",
                "json",
              ],
              env: childEnv(awsEnv),
              stdout: true,
            });
            if (token.codes[0] !== 0) throw new Error(token.stderr);
            const creds = JSON.parse(token.stdout).Credentials;
            const total = { ...token };
            for (
              const [key, value] of [
                ["aws_access_key_id", creds.AccessKeyId],
                ["aws_secret_access_key", creds.SecretAccessKey],
                ["aws_session_token", creds.SessionToken],
                ["x_security_token_expires", creds.Expiration],
              ]
            ) {
              const step = await measure(
                [aws, "configure", "set", key, value, "--profile", "mfa"],
                awsEnv,
              );
              total.wallMs += step.wallMs;
              total.cpuMs += step.cpuMs;
              total.rssKiB = Math.max(total.rssKiB, step.rssKiB);
            }
            return total;
          },
        },
        b: side("refresh", [...awsmfa, ...refresh], env10),
      });
    }

    for (const spec of specs) {
      if (only && !only.includes(spec.id)) continue;
      rows.push(await measureRow(spec, pairs));
    }
  } finally {
    await runner.close();
    await http.close();
    await https.close();
    for (const dir of homes) await Deno.remove(dir, { recursive: true });
  }

  const report = [
    "# Benchmarks",
    "",
    `Measured by \`deno task bench\` on ${
      new Date().toISOString().slice(0, 16).replace("T", " ")
    } UTC: ${await machine()}; load average at the end ${await loadAverage()}.`,
    "",
    "Each row runs A and B alternately (A B, then B A) after two warm-up pairs and gives the median of the per-pair ratios A/B with their min–max, for wall time and for user+sys CPU (getrusage of each child through wait4), beside each side's medians. Peak RSS is the child's own (ru_maxrss).",
    `Every awsmfa row runs the bundle (\`${
      BUNDLE_PATH.slice(ROOT_DIR.length)
    }\`, \`deno task build\`) with the binary's permission set (\`deno run -P=awsmfa --no-prompt\`), against a loopback STS double in benchmark mode (any well-formed code; SigV4 still verified).`,
    "",
    "## Targets (issue 15)",
    "",
    targetTable(rows),
    "",
    "## Rows",
    "",
    rowTable(rows),
    "",
  ].join("\n");
  console.log(report);
  if (!values["no-write"]) {
    const path = `${ROOT_DIR}BENCHMARKS.md`;
    const previous = await Deno.readTextFile(path).catch(() => "");
    // Keep the hand-written notes below the generated part.
    const notes = previous.indexOf("\n## Notes");
    await Deno.writeTextFile(
      path,
      report + (notes >= 0 ? previous.slice(notes) : ""),
    );
    // Keep `deno fmt --check` clean: let it lay out the tables.
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", path],
    }).output();
  }
}

if (import.meta.main) await bench(Deno.args);
