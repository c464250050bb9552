/**
 * Error classes and exit codes shared by every module of awsmfa.
 *
 * Every failure the user can meet is an {@linkcode AwsmfaError}: one plain
 * sentence (never a secret, never the MFA code) and the exit code of its class.
 * An error's sentence is its {@linkcode AwsmfaError.clause} and one full
 * stop; a step that knows more (what was not changed, what to do) builds a
 * longer sentence from that clause with {@linkcode sentence}, the one place
 * sentences are put together.
 *
 * @module
 */

/** Exit codes, one per class of failure. Listed in README.md. */
export const ExitCode = {
  /** Success, including "still valid, nothing to do". */
  Ok: 0,
  /** A bug: something awsmfa did not expect. */
  Internal: 1,
  /** Bad command line or input (unknown flag, malformed code, serial or duration). */
  Usage: 2,
  /** A local problem: files, profiles, locks. */
  Local: 3,
  /** STS refused the MFA code: wrong, expired or already used. */
  CodeRejected: 4,
  /** STS refused the long-term keys, the MFA serial or the role. */
  AuthRejected: 5,
  /** Network failure, throttling or a server error at STS. */
  Network: 6,
  /** The user pressed Ctrl-C at the prompt (128 + SIGINT, the shell convention). */
  Cancelled: 130,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** A failure to report to the user as one sentence with an exit code. */
export class AwsmfaError extends Error {
  /** The process exit code for this failure. */
  readonly exitCode: ExitCodeValue;
  /** What went wrong: the sentence without its final full stop. */
  readonly clause: string;

  /** Create an error with a user-facing sentence and its exit code. */
  constructor(message: string, exitCode: ExitCodeValue) {
    super(message);
    this.name = "AwsmfaError";
    this.exitCode = exitCode;
    this.clause = clauseOf(message);
  }
}

/** A sentence (an error's, or text such as a message from AWS) without its final full stop. */
export function clauseOf(what: AwsmfaError | Error | string): string {
  if (what instanceof AwsmfaError) return what.clause;
  const text = typeof what === "string" ? what : what.message;
  return text.endsWith(".") ? text.slice(0, -1) : text;
}

/**
 * The one sentence of a failure: the clause of `first` (an error or a
 * sentence), then each of `then` as written (each starts with its own
 * joining punctuation: `"; nothing was changed"`, `" (3 attempts)"`), and
 * one full stop.
 */
export function sentence(
  first: AwsmfaError | Error | string,
  ...then: string[]
): string {
  return `${clauseOf(first)}${then.join("")}.`;
}

/** A bad command line or bad input value (exit code 2). */
export class UsageError extends AwsmfaError {
  /** Create a usage error. */
  constructor(message: string) {
    super(message, ExitCode.Usage);
    this.name = "UsageError";
  }
}

/** A local file or profile problem (exit code 3). */
export class LocalError extends AwsmfaError {
  /** Create a local error. */
  constructor(message: string) {
    super(message, ExitCode.Local);
    this.name = "LocalError";
  }
}
