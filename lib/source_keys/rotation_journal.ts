/**
 * The journal of `awsmfa rotate`: which key of a profile was being
 * replaced, and since when (the old key's id, no secret), in
 * `~/.aws/awsmfa/rotate/PROFILE.json`. It is written before IAM creates a
 * key and removed when the rotation is done, so a run that died in between
 * leaves it for the next run to finish from.
 *
 * @module
 */

import { type EnvLookup, homeDirectory } from "../aws_files/settings.ts";
import { readText } from "../files/read.ts";
import { REMOVE_FILE, updateFile } from "../files/update.ts";
import { dirname, join } from "../shared/path.ts";

/** The rotation journal: which key was being replaced, since when. */
export interface Journal {
  /** The profile whose key is rotated. */
  profile: string;
  /** The key being replaced. */
  oldAccessKeyId: string;
  /** When the rotation started (ISO 8601). */
  startedAt: string;
}

/** Where the journal of `profile` lives. */
export function journalPath(env: EnvLookup, profile: string): string {
  return join(
    homeDirectory(env),
    ".aws",
    "awsmfa",
    "rotate",
    `${profile}.json`,
  );
}

/** The journal at `path`; undefined when there is none, or it is not ours. */
export async function readJournal(path: string): Promise<Journal | undefined> {
  const text = await readText(path);
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Journal;
    if (
      typeof value.oldAccessKeyId === "string" &&
      typeof value.startedAt === "string" &&
      !Number.isNaN(Date.parse(value.startedAt))
    ) {
      return value;
    }
  } catch {
    // Not ours: treated as no journal.
  }
  return undefined;
}

/** Write `journal` at `path` (atomically, its directory 0700). */
export async function writeJournal(
  path: string,
  journal: Journal,
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await updateFile(path, () => JSON.stringify(journal) + "\n");
}

/** Remove the journal at `path`, if there is one. */
export async function removeJournal(path: string): Promise<void> {
  await updateFile(path, (text) => text === null ? null : REMOVE_FILE);
}
