/**
 * Removing session cache entries (`awsmfa clear`): each entry is removed
 * under its lock, matched by what its file says it is for.
 *
 * @module
 */

import { join } from "../shared/path.ts";
import { describeFsError, StoreError } from "../files/errors.ts";
import { denoStoreFs, type StoreFs } from "../files/fs.ts";
import { REMOVE_FILE, updateFile } from "../files/update.ts";
import type { CacheKey } from "./cache_key.ts";
import { cacheKeyOfText } from "./cache_entry.ts";
import { entryNames } from "./cache_list.ts";
import { ENTRY_WRITE } from "./cache_file.ts";

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
      const key = text === null ? undefined : cacheKeyOfText(text);
      hit = key !== undefined && matches(key);
      return hit ? REMOVE_FILE : null;
    }, { ...ENTRY_WRITE, fs });
    if (hit) removed++;
  }
  return removed;
}
