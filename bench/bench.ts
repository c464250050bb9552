/**
 * `deno task bench`: whole-process timings of awsmfa's paths side by side with
 * a floor (a one-line script under the same permission flags) and with the AWS
 * CLI's manual routine, against the local STS double in benchmark mode.
 * Writes a markdown table into BENCHMARKS.md.
 *
 * Usage: deno task bench [--runs N] [--no-write]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { cliArgs, ROOT_DIR } from "../tests/support/cli.ts";
import { startStsDouble, type StsUser } from "../tests/support/sts_double.ts";

interface Sample {
  ms: number;
  rssKiB: number;
}

interface Row {
  name: string;
  note: string;
  samples: Sample[];
}

const TIME = "/usr/bin/time";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

let denoDir = "";

async function measure(
  command: string[],
  env: Record<string, string>,
  expectCode = 0,
): Promise<Sample> {
  const start = performance.now();
  const out = await new Deno.Command(TIME, {
    args: ["-f", "awsmfa-bench-rss %M", ...command],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_DIR: denoDir,
      NO_COLOR: "1",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== expectCode) {
    throw new Error(
      `${command.join(" ")} exited ${out.code}: ${stderr.slice(0, 400)}`,
    );
  }
  const rss = stderr.match(/awsmfa-bench-rss (\d+)/);
  return { ms, rssKiB: rss ? Number(rss[1]) : NaN };
}

async function series(
  name: string,
  note: string,
  runs: number,
  step: () => Promise<Sample>,
): Promise<Row> {
  await step(); // warm-up: caches, page cache, JIT of the double
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await step());
  const row = { name, note, samples };
  console.error(
    `${name}: median ${median(samples.map((s) => s.ms)).toFixed(1)} ms`,
  );
  return row;
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

async function machine(): Promise<string> {
  const cpuinfo = await new Deno.Command("sh", {
    args: ["-c", "grep -m1 'model name' /proc/cpuinfo"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const cpu = new TextDecoder().decode(cpuinfo.stdout).split(":")[1]?.trim() ||
    "unknown CPU";
  const memory = await new Deno.Command("sh", {
    args: ["-c", "grep MemTotal /proc/meminfo"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const memKiB = Number(
    new TextDecoder().decode(memory.stdout).match(/(\d+)/)?.[1] ?? 0,
  );
  return `${navigator.hardwareConcurrency} cores (${cpu}), ${
    (memKiB / 1048576).toFixed(0)
  } GiB memory, Deno ${Deno.version.deno}, ${Deno.build.target}`;
}

function medianOf(rows: Row[], prefix: string): number {
  const row = rows.find((r) => r.name.startsWith(prefix));
  return row ? median(row.samples.map((s) => s.ms)) : NaN;
}

/** The targets of issue 7, each with the figure measured in this run. */
function targets(rows: Row[]): string {
  const floor = medianOf(rows, "floor: ");
  const sdk = medianOf(rows, "floor + import");
  const refresh10 = medianOf(rows, "full refresh, 10 profiles");
  const refresh10k = medianOf(rows, "full refresh, 10000 profiles");
  const peer = medianOf(rows, "peer: ");
  const rssOf = (prefix: string) =>
    Math.max(
      ...rows.filter((r) => r.name.startsWith(prefix))
        .flatMap((r) => r.samples.map((s) => s.rssKiB / 1024)),
    );
  const lines = [
    "| target | measured | met |",
    "| --- | ---: | :---: |",
  ];
  const add = (target: string, measured: string, met: boolean) =>
    lines.push(`| ${target} | ${measured} | ${met ? "yes" : "**no**"} |`);
  for (
    const prefix of [
      "awsmfa --version",
      "awsmfa --help",
      "awsmfa status",
      "skip while",
      "awsmfa credential-process",
    ]
  ) {
    const ratio = medianOf(rows, prefix) / floor;
    add(`${prefix}: ≤ 1.3× floor`, `${ratio.toFixed(2)}×`, ratio <= 1.3);
  }
  const overSdk = refresh10 - sdk;
  add(
    "full refresh ≤ SDK floor + 30 ms",
    `SDK floor + ${overSdk.toFixed(1)} ms`,
    overSdk <= 30,
  );
  if (!Number.isNaN(peer)) {
    const speedup = peer / refresh10;
    add(
      "full refresh ≥ 10× faster than the AWS CLI routine",
      `${speedup.toFixed(1)}×`,
      speedup >= 10,
    );
  }
  const growth = refresh10k / refresh10;
  add(
    "10,000 profiles ≤ 1.5× 10 profiles",
    `${growth.toFixed(2)}×`,
    growth <= 1.5,
  );
  for (const profiles of [10, 1000, 10000]) {
    const rss = rssOf(`full refresh, ${profiles} profiles`);
    add(
      `peak RSS of a full refresh, ${profiles} profiles, ≤ 80 MiB`,
      `${rss.toFixed(1)} MiB`,
      rss <= 80,
    );
  }
  return lines.join("\n");
}

function table(rows: Row[], floor: Row): string {
  const floorMs = median(floor.samples.map((s) => s.ms));
  const lines = [
    "| path | median ms | min ms | max ms | × floor | peak RSS MiB | note |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const row of rows) {
    const ms = row.samples.map((s) => s.ms);
    const rss = Math.max(...row.samples.map((s) => s.rssKiB)) / 1024;
    lines.push(
      `| ${row.name} | ${median(ms).toFixed(1)} | ${
        Math.min(...ms).toFixed(1)
      } | ${Math.max(...ms).toFixed(1)} | ${
        (median(ms) / floorMs).toFixed(2)
      } | ${rss.toFixed(1)} | ${row.note} |`,
    );
  }
  return lines.join("\n");
}

async function cacheDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

async function bench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "10" },
      "no-write": { type: "boolean", default: false },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  denoDir = await cacheDir();
  const deno = Deno.execPath();
  const awsmfa = [deno, ...cliArgs()];
  const floorScript = `${ROOT_DIR}bench/floor.ts`;
  const floorCommand = [
    deno,
    ...cliArgs().slice(0, -1),
    floorScript,
  ];
  const sdkFloorCommand = [
    deno,
    ...cliArgs().slice(0, -1),
    `${ROOT_DIR}bench/sdk_floor.ts`,
  ];

  const sts = await startStsDouble({ quiet: true, benchmark: true });
  const home = await Deno.makeTempDir({ prefix: "awsmfa-bench-" });
  const rows: Row[] = [];
  try {
    const user = sts.addUser();
    await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
    const config =
      `[profile work]\nregion = eu-west-1\nmfa_serial = ${user.serial}\n`;
    const env = { HOME: home, AWS_ENDPOINT_URL_STS: sts.url };
    const reset = async (profiles: number): Promise<void> => {
      await Deno.writeTextFile(
        `${home}/.aws/credentials`,
        credentialsWith(user, profiles),
      );
      await Deno.writeTextFile(`${home}/.aws/config`, config);
    };
    await reset(10);

    const floor = await series(
      "floor: deno run, one-line script, same flags",
      "",
      runs,
      () => measure(floorCommand, env),
    );
    rows.push(floor);
    const sdkFloor = await series(
      "floor + import of the AWS SDK's STS client",
      "bench/sdk_floor.ts: what any SDK call costs before it sends",
      runs,
      () => measure(sdkFloorCommand, env),
    );
    rows.push(sdkFloor);
    rows.push(
      await series(
        "awsmfa --version",
        "",
        runs,
        () => measure([...awsmfa, "--version"], env),
      ),
    );
    rows.push(
      await series(
        "awsmfa --help",
        "",
        runs,
        () => measure([...awsmfa, "--help"], env),
      ),
    );
    for (const profiles of [10, 1000, 10000]) {
      await reset(profiles);
      rows.push(
        await series(
          `full refresh, ${profiles} profiles`,
          "STS double in benchmark mode (any well-formed code)",
          runs,
          () =>
            measure([...awsmfa, "--profile", "work", "--force", "123456"], env),
        ),
      );
    }
    await reset(10);
    await measure([...awsmfa, "--profile", "work", "123456"], env);
    rows.push(
      await series(
        "skip while valid",
        "target valid, no code given",
        runs,
        () => measure([...awsmfa, "--profile", "work"], env),
      ),
    );

    rows.push(
      await series(
        "awsmfa status",
        "one managed profile",
        runs,
        () => measure([...awsmfa, "status"], env),
      ),
    );

    const credentialProcess = [
      ...awsmfa,
      "credential-process",
      "--profile",
      "work",
      "--mfa-process",
      "echo 123456",
    ];
    await measure(credentialProcess, env); // fills the cache
    rows.push(
      await series(
        "awsmfa credential-process, warm cache",
        "answered from ~/.aws/awsmfa/cache",
        runs,
        () => measure(credentialProcess, env),
      ),
    );

    const aws = "/usr/bin/aws";
    if (await Deno.stat(aws).then(() => true, () => false)) {
      const awsEnv = {
        ...env,
        AWS_PAGER: "",
        AWS_PROFILE: "work",
      };
      rows.push(
        await series(
          "peer: aws sts get-session-token + aws configure set ×4",
          "AWS CLI v2, manual routine",
          Math.max(3, Math.floor(runs / 2)),
          async () => {
            const start = performance.now();
            let rss = 0;
            const token = await new Deno.Command(aws, {
              args: [
                "sts",
                "get-session-token",
                "--serial-number",
                user.serial,
                "--token-code",
                "123456",
                "--endpoint-url",
                sts.url,
                "--output",
                "json",
              ],
              clearEnv: true,
              env: { PATH: "/usr/bin:/bin", ...awsEnv },
            }).output();
            if (token.code !== 0) {
              throw new Error(new TextDecoder().decode(token.stderr));
            }
            const creds = JSON.parse(new TextDecoder().decode(token.stdout))
              .Credentials;
            for (
              const [key, value] of [
                ["aws_access_key_id", creds.AccessKeyId],
                ["aws_secret_access_key", creds.SecretAccessKey],
                ["aws_session_token", creds.SessionToken],
                ["x_security_token_expires", creds.Expiration],
              ]
            ) {
              const sample = await measure(
                [aws, "configure", "set", key, value, "--profile", "mfa"],
                awsEnv,
              );
              rss = Math.max(rss, sample.rssKiB);
            }
            return { ms: performance.now() - start, rssKiB: rss };
          },
        ),
      );
    }
  } finally {
    await sts.close();
    await Deno.remove(home, { recursive: true });
  }

  const floorRow = rows[0];
  const report = [
    "# Benchmarks",
    "",
    `Measured by \`deno task bench\` on ${
      new Date().toISOString().slice(0, 10)
    }: ${await machine()}.`,
    `Whole processes, ${runs} runs after one warm-up each; wall time in ms, peak RSS from /usr/bin/time.`,
    "Every awsmfa row runs main.ts with the binary's permission set (`deno run -P=awsmfa`).",
    "",
    table(rows, floorRow),
    "",
    "## Targets (issue 7)",
    "",
    targets(rows),
    "",
  ].join("\n");
  console.log(report);
  if (!values["no-write"]) {
    await Deno.writeTextFile(`${ROOT_DIR}BENCHMARKS.md`, report);
    // Keep `deno fmt --check` clean: let it lay out the tables.
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", `${ROOT_DIR}BENCHMARKS.md`],
    }).output();
  }
}

if (import.meta.main) await bench(Deno.args);
