/**
 * Roles end to end (issue 6): the CLI spawned as the binary runs it
 * (`deno run -P=awsmfa main.ts`) with a temporary home, against the STS
 * double (real HTTP, SigV4 verified, TOTP codes that work once), and the
 * real AWS CLI v2 reading what awsmfa wrote or calling its
 * credential-process.
 *
 * Each test counts the requests the double saw and prints them, for the
 * issue's closing note. A test that needs a second code uses the code of the
 * next 30-second step, which the double already takes (±1 step) and which
 * is newer than the first, so nothing waits for the clock.
 *
 * @module
 */

import assert from "node:assert/strict";
import { cacheDirectory } from "../../lib/sessions/cache_key.ts";
import {
  assertNoSecrets,
  cliArgs,
  cliCommandLine,
  type CliResult,
  outsideCache,
  runCli,
  runProgram,
  sectionKeys,
  snapshot,
} from "../support/cli.ts";
import {
  type RecordedRequest,
  type StsDouble,
  type StsRole,
  type StsUser,
  withStsDouble,
} from "../support/sts_double.ts";
import { findTool, testWith } from "../support/tools.ts";

const AWS = await findTool("aws");
const AWS_CLI = AWS.path;
/** Tests that run the AWS CLI v2: skipped (or, in CI, failed) without it. */
const test = { aws: testWith(AWS) };
const ROLE_ACCOUNT = "111122223333";

// ---- helpers

/** The code the user's device shows now, or `steps` 30-second steps later. */
function codeOf(sts: StsDouble, user: StsUser, steps = 0): string {
  return sts.currentCode(user, Date.now() + steps * 30_000);
}

function credentialsFor(user: StsUser): string {
  return "# long-term keys\n[work]\n" +
    `aws_access_key_id = ${user.accessKeyId}\n` +
    `aws_secret_access_key = ${user.secretAccessKey}\n`;
}

function workConfig(user: StsUser, extra = ""): string {
  return "[profile work]\nregion = eu-west-1\noutput = json\n" +
    `mfa_serial = ${user.serial}\n${extra}`;
}

interface Home {
  dir: string;
  credentials: string;
  config: string;
  env: Record<string, string>;
}

async function makeHome(
  sts: StsDouble,
  credentials: string,
  config: string,
): Promise<Home> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-role-e2e-" });
  await Deno.mkdir(`${dir}/.aws`, { mode: 0o700 });
  const home: Home = {
    dir,
    credentials: `${dir}/.aws/credentials`,
    config: `${dir}/.aws/config`,
    env: {
      HOME: dir,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_PAGER: "",
    },
  };
  await Deno.writeTextFile(home.credentials, credentials, { mode: 0o600 });
  await Deno.writeTextFile(home.config, config, { mode: 0o600 });
  return home;
}

async function withHome(
  sts: StsDouble,
  credentials: string,
  config: string,
  fn: (home: Home) => Promise<void>,
): Promise<void> {
  const home = await makeHome(sts, credentials, config);
  try {
    await fn(home);
  } finally {
    await Deno.remove(home.dir, { recursive: true });
  }
}

async function credentialsSection(
  home: Home,
  profile: string,
): Promise<Record<string, string>> {
  return sectionKeys(await Deno.readTextFile(home.credentials), profile);
}

/** Hours from now until an RFC 3339 time. */
function hoursUntil(text: string): number {
  return (Date.parse(text) - Date.now()) / 3_600_000;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Action, status, signing key and session-token flag of each request. */
function summary(
  requests: RecordedRequest[],
): [string, number, string, boolean][] {
  return requests.map((r) => [
    r.action,
    r.status,
    r.accessKeyId,
    r.withSessionToken,
  ]);
}

/** "AssumeRole 1 (200: 1), GetSessionToken 0, …" for the closing note. */
function counts(sts: StsDouble): string {
  return ["GetSessionToken", "AssumeRole", "GetCallerIdentity"].map((action) =>
    `${action} ${sts.count(action)} (200: ${sts.count(action, 200)})`
  ).join(", ");
}

/** The assumed-role ARN STS answers for a role session named `sessionName`. */
function assumedRoleArn(role: StsRole, sessionName: string): string {
  return `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`;
}

/** awsmfa as the binary runs, with no terminal and nothing on stdin. */
function awsmfaDetached(
  args: string[],
  env: Record<string, string>,
): Promise<CliResult> {
  return runProgram(Deno.execPath(), [...cliArgs(), ...args], env, {
    detached: true,
  });
}

/** `aws sts get-caller-identity --profile P` (AWS CLI v2) at the double: the caller's ARN. */
async function whoAmI(
  sts: StsDouble,
  home: Home,
  profile: string,
): Promise<string> {
  const out = await runProgram(
    AWS_CLI,
    [
      "sts",
      "get-caller-identity",
      "--profile",
      profile,
      "--endpoint-url",
      sts.url,
      "--output",
      "json",
    ],
    home.env,
    { detached: true },
  );
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout).Arn;
}

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `stderr: ${result.stderr}`);
}

/**
 * One `awsmfa: …` sentence on stderr, and the usage hint only for a command
 * line awsmfa could not read (`commandLine`).
 */
function assertOneSentence(result: CliResult, commandLine = false): void {
  const lines = result.stderr.split("\n").filter((line) => line !== "");
  assert.match(lines[0], /^awsmfa: \S.*\.$/);
  assert.deepEqual(
    lines.slice(1),
    commandLine ? ['Run "awsmfa --help" for usage.'] : [],
  );
  assert.equal(result.stdout, "");
}

// ---- 1. a role whose trust requires MFA, assumed with the code

test.aws("role e2e: a role that requires MFA is assumed with the long-term keys and the code, and reused while valid", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "admin",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
    });
    await withHome(
      sts,
      credentialsFor(user),
      workConfig(user),
      async (home) => {
        const code = codeOf(sts, user);
        const args = [
          "--profile",
          "work",
          "--role-arn",
          role.arn,
          "--mfa-profile-name",
          "admin",
          code,
        ];
        const first = await runCli(args, { env: home.env });
        assertExit(first, 0);
        assert.equal(first.stdout, "");
        assert.match(
          first.stderr,
          new RegExp(
            `^Wrote profile "admin" \\(role ${
              escapeRegExp(role.arn)
            } from "work"\\), valid until [^\\n]+\\.\\n$`,
          ),
        );
        assert.deepEqual(summary(sts.requests), [
          ["AssumeRole", 200, user.accessKeyId, false],
        ]);
        assert.equal(sts.count("GetSessionToken"), 0);

        const admin = await credentialsSection(home, "admin");
        assert.match(admin.aws_access_key_id, /^ASIA/);
        assert.equal(admin.awsmfa_role_arn, role.arn);
        assert.equal(admin.awsmfa_source_profile, "work");
        assert.equal(admin.awsmfa_serial, user.serial);
        // No --duration-seconds: STS's default for a role, one hour.
        const hours = hoursUntil(admin.x_security_token_expires);
        assert.ok(hours > 0.95 && hours <= 1, `expires in ${hours} h`);
        assert.deepEqual(
          sectionKeys(await Deno.readTextFile(home.config), "profile admin"),
          { region: "eu-west-1", output: "json" },
        );
        assertNoSecrets([first.stdout, first.stderr], [
          code,
          user.secretAccessKey,
          admin.aws_secret_access_key,
          admin.aws_session_token,
        ]);

        // The real AWS CLI signs with what was written: the role session.
        assert.equal(
          await whoAmI(sts, home, "admin"),
          assumedRoleArn(role, "awsmfa-alice"),
        );
        const call = sts.requests.at(-1)!;
        assert.deepEqual(
          [call.action, call.status, call.accessKeyId, call.withSessionToken],
          ["GetCallerIdentity", 200, admin.aws_access_key_id, true],
        );

        // The same command again (the spent code and all): still valid, so
        // no request and no byte changes.
        const requests = sts.requests.length;
        const before = await snapshot(home.dir);
        const again = await runCli(args, { env: home.env });
        assertExit(again, 0);
        assert.match(
          again.stderr,
          /^Profile "admin" is still valid for (59m|1h), until [^\n]+; use --force to refresh it now\.\n$/,
        );
        assert.equal(sts.requests.length, requests);
        assert.deepEqual(await snapshot(home.dir), before);
        console.log(`case 1 (role requiring MFA): ${counts(sts)}`);
      },
    );
  });
});

// ---- 2. chained from a cached MFA session

test.aws("role e2e: a role is chained from the cached MFA session with no code, capped at 1 hour; --force asks for a code", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const admin = sts.addRole({
      roleName: "admin",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
      maxSessionDuration: 43_200,
    });
    const ops = sts.addRole({
      roleName: "ops",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
      maxSessionDuration: 43_200,
    });
    await withHome(
      sts,
      credentialsFor(user),
      workConfig(user),
      async (home) => {
        const code = codeOf(sts, user);
        const mfaRun = await runCli(["--profile", "work", code], {
          env: home.env,
        });
        assertExit(mfaRun, 0);
        assert.deepEqual(summary(sts.requests), [
          ["GetSessionToken", 200, user.accessKeyId, false],
        ]);
        const mfaKey =
          (await credentialsSection(home, "mfa")).aws_access_key_id;
        assert.match(mfaKey, /^ASIA/);

        // No code on the command line, nothing on stdin, no terminal.
        const chained = await awsmfaDetached([
          "--profile",
          "work",
          "--role-arn",
          admin.arn,
          "--mfa-profile-name",
          "admin",
        ], home.env);
        assertExit(chained, 0);
        assert.match(
          chained.stderr,
          new RegExp(
            `^Wrote profile "admin" \\(role ${
              escapeRegExp(admin.arn)
            } from "work", chained from the cached MFA session\\), valid until [^\\n]+\\.\\n$`,
          ),
        );
        assert.deepEqual(summary(sts.requests.slice(1)), [
          ["AssumeRole", 200, mfaKey, true],
        ]);
        const adminSection = await credentialsSection(home, "admin");
        assert.equal(adminSection.awsmfa_role_arn, admin.arn);
        const adminHours = hoursUntil(adminSection.x_security_token_expires);
        assert.ok(adminHours > 0.95 && adminHours <= 1, `${adminHours} h`);
        assert.equal(
          await whoAmI(sts, home, "admin"),
          assumedRoleArn(admin, "awsmfa-alice"),
        );

        // Two hours asked for: chaining gives one, and says so.
        const longer = [
          "--profile",
          "work",
          "--role-arn",
          ops.arn,
          "--mfa-profile-name",
          "ops",
          "--duration-seconds",
          "2h",
        ];
        const capped = await awsmfaDetached(longer, home.env);
        assertExit(capped, 0);
        const [note, wrote, ...rest] = capped.stderr.split("\n");
        assert.equal(
          note,
          `awsmfa: note: assuming ${ops.arn} with the cached MFA session of profile "work" is role chaining, which AWS limits to 1 hour, so the role session lasts 1h, not the 2h asked for; use --force to enter a code for a longer one.`,
        );
        assert.match(
          wrote,
          /^Wrote profile "ops" \(.* chained from the cached MFA session\)/,
        );
        assert.deepEqual(rest, [""]);
        const opsHours = hoursUntil(
          (await credentialsSection(home, "ops")).x_security_token_expires,
        );
        assert.ok(opsHours > 0.95 && opsHours <= 1, `${opsHours} h`);
        assert.deepEqual(summary(sts.requests.slice(2)), [
          ["GetCallerIdentity", 200, adminSection.aws_access_key_id, true],
          ["AssumeRole", 200, mfaKey, true],
        ]);

        // --force skips the cache and the chaining: it needs a code, and
        // without one it fails with everything as it was.
        const requests = sts.requests.length;
        const before = await snapshot(home.dir);
        const forced = await awsmfaDetached([...longer, "--force"], home.env);
        assertExit(forced, 2);
        assertOneSentence(forced);
        assert.match(forced.stderr, /No MFA code: stdin is not a terminal/);
        assert.equal(sts.requests.length, requests);
        assert.deepEqual(await snapshot(home.dir), before);

        // With a code (the next step's), --force assumes the role directly,
        // for the two hours asked.
        const next = codeOf(sts, user, 1);
        const direct = await awsmfaDetached(
          [...longer, "--force", next],
          home.env,
        );
        assertExit(direct, 0);
        assert.doesNotMatch(direct.stderr, /note:|chained/);
        assert.deepEqual(summary(sts.requests.slice(requests)), [
          ["AssumeRole", 200, user.accessKeyId, false],
        ]);
        const forcedHours = hoursUntil(
          (await credentialsSection(home, "ops")).x_security_token_expires,
        );
        assert.ok(forcedHours > 1.95 && forcedHours <= 2, `${forcedHours} h`);
        assert.equal(sts.count("GetSessionToken"), 1);
        assertNoSecrets(
          [mfaRun.stderr, chained.stderr, capped.stderr, direct.stderr],
          [code, next],
        );
        console.log(`case 2 (chained, capped, --force): ${counts(sts)}`);
      },
    );
  });
});

// ---- 3. external id

test.aws("role e2e: a role that asks for an external id is refused without it, files untouched, and assumed with it", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "partner",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
      externalId: "partner-7f3a",
    });
    await withHome(
      sts,
      credentialsFor(user),
      workConfig(user),
      async (home) => {
        const args = [
          "--profile",
          "work",
          "--role-arn",
          role.arn,
          "--mfa-profile-name",
          "partner",
        ];
        const before = outsideCache(await snapshot(home.dir));
        const code = codeOf(sts, user);
        const without = await runCli([...args, code], { env: home.env });
        assertExit(without, 5);
        assertOneSentence(without);
        const userArn = `arn:aws:iam::${user.accountId}:user/alice`;
        assert.match(
          without.stderr,
          new RegExp(
            `^awsmfa: STS does not let ${
              escapeRegExp(userArn)
            } \\(profile "work"\\) assume the role ${
              escapeRegExp(role.arn)
            } \\(AccessDenied\\): .*external id\\.\\n$`,
          ),
        );
        assert.deepEqual(summary(sts.requests), [
          ["AssumeRole", 403, user.accessKeyId, false],
        ]);
        assert.deepEqual(outsideCache(await snapshot(home.dir)), before);
        assertNoSecrets([without.stderr], [code]);

        const next = codeOf(sts, user, 1);
        const withId = await runCli(
          [...args, "--external-id", "partner-7f3a", next],
          { env: home.env },
        );
        assertExit(withId, 0);
        assert.deepEqual(summary(sts.requests.slice(1)), [
          ["AssumeRole", 200, user.accessKeyId, false],
        ]);
        const partner = await credentialsSection(home, "partner");
        assert.equal(partner.awsmfa_role_arn, role.arn);
        assert.equal(
          await whoAmI(sts, home, "partner"),
          assumedRoleArn(role, "awsmfa-alice"),
        );
        console.log(`case 3 (external id): ${counts(sts)}`);
      },
    );
  });
});

// ---- 4. duration caps

Deno.test("role e2e: a duration above the role's maximum is STS's refusal; above 12h is refused before any request", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "short",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
      maxSessionDuration: 3600,
    });
    await withHome(
      sts,
      credentialsFor(user),
      workConfig(user),
      async (home) => {
        const args = [
          "--profile",
          "work",
          "--role-arn",
          role.arn,
          "--mfa-profile-name",
          "short",
        ];
        const before = await snapshot(home.dir);
        const code = codeOf(sts, user);
        const above = await runCli(
          [...args, "--duration-seconds", "2h", code],
          {
            env: home.env,
          },
        );
        assertExit(above, 5);
        assertOneSentence(above);
        assert.match(
          above.stderr,
          new RegExp(
            `^awsmfa: The role ${
              escapeRegExp(role.arn)
            } allows shorter sessions than the 7200 seconds asked for \\(ValidationError: more than its MaxSessionDuration\\)`,
          ),
        );
        assert.deepEqual(summary(sts.requests), [
          ["AssumeRole", 400, user.accessKeyId, false],
        ]);
        assert.deepEqual(outsideCache(await snapshot(home.dir)), before);

        // 13h is more than any role allows: refused before the code is spent.
        const next = codeOf(sts, user, 1);
        const tooLong = await runCli(
          [...args, "--duration-seconds", "13h", next],
          { env: home.env },
        );
        assertExit(tooLong, 2);
        assertOneSentence(tooLong);
        assert.match(
          tooLong.stderr,
          /^awsmfa: Option --duration-seconds must be at most 43200 seconds \(12h\) for a role/,
        );
        assert.equal(sts.requests.length, 1);
        assert.deepEqual(outsideCache(await snapshot(home.dir)), before);

        // The code it was given is still good: one hour works with it.
        const fits = await runCli([...args, "--duration-seconds", "1h", next], {
          env: home.env,
        });
        assertExit(fits, 0);
        assert.deepEqual(summary(sts.requests.slice(1)), [
          ["AssumeRole", 200, user.accessKeyId, false],
        ]);
        const hours = hoursUntil(
          (await credentialsSection(home, "short")).x_security_token_expires,
        );
        assert.ok(hours > 0.95 && hours <= 1, `${hours} h`);
        console.log(`case 4 (duration caps): ${counts(sts)}`);
      },
    );
  });
});

// ---- 5. a role profile of the config file

test.aws("role e2e: a config role profile (source_profile, mfa_serial, external_id, role_session_name, duration_seconds)", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "admin",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
      externalId: "ext-42",
      maxSessionDuration: 3600,
    });
    const config = workConfig(user) +
      "\n[profile admin]\n" +
      `role_arn = ${role.arn}\n` +
      "source_profile = work\n" +
      `mfa_serial = ${user.serial}\n` +
      "external_id = ext-42\n" +
      "role_session_name = alice-admin\n" +
      // Not STS's default (1 hour), so the written expiry shows it was sent.
      "duration_seconds = 2700\n" +
      "\n[profile broken]\n" +
      `role_arn = ${role.arn}\n` +
      "credential_source = Environment\n";
    await withHome(sts, credentialsFor(user), config, async (home) => {
      const code = codeOf(sts, user);
      const before = await snapshot(home.dir);

      // The role profile itself as the target: the AWS CLI would assume the
      // role from its config and never read the keys written there.
      const intoRole = await runCli(
        ["--profile", "admin", "--mfa-profile-name", "admin", code],
        { env: home.env },
      );
      assertExit(intoRole, 3);
      assertOneSentence(intoRole);
      assert.match(
        intoRole.stderr,
        /^awsmfa: Cannot write profile "admin": its config section sets role_arn/,
      );
      assert.equal(sts.requests.length, 0);
      assert.deepEqual(await snapshot(home.dir), before);

      // A role profile without source_profile.
      const noSource = await runCli(
        ["--profile", "broken", "--mfa-profile-name", "broken-mfa", code],
        { env: home.env },
      );
      assertExit(noSource, 3);
      assertOneSentence(noSource);
      assert.match(
        noSource.stderr,
        /^awsmfa: Cannot use profile "broken": it has role_arn but no source_profile \(credential_source is for EC2/,
      );
      assert.equal(sts.requests.length, 0);
      assert.deepEqual(await snapshot(home.dir), before);

      // The same (unspent) code, into a profile of its own.
      const result = await runCli(
        ["--profile", "admin", "--mfa-profile-name", "admin-mfa", code],
        { env: home.env },
      );
      assertExit(result, 0);
      assert.match(
        result.stderr,
        new RegExp(
          `^Wrote profile "admin-mfa" \\(role ${
            escapeRegExp(role.arn)
          } from "work"\\)`,
        ),
      );
      // Signed with work's long-term keys, with the code.
      assert.deepEqual(summary(sts.requests), [
        ["AssumeRole", 200, user.accessKeyId, false],
      ]);
      const written = await credentialsSection(home, "admin-mfa");
      assert.equal(written.awsmfa_role_arn, role.arn);
      assert.equal(written.awsmfa_source_profile, "work");
      assert.equal(written.awsmfa_serial, user.serial);
      const hours = hoursUntil(written.x_security_token_expires);
      assert.ok(hours > 0.7 && hours <= 0.75, `${hours} h`);
      assert.equal(
        await whoAmI(sts, home, "admin-mfa"),
        assumedRoleArn(role, "alice-admin"),
      );
      // The role profile's section is as the user wrote it.
      assert.equal(
        (await Deno.readTextFile(home.config)).slice(0, config.length),
        config,
      );
      console.log(`case 5 (role profile): ${counts(sts)}`);
    });
  });
});

// ---- 6. not authorized

Deno.test("role e2e: a role that trusts someone else is refused with the user's and the role's ARN, files untouched", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "theirs",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
      trust: [`arn:aws:iam::${ROLE_ACCOUNT}:user/bob`],
    });
    await withHome(
      sts,
      credentialsFor(user),
      workConfig(user),
      async (home) => {
        const before = await snapshot(home.dir);
        const code = codeOf(sts, user);
        const result = await runCli([
          "--profile",
          "work",
          "--role-arn",
          role.arn,
          "--mfa-profile-name",
          "theirs",
          code,
        ], { env: home.env });
        assertExit(result, 5);
        assertOneSentence(result);
        const userArn = `arn:aws:iam::${user.accountId}:user/alice`;
        assert.match(
          result.stderr,
          new RegExp(
            `^awsmfa: STS does not let ${
              escapeRegExp(userArn)
            } \\(profile "work"\\) assume the role ${
              escapeRegExp(role.arn)
            } \\(AccessDenied\\)`,
          ),
        );
        assert.deepEqual(summary(sts.requests), [
          ["AssumeRole", 403, user.accessKeyId, false],
        ]);
        assert.deepEqual(outsideCache(await snapshot(home.dir)), before);
        assertNoSecrets([result.stderr], [code, user.secretAccessKey]);
        console.log(`case 6 (not authorized): ${counts(sts)}`);
      },
    );
  });
});

// ---- 7. one code serves all

Deno.test("role e2e: one code serves the default command, exec and credential-process", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    await withHome(
      sts,
      credentialsFor(user),
      workConfig(user),
      async (home) => {
        const code = codeOf(sts, user);
        const first = await runCli(["--profile", "work", code], {
          env: home.env,
        });
        assertExit(first, 0);
        const key = (await credentialsSection(home, "mfa")).aws_access_key_id;
        assert.match(key, /^ASIA/);

        const printKey = [
          "--",
          "sh",
          "-c",
          'printf "%s\\n" "$AWS_ACCESS_KEY_ID"',
        ];
        // exec reuses the written profile…
        const exec = await awsmfaDetached(
          ["exec", "--profile", "work", ...printKey],
          home.env,
        );
        assertExit(exec, 0);
        assert.equal(exec.stdout, `${key}\n`);
        // (quiet when it reuses a session, as aws-vault is)
        assert.equal(exec.stderr, "");
        // …and, for a profile it has not written, the session cache.
        const cached = await awsmfaDetached(
          [
            "exec",
            "--profile",
            "work",
            "--mfa-profile-name",
            "other",
            ...printKey,
          ],
          home.env,
        );
        assertExit(cached, 0);
        assert.equal(cached.stdout, `${key}\n`);
        assert.equal(cached.stderr, "");
        const process = await awsmfaDetached(
          ["credential-process", "--profile", "work"],
          home.env,
        );
        assertExit(process, 0);
        assert.equal(process.stderr, "");
        assert.equal(JSON.parse(process.stdout).AccessKeyId, key);

        assert.deepEqual(summary(sts.requests), [
          ["GetSessionToken", 200, user.accessKeyId, false],
        ]);
        console.log(`case 7 (one code serves all): ${counts(sts)}`);
      },
    );
  });
});

// ---- 8. credential-process with a role, under the AWS CLI v2

interface ProcessHome extends Home {
  /** One line is appended here each time mfa_process runs. */
  codeLog: string;
  credentialsText: string;
  configText: string;
}

/**
 * A home whose `[profile admin-mfa]` is `credential_process = awsmfa
 * credential-process --profile work --role-arn ARN`, and whose work profile
 * has an mfa_process that logs each run and prints the current code.
 */
async function withProcessHome(
  sts: StsDouble,
  user: StsUser,
  role: StsRole,
  fn: (home: ProcessHome) => Promise<void>,
): Promise<void> {
  const credentialsText = credentialsFor(user);
  await withHome(sts, credentialsText, "", async (home) => {
    const codeLog = `${home.dir}/codes.log`;
    const configText = workConfig(
      user,
      `mfa_process = echo asked >> ${codeLog}; printf '%s\\n' ${
        codeOf(sts, user)
      }\n`,
    ) +
      `\n[profile admin-mfa]\ncredential_process = ${
        cliCommandLine([
          "credential-process",
          "--profile",
          "work",
          "--role-arn",
          role.arn,
          "--endpoint-url",
          sts.url,
        ])
      }\nregion = eu-west-1\n`;
    await Deno.writeTextFile(home.config, configText);
    await fn({ ...home, codeLog, credentialsText, configText });
  });
}

async function timesAsked(home: ProcessHome): Promise<number> {
  try {
    const text = await Deno.readTextFile(home.codeLog);
    return text.split("\n").filter((line) => line === "asked").length;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

async function assertAwsFilesUntouched(home: ProcessHome): Promise<void> {
  assert.equal(await Deno.readTextFile(home.credentials), home.credentialsText);
  assert.equal(await Deno.readTextFile(home.config), home.configText);
}

/** The session cache's entries (`*.json`). */
async function cacheEntries(home: Home): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(cacheDirectory(home.dir))) {
    if (entry.name.endsWith(".json")) names.push(entry.name);
  }
  return names;
}

test.aws("role e2e: credential-process with a role under the AWS CLI v2: one AssumeRole for eleven calls", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "admin",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
    });
    await withProcessHome(sts, user, role, async (home) => {
      const arn = assumedRoleArn(role, "awsmfa-alice");
      assert.equal(await whoAmI(sts, home, "admin-mfa"), arn);
      assert.deepEqual(
        summary(sts.requests.filter((r) => r.action !== "GetCallerIdentity")),
        [["AssumeRole", 200, user.accessKeyId, false]],
      );
      for (let i = 0; i < 10; i++) {
        assert.equal(await whoAmI(sts, home, "admin-mfa"), arn);
      }
      assert.equal(sts.count("AssumeRole"), 1);
      assert.equal(sts.count("GetSessionToken"), 0);
      assert.equal(sts.count("GetCallerIdentity", 200), 11);
      assert.equal(await timesAsked(home), 1);
      // Every call was signed with the one cached role session.
      const keys = new Set(
        sts.requests.filter((r) => r.action === "GetCallerIdentity").map((r) =>
          r.accessKeyId
        ),
      );
      assert.equal(keys.size, 1);
      assert.match([...keys][0], /^ASIA/);
      assert.equal((await cacheEntries(home)).length, 1);
      await assertAwsFilesUntouched(home);
      console.log(`case 8a (11 AWS CLI calls, role): ${counts(sts)}`);
    });
  });
});

test.aws("role e2e: credential-process with a role: five AWS CLI calls at once on a cold cache make one AssumeRole", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "admin",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
    });
    await withProcessHome(sts, user, role, async (home) => {
      const arns = await Promise.all(
        Array.from({ length: 5 }, () => whoAmI(sts, home, "admin-mfa")),
      );
      assert.deepEqual(
        arns,
        Array(5).fill(assumedRoleArn(role, "awsmfa-alice")),
      );
      assert.equal(sts.count("AssumeRole"), 1);
      assert.equal(sts.count("AssumeRole", 200), 1);
      assert.equal(sts.count("GetSessionToken"), 0);
      assert.equal(sts.count("GetCallerIdentity", 200), 5);
      assert.equal(await timesAsked(home), 1);
      assert.equal((await cacheEntries(home)).length, 1);
      await assertAwsFilesUntouched(home);
      console.log(`case 8b (5 concurrent AWS CLI calls, role): ${counts(sts)}`);
    });
  });
});

test.aws("role e2e: credential-process with a role chains from the MFA session a plain credential-process cached", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const role = sts.addRole({
      roleName: "admin",
      accountId: ROLE_ACCOUNT,
      requireMfa: true,
    });
    await withProcessHome(sts, user, role, async (home) => {
      const plain = await awsmfaDetached([
        "credential-process",
        "--profile",
        "work",
        "--endpoint-url",
        sts.url,
      ], home.env);
      assertExit(plain, 0);
      const mfaKey = JSON.parse(plain.stdout).AccessKeyId;
      assert.match(mfaKey, /^ASIA/);
      assert.equal(await timesAsked(home), 1);
      assert.deepEqual(summary(sts.requests), [
        ["GetSessionToken", 200, user.accessKeyId, false],
      ]);

      const arn = assumedRoleArn(role, "awsmfa-alice");
      assert.equal(await whoAmI(sts, home, "admin-mfa"), arn);
      assert.equal(await whoAmI(sts, home, "admin-mfa"), arn);
      assert.deepEqual(
        summary(
          sts.requests.slice(1).filter((r) => r.action !== "GetCallerIdentity"),
        ),
        [["AssumeRole", 200, mfaKey, true]],
      );
      assert.equal(await timesAsked(home), 1);
      assert.equal(sts.count("GetCallerIdentity", 200), 2);
      // The MFA session's entry and the role session's.
      assert.equal((await cacheEntries(home)).length, 2);
      await assertAwsFilesUntouched(home);
      console.log(`case 8c (role chained from the cache): ${counts(sts)}`);
    });
  });
});
