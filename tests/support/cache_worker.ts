/**
 * A child process for the cache tests that need several processes: one
 * caller of {@linkcode withCacheEntry} whose fetch is a real GetSessionToken
 * at the STS double.
 *
 * `deno run -P=awsmfa … cache_worker.ts DIR ENDPOINT` (the binary's
 * permissions), with the user's keys, serial and code in
 * `AWSMFA_WORKER_KEY_ID`, `AWSMFA_WORKER_SECRET`, `AWSMFA_WORKER_SERIAL` and
 * `AWSMFA_WORKER_CODE`:
 * prints `ready`, waits for a line on stdin, asks the cache for a session
 * with at least 15 minutes left (the fetch waits `AWSMFA_WORKER_FETCH_DELAY_MS`
 * first, so the others pile up on the lock), and prints one JSON line:
 * `{ fromCache, accessKeyId, startedAt, doneAt }` (times in ms).
 *
 * @module
 */

import { withCacheEntry } from "../../lib/sessions/cache.ts";
import { getSessionToken } from "../../lib/sessions/sts.ts";

function say(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}

function waitForStdinLine(): void {
  const buffer = new Uint8Array(64);
  for (;;) {
    const n = Deno.stdin.readSync(buffer);
    if (n === null || buffer.subarray(0, n).includes(10)) return;
  }
}

async function main([dir, endpoint]: string[]): Promise<void> {
  const env = (name: string) => {
    const value = Deno.env.get(name);
    if (value === undefined) throw new Error(`${name} is not set`);
    return value;
  };
  const serialNumber = env("AWSMFA_WORKER_SERIAL");
  const delay = Number(Deno.env.get("AWSMFA_WORKER_FETCH_DELAY_MS") ?? "0");
  say("ready");
  waitForStdinLine();
  const startedAt = Date.now();
  const result = await withCacheEntry(
    dir,
    { sourceProfile: "work", serialNumber },
    15 * 60_000,
    async () => {
      await new Promise((done) => setTimeout(done, delay));
      return await getSessionToken({
        accessKeyId: env("AWSMFA_WORKER_KEY_ID"),
        secretAccessKey: env("AWSMFA_WORKER_SECRET"),
        region: "eu-west-1",
        endpoint,
        serialNumber,
        tokenCode: env("AWSMFA_WORKER_CODE"),
        durationSeconds: 3600,
        sourceProfile: "work",
      });
    },
  );
  say(JSON.stringify({
    fromCache: result.fromCache,
    accessKeyId: result.session.accessKeyId,
    startedAt,
    doneAt: Date.now(),
  }));
}

if (import.meta.main) await main(Deno.args);
