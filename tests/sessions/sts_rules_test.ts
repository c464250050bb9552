/**
 * lib/sessions/sts_rules.ts read row by row: every row of the table has a
 * failure here that it decides (and no earlier row takes), with what comes
 * next, the exit code, whether the code may have been spent, and the
 * sentence, written out.
 */

import assert from "node:assert/strict";
import { ExitCode, type ExitCodeValue } from "../../lib/shared/errors.ts";
import { AnswerTooLarge } from "../../lib/shared/network.ts";
import { UnusableAnswer } from "../../lib/sessions/sts_error.ts";
import {
  classify,
  type Next,
  STS_RULES,
} from "../../lib/sessions/sts_rules.ts";
import type { CallContext } from "../../lib/sessions/sts_fault.ts";

const CODE = "472913";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const ROLE = "arn:aws:iam::111122223333:role/admin";
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";

const SESSION_CALL: CallContext = {
  operation: "GetSessionToken",
  sourceProfile: "work",
  endpoint: "https://user:pw@sts.us-east-1.amazonaws.com/?x=1",
  timeoutMs: 15_000,
  serialNumber: SERIAL,
  tokenCode: CODE,
  secrets: [CODE, SECRET],
  withSessionToken: false,
  durationSeconds: 43200,
};

const ROLE_CALL: CallContext = {
  ...SESSION_CALL,
  operation: "AssumeRole",
  roleArn: ROLE,
  durationSeconds: 7200,
};

/** A chained AssumeRole: signed with a session, no code sent. */
const CHAINED_CALL: CallContext = {
  operation: "AssumeRole",
  sourceProfile: "work",
  endpoint: "https://sts.us-east-1.amazonaws.com",
  timeoutMs: 15_000,
  secrets: [SECRET],
  withSessionToken: true,
  roleArn: ROLE,
};

/** An error shaped as the SDK throws for an STS answer. */
function answered(
  status: number,
  name: string,
  message = "",
  metadata: Record<string, unknown> = {},
): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, {
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, ...metadata },
  });
}

interface Case {
  error: unknown;
  context: CallContext;
  timedOut?: boolean;
  next: Next;
  exitCode: ExitCodeValue;
  codeMayBeUsed: boolean;
  awsCode: string;
  sentence: string;
}

const WAIT =
  "the code may have been used, so wait for the next code before trying again";
const AT = "STS at https://sts.us-east-1.amazonaws.com";

const CASES: Record<string, Case> = {
  "answer too large": {
    error: new AnswerTooLarge(),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: true,
    awsCode: "",
    sentence:
      `${AT} answered with more than 1 MiB, which no STS answer is; awsmfa stopped reading: ${WAIT}.`,
  },
  "answer unusable": {
    error: new UnusableAnswer("answered without complete credentials"),
    context: CHAINED_CALL,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: false,
    awsCode: "",
    sentence:
      `${AT} answered without complete credentials: no code was sent, so try again.`,
  },
  "timeout": {
    error: answered(200, "Unknown"),
    context: SESSION_CALL,
    timedOut: true,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: true,
    awsCode: "",
    sentence: `${AT} did not answer within 15 s: ${WAIT}.`,
  },
  "answer unreadable": {
    error: answered(200, "SyntaxError", "Unexpected end"),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: true,
    awsCode: "",
    sentence: `${AT} gave an answer awsmfa cannot read: ${WAIT}.`,
  },
  "redirect": {
    error: answered(302, "Unknown"),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: true,
    awsCode: "",
    sentence:
      `${AT} answered with a redirect (HTTP 302), which awsmfa never follows: check the endpoint (endpoint_url, AWS_ENDPOINT_URL_STS, --endpoint-url) and any proxy; ${WAIT}.`,
  },
  "throttling": {
    error: answered(400, "Throttling", "Rate exceeded"),
    context: SESSION_CALL,
    next: "retry",
    exitCode: ExitCode.Network,
    codeMayBeUsed: false,
    awsCode: "Throttling",
    sentence: "STS is throttling requests (Throttling): try again in a minute.",
  },
  "server error": {
    error: answered(503, "ServiceUnavailable", "down"),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: true,
    awsCode: "ServiceUnavailable",
    sentence: `STS answered HTTP 503 (ServiceUnavailable): ${WAIT}.`,
  },
  "AssumeRole: serial without code": {
    error: answered(
      403,
      "AccessDenied",
      "You must provide both SerialNumber and TokenCode",
    ),
    context: ROLE_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "AccessDenied",
    sentence:
      `STS refused AssumeRole of ${ROLE} for profile "work": an MFA serial and a code must be sent together (AccessDenied).`,
  },
  "AssumeRole: not authorized": {
    error: answered(
      403,
      "AccessDenied",
      `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
    ),
    context: ROLE_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: true,
    awsCode: "AccessDenied",
    sentence:
      `STS does not let arn:aws:iam::123456789012:user/alice (profile "work") assume the role ${ROLE} (AccessDenied): check that the role exists and trusts this principal, and whether it requires MFA (mfa_serial) or an external id.`,
  },
  "AssumeRole: role chaining limit": {
    error: answered(
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    ),
    context: { ...CHAINED_CALL, durationSeconds: 7200 },
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "ValidationError",
    sentence:
      `STS limits a role assumed with session credentials (role chaining) to 3600 seconds, and 7200 seconds were asked for ${ROLE} (ValidationError): ask for 3600 seconds or less.`,
  },
  "AssumeRole: above MaxSessionDuration": {
    error: answered(
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    ),
    context: ROLE_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: true,
    awsCode: "ValidationError",
    sentence:
      `The role ${ROLE} allows shorter sessions than the 7200 seconds asked for (ValidationError: more than its MaxSessionDuration): ask for less, or raise the role's maximum session duration.`,
  },
  "code rejected": {
    error: answered(
      403,
      "AccessDenied",
      "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    ),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.CodeRejected,
    codeMayBeUsed: false,
    awsCode: "AccessDenied",
    sentence:
      "STS rejected the MFA code (wrong, expired or already used): wait for the next code and check the clock of your MFA device.",
  },
  "serial not the user's": {
    error: answered(
      403,
      "AccessDenied",
      "MultiFactorAuthentication failed, unable to validate MFA code.",
    ),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "AccessDenied",
    sentence:
      `STS cannot validate an MFA code for serial "${SERIAL}" with the keys of profile "work": check that this MFA device belongs to that IAM user (AccessDenied).`,
  },
  "session keys for GetSessionToken": {
    error: answered(
      403,
      "AccessDenied",
      "Cannot call GetSessionToken with session credentials",
    ),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "AccessDenied",
    sentence:
      `The keys of profile "work" are session credentials, which STS refuses for GetSessionToken: use long-term keys (AccessDenied).`,
  },
  "unknown session credentials": {
    error: answered(
      403,
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
    ),
    context: CHAINED_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "InvalidClientTokenId",
    sentence:
      `STS does not accept the session credentials of profile "work" (InvalidClientTokenId).`,
  },
  "unknown access key": {
    error: answered(
      403,
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
    ),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "InvalidClientTokenId",
    sentence:
      `STS does not know the access key of profile "work" (InvalidClientTokenId).`,
  },
  "clock skew, corrected": {
    error: answered(403, "SignatureDoesNotMatch", "Signature expired: x", {
      clockSkewCorrected: true,
    }),
    context: SESSION_CALL,
    next: "resend",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "SignatureDoesNotMatch",
    sentence:
      `STS refused the request signed with profile "work" because this computer's clock is more than 5 minutes off (SignatureDoesNotMatch): correct the clock and try again.`,
  },
  "clock skew": {
    error: answered(
      403,
      "SignatureDoesNotMatch",
      "Signature not yet current: x",
    ),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "SignatureDoesNotMatch",
    sentence:
      `STS refused the request signed with profile "work" because this computer's clock is more than 5 minutes off (SignatureDoesNotMatch): correct the clock and try again.`,
  },
  "signature refused": {
    error: answered(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match",
    ),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "SignatureDoesNotMatch",
    sentence:
      `STS refused the signature made with profile "work" (SignatureDoesNotMatch): check its aws_secret_access_key and that this computer's clock is right.`,
  },
  "expired credentials": {
    error: answered(
      400,
      "ExpiredToken",
      "The security token included in the request is expired",
    ),
    context: CHAINED_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "ExpiredToken",
    sentence:
      `STS says the credentials of profile "work" have expired (ExpiredToken).`,
  },
  "other refusal": {
    error: answered(
      400,
      "ValidationError",
      `Value ${CODE} at 'tokenCode' failed, key ${SECRET}.\u001b[2J `,
    ),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "ValidationError",
    sentence:
      `STS refused GetSessionToken for profile "work" (ValidationError: Value ****** at 'tokenCode' failed, key ******. [2J).`,
  },
  "refusal without a code": {
    error: answered(403, "UnknownError", "<html>proxy</html>"),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.AuthRejected,
    codeMayBeUsed: false,
    awsCode: "",
    sentence: `${AT} refused GetSessionToken for profile "work" with HTTP 403.`,
  },
  "not allowed to connect": {
    error: new Deno.errors.NotCapable("Requires net access"),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: false,
    awsCode: "",
    sentence:
      `awsmfa is not allowed to connect to https://sts.us-east-1.amazonaws.com: STS endpoints must be on amazonaws.com, amazonaws.com.cn, api.aws or this machine.`,
  },
  "not connected": {
    error: new TypeError("error sending request", {
      cause: new Error("tcp connect error: Connection refused (os error 111)"),
    }),
    context: SESSION_CALL,
    next: "retry",
    exitCode: ExitCode.Network,
    codeMayBeUsed: false,
    awsCode: "",
    sentence:
      `Cannot reach STS at https://sts.us-east-1.amazonaws.com: the connection was refused.`,
  },
  "connection broke": {
    error: new TypeError("error reading a body from connection"),
    context: SESSION_CALL,
    next: "final",
    exitCode: ExitCode.Network,
    codeMayBeUsed: true,
    awsCode: "",
    sentence:
      `The connection to STS at https://sts.us-east-1.amazonaws.com broke before an answer came: ${WAIT}.`,
  },
};

Deno.test("sts rules: every row of the table has its case, and every case its row", () => {
  assert.deepEqual(
    STS_RULES.map((rule) => rule.name).sort(),
    Object.keys(CASES).sort(),
  );
  assert.equal(
    new Set(STS_RULES.map((rule) => rule.name)).size,
    STS_RULES.length,
  );
});

for (const rule of STS_RULES) {
  Deno.test(`sts rules: row "${rule.name}"`, () => {
    const expected = CASES[rule.name];
    const failure = classify(
      expected.error,
      expected.context,
      expected.timedOut ?? false,
    );
    assert.equal(failure.rule, rule.name);
    assert.equal(failure.next, expected.next);
    assert.equal(rule.next, expected.next);
    assert.equal(failure.error.exitCode, expected.exitCode);
    assert.equal(failure.error.codeMayBeUsed, expected.codeMayBeUsed);
    assert.equal(failure.error.awsCode, expected.awsCode);
    assert.equal(failure.error.message, expected.sentence);
    assert.ok(!failure.error.message.includes(CODE));
    assert.ok(!failure.error.message.includes(SECRET));
  });
}

Deno.test("sts rules: a call that sent no code never says the code may have been used", () => {
  for (const rule of STS_RULES) {
    const expected = CASES[rule.name];
    const { tokenCode: _, serialNumber: __, ...context } = expected.context;
    const failure = classify(
      expected.error,
      context,
      expected.timedOut ?? false,
    );
    assert.equal(failure.error.codeMayBeUsed, false, rule.name);
    assert.ok(!failure.error.message.includes("may have been used"), rule.name);
  }
});
