/**
 * A target profile that already holds another session: `awsmfa --profile
 * personal` after `awsmfa --profile work`, both into `mfa`, or a role
 * session written over the plain MFA session. The new session replaces the
 * old one, the `region` and `output` awsmfa copied into `[profile mfa]`
 * follow the new source while they are still what awsmfa copied, and the
 * user is told what was replaced. Pure functions.
 *
 * @module
 */

import {
  roleProfileConfig,
  roleProfileFor,
  type SessionSubject,
} from "./role.ts";
import {
  expiresAt,
  isManaged,
  ROLE_KEY,
  SERIAL_KEY,
  SOURCE_KEY,
} from "../aws_files/session.ts";
import { type ProfileKeys, profileValue } from "../aws_files/settings.ts";

/** The session a write is about to replace, and what awsmfa copied for it. */
export interface Replaced {
  /** Its source profile. */
  source: string;
  /** Its role, for a role session. */
  roleArn?: string;
  /** When it ends, if the section says. */
  expiration?: Date;
  /** The config keys awsmfa copied for it (`region`, `output`), as they were. */
  copied: Record<string, string>;
}

/**
 * The session in `stored` (the target's credentials section) when it is
 * awsmfa's and for another source, serial or role than `subject`;
 * undefined otherwise.
 *
 * @param copy The keys awsmfa copies from a subject's config.
 */
export function replacedSession(
  stored: ProfileKeys | undefined,
  subject: SessionSubject,
  configProfiles: Map<string, ProfileKeys>,
  copy: (config: ProfileKeys | undefined) => Record<string, string>,
): Replaced | undefined {
  if (!isManaged(stored)) return undefined;
  const source = profileValue(stored, SOURCE_KEY);
  const roleArn = profileValue(stored, ROLE_KEY);
  if (source === undefined) return undefined;
  if (
    source === subject.source &&
    profileValue(stored, SERIAL_KEY) === subject.serial &&
    roleArn === subject.role?.roleArn
  ) {
    return undefined;
  }
  const sourceConfig = configProfiles.get(source);
  const roleName = roleArn === undefined
    ? undefined
    : roleProfileFor(roleArn, source, configProfiles);
  const roleProfile = roleName === undefined
    ? undefined
    : configProfiles.get(roleName);
  const expiration = expiresAt(stored);
  return {
    source,
    ...(roleArn !== undefined ? { roleArn } : {}),
    ...(expiration !== undefined ? { expiration } : {}),
    copied: copy(
      roleProfile === undefined
        ? sourceConfig
        : roleProfileConfig(sourceConfig, roleProfile),
    ),
  };
}

/** How the target's config section follows the new source. */
export interface ConfigFollow {
  /** Keys to set to the new source's values. */
  set: Record<string, string>;
  /** Keys to remove (the old source had them, the new one has not). */
  remove: string[];
  /** Keys left alone because they are not what awsmfa copied. */
  kept: string[];
}

/**
 * Which of `keys` in the target's config section (`current`) follow the new
 * source: those still equal to what awsmfa copied for the old session
 * (absent counts as absent) take the new source's value or go.
 */
export function followSource(
  keys: readonly string[],
  current: ProfileKeys | undefined,
  before: Record<string, string>,
  after: Record<string, string>,
): ConfigFollow {
  const follow: ConfigFollow = { set: {}, remove: [], kept: [] };
  for (const key of keys) {
    const now = profileValue(current, key);
    if (now !== before[key]) {
      if (now !== after[key]) follow.kept.push(key);
      continue;
    }
    if (after[key] === now) continue;
    if (after[key] !== undefined) follow.set[key] = after[key];
    else follow.remove.push(key);
  }
  return follow;
}
