/**
 * The checks of one flag's or argument's value: session lengths, names,
 * URLs, choices and the MFA code. Each returns the value read, or throws a
 * {@linkcode UsageError} with one sentence that never repeats a code.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";
import { isValidCode, ungroupCode } from "../mfa_code/code_text.ts";
import { StrayWordError } from "./hints.ts";
import type { CommandName } from "./options.ts";
import { COMMANDS } from "./subcommands.ts";

const MIN_DURATION = 900;
const MAX_DURATION = 129600;
const PROFILE_NAME = /^[A-Za-z0-9_.@+=,-]+$/;

/** Seconds in `text`: whole seconds or units in the order d, h, m, s; undefined if malformed. */
function durationOf(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const match = /^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/
    .exec(text);
  if (text === "" || match === null) return undefined;
  const [days, hours, minutes, secs] = match.slice(1).map((part) =>
    part === undefined ? 0 : Number(part)
  );
  return ((days * 24 + hours) * 60 + minutes) * 60 + secs;
}

/**
 * Read a session length: whole seconds (`"43200"`) or units in the order
 * d, h, m, s (`"12h"`, `"90m"`, `"1h30m"`, `"900s"`, `"1d"`). The result
 * must lie in STS's range, 900 to 129600 seconds; otherwise throws
 * {@linkcode UsageError} (without repeating the value).
 *
 * @example
 * ```ts
 * parseDuration("1h30m"); // 5400
 * ```
 */
export function parseDuration(text: string): number {
  const seconds = durationOf(text);
  if (seconds === undefined) {
    throw new UsageError(
      "Option --duration-seconds takes seconds (43200) or a length like 12h, 90m or 1h30m.",
    );
  }
  if (seconds < MIN_DURATION || seconds > MAX_DURATION) {
    throw new UsageError(
      "Option --duration-seconds must be between 900 and 129600 seconds (15m to 36h).",
    );
  }
  return seconds;
}

/**
 * Read the skip-while-valid threshold of `--min-remaining`: the same forms as
 * {@linkcode parseDuration}, from 0 (reuse until the last second) to 129600
 * seconds (36h, the longest session).
 *
 * @example
 * ```ts
 * parseMinRemaining("1h"); // 3600
 * ```
 */
export function parseMinRemaining(text: string): number {
  const seconds = durationOf(text);
  if (seconds === undefined) {
    throw new UsageError(
      "Option --min-remaining takes seconds (900) or a length like 15m, 1h or 1h30m.",
    );
  }
  if (seconds > MAX_DURATION) {
    throw new UsageError(
      "Option --min-remaining must be at most 129600 seconds (36h), the longest session.",
    );
  }
  return seconds;
}

/** `--max-key-age`: days, as `90` or `90d`, from 1 to 3650. */
export function checkMaxKeyAge(text: string): number {
  const match = /^([0-9]{1,4})d?$/.exec(text.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!(days >= 1 && days <= 3650)) {
    throw new UsageError(
      "Option --max-key-age takes a number of days from 1 to 3650, like 90 or 90d.",
    );
  }
  return days;
}

/** `value` of `--flag`, refused when it is blank. */
export function nonEmpty(
  flag: string,
  value: string | undefined,
): string | undefined {
  if (value !== undefined && value.trim() === "") {
    throw new UsageError(`Option --${flag} needs a non-empty value.`);
  }
  return value;
}

/** `--endpoint-url`: an http:// or https:// URL with a host. */
export function checkEndpointUrl(
  value: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL("invalid:");
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.hostname === ""
  ) {
    throw new UsageError(
      "Option --endpoint-url must be an http:// or https:// URL.",
    );
  }
  return value;
}

/** `--mfa-profile-name`: only characters every AWS parser keeps in a section name. */
export function checkProfileName(
  value: string | undefined,
): string | undefined {
  if (value !== undefined && !PROFILE_NAME.test(value)) {
    throw new UsageError(
      "Option --mfa-profile-name may only use letters, digits and _.@+=,- so that every AWS tool reads the section name the same way.",
    );
  }
  return value;
}

/**
 * The MFA code among `positionals` of `command`: `-`, 6 digits (`123 456`
 * read as `123456`), or none; a command word out of place, a second word or
 * a stray word (see {@linkcode StrayWordError}) is refused.
 */
export function checkCode(
  positionals: string[],
  command: CommandName,
): string | undefined {
  if (positionals.length === 0) return undefined;
  const misplaced = positionals.find((word) =>
    COMMANDS.some((command) => command.name === word)
  );
  if (misplaced !== undefined) {
    throw new UsageError(
      `The ${misplaced} command must come first, as in: awsmfa ${misplaced} ...`,
    );
  }
  if (positionals.length > 1) {
    throw new UsageError(
      'Too many arguments: give at most one MFA code, or "-" to read it from stdin.',
    );
  }
  const [word] = positionals;
  if (word === "-") return word;
  const code = ungroupCode(word);
  if (isValidCode(code)) return code;
  // A word with several digits may be a mistyped code: never repeat it.
  if (PROFILE_NAME.test(word) && !/[0-9].*[0-9].*[0-9]/.test(word)) {
    throw new StrayWordError(word, command);
  }
  throw new UsageError("The MFA code must be exactly 6 digits.");
}

/** `value` of `--flag` as one of `choices`. */
export function choice<T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const known = choices.find((name) => name === value);
  if (known === undefined) {
    throw new UsageError(
      `Option --${flag} takes one of: ${choices.join(", ")}.`,
    );
  }
  return known;
}
