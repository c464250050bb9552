/**
 * lib/mfa_code/shell_terminal.ts through a fake TerminalShell: how each way
 * a script ends becomes a line, null, a cancel or a NoTerminalError; what is
 * written is held for the read script's prompt or shown at close; SIGINT is
 * ignored while the read script runs, and the guard is told at its end
 * whether Ctrl-C ended it. (The real /dev/tty is in tty_test.ts, the real
 * guard in interrupt_guard_test.ts.)
 */
import assert from "node:assert/strict";
import { AwsmfaError, ExitCode } from "../../lib/shared/errors.ts";
import {
  openShellTerminal,
  type ScriptOutput,
  type TerminalShell,
} from "../../lib/mfa_code/shell_terminal.ts";
import { NoTerminalError } from "../../lib/mfa_code/terminal.ts";

const encoder = new TextEncoder();

function output(
  code: number,
  stdout = "",
  stderr = "",
  signal: Deno.Signal | null = null,
): ScriptOutput {
  return {
    success: code === 0 && signal === null,
    code,
    signal,
    stdout: encoder.encode(stdout),
    stderr: encoder.encode(stderr),
  };
}

interface FakeShell extends TerminalShell {
  /** The `$1` of each script run, in order, with whether SIGINT was ignored then. */
  runs: { script: string; args: string[]; ignoring: boolean }[];
  shown: string[];
  ignoring: boolean;
  /** What each release of the SIGINT guard said: whether the read script was interrupted. */
  released: boolean[];
}

/** A shell whose probe succeeds and whose read script ends with `read`. */
function fakeShell(read: () => ScriptOutput, probe = output(0)): FakeShell {
  const shell: FakeShell = {
    runs: [],
    shown: [],
    ignoring: false,
    released: [],
    run(script, args) {
      shell.runs.push({ script, args, ignoring: shell.ignoring });
      return Promise.resolve(script.includes("stty -echo") ? read() : probe);
    },
    runNow(_script, args) {
      shell.shown.push(args[0]);
    },
    ignoreInterrupt() {
      assert.equal(shell.ignoring, false, "SIGINT ignored twice");
      shell.ignoring = true;
      return (interrupted) => {
        shell.ignoring = false;
        shell.released.push(interrupted);
      };
    },
  };
  return shell;
}

Deno.test("shell terminal: the held text is the read script's prompt; the line comes back without its newline", async () => {
  const shell = fakeShell(() => output(0, "123456\r\n"));
  const terminal = await openShellTerminal(shell);
  terminal.write("MFA code for x: ");
  assert.equal(await terminal.readSecretLine(), "123456");
  const read = shell.runs[1];
  assert.deepEqual(read.args, ["MFA code for x: "]);
  assert.equal(read.ignoring, true);
  assert.equal(shell.ignoring, false);
  assert.deepEqual(shell.released, [false]);
  terminal.close();
  assert.deepEqual(shell.shown, []);
});

Deno.test("shell terminal: what is still held at close is shown", async () => {
  const shell = fakeShell(() => output(0, "1\n"));
  const terminal = await openShellTerminal(shell);
  terminal.write("\n");
  terminal.close();
  assert.deepEqual(shell.shown, ["\n"]);
});

Deno.test("shell terminal: end of input is null, Ctrl-C a cancel (exit 130)", async (t) => {
  await t.step("exit 1: nothing typed", async () => {
    const shell = fakeShell(() => output(1));
    const terminal = await openShellTerminal(shell);
    assert.equal(await terminal.readSecretLine(), null);
    assert.deepEqual(shell.released, [false]);
  });
  for (
    const [name, ended] of [
      ["exit 130", output(130)],
      ["SIGINT", output(130, "", "", "SIGINT")],
    ] as const
  ) {
    await t.step(name, async () => {
      const shell = fakeShell(() => ended);
      const terminal = await openShellTerminal(shell);
      const error = await terminal.readSecretLine().then(
        () => undefined,
        (e) => e,
      );
      assert.ok(error instanceof AwsmfaError);
      assert.equal(error.exitCode, ExitCode.Cancelled);
      assert.equal(
        error.message,
        "No MFA code was entered: the prompt was cancelled.",
      );
      assert.equal(shell.ignoring, false);
      // Ctrl-C reached awsmfa too: the guard waits for that SIGINT.
      assert.deepEqual(shell.released, [true]);
    });
  }
});

Deno.test("shell terminal: no terminal is a NoTerminalError with the shell's reason as a clause", async (t) => {
  const cases: [string, string, string][] = [
    [
      "dash",
      "sh: 1: cannot open /dev/tty: No such device or address\n",
      "/dev/tty: no such device or address",
    ],
    [
      "a full stop",
      "sh: /dev/tty: No such device or address.\n",
      "/dev/tty: no such device or address",
    ],
    ["another message", "Something Broke.", "/dev/tty: something broke"],
    ["nothing said", "", "/dev/tty: it cannot be opened"],
  ];
  for (const [name, stderr, reason] of cases) {
    await t.step(name, async () => {
      const error = await openShellTerminal(
        fakeShell(() => output(0), output(2, "", stderr)),
      ).then(() => undefined, (e) => e);
      assert.ok(error instanceof NoTerminalError);
      assert.equal(error.reason, reason);
      assert.equal(
        error.message,
        `Cannot ask for the MFA code: there is no terminal to ask on (${reason}), so set mfa_process for the profile or pass the code.`,
      );
    });
  }
  await t.step("the read script fails", async () => {
    const shell = fakeShell(() =>
      output(3, "", "stty: 'standard input': Input/output error")
    );
    const terminal = await openShellTerminal(shell);
    const error = await terminal.readSecretLine().then(
      () => undefined,
      (e) => e,
    );
    assert.ok(error instanceof NoTerminalError);
    assert.equal(
      error.reason,
      "/dev/tty: stty: 'standard input': input/output error",
    );
    assert.deepEqual(shell.released, [false]);
  });
  await t.step("sh cannot run the read script", async () => {
    const shell = fakeShell(() => {
      throw new Deno.errors.NotCapable("run");
    });
    const terminal = await openShellTerminal(shell);
    const error = await terminal.readSecretLine().then(
      () => undefined,
      (e) => e,
    );
    assert.ok(error instanceof NoTerminalError);
    assert.equal(error.reason, "/dev/tty: cannot run sh: permission denied");
    assert.equal(shell.ignoring, false);
    assert.deepEqual(shell.released, [false]);
  });
  await t.step("sh cannot run", async () => {
    const shell = fakeShell(() => output(0));
    shell.run = () => Promise.reject(new Deno.errors.NotCapable("run"));
    const error = await openShellTerminal(shell).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(error instanceof NoTerminalError);
    assert.equal(error.reason, "/dev/tty: cannot run sh: permission denied");
  });
});
