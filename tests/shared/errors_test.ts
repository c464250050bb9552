/**
 * lib/shared/errors.ts: an error keeps its clause (its sentence without the
 * full stop), and sentence() builds the one sentence from a clause and what
 * follows it, ending with exactly one full stop.
 */

import assert from "node:assert/strict";
import {
  AwsmfaError,
  clauseOf,
  ExitCode,
  LocalError,
  sentence,
} from "../../lib/shared/errors.ts";

Deno.test("errors: the clause of an error is its sentence without the final full stop", () => {
  const error = new LocalError('Cannot read "/x": permission denied.');
  assert.equal(error.clause, 'Cannot read "/x": permission denied');
  assert.equal(error.message, 'Cannot read "/x": permission denied.');
  assert.equal(clauseOf(error), 'Cannot read "/x": permission denied');
});

Deno.test("errors: a sentence that ends otherwise keeps its end", () => {
  assert.equal(
    new AwsmfaError(
      'Profile "wrok" is in neither file; did you mean "work"?',
      3,
    )
      .clause,
    'Profile "wrok" is in neither file; did you mean "work"?',
  );
  assert.equal(clauseOf("no stop"), "no stop");
  assert.equal(clauseOf("one stop only.."), "one stop only.");
  assert.equal(clauseOf(new Error("plain.")), "plain");
});

Deno.test("errors: sentence() joins the clause and its parts and ends with one full stop", () => {
  const error = new AwsmfaError(
    "STS is throttling requests (Throttling): try again in a minute.",
    ExitCode.Network,
  );
  assert.equal(
    sentence(error, " (3 attempts)"),
    "STS is throttling requests (Throttling): try again in a minute (3 attempts).",
  );
  assert.equal(
    sentence("Cannot lock the file.", ". The MFA code was not sent", ""),
    "Cannot lock the file. The MFA code was not sent.",
  );
  assert.equal(sentence(error), error.message);
});
