/**
 * lib/sessions/target_profile.ts driven in-process with an injected STS
 * call, for what the command-level tests do not reach: one file named as
 * both the credentials and the config file.
 */

import assert from "node:assert/strict";
import {
  type TargetIO,
  targetSession,
} from "../../lib/sessions/target_profile.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";

function io(env: Record<string, string>, err: string[]): TargetIO {
  return {
    env: (name) => env[name],
    stdin: new ReadableStream(),
    stdinIsTerminal: false,
    writePrompt: (text) => err.push(text),
    readPromptLine: () => Promise.resolve(null),
    stderr: (text) => err.push(text),
    now: () => new Date("2026-11-29T03:00:00Z"),
    getSession(): Promise<SessionValues> {
      return Promise.resolve({
        accessKeyId: "ASIAEXAMPLESESSION01",
        secretAccessKey: "tEmPoRaRySeCrEtKeY/0123456789abcdefghijk",
        sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE==",
        expiration: new Date("2026-11-29T15:00:00Z"),
      });
    },
  };
}

Deno.test("targetSession: one file as both AWS files is written under its one lock, at once", async () => {
  const home = await Deno.makeTempDir({ prefix: "target_profile_" });
  try {
    const file = `${home}/aws`;
    await Deno.writeTextFile(
      file,
      `[work]\naws_access_key_id = AKIAEXAMPLEWORK00001\naws_secret_access_key = ${SECRET}\n`,
    );
    const err: string[] = [];
    const got = await targetSession(
      {
        profile: "work",
        serialNumber: SERIAL,
        code: "123456",
        force: false,
        quiet: true,
      },
      io({
        HOME: home,
        AWS_SHARED_CREDENTIALS_FILE: file,
        AWS_CONFIG_FILE: file,
      }, err),
      { write: true },
    );
    assert.equal(got.written, true);
    assert.equal(got.origin, "code");
    const text = await Deno.readTextFile(file);
    assert.match(text, /^\[work\]\n/);
    assert.match(text, /\n\[mfa\]\naws_access_key_id = ASIAEXAMPLESESSION01\n/);
    assert.match(text, /\n\[profile mfa\]\n/);
    assert.ok(!err.join("").includes("lock"), err.join(""));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
