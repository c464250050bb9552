/**
 * The store in a hostile world: lock paths that are symlinks, files that are
 * FIFOs or devices, files that cannot be replaced (a single-file bind mount,
 * `chattr +i`). Every call here must end, and end with one sentence.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { StoreError } from "../../lib/files/errors.ts";
import { denoStoreFs, type StoreFs } from "../../lib/files/fs.ts";
import { readText } from "../../lib/files/read.ts";
import { updateFile } from "../../lib/files/update.ts";
import { checkWritable } from "../../lib/files/writable.ts";
import { withTempDir } from "../support/temp.ts";

const IS_LINUX = Deno.build.os === "linux";
const IS_ROOT = IS_LINUX && Deno.uid() === 0;

async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/**
 * `promise`, or a rejection when it has not settled after `ms` (the old code
 * spun or blocked forever here); `unblock` runs then, to free what blocks.
 */
async function bounded<T>(
  promise: Promise<T>,
  ms: number,
  unblock?: () => Promise<void>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(async () => {
      await unblock?.();
      reject(new Error(`did not end within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

async function sh(script: string): Promise<boolean> {
  const out = await new Deno.Command("sh", {
    args: ["-c", script],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

Deno.test({
  name: "a lock path that is a symlink is refused at once, not spun on",
  ignore: !IS_LINUX,
}, async (t) => {
  await withTempDir("hostile_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\n");
    const sidecar = join(dir, ".credentials.awsmfa.lock");
    for (
      const [name, plant] of [
        ["to a regular file", async () => {
          await Deno.writeTextFile(join(dir, "elsewhere"), "");
          await Deno.symlink(join(dir, "elsewhere"), sidecar);
        }],
        ["dangling", () => Deno.symlink(join(dir, "nowhere"), sidecar)],
      ] as const
    ) {
      await t.step(name, async () => {
        await plant();
        for (
          const call of [
            () => checkWritable(path),
            () => updateFile(path, () => "[b]\n"),
          ]
        ) {
          await assert.rejects(
            () => bounded<unknown>(call(), 5_000),
            (e: unknown) =>
              e instanceof StoreError &&
              e.message.includes(`"${sidecar}"`) &&
              e.message.includes("is not a regular file") &&
              e.message.includes("symbolic link"),
          );
        }
        assert.equal(await Deno.readTextFile(path), "[a]\n");
        await Deno.remove(sidecar);
        await Deno.remove(join(dir, "elsewhere")).catch(() => undefined);
      });
    }
  });
});

Deno.test({
  name:
    "a lock file swapped for a symlink after opening ends within the deadline",
  ignore: !IS_LINUX,
}, async () => {
  await withTempDir("hostile_", async (dir) => {
    const path = join(dir, "credentials");
    const sidecar = join(dir, ".credentials.awsmfa.lock");
    let swapped = false;
    const fs: StoreFs = {
      ...denoStoreFs,
      async open(p, options) {
        const file = await denoStoreFs.open(p, options);
        if (p === sidecar && !swapped) {
          swapped = true;
          await Deno.remove(sidecar);
          await Deno.writeTextFile(join(dir, "other"), "");
          await Deno.symlink(join(dir, "other"), sidecar);
        }
        return file;
      },
    };
    await assert.rejects(
      () => bounded(updateFile(path, () => "[a]\n", { fs }), 5_000),
      (e: unknown) =>
        e instanceof StoreError && e.message.includes("not a regular file"),
    );
    assert.ok(!(await list(dir)).includes("credentials"));
  });
});

Deno.test({
  name: "readText refuses a FIFO and a device in one sentence, without reading",
  ignore: !IS_LINUX,
}, async () => {
  await withTempDir("hostile_", async (dir) => {
    const fifo = join(dir, "credentials");
    assert.ok(await sh(`mkfifo '${fifo}'`));
    // On the old code the read blocks; a writer opened after the bound frees it.
    const unblock = async () => {
      const writer = await Deno.open(fifo, { write: true });
      writer.close();
    };
    await assert.rejects(
      () => bounded(readText(fifo), 5_000, unblock),
      (e: unknown) =>
        e instanceof StoreError &&
        e.message ===
          `Cannot read "${fifo}": it is a named pipe, not a regular file`,
    );
    const link = join(dir, "zero");
    await Deno.symlink("/dev/zero", link);
    await assert.rejects(
      () => readText(link),
      (e: unknown) =>
        e instanceof StoreError &&
        e.message ===
          `Cannot read "${link}": it is a device, not a regular file`,
    );
    await assert.rejects(
      () => checkWritable(fifo),
      (e: unknown) =>
        e instanceof StoreError && e.message.includes("named pipe"),
    );
    assert.equal(await readText("/dev/null"), null);
  });
});

Deno.test("readText reads at most its cap", async () => {
  await withTempDir("hostile_", async (dir) => {
    const path = join(dir, "big");
    await Deno.writeTextFile(path, "x".repeat(2048));
    assert.equal(await readText(path, denoStoreFs, 2048), "x".repeat(2048));
    await assert.rejects(
      () => readText(path, denoStoreFs, 1024),
      (e: unknown) =>
        e instanceof StoreError &&
        e.message === `Cannot read "${path}": it is larger than 1024 bytes`,
    );
    // A file that grows after the size check is cut at the cap too.
    const growing: StoreFs = {
      ...denoStoreFs,
      async stat(p) {
        return { ...(await denoStoreFs.stat(p)), size: 10 };
      },
    };
    await assert.rejects(
      () => readText(path, growing, 1024),
      (e: unknown) =>
        e instanceof StoreError && e.message.includes("larger than"),
    );
  });
});

Deno.test("the default fs seam fails by rejecting, never by throwing", async () => {
  // Its looking operations run synchronously; callers still chain .catch().
  await withTempDir("hostile_", async (dir) => {
    const missing = join(dir, "missing");
    const calls: [string, () => Promise<unknown>][] = [
      ["lstat", () => denoStoreFs.lstat(missing)],
      ["stat", () => denoStoreFs.stat(missing)],
      ["realPath", () => denoStoreFs.realPath(missing)],
      ["readLink", () => denoStoreFs.readLink(missing)],
      ["readFile", () => denoStoreFs.readFile(missing, 1024)],
      ["readDir", () => denoStoreFs.readDir(missing)],
    ];
    for (const [name, call] of calls) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = call();
      }, name);
      await assert.rejects(
        () => promise!,
        (e: unknown) => e instanceof Deno.errors.NotFound,
        name,
      );
    }
    await Deno.writeTextFile(join(dir, "a"), "abc");
    assert.deepEqual(await denoStoreFs.readDir(dir), [
      { name: "a", isFile: true },
    ]);
    assert.deepEqual(
      new TextDecoder().decode(
        await denoStoreFs.readFile(join(dir, "a"), 1024),
      ),
      "abc",
    );
  });
});

/** An error as Deno raises it for an errno that has no class of its own. */
function osError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

Deno.test("a rename that fails with EBUSY (a mount point) is written in place", async () => {
  await withTempDir("hostile_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\nkey = a much longer old value\n");
    const inode = (await Deno.stat(path)).ino;
    const fs: StoreFs = {
      ...denoStoreFs,
      rename: () =>
        Promise.reject(
          osError("EBUSY", "Device or resource busy (os error 16)"),
        ),
    };
    const notes: string[] = [];
    const result = await updateFile(
      path,
      (text) => `${text}[b]\n`.replace("a much longer old value", "a"),
      {
        fs,
        note: (message) => notes.push(message),
      },
    );
    assert.equal(result.inPlace, true);
    assert.equal(await Deno.readTextFile(path), "[a]\nkey = a\n[b]\n");
    assert.equal((await Deno.stat(path)).ino, inode);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /mount point.*in place/);
    assert.deepEqual(await list(dir), ["credentials"]);
  });
});

Deno.test({
  name: "a single-file bind mount passes the checks and is written in place",
  ignore: !IS_ROOT,
}, async (t) => {
  await withTempDir("hostile_", async (dir) => {
    const host = join(dir, "host-credentials");
    const aws = join(dir, "aws");
    await Deno.mkdir(aws);
    const path = join(aws, "credentials");
    await Deno.writeTextFile(host, "[a]\n");
    await Deno.writeTextFile(path, "");
    if (!await sh(`mount --bind '${host}' '${path}'`)) {
      t.step({
        name: "mount --bind not allowed here",
        ignore: true,
        fn: () => {},
      });
      return;
    }
    try {
      await checkWritable(path);
      const result = await updateFile(path, (text) => `${text}[b]\n`);
      assert.equal(result.inPlace, true);
      assert.equal(await Deno.readTextFile(host), "[a]\n[b]\n");
      assert.deepEqual(await list(aws), ["credentials"]);
    } finally {
      await sh(`umount '${path}'`);
    }
  });
});

Deno.test({
  name: "an immutable or append-only file is refused by checkWritable",
  ignore: !IS_ROOT,
}, async (t) => {
  await withTempDir("hostile_", async (dir) => {
    for (const flag of ["+i", "+a"]) {
      await t.step(flag, async () => {
        const path = join(dir, "credentials");
        await Deno.writeTextFile(path, "[a]\n");
        if (!await sh(`chattr ${flag} '${path}'`)) return; // not supported here
        try {
          await assert.rejects(
            () => checkWritable(path),
            (e: unknown) =>
              e instanceof StoreError &&
              e.message.startsWith(
                `Cannot write "${path}": the system refuses`,
              ) &&
              e.message.includes("chattr"),
          );
          assert.deepEqual(await list(dir), ["credentials"]);
        } finally {
          await sh(`chattr -i -a '${path}'`);
          await Deno.remove(path);
        }
      });
    }
  });
});

Deno.test({
  name:
    "a lock that keeps changing hands is waited for past the idle timeout, and then given up",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  await withTempDir("hostile_", async (dir) => {
    const path = join(dir, "credentials");
    const sidecar = join(dir, ".credentials.awsmfa.lock");
    /**
     * Lock files on which the first `busy` polls find the lock taken, each
     * time by a new holder (a new inode), as in a queue of runs.
     */
    const queue = (busy: number): StoreFs => {
      let polls = 0;
      return {
        ...denoStoreFs,
        async open(p, options) {
          const file = await denoStoreFs.open(p, options);
          if (p !== sidecar || polls >= busy) return file;
          const n = ++polls;
          return {
            tryLock: () => Promise.resolve(false),
            stat: async () => ({ ...(await file.stat()), ino: 1_000_000 + n }),
            unlock: () => file.unlock(),
            close: () => file.close(),
          } as unknown as Deno.FsFile;
        },
      };
    };
    await t.step(
      "200 holders (at least 2 s of polls, twice the idle timeout), each briefly: it waits and gets the lock",
      async () => {
        await updateFile(path, () => "[a]\n", {
          fs: queue(200),
          lockTimeoutMs: 1_000,
          lockMaxWaitMs: 30_000,
        });
        assert.equal(await Deno.readTextFile(path), "[a]\n");
      },
    );
    await t.step(
      "a queue longer than the longest wait: it gives up",
      async () => {
        await assert.rejects(
          () =>
            updateFile(path, () => "[b]\n", {
              fs: queue(1_000_000),
              lockTimeoutMs: 200,
              lockMaxWaitMs: 600,
            }),
          (e: unknown) =>
            e instanceof StoreError && /for 0\.6 s/.test(e.message),
        );
        assert.equal(await Deno.readTextFile(path), "[a]\n");
      },
    );
  });
});
