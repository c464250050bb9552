/**
 * Issue 13 end to end: a newcomer's day two with awsmfa run as the binary
 * runs (`deno run -P=awsmfa`), the STS double over real HTTP, and the real
 * AWS CLI v2 reading what awsmfa wrote and calling awsmfa as its
 * credential_process.
 */

import assert from "node:assert/strict";
import { cliCommandLine, runCli, runProgram } from "../support/cli.ts";
import { withStsDouble } from "../support/sts_double.ts";
import { findTool, testWith } from "../support/tools.ts";

const AWS = await findTool("aws");
const AWS_CLI = AWS.path;
/** Tests that run the AWS CLI v2: skipped (or, in CI, failed) without it. */
const test = { aws: testWith(AWS) };

test.aws("day two e2e: the seed's command line once, then only what the user types every day", async () => {
  await withStsDouble(async (sts) => {
    const home = await Deno.makeTempDir({ prefix: "awsmfa-day2e2e-" });
    try {
      const user = sts.addUser({ userName: "alice" });
      await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
      await Deno.writeTextFile(
        `${home}/.aws/credentials`,
        `[work]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
        { mode: 0o600 },
      );
      const config = `[profile work]\nregion = eu-west-1\n\n` +
        `[profile work-mfa]\ncredential_process = ${
          cliCommandLine(["credential-process", "--profile", "work"])
        }\nregion = eu-west-1\n`;
      await Deno.writeTextFile(`${home}/.aws/config`, config);
      const env = {
        HOME: home,
        AWS_ENDPOINT_URL_STS: sts.url,
        AWS_PAGER: "",
      };

      const seed = await runCli([
        "--serial-number",
        user.serial,
        "--profile",
        "work",
        sts.currentCode(user),
      ], { env });
      assert.equal(seed.code, 0, seed.stderr);
      assert.equal(sts.count("GetSessionToken", 200), 1);

      // The shell rc line.
      const rc = await runCli(["--profile", "work"], { env });
      assert.equal(rc.code, 0, rc.stderr);
      assert.match(rc.stderr, /^Profile "mfa" is still valid for /);

      // The written profile, exported.
      const exported = await runCli([], {
        env: { ...env, AWS_PROFILE: "mfa" },
      });
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stderr, /^Profile "mfa" is still valid for /);

      // exec, quiet on reuse.
      const exec = await runCli(
        [
          "exec",
          "--profile",
          "work",
          "--",
          "sh",
          "-c",
          'test -n "$AWS_SESSION_TOKEN"',
        ],
        { env },
      );
      assert.equal(exec.code, 0, exec.stderr);
      assert.equal(exec.stderr, "");

      // The AWS CLI with the written profile, and with awsmfa as its
      // credential_process: no code, no new session.
      for (const profile of ["mfa", "work-mfa"]) {
        const aws = await runProgram(
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
          env,
          { detached: true },
        );
        assert.equal(aws.code, 0, `${profile}: ${aws.stderr}`);
        assert.match(JSON.parse(aws.stdout).Arn, /user\/alice$/);
      }
      assert.equal(sts.count("GetSessionToken"), 1);

      // A typo: exit 3 naming both files, no serial question, no request.
      const typo = await runCli(["--profile", "wrok", "123456"], { env });
      assert.equal(typo.code, 3, typo.stderr);
      assert.match(
        typo.stderr,
        /Profile "wrok" is in neither .*credentials nor .*config; did you mean "work"\?/,
      );
      assert.doesNotMatch(typo.stderr, /serial|--help/);

      // status, help
      const status = await runCli(["status"], { env });
      assert.match(status.stdout, /^mfa +work /m);
      const help = await runCli(["exec", "--help"], { env });
      assert.match(help.stdout, /^Usage: awsmfa exec /);
      assert.equal(sts.count("GetSessionToken"), 1);
      assert.equal(
        await Deno.readTextFile(`${home}/.aws/config`),
        config + "\n[profile mfa]\nregion = eu-west-1\n",
      );
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  });
});

Deno.test("day two e2e: no ~/.aws at all is exit 3 saying neither file exists, and nothing is created", async () => {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-day2e2e-" });
  try {
    const result = await runCli(["123456"], { env: { HOME: home } });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /Profile "default" .* \(neither file exists\)/);
    const entries = [];
    for await (const entry of Deno.readDir(home)) entries.push(entry.name);
    assert.deepEqual(entries, []);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
