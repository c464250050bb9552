/**
 * Shell completion scripts for `awsmfa completions SHELL`, generated from the
 * flag and command tables (flags.ts, subcommands.ts) so they never drift from
 * the parser; one module per shell in completions/.
 *
 * Each command is offered its own flags (the `commands` of each flag in the
 * table); bash, zsh, fish and PowerShell complete profile names for
 * `--profile`, `--mfa-profile-name` and `awsmfa clear` from the credentials
 * and config files (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, else
 * `~/.aws/…`); bash and zsh complete the command after `awsmfa exec --`.
 *
 * @module
 */

import { bashScript } from "./completions/bash.ts";
import { fishScript } from "./completions/fish.ts";
import { powershellScript } from "./completions/powershell.ts";
import { zshScript } from "./completions/zsh.ts";
import type { Shell } from "./options.ts";

/**
 * The completion script for `shell`, built from the flag table
 * (flags.ts) and the commands (subcommands.ts):
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
