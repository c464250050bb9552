/**
 * lib/sessions/cache_key.ts: where the session cache lives and the file
 * name of each entry.
 */

import assert from "node:assert/strict";
import {
  cacheDirectory,
  cacheFileName,
  type CacheKey,
} from "../../lib/sessions/cache_key.ts";

const KEY: CacheKey = {
  sourceProfile: "work",
  serialNumber: "arn:aws:iam::123456789012:mfa/alice",
};

Deno.test("cache: the directory is ~/.aws/awsmfa/cache; a name is a readable profile and a digest of the whole key", async () => {
  assert.equal(cacheDirectory("/home/alice"), "/home/alice/.aws/awsmfa/cache");
  const plain = await cacheFileName(KEY);
  assert.match(plain, /^work-[0-9a-f]{32}\.json$/);
  assert.equal(await cacheFileName({ ...KEY }), plain, "stable");
  const others = await Promise.all([
    cacheFileName({ ...KEY, roleArn: "arn:aws:iam::123456789012:role/admin" }),
    cacheFileName({ ...KEY, roleArn: "arn:aws:iam::123456789012:role/ops" }),
    cacheFileName({ ...KEY, serialNumber: "GAHT12345678" }),
    cacheFileName({ ...KEY, sourceProfile: "work2" }),
  ]);
  assert.equal(new Set([plain, ...others]).size, 5);
  // Characters a file name cannot carry everywhere are replaced, and two
  // profiles that read the same still get different files.
  const odd = await cacheFileName({ ...KEY, sourceProfile: "team/a:b c" });
  const twin = await cacheFileName({ ...KEY, sourceProfile: "team_a_b_c" });
  assert.match(odd, /^team_a_b_c-[0-9a-f]{32}\.json$/);
  assert.notEqual(odd, twin);
  const long = await cacheFileName({ ...KEY, sourceProfile: "p".repeat(200) });
  assert.equal(long.length, 40 + 1 + 32 + 5);
});

Deno.test("cacheFileName: the names earlier versions gave (WebCrypto's SHA-256 of the key's JSON)", async () => {
  // Entries written before keep being found: the name is the digest of the
  // same JSON array, whichever SHA-256 implementation computes it.
  for (
    const key of [
      KEY,
      { ...KEY, roleArn: "arn:aws:iam::123456789012:role/admin" },
      {
        ...KEY,
        sourceProfile: "team/ä:b c".repeat(9),
        roleArn: "arn:aws:iam::123456789012:role/ops",
        roleSessionName: "me",
        externalId: "x".repeat(70),
      },
    ]
  ) {
    const digest = new Uint8Array(
      await crypto.subtle.digest(
        "SHA-256",
        new TextEncoder().encode(JSON.stringify([
          key.sourceProfile,
          key.serialNumber,
          key.roleArn ?? "",
          key.roleSessionName ?? "",
          key.externalId ?? "",
        ])),
      ),
    );
    const hex = Array.from(
      digest.subarray(0, 16),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const readable = key.sourceProfile.replace(/[^A-Za-z0-9._-]/g, "_")
      .slice(0, 40);
    assert.equal(await cacheFileName(key), `${readable}-${hex}.json`);
  }
});
