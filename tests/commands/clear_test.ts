/**
 * lib/commands/clear.ts through lib/run.ts, in-process: what it takes back
 * from both files, and which cached sessions it ends.
 */

import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { writeCachedSession } from "../support/cache.ts";
import { ExitCode } from "../../lib/shared/errors.ts";
import { denoStoreFs } from "../../lib/files/fs.ts";
import { lockPath } from "../../lib/files/lock.ts";
import { run } from "../../lib/run.ts";
import {
  BOTH,
  cacheEntries,
  CONFIG,
  CREDENTIALS,
  EXPIRES,
  files,
  harness,
  SERIAL,
  SESSION_SECRET,
  SESSION_TOKEN,
  withHome,
} from "../support/run_harness.ts";
import { cacheDirectory, cacheFileName } from "../../lib/sessions/cache_key.ts";

Deno.test("run: status and clear through the command line", async () => {
  await withHome(BOTH, async (home) => {
    assert.equal(
      await run(["--profile", "work", "111111"], harness(home).io),
      0,
    );
    const status = harness(home);
    assert.equal(await run(["status"], status.io), 0);
    assert.match(
      status.out.join(""),
      /^mfa +work +arn:aws:iam::123456789012:mfa\/alice +\S+ \S+ +12h$/m,
    );
    const json = harness(home);
    assert.equal(await run(["status", "--json"], json.io), 0);
    assert.equal(JSON.parse(json.out.join(""))[0].remainingSeconds, 43200);

    const refused = harness(home);
    assert.equal(await run(["clear", "work"], refused.io), ExitCode.Local);
    assert.match(refused.err.join(""), /"work" .* not written by awsmfa/);

    const clear = harness(home);
    assert.equal(await run(["clear"], clear.io), 0, clear.err.join(""));
    assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
    assert.match(
      clear.err.join(""),
      /Removed profile "mfa" from .* and \[profile mfa\] from /,
    );

    const empty = harness(home);
    assert.equal(await run(["status"], empty.io), 0);
    assert.deepEqual(empty.out, []);
    assert.match(empty.err.join(""), /No awsmfa-managed profiles in /);
    const again = harness(home);
    assert.equal(await run(["clear"], again.io), 0);
    assert.match(
      again.err.join(""),
      /Profile "mfa" is not in .*; nothing to clear/,
    );
  });
});

Deno.test("run: one code serves the default command, exec and --output through the session cache; clear forgets it", async () => {
  await withHome(BOTH, async (home) => {
    const first = harness(home);
    assert.equal(await run(["--profile", "work", "111111"], first.io), 0);
    assert.equal(first.requests.length, 1);
    const mfaEntry = await cacheFileName({
      sourceProfile: "work",
      serialNumber: SERIAL,
    });
    assert.deepEqual(await cacheEntries(home), [mfaEntry]);

    // Another target, exec and --output: no code, no STS call.
    const other = harness(home);
    assert.equal(
      await run(["--profile", "work", "--mfa-profile-name", "mfa2"], other.io),
      0,
      other.err.join(""),
    );
    assert.match(
      other.err.join(""),
      /Wrote profile "mfa2" \(from "work", the cached session\)/,
    );
    const exec = harness(home);
    assert.equal(
      await run(["exec", "--profile", "work", "--", "true"], exec.io),
      0,
    );
    const printed = harness(home);
    assert.equal(
      await run(
        ["--profile", "work", "--output", "json", "--force"],
        printed.io,
      ),
      0,
    );
    for (const h of [other, exec]) {
      assert.equal(h.requests.length, 0);
      assert.equal(h.prompts(), 0);
      assert.equal(h.commands.length, 0);
    }
    assert.equal(
      exec.children[0].set.AWS_ACCESS_KEY_ID,
      "ASIAEXAMPLESESSION01",
    );
    // --force asks for a code even with a fresh cached session.
    assert.equal(printed.requests.length, 1);
    assert.equal(printed.prompts(), 1);

    // A session of another source profile stays through `clear mfa` …
    const otherEntry = await cacheSessionOf(home, "other");
    const clear = harness(home);
    assert.equal(await run(["clear", "mfa", "mfa2"], clear.io), 0);
    assert.match(
      clear.err.join(""),
      /Removed 1 cached session from .*cache\.\n$/,
    );
    assert.deepEqual(await cacheEntries(home), [otherEntry]);
    // … and the next run needs a code again.
    const after = harness(home);
    assert.equal(await run(["--profile", "work"], after.io), 0);
    assert.equal(after.prompts(), 1);
    assert.equal(after.requests.length, 1);

    // clear --all forgets every cached session, also those of no profile.
    const all = harness(home);
    assert.equal(await run(["clear", "--all", "--quiet"], all.io), 0);
    assert.deepEqual(all.err, []);
    assert.deepEqual(await cacheEntries(home), []);
    assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
  });
});

/** A cached session of source profile `source` under `home`: its entry's name. */
async function cacheSessionOf(home: string, source: string): Promise<string> {
  const path = await writeCachedSession(
    cacheDirectory(home),
    { sourceProfile: source, serialNumber: SERIAL },
    {
      accessKeyId: "ASIAEXAMPLEOTHER0001",
      secretAccessKey: SESSION_SECRET,
      sessionToken: SESSION_TOKEN,
      expiration: EXPIRES,
    },
  );
  return basename(path);
}

Deno.test("clear: a cache that cannot be cleared after the files were is a warning, exit 0, also for a name only the cache holds", async () => {
  await withHome(BOTH, async (home) => {
    assert.equal(
      await run(["--profile", "work", "111111"], harness(home).io),
      0,
    );
    const other = await cacheSessionOf(home, "other");
    // The store cannot lock this entry: a directory where its lock goes.
    await Deno.mkdir(lockPath(join(cacheDirectory(home), other)));
    const clear = harness(home);
    const exit = await run(["clear", "mfa", "other"], clear.io);
    const said = clear.err.join("");
    assert.equal(exit, ExitCode.Ok, said);
    assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
    assert.match(said, /Removed profile "mfa" from /);
    assert.match(said, /^awsmfa: warning: Cannot lock /m);
    assert.doesNotMatch(said, /^awsmfa: Cannot/m);
  });
});

Deno.test("clear: the cached sessions of cleared profiles and of names only the cache holds go in one pass over the cache", async () => {
  await withHome(BOTH, async (home) => {
    assert.equal(
      await run(["--profile", "work", "111111"], harness(home).io),
      0,
    );
    const first = await cacheSessionOf(home, "first");
    const second = await cacheSessionOf(home, "second");
    const kept = await cacheSessionOf(home, "kept");
    // Each pass over the cache locks every entry it holds, the one it keeps
    // too: count the times that entry's lock is taken.
    const keptLock = lockPath(join(cacheDirectory(home), kept));
    let passes = 0;
    const clear = harness(home);
    clear.io.storeFs = {
      ...denoStoreFs,
      open(path, options) {
        if (path === keptLock) passes++;
        return denoStoreFs.open(path, options);
      },
    };
    const exit = await run(["clear", "mfa", "first", "second"], clear.io);
    const said = clear.err.join("");
    assert.equal(exit, ExitCode.Ok, said);
    assert.deepEqual(await cacheEntries(home), [kept]);
    assert.notEqual(first, second);
    assert.match(said, /Removed 1 cached session from .*cache\.\n/);
    assert.match(said, /Removed 1 cached session of profile "first" from /);
    assert.match(said, /Removed 1 cached session of profile "second" from /);
    assert.equal(passes, 1);
  });
});
