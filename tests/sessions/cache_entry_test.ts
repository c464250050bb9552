/**
 * lib/sessions/cache_entry.ts: the text of a cache entry and what reads as
 * one.
 */

import assert from "node:assert/strict";
import type { CacheKey } from "../../lib/sessions/cache_key.ts";
import { cacheText, parseCacheText } from "../../lib/sessions/cache_entry.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";

const KEY: CacheKey = {
  sourceProfile: "work",
  serialNumber: "arn:aws:iam::123456789012:mfa/alice",
};
const T0 = Date.UTC(2026, 10, 29, 4, 0, 0);

function session(n: number, expiresMs: number): SessionValues {
  return {
    accessKeyId: `ASIAEXAMPLE${String(n).padStart(9, "0")}`,
    secretAccessKey: `secret/${n}+abc`,
    sessionToken: `token${n}==`,
    expiration: new Date(expiresMs),
  };
}

Deno.test("cache: the file holds the key and the session; anything else reads as a miss", () => {
  const s = session(1, T0);
  const role = { ...KEY, roleArn: "arn:aws:iam::123456789012:role/admin" };
  const text = cacheText(role, s);
  const data = JSON.parse(text);
  assert.deepEqual(data, {
    Format: "awsmfa-session-cache",
    Version: 1,
    SourceProfile: "work",
    SerialNumber: KEY.serialNumber,
    RoleArn: role.roleArn,
    AccessKeyId: s.accessKeyId,
    SecretAccessKey: s.secretAccessKey,
    SessionToken: s.sessionToken,
    Expiration: "2026-11-29T04:00:00Z",
  });
  assert.deepEqual(parseCacheText(text, role), s);
  assert.equal(parseCacheText(text, KEY), undefined, "no role is another key");
  assert.equal(parseCacheText(cacheText(KEY, s), role), undefined);
  assert.equal(
    parseCacheText(text, { ...role, sourceProfile: "home" }),
    undefined,
  );
  const broken = [
    "",
    "{",
    "[]",
    "null",
    JSON.stringify({ ...data, Version: 2 }),
    JSON.stringify({ ...data, Format: "other" }),
    JSON.stringify({ ...data, SessionToken: "" }),
    JSON.stringify({ ...data, AccessKeyId: 7 }),
    JSON.stringify({ ...data, Expiration: "tomorrow" }),
    JSON.stringify({ ...data, Expiration: "2026-13-45T99:00:00Z" }),
  ];
  for (const text of broken) {
    assert.equal(parseCacheText(text, role), undefined, text);
  }
});
