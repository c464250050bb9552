/**
 * lib/sessions/provider.ts (the session provider): when a session comes from the cache, when a role is
 * chained from a cached MFA session (no code, at most 1 hour), when a code
 * is asked for; what a failed call leaves on disk; going on without a cache
 * that cannot be used; one code and one STS call for callers starting
 * together. STS is replaced by recording fakes, the clock is fixed.
 */
import assert from "node:assert/strict";
import {
  cacheKeyOf,
  type ProviderIO,
  provideSession,
  type WantedSession,
} from "../../lib/sessions/provider.ts";
import { writeCachedSession } from "../support/cache.ts";
import type {
  BaseRequest,
  RoleRequest,
  SessionRequest,
} from "../../lib/sessions/sts_call.ts";
import { cacheDirectory, cacheFileName } from "../../lib/sessions/cache_key.ts";
import { readCachedSession } from "../../lib/sessions/cache_file.ts";
import { denoStoreFs, type StoreFs } from "../../lib/files/fs.ts";
import { AwsmfaError, ExitCode } from "../../lib/shared/errors.ts";
import type { RoleSpec, SessionSubject } from "../../lib/sessions/role.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";
import { StsError } from "../../lib/sessions/sts_error.ts";
import { withTempDir } from "../support/temp.ts";

const NOW = new Date(Date.UTC(2026, 10, 29, 4, 0, 0));
const HOUR = 3600_000;
const MIN_REMAINING = 15 * 60_000;
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const CODE = "123456";
const ROLE: RoleSpec = {
  roleArn: "arn:aws:iam::111122223333:role/admin",
  roleSessionName: "awsmfa-alice",
};
const MFA_SUBJECT: SessionSubject = {
  source: "work",
  config: undefined,
  serial: SERIAL,
};
const BASE: BaseRequest = {
  accessKeyId: "AKIAEXAMPLELONGTERM1",
  secretAccessKey: "longTermSecret/abc+def",
  region: "eu-west-1",
  endpoint: "https://sts.eu-west-1.amazonaws.com",
  serialNumber: SERIAL,
  durationSeconds: 43200,
  sourceProfile: "work",
};

function roleSubject(role: Partial<RoleSpec> = {}): SessionSubject {
  return { ...MFA_SUBJECT, role: { ...ROLE, ...role } };
}

function session(name: string, expiresInMs: number): SessionValues {
  return {
    accessKeyId: `ASIA${name.toUpperCase().padEnd(16, "X")}`,
    secretAccessKey: `secret-${name}/+=`,
    sessionToken: `token-${name}==`,
    expiration: new Date(NOW.getTime() + expiresInMs),
  };
}

/** Recording fakes of STS, the code source and stderr, with a fixed clock. */
function world(delayMs = 0) {
  const sessionCalls: SessionRequest[] = [];
  const roleCalls: RoleRequest[] = [];
  const stderr: string[] = [];
  let codes = 0;
  let requests = 0;
  const pause = () =>
    delayMs > 0
      ? new Promise((done) => setTimeout(done, delayMs))
      : Promise.resolve();
  const io: ProviderIO = {
    env: () => undefined,
    stderr: (text) => stderr.push(text),
    now: () => new Date(NOW),
    getSession: async (request) => {
      sessionCalls.push(request);
      await pause();
      return session(`mfa${sessionCalls.length}`, 12 * HOUR);
    },
    assumeRole: async (request) => {
      roleCalls.push(request);
      await pause();
      return session(`role${roleCalls.length}`, HOUR);
    },
  };
  const getCode = async () => {
    codes++;
    await pause();
    return CODE;
  };
  const need = (
    subject: SessionSubject,
    cacheDir: string | undefined,
    force = false,
  ): WantedSession => ({
    subject,
    request: () => {
      requests++;
      return Promise.resolve({ ...BASE });
    },
    force,
    minRemainingMs: MIN_REMAINING,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  });
  return {
    io,
    getCode,
    need,
    sessionCalls,
    roleCalls,
    stderr,
    codes: () => codes,
    requests: () => requests,
  };
}

async function listing(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string, prefix: string) => {
    for await (const entry of Deno.readDir(path)) {
      found.push(prefix + entry.name);
      if (entry.isDirectory) {
        await walk(`${path}/${entry.name}`, `${prefix}${entry.name}/`);
      }
    }
  };
  await walk(dir, "");
  return found.sort();
}

Deno.test("provideSession: a fresh cached session is the answer — no code, no STS call, no request built", async () => {
  await withTempDir("provider_", async (home) => {
    const dir = cacheDirectory(home);
    for (const subject of [MFA_SUBJECT, roleSubject()]) {
      const cached = session(subject.role ? "cachedrole" : "cachedmfa", HOUR);
      await writeCachedSession(dir, cacheKeyOf(subject), cached);
      const w = world();
      const got = await provideSession(w.need(subject, dir), w.getCode, w.io);
      assert.equal(got.origin, "cache");
      assert.deepEqual(got.session, cached);
      assert.equal(w.codes(), 0);
      assert.equal(w.sessionCalls.length + w.roleCalls.length, 0);
      assert.equal(w.requests(), 0);
      assert.deepEqual(w.stderr, []);
    }
  });
});

Deno.test("provideSession: a cached session with no more than --min-remaining left is not used", async () => {
  await withTempDir("provider_", async (home) => {
    const dir = cacheDirectory(home);
    await writeCachedSession(
      dir,
      cacheKeyOf(MFA_SUBJECT),
      session("old", MIN_REMAINING),
    );
    const w = world();
    const got = await provideSession(w.need(MFA_SUBJECT, dir), w.getCode, w.io);
    assert.equal(got.origin, "code");
    assert.equal(got.session.accessKeyId, session("mfa1", 0).accessKeyId);
    assert.equal(w.codes(), 1);
    assert.deepEqual(w.sessionCalls, [{ ...BASE, tokenCode: CODE }]);
  });
});

Deno.test("provideSession: a role is chained from a fresh cached MFA session, with no code", async (t) => {
  const cases: [string, number | undefined, number | undefined, boolean][] = [
    ["no duration asked: none sent, no note", undefined, undefined, false],
    ["1800 s asked: sent as is, no note", 1800, 1800, false],
    ["exactly 3600 s asked: no note", 3600, 3600, false],
    ["7200 s asked: 3600 sent and a note", 7200, 3600, true],
    ["43200 s asked: 3600 sent and a note", 43200, 3600, true],
  ];
  for (const [name, asked, sent, noted] of cases) {
    await t.step(name, async () => {
      await withTempDir("provider_", async (home) => {
        const dir = cacheDirectory(home);
        const mfa = session("cachedmfa", 2 * HOUR);
        await writeCachedSession(dir, cacheKeyOf(MFA_SUBJECT), mfa);
        const subject = roleSubject(
          asked !== undefined ? { durationSeconds: asked } : {},
        );
        const w = world();
        const got = await provideSession(w.need(subject, dir), w.getCode, w.io);
        assert.equal(got.origin, "chained");
        assert.equal(w.codes(), 0);
        assert.equal(w.sessionCalls.length, 0);
        assert.equal(w.roleCalls.length, 1);
        const call = w.roleCalls[0];
        assert.deepEqual(call, {
          region: BASE.region,
          endpoint: BASE.endpoint,
          roleArn: ROLE.roleArn,
          roleSessionName: ROLE.roleSessionName,
          sourceProfile: "work",
          accessKeyId: mfa.accessKeyId,
          secretAccessKey: mfa.secretAccessKey,
          sessionToken: mfa.sessionToken,
          ...(sent !== undefined ? { durationSeconds: sent } : {}),
        });
        assert.equal("serialNumber" in call, false);
        assert.equal("tokenCode" in call, false);
        assert.equal("externalId" in call, false);
        const text = w.stderr.join("");
        if (noted) {
          assert.equal(w.stderr.length, 1);
          assert.match(
            text,
            /^awsmfa: note: assuming arn:aws:iam::111122223333:role\/admin with the cached MFA session of profile "work" is role chaining, which AWS limits to 1 hour, so the role session lasts 1h, not the \d+h asked for; use --force to enter a code for a longer one\.\n$/,
          );
          assert.ok(text.includes(`not the ${asked! / 3600}h asked for`));
        } else {
          assert.equal(text, "");
        }
        assert.ok(!text.includes(mfa.secretAccessKey));
        assert.ok(!text.includes(mfa.sessionToken));
        // The chained session is cached under the role's own entry.
        assert.deepEqual(
          await readCachedSession(
            dir,
            cacheKeyOf(subject),
            MIN_REMAINING,
            NOW.getTime(),
          ),
          got.session,
        );
      });
    });
  }
  await t.step("the external id goes along", async () => {
    await withTempDir("provider_", async (home) => {
      const dir = cacheDirectory(home);
      await writeCachedSession(
        dir,
        cacheKeyOf(MFA_SUBJECT),
        session("m", HOUR),
      );
      const w = world();
      await provideSession(
        w.need(roleSubject({ externalId: "ext-42" }), dir),
        w.getCode,
        w.io,
      );
      assert.equal(w.roleCalls[0].externalId, "ext-42");
      assert.equal(w.roleCalls[0].sessionToken, session("m", 0).sessionToken);
    });
  });
  await t.step(
    "an MFA session of another serial or source is not used",
    async () => {
      await withTempDir("provider_", async (home) => {
        const dir = cacheDirectory(home);
        for (
          const other of [
            { ...MFA_SUBJECT, serial: "GAHT12345678" },
            { ...MFA_SUBJECT, source: "personal" },
          ]
        ) {
          await writeCachedSession(dir, cacheKeyOf(other), session("x", HOUR));
        }
        const w = world();
        const got = await provideSession(
          w.need(roleSubject(), dir),
          w.getCode,
          w.io,
        );
        assert.equal(got.origin, "code");
        assert.equal(w.codes(), 1);
        assert.equal(w.roleCalls[0].tokenCode, CODE);
      });
    },
  );
});

Deno.test("provideSession: STS refusing the cached MFA session of a chain says so and points at --force", async () => {
  await withTempDir("provider_", async (home) => {
    const dir = cacheDirectory(home);
    await writeCachedSession(dir, cacheKeyOf(MFA_SUBJECT), session("m", HOUR));
    for (
      const [awsCode, exitCode, rewritten] of [
        ["ExpiredToken", ExitCode.AuthRejected, true],
        ["InvalidClientTokenId", ExitCode.AuthRejected, true],
        ["AccessDenied", ExitCode.AuthRejected, false],
        ["Throttling", ExitCode.Network, false],
      ] as const
    ) {
      const w = world();
      const refusal = new StsError(
        "STS refused the security token.",
        exitCode,
        awsCode,
        false,
      );
      w.io.assumeRole = () => Promise.reject(refusal);
      await assert.rejects(
        provideSession(w.need(roleSubject(), dir), w.getCode, w.io),
        (error) => {
          assert.ok(error instanceof AwsmfaError);
          assert.equal(error.exitCode, exitCode);
          if (rewritten) {
            assert.equal(
              error.message,
              "STS refused the security token: these were the cached MFA session's, so run again with --force to enter a code.",
            );
          } else {
            assert.equal(error, refusal);
          }
          return true;
        },
      );
      assert.equal(w.codes(), 0);
    }
    // Nothing was cached for the role.
    assert.equal(
      await readCachedSession(
        dir,
        cacheKeyOf(roleSubject()),
        0,
        NOW.getTime(),
      ),
      undefined,
    );
  });
});

Deno.test("provideSession --force: a code even with fresh cached sessions, and no chaining", async (t) => {
  await t.step("MFA session", async () => {
    await withTempDir("provider_", async (home) => {
      const dir = cacheDirectory(home);
      await writeCachedSession(
        dir,
        cacheKeyOf(MFA_SUBJECT),
        session("cachedmfa", 10 * HOUR),
      );
      const w = world();
      const got = await provideSession(
        w.need(MFA_SUBJECT, dir, true),
        w.getCode,
        w.io,
      );
      assert.equal(got.origin, "code");
      assert.equal(w.codes(), 1);
      assert.deepEqual(w.sessionCalls, [{ ...BASE, tokenCode: CODE }]);
      // The new session replaced the cached one.
      assert.deepEqual(
        await readCachedSession(
          dir,
          cacheKeyOf(MFA_SUBJECT),
          0,
          NOW.getTime(),
        ),
        got.session,
      );
    });
  });
  await t.step("role session", async () => {
    await withTempDir("provider_", async (home) => {
      const dir = cacheDirectory(home);
      const subject = roleSubject({ durationSeconds: 7200 });
      await writeCachedSession(
        dir,
        cacheKeyOf(MFA_SUBJECT),
        session("cachedmfa", 10 * HOUR),
      );
      await writeCachedSession(
        dir,
        cacheKeyOf(subject),
        session("cachedrole", HOUR),
      );
      const w = world();
      const got = await provideSession(
        w.need(subject, dir, true),
        w.getCode,
        w.io,
      );
      assert.equal(got.origin, "code");
      assert.equal(w.codes(), 1);
      assert.equal(w.roleCalls.length, 1);
      assert.equal(w.roleCalls[0].accessKeyId, BASE.accessKeyId);
      assert.equal(w.roleCalls[0].sessionToken, undefined);
      assert.equal(w.roleCalls[0].serialNumber, SERIAL);
      assert.equal(w.roleCalls[0].tokenCode, CODE);
      assert.equal(w.roleCalls[0].durationSeconds, 7200);
      assert.deepEqual(w.stderr, []);
    });
  });
});

Deno.test("provideSession: a role without a fresh cached MFA session is AssumeRole with the serial, the code and the asked duration", async (t) => {
  for (
    const [name, mfaLeft] of [
      ["no MFA session cached", undefined],
      ["the cached MFA session is about to end", 10 * 60_000],
    ] as const
  ) {
    await t.step(name, async () => {
      await withTempDir("provider_", async (home) => {
        const dir = cacheDirectory(home);
        if (mfaLeft !== undefined) {
          await writeCachedSession(
            dir,
            cacheKeyOf(MFA_SUBJECT),
            session("old", mfaLeft),
          );
        }
        const subject = roleSubject({
          durationSeconds: 7200,
          externalId: "ext-42",
        });
        const w = world();
        const got = await provideSession(w.need(subject, dir), w.getCode, w.io);
        assert.equal(got.origin, "code");
        assert.equal(w.codes(), 1);
        assert.equal(w.sessionCalls.length, 0);
        assert.deepEqual(w.roleCalls, [{
          region: BASE.region,
          endpoint: BASE.endpoint,
          roleArn: ROLE.roleArn,
          roleSessionName: ROLE.roleSessionName,
          externalId: "ext-42",
          sourceProfile: "work",
          accessKeyId: BASE.accessKeyId,
          secretAccessKey: BASE.secretAccessKey,
          serialNumber: SERIAL,
          tokenCode: CODE,
          durationSeconds: 7200,
        }]);
        assert.deepEqual(w.stderr, []);
        assert.deepEqual(
          await readCachedSession(
            dir,
            cacheKeyOf(subject),
            0,
            NOW.getTime(),
          ),
          got.session,
        );
      });
    });
  }
  await t.step("no duration asked: none sent", async () => {
    await withTempDir("provider_", async (home) => {
      const w = world();
      await provideSession(
        w.need(roleSubject(), cacheDirectory(home)),
        w.getCode,
        w.io,
      );
      assert.equal("durationSeconds" in w.roleCalls[0], false);
    });
  });
});

Deno.test("provideSession: a failed STS call caches nothing and leaves the disk as it was", async (t) => {
  const refusal = new AwsmfaError(
    "STS refused the code.",
    ExitCode.CodeRejected,
  );
  for (const subject of [MFA_SUBJECT, roleSubject()]) {
    const kind = subject.role ? "role" : "MFA";
    await t.step(`${kind}: the directories it created go again`, async () => {
      await withTempDir("provider_", async (home) => {
        const w = world();
        w.io.getSession = () => Promise.reject(refusal);
        w.io.assumeRole = () => Promise.reject(refusal);
        await assert.rejects(
          provideSession(
            w.need(subject, cacheDirectory(home)),
            w.getCode,
            w.io,
          ),
          (error) => error === refusal,
        );
        assert.equal(w.codes(), 1);
        assert.deepEqual(await listing(home), []);
      });
    });
    await t.step(
      `${kind}: an existing directory stays, without entry or lock`,
      async () => {
        await withTempDir("provider_", async (home) => {
          const dir = cacheDirectory(home);
          await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
          await Deno.writeTextFile(`${dir}/unrelated.json`, "{}\n");
          const w = world();
          w.io.getSession = () => Promise.reject(refusal);
          w.io.assumeRole = () => Promise.reject(refusal);
          await assert.rejects(
            provideSession(w.need(subject, dir), w.getCode, w.io),
            (error) => error === refusal,
          );
          assert.deepEqual(await listing(home), [
            ".aws",
            ".aws/awsmfa",
            ".aws/awsmfa/cache",
            ".aws/awsmfa/cache/unrelated.json",
          ]);
        });
      },
    );
  }
  await t.step(
    "a code that cannot be had: nothing fetched, nothing left",
    async () => {
      await withTempDir("provider_", async (home) => {
        const w = world();
        const noCode = new AwsmfaError("No code.", ExitCode.Local);
        await assert.rejects(
          provideSession(
            w.need(MFA_SUBJECT, cacheDirectory(home)),
            () => Promise.reject(noCode),
            w.io,
          ),
          (error) => error === noCode,
        );
        assert.equal(w.sessionCalls.length, 0);
        assert.deepEqual(await listing(home), []);
      });
    },
  );
});

Deno.test("provideSession: a cache directory that cannot be used is warned about, and the session is still fetched", async (t) => {
  for (const subject of [MFA_SUBJECT, roleSubject()]) {
    const kind = subject.role ? "role" : "MFA";
    await t.step(
      `${kind}: a file where a parent directory should be`,
      async () => {
        await withTempDir("provider_", async (home) => {
          await Deno.writeTextFile(`${home}/.aws`, "not a directory\n");
          const dir = cacheDirectory(home);
          const w = world();
          const got = await provideSession(
            w.need(subject, dir),
            w.getCode,
            w.io,
          );
          assert.equal(got.origin, "code");
          assert.equal(w.codes(), 1);
          assert.equal(w.sessionCalls.length + w.roleCalls.length, 1);
          assert.equal(w.stderr.length, 1);
          assert.match(
            w.stderr[0],
            /^awsmfa: warning: .*; going on without the session cache\.\n$/,
          );
          assert.ok(w.stderr[0].includes(home), w.stderr[0]);
          assert.ok(!w.stderr[0].includes(got.session.secretAccessKey));
          assert.equal(
            await Deno.readTextFile(`${home}/.aws`),
            "not a directory\n",
          );
        });
      },
    );
  }
  await t.step("a file where the cache directory should be", async () => {
    await withTempDir("provider_", async (home) => {
      const dir = cacheDirectory(home);
      await Deno.mkdir(`${home}/.aws/awsmfa`, { recursive: true });
      await Deno.writeTextFile(dir, "");
      const w = world();
      const got = await provideSession(
        w.need(MFA_SUBJECT, dir),
        w.getCode,
        w.io,
      );
      assert.equal(got.origin, "code");
      assert.equal(w.sessionCalls.length, 1);
      assert.match(w.stderr.join(""), /going on without the session cache/);
      assert.equal((await Deno.stat(dir)).isFile, true);
    });
  });
});

Deno.test("provideSession without a cache directory: every call fetches, nothing is chained", async () => {
  const w = world();
  for (let i = 1; i <= 2; i++) {
    const got = await provideSession(
      w.need(MFA_SUBJECT, undefined),
      w.getCode,
      w.io,
    );
    assert.equal(got.origin, "code");
    assert.equal(w.codes(), i);
    assert.equal(w.sessionCalls.length, i);
  }
  const role = await provideSession(
    w.need(roleSubject(), undefined),
    w.getCode,
    w.io,
  );
  assert.equal(role.origin, "code");
  assert.equal(w.roleCalls[0].tokenCode, CODE);
  assert.equal(w.roleCalls[0].sessionToken, undefined);
  assert.deepEqual(w.stderr, []);
});

Deno.test("cacheKeyOf: an MFA session's key names no role; role, session name and external id each make another entry", async () => {
  assert.deepEqual(cacheKeyOf(MFA_SUBJECT), {
    sourceProfile: "work",
    serialNumber: SERIAL,
  });
  assert.deepEqual(cacheKeyOf(roleSubject({ externalId: "ext-1" })), {
    sourceProfile: "work",
    serialNumber: SERIAL,
    roleArn: ROLE.roleArn,
    roleSessionName: ROLE.roleSessionName,
    externalId: "ext-1",
  });
  // Duration and the role profile's name do not change what the session is.
  assert.deepEqual(
    cacheKeyOf(roleSubject({ durationSeconds: 900, profile: "admin" })),
    cacheKeyOf(roleSubject()),
  );
  const subjects = [
    MFA_SUBJECT,
    roleSubject(),
    roleSubject({ roleArn: "arn:aws:iam::111122223333:role/ops" }),
    roleSubject({ roleSessionName: "alice-admin" }),
    roleSubject({ externalId: "ext-1" }),
    roleSubject({ externalId: "ext-2" }),
    { ...roleSubject(), serial: "GAHT12345678" },
    { ...roleSubject(), source: "personal" },
  ];
  const names = await Promise.all(
    subjects.map((subject) => cacheFileName(cacheKeyOf(subject))),
  );
  assert.equal(new Set(names).size, subjects.length);
});

Deno.test("provideSession: two callers on a cold cache entry cause one code and one STS call", async (t) => {
  for (const subject of [MFA_SUBJECT, roleSubject()]) {
    await t.step(subject.role ? "role" : "MFA", async () => {
      await withTempDir("provider_", async (home) => {
        const dir = cacheDirectory(home);
        const w = world(50);
        const [a, b] = await Promise.all([
          provideSession(w.need(subject, dir), w.getCode, w.io),
          provideSession(w.need(subject, dir), w.getCode, w.io),
        ]);
        assert.equal(w.codes(), 1);
        assert.equal(w.sessionCalls.length + w.roleCalls.length, 1);
        assert.deepEqual(a.session, b.session);
        assert.deepEqual(
          [a.origin, b.origin].sort(),
          ["cache", "code"],
        );
        assert.deepEqual(await listing(dir), [
          await cacheFileName(cacheKeyOf(subject)),
        ]);
      });
    });
  }
});

Deno.test("provideSession: an MFA cache entry that cannot be read is no session to chain from", async () => {
  await withTempDir("provider_", async (home) => {
    const dir = cacheDirectory(home);
    await Deno.mkdir(dir, { recursive: true });
    // Not UTF-8: reading it is a StoreError, not a parse miss.
    await Deno.writeFile(
      `${dir}/${await cacheFileName(cacheKeyOf(MFA_SUBJECT))}`,
      new Uint8Array([0xff, 0xfe, 0x00, 0xc3]),
    );
    const w = world();
    const got = await provideSession(
      w.need(roleSubject(), dir),
      w.getCode,
      w.io,
    );
    assert.equal(got.origin, "code");
    assert.equal(w.codes(), 1);
    assert.equal(w.roleCalls.length, 1);
    assert.equal(w.roleCalls[0].tokenCode, CODE);
    assert.equal(w.roleCalls[0].sessionToken, undefined);
  });
});

Deno.test("provideSession: the cache goes through the injected file system (io.storeFs)", async (t) => {
  await t.step(
    "a role chained from a cached MFA session: both entries go through it",
    async () => {
      await withTempDir("provider_", async (home) => {
        const dir = cacheDirectory(home);
        await writeCachedSession(
          dir,
          cacheKeyOf(MFA_SUBJECT),
          session("cachedmfa", 2 * HOUR),
        );
        // Every operation, with the path it is asked about.
        const used: string[] = [];
        const fs = Object.fromEntries(
          Object.entries(denoStoreFs).map(([name, op]) => [
            name,
            (...args: unknown[]) => {
              if (typeof args[0] === "string") used.push(args[0]);
              return (op as (...a: unknown[]) => unknown)(...args);
            },
          ]),
        ) as unknown as StoreFs;
        const w = world();
        const got = await provideSession(
          w.need(roleSubject(), dir),
          w.getCode,
          { ...w.io, storeFs: fs },
        );
        assert.equal(got.origin, "chained");
        const mfaEntry = `${dir}/${await cacheFileName(
          cacheKeyOf(MFA_SUBJECT),
        )}`;
        const roleName = await cacheFileName(cacheKeyOf(roleSubject()));
        assert.ok(used.includes(mfaEntry), JSON.stringify(used));
        assert.ok(
          used.some((path) => path.includes(roleName)),
          JSON.stringify(used),
        );
        assert.equal(
          (await readCachedSession(
            dir,
            cacheKeyOf(roleSubject()),
            0,
            NOW.getTime(),
          ))
            ?.accessKeyId,
          got.session.accessKeyId,
          "and the role session is cached",
        );
      });
    },
  );
  await t.step(
    "a failing file system: warned about, the session still provided, nothing on disk",
    async () => {
      await withTempDir("provider_", async (home) => {
        const dir = cacheDirectory(home);
        const fs: StoreFs = {
          ...denoStoreFs,
          mkdir: () =>
            Promise.reject(new Deno.errors.PermissionDenied("injected")),
        };
        const w = world();
        const got = await provideSession(
          w.need(MFA_SUBJECT, dir),
          w.getCode,
          { ...w.io, storeFs: fs },
        );
        assert.equal(got.origin, "code");
        assert.equal(got.cached, false);
        assert.equal(w.sessionCalls.length, 1);
        assert.equal(w.stderr.length, 1);
        assert.match(
          w.stderr[0],
          /^awsmfa: warning: Cannot create the session cache directory ".*": permission denied; going on without the session cache\.\n$/,
        );
        assert.deepEqual(await listing(home), []);
      });
    },
  );
});
