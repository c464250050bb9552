/**
 * An STS answer checked before its credentials are used: every part
 * present, keys of the characters AWS keys have, and an Expiration that is
 * neither past nor further away than the duration asked for.
 *
 * @module
 */

import { UnusableAnswer } from "./sts_error.ts";

/** The credentials part of an STS answer, as the SDK hands it over. */
export interface AnswerCredentials {
  /** The temporary access key id. */
  AccessKeyId?: string;
  /** The temporary secret access key. */
  SecretAccessKey?: string;
  /** The session token. */
  SessionToken?: string;
  /** When the credentials stop working. */
  Expiration?: Date;
}

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

/** Clock difference allowed between STS and this computer: SigV4's own 5 minutes. */
const CLOCK_SLACK_MS = 5 * 60_000;

/** What an answer's Expiration is checked against. */
export interface ExpectedWindow {
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
export function completeCredentials(
  credentials: AnswerCredentials | undefined,
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
