/**
 * End-to-end: the CLI spawned with the binary's permission set against the
 * local STS double (real HTTP, real SigV4, real TOTP codes used once).
 */
import assert from "node:assert/strict";
import {
  assertNoSecrets,
  cacheEntryModes,
  cliArgs,
  cliCommandLine,
  type CliResult,
  fastPathBundle,
  outsideCache,
  runCli,
  runProgram,
  sectionKeys,
  snapshot,
  spawnCli,
} from "../support/cli.ts";
import {
  type StsDouble,
  type StsUser,
  withStsDouble,
} from "../support/sts_double.ts";
import { findTool, testWith } from "../support/tools.ts";

const AWS = await findTool("aws");
const AWS_V2 = AWS.path;
const FISH_TOOL = await findTool("fish");
const FISH = FISH_TOOL.path;
/** Tests that run these tools: skipped (or, in CI, failed) without them. */
const test = { aws: testWith(AWS), awsAndFish: testWith([AWS, FISH_TOOL]) };

const CREDENTIALS_HEAD = "# my keys, managed by my dotfiles\r\n";

function credentialsFor(user: StsUser): string {
  return CREDENTIALS_HEAD +
    "[work]\r\n" +
    `aws_access_key_id = ${user.accessKeyId}\r\n` +
    `aws_secret_access_key = ${user.secretAccessKey}\r\n` +
    "\r\n" +
    "; another profile, untouched\r\n" +
    "[other]\r\n" +
    "aws_access_key_id=AKIAOTHEROTHEROTHER1\r\n" +
    "aws_secret_access_key=otherSecret/with+chars==\r\n";
}

function configFor(user: StsUser): string {
  return "[default]\nregion = us-east-1\n\n" +
    "[profile work]\n" +
    "region = eu-west-1\n" +
    "output = json\n" +
    `mfa_serial = ${user.serial}\n` +
    "s3 =\n  max_concurrent_requests = 20\n";
}

interface Home {
  dir: string;
  credentials: string;
  config: string;
  env: Record<string, string>;
}

async function makeHome(
  sts: StsDouble,
  files: { credentials?: string; config?: string },
): Promise<Home> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-e2e-" });
  await Deno.mkdir(`${dir}/.aws`, { mode: 0o700 });
  const home = {
    dir,
    credentials: `${dir}/.aws/credentials`,
    config: `${dir}/.aws/config`,
    env: { HOME: dir, AWS_ENDPOINT_URL_STS: sts.url },
  };
  if (files.credentials !== undefined) {
    await Deno.writeTextFile(home.credentials, files.credentials, {
      mode: 0o600,
    });
  }
  if (files.config !== undefined) {
    await Deno.writeTextFile(home.config, files.config, { mode: 0o644 });
  }
  return home;
}

/** A code that stays valid for at least one more TOTP step. */
function freshCode(sts: StsDouble, user: StsUser, offsetSteps = 0): string {
  return sts.currentCode(user, Date.now() + offsetSteps * 30_000);
}

Deno.test("e2e: a first run writes the mfa profile and keeps every other byte", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const before = credentialsFor(user);
    const home = await makeHome(sts, {
      credentials: before,
      config: configFor(user),
    });
    const code = freshCode(sts, user);
    const result = await runCli(["--profile", "work", code], {
      env: home.env,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^Wrote profile "mfa" \(from "work"\), valid until (\d{4}-\d\d-\d\d \d\d:\d\d \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)|\d{4}-\d\d-\d\d \d\d:\d\d UTC)\.\n$/,
    );

    const after = await Deno.readTextFile(home.credentials);
    assert.ok(
      after.startsWith(before),
      "existing bytes must stay as they were",
    );
    const added = after.slice(before.length);
    assert.ok(added.startsWith("\r\n[mfa]\r\n"), JSON.stringify(added));
    assert.ok(!/(^|[^\r])\n/.test(added), "new lines use the file's CRLF");
    const mfa = sectionKeys(after, "mfa");
    assert.match(mfa.aws_access_key_id, /^ASIA/);
    assert.ok(mfa.aws_secret_access_key.length >= 30);
    assert.ok(mfa.aws_session_token.length > 50);
    assert.match(
      mfa.x_security_token_expires,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    const hours = (Date.parse(mfa.x_security_token_expires) - Date.now()) /
      3600_000;
    assert.ok(hours > 11.9 && hours <= 12, `default duration is 12h: ${hours}`);
    assert.equal(mfa.awsmfa_source_profile, "work");
    assert.equal(mfa.awsmfa_serial, user.serial);

    const config = await Deno.readTextFile(home.config);
    assert.ok(config.startsWith(configFor(user)));
    assert.equal(
      config.slice(configFor(user).length),
      "\n[profile mfa]\nregion = eu-west-1\noutput = json\n",
    );
    assert.equal((await Deno.stat(home.credentials)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(home.config)).mode! & 0o777, 0o644);
    assertNoSecrets([result.stdout, result.stderr], [
      user.secretAccessKey,
      mfa.aws_secret_access_key,
      mfa.aws_session_token,
      code,
    ]);
    assert.deepEqual(sts.requests.map((r) => [r.action, r.status]), [[
      "GetSessionToken",
      200,
    ]]);
  });
});

Deno.test("e2e: new files are created 0600 in a 0700 directory", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const dir = await Deno.makeTempDir({ prefix: "awsmfa-e2e-" });
    const keysConfig = `${dir}/keys/config`;
    await Deno.mkdir(`${dir}/keys`);
    // The AWS CLI also reads long-term keys from the config file.
    await Deno.writeTextFile(
      keysConfig,
      `[profile work]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\nmfa_serial = ${user.serial}\n`,
    );
    const result = await runCli(["--profile=work", freshCode(sts, user)], {
      env: {
        HOME: dir,
        AWS_CONFIG_FILE: keysConfig,
        AWS_ENDPOINT_URL_STS: sts.url,
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await Deno.stat(`${dir}/.aws`)).mode! & 0o777, 0o700);
    const credentials = `${dir}/.aws/credentials`;
    assert.equal((await Deno.stat(credentials)).mode! & 0o777, 0o600);
    assert.match(
      await Deno.readTextFile(credentials),
      /^\[mfa\]\naws_access_key_id = ASIA/,
    );
  });
});

Deno.test("e2e: skip while valid, --force, and a second run in place", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    const first = await runCli(["--profile", "work", freshCode(sts, user)], {
      env: home.env,
    });
    assert.equal(first.code, 0, first.stderr);
    const written = await Deno.readTextFile(home.credentials);
    const config = await Deno.readTextFile(home.config);

    const skip = await runCli(["--profile", "work"], { env: home.env });
    assert.equal(skip.code, 0, skip.stderr);
    assert.match(skip.stderr, /^Profile "mfa" is still valid for 1[12]h \d+m/);
    assert.equal(sts.requests.length, 1, "no STS call while valid");
    assert.equal(await Deno.readTextFile(home.credentials), written);

    const forced = await runCli([
      "--profile",
      "work",
      "--force",
      "--duration-seconds",
      "1h",
      freshCode(sts, user, 1),
    ], { env: home.env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(sts.requests.length, 2);
    const rewritten = await Deno.readTextFile(home.credentials);
    assert.notEqual(
      sectionKeys(rewritten, "mfa").aws_session_token,
      sectionKeys(written, "mfa").aws_session_token,
    );
    const hours =
      (Date.parse(sectionKeys(rewritten, "mfa").x_security_token_expires) -
        Date.now()) / 3600_000;
    assert.ok(hours > 0.9 && hours <= 1, `--duration-seconds 1h: ${hours}`);
    // Updated in place: same lines, same positions, only values changed.
    assert.equal(rewritten.split("\n").length, written.split("\n").length);
    assert.equal(
      rewritten.slice(0, written.indexOf("[mfa]")),
      written.slice(0, written.indexOf("[mfa]")),
    );
    assert.equal(await Deno.readTextFile(home.config), config);
  });
});

interface FailureCase {
  name: string;
  args: (user: StsUser, sts: StsDouble) => string[];
  credentials?: (user: StsUser) => string;
  config?: (user: StsUser) => string;
  env?: Record<string, string>;
  prepare?: (sts: StsDouble, user: StsUser) => Promise<void> | void;
  exit: number;
  message: RegExp;
  requests: number;
  /** Run without a controlling terminal (the prompt reads /dev/tty). */
  detached?: boolean;
}

const FAILURES: FailureCase[] = [
  {
    name: "wrong code",
    args: (user, sts) => {
      const good = freshCode(sts, user);
      const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(
        6,
        "0",
      );
      return ["--profile", "work", wrong];
    },
    exit: 4,
    message: /MFA code/,
    requests: 1,
  },
  {
    name: "reused code",
    prepare: async (sts, user) => {
      // Spend the code first, straight at the double through the CLI with another target.
      const dir = await Deno.makeTempDir({ prefix: "awsmfa-e2e-" });
      await Deno.mkdir(`${dir}/.aws`);
      await Deno.writeTextFile(`${dir}/.aws/credentials`, credentialsFor(user));
      await Deno.writeTextFile(`${dir}/.aws/config`, configFor(user));
      const spent = await runCli(["--profile", "work", freshCode(sts, user)], {
        env: { HOME: dir, AWS_ENDPOINT_URL_STS: sts.url },
      });
      assert.equal(spent.code, 0, spent.stderr);
    },
    args: (user, sts) => ["--profile", "work", freshCode(sts, user)],
    exit: 4,
    message: /already used|next code/,
    requests: 1,
  },
  {
    name: "unknown access key",
    credentials: (user) =>
      credentialsFor(user).replace(user.accessKeyId, "AKIAUNKNOWNUNKNOWN00"),
    args: (user, sts) => ["--profile", "work", freshCode(sts, user)],
    exit: 5,
    message: /"work"/,
    requests: 1,
  },
  {
    name: "source holding a session token",
    credentials: (user) =>
      credentialsFor(user).replace(
        "aws_secret_access_key = ",
        "aws_session_token = FQoGZXIvYXdzEBYaDtoken==\r\naws_secret_access_key = ",
      ),
    args: (user, sts) => ["--profile", "work", freshCode(sts, user)],
    exit: 3,
    message: /temporary credentials/,
    requests: 0,
  },
  {
    name: "target equal to source",
    args: (user, sts) => [
      "--profile",
      "work",
      "--mfa-profile-name",
      "work",
      freshCode(sts, user),
    ],
    exit: 3,
    message: /is the source profile/,
    requests: 0,
  },
  {
    name: "target holding long-term keys",
    args: (user, sts) => [
      "--profile",
      "work",
      "--mfa-profile-name",
      "other",
      freshCode(sts, user),
    ],
    exit: 3,
    message: /"other".*long-term keys/,
    requests: 0,
  },
  {
    name: "missing serial",
    config: () => "[profile work]\nregion = eu-west-1\n",
    args: (user, sts) => ["--profile", "work", freshCode(sts, user)],
    exit: 2,
    message: /--serial-number.*mfa_serial.*AWS_MFA_SERIAL/,
    requests: 0,
  },
  {
    name: "malformed code",
    args: () => ["--profile", "work", "12345"],
    exit: 2,
    message: /6 digits/,
    requests: 0,
  },
  {
    name: "duration out of range",
    args: (user, sts) => [
      "--profile",
      "work",
      "--duration-seconds",
      "899",
      freshCode(sts, user),
    ],
    exit: 2,
    message: /900/,
    requests: 0,
  },
  {
    name: "unknown flag",
    args: () => ["--profle", "work"],
    exit: 2,
    message: /--profle/,
    requests: 0,
  },
  {
    name: "malformed serial",
    args: (user, sts) => [
      "--profile",
      "work",
      "--serial-number",
      "not a serial",
      freshCode(sts, user),
    ],
    exit: 2,
    message: /serial number/,
    requests: 0,
  },
  {
    name: "no code and no terminal",
    args: () => ["--profile", "work"],
    detached: true,
    exit: 2,
    message: /CODE/,
    requests: 0,
  },
  {
    name: "server error: the code is not sent twice",
    prepare: (sts) => sts.inject({ kind: "status", status: 500 }),
    args: (user, sts) => ["--profile", "work", freshCode(sts, user)],
    exit: 6,
    message: /may have been used/,
    requests: 1,
  },
  {
    name: "dropped connection: the code is not sent twice",
    prepare: (sts) => sts.inject({ kind: "drop" }),
    args: (user, sts) => ["--profile", "work", freshCode(sts, user)],
    exit: 6,
    message: /may have been used/,
    requests: 1,
  },
  {
    name: "duplicate section in the credentials file",
    credentials: (user) => credentialsFor(user) + "[other]\r\nregion = x\r\n",
    args: (user, sts) => ["--profile", "work", freshCode(sts, user)],
    exit: 3,
    message: /line \d+/i,
    requests: 0,
  },
  {
    name: "mfa_process prints garbage",
    config: (user) =>
      configFor(user) + "mfa_process = echo SECRETGARBAGE 123456\n",
    args: () => ["--profile", "work"],
    exit: 3,
    message:
      /^awsmfa: The MFA code command "echo …" \(from mfa_process of profile "work"\) did not print exactly one 6-digit code; its output is not shown\.\n$/,
    requests: 0,
  },
  {
    name: "--mfa-process exits 1",
    args: () => ["--profile", "work", "--mfa-process", "echo 123456; exit 1"],
    exit: 3,
    message: /"echo …" \(from --mfa-process\) failed with exit status 1;/,
    requests: 0,
  },
  {
    name: "--mfa-process hangs past AWSMFA_MFA_PROCESS_TIMEOUT",
    args: () => ["--profile", "work", "--mfa-process", "sleep 30"],
    env: { AWSMFA_MFA_PROCESS_TIMEOUT: "0.5" },
    exit: 3,
    message:
      /"sleep …" .*did not finish within 0\.5 seconds, so it was stopped\./,
    requests: 0,
  },
  {
    name: "--output json with a failing mfa_process",
    args: () => [
      "--profile",
      "work",
      "--output",
      "json",
      "--mfa-process",
      "false",
    ],
    exit: 3,
    message: /"false" \(from --mfa-process\) failed with exit status 1/,
    requests: 0,
  },
  {
    name: "exec inside awsmfa exec",
    args: (user, sts) => [
      "exec",
      "--profile",
      "work",
      freshCode(sts, user),
      "--",
      "true",
    ],
    env: { AWSMFA_EXEC: "mfa" },
    exit: 3,
    message: /already runs inside awsmfa exec \(profile "mfa"\)/,
    requests: 0,
  },
  {
    name: "clear a profile awsmfa did not write",
    args: () => ["clear", "other"],
    exit: 3,
    message: /Profile "other" in .* was not written by awsmfa/,
    requests: 0,
  },
  {
    name: "clear --all with a named foreign profile among managed ones",
    credentials: (user) =>
      credentialsFor(user) +
      "\r\n[mfa]\r\naws_access_key_id = ASIAOLDOLDOLDOLD0001\r\n" +
      "aws_secret_access_key = s\r\naws_session_token = t\r\n" +
      "x_security_token_expires = 2020-01-01T00:00:00Z\r\n" +
      "awsmfa_source_profile = work\r\nawsmfa_serial = GAHT12345678\r\n",
    args: () => ["clear", "mfa", "work"],
    exit: 3,
    message:
      /Profile "work" in .* was not written by awsmfa.*nothing was changed/,
    requests: 0,
  },
];

Deno.test("e2e: every failure leaves both files byte-identical", async (t) => {
  await withStsDouble(async (sts) => {
    for (const failure of FAILURES) {
      await t.step(failure.name, async () => {
        const user = sts.addUser();
        const home = await makeHome(sts, {
          credentials: (failure.credentials ?? credentialsFor)(user),
          config: (failure.config ?? configFor)(user),
        });
        await failure.prepare?.(sts, user);
        const before = await snapshot(home.dir);
        const requestsBefore = sts.requests.length;
        const args = failure.args(user, sts);
        const result = failure.detached
          ? await runProgram(Deno.execPath(), [...cliArgs(), ...args], {
            ...home.env,
            ...failure.env,
          }, { detached: true })
          : await runCli(args, { env: { ...home.env, ...failure.env } });
        assert.equal(result.code, failure.exit, result.stderr);
        assert.match(result.stderr, failure.message);
        assert.match(result.stderr, /^awsmfa: [^\n]+\n/);
        assert.ok(!/\n\s+at /.test(result.stderr), "no stack trace");
        assert.equal(result.stdout, "");
        assert.deepEqual(await snapshot(home.dir), before);
        assert.equal(sts.requests.length - requestsBefore, failure.requests);
        const code = args.at(-1)!;
        assertNoSecrets([result.stderr], [
          user.secretAccessKey,
          ...(/^\d{6}$/.test(code) ? [code] : []),
        ]);
      });
    }
  });
});

Deno.test("e2e: throttled once, then succeeding", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    sts.inject({ kind: "throttle" });
    const result = await runCli(["--profile", "work", freshCode(sts, user)], {
      env: home.env,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(sts.requests.map((r) => r.status), [400, 200]);
    assert.equal(sts.requests[0].errorCode, "Throttling");
  });
});

Deno.test("e2e: code from stdin, and the shadowing warning", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    const result = await runCli(["--profile", "work", "-"], {
      env: { ...home.env, AWS_ACCESS_KEY_ID: "AKIASHADOWSHADOW0000" },
      stdin: freshCode(sts, user) + "\n",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /AWS_ACCESS_KEY_ID is set/);
    assert.match(result.stderr, /Wrote profile "mfa"/);
  });
});

test.aws("e2e: the real AWS CLI v2 uses the written profile", async (t) => {
  const aws = AWS.path;
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    const result = await runCli(["--profile", "work", freshCode(sts, user)], {
      env: home.env,
    });
    assert.equal(result.code, 0, result.stderr);
    await t.step("get-caller-identity with --profile mfa", async () => {
      const out = await new Deno.Command(aws, {
        args: [
          "sts",
          "get-caller-identity",
          "--profile",
          "mfa",
          "--endpoint-url",
          sts.url,
          "--output",
          "json",
        ],
        clearEnv: true,
        env: { HOME: home.dir, PATH: "/usr/bin:/bin", AWS_PAGER: "" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      const identity = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(identity.Account, user.accountId);
      const last = sts.requests.at(-1)!;
      assert.equal(last.action, "GetCallerIdentity");
      assert.equal(last.status, 200);
      assert.match(last.accessKeyId, /^ASIA/);
    });
  });
});

// ---- Issue 5: codes from a command, credentials on stdout, exec, status, clear.

/** Run a program with exactly `env` (plus PATH, DENO_DIR) and no AWS pager. */
function runWith(
  program: string,
  args: string[],
  env: Record<string, string>,
): Promise<CliResult> {
  return runProgram(program, args, { AWS_PAGER: "", ...env });
}

/** The AWS CLI v2 call the tests make with whatever credentials it finds. */
function callerIdentity(sts: StsDouble): string {
  return `${AWS_V2} sts get-caller-identity --endpoint-url ${sts.url} --region us-east-1 --output json`;
}

Deno.test("e2e: the code from mfa_process in the config, and from --mfa-process", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const code = freshCode(sts, user);
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user) + `mfa_process = printf '%s\\n' ${code}\n`,
    });
    const result = await runCli(["--profile", "work"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Wrote profile "mfa" \(from "work"\)/);
    assertNoSecrets([result.stderr, result.stdout], [code]);
    assert.equal(sts.requests.length, 1);

    const other = sts.addUser();
    const otherCode = freshCode(sts, other);
    const second = await makeHome(sts, {
      credentials: credentialsFor(other),
      config: configFor(other) + "mfa_process = false\n",
    });
    const flag = await runCli([
      "--profile",
      "work",
      "--mfa-process",
      `echo ${otherCode}`,
    ], { env: second.env });
    assert.equal(flag.code, 0, flag.stderr);
    assertNoSecrets([flag.stderr], [otherCode]);
    assert.match(
      sectionKeys(await Deno.readTextFile(second.credentials), "mfa")
        .aws_access_key_id,
      /^ASIA/,
    );
  });
});

/**
 * The AWS files are as `before`; the one new file is the session's cache
 * entry, 0600, so the next command needs no code.
 */
async function assertOnlyCached(
  dir: string,
  before: Awaited<ReturnType<typeof snapshot>>,
): Promise<void> {
  const after = await snapshot(dir);
  assert.deepEqual(outsideCache(after), before);
  const modes = cacheEntryModes(after);
  assert.equal(modes.length, 1);
  if (Deno.build.os !== "windows") assert.deepEqual(modes, [0o600]);
}

test.aws("e2e: --output env evaluated by a real sh whose child runs the AWS CLI v2", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    const before = await snapshot(home.dir);
    const code = freshCode(sts, user);
    const script = [
      `eval "$(${
        cliCommandLine(["--output", "env", "--shell", "sh", code])
      })" || exit 99`,
      'printf "profile=%s\\n" "${AWS_PROFILE-unset}" >&2',
      `exec ${callerIdentity(sts)}`,
    ].join("\n");
    const result = await runWith("sh", ["-c", script], {
      ...home.env,
      AWS_PROFILE: "work",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^profile=unset$/m);
    assert.match(result.stderr, /nothing was written/);
    assert.equal(JSON.parse(result.stdout).Account, user.accountId);
    assert.deepEqual(sts.requests.map((r) => [r.action, r.status]), [
      ["GetSessionToken", 200],
      ["GetCallerIdentity", 200],
    ]);
    assert.match(sts.requests[1].accessKeyId, /^ASIA/);
    await assertOnlyCached(home.dir, before);
  });
});

test.awsAndFish("e2e: --output env evaluated by a real fish whose child runs the AWS CLI v2", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    const before = await snapshot(home.dir);
    const code = freshCode(sts, user);
    const script = [
      `${cliCommandLine(["--output", "env", code])} | source; or exit 99`,
      "set -q AWS_PROFILE; and echo profile=$AWS_PROFILE >&2; or echo profile=unset >&2",
      `exec ${callerIdentity(sts)}`,
    ].join("\n");
    // --shell is left out: $SHELL names fish, so fish syntax is the default.
    const result = await runWith(FISH, ["--no-config", "-c", script], {
      ...home.env,
      AWS_PROFILE: "work",
      SHELL: FISH,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^profile=unset$/m);
    assert.equal(JSON.parse(result.stdout).Account, user.accountId);
    assert.match(sts.requests.at(-1)!.accessKeyId, /^ASIA/);
    assert.equal(sts.requests.at(-1)!.action, "GetCallerIdentity");
    await assertOnlyCached(home.dir, before);
  });
});

test.aws("e2e: --output json consumed as credential_process by the AWS CLI v2", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const code = freshCode(sts, user);
    const process = cliCommandLine([
      "--profile",
      "work",
      "--output",
      "json",
      code,
    ]);
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user) +
        `\n[profile viaprocess]\ncredential_process = ${process}\n`,
    });
    const before = await snapshot(home.dir);
    const result = await runWith(
      AWS_V2,
      callerIdentity(sts).split(" ").slice(1).concat([
        "--profile",
        "viaprocess",
      ]),
      home.env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).Account, user.accountId);
    assert.deepEqual(sts.requests.map((r) => r.action), [
      "GetSessionToken",
      "GetCallerIdentity",
    ]);
    assert.match(sts.requests[1].accessKeyId, /^ASIA/);
    await assertOnlyCached(home.dir, before);
  });
});

test.aws("e2e: exec runs the AWS CLI v2 with the session, reuses it, passes exit codes through and refuses to nest", async (t) => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    const env = { ...home.env, AWS_PROFILE: "work" };
    await t.step(
      "a new session, written with --write, used by the AWS CLI",
      async () => {
        const result = await runCli([
          "exec",
          "--write",
          freshCode(sts, user),
          "--",
          ...callerIdentity(sts).split(" "),
        ], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(JSON.parse(result.stdout).Account, user.accountId);
        assert.match(result.stderr, /^Wrote profile "mfa" \(from "work"\)/);
        assert.match(sts.requests.at(-1)!.accessKeyId, /^ASIA/);
        const written = sectionKeys(
          await Deno.readTextFile(home.credentials),
          "mfa",
        );
        assert.equal(
          sts.requests.at(-1)!.accessKeyId,
          written.aws_access_key_id,
        );
      },
    );
    await t.step("reused, and the command's exit code comes back", async () => {
      const requests = sts.requests.length;
      const result = await runCli([
        "exec",
        "--",
        "sh",
        "-c",
        'test "$AWSMFA_EXEC" = mfa && test -z "${AWS_PROFILE+set}" && test -n "$AWS_SESSION_TOKEN" && test "$AWS_REGION" = eu-west-1 && exit 42; exit 1',
      ], { env });
      assert.equal(result.code, 42, result.stderr);
      // Quiet when it reuses a session, as aws-vault is.
      assert.equal(result.stderr, "");
      assert.equal(sts.requests.length, requests);
    });
    await t.step("awsmfa exec inside awsmfa exec", async () => {
      const result = await runCli([
        "exec",
        "--quiet",
        "--",
        "sh",
        "-c",
        `${cliCommandLine(["exec", "--", "true"])}; exit $?`,
      ], { env });
      assert.equal(result.code, 3, result.stderr);
      assert.match(
        result.stderr,
        /already runs inside awsmfa exec \(profile "mfa"\)/,
      );
    });
    await t.step("a command that does not exist", async () => {
      const result = await runCli([
        "exec",
        "--quiet",
        "--",
        "awsmfa-no-such-command",
      ], { env });
      assert.equal(result.code, 127);
      assert.equal(
        result.stderr,
        'awsmfa: Cannot run "awsmfa-no-such-command": it was not found.\n',
      );
    });
  });
});

Deno.test("e2e: exec passes SIGTERM to the command and its death by signal back", async (t) => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const home = await makeHome(sts, {
      credentials: credentialsFor(user),
      config: configFor(user),
    });
    const first = await runCli(["--profile", "work", freshCode(sts, user)], {
      env: home.env,
    });
    assert.equal(first.code, 0, first.stderr);

    /** Start exec with `command`, wait for "ready", send SIGTERM to awsmfa. */
    async function terminate(command: string) {
      const child = await spawnCli(
        ["exec", "--profile", "work", "--quiet", "--", "sh", "-c", command],
        home.env,
      );
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let out = "";
      // A bound, not a synchronisation: should exec ever miss the signal,
      // the test fails in 30 s instead of hanging on the command's pipe.
      let timedOut = false;
      const deadline = setTimeout(() => {
        timedOut = true;
        for (const pid of [child.pid, Number(out.match(/ready (\d+)/)?.[1])]) {
          try {
            if (pid > 0) Deno.kill(pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
        reader.cancel().catch(() => {});
      }, 30_000);
      while (!out.includes("ready")) {
        const { done, value } = await reader.read();
        if (done) break;
        out += value;
      }
      child.kill("SIGTERM");
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        out += value;
      }
      const status = await child.status;
      const stderr = await new Response(child.stderr).text();
      clearTimeout(deadline);
      assert.ok(
        !timedOut,
        `exec did not end within 30 s of SIGTERM: ${stderr}`,
      );
      return { status, out, stderr };
    }

    await t.step(
      "the command traps it and exits 9; awsmfa exits 9",
      async () => {
        const { status, out, stderr } = await terminate(
          'trap "echo got-term; exit 9" TERM; echo ready $$; while :; do sleep 0.05; done',
        );
        assert.match(out, /got-term/, stderr);
        assert.equal(status.code, 9, stderr);
        assert.equal(status.signal, null);
      },
    );
    await t.step("the command dies of it; awsmfa exits 128+15", async () => {
      const { status, stderr } = await terminate(
        "echo ready $$; exec sleep 30",
      );
      assert.equal(status.code, 143, stderr);
    });
  });
});

Deno.test("e2e: status lists managed and expired profiles, skips foreign ones, and loads no SDK", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const foreign =
      "\r\n[sso-session]\r\naws_access_key_id = ASIAFOREIGN000000001\r\n" +
      "aws_secret_access_key = foreignSecret\r\naws_session_token = foreignToken\r\n";
    const expired =
      "\r\n[old-mfa]\r\naws_access_key_id = ASIAEXPIRED000000001\r\n" +
      "aws_secret_access_key = expiredSecret\r\naws_session_token = expiredToken\r\n" +
      "x_security_token_expires = 2020-01-01T00:00:00Z\r\n" +
      "awsmfa_source_profile = personal\r\nawsmfa_serial = GAHT12345678\r\n";
    const home = await makeHome(sts, {
      credentials: credentialsFor(user) + foreign + expired,
      config: configFor(user),
    });
    const written = await runCli(["--profile", "work", freshCode(sts, user)], {
      env: home.env,
    });
    assert.equal(written.code, 0, written.stderr);
    const requests = sts.requests.length;
    const before = await snapshot(home.dir);

    // An empty module cache, --cached-only and a bundle without the chunks
    // loaded on demand: loading the AWS SDK would fail.
    const emptyCache = await Deno.makeTempDir({ prefix: "awsmfa-nocache-" });
    const fastPath = await fastPathBundle(emptyCache);
    const run = (args: string[]) =>
      runWith(Deno.execPath(), [
        "run",
        "--cached-only",
        ...fastPath.slice(1),
        ...args,
      ], { ...home.env, DENO_DIR: emptyCache });
    const table = await run(["status"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(
      lines[0],
      /^PROFILE +SOURCE +SERIAL +EXPIRES \(LOCAL\) +REMAINING$/,
    );
    assert.match(
      lines[1],
      /^old-mfa +personal +GAHT12345678 +2020-01-01 \d\d:\d\d +expired$/,
    );
    assert.match(
      lines[2],
      new RegExp(`^mfa +work +${user.serial} +\\S+ \\S+ +1[12]h \\d+m$`),
    );
    assert.equal(lines.length, 3);
    assert.ok(!table.stdout.includes("sso-session"));
    const json = await run(["status", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout);
    assert.deepEqual(rows.map((row: { profile: string }) => row.profile), [
      "old-mfa",
      "mfa",
    ]);
    assert.equal(rows[0].expired, true);
    assert.ok(rows[1].remainingSeconds > 11 * 3600);
    assertNoSecrets([table.stdout, json.stdout], [
      "expiredSecret",
      "expiredToken",
      sectionKeys(await Deno.readTextFile(home.credentials), "mfa")
        .aws_session_token,
    ]);
    // The same cache makes the default command fail when it needs the SDK.
    const refresh = await run([
      "--profile",
      "work",
      "--force",
      freshCode(sts, user, 1),
    ]);
    assert.notEqual(refresh.code, 0);
    assert.equal(sts.requests.length, requests, "status made no request");
    assert.deepEqual(await snapshot(home.dir), before);
    await Deno.remove(emptyCache, { recursive: true });
  });
});

Deno.test("e2e: clear takes back exactly what awsmfa wrote, keeping what came after", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser();
    const credentials = credentialsFor(user);
    const config = configFor(user);
    const home = await makeHome(sts, { credentials, config });
    const written = await runCli(["--profile", "work", freshCode(sts, user)], {
      env: home.env,
    });
    assert.equal(written.code, 0, written.stderr);
    // The user adds a profile after awsmfa's, in both files.
    const later =
      "\r\n; added by hand later\r\n[later]\r\naws_access_key_id = AKIALATERLATER000001\r\naws_secret_access_key = laterSecret\r\n";
    await Deno.writeTextFile(home.credentials, later, { append: true });
    await Deno.writeTextFile(
      home.config,
      "\n[profile later]\nregion = us-west-2\n",
      { append: true },
    );

    const cleared = await runCli(["clear"], { env: home.env });
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(
      cleared.stderr,
      /^Removed profile "mfa" from .*credentials and \[profile mfa\] from .*config\.\nRemoved 1 cached session from .*\/\.aws\/awsmfa\/cache\.\n$/,
    );
    assert.deepEqual(
      [...Deno.readDirSync(`${home.dir}/.aws/awsmfa/cache`)],
      [],
      "the session's cache entry went with the profile",
    );
    assert.equal(
      await Deno.readTextFile(home.credentials),
      credentials + later,
    );
    assert.equal(
      await Deno.readTextFile(home.config),
      config + "\n[profile later]\nregion = us-west-2\n",
    );
    assert.equal((await Deno.stat(home.credentials)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(home.config)).mode! & 0o777, 0o644);

    const status = await runCli(["status", "--json"], { env: home.env });
    assert.equal(status.stdout, "[]\n");
  });
});
