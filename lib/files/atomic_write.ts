/**
 * Replacing a file's content atomically: a temp file beside it, fsync,
 * rename over it, fsync of the directory; and the in-place fallback for a
 * file that cannot be replaced (a single-file bind mount).
 *
 * @module
 */

import { basename, dirname, join } from "../shared/path.ts";
import { IS_WINDOWS, type StoreFs } from "./fs.ts";
import { describeFsError, errorCode, StoreError } from "./errors.ts";
import { tempName } from "./temp.ts";

/**
 * Write `text` to a temp file beside `target` and rename it over `target`;
 * where the rename cannot work because `target` is a mount point (EBUSY,
 * EXDEV), write it in place instead.
 *
 * @returns Whether it was written in place.
 */
export async function writeReplacement(
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
