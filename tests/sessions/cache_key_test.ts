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
