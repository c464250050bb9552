/**
 * Reading a file again under its lock: a file that still holds exactly the
 * bytes of the text first read gives that text without being read whole or
 * decoded; any other content — one byte changed, grown, shrunk, gone, no
 * longer a regular file — is read as if there had been no first read, with
 * the same errors.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  NotRegularFileError,
  StoreError,
  UnreadableContentError,
} from "../../lib/files/errors.ts";
import { denoStoreFs, type StoreFs } from "../../lib/files/fs.ts";
import { readText } from "../../lib/files/read.ts";
import { holdsText, sameBytes } from "../../lib/files/same_text.ts";
import { updateFile } from "../../lib/files/update.ts";
import { withTempDir } from "../support/temp.ts";

const IS_LINUX = Deno.build.os === "linux";

/** The store's file operations, counting whole-file reads. */
function countingFs(): { fs: StoreFs; wholeReads: () => number } {
  let reads = 0;
  return {
    fs: {
      ...denoStoreFs,
      readFile(path, maxBytes) {
        reads++;
        return denoStoreFs.readFile(path, maxBytes);
      },
    },
    wholeReads: () => reads,
  };
}

/** A credentials-like text of `profiles` sections, with some non-ASCII. */
function manyProfiles(profiles: number): string {
  let text = "\uFEFF# clés 🔑\n";
  for (let i = 0; i < profiles; i++) {
    text += `[p${i}]\naws_access_key_id = AKIAEXAMPLE${
      String(i).padStart(9, "0")
    }\n`;
    if (i % 997 === 0) text += `# café ${"é".repeat(i % 5)} 🔑\n`;
  }
  return text;
}

/** Bytes decoded as readText does: strict, the byte order mark kept. */
function decoded(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
    bytes,
  );
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

Deno.test("readText with the first text: the same bytes give it without a whole read, any change is read", async (t) => {
  await withTempDir("reread_", async (dir) => {
    const path = join(dir, "credentials");
    const small = "[a]\nregion = eu-west-1\n";
    // Several chunks of 64 Ki characters, surrogate pairs among them.
    const big = manyProfiles(20_000) + "🔑[z]";
    const encoder = new TextEncoder();
    assert.ok(encoder.encode(big).length > 4 * 3 * 64 * 1024);

    for (const [name, text] of [["small", small], ["big", big]] as const) {
      const bytes = encoder.encode(text);
      await t.step(`${name}: unchanged`, async () => {
        await Deno.writeFile(path, bytes);
        const counted = countingFs();
        assert.equal(
          await readText(path, counted.fs, undefined, text),
          text,
        );
        assert.equal(counted.wholeReads(), 0);
      });

      // ASCII bytes at the start, the middle and the end.
      const ascii = (from: number) => {
        let at = from;
        while (bytes[at] >= 0x80) at++;
        return at;
      };
      const positions = [0, 1, bytes.length >> 1, bytes.length - 1].map(ascii);
      for (const at of new Set(positions)) {
        await t.step(`${name}: one byte changed at ${at}`, async () => {
          const changed = bytes.slice();
          changed[at] = changed[at] === 0x5d ? 0x5b : 0x5d; // "]" or "["
          await Deno.writeFile(path, changed);
          const counted = countingFs();
          const again = await readText(path, counted.fs, undefined, text);
          assert.equal(again, decoded(changed));
          assert.notEqual(again, text);
          assert.equal(counted.wholeReads(), 1);
        });
      }

      await t.step(`${name}: one byte more, one byte less`, async () => {
        const grown = new Uint8Array(bytes.length + 1);
        grown.set(bytes);
        grown[bytes.length] = 0x0a;
        await Deno.writeFile(path, grown);
        assert.equal(
          await readText(path, denoStoreFs, undefined, text),
          text + "\n",
        );
        const shrunk = bytes.subarray(0, bytes.length - 1);
        await Deno.writeFile(path, shrunk);
        assert.equal(
          await readText(path, denoStoreFs, undefined, text),
          decoded(shrunk),
        );
      });
    }

    await t.step(
      "a change that is not UTF-8 fails as a first read does",
      async () => {
        const changed = encoder.encode(small);
        changed[1] = 0xff;
        await Deno.writeFile(path, changed);
        const plain = await errorOf(() => readText(path));
        const again = await errorOf(() =>
          readText(path, denoStoreFs, undefined, small)
        );
        assert.ok(again instanceof UnreadableContentError);
        assert.equal(again.message, plain.message);
        assert.equal(
          again.message,
          `Cannot read "${path}": it is not valid UTF-8 text`,
        );
      },
    );

    await t.step("a file over the cap fails as a first read does", async () => {
      await Deno.writeTextFile(path, big);
      const over = await errorOf(() =>
        readText(path, denoStoreFs, 2000, big.slice(0, 1000))
      );
      assert.ok(over instanceof UnreadableContentError);
      assert.equal(
        over.message,
        `Cannot read "${path}": it is larger than 2000 bytes`,
      );
      // The file holds the first text, but a smaller cap is asked for now.
      await Deno.writeTextFile(path, small);
      const capped = await errorOf(() =>
        readText(path, denoStoreFs, small.length - 1, small)
      );
      assert.ok(capped instanceof UnreadableContentError);
      assert.match(capped.message, /is larger than/);
    });

    await t.step("a file removed reads as none", async () => {
      await Deno.remove(path);
      assert.equal(await readText(path, denoStoreFs, undefined, small), null);
    });

    await t.step("no file at the first read: the file is read", async () => {
      await Deno.writeTextFile(path, small);
      const counted = countingFs();
      assert.equal(await readText(path, counted.fs, undefined, null), small);
      assert.equal(counted.wholeReads(), 1);
    });
  });
});

Deno.test({
  name:
    "readText with the first text: a FIFO or a directory now at the path is refused, never opened",
  ignore: !IS_LINUX,
  async fn() {
    await withTempDir("reread_", async (dir) => {
      const fifo = join(dir, "fifo");
      const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.ok(mk.success);
      const error = await errorOf(() =>
        readText(fifo, denoStoreFs, undefined, "")
      );
      assert.ok(error instanceof NotRegularFileError);
      assert.equal(
        error.message,
        (await errorOf(() => readText(fifo))).message,
      );
      const sub = join(dir, "sub");
      await Deno.mkdir(sub);
      const refused = await errorOf(() =>
        readText(sub, denoStoreFs, undefined, "")
      );
      assert.ok(refused instanceof StoreError);
      assert.match(refused.message, /it is a directory/);
    });
  },
});

Deno.test("readText with the first text: a failure to open for the comparison falls back to the plain read", async () => {
  await withTempDir("reread_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\nx = 1\n");
    const opened: string[] = [];
    const cannotOpen: StoreFs = {
      ...denoStoreFs,
      open(p) {
        opened.push(p);
        return Promise.reject(new Deno.errors.PermissionDenied("no"));
      },
    };
    assert.equal(
      await readText(path, cannotOpen, undefined, "[a]\nx = 1\n"),
      "[a]\nx = 1\n",
    );
    assert.deepEqual(opened, [path]);
    // When the plain read fails as well, its error is the one reported.
    const neither: StoreFs = {
      ...cannotOpen,
      readFile: () => Promise.reject(new Deno.errors.PermissionDenied("no")),
    };
    const error = await errorOf(() =>
      readText(path, neither, undefined, "[a]\nx = 1\n")
    );
    assert.ok(error instanceof StoreError);
    assert.equal(error.message, `Cannot read "${path}": permission denied`);
  });
});

Deno.test("holdsText compares the whole file, however the reads split it", async () => {
  await withTempDir("reread_", async (dir) => {
    const path = join(dir, "f");
    const text = manyProfiles(10_000);
    await Deno.writeTextFile(path, text);
    assert.equal(await holdsText(path, text, denoStoreFs), true);
    assert.equal(await holdsText(path, text.slice(0, -1), denoStoreFs), false);
    assert.equal(await holdsText(path, text + "x", denoStoreFs), false);
    // The same text with one character other than the file's.
    assert.equal(
      await holdsText(path, text.replace("café", "cafè"), denoStoreFs),
      false,
    );
    // Reads that stop short, at odd sizes, are not taken for the end.
    const short: StoreFs = {
      ...denoStoreFs,
      async open(p, options) {
        const file = await denoStoreFs.open(p, options);
        const read = file.readSync.bind(file);
        file.readSync = (buffer) => read(buffer.subarray(0, 4093));
        return file;
      },
    };
    assert.equal(await holdsText(path, text, short), true);
    assert.equal(await holdsText(path, text.slice(0, 5000), short), false);
    // A character split across two chunks' boundary is not a change.
    const pairs = "🔑".repeat(64 * 1024 + 1);
    await Deno.writeTextFile(path, "x" + pairs);
    assert.equal(await holdsText(path, "x" + pairs, denoStoreFs), true);
    await Deno.writeFile(path, new Uint8Array(0));
    assert.equal(await holdsText(path, "", denoStoreFs), true);
    assert.equal(await holdsText(path, text, denoStoreFs), false);
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

Deno.test("updateFile with the first text: an unchanged file is not read whole, a changed one is read and kept", async () => {
  await withTempDir("reread_", async (dir) => {
    const path = join(dir, "credentials");
    await Deno.writeTextFile(path, "[a]\nx = 1\n");
    const first = await readText(path);
    const seen: (string | null)[] = [];
    const edit = (current: string | null) => {
      seen.push(current);
      return `${current}[b]\n`;
    };
    const counted = countingFs();
    await updateFile(path, edit, { known: first, fs: counted.fs });
    assert.deepEqual(seen, ["[a]\nx = 1\n"]);
    assert.equal(counted.wholeReads(), 0);
    assert.equal(await Deno.readTextFile(path), "[a]\nx = 1\n[b]\n");
    // Other bytes of the same length than the text first read.
    await Deno.writeTextFile(path, "[a]\nx = 2\n");
    const result = await updateFile(path, edit, {
      known: first,
      fs: counted.fs,
    });
    assert.equal(counted.wholeReads(), 1);
    assert.deepEqual(seen, ["[a]\nx = 1\n", "[a]\nx = 2\n"]);
    assert.equal(result.before, "[a]\nx = 2\n");
    assert.equal(await Deno.readTextFile(path), "[a]\nx = 2\n[b]\n");
  });
});

Deno.test("sameBytes is exact, aligned or not, for bytes a float comparison would confuse", () => {
  const cases: [number[], number[]][] = [
    // +0 and -0: equal as doubles, one bit apart.
    [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0x80]],
    // Two NaNs with different payloads, and the same NaN twice.
    [[1, 0, 0, 0, 0, 0, 0xf8, 0x7f], [2, 0, 0, 0, 0, 0, 0xf8, 0x7f]],
    [[1, 0, 0, 0, 0, 0, 0xf8, 0x7f], [1, 0, 0, 0, 0, 0, 0xf8, 0x7f]],
    [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]],
  ];
  for (const [left, right] of cases) {
    const same = left.every((byte, i) => byte === right[i]);
    const a = Uint8Array.from([...left, ...left, 9]);
    const b = Uint8Array.from([...right, ...left, 9]);
    assert.equal(sameBytes(a, b), same, `${left} / ${right}`);
    assert.equal(sameBytes(b, a), same, `${right} / ${left}`);
    // Off a four-byte boundary: compared one byte at a time.
    const sameTail = left.slice(1).every((byte, i) => byte === right[i + 1]);
    assert.equal(
      sameBytes(a.subarray(1), b.subarray(1)),
      sameTail,
      `unaligned ${left} / ${right}`,
    );
  }
});
