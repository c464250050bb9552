/**
 * `awsmfa credential-process` end to end under the real AWS CLI v2: a
 * profile `work-mfa` whose `credential_process` is the CLI itself
 * (`deno run -P=awsmfa main.ts credential-process --profile work`, as the
 * binary runs) answers `aws sts get-caller-identity --profile work-mfa`.
 * Request counts at the STS double show the first call makes one
 * GetSessionToken and the next ten none, and that five AWS CLIs started
 * together on a cold cache make one (and run mfa_process once). Without
 * mfa_process and without a terminal the AWS CLI fails with awsmfa's
 * sentence. The `~/.aws` files are never written.
 */

import assert from "node:assert/strict";
import { cacheDirectory } from "../../lib/sessions/cache_key.ts";
import {
  cliCommandLine,
  cliEnv,
  type CliResult,
  runCli,
} from "../support/cli.ts";
import {
  startStsDouble,
  type StsDouble,
  type StsUser,
} from "../support/sts_double.ts";
import { callerIdentity } from "../support/aws_cli.ts";
import { findTool, needs, testWith } from "../support/tools.ts";

const AWS = await findTool("aws");
const AWS_CLI = AWS.path;
const SCRIPT = await findTool("script");
/** Tests that run the AWS CLI v2: skipped (or, in CI, failed) without it. */
const test = { aws: testWith(AWS) };

interface Setup {
  sts: StsDouble;
  user: StsUser;
  home: string;
  env: Record<string, string>;
  cache: string;
  /** One line is appended here each time mfa_process runs. */
  codeLog: string;
  credentialsText: string;
  configText: string;
}

async function withSetup(
  withMfaProcess: boolean,
  fn: (setup: Setup) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "credproc_" });
  const sts = await startStsDouble({ quiet: true });
  try {
    const user = sts.addUser({ userName: "alice" });
    const codeLog = `${home}/codes.log`;
    const mfaProcess = withMfaProcess
      ? `mfa_process = echo asked >> ${codeLog}; printf '%s\\n' ${
        sts.currentCode(user)
      }\n`
      : "";
    await Deno.mkdir(`${home}/.aws`);
    const credentialsText =
      `[work]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`;
    const configText = `[profile work]\nmfa_serial = ${user.serial}\n` +
      mfaProcess +
      `\n[profile work-mfa]\ncredential_process = ${
        cliCommandLine([
          "credential-process",
          "--profile",
          "work",
          "--endpoint-url",
          sts.url,
        ])
      }\nregion = eu-west-1\n`;
    await Deno.writeTextFile(`${home}/.aws/credentials`, credentialsText);
    await Deno.writeTextFile(`${home}/.aws/config`, configText);
    const env = await cliEnv({
      HOME: home,
      AWS_PAGER: "",
      AWS_CONFIG_FILE: `${home}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
    });
    await fn({
      sts,
      user,
      home,
      env,
      cache: cacheDirectory(home),
      codeLog,
      credentialsText,
      configText,
    });
  } finally {
    await sts.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** `aws sts get-caller-identity --profile work-mfa`; with setsid it has no controlling terminal. */
async function awsWhoAmI(
  setup: Setup,
  noTerminal = false,
): Promise<CliResult> {
  return await callerIdentity(AWS_CLI, "work-mfa", setup.sts.url, setup.env, {
    detached: noTerminal,
  });
}

async function whoAmI(setup: Setup): Promise<string> {
  const out = await awsWhoAmI(setup);
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout).Arn;
}

async function timesAsked(setup: Setup): Promise<number> {
  try {
    const text = await Deno.readTextFile(setup.codeLog);
    return text.split("\n").filter((line) => line === "asked").length;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

/** The cache entries; [] when the directory does not exist. */
async function cacheFiles(setup: Setup): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(setup.cache)) {
      if (entry.name.endsWith(".json")) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

/** The AWS files are exactly as the test wrote them. */
async function assertAwsFilesUntouched(setup: Setup): Promise<void> {
  assert.equal(
    await Deno.readTextFile(`${setup.home}/.aws/credentials`),
    setup.credentialsText,
  );
  assert.equal(
    await Deno.readTextFile(`${setup.home}/.aws/config`),
    setup.configText,
  );
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${setup.home}/.aws`)) {
    names.push(entry.name);
  }
  // Nothing but the session cache (~/.aws/awsmfa) may appear beside them.
  assert.deepEqual(names.filter((name) => name !== "awsmfa").sort(), [
    "config",
    "credentials",
  ]);
}

test.aws("credential-process: the first AWS CLI call makes one GetSessionToken, the next ten none", async () => {
  await withSetup(true, async (setup) => {
    const arn = `arn:aws:iam::${setup.user.accountId}:user/alice`;
    assert.equal(await whoAmI(setup), arn);
    assert.equal(setup.sts.count("GetSessionToken", 200), 1);
    assert.equal(setup.sts.count("GetCallerIdentity", 200), 1);
    for (let i = 0; i < 10; i++) assert.equal(await whoAmI(setup), arn);
    assert.equal(setup.sts.count("GetSessionToken"), 1);
    assert.equal(setup.sts.count("GetCallerIdentity", 200), 11);
    assert.equal(await timesAsked(setup), 1);
    // Every call was signed with the one cached session.
    const keys = new Set(
      setup.sts.requests.filter((r) => r.action === "GetCallerIdentity").map((
        r,
      ) => r.accessKeyId),
    );
    assert.equal(keys.size, 1);
    assert.match([...keys][0], /^ASIA/);
    assert.equal((await cacheFiles(setup)).length, 1);
    await assertAwsFilesUntouched(setup);
    console.log(
      `11 AWS CLI calls: ${
        setup.sts.count("GetSessionToken")
      } GetSessionToken, ${
        setup.sts.count("GetCallerIdentity", 200)
      } GetCallerIdentity`,
    );
  });
});

test.aws("credential-process: five AWS CLI calls at once on a cold cache make one GetSessionToken", async () => {
  await withSetup(true, async (setup) => {
    const arns = await Promise.all(
      Array.from({ length: 5 }, () => whoAmI(setup)),
    );
    assert.deepEqual(
      arns,
      Array(5).fill(`arn:aws:iam::${setup.user.accountId}:user/alice`),
    );
    assert.equal(setup.sts.count("GetSessionToken"), 1);
    assert.equal(setup.sts.count("GetCallerIdentity", 200), 5);
    assert.equal(await timesAsked(setup), 1);
    assert.equal((await cacheFiles(setup)).length, 1);
    await assertAwsFilesUntouched(setup);
    console.log(
      `5 concurrent AWS CLI calls: ${
        setup.sts.count("GetSessionToken")
      } GetSessionToken`,
    );
  });
});

test.aws("credential-process: no mfa_process and no terminal is one sentence and a failed AWS CLI call", async () => {
  await withSetup(false, async (setup) => {
    const out = await awsWhoAmI(setup, true);
    assert.notEqual(out.code, 0);
    assert.match(
      out.stderr,
      /Cannot ask for the MFA code: there is no terminal to ask on .*; set mfa_process in the config of profile "work" to a command that prints the code, or run "awsmfa --profile work" in a terminal first/,
    );
    // Advice it cannot take (it refuses a code) and the usage tail are not given.
    assert.doesNotMatch(out.stderr, /pass the code|--help/);
    assert.equal(out.stdout, "");
    assert.equal(setup.sts.requests.length, 0);
    // The failed call takes back the cache directories it made.
    await assert.rejects(
      () => Deno.stat(`${setup.home}/.aws/awsmfa`),
      Deno.errors.NotFound,
    );
    await assertAwsFilesUntouched(setup);
  });
});

Deno.test("credential-process: prints credential_process JSON, and the cached session while valid", async () => {
  await withSetup(true, async (setup) => {
    const args = [
      "credential-process",
      "--profile",
      "work",
      "--endpoint-url",
      setup.sts.url,
      "--duration-seconds",
      "2h",
    ];
    const first = await runCli(args, { env: setup.env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "");
    const json = JSON.parse(first.stdout);
    assert.deepEqual(Object.keys(json).sort(), [
      "AccessKeyId",
      "Expiration",
      "SecretAccessKey",
      "SessionToken",
      "Version",
    ]);
    assert.equal(json.Version, 1);
    assert.match(json.AccessKeyId, /^ASIA/);
    const hours = (Date.parse(json.Expiration) - Date.now()) / 3_600_000;
    assert.ok(hours > 1.9 && hours <= 2, `expires in ${hours} h`);
    const again = await runCli(args, { env: setup.env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
    assert.equal(setup.sts.count("GetSessionToken"), 1);
    // Asking for more than the session has left gets a new one.
    const longer = await runCli([
      ...args,
      "--duration-seconds",
      "4h",
      "--min-remaining",
      "3h",
    ], {
      env: setup.env,
    });
    // The code mfa_process prints is spent, so STS refuses the second one.
    assert.notEqual(longer.code, 0);
    assert.match(longer.stderr, /^awsmfa: /);
    assert.equal(setup.sts.count("GetSessionToken"), 2);
    assert.equal(await timesAsked(setup), 2);
    // A refused fetch leaves the cached session as it was.
    const last = await runCli(args, { env: setup.env });
    assert.equal(last.stdout, first.stdout);
    await assertAwsFilesUntouched(setup);
  });
});

Deno.test("credential-process: takes no code and no flags of other commands", async () => {
  const home = await Deno.makeTempDir({ prefix: "credproc_" });
  try {
    const env = { HOME: home };
    const code = await runCli(["credential-process", "123456"], { env });
    assert.equal(code.code, 2);
    assert.match(code.stderr, /takes no arguments/);
    assert.doesNotMatch(code.stderr, /123456/);
    const flag = await runCli(["credential-process", "--output", "json"], {
      env,
    });
    assert.equal(flag.code, 2);
    assert.match(
      flag.stderr,
      /Unknown option --output for awsmfa credential-process/,
    );
    const entries = [];
    for await (const entry of Deno.readDir(home)) entries.push(entry.name);
    assert.deepEqual(entries, []);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test({
  name:
    "credential-process: without mfa_process the AWS CLI's call asks once on the terminal, and the code is never echoed",
  ...needs([AWS, SCRIPT], { ignore: Deno.build.os !== "linux" }),
  fn: async () => {
    await withSetup(false, async (setup) => {
      const out = `${setup.home}/out`;
      // The AWS CLI runs on a pseudo-terminal with stdin and stdout
      // elsewhere, as in a script whose output is captured.
      const command = [
        "exec",
        AWS_CLI,
        "sts",
        "get-caller-identity",
        "--profile",
        "work-mfa",
        "--endpoint-url",
        setup.sts.url,
        "--output",
        "json",
        `</dev/null >${out}.stdout 2>${out}.stderr`,
      ].join(" ");
      const child = new Deno.Command(SCRIPT.path, {
        args: ["-qfec", command, "/dev/null"],
        clearEnv: true,
        env: setup.env,
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      const writer = child.stdin.getWriter();
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      let screen = "";
      try {
        const prompt = `MFA code for ${setup.user.serial}: `;
        while (!screen.includes(prompt)) {
          const { value, done } = await reader.read();
          assert.ok(!done, `no prompt on the terminal: ${screen}`);
          screen += value;
        }
        const code = setup.sts.currentCode(setup.user);
        await writer.write(new TextEncoder().encode(`${code}\r`));
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          screen += value;
        }
        await writer.close().catch(() => {});
        const status = await child.status;
        const stderr = await Deno.readTextFile(`${out}.stderr`);
        assert.equal(status.code, 0, stderr + screen);
        const stdout = await Deno.readTextFile(`${out}.stdout`);
        assert.equal(
          JSON.parse(stdout).Arn,
          `arn:aws:iam::${setup.user.accountId}:user/alice`,
        );
        assert.ok(!screen.includes(code), `the code was echoed: ${screen}`);
        assert.ok(!stderr.includes(code) && !stdout.includes(code));
        assert.equal(screen.split("MFA code for").length - 1, 1);
        assert.equal(setup.sts.count("GetSessionToken", 200), 1);
        // The next call answers from the cache: no prompt, no STS call.
        assert.equal(
          await whoAmI(setup),
          `arn:aws:iam::${setup.user.accountId}:user/alice`,
        );
        assert.equal(setup.sts.count("GetSessionToken"), 1);
        await assertAwsFilesUntouched(setup);
      } finally {
        clearTimeout(timer);
      }
    });
  },
});
