/**
 * The session cache: one file per source profile + MFA serial (+ role ARN)
 * under `~/.aws/awsmfa/cache/`, shared by every command that needs a session
 * so that one code serves all of them until the session runs out. This
 * module is its locked fetch-or-reuse, {@linkcode withCacheEntry}; the key and
 * file name are in `cache_key.ts`, the entry text in `cache_entry.ts`, the
 * entry's file in `cache_file.ts`, listing in `cache_list.ts` and removal in
 * `cache_remove.ts`.
 *
 * - The directory is created 0700 (and put back to 0700 when it is wider);
 *   files are written with {@linkcode updateFile}, so they are created 0600
 *   and replaced atomically under the file's lock: a reader never sees a
 *   partial file and needs no lock.
 * - {@linkcode withCacheEntry} answers from the file without any lock while
 *   the cached session has more than the asked minimum left. Otherwise it
 *   takes the entry's lock (the one lock of `lib/files/lock.ts`, the same the
 *   write takes, held across the whole fetch, so across a prompt and the STS
 *   call), reads the file again and fetches only if it is still needed: N
 *   callers starting together on a cold cache cause one fetch, the others
 *   wait and answer from the file. A process that dies releases its lock
 *   with it. The lock file is deleted while still held, and directories a
 *   run created are removed again when it caches nothing, so a failed run
 *   leaves the disk as it found it.
 * - Every file operation goes through the injected {@linkcode StoreFs}.
 * - A file that cannot be parsed, or that names another key, is a miss and
 *   is replaced by the next fetch.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";
import { join } from "../shared/path.ts";
import type { SessionValues } from "../aws_files/session.ts";
import { StoreError } from "../files/errors.ts";
import { denoStoreFs, type StoreFs } from "../files/fs.ts";
import { type LockedFile, lockFile } from "../files/lock.ts";
import {
  DirectoryError,
  makeDirectories,
  removeEmpty,
} from "../files/directory.ts";
import { updateFile } from "../files/update.ts";
import { cacheFileName, type CacheKey } from "./cache_key.ts";
import { cacheText } from "./cache_entry.ts";
import { ENTRY_WRITE, isFresh, readEntry } from "./cache_file.ts";

/** Options of {@linkcode withCacheEntry}. */
export interface CacheOptions {
  /** The clock, in ms since the epoch (default `Date.now`). */
  now?: () => number;
  /**
   * How long to wait for another process holding the entry's lock (which may
   * be waiting for a person to type a code); default
   * 2 minutes.
   */
  lockTimeoutMs?: number;
  /**
   * Fetch even when the cached session is fresh (`--force`); still one
   * fetch at a time under the entry's lock.
   */
  refresh?: boolean;
  /** File system operations; default {@linkcode denoStoreFs}. */
  fs?: StoreFs;
}

/** What {@linkcode withCacheEntry} did. */
export interface CacheResult {
  /** The session: from the cache, or just fetched. */
  session: SessionValues;
  /** True when it came from the cache and nothing was fetched. */
  fromCache: boolean;
  /** The entry's file. */
  path: string;
  /**
   * Set when a fetched session could not be written to the cache. The
   * session is still returned (its code is spent); the caller says so.
   */
  writeError?: StoreError;
}

/** Default wait for another process holding an entry's lock: 2 minutes. */
const DEFAULT_CACHE_LOCK_TIMEOUT_MS = 120_000;
/**
 * The session for `key`: the cached one while it has more than
 * `minRemainingMs` left, else the result of `fetch`, written to the cache.
 *
 * Only one process (or caller) at a time runs `fetch` for a key: the others
 * wait on the entry's lock and then answer from the file the first one
 * wrote. If `fetch` throws, nothing is written, the lock is released and the
 * error propagates; the next waiter then tries its own fetch.
 *
 * @throws whatever `fetch` throws; {@linkcode StoreError} when the cache
 * directory cannot be made or the file cannot be read; a
 * {@linkcode LocalError} when another process holds the lock longer than
 * the timeout.
 */
export async function withCacheEntry(
  dir: string,
  key: CacheKey,
  minRemainingMs: number,
  fetch: () => Promise<SessionValues>,
  options: CacheOptions = {},
): Promise<CacheResult> {
  const now = options.now ?? Date.now;
  const fs = options.fs ?? denoStoreFs;
  const path = join(dir, await cacheFileName(key));
  const cached = options.refresh ? undefined : await readEntry(path, key, fs);
  if (cached && isFresh(cached, minRemainingMs, now())) {
    return { session: cached, fromCache: true, path };
  }
  const created = await ensureDirectory(dir, fs);
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_CACHE_LOCK_TIMEOUT_MS;
  let locked: LockedFile;
  try {
    locked = await lockFile(path, {
      fs,
      lockTimeoutMs: timeoutMs,
      lockMaxWaitMs: timeoutMs,
      messages: {
        cannotLock: (why) =>
          `Cannot lock the session cache entry "${path}": ${why}`,
        heldTooLong: (file, seconds) =>
          new LocalError(
            `Cannot use the session cache: another awsmfa process has held "${file}" for ${seconds} s; try again when it has finished`,
          ),
      },
    });
  } catch (error) {
    await removeEmpty(created, fs);
    throw error;
  }
  let stored = false;
  try {
    const again = options.refresh ? undefined : await readEntry(path, key, fs);
    if (again && isFresh(again, minRemainingMs, now())) {
      return { session: again, fromCache: true, path };
    }
    const session = await fetch();
    try {
      await updateFile(path, () => cacheText(key, session), {
        ...ENTRY_WRITE,
        fs,
        locked,
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      return { session, fromCache: false, path, writeError: error };
    }
    stored = true;
    return { session, fromCache: false, path };
  } finally {
    await locked.release();
    if (!stored) await removeEmpty(created, fs);
  }
}

/**
 * Create `dir` (and missing parents) 0700; narrow it to 0700 if it is wider.
 *
 * @returns The directories it created, deepest first, so that a run that
 * ends up caching nothing can take them back with {@linkcode removeEmpty}.
 */
async function ensureDirectory(dir: string, fs: StoreFs): Promise<string[]> {
  try {
    return await makeDirectories(dir, fs, true);
  } catch (error) {
    if (!(error instanceof DirectoryError)) throw error;
    throw new StoreError(
      `Cannot create the session cache directory "${dir}": ${error.reason}`,
    );
  }
}
