/**
 * The MFA code from a command (`--mfa-process` or `mfa_process` in the
 * config): run it through the system shell (lib/shared/shell.ts), read what
 * it prints on stdout, and accept only exactly one 6-digit code.
 *
 * Its stdin and stderr are the terminal's, so a command can ask for a
 * password or say "touch your key"; its stdout is never shown, because it may
 * hold a secret. It runs in a session and process group of its own, so a
 * timeout ends everything it started, also what left its process tree
 * (`(cmd &)`, `nohup`); it has no controlling terminal there, so it reads
 * and writes the terminal through stdin and stderr, not `/dev/tty`.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";
import type { EnvLookup } from "../aws_files/settings.ts";
import {
  commandTimeoutMs,
  describeCommand,
  runShellCommand,
} from "../shared/shell.ts";
import { isValidCode } from "./code_text.ts";

/** How long an MFA code command may run, unless `AWSMFA_MFA_PROCESS_TIMEOUT` says otherwise. */
const DEFAULT_CODE_PROCESS_TIMEOUT_MS = 30_000;

/** Most bytes of stdout read; one code and a newline are 7 or 8. */
const MAX_OUTPUT_BYTES = 4096;

/** An MFA code command that failed, timed out or printed no code (exit code 3). */
export class CodeProcessError extends LocalError {
  /** Create the error; the message never holds the command's output. */
  constructor(message: string) {
    super(message);
    this.name = "CodeProcessError";
  }
}

/** Where a command came from and how to run it. */
export interface CodeProcessOptions {
  /** Where the command was configured, for messages: `--mfa-process` or `mfa_process of profile "work"`. */
  origin: string;
  /** Time allowed, in ms. */
  timeoutMs: number;
  /** Run through `cmd /d /s /c` instead of `sh -c`. */
  windows: boolean;
}

/** Runs an MFA code command; the default is {@linkcode runCodeProcess}. */
export type CodeProcessRunner = (
  command: string,
  options: CodeProcessOptions,
) => Promise<string>;

/**
 * The time allowed for an MFA code command: `AWSMFA_MFA_PROCESS_TIMEOUT`
 * (seconds, decimals allowed, more than 0 and at most 600) or 30 s.
 */
export function codeProcessTimeoutMs(env: EnvLookup): number {
  return commandTimeoutMs(
    env,
    "AWSMFA_MFA_PROCESS_TIMEOUT",
    DEFAULT_CODE_PROCESS_TIMEOUT_MS,
  );
}

/**
 * Run `command` (POSIX `sh -c`, Windows `cmd /d /s /c`) and return the MFA
 * code it printed: its stdout, trimmed, must be exactly 6 digits.
 *
 * Throws {@linkcode CodeProcessError} when the shell cannot be started, the
 * command exits non-zero or is ended by a signal, does not finish within
 * `timeoutMs` (it is then killed, with the programs it started where
 * `ps` shows them), or prints anything else. No message holds
 * its output or more of the command than its first word.
 */
export async function runCodeProcess(
  command: string,
  options: CodeProcessOptions,
): Promise<string> {
  const name = `The MFA code command "${
    describeCommand(command)
  }" (${options.origin})`;
  const stdout = await runShellCommand(command, {
    name,
    timeoutMs: options.timeoutMs,
    windows: options.windows,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    tooMuch: "printed more than one 6-digit code",
    fail: (message) => new CodeProcessError(message),
  });
  const code = new TextDecoder().decode(stdout).trim();
  if (!isValidCode(code)) {
    throw new CodeProcessError(
      `${name} did not print exactly one 6-digit code; its output is not shown.`,
    );
  }
  return code;
}
