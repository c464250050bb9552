/**
 * The controlling terminal on Windows: the console (`CONIN$`, `CONOUT$`),
 * opened directly and read in raw mode, the line edited here as the user
 * types (Backspace, Ctrl-U; Ctrl-D on an empty line means "no code"; Ctrl-C
 * cancels). Run on Windows only; the tests drive it through
 * {@linkcode ConsoleFiles}.
 *
 * @module
 */

import {
  cancelled,
  describeFailure,
  NoTerminalError,
  type Terminal,
  terminalPaths,
} from "./terminal.ts";

/** What the prompt uses of an open console file. */
export type ConsoleFile = Pick<
  Deno.FsFile,
  "read" | "writeSync" | "setRaw" | "close"
>;

/** Opens a console file; `Deno.open` in production, replaced in tests. */
export type ConsoleFiles = (
  path: string,
  options: Deno.OpenOptions,
) => Promise<ConsoleFile>;

const ENTER_CR = 0x0d;
const ENTER_LF = 0x0a;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const BACKSPACE = 0x08;
const DELETE = 0x7f;
const ESCAPE = 0x1b;
/** Longest line kept; a code is 6 characters. */
const MAX_LINE_CHARS = 256;

/**
 * Open the console.
 *
 * @throws {NoTerminalError} when it cannot be opened or put in raw mode.
 */
export async function openConsole(
  open: ConsoleFiles = Deno.open,
): Promise<Terminal> {
  const paths = terminalPaths("windows");
  let input: ConsoleFile | undefined;
  let output: ConsoleFile | undefined;
  try {
    input = await open(paths.input, { read: true, write: true });
    output = await open(paths.output, { write: true });
    input.setRaw(true);
  } catch (error) {
    output?.close();
    input?.close();
    throw new NoTerminalError(paths.input, describeFailure(error));
  }
  const console = { input, output };
  const write = (text: string) => {
    const data = new TextEncoder().encode(text);
    let offset = 0;
    while (offset < data.length) {
      offset += console.output.writeSync(data.subarray(offset));
    }
  };
  return {
    write,
    async readSecretLine() {
      try {
        return await readRawLine(console.input);
      } finally {
        write("\r\n");
      }
    },
    close() {
      try {
        console.input.setRaw(false);
      } finally {
        console.output.close();
        console.input.close();
      }
    },
  };
}

/** One line from a console in raw mode, edited as the user types. */
async function readRawLine(input: ConsoleFile): Promise<string | null> {
  const chars: number[] = [];
  const buffer = new Uint8Array(64);
  for (;;) {
    const count = await input.read(buffer);
    if (count === null) return chars.length === 0 ? null : decode(chars);
    for (let i = 0; i < count; i++) {
      const byte = buffer[i];
      if (byte === ENTER_CR || byte === ENTER_LF) return decode(chars);
      if (byte === CTRL_C) throw cancelled();
      if (byte === CTRL_D) return chars.length === 0 ? null : decode(chars);
      if (byte === BACKSPACE || byte === DELETE) {
        // Drop one character: a UTF-8 lead byte and its continuation bytes.
        while (chars.length > 0 && (chars.pop()! & 0xc0) === 0x80) {
          // a continuation byte
        }
        continue;
      }
      if (byte === CTRL_U) {
        chars.length = 0;
        continue;
      }
      // An arrow or function key: the rest of this read is its sequence.
      if (byte === ESCAPE) break;
      if (byte < 0x20) continue;
      if (chars.length < MAX_LINE_CHARS) chars.push(byte);
    }
  }
}

function decode(bytes: number[]): string {
  return new TextDecoder().decode(new Uint8Array(bytes));
}
