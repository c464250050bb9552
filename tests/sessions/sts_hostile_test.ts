/**
 * lib/sessions/sts.ts against a hostile or intercepted endpoint, served on loopback:
 * a gzip bomb, a redirect to another server, a body that trickles, escape
 * sequences and huge messages, Expirations that cannot be right, a
 * connection that drops while no code was sent.
 */

import assert from "node:assert/strict";
import {
  assumeRole,
  type AssumeRoleRequest,
  getSessionToken,
  type GetSessionTokenRequest,
} from "../../lib/sessions/sts.ts";
import { StsError } from "../../lib/sessions/sts_error.ts";
import { cleanText } from "../../lib/shared/network.ts";
import { ExitCode } from "../../lib/shared/errors.ts";

const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
const CODE = "472913";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function okXml(expiration: string): string {
  return `<GetSessionTokenResponse xmlns="${XMLNS}"><GetSessionTokenResult><Credentials><SessionToken>FwoGZXIvYXdzEBcaDH+token==</SessionToken><SecretAccessKey>tempSecretKey/abc+def</SecretAccessKey><Expiration>${expiration}</Expiration><AccessKeyId>ASIAEXAMPLETEMPKEY12</AccessKeyId></Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId></ResponseMetadata></GetSessionTokenResponse>`;
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>4c6b1f0e</RequestId></ErrorResponse>`;
}

function request(
  endpoint: string,
  extra: Partial<GetSessionTokenRequest> = {},
): GetSessionTokenRequest {
  return {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: SECRET,
    region: "eu-west-1",
    endpoint,
    serialNumber: "arn:aws:iam::123456789012:mfa/alice",
    tokenCode: CODE,
    durationSeconds: 3600,
    sourceProfile: "work",
    sleep: () => Promise.resolve(),
    ...extra,
  };
}

/** Serve `handler` on 127.0.0.1 for the length of `fn`. */
async function serving(
  handler: (request: Request) => Response | Promise<Response>,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    handler,
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

async function failure(
  promise: Promise<unknown>,
  what = "",
): Promise<StsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StsError, `not an StsError: ${error}`);
    assert.ok(!error.message.includes(CODE), "the code is in the message");
    assert.ok(!error.message.includes(SECRET), "the secret is in the message");
    assert.doesNotMatch(error.message, CONTROL);
    return error;
  }
  throw new assert.AssertionError({ message: `the call did not fail ${what}` });
}

Deno.test("sts: a gzip bomb is cut at 1 MiB of inflated answer", async () => {
  // 64 MiB of zeros, gzipped to a small body.
  const zeros = new Blob([new Uint8Array(64 << 20)]).stream();
  const bomb = new Uint8Array(
    await new Response(zeros.pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  assert.ok(bomb.length < 1 << 20);
  await serving(
    () =>
      new Response(bomb, {
        headers: { "content-encoding": "gzip", "content-type": "text/xml" },
      }),
    async (url) => {
      const error = await failure(getSessionToken(request(url)));
      assert.equal(error.exitCode, ExitCode.Network);
      assert.match(error.message, /more than 1 MiB/);
      assert.equal(error.codeMayBeUsed, true);
    },
  );
});

Deno.test("sts: a redirect is never followed, so the code goes nowhere else", async () => {
  let elsewhere = 0;
  await serving(() => {
    elsewhere++;
    return new Response(okXml(new Date(Date.now() + 3_600_000).toISOString()));
  }, async (other) => {
    for (const status of [301, 302, 307, 308]) {
      await serving(
        () =>
          new Response(null, { status, headers: { location: `${other}/` } }),
        async (url) => {
          const error = await failure(getSessionToken(request(url)));
          assert.equal(error.exitCode, ExitCode.Network);
          assert.match(
            error.message,
            new RegExp(`redirect \\(HTTP ${status}\\)`),
          );
        },
      );
    }
  });
  assert.equal(elsewhere, 0);
});

Deno.test("sts: a body that trickles in is a timeout, and the timeout covers it", async () => {
  await serving(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          new TextEncoder().encode("<GetSessionTokenResponse"),
        );
        // One byte now and then, never the end.
        const drip = () => {
          controller.enqueue(new TextEncoder().encode(" "));
          timer = setTimeout(drip, 50);
        };
        drip();
      },
      cancel() {
        clearTimeout(timer);
      },
    });
    return new Response(body, { headers: { "content-type": "text/xml" } });
  }, async (url) => {
    const error = await failure(
      getSessionToken(request(url, { timeoutMs: 400 })),
    );
    assert.equal(
      error.message,
      `STS at ${url} did not answer within 0.4 s: the code may have been used, so wait for the next code before trying again.`,
    );
  });
});

Deno.test("sts: escape sequences and huge messages from the endpoint are not printed", async () => {
  const evil =
    "\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\r\nsecond line\u009b";
  for (
    const [code, message] of [
      ["InvalidParameterValue", `${evil}${"x".repeat(500_000)}`],
      [`Evil\u001b[2J`, evil],
    ]
  ) {
    await serving(
      () =>
        new Response(errorXml(code, message), {
          status: 400,
          headers: { "content-type": "text/xml" },
        }),
      async (url) => {
        const error = await failure(getSessionToken(request(url)));
        assert.ok(error.message.length < 600, `${error.message.length} chars`);
        assert.ok(!error.message.includes("\u001b"));
        assert.ok(!error.message.includes("pwned\u0007"));
      },
    );
  }
  assert.equal(cleanText("a\u001b[2Jb\u202ec"), "a [2Jb c");
  assert.equal(cleanText("x".repeat(400)).length, 301);
});

Deno.test("sts: an Expiration in the past or beyond the asked duration is refused", async () => {
  const now = Date.parse("2026-12-01T10:00:00Z");
  for (
    const [expiration, pattern] of [
      ["2026-12-01T09:50:00Z", /expired already/],
      ["2026-12-01T11:10:00Z", /further away than the 3600 seconds asked for/],
      ["2036-01-01T00:00:00Z", /further away/],
    ] as const
  ) {
    await serving(() => new Response(okXml(expiration)), async (url) => {
      const error = await failure(
        getSessionToken(request(url, { now: () => now })),
        expiration,
      );
      assert.equal(error.exitCode, ExitCode.Network);
      assert.match(error.message, pattern);
    });
  }
  await serving(
    () => new Response(okXml("2026-12-01T11:00:00Z")),
    async (url) => {
      const got = await getSessionToken(request(url, { now: () => now }));
      assert.equal(got.expiration.toISOString(), "2026-12-01T11:00:00.000Z");
    },
  );
});

Deno.test("sts: credentials with characters no key has are refused", async () => {
  const xml = okXml("2026-12-01T11:00:00Z").replace(
    "FwoGZXIvYXdzEBcaDH+token==",
    "tok\n[default]\naws_access_key_id = AKIAEVIL",
  );
  await serving(() => new Response(xml), async (url) => {
    const error = await failure(
      getSessionToken(
        request(url, { now: () => Date.parse("2026-12-01T10:00:00Z") }),
      ),
    );
    assert.match(error.message, /characters no AWS key has/);
  });
});

Deno.test("sts: a dropped connection while chaining (no code sent) says no code was used", async () => {
  const chained: AssumeRoleRequest = {
    accessKeyId: "ASIAEXAMPLETEMPKEY12",
    secretAccessKey: "tempSecretKey/abc+def",
    sessionToken: "FwoGZXIvYXdzEBcaDH+token==",
    region: "eu-west-1",
    endpoint: "https://sts.eu-west-1.amazonaws.com",
    roleArn: "arn:aws:iam::123456789012:role/admin",
    roleSessionName: "awsmfa",
    sourceProfile: "work",
    sleep: () => Promise.resolve(),
    fetch: () =>
      Promise.reject(
        new TypeError(
          "error sending request: connection closed before message completed",
        ),
      ),
  };
  const error = await failure(assumeRole(chained));
  assert.equal(error.codeMayBeUsed, false);
  assert.doesNotMatch(error.message, /code may have been used/);
  assert.match(error.message, /no code was sent/);
});
