/**
 * The text of a session cache entry: a JSON object with a format marker and
 * version, the key it is for and the session's keys and expiry. Text that is
 * not an entry of this version, or that names another key, reads as no
 * entry (a miss), so the next fetch replaces it.
 *
 * The text holds a secret (the session's keys), like the credentials file,
 * and is never printed.
 *
 * @module
 */

import type { SessionValues } from "../aws_files/session.ts";
import { rfc3339 } from "../shared/time.ts";
import type { CacheKey } from "./cache_key.ts";

/** Format marker and version written in every cache file. */
const FORMAT = "awsmfa-session-cache";
const VERSION = 1;

/** The text of an entry's file. */
export function cacheText(key: CacheKey, session: SessionValues): string {
  return JSON.stringify(
    {
      Format: FORMAT,
      Version: VERSION,
      SourceProfile: key.sourceProfile,
      SerialNumber: key.serialNumber,
      ...(key.roleArn !== undefined ? { RoleArn: key.roleArn } : {}),
      ...(key.roleSessionName !== undefined
        ? { RoleSessionName: key.roleSessionName }
        : {}),
      ...(key.externalId !== undefined ? { ExternalId: key.externalId } : {}),
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: rfc3339(session.expiration),
    },
    null,
    2,
  ) + "\n";
}

/**
 * The session in an entry's text, or undefined when the text is not a cache
 * entry of this version for exactly `key`.
 */
export function parseCacheText(
  text: string,
  key: CacheKey,
): SessionValues | undefined {
  const entry = entryOf(text);
  if (entry === undefined) return undefined;
  const field = (name: string) =>
    typeof entry[name] === "string" && entry[name] !== ""
      ? entry[name] as string
      : undefined;
  if (
    entry.SourceProfile !== key.sourceProfile ||
    entry.SerialNumber !== key.serialNumber ||
    entry.RoleArn !== key.roleArn ||
    entry.RoleSessionName !== key.roleSessionName ||
    entry.ExternalId !== key.externalId
  ) {
    return undefined;
  }
  const accessKeyId = field("AccessKeyId");
  const secretAccessKey = field("SecretAccessKey");
  const sessionToken = field("SessionToken");
  const expirationText = field("Expiration");
  if (
    !accessKeyId || !secretAccessKey || !sessionToken || !expirationText ||
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(expirationText)
  ) {
    return undefined;
  }
  const expiration = new Date(expirationText);
  if (Number.isNaN(expiration.getTime())) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/**
 * The key an entry's text says it is for; undefined when the text is not a
 * cache entry of this version or names no key.
 */
export function cacheKeyOfText(text: string): CacheKey | undefined {
  const entry = entryOf(text);
  if (
    entry === undefined || typeof entry.SourceProfile !== "string" ||
    typeof entry.SerialNumber !== "string"
  ) {
    return undefined;
  }
  const key: CacheKey = {
    sourceProfile: entry.SourceProfile,
    serialNumber: entry.SerialNumber,
  };
  for (
    const [field, name] of [
      ["roleArn", "RoleArn"],
      ["roleSessionName", "RoleSessionName"],
      ["externalId", "ExternalId"],
    ] as const
  ) {
    const value = entry[name];
    if (typeof value === "string") key[field] = value;
  }
  return key;
}

/** The fields of a cache entry of this version; undefined for any other text. */
function entryOf(text: string): Record<string, unknown> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return undefined;
  }
  const entry = data as Record<string, unknown>;
  return entry.Format === FORMAT && entry.Version === VERSION
    ? entry
    : undefined;
}
