/**
 * The edits of the target profile, pure: the new credentials section (its
 * target checked again on the content it edits), the new or following
 * config section, the note about a replaced session, and the stored
 * session a valid target profile holds.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";
import { ownKeys } from "../aws_files/botocore.ts";
import { profileSection } from "../aws_files/profile_section.ts";
import { serializeIni } from "../aws_files/document.ts";
import { setKeys } from "../aws_files/edit.ts";
import {
  ADDED_KEY,
  addedValue,
  EXPIRES_KEY,
  expiresAt,
  ROLE_KEY,
  type SessionValues,
} from "../aws_files/session.ts";
import { describeTime } from "../shared/time.ts";
import { checkTarget, type ProfileKeys } from "../aws_files/settings.ts";
import { type ConfigFollow, followSource, type Replaced } from "./replace.ts";
import type { LoadedFile } from "./loaded_file.ts";

/** Keys copied from the source profile's config section into a new target section. */
export const COPIED_CONFIG_KEYS: readonly string[] = ["region", "output"];

/** The keys a new `[profile TARGET]` section gets from the source's config section. */
export function copiedConfig(
  sourceConfig: ProfileKeys | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of COPIED_CONFIG_KEYS) {
    const value = sourceConfig?.[key]?.trim();
    if (value) values[key] = value;
  }
  return values;
}

/**
 * How the target's config section follows a new source: undefined when
 * there is no section yet or no other session is replaced.
 */
export function configFollow(
  file: LoadedFile,
  target: string,
  sourceConfig: ProfileKeys | undefined,
  replaced: Replaced | undefined,
): ConfigFollow | undefined {
  if (replaced === undefined || !file.profiles.has(target)) return undefined;
  return followSource(
    COPIED_CONFIG_KEYS,
    file.profiles.get(target),
    replaced.copied,
    copiedConfig(sourceConfig),
  );
}

/**
 * The new config text, or null when nothing changes: a new target section
 * gets the source's copied keys; an existing one changes only when it
 * replaces another session's (see lib/sessions/replace.ts).
 */
export function editConfig(
  file: LoadedFile,
  target: string,
  sourceConfig: ProfileKeys | undefined,
  replaced?: Replaced,
): string | null {
  const section = profileSection(target, "config");
  if (file.profiles.has(target)) {
    const follow = configFollow(file, target, sourceConfig, replaced);
    if (
      follow === undefined ||
      (Object.keys(follow.set).length === 0 && follow.remove.length === 0)
    ) {
      return null;
    }
    return serializeIni(setKeys(file.doc, section, follow.set, follow.remove));
  }
  return serializeIni(
    setKeys(file.doc, section, copiedConfig(sourceConfig)),
  );
}

/** The note about a session replaced in `target`, and its config keys. */
export function replacedNote(
  target: string,
  source: string,
  replaced: Replaced,
  follow: ConfigFollow | undefined,
  now: Date,
): string {
  const old = replaced.roleArn === undefined
    ? `the MFA session of "${replaced.source}"`
    : `the session of role ${replaced.roleArn} from "${replaced.source}"`;
  const until = replaced.expiration === undefined
    ? ""
    : replaced.expiration.getTime() > now.getTime()
    ? `, valid until ${describeTime(replaced.expiration)}`
    : ", expired";
  const changed = follow === undefined
    ? []
    : [...Object.keys(follow.set), ...follow.remove];
  const keys = changed.length === 0
    ? ""
    : `; ${
      changed.join(" and ")
    } in [profile ${target}] now follow "${source}"`;
  const kept = follow === undefined || follow.kept.length === 0
    ? ""
    : `; kept ${
      follow.kept.join(" and ")
    } in [profile ${target}], which you set yourself`;
  return `awsmfa: note: profile "${target}" held ${old}${until}; it is replaced${keys}${kept}.\n`;
}

/**
 * The new credentials text; the target is checked again on this content.
 * `config` is the config file as read, to record whether awsmfa adds the
 * target's section there ({@linkcode ADDED_KEY}).
 */
export function editCredentials(
  file: LoadedFile,
  target: string,
  source: string,
  values: Record<string, string>,
  config: LoadedFile,
): string {
  checkTarget(target, source, file.profiles.get(target));
  // An MFA session written over a role session drops the role's key.
  const stale = values[ROLE_KEY] === undefined &&
      file.profiles.get(target)?.[ROLE_KEY] !== undefined
    ? [ROLE_KEY]
    : [];
  const section = profileSection(target, "credentials");
  const added = addedValue(
    ownKeys(file.doc, section),
    !config.profiles.has(target),
  );
  return serializeIni(
    setKeys(file.doc, section, { ...values, [ADDED_KEY]: added }, stale),
  );
}

/** The session stored in an awsmfa-managed credentials section. */
export function storedSession(section: ProfileKeys): SessionValues {
  return {
    accessKeyId: section["aws_access_key_id"].trim(),
    secretAccessKey: section["aws_secret_access_key"].trim(),
    sessionToken: section["aws_session_token"].trim(),
    expiration: expiresAt(section)!,
  };
}

/** Whether a section holds every value a stored session needs. */
export function complete(
  section: ProfileKeys | undefined,
): section is ProfileKeys {
  return section !== undefined &&
    (section["aws_access_key_id"] ?? "").trim() !== "" &&
    (section["aws_secret_access_key"] ?? "").trim() !== "" &&
    (section["aws_session_token"] ?? "").trim() !== "" &&
    section[EXPIRES_KEY] !== undefined;
}

/** Config keys that make the AWS CLI ignore a profile's keys in the credentials file. */
const OVERRIDING_CONFIG_KEYS: readonly string[] = [
  "role_arn",
  "web_identity_token_file",
  "sso_session",
  "sso_start_url",
];

/**
 * Refuse a target profile whose config section makes the AWS CLI get its
 * credentials elsewhere (a role profile, web identity, SSO): the keys
 * awsmfa wrote would never be used.
 */
export function checkTargetConfig(
  target: string,
  targetConfig: ProfileKeys | undefined,
): void {
  const key = OVERRIDING_CONFIG_KEYS.find((name) =>
    (targetConfig?.[name] ?? "").trim() !== ""
  );
  if (key === undefined) return;
  throw new LocalError(
    `Cannot write profile "${target}": its config section sets ${key}, so the AWS CLI would get credentials from there and never read the ones awsmfa writes; pick another name with --mfa-profile-name.`,
  );
}
