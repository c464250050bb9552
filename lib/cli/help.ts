/**
 * The help texts: the one-screen overview, every option of the default
 * command, the environment and exit codes, and one page per command, all
 * from the flag and command tables.
 *
 * @module
 */

import { ExitCode } from "../shared/errors.ts";
import { OPTIONS, type OptionSpec, specsOf } from "./flags.ts";
import { table, wrap } from "./layout.ts";
import type { HelpTopic } from "./options.ts";
import { COMMANDS } from "./subcommands.ts";

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
      COMMANDS.map((command) => [command.name, command.summary]),
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
