/**
 * Asking for the MFA code on the controlling terminal rather than on
 * stdin/stdout, which belong to the calling tool when awsmfa runs as a
 * `credential_process` (the AWS CLI reads our stdout and keeps our stderr to
 * itself).
 *
 * The terminal is `/dev/tty` (`CONIN$` and `CONOUT$` on Windows).
 *
 * Deno 2.9 lets no program open `/dev/tty` (or any other path under `/dev`)
 * without `--allow-all`, whatever its read and write permissions, so on
 * Unix the prompt goes through a small `sh` script instead (`run` is in the
 * permission set already): it writes the prompt to `/dev/tty`, turns echo
 * off, reads one line there, puts the terminal's settings back (also on
 * Ctrl-C, TERM and HUP) and hands the line over on a pipe. The terminal
 * itself edits the line (Backspace, Ctrl-U); Ctrl-D on an empty line means
 * "no code"; Ctrl-C cancels.
 *
 * On Windows the console is opened directly and read in raw mode (not
 * exercised by the tests here, which run on Linux).
 *
 * No terminal (a cron job, a CI runner, an IDE without one) is a
 * {@linkcode UsageError} that says how to give the code another way.
 *
 * @module
 */

import { AwsmfaError, ExitCode, UsageError } from "../shared/errors.ts";
import { type CodeSource, obtainCode } from "./token.ts";

/** A terminal opened for one prompt. */
export interface Terminal {
  /** Write text to the terminal (never to stdout or stderr); may be held until the next read. */
  write(text: string): void;
  /**
   * Read one line without echoing it: the text before Enter, or null when
   * the input ends (Ctrl-D) before anything was typed. Writes the newline the
   * terminal did not echo.
   *
   * @throws {AwsmfaError} with exit code 130 when the user presses Ctrl-C;
   * {@linkcode NoTerminalError} when the terminal cannot be read.
   */
  readSecretLine(): Promise<string | null>;
  /** Write what is still held, put the terminal back and let it go. */
  close(): void;
}

/** Where the controlling terminal is, for reading and for writing. */
export interface TerminalPaths {
  /** Opened for reading what the user types. */
  input: string;
  /** Opened for writing the prompt. */
  output: string;
}

/** The controlling terminal's paths on `os` (default: this one). */
export function terminalPaths(
  os: typeof Deno.build.os = Deno.build.os,
): TerminalPaths {
  return os === "windows"
    ? { input: "CONIN$", output: "CONOUT$" }
    : { input: "/dev/tty", output: "/dev/tty" };
}

const CANCELLED = "No MFA code was entered: the prompt was cancelled.";

/** Exit status of the read script: end of input before anything was typed. */
const EXIT_NO_INPUT = 1;
/** Exit status of the read script: no terminal to open. */
const EXIT_NO_TERMINAL = 3;
/** Exit status of the read script after Ctrl-C (or TERM, HUP). */
const EXIT_CANCELLED = 130;

/**
 * Echo is turned off, `$1` is written to the terminal, then one line is read
 * there and printed on stdout. Echo goes off before the prompt shows, so
 * nothing typed in answer to it can be echoed. The terminal's settings are
 * saved first and put back on every way out.
 */
const READ_SCRIPT = `saved=$(stty -g </dev/tty) || exit ${EXIT_NO_TERMINAL}
trap 'stty "$saved" </dev/tty; printf "\\n" >/dev/tty; exit ${EXIT_CANCELLED}' INT TERM HUP
stty -echo </dev/tty
printf '%s' "$1" >/dev/tty
IFS= read -r line </dev/tty
status=$?
stty "$saved" </dev/tty
printf '\\n' >/dev/tty
if [ "$status" -ne 0 ] && [ -z "$line" ]; then exit ${EXIT_NO_INPUT}; fi
printf '%s\\n' "$line"
`;

const WRITE_SCRIPT = `printf '%s' "$1" >/dev/tty`;

/** Checks that there is a controlling terminal; its error names why not. */
const PROBE_SCRIPT = ": </dev/tty";

/**
 * No terminal to ask on. The message gives the default command's way out;
 * a command that takes no code (`credential-process`) says its own with
 * {@linkcode NoTerminalError.reason}.
 */
export class NoTerminalError extends UsageError {
  /** What was tried and why it failed, e.g. `/dev/tty: no such device or address`. */
  readonly reason: string;

  /** Create the error for the terminal at `path`. */
  constructor(path: string, reason: string) {
    super(
      `Cannot ask for the MFA code: there is no terminal to ask on (${path}: ${reason}), so set mfa_process for the profile or pass the code.`,
    );
    this.name = "NoTerminalError";
    this.reason = `${path}: ${reason}`;
  }
}

/** Ctrl-C at the prompt: exit 130, as the shell reports a process ended by SIGINT. */
function cancelled(): AwsmfaError {
  return new AwsmfaError(CANCELLED, ExitCode.Cancelled);
}

/** The reason in a shell's "cannot open /dev/tty: …" message, lower-cased. */
function shellReason(stderr: Uint8Array): string {
  const text = new TextDecoder().decode(stderr).trim();
  const match = /\/dev\/tty:\s*([^\n]+)$/m.exec(text);
  return (match?.[1] ?? (text || "it cannot be opened")).replace(/\.$/, "")
    .toLowerCase();
}

function describe(error: unknown): string {
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return "permission denied";
  }
  if (error instanceof Deno.errors.NotFound) return "not found";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\)[^]*$/, "").toLowerCase();
}

/**
 * Open the controlling terminal.
 *
 * @throws {UsageError} when there is none (or it cannot be used), saying how
 * to give the code without one.
 */
export async function openTerminal(
  os: typeof Deno.build.os = Deno.build.os,
): Promise<Terminal> {
  return os === "windows" ? await openConsole() : await openShellTerminal();
}

async function runScript(
  script: string,
  args: string[],
): Promise<Deno.CommandOutput> {
  return await new Deno.Command("sh", {
    args: ["-c", script, "sh", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

async function openShellTerminal(): Promise<Terminal> {
  let probe: Deno.CommandOutput;
  try {
    probe = await runScript(PROBE_SCRIPT, []);
  } catch (error) {
    throw new NoTerminalError("/dev/tty", `cannot run sh: ${describe(error)}`);
  }
  if (!probe.success) {
    throw new NoTerminalError("/dev/tty", shellReason(probe.stderr));
  }

  let pending = "";
  return {
    write(text) {
      pending += text;
    },
    async readSecretLine() {
      const prompt = pending;
      pending = "";
      // Ctrl-C reaches every process in the terminal's foreground group: the
      // script puts the terminal back and exits 130; this process must not
      // die of it first.
      const ignore = () => {};
      Deno.addSignalListener("SIGINT", ignore);
      let out: Deno.CommandOutput;
      try {
        out = await runScript(READ_SCRIPT, [prompt]);
      } catch (error) {
        throw new NoTerminalError(
          "/dev/tty",
          `cannot run sh: ${describe(error)}`,
        );
      } finally {
        Deno.removeSignalListener("SIGINT", ignore);
      }
      if (out.code === EXIT_NO_INPUT) return null;
      if (out.code === EXIT_CANCELLED || out.signal === "SIGINT") {
        throw cancelled();
      }
      if (!out.success) {
        throw new NoTerminalError("/dev/tty", shellReason(out.stderr));
      }
      return new TextDecoder().decode(out.stdout).replace(/\r?\n$/, "");
    },
    close() {
      if (pending === "") return;
      try {
        new Deno.Command("sh", {
          args: ["-c", WRITE_SCRIPT, "sh", pending],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).outputSync();
      } catch {
        // Nothing more can be shown on a terminal that went away.
      }
      pending = "";
    },
  };
}

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

/** The Windows console, opened directly and read in raw mode. */
async function openConsole(): Promise<Terminal> {
  const paths = terminalPaths("windows");
  let input: Deno.FsFile | undefined;
  let output: Deno.FsFile | undefined;
  try {
    input = await Deno.open(paths.input, { read: true, write: true });
    output = await Deno.open(paths.output, { write: true });
    input.setRaw(true);
  } catch (error) {
    output?.close();
    input?.close();
    throw new NoTerminalError(paths.input, describe(error));
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
async function readRawLine(input: Deno.FsFile): Promise<string | null> {
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

/**
 * A {@linkcode CodeSource} that prompts on `terminal`, for
 * {@linkcode obtainCode} with no code given: the same prompt, retries and
 * validation as a prompt on stdin, with neither stdin nor stdout touched.
 */
export function terminalCodeSource(terminal: Terminal): CodeSource {
  return {
    stdin: new ReadableStream({
      start(controller) {
        controller.close();
      },
    }),
    stdinIsTerminal: true,
    writePrompt: (text) => terminal.write(text),
    readPromptLine: () => terminal.readSecretLine(),
  };
}

/**
 * Ask for the MFA code of `serial` on the controlling terminal: open it,
 * prompt `MFA code for <serial>: ` (up to three tries for a malformed
 * answer), let it go.
 *
 * @throws {UsageError} when there is no terminal, nothing valid was entered,
 * or the prompt was cancelled.
 */
export async function promptCodeOnTerminal(serial: string): Promise<string> {
  const terminal = await openTerminal();
  try {
    return await obtainCode(undefined, serial, terminalCodeSource(terminal));
  } finally {
    terminal.close();
  }
}
