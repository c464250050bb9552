/**
 * `awsmfa status [--json]`: the awsmfa-managed profiles and the sessions
 * only the cache holds (lib/commands/status_table.ts), then the age of each
 * long-term key that `awsmfa rotate` recorded. Reads only; no network, no
 * AWS SDK.
 *
 * @module
 */

import { type ProfileKeys, resolvePaths } from "../aws_files/settings.ts";
import { ExitCode } from "../shared/errors.ts";
import {
  cacheOnlyRows,
  managedProfiles,
  statusJson,
  statusTable,
} from "./status_table.ts";
import type { StatusOptions } from "../cli/options.ts";
import { sessionCacheDir } from "../sessions/provider.ts";
import type { TargetIO } from "../sessions/target_profile.ts";
import { readFile } from "../sessions/loaded_file.ts";
import { listCachedKeys } from "../sessions/cache_list.ts";
import {
  DEFAULT_MAX_KEY_AGE_DAYS,
  keyAgeLines,
  keyRecordDir,
  readKeyRecords,
} from "../source_keys/key_age.ts";

/** What `awsmfa status` reads from or writes to the world. */
export interface StatusIO extends Pick<TargetIO, "env" | "stderr" | "now"> {
  /** Write text to stdout. */
  stdout(text: string): void;
}

/** Run `awsmfa status`; resolves to the exit code. */
export async function status(
  options: StatusOptions,
  io: StatusIO,
): Promise<number> {
  const { credentialsFile } = resolvePaths(io.env);
  const file = await readFile(credentialsFile, "credentials");
  const managed = managedProfiles(file.profiles, io.now());
  const dir = sessionCacheDir(io.env);
  const cached = dir === undefined ? [] : await listCachedKeys(dir);
  const rows = [
    ...managed,
    ...cacheOnlyRows(cached, managed, io.now()),
  ];
  if (options.json) {
    io.stdout(statusJson(rows));
  } else if (rows.length === 0) {
    io.stderr(`No awsmfa-managed profiles in ${credentialsFile}.\n`);
  } else {
    io.stdout(statusTable(rows));
  }
  await keyAges(options, file.profiles, io);
  return ExitCode.Ok;
}

/** The ages of long-term keys that awsmfa rotate recorded, on stderr. */
async function keyAges(
  options: StatusOptions,
  credentials: Map<string, ProfileKeys>,
  io: StatusIO,
): Promise<void> {
  const dir = keyRecordDir(io.env);
  if (dir === undefined) return;
  for (
    const line of keyAgeLines(
      await readKeyRecords(dir),
      credentials,
      io.now(),
      options.maxKeyAgeDays ?? DEFAULT_MAX_KEY_AGE_DAYS,
    )
  ) io.stderr(line);
}
