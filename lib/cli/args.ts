/**
 * The command line: argv → typed {@linkcode Options}, one parser per
 * command. Pure and strict: unknown flags, missing values and malformed
 * inputs become a {@linkcode UsageError} with one sentence that names the
 * flag and never repeats the MFA code.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";
import { DEFAULT_TARGET_PROFILE } from "../aws_files/settings.ts";
import { checkKeychainName } from "../source_keys/keychain/names.ts";
import { checkMaxKeyAge, nonEmpty } from "./checks.ts";
import { type OptionSpec, specsOf } from "./flags.ts";
import {
  type HelpTopic,
  KEYS_ACTIONS,
  type KeysOptions,
  type Options,
  SHELLS,
} from "./options.ts";
import { strictParse, textOf } from "./read_flags.ts";
import {
  parseCredentialProcess,
  parseExec,
  parseRefresh,
  parseRotate,
} from "./session_args.ts";
import { COMMANDS, HELP_TOPICS } from "./subcommands.ts";

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
      : [DEFAULT_TARGET_PROFILE],
    quiet: values.quiet === true,
  };
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
