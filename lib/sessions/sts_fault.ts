/**
 * A failed STS call reduced to the facts its rules look at
 * ({@linkcode Fault}): what kind of failure, the HTTP status, STS's code and
 * message (scrubbed of the code and the secrets, made safe to print). The
 * SDK's errors are read by their shape, so this module needs no SDK.
 *
 * @module
 */

import { AnswerTooLarge, cleanText } from "../shared/network.ts";
import { UnusableAnswer } from "./sts_error.ts";

/** What the sentences of one call may name, and what they must never show. */
export interface CallContext {
  /** "GetSessionToken" or "AssumeRole". */
  operation: string;
  /** Profile whose keys sign the call. */
  sourceProfile: string;
  /** STS endpoint URL. */
  endpoint: string;
  /** Time allowed for the whole answer, in ms. */
  timeoutMs: number;
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

/** What a failure is, reduced to the facts the rules look at. */
export interface Fault {
  /**
   * `refused`: STS (or something in its place) answered 4xx or 5xx;
   * `too-large`, `unusable`, `unreadable`, `redirect`: an answer awsmfa
   * cannot use; `timeout`; `not-allowed`: no permission to connect;
   * `not-connected`: surely not sent; `broken`: the connection broke.
   */
  kind:
    | "refused"
    | "too-large"
    | "unusable"
    | "unreadable"
    | "redirect"
    | "timeout"
    | "not-allowed"
    | "not-connected"
    | "broken";
  /** The HTTP status, 0 when there was no answer. */
  status: number;
  /** STS's error code when it named one that can be shown, else "". */
  code: string;
  /** STS's message (scrubbed), or what is wrong with the answer. */
  message: string;
  /** Why the connection was not made (`not-connected`). */
  reason: string;
  /** Whether the SDK corrected its clock from this answer. */
  skewCorrected: boolean;
  /** Whether the answer came from the server side (`$fault`). */
  serverFault: boolean;
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

/** The facts of `error`; `timedOut` when the call's deadline passed. */
export function faultOf(
  error: unknown,
  context: CallContext,
  timedOut: boolean,
): Fault {
  const fault: Fault = {
    kind: "unreadable",
    status: 0,
    code: "",
    message: "",
    reason: "",
    skewCorrected: false,
    serverFault: false,
  };
  if (error instanceof AnswerTooLarge) return { ...fault, kind: "too-large" };
  if (error instanceof UnusableAnswer) {
    return { ...fault, kind: "unusable", message: error.message };
  }
  if (isServiceError(error)) {
    const status = error.$metadata?.httpStatusCode ?? 0;
    // The body did not arrive in time: a timeout, not an unreadable answer.
    if (timedOut) return { ...fault, kind: "timeout", status };
    // A success status whose body the SDK could not read: STS did the work.
    if (status < 300) return { ...fault, status };
    if (status < 400) return { ...fault, kind: "redirect", status };
    // "Unknown": an answer without an STS error code (a proxy's page, say);
    // a code that is no error code name is not shown either.
    const code = /^Unknown(Error)?$/.test(error.name) ||
        !/^[A-Za-z][A-Za-z0-9.]{0,63}$/.test(error.name)
      ? ""
      : error.name;
    return {
      ...fault,
      kind: "refused",
      status,
      code,
      message: scrub(error.message ?? "", context),
      skewCorrected: error.$metadata?.clockSkewCorrected === true,
      serverFault: error.$fault === "server",
    };
  }
  if (
    timedOut ||
    (error instanceof Error &&
      (error.name === "TimeoutError" || error.name === "AbortError"))
  ) {
    return { ...fault, kind: "timeout" };
  }
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return { ...fault, kind: "not-allowed" };
  }
  const reason = notConnectedReason(errorText(error));
  if (reason !== undefined) return { ...fault, kind: "not-connected", reason };
  if (error instanceof TypeError) return { ...fault, kind: "broken" };
  return fault;
}
