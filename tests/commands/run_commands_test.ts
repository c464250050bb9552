/**
 * lib/run.ts for issue 5, driven in-process with injected STS, code command
 * and child runner: where the code comes from, --output with and without
 * --write, reuse and --min-remaining, exec's environment and nesting guard,
 * status and clear.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { writeCachedSession } from "../support/cache.ts";
import { cacheDirectory, cacheFileName } from "../../lib/sessions/cache_key.ts";
import { ExitCode } from "../../lib/shared/errors.ts";
import type { ChildSpec } from "../../lib/commands/exec.ts";
import { CodeProcessError } from "../../lib/mfa_code/mfa_process.ts";
import type { CodeProcessOptions } from "../../lib/mfa_code/mfa_process.ts";
import { run, type RunIO } from "../../lib/run.ts";
import type { SessionRequest } from "../../lib/sessions/sts_call.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const SESSION_SECRET = "tEmPoRaRySeCrEtKeY/0123456789abcdefghijk";
const SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE==";
const NOW = new Date("2026-11-29T03:00:00Z");
const EXPIRES = new Date("2026-11-29T15:00:00Z");

const CREDENTIALS =
  `# keys\n[work]\naws_access_key_id = AKIAEXAMPLEWORK00001\n` +
  `aws_secret_access_key = ${SECRET}\n`;
const CONFIG = `[profile work]\nregion = eu-west-1\nmfa_serial = ${SERIAL}\n`;

interface Harness {
  io: RunIO;
  env: Record<string, string>;
  out: string[];
  err: string[];
  requests: SessionRequest[];
  commands: [string, CodeProcessOptions][];
  children: ChildSpec[];
  prompts: () => number;
}

function harness(home: string, options: {
  codeProcess?: (command: string) => Promise<string>;
  childExit?: number;
} = {}): Harness {
  const h: Harness = {
    env: { HOME: home },
    out: [],
    err: [],
    requests: [],
    commands: [],
    children: [],
    prompts: () => prompts,
    io: undefined as unknown as RunIO,
  };
  let prompts = 0;
  let issued = 0;
  h.io = {
    env: (name) => h.env[name],
    stdin: new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("246810\n"));
        controller.close();
      },
    }),
    stdinIsTerminal: true,
    writePrompt: (text) => h.err.push(text),
    readPromptLine() {
      prompts++;
      return Promise.resolve("987650");
    },
    stderr: (text) => h.err.push(text),
    stdout: (text) => h.out.push(text),
    now: () => NOW,
    getSession(request) {
      h.requests.push(request);
      issued++;
      return Promise.resolve({
        accessKeyId: `ASIAEXAMPLESESSION0${issued}`,
        secretAccessKey: SESSION_SECRET,
        sessionToken: SESSION_TOKEN,
        expiration: EXPIRES,
      });
    },
    runCodeProcess(command, processOptions) {
      h.commands.push([command, processOptions]);
      return options.codeProcess?.(command) ?? Promise.resolve("135790");
    },
    runChild(spec) {
      h.children.push(spec);
      return Promise.resolve(options.childExit ?? 0);
    },
    windows: false,
  };
  return h;
}

async function withHome(
  files: { credentials?: string; config?: string },
  fn: (home: string) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-run5-" });
  try {
    await Deno.mkdir(join(home, ".aws"), { mode: 0o700 });
    if (files.credentials !== undefined) {
      await Deno.writeTextFile(
        join(home, ".aws/credentials"),
        files.credentials,
      );
    }
    if (files.config !== undefined) {
      await Deno.writeTextFile(join(home, ".aws/config"), files.config);
    }
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function files(home: string): Promise<[string | null, string | null]> {
  const read = (name: string) =>
    Deno.readTextFile(join(home, ".aws", name)).catch(() => null);
  return [await read("credentials"), await read("config")];
}

const BOTH = { credentials: CREDENTIALS, config: CONFIG };

Deno.test("run: the code comes from CODE or stdin first, then --mfa-process, then mfa_process, then the prompt", async (t) => {
  const withProcess = CONFIG + "mfa_process = oathtool --totp -b SECRETSEED\n";
  const cases: [string, string, string[], string, string | undefined][] = [
    [
      "CODE beats both commands",
      withProcess,
      ["--mfa-process", "x", "123456"],
      "123456",
      undefined,
    ],
    ["- reads stdin", withProcess, ["-"], "246810", undefined],
    [
      "--mfa-process beats the config",
      withProcess,
      ["--mfa-process", "ykman oath accounts code --single aws"],
      "135790",
      "ykman oath accounts code --single aws",
    ],
    [
      "mfa_process of the source profile",
      withProcess,
      [],
      "135790",
      "oathtool --totp -b SECRETSEED",
    ],
    ["the prompt without either", CONFIG, [], "987650", undefined],
  ];
  for (const [name, config, args, code, command] of cases) {
    await t.step(name, async () => {
      await withHome({ credentials: CREDENTIALS, config }, async (home) => {
        const h = harness(home);
        const exit = await run(["--profile", "work", ...args], h.io);
        assert.equal(exit, ExitCode.Ok, h.err.join(""));
        assert.equal(h.requests[0].tokenCode, code);
        assert.deepEqual(h.commands.map(([c]) => c), command ? [command] : []);
        assert.equal(h.prompts(), code === "987650" ? 1 : 0);
        if (command !== undefined) {
          const [, options] = h.commands[0];
          assert.equal(options.timeoutMs, 30_000);
          assert.equal(options.windows, false);
          assert.equal(
            options.origin,
            args.length > 0
              ? "from --mfa-process"
              : 'from mfa_process of profile "work"',
          );
        }
        assert.ok(!h.err.join("").includes("SECRETSEED"));
      });
    });
  }
  await t.step("AWSMFA_MFA_PROCESS_TIMEOUT sets the time allowed", async () => {
    await withHome(BOTH, async (home) => {
      const h = harness(home);
      h.env.AWSMFA_MFA_PROCESS_TIMEOUT = "2.5";
      await run(["--profile", "work", "--mfa-process", "x"], h.io);
      assert.equal(h.commands[0][1].timeoutMs, 2500);
    });
  });
});

Deno.test("run: a failing code command stops the run with exit 3, files untouched, STS not called", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home, {
      codeProcess: () =>
        Promise.reject(
          new CodeProcessError('The MFA code command "x" failed.'),
        ),
    });
    const exit = await run(["--profile", "work", "--mfa-process", "x"], h.io);
    assert.equal(exit, ExitCode.Local);
    assert.equal(h.requests.length, 0);
    assert.match(
      h.err.join(""),
      /^awsmfa: The MFA code command "x" failed\.\n$/,
    );
    assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
  });
});

Deno.test("run: a still-valid target is reused without running the code command", async () => {
  await withHome(BOTH, async (home) => {
    const first = harness(home);
    assert.equal(await run(["--profile", "work", "111111"], first.io), 0);
    const h = harness(home);
    const exit = await run(["--profile", "work", "--mfa-process", "x"], h.io);
    assert.equal(exit, 0);
    assert.deepEqual(h.commands, []);
    assert.equal(h.requests.length, 0);
    assert.match(h.err.join(""), /still valid for 12h,/);
  });
});

Deno.test("run: --output json and env print the session and write nothing", async (t) => {
  for (
    const [args, check] of [
      [["--output", "json"], (out: string) => {
        const parsed = JSON.parse(out);
        assert.deepEqual(parsed, {
          Version: 1,
          AccessKeyId: "ASIAEXAMPLESESSION01",
          SecretAccessKey: SESSION_SECRET,
          SessionToken: SESSION_TOKEN,
          Expiration: "2026-11-29T15:00:00Z",
        });
      }],
      [["--output", "env", "--shell", "fish"], (out: string) => {
        assert.match(
          out,
          /^set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLESESSION01'$/m,
        );
        assert.match(out, /^set -e AWS_PROFILE/m);
      }],
      [["--output", "env"], (out: string) => {
        assert.match(out, /^export AWS_SESSION_TOKEN='FwoG/m);
      }],
    ] as [string[], (out: string) => void][]
  ) {
    await t.step(args.join(" "), async () => {
      await withHome(BOTH, async (home) => {
        const h = harness(home);
        const exit = await run(["--profile", "work", "123456", ...args], h.io);
        assert.equal(exit, 0, h.err.join(""));
        check(h.out.join(""));
        assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
        const err = h.err.join("");
        assert.match(err, /nothing was written/);
        for (const secret of [SESSION_SECRET, SESSION_TOKEN, "123456"]) {
          assert.ok(!err.includes(secret), `stderr has ${secret}`);
        }
      });
    });
  }
  await t.step("--shell defaults to $SHELL", async () => {
    await withHome(BOTH, async (home) => {
      const h = harness(home);
      h.env.SHELL = "/usr/bin/fish";
      await run(["--profile", "work", "123456", "--output", "env"], h.io);
      assert.match(h.out.join(""), /^set -gx /m);
    });
  });
  await t.step(
    "--write also writes the files; the next run reuses them",
    async () => {
      await withHome(BOTH, async (home) => {
        const h = harness(home);
        const exit = await run(
          ["--profile", "work", "123456", "--output", "json", "--write"],
          h.io,
        );
        assert.equal(exit, 0, h.err.join(""));
        const [credentials, config] = await files(home);
        assert.match(
          credentials!,
          /\[mfa\]\naws_access_key_id = ASIAEXAMPLESESSION01\n/,
        );
        assert.match(config!, /\[profile mfa\]\nregion = eu-west-1\n/);
        assert.match(h.err.join(""), /Wrote profile "mfa"/);

        const again = harness(home);
        assert.equal(
          await run(["--profile", "work", "--output", "json"], again.io),
          0,
        );
        assert.equal(again.requests.length, 0);
        assert.equal(
          JSON.parse(again.out.join("")).AccessKeyId,
          "ASIAEXAMPLESESSION01",
        );
        assert.match(
          again.err.join(""),
          /Using profile "mfa" \(from "work"\), valid for 12h,/,
        );
      });
    },
  );
});

Deno.test("run: --min-remaining decides when a stored session is too short", async (t) => {
  // The stored session has 12h left (NOW 03:00, it ends 15:00).
  const cases: [string[], boolean][] = [
    [[], true],
    [["--min-remaining", "11h59m"], true],
    // (a --min-remaining not shorter than the session asked for is refused)
    [["--min-remaining", "12h", "--duration-seconds", "24h"], false],
    [["--min-remaining", "13h", "--duration-seconds", "24h"], false],
    [["--min-remaining", "0", "--force"], false],
  ];
  for (const [args, reused] of cases) {
    await t.step(
      `${args.join(" ") || "default 15m"}: ${reused ? "reuse" : "new"}`,
      async () => {
        await withHome(BOTH, async (home) => {
          assert.equal(
            await run(["--profile", "work", "111111"], harness(home).io),
            0,
          );
          const h = harness(home);
          const exit = await run(
            ["--profile", "work", "222222", ...args],
            h.io,
          );
          assert.equal(exit, 0, h.err.join(""));
          assert.equal(h.requests.length, reused ? 0 : 1);
          const exec = harness(home);
          await run([
            "exec",
            "--profile",
            "work",
            "333333",
            ...args,
            "--",
            "true",
          ], exec.io);
          assert.equal(exec.requests.length, reused ? 0 : 1);
        });
      },
    );
  }
});

Deno.test("run: exec hands the session to the command and returns its exit code", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home, { childExit: 42 });
    h.env.AWS_PROFILE = "work";
    const exit = await run(["exec", "123456", "--", "aws", "s3", "ls"], h.io);
    assert.equal(exit, 42, h.err.join(""));
    assert.equal(h.children.length, 1);
    const [spec] = h.children;
    assert.deepEqual(spec.argv, ["aws", "s3", "ls"]);
    assert.deepEqual(spec.set, {
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLESESSION01",
      AWS_SECRET_ACCESS_KEY: SESSION_SECRET,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_CREDENTIAL_EXPIRATION: "2026-11-29T15:00:00Z",
      AWSMFA_EXEC: "mfa",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
    });
    assert.deepEqual(spec.unset, [
      "AWS_PROFILE",
      "AWS_DEFAULT_PROFILE",
      "AWS_SECURITY_TOKEN",
    ]);
    assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
    assert.deepEqual(h.out, []);
  });
});

Deno.test("run: exec keeps a region already in the environment, and --write writes", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home);
    h.env.AWS_REGION = "ap-south-1";
    const exit = await run([
      "exec",
      "--profile",
      "work",
      "123456",
      "--write",
      "--",
      "true",
    ], h.io);
    assert.equal(exit, 0, h.err.join(""));
    assert.equal(h.children[0].set.AWS_REGION, undefined);
    assert.equal(h.children[0].set.AWS_DEFAULT_REGION, undefined);
    assert.match((await files(home))[0]!, /\[mfa\]/);
  });
});

Deno.test("run: exec refuses to run inside another awsmfa exec, before anything else", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home);
    h.env.AWSMFA_EXEC = "mfa";
    const exit = await run(["exec", "--profile", "work", "--", "true"], h.io);
    assert.equal(exit, ExitCode.Local);
    assert.equal(h.requests.length + h.children.length + h.prompts(), 0);
    assert.match(
      h.err.join(""),
      /already runs inside awsmfa exec \(profile "mfa"\)/,
    );
  });
});

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

/** The names of the session cache's entries under `home`. */
async function cacheEntries(home: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(cacheDirectory(home))) {
      if (entry.name.endsWith(".json")) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

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
    await writeCachedSession(
      cacheDirectory(home),
      { sourceProfile: "other", serialNumber: SERIAL },
      {
        accessKeyId: "ASIAEXAMPLEOTHER0001",
        secretAccessKey: SESSION_SECRET,
        sessionToken: SESSION_TOKEN,
        expiration: EXPIRES,
      },
    );
    const clear = harness(home);
    assert.equal(await run(["clear", "mfa", "mfa2"], clear.io), 0);
    assert.match(
      clear.err.join(""),
      /Removed 1 cached session from .*cache\.\n$/,
    );
    const otherEntry = await cacheFileName({
      sourceProfile: "other",
      serialNumber: SERIAL,
    });
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
