/**
 * `--min-remaining`: how long a session must still last to be reused, and
 * the refusal of a threshold no session could ever meet.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";
import { DEFAULT_MIN_REMAINING_MS } from "../aws_files/session.ts";
import { formatRemaining } from "../shared/time.ts";
import { DEFAULT_DURATION_SECONDS } from "../aws_files/settings.ts";
import { CHAINED_MAX_SECONDS, type SessionSubject } from "./role.ts";

/**
 * Refuse a `--min-remaining` at least as long as the session it asks for
 * (`--duration-seconds`, else 12 hours; a role's `duration_seconds`, else 1
 * hour): no session would ever be long enough to reuse, so every run would
 * ask for a code.
 */
export function checkMinRemaining(
  flags: { minRemainingSeconds?: number; durationSeconds?: number },
  subject: SessionSubject,
): void {
  const min = flags.minRemainingSeconds;
  if (min === undefined) return;
  const longest = subject.role !== undefined
    ? subject.role.durationSeconds ?? CHAINED_MAX_SECONDS
    : flags.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (min < longest) return;
  const what = subject.role !== undefined
    ? `a session of the role ${subject.role.roleArn}`
    : "a session";
  throw new UsageError(
    `Option --min-remaining (${
      formatRemaining(min * 1000)
    }) is not shorter than ${what} lasts (${
      formatRemaining(longest * 1000)
    }), so no session could be reused and every run would ask for a code; give a shorter --min-remaining or a longer --duration-seconds.`,
  );
}

/** The `--min-remaining` threshold in milliseconds (default 15 minutes). */
export function minRemainingMs(seconds: number | undefined): number {
  return seconds === undefined ? DEFAULT_MIN_REMAINING_MS : seconds * 1000;
}
