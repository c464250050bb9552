/**
 * lib/mfa_code/interrupt_guard.ts in a child process that sends itself
 * SIGINT: held, a SIGINT is ignored; released, the next one ends the process
 * as usual; released after the read script was interrupted, the Ctrl-C that
 * reached awsmfa too is still ignored however late Deno deals with it, and
 * only that one, without waiting for ever when it does not come.
 */
import assert from "node:assert/strict";

const WORKER = new URL("../support/interrupt_worker.ts", import.meta.url)
  .pathname;
const ON_UNIX = Deno.build.os !== "windows";

/** Run the worker's `steps`: the steps it got through, and the signal that ended it. */
async function runSteps(
  steps: string[],
): Promise<{ done: string[]; signal: Deno.Signal | null; code: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", "--allow-run", WORKER, ...steps],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(stderr, "");
  const done = new TextDecoder().decode(out.stdout).split("\n");
  assert.equal(done.pop(), "");
  return { done, signal: out.signal, code: out.code };
}

/** Run `steps`, then SIGINT: all of them done, and the SIGINT ends the worker. */
async function assertEndsAfter(steps: string[]): Promise<void> {
  const { done, signal } = await runSteps([...steps, "interrupt"]);
  assert.deepEqual(done, steps);
  assert.equal(signal, "SIGINT");
}

Deno.test({
  name: "interrupt guard: held, SIGINT is ignored; released, it ends awsmfa",
  ignore: !ON_UNIX,
  fn: async () => {
    await assertEndsAfter(["hold", "interrupt", "release"]);
  },
});

Deno.test({
  name:
    "interrupt guard: the Ctrl-C that ended the read script is ignored even when Deno deals with it after the release, and no later one",
  ignore: !ON_UNIX,
  fn: async (t) => {
    await t.step("it is dealt with after the release", async () => {
      await assertEndsAfter(["hold", "release-interrupted", "interrupt"]);
    });
    await t.step("it was dealt with before the release", async () => {
      await assertEndsAfter(["hold", "interrupt", "release-interrupted"]);
    });
  },
});

Deno.test({
  name:
    "interrupt guard: once the wait for the script's Ctrl-C is over, a SIGINT ends awsmfa again",
  ignore: !ON_UNIX,
  fn: async () => {
    // With a 0 ms bound: the wait is over on the next turn of the timers.
    await assertEndsAfter(["hold-briefly", "release-interrupted", "next-turn"]);
  },
});

Deno.test({
  name:
    "interrupt guard: awaiting a SIGINT that never comes (only the script was signalled) does not keep awsmfa running",
  ignore: !ON_UNIX,
  fn: async () => {
    const steps = ["hold", "release-interrupted"];
    const { done, signal, code } = await runSteps(steps);
    assert.deepEqual(done, steps);
    assert.equal(signal, null);
    assert.equal(code, 0);
  },
});
