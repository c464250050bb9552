/**
 * What every completion script offers, from the flag and command tables:
 * each command's flag words, and how to list profile names with sed.
 *
 * @module
 */

import { OPTIONS, type OptionSpec } from "../flags.ts";
import type { CommandName } from "../options.ts";
import { COMMANDS, HELP_TOPICS } from "../subcommands.ts";

/** sed script printing the section names of a credentials file. */
export const CREDENTIALS_SED = "s/^\\[\\([^]]*\\)\\].*/\\1/p";
/** sed scripts printing the profile names of a config file. */
export const CONFIG_SED = [
  "s/^\\[profile[[:space:]]\\{1,\\}\\([^]]*\\)\\].*/\\1/p",
  "s/^\\[\\(default\\)\\].*/\\1/p",
];

/** The words of one flag: `--name`, and `-x` when it has a short alias. */
export function flagWords(spec: OptionSpec): string[] {
  return spec.short === undefined
    ? [`--${spec.name}`]
    : [`--${spec.name}`, `-${spec.short}`];
}

/** The flag words of one command (`refresh` is the default command). */
export function commandFlagWords(command: CommandName): string[] {
  return OPTIONS.filter((spec) => spec.commands.includes(command)).flatMap(
    flagWords,
  );
}

/**
 * The flags that take a value, by what completes it: the words of those
 * that take a profile name, the specs of those with fixed choices, and the
 * words of those whose value is free (nothing to offer).
 */
export function valueFlags(): {
  profileFlags: string[];
  choiceFlags: OptionSpec[];
  freeFlags: string[];
} {
  return {
    profileFlags: OPTIONS.filter((spec) => spec.completesProfiles).flatMap(
      flagWords,
    ),
    choiceFlags: OPTIONS.filter((spec) =>
      spec.value !== undefined && !spec.completesProfiles &&
      spec.values !== undefined
    ),
    freeFlags: OPTIONS.filter((spec) =>
      spec.value !== undefined && !spec.completesProfiles &&
      spec.values === undefined
    ).flatMap(flagWords),
  };
}

/** Subcommands that take flags of their own (all but `completions`). */
export const FLAG_COMMANDS: readonly CommandName[] = COMMANDS.map((command) =>
  command.name as CommandName
).filter((name) => OPTIONS.some((spec) => spec.commands.includes(name)));

/** A word that may start a command line, and the fixed words after it. */
export interface FirstWord {
  /** The word, e.g. `"keys"`. */
  readonly name: string;
  /** One sentence, shown by fish. */
  readonly description: string;
  /** Fixed choices for the word after it. */
  readonly values: readonly string[];
  /** Completions offer profile names for its arguments. */
  readonly completesProfiles?: boolean;
}

/** The subcommands and `help` (whose topics follow it). */
export const FIRST_WORDS: readonly FirstWord[] = [
  ...COMMANDS,
  {
    name: "help",
    description:
      "Print help: the overview, a command's page, every option (options), or the environment and exit codes (environment).",
    values: HELP_TOPICS.map(([topic]) => topic),
  },
];

/** Whether `word` is a subcommand with flags of its own. */
export function takesFlags(word: FirstWord): boolean {
  return FLAG_COMMANDS.includes(word.name as CommandName);
}
