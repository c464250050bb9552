/**
 * The STS calls, GetSessionToken and AssumeRole, through
 * `@aws-sdk/client-sts`, and the mapping of every way they can fail to one
 * sentence and an exit code.
 *
 * This is the only module that imports the AWS SDK; load it with
 * `await import("./sts.ts")` so runs that need no STS call never pay for it.
 *
 * A code works once, so the SDK's own retries are off and the policy is ours:
 * retry with backoff only when the request surely did not reach STS (the
 * connection could not be made) or STS answered Throttling; after a timeout,
 * a broken connection or a 5xx the code may have been spent, so say so and
 * stop.
 *
 * @module
 */

import {
  AssumeRoleCommand,
  type Credentials,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { AwsmfaError, ExitCode, type ExitCodeValue } from "../shared/errors.ts";
import { CHAINED_MAX_SECONDS } from "./role.ts";

/** Temporary credentials returned by STS. */
export interface SessionCredentials {
  /** Temporary access key id (ASIA…). */
  accessKeyId: string;
  /** Temporary secret access key. */
  secretAccessKey: string;
  /** Session token. */
  sessionToken: string;
  /** When the session ends, as STS answered (not as requested). */
  expiration: Date;
}

/** Everything one GetSessionToken call needs; nothing is read from env or files. */
export interface GetSessionTokenRequest {
  /** Long-term access key id of the source profile. */
  accessKeyId: string;
  /** Long-term secret access key of the source profile. */
  secretAccessKey: string;
  /** Region to sign for. */
  region: string;
  /** STS endpoint URL. */
  endpoint: string;
  /** MFA device serial or ARN. */
  serialNumber: string;
  /** The 6-digit code (already validated). */
  tokenCode: string;
  /** Requested session length in seconds. */
  durationSeconds: number;
  /** Name of the source profile, for messages. */
  sourceProfile: string;
  /** The fetch to use (default: the global one); tests inject theirs. */
  fetch?: typeof fetch;
  /** Time allowed for the whole answer, in ms (default 15000). */
  timeoutMs?: number;
  /** Waits between attempts (default: a timer); tests inject theirs. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts when a retry is safe (default 3). */
  maxAttempts?: number;
  /** The clock, in ms (default `Date.now`), to check the answered Expiration. */
  now?: () => number;
}

/**
 * Everything one AssumeRole call needs; nothing is read from env or files.
 *
 * Signed with long-term keys, the call may carry the MFA serial and code
 * (for a role whose trust requires MFA). Signed with an MFA session from
 * GetSessionToken (give `sessionToken`), it needs no code: STS carries the
 * MFA over, but caps the role session at {@linkcode CHAINED_MAX_SECONDS}
 * (role chaining).
 */
export interface AssumeRoleRequest {
  /** Access key id: long-term (AKIA…) or of a session (ASIA…). */
  accessKeyId: string;
  /** Secret access key of the same keys. */
  secretAccessKey: string;
  /** Session token, when the keys are session credentials. */
  sessionToken?: string;
  /** Region to sign for. */
  region: string;
  /** STS endpoint URL. */
  endpoint: string;
  /** ARN of the role to assume. */
  roleArn: string;
  /** Name of the role session (2–64 characters of `[\w+=,.@-]`). */
  roleSessionName: string;
  /** The external id the role's trust policy asks for, if any. */
  externalId?: string;
  /** MFA device serial or ARN, sent with `tokenCode`. */
  serialNumber?: string;
  /** The 6-digit code (already validated), sent with `serialNumber`. */
  tokenCode?: string;
  /** Requested session length in seconds; STS's default (3600) when absent. */
  durationSeconds?: number;
  /** Name of the profile whose keys (or MFA session) sign the call, for messages. */
  sourceProfile: string;
  /** The fetch to use (default: the global one); tests inject theirs. */
  fetch?: typeof fetch;
  /** Time allowed for the whole answer, in ms (default 15000). */
  timeoutMs?: number;
  /** Waits between attempts (default: a timer); tests inject theirs. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts when a retry is safe (default 3). */
  maxAttempts?: number;
  /** The clock, in ms (default `Date.now`), to check the answered Expiration. */
  now?: () => number;
}

/** Temporary credentials of a role session. */
export interface RoleCredentials extends SessionCredentials {
  /** The session's ARN, `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  assumedRoleArn: string;
}

export { CHAINED_MAX_SECONDS };

/** Default time allowed for STS to answer, in ms. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** The role session length STS gives when no DurationSeconds is sent. */
const DEFAULT_ROLE_SECONDS = 3600;
/** Default number of attempts when retrying is safe. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Wait before the second attempt, in ms; doubled for each later one. */
export const FIRST_BACKOFF_MS = 500;

/** A failed STS call, as one sentence with its exit code. */
export class StsError extends AwsmfaError {
  /** The STS error code (e.g. "AccessDenied"), or "" when STS gave none (network, timeout). */
  readonly awsCode: string;
  /** True when the request may have reached STS and spent the code. */
  readonly codeMayBeUsed: boolean;

  /** Create an STS error. */
  constructor(
    message: string,
    exitCode: ExitCodeValue,
    awsCode: string,
    codeMayBeUsed: boolean,
  ) {
    super(message, exitCode);
    this.name = "StsError";
    this.awsCode = awsCode;
    this.codeMayBeUsed = codeMayBeUsed;
  }
}

const MAY_BE_USED =
  "the code may have been used, so wait for the next code before trying again";
const NO_CODE_SENT = "no code was sent, so try again";

/** Most bytes of an answer read, after inflating: STS answers are a few KB. */
export const MAX_ANSWER_BYTES = 1 << 20;
/** Most characters of text from the network shown in a message. */
export const MAX_SHOWN_CHARS = 300;
/** Clock difference allowed between STS and this computer: SigV4's own 5 minutes. */
const CLOCK_SLACK_MS = 5 * 60_000;

/** An answer bigger than {@linkcode MAX_ANSWER_BYTES}. */
class AnswerTooLarge extends Error {
  constructor() {
    super("the answer is too large");
    this.name = "AnswerTooLarge";
  }
}

/** A complete answer awsmfa cannot use; the message says why. */
class UnusableAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnusableAnswer";
  }
}

/**
 * A fetch for STS calls: it never follows a redirect (a 3xx comes back as
 * the answer), and it reads the whole body itself, inflated, under the
 * request's signal, so the timeout covers the body and no more than
 * `maxBytes` are ever held.
 */
export function boundedFetch(
  inner: typeof fetch,
  maxBytes: number = MAX_ANSWER_BYTES,
): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, { ...init, redirect: "manual" });
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new AnswerTooLarge();
        }
        chunks.push(value);
      }
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    const headers = new Headers(response.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    const empty = [101, 204, 205, 304].includes(response.status);
    return new Response(empty ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/**
 * Text from the network made safe to print: control characters (escape
 * sequences, carriage returns) and bidirectional overrides become spaces,
 * runs of white space one space, and at most `max` characters are kept.
 */
export function cleanText(text: string, max: number = MAX_SHOWN_CHARS): string {
  const flat = text
    .replace(
      // deno-lint-ignore no-control-regex
      /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
      " ",
    )
    .replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max).join("")}…`;
}

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "TooManyRequestsException",
]);

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The endpoint as shown in messages: no user info, no query. */
function shownEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.origin}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "the configured endpoint";
  }
}

/** What the messages of one call may name, and what they must never show. */
interface CallContext {
  /** "GetSessionToken" or "AssumeRole". */
  operation: string;
  /** Profile whose keys sign the call. */
  sourceProfile: string;
  /** STS endpoint URL. */
  endpoint: string;
  /** MFA serial sent, if any. */
  serialNumber?: string;
  /** The MFA code, if one was sent: it may be spent by any answer. */
  tokenCode?: string;
  /** Secrets to cut from any text that came from elsewhere. */
  secrets: string[];
  /** Whether the keys are session credentials. */
  withSessionToken: boolean;
  /** The role asked for (AssumeRole). */
  roleArn?: string;
  /** The duration asked for, if any. */
  durationSeconds?: number;
}

/** Remove the code and the secrets from text that came from elsewhere. */
function scrub(text: string, context: CallContext): string {
  let out = text;
  for (const secret of context.secrets) {
    if (secret) out = out.split(secret).join("******");
  }
  return cleanText(out).replace(/[.\s]+$/, "");
}

/** All messages of an error and its causes, for classifying network failures. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(" | ");
}

interface ServiceErrorShape {
  name: string;
  message: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
}

function isServiceError(error: unknown): error is ServiceErrorShape {
  return error instanceof Error && "$metadata" in error &&
    typeof (error as ServiceErrorShape).$metadata?.httpStatusCode === "number";
}

/** How one attempt ended: credentials, or an error that may or may not be retried. */
type Outcome<T> =
  | { kind: "ok"; credentials: T }
  | { kind: "retry"; error: StsError }
  | { kind: "resend"; error: StsError }
  | { kind: "final"; error: StsError };

type Failure = Exclude<Outcome<unknown>, { kind: "ok" }>;

/** Why a connection could not be made, when it surely was not made. */
function notConnectedReason(text: string): string | undefined {
  if (
    /dns error|failed to lookup address|name or service not known/i.test(text)
  ) {
    return "its host name does not resolve";
  }
  if (/connection refused/i.test(text)) return "the connection was refused";
  if (/are blocked/i.test(text)) return "the port is blocked";
  if (/client error \(Connect\)|tcp connect error/i.test(text)) {
    return "the connection could not be made";
  }
  return undefined;
}

/**
 * The refusals only AssumeRole meets, as one sentence each; undefined when
 * the error is not one of them.
 */
function classifyAssumeRole(
  code: string,
  message: string,
  context: CallContext,
): StsError | undefined {
  const role = context.roleArn ?? "the role";
  const asked = context.durationSeconds === undefined
    ? "the default duration"
    : `${context.durationSeconds} seconds`;
  const spent = context.tokenCode !== undefined;
  if (code === "AccessDenied" && /must provide both/i.test(message)) {
    return new StsError(
      `STS refused AssumeRole of ${role} for profile "${context.sourceProfile}": an MFA serial and a code must be sent together (AccessDenied).`,
      ExitCode.AuthRejected,
      code,
      false,
    );
  }
  if (code === "AccessDenied") {
    const named = /^User: (\S+) is not authorized to perform:? sts:AssumeRole/
      .exec(message);
    if (named === null) return undefined;
    return new StsError(
      `STS does not let ${
        named[1]
      } (profile "${context.sourceProfile}") assume the role ${role} (AccessDenied): check that the role exists and trusts this principal, and whether it requires MFA (mfa_serial) or an external id.`,
      ExitCode.AuthRejected,
      code,
      spent,
    );
  }
  if (code !== "ValidationError") return undefined;
  if (/role chaining/i.test(message)) {
    return new StsError(
      `STS limits a role assumed with session credentials (role chaining) to ${CHAINED_MAX_SECONDS} seconds, and ${asked} were asked for ${role} (ValidationError): ask for ${CHAINED_MAX_SECONDS} seconds or less.`,
      ExitCode.AuthRejected,
      code,
      spent,
    );
  }
  if (/MaxSessionDuration/i.test(message)) {
    return new StsError(
      `The role ${role} allows shorter sessions than the ${asked} asked for (ValidationError: more than its MaxSessionDuration): ask for less, or raise the role's maximum session duration.`,
      ExitCode.AuthRejected,
      code,
      spent,
    );
  }
  return undefined;
}

function classify(
  error: unknown,
  context: CallContext,
  timedOut: boolean,
  timeoutMs: number,
): Failure {
  const profile = `profile "${context.sourceProfile}"`;
  const where = shownEndpoint(context.endpoint);
  // Only a request that carried a code can have spent one.
  const sent = context.tokenCode !== undefined;
  const mayBeUsed = sent ? MAY_BE_USED : NO_CODE_SENT;
  const final = (
    message: string,
    exitCode: ExitCodeValue,
    awsCode: string,
    spent = false,
  ): Failure => ({
    kind: "final",
    error: new StsError(message, exitCode, awsCode, spent && sent),
  });

  if (error instanceof AnswerTooLarge) {
    return final(
      `STS at ${where} answered with more than ${
        MAX_ANSWER_BYTES / (1 << 20)
      } MiB, which no STS answer is; awsmfa stopped reading: ${mayBeUsed}.`,
      ExitCode.Network,
      "",
      true,
    );
  }
  if (error instanceof UnusableAnswer) {
    return final(
      `STS at ${where} ${error.message}: ${mayBeUsed}.`,
      ExitCode.Network,
      "",
      true,
    );
  }
  if (isServiceError(error)) {
    const status = error.$metadata?.httpStatusCode ?? 0;
    if (timedOut) {
      // The body did not arrive in time: a timeout, not an unreadable answer.
      return final(
        `STS at ${where} did not answer within ${
          timeoutMs / 1000
        } s: ${mayBeUsed}.`,
        ExitCode.Network,
        "",
        true,
      );
    }
    if (status < 300) {
      // A success status whose body the SDK could not read: STS did the work.
      return final(
        `STS at ${where} gave an answer awsmfa cannot read: ${mayBeUsed}.`,
        ExitCode.Network,
        "",
        true,
      );
    }
    if (status < 400) {
      return final(
        `STS at ${where} answered with a redirect (HTTP ${status}), which awsmfa never follows: check the endpoint (endpoint_url, AWS_ENDPOINT_URL_STS, --endpoint-url) and any proxy; ${mayBeUsed}.`,
        ExitCode.Network,
        "",
        true,
      );
    }
    // "Unknown": an answer without an STS error code (a proxy's page, say);
    // a code that is no error code name is not shown either.
    const code = /^Unknown(Error)?$/.test(error.name) ||
        !/^[A-Za-z][A-Za-z0-9.]{0,63}$/.test(error.name)
      ? ""
      : error.name;
    const named = code ? ` (${code})` : "";
    const message = scrub(error.message ?? "", context);
    if (THROTTLING_CODES.has(code) || status === 429) {
      return {
        kind: "retry",
        error: new StsError(
          `STS is throttling requests${named}: try again in a minute.`,
          ExitCode.Network,
          code,
          false,
        ),
      };
    }
    if (status >= 500 || error.$fault === "server") {
      return final(
        `STS answered HTTP ${status}${named}: ${mayBeUsed}.`,
        ExitCode.Network,
        code,
        true,
      );
    }
    if (context.operation === "AssumeRole") {
      const refusal = classifyAssumeRole(code, message, context);
      if (refusal !== undefined) return { kind: "final", error: refusal };
    }
    if (code === "AccessDenied" && /one time pass ?code/i.test(message)) {
      return final(
        "STS rejected the MFA code (wrong, expired or already used): wait for the next code and check the clock of your MFA device.",
        ExitCode.CodeRejected,
        code,
      );
    }
    if (
      code === "AccessDenied" && /serial number|validate MFA/i.test(message)
    ) {
      return final(
        `STS cannot validate an MFA code for serial "${context.serialNumber}" with the keys of ${profile}: check that this MFA device belongs to that IAM user (AccessDenied).`,
        ExitCode.AuthRejected,
        code,
      );
    }
    if (code === "AccessDenied" && /session credentials/i.test(message)) {
      return final(
        `The keys of ${profile} are session credentials, which STS refuses for GetSessionToken: use long-term keys (AccessDenied).`,
        ExitCode.AuthRejected,
        code,
      );
    }
    if (code === "InvalidClientTokenId") {
      return final(
        context.withSessionToken
          ? `STS does not accept the session credentials of ${profile} (InvalidClientTokenId).`
          : `STS does not know the access key of ${profile} (InvalidClientTokenId).`,
        ExitCode.AuthRejected,
        code,
      );
    }
    if (
      code === "SignatureDoesNotMatch" &&
      /signature expired|not yet current/i.test(message)
    ) {
      const skew = new StsError(
        `STS refused the request signed with ${profile} because this computer's clock is more than 5 minutes off (SignatureDoesNotMatch): correct the clock and try again.`,
        ExitCode.AuthRejected,
        code,
        false,
      );
      return error.$metadata?.clockSkewCorrected
        ? { kind: "resend", error: skew }
        : { kind: "final", error: skew };
    }
    if (code === "SignatureDoesNotMatch") {
      return final(
        `STS refused the signature made with ${profile} (SignatureDoesNotMatch): check its aws_secret_access_key and that this computer's clock is right.`,
        ExitCode.AuthRejected,
        code,
      );
    }
    if (code === "ExpiredToken") {
      return final(
        `STS says the credentials of ${profile} have expired (ExpiredToken).`,
        ExitCode.AuthRejected,
        code,
      );
    }
    return final(
      code
        ? `STS refused ${context.operation} for ${profile} (${code}${
          message ? `: ${message}` : ""
        }).`
        : `STS at ${where} refused ${context.operation} for ${profile} with HTTP ${status}.`,
      ExitCode.AuthRejected,
      code,
    );
  }

  if (
    timedOut ||
    (error instanceof Error &&
      (error.name === "TimeoutError" || error.name === "AbortError"))
  ) {
    return final(
      `STS at ${where} did not answer within ${
        timeoutMs / 1000
      } s: ${mayBeUsed}.`,
      ExitCode.Network,
      "",
      true,
    );
  }
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return final(
      `awsmfa is not allowed to connect to ${where}: STS endpoints must be on amazonaws.com, amazonaws.com.cn, api.aws or this machine.`,
      ExitCode.Network,
      "",
    );
  }
  const text = errorText(error);
  const reason = notConnectedReason(text);
  if (reason !== undefined) {
    return {
      kind: "retry",
      error: new StsError(
        `Cannot reach STS at ${where}: ${reason}.`,
        ExitCode.Network,
        "",
        false,
      ),
    };
  }
  if (error instanceof TypeError) {
    return final(
      `The connection to STS at ${where} broke before an answer came: ${mayBeUsed}.`,
      ExitCode.Network,
      "",
      true,
    );
  }
  return final(
    `STS at ${where} gave an answer awsmfa cannot read: ${mayBeUsed}.`,
    ExitCode.Network,
    "",
    true,
  );
}

/** What a client needs: where to send, how to sign, how to fetch. */
interface ClientSettings {
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  fetch?: typeof fetch;
}

/** A client that looks nothing up in AWS_* variables or the AWS files. */
function makeClient(request: ClientSettings): STSClient {
  return new STSClient({
    region: request.region,
    endpoint: request.endpoint,
    credentials: {
      accessKeyId: request.accessKeyId,
      secretAccessKey: request.secretAccessKey,
      ...(request.sessionToken !== undefined
        ? { sessionToken: request.sessionToken }
        : {}),
    },
    // No requestTimeout: its setTimeout would load Deno's Node timers, and
    // attempt()'s deadline already aborts the whole answer.
    requestHandler: new FetchHttpHandler({
      customFetch: boundedFetch(request.fetch ?? fetch),
    }),
    // Everything the SDK would otherwise look up in AWS_* variables and the
    // AWS config files, given here so that it looks up nothing.
    maxAttempts: 1,
    retryMode: "standard",
    defaultsMode: "standard",
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    useGlobalEndpoint: false,
    ignoreConfiguredEndpointUrls: true,
    authSchemePreference: [],
    sigv4aSigningRegionSet: [],
    userAgentAppId: "awsmfa",
    disableClockSkewCorrection: false,
  });
}

/** What an answer's Expiration is checked against. */
interface ExpectedWindow {
  /** STS's time now, in ms (this computer's clock, corrected for skew). */
  nowMs: number;
  /** The duration asked for, in seconds. */
  durationSeconds: number;
}

/** Printable ASCII without spaces, as every AWS key and token is. */
const CREDENTIAL_TEXT = /^[\x21-\x7e]{1,65536}$/;

/**
 * The credentials of an answer, or undefined when any part is missing.
 *
 * @throws {UnusableAnswer} for keys with characters no AWS key has (they
 * would break the credentials file), or an Expiration that is past, or
 * further away than the duration asked for.
 */
function completeCredentials(
  credentials: Credentials | undefined,
  window: ExpectedWindow,
): SessionCredentials | undefined {
  const expiration = credentials?.Expiration;
  if (
    !credentials?.AccessKeyId || !credentials.SecretAccessKey ||
    !credentials.SessionToken || !(expiration instanceof Date)
  ) {
    return undefined;
  }
  if (
    ![
      credentials.AccessKeyId,
      credentials.SecretAccessKey,
      credentials.SessionToken,
    ].every((value) => CREDENTIAL_TEXT.test(value))
  ) {
    throw new UnusableAnswer(
      "answered with credentials that hold characters no AWS key has, which awsmfa does not write",
    );
  }
  const end = expiration.getTime();
  if (Number.isNaN(end)) {
    throw new UnusableAnswer(
      "answered with an Expiration awsmfa cannot read, so the session is not used",
    );
  }
  if (end <= window.nowMs) {
    throw new UnusableAnswer(
      `answered with a session that expired already (${expiration.toISOString()}), so it is not used; check this computer's clock`,
    );
  }
  if (end > window.nowMs + window.durationSeconds * 1000 + CLOCK_SLACK_MS) {
    throw new UnusableAnswer(
      `answered with an Expiration (${expiration.toISOString()}) further away than the ${window.durationSeconds} seconds asked for, which STS never does, so the session is not used; check this computer's clock`,
    );
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration,
  };
}

/** STS's time now: `now()` plus the clock offset the SDK learned. */
function stsNow(client: STSClient, now: (() => number) | undefined): number {
  const offset =
    (client.config as { systemClockOffset?: unknown }).systemClockOffset;
  return (now ?? Date.now)() + (typeof offset === "number" ? offset : 0);
}

/** One call: `send` returns the credentials, or undefined for an incomplete answer. */
async function attempt<T>(
  send: (signal: AbortSignal) => Promise<T | undefined>,
  context: CallContext,
  timeoutMs: number,
): Promise<Outcome<T>> {
  const controller = new AbortController();
  // AbortSignal.timeout, not setTimeout: Deno's global setTimeout loads its
  // Node timers on first use (10-20 ms of every refresh).
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const credentials = await send(
      AbortSignal.any([controller.signal, deadline]),
    );
    if (credentials === undefined) {
      return {
        kind: "final",
        error: new StsError(
          `STS at ${
            shownEndpoint(context.endpoint)
          } answered without complete credentials: ${
            context.tokenCode !== undefined ? MAY_BE_USED : NO_CODE_SENT
          }.`,
          ExitCode.Network,
          "",
          context.tokenCode !== undefined,
        ),
      };
    }
    return { kind: "ok", credentials };
  } catch (error) {
    return classify(error, context, deadline.aborted, timeoutMs);
  } finally {
    controller.abort();
  }
}

/** Attempts as the retry policy allows; returns the credentials or throws the last error. */
async function withRetries<T>(
  send: (signal: AbortSignal) => Promise<T | undefined>,
  context: CallContext,
  options: {
    timeoutMs?: number;
    maxAttempts?: number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const sleep = options.sleep ?? defaultSleep;
  for (let n = 1;; n++) {
    const outcome = await attempt(send, context, timeoutMs);
    if (outcome.kind === "ok") return outcome.credentials;
    if (outcome.kind === "final") throw outcome.error;
    if (n >= maxAttempts) throw afterAttempts(outcome.error, n);
    // A request refused for clock skew is resent at once: the client now
    // signs with STS's clock, and a refused signature spent no code.
    if (outcome.kind === "retry") {
      await sleep(FIRST_BACKOFF_MS * 2 ** (n - 1));
    }
  }
}

/** The last retryable error, saying how many attempts were made. */
function afterAttempts(error: StsError, attempts: number): StsError {
  if (attempts === 1) return error;
  return new StsError(
    `${error.message.replace(/\.$/, "")} (${attempts} attempts).`,
    error.exitCode,
    error.awsCode,
    error.codeMayBeUsed,
  );
}

/**
 * Call STS GetSessionToken with the long-term keys of the source profile and
 * return the temporary credentials, with the Expiration STS answered.
 *
 * @throws {StsError} with the exit code of its class (4 code rejected,
 * 5 keys or serial rejected, 6 network, throttling, 5xx, timeout); never
 * mentions the code or a secret.
 */
export async function getSessionToken(
  request: GetSessionTokenRequest,
): Promise<SessionCredentials> {
  const client = makeClient(request);
  const context: CallContext = {
    operation: "GetSessionToken",
    sourceProfile: request.sourceProfile,
    endpoint: request.endpoint,
    serialNumber: request.serialNumber,
    tokenCode: request.tokenCode,
    secrets: [request.tokenCode, request.secretAccessKey],
    withSessionToken: false,
    durationSeconds: request.durationSeconds,
  };
  try {
    return await withRetries(
      async (abortSignal) => {
        const output = await client.send(
          new GetSessionTokenCommand({
            SerialNumber: request.serialNumber,
            TokenCode: request.tokenCode,
            DurationSeconds: request.durationSeconds,
          }),
          { abortSignal },
        );
        return completeCredentials(output.Credentials, {
          nowMs: stsNow(client, request.now),
          durationSeconds: request.durationSeconds,
        });
      },
      context,
      request,
    );
  } finally {
    client.destroy();
  }
}

/**
 * Call STS AssumeRole and return the role session's credentials, with the
 * Expiration STS answered and the session's ARN. The same retry policy and
 * messages as {@linkcode getSessionToken}, plus one sentence each for: not
 * allowed to assume the role (naming the principal STS named and the role),
 * a duration above the role's MaxSessionDuration, and a duration above the
 * one-hour cap of role chaining.
 *
 * @throws {StsError} with the exit code of its class (4 code rejected,
 * 5 refused: keys, serial, trust or duration, 6 network, throttling, 5xx,
 * timeout); never mentions the code or a secret.
 */
export async function assumeRole(
  request: AssumeRoleRequest,
): Promise<RoleCredentials> {
  const client = makeClient(request);
  const context: CallContext = {
    operation: "AssumeRole",
    sourceProfile: request.sourceProfile,
    endpoint: request.endpoint,
    ...(request.serialNumber !== undefined
      ? { serialNumber: request.serialNumber }
      : {}),
    ...(request.tokenCode !== undefined
      ? { tokenCode: request.tokenCode }
      : {}),
    secrets: [
      request.tokenCode ?? "",
      request.secretAccessKey,
      request.sessionToken ?? "",
    ],
    withSessionToken: request.sessionToken !== undefined,
    roleArn: request.roleArn,
    ...(request.durationSeconds !== undefined
      ? { durationSeconds: request.durationSeconds }
      : {}),
  };
  try {
    return await withRetries(
      async (abortSignal) => {
        const output = await client.send(
          new AssumeRoleCommand({
            RoleArn: request.roleArn,
            RoleSessionName: request.roleSessionName,
            ExternalId: request.externalId,
            SerialNumber: request.serialNumber,
            TokenCode: request.tokenCode,
            DurationSeconds: request.durationSeconds,
          }),
          { abortSignal },
        );
        const credentials = completeCredentials(output.Credentials, {
          nowMs: stsNow(client, request.now),
          durationSeconds: request.durationSeconds ?? DEFAULT_ROLE_SECONDS,
        });
        const arn = output.AssumedRoleUser?.Arn;
        if (credentials === undefined || !arn) return undefined;
        return { ...credentials, assumedRoleArn: arn };
      },
      context,
      request,
    );
  } finally {
    client.destroy();
  }
}
