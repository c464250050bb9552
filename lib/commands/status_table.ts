/**
 * The rows of `awsmfa status`: the awsmfa-managed profiles of the
 * credentials file and the sessions only the cache holds, as a table or a
 * JSON array, with the role of each role session. Pure: no IO, no AWS SDK.
 *
 * @module
 */

import {
  expiresAt,
  isManaged,
  ROLE_KEY,
  SERIAL_KEY,
  SOURCE_KEY,
} from "../aws_files/session.ts";
import { formatRemaining, localMinute, rfc3339 } from "../shared/time.ts";
import type { ProfileKeys } from "../aws_files/settings.ts";
import type { CachedKey } from "../sessions/cache_list.ts";

/** One awsmfa-managed profile, or a session only the cache holds. */
export interface StatusRow {
  /** The profile (section) name; null for a session only in the cache. */
  profile: string | null;
  /** The source profile that made the session. */
  sourceProfile: string;
  /** The MFA serial used. */
  serial: string;
  /** The role of a role session (`awsmfa_role_arn`); absent for an MFA session. */
  roleArn?: string;
  /** When the session ends; undefined when the file does not say. */
  expiration?: Date;
  /** Milliseconds left (0 when expired); undefined when the end is unknown. */
  remainingMs?: number;
}

/** The awsmfa-managed profiles among `profiles`, in file order. */
export function managedProfiles(
  profiles: Map<string, ProfileKeys>,
  now: Date,
): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const [profile, keys] of profiles) {
    if (!isManaged(keys)) continue;
    const row: StatusRow = {
      profile,
      sourceProfile: keys[SOURCE_KEY].trim(),
      serial: keys[SERIAL_KEY].trim(),
    };
    const roleArn = keys[ROLE_KEY]?.trim();
    if (roleArn) row.roleArn = roleArn;
    const end = expiresAt(keys);
    if (end !== undefined) {
      row.expiration = end;
      row.remainingMs = Math.max(0, end.getTime() - now.getTime());
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Rows for the sessions only the cache holds (from `credential-process`,
 * `--output` or `exec`): entries with no managed profile of the same
 * source, serial and role among `rows`, in the order given.
 */
export function cacheOnlyRows(
  entries: readonly CachedKey[],
  rows: readonly StatusRow[],
  now: Date,
): StatusRow[] {
  const found: StatusRow[] = [];
  for (const { key, expiration } of entries) {
    const shown = [...rows, ...found].some((row) =>
      row.sourceProfile === key.sourceProfile &&
      row.serial === key.serialNumber && row.roleArn === key.roleArn
    );
    if (shown) continue;
    const row: StatusRow = {
      profile: null,
      sourceProfile: key.sourceProfile,
      serial: key.serialNumber,
    };
    if (key.roleArn !== undefined) row.roleArn = key.roleArn;
    if (expiration !== undefined) {
      row.expiration = expiration;
      row.remainingMs = Math.max(0, expiration.getTime() - now.getTime());
    }
    found.push(row);
  }
  return found;
}

function remainingText(row: StatusRow): string {
  if (row.remainingMs === undefined) return "unknown";
  return row.remainingMs === 0 ? "expired" : formatRemaining(row.remainingMs);
}

/**
 * The rows as an aligned table with a header line: profile (`(cache)` for
 * a session only the cache holds), source profile,
 * serial, the role (a `ROLE` column, only when some row is a role session;
 * `-` for an MFA session), expiry in local time, and time left (`11h 58m`,
 * `expired`, or `unknown`). Ends with a newline.
 */
export function statusTable(rows: readonly StatusRow[]): string {
  const roles = rows.some((row) => row.roleArn !== undefined);
  const cells = [
    [
      "PROFILE",
      "SOURCE",
      "SERIAL",
      ...(roles ? ["ROLE"] : []),
      "EXPIRES (LOCAL)",
      "REMAINING",
    ],
    ...rows.map((row) => [
      row.profile ?? "(cache)",
      row.sourceProfile,
      row.serial,
      ...(roles ? [row.roleArn ?? "-"] : []),
      row.expiration === undefined ? "unknown" : localMinute(row.expiration),
      remainingText(row),
    ]),
  ];
  const widths = cells[0].map((_, column) =>
    Math.max(...cells.map((line) => line[column].length))
  );
  return cells.map((line) =>
    line.map((cell, column) =>
      column === line.length - 1 ? cell : cell.padEnd(widths[column])
    ).join("  ")
  ).join("\n") + "\n";
}

/**
 * The rows as a JSON array: `profile` (null for a session only the cache
 * holds), `sourceProfile`, `serial`, `roleArn`
 * (the role of a role session, or null), `expiration` (RFC 3339 UTC, or
 * null), `expiresLocal` (`YYYY-MM-DD HH:MM` local time, or null),
 * `remainingSeconds` (or null) and `expired`. Ends with a newline.
 */
export function statusJson(rows: readonly StatusRow[]): string {
  return JSON.stringify(
    rows.map((row) => ({
      profile: row.profile,
      sourceProfile: row.sourceProfile,
      serial: row.serial,
      roleArn: row.roleArn ?? null,
      expiration: row.expiration === undefined ? null : rfc3339(row.expiration),
      expiresLocal: row.expiration === undefined
        ? null
        : localMinute(row.expiration),
      remainingSeconds: row.remainingMs === undefined
        ? null
        : Math.floor(row.remainingMs / 1000),
      expired: row.remainingMs === 0,
    })),
    null,
    2,
  ) + "\n";
}
