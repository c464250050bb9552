/**
 * The session provider: it provides a session for a subject through the
 * shared cache (lib/sessions/cache.ts): the cached one while it is fresh,
 * else a role session chained from a cached MFA session (no code), else one
 * STS call with a code — GetSessionToken for an MFA session, AssumeRole with
 * the serial and code for a role. Every command that needs a session (the
 * default command, `exec`, `credential-process`, `rotate`) comes through
 * here, so one code serves all of them until the session runs out.
 *
 * @module
 */

import { cacheDirectory, type CacheKey } from "./cache_key.ts";
import { readCachedSession } from "./cache_file.ts";
import { withCacheEntry } from "./cache.ts";
import { NotRegularFileError, StoreError } from "../files/errors.ts";
import type { StoreFs } from "../files/fs.ts";
import type { SessionValues } from "../aws_files/session.ts";
import type { SessionSubject } from "./role.ts";
import { chain, roleRequest } from "./chain.ts";
import {
  type AssumeRoleCall,
  type BaseRequest,
  type GetSessionTokenCall,
  preloadSts,
  stsAssumeRole,
  stsGetSessionToken,
} from "./sts_call.ts";
import { type EnvLookup, homeDirectory } from "../aws_files/settings.ts";

/** The session cache directory under the home directory; undefined when there is no home. */
export function sessionCacheDir(env: EnvLookup): string | undefined {
  try {
    return cacheDirectory(homeDirectory(env));
  } catch {
    return undefined;
  }
}

/** What {@linkcode provideSession} reads from or writes to the world. */
export interface ProviderIO {
  /** Environment lookup. */
  env: EnvLookup;
  /** Write text to stderr (notes and warnings). */
  stderr(text: string): void;
  /** The current time. */
  now(): Date;
  /** The GetSessionToken call; defaults to {@linkcode stsGetSessionToken}. */
  getSession?: GetSessionTokenCall;
  /** The AssumeRole call; defaults to {@linkcode stsAssumeRole}. */
  assumeRole?: AssumeRoleCall;
  /**
   * File operations of the cache and the files; default the store's own
   * (tests inject failures).
   */
  storeFs?: StoreFs;
}

/** The session asked for. */
export interface WantedSession {
  /** Whose keys, which device, which role. */
  subject: SessionSubject;
  /**
   * The GetSessionToken request but the code (long-term keys, region,
   * endpoint, duration), asked for only when STS must be called, before the
   * code; it throws the local errors (no keys, bad endpoint).
   */
  request(): Promise<BaseRequest>;
  /** A new session with a code even while a cached one is fresh (`--force`). */
  force: boolean;
  /** A cached session is fresh while it has more than this left. */
  minRemainingMs: number;
  /** The cache directory; undefined: no cache (no home directory). */
  cacheDir?: string;
}

/** Where {@linkcode provideSession} took the session from. */
export type SessionOrigin = "cache" | "code" | "chained";

/** A session and where the provider took it from. */
export interface ProvidedSession {
  /** The temporary credentials. */
  session: SessionValues;
  /** From the cache, from STS with a code, or chained from a cached MFA session. */
  origin: SessionOrigin;
  /** Whether the session is in the cache (so a later run gets it without a code). */
  cached: boolean;
}

/** The cache entry of an MFA session, or of a role session when `role` is given. */
export function cacheKeyOf(subject: SessionSubject): CacheKey {
  const key: CacheKey = {
    sourceProfile: subject.source,
    serialNumber: subject.serial,
  };
  const role = subject.role;
  if (role === undefined) return key;
  return {
    ...key,
    roleArn: role.roleArn,
    roleSessionName: role.roleSessionName,
    ...(role.externalId !== undefined ? { externalId: role.externalId } : {}),
  };
}

/** One STS call that needs a code, or a chained AssumeRole that does not. */
async function newSession(
  wanted: WantedSession,
  code: () => Promise<string>,
  io: ProviderIO,
): Promise<ProvidedSession> {
  const role = wanted.subject.role;
  const request = await wanted.request();
  // The request is sound (keys, endpoint): the call will come, so the SDK
  // loads while the code is asked for.
  if ((role === undefined ? io.getSession : io.assumeRole) === undefined) {
    preloadSts();
  }
  if (role === undefined) {
    const tokenCode = await code();
    const session = await (io.getSession ?? stsGetSessionToken)({
      ...request,
      tokenCode,
    });
    return { session, origin: "code", cached: false };
  }
  if (!wanted.force && wanted.cacheDir !== undefined) {
    // An MFA entry that cannot be read is no session to chain from.
    const mfa = await readCachedSession(
      wanted.cacheDir,
      cacheKeyOf({ ...wanted.subject, role: undefined }),
      wanted.minRemainingMs,
      io.now().getTime(),
      io.storeFs,
    ).catch((error) => {
      if (
        error instanceof StoreError && !(error instanceof NotRegularFileError)
      ) {
        return undefined;
      }
      throw error;
    });
    if (mfa !== undefined) {
      return {
        session: await chain(role, mfa, request, io),
        origin: "chained",
        cached: false,
      };
    }
  }
  const tokenCode = await code();
  const session = await (io.assumeRole ?? stsAssumeRole)({
    ...roleRequest(role, request),
    accessKeyId: request.accessKeyId,
    secretAccessKey: request.secretAccessKey,
    serialNumber: wanted.subject.serial,
    tokenCode,
    ...(role.durationSeconds !== undefined
      ? { durationSeconds: role.durationSeconds }
      : {}),
  });
  return { session, origin: "code", cached: false };
}

/**
 * The session `wanted` asks for: the cached one while it has more than
 * `wanted.minRemainingMs` left (unless `wanted.force`); else, for a role, one
 * chained from a fresh cached MFA session of the same source and serial;
 * else one STS call with the code `code` gives. A new session is cached
 * for the next caller; one caller at a time calls STS for a cache entry, so
 * callers starting together cause one prompt and one STS call.
 *
 * Without a cache directory, or when the cache cannot be used (a warning
 * says why), the session is provided and not cached.
 */
export async function provideSession(
  wanted: WantedSession,
  code: () => Promise<string>,
  io: ProviderIO,
): Promise<ProvidedSession> {
  if (wanted.cacheDir === undefined) {
    return await newSession(wanted, code, io);
  }
  let provided: ProvidedSession | undefined;
  let started = false;
  try {
    const result = await withCacheEntry(
      wanted.cacheDir,
      cacheKeyOf(wanted.subject),
      wanted.minRemainingMs,
      async () => {
        started = true;
        provided = await newSession(wanted, code, io);
        return provided.session;
      },
      {
        now: () => io.now().getTime(),
        refresh: wanted.force,
        ...(io.storeFs ? { fs: io.storeFs } : {}),
      },
    );
    if (result.writeError !== undefined) {
      io.stderr(
        `awsmfa: warning: ${result.writeError.message}; the session was not cached, so the next command that needs it asks for a code again.\n`,
      );
    }
    return result.fromCache || provided === undefined
      ? { session: result.session, origin: "cache", cached: true }
      : { ...provided, cached: result.writeError === undefined };
  } catch (error) {
    // A FIFO or a symlink planted where an entry or its lock goes is refused.
    if (
      !(error instanceof StoreError) || error instanceof NotRegularFileError ||
      started
    ) {
      throw error;
    }
    io.stderr(
      `awsmfa: warning: ${error.message}; going on without the session cache.\n`,
    );
    return await newSession({ ...wanted, cacheDir: undefined }, code, io);
  }
}
