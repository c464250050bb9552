/**
 * The CLI, run as the binary runs, with AWS files that are not regular files:
 * every command ends with one sentence and exit 3 instead of hanging or
 * reading without end.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnCli } from "../support/cli.ts";
import { findTool, needs } from "../support/tools.ts";

const PS = await findTool("ps");

/** Run the CLI; a run still going after `ms` is killed and reported. */
async function boundedRun(
  args: string[],
  env: Record<string, string>,
  ms: number,
): Promise<{ code: number; stderr: string; killed: boolean }> {
  const child = await spawnCli(args, env);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, ms);
  try {
    const out = await child.output();
    return {
      code: out.code,
      stderr: new TextDecoder().decode(out.stderr),
      killed,
    };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name:
    "e2e: a FIFO or a device as the credentials or config file is refused, exit 3",
  ignore: Deno.build.os !== "linux",
}, async (t) => {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-fifo-" });
  try {
    await Deno.mkdir(join(home, ".aws"));
    const fifo = join(home, ".aws", "pipe");
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);
    const real = join(home, ".aws", "real");
    await Deno.writeTextFile(real, "");
    for (
      const [variable, path] of [
        ["AWS_SHARED_CREDENTIALS_FILE", fifo],
        ["AWS_CONFIG_FILE", fifo],
        ["AWS_SHARED_CREDENTIALS_FILE", "/dev/zero"],
      ] as const
    ) {
      for (
        const args of [["status"], ["clear"], ["--profile", "work", "123456"]]
      ) {
        await t.step(`${variable}=${path} ${args[0]}`, async () => {
          const other = variable === "AWS_CONFIG_FILE"
            ? "AWS_SHARED_CREDENTIALS_FILE"
            : "AWS_CONFIG_FILE";
          const result = await boundedRun(args, {
            HOME: home,
            [variable]: path,
            [other]: real,
          }, 20_000);
          assert.equal(result.killed, false, "it hung");
          if (args[0] === "status" && variable === "AWS_CONFIG_FILE") {
            // status reads only the credentials file.
            assert.equal(result.code, 0, result.stderr);
            return;
          }
          assert.equal(result.code, 3, result.stderr);
          assert.match(
            result.stderr,
            /^awsmfa: Cannot read ".*": it is (a named pipe|a device), not a regular file\n$/,
          );
        });
      }
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test({
  name:
    "e2e: Ctrl-C while the MFA code command runs ends its process group too",
  ...needs(PS, { ignore: Deno.build.os !== "linux" }),
}, async () => {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-sigint-" });
  let escaped = 0;
  try {
    await Deno.mkdir(join(home, ".aws"));
    await Deno.writeTextFile(
      join(home, ".aws", "credentials"),
      "[work]\naws_access_key_id = AKIAEXAMPLEWORK00001\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n",
    );
    await Deno.writeTextFile(
      join(home, ".aws", "config"),
      "[profile work]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
    );
    const ready = join(home, "ready");
    assert.ok(
      (await new Deno.Command("mkfifo", { args: [ready] }).output()).success,
    );
    const child = await spawnCli([
      "--profile",
      "work",
      "--mfa-process",
      `sleep 300 & echo $! > '${ready}'; wait`,
    ], { HOME: home });
    // The command says its child's pid through the FIFO once it runs.
    escaped = Number((await Deno.readTextFile(ready)).trim());
    assert.ok(escaped > 0);
    child.kill("SIGINT");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    assert.equal(status.code, 130);
    const ps = await new Deno.Command(PS.path, {
      args: ["-o", "stat=", "-p", String(escaped)],
      stdout: "piped",
    }).output();
    assert.match(new TextDecoder().decode(ps.stdout).trim(), /^(Z.*)?$/);
  } finally {
    if (escaped > 0) {
      try {
        Deno.kill(escaped, "SIGKILL");
      } catch { /* ended */ }
    }
    await Deno.remove(home, { recursive: true });
  }
});
