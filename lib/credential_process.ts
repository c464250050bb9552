/**
 * `awsmfa credential-process`: the `credential_process` of an AWS profile.
 *
 * ```ini
 * [profile work-mfa]
 * credential_process = awsmfa credential-process --profile work
 * ```
 *
 * The calling tool (AWS CLI, SDKs, Terraform) owns stdin and stdout, so the
 * JSON goes to stdout and nothing else does; the code comes from
 * `mfa_process` (flag or config) else from a prompt on the controlling
 * terminal (lib/tty.ts). While the cached session of the source profile and
 * serial (lib/cache.ts) is valid it is answered from the cache: no prompt,
 * no network, no SDK loaded. Otherwise one caller at a time, under the cache
 * entry's lock, gets a code, calls STS once and caches the session; callers
 * started at the same time wait and answer from the cache. The `~/.aws`
 * credentials and config files are only read.
 *
 * @module
 */

import type { CredentialProcessOptions } from "./args.ts";
import { cacheDirectory, withCacheEntry } from "./cache.ts";
import { ExitCode } from "./errors.ts";
import {
  codeCommand,
  defaultFetcher,
  minRemainingMs,
  type ObtainIO,
  readFile,
  runCodeCommand,
  sessionRequestFor,
} from "./obtain.ts";
import { credentialProcessJson } from "./output.ts";
import {
  homeDirectory,
  resolvePaths,
  resolveSerial,
  resolveSourceProfile,
} from "./settings.ts";
import { promptCodeOnTerminal } from "./tty.ts";

/** Asks for the MFA code of a serial on the controlling terminal. */
export type TerminalPrompt = (serial: string) => Promise<string>;

/** Everything `awsmfa credential-process` reads from or writes to the world. */
export interface CredentialProcessIO extends ObtainIO {
  /** Write text to stdout. */
  stdout(text: string): void;
  /** The prompt when no mfa_process is set; defaults to {@linkcode promptCodeOnTerminal}. */
  promptOnTerminal?: TerminalPrompt;
}

/**
 * Print the `credential_process` JSON of the session for `options`: the
 * cached one while it has more than `--min-remaining` left (default 15
 * minutes), else a new one from STS, cached for the next caller.
 *
 * @throws {AwsmfaError} for anything that stops it (no keys, no serial, no
 * terminal and no mfa_process, STS refusing the code); nothing is cached
 * then.
 */
export async function credentialProcess(
  options: CredentialProcessOptions,
  io: CredentialProcessIO,
): Promise<number> {
  const paths = resolvePaths(io.env);
  const configFile = await readFile(paths.configFile, "config");
  const source = resolveSourceProfile(options.profile, io.env);
  const sourceConfig = configFile.profiles.get(source);
  const serial = resolveSerial(
    options.serialNumber,
    source,
    sourceConfig,
    io.env,
  );

  const result = await withCacheEntry(
    cacheDirectory(homeDirectory(io.env)),
    { sourceProfile: source, serialNumber: serial },
    minRemainingMs(options.minRemainingSeconds),
    async () => {
      // Everything that can fail locally fails before a code is spent.
      const credentials = await readFile(paths.credentialsFile, "credentials");
      const request = sessionRequestFor(
        options,
        io.env,
        source,
        credentials.profiles.get(source),
        sourceConfig,
        serial,
      );
      const command = codeCommand(options.mfaProcess, source, sourceConfig);
      const tokenCode = command !== undefined
        ? await runCodeCommand(command, io)
        : await (io.promptOnTerminal ?? promptCodeOnTerminal)(serial);
      return await (io.getSession ?? defaultFetcher)({ ...request, tokenCode });
    },
    { now: () => io.now().getTime() },
  );
  if (result.writeError !== undefined) {
    io.stderr(
      `awsmfa: warning: ${result.writeError.message}; the session was not cached, so the next call asks for a code again.\n`,
    );
  }
  io.stdout(credentialProcessJson(result.session));
  return ExitCode.Ok;
}
