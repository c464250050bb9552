/**
 * The cache side of `awsmfa clear`: the cached sessions of the profiles it
 * cleared (or every one, with `--all`), and the names given to it that stand
 * for sessions only the cache holds (`status` shows them as `(cache)`).
 *
 * @module
 */

import {
  isManaged,
  ROLE_KEY,
  SERIAL_KEY,
  SOURCE_KEY,
} from "../aws_files/session.ts";
import type { EnvLookup, ProfileKeys } from "../aws_files/settings.ts";
import { AwsmfaError } from "../shared/errors.ts";
import { managedProfiles } from "./status_table.ts";
import { sessionCacheDir } from "../sessions/provider.ts";
import type { CacheKey } from "../sessions/cache_key.ts";
import { listCachedKeys } from "../sessions/cache_list.ts";
import { removeCachedSessions } from "../sessions/cache_remove.ts";

/** Where clear says what it removed from the cache. */
export interface ClearCacheIO {
  /** Environment lookup. */
  env: EnvLookup;
  /** Write text to stderr. */
  stderr(text: string): void;
}

/** A name given to clear that stands for sessions only the cache holds. */
export interface CacheOnlyName {
  /** The name given. */
  name: string;
  /** The source profile of the entries. */
  source: string;
  /** Their role, when the name is a role profile. */
  roleArn?: string;
  /** The cache entries it stands for. */
  keys: CacheKey[];
}

/**
 * The names among `names` that are not profiles awsmfa wrote (absent from
 * the credentials file, or a source or role profile) and that have cached
 * sessions: of that source profile, or of a role profile's role.
 */
export async function cacheOnlyNames(
  names: readonly string[],
  credentials: Map<string, ProfileKeys>,
  config: Map<string, ProfileKeys>,
  env: EnvLookup,
): Promise<CacheOnlyName[]> {
  const dir = sessionCacheDir(env);
  if (dir === undefined) return [];
  const candidates = names.filter((name) => !isManaged(credentials.get(name)));
  if (candidates.length === 0) return [];
  // Only the sessions status lists as "(cache)": none a profile holds.
  const managed = managedProfiles(credentials, new Date(0));
  const entries = (await listCachedKeys(dir)).filter(({ key }) =>
    !managed.some((row) =>
      row.sourceProfile === key.sourceProfile &&
      row.serial === key.serialNumber && row.roleArn === key.roleArn
    )
  );
  const found: CacheOnlyName[] = [];
  for (const name of candidates) {
    const roleArn = config.get(name)?.["role_arn"]?.trim() || undefined;
    const source = roleArn === undefined
      ? name
      : config.get(name)?.["source_profile"]?.trim() || name;
    const one: CacheOnlyName = roleArn === undefined
      ? { name, source, keys: [] }
      : { name, source, roleArn, keys: [] };
    const keys = entries.map(({ key }) => key).filter((key) =>
      matchesCacheOnly(one, key)
    );
    if (keys.length > 0) found.push({ ...one, keys });
  }
  return found;
}

function sameKey(a: CacheKey, b: CacheKey): boolean {
  return a.sourceProfile === b.sourceProfile &&
    a.serialNumber === b.serialNumber && a.roleArn === b.roleArn &&
    a.roleSessionName === b.roleSessionName && a.externalId === b.externalId;
}

function matchesCacheOnly(
  one: CacheOnlyName,
  key: { sourceProfile: string; roleArn?: string },
): boolean {
  return key.sourceProfile === one.source &&
    (one.roleArn === undefined || key.roleArn === one.roleArn);
}

/** Remove the cached sessions `names` stand for, and say so. */
export async function clearCacheOnly(
  names: readonly CacheOnlyName[],
  quiet: boolean,
  io: ClearCacheIO,
): Promise<void> {
  const dir = sessionCacheDir(io.env);
  if (dir === undefined) return;
  for (const one of names) {
    const removed = await removeCachedSessions(
      dir,
      (key) => one.keys.some((mine) => sameKey(mine, key)),
    );
    if (!quiet) {
      io.stderr(
        `Removed ${removed} cached ${
          removed === 1 ? "session" : "sessions"
        } of profile "${one.name}" from ${dir}; no awsmfa command reuses ${
          removed === 1 ? "it" : "them"
        } now.\n`,
      );
    }
  }
}

/**
 * Remove the cached sessions of the cleared profiles (same source, serial
 * and role), or every cached session with `--all`, so that no later command
 * writes them back without a code. The files are already cleared, so a
 * failure here is a warning.
 */
export async function clearCache(
  all: boolean,
  sections: readonly ProfileKeys[],
  quiet: boolean,
  io: ClearCacheIO,
): Promise<void> {
  const dir = sessionCacheDir(io.env);
  if (dir === undefined || (!all && sections.length === 0)) return;
  const made = sections.map((keys) => ({
    source: keys[SOURCE_KEY]?.trim(),
    serial: keys[SERIAL_KEY]?.trim(),
    role: keys[ROLE_KEY]?.trim(),
  }));
  try {
    const removed = await removeCachedSessions(
      dir,
      (key) =>
        all ||
        made.some((one) =>
          one.source === key.sourceProfile && one.serial === key.serialNumber &&
          one.role === key.roleArn
        ),
    );
    if (removed > 0 && !quiet) {
      io.stderr(
        `Removed ${removed} cached ${
          removed === 1 ? "session" : "sessions"
        } from ${dir}.\n`,
      );
    }
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    io.stderr(`awsmfa: warning: ${error.message}.\n`);
  }
}
