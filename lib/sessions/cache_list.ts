/**
 * Listing the session cache: the files of the directory that may be entries,
 * and the key (and expiry) each one says it is for.
 *
 * @module
 */

import { join } from "../shared/path.ts";
import { denoStoreFs, type StoreFs } from "../files/fs.ts";
import type { CacheKey } from "./cache_key.ts";
import { cacheKeyOfText, parseCacheText } from "./cache_entry.ts";
import { readEntryText } from "./cache_file.ts";

/** A cache entry as listed: what it is for, and when its session ends. */
export interface CachedKey {
  /** What the entry is for. */
  key: CacheKey;
  /** When its session ends; absent when the entry holds none that reads. */
  expiration?: Date;
}

/**
 * The keys of the entries in `dir` (what each file says it is for), with
 * each entry's expiry; files that are not cache entries of this version, or
 * that cannot be read, are left out. An empty list when there is no
 * directory.
 */
export async function listCachedKeys(
  dir: string,
  fs: StoreFs = denoStoreFs,
): Promise<CachedKey[]> {
  let names: string[];
  try {
    names = await entryNames(dir, fs);
  } catch {
    return [];
  }
  const found: CachedKey[] = [];
  for (const name of names) {
    const text = await readEntryText(join(dir, name), fs).catch(() => null);
    const key = text === null ? undefined : cacheKeyOfText(text);
    if (key === undefined) continue;
    const session = parseCacheText(text!, key);
    found.push(
      session === undefined ? { key } : { key, expiration: session.expiration },
    );
  }
  return found;
}

/**
 * The names of the files in `dir` that may be entries, sorted.
 *
 * @throws what {@linkcode StoreFs.readDir} throws (`NotFound` when there is
 * no directory).
 */
export async function entryNames(dir: string, fs: StoreFs): Promise<string[]> {
  return (await fs.readDir(dir))
    .filter((entry) => entry.isFile && /^[^.].*\.json$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}
