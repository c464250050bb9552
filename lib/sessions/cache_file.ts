/**
 * A session cache entry's file: its size cap, how it is written (replaced
 * atomically, anything unreadable there replaced) and how it is read without
 * a lock (a reader never sees a partial file). A file that is absent, not
 * UTF-8, too big or not an entry for the key is a miss.
 *
 * @module
 */

import { join } from "../shared/path.ts";
import type { SessionValues } from "../aws_files/session.ts";
import { UnreadableContentError } from "../files/errors.ts";
import { denoStoreFs, type StoreFs } from "../files/fs.ts";
import { readText } from "../files/read.ts";
import type { UpdateOptions } from "../files/update.ts";
import { cacheFileName, type CacheKey } from "./cache_key.ts";
import { parseCacheText } from "./cache_entry.ts";

/** The largest entry read; one is under 2 KB. */
const MAX_ENTRY_BYTES = 64 * 1024;

/** How entries are written and removed: anything unreadable there is replaced. */
export const ENTRY_WRITE: UpdateOptions = {
  maxBytes: MAX_ENTRY_BYTES,
  replaceUnreadable: true,
};

/** True when `session` has more than `minRemainingMs` left at `nowMs`. */
export function isFresh(
  session: SessionValues,
  minRemainingMs: number,
  nowMs: number,
): boolean {
  return session.expiration.getTime() - nowMs > minRemainingMs;
}

/**
 * The cached session for `key`, if there is one with more than
 * `minRemainingMs` left; reads one file, takes no lock.
 *
 * @throws {StoreError} when the file exists but cannot be read.
 */
export async function readCachedSession(
  dir: string,
  key: CacheKey,
  minRemainingMs: number,
  nowMs: number = Date.now(),
  fs: StoreFs = denoStoreFs,
): Promise<SessionValues | undefined> {
  const path = join(dir, await cacheFileName(key));
  const session = await readEntry(path, key, fs);
  return session && isFresh(session, minRemainingMs, nowMs)
    ? session
    : undefined;
}

/**
 * An entry's text; null when absent, "" when not UTF-8 or too big (no entry
 * awsmfa wrote; the next fetch replaces it).
 *
 * @throws {StoreError} when the file exists but cannot be read.
 */
export async function readEntryText(
  path: string,
  fs: StoreFs,
): Promise<string | null> {
  try {
    return await readText(path, fs, MAX_ENTRY_BYTES);
  } catch (error) {
    if (error instanceof UnreadableContentError) return "";
    throw error;
  }
}

/**
 * The session in the entry at `path` if it is one for `key`, whatever time
 * it has left.
 *
 * @throws {StoreError} when the file exists but cannot be read.
 */
export async function readEntry(
  path: string,
  key: CacheKey,
  fs: StoreFs,
): Promise<SessionValues | undefined> {
  const text = await readEntryText(path, fs);
  return text === null ? undefined : parseCacheText(text, key);
}
