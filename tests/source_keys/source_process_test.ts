/**
 * Long-term keys from a source profile's credential_process: the JSON rules
 * (unit), the real `sh -c` run (timeouts, exit status, size cap, nothing of
 * the output in a message), and end to end against the STS double: the keys
 * the process prints sign GetSessionToken, a cached session needs no
 * process run, and every refusal is exit 3 before any STS request with the
 * files byte-identical.
 */

import assert from "node:assert/strict";
import { ExitCode } from "../../lib/shared/errors.ts";
import {
  keyOriginOf,
  parseSourceProcessOutput,
  runSourceProcess,
  SourceProcessError,
  sourceProcessTimeoutMs,
} from "../../lib/source_keys/source_process.ts";
import { assertNoSecrets, runCli, snapshot } from "../support/cli.ts";
import { withStsDouble } from "../support/sts_double.ts";
import { lifeLine } from "../support/life_line.ts";

const NOW = new Date("2026-12-01T10:00:00Z");
const ID = "AKIAEXAMPLEEXAMPLE01";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

function doc(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: ID,
    SecretAccessKey: SECRET,
    ...extra,
  });
}

function refusal(text: string): string {
  try {
    parseSourceProcessOutput(text, "The command", NOW);
  } catch (error) {
    assert.ok(error instanceof SourceProcessError);
    assert.equal(error.exitCode, ExitCode.Local);
    assertNoSecrets([error.message], [SECRET, ID]);
    return error.message;
  }
  throw new Error("accepted");
}

Deno.test("parseSourceProcessOutput: the documented JSON only", async (t) => {
  await t.step("long-term keys, trimmed; a future Expiration", () => {
    assert.deepEqual(parseSourceProcessOutput(doc(), "x", NOW), {
      accessKeyId: ID,
      secretAccessKey: SECRET,
    });
    assert.deepEqual(
      parseSourceProcessOutput(
        `\n ${doc({ Expiration: "2026-12-01T11:00:00Z" })}\n`,
        "x",
        NOW,
      ).accessKeyId,
      ID,
    );
  });
  await t.step("refusals", () => {
    assert.match(refusal("not json " + SECRET), /did not print .*JSON/);
    assert.match(refusal("[1]"), /JSON object/);
    assert.match(refusal(doc({ Version: 2 })), /"Version": 1/);
    assert.match(refusal(doc({ Version: "1" })), /"Version": 1/);
    assert.match(refusal(doc({ AccessKeyId: "" })), /no valid AccessKeyId/);
    assert.match(
      refusal(doc({ AccessKeyId: "has space" })),
      /no valid AccessKeyId/,
    );
    assert.match(refusal(doc({ SecretAccessKey: 7 })), /no SecretAccessKey/);
    assert.match(
      refusal(doc({ SessionToken: "FwoGZXIvYXdz" })),
      /temporary credentials/,
    );
    assert.match(
      refusal(doc({ AccessKeyId: "ASIAEXAMPLEEXAMPLE01" })),
      /temporary credentials/,
    );
    assert.match(
      refusal(doc({ Expiration: "2026-12-01T09:59:59Z" })),
      /Expiration has passed/,
    );
    assert.match(refusal(doc({ Expiration: "soon" })), /not a date/);
  });
});

Deno.test("keyOriginOf: file keys win; credential_process only without them", () => {
  const keys = { aws_access_key_id: ID, aws_secret_access_key: SECRET };
  const process = { credential_process: "op read x" };
  assert.deepEqual(keyOriginOf("w", keys, process), {
    kind: "file",
    keys: { accessKeyId: ID, secretAccessKey: SECRET },
  });
  assert.deepEqual(keyOriginOf("w", undefined, process), {
    kind: "process",
    profile: "w",
    command: "op read x",
  });
  assert.throws(
    () => keyOriginOf("w", undefined, { region: "eu-west-1" }),
    /no aws_access_key_id/,
  );
});

Deno.test("sourceProcessTimeoutMs", () => {
  assert.equal(sourceProcessTimeoutMs(() => undefined), 60_000);
  assert.equal(sourceProcessTimeoutMs(() => "1.5"), 1500);
  assert.throws(() => sourceProcessTimeoutMs(() => "0"), /more than 0 to 600/);
  assert.throws(() => sourceProcessTimeoutMs(() => "601"), /to 600/);
});

async function runReal(command: string, timeoutMs = 10_000) {
  return await runSourceProcess("work", command, {
    timeoutMs,
    windows: false,
    now: NOW,
  });
}

async function realRefusal(command: string, timeoutMs?: number) {
  const error = await runReal(command, timeoutMs).then(
    () => undefined,
    (e) => e,
  );
  assert.ok(error instanceof SourceProcessError, String(error));
  assertNoSecrets([error.message], [SECRET, "hunter2"]);
  return error.message;
}

Deno.test({
  name: "runSourceProcess through a real sh -c",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  await t.step("the keys it prints", async () => {
    assert.deepEqual(await runReal(`printf '%s' '${doc()}'`), {
      accessKeyId: ID,
      secretAccessKey: SECRET,
    });
  });
  await t.step("a failing command, named by its first word", async () => {
    assert.equal(
      await realRefusal("echo hunter2; exit 4"),
      'The credential_process "echo …" of profile "work" failed with exit status 4; its output is not shown.',
    );
    assert.match(
      await realRefusal("no-such-command-awsmfa hunter2"),
      /exit status 127 \(command not found\)/,
    );
  });
  await t.step("killed by a signal", async () => {
    assert.match(await realRefusal("kill -9 $$"), /was ended by SIGKILL/);
  });
  await t.step("a timeout stops it and what it started", async () => {
    const line = await lifeLine();
    try {
      const message = await realRefusal(
        `${line.hold} sh -c 'exec sleep 30' & sleep 30`,
        1000,
      );
      assert.match(message, /did not finish within 1 seconds/);
      // The background child was killed too: nothing holds the line.
      await line.ended();
    } finally {
      await line.close();
    }
  });
  await t.step(
    "a timeout stops also what left its tree ((cmd &), nohup)",
    async () => {
      const line = await lifeLine();
      try {
        // The subshell exits at once: its sleep is init's child, outside
        // the command's tree, and only its process group still holds it.
        const message = await realRefusal(
          `${line.hold} (sleep 300 &); exec sleep 300`,
          1000,
        );
        assert.match(message, /did not finish within 1 seconds/);
        await line.ended();
      } finally {
        await line.close();
      }
    },
  );
  await t.step("endless output is cut at the cap", async () => {
    assert.match(await realRefusal("yes hunter2"), /more than 65536 bytes/);
  });
});

Deno.test({
  name: "e2e: a source profile whose keys come from credential_process",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const home = await Deno.makeTempDir({ prefix: "srcproc_" });
    try {
      await Deno.mkdir(`${home}/.aws`);
      const keysFile = `${home}/keys.json`;
      const log = `${home}/runs.log`;
      await Deno.writeTextFile(
        keysFile,
        JSON.stringify({
          Version: 1,
          AccessKeyId: user.accessKeyId,
          SecretAccessKey: user.secretAccessKey,
        }),
      );
      const config = (command: string) =>
        `[profile work]\nmfa_serial = ${user.serial}\nregion = eu-west-1\ncredential_process = ${command}\n`;
      const env = {
        HOME: home,
        AWS_ENDPOINT_URL_STS: sts.url,
      };
      const code = () => sts.currentCode(user, Date.now() + 30_000);

      await t.step(
        "every refusal: exit 3, no STS request, files unchanged",
        async () => {
          const cases: [string, RegExp][] = [
            [`printf '%s' '{"Version":1}'`, /printed no valid AccessKeyId/],
            [
              `printf '%s' '{"Version":1,"AccessKeyId":"${user.accessKeyId}","SecretAccessKey":"${user.secretAccessKey}","SessionToken":"x"}'`,
              /temporary credentials/,
            ],
            [`echo ${user.secretAccessKey}; exit 1`, /exit status 1/],
            ["printf nope", /did not print credential_process JSON/],
          ];
          for (const [command, expected] of cases) {
            await Deno.writeTextFile(`${home}/.aws/config`, config(command));
            const before = await snapshot(home);
            const out = await runCli(["--profile", "work", code()], { env });
            assert.equal(out.code, 3, out.stderr);
            assert.match(out.stderr, expected);
            assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
            assertNoSecrets([out.stdout, out.stderr], [user.secretAccessKey]);
            assert.deepEqual(await snapshot(home), before);
          }
          assert.equal(sts.requests.length, 0);
        },
      );

      await t.step(
        "its keys sign GetSessionToken; a cached session runs nothing",
        async () => {
          await Deno.writeTextFile(
            `${home}/.aws/config`,
            config(`echo run >> ${log}; cat ${keysFile}`),
          );
          const out = await runCli(["--profile", "work", code()], { env });
          assert.equal(out.code, 0, out.stderr);
          assert.match(out.stderr, /Wrote profile "mfa"/);
          assert.equal(sts.count("GetSessionToken", 200), 1);
          assert.equal(
            sts.requests.find((r) => r.action === "GetSessionToken")
              ?.accessKeyId,
            user.accessKeyId,
          );
          assertNoSecrets([out.stdout, out.stderr], [user.secretAccessKey]);
          assert.equal(await Deno.readTextFile(log), "run\n");

          // The same cache key as file keys: another target answers from the cache.
          const again = await runCli(
            ["--profile", "work", "--mfa-profile-name", "mfa2"],
            { env },
          );
          assert.equal(again.code, 0, again.stderr);
          assert.match(again.stderr, /the cached session/);
          assert.equal(sts.count("GetSessionToken"), 1);
          assert.equal(await Deno.readTextFile(log), "run\n");
          const json = await runCli(
            ["credential-process", "--profile", "work"],
            { env },
          );
          assert.equal(json.code, 0, json.stderr);
          assert.equal(await Deno.readTextFile(log), "run\n");
        },
      );
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  });
});
