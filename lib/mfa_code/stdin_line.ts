/**
 * One line of stdin, bounded: how `CODE` `-` reads the code without waiting
 * for a writer that keeps the pipe open.
 *
 * @module
 */

import { joinBytes } from "../shared/bytes.ts";

/** Longest line read from stdin; a code line is far shorter. */
const MAX_LINE_BYTES = 4096;

/**
 * Read one line from `stream`: bytes up to the first newline or the end of
 * the stream, without the line ending (LF or CRLF). Stops reading at the
 * newline, so a writer that keeps the stream open does not block it; returns
 * null when the stream ends before any byte.
 */
export async function readLine(
  stream: ReadableStream<Uint8Array>,
): Promise<string | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let sawAny = false;
  try {
    while (size <= MAX_LINE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length === 0) continue;
      sawAny = true;
      const newline = value.indexOf(0x0a);
      if (newline >= 0) {
        chunks.push(value.subarray(0, newline));
        size += newline;
        break;
      }
      chunks.push(value);
      size += value.length;
    }
  } finally {
    reader.releaseLock();
  }
  if (!sawAny) return null;
  return new TextDecoder().decode(joinBytes(chunks)).replace(/\r$/, "");
}
