/**
 * lib/sessions/file_pair.ts's lockFilePair: both files locked, credentials
 * first; one lock for one file; with `createParents: false` nothing is
 * created; a lock that cannot be taken says so in one sentence ending with
 * the caller's clause, and leaves no lock held.
 */

import assert from "node:assert/strict";
import { LocalError } from "../../lib/shared/errors.ts";
import { lockFilePair } from "../../lib/sessions/file_pair.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "file_pair_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

Deno.test("lockFilePair: both files are locked, and released", async () => {
  await withDir(async (dir) => {
    const paths = {
      credentialsFile: `${dir}/credentials`,
      configFile: `${dir}/config`,
    };
    const locks = await lockFilePair(paths, { createParents: false });
    assert.equal(locks.credentials?.path, paths.credentialsFile);
    assert.equal(locks.config?.path, paths.configFile);
    assert.deepEqual(await names(dir), [
      ".config.awsmfa.lock",
      ".credentials.awsmfa.lock",
    ]);
    await locks.release();
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("lockFilePair: one file named as both is locked once, at once", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/both`;
    const locks = await lockFilePair(
      { credentialsFile: path, configFile: path },
      { createParents: true },
    );
    assert.equal(locks.credentials?.path, path);
    assert.equal(locks.config, locks.credentials);
    await locks.release();
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("lockFilePair: one file reached by two spellings of its path is locked once", async () => {
  await withDir(async (dir) => {
    const locks = await lockFilePair(
      { credentialsFile: `${dir}/both`, configFile: `${dir}/./x/../both` },
      { createParents: false },
    );
    assert.ok(locks.credentials !== undefined);
    assert.equal(locks.config, locks.credentials);
    await locks.release();
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("lockFilePair: without createParents a missing directory is neither locked nor created", async () => {
  await withDir(async (dir) => {
    const locks = await lockFilePair({
      credentialsFile: `${dir}/aws/credentials`,
      configFile: `${dir}/aws/config`,
    }, { createParents: false });
    assert.equal(locks.credentials, undefined);
    assert.equal(locks.config, undefined);
    await locks.release();
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("lockFilePair: a lock that cannot be taken ends with the caller's clause and holds nothing", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/.config.awsmfa.lock`);
    await assert.rejects(
      lockFilePair({
        credentialsFile: `${dir}/credentials`,
        configFile: `${dir}/config`,
      }, { createParents: false, then: ". Nothing was changed" }),
      (error: unknown) => {
        assert.ok(error instanceof LocalError);
        assert.match(
          error.message,
          /^Cannot lock ".*\/config".*\.config\.awsmfa\.lock.* not a regular file.*[^.]\. Nothing was changed\.$/,
        );
        return true;
      },
    );
    assert.deepEqual(await names(dir), [".config.awsmfa.lock"]);
  });
});
