/**
 * The one STS call: GetSessionToken through `@aws-sdk/client-sts`, and the
 * mapping of every way it can fail to one sentence and an exit code.
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

import { GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { AwsmfaError, ExitCode, type ExitCodeValue } from "./errors.ts";

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
}

/** Default time allowed for STS to answer, in ms. */
export const DEFAULT_TIMEOUT_MS = 15_000;
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

/** Remove the code and the secret from text that came from elsewhere. */
function scrub(text: string, request: GetSessionTokenRequest): string {
  let out = text;
  for (const secret of [request.tokenCode, request.secretAccessKey]) {
    if (secret) out = out.split(secret).join("******");
  }
  return out.trim().replace(/\s+/g, " ").replace(/[.\s]+$/, "");
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
type Outcome =
  | { kind: "ok"; credentials: SessionCredentials }
  | { kind: "retry"; error: StsError }
  | { kind: "resend"; error: StsError }
  | { kind: "final"; error: StsError };

type Failure = Exclude<Outcome, { kind: "ok" }>;

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

function classify(
  error: unknown,
  request: GetSessionTokenRequest,
  timedOut: boolean,
  timeoutMs: number,
): Failure {
  const profile = `profile "${request.sourceProfile}"`;
  const where = shownEndpoint(request.endpoint);
  const final = (
    message: string,
    exitCode: ExitCodeValue,
    awsCode: string,
    mayBeUsed = false,
  ): Failure => ({
    kind: "final",
    error: new StsError(message, exitCode, awsCode, mayBeUsed),
  });

  if (isServiceError(error)) {
    const status = error.$metadata?.httpStatusCode ?? 0;
    if (status < 300) {
      // A success status whose body the SDK could not read: STS did the work.
      return final(
        `STS at ${where} gave an answer awsmfa cannot read: ${MAY_BE_USED}.`,
        ExitCode.Network,
        "",
        true,
      );
    }
    // "Unknown": an answer without an STS error code (a proxy's page, say).
    const code = /^Unknown(Error)?$/.test(error.name) ? "" : error.name;
    const named = code ? ` (${code})` : "";
    const message = scrub(error.message ?? "", request);
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
        `STS answered HTTP ${status}${named}: ${MAY_BE_USED}.`,
        ExitCode.Network,
        code,
        true,
      );
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
        `STS cannot validate an MFA code for serial "${request.serialNumber}" with the keys of ${profile}: check that this MFA device belongs to that IAM user (AccessDenied).`,
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
        `STS does not know the access key of ${profile} (InvalidClientTokenId).`,
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
        ? `STS refused GetSessionToken for ${profile} (${code}${
          message ? `: ${message}` : ""
        }).`
        : `STS at ${where} refused GetSessionToken for ${profile} with HTTP ${status}.`,
      ExitCode.AuthRejected,
      code,
    );
  }

  if (timedOut || (error instanceof Error && error.name === "TimeoutError")) {
    return final(
      `STS at ${where} did not answer within ${
        timeoutMs / 1000
      } s: ${MAY_BE_USED}.`,
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
      `The connection to STS at ${where} broke before an answer came: ${MAY_BE_USED}.`,
      ExitCode.Network,
      "",
      true,
    );
  }
  return final(
    `STS at ${where} gave an answer awsmfa cannot read: ${MAY_BE_USED}.`,
    ExitCode.Network,
    "",
    true,
  );
}

/** A client that looks nothing up in AWS_* variables or the AWS files. */
function makeClient(
  request: GetSessionTokenRequest,
  timeoutMs: number,
): STSClient {
  return new STSClient({
    region: request.region,
    endpoint: request.endpoint,
    credentials: {
      accessKeyId: request.accessKeyId,
      secretAccessKey: request.secretAccessKey,
    },
    requestHandler: new FetchHttpHandler({
      requestTimeout: timeoutMs,
      ...(request.fetch ? { customFetch: request.fetch } : {}),
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

async function attempt(
  client: STSClient,
  request: GetSessionTokenRequest,
  timeoutMs: number,
): Promise<Outcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const output = await client.send(
      new GetSessionTokenCommand({
        SerialNumber: request.serialNumber,
        TokenCode: request.tokenCode,
        DurationSeconds: request.durationSeconds,
      }),
      { abortSignal: controller.signal },
    );
    const credentials = output.Credentials;
    const expiration = credentials?.Expiration;
    if (
      !credentials?.AccessKeyId || !credentials.SecretAccessKey ||
      !credentials.SessionToken || !(expiration instanceof Date) ||
      Number.isNaN(expiration.getTime())
    ) {
      return {
        kind: "final",
        error: new StsError(
          `STS at ${
            shownEndpoint(request.endpoint)
          } answered without complete credentials: ${MAY_BE_USED}.`,
          ExitCode.Network,
          "",
          true,
        ),
      };
    }
    return {
      kind: "ok",
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration,
      },
    };
  } catch (error) {
    return classify(error, request, timedOut, timeoutMs);
  } finally {
    clearTimeout(timer);
    controller.abort();
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
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = Math.max(1, request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const sleep = request.sleep ?? defaultSleep;
  const client = makeClient(request, timeoutMs);
  try {
    for (let n = 1;; n++) {
      const outcome = await attempt(client, request, timeoutMs);
      if (outcome.kind === "ok") return outcome.credentials;
      if (outcome.kind === "final") throw outcome.error;
      if (n >= maxAttempts) throw afterAttempts(outcome.error, n);
      // A request refused for clock skew is resent at once: the client now
      // signs with STS's clock, and a refused signature spent no code.
      if (outcome.kind === "retry") {
        await sleep(FIRST_BACKOFF_MS * 2 ** (n - 1));
      }
    }
  } finally {
    client.destroy();
  }
}
