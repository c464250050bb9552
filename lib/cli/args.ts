/**
 * The command line: argv → typed options, and the `--help` text.
 *
 * Parsing is pure and strict (lib/argv.ts, `parseArgs` semantics): unknown flags, missing
 * values and malformed inputs become a {@linkcode UsageError} with one
 * sentence that names the flag and never repeats the MFA code.
 *
 * @module
 */

import { type ArgvOption, parseArgv } from "./argv.ts";
import { ExitCode, UsageError } from "../shared/errors.ts";
import { nearMiss } from "../shared/near.ts";
import {
  checkExternalId,
  checkRoleArn,
  checkSessionName,
} from "../sessions/role.ts";
import {
  checkKeychainName,
  KEYCHAIN_NAMES,
} from "../source_keys/keychain/keychain.ts";
import type { KeysOptions } from "../commands/keys.ts";
import type { RotateOptions } from "../commands/rotate.ts";

/** The shells `awsmfa completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;

/** One of {@linkcode SHELLS}. */
export type Shell = typeof SHELLS[number];

/** The syntaxes `--output env` can print, picked by `--shell`. */
export const ENV_SHELLS = ["sh", "fish", "powershell"] as const;

/** One of {@linkcode ENV_SHELLS}. */
export type EnvShell = typeof ENV_SHELLS[number];

/** Shells whose syntax `--output env` prints under another name. */
const SHELL_ALIASES: Readonly<Record<string, EnvShell>> = {
  bash: "sh",
  zsh: "sh",
  dash: "sh",
  ksh: "sh",
  pwsh: "powershell",
};

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

/** The topics of `awsmfa help`, with the words that name each. */
const HELP_TOPICS: readonly [HelpTopic, readonly string[]][] = [
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

/** A subcommand, as help and completions show it. */
export interface CommandSpec {
  /** The word that selects the command, e.g. `"completions"`. */
  readonly name: string;
  /** Placeholder for its argument, e.g. `"SHELL"`. */
  readonly argument: string;
  /** One sentence for `--help`. */
  readonly description: string;
  /** Fixed choices for the argument, offered by completions. */
  readonly values: readonly string[];
  /** Completions offer profile names for the arguments. */
  readonly completesProfiles?: boolean;
  /** The usage line after `awsmfa NAME`, e.g. `[PROFILE…|--all]`. */
  readonly usage: string;
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

/** Subcommands; the default command (no subcommand) refreshes a session. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "exec",
    argument: "-- CMD [ARGS...]",
    usage: "[OPTIONS] [CODE | -] -- CMD [ARGS...]",
    description:
      "Run CMD with the session in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; exits with its exit code.",
    values: [],
  },
  {
    name: "credential-process",
    argument: "[OPTIONS]",
    usage: "[OPTIONS]",
    description:
      "Print the credential_process JSON for an AWS profile: the cached session while it is valid, else a new one (code from mfa_process, else asked on the terminal), cached in ~/.aws/awsmfa/cache; never writes the AWS files.",
    values: [],
  },
  {
    name: "status",
    argument: "[--json]",
    usage: "[--json]",
    description:
      "List the awsmfa-managed profiles of the credentials file and the sessions only the cache holds, and how long each is valid.",
    values: [],
  },
  {
    name: "clear",
    argument: "[PROFILE...]",
    usage: "[PROFILE... | --all]",
    description:
      "Remove awsmfa-managed profiles (default: mfa), the config sections awsmfa added for them and their cached sessions (--all: every cached session); the name of a source or role profile ends its sessions only the cache holds.",
    values: [],
    completesProfiles: true,
  },
  {
    name: "keys",
    argument: "import|get|remove|list",
    usage: "import|get|remove|list [--profile P] [--keychain NAME] [--force]",
    description:
      "Keep a source profile's long-term keys in the OS keychain: import moves them out of the credentials file and points the profile's credential_process at keys get, which prints them; remove deletes them; list shows what is stored.",
    // Completions offer its flags; the action words are in --help.
    values: [],
  },
  {
    name: "rotate",
    argument: "[CODE | -]",
    usage: "[--profile P] [--keep-old] [CODE | -]",
    description:
      "Replace the source profile's IAM access key with a new one, with an MFA session: create, verify with STS, store where the old one lives (credentials file or keychain), then delete the old one; a run that was interrupted is finished or rolled back by the next.",
    values: [],
  },
  {
    name: "completions",
    argument: "SHELL",
    usage: SHELLS.join("|"),
    description:
      "Print a completion script for bash, zsh, fish or powershell to stdout.",
    values: SHELLS,
  },
];

/** The target profile when `--mfa-profile-name` is not given. */
const DEFAULT_PROFILE_NAME = "mfa";
const MIN_DURATION = 900;
const MAX_DURATION = 129600;
const PROFILE_NAME = /^[A-Za-z0-9_.@+=,-]+$/;
const OPTION_NAME = /^--?[A-Za-z][A-Za-z0-9-]*$/;

type ParseOptions = Record<string, ArgvOption>;

function parseOptions(specs: readonly OptionSpec[]): ParseOptions {
  const options: ParseOptions = {};
  for (const spec of specs) {
    options[spec.name] = spec.short === undefined
      ? { type: spec.value === undefined ? "boolean" : "string" }
      : {
        type: spec.value === undefined ? "boolean" : "string",
        short: spec.short,
      };
  }
  return options;
}

/** The flag name in a `parseArgv` error, only if it is safe to repeat. */
function flagInMessage(message: string): string | undefined {
  const match =
    /^Unknown option '(.*)'\. To specify a positional/s.exec(message) ??
      /^Option '(?:-[A-Za-z], )?(-{1,2}[^'\s=<]*)/.exec(message);
  if (match === null || !OPTION_NAME.test(match[1])) return undefined;
  return match[1];
}

/** Turn a `parseArgv` error into a one-line usage error. */
function usageFromParseError(
  error: unknown,
  specs: readonly OptionSpec[],
  where: string,
): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : "";
  const flag = flagInMessage(message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    if (flag === undefined) return new UsageError("Unknown option.");
    const elsewhere = OPTIONS.find((spec) => `--${spec.name}` === flag);
    if (elsewhere !== undefined) {
      return new UsageError(
        `Unknown option ${flag} for ${where}; it belongs to ${
          elsewhere.commands.map(commandLabel).join(" and ")
        }.`,
      );
    }
    const habit = flag.startsWith("--") ? HABITS[flag.slice(2)] : undefined;
    if (habit !== undefined) {
      return new UsageError(`Unknown option ${flag}; ${habit}`);
    }
    const guess = flag.startsWith("--")
      ? nearMiss(flag.slice(2), specs.map((spec) => spec.name))
      : undefined;
    return new UsageError(
      guess !== undefined
        ? `Unknown option ${flag}; did you mean --${guess}?`
        : `Unknown option ${flag}.`,
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag !== undefined) {
    if (message.includes("does not take an argument")) {
      return new UsageError(`Option ${flag} does not take a value.`);
    }
    if (message.includes("ambiguous")) {
      return new UsageError(
        `Option ${flag} needs a value; to give one that starts with "-", write ${flag}=VALUE.`,
      );
    }
    return new UsageError(`Option ${flag} needs a value.`);
  }
  return new UsageError("The command line could not be read.");
}

/**
 * Flags of the AWS CLI and aws-vault that people type out of habit, and what
 * awsmfa takes instead.
 */
const HABITS: Readonly<Record<string, string>> = {
  "token-code":
    'awsmfa takes the MFA code as an argument, as in: awsmfa --profile work 123456 (or "-" to read it from stdin).',
  "mfa-token":
    'awsmfa takes the MFA code as an argument, as in: awsmfa --profile work 123456 (or "-" to read it from stdin).',
  "mfa-code":
    'awsmfa takes the MFA code as an argument, as in: awsmfa --profile work 123456 (or "-" to read it from stdin).',
  "device":
    "the MFA device is --serial-number SERIAL (or mfa_serial in the config).",
  "mfa-serial":
    "the MFA device is --serial-number SERIAL (or mfa_serial in the config).",
  "duration":
    "the session length is --duration-seconds, which also takes 12h, 90m or 1h30m.",
  "assume-role":
    "to assume a role, give --role-arn ARN, or --profile with a role profile (role_arn and source_profile in the config).",
  "role":
    "to assume a role, give --role-arn ARN, or --profile with a role profile (role_arn and source_profile in the config).",
};

function commandLabel(command: CommandName): string {
  return command === "refresh" ? "the default command" : `awsmfa ${command}`;
}

function strictParse(
  args: string[],
  specs: readonly OptionSpec[],
  where: string,
) {
  try {
    return parseArgv(args, parseOptions(specs));
  } catch (error) {
    throw usageFromParseError(error, specs, where);
  }
}

function asksForHelp(args: string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "-h" || arg === "--help") return true;
  }
  return false;
}

/** The help topic a word names; throws {@linkcode UsageError} for an unknown one. */
function helpTopic(word: string): HelpTopic {
  const found = HELP_TOPICS.find(([, words]) => words.includes(word));
  if (found !== undefined) return found[0];
  throw new UsageError(
    `There is no help on "${
      /^[a-z-]{1,30}$/.test(word) ? word : "that"
    }"; the topics are: ${HELP_TOPICS.map(([topic]) => topic).join(", ")}.`,
  );
}

/** `awsmfa help [TOPIC]`, or `-h`/`--help` after a command word. */
function parseHelp(argv: string[]): Options {
  if (argv[0] === "help") {
    if (argv.length > 2) {
      throw new UsageError("The help command takes at most one topic.");
    }
    return argv.length === 1
      ? { command: "help" }
      : { command: "help", topic: helpTopic(argv[1]) };
  }
  const command = COMMANDS.find((spec) => spec.name === argv[0]);
  return command === undefined
    ? { command: "help" }
    : { command: "help", topic: helpTopic(command.name) };
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") {
    throw new UsageError(`Option --${flag} needs a non-empty value.`);
  }
  return value;
}

function checkEndpointUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL("invalid:");
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.hostname === ""
  ) {
    throw new UsageError(
      "Option --endpoint-url must be an http:// or https:// URL.",
    );
  }
  return value;
}

function checkProfileName(value: string | undefined): string | undefined {
  if (value !== undefined && !PROFILE_NAME.test(value)) {
    throw new UsageError(
      "Option --mfa-profile-name may only use letters, digits and _.@+=,- so that every AWS tool reads the section name the same way.",
    );
  }
  return value;
}

function checkCode(
  positionals: string[],
  command: CommandName,
): string | undefined {
  if (positionals.length === 0) return undefined;
  const misplaced = positionals.find((word) =>
    COMMANDS.some((command) => command.name === word)
  );
  if (misplaced !== undefined) {
    throw new UsageError(
      `The ${misplaced} command must come first, as in: awsmfa ${misplaced} ...`,
    );
  }
  if (positionals.length > 1) {
    throw new UsageError(
      'Too many arguments: give at most one MFA code, or "-" to read it from stdin.',
    );
  }
  const [code] = positionals;
  if (code === "-" || /^[0-9]{6}$/.test(code)) return code;
  if (/^[0-9]{3} [0-9]{3}$/.test(code)) return code.replace(" ", "");
  // A word with several digits may be a mistyped code: never repeat it.
  if (PROFILE_NAME.test(code) && !/[0-9].*[0-9].*[0-9]/.test(code)) {
    throw new StrayWordError(code, command);
  }
  throw new UsageError("The MFA code must be exactly 6 digits.");
}

/**
 * A word where the MFA code goes that is neither a code nor a command: often
 * a profile name, as aws-vault takes it (`aws-vault exec work -- …`). The
 * caller, which can read the files, says so when such a profile exists.
 */
export class StrayWordError extends UsageError {
  /** The word. */
  readonly word: string;
  /** The command it was given to. */
  readonly command: CommandName;

  /** Create the error for `word` given to `command`. */
  constructor(word: string, command: CommandName) {
    const guess = command === "refresh"
      ? nearMiss(word, COMMANDS.map((spec) => spec.name))
      : undefined;
    super(
      command === "refresh"
        ? `Unknown command "${word}"${
          guess !== undefined ? ` (did you mean "${guess}"?)` : ""
        }; the commands are: ${
          COMMANDS.map((spec) => spec.name).join(", ")
        }, and the MFA code is 6 digits.`
        : `"${word}" is not an MFA code: it must be exactly 6 digits.`,
    );
    this.name = "StrayWordError";
    this.word = word;
    this.command = command;
  }

  /** The sentence when a profile named like the word exists. */
  profileHint(): string {
    const prefix = this.command === "refresh" ? "" : `${this.command} `;
    return `"${this.word}" is not a command or an MFA code; did you mean --profile ${this.word}, as in: awsmfa ${prefix}--profile ${this.word}${
      this.command === "exec" ? " -- CMD" : ""
    }?`;
  }
}

function specsOf(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((spec) => spec.commands.includes(command));
}

function parseCompletions(args: string[]): Options {
  const { positionals } = strictParse(
    args,
    [] as OptionSpec[],
    "awsmfa completions",
  );
  const [shell, ...rest] = positionals;
  if (shell === undefined || rest.length > 0) {
    throw new UsageError(
      `The completions command takes one shell: ${SHELLS.join(", ")}.`,
    );
  }
  const known = SHELLS.find((name) => name === shell);
  if (known === undefined) {
    throw new UsageError(
      `The completions command supports these shells only: ${
        SHELLS.join(", ")
      }.`,
    );
  }
  return { command: "completions", shell: known };
}

type Values = ReturnType<typeof strictParse>["values"];

function textOf(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** The flags of the default command and `exec`, checked. */
function sessionFlags(
  values: Values,
  positionals: string[],
  command: CommandName,
): SessionFlags {
  const flags: SessionFlags = {
    force: values.force === true,
    quiet: values.quiet === true,
  };
  const duration = textOf(values, "duration-seconds");
  const minRemaining = textOf(values, "min-remaining");
  const profile = nonEmpty("profile", textOf(values, "profile"));
  const serialNumber = nonEmpty(
    "serial-number",
    textOf(values, "serial-number"),
  );
  const mfaProfileName = checkProfileName(
    nonEmpty("mfa-profile-name", textOf(values, "mfa-profile-name")),
  );
  const region = nonEmpty("region", textOf(values, "region"));
  const endpointUrl = checkEndpointUrl(textOf(values, "endpoint-url"));
  const mfaProcess = nonEmpty("mfa-process", textOf(values, "mfa-process"));
  const roleArn = textOf(values, "role-arn");
  const roleSessionName = textOf(values, "role-session-name");
  const externalId = textOf(values, "external-id");
  const code = checkCode(positionals, command);
  if (roleArn !== undefined) {
    flags.roleArn = checkRoleArn(roleArn, "of --role-arn");
  }
  if (roleSessionName !== undefined) {
    flags.roleSessionName = checkSessionName(
      roleSessionName,
      "of --role-session-name",
    );
  }
  if (externalId !== undefined) {
    flags.externalId = checkExternalId(externalId, "of --external-id");
  }
  if (profile !== undefined) flags.profile = profile;
  if (serialNumber !== undefined) flags.serialNumber = serialNumber;
  if (duration !== undefined) flags.durationSeconds = parseDuration(duration);
  if (mfaProfileName !== undefined) flags.mfaProfileName = mfaProfileName;
  if (region !== undefined) flags.region = region;
  if (endpointUrl !== undefined) flags.endpointUrl = endpointUrl;
  if (mfaProcess !== undefined) flags.mfaProcess = mfaProcess;
  if (minRemaining !== undefined) {
    flags.minRemainingSeconds = parseMinRemaining(minRemaining);
  }
  if (values.write === true) flags.write = true;
  if (code !== undefined) flags.code = code;
  return flags;
}

function choice<T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const known = choices.find((name) => name === value);
  if (known === undefined) {
    throw new UsageError(
      `Option --${flag} takes one of: ${choices.join(", ")}.`,
    );
  }
  return known;
}

function parseRefresh(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("refresh"),
    "the default command",
  );
  if (values.version === true) return { command: "version" };
  const options: RefreshOptions = {
    command: "refresh",
    ...sessionFlags(values, positionals, "refresh"),
  };
  const output = choice("output", textOf(values, "output"), OUTPUTS);
  const shellName = textOf(values, "shell");
  const shell = choice(
    "shell",
    shellName === undefined ? undefined : SHELL_ALIASES[shellName] ?? shellName,
    ENV_SHELLS,
  );
  if (shell !== undefined && output !== "env") {
    throw new UsageError("Option --shell only applies with --output env.");
  }
  if (options.write === true && output === undefined) {
    throw new UsageError(
      "Option --write only applies with --output or in awsmfa exec; without them awsmfa always writes the files.",
    );
  }
  if (output !== undefined) options.output = output;
  if (shell !== undefined) options.shell = shell;
  return options;
}

function parseExec(argv: string[]): Options {
  const separator = argv.indexOf("--");
  if (separator < 0 || separator === argv.length - 1) {
    throw new UsageError(
      "The exec command needs the command to run after --, as in: awsmfa exec -- aws s3 ls",
    );
  }
  const { values, positionals } = strictParse(
    argv.slice(0, separator),
    specsOf("exec"),
    "awsmfa exec",
  );
  return {
    command: "exec",
    ...sessionFlags(values, positionals, "exec"),
    argv: argv.slice(separator + 1),
  };
}

function parseCredentialProcess(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("credential-process"),
    "awsmfa credential-process",
  );
  if (positionals.length > 0) {
    throw new UsageError(
      "The credential-process command takes no arguments; it gets the code from mfa_process or asks on the terminal.",
    );
  }
  // Its flag table has none of --mfa-profile-name, --write, --force,
  // --quiet: only the two booleans sessionFlags always sets are left out.
  const { force: _force, quiet: _quiet, ...flags } = sessionFlags(
    values,
    [],
    "credential-process",
  );
  return { command: "credential-process", ...flags };
}

/** `--max-key-age`: days, as `90` or `90d`, from 1 to 3650. */
function checkMaxKeyAge(text: string): number {
  const match = /^([0-9]{1,4})d?$/.exec(text.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!(days >= 1 && days <= 3650)) {
    throw new UsageError(
      "Option --max-key-age takes a number of days from 1 to 3650, like 90 or 90d.",
    );
  }
  return days;
}

function parseStatus(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("status"),
    "awsmfa status",
  );
  if (positionals.length > 0) {
    throw new UsageError("The status command takes no arguments.");
  }
  const maxKeyAge = textOf(values, "max-key-age");
  return {
    command: "status",
    json: values.json === true,
    ...(maxKeyAge !== undefined
      ? { maxKeyAgeDays: checkMaxKeyAge(maxKeyAge) }
      : {}),
  };
}

function parseClear(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("clear"),
    "awsmfa clear",
  );
  const all = values.all === true;
  if (all && positionals.length > 0) {
    throw new UsageError(
      "The clear command takes profile names or --all, not both.",
    );
  }
  for (const name of positionals) {
    if (name.trim() === "") {
      throw new UsageError("The clear command takes non-empty profile names.");
    }
  }
  return {
    command: "clear",
    all,
    profiles: all || positionals.length > 0
      ? [...new Set(positionals)]
      : [DEFAULT_PROFILE_NAME],
    quiet: values.quiet === true,
  };
}

function parseRotate(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("rotate"),
    "awsmfa rotate",
  );
  const flags = sessionFlags(values, positionals, "rotate");
  const options: RotateOptions = {
    command: "rotate",
    keepOld: values["keep-old"] === true,
    quiet: flags.quiet,
  };
  for (
    const key of [
      "profile",
      "serialNumber",
      "region",
      "endpointUrl",
      "mfaProcess",
      "code",
    ] as const
  ) {
    if (flags[key] !== undefined) options[key] = flags[key];
  }
  return options;
}

function parseKeys(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("keys"),
    "awsmfa keys",
  );
  const [action, ...rest] = positionals;
  if (
    (action !== "import" && action !== "get" && action !== "remove" &&
      action !== "list") || rest.length > 0
  ) {
    throw new UsageError(
      "The keys command takes one of: import, get, remove, list.",
    );
  }
  const options: KeysOptions = {
    command: "keys",
    action,
    force: values.force === true,
    quiet: values.quiet === true,
  };
  const profile = nonEmpty("profile", textOf(values, "profile"));
  if (profile !== undefined) options.profile = profile;
  const keychain = textOf(values, "keychain");
  if (keychain !== undefined) {
    options.keychain = checkKeychainName(keychain, "Option --keychain");
  }
  if (options.force && action !== "remove") {
    throw new UsageError("Option --force only applies to keys remove.");
  }
  return options;
}

/**
 * Read a command line (without the program name) into {@linkcode Options}.
 *
 * `-h`/`--help` anywhere before `--` wins; then `--version`. The first word
 * may name a command (`exec`, `credential-process`, `status`, `clear`,
 * `completions`); otherwise it
 * is the default command. Throws {@linkcode UsageError} with one sentence for
 * unknown flags, flags of another command, missing or malformed values and
 * extra arguments; the message never contains the code.
 *
 * @example
 * ```ts
 * parseArguments(["--profile", "work", "012345"]);
 * // { command: "refresh", profile: "work", code: "012345", force: false, quiet: false }
 * ```
 */
export function parseArguments(argv: string[]): Options {
  if (argv[0] === "help" || asksForHelp(argv)) return parseHelp(argv);
  switch (argv[0]) {
    case "completions":
      return parseCompletions(argv.slice(1));
    case "exec":
      return parseExec(argv.slice(1));
    case "credential-process":
      return parseCredentialProcess(argv.slice(1));
    case "status":
      return parseStatus(argv.slice(1));
    case "clear":
      return parseClear(argv.slice(1));
    case "keys":
      return parseKeys(argv.slice(1));
    case "rotate":
      return parseRotate(argv.slice(1));
    default:
      return parseRefresh(argv);
  }
}

/** Seconds in `text`: whole seconds or units in the order d, h, m, s; undefined if malformed. */
function durationOf(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const match = /^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/
    .exec(text);
  if (text === "" || match === null) return undefined;
  const [days, hours, minutes, secs] = match.slice(1).map((part) =>
    part === undefined ? 0 : Number(part)
  );
  return ((days * 24 + hours) * 60 + minutes) * 60 + secs;
}

/**
 * Read a session length: whole seconds (`"43200"`) or units in the order
 * d, h, m, s (`"12h"`, `"90m"`, `"1h30m"`, `"900s"`, `"1d"`). The result
 * must lie in STS's range, 900 to 129600 seconds; otherwise throws
 * {@linkcode UsageError} (without repeating the value).
 *
 * @example
 * ```ts
 * parseDuration("1h30m"); // 5400
 * ```
 */
export function parseDuration(text: string): number {
  const seconds = durationOf(text);
  if (seconds === undefined) {
    throw new UsageError(
      "Option --duration-seconds takes seconds (43200) or a length like 12h, 90m or 1h30m.",
    );
  }
  if (seconds < MIN_DURATION || seconds > MAX_DURATION) {
    throw new UsageError(
      "Option --duration-seconds must be between 900 and 129600 seconds (15m to 36h).",
    );
  }
  return seconds;
}

/**
 * Read the skip-while-valid threshold of `--min-remaining`: the same forms as
 * {@linkcode parseDuration}, from 0 (reuse until the last second) to 129600
 * seconds (36h, the longest session).
 *
 * @example
 * ```ts
 * parseMinRemaining("1h"); // 3600
 * ```
 */
export function parseMinRemaining(text: string): number {
  const seconds = durationOf(text);
  if (seconds === undefined) {
    throw new UsageError(
      "Option --min-remaining takes seconds (900) or a length like 15m, 1h or 1h30m.",
    );
  }
  if (seconds > MAX_DURATION) {
    throw new UsageError(
      "Option --min-remaining must be at most 129600 seconds (36h), the longest session.",
    );
  }
  return seconds;
}

const ENVIRONMENT: readonly [string, string][] = [
  [
    "AWS_PROFILE, AWS_DEFAULT_PROFILE",
    "Profile when --profile is not given.",
  ],
  [
    "AWS_MFA_SERIAL",
    "MFA serial when neither the flag nor the config has one.",
  ],
  [
    "AWS_SHARED_CREDENTIALS_FILE",
    "Credentials file (default: ~/.aws/credentials).",
  ],
  ["AWS_CONFIG_FILE", "Config file (default: ~/.aws/config)."],
  ["AWS_REGION, AWS_DEFAULT_REGION", "Region when --region is not given."],
  [
    "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL",
    "STS endpoint when --endpoint-url is not given.",
  ],
  ["HOME, USERPROFILE", "Where ~ is."],
  ["HTTPS_PROXY, NO_PROXY", "Proxy for the call to STS."],
  ["SHELL", "Default syntax of --output env (fish, pwsh, else sh)."],
  [
    "AWSMFA_MFA_PROCESS_TIMEOUT",
    "Seconds an MFA code command may take (default: 30).",
  ],
  [
    "AWSMFA_EXEC",
    "Set by awsmfa exec for CMD (the target profile); awsmfa exec refuses to run inside it.",
  ],
  ["AWSMFA_DEBUG", "When set, internal errors show a stack trace."],
];

const EXIT_CODES: readonly [number, string][] = [
  [ExitCode.Ok, "Success, or the target profile is still valid."],
  [ExitCode.Internal, "Internal error (a bug; please report it)."],
  [ExitCode.Usage, "Bad command line or input (flag, code, duration)."],
  [
    ExitCode.Local,
    "Local problem: files, profiles, locks, an MFA code command that failed.",
  ],
  [
    ExitCode.CodeRejected,
    "STS refused the MFA code: wrong, expired or already used.",
  ],
  [
    ExitCode.AuthRejected,
    "STS refused the long-term keys, the MFA serial, or the role (trust, external id, duration).",
  ],
  [ExitCode.Network, "Network failure, throttling or an STS server error."],
  [ExitCode.Cancelled, "Ctrl-C at the MFA code prompt."],
];

/** Lay out `rows` as an indented two-column list, wrapping the text column. */
function table(rows: readonly [string, string][]): string {
  const width = Math.min(
    Math.max(...rows.map(([left]) => left.length)) + 2,
    34,
  );
  const textWidth = Math.max(80 - 2 - width, 30);
  const lines: string[] = [];
  for (const [left, text] of rows) {
    const wrapped: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
      if (line !== "" && line.length + 1 + word.length > textWidth) {
        wrapped.push(line);
        line = word;
      } else {
        line = line === "" ? word : `${line} ${word}`;
      }
    }
    wrapped.push(line);
    const first = left.length + 2 <= width
      ? `  ${left.padEnd(width)}${wrapped[0]}`
      : `  ${left}\n  ${" ".repeat(width)}${wrapped[0]}`;
    lines.push(first);
    for (const rest of wrapped.slice(1)) {
      lines.push(`  ${" ".repeat(width)}${rest}`);
    }
  }
  return lines.join("\n");
}

function flagLabel(spec: OptionSpec): string {
  const long = spec.value === undefined
    ? `--${spec.name}`
    : `--${spec.name} ${spec.value}`;
  return spec.short === undefined ? long : `-${spec.short}, ${long}`;
}

/** The flags shown in the overview, the ones most runs use. */
const COMMON_FLAGS: readonly [string, string][] = [
  [
    "--profile PROFILE",
    "Profile to use (default: $AWS_PROFILE, else default).",
  ],
  [
    "--serial-number SERIAL",
    "MFA device (default: mfa_serial, else recorded).",
  ],
  ["--mfa-profile-name NAME", "Profile to write (default: mfa)."],
  ["--duration-seconds DURATION", "Session length, like 12h (default: 12h)."],
  ["--role-arn ARN", "Assume this role with MFA."],
  ["--output env|json", "Print the credentials instead of writing them."],
  ["--force", "Get a new session even while one is valid."],
  ["-h, --help", "Print help; -V, --version prints the version."],
];

/** One line per command for the overview. */
const COMMAND_SUMMARIES: Readonly<Record<string, string>> = {
  "exec": "Run a command with the session in its environment.",
  "credential-process": "Be an AWS profile's credential_process.",
  "status": "List awsmfa's sessions and how long each is valid.",
  "clear": "Remove awsmfa's profiles and their cached sessions.",
  "keys": "Keep a source profile's long-term keys in the OS keychain.",
  "rotate": "Replace the source profile's IAM access key with a new one.",
  "completions": "Print a shell completion script.",
};

function usageLines(): string[] {
  return [
    "  awsmfa [OPTIONS] [CODE | -]",
    ...COMMANDS.map((command) => `  awsmfa ${command.name} ${command.usage}`),
  ];
}

/** The overview: one screen. */
function overview(): string[] {
  return [
    "awsmfa: turn an MFA code into temporary AWS credentials in ~/.aws/credentials.",
    "",
    "Usage:",
    ...usageLines(),
    "",
    "CODE is the 6-digit code of your MFA device (- reads it from stdin; without",
    "it awsmfa runs mfa_process, else asks on the terminal). awsmfa writes a",
    "session made with the source profile's long-term keys to the target profile",
    "(default mfa), and does nothing while that is valid for more than 15 minutes.",
    "",
    "Common options:",
    table(COMMON_FLAGS),
    "",
    "Commands:",
    table(
      COMMANDS.map((
        command,
      ) => [command.name, COMMAND_SUMMARIES[command.name]]),
    ),
    "",
    'More: "awsmfa help COMMAND" for a command, "awsmfa help options" for every',
    'option, "awsmfa help environment" for the variables and exit codes.',
  ];
}

/** Every flag of the default command. */
function optionsPage(): string[] {
  return [
    "Usage: awsmfa [OPTIONS] [CODE | -]",
    "",
    "CODE is the 6-digit code of your MFA device. With -, awsmfa reads one line",
    "from stdin; without CODE it runs --mfa-process (or mfa_process of the",
    "source profile) and reads the code it prints, else asks on the terminal.",
    "awsmfa calls STS GetSessionToken with the source profile's long-term keys",
    "(AssumeRole with --role-arn or a role profile), writes the temporary keys",
    "and x_security_token_expires to the target profile in the credentials",
    "file, and adds [profile NAME] to the config file. While the target profile",
    "is valid for more than 15 minutes (--min-remaining), it does nothing.",
    "Sessions are cached in ~/.aws/awsmfa/cache and shared by every command, so",
    "one code serves all until the session runs out; a role is assumed with a",
    "cached MFA session without a code (AWS then limits it to 1 hour). With",
    "--output env or --output json it prints the credentials instead and writes",
    "nothing to the AWS files unless --write is given.",
    "",
    "Options:",
    table(
      specsOf("refresh").map((spec) => [flagLabel(spec), spec.description]),
    ),
  ];
}

function environmentPage(): string[] {
  return [
    "Environment:",
    table(ENVIRONMENT),
    "",
    "Exit codes:",
    table(EXIT_CODES.map(([code, text]) => [String(code), text])),
    "  awsmfa exec exits with the code of CMD, or 128+N when a signal N ended it.",
  ];
}

/** One command's synopsis and only its flags. */
function commandPage(
  name: Exclude<HelpTopic, "options" | "environment">,
): string[] {
  const command = COMMANDS.find((spec) => spec.name === name)!;
  const flags = name === "completions"
    ? OPTIONS.filter((spec) => spec.name === "help")
    : specsOf(name);
  const [first, ...rest] = wrap(
    `Usage: awsmfa ${command.name} ${command.usage}`,
    80,
  );
  return [
    first,
    ...rest.map((line) => `       ${line}`),
    "",
    ...wrap(command.description, 78),
    "",
    "Options:",
    table(flags.map((spec) => [flagLabel(spec), spec.description])),
    ...(name === "exec"
      ? [
        "",
        "awsmfa exec exits with the code of CMD, or 128+N when a signal N ended it.",
      ]
      : []),
  ];
}

/** `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * The help text of `topic`: without one, the one-screen overview (usage,
 * the common flags, the commands); `options`, every flag of the default
 * command; `environment`, the environment variables and exit codes; a
 * command, its synopsis and only its flags. Ends with a newline.
 */
export function helpText(topic?: HelpTopic): string {
  const lines = topic === undefined
    ? overview()
    : topic === "options"
    ? optionsPage()
    : topic === "environment"
    ? environmentPage()
    : commandPage(topic);
  return [...lines, ""].join("\n");
}
