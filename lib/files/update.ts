/**
 * Safe replacement of a file: the AWS credentials and config files, and the
 * session cache's entries.
 *
 * {@linkcode updateFile} never edits a file in place. Under the file's lock
 * (`lock.ts`) it re-reads the file, asks the caller for the new text, writes
 * it to a temp file in the same directory as the real file, flushes it to
 * disk, renames it over the file and flushes the directory
 * (`atomic_write.ts`). A reader (or a crash) therefore sees either the old
 * file or the new one, never a partial file, and two runs that update the
 * same file at the same time never lose each other's change.
 *
 * - Symlinks are followed: the real file is replaced and the link survives. A
 *   dangling link creates the file at the link's destination.
 * - A new file is created with mode 0600 and missing parent directories with
 *   0700. An existing file keeps its mode (and, when run as root, its owner).
 * - Temp files are named `.<name>.awsmfa-<16 hex digits>.tmp`. One left behind
 *   by a killed run is removed by the next update, under the lock.
 *
 * Windows: `Deno.rename` replaces an existing file there too. The directory is
 * not flushed (Windows cannot open a directory for that), and modes and
 * owners are not read or set (no 0600, no mode warning).
 *
 * @module
 */

import { denoStoreFs } from "./fs.ts";
import {
  describeFsError,
  notRegular,
  StoreError,
  UnreadableContentError,
} from "./errors.ts";
import { readText } from "./read.ts";
import { type LockedFile, lockFile, type LockOptions } from "./lock.ts";
import { writeReplacement } from "./atomic_write.ts";
import { removeStaleTemps } from "./temp.ts";

/** Options of {@linkcode updateFile}. */
export interface UpdateOptions extends LockOptions {
  /** Called with one sentence when the file was written in place. */
  note?: (message: string) => void;
  /** The lock, already held ({@linkcode lockFile}); it stays held. */
  locked?: LockedFile;
  /** The largest file read; default 32 MiB. */
  maxBytes?: number;
  /**
   * The file's text as read before the lock (`readText`): when the file
   * still holds exactly its bytes, `edit` receives that string, and the file
   * is compared with it instead of being decoded again.
   */
  known?: string | null;
  /**
   * Give `edit` null for a file that cannot be read as text (invalid UTF-8,
   * too big) and replace it: for files awsmfa alone writes (the cache).
   */
  replaceUnreadable?: boolean;
  /**
   * Called with one sentence when the existing file is readable by group or
   * others. Pass it for the credentials file; the update goes on regardless.
   */
  warn?: (message: string) => void;
}

/**
 * Returned by an edit of {@linkcode updateFile} to delete the file instead of
 * writing it: how a run takes back a file it created before failing.
 */
export const REMOVE_FILE: unique symbol = Symbol("awsmfa.removeFile");

/** What {@linkcode updateFile} did. */
export interface UpdateResult {
  /** The real path written (symlinks resolved). */
  path: string;
  /** The content read under the lock (null: the file did not exist). */
  before: string | null;
  /**
   * The content written (null: nothing written because edit returned null,
   * or the file was removed because it returned {@linkcode REMOVE_FILE}).
   */
  after: string | null;
  /** Whether the file was created by this update. */
  created: boolean;
  /** Whether it was written in place, because it could not be replaced. */
  inPlace: boolean;
}

/**
 * Replace a file safely: resolve symlinks, create missing parent directories
 * (0700), take the lock, re-read the file, call `edit(current)`, write its
 * result to a temp file beside the real file, fsync it, rename it over the
 * file, fsync the directory, release the lock.
 *
 * `edit` receives the current text (null when the file does not exist) and
 * returns the new text, written as UTF-8 exactly as given, null for "no
 * change" (then nothing is written), or {@linkcode REMOVE_FILE} to delete the
 * file (under the same lock, so only the content `edit` saw is deleted). If `edit` throws, nothing is written and
 * its error propagates unchanged. If anything else fails, the temp file is
 * removed, the file is left untouched and a {@linkcode StoreError} is thrown.
 *
 * A failure of the final directory fsync is ignored: the file has been
 * replaced by then, and some file systems refuse to sync a directory.
 *
 * @throws {StoreError} when the file cannot be read, locked or replaced.
 */
export async function updateFile(
  path: string,
  edit: (current: string | null) => string | null | typeof REMOVE_FILE,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  const fs = options.fs ?? denoStoreFs;
  const locked = options.locked ?? await lockFile(path, options);
  const target = locked.target;
  try {
    await removeStaleTemps(target, fs);
    let info: Deno.FileInfo | null = null;
    try {
      info = await fs.stat(target);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new StoreError(
          `Cannot read "${path}": ${describeFsError(error)}`,
        );
      }
    }
    if (info !== null && !info.isFile) {
      throw new StoreError(`Cannot write "${path}": ${notRegular(info)}`);
    }
    let before: string | null = null;
    if (info !== null) {
      try {
        before = await readText(target, fs, options.maxBytes, options.known);
      } catch (error) {
        if (
          !(error instanceof UnreadableContentError) ||
          !options.replaceUnreadable
        ) {
          throw error;
        }
      }
    }
    const after = edit(before);
    const result = { path: target, before, inPlace: false };
    if (after === null) return { ...result, after, created: false };
    if (after === REMOVE_FILE) {
      if (info !== null) {
        try {
          await fs.remove(target);
        } catch (error) {
          throw new StoreError(
            `Cannot remove "${path}": ${describeFsError(error)}`,
          );
        }
      }
      return { ...result, after: null, created: false };
    }

    const mode = info?.mode == null ? 0o600 : info.mode & 0o777;
    if (info !== null && (mode & 0o044) !== 0) {
      options.warn?.(
        `"${path}" is readable by other users (mode ${
          mode.toString(8).padStart(4, "0")
        }); run "chmod 600" on it to keep your keys private.`,
      );
    }
    const inPlace = await writeReplacement(path, target, after, mode, info, fs);
    if (inPlace) {
      options.note?.(
        `"${path}" is a mount point (a single-file bind mount, as docker -v makes) that cannot be replaced, so awsmfa wrote it in place under its lock, as "aws configure set" does; a crash during that write could leave it partial.`,
      );
    }
    return { ...result, after, created: info === null, inPlace };
  } finally {
    if (options.locked === undefined) await locked.release();
  }
}
