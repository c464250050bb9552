/**
 * lib/commands/exec.ts: the command through lib/run.ts with an injected STS
 * call and child runner, the child's environment and the nesting guard.
 */
import assert from "node:assert/strict";
import { ExitCode, LocalError } from "../../lib/shared/errors.ts";
import { checkNotNested, childSpec } from "../../lib/commands/exec.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";
import { run } from "../../lib/run.ts";
import {
  BOTH,
  CONFIG,
  CREDENTIALS,
  files,
  harness,
  SESSION_SECRET,
  SESSION_TOKEN,
  withHome,
} from "../support/run_harness.ts";

const SESSION: SessionValues = {
  accessKeyId: "ASIAEXAMPLESESSION01",
  secretAccessKey: "secret",
  sessionToken: "token",
  expiration: new Date("2026-11-29T15:00:00Z"),
};

Deno.test("childSpec sets the session, the marker and the profile's region when none is set", () => {
  const env = (values: Record<string, string>) => (name: string) =>
    values[name];
  const spec = childSpec(["aws"], SESSION, "mfa", "eu-west-1", env({}));
  assert.deepEqual(spec.set, {
    AWS_ACCESS_KEY_ID: "ASIAEXAMPLESESSION01",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "token",
    AWS_CREDENTIAL_EXPIRATION: "2026-11-29T15:00:00Z",
    AWSMFA_EXEC: "mfa",
    AWS_REGION: "eu-west-1",
    AWS_DEFAULT_REGION: "eu-west-1",
  });
  assert.deepEqual(spec.unset, [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
  ]);
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const kept = childSpec(
      ["aws"],
      SESSION,
      "mfa",
      "eu-west-1",
      env({ [name]: "ap-south-1" }),
    );
    assert.equal(kept.set.AWS_REGION, undefined, name);
    assert.equal(kept.set.AWS_DEFAULT_REGION, undefined, name);
  }
  const none = childSpec(["aws"], SESSION, "mfa", undefined, env({}));
  assert.equal(none.set.AWS_REGION, undefined);
});

Deno.test("checkNotNested refuses only where AWSMFA_EXEC is set", () => {
  checkNotNested(() => undefined);
  checkNotNested((name) => name === "AWSMFA_EXEC" ? "" : undefined);
  assert.throws(
    () => checkNotNested((name) => name === "AWSMFA_EXEC" ? "mfa" : undefined),
    (error) =>
      error instanceof LocalError && /profile "mfa"/.test(error.message),
  );
});

Deno.test("run: exec hands the session to the command and returns its exit code", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home, { childExit: 42 });
    h.env.AWS_PROFILE = "work";
    const exit = await run(["exec", "123456", "--", "aws", "s3", "ls"], h.io);
    assert.equal(exit, 42, h.err.join(""));
    assert.equal(h.children.length, 1);
    const [spec] = h.children;
    assert.deepEqual(spec.argv, ["aws", "s3", "ls"]);
    assert.deepEqual(spec.set, {
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLESESSION01",
      AWS_SECRET_ACCESS_KEY: SESSION_SECRET,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_CREDENTIAL_EXPIRATION: "2026-11-29T15:00:00Z",
      AWSMFA_EXEC: "mfa",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
    });
    assert.deepEqual(spec.unset, [
      "AWS_PROFILE",
      "AWS_DEFAULT_PROFILE",
      "AWS_SECURITY_TOKEN",
    ]);
    assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
    assert.deepEqual(h.out, []);
  });
});

Deno.test("run: exec keeps a region already in the environment, and --write writes", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home);
    h.env.AWS_REGION = "ap-south-1";
    const exit = await run([
      "exec",
      "--profile",
      "work",
      "123456",
      "--write",
      "--",
      "true",
    ], h.io);
    assert.equal(exit, 0, h.err.join(""));
    assert.equal(h.children[0].set.AWS_REGION, undefined);
    assert.equal(h.children[0].set.AWS_DEFAULT_REGION, undefined);
    assert.match((await files(home))[0]!, /\[mfa\]/);
  });
});

Deno.test("run: exec refuses to run inside another awsmfa exec, before anything else", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home);
    h.env.AWSMFA_EXEC = "mfa";
    const exit = await run(["exec", "--profile", "work", "--", "true"], h.io);
    assert.equal(exit, ExitCode.Local);
    assert.equal(h.requests.length + h.children.length + h.prompts(), 0);
    assert.match(
      h.err.join(""),
      /already runs inside awsmfa exec \(profile "mfa"\)/,
    );
  });
});
