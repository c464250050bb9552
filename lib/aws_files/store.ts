/**
 * Safe replacement of the AWS credentials and config files.
 *
 * {@linkcode updateFile} never edits a file in place. Under an advisory lock it
 * re-reads the file, asks the caller for the new text, writes it to a temp file
 * in the same directory as the real file, flushes it to disk, renames it over
 * the file and flushes the directory. A reader (or a crash) therefore sees
 * either the old file or the new one, never a partial file, and two runs that
 * update the same file at the same time never lose each other's change.
 *
 * - Symlinks are followed: the real file is replaced and the link survives. A
 *   dangling link creates the file at the link's destination.
 * - A new file is created with mode 0600 and missing parent directories with
 *   0700. An existing file keeps its mode (and, when run as root, its owner).
 * - The lock is `flock` on a sidecar file `.<name>.awsmfa.lock` beside the real
 *   file. The kernel releases it when a process dies, so a crashed run never
 *   blocks the next one. The sidecar is deleted before the lock is released.
 * - Temp files are named `.<name>.awsmfa-<16 hex digits>.tmp`. One left behind
 *   by a killed run is removed by the next update, under the lock.
 *
 * Windows: `Deno.rename` replaces an existing file there too. The directory is
 * not flushed (Windows cannot open a directory for that), modes and owners are
 * not read or set (no 0600, no mode warning), and the lock sidecar is left in
 * place because Windows gives no inode to check that the sidecar path still
 * names the file that was locked.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "../shared/path.ts";
import { LocalError } from "../shared/errors.ts";

/** A file that cannot be read, locked or replaced (exit code 3). */
export class StoreError extends LocalError {
  /** Create a store error. The message names paths, never file contents. */
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}

/**
 * A path that is not a regular file where awsmfa reads or locks one (a FIFO,
 * a device, a symlinked lock file): refused, never worked around.
 */
export class NotRegularFileError extends StoreError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "NotRegularFileError";
  }
}

/** A file whose content cannot be used: too big, or not UTF-8 text. */
export class UnreadableContentError extends StoreError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "UnreadableContentError";
  }
}

/**
 * The file system operations the store uses. The default,
 * {@linkcode denoStoreFs}, calls `Deno.*`; tests replace single operations to
 * inject failures.
 */
export interface StoreFs {
  /** Information about a path without following a final symlink. */
  lstat(path: string): Promise<Deno.FileInfo>;
  /** Information about a path, following symlinks. */
  stat(path: string): Promise<Deno.FileInfo>;
  /** The canonical absolute path, with every symlink resolved. */
  realPath(path: string): Promise<string>;
  /** The target of a symlink, as stored in the link. */
  readLink(path: string): Promise<string>;
  /**
   * The content of a file, following symlinks: at most `maxBytes` + 1 bytes
   * when `maxBytes` is given, so a caller can tell a file that is too big.
   */
  readFile(path: string, maxBytes?: number): Promise<Uint8Array>;
  /** The names of the entries of a directory. */
  readDir(path: string): Promise<string[]>;
  /** Create one directory (not its parents) with the given mode. */
  mkdir(path: string, mode: number): Promise<void>;
  /** Open a file. */
  open(path: string, options: Deno.OpenOptions): Promise<Deno.FsFile>;
  /** Write all of `data` to an open file. */
  write(file: Deno.FsFile, data: Uint8Array): Promise<void>;
  /** Flush an open file's data and metadata to disk. */
  sync(file: Deno.FsFile): Promise<void>;
  /** Flush a directory's entries to disk. */
  syncDir(path: string): Promise<void>;
  /** Change the mode of a path. */
  chmod(path: string, mode: number): Promise<void>;
  /** Change the owner of a path. */
  chown(path: string, uid: number, gid: number): Promise<void>;
  /** Rename a path, replacing the destination if it is a file. */
  rename(from: string, to: string): Promise<void>;
  /** Remove a file. */
  remove(path: string): Promise<void>;
  /** Make a hard link `to` of the file `from`. */
  link(from: string, to: string): Promise<void>;
}

/** The default {@linkcode StoreFs}: plain `Deno.*` calls. */
export const denoStoreFs: StoreFs = {
  lstat: (path) => Deno.lstat(path),
  stat: (path) => Deno.stat(path),
  realPath: (path) => Deno.realPath(path),
  readLink: (path) => Deno.readLink(path),
  readFile: (path, maxBytes) =>
    maxBytes === undefined ? Deno.readFile(path) : readCapped(path, maxBytes),
  async readDir(path) {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names;
  },
  mkdir: (path, mode) => Deno.mkdir(path, { mode }),
  open: (path, options) => Deno.open(path, options),
  async write(file, data) {
    let offset = 0;
    while (offset < data.length) {
      offset += await file.write(data.subarray(offset));
    }
  },
  sync: (file) => file.sync(),
  async syncDir(path) {
    const dir = await Deno.open(path, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  },
  chmod: (path, mode) => Deno.chmod(path, mode),
  chown: (path, uid, gid) => Deno.chown(path, uid, gid),
  rename: (from, to) => Deno.rename(from, to),
  remove: (path) => Deno.remove(path),
  link: (from, to) => Deno.link(from, to),
};

/**
 * Read at most `maxBytes` + 1 bytes of a file: the size it has now in one
 * read, then small reads until its end (it may have grown since).
 */
async function readCapped(path: string, maxBytes: number): Promise<Uint8Array> {
  const file = await Deno.open(path, { read: true });
  try {
    const expected = (await file.stat()).size;
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size <= maxBytes) {
      const wanted = size < expected ? expected + 1 - size : 64 * 1024;
      const chunk = new Uint8Array(Math.min(wanted, maxBytes + 1 - size));
      const n = await file.read(chunk);
      if (n === null) break;
      chunks.push(chunk.subarray(0, n));
      size += n;
    }
    if (chunks.length === 1) return chunks[0];
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  } finally {
    file.close();
  }
}

/** Options of {@linkcode updateFile}. */
export interface UpdateOptions {
  /** How long to wait for another run to release the lock; default 10,000 ms. */
  lockTimeoutMs?: number;
  /**
   * Give up waiting for the lock after this long even while it changes hands
   * (other runs making progress); default 120,000 ms.
   */
  lockMaxWaitMs?: number;
  /** File system operations; default {@linkcode denoStoreFs}. */
  fs?: StoreFs;
  /** Called with one sentence when the file was written in place. */
  note?: (message: string) => void;
  /** The lock, already held ({@linkcode lockFile}); it stays held. */
  locked?: LockedFile;
  /** The largest file read; default {@linkcode MAX_FILE_BYTES}. */
  maxBytes?: number;
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

/** Default time to wait for a lock held by the same process all along. */
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Default longest wait for a lock that keeps changing hands. */
const DEFAULT_LOCK_MAX_WAIT_MS = 120_000;
/** Symlinks followed before giving up, as Linux does. */
const MAX_SYMLINKS = 40;
const IS_WINDOWS = Deno.build.os === "windows";

/** The largest AWS file read: 32 MiB (100,000 profiles take about 8 MB). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/**
 * Read a file as UTF-8 text, following symlinks. A byte order mark is kept as
 * the first character, so writing the text back keeps it.
 *
 * Only a regular file is read (a FIFO would block forever, `/dev/zero` never
 * ends), and at most `maxBytes`; `/dev/null` reads as no file, as the AWS CLI
 * treats it.
 *
 * @returns The text, or null when the file (or a link's destination) does not
 * exist.
 * @throws {StoreError} naming the path, never the content, on any other
 * failure: not a regular file, too big, a parent that is a file, no
 * permission, invalid UTF-8.
 */
export async function readText(
  path: string,
  fs: StoreFs = denoStoreFs,
  maxBytes: number = MAX_FILE_BYTES,
): Promise<string | null> {
  const bytes = await readBytes(path, fs, maxBytes);
  if (bytes === null) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
      .decode(bytes);
  } catch {
    throw new UnreadableContentError(
      `Cannot read "${path}": it is not valid UTF-8 text`,
    );
  }
}

/** The bytes of a regular file of at most `maxBytes`; see {@linkcode readText}. */
export async function readBytes(
  path: string,
  fs: StoreFs,
  maxBytes: number,
): Promise<Uint8Array | null> {
  let info: Deno.FileInfo;
  try {
    info = await fs.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new StoreError(`Cannot read "${path}": ${describeFsError(error)}`);
  }
  if (!info.isFile) {
    if (info.isCharDevice && await isDevNull(path, fs)) return null;
    throw new NotRegularFileError(`Cannot read "${path}": ${notRegular(info)}`);
  }
  const tooBig = () =>
    new UnreadableContentError(
      `Cannot read "${path}": it is larger than ${describeSize(maxBytes)}`,
    );
  if (info.size > maxBytes) throw tooBig();
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path, maxBytes);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new StoreError(`Cannot read "${path}": ${describeFsError(error)}`);
  }
  if (bytes.length > maxBytes) throw tooBig();
  return bytes;
}

async function isDevNull(path: string, fs: StoreFs): Promise<boolean> {
  try {
    return await fs.realPath(path) === "/dev/null";
  } catch {
    return false;
  }
}

function describeSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes} bytes`;
}

/** Why a path that is not a regular file cannot be used. */
function notRegular(info: Deno.FileInfo): string {
  if (info.isDirectory) return "it is a directory";
  if (info.isSymlink) return "it is a symbolic link, not a regular file";
  if (info.isFifo) return "it is a named pipe, not a regular file";
  if (info.isCharDevice || info.isBlockDevice) {
    return "it is a device, not a regular file";
  }
  if (info.isSocket) return "it is a socket, not a regular file";
  return "it is not a regular file";
}

/**
 * Check, before anything is spent, that `path` could be replaced: its real
 * path is not a directory, no parent is a file, there is no symlink loop, the
 * file (if any) is readable and its directory (or the nearest existing
 * ancestor, when directories are still to be created) accepts new files.
 *
 * Nothing remains changed on disk: the directory check creates an empty
 * probe file with a temp name and removes it at once.
 *
 * @throws {StoreError} one sentence naming the path.
 */
export async function checkWritable(
  path: string,
  fs: StoreFs = denoStoreFs,
): Promise<void> {
  const target = await resolveTarget(path, fs);
  let info: Deno.FileInfo | null = null;
  try {
    info = await fs.stat(target);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new StoreError(`Cannot write "${path}": ${describeFsError(error)}`);
    }
  }
  if (info !== null) {
    if (!info.isFile) {
      throw new StoreError(`Cannot write "${path}": ${notRegular(info)}`);
    }
    try {
      (await fs.open(target, { read: true })).close();
    } catch (error) {
      throw new StoreError(`Cannot read "${path}": ${describeFsError(error)}`);
    }
    if (!IS_WINDOWS) await probeReplace(path, target, fs);
  }
  await checkLockPath(path, lockPath(target), fs);
  let dir = dirname(target);
  for (;;) {
    try {
      const dirInfo = await fs.stat(dir);
      if (!dirInfo.isDirectory) {
        throw new StoreError(
          `Cannot write "${path}": "${dir}" is not a directory`,
        );
      }
      break;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (!(error instanceof Deno.errors.NotFound) || dirname(dir) === dir) {
        throw new StoreError(
          `Cannot write "${path}": ${describeFsError(error)}`,
        );
      }
      dir = dirname(dir);
    }
  }
  const probe = join(dir, tempName(basename(target)));
  try {
    (await fs.open(probe, { write: true, createNew: true, mode: 0o600 }))
      .close();
  } catch (error) {
    throw new StoreError(
      `Cannot write "${path}": cannot create files in "${dir}" (${
        describeFsError(error)
      })`,
    );
  }
  await fs.remove(probe).catch(() => undefined);
}

/**
 * Refuse, before anything is spent, a file that can be neither replaced nor
 * written: `chattr +i` (immutable) or `+a` (append-only), which stop even
 * root. A hard link to a temp name, removed at once, tells: it works for a
 * file `rename` can replace; it fails with EXDEV for a single-file bind mount
 * (which {@linkcode updateFile} writes in place) and with EPERM for an
 * immutable or append-only file, whose open for writing fails too.
 */
async function probeReplace(
  path: string,
  target: string,
  fs: StoreFs,
): Promise<void> {
  const probe = join(dirname(target), tempName(basename(target)));
  try {
    await fs.link(target, probe);
    await fs.remove(probe).catch(() => undefined);
    return;
  } catch (error) {
    if (errorCode(error) !== "EPERM") return;
  }
  try {
    (await fs.open(target, { write: true })).close();
  } catch (error) {
    if (errorCode(error) === "EPERM") {
      throw new StoreError(
        `Cannot write "${path}": the system refuses to change or replace it (EPERM), as for a file marked immutable or append-only with chattr; "lsattr" shows it and "chattr -i -a" clears it`,
      );
    }
  }
}

/** The errno name of a file system error (`EXDEV`, `EBUSY`), if known. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Refuse a lock path that exists and is not a regular file (a symlink, a
 * FIFO, a directory): locking it would lock something else, or nothing.
 */
async function checkLockPath(
  path: string,
  lock: string,
  fs: StoreFs,
): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await fs.lstat(lock);
  } catch {
    return;
  }
  if (!info.isFile) {
    throw new NotRegularFileError(lockNotRegular(path, lock, info));
  }
}

function lockNotRegular(path: string, lock: string, info: Deno.FileInfo) {
  return `Cannot lock "${path}": its lock file "${lock}" is not a regular file (${
    notRegular(info).replace(/, not a regular file$/, "")
  }); remove it if no awsmfa is running`;
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
        before = await readText(target, fs, options.maxBytes);
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

/** A file whose lock is held: see {@linkcode lockFile}. */
export interface LockedFile {
  /** The path as given. */
  path: string;
  /** The real path (symlinks resolved). */
  target: string;
  /** Delete the lock file and unlock. Never throws. */
  release(): Promise<void>;
}

/**
 * Resolve `path`, create its missing parent directories (0700) and take its
 * lock, for {@linkcode updateFile}'s `locked` option: how a run holds the
 * locks of both AWS files before it spends a code.
 *
 * With `createParents: false`, a file whose directory does not exist yet is
 * not locked (undefined): no other run can hold its lock, and nothing is
 * created on disk before the write.
 *
 * @throws {StoreError} when the lock cannot be taken.
 */
export async function lockFile(
  path: string,
  options: UpdateOptions & { createParents?: false },
): Promise<LockedFile>;
export async function lockFile(
  path: string,
  options: UpdateOptions & { createParents: false },
): Promise<LockedFile | undefined>;
export async function lockFile(
  path: string,
  options: UpdateOptions & { createParents?: boolean } = {},
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
    await makeParents(path, dir, fs);
  }
  const lock = await acquireLock(
    path,
    target,
    options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    options.lockMaxWaitMs ?? DEFAULT_LOCK_MAX_WAIT_MS,
    fs,
  );
  return { path, target, release: () => lock.release() };
}

/**
 * Write `text` to a temp file beside `target` and rename it over `target`;
 * where the rename cannot work because `target` is a mount point (EBUSY,
 * EXDEV), write it in place instead.
 *
 * @returns Whether it was written in place.
 */
async function writeReplacement(
  path: string,
  target: string,
  text: string,
  mode: number,
  info: Deno.FileInfo | null,
  fs: StoreFs,
): Promise<boolean> {
  const temp = join(dirname(target), tempName(basename(target)));
  const bytes = new TextEncoder().encode(text);
  let file: Deno.FsFile | null = null;
  try {
    file = await fs.open(temp, { write: true, createNew: true, mode: 0o600 });
    if (!IS_WINDOWS) await fs.chmod(temp, mode);
    if (info?.uid != null && info.gid != null) {
      const own = await file.stat();
      if (own.uid !== info.uid || own.gid !== info.gid) {
        // Keep the owner when root updates a user's file; best effort.
        await fs.chown(temp, info.uid, info.gid).catch(() => undefined);
      }
    }
    await fs.write(file, bytes);
    await fs.sync(file);
    file.close();
    file = null;
    await fs.rename(temp, target);
  } catch (error) {
    if (file !== null) {
      try {
        file.close();
      } catch { /* already closed */ }
    }
    await fs.remove(temp).catch(() => undefined);
    const code = errorCode(error);
    if (info !== null && (code === "EBUSY" || code === "EXDEV")) {
      await writeInPlace(path, target, bytes, fs);
      return true;
    }
    throw new StoreError(`Cannot write "${path}": ${describeFsError(error)}`);
  }
  if (!IS_WINDOWS) {
    await fs.syncDir(dirname(target)).catch(() => undefined);
  }
  return false;
}

/**
 * Overwrite `target` with `bytes` and cut it to their length, then flush:
 * for a file that cannot be replaced (a single-file bind mount).
 */
async function writeInPlace(
  path: string,
  target: string,
  bytes: Uint8Array,
  fs: StoreFs,
): Promise<void> {
  let file: Deno.FsFile | null = null;
  try {
    file = await fs.open(target, { write: true });
    await fs.write(file, bytes);
    await file.truncate(bytes.length);
    await fs.sync(file);
  } catch (error) {
    throw new StoreError(
      `Cannot write "${path}" in place (it is a mount point that cannot be replaced): ${
        describeFsError(error)
      }`,
    );
  } finally {
    try {
      file?.close();
    } catch { /* already closed */ }
  }
}

/**
 * The real path to write for `path`: every symlink followed, including
 * dangling ones and links among missing parents, without touching the disk.
 */
async function resolveTarget(path: string, fs: StoreFs): Promise<string> {
  const budget = { links: MAX_SYMLINKS };
  try {
    return await resolvePath(resolve(path), budget, fs);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot write "${path}": ${describeFsError(error)}`);
  }
}

async function resolvePath(
  start: string,
  budget: { links: number },
  fs: StoreFs,
): Promise<string> {
  let current = start;
  for (;;) {
    let info: Deno.FileInfo;
    try {
      info = await fs.lstat(current);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      const parent = dirname(current);
      if (parent === current) return current;
      return join(await resolvePath(parent, budget, fs), basename(current));
    }
    if (!info.isSymlink) return await fs.realPath(current);
    if (--budget.links < 0) {
      throw new Deno.errors.FilesystemLoop("too many symbolic links");
    }
    const link = await fs.readLink(current);
    current = resolve(await fs.realPath(dirname(current)), link);
  }
}

/** Create the missing ancestors of `dir`, each with mode 0700. */
async function makeParents(
  path: string,
  dir: string,
  fs: StoreFs,
): Promise<void> {
  const missing: string[] = [];
  for (let current = dir;; current = dirname(current)) {
    try {
      const info = await fs.stat(current);
      if (!info.isDirectory) {
        throw new StoreError(
          `Cannot write "${path}": "${current}" is not a directory`,
        );
      }
      break;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (
        !(error instanceof Deno.errors.NotFound) ||
        dirname(current) === current
      ) {
        throw new StoreError(
          `Cannot write "${path}": ${describeFsError(error)}`,
        );
      }
      missing.unshift(current);
    }
  }
  for (const current of missing) {
    try {
      await fs.mkdir(current, 0o700);
      // The umask may have removed bits the owner needs.
      if (!IS_WINDOWS) await fs.chmod(current, 0o700);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw new StoreError(
        `Cannot create the directory "${current}": ${describeFsError(error)}`,
      );
    }
  }
}

/** What a lock says when it cannot be taken; see {@linkcode holdLock}. */
export interface LockMessages {
  /** The sentence when the lock file cannot be opened or locked. */
  cannotLock(reason: string): string;
  /** The error when another process holds the lock past the timeout. */
  heldTooLong(lockFile: string, seconds: number): Error;
}

/** A lock taken by {@linkcode holdLock}. */
export interface HeldLock {
  /** Delete the lock file while still holding it, then unlock. Never throws. */
  release(): Promise<void>;
}

/** The sidecar lock file of a real target path. */
function lockPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.awsmfa.lock`);
}

function tempName(base: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `.${base}.awsmfa-${hex}.tmp`;
}

function isTempName(name: string, base: string): boolean {
  const prefix = `.${base}.awsmfa-`;
  return name.startsWith(prefix) &&
    /^[0-9a-f]{16}\.tmp$/.test(name.slice(prefix.length));
}

/**
 * Take an exclusive flock on `lockFile` (created 0600 if missing), polling.
 * After locking, check that the path still names the locked inode: another
 * process may have deleted it (while holding the lock, in
 * {@linkcode HeldLock.release}) after we opened it; then lock the one that is
 * there now. So lock files never pile up, and deleting one is safe.
 *
 * Every wait is bounded: it gives up after `timeoutMs` while one holder keeps
 * the lock, and after `maxWaitMs` in all even while the lock changes hands
 * (many runs queued, each making progress). A lock path that is not a
 * regular file (a symlink, a FIFO) is refused at once.
 *
 * @throws {StoreError} when the lock file cannot be opened or locked, or is
 * not a regular file; the error of `messages.heldTooLong` after the wait.
 */
export async function holdLock(
  lockFile: string,
  timeoutMs: number,
  messages: LockMessages,
  fs: StoreFs = denoStoreFs,
  maxWaitMs: number = timeoutMs,
): Promise<HeldLock> {
  const start = Date.now();
  let idleSince = start;
  let holder: string | undefined;
  for (;;) {
    await refuseIrregularLock(lockFile, messages, fs);
    let file: Deno.FsFile;
    try {
      file = await fs.open(lockFile, {
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
      if (locked && (IS_WINDOWS || await sameFile(file, lockFile, fs))) {
        return { release: () => releaseLock(file, lockFile, fs) };
      }
      if (!locked) seen = identity(await file.stat());
    } catch (error) {
      file.close();
      if (error instanceof StoreError) throw error;
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
      throw messages.heldTooLong(lockFile, maxWaitMs / 1000);
    }
    if (now - idleSince >= timeoutMs) {
      throw messages.heldTooLong(lockFile, timeoutMs / 1000);
    }
    await new Promise((done) => setTimeout(done, 10 + Math.random() * 30));
  }
}

/** Which lock file (inode and creation) a holder holds. */
function identity(info: Deno.FileInfo): string {
  return `${info.dev}:${info.ino}:${(info.birthtime ?? info.mtime)?.getTime()}`;
}

async function refuseIrregularLock(
  lockFile: string,
  messages: LockMessages,
  fs: StoreFs,
): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await fs.lstat(lockFile);
  } catch {
    return;
  }
  if (!info.isFile) {
    throw new NotRegularFileError(
      messages.cannotLock(
        `it is not a regular file (${
          notRegular(info).replace(/, not a regular file$/, "")
        }); remove it if no awsmfa is running`,
      ),
    );
  }
}

/** The lock of {@linkcode updateFile}: the sidecar of the real target path. */
async function acquireLock(
  path: string,
  target: string,
  timeoutMs: number,
  maxWaitMs: number,
  fs: StoreFs,
): Promise<HeldLock> {
  const sidecar = lockPath(target);
  return await holdLock(
    sidecar,
    timeoutMs,
    {
      cannotLock: (reason) =>
        `Cannot lock "${path}" with "${sidecar}": ${reason}`,
      heldTooLong: (file, seconds) =>
        new StoreError(
          `Cannot update "${path}": another process has held its lock file "${file}" for ${seconds} s; try again when it has finished`,
        ),
    },
    fs,
    Math.max(maxWaitMs, timeoutMs),
  );
}

async function sameFile(
  file: Deno.FsFile,
  path: string,
  fs: StoreFs,
): Promise<boolean> {
  const held = await file.stat();
  try {
    const named = await fs.lstat(path);
    if (!named.isFile) {
      throw new NotRegularFileError(
        `Cannot lock with "${path}": it is not a regular file (${
          notRegular(named).replace(/, not a regular file$/, "")
        }); remove it if no awsmfa is running`,
      );
    }
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

/** Remove temp files of `target` left by killed runs (we hold the lock). */
async function removeStaleTemps(target: string, fs: StoreFs): Promise<void> {
  const base = basename(target);
  let names: string[];
  try {
    names = await fs.readDir(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (isTempName(name, base)) {
      await fs.remove(join(dirname(target), name)).catch(() => undefined);
    }
  }
}

/** A short reason for a file system error; never file contents. */
export function describeFsError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or directory";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) {
    return "Deno's permissions do not allow it";
  }
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotADirectory) {
    return "a part of the path is not a directory";
  }
  if (error instanceof Deno.errors.FilesystemLoop) {
    return "too many levels of symbolic links";
  }
  if (error instanceof Deno.errors.AlreadyExists) return "it already exists";
  if (error instanceof Error) return error.message;
  return String(error);
}
