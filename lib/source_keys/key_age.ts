/**
 * How old a source profile's long-term key is, when awsmfa knows: `awsmfa
 * rotate` records the id and IAM creation time of the key it leaves in
 * place in `~/.aws/awsmfa/keys/PROFILE.json` (no secret), and `awsmfa
 * status` reads those records, without network or keychain, to show each
 * key's age and warn past `--max-key-age` (default 90 days).
 *
 * @module
 */

import { join } from "../shared/path.ts";
import {
  type EnvLookup,
  homeDirectory,
  type ProfileKeys,
} from "../aws_files/settings.ts";
import { readText } from "../files/read.ts";
import { updateFile } from "../files/update.ts";

/** The default of `--max-key-age`, in days. */
export const DEFAULT_MAX_KEY_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

/**
 * An access key id as awsmfa shows it: the first four and last four
 * characters (`AKIA…MPLE`), never the whole id.
 */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? "…" : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

/** One record: which key a profile holds and when IAM created it. */
export interface KeyRecord {
  /** The profile. */
  profile: string;
  /** AKIA… (not a secret). */
  accessKeyId: string;
  /** IAM's CreateDate. */
  createDate: Date;
}

/** `~/.aws/awsmfa/keys`, or undefined without a home directory. */
export function keyRecordDir(env: EnvLookup): string | undefined {
  try {
    return join(homeDirectory(env), ".aws", "awsmfa", "keys");
  } catch {
    return undefined;
  }
}

/** Record the key `profile` holds now (a failure is only a lost note). */
export async function recordKey(
  env: EnvLookup,
  record: KeyRecord,
): Promise<void> {
  const dir = keyRecordDir(env);
  if (dir === undefined) return;
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await updateFile(
      join(dir, `${record.profile}.json`),
      () =>
        JSON.stringify({
          profile: record.profile,
          accessKeyId: record.accessKeyId,
          createDate: record.createDate.toISOString(),
        }) + "\n",
    );
  } catch {
    // Only status's note on the key's age is lost.
  }
}

/** The records in `dir`; unreadable ones are skipped. */
export async function readKeyRecords(dir: string): Promise<KeyRecord[]> {
  const records: KeyRecord[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return records;
  }
  for (const entry of entries) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    try {
      const text = await readText(join(dir, entry.name));
      const value = JSON.parse(text ?? "") as Record<string, unknown>;
      const createDate = new Date(String(value.createDate));
      if (
        typeof value.profile === "string" &&
        typeof value.accessKeyId === "string" &&
        !Number.isNaN(createDate.getTime())
      ) {
        records.push({
          profile: value.profile,
          accessKeyId: value.accessKeyId,
          createDate,
        });
      }
    } catch {
      // Not a record.
    }
  }
  return records.sort((a, b) => a.profile.localeCompare(b.profile));
}

/**
 * The lines `status` prints on stderr about key ages: one per recorded key
 * that the credentials file does not contradict (a profile whose file key is
 * another one was changed since, so its age is unknown), a warning when
 * older than `maxDays`.
 */
export function keyAgeLines(
  records: readonly KeyRecord[],
  credentials: Map<string, ProfileKeys>,
  now: Date,
  maxDays: number,
): string[] {
  const lines: string[] = [];
  for (const record of records) {
    const inFile = credentials.get(record.profile)?.["aws_access_key_id"]
      ?.trim();
    if (inFile !== undefined && inFile !== record.accessKeyId) continue;
    const days = Math.floor(
      (now.getTime() - record.createDate.getTime()) / DAY_MS,
    );
    const key = maskKeyId(record.accessKeyId);
    lines.push(
      days > maxDays
        ? `awsmfa: warning: the access key ${key} of profile "${record.profile}" is ${days} days old, more than ${maxDays} (--max-key-age); rotate it with "awsmfa rotate --profile ${record.profile}".\n`
        : `The access key ${key} of profile "${record.profile}" is ${days} ${
          days === 1 ? "day" : "days"
        } old.\n`,
    );
  }
  return lines;
}
