/**
 * The keys awsmfa owns in a credentials section (the managed keys), and how
 * it recognises and dates its own sessions. Pure functions; how times are
 * written is `lib/shared/time.ts`.
 *
 * @module
 */

import type { ProfileKeys } from "./settings.ts";
import { rfc3339 } from "../shared/time.ts";

/** Temporary credentials as STS returned them. */
export interface SessionValues {
  /** Temporary access key id (ASIA…). */
  accessKeyId: string;
  /** Temporary secret access key. */
  secretAccessKey: string;
  /** Session token. */
  sessionToken: string;
  /** When STS says the session ends. */
  expiration: Date;
}

/** Key holding the session's end (RFC 3339, UTC), read by shell prompts. */
export const EXPIRES_KEY = "x_security_token_expires";
/** Key naming the profile whose long-term keys made the session. */
export const SOURCE_KEY = "awsmfa_source_profile";
/** Key naming the MFA device used. */
export const SERIAL_KEY = "awsmfa_serial";
/** Key naming the role of a role session; absent for an MFA session. */
export const ROLE_KEY = "awsmfa_role_arn";

/**
 * Key recording what awsmfa added besides its keys, so that `clear` takes
 * back exactly that: `credentials` (it created this section), `config` (it
 * created the profile's config section), or `keys` (neither).
 */
export const ADDED_KEY = "awsmfa_added";

/** Every key awsmfa writes into a credentials section, in writing order. */
export const MANAGED_KEYS: readonly string[] = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  EXPIRES_KEY,
  SOURCE_KEY,
  SERIAL_KEY,
  ROLE_KEY,
  ADDED_KEY,
];

/** What awsmfa added for a target profile besides its keys. */
export interface Added {
  /** It created the credentials section. */
  credentials: boolean;
  /** It created the profile's config section. */
  config: boolean;
}

/**
 * What the {@linkcode ADDED_KEY} of a credentials section (its own keys)
 * records, or undefined when it records nothing readable (a section written
 * before awsmfa kept the record, or edited by hand).
 */
export function addedOf(own: ProfileKeys | undefined): Added | undefined {
  const words = own?.[ADDED_KEY]?.trim().split(/[\s,]+/);
  if (words === undefined) return undefined;
  const known = ["credentials", "config", "keys"];
  if (words.length === 0 || words.some((word) => !known.includes(word))) {
    return undefined;
  }
  return {
    credentials: words.includes("credentials"),
    config: words.includes("config"),
  };
}

/**
 * The {@linkcode ADDED_KEY} value for a write into a credentials section
 * whose own keys are `own` (undefined: awsmfa creates it), when awsmfa also
 * creates the config section (`addsConfig`). What an earlier write recorded
 * stays recorded. A section awsmfa wrote before it kept the record counts as
 * created by awsmfa when it holds nothing but awsmfa's keys.
 */
export function addedValue(
  own: ProfileKeys | undefined,
  addsConfig: boolean,
): string {
  const managed = isManaged(own);
  const earlier = addedOf(own) ?? {
    credentials: own === undefined ||
      (managed && Object.keys(own).every((key) => MANAGED_KEYS.includes(key))),
    config: false,
  };
  const words = [
    ...(earlier.credentials ? ["credentials"] : []),
    ...(earlier.config || addsConfig ? ["config"] : []),
  ];
  return words.length > 0 ? words.join(" ") : "keys";
}

/** Skip-while-valid threshold: a session with less left than this is refreshed. */
export const DEFAULT_MIN_REMAINING_MS = 15 * 60 * 1000;

/**
 * The values to write into the target credentials section; {@linkcode ROLE_KEY}
 * only for a role session (`roleArn` given).
 */
export function sessionSection(
  session: SessionValues,
  sourceProfile: string,
  serial: string,
  roleArn?: string,
): Record<string, string> {
  return {
    aws_access_key_id: session.accessKeyId,
    aws_secret_access_key: session.secretAccessKey,
    aws_session_token: session.sessionToken,
    [EXPIRES_KEY]: rfc3339(session.expiration),
    [SOURCE_KEY]: sourceProfile,
    [SERIAL_KEY]: serial,
    ...(roleArn !== undefined ? { [ROLE_KEY]: roleArn } : {}),
  };
}

/** True when a credentials section was written by awsmfa. */
export function isManaged(section: ProfileKeys | undefined): boolean {
  return section !== undefined && section[SOURCE_KEY] !== undefined &&
    section[SERIAL_KEY] !== undefined &&
    section["aws_session_token"] !== undefined;
}

/** When an awsmfa-managed section expires; undefined if unknown or unparsable. */
export function expiresAt(section: ProfileKeys | undefined): Date | undefined {
  const text = section?.[EXPIRES_KEY]?.trim();
  if (
    text === undefined ||
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text)
  ) {
    return undefined;
  }
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Milliseconds the target session is still valid for, when it was written by
 * awsmfa for the same source profile, serial and role (`roleArn` undefined:
 * an MFA session, no role) and has more than `minRemainingMs` left;
 * otherwise undefined (a refresh is due).
 */
export function remainingValidity(
  section: ProfileKeys | undefined,
  sourceProfile: string,
  serial: string,
  now: Date,
  minRemainingMs: number = DEFAULT_MIN_REMAINING_MS,
  roleArn?: string,
): number | undefined {
  if (!isManaged(section)) return undefined;
  if (section?.[SOURCE_KEY] !== sourceProfile) return undefined;
  if (section?.[SERIAL_KEY] !== serial) return undefined;
  if (section?.[ROLE_KEY]?.trim() !== roleArn) return undefined;
  const end = expiresAt(section);
  if (end === undefined) return undefined;
  const remaining = end.getTime() - now.getTime();
  return remaining > minRemainingMs ? remaining : undefined;
}
