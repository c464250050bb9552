import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { LocalError } from "../../lib/shared/errors.ts";
import { StoreError } from "../../lib/files/errors.ts";
import { denoStoreFs, type StoreFs } from "../../lib/files/fs.ts";
import { readText } from "../../lib/files/read.ts";
import { REMOVE_FILE, updateFile } from "../../lib/files/update.ts";
import { checkWritable } from "../../lib/files/writable.ts";
import { withTempDir } from "../support/temp.ts";

const IS_WINDOWS = Deno.build.os === "windows";
const WORKER = new URL("../support/store_worker.ts", import.meta.url).pathname;
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";

async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

function modeOf(info: Deno.FileInfo): number {
  return (info.mode ?? 0) & 0o777;
}

async function bytes(path: string): Promise<number[]> {
  return Array.from(await Deno.readFile(path));
}

/** A StoreFs that records the paths it opens. */
function recordingFs(opened: string[]): StoreFs {
  return {
    ...denoStoreFs,
    open(path, options) {
      opened.push(path);
      return denoStoreFs.open(path, options);
    },
  };
}

function isTemp(path: string): boolean {
  return /\.awsmfa-[0-9a-f]{16}\.tmp$/.test(path);
}

Deno.test("readText", async (t) => {
  await withTempDir("store_", async (dir) => {
    await t.step("missing file and dangling link give null", async () => {
      assert.equal(await readText(join(dir, "missing")), null);
      await Deno.symlink(join(dir, "nowhere"), join(dir, "dangling"));
      assert.equal(await readText(join(dir, "dangling")), null);
    });

    await t.step("keeps a BOM, CRLF and a missing final newline", async () => {
      const path = join(dir, "bom");
      await Deno.writeFile(
        path,
        new Uint8Array([0xef, 0xbb, 0xbf, 0x5b, 0x61, 0x5d, 0x0d, 0x0a, 0x78]),
      );
      assert.equal(await readText(path), "\uFEFF[a]\r\nx");
    });

    await t.step("follows a symlink", async () => {
      await Deno.writeTextFile(join(dir, "real"), "[real]\n");
      await Deno.symlink(join(dir, "real"), join(dir, "link"));
      assert.equal(await readText(join(dir, "link")), "[real]\n");
    });

    await t.step("a directory is a StoreError naming the path", async () => {
      const path = join(dir, "adir");
      await Deno.mkdir(path);
      const error = await readText(path).then(() => null, (e) => e);
      assert.ok(error instanceof StoreError);
      assert.ok(error instanceof LocalError);
      assert.equal(error.exitCode, 3);
      assert.equal(error.message, `Cannot read "${path}": it is a directory`);
    });

    await t.step("a parent that is a file is a StoreError", async () => {
      await Deno.writeTextFile(join(dir, "file"), "x");
      const path = join(dir, "file", "credentials");
      await assert.rejects(
        () => readText(path),
        (e: unknown) =>
          e instanceof StoreError &&
          e.message ===
            `Cannot read "${path}": a part of the path is not a directory`,
      );
    });

    await t.step(
      "invalid UTF-8 is refused without showing content",
      async () => {
        const path = join(dir, "latin1");
        await Deno.writeFile(
          path,
          new Uint8Array([
            ...new TextEncoder().encode(`secret = ${SECRET} `),
            0xe9,
            0x0a,
          ]),
        );
        const error = await readText(path).then(() => null, (e) => e);
        assert.ok(error instanceof StoreError);
        assert.match(error.message, /not valid UTF-8/);
        assert.ok(!error.message.includes(SECRET));
      },
    );
  });
});

Deno.test("updateFile creates a new file 0600 in new 0700 directories", async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "home", ".aws", "credentials");
    const text = "\uFEFF[mfa]\r\naws_access_key_id = ASIAEXAMPLE"; // no final newline
    const seen: (string | null)[] = [];
    const result = await updateFile(path, (current) => {
      seen.push(current);
      return text;
    });
    assert.deepEqual(seen, [null]);
    assert.deepEqual(result, {
      path,
      before: null,
      after: text,
      created: true,
      inPlace: false,
    });
    assert.deepEqual(await bytes(path), [
      0xef,
      0xbb,
      0xbf,
      ...new TextEncoder().encode("[mfa]\r\naws_access_key_id = ASIAEXAMPLE"),
    ]);
    if (!IS_WINDOWS) {
      assert.equal(modeOf(await Deno.stat(path)), 0o600);
      assert.equal(modeOf(await Deno.stat(join(dir, "home", ".aws"))), 0o700);
      assert.equal(modeOf(await Deno.stat(join(dir, "home"))), 0o700);
    }
    assert.deepEqual(await list(dirname(path)), ["credentials"]);
  });
});

Deno.test({
  name:
    "updateFile keeps the mode of an existing file and warns when others can read it",
  ignore: IS_WINDOWS,
  fn: async (t) => {
    await withTempDir("store_", async (dir) => {
      for (
        const [mode, warns] of [[0o600, false], [0o644, true], [0o640, true], [
          0o604,
          true,
        ]] as const
      ) {
        await t.step(`mode ${mode.toString(8)}`, async () => {
          const path = join(dir, `credentials-${mode.toString(8)}`);
          await Deno.writeTextFile(path, `[old]\nkey = ${SECRET}\n`);
          await Deno.chmod(path, mode);
          const warnings: string[] = [];
          const result = await updateFile(
            path,
            (current) => `${current}[new]\n`,
            { warn: (message) => warnings.push(message) },
          );
          assert.equal(result.created, false);
          assert.equal(result.before, `[old]\nkey = ${SECRET}\n`);
          assert.equal(
            await Deno.readTextFile(path),
            `[old]\nkey = ${SECRET}\n[new]\n`,
          );
          assert.equal(modeOf(await Deno.stat(path)), mode);
          if (warns) {
            assert.equal(warnings.length, 1);
            assert.ok(warnings[0].includes(`"${path}"`));
            assert.ok(warnings[0].includes(`0${mode.toString(8)}`));
            assert.ok(!warnings[0].includes(SECRET));
          } else {
            assert.deepEqual(warnings, []);
          }
        });
      }
    });
  },
});

Deno.test({
  name: "updateFile keeps the owner of a file when run as root",
  ignore: IS_WINDOWS || Deno.uid() !== 0,
  fn: async () => {
    await withTempDir("store_", async (dir) => {
      const path = join(dir, "credentials");
      await Deno.writeTextFile(path, "[a]\n");
      await Deno.chown(path, 4242, 4343);
      await updateFile(path, () => "[b]\n");
      const info = await Deno.stat(path);
      assert.equal(info.uid, 4242);
      assert.equal(info.gid, 4343);
      assert.equal(await Deno.readTextFile(path), "[b]\n");
    });
  },
});

Deno.test("updateFile writes through symlinks and keeps them", async (t) => {
  await withTempDir("store_", async (dir) => {
    const home = join(dir, "home", ".aws");
    const dotfiles = join(dir, "dotfiles", "aws");
    await Deno.mkdir(home, { recursive: true });
    await Deno.mkdir(dotfiles, { recursive: true });

    await t.step("absolute link: temp file beside the real file", async () => {
      const real = join(dotfiles, "credentials");
      const link = join(home, "credentials");
      await Deno.writeTextFile(real, "[a]\n");
      await Deno.chmod(real, 0o600);
      await Deno.symlink(real, link);
      const opened: string[] = [];
      const result = await updateFile(link, (c) => `${c}[b]\n`, {
        fs: recordingFs(opened),
      });
      assert.equal(result.path, real);
      assert.equal((await Deno.lstat(link)).isSymlink, true);
      assert.equal(await Deno.readLink(link), real);
      assert.equal(await Deno.readTextFile(real), "[a]\n[b]\n");
      const temps = opened.filter(isTemp);
      assert.equal(temps.length, 1);
      assert.equal(dirname(temps[0]), dotfiles);
      assert.deepEqual(await list(home), ["credentials"]);
      assert.deepEqual(await list(dotfiles), ["credentials"]);
      if (!IS_WINDOWS) assert.equal(modeOf(await Deno.stat(real)), 0o600);
    });

    await t.step("relative link through a chain of two links", async () => {
      const real = join(dotfiles, "config");
      await Deno.writeTextFile(real, "[profile a]\n");
      await Deno.symlink("../../dotfiles/aws/config", join(home, "config-1"));
      await Deno.symlink("config-1", join(home, "config"));
      const result = await updateFile(join(home, "config"), (c) => `${c}x\n`);
      assert.equal(result.path, real);
      assert.equal(await Deno.readTextFile(real), "[profile a]\nx\n");
      assert.equal(await Deno.readLink(join(home, "config")), "config-1");
      assert.equal(
        await Deno.readLink(join(home, "config-1")),
        "../../dotfiles/aws/config",
      );
    });

    await t.step(
      "dangling link creates the file at its destination",
      async () => {
        const real = join(dir, "elsewhere", "new-credentials");
        const link = join(home, "dangling");
        await Deno.symlink(real, link);
        const result = await updateFile(link, () => "[new]\n");
        assert.equal(result.path, real);
        assert.equal(result.created, true);
        assert.equal(await Deno.readTextFile(real), "[new]\n");
        assert.equal((await Deno.lstat(link)).isSymlink, true);
        assert.equal(await Deno.readTextFile(link), "[new]\n");
        if (!IS_WINDOWS) {
          assert.equal(modeOf(await Deno.stat(real)), 0o600);
          assert.equal(modeOf(await Deno.stat(dirname(real))), 0o700);
        }
      },
    );

    await t.step("a symlink loop is a StoreError", async () => {
      await Deno.symlink(join(home, "loop-b"), join(home, "loop-a"));
      await Deno.symlink(join(home, "loop-a"), join(home, "loop-b"));
      const before = await list(home);
      for (
        const call of [
          () => updateFile(join(home, "loop-a"), () => "x"),
          () => checkWritable(join(home, "loop-a")),
        ]
      ) {
        await assert.rejects(
          call,
          (e: unknown) =>
            e instanceof StoreError &&
            e.message ===
              `Cannot write "${
                join(home, "loop-a")
              }": too many levels of symbolic links`,
        );
      }
      assert.deepEqual(await list(home), before);
    });
  });
});

Deno.test("updateFile writes a file in another directory there, not in ~/.aws", async () => {
  await withTempDir("store_", async (dir) => {
    const awsDir = join(dir, "home", ".aws");
    await Deno.mkdir(awsDir, { recursive: true });
    await Deno.writeTextFile(join(awsDir, "credentials"), "[home]\n");
    const other = join(dir, "project", "aws-credentials");
    await Deno.mkdir(dirname(other));
    await Deno.writeTextFile(other, "[other]\n");
    const opened: string[] = [];
    await updateFile(other, (c) => `${c}[mfa]\n`, { fs: recordingFs(opened) });
    assert.equal(await Deno.readTextFile(other), "[other]\n[mfa]\n");
    assert.equal(
      await Deno.readTextFile(join(awsDir, "credentials")),
      "[home]\n",
    );
    assert.deepEqual(await list(awsDir), ["credentials"]);
    assert.ok(opened.length >= 2);
    for (const path of opened) assert.equal(dirname(path), dirname(other));
    assert.ok(opened.some(isTemp));
    assert.deepEqual(await list(dirname(other)), ["aws-credentials"]);
  });
});

Deno.test("updateFile with edit returning null writes nothing", async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\n");
    const inode = (await Deno.stat(path)).ino;
    const result = await updateFile(path, () => null);
    assert.deepEqual(result, {
      path,
      before: "[a]\n",
      after: null,
      created: false,
      inPlace: false,
    });
    assert.equal((await Deno.stat(path)).ino, inode);
    assert.deepEqual(await list(dir), ["credentials"]);

    const missing = join(dir, "missing");
    const none = await updateFile(missing, () => null);
    assert.deepEqual(none, {
      path: missing,
      before: null,
      after: null,
      created: false,
      inPlace: false,
    });
    assert.deepEqual(await list(dir), ["credentials"]);
  });
});

Deno.test("updateFile lets an error from edit through and changes nothing", async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\n");
    const thrown = new RangeError("edit refused");
    const opened: string[] = [];
    const error = await updateFile(path, () => {
      throw thrown;
    }, { fs: recordingFs(opened) }).then(() => null, (e) => e);
    assert.equal(error, thrown);
    assert.equal(await Deno.readTextFile(path), "[a]\n");
    assert.deepEqual(await list(dir), ["credentials"]);
    assert.equal(opened.filter(isTemp).length, 0);
  });
});

/** A StoreFs whose `step` fails when it acts on a temp file. */
function faultyFs(step: string): StoreFs {
  const boom = () => new Error(`injected ${step} failure`);
  return {
    ...denoStoreFs,
    async open(path, options) {
      if (step === "open" && isTemp(path)) throw boom();
      return await denoStoreFs.open(path, options);
    },
    async chmod(path, mode) {
      if (step === "chmod" && isTemp(path)) throw boom();
      await denoStoreFs.chmod(path, mode);
    },
    async write(file, data) {
      if (step === "write") {
        await denoStoreFs.write(file, data.subarray(0, data.length >> 1));
        throw boom();
      }
      await denoStoreFs.write(file, data);
    },
    async sync(file) {
      if (step === "sync") throw boom();
      await denoStoreFs.sync(file);
    },
    async rename(from, to) {
      if (step === "rename") throw boom();
      await denoStoreFs.rename(from, to);
    },
  };
}

Deno.test("updateFile leaves the file untouched and no temp file when a step fails", async (t) => {
  const steps = IS_WINDOWS
    ? ["open", "write", "sync", "rename"]
    : ["open", "chmod", "write", "sync", "rename"];
  for (const step of steps) {
    await t.step(step, async () => {
      await withTempDir("store_", async (dir) => {
        const path = join(dir, "credentials");
        const old = `[default]\r\naws_secret_access_key = ${SECRET}\r\n`;
        await Deno.writeTextFile(path, old);
        if (!IS_WINDOWS) await Deno.chmod(path, 0o640);
        const before = await Deno.stat(path);
        const error = await updateFile(
          path,
          (c) => `${c}[mfa]\r\n${"x".repeat(10_000)}\r\n`,
          { fs: faultyFs(step) },
        ).then(() => null, (e) => e);
        assert.ok(error instanceof StoreError, `${step}: ${error}`);
        assert.equal(
          error.message,
          `Cannot write "${path}": injected ${step} failure`,
        );
        assert.ok(!error.message.includes(SECRET));
        assert.equal(await Deno.readTextFile(path), old);
        const after = await Deno.stat(path);
        assert.equal(after.ino, before.ino);
        assert.equal(after.mode, before.mode);
        assert.deepEqual(await list(dir), ["credentials"]);

        const fresh = join(dir, "sub", "new");
        await assert.rejects(
          () => updateFile(fresh, () => "[x]\n", { fs: faultyFs(step) }),
          StoreError,
        );
        assert.deepEqual(await list(join(dir, "sub")), []);
      });
    });
  }
});

Deno.test("updateFile and checkWritable refuse a parent that is a file or a path that is a directory", async (t) => {
  await withTempDir("store_", async (dir) => {
    const file = join(dir, "not-a-dir");
    await Deno.writeTextFile(file, "[keep]\n");
    const asDir = join(dir, "credentials");
    await Deno.mkdir(asDir);
    await Deno.writeTextFile(join(asDir, "inside"), "x");
    const snapshot = async () => ({
      names: await list(dir),
      inside: await list(asDir),
      file: await Deno.readTextFile(file),
    });
    const before = await snapshot();
    const cases = [
      {
        path: join(file, "credentials"),
        message: `Cannot write "${
          join(file, "credentials")
        }": a part of the path is not a directory`,
      },
      {
        path: join(file, "deeper", "credentials"),
        message: `Cannot write "${
          join(file, "deeper", "credentials")
        }": a part of the path is not a directory`,
      },
      {
        path: asDir,
        message: `Cannot write "${asDir}": it is a directory`,
      },
    ];
    for (const { path, message } of cases) {
      await t.step(path.slice(dir.length), async () => {
        for (
          const call of [
            () => checkWritable(path),
            () => updateFile(path, () => "[new]\n"),
          ]
        ) {
          await assert.rejects(
            call,
            (e: unknown) => e instanceof StoreError && e.message === message,
          );
          assert.deepEqual(await snapshot(), before);
        }
      });
    }
  });
});

Deno.test("checkWritable", async (t) => {
  await withTempDir("store_", async (dir) => {
    await t.step(
      "passes for an existing file and changes nothing",
      async () => {
        const path = join(dir, "credentials");
        await Deno.writeTextFile(path, "[a]\n");
        const info = await Deno.stat(path);
        await checkWritable(path);
        assert.deepEqual(await list(dir), ["credentials"]);
        assert.equal(
          (await Deno.stat(path)).mtime?.getTime(),
          info.mtime?.getTime(),
        );
      },
    );

    await t.step(
      "passes for a file in missing directories without creating them",
      async () => {
        await checkWritable(join(dir, "new", ".aws", "credentials"));
        assert.deepEqual(await list(dir), ["credentials"]);
      },
    );

    await t.step("fails when the directory refuses new files", async () => {
      const fs: StoreFs = {
        ...denoStoreFs,
        open(path, options) {
          if (options.createNew) {
            return Promise.reject(new Deno.errors.PermissionDenied("EACCES"));
          }
          return denoStoreFs.open(path, options);
        },
      };
      const path = join(dir, "credentials");
      await assert.rejects(
        () => checkWritable(path, fs),
        (e: unknown) =>
          e instanceof StoreError &&
          e.message ===
            `Cannot write "${path}": cannot create files in "${dir}" (permission denied)`,
      );
    });

    await t.step("fails when the existing file cannot be read", async () => {
      const fs: StoreFs = {
        ...denoStoreFs,
        open: () => Promise.reject(new Deno.errors.PermissionDenied("EACCES")),
      };
      const path = join(dir, "credentials");
      await assert.rejects(
        () => checkWritable(path, fs),
        (e: unknown) =>
          e instanceof StoreError &&
          e.message === `Cannot read "${path}": permission denied`,
      );
    });
  });
});

Deno.test("updateFile cleans up its lock file and stale temp files", async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\n");
    // Left by a killed run: a sidecar nobody holds and a temp file.
    await Deno.writeTextFile(join(dir, ".credentials.awsmfa.lock"), "");
    await Deno.writeTextFile(
      join(dir, ".credentials.awsmfa-0123456789abcdef.tmp"),
      "[a",
    );
    // Not ours, or not this file's: kept.
    await Deno.writeTextFile(join(dir, ".credentials.awsmfa-nothex.tmp"), "");
    await Deno.writeTextFile(
      join(dir, ".config.awsmfa-0123456789abcdef.tmp"),
      "",
    );
    const started = Date.now();
    await updateFile(path, (c) => `${c}[b]\n`, { lockTimeoutMs: 5_000 });
    assert.ok(Date.now() - started < 2_000);
    assert.equal(await Deno.readTextFile(path), "[a]\n[b]\n");
    assert.deepEqual(await list(dir), [
      ".config.awsmfa-0123456789abcdef.tmp",
      ".credentials.awsmfa-nothex.tmp",
      "credentials",
    ]);
  });
});

Deno.test("concurrent updates in one process are serialized", async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "credentials");
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    await Promise.all(
      names.map((name) => updateFile(path, (c) => `${c ?? ""}[${name}]\n`)),
    );
    const lines = (await Deno.readTextFile(path)).split("\n").filter(Boolean);
    assert.deepEqual(lines.sort(), names.map((n) => `[${n}]`).sort());
    assert.deepEqual(await list(dir), ["credentials"]);
  });
});

Deno.test("updateFile gives up with a clear error when another process holds the lock", async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\n");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", WORKER, "hold", path],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let output = "";
    while (!output.includes("locked\n")) {
      const { value, done } = await reader.read();
      assert.ok(!done, `worker ended early: ${output}`);
      output += value;
    }
    const started = Date.now();
    const error = await updateFile(path, () => "[b]\n", { lockTimeoutMs: 400 })
      .then(() => null, (e) => e);
    const waited = Date.now() - started;
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(
      error.message,
      `Cannot update "${path}": another process has held its lock file "${
        join(dir, ".credentials.awsmfa.lock")
      }" for 0.4 s; try again when it has finished`,
    );
    assert.ok(waited >= 400 && waited < 3_000, `waited ${waited} ms`);
    assert.equal(await Deno.readTextFile(path), "[a]\n");

    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("go\n"));
    await writer.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    assert.equal(output, "locked\nreleased\n");
    assert.equal((await child.status).code, 0);
    await updateFile(path, () => "[b]\n", { lockTimeoutMs: 2_000 });
    assert.equal(await Deno.readTextFile(path), "[b]\n");
    assert.deepEqual(await list(dir), ["credentials"]);
  });
});

Deno.test({
  name: "a lock file replaced after it was opened is not trusted",
  ignore: IS_WINDOWS,
}, async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "credentials");
    const sidecar = join(dir, ".credentials.awsmfa.lock");
    let other: Deno.FsFile | null = null;
    let releasedAt = 0;
    const fs: StoreFs = {
      ...denoStoreFs,
      async open(path, options) {
        const file = await denoStoreFs.open(path, options);
        if (path === sidecar && other === null) {
          // Between our open and our lock, another run deletes this sidecar,
          // creates a new one and locks that: ours is now an orphan inode.
          await Deno.remove(sidecar);
          other = await Deno.open(sidecar, { write: true, createNew: true });
          assert.equal(await other.tryLock(true), true);
          setTimeout(async () => {
            await Deno.remove(sidecar);
            releasedAt = Date.now();
            await other!.unlock();
            other!.close();
          }, 150);
        }
        return file;
      },
    };
    let editedAt = 0;
    await updateFile(path, () => {
      editedAt = Date.now();
      return "[a]\n";
    }, { fs, lockTimeoutMs: 5_000 });
    assert.ok(other !== null);
    assert.ok(
      releasedAt > 0 && editedAt >= releasedAt,
      "edited under another lock",
    );
    assert.equal(await Deno.readTextFile(path), "[a]\n");
    assert.deepEqual(await list(dir), ["credentials"]);
  });
});

Deno.test("updateFile removes the file when the edit returns REMOVE_FILE", async (t) => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "credentials");
    await t.step(
      "an existing file is deleted, with no lock or temp left",
      async () => {
        await Deno.writeTextFile(path, "[mfa]\naws_session_token = x\n");
        let seen: string | null = null;
        const result = await updateFile(path, (current) => {
          seen = current;
          return REMOVE_FILE;
        });
        assert.equal(seen, "[mfa]\naws_session_token = x\n");
        assert.equal(result.before, "[mfa]\naws_session_token = x\n");
        assert.equal(result.after, null);
        assert.deepEqual(await list(dir), []);
      },
    );
    await t.step("a missing file stays missing", async () => {
      const result = await updateFile(path, () => REMOVE_FILE);
      assert.equal(result.before, null);
      assert.deepEqual(await list(dir), []);
    });
    await t.step({
      name: "through a symlink, the destination goes and the link stays",
      ignore: IS_WINDOWS,
      fn: async () => {
        const real = join(dir, "real");
        await Deno.writeTextFile(real, "x\n");
        await Deno.symlink(real, path);
        await updateFile(path, () => REMOVE_FILE);
        assert.deepEqual(await list(dir), ["credentials"]);
        assert.equal(await readText(path), null);
        await Deno.remove(path);
      },
    });
  });
});
