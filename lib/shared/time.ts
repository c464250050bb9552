/**
 * How awsmfa writes times and durations: RFC 3339 for files, minutes in local
 * time and UTC for people, `11h 58m` for what is left. Pure functions.
 *
 * @module
 */

/** Format a date as RFC 3339 UTC without fractional seconds. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A duration as `11h 58m`, `12h` or `5m` (or `42s` under a minute). */
export function formatRemaining(ms: number): string {
  const totalMinutes = Math.floor(ms / 60000);
  if (totalMinutes < 1) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return `${minutes}m`;
  return minutes === 0 ? `${hours}h` : `${hours}h ${minutes}m`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** `YYYY-MM-DD HH:MM` in local time. */
export function localMinute(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${
    pad(date.getDate())
  } ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `YYYY-MM-DD HH:MM UTC`. */
export function utcMinute(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${
    pad(date.getUTCDate())
  } ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/**
 * `2026-11-29 02:13 (2026-11-29 01:13 UTC)`: local time, then UTC; only
 * `2026-11-29 01:13 UTC` when local time is UTC (`offsetMinutes`, default
 * the local offset at `date`, is 0).
 */
export function describeTime(
  date: Date,
  offsetMinutes: number = date.getTimezoneOffset(),
): string {
  return offsetMinutes === 0
    ? utcMinute(date)
    : `${localMinute(date)} (${utcMinute(date)})`;
}
