/**
 * lib/mfa_code/mfa_process.ts with a real `sh`: a code is accepted only when it is
 * the whole trimmed output, every failure is one sentence that names the
 * command by its first word and never shows what it printed.
 */
import assert from "node:assert/strict";
import { UsageError } from "../../lib/shared/errors.ts";
import {
  CodeProcessError,
  codeProcessTimeoutMs,
  runCodeProcess,
} from "../../lib/mfa_code/mfa_process.ts";
import { findTool, testWith } from "../support/tools.ts";

const OPTIONS = {
  origin: "from --mfa-process",
  timeoutMs: 10_000,
  windows: false,
};

async function failure(
  command: string,
  timeoutMs = 10_000,
): Promise<CodeProcessError> {
  try {
    await runCodeProcess(command, { ...OPTIONS, timeoutMs });
  } catch (error) {
    assert.ok(error instanceof CodeProcessError, String(error));
    assert.equal(error.exitCode, 3);
    return error;
  }
  throw new Error(`expected ${command} to fail`);
}

Deno.test("runCodeProcess returns the one 6-digit code a command prints", async (t) => {
  const cases: [string, string][] = [
    ["echo 123456", "123456"],
    ["printf '012345'", "012345"],
    ["printf '  000001 \\r\\n\\n'", "000001"],
    ["echo noise >&2; echo 654321", "654321"],
    ["read -r line </dev/null; echo 987654", "987654"],
  ];
  for (const [command, code] of cases) {
    await t.step(command, async () => {
      assert.equal(await runCodeProcess(command, OPTIONS), code);
    });
  }
});

Deno.test("runCodeProcess refuses anything but exactly one code, never showing the output", async (t) => {
  const cases: [string, RegExp][] = [
    ["echo SECRETOUTPUT", /did not print exactly one 6-digit code/],
    ["echo 12345", /did not print exactly one 6-digit code/],
    ["echo 1234567", /did not print exactly one 6-digit code/],
    ["printf '123456\\n654321\\n'", /did not print exactly one 6-digit code/],
    ["echo 'code: 123456'", /did not print exactly one 6-digit code/],
    ["true", /did not print exactly one 6-digit code/],
    ["echo １２３４５６", /did not print exactly one 6-digit code/],
    ["head -c 100000 /dev/zero | tr '\\0' 1", /printed more than one/],
  ];
  for (const [command, pattern] of cases) {
    await t.step(command, async () => {
      const error = await failure(command);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("SECRETOUTPUT"));
      assert.ok(!error.message.includes("123456"));
      assert.match(error.message, /its output is not shown/);
    });
  }
});

Deno.test("runCodeProcess: a failing command is named by its first word only", async (t) => {
  await t.step("exit 1", async () => {
    const error = await failure(
      "echo 123456; echo TOPSECRETARG >/dev/null; exit 1",
    );
    assert.equal(
      error.message,
      'The MFA code command "echo …" (from --mfa-process) failed with exit status 1; its output is not shown.',
    );
  });
  await t.step("a command that is not there", async () => {
    const error = await failure("awsmfa-no-such-command-here --totp SECRET");
    assert.match(error.message, /exit status 127 \(command not found\)/);
    assert.ok(!error.message.includes("SECRET"));
  });
  await t.step("killed by a signal", async () => {
    const error = await failure("kill -9 $$");
    assert.match(error.message, /was ended by SIGKILL\.$/);
  });
});

const PS = await findTool("ps");
/** Tests that look for leftover processes with ps (not on Windows). */
const test = {
  ps: Deno.build.os === "windows" ? Deno.test : testWith(PS),
};

/** Command lines of running processes that contain `marker` (POSIX ps). */
async function processesRunning(marker: string): Promise<string[]> {
  const out = await new Deno.Command(PS.path, {
    args: ["-A", "-o", "args="],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((line) =>
    line.includes(marker)
  );
}

test.ps("runCodeProcess stops a command that hangs, even when its children hold stdout, and stops them too", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mfa_hang_" });
  // Each sleeper leaves a file when it ends by itself: a runner that waited
  // for it instead of stopping it would leave the file behind.
  const done = `${dir}/done`;
  try {
    for (
      const [name, command] of [
        ["sleep 20.25", `sleep 20.25 && : >'${done}'`],
        [
          "(sleep 20.5; echo 123456) & wait",
          `(sleep 20.5 && : >'${done}'; echo 123456) & wait`,
        ],
        [
          "echo 123456; exec sleep 20.75",
          `echo 123456; exec sh -c "sleep 20.75 && : >'${done}'"`,
        ],
      ]
    ) {
      await t.step(name, async () => {
        const error = await failure(command, 300);
        assert.match(
          error.message,
          /did not finish within 0\.3 seconds, so it was stopped\.$/,
        );
        if (Deno.build.os !== "windows") {
          const sleeper = name.match(/sleep \S+/)![0];
          assert.deepEqual(await processesRunning(sleeper), []);
        }
        assert.equal(await Deno.stat(done).catch(() => null), null);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCodeProcess names a shell that cannot be started", async () => {
  const error = await runCodeProcess("echo 123456", {
    ...OPTIONS,
    windows: true, // "cmd" does not exist here
  }).then(() => undefined, (e) => e);
  if (Deno.build.os === "windows") return;
  assert.ok(error instanceof CodeProcessError);
  assert.match(error.message, /could not be started: cmd was not found\.$/);
});

Deno.test("codeProcessTimeoutMs reads AWSMFA_MFA_PROCESS_TIMEOUT in seconds", async (t) => {
  const env = (value?: string) => (name: string) =>
    name === "AWSMFA_MFA_PROCESS_TIMEOUT" ? value : undefined;
  assert.equal(codeProcessTimeoutMs(env()), 30_000);
  assert.equal(codeProcessTimeoutMs(env("")), 30_000);
  assert.equal(codeProcessTimeoutMs(env("0.5")), 500);
  assert.equal(codeProcessTimeoutMs(env("120")), 120_000);
  for (const bad of ["0", "-1", "abc", "1e3", "601", "30s"]) {
    await t.step(bad, () => {
      assert.throws(() => codeProcessTimeoutMs(env(bad)), UsageError);
    });
  }
});
