/**
 * lib/shared/shell.ts: how a configured command line is run and named.
 * (Running it for real is tested through its users: mfa_process_test.ts and
 * source_process_test.ts.)
 */
import assert from "node:assert/strict";
import {
  commandTimeoutMs,
  describeCommand,
  shellCommand,
} from "../../lib/shared/shell.ts";
import { UsageError } from "../../lib/shared/errors.ts";
import { codeProcessTimeoutMs } from "../../lib/mfa_code/mfa_process.ts";
import { sourceProcessTimeoutMs } from "../../lib/source_keys/source_process.ts";

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

Deno.test("commandTimeoutMs: seconds from the variable, else the default; anything else names the variable and its default", () => {
  const env = (value: string) => (name: string) =>
    name === "AWSMFA_X_TIMEOUT" ? value : undefined;
  assert.equal(commandTimeoutMs(env("2.5"), "AWSMFA_X_TIMEOUT", 45_000), 2500);
  assert.equal(commandTimeoutMs(env(" "), "AWSMFA_X_TIMEOUT", 45_000), 45_000);
  assert.throws(
    () => commandTimeoutMs(env("1e3"), "AWSMFA_X_TIMEOUT", 45_000),
    new UsageError(
      "AWSMFA_X_TIMEOUT must be a number of seconds from more than 0 to 600, like 45.",
    ),
  );
  assert.throws(
    () => codeProcessTimeoutMs(() => "0"),
    new UsageError(
      "AWSMFA_MFA_PROCESS_TIMEOUT must be a number of seconds from more than 0 to 600, like 30.",
    ),
  );
  assert.throws(
    () => sourceProcessTimeoutMs(() => "601"),
    new UsageError(
      "AWSMFA_CREDENTIAL_PROCESS_TIMEOUT must be a number of seconds from more than 0 to 600, like 60.",
    ),
  );
});
