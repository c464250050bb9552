/**
 * lib/cli/hints.ts: the one formatter of the tokenizer's refusals, kind by
 * kind, and the stray-word sentences.
 */
import assert from "node:assert/strict";
import { specsOf } from "../../lib/cli/flags.ts";
import { StrayWordError, usageOfTokenError } from "../../lib/cli/hints.ts";
import { TokenError } from "../../lib/cli/tokenize.ts";
import { ExitCode } from "../../lib/shared/errors.ts";

Deno.test("usageOfTokenError writes one sentence per kind of refusal", () => {
  const status = specsOf("status");
  const refresh = specsOf("refresh");
  const cases: [TokenError, typeof status, string, string][] = [
    [
      new TokenError("unknown-option", "--profile"),
      status,
      "awsmfa status",
      "Unknown option --profile for awsmfa status; it belongs to the default command and awsmfa exec and awsmfa credential-process and awsmfa keys and awsmfa rotate.",
    ],
    [
      new TokenError("unknown-option", "--token-code"),
      refresh,
      "the default command",
      'Unknown option --token-code; awsmfa takes the MFA code as an argument, as in: awsmfa --profile work 123456 (or "-" to read it from stdin).',
    ],
    [
      new TokenError("unknown-option", "--mfa-serial"),
      refresh,
      "the default command",
      "Unknown option --mfa-serial; the MFA device is --serial-number SERIAL (or mfa_serial in the config).",
    ],
    [
      new TokenError("unknown-option", "--jsno"),
      status,
      "awsmfa status",
      "Unknown option --jsno; did you mean --json?",
    ],
    [
      new TokenError("unknown-option", "-x"),
      refresh,
      "the default command",
      "Unknown option -x.",
    ],
    [
      new TokenError("unknown-option", "--123456"),
      refresh,
      "the default command",
      "Unknown option.",
    ],
    [
      new TokenError("missing-value", "--region", "region"),
      refresh,
      "the default command",
      "Option --region needs a value.",
    ],
    [
      new TokenError("ambiguous-value", "--profile", "profile"),
      refresh,
      "the default command",
      'Option --profile needs a value; to give one that starts with "-", write --profile=VALUE.',
    ],
    [
      new TokenError("value-for-boolean", "--help", "help"),
      status,
      "awsmfa status",
      "Option --help does not take a value.",
    ],
  ];
  for (const [error, specs, where, sentence] of cases) {
    const usage = usageOfTokenError(error, specs, where);
    assert.equal(usage.message, sentence, `${error.kind} ${error.flag}`);
    assert.equal(usage.exitCode, ExitCode.Usage);
  }
});

Deno.test("StrayWordError names the commands, or the profile it may be", () => {
  const refresh = new StrayWordError("stauts", "refresh");
  assert.equal(
    refresh.message,
    'Unknown command "stauts" (did you mean "status"?); the commands are: exec, credential-process, status, clear, keys, rotate, completions, and the MFA code is 6 digits.',
  );
  assert.equal(
    refresh.profileHint(),
    '"stauts" is not a command or an MFA code; did you mean --profile stauts, as in: awsmfa --profile stauts?',
  );
  const exec = new StrayWordError("work", "exec");
  assert.equal(
    exec.message,
    '"work" is not an MFA code: it must be exactly 6 digits.',
  );
  assert.equal(
    exec.profileHint(),
    '"work" is not a command or an MFA code; did you mean --profile work, as in: awsmfa exec --profile work -- CMD?',
  );
});
