/**
 * The fish completion script of `awsmfa completions fish`.
 *
 * @module
 */

import { OPTIONS } from "../flags.ts";
import { fishQuote } from "../../shared/quote.ts";
import { CONFIG_SED, CREDENTIALS_SED, FIRST_WORDS } from "./words.ts";

/** The fish script: `awsmfa completions fish | source`. */
export function fishScript(): string {
  const notInCommand = `not __fish_seen_subcommand_from ${
    FIRST_WORDS.map((word) => word.name).join(" ")
  }`;
  const lines = [
    "# fish completion for awsmfa, from `awsmfa completions fish`.",
    "# Load it with: awsmfa completions fish | source",
    "",
    "function __awsmfa_profiles",
    "    set -l credentials $AWS_SHARED_CREDENTIALS_FILE",
    '    test -n "$credentials"; or set credentials ~/.aws/credentials',
    "    set -l config $AWS_CONFIG_FILE",
    '    test -n "$config"; or set config ~/.aws/config',
    "    begin",
    `        test -r $credentials; and sed -n ${
      fishQuote(CREDENTIALS_SED)
    } $credentials`,
    `        test -r $config; and sed -n ${
      CONFIG_SED.map((script) => `-e ${fishQuote(script)}`).join(" ")
    } $config`,
    "    end 2>/dev/null | sort -u",
    "end",
    "",
    "complete -c awsmfa -f",
  ];
  for (const command of FIRST_WORDS) {
    lines.push(
      `complete -c awsmfa -n __fish_use_subcommand -a ${command.name} -d ${
        fishQuote(command.description)
      }`,
    );
    if (command.values.length > 0) {
      lines.push(
        `complete -c awsmfa -n ${
          fishQuote(
            `__fish_seen_subcommand_from ${command.name}; and not __fish_seen_subcommand_from ${
              command.values.join(" ")
            }`,
          )
        } -a ${fishQuote(command.values.join(" "))}`,
      );
    }
  }
  lines.push(
    ...FIRST_WORDS.filter((command) => command.completesProfiles).map((
      command,
    ) =>
      `complete -c awsmfa -n ${
        fishQuote(`__fish_seen_subcommand_from ${command.name}`)
      } -a '(__awsmfa_profiles)'`
    ),
  );
  for (const spec of OPTIONS) {
    const conditions = spec.commands.map((command) =>
      command === "refresh"
        ? notInCommand
        : `__fish_seen_subcommand_from ${command}`
    );
    const parts = [
      "complete -c awsmfa",
      `-n ${fishQuote(conditions.join("; or "))}`,
    ];
    if (spec.short !== undefined) parts.push(`-s ${spec.short}`);
    parts.push(`-l ${spec.name}`);
    if (spec.value !== undefined) parts.push("-x");
    if (spec.completesProfiles) parts.push("-a '(__awsmfa_profiles)'");
    else if (spec.values !== undefined) {
      parts.push(`-a ${fishQuote(spec.values.join(" "))}`);
    }
    parts.push(`-d ${fishQuote(spec.description)}`);
    lines.push(parts.join(" "));
  }
  lines.push("");
  return lines.join("\n");
}
