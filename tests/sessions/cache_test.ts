/**
 * lib/sessions/cache.ts (with the entry's file, cache_file.ts): modes,
 * freshness, and the per-entry lock that makes concurrent callers (in one process and in
 * several) share one fetch — proved with real processes and one
 * GetSessionToken counted at the STS double.
 */

import assert from "node:assert/strict";
import { removeCachedSession, writeCachedSession } from "../support/cache.ts";
import {
  cacheDirectory,
  cacheFileName,
  type CacheKey,
} from "../../lib/sessions/cache_key.ts";
import { cacheText, parseCacheText } from "../../lib/sessions/cache_entry.ts";
import { readCachedSession } from "../../lib/sessions/cache_file.ts";
import { withCacheEntry } from "../../lib/sessions/cache.ts";
import { denoStoreFs, type StoreFs } from "../../lib/files/fs.ts";
import { AwsmfaError, ExitCode, LocalError } from "../../lib/shared/errors.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";
import { startStsDouble } from "../support/sts_double.ts";
import { withTempDir } from "../support/temp.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const WORKER = `${ROOT}tests/support/cache_worker.ts`;
const IS_WINDOWS = Deno.build.os === "windows";
const MIN = 15 * 60_000;
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

/** A fetch that counts its calls and answers session n (n = call number). */
function counting(expiresMs: number, delayMs = 0) {
  let calls = 0;
  const fetch = async () => {
    const n = ++calls;
    if (delayMs > 0) await new Promise((done) => setTimeout(done, delayMs));
    return session(n, expiresMs);
  };
  return { fetch, calls: () => calls };
}

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

Deno.test("cache: one fetch, then the file answers while it has more than the minimum left; 0700 directory, 0600 files", async () => {
  await withTempDir("cache_", async (home) => {
    const dir = cacheDirectory(home);
    let now = T0;
    const f = counting(T0 + 3_600_000);
    const first = await withCacheEntry(dir, KEY, MIN, f.fetch, {
      now: () => now,
    });
    assert.equal(first.fromCache, false);
    assert.equal(first.writeError, undefined);
    assert.equal(first.path, `${dir}/${await cacheFileName(KEY)}`);
    assert.deepEqual(first.session, session(1, T0 + 3_600_000));
    assert.deepEqual(
      parseCacheText(await Deno.readTextFile(first.path), KEY),
      first.session,
    );
    if (!IS_WINDOWS) {
      assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
      assert.equal(
        (await Deno.stat(`${home}/.aws/awsmfa`)).mode! & 0o777,
        0o700,
      );
      assert.equal((await Deno.stat(first.path)).mode! & 0o777, 0o600);
    }
    // The entry's lock file is deleted while still held, so none stays.
    assert.deepEqual(await names(dir), [await cacheFileName(KEY)]);

    now = T0 + 3_600_000 - MIN - 1_000; // 15 min + 1 s left
    const second = await withCacheEntry(dir, KEY, MIN, f.fetch, {
      now: () => now,
    });
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.session, first.session);
    assert.equal(f.calls(), 1);
    assert.deepEqual(
      await readCachedSession(dir, KEY, MIN, now),
      first.session,
    );

    now = T0 + 3_600_000 - MIN; // exactly the minimum left: due
    assert.equal(await readCachedSession(dir, KEY, MIN, now), undefined);
    const third = await withCacheEntry(dir, KEY, MIN, f.fetch, {
      now: () => now,
    });
    assert.equal(third.fromCache, false);
    assert.equal(third.session.accessKeyId, session(2, 0).accessKeyId);
    assert.equal(f.calls(), 2);

    // A role entry beside it is another file and another fetch.
    const role = { ...KEY, roleArn: "arn:aws:iam::123456789012:role/admin" };
    const roleResult = await withCacheEntry(dir, role, MIN, f.fetch, {
      now: () => now,
    });
    assert.equal(roleResult.fromCache, false);
    assert.notEqual(roleResult.path, third.path);
    assert.equal(f.calls(), 3);
    assert.equal(
      (await readCachedSession(dir, KEY, MIN, now - 1))?.accessKeyId,
      third.session.accessKeyId,
    );
  });
});

Deno.test("cache: a broken or foreign file is a miss and is replaced; remove deletes an entry", async () => {
  await withTempDir("cache_", async (dir) => {
    const path = `${dir}/${await cacheFileName(KEY)}`;
    const f = counting(T0 + 3_600_000);
    for (
      const junk of [
        "not json",
        cacheText({ ...KEY, sourceProfile: "other" }, session(99, T0 + 9e6)),
      ]
    ) {
      await Deno.writeTextFile(path, junk);
      const result = await withCacheEntry(dir, KEY, MIN, f.fetch, {
        now: () => T0,
      });
      assert.equal(result.fromCache, false);
      assert.deepEqual(
        parseCacheText(await Deno.readTextFile(path), KEY),
        result.session,
      );
    }
    assert.equal(f.calls(), 2);
    assert.equal(await removeCachedSession(dir, KEY), true);
    assert.equal(await removeCachedSession(dir, KEY), false);
    assert.equal(await readCachedSession(dir, KEY, 0, T0), undefined);
    await writeCachedSession(dir, KEY, session(5, T0 + 60_000));
    assert.equal(
      (await readCachedSession(dir, KEY, 0, T0))?.accessKeyId,
      session(5, 0).accessKeyId,
    );
  });
});

Deno.test({
  name: "cache: a wider cache directory is narrowed to 0700",
  ignore: IS_WINDOWS,
  fn: async () => {
    await withTempDir("cache_", async (home) => {
      const dir = cacheDirectory(home);
      await Deno.mkdir(dir, { recursive: true });
      await Deno.chmod(dir, 0o755);
      await withCacheEntry(dir, KEY, MIN, counting(T0 + 3_600_000).fetch, {
        now: () => T0,
      });
      assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    });
  },
});

Deno.test("cache: a cache path that cannot be used fails plainly, before anything is fetched", async () => {
  await withTempDir("cache_", async (home) => {
    await Deno.writeTextFile(
      `${home}/.aws`,
      "a file where a directory belongs",
    );
    const dir = cacheDirectory(home);
    const f = counting(T0 + 3_600_000);
    const error = await withCacheEntry(dir, KEY, MIN, f.fetch, {
      now: () => T0,
    }).then(() => undefined, (e) => e);
    assert.ok(error instanceof LocalError, String(error));
    assert.equal(error.exitCode, ExitCode.Local);
    assert.match(error.message, /^Cannot \w+ ".*\/\.aws\/awsmfa\/cache\/work-/);
    assert.doesNotMatch(error.message, /\n|os error/);
    assert.equal(f.calls(), 0);
    await assert.rejects(
      writeCachedSession(dir, KEY, session(1, T0)),
      (e: Error) =>
        e instanceof LocalError &&
        /^Cannot create the session cache directory ".*": /.test(e.message) &&
        !/os error/.test(e.message),
    );
  });
});

Deno.test("cache: a failed fetch writes nothing and lets the next caller fetch", async () => {
  await withTempDir("cache_", async (dir) => {
    const refused = new AwsmfaError("STS rejected the MFA code.", 4);
    await assert.rejects(
      withCacheEntry(dir, KEY, MIN, () => Promise.reject(refused), {
        now: () => T0,
        lockTimeoutMs: 500,
      }),
      (error) => error === refused,
    );
    assert.equal(await readCachedSession(dir, KEY, 0, T0), undefined);
    const f = counting(T0 + 3_600_000);
    const next = await withCacheEntry(dir, KEY, MIN, f.fetch, {
      now: () => T0,
      lockTimeoutMs: 500,
    });
    assert.equal(next.fromCache, false);
    assert.equal(f.calls(), 1);
  });
});

Deno.test("cache: callers in one process share one fetch; one kept waiting too long gets a plain error", async () => {
  await withTempDir("cache_", async (dir) => {
    const f = counting(T0 + 3_600_000, 150);
    const results = await Promise.all(
      Array.from(
        { length: 5 },
        () => withCacheEntry(dir, KEY, MIN, f.fetch, { now: () => T0 }),
      ),
    );
    assert.equal(f.calls(), 1);
    assert.equal(results.filter((r) => !r.fromCache).length, 1);
    assert.equal(
      new Set(results.map((r) => r.session.accessKeyId)).size,
      1,
    );

    const role = { ...KEY, roleArn: "arn:aws:iam::123456789012:role/admin" };
    let release = () => {};
    const held = withCacheEntry(dir, role, MIN, async () => {
      await new Promise<void>((done) => release = done);
      return session(7, T0 + 3_600_000);
    }, { now: () => T0 });
    await new Promise((done) => setTimeout(done, 50));
    const started = Date.now();
    const waited = await withCacheEntry(dir, role, MIN, f.fetch, {
      now: () => T0,
      lockTimeoutMs: 200,
    }).then(() => undefined, (error) => error);
    assert.ok(Date.now() - started >= 190);
    assert.ok(waited instanceof LocalError, String(waited));
    assert.equal(waited.exitCode, ExitCode.Local);
    assert.match(
      waited.message,
      /^Cannot use the session cache: another awsmfa process has held ".*\.json\.awsmfa\.lock" for 0\.2 s; try again when it has finished$/,
    );
    release();
    assert.equal((await held).session.accessKeyId, session(7, 0).accessKeyId);
    assert.equal(f.calls(), 1);
  });
});

Deno.test({
  name:
    "cache: a fetched session the cache cannot store is still returned, with the error",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withTempDir("cache_", async (dir) => {
      // The file system refuses the replacement (the rename), as a full or
      // read-only disk would: the session was fetched and is still returned.
      const fs: StoreFs = {
        ...denoStoreFs,
        rename: () => Promise.reject(new Deno.errors.PermissionDenied("no")),
      };
      const f = counting(T0 + 3_600_000);
      const result = await withCacheEntry(dir, KEY, MIN, f.fetch, {
        now: () => T0,
        fs,
      });
      assert.equal(result.fromCache, false);
      assert.equal(result.session.accessKeyId, session(1, 0).accessKeyId);
      assert.ok(result.writeError instanceof LocalError);
      assert.match(result.writeError.message, /^Cannot \w+ ".*\.json"/);
      assert.ok(!result.writeError.message.includes("secret/1"));
    });
  },
});

Deno.test({
  name:
    "cache: an entry that is a link to where no file can be made fails before anything is fetched",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withTempDir("cache_", async (dir) => {
      // A link into /proc, where no file can be created (even for root):
      // the entry's lock, beside the link's target, cannot be taken.
      await Deno.symlink(
        "/proc/self/awsmfa-no-such-file",
        `${dir}/${await cacheFileName(KEY)}`,
      );
      const f = counting(T0 + 3_600_000);
      const error = await withCacheEntry(dir, KEY, MIN, f.fetch, {
        now: () => T0,
      }).then(() => undefined, (e) => e);
      assert.ok(error instanceof LocalError, String(error));
      assert.match(error.message, /^Cannot \w+ ".*\.json"/);
      assert.equal(f.calls(), 0);
    });
  },
});

function spawnWorker(
  dir: string,
  endpoint: string,
  env: Record<string, string>,
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${ROOT}deno.json`,
      // Exactly the binary's permissions.
      "-P=awsmfa",
      WORKER,
      dir,
      endpoint,
    ],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function readLineFrom(
  reader: ReadableStreamDefaultReader<string>,
  buffered: { text: string },
): Promise<string> {
  while (!buffered.text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`worker ended early: ${buffered.text}`);
    buffered.text += value;
  }
  const at = buffered.text.indexOf("\n");
  const line = buffered.text.slice(0, at);
  buffered.text = buffered.text.slice(at + 1);
  return line;
}

Deno.test("cache: five processes on a cold cache cause one GetSessionToken; the others wait and answer from the file", async () => {
  const sts = await startStsDouble({ quiet: true });
  try {
    await withTempDir("cache_", async (home) => {
      const user = sts.addUser({ userName: "alice" });
      const dir = cacheDirectory(home);
      const env = {
        AWSMFA_WORKER_KEY_ID: user.accessKeyId,
        AWSMFA_WORKER_SECRET: user.secretAccessKey,
        AWSMFA_WORKER_SERIAL: user.serial,
        // One code: a second GetSessionToken with it would be refused.
        AWSMFA_WORKER_CODE: sts.currentCode(user),
        AWSMFA_WORKER_FETCH_DELAY_MS: "300",
      };
      const children = Array.from(
        { length: 5 },
        () => spawnWorker(dir, sts.url, env),
      );
      const readers = children.map((child) =>
        child.stdout.pipeThrough(new TextDecoderStream()).getReader()
      );
      const buffers = children.map(() => ({ text: "" }));
      for (const [i, reader] of readers.entries()) {
        assert.equal(await readLineFrom(reader, buffers[i]), "ready");
      }
      const go = new TextEncoder().encode("go\n");
      await Promise.all(children.map(async (child) => {
        const writer = child.stdin.getWriter();
        await writer.write(go);
        await writer.close();
      }));
      const results = await Promise.all(readers.map(async (reader, i) => {
        const line = await readLineFrom(reader, buffers[i]);
        await reader.cancel();
        return JSON.parse(line) as {
          fromCache: boolean;
          accessKeyId: string;
          startedAt: number;
          doneAt: number;
        };
      }));
      for (const child of children) {
        const status = await child.status;
        const stderr = new TextDecoder().decode(
          await new Response(child.stderr).arrayBuffer(),
        );
        assert.equal(status.code, 0, stderr);
      }

      assert.equal(sts.count("GetSessionToken"), 1);
      assert.equal(sts.count("GetSessionToken", 200), 1);
      const fetched = results.filter((r) => !r.fromCache);
      assert.equal(fetched.length, 1);
      assert.match(fetched[0].accessKeyId, /^ASIA/);
      assert.ok(results.every((r) => r.accessKeyId === fetched[0].accessKeyId));
      // They really ran at once: every caller started before the one fetch
      // had finished, so the other four waited on the lock.
      assert.ok(
        results.every((r) => r.startedAt < fetched[0].doneAt),
        JSON.stringify(results),
      );
      const cached = await readCachedSession(dir, {
        sourceProfile: "work",
        serialNumber: user.serial,
      }, MIN);
      assert.equal(cached?.accessKeyId, fetched[0].accessKeyId);
      console.log(
        `5 processes: ${sts.count("GetSessionToken")} GetSessionToken, ${
          results.filter((r) => r.fromCache).length
        } answered from the cache`,
      );
    });
  } finally {
    await sts.close();
  }
});

Deno.test("cache: a fetch and its write hold one lock, on one lock file, through the injected file system", async () => {
  await withTempDir("cache_", async (dir) => {
    const opened: string[] = [];
    const fs: StoreFs = {
      ...denoStoreFs,
      open(path, options) {
        if (path.endsWith(".lock")) opened.push(path);
        return denoStoreFs.open(path, options);
      },
    };
    const f = counting(T0 + 3_600_000);
    const result = await withCacheEntry(dir, KEY, MIN, f.fetch, {
      now: () => T0,
      fs,
    });
    assert.equal(result.fromCache, false);
    assert.deepEqual(opened, [
      `${dir}/.${await cacheFileName(KEY)}.awsmfa.lock`,
    ]);
    assert.deepEqual(await names(dir), [await cacheFileName(KEY)]);
  });
});
