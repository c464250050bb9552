/**
 * The pieces of "sessions on demand" together under the real AWS CLI v2:
 * a `credential_process` built from the session cache, GetSessionToken and
 * the credential_process JSON (tests/support/credential_process_worker.ts)
 * answers `aws sts get-caller-identity`; request counts at the STS double
 * show the first call makes one GetSessionToken and the next ten none, and
 * that five AWS CLIs started together on a cold cache make one.
 */

import assert from "node:assert/strict";
import { cacheDirectory } from "../lib/cache.ts";
import { startStsDouble, type StsDouble } from "./support/sts_double.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const AWS_CLI = "/usr/bin/aws";
const WORKER = `${ROOT}tests/support/credential_process_worker.ts`;

async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

interface Setup {
  sts: StsDouble;
  env: Record<string, string>;
  accountId: string;
  cache: string;
}

async function withSetup(fn: (setup: Setup) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "credproc_" });
  const sts = await startStsDouble({ quiet: true });
  try {
    const user = sts.addUser({ userName: "alice" });
    const cache = cacheDirectory(home);
    await Deno.mkdir(`${home}/.aws`);
    await Deno.writeTextFile(
      `${home}/.aws/config`,
      `[profile work-mfa]\ncredential_process = ${Deno.execPath()} run --quiet --config=${ROOT}deno.json -P=awsmfa ${WORKER}\nregion = eu-west-1\n`,
    );
    const env = {
      HOME: home,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_DIR: await denoDir(),
      NO_COLOR: "1",
      AWS_PAGER: "",
      AWS_CONFIG_FILE: `${home}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
      AWSMFA_CP_CACHE: cache,
      AWSMFA_CP_ENDPOINT: sts.url,
      AWSMFA_CP_KEY_ID: user.accessKeyId,
      AWSMFA_CP_SECRET: user.secretAccessKey,
      AWSMFA_CP_SERIAL: user.serial,
      AWSMFA_CP_TOTP: user.totpSecret,
    };
    await fn({ sts, env, accountId: user.accountId, cache });
  } finally {
    await sts.close();
    await Deno.remove(home, { recursive: true });
  }
}

async function whoAmI(setup: Setup): Promise<string> {
  const out = await new Deno.Command(AWS_CLI, {
    args: [
      "sts",
      "get-caller-identity",
      "--profile",
      "work-mfa",
      "--endpoint-url",
      setup.sts.url,
      "--output",
      "json",
    ],
    clearEnv: true,
    env: setup.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout)).Arn;
}

Deno.test("credential_process: the first AWS CLI call makes one GetSessionToken, the next ten none", async () => {
  const version = await new Deno.Command(AWS_CLI, { args: ["--version"] })
    .output();
  assert.match(new TextDecoder().decode(version.stdout), /^aws-cli\/2\./);
  await withSetup(async (setup) => {
    const arn = `arn:aws:iam::${setup.accountId}:user/alice`;
    assert.equal(await whoAmI(setup), arn);
    assert.equal(setup.sts.count("GetSessionToken"), 1);
    assert.equal(setup.sts.count("GetCallerIdentity", 200), 1);
    for (let i = 0; i < 10; i++) assert.equal(await whoAmI(setup), arn);
    assert.equal(setup.sts.count("GetSessionToken"), 1);
    assert.equal(setup.sts.count("GetCallerIdentity", 200), 11);
    // Every call was signed with the one cached session.
    const keys = new Set(
      setup.sts.requests.filter((r) => r.action === "GetCallerIdentity").map((
        r,
      ) => r.accessKeyId),
    );
    assert.equal(keys.size, 1);
    assert.match([...keys][0], /^ASIA/);
    console.log(
      `11 AWS CLI calls: ${
        setup.sts.count("GetSessionToken")
      } GetSessionToken, ${
        setup.sts.count("GetCallerIdentity", 200)
      } GetCallerIdentity`,
    );
  });
});

Deno.test("credential_process: five AWS CLI calls at once on a cold cache make one GetSessionToken", async () => {
  await withSetup(async (setup) => {
    const arns = await Promise.all(
      Array.from({ length: 5 }, () => whoAmI(setup)),
    );
    assert.deepEqual(
      arns,
      Array(5).fill(`arn:aws:iam::${setup.accountId}:user/alice`),
    );
    assert.equal(setup.sts.count("GetSessionToken"), 1);
    assert.equal(setup.sts.count("GetCallerIdentity", 200), 5);
    const entries: string[] = [];
    for await (const entry of Deno.readDir(setup.cache)) {
      entries.push(entry.name);
    }
    assert.equal(entries.filter((n) => n.endsWith(".json")).length, 1);
    console.log(
      `5 concurrent AWS CLI calls: ${
        setup.sts.count("GetSessionToken")
      } GetSessionToken`,
    );
  });
});
