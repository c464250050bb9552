/**
 * Whether a file still holds the text read from it before: its bytes are
 * compared with the text's UTF-8 encoding as the file is read, a chunk at a
 * time, so neither a second copy of the file nor the first read's bytes are
 * kept, and nothing is decoded.
 *
 * The comparison is exact: the text was decoded from valid UTF-8, and
 * encoding it gives back exactly the bytes it was decoded from.
 *
 * @module
 */

import type { StoreFs } from "./fs.ts";

/** The characters encoded, and bytes read and compared, at a time. */
const CHUNK = 64 * 1024;

/**
 * Whether the file at `path` holds exactly the UTF-8 encoding of `text`, no
 * more and no less, compared byte for byte. Any failure to open or read it
 * answers false: the caller then reads the file as if it had not been read
 * before, and reports what that read finds.
 *
 * Call it only for a path a stat has just found to be a regular file: it
 * opens the file, and opening a FIFO would wait for a writer.
 */
export async function holdsText(
  path: string,
  text: string,
  fs: StoreFs,
): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await fs.open(path, { read: true });
  } catch {
    return false;
  }
  try {
    const encoder = new TextEncoder();
    // A UTF-16 unit encodes to at most 3 bytes (a surrogate pair, 2 units, to 4).
    const encoded = new Uint8Array(3 * CHUNK);
    const read = new Uint8Array(3 * CHUNK);
    let at = 0;
    while (at < text.length) {
      let end = Math.min(at + CHUNK, text.length);
      // Never split a surrogate pair: half of one would encode as U+FFFD.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      const { read: used, written } = encoder.encodeInto(
        text.substring(at, end),
        encoded,
      );
      if (used === 0) return false; // never: the buffer holds 3 bytes a unit
      at += used;
      if (!readFully(file, read.subarray(0, written))) return false;
      if (!sameBytes(read.subarray(0, written), encoded.subarray(0, written))) {
        return false;
      }
    }
    // The file ends where the text does.
    return file.readSync(read.subarray(0, 1)) === null;
  } catch {
    return false;
  } finally {
    file.close();
  }
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * Fill `into` from the file; false when the file ends first. Synchronous, as
 * the store's other reads: a regular file's read cannot wait for a writer,
 * and each asynchronous call is a round trip through Deno's thread pool.
 */
function readFully(file: Deno.FsFile, into: Uint8Array): boolean {
  let filled = 0;
  while (filled < into.length) {
    const n = file.readSync(into.subarray(filled));
    if (n === null) return false;
    filled += n;
  }
  return true;
}

/**
 * Whether two byte arrays hold the same bytes: four at a time, as 32-bit
 * words, where both start on a four-byte boundary, then one at a time.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let from = 0;
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const words = a.length >>> 2;
    const x = new Uint32Array(a.buffer, a.byteOffset, words);
    const y = new Uint32Array(b.buffer, b.byteOffset, words);
    for (let w = 0; w < words; w++) if (x[w] !== y[w]) return false;
    from = words << 2;
  }
  return sameRange(a, b, from, a.length);
}

function sameRange(
  a: Uint8Array,
  b: Uint8Array,
  from: number,
  to: number,
): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}
