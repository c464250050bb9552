/**
 * Cache helpers for tests, built on the cache's real paths: putting a session
 * into the cache and taking one out.
 *
 * @module
 */

import type { CacheKey } from "../../lib/sessions/cache_key.ts";
import { removeCachedSessions } from "../../lib/sessions/cache_remove.ts";
import { withCacheEntry } from "../../lib/sessions/cache.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";

/**
 * Write `session` as the entry for `key` through {@linkcode withCacheEntry}
 * (a forced fetch that returns it).
 *
 * @returns The entry's path.
 * @throws what the cache throws, and the error of a write that failed.
 */
export async function writeCachedSession(
  dir: string,
  key: CacheKey,
  session: SessionValues,
): Promise<string> {
  const result = await withCacheEntry(
    dir,
    key,
    0,
    () => Promise.resolve(session),
    { refresh: true },
  );
  if (result.writeError) throw result.writeError;
  return result.path;
}

/**
 * Delete the entry for exactly `key` through
 * {@linkcode removeCachedSessions}.
 *
 * @returns Whether an entry was removed.
 */
export async function removeCachedSession(
  dir: string,
  key: CacheKey,
): Promise<boolean> {
  const same = (other: CacheKey) =>
    other.sourceProfile === key.sourceProfile &&
    other.serialNumber === key.serialNumber &&
    other.roleArn === key.roleArn &&
    other.roleSessionName === key.roleSessionName &&
    other.externalId === key.externalId;
  return await removeCachedSessions(dir, same) > 0;
}
