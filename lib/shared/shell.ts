/**
 * A command line the user configured (`mfa_process`, a source profile's
 * `credential_process`), run through the system shell with
 * {@linkcode spawnBounded}: stdin and stderr on the terminal, in a session
 * and process group of its own, stdout read up to a cap and never shown.
 *
 * Messages name the command by its first word only: the rest of a command
 * line may hold a secret (`oathtool --totp -b SECRET`).
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { spawnBounded } from "./spawn.ts";

/**
 * The command as messages name it: its first word, and `…` when more follows.
 *
 * @example
 * ```ts
 * describeCommand("oathtool --totp -b ABC"); // "oathtool …"
 * ```
 */
export function describeCommand(command: string): string {
  const words = command.trim().split(/\s+/);
  const first = words[0].length > 40 ? `${words[0].slice(0, 40)}…` : words[0];
  return words.length > 1 ? `${first} …` : first;
}

/**
 * The time allowed for a configured command: the environment variable
 * `variable` (seconds, decimals allowed, more than 0 and at most 600) or
 * `defaultMs`.
 *
 * @throws {UsageError} when `variable` is set to anything else.
 */
export function commandTimeoutMs(
  env: (name: string) => string | undefined,
  variable: string,
  defaultMs: number,
): number {
  const text = env(variable)?.trim();
  if (text === undefined || text === "") return defaultMs;
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0 && seconds <= 600)) {
    throw new UsageError(
      `${variable} must be a number of seconds from more than 0 to 600, like ${
        defaultMs / 1000
      }.`,
    );
  }
  return Math.round(seconds * 1000);
}

/** The shell and its arguments that run `command`. */
export function shellCommand(
  command: string,
  windows: boolean,
): { program: string; args: string[] } {
  return windows
    ? { program: "cmd", args: [`/d /s /c "${command}"`] }
    : { program: "sh", args: ["-c", command] };
}

/** How to run a command line, and how its failures are told. */
export interface ShellRun {
  /** The subject of every sentence, e.g. `The credential_process "op …" of profile "work"`. */
  name: string;
  /** Time allowed, in ms. */
  timeoutMs: number;
  /** Run through `cmd /d /s /c` instead of `sh -c`. */
  windows: boolean;
  /** Most bytes of stdout read. */
  maxOutputBytes: number;
  /** What more than `maxOutputBytes` of output is, e.g. `printed more than one 6-digit code`. */
  tooMuch: string;
  /** The error a failure is thrown as. */
  fail: (message: string) => Error;
}

/**
 * Run `command` and return its stdout. Throws `run.fail(sentence)` when the
 * shell cannot be started, the command does not finish within
 * `run.timeoutMs` (it is then killed, with what it started), prints more
 * than `run.maxOutputBytes`, is ended by a signal or exits non-zero. No
 * sentence holds its output or more of the command than its first word.
 */
export async function runShellCommand(
  command: string,
  run: ShellRun,
): Promise<Uint8Array> {
  const { program, args } = shellCommand(command, run.windows);
  const result = await spawnBounded({
    program,
    args,
    windowsRawArguments: run.windows,
    stdin: "inherit",
    stderr: "inherit",
    timeoutMs: run.timeoutMs,
    maxOutputBytes: run.maxOutputBytes,
    // Its own session and process group, which the timeout ends whole.
    ownGroup: !run.windows,
  });
  switch (result.kind) {
    case "notStarted":
      throw run.fail(`${run.name} could not be started: ${result.reason}.`);
    case "timeout":
      throw run.fail(
        `${run.name} did not finish within ${
          run.timeoutMs / 1000
        } seconds, so it was stopped.`,
      );
    case "overflow":
      throw run.fail(`${run.name} ${run.tooMuch}; its output is not shown.`);
  }
  if (result.signal !== null) {
    throw run.fail(`${run.name} was ended by ${result.signal}.`);
  }
  if (result.code !== 0) {
    const hint = result.code === 127 && !run.windows
      ? " (command not found)"
      : "";
    throw run.fail(
      `${run.name} failed with exit status ${result.code}${hint}; its output is not shown.`,
    );
  }
  return result.stdout;
}
