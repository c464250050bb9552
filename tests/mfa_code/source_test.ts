/**
 * lib/mfa_code/source.ts: the code source is chosen once from the options,
 * in order CODE (or `-`), `--mfa-process`, `mfa_process` of the config, the
 * prompt; choosing reads and runs nothing.
 */
import assert from "node:assert/strict";
import { UsageError } from "../../lib/shared/errors.ts";
import type { CodeProcessOptions } from "../../lib/mfa_code/mfa_process.ts";
import { codeSource, type CodeSourceIO } from "../../lib/mfa_code/source.ts";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";

interface Recorder {
  io: CodeSourceIO;
  commands: [string, CodeProcessOptions][];
  prompts: string[];
  terminal: string[];
}

/** An IO where every way of getting a code answers and records it. */
function recorder(env: Record<string, string> = {}): Recorder {
  const r: Recorder = {
    commands: [],
    prompts: [],
    terminal: [],
    io: undefined as unknown as CodeSourceIO,
  };
  r.io = {
    env: (name) => env[name],
    stdin: new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("222222\n"));
        controller.close();
      },
    }),
    stdinIsTerminal: true,
    windows: false,
    writePrompt: (text) => r.prompts.push(text),
    readPromptLine: () => Promise.resolve("333333"),
    runCodeProcess(command, options) {
      r.commands.push([command, options]);
      return Promise.resolve("444444");
    },
    promptOnTerminal(serial) {
      r.terminal.push(serial);
      return Promise.resolve("555555");
    },
  };
  return r;
}

const CONFIG = { mfa_process: "  ykman oath accounts code  " };

Deno.test("codeSource: CODE first, then --mfa-process, then mfa_process, then the prompt", async (t) => {
  await t.step("CODE, over every command", async () => {
    const r = recorder();
    const code = codeSource(
      { code: "111111", mfaProcess: "x", profile: "work", config: CONFIG },
      r.io,
    );
    assert.equal(await code(SERIAL), "111111");
    assert.deepEqual([r.commands, r.prompts, r.terminal], [[], [], []]);
  });
  await t.step('"-": a line of stdin', async () => {
    const r = recorder();
    const code = codeSource(
      { code: "-", mfaProcess: "x", profile: "work", config: CONFIG },
      r.io,
    );
    assert.equal(await code(SERIAL), "222222");
    assert.deepEqual(r.commands, []);
  });
  await t.step("--mfa-process, over the config's", async () => {
    const r = recorder();
    const code = codeSource(
      { mfaProcess: "op item get aws --otp", profile: "work", config: CONFIG },
      r.io,
    );
    assert.equal(await code(SERIAL), "444444");
    assert.deepEqual(r.commands, [["op item get aws --otp", {
      origin: "from --mfa-process",
      timeoutMs: 30_000,
      windows: false,
    }]]);
  });
  await t.step("mfa_process of the profile, trimmed and named", async () => {
    const r = recorder({ AWSMFA_MFA_PROCESS_TIMEOUT: "2.5" });
    const code = codeSource({ profile: "work", config: CONFIG }, r.io);
    assert.equal(await code(SERIAL), "444444");
    assert.deepEqual(r.commands, [["ykman oath accounts code", {
      origin: 'from mfa_process of profile "work"',
      timeoutMs: 2500,
      windows: false,
    }]]);
  });
  await t.step("an empty mfa_process is none: the prompt", async () => {
    const r = recorder();
    const code = codeSource(
      { profile: "work", config: { mfa_process: "  " } },
      r.io,
    );
    assert.equal(await code(SERIAL), "333333");
    assert.deepEqual(r.prompts, [`MFA code for ${SERIAL}: `]);
    assert.deepEqual([r.commands, r.terminal], [[], []]);
  });
  await t.step(
    "terminalOnly: the terminal's prompt, not the run's",
    async () => {
      const r = recorder();
      const code = codeSource(
        { profile: "work", config: undefined, terminalOnly: true },
        r.io,
      );
      assert.equal(await code(SERIAL), "555555");
      assert.deepEqual(r.terminal, [SERIAL]);
      assert.deepEqual([r.prompts, r.commands], [[], []]);
    },
  );
  await t.step("terminalOnly still runs a configured command", async () => {
    const r = recorder();
    const code = codeSource(
      { profile: "work", config: CONFIG, terminalOnly: true },
      r.io,
    );
    assert.equal(await code(SERIAL), "444444");
    assert.deepEqual(r.terminal, []);
  });
});

Deno.test("codeSource: choosing reads nothing; a bad timeout fails only when the code is asked for", async () => {
  const r = recorder({ AWSMFA_MFA_PROCESS_TIMEOUT: "601" });
  const code = codeSource({ profile: "work", config: CONFIG }, r.io);
  assert.deepEqual([r.commands, r.prompts, r.terminal], [[], [], []]);
  await assert.rejects(() => code(SERIAL), UsageError);
  assert.deepEqual(r.commands, []);
});
