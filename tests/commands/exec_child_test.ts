/**
 * lib/commands/exec_child.ts: runChild with real processes (exit codes,
 * signals, a missing program, the environment).
 */
import assert from "node:assert/strict";
import { EXIT_NOT_FOUND, runChild } from "../../lib/commands/exec_child.ts";

Deno.test("runChild returns the child's exit code, 128+N for a signal, 127 when missing", async () => {
  const errors: string[] = [];
  const stderr = (text: string) => errors.push(text);
  const spec = (argv: string[]) => ({ argv, set: {}, unset: [] });
  assert.equal(await runChild(spec(["sh", "-c", "exit 42"]), stderr), 42);
  assert.equal(await runChild(spec(["sh", "-c", "exit 0"]), stderr), 0);
  assert.equal(
    await runChild(spec(["sh", "-c", "kill -TERM $$"]), stderr),
    143,
  );
  assert.deepEqual(errors, []);
  assert.equal(
    await runChild(spec(["awsmfa-no-such-program"]), stderr),
    EXIT_NOT_FOUND,
  );
  assert.deepEqual(errors, [
    'awsmfa: Cannot run "awsmfa-no-such-program": it was not found.\n',
  ]);
});

Deno.test("runChild sets and removes variables for the child", async () => {
  Deno.env.set("AWSMFA_TEST_UNSET_ME", "present");
  const code = await runChild({
    argv: [
      "sh",
      "-c",
      'test -z "${AWSMFA_TEST_UNSET_ME+set}" && test "$AWSMFA_TEST_SET" = "a b" && exit 7',
    ],
    set: { AWSMFA_TEST_SET: "a b" },
    unset: ["AWSMFA_TEST_UNSET_ME"],
  }, () => {});
  assert.equal(code, 7);
});
