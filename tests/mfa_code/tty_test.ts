/**
 * lib/mfa_code/tty.ts on a real pseudo-terminal: `script` (util-linux) gives the
 * worker a controlling terminal whose screen we read and whose keyboard we
 * type on, while the worker's stdin and stdout point elsewhere, as under the
 * AWS CLI. What is typed must never reach the screen, stdout or stderr.
 */

import assert from "node:assert/strict";
import { ExitCode } from "../../lib/shared/errors.ts";
import { NoTerminalError, type Terminal } from "../../lib/mfa_code/terminal.ts";
import { terminalPrompt } from "../../lib/mfa_code/tty.ts";
import { findTool, needs } from "../support/tools.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const WORKER = `${ROOT}tests/support/tty_worker.ts`;
// No digit of the codes typed below appears in the serial or the prompt.
const SERIAL = "arn:aws:iam::999999999999:mfa/alice";
const PROMPT = `MFA code for ${SERIAL}: `;
const ON_LINUX = Deno.build.os === "linux";
const SCRIPT = await findTool("script");

interface WorkerResult {
  code?: string;
  error?: string;
  exitCode?: number;
  stty: string;
}

/** The worker's command line, its stdin from /dev/null and stdout/stderr to files. */
function workerCommand(dir: string): string {
  // exec: the worker itself is the session leader, so Ctrl-C reaches it and
  // its prompt script, not a shell between them.
  return [
    "exec",
    Deno.execPath(),
    "run",
    "--quiet",
    `--config=${ROOT}deno.json`,
    "-P=awsmfa",
    WORKER,
    `'${SERIAL}'`,
    `${dir}/result.json`,
    `</dev/null >${dir}/stdout.txt 2>${dir}/stderr.txt`,
  ].join(" ");
}

/** A worker on a pseudo-terminal: read its screen, type on its keyboard. */
class Pty {
  screen = "";
  readonly #child: Deno.ChildProcess;
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  constructor(readonly dir: string) {
    this.#child = new Deno.Command(SCRIPT.path, {
      args: ["-qfec", workerCommand(dir), "/dev/null"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    this.#writer = this.#child.stdin.getWriter();
  }

  /** Read the screen until it shows `text` the `nth` time. */
  async waitFor(text: string, nth = 1): Promise<void> {
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 20_000);
    try {
      while (this.screen.split(text).length - 1 < nth) {
        const { value, done } = await this.#reader.read();
        assert.ok(!done, `the screen never showed "${text}": ${this.screen}`);
        this.screen += value;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async type(keys: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(keys));
  }

  /** Wait for the worker to end; its result and what it put on stdout/stderr. */
  async finish(): Promise<
    { result: WorkerResult; stdout: string; stderr: string }
  > {
    for (;;) {
      const { value, done } = await this.#reader.read();
      if (done) break;
      this.screen += value;
    }
    await this.#writer.close().catch(() => {});
    const status = await this.#child.status;
    const scriptErr = new TextDecoder().decode(
      await new Response(this.#child.stderr).arrayBuffer(),
    );
    const stderr = await Deno.readTextFile(`${this.dir}/stderr.txt`);
    assert.equal(status.code, 0, `${scriptErr}${stderr}${this.screen}`);
    return {
      result: JSON.parse(await Deno.readTextFile(`${this.dir}/result.json`)),
      stdout: await Deno.readTextFile(`${this.dir}/stdout.txt`),
      stderr,
    };
  }
}

async function withPty(fn: (pty: Pty) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tty_" });
  try {
    await fn(new Pty(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The terminal echoes and is line-buffered again (`stty -a`). */
function assertRestored(stty: string): void {
  assert.match(stty, /(^|\s)echo(\s|$)/, stty);
  assert.match(stty, /(^|\s)icanon(\s|$)/, stty);
}

Deno.test("tty: the prompt holds what is written until a read, which opens the terminal, shows it, reads and lets it go", async () => {
  const events: string[] = [];
  const answers: (string | Error)[] = [
    "12345",
    new NoTerminalError("/dev/tty", "gone"),
  ];
  let opened = 0;
  const open = (): Promise<Terminal> => {
    const n = ++opened;
    return Promise.resolve({
      write: (text) => events.push(`${n} write ${JSON.stringify(text)}`),
      readSecretLine() {
        events.push(`${n} read`);
        const answer = answers.shift()!;
        return answer instanceof Error
          ? Promise.reject(answer)
          : Promise.resolve(answer);
      },
      close: () => events.push(`${n} close`),
    });
  };
  const prompt = terminalPrompt(open);
  prompt.writePrompt("MFA code for x: ");
  assert.equal(opened, 0);
  assert.equal(await prompt.readPromptLine(), "12345");
  prompt.writePrompt("try again.\n");
  prompt.writePrompt("MFA code for x: ");
  await assert.rejects(() => prompt.readPromptLine(), NoTerminalError);
  assert.deepEqual(events, [
    '1 write "MFA code for x: "',
    "1 read",
    "1 close",
    '2 write "try again.\\nMFA code for x: "',
    "2 read",
    "2 close",
  ]);
});

Deno.test({
  name:
    "tty: the code is asked for on the terminal with stdin and stdout elsewhere, and never echoed",
  ...needs(SCRIPT, { ignore: !ON_LINUX }),
  fn: async () => {
    await withPty(async (pty) => {
      await pty.waitFor(PROMPT);
      // A typo, corrected with Backspace (DEL), then Enter (CR).
      await pty.type("12x\x7f3456\r");
      const { result, stdout, stderr } = await pty.finish();
      assert.equal(result.code, "123456");
      assert.ok(pty.screen.includes(PROMPT));
      for (const typed of ["123456", "12x", "3456", "12", "x"]) {
        assert.ok(!pty.screen.includes(typed), `"${typed}" was echoed`);
      }
      assert.equal(stdout, "");
      assert.equal(stderr, "");
      assertRestored(result.stty);
    });
  },
});

Deno.test({
  name:
    "tty: a malformed answer is asked again on the terminal; neither answer is shown",
  ...needs(SCRIPT, { ignore: !ON_LINUX }),
  fn: async () => {
    await withPty(async (pty) => {
      await pty.waitFor(PROMPT);
      await pty.type("12345\r");
      await pty.waitFor(PROMPT, 2);
      assert.ok(
        pty.screen.includes("The MFA code must be 6 digits; try again."),
      );
      // Ctrl-U clears what was typed so far.
      await pty.type("777\x15654321\n");
      const { result, stderr } = await pty.finish();
      assert.equal(result.code, "654321");
      for (const typed of ["12345", "777", "654321"]) {
        assert.ok(!pty.screen.includes(typed), `"${typed}" was echoed`);
      }
      assert.equal(stderr, "");
      assertRestored(result.stty);
    });
  },
});

Deno.test({
  name:
    "tty: Ctrl-C cancels and Ctrl-D gives up, each a plain error, and the terminal is put back",
  ...needs(SCRIPT, { ignore: !ON_LINUX }),
  fn: async (t) => {
    await t.step("Ctrl-C", async () => {
      await withPty(async (pty) => {
        await pty.waitFor(PROMPT);
        await pty.type("12\x03");
        const { result } = await pty.finish();
        assert.equal(result.code, undefined);
        assert.equal(
          result.error,
          "No MFA code was entered: the prompt was cancelled.",
        );
        assert.equal(result.exitCode, ExitCode.Cancelled);
        assert.ok(!pty.screen.includes("12"));
        assertRestored(result.stty);
      });
    });
    await t.step("Ctrl-D", async () => {
      await withPty(async (pty) => {
        await pty.waitFor(PROMPT);
        await pty.type("\x04");
        const { result } = await pty.finish();
        assert.equal(result.error, "No MFA code was entered.");
        assert.equal(result.exitCode, ExitCode.Usage);
        assertRestored(result.stty);
      });
    });
  },
});

Deno.test({
  name:
    "tty: without a controlling terminal the error says how else to give the code",
  ignore: !ON_LINUX,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "tty_" });
    try {
      // setsid: a new session, so no controlling terminal at all.
      const out = await new Deno.Command("setsid", {
        args: ["-w", "sh", "-c", workerCommand(dir)],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const result: WorkerResult = JSON.parse(
        await Deno.readTextFile(`${dir}/result.json`),
      );
      assert.equal(
        result.error,
        "Cannot ask for the MFA code: there is no terminal to ask on (/dev/tty: no such device or address), so set mfa_process for the profile or pass the code.",
      );
      assert.equal(result.exitCode, ExitCode.Usage);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
