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
    // A UTF-16 unit encodes to at most 3 bytes (a surrogate pair, 2 units, to
    // 4). Both buffers are the comparison's memory; from here on the loop is
    // synchronous, so no other call uses them meanwhile.
    const { memory, eq } = compiled();
    const encoded = new Uint8Array(memory.buffer, 0, 3 * CHUNK);
    const read = new Uint8Array(memory.buffer, 3 * CHUNK, 3 * CHUNK);
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
      if (eq(read.byteOffset, encoded.byteOffset, written) !== 1) return false;
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
 * The comparison, in WebAssembly: it runs as compiled code from its first
 * call, where the same loop in JavaScript runs mostly before V8 optimises it
 * and costs more than decoding the file (3 to 10 ms for 1 MB). In the text
 * format:
 *
 *     (module
 *       (memory (export "m") 6)  ;; 6 × 64 KiB: the two buffers of holdsText
 *       (func (export "eq") (param $a i32) (param $b i32) (param $n i32)
 *         (result i32)           ;; 1: the n bytes at a and at b are equal
 *         (block $tail
 *           (loop $words         ;; eight bytes at a time
 *             (br_if $tail (i32.lt_u (local.get $n) (i32.const 8)))
 *             (if (i64.ne (i64.load (local.get $a)) (i64.load (local.get $b)))
 *               (then (return (i32.const 0))))
 *             (local.set $a (i32.add (local.get $a) (i32.const 8)))
 *             (local.set $b (i32.add (local.get $b) (i32.const 8)))
 *             (local.set $n (i32.sub (local.get $n) (i32.const 8)))
 *             (br $words)))
 *         (block $done
 *           (loop $bytes         ;; then one at a time
 *             (br_if $done (i32.eqz (local.get $n)))
 *             (if (i32.ne (i32.load8_u (local.get $a))
 *                         (i32.load8_u (local.get $b)))
 *               (then (return (i32.const 0))))
 *             (local.set $a (i32.add (local.get $a) (i32.const 1)))
 *             (local.set $b (i32.add (local.get $b) (i32.const 1)))
 *             (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *             (br $bytes)))
 *         (i32.const 1)))
 */
const COMPARE_MODULE =
  "0061736d0100000001080160037f7f7f017f030201000503010006070a02016d020002657100000a6e016c000240034020024108490d012000290300200129030052044041000f0b200041086a2100200141086a2101200241086b21020c000b0b024003402002450d0120002d000020012d000047044041000f0b200041016a2100200141016a2101200241016b21020c000b0b41010b";

/** The compiled comparison and its memory. */
interface Comparer {
  /** The memory both buffers live in. */
  memory: WebAssembly.Memory;
  /** 1 when the `n` bytes at offsets `a` and `b` of the memory are equal. */
  eq(a: number, b: number, n: number): number;
}

let comparer: Comparer | undefined;

/** The comparison, compiled on first use (well under a millisecond). */
function compiled(): Comparer {
  if (comparer === undefined) {
    const bytes = new Uint8Array(COMPARE_MODULE.length / 2);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(COMPARE_MODULE.slice(2 * i, 2 * i + 2), 16);
    }
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    comparer = {
      memory: exports.m as WebAssembly.Memory,
      eq: exports.eq as Comparer["eq"],
    };
  }
  return comparer;
}
