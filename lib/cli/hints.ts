/**
 * The one sentence for a command line the tokenizer refused
 * ({@linkcode usageOfTokenError}), and for a stray word where the MFA code
 * goes ({@linkcode StrayWordError}): the flag's other command, a habit from
 * the AWS CLI or aws-vault, or a near miss.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";
import { nearMiss } from "../shared/near.ts";
import { OPTIONS, type OptionSpec } from "./flags.ts";
import type { CommandName } from "./options.ts";
import { COMMANDS } from "./subcommands.ts";
import type { TokenError } from "./tokenize.ts";

/** A flag as typed that is safe to repeat: never a code or stray bytes. */
const OPTION_NAME = /^--?[A-Za-z][A-Za-z0-9-]*$/;

const CODE_HABIT =
  'awsmfa takes the MFA code as an argument, as in: awsmfa --profile work 123456 (or "-" to read it from stdin).';
const DEVICE_HABIT =
  "the MFA device is --serial-number SERIAL (or mfa_serial in the config).";
const ROLE_HABIT =
  "to assume a role, give --role-arn ARN, or --profile with a role profile (role_arn and source_profile in the config).";

/**
 * Flags of the AWS CLI and aws-vault that people type out of habit, and what
 * awsmfa takes instead.
 */
const HABITS: Readonly<Record<string, string>> = {
  "token-code": CODE_HABIT,
  "mfa-token": CODE_HABIT,
  "mfa-code": CODE_HABIT,
  "device": DEVICE_HABIT,
  "mfa-serial": DEVICE_HABIT,
  "duration":
    "the session length is --duration-seconds, which also takes 12h, 90m or 1h30m.",
  "assume-role": ROLE_HABIT,
  "role": ROLE_HABIT,
};

function commandLabel(command: CommandName): string {
  return command === "refresh" ? "the default command" : `awsmfa ${command}`;
}

/** The sentence for an option `where` (e.g. `awsmfa status`) does not take. */
function unknownOption(
  flag: string,
  specs: readonly OptionSpec[],
  where: string,
): string {
  if (!OPTION_NAME.test(flag)) return "Unknown option.";
  const elsewhere = OPTIONS.find((spec) => `--${spec.name}` === flag);
  if (elsewhere !== undefined) {
    return `Unknown option ${flag} for ${where}; it belongs to ${
      elsewhere.commands.map(commandLabel).join(" and ")
    }.`;
  }
  const long = flag.startsWith("--") ? flag.slice(2) : undefined;
  const habit = long === undefined ? undefined : HABITS[long];
  if (habit !== undefined) return `Unknown option ${flag}; ${habit}`;
  const guess = long === undefined
    ? undefined
    : nearMiss(long, specs.map((spec) => spec.name));
  return guess !== undefined
    ? `Unknown option ${flag}; did you mean --${guess}?`
    : `Unknown option ${flag}.`;
}

/**
 * The usage error for a refusal of the tokenizer, given the flags `specs`
 * of the command and its name for messages, `where`.
 */
export function usageOfTokenError(
  error: TokenError,
  specs: readonly OptionSpec[],
  where: string,
): UsageError {
  switch (error.kind) {
    case "unknown-option":
      return new UsageError(unknownOption(error.flag, specs, where));
    case "missing-value":
      return new UsageError(`Option --${error.option} needs a value.`);
    case "ambiguous-value":
      return new UsageError(
        `Option ${error.flag} needs a value; to give one that starts with "-", write ${error.flag}=VALUE.`,
      );
    case "value-for-boolean":
      return new UsageError(`Option --${error.option} does not take a value.`);
  }
}

/**
 * A word where the MFA code goes that is neither a code nor a command: often
 * a profile name, as aws-vault takes it (`aws-vault exec work -- …`). The
 * caller, which can read the files, says so when such a profile exists.
 */
export class StrayWordError extends UsageError {
  /** The word. */
  readonly word: string;
  /** The command it was given to. */
  readonly command: CommandName;

  /** Create the error for `word` given to `command`. */
  constructor(word: string, command: CommandName) {
    const guess = command === "refresh"
      ? nearMiss(word, COMMANDS.map((spec) => spec.name))
      : undefined;
    super(
      command === "refresh"
        ? `Unknown command "${word}"${
          guess !== undefined ? ` (did you mean "${guess}"?)` : ""
        }; the commands are: ${
          COMMANDS.map((spec) => spec.name).join(", ")
        }, and the MFA code is 6 digits.`
        : `"${word}" is not an MFA code: it must be exactly 6 digits.`,
    );
    this.name = "StrayWordError";
    this.word = word;
    this.command = command;
  }

  /** The sentence when a profile named like the word exists. */
  profileHint(): string {
    const prefix = this.command === "refresh" ? "" : `${this.command} `;
    return `"${this.word}" is not a command or an MFA code; did you mean --profile ${this.word}, as in: awsmfa ${prefix}--profile ${this.word}${
      this.command === "exec" ? " -- CMD" : ""
    }?`;
  }
}
