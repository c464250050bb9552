/**
 * `awsmfa clear`: take back what awsmfa wrote, and nothing else. Pure
 * planning; lib/run.ts writes the result under the store's lock.
 *
 * - Only a profile awsmfa wrote (`awsmfa_source_profile`, `awsmfa_serial`
 *   and a session token) is cleared. A named section that awsmfa did not
 *   write is refused, and nothing changes.
 * - awsmfa's keys always go. The credentials section goes whole only when
 *   awsmfa created it (as its `awsmfa_added` records) and holds nothing
 *   else: no other keys, no comments. A section that was there before
 *   awsmfa wrote keeps its header and everything awsmfa did not write.
 * - The profile's config section goes only when awsmfa created it (as
 *   recorded) and it still holds nothing but what awsmfa copies into a
 *   section it adds (`region`, `output`, with the source profile's current
 *   values) and no comments.
 * - The same rule holds for every profile, `default` included, in both files.
 * - Sections are seen as botocore and the JS SDK both see them: keys a
 *   `[DEFAULT]` section gives every section for botocore are not the
 *   section's own.
 * - Removing a section takes its header, its key lines and the one empty
 *   line before the header that awsmfa adds; comments and blank lines after
 *   its last key (which belong to what follows) stay, as does every other byte.
 *   The result is checked: every other section must read exactly as before.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";
import { ownKeys, readSections } from "../aws_files/botocore.ts";
import {
  type IniDocument,
  type IniLine,
  parseIni,
  sectionRanges,
  serializeIni,
} from "../aws_files/document.ts";
import { setKeys } from "../aws_files/edit.ts";
import { profileSection } from "../aws_files/profile_section.ts";
import { COPIED_CONFIG_KEYS, copiedConfig } from "../sessions/target_edit.ts";
import type { LoadedFile } from "../sessions/loaded_file.ts";
import { roleProfileConfig } from "../sessions/role.ts";
import {
  addedOf,
  isManaged,
  MANAGED_KEYS,
  ROLE_KEY,
  SOURCE_KEY,
} from "../aws_files/session.ts";

/** What clearing one profile does. */
export interface ClearedProfile {
  /** The profile. */
  profile: string;
  /** `removed`: the whole section; `keys`: only awsmfa's keys (others stay); `absent`: not there. */
  credentials: "removed" | "keys" | "absent";
  /** Keys awsmfa did not write that stay in the credentials section. */
  keptKeys: string[];
  /** For `keys`: the section was there before awsmfa wrote to it. */
  existedBefore?: boolean;
  /**
   * Whether awsmfa created the profile's config section, as recorded;
   * undefined when the section records nothing.
   */
  addedConfig?: boolean;
  /** The source profile it was made from (for the config check). */
  sourceProfile?: string;
  /** The role of a role session (for the config check). */
  roleArn?: string;
}

/** The new credentials text and what happens to each profile. */
export interface CredentialsPlan {
  /** The new text; null when nothing changes. */
  text: string | null;
  /** One entry per profile asked for. */
  profiles: ClearedProfile[];
}

/** The lines [header, end) of the one section named `section`, or undefined. */
function sectionRange(
  lines: IniLine[],
  section: string,
): [number, number] | undefined {
  return sectionRanges(lines, section)[0];
}

/** Index of the last line that belongs to a key of the section at `range`. */
function lastKeyLine(lines: readonly IniLine[], [header, end]: number[]) {
  let last = header;
  for (let i = header + 1; i < end; i++) {
    const kind = lines[i].kind;
    if (kind !== "blank" && kind !== "comment") last = i;
  }
  return last;
}

/** Whether a comment sits between the header and the last key of a section. */
function hasInnerComment(lines: readonly IniLine[], range: [number, number]) {
  const last = lastKeyLine(lines, range);
  for (let i = range[0] + 1; i < last; i++) {
    if (lines[i].kind === "comment") return true;
  }
  return false;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

/**
 * Pure: `doc` without the section named `section` (exact name as botocore
 * reads it): its header, its lines up to its last key line, and one empty
 * line right before the header (or, for a section at the very top, right
 * after its last key when more follows). Comments and blank lines after the
 * last key stay. When the removal reaches the end of a file that ended
 * without a line ending, the new last line loses its line ending. A missing
 * section gives the document unchanged.
 *
 * Throws {@linkcode LocalError} when any other section would read
 * differently afterwards (for example an indented header that would become
 * part of the previous section's last value).
 */
export function removeOwnSection(
  doc: IniDocument,
  section: string,
): IniDocument {
  const range = sectionRange(doc.lines, section);
  if (range === undefined) return doc;
  const lines = [...doc.lines];
  const [header] = range;
  let from = header;
  let to = lastKeyLine(lines, range) + 1;
  const empty = (line: IniLine | undefined) =>
    line !== undefined && line.kind === "blank" && line.text === "";
  if (header > 0 && empty(lines[header - 1])) {
    from = header - 1;
  } else if (header === 0 && empty(lines[to]) && to + 1 < lines.length) {
    to++;
  }
  const endedBare = lines[lines.length - 1].eol === "";
  const atEnd = to === lines.length;
  lines.splice(from, to - from);
  if (atEnd && endedBare && lines.length > 0) {
    lines[lines.length - 1] = { ...lines[lines.length - 1], eol: "" };
  }
  const result = parseIni(serializeIni({ bom: doc.bom, lines, eol: doc.eol }));
  const before = readSections(doc);
  before.delete(section);
  let after: Map<string, Record<string, string>>;
  try {
    after = readSections(result);
  } catch {
    after = new Map();
  }
  const same = after.size === before.size &&
    [...before].every(([name, keys]) => {
      const now = after.get(name);
      return now !== undefined && sameRecord(keys, now);
    });
  if (!same) {
    throw new LocalError(
      `Cannot remove [${section}] without changing how the AWS CLI reads the rest of the file; remove it by hand.`,
    );
  }
  return result;
}

/**
 * Plan the credentials side of `awsmfa clear`: `names` (or, when `all`, every
 * awsmfa-managed profile) removed from `file`.
 *
 * Throws {@linkcode LocalError}, changing nothing, when a named profile was
 * not written by awsmfa.
 */
export function planCredentials(
  file: LoadedFile,
  names: readonly string[],
  all: boolean,
  path: string,
): CredentialsPlan {
  // A section's own keys decide, not those botocore adds from [DEFAULT]: a
  // [DEFAULT] holding awsmfa's keys must not make a profile of long-term
  // keys look like awsmfa's.
  const ownOf = (name: string) =>
    ownKeys(file.doc, profileSection(name, "credentials"));
  const targets = all
    ? [...file.profiles.keys()].filter((name) => isManaged(ownOf(name)))
    : [...names];
  const foreign = targets.filter((name) =>
    file.profiles.has(name) && !isManaged(ownOf(name))
  );
  if (foreign.length > 0) {
    const list = foreign.map((name) => `"${name}"`).join(", ");
    throw new LocalError(
      `${foreign.length === 1 ? "Profile" : "Profiles"} ${list} in ${path} ${
        foreign.length === 1 ? "was" : "were"
      } not written by awsmfa (no awsmfa_source_profile and awsmfa_serial), so awsmfa clear leaves ${
        foreign.length === 1 ? "it" : "them"
      } alone; nothing was changed.`,
    );
  }
  let doc = file.doc;
  const profiles: ClearedProfile[] = [];
  for (const profile of targets) {
    const own = file.profiles.has(profile) ? ownOf(profile) : undefined;
    if (own === undefined) {
      profiles.push({ profile, credentials: "absent", keptKeys: [] });
      continue;
    }
    const sourceProfile = own[SOURCE_KEY].trim();
    const roleArn = own[ROLE_KEY]?.trim() || undefined;
    const made = roleArn !== undefined
      ? { sourceProfile, roleArn }
      : { sourceProfile };
    const section = profileSection(profile, "credentials");
    const range = sectionRange(doc.lines, section)!;
    const keptKeys = Object.keys(own).filter((key) =>
      !MANAGED_KEYS.includes(key)
    );
    const added = addedOf(own);
    // A section written before awsmfa kept the record: awsmfa's if it holds
    // nothing else.
    const created = added?.credentials ?? keptKeys.length === 0;
    const recorded = added === undefined ? {} : { addedConfig: added.config };
    if (
      !created || keptKeys.length > 0 || hasInnerComment(doc.lines, range)
    ) {
      doc = setKeys(doc, section, {}, [...MANAGED_KEYS]);
      profiles.push({
        profile,
        credentials: "keys",
        keptKeys,
        existedBefore: !created,
        ...recorded,
        ...made,
      });
    } else {
      doc = removeOwnSection(doc, section);
      profiles.push({
        profile,
        credentials: "removed",
        keptKeys: [],
        ...recorded,
        ...made,
      });
    }
  }
  const text = serializeIni(doc);
  return { text: text === (file.text ?? "") ? null : text, profiles };
}

/** Why a config section stays; undefined when awsmfa may remove it. */
export function configKeepReason(
  file: LoadedFile,
  profile: string,
  sourceProfile: string,
  roleArn?: string,
): string | undefined {
  if (!file.profiles.has(profile)) return undefined;
  let section: string;
  try {
    section = profileSection(profile, "config");
  } catch {
    return "its name is not one awsmfa writes";
  }
  const range = sectionRange(file.doc.lines, section);
  if (range === undefined) return "awsmfa did not write it in this form";
  // Its own keys, as both botocore and the JS SDK see them there.
  const keys = ownKeys(file.doc, section)!;
  const sourceConfig = file.profiles.get(sourceProfile);
  // What awsmfa copies: the source profile's keys, or for a role session
  // those of a role profile of that role and source (its own win).
  const copies = [copiedConfig(sourceConfig)];
  for (const [, other] of file.profiles) {
    if (
      roleArn !== undefined && other["role_arn"]?.trim() === roleArn &&
      other["source_profile"]?.trim() === sourceProfile
    ) {
      copies.push(copiedConfig(roleProfileConfig(sourceConfig, other)));
    }
  }
  const addedTo = (copied: Record<string, string>) =>
    Object.keys(keys).filter((key) =>
      !COPIED_CONFIG_KEYS.includes(key) || keys[key] !== copied[key]
    );
  const added = copies.map(addedTo).reduce((best, next) =>
    next.length < best.length ? next : best
  );
  if (added.length > 0) {
    return `it holds settings awsmfa would not copy there from profile "${sourceProfile}" (${
      added.join(", ")
    })`;
  }
  if (hasInnerComment(file.doc.lines, range)) return "it has comments";
  return undefined;
}

/**
 * Plan the config side: remove `[profile X]` (or `[default]`) for each
 * cleared profile whose credentials section records that awsmfa created it
 * and that passes {@linkcode configKeepReason}. Returns the new text (null
 * when unchanged) and, per profile, why its config section stayed.
 */
export function planConfig(
  file: LoadedFile,
  cleared: readonly ClearedProfile[],
): { text: string | null; kept: Map<string, string>; removed: string[] } {
  let doc = file.doc;
  const kept = new Map<string, string>();
  const removed: string[] = [];
  for (const entry of cleared) {
    if (entry.credentials === "absent" || !file.profiles.has(entry.profile)) {
      continue;
    }
    if (entry.addedConfig !== true) {
      kept.set(
        entry.profile,
        entry.addedConfig === false
          ? "it was there before awsmfa wrote the profile"
          : "awsmfa did not record adding it",
      );
      continue;
    }
    const reason = configKeepReason(
      file,
      entry.profile,
      entry.sourceProfile!,
      entry.roleArn,
    );
    if (reason !== undefined) {
      kept.set(entry.profile, reason);
      continue;
    }
    doc = removeOwnSection(doc, profileSection(entry.profile, "config"));
    removed.push(entry.profile);
  }
  const text = serializeIni(doc);
  return {
    text: text === (file.text ?? "") ? null : text,
    kept,
    removed,
  };
}

/** What clear kept of a credentials section it took awsmfa's keys from. */
export function keptDescription(entry: ClearedProfile): string {
  if (entry.keptKeys.length > 0) return `(${entry.keptKeys.join(", ")})`;
  return entry.existedBefore
    ? "(the section, which was there before awsmfa wrote to it)"
    : "(comments)";
}
