/**
 * How an STS call failed, decided by a table: each row of
 * {@linkcode STS_RULES} matches one kind of failure and says whether the
 * call is tried again, the exit code, whether the code may have been spent,
 * and the one sentence the user reads. The first row that matches wins.
 *
 * A code works once, so a call is tried again only when the request surely
 * did not reach STS (the connection could not be made) or STS answered
 * Throttling; after a timeout, a broken connection or a 5xx the code may
 * have been spent, so the sentence says so and the run stops.
 *
 * SDK-free: the failure comes as the facts of lib/sessions/sts_fault.ts.
 *
 * @module
 */

import { ExitCode, type ExitCodeValue } from "../shared/errors.ts";
import { MAX_ANSWER_BYTES } from "../shared/network.ts";
import { CHAINED_MAX_SECONDS } from "./role.ts";
import { StsError } from "./sts_error.ts";
import { type CallContext, type Fault, faultOf } from "./sts_fault.ts";

/** What is done after a failure: try again after a wait, resend at once, or stop. */
export type Next = "retry" | "resend" | "final";

/** One row of the table. */
export interface StsRule {
  /** The row's name, as tests and comments call it. */
  name: string;
  /** Whether the row matches. */
  when(fault: Fault, context: CallContext): boolean;
  /** What is done next. */
  next: Next;
  /** The exit code. */
  exitCode: ExitCodeValue;
  /** Whether a call that sent a code may have spent it. */
  spends: boolean;
  /** The one sentence. */
  sentence(fault: Fault, context: CallContext): string;
}

const MAY_BE_USED =
  "the code may have been used, so wait for the next code before trying again";
const NO_CODE_SENT = "no code was sent, so try again";

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "TooManyRequestsException",
]);

/** What to do next: wait for a new code, or simply try again. */
function mayBeUsed(context: CallContext): string {
  return context.tokenCode !== undefined ? MAY_BE_USED : NO_CODE_SENT;
}

/** The endpoint as shown in messages: no user info, no query. */
function where(context: CallContext): string {
  try {
    const url = new URL(context.endpoint);
    return `${url.origin}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "the configured endpoint";
  }
}

function profile(context: CallContext): string {
  return `profile "${context.sourceProfile}"`;
}

function role(context: CallContext): string {
  return context.roleArn ?? "the role";
}

function asked(context: CallContext): string {
  return context.durationSeconds === undefined
    ? "the default duration"
    : `${context.durationSeconds} seconds`;
}

function named(fault: Fault): string {
  return fault.code ? ` (${fault.code})` : "";
}

const NOT_AUTHORIZED =
  /^User: (\S+) is not authorized to perform:? sts:AssumeRole/;

function refused(code?: string, message?: RegExp) {
  return (fault: Fault) =>
    fault.kind === "refused" &&
    (code === undefined || fault.code === code) &&
    (message === undefined || message.test(fault.message));
}

function assumeRoleRefused(code: string, message?: RegExp) {
  const match = refused(code, message);
  return (fault: Fault, context: CallContext) =>
    context.operation === "AssumeRole" && match(fault);
}

/** The rules, in order: the first row that matches a failure decides it. */
export const STS_RULES: readonly StsRule[] = [
  {
    name: "answer too large",
    when: (f) => f.kind === "too-large",
    next: "final",
    exitCode: ExitCode.Network,
    spends: true,
    sentence: (_, c) =>
      `STS at ${where(c)} answered with more than ${
        MAX_ANSWER_BYTES / (1 << 20)
      } MiB, which no STS answer is; awsmfa stopped reading: ${mayBeUsed(c)}.`,
  },
  {
    name: "answer unusable",
    when: (f) => f.kind === "unusable",
    next: "final",
    exitCode: ExitCode.Network,
    spends: true,
    sentence: (f, c) => `STS at ${where(c)} ${f.message}: ${mayBeUsed(c)}.`,
  },
  {
    name: "timeout",
    when: (f) => f.kind === "timeout",
    next: "final",
    exitCode: ExitCode.Network,
    spends: true,
    sentence: (_, c) =>
      `STS at ${where(c)} did not answer within ${c.timeoutMs / 1000} s: ${
        mayBeUsed(c)
      }.`,
  },
  {
    name: "answer unreadable",
    when: (f) => f.kind === "unreadable",
    next: "final",
    exitCode: ExitCode.Network,
    spends: true,
    sentence: (_, c) =>
      `STS at ${where(c)} gave an answer awsmfa cannot read: ${mayBeUsed(c)}.`,
  },
  {
    name: "redirect",
    when: (f) => f.kind === "redirect",
    next: "final",
    exitCode: ExitCode.Network,
    spends: true,
    sentence: (f, c) =>
      `STS at ${
        where(c)
      } answered with a redirect (HTTP ${f.status}), which awsmfa never follows: check the endpoint (endpoint_url, AWS_ENDPOINT_URL_STS, --endpoint-url) and any proxy; ${
        mayBeUsed(c)
      }.`,
  },
  {
    name: "throttling",
    when: (f) =>
      f.kind === "refused" &&
      (THROTTLING_CODES.has(f.code) || f.status === 429),
    next: "retry",
    exitCode: ExitCode.Network,
    spends: false,
    sentence: (f) =>
      `STS is throttling requests${named(f)}: try again in a minute.`,
  },
  {
    name: "server error",
    when: (f) => f.kind === "refused" && (f.status >= 500 || f.serverFault),
    next: "final",
    exitCode: ExitCode.Network,
    spends: true,
    sentence: (f, c) =>
      `STS answered HTTP ${f.status}${named(f)}: ${mayBeUsed(c)}.`,
  },
  {
    name: "AssumeRole: serial without code",
    when: assumeRoleRefused("AccessDenied", /must provide both/i),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (_, c) =>
      `STS refused AssumeRole of ${
        role(c)
      } for profile "${c.sourceProfile}": an MFA serial and a code must be sent together (AccessDenied).`,
  },
  {
    name: "AssumeRole: not authorized",
    when: assumeRoleRefused("AccessDenied", NOT_AUTHORIZED),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: true,
    sentence: (f, c) =>
      `STS does not let ${
        NOT_AUTHORIZED.exec(f.message)?.[1]
      } (profile "${c.sourceProfile}") assume the role ${
        role(c)
      } (AccessDenied): check that the role exists and trusts this principal, and whether it requires MFA (mfa_serial) or an external id.`,
  },
  {
    name: "AssumeRole: role chaining limit",
    when: assumeRoleRefused("ValidationError", /role chaining/i),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: true,
    sentence: (_, c) =>
      `STS limits a role assumed with session credentials (role chaining) to ${CHAINED_MAX_SECONDS} seconds, and ${
        asked(c)
      } were asked for ${
        role(c)
      } (ValidationError): ask for ${CHAINED_MAX_SECONDS} seconds or less.`,
  },
  {
    name: "AssumeRole: above MaxSessionDuration",
    when: assumeRoleRefused("ValidationError", /MaxSessionDuration/i),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: true,
    sentence: (_, c) =>
      `The role ${role(c)} allows shorter sessions than the ${
        asked(c)
      } asked for (ValidationError: more than its MaxSessionDuration): ask for less, or raise the role's maximum session duration.`,
  },
  {
    name: "code rejected",
    when: refused("AccessDenied", /one time pass ?code/i),
    next: "final",
    exitCode: ExitCode.CodeRejected,
    spends: false,
    sentence: () =>
      "STS rejected the MFA code (wrong, expired or already used): wait for the next code and check the clock of your MFA device.",
  },
  {
    name: "serial not the user's",
    when: refused("AccessDenied", /serial number|validate MFA/i),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (_, c) =>
      `STS cannot validate an MFA code for serial "${c.serialNumber}" with the keys of ${
        profile(c)
      }: check that this MFA device belongs to that IAM user (AccessDenied).`,
  },
  {
    name: "session keys for GetSessionToken",
    when: refused("AccessDenied", /session credentials/i),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (_, c) =>
      `The keys of ${
        profile(c)
      } are session credentials, which STS refuses for GetSessionToken: use long-term keys (AccessDenied).`,
  },
  {
    name: "unknown session credentials",
    when: (f, c) => c.withSessionToken && refused("InvalidClientTokenId")(f),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (_, c) =>
      `STS does not accept the session credentials of ${
        profile(c)
      } (InvalidClientTokenId).`,
  },
  {
    name: "unknown access key",
    when: refused("InvalidClientTokenId"),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (_, c) =>
      `STS does not know the access key of ${
        profile(c)
      } (InvalidClientTokenId).`,
  },
  {
    name: "clock skew, corrected",
    when: (f) =>
      f.skewCorrected &&
      refused("SignatureDoesNotMatch", /signature expired|not yet current/i)(
        f,
      ),
    next: "resend",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: clockSkew,
  },
  {
    name: "clock skew",
    when: refused(
      "SignatureDoesNotMatch",
      /signature expired|not yet current/i,
    ),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: clockSkew,
  },
  {
    name: "signature refused",
    when: refused("SignatureDoesNotMatch"),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (_, c) =>
      `STS refused the signature made with ${
        profile(c)
      } (SignatureDoesNotMatch): check its aws_secret_access_key and that this computer's clock is right.`,
  },
  {
    name: "expired credentials",
    when: refused("ExpiredToken"),
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (_, c) =>
      `STS says the credentials of ${profile(c)} have expired (ExpiredToken).`,
  },
  {
    name: "other refusal",
    when: (f) => f.kind === "refused" && f.code !== "",
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (f, c) =>
      `STS refused ${c.operation} for ${profile(c)} (${f.code}${
        f.message ? `: ${f.message}` : ""
      }).`,
  },
  {
    name: "refusal without a code",
    when: (f) => f.kind === "refused",
    next: "final",
    exitCode: ExitCode.AuthRejected,
    spends: false,
    sentence: (f, c) =>
      `STS at ${where(c)} refused ${c.operation} for ${
        profile(c)
      } with HTTP ${f.status}.`,
  },
  {
    name: "not allowed to connect",
    when: (f) => f.kind === "not-allowed",
    next: "final",
    exitCode: ExitCode.Network,
    spends: false,
    sentence: (_, c) =>
      `awsmfa is not allowed to connect to ${
        where(c)
      }: STS endpoints must be on amazonaws.com, amazonaws.com.cn, api.aws or this machine.`,
  },
  {
    name: "not connected",
    when: (f) => f.kind === "not-connected",
    next: "retry",
    exitCode: ExitCode.Network,
    spends: false,
    sentence: (f, c) => `Cannot reach STS at ${where(c)}: ${f.reason}.`,
  },
  {
    name: "connection broke",
    when: (f) => f.kind === "broken",
    next: "final",
    exitCode: ExitCode.Network,
    spends: true,
    sentence: (_, c) =>
      `The connection to STS at ${where(c)} broke before an answer came: ${
        mayBeUsed(c)
      }.`,
  },
];

function clockSkew(_: Fault, context: CallContext): string {
  return `STS refused the request signed with ${
    profile(context)
  } because this computer's clock is more than 5 minutes off (SignatureDoesNotMatch): correct the clock and try again.`;
}

/** How a failed attempt ends: the row that decided it, what comes next, the error. */
export interface Failure {
  /** The name of the row of {@linkcode STS_RULES} that matched. */
  rule: string;
  /** Try again after a wait, resend at once, or stop. */
  next: Next;
  /** The error to throw when no attempt is left. */
  error: StsError;
}

/**
 * Decide a failed attempt by the first row of {@linkcode STS_RULES} that
 * matches. `timedOut`: the call's deadline had passed.
 */
export function classify(
  error: unknown,
  context: CallContext,
  timedOut: boolean,
): Failure {
  const fault = faultOf(error, context, timedOut);
  // Every kind of fault has a row, so one always matches.
  const rule = STS_RULES.find((row) => row.when(fault, context))!;
  return {
    rule: rule.name,
    next: rule.next,
    error: new StsError(
      rule.sentence(fault, context),
      rule.exitCode,
      fault.code,
      rule.spends && context.tokenCode !== undefined,
    ),
  };
}
