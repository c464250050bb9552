/**
 * lib/shared/shell.ts: how a configured command line is run and named.
 * (Running it for real is tested through its users: mfa_process_test.ts and
 * source_process_test.ts.)
 */
import assert from "node:assert/strict";
import { describeCommand, shellCommand } from "../../lib/shared/shell.ts";

Deno.test("shellCommand: sh -c on POSIX, cmd /d /s /c with the command quoted whole on Windows", () => {
  assert.deepEqual(shellCommand("op item get aws --otp", false), {
    program: "sh",
    args: ["-c", "op item get aws --otp"],
  });
  assert.deepEqual(shellCommand('op item get "aws x" --otp', true), {
    program: "cmd",
    args: ['/d /s /c "op item get "aws x" --otp"'],
  });
});

Deno.test("describeCommand keeps only the first word", () => {
  assert.equal(describeCommand("oathtool --totp -b SECRET"), "oathtool …");
  assert.equal(describeCommand("  ykman  "), "ykman");
  assert.equal(describeCommand("x".repeat(60)), "x".repeat(40) + "…");
});
