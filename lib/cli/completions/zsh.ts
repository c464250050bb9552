/**
 * The zsh completion script of `awsmfa completions zsh`.
 *
 * @module
 */

import type { CommandName } from "../options.ts";
import { OPTIONS } from "../flags.ts";
import { shQuote } from "../../shared/quote.ts";
import {
  CONFIG_SED,
  CREDENTIALS_SED,
  FIRST_WORDS,
  FLAG_COMMANDS,
  takesFlags,
} from "./words.ts";

/** Escape a description for the `[...]` part of a zsh `_arguments` spec. */
function zshDescription(text: string): string {
  return text.replace(/([\]\\])/g, "\\$1");
}

/** The zsh `_arguments` specs of one command's flags. */
function zshSpecs(command: CommandName): string[] {
  return OPTIONS.filter((spec) => spec.commands.includes(command)).map(
    (spec) => {
      const description = `[${zshDescription(spec.description)}]`;
      if (spec.value === undefined) {
        if (spec.short === undefined) {
          return shQuote(`--${spec.name}${description}`);
        }
        return `${shQuote("(- *)")}{-${spec.short},--${spec.name}}${
          shQuote(description)
        }`;
      }
      const action = spec.completesProfiles
        ? "_awsmfa_profiles"
        : spec.values !== undefined
        ? `(${spec.values.join(" ")})`
        : " ";
      return shQuote(`--${spec.name}=${description}:${spec.value}:${action}`);
    },
  );
}

function zshArguments(
  command: CommandName,
  rest: string | undefined,
  indent: string,
): string[] {
  const specs = zshSpecs(command);
  if (rest !== undefined) specs.push(shQuote(rest));
  return [
    `${indent}_arguments -s -S \\`,
    ...specs.map((spec, index) =>
      `${indent}  ${spec}${index < specs.length - 1 ? " \\" : ""}`
    ),
  ];
}

/** `1:action:(…)` for a command whose first argument is a fixed word. */
function actionsSpec(command: CommandName): string | undefined {
  const word = FIRST_WORDS.find((word) => word.name === command);
  return word === undefined || word.values.length === 0
    ? undefined
    : `1:action:(${word.values.join(" ")})`;
}

/** The zsh script: `#compdef awsmfa`, for $fpath or `source`. */
export function zshScript(): string {
  const commandNames = FIRST_WORDS.map((word) => word.name).join(" ");
  return [
    "#compdef awsmfa",
    "# zsh completion for awsmfa, from `awsmfa completions zsh`.",
    "# Save it as _awsmfa in a directory on $fpath, or after compinit run:",
    "#   source <(awsmfa completions zsh)",
    "",
    "_awsmfa_profiles() {",
    "  local credentials=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}",
    "  local config=${AWS_CONFIG_FILE:-$HOME/.aws/config}",
    "  local -a profiles",
    '  profiles=(${(f)"$( {',
    `    [[ -r $credentials ]] && sed -n ${
      shQuote(CREDENTIALS_SED)
    } $credentials`,
    `    [[ -r $config ]] && sed -n ${
      CONFIG_SED.map((script) => `-e ${shQuote(script)}`).join(" ")
    } $config`,
    '  } 2>/dev/null)"})',
    "  compadd -- ${(u)profiles}",
    "}",
    "",
    "_awsmfa() {",
    ...FIRST_WORDS.filter((word) => word.values.length > 0 && !takesFlags(word))
      .flatMap((
        command,
      ) => [
        `  if [[ \${words[2]} == ${command.name} ]]; then`,
        `    (( CURRENT == 3 )) && compadd -- ${command.values.join(" ")}`,
        "    return",
        "  fi",
      ]),
    "  local command=${words[2]}",
    "  if [[ $command == exec ]]; then",
    "    local separator=${words[(i)--]}",
    "    if (( separator < CURRENT )); then",
    "      # After -- comes the command to run: complete it on its own.",
    "      words=(${words[separator+1,-1]})",
    "      (( CURRENT -= separator ))",
    "      _normal",
    "      return",
    "    fi",
    "  fi",
    "  case $command in",
    ...FLAG_COMMANDS.flatMap((command) => [
      `    ${command})`,
      "      shift words",
      "      (( CURRENT-- ))",
      ...zshArguments(
        command,
        command === "clear"
          ? "*:profile:_awsmfa_profiles"
          : command === "exec"
          ? "1::MFA code or -: "
          : actionsSpec(command),
        "      ",
      ),
      "      return",
      "      ;;",
    ]),
    "  esac",
    ...zshArguments(
      "refresh",
      `1::MFA code, - or command:(${commandNames})`,
      "  ",
    ),
    "}",
    "",
    "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then",
    '  _awsmfa "$@"',
    "else",
    "  compdef _awsmfa awsmfa",
    "fi",
    "",
  ].join("\n");
}
