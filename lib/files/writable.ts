/**
 * The check, before anything is spent, that a file could be replaced.
 *
 * @module
 */

import { basename, dirname, join } from "../shared/path.ts";
import { denoStoreFs, IS_WINDOWS, type StoreFs } from "./fs.ts";
import {
  describeFsError,
  errorCode,
  notRegular,
  StoreError,
} from "./errors.ts";
import { resolveTarget } from "./resolve.ts";
import { lockPath, refuseIrregularLock } from "./lock.ts";
import { tempName } from "./temp.ts";

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
  await refuseIrregularLock(path, lockPath(target), fs);
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
