/**
 * The names of the temp files a replacement writes beside its file
 * (`.<name>.awsmfa-<16 hex digits>.tmp`), and their removal after a killed
 * run.
 *
 * @module
 */

import { basename, dirname, join } from "../shared/path.ts";
import type { StoreFs } from "./fs.ts";

/** A fresh temp file name for the file named `base`. */
export function tempName(base: string): string {
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

/** Remove temp files of `target` left by killed runs (the caller holds the lock). */
export async function removeStaleTemps(
  target: string,
  fs: StoreFs,
): Promise<void> {
  const base = basename(target);
  let entries: { name: string }[];
  try {
    entries = await fs.readDir(dirname(target));
  } catch {
    return;
  }
  for (const { name } of entries) {
    if (isTempName(name, base)) {
      await fs.remove(join(dirname(target), name)).catch(() => undefined);
    }
  }
}
