/**
 * The file system seam: every file operation of the store and the cache goes
 * through a {@linkcode StoreFs}, which tests replace to inject failures.
 *
 * @module
 */

import { joinBytes } from "../shared/bytes.ts";

/** Whether this is Windows (no modes, owners, directory fsync or inodes). */
export const IS_WINDOWS: boolean = Deno.build.os === "windows";

/** One entry of a directory listing. */
export interface DirEntry {
  /** The entry's name. */
  name: string;
  /** Whether it is a regular file (not following a symlink). */
  isFile: boolean;
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
   * The content of a file, following symlinks: at most `maxBytes` + 1 bytes,
   * so a caller can tell a file that is too big.
   */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
  /** The entries of a directory. */
  readDir(path: string): Promise<DirEntry[]>;
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

/**
 * The default {@linkcode StoreFs}: plain `Deno.*` calls.
 *
 * The operations that only look (stat, lstat, realPath, readLink, readDir,
 * and readFile with a cap) use Deno's synchronous calls: each asynchronous
 * one is a round trip through Deno's thread pool, and the fast paths
 * (status, skip-while-valid, a warm credential-process) are made of little
 * else. None of them can block: they never open a file, except readFile,
 * which callers use only after a stat found a regular file (lib/files/read.ts).
 * They still return promises that reject on failure, so the seam stays the
 * same.
 */
export const denoStoreFs: StoreFs = {
  lstat: (path) => settled(() => Deno.lstatSync(path)),
  stat: (path) => settled(() => Deno.statSync(path)),
  realPath: (path) => settled(() => Deno.realPathSync(path)),
  readLink: (path) => settled(() => Deno.readLinkSync(path)),
  readFile: (path, maxBytes) => settled(() => readCapped(path, maxBytes)),
  readDir: (path) =>
    settled(() =>
      Array.from(
        Deno.readDirSync(path),
        (entry) => ({ name: entry.name, isFile: entry.isFile }),
      )
    ),
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

/** The result of a synchronous call as a promise: a throw becomes a rejection. */
function settled<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Read at most `maxBytes` + 1 bytes of a file: the size it has now in one
 * read, then small reads until its end (it may have grown since).
 */
function readCapped(path: string, maxBytes: number): Uint8Array {
  const file = Deno.openSync(path, { read: true });
  try {
    const expected = file.statSync().size;
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size <= maxBytes) {
      const wanted = size < expected ? expected + 1 - size : 64 * 1024;
      const chunk = new Uint8Array(Math.min(wanted, maxBytes + 1 - size));
      const n = file.readSync(chunk);
      if (n === null) break;
      chunks.push(chunk.subarray(0, n));
      size += n;
    }
    if (chunks.length === 1) return chunks[0];
    return joinBytes(chunks);
  } finally {
    file.close();
  }
}
