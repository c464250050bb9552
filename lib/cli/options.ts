/**
 * What a command line asks for: one typed value per command
 * ({@linkcode Options}), and the fixed words its flags and arguments take.
 * Types and constants only.
 *
 * @module
 */

import type { KeychainName } from "../source_keys/keychain/names.ts";

/** The shells `awsmfa completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;

/** One of {@linkcode SHELLS}. */
export type Shell = typeof SHELLS[number];

/** The syntaxes `--output env` can print, picked by `--shell`. */
export const ENV_SHELLS = ["sh", "fish", "powershell"] as const;

/** One of {@linkcode ENV_SHELLS}. */
export type EnvShell = typeof ENV_SHELLS[number];

/** Where `--output` sends the credentials instead of the files. */
export const OUTPUTS = ["env", "json"] as const;

/** One of {@linkcode OUTPUTS}. */
export type Output = typeof OUTPUTS[number];

/** The flags that say how to get a session, shared by the default command and `exec`. */
export interface SessionFlags {
  /** Source profile with long-term keys (`--profile`). */
  profile?: string;
  /** MFA device ARN or hardware serial (`--serial-number`), not yet validated. */
  serialNumber?: string;
  /** Session length in seconds, 900 to 129600 (`--duration-seconds`). */
  durationSeconds?: number;
  /** Target profile (`--mfa-profile-name`). */
  mfaProfileName?: string;
  /** Region for the STS endpoint (`--region`). */
  region?: string;
  /** STS endpoint URL, http or https (`--endpoint-url`). */
  endpointUrl?: string;
  /** Command that prints the MFA code (`--mfa-process`). */
  mfaProcess?: string;
  /** Reuse a session only while it has more than this many seconds left (`--min-remaining`). */
  minRemainingSeconds?: number;
  /** ARN of a role to assume (`--role-arn`). */
  roleArn?: string;
  /** Name of the role session (`--role-session-name`). */
  roleSessionName?: string;
  /** External id of the role (`--external-id`). */
  externalId?: string;
  /** Write the files even with `--output` or in `exec` (`--write`). */
  write?: boolean;
  /** Get a new session even when the target profile is still valid (`--force`). */
  force: boolean;
  /** Print nothing on success (`--quiet`). */
  quiet: boolean;
  /** The MFA code: `"-"` (read stdin) or exactly 6 digits, leading zeros kept. */
  code?: string;
}

/** The default command: get a session and write it to the target profile (or print it). */
export interface RefreshOptions extends SessionFlags {
  /** Which command this is. */
  command: "refresh";
  /** Print the credentials instead of writing them (`--output`). */
  output?: Output;
  /** Syntax of `--output env` (`--shell`). */
  shell?: EnvShell;
}

/** `awsmfa exec [options] -- CMD [ARGS…]`: run a command with the session in its environment. */
export interface ExecOptions extends SessionFlags {
  /** Which command this is. */
  command: "exec";
  /** The command and its arguments, at least one word. */
  argv: string[];
}

/**
 * `awsmfa credential-process [OPTIONS]`: print the `credential_process` JSON
 * of a cached session, getting (and caching) a new one when it runs out.
 * It takes the session flags but the target, the code and the flags about
 * writing or reporting.
 */
export interface CredentialProcessOptions extends
  Omit<
    SessionFlags,
    "mfaProfileName" | "write" | "force" | "quiet" | "code"
  > {
  /** Which command this is. */
  command: "credential-process";
}

/** `awsmfa status [--json]`: list the awsmfa-managed profiles. */
export interface StatusOptions {
  /** Which command this is. */
  command: "status";
  /** Print a JSON array instead of a table (`--json`). */
  json: boolean;
  /** Warn about long-term keys older than this many days (`--max-key-age`). */
  maxKeyAgeDays?: number;
}

/** `awsmfa clear [PROFILE…|--all]`: remove awsmfa-managed profiles. */
export interface ClearOptions {
  /** Which command this is. */
  command: "clear";
  /** Every awsmfa-managed profile (`--all`). */
  all: boolean;
  /** The profiles named; empty with `--all`. */
  profiles: string[];
  /** Print nothing on success (`--quiet`). */
  quiet: boolean;
}

/** `awsmfa completions SHELL`: print a completion script. */
export interface CompletionsOptions {
  /** Which command this is. */
  command: "completions";
  /** The shell to write the script for. */
  shell: Shell;
}

/** `--help` or `--version`. */
export interface InfoOptions {
  /** Which command this is. */
  command: "help" | "version";
  /** The help topic: a command, `options` or `environment`; absent: the overview. */
  topic?: HelpTopic;
}

/** What `awsmfa help TOPIC` can show. */
export type HelpTopic =
  | "options"
  | "environment"
  | "exec"
  | "credential-process"
  | "status"
  | "clear"
  | "keys"
  | "rotate"
  | "completions";

/** The actions of `awsmfa keys`. */
export const KEYS_ACTIONS = ["import", "get", "remove", "list"] as const;

/** `awsmfa keys ACTION [--profile P] [--keychain K] [--force]`. */
export interface KeysOptions {
  /** Which command this is. */
  command: "keys";
  /** What to do. */
  action: typeof KEYS_ACTIONS[number];
  /** The profile (`--profile`; default `AWS_PROFILE`, then `default`). */
  profile?: string;
  /** The back-end (`--keychain`; default `AWSMFA_KEYCHAIN`, then automatic). */
  keychain?: KeychainName;
  /** `keys remove`: even while a config still points at the item (`--force`). */
  force: boolean;
  /** Print nothing on success (`--quiet`). */
  quiet: boolean;
}

/** `awsmfa rotate [--profile P] [--serial-number S] [--keep-old] [CODE | -]`. */
export interface RotateOptions extends
  Pick<
    SessionFlags,
    | "profile"
    | "serialNumber"
    | "region"
    | "endpointUrl"
    | "mfaProcess"
    | "code"
    | "quiet"
  > {
  /** Which command this is. */
  command: "rotate";
  /** Deactivate the old key instead of deleting it (`--keep-old`). */
  keepOld: boolean;
}

/** What one command line asks for. */
export type Options =
  | RefreshOptions
  | ExecOptions
  | CredentialProcessOptions
  | StatusOptions
  | ClearOptions
  | CompletionsOptions
  | KeysOptions
  | RotateOptions
  | InfoOptions;

/** The commands a flag can belong to; `refresh` is the default command. */
export type CommandName =
  | "refresh"
  | "exec"
  | "credential-process"
  | "status"
  | "clear"
  | "keys"
  | "rotate";
