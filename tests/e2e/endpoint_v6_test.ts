/**
 * `--endpoint-url http://[::1]:PORT` is this machine too: the binary's
 * permission set lets awsmfa reach an STS endpoint on IPv6 loopback, as it
 * does 127.0.0.1 and localhost. The STS double listens on 127.0.0.1 (all
 * the test runner may use); a forwarder process of its own listens on [::1].
 */

import assert from "node:assert/strict";
import { ROOT_DIR, runCli } from "../support/cli.ts";
import { withStsDouble } from "../support/sts_double.ts";

Deno.test("endpoint: an STS endpoint on [::1] is reached with the binary's permissions", async () => {
  await withStsDouble(async (sts) => {
    const forwarder = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-config",
        "--allow-net=[::1],127.0.0.1",
        `${ROOT_DIR}tests/support/v6_forward.ts`,
        new URL(sts.url).port,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const home = await Deno.makeTempDir({ prefix: "awsmfa-v6-" });
    try {
      const reader = forwarder.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      const { value } = await reader.read();
      const port = Number(value?.trim());
      assert.ok(port > 0, `forwarder port: ${value}`);
      const user = sts.addUser();
      await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
      await Deno.writeTextFile(
        `${home}/.aws/credentials`,
        `[work]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
        { mode: 0o600 },
      );
      const result = await runCli([
        "--profile",
        "work",
        "--serial-number",
        user.serial,
        "--endpoint-url",
        `http://[::1]:${port}`,
        sts.currentCode(user),
      ], { env: { HOME: home } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^Wrote profile "mfa"/);
      assert.equal(sts.count("GetSessionToken", 200), 1);
      await reader.cancel();
    } finally {
      forwarder.kill();
      await forwarder.status;
      await Deno.remove(home, { recursive: true });
    }
  });
});
