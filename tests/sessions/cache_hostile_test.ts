/**
 * The session cache with hostile entries: bytes that are not UTF-8, an entry
 * too big to be one, a FIFO where the entry goes, a symlink at its lock.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { cacheFileName, type CacheKey } from "../../lib/sessions/cache_key.ts";
import { parseCacheText } from "../../lib/sessions/cache_entry.ts";
import { withCacheEntry } from "../../lib/sessions/cache.ts";
import { ExitCode } from "../../lib/shared/errors.ts";
import { NotRegularFileError } from "../../lib/files/errors.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";

const IS_LINUX = Deno.build.os === "linux";
const KEY: CacheKey = {
  sourceProfile: "work",
  serialNumber: "arn:aws:iam::123456789012:mfa/alice",
};
const NOW = Date.parse("2026-12-01T10:00:00Z");

function session(n: number): SessionValues {
  return {
    accessKeyId: `ASIAEXAMPLE${String(n).padStart(9, "0")}`,
    secretAccessKey: `secret${n}`,
    sessionToken: `token${n}`,
    expiration: new Date(NOW + 3_600_000),
  };
}

async function withCache(fn: (dir: string, entry: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "cache_hostile_" });
  try {
    await fn(dir, join(dir, await cacheFileName(KEY)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("cache: an entry that is not UTF-8, or too big, is a miss the fetch overwrites", async (t) => {
  for (
    const [name, bytes] of [
      ["not UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a])],
      ["too big", new TextEncoder().encode(" ".repeat(100_000) + "{}")],
    ] as const
  ) {
    await t.step(name, async () => {
      await withCache(async (dir, entry) => {
        await Deno.writeFile(entry, bytes);
        let fetches = 0;
        const fetch = () => Promise.resolve(session(++fetches));
        const first = await withCacheEntry(dir, KEY, 0, fetch, {
          now: () => NOW,
        });
        assert.equal(first.fromCache, false);
        assert.equal(first.writeError, undefined);
        assert.deepEqual(
          parseCacheText(await Deno.readTextFile(entry), KEY),
          session(1),
        );
        const second = await withCacheEntry(dir, KEY, 0, fetch, {
          now: () => NOW,
        });
        assert.equal(second.fromCache, true);
        assert.equal(fetches, 1);
      });
    });
  }
});

Deno.test({
  name: "cache: a FIFO in place of an entry is refused (exit 3), not read",
  ignore: !IS_LINUX,
}, async () => {
  await withCache(async (dir, entry) => {
    const made = await new Deno.Command("mkfifo", { args: [entry] }).output();
    assert.ok(made.success);
    let fetches = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(async () => {
        // The old code blocks reading the FIFO; a writer frees it.
        (await Deno.open(entry, { write: true })).close();
        reject(new Error("did not end within 5 s"));
      }, 5_000);
    });
    try {
      const error = await Promise.race([
        withCacheEntry(dir, KEY, 0, () => Promise.resolve(session(++fetches)))
          .then(() => null, (e) => e),
        guard,
      ]);
      assert.ok(error instanceof Error);
      assert.equal((error as { exitCode?: number }).exitCode, ExitCode.Local);
      assert.match(error.message, /named pipe, not a regular file/);
    } finally {
      clearTimeout(timer);
    }
    assert.equal(fetches, 0);
  });
});

Deno.test({
  name:
    "cache: a symlink at the entry's lock is refused at once, before anything is fetched",
  ignore: !IS_LINUX,
}, async () => {
  await withCache(async (dir, entry) => {
    const lock = join(dir, `.${await cacheFileName(KEY)}.awsmfa.lock`);
    await Deno.writeTextFile(join(dir, "target"), "");
    await Deno.symlink(join(dir, "target"), lock);
    let fetches = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("did not end within 5 s")),
        5_000,
      );
    });
    try {
      const error = await Promise.race([
        withCacheEntry(dir, KEY, 0, () => Promise.resolve(session(++fetches)), {
          lockTimeoutMs: 60_000,
        }).then(() => null, (e) => e),
        guard,
      ]);
      assert.ok(error instanceof NotRegularFileError, String(error));
      assert.equal(error.exitCode, ExitCode.Local);
      assert.equal(
        error.message,
        `Cannot lock "${entry}": its lock file "${lock}" is not a regular file (it is a symbolic link); remove it if no awsmfa is running`,
      );
    } finally {
      clearTimeout(timer);
    }
    assert.equal(fetches, 0);
    assert.equal(await Deno.readTextFile(join(dir, "target")), "");
  });
});
