/**
 * The flag table: every flag, the commands that take it, its value and its
 * help sentence. The parser, help and completions all read it, so they
 * never drift.
 *
 * @module
 */

import { KEYCHAIN_NAMES } from "../source_keys/keychain/names.ts";
import { type CommandName, ENV_SHELLS, OUTPUTS } from "./options.ts";

/** One flag, as help and completions show it. */
export interface OptionSpec {
  /** Long name without the leading dashes, e.g. `"profile"`. */
  readonly name: string;
  /** One-letter alias without the dash, e.g. `"h"`. */
  readonly short?: string;
  /** Placeholder for the value when the flag takes one, e.g. `"PROFILE"`. */
  readonly value?: string;
  /** One sentence for `--help`. */
  readonly description: string;
  /** Fixed choices for the value, offered by completions. */
  readonly values?: readonly string[];
  /** Completions offer profile names from the credentials file for the value. */
  readonly completesProfiles?: boolean;
  /** The commands that take this flag. */
  readonly commands: readonly CommandName[];
}

const SESSION_COMMANDS: readonly CommandName[] = ["refresh", "exec"];
/** Session flags that `credential-process` takes too. */
const CACHE_COMMANDS: readonly CommandName[] = [
  ...SESSION_COMMANDS,
  "credential-process",
];
const ALL_COMMANDS: readonly CommandName[] = [
  "refresh",
  "exec",
  "credential-process",
  "status",
  "clear",
  "keys",
  "rotate",
];

/** Flag table used by the parser, help and completions so they never drift. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    name: "profile",
    value: "PROFILE",
    description:
      "Source profile with the long-term keys, a role profile, or a profile awsmfa wrote (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, then default).",
    completesProfiles: true,
    commands: [...CACHE_COMMANDS, "keys", "rotate"],
  },
  {
    name: "serial-number",
    value: "SERIAL",
    description:
      "MFA device ARN or hardware serial (default: mfa_serial of the source profile in the config file, then $AWS_MFA_SERIAL, then the one awsmfa recorded for the source profile).",
    commands: [...CACHE_COMMANDS, "rotate"],
  },
  {
    name: "duration-seconds",
    value: "DURATION",
    description:
      "Session length, 900 to 129600 seconds, also written like 12h, 90m or 1h30m (default: 43200).",
    commands: CACHE_COMMANDS,
  },
  {
    name: "mfa-profile-name",
    value: "NAME",
    description:
      "Profile that receives the temporary credentials (default: mfa); letters, digits and _.@+=,- only.",
    completesProfiles: true,
    commands: SESSION_COMMANDS,
  },
  {
    name: "region",
    value: "REGION",
    description:
      "Region of the STS endpoint (default: $AWS_REGION, $AWS_DEFAULT_REGION, the source profile's region, the serial's partition, then us-east-1).",
    commands: [...CACHE_COMMANDS, "rotate"],
  },
  {
    name: "endpoint-url",
    value: "URL",
    description:
      "STS endpoint to call instead of the regional one (an http:// or https:// URL).",
    commands: [...CACHE_COMMANDS, "rotate"],
  },
  {
    name: "mfa-process",
    value: "CMD",
    description:
      "Shell command that prints the MFA code, used when no CODE is given (default: mfa_process of the source profile in the config file).",
    commands: [...CACHE_COMMANDS, "rotate"],
  },
  {
    name: "min-remaining",
    value: "DURATION",
    description:
      "Reuse the target profile (credential-process: the cached session) while it is valid for longer than this, like 15m, 1h or 0 (default: 15m).",
    commands: CACHE_COMMANDS,
  },
  {
    name: "role-arn",
    value: "ARN",
    description:
      "Assume this role with MFA and write (or print) the role's credentials (default: role_arn when --profile names a role profile).",
    commands: CACHE_COMMANDS,
  },
  {
    name: "role-session-name",
    value: "NAME",
    description:
      "Name of the role session, shown in CloudTrail (default: role_session_name, then awsmfa-DEVICE).",
    commands: CACHE_COMMANDS,
  },
  {
    name: "external-id",
    value: "ID",
    description:
      "External id the role's trust policy asks for (default: external_id of the role profile).",
    commands: CACHE_COMMANDS,
  },
  {
    name: "output",
    value: "FORMAT",
    description:
      "Print the credentials instead of writing them: env (shell variables) or json (credential_process).",
    values: OUTPUTS,
    commands: ["refresh"],
  },
  {
    name: "shell",
    value: "SHELL",
    description:
      "Syntax of --output env: sh (also bash, zsh), fish or powershell (default: from $SHELL; powershell on Windows).",
    values: ENV_SHELLS,
    commands: ["refresh"],
  },
  {
    name: "write",
    description:
      "With --output or exec, also write the new session to the files.",
    commands: SESSION_COMMANDS,
  },
  {
    name: "force",
    description:
      "Get a new session even when the target profile is still valid (keys remove: even while a profile still reads the keys).",
    commands: [...SESSION_COMMANDS, "keys"],
  },
  {
    name: "json",
    description: "status: print a JSON array instead of a table.",
    commands: ["status"],
  },
  {
    name: "all",
    description:
      "clear: remove every awsmfa-managed profile and every cached session.",
    commands: ["clear"],
  },
  {
    name: "max-key-age",
    value: "DAYS",
    description:
      "status: warn about a long-term key older than this many days, when awsmfa rotate recorded its age (default: 90).",
    commands: ["status"],
  },
  {
    name: "keep-old",
    description:
      "rotate: deactivate the old access key instead of deleting it.",
    commands: ["rotate"],
  },
  {
    name: "keychain",
    value: "NAME",
    description:
      "keys: the OS keychain to use: secret-service, pass, macos or windows (default: $AWSMFA_KEYCHAIN, else the platform's own).",
    values: KEYCHAIN_NAMES,
    commands: ["keys"],
  },
  {
    name: "quiet",
    description: "Print nothing when all goes well.",
    commands: ["refresh", "exec", "clear", "keys", "rotate"],
  },
  {
    name: "version",
    short: "V",
    description: "Print the version and exit.",
    commands: ["refresh"],
  },
  {
    name: "help",
    short: "h",
    description: "Print this help and exit.",
    commands: ALL_COMMANDS,
  },
];

/** The flags `command` takes, in table order. */
export function specsOf(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((spec) => spec.commands.includes(command));
}
