/**
 * One run of awsmfa: parse the command line, run the command it names (one
 * module per command in lib/commands/), and turn an error into its one
 * sentence and exit code. Every piece of IO is passed in, so tests can
 * drive each branch.
 *
 * @module
 */

import { parseArguments } from "./cli/args.ts";
import { completionScript } from "./cli/completions.ts";
import { resolvePaths } from "./aws_files/settings.ts";
import { clear } from "./commands/clear.ts";
import {
  credentialProcess,
  type CredentialProcessIO,
} from "./commands/credential_process.ts";
import { exec, type ExecIO } from "./commands/exec.ts";
import { refresh, type RefreshIO } from "./commands/refresh.ts";
import { status } from "./commands/status.ts";
import { AwsmfaError, ExitCode, UsageError } from "./shared/errors.ts";
import { versionLine } from "./shared/version.ts";
import { helpText } from "./cli/help.ts";
import { StrayWordError } from "./cli/hints.ts";
import { readFile } from "./sessions/loaded_file.ts";

/** Everything a run reads from or writes to the world. */
export interface RunIO extends RefreshIO, ExecIO, CredentialProcessIO {}

function describeUnexpected(error: unknown, io: RunIO): string {
  const name = error instanceof Error ? error.name : typeof error;
  if ((io.env("AWSMFA_DEBUG") ?? "") !== "") {
    return `awsmfa: internal error (${name}): ${
      error instanceof Error ? error.stack ?? error.message : String(error)
    }\n`;
  }
  return `awsmfa: internal error (${name}); run again with AWSMFA_DEBUG=1 for details, and please report it.\n`;
}

/**
 * {@linkcode parseArguments}, but a word where the code goes that names a
 * profile of the files (`awsmfa work`, `awsmfa exec work -- …`, the
 * aws-vault habit) gets "did you mean --profile work?".
 */
async function parseWithHints(args: string[], io: RunIO) {
  try {
    return parseArguments(args);
  } catch (error) {
    if (!(error instanceof StrayWordError)) throw error;
    const known = await knownProfiles(io).catch(() => new Set<string>());
    if (known.has(error.word)) throw new UsageError(error.profileHint());
    throw error;
  }
}

/** The profile names of both files; unreadable files give none. */
async function knownProfiles(io: RunIO): Promise<Set<string>> {
  const paths = resolvePaths(io.env);
  const names = new Set<string>();
  for (
    const [path, kind] of [[paths.credentialsFile, "credentials"], [
      paths.configFile,
      "config",
    ]] as const
  ) {
    const file = await readFile(path, kind).catch(() => undefined);
    for (const name of file?.profiles.keys() ?? []) names.add(name);
  }
  return names;
}

/** Run awsmfa with `args` (without the program name); returns the exit code. */
export async function run(args: string[], io: RunIO): Promise<number> {
  // Only a command line awsmfa could not read gets the pointer to --help;
  // credential-process's stderr is shown by the AWS CLI, where it would
  // only be noise.
  let readingArgs = args[0] !== "credential-process";
  try {
    const options = await parseWithHints(args, io);
    readingArgs = false;
    switch (options.command) {
      case "help":
        io.stdout(helpText(options.topic));
        return ExitCode.Ok;
      case "version":
        io.stdout(versionLine() + "\n");
        return ExitCode.Ok;
      case "completions":
        io.stdout(completionScript(options.shell));
        return ExitCode.Ok;
      case "refresh":
        return await refresh(options, io);
      case "exec":
        return await exec(options, io);
      case "credential-process":
        return await credentialProcess(options, io);
      case "status":
        return await status(options, io);
      case "clear":
        return await clear(options, io);
      case "keys": {
        const { keysCommand } = await import("./commands/keys.ts");
        return await keysCommand(options, io);
      }
      case "rotate": {
        const { rotate } = await import("./commands/rotate.ts");
        return await rotate(options, io);
      }
    }
  } catch (error) {
    if (error instanceof AwsmfaError) {
      io.stderr(`awsmfa: ${error.message}\n`);
      if (readingArgs && error.exitCode === ExitCode.Usage) {
        io.stderr(`Run "awsmfa --help" for usage.\n`);
      }
      return error.exitCode;
    }
    io.stderr(describeUnexpected(error, io));
    return ExitCode.Internal;
  }
}
