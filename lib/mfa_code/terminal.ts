/**
 * The controlling terminal as the prompt sees it: a {@linkcode Terminal}
 * opened for one answer, where it is, and the two ways asking can end
 * without a code (no terminal, Ctrl-C).
 *
 * @module
 */

import { AwsmfaError, ExitCode, UsageError } from "../shared/errors.ts";

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
export function cancelled(): AwsmfaError {
  return new AwsmfaError(
    "No MFA code was entered: the prompt was cancelled.",
    ExitCode.Cancelled,
  );
}

/** Why an error of opening or running something failed, lower-cased, without Deno's `(os error N)`. */
export function describeFailure(error: unknown): string {
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return "permission denied";
  }
  if (error instanceof Deno.errors.NotFound) return "not found";
  const message = error instanceof Error ? error.message : String(error);
  // Deno's "(os error N)" and whatever follows it is not for the user.
  const end = message.search(/\s*\(os error \d+\)/);
  return (end < 0 ? message : message.slice(0, end)).toLowerCase();
}
