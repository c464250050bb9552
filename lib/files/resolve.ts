/**
 * The real path a write goes to: every symlink followed, dangling ones and
 * links among missing parents too.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "../shared/path.ts";
import type { StoreFs } from "./fs.ts";
import { describeFsError, StoreError } from "./errors.ts";

/** Symlinks followed before giving up, as Linux does. */
const MAX_SYMLINKS = 40;

/**
 * The real path to write for `path`: every symlink followed, including
 * dangling ones and links among missing parents, without touching the disk.
 */
export async function resolveTarget(
  path: string,
  fs: StoreFs,
): Promise<string> {
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
