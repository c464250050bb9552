import assert from "node:assert/strict";
import { ExitCode, UsageError } from "../../lib/shared/errors.ts";
import { NoTerminalError } from "../../lib/mfa_code/terminal.ts";
import { isValidCode } from "../../lib/mfa_code/code_text.ts";
import { type CodeInput, obtainCode } from "../../lib/mfa_code/token.ts";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const encoder = new TextEncoder();

/**
 * A stream that yields `chunks` and then closes, or, if `close` is false,
 * stays open like a pipe whose writer keeps it: a read past the chunks
 * would wait for ever, so it fails the reader at once instead.
 */
function streamOf(
  chunks: (string | Uint8Array)[],
  close = true,
): ReadableStream<Uint8Array> {
  const queue = chunks.map((chunk) =>
    typeof chunk === "string" ? encoder.encode(chunk) : chunk
  );
  return new ReadableStream<Uint8Array>({
    // Pulled only for a read that is waiting, never ahead of one.
    pull(controller) {
      const next = queue.shift();
      if (next !== undefined) controller.enqueue(next);
      else if (close) controller.close();
      else controller.error(new Error("read past the line of a held pipe"));
    },
  }, { highWaterMark: 0 });
}

/** A stream that fails the test if anyone reads it. */
function untouchableStream(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull() {
      throw new Error("stdin must not be read here");
    },
  });
}

interface FakeTerminal extends CodeInput {
  written: string[];
  reads: number;
}

function fakeSource(options: {
  stdin?: ReadableStream<Uint8Array>;
  stdinIsTerminal?: boolean;
  answers?: (string | null)[];
}): FakeTerminal {
  const answers = [...(options.answers ?? [])];
  const source: FakeTerminal = {
    stdin: options.stdin ?? untouchableStream(),
    stdinIsTerminal: options.stdinIsTerminal ?? false,
    written: [],
    reads: 0,
    writePrompt(text) {
      source.written.push(text);
    },
    readPromptLine() {
      source.reads++;
      if (answers.length === 0) {
        return Promise.reject(
          new Error("prompt read more often than expected"),
        );
      }
      return Promise.resolve(answers.shift() ?? null);
    },
  };
  return source;
}

/** Reject if a child process takes longer than `ms`, so a hang fails instead of stalling. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still waiting after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function usageErrorOf(promise: Promise<unknown>): Promise<UsageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.exitCode, ExitCode.Usage);
    assert.ok(!error.message.includes("\n"));
    return error;
  }
  return assert.fail("expected a usage error");
}

Deno.test("isValidCode accepts exactly 6 ASCII digits", () => {
  for (const good of ["123456", "000000", "012345"]) {
    assert.equal(isValidCode(good), true, good);
  }
  for (
    const bad of [
      "",
      "12345",
      "1234567",
      "12345a",
      " 123456",
      "123456\n",
      "12 345",
      "١٢٣٤٥٦", // Arabic-Indic digits
      "１２３４５６", // full-width digits
      "-12345",
    ]
  ) {
    assert.equal(isValidCode(bad), false, JSON.stringify(bad));
  }
});

Deno.test('obtainCode("-") reads one line from stdin', async (t) => {
  const cases: [string, (string | Uint8Array)[], boolean, string][] = [
    ["LF", ["123456\n"], true, "123456"],
    ["CRLF", ["012345\r\n"], true, "012345"],
    ["no line ending at EOF", ["654321"], true, "654321"],
    ["spaces around", ["  246801 \t\n"], true, "246801"],
    ["UTF-8 BOM first", ["\ufeff135790\r\n"], true, "135790"],
    ["split over chunks", ["12", "34", "5", "6\r", "\n"], true, "123456"],
    ["empty chunks", [new Uint8Array(0), "111111\n"], true, "111111"],
    ["only the first line", ["222222\n333333\n"], true, "222222"],
    ["writer keeps stdin open", ["444444\n"], false, "444444"],
    ["CRLF, writer keeps it open", ["555555\r\n"], false, "555555"],
  ];
  for (const [name, chunks, close, expected] of cases) {
    await t.step(name, async () => {
      const source = fakeSource({ stdin: streamOf(chunks, close) });
      assert.equal(await obtainCode("-", SERIAL, source), expected);
      assert.deepEqual(source.written, [], "no prompt for -");
      assert.equal(source.reads, 0);
    });
  }
  await t.step(
    "reads stdin even on a terminal, without prompting",
    async () => {
      const source = fakeSource({
        stdin: streamOf(["777777\n"]),
        stdinIsTerminal: true,
      });
      assert.equal(await obtainCode("-", SERIAL, source), "777777");
      assert.deepEqual(source.written, []);
    },
  );
});

Deno.test('obtainCode("-") refuses empty or malformed stdin without echoing it', async (t) => {
  const empty =
    'Expected an MFA code on stdin (because CODE is "-"), but found none.';
  const malformed = "The MFA code read from stdin must be exactly 6 digits.";
  const cases: [string, (string | Uint8Array)[], boolean, string][] = [
    ["closed at once", [], true, empty],
    ["empty line", ["\n"], true, empty],
    ["blank CRLF line", [" \r\n"], true, empty],
    ["five digits", ["98765\n"], true, malformed],
    ["seven digits", ["9876543\n"], true, malformed],
    ["letters", ["98765x\n"], true, malformed],
    ["two codes on a line", ["987654 876543\n"], true, malformed],
    ["long line, writer keeps it open", ["9".repeat(10000)], false, malformed],
  ];
  for (const [name, chunks, close, message] of cases) {
    await t.step(name, async () => {
      const source = fakeSource({ stdin: streamOf(chunks, close) });
      const error = await usageErrorOf(obtainCode("-", SERIAL, source));
      assert.equal(error.message, message);
      assert.ok(!error.message.includes("98765"));
    });
  }
});

Deno.test("obtainCode returns a code given on the command line without reading anything", async () => {
  for (const stdinIsTerminal of [true, false]) {
    const source = fakeSource({ stdinIsTerminal });
    assert.equal(await obtainCode("012345", SERIAL, source), "012345");
    assert.deepEqual(source.written, []);
    assert.equal(source.reads, 0);
  }
  const error = await usageErrorOf(
    obtainCode("98765", SERIAL, fakeSource({})),
  );
  assert.equal(error.message, "The MFA code must be exactly 6 digits.");
});

Deno.test("obtainCode prompts on a terminal and retries malformed answers", async (t) => {
  const prompt = `MFA code for ${SERIAL}: `;
  const retry = "The MFA code must be 6 digits; try again.\n";

  await t.step("first answer good", async () => {
    const source = fakeSource({ stdinIsTerminal: true, answers: ["012345"] });
    assert.equal(await obtainCode(undefined, SERIAL, source), "012345");
    assert.deepEqual(source.written, [prompt]);
  });

  await t.step("answer with spaces around is trimmed", async () => {
    const source = fakeSource({ stdinIsTerminal: true, answers: [" 123456 "] });
    assert.equal(await obtainCode(undefined, SERIAL, source), "123456");
  });

  await t.step("third answer good after two bad ones", async () => {
    const source = fakeSource({
      stdinIsTerminal: true,
      answers: ["98765", "abcdef", "654321"],
    });
    assert.equal(await obtainCode(undefined, SERIAL, source), "654321");
    assert.deepEqual(source.written, [prompt, retry, prompt, retry, prompt]);
    assert.equal(source.reads, 3);
  });

  await t.step("3 bad answers give up", async () => {
    const source = fakeSource({
      stdinIsTerminal: true,
      answers: ["98765", "", "9876543"],
    });
    const error = await usageErrorOf(obtainCode(undefined, SERIAL, source));
    assert.equal(
      error.message,
      "No valid MFA code after 3 tries: the MFA code must be 6 digits.",
    );
    assert.equal(source.reads, 3);
    assert.equal(source.written.filter((text) => text === prompt).length, 3);
    for (const text of [...source.written, error.message]) {
      assert.ok(!text.includes("98765"), `echoed input: ${text}`);
    }
  });

  await t.step("end of input at the prompt", async () => {
    const source = fakeSource({ stdinIsTerminal: true, answers: [null] });
    const error = await usageErrorOf(obtainCode(undefined, SERIAL, source));
    assert.equal(error.message, "No MFA code was entered.");
    assert.equal(source.reads, 1);
  });
});

Deno.test("obtainCode without a code and without a terminal is a usage error", async () => {
  const source = fakeSource({ stdinIsTerminal: false });
  const error = await usageErrorOf(obtainCode(undefined, SERIAL, source));
  assert.equal(
    error.message,
    'No MFA code: stdin is not a terminal, so pass CODE as an argument, or "-" to read it from stdin.',
  );
  assert.deepEqual(source.written, []);
  assert.equal(source.reads, 0);
});

Deno.test("obtainCode: a prompt on the terminal with stdin piped and no terminal either gives the same advice as no prompt", async (t) => {
  const noTerminal = (stdinIsTerminal: boolean): CodeInput => ({
    stdin: untouchableStream(),
    stdinIsTerminal,
    promptReadsTerminal: true,
    writePrompt() {},
    readPromptLine: () =>
      Promise.reject(new NoTerminalError("/dev/tty", "no such device")),
  });
  await t.step("stdin piped", async () => {
    const error = await usageErrorOf(
      obtainCode(undefined, SERIAL, noTerminal(false)),
    );
    assert.ok(!(error instanceof NoTerminalError));
    assert.equal(
      error.message,
      'No MFA code: stdin is not a terminal, so pass CODE as an argument, or "-" to read it from stdin.',
    );
  });
  await t.step("stdin a terminal: the terminal's own sentence", async () => {
    const error = await usageErrorOf(
      obtainCode(undefined, SERIAL, noTerminal(true)),
    );
    assert.ok(error instanceof NoTerminalError);
  });
});

Deno.test('obtainCode("-") with the real Deno.stdin returns and exits while the writer keeps stdin open', async () => {
  const tokenModule =
    new URL("../../lib/mfa_code/token.ts", import.meta.url).href;
  const script = `
    import { obtainCode } from ${JSON.stringify(tokenModule)};
    const code = await obtainCode("-", "x", {
      stdin: Deno.stdin.readable,
      stdinIsTerminal: false,
      writePrompt() {},
      readPromptLine: () => Promise.resolve(null),
    });
    console.log(code === "012345" ? "read the code" : "wrong code");
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    await writer.write(encoder.encode("012345\r\n"));
    // stdin stays open until the child has exited on its own.
    const output = await within(child.output(), 10_000);
    assert.equal(new TextDecoder().decode(output.stderr), "");
    assert.equal(new TextDecoder().decode(output.stdout), "read the code\n");
    assert.equal(output.code, 0);
  } finally {
    await writer.close().catch(() => undefined);
    try {
      child.kill();
    } catch {
      // already exited
    }
  }
});
