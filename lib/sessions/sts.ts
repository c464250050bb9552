/**
 * The STS calls, GetSessionToken and AssumeRole, through
 * `@aws-sdk/client-sts`: the client, one attempt under a deadline, and the
 * retry policy. How a failure is decided (retry, exit code, sentence) is the
 * table of lib/sessions/sts_rules.ts, over the facts of sts_fault.ts; an
 * answer is checked by sts_answer.ts; the error class is in sts_error.ts,
 * importable without the SDK.
 *
 * This is the only module that imports the AWS SDK; load it with
 * `await import("./sts.ts")` so runs that need no STS call never pay for it.
 *
 * @module
 */

import {
  AssumeRoleCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { sentence } from "../shared/errors.ts";
import { boundedFetch } from "../shared/network.ts";
import { StsError, UnusableAnswer } from "./sts_error.ts";
import { completeCredentials, type SessionCredentials } from "./sts_answer.ts";
import type { CallContext } from "./sts_fault.ts";
import { classify, type Failure } from "./sts_rules.ts";

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
 * MFA over, but caps the role session at one hour (`CHAINED_MAX_SECONDS`)
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

/** Default time allowed for STS to answer, in ms. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** The role session length STS gives when no DurationSeconds is sent. */
const DEFAULT_ROLE_SECONDS = 3600;
/** Default number of attempts when retrying is safe. */
const DEFAULT_MAX_ATTEMPTS = 3;
/** Wait before the second attempt, in ms; doubled for each later one. */
const FIRST_BACKOFF_MS = 500;

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** STS's time now: `now()` plus the clock offset the SDK learned. */
function stsNow(client: STSClient, now: (() => number) | undefined): number {
  const offset =
    (client.config as { systemClockOffset?: unknown }).systemClockOffset;
  return (now ?? Date.now)() + (typeof offset === "number" ? offset : 0);
}

/** How one attempt ended: credentials, or a failure the rules decided. */
type Outcome<T> =
  | { kind: "ok"; credentials: T }
  | ({ kind: "failed" } & Failure);

/** One call: `send` returns the credentials, or undefined for an incomplete answer. */
async function attempt<T>(
  send: (signal: AbortSignal) => Promise<T | undefined>,
  context: CallContext,
): Promise<Outcome<T>> {
  // AbortSignal.timeout, not setTimeout: Deno's global setTimeout loads its
  // Node timers on first use (10-20 ms of every refresh).
  const deadline = AbortSignal.timeout(context.timeoutMs);
  try {
    const credentials = await send(deadline);
    if (credentials === undefined) {
      throw new UnusableAnswer("answered without complete credentials");
    }
    return { kind: "ok", credentials };
  } catch (error) {
    return { kind: "failed", ...classify(error, context, deadline.aborted) };
  }
}

/** Attempts as the retry policy allows; returns the credentials or throws the last error. */
async function withRetries<T>(
  send: (signal: AbortSignal) => Promise<T | undefined>,
  context: CallContext,
  options: {
    maxAttempts?: number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const sleep = options.sleep ?? defaultSleep;
  for (let n = 1;; n++) {
    const outcome = await attempt(send, context);
    if (outcome.kind === "ok") return outcome.credentials;
    if (outcome.next === "final") throw outcome.error;
    if (n >= maxAttempts) throw afterAttempts(outcome.error, n);
    // A request refused for clock skew is resent at once: the client now
    // signs with STS's clock, and a refused signature spent no code.
    if (outcome.next === "retry") {
      await sleep(FIRST_BACKOFF_MS * 2 ** (n - 1));
    }
  }
}

/** The last retryable error, saying how many attempts were made. */
function afterAttempts(error: StsError, attempts: number): StsError {
  if (attempts === 1) return error;
  return new StsError(
    sentence(error, ` (${attempts} attempts)`),
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
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
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
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
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
