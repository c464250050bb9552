/**
 * The subcommands (their usage and help sentence) and the topics
 * of `awsmfa help`, as help, completions and the parser show them.
 *
 * @module
 */

import { type HelpTopic, KEYS_ACTIONS, SHELLS } from "./options.ts";

/** A subcommand, as help and completions show it. */
export interface CommandSpec {
  /** The word that selects the command, e.g. `"completions"`. */
  readonly name: string;
  /** One sentence for `--help`. */
  readonly description: string;
  /** Its line in the overview of `awsmfa --help`. */
  readonly summary: string;
  /** Fixed choices for the (first) argument, offered by completions. */
  readonly values: readonly string[];
  /** Completions offer profile names for the arguments. */
  readonly completesProfiles?: boolean;
  /** The usage line after `awsmfa NAME`, e.g. `[PROFILE…|--all]`. */
  readonly usage: string;
}

/** Subcommands; the default command (no subcommand) refreshes a session. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "exec",
    summary: "Run a command with the session in its environment.",
    usage: "[OPTIONS] [CODE | -] -- CMD [ARGS...]",
    description:
      "Run CMD with the session in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; exits with its exit code.",
    values: [],
  },
  {
    name: "credential-process",
    summary: "Be an AWS profile's credential_process.",
    usage: "[OPTIONS]",
    description:
      "Print the credential_process JSON for an AWS profile: the cached session while it is valid, else a new one (code from mfa_process, else asked on the terminal), cached in ~/.aws/awsmfa/cache; never writes the AWS files.",
    values: [],
  },
  {
    name: "status",
    summary: "List awsmfa's sessions and how long each is valid.",
    usage: "[--json]",
    description:
      "List the awsmfa-managed profiles of the credentials file and the sessions only the cache holds, and how long each is valid.",
    values: [],
  },
  {
    name: "clear",
    summary: "Remove awsmfa's profiles and their cached sessions.",
    usage: "[PROFILE... | --all]",
    description:
      "Remove awsmfa-managed profiles (default: mfa), the config sections awsmfa added for them and their cached sessions (--all: every cached session); the name of a source or role profile ends its sessions only the cache holds.",
    values: [],
    completesProfiles: true,
  },
  {
    name: "keys",
    summary: "Keep a source profile's long-term keys in the OS keychain.",
    usage: "import|get|remove|list [--profile P] [--keychain NAME] [--force]",
    description:
      "Keep a source profile's long-term keys in the OS keychain: import moves them out of the credentials file and points the profile's credential_process at keys get, which prints them; remove deletes them; list shows what is stored.",
    values: KEYS_ACTIONS,
  },
  {
    name: "rotate",
    summary: "Replace the source profile's IAM access key with a new one.",
    usage: "[--profile P] [--keep-old] [CODE | -]",
    description:
      "Replace the source profile's IAM access key with a new one, with an MFA session: create, verify with STS, store where the old one lives (credentials file or keychain), then delete the old one; a run that was interrupted is finished or rolled back by the next.",
    values: [],
  },
  {
    name: "completions",
    summary: "Print a shell completion script.",
    usage: SHELLS.join("|"),
    description:
      "Print a completion script for bash, zsh, fish or powershell to stdout.",
    values: SHELLS,
  },
];

/** The topics of `awsmfa help`, with the words that name each. */
export const HELP_TOPICS: readonly [HelpTopic, readonly string[]][] = [
  ["options", ["options", "flags", "refresh"]],
  ["environment", ["environment", "env", "exit-codes"]],
  ["exec", ["exec"]],
  ["credential-process", ["credential-process"]],
  ["status", ["status"]],
  ["clear", ["clear"]],
  ["keys", ["keys"]],
  ["rotate", ["rotate"]],
  ["completions", ["completions"]],
];
