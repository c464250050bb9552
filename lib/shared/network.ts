/**
 * Reading answers from the network safely, for every AWS call: a fetch that
 * follows no redirect and reads a capped body under the request's signal,
 * and text from the network made safe to print. Imports nothing, so error
 * paths can use it without loading the AWS SDK.
 *
 * @module
 */

import { joinBytes } from "./bytes.ts";

/** Most bytes of an answer read, after inflating: STS answers are a few KB. */
export const MAX_ANSWER_BYTES = 1 << 20;
/** Most characters of text from the network shown in a message. */
const MAX_SHOWN_CHARS = 300;

/** An answer bigger than the cap {@linkcode boundedFetch} was given. */
export class AnswerTooLarge extends Error {
  /** Create the error. */
  constructor() {
    super("the answer is too large");
    this.name = "AnswerTooLarge";
  }
}

/**
 * A fetch that never follows a redirect (a 3xx comes back as the answer),
 * and reads the whole body itself, inflated, under the request's signal, so
 * a deadline covers the body and no more than `maxBytes` are ever held.
 *
 * @throws {AnswerTooLarge} for a body over `maxBytes`.
 */
export function boundedFetch(
  inner: typeof fetch,
  maxBytes: number = MAX_ANSWER_BYTES,
): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, { ...init, redirect: "manual" });
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new AnswerTooLarge();
        }
        chunks.push(value);
      }
    }
    const bytes = joinBytes(chunks);
    const headers = new Headers(response.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    const empty = [101, 204, 205, 304].includes(response.status);
    return new Response(empty ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/**
 * Text from the network made safe to print: control characters (escape
 * sequences, carriage returns) and bidirectional overrides become spaces,
 * runs of white space one space, and at most `max` characters are kept.
 */
export function cleanText(text: string, max: number = MAX_SHOWN_CHARS): string {
  const flat = text
    .replace(
      // deno-lint-ignore no-control-regex
      /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
      " ",
    )
    .replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max).join("")}…`;
}
