/**
 * lib/mfa_code/console_terminal.ts (the Windows console) through fake
 * console files, so its line editing runs on every OS: nothing typed is
 * written back, Backspace drops a whole character, Ctrl-U the line, an arrow
 * key's sequence is skipped, Ctrl-C cancels, Ctrl-D on an empty line is
 * null; raw mode is turned off and both files closed at the end.
 */
import assert from "node:assert/strict";
import { AwsmfaError, ExitCode } from "../../lib/shared/errors.ts";
import {
  type ConsoleFile,
  openConsole,
} from "../../lib/mfa_code/console_terminal.ts";
import { NoTerminalError } from "../../lib/mfa_code/terminal.ts";

interface FakeConsole {
  opened: [string, Deno.OpenOptions][];
  shown: string;
  raw: boolean[];
  closed: string[];
  open(path: string, options: Deno.OpenOptions): Promise<ConsoleFile>;
}

/** A console on which each of `reads` is what one read returns. */
function fakeConsole(reads: string[]): FakeConsole {
  const queue = reads.map((text) => new TextEncoder().encode(text));
  const fake: FakeConsole = {
    opened: [],
    shown: "",
    raw: [],
    closed: [],
    open(path, options) {
      fake.opened.push([path, options]);
      return Promise.resolve({
        read(buffer: Uint8Array) {
          const next = queue.shift();
          if (next === undefined) return Promise.resolve(null);
          buffer.set(next);
          return Promise.resolve(next.length);
        },
        writeSync(data: Uint8Array) {
          fake.shown += new TextDecoder().decode(data);
          return data.length;
        },
        setRaw(mode: boolean) {
          fake.raw.push(mode);
        },
        close() {
          fake.closed.push(path);
        },
      });
    },
  };
  return fake;
}

async function readLine(reads: string[]) {
  const fake = fakeConsole(reads);
  const terminal = await openConsole(fake.open);
  terminal.write("MFA code: ");
  try {
    return { line: await terminal.readSecretLine(), fake };
  } finally {
    terminal.close();
  }
}

Deno.test("console: opens CONIN$ and CONOUT$, raw while asking, and lets both go", async () => {
  const { line, fake } = await readLine(["123456\r"]);
  assert.equal(line, "123456");
  assert.deepEqual(fake.opened, [
    ["CONIN$", { read: true, write: true }],
    ["CONOUT$", { write: true }],
  ]);
  assert.deepEqual(fake.raw, [true, false]);
  assert.deepEqual(fake.closed.sort(), ["CONIN$", "CONOUT$"]);
  // The prompt and the newline the console did not echo; nothing typed.
  assert.equal(fake.shown, "MFA code: \r\n");
});

Deno.test("console: the line is edited as typed", async (t) => {
  const cases: [string, string[], string | null][] = [
    ["Backspace", ["12x\x083456\n"], "123456"],
    ["DEL drops a whole UTF-8 character", ["1é\x7f23456\r"], "123456"],
    ["Ctrl-U clears the line", ["999\x15", "654321\r"], "654321"],
    ["an arrow key's sequence is skipped", ["12\x1b[D", "3456\r"], "123456"],
    ["control characters are dropped", ["12\x013456\r"], "123456"],
    ["Ctrl-D on an empty line", ["\x04"], null],
    ["Ctrl-D after text ends the line", ["12\x04"], "12"],
    ["end of input on an empty line", [], null],
  ];
  for (const [name, reads, expected] of cases) {
    await t.step(name, async () => {
      const { line, fake } = await readLine(reads);
      assert.equal(line, expected);
      assert.equal(fake.shown, "MFA code: \r\n");
    });
  }
});

Deno.test("console: Ctrl-C cancels with exit 130 and the console is still let go", async () => {
  const fake = fakeConsole(["12\x03"]);
  const terminal = await openConsole(fake.open);
  const error = await terminal.readSecretLine().then(
    () => undefined,
    (e) => e,
  );
  terminal.close();
  assert.ok(error instanceof AwsmfaError);
  assert.equal(error.exitCode, ExitCode.Cancelled);
  assert.deepEqual(fake.raw, [true, false]);
  assert.equal(fake.closed.length, 2);
});

Deno.test("console: one that cannot be opened is a NoTerminalError, and what was opened is closed", async () => {
  const fake = fakeConsole([]);
  const error = await openConsole(async (path, options) => {
    if (path === "CONOUT$") {
      throw new Deno.errors.NotFound(
        "The system cannot find the file (os error 2)",
      );
    }
    return await fake.open(path, options);
  }).then(() => undefined, (e) => e);
  assert.ok(error instanceof NoTerminalError);
  assert.equal(error.reason, "CONIN$: not found");
  assert.deepEqual(fake.closed, ["CONIN$"]);
});
