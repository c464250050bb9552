/**
 * The **code source** of a run: where its MFA code comes from, chosen once
 * from the options, in this order: CODE (or `-`, a line of stdin), then
 * `--mfa-process`, then the `mfa_process` of the profile's config, then a
 * prompt.
 *
 * Choosing reads nothing and fails for nothing: the code is asked for (and
 * `AWSMFA_MFA_PROCESS_TIMEOUT` read) only when the source is called, once a
 * session must be fetched.
 *
 * @module
 */

import type { EnvLookup, ProfileKeys } from "../aws_files/settings.ts";
import {
  type CodeProcessRunner,
  codeProcessTimeoutMs,
  runCodeProcess,
} from "./mfa_process.ts";
import { type CodeInput, obtainCode } from "./token.ts";
import { promptCodeOnTerminal } from "./tty.ts";

/** Yields the MFA code of a serial. */
export type CodeSource = (serial: string) => Promise<string>;

/** Asks for the MFA code of a serial on the controlling terminal. */
export type TerminalPrompt = (serial: string) => Promise<string>;

/** The options that choose the code source. */
export interface CodeSourceOptions {
  /** CODE from the command line; `-` reads it from stdin. */
  code?: string;
  /** `--mfa-process`. */
  mfaProcess?: string;
  /** The profile whose config may set `mfa_process` (named in messages). */
  profile: string;
  /** That profile's config keys. */
  config: ProfileKeys | undefined;
  /**
   * Prompt on the controlling terminal only, with `promptOnTerminal`, never
   * through stdin and stderr: they belong to the caller
   * (`credential-process`).
   */
  terminalOnly?: boolean;
}

/** What the code source reads from the world. */
export interface CodeSourceIO extends CodeInput {
  /** Environment lookup (the command's timeout). */
  env: EnvLookup;
  /** Whether this is Windows (`cmd /c` instead of `sh -c`); default: Deno.build.os. */
  windows?: boolean;
  /** Runs `--mfa-process`/`mfa_process`; defaults to {@linkcode runCodeProcess}. */
  runCodeProcess?: CodeProcessRunner;
  /** The prompt of `terminalOnly`; defaults to {@linkcode promptCodeOnTerminal}. */
  promptOnTerminal?: TerminalPrompt;
}

/** A command that prints the MFA code, and where it was configured. */
interface CodeCommand {
  /** The shell command. */
  command: string;
  /** For messages: `from --mfa-process` or `from mfa_process of profile "…"`. */
  origin: string;
}

/**
 * `--mfa-process`, else `mfa_process` of `config` (the config keys of
 * `profile`, named in messages); undefined when neither is set.
 */
function codeCommand(
  mfaProcess: string | undefined,
  profile: string,
  config: ProfileKeys | undefined,
): CodeCommand | undefined {
  if (mfaProcess !== undefined) {
    return { command: mfaProcess, origin: "from --mfa-process" };
  }
  const configured = config?.["mfa_process"]?.trim();
  return configured
    ? {
      command: configured,
      origin: `from mfa_process of profile "${profile}"`,
    }
    : undefined;
}

/**
 * The code source `options` choose: CODE or stdin, else the command, else
 * the prompt (on the run's prompt, or only on the terminal).
 */
export function codeSource(
  options: CodeSourceOptions,
  io: CodeSourceIO,
): CodeSource {
  const given = options.code;
  if (given !== undefined) {
    return async (serial) => await obtainCode(given, serial, io);
  }
  const command = codeCommand(
    options.mfaProcess,
    options.profile,
    options.config,
  );
  if (command !== undefined) {
    return async () =>
      await (io.runCodeProcess ?? runCodeProcess)(command.command, {
        origin: command.origin,
        timeoutMs: codeProcessTimeoutMs(io.env),
        windows: io.windows ?? Deno.build.os === "windows",
      });
  }
  if (options.terminalOnly) {
    return async (serial) =>
      await (io.promptOnTerminal ?? promptCodeOnTerminal)(serial);
  }
  return async (serial) => await obtainCode(undefined, serial, io);
}
