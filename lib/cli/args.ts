/**
 * The command line: argv → typed {@linkcode Options}, one parser per
 * command. Pure and strict: unknown flags, missing values and malformed
 * inputs become a {@linkcode UsageError} with one sentence that names the
 * flag and never repeats the MFA code.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";
import { checkKeychainName } from "../source_keys/keychain/names.ts";
import { checkMaxKeyAge, choice, nonEmpty } from "./checks.ts";
import { type OptionSpec, specsOf } from "./flags.ts";
import { usageOfTokenError } from "./hints.ts";
import {
  ENV_SHELLS,
  type EnvShell,
  type HelpTopic,
  KEYS_ACTIONS,
  type KeysOptions,
  type Options,
  OUTPUTS,
  type RefreshOptions,
  type RotateOptions,
  SHELLS,
} from "./options.ts";
import { sessionFlags, textOf } from "./session_flags.ts";
import { COMMANDS, HELP_TOPICS } from "./subcommands.ts";
import { TokenError, tokenize, type TokenOption } from "./tokenize.ts";

/** Shells whose syntax `--output env` prints under another name. */
const SHELL_ALIASES: Readonly<Record<string, EnvShell>> = {
  bash: "sh",
  zsh: "sh",
  dash: "sh",
  ksh: "sh",
  pwsh: "powershell",
};

/** The target profile when `--mfa-profile-name` is not given. */
const DEFAULT_PROFILE_NAME = "mfa";

type ParseOptions = Record<string, TokenOption>;

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

function strictParse(
  args: string[],
  specs: readonly OptionSpec[],
  where: string,
) {
  try {
    return tokenize(args, parseOptions(specs));
  } catch (error) {
    if (error instanceof TokenError) {
      throw usageOfTokenError(error, specs, where);
    }
    throw error;
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
  const [word, ...rest] = positionals;
  const action = KEYS_ACTIONS.find((name) => name === word);
  if (action === undefined || rest.length > 0) {
    throw new UsageError(
      `The keys command takes one of: ${KEYS_ACTIONS.join(", ")}.`,
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
