/**
 * The credentials and config files as a pair: both locked (credentials
 * first), written one after the other under those locks, and a failed
 * second write rolled back in the first file.
 *
 * @module
 */

import { clauseOf, LocalError, sentence } from "../shared/errors.ts";
import type { AwsPaths } from "../aws_files/settings.ts";
import { type LockedFile, lockFile } from "../files/lock.ts";
import { resolve } from "../shared/path.ts";
import {
  REMOVE_FILE,
  updateFile,
  type UpdateOptions,
  type UpdateResult,
} from "../files/update.ts";
import type { StoreFs } from "../files/fs.ts";
import type { SessionOrigin } from "./provider.ts";

/**
 * Put a file back as it was before `written`, unless another run has changed
 * it since; a file that update created is removed. Never throws: it runs
 * while another error is on its way to the user.
 *
 * @returns Why putting it back failed; undefined when it was put back (or
 * needed nothing).
 */
export async function rollBack(
  written: UpdateResult,
  options: UpdateOptions = {},
): Promise<string | undefined> {
  if (written.after === written.before) return undefined;
  try {
    await updateFile(
      written.path,
      (current) =>
        current !== written.after
          ? null
          : written.before === null
          ? REMOVE_FILE
          : written.before,
      options,
    );
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The held locks of the credentials and config files. */
export interface FilePairLocks {
  /** The credentials file's lock; undefined when its directory does not exist. */
  credentials?: LockedFile;
  /**
   * The config file's lock, the credentials lock itself when both paths
   * are one file; undefined when its directory does not exist.
   */
  config?: LockedFile;
  /** Release both locks, credentials first. */
  release(): Promise<void>;
}

/** How {@linkcode lockFilePair} takes the locks. */
export interface FilePairLockOptions {
  /**
   * Create a missing directory for a lock (true), or leave a file whose
   * directory does not exist unlocked (false), so that nothing is created
   * on disk by a run that fails before it writes.
   */
  createParents: boolean;
  /** File operations; default the store's own (tests inject failures). */
  fs?: StoreFs;
  /**
   * What a lock that cannot be taken adds to its sentence, with its own
   * joining punctuation (`". The MFA code was not sent, so it was not used"`);
   * absent: the store's sentence as it is.
   */
  then?: string;
}

/**
 * Take the locks of both files, credentials first; a lock that cannot be
 * taken releases the one already held. When both paths are one file its
 * one lock covers both.
 */
export async function lockFilePair(
  paths: Pick<AwsPaths, "credentialsFile" | "configFile">,
  options: FilePairLockOptions,
): Promise<FilePairLocks> {
  const seam = options.fs ? { fs: options.fs } : {};
  const lock = (path: string) =>
    options.createParents
      ? lockFile(path, seam)
      : lockFile(path, { ...seam, createParents: false });
  let credentials: LockedFile | undefined;
  try {
    credentials = await lock(paths.credentialsFile);
    // One file for both (an odd setup): its one lock covers both writes.
    // Checked before the second lock, which would wait on the first.
    const configPath = resolve(paths.configFile);
    const named = configPath === resolve(paths.credentialsFile) ||
      configPath === credentials?.target;
    const config = named ? credentials : await lock(paths.configFile);
    return {
      ...(credentials !== undefined ? { credentials } : {}),
      ...(config !== undefined ? { config } : {}),
      async release() {
        await credentials?.release();
        if (config !== credentials) await config?.release();
      },
    };
  } catch (error) {
    await credentials?.release();
    if (options.then === undefined || !(error instanceof LocalError)) {
      throw error;
    }
    throw new LocalError(sentence(error, options.then));
  }
}

/** What a failed write says about the session that could not be written. */
export interface WriteContext {
  /** The target profile. */
  target: string;
  /** Where the provider took the session from. */
  origin: SessionOrigin;
  /** Whether the session is in the session cache. */
  cached: boolean;
  /** The session cache directory, named in the message. */
  cacheDir?: string;
}

/** Where the session is now, for a message about a write that failed. */
function sessionFate(context: WriteContext): string {
  if (context.cached) {
    return context.origin === "cache"
      ? "the session stays in the session cache"
      : `the new session is kept in the session cache${
        context.cacheDir === undefined ? "" : ` (${context.cacheDir})`
      }, so the next run needs no new code`;
  }
  return context.origin === "code"
    ? "the code was spent and the session could not be kept, so the next run needs a new code"
    : "no code was spent";
}

/**
 * Write the credentials file, then the config file, under the held locks.
 * When the config write fails the credentials file is put back; a message
 * says what state both files are in and where the session is.
 *
 * `known` holds the files' texts as read before the locks: a file that still
 * holds exactly that text is given to its edit as that string, not decoded
 * again.
 */
export async function writePair(
  paths: AwsPaths,
  locks: FilePairLocks,
  credentialsEdit: (current: string | null) => string,
  configEdit: (current: string | null) => string | null,
  context: WriteContext,
  io: { stderr(text: string): void; storeFs?: StoreFs },
  known: { credentials?: string | null; config?: string | null } = {},
): Promise<void> {
  const note = (message: string) => io.stderr(`awsmfa: note: ${message}\n`);
  const seam = io.storeFs ? { fs: io.storeFs } : {};
  let written: UpdateResult;
  try {
    written = await updateFile(paths.credentialsFile, credentialsEdit, {
      warn: (message) => io.stderr(`awsmfa: warning: ${message}\n`),
      note,
      ...seam,
      ...(locks.credentials ? { locked: locks.credentials } : {}),
      known: known.credentials,
    });
  } catch (error) {
    if (!(error instanceof LocalError)) throw error;
    throw new LocalError(
      sentence(error, `; nothing was changed, and ${sessionFate(context)}`),
    );
  }
  try {
    await updateFile(paths.configFile, configEdit, {
      note,
      ...seam,
      ...(locks.config ? { locked: locks.config } : {}),
      known: known.config,
    });
  } catch (error) {
    const undo = await rollBack(written, {
      ...seam,
      ...(locks.credentials ? { locked: locks.credentials } : {}),
    });
    if (!(error instanceof LocalError)) throw error;
    throw new LocalError(
      undo === undefined
        ? sentence(
          error,
          `; ${paths.credentialsFile} was put back as it was, and ${
            sessionFate(context)
          }`,
        )
        : sentence(
          error,
          `, and putting ${paths.credentialsFile} back failed too (${
            clauseOf(undo)
          }): it holds the new profile "${context.target}" but ${paths.configFile} has no [profile ${context.target}]; ${
            sessionFate(context)
          }, and the next run adds the missing section`,
        ),
    );
  }
}
