/**
 * The write phase in a hostile world, driven in-process through lib/run.ts
 * with an injected STS call: no code is spent on a session that cannot be
 * written (a lock held by another process, an immutable file), a bind-mounted
 * file is written in place, a write that fails after STS answered says the
 * session is cached, a double fault says what state the files are in, and a
 * pair left half-written is repaired.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ExitCode } from "../../lib/shared/errors.ts";
import { run, type RunIO } from "../../lib/run.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";
import { denoStoreFs, type StoreFs } from "../../lib/files/fs.ts";
import type { SessionRequest } from "../../lib/sessions/sts_call.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const SESSION_SECRET = "tEmPoRaRySeCrEtKeY/0123456789abcdefghijk";
const WORKER = new URL("../support/store_worker.ts", import.meta.url).pathname;
const IS_ROOT = Deno.build.os === "linux" && Deno.uid() === 0;

const CREDENTIALS =
  `# keys\n[work]\naws_access_key_id = AKIAEXAMPLEWORK00001\n` +
  `aws_secret_access_key = ${SECRET}\n`;
const CONFIG = `[profile work]\nregion = eu-west-1\nmfa_serial = ${SERIAL}\n`;

interface Harness {
  io: RunIO;
  err: string[];
  requests: SessionRequest[];
}

function harness(
  home: string,
  extra: Partial<RunIO> = {},
  env: Record<string, string> = {},
): Harness {
  const err: string[] = [];
  const requests: SessionRequest[] = [];
  const vars: Record<string, string> = { HOME: home, ...env };
  const io: RunIO = {
    env: (name) => vars[name],
    stdin: new ReadableStream(),
    stdinIsTerminal: true,
    writePrompt: (text) => err.push(text),
    readPromptLine: () => Promise.resolve("987650"),
    stderr: (text) => err.push(text),
    stdout: () => {},
    now: () => new Date("2026-11-29T03:00:00Z"),
    getSession(request): Promise<SessionValues> {
      requests.push(request);
      return Promise.resolve({
        accessKeyId: "ASIAEXAMPLESESSION01",
        secretAccessKey: SESSION_SECRET,
        sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN==",
        expiration: new Date("2026-11-29T15:00:00Z"),
      });
    },
    ...extra,
  };
  return { io, err, requests };
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "awsmfa-write-" }),
  );
  try {
    await Deno.mkdir(join(home, ".aws"), { mode: 0o700 });
    await Deno.writeTextFile(join(home, ".aws/credentials"), CREDENTIALS);
    await Deno.writeTextFile(join(home, ".aws/config"), CONFIG);
    await fn(home);
  } finally {
    await sh(`chattr -i -a '${home}/.aws/credentials' 2>/dev/null; true`);
    await Deno.remove(home, { recursive: true });
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

const ARGS = ["--profile", "work", "123456"];

/** Files of ~/.aws outside the session cache. */
async function awsFiles(home: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(join(home, ".aws"))) {
    if (entry.isFile) {
      files[entry.name] = await Deno.readTextFile(
        join(home, ".aws", entry.name),
      );
    }
  }
  return files;
}

/** An error as Deno raises it for an errno without a class of its own. */
function ioError(): Error {
  return Object.assign(new Error("Input/output error (os error 5)"), {
    code: "EIO",
  });
}

Deno.test("write: a credentials lock another process holds stops the run before the code is sent", async () => {
  await withHome(async (home) => {
    const path = join(home, ".aws/credentials");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", WORKER, "hold", path],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let said = "";
    while (!said.includes("locked\n")) {
      const { value, done } = await reader.read();
      assert.ok(!done, `worker ended early: ${said}`);
      said += value;
    }
    try {
      const before = await awsFiles(home);
      const h = harness(home);
      const code = await run(ARGS, h.io);
      assert.equal(code, ExitCode.Local);
      assert.equal(h.requests.length, 0, "the code was sent");
      assert.match(h.err.join(""), /The MFA code was not sent/);
      assert.deepEqual(await awsFiles(home), before);
    } finally {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("go\n"));
      await writer.close();
      while (!(await reader.read()).done) { /* drain */ }
      await child.status;
    }
  });
});

Deno.test({
  name:
    "write: an immutable credentials file stops the run before the code is sent",
  ignore: !IS_ROOT,
}, async () => {
  await withHome(async (home) => {
    const path = join(home, ".aws/credentials");
    if (!await sh(`chattr +i '${path}'`)) return; // not supported here
    const h = harness(home);
    const code = await run(ARGS, h.io);
    assert.equal(code, ExitCode.Local);
    assert.equal(h.requests.length, 0, "the code was sent");
    assert.match(h.err.join(""), /chattr/);
    assert.equal(await Deno.readTextFile(path), CREDENTIALS);
  });
});

Deno.test({
  name: "write: a single-file bind mount is written in place, and says so",
  ignore: !IS_ROOT,
}, async () => {
  await withHome(async (home) => {
    const host = join(home, "host-credentials");
    const path = join(home, ".aws/credentials");
    await Deno.writeTextFile(host, CREDENTIALS);
    if (!await sh(`mount --bind '${host}' '${path}'`)) return;
    try {
      const h = harness(home);
      const code = await run(ARGS, h.io);
      assert.equal(code, ExitCode.Ok, h.err.join(""));
      const text = await Deno.readTextFile(host);
      assert.ok(text.startsWith(CREDENTIALS));
      assert.match(text, /\[mfa\]\naws_access_key_id = ASIAEXAMPLESESSION01\n/);
      assert.match(h.err.join(""), /written in place|wrote it in place/);
      assert.match(
        await Deno.readTextFile(join(home, ".aws/config")),
        /\[profile mfa\]/,
      );
    } finally {
      await sh(`umount '${path}'`);
    }
  });
});

Deno.test("write: a credentials write that fails after STS answered says the session is cached; the next run needs no code", async () => {
  await withHome(async (home) => {
    const before = await awsFiles(home);
    // The session cache goes through the same seam; only the files fail.
    const cache = join(home, ".aws/awsmfa/cache");
    const failing: StoreFs = {
      ...denoStoreFs,
      rename: (from, to) =>
        to.startsWith(cache)
          ? denoStoreFs.rename(from, to)
          : Promise.reject(ioError()),
    };
    const first = harness(home, { storeFs: failing });
    assert.equal(await run(ARGS, first.io), ExitCode.Local);
    assert.equal(first.requests.length, 1);
    const said = first.err.join("");
    assert.match(said, /Cannot write ".*credentials": Input\/output error/);
    assert.match(said, /nothing was changed/);
    assert.match(said, /session cache .*so the next run needs no new code/);
    assert.ok(!said.includes(SESSION_SECRET));
    assert.deepEqual(await awsFiles(home), before);

    const second = harness(home, {
      readPromptLine: () => Promise.reject(new Error("no code may be asked")),
    });
    assert.equal(
      await run(["--profile", "work"], second.io),
      ExitCode.Ok,
      second.err.join(""),
    );
    assert.equal(second.requests.length, 0);
    assert.match(
      await Deno.readTextFile(join(home, ".aws/credentials")),
      /ASIAEXAMPLESESSION01/,
    );
  });
});

Deno.test("write: config write and credentials rollback both failing are both reported, with the files' state", async () => {
  await withHome(async (home) => {
    let renames = 0;
    const cache = join(home, ".aws/awsmfa/cache");
    const fs: StoreFs = {
      ...denoStoreFs,
      // The session cache goes through the same seam and works; of the
      // files, the credentials replacement works, the config one and the
      // rollback fail.
      rename: (from, to) =>
        to.startsWith(cache) || ++renames === 1
          ? denoStoreFs.rename(from, to)
          : Promise.reject(ioError()),
    };
    const h = harness(home, { storeFs: fs });
    assert.equal(await run(ARGS, h.io), ExitCode.Local);
    const said = h.err.join("");
    assert.match(said, /Cannot write ".*config": Input\/output error/);
    assert.match(said, /putting .*credentials back failed too/);
    assert.match(
      said,
      /holds the new profile "mfa" but .*config has no \[profile mfa\]/,
    );
    assert.match(said, /next run needs no new code/);
    // And the next run repairs the pair, with no code.
    const next = harness(home, {
      readPromptLine: () => Promise.reject(new Error("no code may be asked")),
    });
    assert.equal(await run(["--profile", "work"], next.io), ExitCode.Ok);
    assert.equal(next.requests.length, 0);
    assert.match(
      await Deno.readTextFile(join(home, ".aws/config")),
      /\[profile mfa\]/,
    );
  });
});

Deno.test("write: a refresh stopped between the two writes is repaired by the next plain run", async () => {
  await withHome(async (home) => {
    assert.equal(await run(ARGS, harness(home).io), ExitCode.Ok);
    const configPath = join(home, ".aws/config");
    const full = await Deno.readTextFile(configPath);
    assert.match(full, /\[profile mfa\]/);
    // The state a kill between the renames leaves: [mfa] but no [profile mfa].
    await Deno.writeTextFile(configPath, CONFIG);
    const h = harness(home);
    assert.equal(await run(["--profile", "work"], h.io), ExitCode.Ok);
    assert.equal(h.requests.length, 0);
    assert.equal(await Deno.readTextFile(configPath), full);
    assert.match(h.err.join(""), /added the missing \[profile mfa\]/);
  });
});

Deno.test("write: a clear stopped between its two writes leaves a pair the next clear finishes", async () => {
  await withHome(async (home) => {
    assert.equal(await run(ARGS, harness(home).io), ExitCode.Ok);
    // A snapshot of both files at the second replacement of the clear: what
    // a kill at that moment leaves on disk.
    let renames = 0;
    let killed: Record<string, string> | undefined;
    const fs: StoreFs = {
      ...denoStoreFs,
      async rename(from, to) {
        if (++renames === 2) killed = await awsFiles(home);
        return await denoStoreFs.rename(from, to);
      },
    };
    assert.equal(
      await run(["clear", "mfa"], harness(home, { storeFs: fs }).io),
      ExitCode.Ok,
    );
    assert.ok(killed !== undefined, "clear did not replace two files");
    for (const [name, text] of Object.entries(killed)) {
      await Deno.writeTextFile(join(home, ".aws", name), text);
    }
    assert.equal(await run(["clear", "mfa"], harness(home).io), ExitCode.Ok);
    assert.equal(
      await Deno.readTextFile(join(home, ".aws/credentials")),
      CREDENTIALS,
    );
    assert.equal(await Deno.readTextFile(join(home, ".aws/config")), CONFIG);
  });
});

Deno.test("a code typed where the profile name goes is not echoed back", async () => {
  await withHome(async (home) => {
    for (
      const args of [
        ["--profile", "482913"],
        ["--profile", "482913", "--serial-number", SERIAL],
      ]
    ) {
      const h = harness(home);
      const code = await run(args, h.io);
      assert.notEqual(code, ExitCode.Ok);
      assert.equal(h.requests.length, 0);
      assert.ok(!h.err.join("").includes("482913"), h.err.join(""));
    }
  });
});

Deno.test("clear: a profile another run writes between clear's first read and its lock is cleared from what was read under the lock", async () => {
  await withHome(async (home) => {
    // The state another awsmfa is about to write: sessions "a" and "b".
    for (const target of ["a", "b"]) {
      assert.equal(
        await run(
          [...ARGS.slice(0, 2), "--mfa-profile-name", target, "123456"],
          harness(home).io,
        ),
        ExitCode.Ok,
      );
    }
    const withB = await awsFiles(home);
    assert.equal(await run(["clear", "b"], harness(home).io), ExitCode.Ok);
    // clear reads the files without "b"; the other run writes "b" just
    // before clear takes the credentials lock.
    const { fs, changed } = changeAtLock(async () => {
      for (const [name, text] of Object.entries(withB)) {
        await Deno.writeTextFile(join(home, ".aws", name), text);
      }
    });
    const h = harness(home, { storeFs: fs });
    assert.equal(
      await run(["clear", "a", "b"], h.io),
      ExitCode.Ok,
      h.err.join(""),
    );
    assert.ok(changed(), "clear took no credentials lock");
    assert.equal(
      await Deno.readTextFile(join(home, ".aws/credentials")),
      CREDENTIALS,
    );
    assert.equal(await Deno.readTextFile(join(home, ".aws/config")), CONFIG);
  });
});

/** A store seam that runs `change` once, as the credentials lock is taken. */
function changeAtLock(change: () => Promise<void>): {
  fs: StoreFs;
  changed: () => boolean;
} {
  let done = false;
  return {
    fs: {
      ...denoStoreFs,
      async open(path, options) {
        if (!done && path.endsWith(".credentials.awsmfa.lock")) {
          done = true;
          await change();
        }
        return await denoStoreFs.open(path, options);
      },
    },
    changed: () => done,
  };
}

Deno.test("write: a file changed between the first read and the lock (same size, one byte) is read again and its change kept", async () => {
  // What a refresh writes when the files held the change from the start.
  const changedCredentials = CREDENTIALS.replace("# keys", "# KEYS");
  const changedConfig = CONFIG.replace("eu-west-1", "eu-west-2");
  assert.equal(changedCredentials.length, CREDENTIALS.length);
  assert.equal(changedConfig.length, CONFIG.length);
  let expected = "";
  await withHome(async (home) => {
    await Deno.writeTextFile(
      join(home, ".aws/credentials"),
      changedCredentials,
    );
    assert.equal(await run(ARGS, harness(home).io), ExitCode.Ok);
    expected = await Deno.readTextFile(join(home, ".aws/credentials"));
  });
  assert.ok(expected.startsWith("# KEYS\n"));

  await withHome(async (home) => {
    const at = changeAtLock(async () => {
      await Deno.writeTextFile(
        join(home, ".aws/credentials"),
        changedCredentials,
      );
      await Deno.writeTextFile(join(home, ".aws/config"), changedConfig);
    });
    const h = harness(home, { storeFs: at.fs });
    assert.equal(await run(ARGS, h.io), ExitCode.Ok, h.err.join(""));
    assert.ok(at.changed(), "the run took no credentials lock");
    assert.equal(h.requests.length, 1);
    assert.equal(
      await Deno.readTextFile(join(home, ".aws/credentials")),
      expected,
    );
    const config = await Deno.readTextFile(join(home, ".aws/config"));
    assert.ok(config.startsWith(changedConfig), config);
    assert.match(config, /\[profile mfa\]/);
  });
});

Deno.test("write: a file changed under the lock into bytes that are not UTF-8 stops the write as a first read would", async () => {
  await withHome(async (home) => {
    const path = join(home, ".aws/credentials");
    const bytes = new TextEncoder().encode(CREDENTIALS);
    bytes[2] = 0xff; // "# keys" -> "# \xffeys": the same size
    const at = changeAtLock(() => Deno.writeFile(path, bytes));
    const h = harness(home, { storeFs: at.fs });
    assert.equal(await run(ARGS, h.io), ExitCode.Local);
    assert.ok(at.changed(), "the run took no credentials lock");
    assert.match(
      h.err.join(""),
      /Cannot read ".*credentials": it is not valid UTF-8 text; nothing was changed/,
    );
    assert.deepEqual(await Deno.readFile(path), bytes);
    assert.equal(await Deno.readTextFile(join(home, ".aws/config")), CONFIG);
  });
});

Deno.test("write: files unchanged since the first read are compared under the lock, not read and decoded again", async () => {
  await withHome(async (home) => {
    const files = [".aws/credentials", ".aws/config"].map((f) => join(home, f));
    const readWhole: string[] = [];
    const openedToRead: string[] = [];
    const fs: StoreFs = {
      ...denoStoreFs,
      readFile(path, maxBytes) {
        readWhole.push(path);
        return denoStoreFs.readFile(path, maxBytes);
      },
      open(path, options) {
        if (options.read && !options.write) openedToRead.push(path);
        return denoStoreFs.open(path, options);
      },
    };
    const h = harness(home, { storeFs: fs });
    assert.equal(await run(ARGS, h.io), ExitCode.Ok, h.err.join(""));
    assert.deepEqual(readWhole.filter((p) => files.includes(p)), []);
    assert.deepEqual(openedToRead.filter((p) => files.includes(p)), files);
    assert.match(
      await Deno.readTextFile(files[0]),
      /^# keys\n\[work\][^]*\[mfa\]/,
    );
  });
});
