/**
 * The PowerShell completion script of `awsmfa completions powershell`.
 *
 * @module
 */

import type { CommandName } from "../options.ts";
import { psQuote } from "../../shared/quote.ts";
import {
  commandFlagWords,
  FIRST_WORDS,
  FLAG_COMMANDS,
  flagWords,
  takesFlags,
  valueFlags,
} from "./words.ts";

/** The PowerShell script: a native argument completer for awsmfa. */
export function powershellScript(): string {
  const list = (words: readonly string[]) =>
    `@(${words.map(psQuote).join(", ")})`;
  const { profileFlags, choiceFlags, freeFlags } = valueFlags();
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
  for (
    const command of FIRST_WORDS.filter((word) =>
      word.values.length > 0 && !takesFlags(word)
    )
  ) {
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
    `        $candidates = ${list(FIRST_WORDS.map((word) => word.name))}`,
    "    }",
    ...FIRST_WORDS.filter((word) => word.values.length > 0 && takesFlags(word))
      .flatMap((word) => [
        `    elseif ($command -eq ${
          psQuote(word.name)
        } -and $before.Count -eq 2) {`,
        `        $candidates = ${list(word.values)}`,
        "    }",
      ]),
    ...FIRST_WORDS.filter((command) => command.completesProfiles).flatMap((
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
