/**
 * lib/commands/refresh.ts driven in-process with injected STS and code
 * command: where the code comes from, reuse and --min-remaining, --output
 * with and without --write; the checks that must stop a run before the MFA
 * code is used, and the rollback when the second file cannot be written
 * after the first one was.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ExitCode } from "../../lib/shared/errors.ts";
import { CodeProcessError } from "../../lib/mfa_code/mfa_process.ts";
import { run } from "../../lib/run.ts";
import {
  BOTH,
  CONFIG,
  CREDENTIALS,
  files,
  harness,
  SECRET,
  SERIAL,
  SESSION_SECRET,
  SESSION_TOKEN,
  withHome,
} from "../support/run_harness.ts";
import { assertNoSecrets } from "../support/cli.ts";

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

Deno.test("run: a target name the editor refuses stops the run before the code is asked for or sent", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home, { stdinRefused: true });
    const code = await run(
      ["--profile", "work", "--mfa-profile-name", "team,mfa"],
      h.io,
    );
    assert.equal(code, ExitCode.Local);
    assert.equal(h.prompts(), 0);
    assert.equal(h.requests.length, 0);
    assert.match(h.err.join(""), /profile name "team,mfa"/);
    assert.deepEqual(await files(home), [CREDENTIALS, CONFIG]);
  });
});

Deno.test("run: a source profile name the editor cannot record stops the run before the code is sent", async () => {
  await withHome({}, async (home) => {
    // A value ending in " #x" would be cut by parsers that strip inline
    // comments; setKeys refuses it, and the run must refuse it first.
    const credentials = `[a #x]\naws_access_key_id = AKIAEXAMPLEWORK00001\n` +
      `aws_secret_access_key = ${SECRET}\n`;
    await Deno.writeTextFile(join(home, ".aws/credentials"), credentials);
    const h = harness(home, { stdinRefused: true });
    const code = await run(
      ["--profile", "a #x", "--serial-number", SERIAL, "123456"],
      h.io,
    );
    assert.equal(code, ExitCode.Local, h.err.join(""));
    assert.equal(h.requests.length, 0);
    assert.equal(
      await Deno.readTextFile(join(home, ".aws/credentials")),
      credentials,
    );
  });
});

Deno.test("run: when the config file cannot be written, the credentials file is put back", async (t) => {
  // The STS double stands in here as a hook: after the checks and before the
  // writes, the config path is replaced by a directory, so the config write
  // fails after the credentials write succeeded.
  const sabotage = (home: string) => async () => {
    await Deno.remove(join(home, ".aws/config")).catch(() => undefined);
    await Deno.mkdir(join(home, ".aws/config"));
  };
  // A refresh whose config write fails after STS answered: exit 3, one call.
  const sabotagedRun = async (home: string) => {
    const h = harness(home, { onSession: sabotage(home), stdinRefused: true });
    const code = await run(["--profile", "work", "123456"], h.io);
    assert.equal(code, ExitCode.Local, h.err.join(""));
    assert.equal(h.requests.length, 1);
    return h;
  };

  await t.step(
    "an existing credentials file is byte-identical again",
    async () => {
      const credentials = CREDENTIALS.replaceAll("\n", "\r\n");
      await withHome({ credentials, config: CONFIG }, async (home) => {
        const h = await sabotagedRun(home);
        assert.equal((await files(home))[0], credentials);
        assert.match(h.err.join(""), /config/);
      });
    },
  );

  await t.step("a credentials file the run created is removed", async () => {
    // Long-term keys in the config file, no credentials file at all.
    const config = CONFIG + `aws_access_key_id = AKIAEXAMPLEWORK00001\n` +
      `aws_secret_access_key = ${SECRET}\n`;
    await withHome({ config }, async (home) => {
      await sabotagedRun(home);
      assert.equal((await files(home))[0], null);
      const left = [];
      for await (const entry of Deno.readDir(join(home, ".aws"))) {
        left.push(entry.name);
      }
      // The session STS gave for the spent code stays in the session cache
      // (~/.aws/awsmfa), so running again after the fix needs no new code.
      assert.deepEqual(left.sort(), ["awsmfa", "config"]);
    });
  });
});

Deno.test("run: a successful run prints nothing on stdout and no secret or code anywhere", async () => {
  await withHome(BOTH, async (home) => {
    const h = harness(home, { stdinRefused: true });
    const code = await run(["--profile", "work"], h.io);
    assert.equal(code, ExitCode.Ok, h.err.join(""));
    assert.equal(h.prompts(), 1);
    assert.deepEqual(h.out, []);
    const printed = h.err.join("");
    assertNoSecrets([printed], [
      SECRET,
      SESSION_SECRET,
      SESSION_TOKEN,
      "987650",
    ]);
    assert.match(
      printed,
      /^MFA code for arn:aws:iam::123456789012:mfa\/alice: /,
    );
    assert.match(printed, /Wrote profile "mfa" \(from "work"\)/);
    assert.equal(h.requests[0].tokenCode, "987650");
    assert.equal(h.requests[0].region, "eu-west-1");
    assert.equal(
      h.requests[0].endpoint,
      "https://sts.eu-west-1.amazonaws.com",
    );
  });
});
