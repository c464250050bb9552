/**
 * The command line: argv → typed options, and the `--help` text.
 *
 * Parsing is pure and strict (`node:util` `parseArgs`): unknown flags, missing
 * values and malformed inputs become a {@linkcode UsageError} with one
 * sentence that names the flag and never repeats the MFA code.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ExitCode, UsageError } from "./errors.ts";

/** The shells `awsmfa completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;

/** One of {@linkcode SHELLS}. */
export type Shell = typeof SHELLS[number];

/** The default command: get a session and write it to the target profile. */
export interface RefreshOptions {
  /** Which command this is. */
  command: "refresh";
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
  /** Refresh even when the target profile is still valid (`--force`). */
  force: boolean;
  /** Print nothing on success (`--quiet`). */
  quiet: boolean;
  /** The positional: `"-"` (read stdin) or exactly 6 digits, leading zeros kept. */
  code?: string;
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
}

/** What one command line asks for. */
export type Options = RefreshOptions | CompletionsOptions | InfoOptions;

/** One flag of the default command, as help and completions show it. */
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
}

/** Flag table used by help and completions so they never drift. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    name: "profile",
    value: "PROFILE",
    description:
      "Source profile with the long-term keys (default: $AWS_PROFILE, then default).",
    completesProfiles: true,
  },
  {
    name: "serial-number",
    value: "SERIAL",
    description:
      "MFA device ARN or hardware serial (default: mfa_serial of the source profile in the config file, then $AWS_MFA_SERIAL).",
  },
  {
    name: "duration-seconds",
    value: "DURATION",
    description:
      "Session length, 900 to 129600 seconds, also written like 12h, 90m or 1h30m (default: 43200).",
  },
  {
    name: "mfa-profile-name",
    value: "NAME",
    description:
      "Profile that receives the temporary credentials (default: mfa); letters, digits and _.@+=,- only.",
    completesProfiles: true,
  },
  {
    name: "region",
    value: "REGION",
    description:
      "Region of the STS endpoint (default: $AWS_REGION, $AWS_DEFAULT_REGION, the source profile's region, the serial's partition, then us-east-1).",
  },
  {
    name: "endpoint-url",
    value: "URL",
    description:
      "STS endpoint to call instead of the regional one (an http:// or https:// URL).",
  },
  {
    name: "force",
    description:
      "Get a new session even when the target profile is still valid.",
  },
  {
    name: "quiet",
    description: "Print nothing when all goes well.",
  },
  {
    name: "version",
    description: "Print the version and exit.",
  },
  {
    name: "help",
    short: "h",
    description: "Print this help and exit.",
  },
];

/** Subcommands; the default command (no subcommand) refreshes a session. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "completions",
    argument: "SHELL",
    description:
      "Print a completion script for bash, zsh, fish or powershell to stdout.",
    values: SHELLS,
  },
];

const MIN_DURATION = 900;
const MAX_DURATION = 129600;
const PROFILE_NAME = /^[A-Za-z0-9_.@+=,-]+$/;
const OPTION_NAME = /^--?[A-Za-z][A-Za-z0-9-]*$/;

type ParseArgsConfig = NonNullable<Parameters<typeof parseArgs>[0]>;
type ParseOptions = NonNullable<ParseArgsConfig["options"]>;

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

/** The flag name in a `parseArgs` error, only if it is safe to repeat. */
function flagInMessage(message: string): string | undefined {
  const match = /'(-{1,2}[^'\s=<]*)/.exec(message);
  if (match === null || !OPTION_NAME.test(match[1])) return undefined;
  return match[1];
}

/** Turn a `parseArgs` error into a one-line usage error. */
function usageFromParseError(
  error: unknown,
  specs: readonly OptionSpec[],
): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : "";
  const flag = flagInMessage(message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    if (flag === undefined) return new UsageError("Unknown option.");
    const guesses = flag.startsWith("--")
      ? specs.filter((spec) => spec.name.startsWith(flag.slice(2)))
      : [];
    return new UsageError(
      guesses.length === 1
        ? `Unknown option ${flag}; did you mean --${guesses[0].name}?`
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

function strictParse(args: string[], specs: readonly OptionSpec[]) {
  try {
    return parseArgs({
      args,
      options: parseOptions(specs),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw usageFromParseError(error, specs);
  }
}

function asksForHelp(args: string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "-h" || arg === "--help") return true;
  }
  return false;
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

function checkCode(positionals: string[]): string | undefined {
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
  if (/^[a-z][a-z-]*$/.test(code)) {
    throw new UsageError(
      `Unknown command "${code}"; the commands are: ${
        COMMANDS.map((command) => command.name).join(", ")
      }.`,
    );
  }
  throw new UsageError("The MFA code must be exactly 6 digits.");
}

function parseCompletions(args: string[]): Options {
  const { positionals } = strictParse(args, [] as OptionSpec[]);
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

/**
 * Read a command line (without the program name) into {@linkcode Options}.
 *
 * `-h`/`--help` anywhere before `--` wins; then `--version`. Throws
 * {@linkcode UsageError} with one sentence for unknown flags, missing or
 * malformed values and extra arguments; the message never contains the code.
 *
 * @example
 * ```ts
 * parseArguments(["--profile", "work", "012345"]);
 * // { command: "refresh", profile: "work", code: "012345", force: false, quiet: false }
 * ```
 */
export function parseArguments(argv: string[]): Options {
  if (asksForHelp(argv)) return { command: "help" };
  if (argv[0] === "completions") return parseCompletions(argv.slice(1));

  const { values, positionals } = strictParse(argv, OPTIONS);
  if (values.version === true) return { command: "version" };
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };

  const duration = text("duration-seconds");
  const options: RefreshOptions = {
    command: "refresh",
    force: values.force === true,
    quiet: values.quiet === true,
  };
  const profile = nonEmpty("profile", text("profile"));
  const serialNumber = nonEmpty("serial-number", text("serial-number"));
  const mfaProfileName = checkProfileName(
    nonEmpty("mfa-profile-name", text("mfa-profile-name")),
  );
  const region = nonEmpty("region", text("region"));
  const endpointUrl = checkEndpointUrl(text("endpoint-url"));
  const code = checkCode(positionals);
  if (profile !== undefined) options.profile = profile;
  if (serialNumber !== undefined) options.serialNumber = serialNumber;
  if (duration !== undefined) options.durationSeconds = parseDuration(duration);
  if (mfaProfileName !== undefined) options.mfaProfileName = mfaProfileName;
  if (region !== undefined) options.region = region;
  if (endpointUrl !== undefined) options.endpointUrl = endpointUrl;
  if (code !== undefined) options.code = code;
  return options;
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
  let seconds: number;
  if (/^[0-9]+$/.test(text)) {
    seconds = Number(text);
  } else {
    const match = /^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/
      .exec(text);
    if (text === "" || match === null) {
      throw new UsageError(
        "Option --duration-seconds takes seconds (43200) or a length like 12h, 90m or 1h30m.",
      );
    }
    const [days, hours, minutes, secs] = match.slice(1).map((part) =>
      part === undefined ? 0 : Number(part)
    );
    seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs;
  }
  if (seconds < MIN_DURATION || seconds > MAX_DURATION) {
    throw new UsageError(
      "Option --duration-seconds must be between 900 and 129600 seconds (15m to 36h).",
    );
  }
  return seconds;
}

const ENVIRONMENT: readonly [string, string][] = [
  ["AWS_PROFILE", "Source profile when --profile is not given."],
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
  ["AWSMFA_DEBUG", "When set, internal errors show a stack trace."],
];

const EXIT_CODES: readonly [number, string][] = [
  [ExitCode.Ok, "Success, or the target profile is still valid."],
  [ExitCode.Internal, "Internal error (a bug; please report it)."],
  [ExitCode.Usage, "Bad command line or input (flag, code, duration)."],
  [ExitCode.Local, "Local problem: files, profiles, locks."],
  [
    ExitCode.CodeRejected,
    "STS refused the MFA code: wrong, expired or already used.",
  ],
  [ExitCode.AuthRejected, "STS refused the long-term keys or the MFA serial."],
  [ExitCode.Network, "Network failure, throttling or an STS server error."],
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

/**
 * The full `--help` text: usage, every flag of {@linkcode OPTIONS}, the
 * commands, the environment variables and the exit codes. Ends with a newline.
 */
export function helpText(): string {
  return [
    "awsmfa: turn an MFA code into temporary AWS credentials in ~/.aws/credentials.",
    "",
    "Usage:",
    "  awsmfa [OPTIONS] [CODE | -]",
    ...COMMANDS.map((command) =>
      `  awsmfa ${command.name} ${command.values.join("|")}`
    ),
    "",
    "CODE is the 6-digit code of your MFA device. With -, awsmfa reads one line",
    "from stdin; without CODE it asks on the terminal. awsmfa calls STS",
    "GetSessionToken with the source profile's long-term keys, writes the",
    "temporary keys and x_security_token_expires to the target profile in the",
    "credentials file, and adds [profile NAME] to the config file. While the",
    "target profile is valid for more than 15 minutes, it does nothing.",
    "",
    "Options:",
    table(OPTIONS.map((spec) => [flagLabel(spec), spec.description])),
    "",
    "Commands:",
    table(
      COMMANDS.map((
        command,
      ) => [`${command.name} ${command.argument}`, command.description]),
    ),
    "",
    "Environment:",
    table(ENVIRONMENT),
    "",
    "Exit codes:",
    table(EXIT_CODES.map(([code, text]) => [String(code), text])),
    "",
  ].join("\n");
}
