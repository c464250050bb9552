/**
 * Shell completion scripts for `awsmfa completions SHELL`, generated from the
 * flag and command tables of `args.ts` so they never drift from the parser.
 *
 * bash, zsh and fish complete profile names for `--profile` and
 * `--mfa-profile-name` from the credentials and config files
 * (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, else `~/.aws/…`).
 *
 * @module
 */

import { COMMANDS, OPTIONS, type OptionSpec, type Shell } from "./args.ts";

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

function allFlagWords(): string[] {
  return OPTIONS.flatMap(flagWords);
}

/** Quote for POSIX shells (bash, zsh): single quotes, `'` as `'\''`. */
function shQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Quote for fish: single quotes with `\` and `'` escaped. */
function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** Quote for PowerShell: single quotes, `'` doubled. */
function psQuote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

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
    '  if [ "$COMP_CWORD" -ge 2 ]; then',
    '    case "${COMP_WORDS[1]}" in',
    ...COMMANDS.flatMap((command) => [
      `      ${command.name})`,
      '        if [ "$COMP_CWORD" -eq 2 ]; then',
      `          COMPREPLY=($(compgen -W ${
        shQuote(command.values.join(" "))
      } -- "$cur"))`,
      "        fi",
      "        return 0",
      "        ;;",
    ]),
    "    esac",
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
    `      COMPREPLY=($(compgen -W ${
      shQuote(allFlagWords().join(" "))
    } -- "$cur"))`,
    "      ;;",
    "    *)",
    '      if [ "$COMP_CWORD" -eq 1 ]; then',
    `        COMPREPLY=($(compgen -W ${
      shQuote(COMMANDS.map((command) => command.name).join(" "))
    } -- "$cur"))`,
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

function zshScript(): string {
  const specs = OPTIONS.map((spec) => {
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
  });
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
    ...COMMANDS.flatMap((command) => [
      `  if [[ \${words[2]} == ${command.name} ]]; then`,
      `    (( CURRENT == 3 )) && compadd -- ${command.values.join(" ")}`,
      "    return",
      "  fi",
    ]),
    "  _arguments -s -S \\",
    ...specs.map((spec) => `    ${spec} \\`),
    `    ${shQuote(`1::MFA code, - or command:(${commandNames})`)}`,
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
      `complete -c awsmfa -n ${
        fishQuote(`__fish_seen_subcommand_from ${command.name}`)
      } -a ${fishQuote(command.values.join(" "))}`,
    );
  }
  for (const spec of OPTIONS) {
    const parts = ["complete -c awsmfa", `-n ${fishQuote(notInCommand)}`];
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
  let keyword = "if";
  for (const command of COMMANDS) {
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
    `    ${keyword} ($prev -in ${list(profileFlags)}) {`,
    "        $files = @(",
    "            $(if ($env:AWS_SHARED_CREDENTIALS_FILE) { $env:AWS_SHARED_CREDENTIALS_FILE } else { Join-Path $HOME '.aws/credentials' }),",
    "            $(if ($env:AWS_CONFIG_FILE) { $env:AWS_CONFIG_FILE } else { Join-Path $HOME '.aws/config' }))",
    "        $candidates = @($files | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } |",
    "            ForEach-Object { Get-Content -LiteralPath $_ } |",
    "            ForEach-Object { if ($_ -match '^\\[(?:profile\\s+)?([^\\]\\s]+)\\]') { $Matches[1] } } |",
    "            Sort-Object -Unique)",
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
    `        $candidates = ${list(allFlagWords())}`,
    "    }",
    "    elseif ($before.Count -eq 1) {",
    `        $candidates = ${list(COMMANDS.map((command) => command.name))}`,
    "    }",
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
