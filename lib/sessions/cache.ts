/**
 * The session cache: one file per source profile + MFA serial (+ role ARN)
 * under `~/.aws/awsmfa/cache/`, shared by every command that needs a session
 * so that one code serves all of them until the session runs out.
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
 * The file holds a secret (the session's keys), like the credentials file,
 * and is never printed.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";
import { join } from "../shared/path.ts";
import type { SessionValues } from "../aws_files/session.ts";
import { rfc3339 } from "../shared/time.ts";
import {
  describeFsError,
  StoreError,
  UnreadableContentError,
} from "../files/errors.ts";
import { denoStoreFs, type StoreFs } from "../files/fs.ts";
import { type LockedFile, lockFile } from "../files/lock.ts";
import {
  DirectoryError,
  makeDirectories,
  removeEmpty,
} from "../files/directory.ts";
import { readText } from "../files/read.ts";
import {
  REMOVE_FILE,
  updateFile,
  type UpdateOptions,
} from "../files/update.ts";

/** What one cache entry is for. */
export interface CacheKey {
  /** The profile whose long-term keys made (or make) the session. */
  sourceProfile: string;
  /** The MFA device serial or ARN. */
  serialNumber: string;
  /** The role, for a role session; absent for a GetSessionToken session. */
  roleArn?: string;
  /** The role session's name, for a role session. */
  roleSessionName?: string;
  /** The external id sent with AssumeRole, if any. */
  externalId?: string;
}

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

/** Format marker and version written in every cache file. */
const FORMAT = "awsmfa-session-cache";
const VERSION = 1;
/** The largest entry read; one is under 2 KB. */
const MAX_ENTRY_BYTES = 64 * 1024;
/** How entries are written: anything unreadable there is replaced. */
const ENTRY_WRITE: UpdateOptions = {
  maxBytes: MAX_ENTRY_BYTES,
  replaceUnreadable: true,
};

/** `<home>/.aws/awsmfa/cache`, the cache directory of the user whose home is `home`. */
export function cacheDirectory(home: string): string {
  return join(home, ".aws", "awsmfa", "cache");
}

/**
 * The file name of an entry: the source profile (characters outside
 * `[A-Za-z0-9._-]` replaced, at most 40 kept) for people looking at the
 * directory, then 32 hex digits of the SHA-256 of the whole key, so
 * different keys never share a file.
 */
export async function cacheFileName(key: CacheKey): Promise<string> {
  const readable = key.sourceProfile.replace(/[^A-Za-z0-9._-]/g, "_").slice(
    0,
    40,
  );
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(
        JSON.stringify([
          key.sourceProfile,
          key.serialNumber,
          key.roleArn ?? "",
          key.roleSessionName ?? "",
          key.externalId ?? "",
        ]),
      ),
    ),
  );
  const hex = Array.from(
    digest.subarray(0, 16),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `${readable}-${hex}.json`;
}

/** The text of an entry's file. */
export function cacheText(key: CacheKey, session: SessionValues): string {
  return JSON.stringify(
    {
      Format: FORMAT,
      Version: VERSION,
      SourceProfile: key.sourceProfile,
      SerialNumber: key.serialNumber,
      ...(key.roleArn !== undefined ? { RoleArn: key.roleArn } : {}),
      ...(key.roleSessionName !== undefined
        ? { RoleSessionName: key.roleSessionName }
        : {}),
      ...(key.externalId !== undefined ? { ExternalId: key.externalId } : {}),
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: rfc3339(session.expiration),
    },
    null,
    2,
  ) + "\n";
}

/**
 * The session in an entry's text, or undefined when the text is not a cache
 * entry of this version for exactly `key`.
 */
export function parseCacheText(
  text: string,
  key: CacheKey,
): SessionValues | undefined {
  const entry = entryOf(text);
  if (entry === undefined) return undefined;
  const field = (name: string) =>
    typeof entry[name] === "string" && entry[name] !== ""
      ? entry[name] as string
      : undefined;
  if (
    entry.SourceProfile !== key.sourceProfile ||
    entry.SerialNumber !== key.serialNumber ||
    entry.RoleArn !== key.roleArn ||
    entry.RoleSessionName !== key.roleSessionName ||
    entry.ExternalId !== key.externalId
  ) {
    return undefined;
  }
  const accessKeyId = field("AccessKeyId");
  const secretAccessKey = field("SecretAccessKey");
  const sessionToken = field("SessionToken");
  const expirationText = field("Expiration");
  if (
    !accessKeyId || !secretAccessKey || !sessionToken || !expirationText ||
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(expirationText)
  ) {
    return undefined;
  }
  const expiration = new Date(expirationText);
  if (Number.isNaN(expiration.getTime())) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/** True when `session` has more than `minRemainingMs` left at `nowMs`. */
function isFresh(
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
 * Delete every entry whose key `matches` (an entry is matched by what its
 * file says it is for); files that are not cache entries of this version
 * stay.
 *
 * @returns How many entries were removed; 0 when the directory does not exist.
 * @throws {StoreError} when the directory cannot be listed or an entry
 * cannot be removed.
 */
export async function removeCachedSessions(
  dir: string,
  matches: (key: CacheKey) => boolean,
  fs: StoreFs = denoStoreFs,
): Promise<number> {
  let names: string[];
  try {
    names = await entryNames(dir, fs);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw new StoreError(
      `Cannot list the session cache "${dir}": ${describeFsError(error)}`,
    );
  }
  let removed = 0;
  for (const name of names) {
    let hit = false;
    await updateFile(join(dir, name), (text) => {
      const key = text === null ? undefined : keyOfEntry(entryOf(text));
      hit = key !== undefined && matches(key);
      return hit ? REMOVE_FILE : null;
    }, { ...ENTRY_WRITE, fs });
    if (hit) removed++;
  }
  return removed;
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
): Promise<{ key: CacheKey; expiration?: Date }[]> {
  let names: string[];
  try {
    names = await entryNames(dir, fs);
  } catch {
    return [];
  }
  const found: { key: CacheKey; expiration?: Date }[] = [];
  for (const name of names) {
    const text = await readEntryText(join(dir, name), fs).catch(() => null);
    const entry = text === null ? undefined : entryOf(text);
    const key = keyOfEntry(entry);
    if (key === undefined) continue;
    const session = parseCacheText(text!, key);
    found.push(
      session === undefined ? { key } : { key, expiration: session.expiration },
    );
  }
  return found;
}

/** The names of the files in `dir` that may be entries, sorted. */
async function entryNames(dir: string, fs: StoreFs): Promise<string[]> {
  return (await fs.readDir(dir))
    .filter((entry) => entry.isFile && /^[^.].*\.json$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** The fields of a cache entry of this version; undefined for any other text. */
function entryOf(text: string): Record<string, unknown> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return undefined;
  }
  const entry = data as Record<string, unknown>;
  return entry.Format === FORMAT && entry.Version === VERSION
    ? entry
    : undefined;
}

/** The key an entry says it is for; undefined when it names none. */
function keyOfEntry(
  entry: Record<string, unknown> | undefined,
): CacheKey | undefined {
  if (
    entry === undefined || typeof entry.SourceProfile !== "string" ||
    typeof entry.SerialNumber !== "string"
  ) {
    return undefined;
  }
  const key: CacheKey = {
    sourceProfile: entry.SourceProfile,
    serialNumber: entry.SerialNumber,
  };
  for (
    const [field, name] of [
      ["roleArn", "RoleArn"],
      ["roleSessionName", "RoleSessionName"],
      ["externalId", "ExternalId"],
    ] as const
  ) {
    const value = entry[name];
    if (typeof value === "string") key[field] = value;
  }
  return key;
}

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

/** An entry's text; null when absent or unreadable as text. */
async function readEntryText(
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

async function readEntry(
  path: string,
  key: CacheKey,
  fs: StoreFs,
): Promise<SessionValues | undefined> {
  // Not UTF-8, or too big (read as ""): no entry awsmfa wrote; the next
  // fetch replaces it.
  const text = await readEntryText(path, fs);
  return text === null ? undefined : parseCacheText(text, key);
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
