/**
 * The bash completion script of `awsmfa completions bash`.
 *
 * @module
 */

import type { CommandName } from "../options.ts";
import { shQuote } from "../../shared/quote.ts";
import {
  commandFlagWords,
  CONFIG_SED,
  CREDENTIALS_SED,
  FIRST_WORDS,
  FLAG_COMMANDS,
  flagWords,
  takesFlags,
  valueFlags,
} from "./words.ts";

/** The bash script: `eval "$(awsmfa completions bash)"`. */
export function bashScript(): string {
  const { profileFlags, choiceFlags, freeFlags } = valueFlags();
  const lines = [
    "# bash completion for awsmfa, from `awsmfa completions bash`.",
    '# Load it with: eval "$(awsmfa completions bash)"',
    "",
    "_awsmfa_profiles() {",
    '  local credentials="${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}"',
    '  local config="${AWS_CONFIG_FILE:-$HOME/.aws/config}"',
    '  credentials="${credentials/#\\~/$HOME}"',
    '  config="${config/#\\~/$HOME}"',
    "  {",
    `    [ -r "$credentials" ] && sed -n ${
      shQuote(CREDENTIALS_SED)
    } "$credentials"`,
    `    [ -r "$config" ] && sed -n ${
      CONFIG_SED.map((script) => `-e ${shQuote(script)}`).join(" ")
    } "$config"`,
    "  } 2>/dev/null | sort -u",
    "}",
    "",
    "_awsmfa() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev=""',
    '  if [ "$COMP_CWORD" -gt 0 ]; then prev="${COMP_WORDS[COMP_CWORD-1]}"; fi',
    '  # bash splits "--flag=value" at "=": look past it.',
    '  if [ "$cur" = "=" ]; then',
    '    cur=""',
    '  elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then',
    '    prev="${COMP_WORDS[COMP_CWORD-2]}"',
    "  fi",
    "  COMPREPLY=()",
    "  local command=refresh i",
    '  if [ "$COMP_CWORD" -ge 2 ]; then',
    '    case "${COMP_WORDS[1]}" in',
    ...FIRST_WORDS.filter((word) => word.values.length > 0 && !takesFlags(word))
      .flatMap((
        command,
      ) => [
        `      ${command.name})`,
        '        if [ "$COMP_CWORD" -eq 2 ]; then',
        `          COMPREPLY=($(compgen -W ${
          shQuote(command.values.join(" "))
        } -- "$cur"))`,
        "        fi",
        "        return 0",
        "        ;;",
      ]),
    `      ${FLAG_COMMANDS.join("|")})`,
    '        command="${COMP_WORDS[1]}"',
    "        ;;",
    "    esac",
    "  fi",
    '  if [ "$command" = exec ]; then',
    '    # After "--" comes the command to run: complete it as bash would.',
    "    for ((i = 2; i < COMP_CWORD; i++)); do",
    '      if [ "${COMP_WORDS[i]}" = "--" ]; then',
    '        if [ "$i" -eq $((COMP_CWORD - 1)) ]; then',
    '          COMPREPLY=($(compgen -c -- "$cur"))',
    "        else",
    '          COMPREPLY=($(compgen -f -- "$cur"))',
    "        fi",
    "        return 0",
    "      fi",
    "    done",
    "  fi",
    '  case "$prev" in',
  ];
  if (profileFlags.length > 0) {
    lines.push(
      `    ${profileFlags.join("|")})`,
      '      COMPREPLY=($(compgen -W "$(_awsmfa_profiles)" -- "$cur"))',
      "      return 0",
      "      ;;",
    );
  }
  for (const spec of choiceFlags) {
    lines.push(
      `    ${flagWords(spec).join("|")})`,
      `      COMPREPLY=($(compgen -W ${
        shQuote((spec.values ?? []).join(" "))
      } -- "$cur"))`,
      "      return 0",
      "      ;;",
    );
  }
  if (freeFlags.length > 0) {
    lines.push(`    ${freeFlags.join("|")})`, "      return 0", "      ;;");
  }
  lines.push(
    "  esac",
    '  case "$cur" in',
    "    -*)",
    '      case "$command" in',
    ...(["refresh", ...FLAG_COMMANDS] as CommandName[]).flatMap((command) => [
      `        ${command})`,
      `          COMPREPLY=($(compgen -W ${
        shQuote(commandFlagWords(command).join(" "))
      } -- "$cur"))`,
      "          ;;",
    ]),
    "      esac",
    "      ;;",
    "    *)",
    '      if [ "$COMP_CWORD" -eq 1 ]; then',
    `        COMPREPLY=($(compgen -W ${
      shQuote(FIRST_WORDS.map((word) => word.name).join(" "))
    } -- "$cur"))`,
    ...FIRST_WORDS.filter((word) => word.values.length > 0 && takesFlags(word))
      .flatMap((word) => [
        `      elif [ "$command" = ${word.name} ] && [ "$COMP_CWORD" -eq 2 ]; then`,
        `        COMPREPLY=($(compgen -W ${
          shQuote(word.values.join(" "))
        } -- "$cur"))`,
      ]),
    ...FIRST_WORDS.filter((word) => word.completesProfiles).flatMap((
      command,
    ) => [
      `      elif [ "$command" = ${command.name} ]; then`,
      '        COMPREPLY=($(compgen -W "$(_awsmfa_profiles)" -- "$cur"))',
    ]),
    "      fi",
    "      ;;",
    "  esac",
    "  return 0",
    "}",
    "",
    "complete -F _awsmfa awsmfa",
    "",
  );
  return lines.join("\n");
}
