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
import type { StoreFs } from "../files/fs.ts";
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
  /** File operations of the cache; default the store's own. */
  storeFs?: StoreFs;
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
  io: Pick<ClearCacheIO, "env" | "storeFs">,
): Promise<CacheOnlyName[]> {
  const dir = sessionCacheDir(io.env);
  if (dir === undefined) return [];
  const candidates = names.filter((name) => !isManaged(credentials.get(name)));
  if (candidates.length === 0) return [];
  // Only the sessions status lists as "(cache)": none a profile holds.
  const managed = managedProfiles(credentials, new Date(0));
  const entries = (await listCachedKeys(dir, io.storeFs)).filter(({ key }) =>
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

/**
 * Remove, in one pass over the cache, the cached sessions of the cleared
 * profiles (same source, serial and role; every cached session with
 * `all`), so that no later command writes them back without a code, and
 * those that the `names` only the cache holds stand for; then say so. When
 * the files were already cleared (`afterFiles`), a failure here is a
 * warning.
 */
export async function clearCachedSessions(
  what: {
    all: boolean;
    sections: readonly ProfileKeys[];
    names: readonly CacheOnlyName[];
  },
  afterFiles: boolean,
  quiet: boolean,
  io: ClearCacheIO,
): Promise<void> {
  const dir = sessionCacheDir(io.env);
  const { all, sections, names } = what;
  const ofProfiles = all || sections.length > 0;
  if (dir === undefined || (!ofProfiles && names.length === 0)) return;
  const made = sections.map((keys) => ({
    source: keys[SOURCE_KEY]?.trim(),
    serial: keys[SERIAL_KEY]?.trim(),
    role: keys[ROLE_KEY]?.trim(),
  }));
  const ofProfile = (key: CacheKey) =>
    all ||
    made.some((one) =>
      one.source === key.sourceProfile && one.serial === key.serialNumber &&
      one.role === key.roleArn
    );
  let removed = 0;
  const perName = names.map(() => 0);
  try {
    await removeCachedSessions(dir, (key) => {
      if (ofProfile(key)) {
        removed++;
        return true;
      }
      const at = names.findIndex((one) =>
        one.keys.some((mine) => sameKey(mine, key))
      );
      if (at >= 0) perName[at]++;
      return at >= 0;
    }, io.storeFs);
  } catch (error) {
    if (!afterFiles || !(error instanceof AwsmfaError)) throw error;
    io.stderr(`awsmfa: warning: ${error.message}.\n`);
    return;
  }
  if (quiet) return;
  if (removed > 0) {
    io.stderr(
      `Removed ${removed} cached ${
        removed === 1 ? "session" : "sessions"
      } from ${dir}.\n`,
    );
  }
  names.forEach((one, at) => {
    const count = perName[at];
    io.stderr(
      `Removed ${count} cached ${
        count === 1 ? "session" : "sessions"
      } of profile "${one.name}" from ${dir}; no awsmfa command reuses ${
        count === 1 ? "it" : "them"
      } now.\n`,
    );
  });
}
