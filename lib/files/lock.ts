/**
 * One lock per file: `flock` on a regular sidecar file `.<name>.awsmfa.lock`
 * beside the real file, with a bounded wait.
 *
 * The kernel releases a lock when its process dies, so a crashed run never
 * blocks the next one. The sidecar is deleted while still held, before it is
 * unlocked, so lock files never pile up; a waiter that then finds it locked
 * an orphan inode locks the file that is there now. A sidecar path that is
 * not a regular file (a symlink, a FIFO) is refused at once.
 *
 * Windows: the sidecar is left in place, because Windows gives no inode to
 * check that the sidecar path still names the file that was locked.
 *
 * @module
 */

import { basename, dirname, join } from "../shared/path.ts";
import { denoStoreFs, IS_WINDOWS, type StoreFs } from "./fs.ts";
import {
  describeFsError,
  notRegular,
  NotRegularFileError,
  StoreError,
} from "./errors.ts";
import { resolveTarget } from "./resolve.ts";
import { DirectoryError, makeDirectories } from "./directory.ts";

/** What a lock says when it cannot be taken. */
export interface LockMessages {
  /** The sentence when the lock file cannot be opened or locked. */
  cannotLock(reason: string): string;
  /** The error when another process holds the lock past the timeout. */
  heldTooLong(lockFile: string, seconds: number): Error;
}

/** Options of {@linkcode lockFile}. */
export interface LockOptions {
  /** How long to wait for another run to release the lock; default 10,000 ms. */
  lockTimeoutMs?: number;
  /**
   * Give up waiting for the lock after this long even while it changes hands
   * (other runs making progress); default 120,000 ms.
   */
  lockMaxWaitMs?: number;
  /** File system operations; default {@linkcode denoStoreFs}. */
  fs?: StoreFs;
  /** What the lock says when it cannot be taken; default: the store's words. */
  messages?: LockMessages;
}

/** A file whose lock is held: see {@linkcode lockFile}. */
export interface LockedFile {
  /** The path as given. */
  path: string;
  /** The real path (symlinks resolved). */
  target: string;
  /** Delete the lock file and unlock. Never throws. */
  release(): Promise<void>;
}

/** Default time to wait for a lock held by the same process all along. */
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Default longest wait for a lock that keeps changing hands. */
const DEFAULT_LOCK_MAX_WAIT_MS = 120_000;

/** The sidecar lock file of a real target path. */
export function lockPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.awsmfa.lock`);
}

/**
 * Resolve `path`, create its missing parent directories (0700) and take its
 * lock: how an update holds its file, and how a run holds the locks of both
 * AWS files before it spends a code.
 *
 * With `createParents: false`, a file whose directory does not exist yet is
 * not locked (undefined): no other run can hold its lock, and nothing is
 * created on disk before the write.
 *
 * @throws {StoreError} when the lock cannot be taken; the error of
 * `messages.heldTooLong` after the wait.
 */
export async function lockFile(
  path: string,
  options: LockOptions & { createParents?: true },
): Promise<LockedFile>;
/** With `createParents: false`: undefined when the file's directory is missing. */
export async function lockFile(
  path: string,
  options: LockOptions & { createParents: false },
): Promise<LockedFile | undefined>;
export async function lockFile(
  path: string,
  options: LockOptions & { createParents?: boolean } = {},
): Promise<LockedFile | undefined> {
  const fs = options.fs ?? denoStoreFs;
  const target = await resolveTarget(path, fs);
  const dir = dirname(target);
  if (options.createParents === false) {
    try {
      if (!(await fs.stat(dir)).isDirectory) return undefined;
    } catch {
      return undefined;
    }
  } else {
    try {
      await makeDirectories(dir, fs);
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      throw new StoreError(
        error.creating
          ? `Cannot create the directory "${error.at}": ${error.reason}`
          : `Cannot write "${path}": ${error.reason}`,
      );
    }
  }
  const sidecar = lockPath(target);
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const release = await holdLock(
    path,
    sidecar,
    timeoutMs,
    Math.max(options.lockMaxWaitMs ?? DEFAULT_LOCK_MAX_WAIT_MS, timeoutMs),
    options.messages ?? {
      cannotLock: (reason) =>
        `Cannot lock "${path}" with "${sidecar}": ${reason}`,
      heldTooLong: (file, seconds) =>
        new StoreError(
          `Cannot update "${path}": another process has held its lock file "${file}" for ${seconds} s; try again when it has finished`,
        ),
    },
    fs,
  );
  return { path, target, release };
}

/**
 * Refuse a lock path that exists and is not a regular file (a symlink, a
 * FIFO, a directory): locking it would lock something else, or nothing.
 *
 * @throws {NotRegularFileError} naming `path` and its lock file.
 */
export async function refuseIrregularLock(
  path: string,
  sidecar: string,
  fs: StoreFs,
): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await fs.lstat(sidecar);
  } catch {
    return;
  }
  if (!info.isFile) {
    throw new NotRegularFileError(
      `Cannot lock "${path}": its lock file "${sidecar}" is not a regular file (${
        notRegular(info).replace(/, not a regular file$/, "")
      }); remove it if no awsmfa is running`,
    );
  }
}

/**
 * Take an exclusive flock on `sidecar` (created 0600 if missing), polling.
 * After locking, check that the path still names the locked inode: another
 * process may have deleted it (while holding the lock, on release) after we
 * opened it; then lock the one that is there now.
 *
 * Every wait is bounded: it gives up after `timeoutMs` while one holder keeps
 * the lock, and after `maxWaitMs` in all even while the lock changes hands
 * (many runs queued, each making progress).
 *
 * @returns The release: delete the sidecar while still holding it, unlock.
 */
async function holdLock(
  path: string,
  sidecar: string,
  timeoutMs: number,
  maxWaitMs: number,
  messages: LockMessages,
  fs: StoreFs,
): Promise<() => Promise<void>> {
  const start = Date.now();
  let idleSince = start;
  let holder: string | undefined;
  for (;;) {
    await refuseIrregularLock(path, sidecar, fs);
    let file: Deno.FsFile;
    try {
      file = await fs.open(sidecar, {
        read: true,
        write: true,
        create: true,
        mode: 0o600,
      });
    } catch (error) {
      throw new StoreError(messages.cannotLock(describeFsError(error)));
    }
    let locked = false;
    let seen: string | undefined;
    try {
      locked = await file.tryLock(true);
      if (locked && (IS_WINDOWS || await sameFile(file, sidecar, fs))) {
        return () => releaseLock(file, sidecar, fs);
      }
      if (!locked) seen = identity(await file.stat());
    } catch (error) {
      file.close();
      throw new StoreError(messages.cannotLock(describeFsError(error)));
    }
    if (locked) {
      // The lock file was replaced or removed: lock the one that is there now.
      await file.unlock().catch(() => undefined);
    }
    file.close();
    const now = Date.now();
    if (locked || seen !== holder) {
      // The lock changed hands: the queue moves.
      if (holder !== undefined || locked) idleSince = now;
      holder = seen;
    }
    if (now - start >= maxWaitMs) {
      throw messages.heldTooLong(sidecar, maxWaitMs / 1000);
    }
    if (now - idleSince >= timeoutMs) {
      throw messages.heldTooLong(sidecar, timeoutMs / 1000);
    }
    await new Promise((done) => setTimeout(done, 10 + Math.random() * 30));
  }
}

/** Which lock file (inode and creation) a holder holds. */
function identity(info: Deno.FileInfo): string {
  return `${info.dev}:${info.ino}:${(info.birthtime ?? info.mtime)?.getTime()}`;
}

/**
 * Whether `path` still names the open `file` (a symlink put there names its
 * own inode: not the same, and the next round refuses it).
 */
async function sameFile(
  file: Deno.FsFile,
  path: string,
  fs: StoreFs,
): Promise<boolean> {
  const held = await file.stat();
  try {
    const named = await fs.lstat(path);
    return named.ino === held.ino && named.dev === held.dev;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Delete the lock file while still holding the lock, then unlock. */
async function releaseLock(
  file: Deno.FsFile,
  path: string,
  fs: StoreFs,
): Promise<void> {
  if (!IS_WINDOWS) await fs.remove(path).catch(() => undefined);
  await file.unlock().catch(() => undefined);
  file.close();
}
