/**
 * Private directory creation: missing directories are made 0700, one by one,
 * so that the caller knows which it created and can take them back.
 *
 * @module
 */

import { dirname } from "../shared/path.ts";
import { IS_WINDOWS, type StoreFs } from "./fs.ts";
import { describeFsError } from "./errors.ts";

/**
 * Why {@linkcode makeDirectories} could not make a directory: the path it
 * was at, a short reason naming no content, and whether it failed while
 * creating (or narrowing) a directory rather than while looking at one.
 */
export class DirectoryError extends Error {
  /** The directory (or ancestor) the problem is at. */
  readonly at: string;
  /** A short reason, such as `"/home/a/.aws" is not a directory`. */
  readonly reason: string;
  /** True when creating or narrowing a directory failed. */
  readonly creating: boolean;

  /** Create the error. */
  constructor(at: string, reason: string, creating: boolean) {
    super(reason);
    this.name = "DirectoryError";
    this.at = at;
    this.reason = reason;
    this.creating = creating;
  }
}

/**
 * Create `dir` and its missing ancestors, each with mode 0700 (put back to
 * 0700 after the umask). With `narrow`, an existing `dir` readable or
 * writable by others is narrowed to 0700 as well.
 *
 * @returns The directories it created, deepest first.
 * @throws {DirectoryError} when an ancestor is not a directory or a
 * directory cannot be looked at, created or narrowed.
 */
export async function makeDirectories(
  dir: string,
  fs: StoreFs,
  narrow = false,
): Promise<string[]> {
  const missing: string[] = [];
  for (let current = dir;; current = dirname(current)) {
    let isDirectory: boolean;
    try {
      isDirectory = (await fs.stat(current)).isDirectory;
    } catch (error) {
      if (
        !(error instanceof Deno.errors.NotFound) ||
        dirname(current) === current
      ) {
        throw new DirectoryError(current, describeFsError(error), false);
      }
      missing.unshift(current);
      continue;
    }
    if (!isDirectory) {
      throw new DirectoryError(
        current,
        `"${current}" is not a directory`,
        false,
      );
    }
    break;
  }
  for (const current of missing) {
    try {
      await fs.mkdir(current, 0o700);
      // The umask may have removed bits the owner needs.
      if (!IS_WINDOWS) await fs.chmod(current, 0o700);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw new DirectoryError(current, describeFsError(error), true);
    }
  }
  if (narrow && !IS_WINDOWS && missing.length === 0) {
    try {
      const mode = (await fs.stat(dir)).mode;
      if (mode !== null && (mode & 0o077) !== 0) await fs.chmod(dir, 0o700);
    } catch (error) {
      throw new DirectoryError(dir, describeFsError(error), true);
    }
  }
  return missing.reverse();
}

/**
 * Remove the directories `created` (deepest first) while they are empty, so
 * a failed run leaves the disk as it found it. A directory another process
 * has put a file in meanwhile stays.
 */
export async function removeEmpty(
  created: readonly string[],
  fs: StoreFs,
): Promise<void> {
  for (const path of created) {
    try {
      await fs.remove(path);
    } catch {
      return;
    }
  }
}
