/**
 * `awsmfa rotate` against the STS double's IAM: the whole rotation with a
 * propagation delay on an injected clock (no sleeps), the refusal with two
 * keys, the force-MFA deny for bare keys, and the crash test: the CLI killed
 * right after each IAM call (and after the verifying STS call), then run
 * again, ends with exactly one active key, the one the credentials file
 * holds, which the AWS CLI v2 signs with.
 */

import assert from "node:assert/strict";
import { iamClient } from "../../lib/source_keys/iam.ts";
import { maskKeyId } from "../../lib/source_keys/key_age.ts";
import { run, type RunIO } from "../../lib/run.ts";
import { ExitCode } from "../../lib/shared/errors.ts";
import { spawnBounded, type SpawnSpec } from "../../lib/shared/spawn.ts";
import {
  assertNoSecrets,
  runCli,
  sectionKeys,
  spawnCli,
} from "../support/cli.ts";
import {
  startStsDouble,
  type StsDouble,
  type StsUser,
  withStsDouble,
} from "../support/sts_double.ts";
import { hasProgram, required, withPassStore } from "../support/keyrings.ts";
import { callerIdentity } from "../support/aws_cli.ts";
import { findTool, needs } from "../support/tools.ts";

const AWS = await findTool("aws");
const AWS_CLI = AWS.path;

interface Home {
  dir: string;
  env: Record<string, string>;
  credentials: string;
}

async function makeHome(sts: StsDouble, user: StsUser): Promise<Home> {
  const dir = await Deno.makeTempDir({ prefix: "rotate_" });
  await Deno.mkdir(`${dir}/.aws`);
  const credentials =
    `# mine\n[work]\naws_access_key_id = ${user.accessKeyId}\n` +
    `aws_secret_access_key = ${user.secretAccessKey}\nregion = eu-west-1\n\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = x\n`;
  await Deno.writeTextFile(`${dir}/.aws/credentials`, credentials);
  await Deno.writeTextFile(
    `${dir}/.aws/config`,
    `[profile work]\nmfa_serial = ${user.serial}\n`,
  );
  return {
    dir,
    credentials,
    env: {
      HOME: dir,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL_IAM: sts.url,
      AWS_PAGER: "",
    },
  };
}

function ioFor(env: Record<string, string>, clock: { t: number }): RunIO & {
  err: string[];
  sleeps: number[];
} {
  const err: string[] = [];
  const sleeps: number[] = [];
  return {
    env: (name) => env[name],
    stdin: new ReadableStream(),
    stdinIsTerminal: false,
    writePrompt() {},
    readPromptLine: () => Promise.resolve(null),
    stderr: (text) => err.push(text),
    stdout: (text) => err.push(text),
    now: () => new Date(clock.t),
    sleep: (ms: number) => {
      sleeps.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
    err,
    sleeps,
  } as RunIO & { err: string[]; sleeps: number[] };
}

Deno.test("rotate: a new key, verified through the propagation delay, stored, the old one deleted", async () => {
  const clock = { t: Date.now() };
  const sts = await startStsDouble({
    quiet: true,
    now: () => clock.t,
    propagationMs: 8_000,
  });
  const user = sts.addUser({ userName: "alice" });
  const home = await makeHome(sts, user);
  try {
    const io = ioFor(home.env, clock);
    const code = await run(
      ["rotate", "--profile", "work", sts.currentCode(user)],
      io,
    );
    assert.equal(code, 0, io.err.join(""));
    const keys = sts.accessKeys(user);
    assert.equal(keys.length, 1);
    const fresh = keys[0];
    assert.notEqual(fresh.accessKeyId, user.accessKeyId);
    // Refused at 0, 1, 3, 6 s; accepted at 10 s.
    assert.deepEqual(io.sleeps, [1000, 2000, 3000, 4000]);
    const text = await Deno.readTextFile(`${home.dir}/.aws/credentials`);
    assert.equal(
      text,
      home.credentials.replace(user.accessKeyId, fresh.accessKeyId).replace(
        user.secretAccessKey,
        fresh.secretAccessKey,
      ),
    );
    assert.match(
      io.err.join(""),
      new RegExp(
        `Rotated the access key of profile "work" \\(IAM user alice\\): ${
          maskKeyId(fresh.accessKeyId)
        } is in .*, ${maskKeyId(user.accessKeyId)} was deleted\\.`,
      ),
    );
    assertNoSecrets(io.err, [fresh.secretAccessKey, user.secretAccessKey]);
    assert.deepEqual(
      sts.requests.filter((r) => r.action.endsWith("AccessKey")).map((r) =>
        r.withSessionToken
      ),
      [true, true],
    );
    // No journal left behind.
    assert.equal(
      [...Deno.readDirSync(`${home.dir}/.aws/awsmfa/rotate`)].length,
      0,
    );

    // status shows the new key's age, and warns once it is past --max-key-age.
    const status = ioFor(home.env, clock);
    assert.equal(await run(["status"], status), 0);
    assert.ok(
      status.err.includes(
        `The access key ${
          maskKeyId(fresh.accessKeyId)
        } of profile "work" is 0 days old.\n`,
      ),
      status.err.join(""),
    );
    clock.t += 31 * 86_400_000;
    const late = ioFor(home.env, clock);
    assert.equal(await run(["status", "--max-key-age", "30d"], late), 0);
    assert.ok(
      late.err.includes(
        `awsmfa: warning: the access key ${
          maskKeyId(fresh.accessKeyId)
        } of profile "work" is 31 days old, more than 30 (--max-key-age); rotate it with "awsmfa rotate --profile work".\n`,
      ),
      late.err.join(""),
    );
    const quiet = ioFor(home.env, clock);
    assert.equal(await run(["status"], quiet), 0);
    assert.ok(quiet.err.some((line) => / is 31 days old\.\n$/.test(line)));
  } finally {
    await sts.close();
    await Deno.remove(home.dir, { recursive: true });
  }
});

Deno.test("rotate: --keep-old deactivates; a second rotate refuses the two keys, naming them masked", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "bob" });
    const home = await makeHome(sts, user);
    try {
      const first = await runCli(
        ["rotate", "--profile", "work", "--keep-old", sts.currentCode(user)],
        { env: home.env },
      );
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /was deactivated\./);
      const keys = sts.accessKeys(user);
      assert.deepEqual(keys.map((k) => k.status).sort(), [
        "Active",
        "Inactive",
      ]);
      const fresh = keys.find((k) => k.status === "Active")!;
      const before = await Deno.readTextFile(`${home.dir}/.aws/credentials`);
      const second = await runCli(["rotate", "--profile", "work"], {
        env: home.env,
      });
      assert.equal(second.code, 3, second.stderr);
      assert.equal(
        second.stderr,
        `awsmfa: IAM user bob already has two access keys, ${
          maskKeyId(user.accessKeyId)
        } (inactive) and ${
          maskKeyId(fresh.accessKeyId)
        } (the one awsmfa uses, active), and IAM allows no third; delete the one you no longer use and run again.\n`,
      );
      assert.equal(
        await Deno.readTextFile(`${home.dir}/.aws/credentials`),
        before,
      );
      assertNoSecrets([second.stderr], [user.accessKeyId, fresh.accessKeyId]);
    } finally {
      await Deno.remove(home.dir, { recursive: true });
    }
  });
});

Deno.test("IAM double: the force-MFA policy denies key writes to bare keys; SigV4 is checked for iam", async () => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "carol" });
    const iam = iamClient(
      { endpoint: sts.url, region: "us-east-1" },
      user,
    );
    const listed = await iam.listAccessKeys();
    assert.equal(listed.userName, "carol");
    assert.deepEqual(listed.keys.map((k) => k.accessKeyId), [user.accessKeyId]);
    await assert.rejects(iam.createAccessKey(), (error: Error) => {
      assert.match(
        error.message,
        /^IAM refused CreateAccessKey \(AccessDenied\): User: arn:aws:iam::\d+:user\/carol is not authorized to perform: iam:CreateAccessKey .* explicit deny/,
      );
      assert.equal((error as { exitCode?: number }).exitCode, 5);
      return true;
    });
    const wrong = iamClient({ endpoint: sts.url, region: "us-east-1" }, {
      accessKeyId: user.accessKeyId,
      secretAccessKey: "not-the-secret",
    });
    await assert.rejects(wrong.listAccessKeys(), /SignatureDoesNotMatch/);
    assert.equal(sts.accessKeys(user).length, 1);
  });
});

/** One crash point: the action after which the CLI is killed, and whether to keep the old key. */
const ORPHAN = /made by an interrupted rotation and never stored\.\nRotated/;
const FINISHED = /^Finished the interrupted rotation of profile "work"/;
const CRASHES: {
  action: string;
  keepOld?: boolean;
  newKeyOnly?: boolean;
  recovery: RegExp;
}[] = [
  { action: "ListAccessKeys", recovery: /^Rotated the access key/ },
  { action: "CreateAccessKey", recovery: ORPHAN },
  { action: "GetCallerIdentity", newKeyOnly: true, recovery: ORPHAN },
  { action: "DeleteAccessKey", recovery: FINISHED },
  { action: "UpdateAccessKey", keepOld: true, recovery: FINISHED },
];

Deno.test({
  name:
    "rotate crash test: killed after each IAM call, the next run recovers with one working key",
  ...needs(AWS, { ignore: Deno.build.os !== "linux" }),
}, async (t) => {
  for (const crash of CRASHES) {
    await t.step(`killed after ${crash.action}`, async () => {
      let victim: Deno.ChildProcess | undefined;
      let firstKey = "";
      const sts = await startStsDouble({
        quiet: true,
        onAnswer(action) {
          const last = sts.requests.at(-1);
          if (
            victim !== undefined && action === crash.action &&
            (!crash.newKeyOnly || last?.accessKeyId !== firstKey)
          ) {
            victim.kill("SIGKILL");
            victim = undefined;
          }
        },
      });
      const user = sts.addUser({ userName: "dave" });
      firstKey = user.accessKeyId;
      const home = await makeHome(sts, user);
      try {
        const flags = crash.keepOld ? ["--keep-old"] : [];
        const child = await spawnCli(
          ["rotate", "--profile", "work", ...flags, sts.currentCode(user)],
          home.env,
        );
        victim = child;
        const status = await child.status;
        await child.stdout.cancel();
        await child.stderr.cancel();
        assert.equal(status.signal, "SIGKILL", "the run was not killed");
        const held = sectionKeys(
          await Deno.readTextFile(`${home.dir}/.aws/credentials`),
          "work",
        );
        // At the moment of the crash the file holds a key IAM has, active.
        const atCrash = sts.accessKeys(user);
        assert.ok(
          atCrash.some((k) =>
            k.accessKeyId === held.aws_access_key_id && k.status === "Active"
          ),
        );
        const again = await runCli(["rotate", "--profile", "work", ...flags], {
          env: home.env,
        });
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stderr, crash.recovery);
        const keys = sts.accessKeys(user).filter((k) => k.status === "Active");
        assert.equal(keys.length, 1, JSON.stringify(sts.accessKeys(user)));
        const now = sectionKeys(
          await Deno.readTextFile(`${home.dir}/.aws/credentials`),
          "work",
        );
        assert.equal(now.aws_access_key_id, keys[0].accessKeyId);
        assert.equal(now.aws_secret_access_key, keys[0].secretAccessKey);
        assert.equal(sts.accessKeys(user).length, crash.keepOld ? 2 : 1);
        const aws = await callerIdentity(AWS_CLI, "work", sts.url, home.env);
        assert.equal(aws.code, 0, aws.stderr);
        assert.match(JSON.parse(aws.stdout).Arn, /:user\/dave$/);
        assert.equal(sts.requests.at(-1)?.accessKeyId, keys[0].accessKeyId);
      } finally {
        await sts.close();
        await Deno.remove(home.dir, { recursive: true });
      }
    });
  }
});

Deno.test({
  name: "rotate: keys in the keychain (pass) are rotated in the keychain",
  ignore: !(await hasProgram("pass")) && !required() ||
    Deno.build.os !== "linux",
  async fn() {
    await withStsDouble(async (sts) => {
      const user = sts.addUser({ userName: "erin" });
      await withPassStore(async (keyring) => {
        const home = await makeHome(sts, user);
        const env = { ...keyring, ...home.env, AWSMFA_KEYCHAIN: "pass" };
        try {
          const imported = await runCli(
            ["keys", "import", "--profile", "work"],
            {
              env,
            },
          );
          assert.equal(imported.code, 0, imported.stderr);
          const files = await Deno.readTextFile(`${home.dir}/.aws/credentials`);
          const rotated = await runCli(
            ["rotate", "--profile", "work", sts.currentCode(user)],
            { env },
          );
          assert.equal(rotated.code, 0, rotated.stderr);
          assert.match(rotated.stderr, / is in pass, /);
          const [fresh] = sts.accessKeys(user);
          const got = await runCli(["keys", "get", "--profile", "work"], {
            env,
          });
          assert.deepEqual(JSON.parse(got.stdout), {
            Version: 1,
            AccessKeyId: fresh.accessKeyId,
            SecretAccessKey: fresh.secretAccessKey,
          });
          assert.notEqual(fresh.accessKeyId, user.accessKeyId);
          assert.equal(
            await Deno.readTextFile(`${home.dir}/.aws/credentials`),
            files,
          );
        } finally {
          await Deno.remove(home.dir, { recursive: true });
        }
      });
    });
  },
});

Deno.test("rotate: an IAM answer lost after it took effect (500) fails with exit 6; the next run recovers", async (t) => {
  for (const action of ["CreateAccessKey", "DeleteAccessKey"]) {
    await t.step(action, async () => {
      await withStsDouble(async (sts) => {
        const user = sts.addUser({ userName: "frank" });
        const home = await makeHome(sts, user);
        try {
          sts.injectFor(action, { kind: "status", status: 500 });
          const failed = await runCli(
            ["rotate", "--profile", "work", sts.currentCode(user)],
            { env: home.env },
          );
          assert.equal(failed.code, 6, failed.stderr);
          assert.match(
            failed.stderr,
            new RegExp(`refused ${action} \\(InternalFailure\\)`),
          );
          const again = await runCli(["rotate", "--profile", "work"], {
            env: home.env,
          });
          assert.equal(again.code, 0, again.stderr);
          assert.match(
            again.stderr,
            action === "CreateAccessKey" ? ORPHAN : FINISHED,
          );
          const keys = sts.accessKeys(user);
          assert.equal(keys.length, 1);
          const held = sectionKeys(
            await Deno.readTextFile(`${home.dir}/.aws/credentials`),
            "work",
          );
          assert.equal(held.aws_access_key_id, keys[0].accessKeyId);
          assert.notEqual(held.aws_access_key_id, user.accessKeyId);
        } finally {
          await Deno.remove(home.dir, { recursive: true });
        }
      });
    });
  }
});

Deno.test({
  name:
    "rotate: a keychain that stored the new key but reads back wrong keeps the new key in IAM; the next run finishes",
  ignore: !(await hasProgram("pass")) && !required() ||
    Deno.build.os !== "linux",
  async fn() {
    await withStsDouble(async (sts) => {
      const user = sts.addUser({ userName: "gina" });
      await withPassStore(async (keyring) => {
        const home = await makeHome(sts, user);
        const env = { ...keyring, ...home.env, AWSMFA_KEYCHAIN: "pass" };
        try {
          const imported = await runCli(
            ["keys", "import", "--profile", "work"],
            { env },
          );
          assert.equal(imported.code, 0, imported.stderr);
          // The real pass, but the first read after a write answers garbage.
          let written = false;
          let corrupted = false;
          const io = {
            ...ioFor(env, { t: Date.now() }),
            now: () => new Date(),
            runKeychainTool: async (spec: SpawnSpec) => {
              const result = await spawnBounded({ ...spec, env: keyring });
              if (spec.args[0] === "insert") written = true;
              if (
                written && !corrupted && spec.args[0] === "show" &&
                result.kind === "exited"
              ) {
                corrupted = true;
                return { ...result, stdout: new TextEncoder().encode("{}") };
              }
              return result;
            },
          };
          const failed = await run(
            ["rotate", "--profile", "work", sts.currentCode(user)],
            io,
          );
          assert.equal(failed, 3, io.err.join(""));
          assert.ok(corrupted);
          // pass holds the new key, and IAM still has it.
          const keys = sts.accessKeys(user);
          assert.equal(keys.length, 2);
          const again = await runCli(["rotate", "--profile", "work"], { env });
          assert.equal(again.code, 0, again.stderr);
          assert.match(again.stderr, FINISHED);
          const [left] = sts.accessKeys(user);
          assert.equal(sts.accessKeys(user).length, 1);
          assert.notEqual(left.accessKeyId, user.accessKeyId);
          const got = await runCli(["keys", "get", "--profile", "work"], {
            env,
          });
          assert.equal(JSON.parse(got.stdout).AccessKeyId, left.accessKeyId);
        } finally {
          await Deno.remove(home.dir, { recursive: true });
        }
      });
    });
  },
});

Deno.test("rotate: with no serial configured, the one awsmfa recorded for the profile's sessions is used, as refresh does", async () => {
  const clock = { t: Date.now() };
  const sts = await startStsDouble({ quiet: true, now: () => clock.t });
  const user = sts.addUser({ userName: "alice" });
  const home = await makeHome(sts, user);
  try {
    await Deno.writeTextFile(`${home.dir}/.aws/config`, "");
    const managed = `\n[mfa]\naws_access_key_id = ASIAEXAMPLESESSION01\n` +
      `aws_secret_access_key = s\naws_session_token = t\n` +
      `awsmfa_source_profile = work\nawsmfa_serial = ${user.serial}\n`;
    await Deno.writeTextFile(
      `${home.dir}/.aws/credentials`,
      home.credentials + managed,
    );
    const io = ioFor(home.env, clock);
    const code = await run(
      ["rotate", "--profile", "work", sts.currentCode(user)],
      io,
    );
    assert.equal(code, 0, io.err.join(""));
    const keys = sts.accessKeys(user);
    assert.equal(keys.length, 1);
    assert.notEqual(keys[0].accessKeyId, user.accessKeyId);
    const text = await Deno.readTextFile(`${home.dir}/.aws/credentials`);
    assert.ok(text.endsWith(managed));
    assert.ok(text.includes(keys[0].accessKeyId));

    // A managed profile is not rotated for its source.
    const other = ioFor(home.env, clock);
    assert.equal(
      await run(["rotate", "--profile", "mfa", sts.currentCode(user)], other),
      ExitCode.Usage,
    );
    assert.match(
      other.err.join(""),
      /Cannot find the MFA serial number.*profile "mfa"/,
    );
    assert.equal(sts.accessKeys(user)[0].accessKeyId, keys[0].accessKeyId);
  } finally {
    await sts.close();
    await Deno.remove(home.dir, { recursive: true });
  }
});
