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
 * terminal (lib/mfa_code/tty.ts). While the cached session of the source profile and
 * serial (lib/cache.ts) is valid it is answered from the cache: no prompt,
 * no network, no SDK loaded. Otherwise one caller at a time, under the cache
 * entry's lock, gets a code, calls STS once and caches the session; callers
 * started at the same time wait and answer from the cache. The `~/.aws`
 * credentials and config files are only read.
 *
 * @module
 */

import type { CredentialProcessOptions } from "../cli/options.ts";
import { provideSession, sessionCacheDir } from "../sessions/provider.ts";
import { ExitCode, LocalError, UsageError } from "../shared/errors.ts";
import { readFilePair } from "../sessions/loaded_file.ts";
import { baseRequestFor } from "../sessions/base_request.ts";
import type { TargetIO } from "../sessions/target_profile.ts";
import { credentialProcessJson } from "../cli/output.ts";
import { configOrigin } from "../sessions/role.ts";
import { DEFAULT_TARGET_PROFILE, resolvePaths } from "../aws_files/settings.ts";
import { findSubject, subjectWorld } from "../sessions/subject.ts";
import {
  checkMinRemaining,
  minRemainingMs,
} from "../sessions/min_remaining.ts";
import { NoTerminalError } from "../mfa_code/terminal.ts";
import { codeSource } from "../mfa_code/source.ts";

/** Everything `awsmfa credential-process` reads from or writes to the world. */
export interface CredentialProcessIO extends TargetIO {
  /** Write text to stdout. */
  stdout(text: string): void;
}

/**
 * Print the `credential_process` JSON of the session for `options`: the
 * cached one while it has more than `--min-remaining` left (default 15
 * minutes); for a role, else one chained from the cached MFA session of the
 * same source and serial; else a new one from STS, cached for the next
 * caller.
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
  const { credentialsFile, configFile } = await readFilePair(paths);
  const { subject } = await findSubject(
    options,
    DEFAULT_TARGET_PROFILE,
    subjectWorld(credentialsFile, configFile, paths, io.env),
  );
  checkMinRemaining(options, subject);
  const cacheDir = sessionCacheDir(io.env);
  if (cacheDir === undefined) {
    throw new LocalError(
      "Cannot find your home directory for the session cache: set HOME (or USERPROFILE on Windows).",
    );
  }

  const { session } = await provideSession(
    {
      subject,
      // Read only when a session must be fetched: a cached one needs no keys.
      request: async () =>
        await baseRequestFor(
          options,
          io,
          subject,
          credentialsFile.profiles.get(subject.source),
          configFile.profiles.get(subject.source),
        )(),
      force: false,
      minRemainingMs: minRemainingMs(options.minRemainingSeconds),
      cacheDir,
    },
    async () => {
      const profile = configOrigin(subject, configFile.profiles, "mfa_process");
      const code = codeSource({
        mfaProcess: options.mfaProcess,
        profile,
        config: subject.config,
        terminalOnly: true,
      }, io);
      try {
        return await code(subject.serial);
      } catch (error) {
        if (!(error instanceof NoTerminalError)) throw error;
        // This command takes no code: say what works for it.
        throw new UsageError(
          `Cannot ask for the MFA code: there is no terminal to ask on (${error.reason}); set mfa_process in the config of profile "${profile}" to a command that prints the code, or run "awsmfa --profile ${
            subject.role?.profile ?? subject.source
          }" in a terminal first: credential-process then answers from the session it caches.`,
        );
      }
    },
    io,
  );
  io.stdout(credentialProcessJson(session));
  return ExitCode.Ok;
}
