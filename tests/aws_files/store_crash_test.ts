import assert from "node:assert/strict";
import { join } from "node:path";
import { readText } from "../../lib/files/read.ts";
import { updateFile } from "../../lib/files/update.ts";
import { generationText, parseGeneration } from "../support/store_worker.ts";
import { withTempDir } from "../support/temp.ts";

const WORKER = new URL("../support/store_worker.ts", import.meta.url).pathname;
const KILLS = 30;

async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

function spawnWorker(...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", WORKER, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads a child's stdout line by line. */
function lines(child: Deno.ChildProcess): ReadableStreamDefaultReader<string> {
  return child.stdout.pipeThrough(new TextDecoderStream()).getReader();
}

async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  wanted: string,
): Promise<void> {
  let output = "";
  while (!output.includes(`${wanted}\n`)) {
    const { value, done } = await reader.read();
    assert.ok(!done, `worker ended before "${wanted}": ${output}`);
    output += value;
  }
}

Deno.test({
  name:
    "a writer killed at random points leaves the old or the new file, never a partial one",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withTempDir("store_", async (dir) => {
      const path = join(dir, "credentials");
      await Deno.writeTextFile(path, generationText(0));
      let last = 0;
      let readsWhileRunning = 0;
      let tempsLeft = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const child = spawnWorker("loop", path);
        const reader = lines(child);
        await readUntil(reader, "started");
        const until = Date.now() + 5 + Math.random() * 40;
        while (Date.now() < until) {
          // A concurrent reader never sees a partial file either.
          const text = await readText(path);
          assert.ok(text !== null);
          const seen = parseGeneration(text);
          assert.ok(seen !== null, `partial file read after kill ${kill}`);
          assert.ok(seen >= last);
          readsWhileRunning++;
          await new Promise((done) => setTimeout(done, 1));
        }
        child.kill("SIGKILL");
        const status = await child.status;
        assert.equal(status.signal, "SIGKILL", "the worker died on its own");
        await reader.cancel();
        await child.stderr.cancel();

        const text = await Deno.readTextFile(path);
        const generation = parseGeneration(text);
        assert.ok(
          generation !== null,
          `partial file after kill ${kill} (${text.length} chars)`,
        );
        assert.ok(
          generation >= last,
          `went back from ${last} to ${generation}`,
        );
        last = generation;
        tempsLeft += (await list(dir)).filter((n) => n.endsWith(".tmp")).length;
      }
      // The kills landed while the worker was updating, some of them while a
      // temp file was open: not only before it began or between updates.
      assert.ok(last > 0, "no generation written");
      assert.ok(tempsLeft > 0, "no kill landed during a write");
      assert.ok(readsWhileRunning > 0);

      // A killed run blocks nothing: the next update gets the lock at once
      // and removes the temp files killed runs left.
      const started = Date.now();
      const result = await updateFile(
        path,
        (current) => generationText(parseGeneration(current ?? "")! + 1),
        { lockTimeoutMs: 2_000 },
      );
      assert.ok(Date.now() - started < 1_000);
      assert.equal(parseGeneration(result.after!), last + 1);
      assert.deepEqual(await list(dir), ["credentials"]);
      console.log(
        `${KILLS} kills, ${last} generations, ${readsWhileRunning} reads while running, ${tempsLeft} temp files seen after kills`,
      );
    });
  },
});

Deno.test("20 processes adding their own section at once lose none", async () => {
  await withTempDir("store_", async (dir) => {
    const path = join(dir, "aws", "credentials");
    const names = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const children = names.map((name) => spawnWorker("append", path, name));
    const readers = children.map(lines);
    await Promise.all(readers.map((reader) => readUntil(reader, "ready")));
    const go = new TextEncoder().encode("go\n");
    await Promise.all(children.map(async (child) => {
      const writer = child.stdin.getWriter();
      await writer.write(go);
      await writer.close();
    }));
    await Promise.all(readers.map((reader) => readUntil(reader, "done")));
    for (const [i, child] of children.entries()) {
      await readers[i].cancel();
      const stderr = new TextDecoder().decode(
        await new Response(child.stderr).arrayBuffer(),
      );
      assert.equal((await child.status).code, 0, stderr);
    }

    const text = await Deno.readTextFile(path);
    const sections = text.split("\n").filter((line) => line.startsWith("["));
    assert.deepEqual(
      [...sections].sort(),
      names.map((name) => `[${name}]`).sort(),
    );
    for (const name of names) {
      assert.ok(text.includes(`[${name}]\nkey = ${name}\n`), name);
    }
    assert.equal(text.length, names.reduce((n, s) => n + 2 * s.length + 10, 0));
    assert.deepEqual(await list(join(dir, "aws")), ["credentials"]);
  });
});
