/** lib/mfa_code/stdin_line.ts: one line, without its line ending; null only for no bytes at all. */
import assert from "node:assert/strict";
import { readLine } from "../../lib/mfa_code/stdin_line.ts";

/** A stream that yields `chunks` and then closes. */
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const queue = chunks.map((chunk) => new TextEncoder().encode(chunk));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next !== undefined) controller.enqueue(next);
      else controller.close();
    },
  });
}

Deno.test("readLine returns null only for a stream that ends before any byte", async () => {
  assert.equal(await readLine(streamOf([])), null);
  assert.equal(await readLine(streamOf(["\n"])), "");
  assert.equal(await readLine(streamOf(["a\r\n"])), "a");
});

Deno.test("readLine joins chunks up to the first newline and leaves the rest", async () => {
  assert.equal(await readLine(streamOf(["12", "34", "56\nnext\n"])), "123456");
  assert.equal(await readLine(streamOf(["654", "321"])), "654321");
});
