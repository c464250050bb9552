/**
 * lib/source_keys/iam.ts's reading of answers: text from AWS shown only
 * after control and bidirectional characters are gone, and a body that
 * breaks or stalls after the headers is a network error, as a call that
 * could not be made is, never an internal one.
 */

import assert from "node:assert/strict";
import { AwsmfaError, ExitCode } from "../../lib/shared/errors.ts";
import { queryCall, type QueryTarget } from "../../lib/source_keys/iam.ts";

const TARGET: QueryTarget = {
  endpoint: "https://iam.amazonaws.com",
  region: "us-east-1",
  service: "iam",
  version: "2010-05-08",
};
const KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
};

function answering(response: () => Response): typeof fetch {
  return () => Promise.resolve(response());
}

/** A body whose first chunk arrives and whose reading then fails with `error`. */
function failingBody(error: Error): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode("<ListAccessKeysRe"));
        return;
      }
      controller.error(error);
    },
  });
}

Deno.test("iam: AWS's error text reaches the message without bidirectional overrides or control characters", async () => {
  const xml =
    `<ErrorResponse><Error><Code>AccessDenied</Code><Message>User alice\u202e is not\u2066 allowed\u001b[2J</Message></Error></ErrorResponse>`;
  await assert.rejects(
    queryCall(TARGET, "ListAccessKeys", {}, KEYS, {
      fetch: answering(() => new Response(xml, { status: 403 })),
    }),
    (error: unknown) => {
      assert.ok(error instanceof AwsmfaError);
      assert.equal(error.exitCode, ExitCode.AuthRejected);
      assert.equal(
        error.message,
        "IAM refused ListAccessKeys (AccessDenied): User alice is not allowed [2J.",
      );
      return true;
    },
  );
});

Deno.test("iam: a body that breaks after the headers is a network error", async () => {
  await assert.rejects(
    queryCall(TARGET, "ListAccessKeys", {}, KEYS, {
      fetch: answering(() =>
        new Response(failingBody(new TypeError("connection reset")), {
          status: 200,
        })
      ),
    }),
    (error: unknown) => {
      assert.ok(error instanceof AwsmfaError, String(error));
      assert.equal(error.exitCode, ExitCode.Network);
      assert.match(
        error.message,
        /^ListAccessKeys could not reach iam\.amazonaws\.com/,
      );
      return true;
    },
  );
});

Deno.test("iam: a body that stalls until the deadline is a timeout, a network error", async () => {
  await assert.rejects(
    queryCall(TARGET, "ListAccessKeys", {}, KEYS, {
      fetch: answering(() =>
        new Response(
          failingBody(new DOMException("Signal timed out.", "TimeoutError")),
          { status: 200 },
        )
      ),
    }),
    (error: unknown) => {
      assert.ok(error instanceof AwsmfaError, String(error));
      assert.equal(error.exitCode, ExitCode.Network);
      assert.equal(
        error.message,
        "ListAccessKeys could not reach iam.amazonaws.com (no answer within 20 seconds); check the network and run again.",
      );
      return true;
    },
  );
});

Deno.test("iam: an answer over the cap is refused as too large, unread", async () => {
  await assert.rejects(
    queryCall(TARGET, "ListAccessKeys", {}, KEYS, {
      fetch: answering(() =>
        new Response("x".repeat(262_145), { status: 200 })
      ),
    }),
    (error: unknown) => {
      assert.ok(error instanceof AwsmfaError);
      assert.equal(error.exitCode, ExitCode.Network);
      assert.equal(
        error.message,
        "The answer from AWS was larger than expected; it was not read.",
      );
      return true;
    },
  );
});
