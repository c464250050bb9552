/**
 * Joining the chunks a stream or a file was read in.
 *
 * @module
 */

/** The bytes of `chunks`, one after another, in one new array. */
export function joinBytes(
  chunks: readonly Uint8Array[],
): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
