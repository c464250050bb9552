/**
 * What a session cache entry is for, and where it lives: the cache directory
 * under the home directory and one file name per key.
 *
 * @module
 */

import { join } from "../shared/path.ts";

/** What one cache entry is for. */
export interface CacheKey {
  /** The profile whose long-term keys made (or make) the session. */
  sourceProfile: string;
  /** The MFA device serial or ARN. */
  serialNumber: string;
  /** The role, for a role session; absent for a GetSessionToken session. */
  roleArn?: string;
  /** The role session's name, for a role session. */
  roleSessionName?: string;
  /** The external id sent with AssumeRole, if any. */
  externalId?: string;
}

/** `<home>/.aws/awsmfa/cache`, the cache directory of the user whose home is `home`. */
export function cacheDirectory(home: string): string {
  return join(home, ".aws", "awsmfa", "cache");
}

/**
 * The file name of an entry: the source profile (characters outside
 * `[A-Za-z0-9._-]` replaced, at most 40 kept) for people looking at the
 * directory, then 32 hex digits of the SHA-256 of the whole key, so
 * different keys never share a file.
 */
export async function cacheFileName(key: CacheKey): Promise<string> {
  const readable = key.sourceProfile.replace(/[^A-Za-z0-9._-]/g, "_").slice(
    0,
    40,
  );
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(
        JSON.stringify([
          key.sourceProfile,
          key.serialNumber,
          key.roleArn ?? "",
          key.roleSessionName ?? "",
          key.externalId ?? "",
        ]),
      ),
    ),
  );
  const hex = Array.from(
    digest.subarray(0, 16),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `${readable}-${hex}.json`;
}
