/**
 * Reading a file again under its lock: a file that still holds exactly the
 * bytes of the first read gives the first read's text; any other content —
 * one byte changed, grown, shrunk, gone, no longer a regular file — is read
 * as if there had been no first read, with the same errors.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  NotRegularFileError,
  StoreError,
  UnreadableContentError,
} from "../../lib/files/errors.ts";
import { denoStoreFs, type StoreFs } from "../../lib/files/fs.ts";
import {
  readText,
  readTextWithBytes,
  type TextRead,
} from "../../lib/files/read.ts";
import { holdsBytes, sameBytes } from "../../lib/files/same_bytes.ts";
import { updateFile } from "../../lib/files/update.ts";

const IS_LINUX = Deno.build.os === "linux";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "reread_" }),
  );
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A text the file's bytes do not decode to: returned only when reused. */
const SENTINEL = "[reused]\n";

/** The first read of `bytes`, with a text that tells reuse from a decode. */
function firstRead(bytes: Uint8Array): TextRead {
  return { text: SENTINEL, bytes };
}

/** A credentials-like text of `profiles` sections (300 KB for 10,000). */
function manyProfiles(profiles: number): string {
  let text = "";
  for (let i = 0; i < profiles; i++) {
    text += `[p${i}]\naws_access_key_id = AKIAEXAMPLE${
      String(i).padStart(9, "0")
    }\n`;
  }
  return text;
}

/** The error a call rejects with (fails when it does not reject). */
async function errorOf(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new assert.AssertionError({ message: "it did not reject" });
}

Deno.test("readTextWithBytes keeps the bytes the text was decoded from", async () => {
  await withTemp(async (dir) => {
    const path = join(dir, "credentials");
    const text = "\uFEFF# clé\n[a]\nx = 1\n";
    await Deno.writeTextFile(path, text);
    const read = await readTextWithBytes(path);
    assert.equal(read.text, text);
    assert.deepEqual(read.bytes, await Deno.readFile(path));
    assert.deepEqual(await readTextWithBytes(join(dir, "missing")), {
      text: null,
    });
  });
});

Deno.test("readText with the first read: the same bytes give the first text, any change is read", async (t) => {
  await withTemp(async (dir) => {
    const path = join(dir, "credentials");
    const small = new TextEncoder().encode("[a]\nregion = eu-west-1\n");
    // Several chunks of 256 KiB, and not a multiple of four bytes.
    const big = new TextEncoder().encode(manyProfiles(20_000) + "[z]");
    assert.ok(big.length > 3 * 256 * 1024 && big.length % 4 !== 0);

    for (const [name, bytes] of [["small", small], ["big", big]] as const) {
      await t.step(`${name}: unchanged`, async () => {
        await Deno.writeFile(path, bytes);
        assert.equal(
          await readText(path, denoStoreFs, undefined, firstRead(bytes)),
          SENTINEL,
        );
        // Known bytes that do not start on a four-byte boundary.
        const odd = new Uint8Array(bytes.length + 1);
        odd.set(bytes, 1);
        assert.equal(
          await readText(
            path,
            denoStoreFs,
            undefined,
            firstRead(odd.subarray(1)),
          ),
          SENTINEL,
        );
      });

      const positions = [0, 1, bytes.length >> 1, bytes.length - 1];
      for (const at of positions) {
        await t.step(`${name}: one byte changed at ${at}`, async () => {
          const changed = bytes.slice();
          changed[at] = changed[at] === 0x78 ? 0x79 : 0x78; // "x" or "y"
          await Deno.writeFile(path, changed);
          assert.equal(
            await readText(path, denoStoreFs, undefined, firstRead(bytes)),
            new TextDecoder().decode(changed),
          );
        });
      }

      await t.step(`${name}: one byte more, one byte less`, async () => {
        const grown = new Uint8Array(bytes.length + 1);
        grown.set(bytes);
        grown[bytes.length] = 0x0a;
        await Deno.writeFile(path, grown);
        assert.equal(
          await readText(path, denoStoreFs, undefined, firstRead(bytes)),
          new TextDecoder().decode(grown),
        );
        await Deno.writeFile(path, bytes.subarray(0, bytes.length - 1));
        assert.equal(
          await readText(path, denoStoreFs, undefined, firstRead(bytes)),
          new TextDecoder().decode(bytes.subarray(0, bytes.length - 1)),
        );
      });
    }

    await t.step(
      "a change that is not UTF-8 fails as a first read does",
      async () => {
        const changed = small.slice();
        changed[1] = 0xff;
        await Deno.writeFile(path, changed);
        const plain = await errorOf(() => readText(path));
        const again = await errorOf(() =>
          readText(path, denoStoreFs, undefined, firstRead(small))
        );
        assert.ok(again instanceof UnreadableContentError);
        assert.equal(again.message, plain.message);
        assert.equal(
          again.message,
          `Cannot read "${path}": it is not valid UTF-8 text`,
        );
      },
    );

    await t.step(
      "a file grown past the cap fails as a first read does",
      async () => {
        await Deno.writeFile(path, big);
        const known = firstRead(big.subarray(0, 1000));
        const again = await errorOf(() =>
          readText(path, denoStoreFs, 2000, known)
        );
        assert.ok(again instanceof UnreadableContentError);
        assert.equal(
          again.message,
          `Cannot read "${path}": it is larger than 2000 bytes`,
        );
        // The same size as the first read, but over the cap now asked for.
        await Deno.writeFile(path, small);
        const capped = await errorOf(() =>
          readText(path, denoStoreFs, small.length - 1, firstRead(small))
        );
        assert.ok(capped instanceof UnreadableContentError);
        assert.match(capped.message, /is larger than/);
      },
    );

    await t.step("a file removed reads as none", async () => {
      await Deno.remove(path);
      assert.equal(
        await readText(path, denoStoreFs, undefined, firstRead(small)),
        null,
      );
    });

    await t.step("a first read of no file gives no text to reuse", async () => {
      await Deno.writeFile(path, small);
      assert.equal(
        await readText(path, denoStoreFs, undefined, { text: null }),
        new TextDecoder().decode(small),
      );
    });
  });
});

Deno.test({
  name:
    "readText with the first read: a FIFO or a directory now at the path is refused, never opened",
  ignore: !IS_LINUX,
  async fn() {
    await withTemp(async (dir) => {
      const fifo = join(dir, "fifo");
      const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.ok(mk.success);
      const none = new Uint8Array(0);
      const error = await errorOf(() =>
        readText(fifo, denoStoreFs, undefined, firstRead(none))
      );
      assert.ok(error instanceof NotRegularFileError);
      assert.equal(
        error.message,
        (await errorOf(() => readText(fifo))).message,
      );
      const sub = join(dir, "sub");
      await Deno.mkdir(sub);
      const refused = await errorOf(() =>
        readText(sub, denoStoreFs, undefined, firstRead(none))
      );
      assert.ok(refused instanceof StoreError);
      assert.match(refused.message, /it is a directory/);
    });
  },
});

Deno.test("readText with the first read: a failure to open or read for the comparison falls back to the plain read", async () => {
  await withTemp(async (dir) => {
    const path = join(dir, "credentials");
    const bytes = new TextEncoder().encode("[a]\nx = 1\n");
    await Deno.writeFile(path, bytes);
    const opened: string[] = [];
    const cannotOpen: StoreFs = {
      ...denoStoreFs,
      open(p) {
        opened.push(p);
        return Promise.reject(new Deno.errors.PermissionDenied("no"));
      },
    };
    // The comparison could not be made, so the file is read and decoded.
    assert.equal(
      await readText(path, cannotOpen, undefined, firstRead(bytes)),
      "[a]\nx = 1\n",
    );
    assert.deepEqual(opened, [path]);
    // When the plain read fails as well, its error is the one reported.
    const neither: StoreFs = {
      ...cannotOpen,
      readFile: () => Promise.reject(new Deno.errors.PermissionDenied("no")),
    };
    const error = await errorOf(() =>
      readText(path, neither, undefined, firstRead(bytes))
    );
    assert.ok(error instanceof StoreError);
    assert.equal(error.message, `Cannot read "${path}": permission denied`);
  });
});

Deno.test("holdsBytes compares the whole file, a chunk at a time", async () => {
  await withTemp(async (dir) => {
    const path = join(dir, "f");
    const bytes = new TextEncoder().encode(manyProfiles(10_000));
    await Deno.writeFile(path, bytes);
    assert.equal(await holdsBytes(path, bytes, denoStoreFs), true);
    assert.equal(
      await holdsBytes(path, bytes.subarray(0, bytes.length - 1), denoStoreFs),
      false,
    );
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.equal(await holdsBytes(path, longer, denoStoreFs), false);
    // A read that stops short of the end is not taken for the end.
    const short: StoreFs = {
      ...denoStoreFs,
      async open(p, options) {
        const file = await denoStoreFs.open(p, options);
        const read = file.readSync.bind(file);
        file.readSync = (buffer) => read(buffer.subarray(0, 4093));
        return file;
      },
    };
    assert.equal(await holdsBytes(path, bytes, short), true);
    assert.equal(
      await holdsBytes(path, bytes.subarray(0, 4096), short),
      false,
    );
    await Deno.writeFile(path, new Uint8Array(0));
    assert.equal(await holdsBytes(path, new Uint8Array(0), denoStoreFs), true);
    assert.equal(await holdsBytes(path, bytes, denoStoreFs), false);
  });
});

Deno.test("sameBytes tells every byte apart, aligned or not", () => {
  const base = Uint8Array.from({ length: 37 }, (_, i) => i * 7);
  assert.equal(sameBytes(base, base.slice()), true);
  assert.equal(sameBytes(base, base.subarray(0, 36)), false);
  for (let at = 0; at < base.length; at++) {
    for (const offset of [0, 1, 2, 3]) {
      const shifted = new Uint8Array(base.length + offset);
      shifted.set(base, offset);
      const other = shifted.subarray(offset);
      assert.equal(sameBytes(base, other), true);
      other[at] ^= 0x80;
      assert.equal(sameBytes(base, other), false, `byte ${at} at +${offset}`);
    }
  }
});

Deno.test("updateFile with the first read: an unchanged file gives edit that text, a changed one its own", async () => {
  await withTemp(async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\nx = 1\n");
    const first = await readTextWithBytes(path);
    const seen: (string | null)[] = [];
    const edit = (current: string | null) => {
      seen.push(current);
      return `${current}[b]\n`;
    };
    const known = { text: SENTINEL, bytes: first.bytes };
    await updateFile(path, edit, { known });
    assert.deepEqual(seen, [SENTINEL]);
    assert.equal(await Deno.readTextFile(path), `${SENTINEL}[b]\n`);
    // The file now holds other bytes of the same length.
    await Deno.writeTextFile(path, "[a]\nx = 2\n");
    const result = await updateFile(path, edit, { known });
    assert.deepEqual(seen, [SENTINEL, "[a]\nx = 2\n"]);
    assert.equal(result.before, "[a]\nx = 2\n");
    assert.equal(await Deno.readTextFile(path), "[a]\nx = 2\n[b]\n");
  });
});
