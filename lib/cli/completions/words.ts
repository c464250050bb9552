/**
 * What every completion script offers, from the flag and command tables:
 * each command's flag words, and how to list profile names with sed.
 *
 * @module
 */

import { OPTIONS, type OptionSpec } from "../flags.ts";
import type { CommandName } from "../options.ts";

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

/** Subcommands that take flags of their own (all but `completions`). */
export const FLAG_COMMANDS: readonly CommandName[] = [
  "exec",
  "credential-process",
  "status",
  "clear",
  "keys",
  "rotate",
];
