/**
 * `awsmfa keys`: the pure edits (keys out of a credentials section, an
 * emptied section removed, every other byte kept), the command line, and
 * the commands end to end against the two keychains that run here for real:
 * the Secret Service (GNOME Keyring on a private D-Bus, via secret-tool) and
 * `pass` with a throw-away gpg key. After `keys import` the profile still
 * works, for awsmfa (GetSessionToken at the STS double, signed with the keys
 * from the keychain) and for the AWS CLI v2; any failure leaves the files
 * byte-identical.
 */

import assert from "node:assert/strict";
import { parseArguments } from "../../lib/cli/args.ts";
import { keysCommand, withoutKeys } from "../../lib/commands/keys.ts";
import {
  keysGetCommand,
  pointsAt,
} from "../../lib/source_keys/keychain/item.ts";
import { AwsmfaError, ExitCode } from "../../lib/shared/errors.ts";
import type { ToolRunner } from "../../lib/source_keys/keychain/keychain.ts";
import { maskKeyId } from "../../lib/source_keys/key_age.ts";
import type { KeysOptions } from "../../lib/cli/options.ts";
import { loadFile } from "../../lib/sessions/loaded_file.ts";
import { keychainNamed } from "../../lib/source_keys/keychain/select.ts";
import {
  assertNoSecrets,
  cliCommandLine,
  runCli,
  sectionKeys,
} from "../support/cli.ts";
import {
  hasProgram,
  required,
  withPassStore,
  withSecretService,
} from "../support/keyrings.ts";
import { callerIdentity } from "../support/aws_cli.ts";
import { findTool, needs } from "../support/tools.ts";
import {
  type StsDouble,
  type StsUser,
  withStsDouble,
} from "../support/sts_double.ts";

Deno.test("maskKeyId, keysGetCommand, pointsAt", () => {
  assert.equal(maskKeyId("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
  assert.equal(maskKeyId("short"), "…");
  assert.equal(
    keysGetCommand("work", undefined),
    "awsmfa keys get --profile work",
  );
  assert.equal(
    keysGetCommand("work", "pass"),
    "awsmfa keys get --profile work --keychain pass",
  );
  assert.ok(pointsAt("awsmfa keys get --profile work", "work"));
  assert.ok(
    pointsAt("/opt/bin/awsmfa keys get --keychain pass --profile=work", "work"),
  );
  assert.ok(!pointsAt("awsmfa keys get --profile work2", "work"));
  assert.ok(!pointsAt("op read op://x --profile work", "work"));
});

Deno.test("withoutKeys: exactly the two keys go; an emptied section goes whole", async (t) => {
  const text =
    "# mine\r\n[work]\r\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\n" +
    "aws_secret_access_key = s3cr3t\r\n\r\n; other\r\n[other]\r\nregion = x\r\n";
  await t.step("emptied: removed, other bytes kept", () => {
    const file = loadFile(text, "c", "credentials");
    assert.equal(
      withoutKeys(file, "work"),
      "# mine\r\n\r\n; other\r\n[other]\r\nregion = x\r\n",
    );
  });
  await t.step("a section with more keeps the rest", () => {
    const more = text.replace("[work]\r\n", "[work]\r\nregion = eu-west-1\r\n");
    assert.equal(
      withoutKeys(loadFile(more, "c", "credentials"), "work"),
      "# mine\r\n[work]\r\nregion = eu-west-1\r\n\r\n; other\r\n[other]\r\nregion = x\r\n",
    );
  });
  await t.step("a comment inside keeps the section", () => {
    const commented = text.replace("[work]\r\n", "[work]\r\n# note\r\n");
    assert.equal(
      withoutKeys(loadFile(commented, "c", "credentials"), "work"),
      "# mine\r\n[work]\r\n# note\r\n\r\n; other\r\n[other]\r\nregion = x\r\n",
    );
  });
});

Deno.test("parseArguments: keys", () => {
  assert.deepEqual(
    parseArguments([
      "keys",
      "import",
      "--profile",
      "work",
      "--keychain",
      "pass",
    ]),
    {
      command: "keys",
      action: "import",
      profile: "work",
      keychain: "pass",
      force: false,
      quiet: false,
    },
  );
  assert.deepEqual(parseArguments(["keys", "remove", "--force"]), {
    command: "keys",
    action: "remove",
    force: true,
    quiet: false,
  });
  assert.throws(() => parseArguments(["keys"]), /one of: import, get/);
  assert.throws(() => parseArguments(["keys", "get", "x"]), /one of/);
  assert.throws(
    () => parseArguments(["keys", "get", "--keychain", "vault"]),
    /--keychain takes one of: secret-service, pass, macos, windows/,
  );
  assert.throws(
    () => parseArguments(["keys", "import", "--force"]),
    /only applies to keys remove/,
  );
});

const AWS = await findTool("aws");
const AWS_CLI = AWS.path;

interface Home {
  dir: string;
  env: Record<string, string>;
  credentials: string;
  config: string;
}

/** A home with [work]'s keys and [other], and `awsmfa` on PATH as the binary runs. */
async function makeHome(
  base: Record<string, string>,
  sts: StsDouble,
  user: StsUser,
): Promise<Home> {
  const dir = await Deno.makeTempDir({ prefix: "keys_" });
  await Deno.mkdir(`${dir}/.aws`);
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(
    `${dir}/bin/awsmfa`,
    `#!/bin/sh\nexec ${cliCommandLine()} "$@"\n`,
    { mode: 0o755 },
  );
  const credentials = "# keys\n[work]\n" +
    `aws_access_key_id = ${user.accessKeyId}\n` +
    `aws_secret_access_key = ${user.secretAccessKey}\n` +
    "\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = other\n";
  const config =
    `[profile work]\nmfa_serial = ${user.serial}\nregion = eu-west-1\n`;
  await Deno.writeTextFile(`${dir}/.aws/credentials`, credentials);
  await Deno.writeTextFile(`${dir}/.aws/config`, config);
  return {
    dir,
    credentials,
    config,
    env: {
      ...base,
      HOME: dir,
      PATH: `${dir}/bin:${base.PATH}`,
      AWS_CONFIG_FILE: `${dir}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/.aws/credentials`,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_PAGER: "",
    },
  };
}

async function files(home: Home): Promise<[string, string]> {
  return [
    await Deno.readTextFile(`${home.dir}/.aws/credentials`),
    await Deno.readTextFile(`${home.dir}/.aws/config`),
  ];
}

async function roundTrip(
  t: Deno.TestContext,
  keychain: "secret-service" | "pass",
  base: Record<string, string>,
): Promise<void> {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const home = await makeHome(base, sts, user);
    const secrets = [user.secretAccessKey];
    try {
      await t.step(
        `${keychain}: import moves the keys and edits the files`,
        async () => {
          const out = await runCli([
            "keys",
            "import",
            "--profile",
            "work",
            "--keychain",
            keychain,
          ], { env: home.env });
          assert.equal(out.code, 0, out.stderr);
          assertNoSecrets([out.stdout, out.stderr], secrets);
          assert.match(
            out.stderr,
            new RegExp(
              `Moved the keys of profile "work" \\(${
                maskKeyId(user.accessKeyId)
              }\\)`,
            ),
          );
          const [credentials, config] = await files(home);
          assert.equal(
            credentials,
            "# keys\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = other\n",
          );
          assert.equal(
            config,
            home.config +
              `credential_process = awsmfa keys get --profile work --keychain ${keychain}\n`,
          );
        },
      );
      await t.step(
        `${keychain}: get prints the credential_process JSON`,
        async () => {
          const out = await runCli([
            "keys",
            "get",
            "--profile",
            "work",
            "--keychain",
            keychain,
          ], { env: home.env });
          assert.equal(out.code, 0, out.stderr);
          assert.deepEqual(JSON.parse(out.stdout), {
            Version: 1,
            AccessKeyId: user.accessKeyId,
            SecretAccessKey: user.secretAccessKey,
          });
          assert.equal(out.stderr, "");
        },
      );
      await t.step(
        `${keychain}: list shows the profile, its id masked`,
        async () => {
          const out = await runCli(["keys", "list", "--keychain", keychain], {
            env: home.env,
          });
          assert.equal(out.code, 0, out.stderr);
          assert.equal(
            out.stdout,
            `PROFILE  ACCESS KEY\nwork     ${maskKeyId(user.accessKeyId)}\n`,
          );
          assertNoSecrets([out.stdout, out.stderr], [
            ...secrets,
            user.accessKeyId,
          ]);
        },
      );
      await t.step(
        `${keychain}: a second import refuses, files unchanged`,
        async () => {
          const before = await files(home);
          const out = await runCli([
            "keys",
            "import",
            "--profile",
            "work",
            "--keychain",
            keychain,
          ], { env: home.env });
          assert.equal(out.code, 3);
          assert.match(out.stderr, /no long-term keys/);
          assert.deepEqual(await files(home), before);
        },
      );
      await t.step(
        `${keychain}: awsmfa and the AWS CLI v2 use the keys from the keychain`,
        async () => {
          const out = await runCli([
            "--profile",
            "work",
            sts.currentCode(user, Date.now() + 30_000),
          ], { env: home.env });
          assert.equal(out.code, 0, out.stderr);
          assert.equal(
            sts.requests.find((r) => r.action === "GetSessionToken")
              ?.accessKeyId,
            user.accessKeyId,
          );
          const aws = await callerIdentity(AWS_CLI, "work", sts.url, home.env);
          assert.equal(aws.code, 0, aws.stderr);
          assert.match(JSON.parse(aws.stdout).Arn, /:user\/alice$/);
          const call = sts.requests.filter((r) =>
            r.action === "GetCallerIdentity"
          );
          assert.equal(call.at(-1)?.accessKeyId, user.accessKeyId);
        },
      );
      await t.step(
        `${keychain}: remove refuses while the config points at it; --force removes`,
        async () => {
          const refused = await runCli([
            "keys",
            "remove",
            "--profile",
            "work",
            "--keychain",
            keychain,
          ], { env: home.env });
          assert.equal(refused.code, 3);
          assert.match(
            refused.stderr,
            /Profile "work" in .* still reads these keys/,
          );
          const removed = await runCli([
            "keys",
            "remove",
            "--profile",
            "work",
            "--keychain",
            keychain,
            "--force",
          ], { env: home.env });
          assert.equal(removed.code, 0, removed.stderr);
          const gone = await runCli([
            "keys",
            "get",
            "--profile",
            "work",
            "--keychain",
            keychain,
          ], { env: home.env });
          assert.equal(gone.code, 3);
          assert.match(gone.stderr, /holds no keys for profile "work"/);
          assert.equal(gone.stdout, "");
        },
      );
    } finally {
      await Deno.remove(home.dir, { recursive: true });
    }
  });
}

async function available(programs: string[]): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  for (const program of programs) {
    if (!await hasProgram(program)) {
      if (required()) throw new Error(`${program} is missing (CI=true)`);
      return false;
    }
  }
  return true;
}

Deno.test({
  name: "keys e2e: the Secret Service through secret-tool, for real",
  ...needs(AWS, {
    ignore: !await available([
      "secret-tool",
      "dbus-daemon",
      "gnome-keyring-daemon",
    ]),
  }),
  async fn(t) {
    await withSecretService((env) => roundTrip(t, "secret-service", env));
  },
});

Deno.test({
  name: "keys e2e: pass with a throw-away gpg key, for real",
  ...needs(AWS, {
    ignore: !await available(["pass", "gpg"]),
  }),
  async fn(t) {
    await withPassStore((env) => roundTrip(t, "pass", env));
  },
});

Deno.test({
  name:
    "keys e2e: a keychain that fails or is missing leaves the files byte-identical",
  ...needs(AWS, {
    ignore: !await available(["pass", "gpg"]),
  }),
  async fn(t) {
    await withStsDouble(async (sts) => {
      const user = sts.addUser();
      await withPassStore(async (env) => {
        const home = await makeHome(env, sts, user);
        try {
          await t.step(
            "pass cannot encrypt (its gpg id has no key)",
            async () => {
              await Deno.writeTextFile(
                `${env.PASSWORD_STORE_DIR}/.gpg-id`,
                "nobody@example.invalid\n",
              );
              const out = await runCli([
                "keys",
                "import",
                "--profile",
                "work",
                "--keychain",
                "pass",
              ], { env: home.env });
              assert.equal(out.code, 3, out.stderr);
              assert.match(
                out.stderr,
                /pass did not store the keys of profile "work"/,
              );
              assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
              assert.deepEqual(await files(home), [
                home.credentials,
                home.config,
              ]);
            },
          );
          await t.step("no keychain at all: one sentence", async () => {
            const bare = {
              ...home.env,
              PASSWORD_STORE_DIR: `${home.dir}/no-store`,
              DBUS_SESSION_BUS_ADDRESS: `unix:path=${home.dir}/no-bus`,
            };
            const out = await runCli(["keys", "import", "--profile", "work"], {
              env: bare,
            });
            assert.equal(out.code, 3, out.stderr);
            assert.match(
              out.stderr,
              /^awsmfa: No OS keychain is available: the Secret Service needs secret-tool/,
            );
            assert.deepEqual(await files(home), [
              home.credentials,
              home.config,
            ]);
            const named = await runCli(["keys", "get", "--profile", "work"], {
              env: { ...bare, AWSMFA_KEYCHAIN: "pass" },
            });
            assert.equal(named.code, 3);
            assert.match(
              named.stderr,
              /The keychain "pass" \(AWSMFA_KEYCHAIN\) is not available here/,
            );
          });
          assert.deepEqual(
            sectionKeys(home.credentials, "work").aws_access_key_id,
            user.accessKeyId,
          );
        } finally {
          await Deno.remove(home.dir, { recursive: true });
        }
      });
    });
  },
});

const NATIVE = Deno.build.os === "darwin"
  ? "macos"
  : Deno.build.os === "windows"
  ? "windows"
  : undefined;

Deno.test({
  name: `keys: the platform's own keychain round trip (${
    NATIVE ?? "macOS and Windows runners only"
  })`,
  ignore: NATIVE === undefined,
  async fn() {
    const keychain = keychainNamed(NATIVE!);
    assert.ok(await keychain.available());
    const profile = `awsmfa-test-${crypto.randomUUID().slice(0, 8)}`;
    const secret = JSON.stringify({
      Version: 1,
      AccessKeyId: "AKIAIOSFODNN7EXAMPLE",
      SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    });
    try {
      assert.equal(await keychain.read(profile), undefined);
      await keychain.write(profile, secret);
      assert.equal((await keychain.read(profile))?.trim(), secret);
      assert.ok((await keychain.list()).includes(profile));
      await keychain.write(profile, secret.replace('EXAMPLE"', 'EXAMPL2"'));
      assert.match((await keychain.read(profile)) ?? "", /EXAMPL2/);
    } finally {
      assert.equal(await keychain.remove(profile), true);
    }
    assert.equal(await keychain.read(profile), undefined);
    assert.equal(await keychain.remove(profile), false);
  },
});

Deno.test("keys and rotate refuse a profile name a shell would split or a path would escape, before anything is read or changed", async () => {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-keys-name-" });
  try {
    await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
    const credentials = "[a;b]\naws_access_key_id = AKIAEXAMPLE000000001\n" +
      "aws_secret_access_key = notReallyASecret\n";
    await Deno.writeTextFile(`${home}/.aws/credentials`, credentials);
    await Deno.writeTextFile(`${home}/.aws/config`, "");
    for (
      const args of [["keys", "import"], ["keys", "get"], [
        "rotate",
        "--serial-number",
        "arn:aws:iam::123456789012:mfa/alice",
      ]]
    ) {
      const out = await runCli(args, {
        env: { HOME: home, AWS_PROFILE: "a;b", AWSMFA_KEYCHAIN: "pass" },
      });
      assert.equal(out.code, 3, out.stderr);
      assert.match(
        out.stderr,
        /has characters awsmfa keys and rotate cannot use/,
      );
      assert.equal(
        await Deno.readTextFile(`${home}/.aws/credentials`),
        credentials,
      );
      assert.equal(await Deno.readTextFile(`${home}/.aws/config`), "");
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

/**
 * A `pass` that answers as the real one does for an initialised store
 * (`initialised`) holding `items` (profile → secret), recording each call.
 */
function fakePass(items: Map<string, string>, initialised = true) {
  const calls: string[][] = [];
  const encode = (text: string) => new TextEncoder().encode(text);
  const runner: ToolRunner = (spec) => {
    calls.push(spec.args);
    const exited = (code: number, stdout = "", stderr = "") =>
      Promise.resolve({
        kind: "exited" as const,
        code,
        signal: null,
        stdout: encode(stdout),
        stderr: encode(stderr),
      });
    const [verb, ...rest] = spec.args;
    const name = rest.at(-1)?.replace(/^awsmfa\//, "") ?? "";
    if (!initialised) {
      return verb === "show"
        ? exited(1, "", `Error: ${rest.at(-1)} is not in the password store.\n`)
        : exited(1, "", "Error: You must run:\n    pass init\n");
    }
    switch (verb) {
      case "ls":
        return exited(0, `awsmfa\n${[...items.keys()].join("\n")}\n`);
      case "show":
        return items.has(name) ? exited(0, items.get(name)!) : exited(
          1,
          "",
          `Error: ${rest.at(-1)} is not in the password store.\n`,
        );
      case "rm":
        return items.delete(name) ? exited(0) : exited(
          1,
          "",
          `Error: ${rest.at(-1)} is not in the password store.\n`,
        );
    }
    return exited(2, "", "unexpected call\n");
  };
  return { calls, runner };
}

/** `awsmfa keys ACTION --profile work --keychain pass` in-process; exit code and output. */
async function keysRun(
  action: "get" | "remove",
  runner: ToolRunner,
  home: string,
  extra: string[] = [],
) {
  const out: string[] = [];
  const err: string[] = [];
  const options = parseArguments([
    "keys",
    action,
    "--profile",
    "work",
    "--keychain",
    "pass",
    ...extra,
  ]);
  assert.equal(options.command, "keys");
  let code: number;
  try {
    code = await keysCommand(options as KeysOptions, {
      env: (name) => name === "HOME" ? home : undefined,
      now: () => new Date("2026-11-29T03:00:00Z"),
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      runKeychainTool: runner,
      os: "linux",
    });
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    err.push(error.message);
    code = error.exitCode;
  }
  return { code, out: out.join(""), err: err.join("") };
}

const ITEM = JSON.stringify({
  Version: 1,
  AccessKeyId: "AKIAEXAMPLEWORK00001",
  SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
});

Deno.test("keys get with a named keychain reads the item with one call, no probe first; an unusable one still gets the sentence that says so", async () => {
  const home = await Deno.makeTempDir({ prefix: "keys_get_" });
  try {
    const pass = fakePass(new Map([["work", ITEM]]));
    const got = await keysRun("get", pass.runner, home);
    assert.equal(got.code, 0, got.err);
    assert.equal(got.out, ITEM + "\n");
    assert.deepEqual(pass.calls, [["show", "awsmfa/work"]]);

    const none = fakePass(new Map());
    const missing = await keysRun("get", none.runner, home);
    assert.equal(missing.code, ExitCode.Local);
    assert.match(missing.err, /holds no keys for profile "work"/);

    const uninitialised = fakePass(new Map(), false);
    const unusable = await keysRun("get", uninitialised.runner, home);
    assert.equal(unusable.code, ExitCode.Local);
    assert.match(
      unusable.err,
      /^The keychain "pass" \(--keychain\) is not available here: pass needs/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("keys remove deletes the item without reading its secret", async () => {
  const home = await Deno.makeTempDir({ prefix: "keys_remove_" });
  try {
    await Deno.mkdir(`${home}/.aws`);
    const items = new Map([["work", ITEM]]);
    const pass = fakePass(items);
    const removed = await keysRun("remove", pass.runner, home);
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.err, /^Removed the keys of profile "work" from pass/);
    assert.equal(items.size, 0);
    assert.ok(!pass.calls.some(([verb]) => verb === "show"), `${pass.calls}`);

    const again = await keysRun("remove", pass.runner, home);
    assert.equal(again.code, ExitCode.Local);
    assert.match(
      again.err,
      /holds no keys for profile "work"; nothing was removed/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
