/**
 * An MFA code the user gives: on the command line, as one line of stdin, or
 * in answer to a prompt. No message here ever contains what the user typed.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";
import { isValidCode, ungroupCode } from "./code_text.ts";
import { readLine } from "./stdin_line.ts";
import { NoTerminalError } from "./terminal.ts";

/** How many malformed answers the terminal prompt accepts before giving up. */
const PROMPT_TRIES = 3;

/**
 * A typed answer as a code: trimmed, and `123 456` (as authenticator apps
 * show it) read as `123456`.
 */
function normalizeCode(text: string): string {
  return ungroupCode(text.trim());
}

/** What the user may give the code through, for {@linkcode obtainCode}: stdin and a prompt. */
export interface CodeInput {
  /** Standard input; `Deno.stdin.readable` in production. */
  stdin: ReadableStream<Uint8Array>;
  /** Whether stdin is a terminal, so a prompt can be answered. */
  stdinIsTerminal: boolean;
  /**
   * The prompt reads the controlling terminal (`/dev/tty`), not stdin, so it
   * can be answered with stdin piped; without a terminal it fails with a
   * {@linkcode NoTerminalError}.
   */
  promptReadsTerminal?: boolean;
  /** Write prompt text to stderr. */
  writePrompt(text: string): void;
  /** Read one line from the terminal, without its line ending; null at end of input. */
  readPromptLine(): Promise<string | null>;
}

async function codeFromStdin(stdin: ReadableStream<Uint8Array>) {
  const line = await readLine(stdin);
  const code = normalizeCode(line ?? "");
  if (code === "") {
    throw new UsageError(
      'Expected an MFA code on stdin (because CODE is "-"), but found none.',
    );
  }
  if (!isValidCode(code)) {
    throw new UsageError(
      "The MFA code read from stdin must be exactly 6 digits.",
    );
  }
  return code;
}

async function codeFromPrompt(serial: string, source: CodeInput) {
  for (let attempt = 1; attempt <= PROMPT_TRIES; attempt++) {
    source.writePrompt(`MFA code for ${serial}: `);
    const line = await source.readPromptLine();
    if (line === null) {
      source.writePrompt("\n");
      throw new UsageError("No MFA code was entered.");
    }
    const code = normalizeCode(line);
    if (isValidCode(code)) return code;
    if (attempt < PROMPT_TRIES) {
      source.writePrompt("The MFA code must be 6 digits; try again.\n");
    }
  }
  throw new UsageError(
    `No valid MFA code after ${PROMPT_TRIES} tries: the MFA code must be 6 digits.`,
  );
}

/**
 * Get the MFA code for `serial`.
 *
 * - `"-"`: one line from stdin, trimmed; malformed or empty → {@linkcode UsageError}.
 * - a code: itself, if it is 6 digits.
 * - undefined on a terminal: prompt `MFA code for <serial>: ` on stderr, with
 *   up to {@linkcode PROMPT_TRIES} tries on malformed input (saying it must be
 *   6 digits, never echoing it), then {@linkcode UsageError}.
 * - undefined with stdin piped: the prompt when it reads the controlling
 *   terminal (`promptReadsTerminal`) and there is one; else
 *   {@linkcode UsageError} telling to pass CODE or `-`.
 */
export async function obtainCode(
  code: string | undefined,
  serial: string,
  source: CodeInput,
): Promise<string> {
  if (code === "-") return await codeFromStdin(source.stdin);
  if (code !== undefined) {
    if (!isValidCode(code)) {
      throw new UsageError("The MFA code must be exactly 6 digits.");
    }
    return code;
  }
  const noCode = () =>
    new UsageError(
      'No MFA code: stdin is not a terminal, so pass CODE as an argument, or "-" to read it from stdin.',
    );
  if (!source.stdinIsTerminal && !source.promptReadsTerminal) throw noCode();
  try {
    return await codeFromPrompt(serial, source);
  } catch (error) {
    // Stdin piped and no terminal either: the same advice as without a prompt.
    if (
      !source.stdinIsTerminal && error instanceof NoTerminalError
    ) {
      throw noCode();
    }
    throw error;
  }
}
