/**
 * The default command's prompt on a real pseudo-terminal: `script`
 * (util-linux) runs awsmfa, exactly as the binary runs, with the terminal as
 * its stdin, stdout and stderr, the way a person runs it. The code typed in
 * answer must reach STS and never the screen.
 */

import assert from "node:assert/strict";
import { cliCommandLine, cliEnv } from "../support/cli.ts";
import { writeWorkProfile } from "../support/aws_home.ts";
import { startStsDouble } from "../support/sts_double.ts";
import { findTool, needs } from "../support/tools.ts";

const ON_LINUX = Deno.build.os === "linux";
const SCRIPT = await findTool("script");

/** Read `reader` into `screen.text` until it holds `text`, or fail after 20 s. */
async function waitFor(
  reader: ReadableStreamDefaultReader<string>,
  screen: { text: string },
  text: string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!screen.text.includes(text)) {
    assert.ok(Date.now() < deadline, `never showed "${text}": ${screen.text}`);
    const { value, done } = await reader.read();
    assert.ok(!done, `the screen never showed "${text}": ${screen.text}`);
    screen.text += value;
  }
}

Deno.test({
  name:
    "prompt: the default command asks on the terminal with echo off; the code reaches STS, not the screen",
  ...needs(SCRIPT, { ignore: !ON_LINUX }),
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "prompt_" });
    const sts = await startStsDouble({ quiet: true });
    try {
      const user = sts.addUser({ userName: "alice" });
      await writeWorkProfile(home, user);
      const child = new Deno.Command(SCRIPT.path, {
        args: [
          "-qfec",
          `exec ${cliCommandLine(["--profile", "work"])}`,
          "/dev/null",
        ],
        clearEnv: true,
        env: await cliEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }),
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      const writer = child.stdin.getWriter();
      const screen = { text: "" };
      const prompt = `MFA code for ${user.serial}: `;
      await waitFor(reader, screen, prompt);
      const code = sts.currentCode(user);
      // A wrong first digit corrected with Backspace (DEL), then Enter.
      const wrong = code[0] === "9" ? "8" : "9";
      await writer.write(new TextEncoder().encode(`${wrong}\x7f${code}\r`));
      await waitFor(reader, screen, 'Wrote profile "mfa"');
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        screen.text += value;
      }
      await writer.close().catch(() => {});
      const status = await child.status;
      await child.stderr.cancel();
      assert.equal(status.code, 0, screen.text);
      assert.ok(!screen.text.includes(code), `the code was echoed`);
      assert.equal(sts.count("GetSessionToken", 200), 1);
      const credentials = await Deno.readTextFile(`${home}/.aws/credentials`);
      assert.match(credentials, /\[mfa\]\naws_access_key_id = ASIA/);
    } finally {
      await sts.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "prompt: Ctrl-C exits 130 and Ctrl-D says no code was entered, neither with the usage tail",
  ...needs(SCRIPT, { ignore: !ON_LINUX }),
  fn: async (t) => {
    const home = await Deno.makeTempDir({ prefix: "prompt_" });
    const sts = await startStsDouble({ quiet: true });
    try {
      const user = sts.addUser({ userName: "alice" });
      await writeWorkProfile(home, user);
      for (
        const [key, code, message] of [
          // 130 from awsmfa's sentence, or from SIGINT itself when it lands
          // outside the read (the shell's convention either way).
          [
            "\x03",
            130,
            /^MFA code for [^\n]*\n(awsmfa: No MFA code was entered: the prompt was cancelled\.\r?\n)?$/,
          ],
          ["\x04", 2, /No MFA code was entered\./],
        ] as const
      ) {
        await t.step(key === "\x03" ? "Ctrl-C" : "Ctrl-D", async () => {
          const child = new Deno.Command(SCRIPT.path, {
            args: [
              "-qfec",
              `exec ${cliCommandLine(["--profile", "work"])}`,
              "/dev/null",
            ],
            clearEnv: true,
            env: await cliEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }),
            stdin: "piped",
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          const reader = child.stdout.pipeThrough(new TextDecoderStream())
            .getReader();
          const writer = child.stdin.getWriter();
          const screen = { text: "" };
          await waitFor(reader, screen, `MFA code for ${user.serial}: `);
          await writer.write(new TextEncoder().encode(key));
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            screen.text += value;
          }
          await writer.close().catch(() => {});
          const status = await child.status;
          await child.stderr.cancel();
          assert.equal(status.code, code, screen.text);
          assert.match(screen.text, message);
          assert.doesNotMatch(screen.text, /--help/);
          assert.equal(sts.requests.length, 0);
        });
      }
    } finally {
      await sts.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "prompt: with stdin piped but a controlling terminal, the default command asks on /dev/tty",
  ...needs(SCRIPT, { ignore: !ON_LINUX }),
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "prompt_" });
    const sts = await startStsDouble({ quiet: true });
    try {
      const user = sts.addUser({ userName: "alice" });
      await writeWorkProfile(home, user);
      const child = new Deno.Command(SCRIPT.path, {
        args: [
          "-qfec",
          `exec ${cliCommandLine(["--profile", "work"])} </dev/null`,
          "/dev/null",
        ],
        clearEnv: true,
        env: await cliEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }),
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      const writer = child.stdin.getWriter();
      const screen = { text: "" };
      await waitFor(reader, screen, `MFA code for ${user.serial}: `);
      const code = sts.currentCode(user);
      await writer.write(new TextEncoder().encode(`${code}\r`));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        screen.text += value;
      }
      await writer.close().catch(() => {});
      const status = await child.status;
      await child.stderr.cancel();
      assert.equal(status.code, 0, screen.text);
      assert.match(screen.text, /Wrote profile "mfa"/);
      assert.ok(!screen.text.includes(code), "the code was echoed");
      assert.equal(sts.count("GetSessionToken", 200), 1);
    } finally {
      await sts.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});
