/**
 * Shell completion scripts for `awsmfa completions SHELL`, generated from the
 * flag and command tables of `args.ts` so they never drift from the parser.
 *
 * Each command is offered its own flags (the `commands` of each flag in the
 * table); bash, zsh, fish and PowerShell complete profile names for
 * `--profile`, `--mfa-profile-name` and `awsmfa clear` from the credentials
 * and config files (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, else
 * `~/.aws/…`); bash and zsh complete the command after `awsmfa exec --`.
 *
 * @module
 */

import { OPTIONS, type OptionSpec } from "./flags.ts";
import type { CommandName, Shell } from "./options.ts";
import { COMMANDS } from "./subcommands.ts";
import { fishQuote, psQuote, shQuote } from "../shared/quote.ts";

/** sed script printing the section names of a credentials file. */
const CREDENTIALS_SED = "s/^\\[\\([^]]*\\)\\].*/\\1/p";
/** sed scripts printing the profile names of a config file. */
const CONFIG_SED = [
  "s/^\\[profile[[:space:]]\\{1,\\}\\([^]]*\\)\\].*/\\1/p",
  "s/^\\[\\(default\\)\\].*/\\1/p",
];

function flagWords(spec: OptionSpec): string[] {
  return spec.short === undefined
    ? [`--${spec.name}`]
    : [`--${spec.name}`, `-${spec.short}`];
}

/** The flag words of one command (`refresh` is the default command). */
function commandFlagWords(command: CommandName): string[] {
  return OPTIONS.filter((spec) => spec.commands.includes(command)).flatMap(
    flagWords,
  );
}

/** Subcommands that take flags of their own (all but `completions`). */
const FLAG_COMMANDS: readonly CommandName[] = [
  "exec",
  "credential-process",
  "status",
  "clear",
  "keys",
  "rotate",
];

function bashScript(): string {
  const profileFlags = OPTIONS.filter((spec) => spec.completesProfiles)
    .flatMap(flagWords);
  const choiceFlags = OPTIONS.filter((spec) =>
    spec.value !== undefined && !spec.completesProfiles &&
    spec.values !== undefined
  );
  const freeFlags = OPTIONS.filter((spec) =>
    spec.value !== undefined && !spec.completesProfiles &&
    spec.values === undefined
  ).flatMap(flagWords);
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
    ...COMMANDS.filter((command) => command.values.length > 0).flatMap((
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
      shQuote(COMMANDS.map((command) => command.name).join(" "))
    } -- "$cur"))`,
    ...COMMANDS.filter((command) => command.completesProfiles).flatMap((
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

function zshScript(): string {
  const commandNames = COMMANDS.map((command) => command.name).join(" ");
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
    ...COMMANDS.filter((command) => command.values.length > 0).flatMap((
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
          : undefined,
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

function fishScript(): string {
  const notInCommand = `not __fish_seen_subcommand_from ${
    COMMANDS.map((command) => command.name).join(" ")
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
  for (const command of COMMANDS) {
    lines.push(
      `complete -c awsmfa -n __fish_use_subcommand -a ${command.name} -d ${
        fishQuote(command.description)
      }`,
    );
    if (command.values.length > 0) {
      lines.push(
        `complete -c awsmfa -n ${
          fishQuote(`__fish_seen_subcommand_from ${command.name}`)
        } -a ${fishQuote(command.values.join(" "))}`,
      );
    }
  }
  lines.push(
    ...COMMANDS.filter((command) => command.completesProfiles).map((command) =>
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

function powershellScript(): string {
  const list = (words: readonly string[]) =>
    `@(${words.map(psQuote).join(", ")})`;
  const profileFlags = OPTIONS.filter((spec) => spec.completesProfiles)
    .flatMap(flagWords);
  const choiceFlags = OPTIONS.filter((spec) =>
    spec.value !== undefined && !spec.completesProfiles &&
    spec.values !== undefined
  );
  const freeFlags = OPTIONS.filter((spec) =>
    spec.value !== undefined && !spec.completesProfiles &&
    spec.values === undefined
  ).flatMap(flagWords);
  const lines = [
    "# PowerShell completion for awsmfa, from `awsmfa completions powershell`.",
    "# Load it in your $PROFILE with:",
    "#   awsmfa completions powershell | Out-String | Invoke-Expression",
    "",
    "Register-ArgumentCompleter -Native -CommandName awsmfa, awsmfa.exe -ScriptBlock {",
    "    param($wordToComplete, $commandAst, $cursorPosition)",
    "    $start = $cursorPosition - $wordToComplete.Length",
    "    $before = @($commandAst.CommandElements |",
    "        Where-Object { $_.Extent.EndOffset -lt $start } |",
    "        ForEach-Object { $_.Extent.Text })",
    "    $prev = if ($before.Count -gt 0) { $before[-1] } else { '' }",
    "    $candidates = @()",
  ];
  const profilesBlock = [
    "        $files = @(",
    "            $(if ($env:AWS_SHARED_CREDENTIALS_FILE) { $env:AWS_SHARED_CREDENTIALS_FILE } else { Join-Path $HOME '.aws/credentials' }),",
    "            $(if ($env:AWS_CONFIG_FILE) { $env:AWS_CONFIG_FILE } else { Join-Path $HOME '.aws/config' }))",
    "        $candidates = @($files | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } |",
    "            ForEach-Object { Get-Content -LiteralPath $_ } |",
    "            ForEach-Object { if ($_ -match '^\\[(?:profile\\s+)?([^\\]\\s]+)\\]') { $Matches[1] } } |",
    "            Sort-Object -Unique)",
  ];
  lines.push(
    "    $command = if ($before.Count -ge 2 -and $before[1] -in " +
      `${list(FLAG_COMMANDS)}) { $before[1] } else { 'refresh' }`,
    "    $afterSeparator = $command -eq 'exec' -and $before -contains '--'",
  );
  let keyword = "if";
  for (const command of COMMANDS.filter((command) => command.values.length)) {
    lines.push(
      `    ${keyword} ($before.Count -ge 2 -and $before[1] -eq ${
        psQuote(command.name)
      }) {`,
      `        if ($before.Count -eq 2) { $candidates = ${
        list(command.values)
      } }`,
      "    }",
    );
    keyword = "elseif";
  }
  lines.push(
    `    ${keyword} ($afterSeparator) {`,
    "    }",
    `    elseif ($prev -in ${list(profileFlags)}) {`,
    ...profilesBlock,
    "    }",
  );
  for (const spec of choiceFlags) {
    lines.push(
      `    elseif ($prev -in ${list(flagWords(spec))}) {`,
      `        $candidates = ${list(spec.values ?? [])}`,
      "    }",
    );
  }
  if (freeFlags.length > 0) {
    lines.push(`    elseif ($prev -in ${list(freeFlags)}) {`, "    }");
  }
  lines.push(
    "    elseif ($wordToComplete.StartsWith('-')) {",
    "        $candidates = switch ($command) {",
    ...(["refresh", ...FLAG_COMMANDS] as CommandName[]).map((command) =>
      `            ${psQuote(command)} { ${list(commandFlagWords(command))} }`
    ),
    "        }",
    "    }",
    "    elseif ($before.Count -eq 1) {",
    `        $candidates = ${list(COMMANDS.map((command) => command.name))}`,
    "    }",
    ...COMMANDS.filter((command) => command.completesProfiles).flatMap((
      command,
    ) => [
      `    elseif ($command -eq ${psQuote(command.name)}) {`,
      ...profilesBlock,
      "    }",
    ]),
    '    $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {',
    "        $type = if ($_.StartsWith('-')) { 'ParameterName' } else { 'ParameterValue' }",
    "        [System.Management.Automation.CompletionResult]::new($_, $_, $type, $_)",
    "    }",
    "}",
    "",
  );
  return lines.join("\n");
}

/**
 * The completion script for `shell`, built from the flag table
 * ({@linkcode OPTIONS}) and the commands ({@linkcode COMMANDS}) of `args.ts`:
 * flags, subcommands, the shells of `completions`, and (bash, zsh, fish,
 * powershell) profile names for `--profile` and `--mfa-profile-name`.
 * Ends with a newline.
 *
 * @example
 * ```ts
 * const script = completionScript("bash"); // eval "$(awsmfa completions bash)"
 * ```
 */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case "bash":
      return bashScript();
    case "zsh":
      return zshScript();
    case "fish":
      return fishScript();
    case "powershell":
      return powershellScript();
  }
}
