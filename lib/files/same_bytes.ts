/**
 * Whether a file still holds the bytes read from it before: compared as it
 * is read, a chunk at a time, so no second copy of the whole file is made
 * and nothing is decoded.
 *
 * @module
 */

import type { StoreFs } from "./fs.ts";

/** The bytes read and compared at a time: 256 KiB. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Whether the file at `path` holds exactly `bytes`, no more and no less,
 * compared byte for byte. Any failure to open or read it answers false: the
 * caller then reads the file as if it had not been read before, and reports
 * what that read finds.
 *
 * Call it only for a path a stat has just found to be a regular file: it
 * opens the file, and opening a FIFO would wait for a writer.
 */
export async function holdsBytes(
  path: string,
  bytes: Uint8Array,
  fs: StoreFs,
): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await fs.open(path, { read: true });
  } catch {
    return false;
  }
  try {
    // One byte more than is left to compare, so that a file that has grown
    // is told by its first chunk.
    const chunk = new Uint8Array(Math.min(bytes.length + 1, CHUNK_BYTES));
    let offset = 0;
    while (true) {
      // Synchronous, as the store's other reads: a regular file's read
      // cannot wait for a writer, and each asynchronous call is a round
      // trip through Deno's thread pool.
      const n = file.readSync(chunk);
      if (n === null) return offset === bytes.length;
      if (n > bytes.length - offset) return false;
      if (
        !sameBytes(chunk.subarray(0, n), bytes.subarray(offset, offset + n))
      ) {
        return false;
      }
      offset += n;
    }
  } catch {
    return false;
  } finally {
    file.close();
  }
}

/**
 * Whether two byte arrays of one length hold the same bytes: four at a time
 * where both start on a four-byte boundary, then one at a time.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const words = a.length >>> 2;
    const x = new Int32Array(a.buffer, a.byteOffset, words);
    const y = new Int32Array(b.buffer, b.byteOffset, words);
    for (; i < words; i++) if (x[i] !== y[i]) return false;
    i = words << 2;
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
