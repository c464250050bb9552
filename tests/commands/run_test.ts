/**
 * lib/run.ts driven in-process with an injected STS call: the checks that
 * must stop a run before the MFA code is used, and the rollback when the
 * second file cannot be written after the first one was.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ExitCode } from "../../lib/shared/errors.ts";
import { run, type RunIO } from "../../lib/run.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";
import type { SessionRequest } from "../../lib/sessions/sts_call.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const SESSION_SECRET = "tEmPoRaRySeCrEtKeY/0123456789abcdefghijk";
const SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE==";

interface Harness {
  io: RunIO;
  out: string[];
  err: string[];
  requests: SessionRequest[];
  promptsRead: () => number;
}

function harness(
  home: string,
  onSession?: (request: SessionRequest) => Promise<void>,
): Harness {
  const out: string[] = [];
  const err: string[] = [];
  const requests: SessionRequest[] = [];
  let prompts = 0;
  const env: Record<string, string> = { HOME: home };
  const io: RunIO = {
    env: (name) => env[name],
    stdin: new ReadableStream({
      start(controller) {
        controller.error(new Error("stdin must not be read"));
      },
    }),
    stdinIsTerminal: true,
    writePrompt: (text) => err.push(text),
    readPromptLine() {
      prompts++;
      return Promise.resolve("987650");
    },
    stderr: (text) => err.push(text),
    stdout: (text) => out.push(text),
    now: () => new Date("2026-11-29T03:00:00Z"),
    async getSession(request): Promise<SessionValues> {
      requests.push(request);
      await onSession?.(request);
      return {
        accessKeyId: "ASIAEXAMPLESESSION01",
        secretAccessKey: SESSION_SECRET,
        sessionToken: SESSION_TOKEN,
        expiration: new Date("2026-11-29T15:00:00Z"),
      };
    },
  };
  return { io, out, err, requests, promptsRead: () => prompts };
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-run-" });
  try {
    await Deno.mkdir(join(home, ".aws"), { mode: 0o700 });
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const CREDENTIALS =
  `# keys\n[work]\naws_access_key_id = AKIAEXAMPLEWORK00001\n` +
  `aws_secret_access_key = ${SECRET}\n`;
const CONFIG = `[profile work]\nregion = eu-west-1\nmfa_serial = ${SERIAL}\n`;

async function readOrNull(path: string): Promise<string | null> {
  return await Deno.readTextFile(path).catch(() => null);
}

Deno.test("run: a target name the editor refuses stops the run before the code is asked for or sent", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(join(home, ".aws/credentials"), CREDENTIALS);
    await Deno.writeTextFile(join(home, ".aws/config"), CONFIG);
    const h = harness(home);
    const code = await run(
      ["--profile", "work", "--mfa-profile-name", "team,mfa"],
      h.io,
    );
    assert.equal(code, ExitCode.Local);
    assert.equal(h.promptsRead(), 0);
    assert.equal(h.requests.length, 0);
    assert.match(h.err.join(""), /profile name "team,mfa"/);
    assert.equal(
      await Deno.readTextFile(join(home, ".aws/credentials")),
      CREDENTIALS,
    );
    assert.equal(await Deno.readTextFile(join(home, ".aws/config")), CONFIG);
  });
});

Deno.test("run: a source profile name the editor cannot record stops the run before the code is sent", async () => {
  await withHome(async (home) => {
    // A value ending in " #x" would be cut by parsers that strip inline
    // comments; setKeys refuses it, and the run must refuse it first.
    const credentials = `[a #x]\naws_access_key_id = AKIAEXAMPLEWORK00001\n` +
      `aws_secret_access_key = ${SECRET}\n`;
    await Deno.writeTextFile(join(home, ".aws/credentials"), credentials);
    const h = harness(home);
    const code = await run(
      ["--profile", "a #x", "--serial-number", SERIAL, "123456"],
      h.io,
    );
    assert.equal(code, ExitCode.Local, h.err.join(""));
    assert.equal(h.requests.length, 0);
    assert.equal(
      await Deno.readTextFile(join(home, ".aws/credentials")),
      credentials,
    );
  });
});

Deno.test("run: when the config file cannot be written, the credentials file is put back", async (t) => {
  // The STS double stands in here as a hook: after the checks and before the
  // writes, the config path is replaced by a directory, so the config write
  // fails after the credentials write succeeded.
  const sabotage = (home: string) => async () => {
    await Deno.remove(join(home, ".aws/config")).catch(() => undefined);
    await Deno.mkdir(join(home, ".aws/config"));
  };

  await t.step(
    "an existing credentials file is byte-identical again",
    async () => {
      await withHome(async (home) => {
        const credentials = CREDENTIALS.replaceAll("\n", "\r\n");
        await Deno.writeTextFile(join(home, ".aws/credentials"), credentials);
        await Deno.writeTextFile(join(home, ".aws/config"), CONFIG);
        const h = harness(home, sabotage(home));
        const code = await run(["--profile", "work", "123456"], h.io);
        assert.equal(code, ExitCode.Local, h.err.join(""));
        assert.equal(h.requests.length, 1);
        assert.equal(
          await Deno.readTextFile(join(home, ".aws/credentials")),
          credentials,
        );
        assert.match(h.err.join(""), /config/);
      });
    },
  );

  await t.step("a credentials file the run created is removed", async () => {
    await withHome(async (home) => {
      // Long-term keys in the config file, no credentials file at all.
      const config = CONFIG + `aws_access_key_id = AKIAEXAMPLEWORK00001\n` +
        `aws_secret_access_key = ${SECRET}\n`;
      await Deno.writeTextFile(join(home, ".aws/config"), config);
      const h = harness(home, sabotage(home));
      const code = await run(["--profile", "work", "123456"], h.io);
      assert.equal(code, ExitCode.Local, h.err.join(""));
      assert.equal(h.requests.length, 1);
      assert.equal(await readOrNull(join(home, ".aws/credentials")), null);
      const left = [];
      for await (const entry of Deno.readDir(join(home, ".aws"))) {
        left.push(entry.name);
      }
      // The session STS gave for the spent code stays in the session cache
      // (~/.aws/awsmfa), so running again after the fix needs no new code.
      assert.deepEqual(left.sort(), ["awsmfa", "config"]);
    });
  });
});

Deno.test("run: a successful run prints nothing on stdout and no secret or code anywhere", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(join(home, ".aws/credentials"), CREDENTIALS);
    await Deno.writeTextFile(join(home, ".aws/config"), CONFIG);
    const h = harness(home);
    const code = await run(["--profile", "work"], h.io);
    assert.equal(code, ExitCode.Ok, h.err.join(""));
    assert.equal(h.promptsRead(), 1);
    assert.deepEqual(h.out, []);
    const printed = h.err.join("");
    for (const secret of [SECRET, SESSION_SECRET, SESSION_TOKEN, "987650"]) {
      assert.ok(!printed.includes(secret), `printed ${secret}`);
    }
    assert.match(
      printed,
      /^MFA code for arn:aws:iam::123456789012:mfa\/alice: /,
    );
    assert.match(printed, /Wrote profile "mfa" \(from "work"\)/);
    assert.equal(h.requests[0].tokenCode, "987650");
    assert.equal(h.requests[0].region, "eu-west-1");
    assert.equal(
      h.requests[0].endpoint,
      "https://sts.eu-west-1.amazonaws.com",
    );
  });
});
