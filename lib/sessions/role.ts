/**
 * Which profile's keys make the session, which MFA device, and which role (if
 * any): the command line and the config file's profiles → one
 * {@linkcode SessionSubject}. Pure functions.
 *
 * A role comes from `--role-arn`, or from the profile `--profile` names when
 * its config section is a role profile as the AWS CLI defines it:
 *
 * ```ini
 * [profile admin]
 * role_arn = arn:aws:iam::111122223333:role/admin
 * source_profile = work
 * mfa_serial = arn:aws:iam::123456789012:mfa/alice
 * external_id = ...          ; optional
 * role_session_name = alice  ; optional
 * duration_seconds = 3600    ; optional
 * ```
 *
 * The long-term keys are then `source_profile`'s; every other key is read
 * from the role profile first and from the source profile after it. Flags
 * win over both.
 *
 * @module
 */

import { LocalError, UsageError } from "../shared/errors.ts";
import {
  checkExternalId,
  checkRoleArn,
  checkSessionName,
} from "./role_checks.ts";
import {
  type EnvLookup,
  type ProfileKeys,
  profileValue,
  resolveSerial,
  resolveSourceProfile,
} from "../aws_files/settings.ts";

/** The flags that choose the profile, device and role, of every command that gets a session. */
export interface RoleFlags {
  /** Source profile with long-term keys (`--profile`). */
  profile?: string;
  /** MFA device ARN or hardware serial (`--serial-number`), not yet validated. */
  serialNumber?: string;
  /** Session length in seconds, 900 to 129600 (`--duration-seconds`). */
  durationSeconds?: number;
  /** ARN of a role to assume (`--role-arn`). */
  roleArn?: string;
  /** Name of the role session (`--role-session-name`). */
  roleSessionName?: string;
  /** External id of the role (`--external-id`). */
  externalId?: string;
}

/** The role to assume, and how. */
export interface RoleSpec {
  /** ARN of the role. */
  roleArn: string;
  /** Name of the role session (shown in CloudTrail). */
  roleSessionName: string;
  /** External id, when the role asks for one. */
  externalId?: string;
  /** Session length asked for; absent: STS's default for roles, 1 hour. */
  durationSeconds?: number;
  /** The role profile of the config file the role came from, if any. */
  profile?: string;
}

/** Whose keys, which device, which role: everything before the files' keys are read. */
export interface SessionSubject {
  /** The profile with the long-term keys. */
  source: string;
  /**
   * The config keys that apply: the role profile's over the source
   * profile's (region, endpoint_url, mfa_process, …); undefined when
   * neither has a config section.
   */
  config: ProfileKeys | undefined;
  /** The MFA serial. */
  serial: string;
  /** The role, for a role session. */
  role?: RoleSpec;
}

/**
 * The profile whose config section gave `key` of `subject.config`: the role
 * profile when it has the key, else the source profile.
 */
export function configOrigin(
  subject: SessionSubject,
  configProfiles: Map<string, ProfileKeys>,
  key: string,
): string {
  const roleProfile = subject.role?.profile;
  return roleProfile !== undefined &&
      configValue(configProfiles.get(roleProfile), key) !== undefined
    ? roleProfile
    : subject.source;
}

/** STS's cap on a role session assumed with session credentials (role chaining), in seconds. */
export const CHAINED_MAX_SECONDS = 3600;

/** The longest role session AWS allows, in seconds (a role's MaxSessionDuration cap). */
export const MAX_ROLE_SECONDS = 43200;

const MIN_DURATION = 900;

/**
 * The default role session name: `awsmfa-` and the MFA device's name (the
 * last part of its ARN, or the hardware serial), so CloudTrail shows who.
 */
export function defaultSessionName(serial: string): string {
  const device = serial.slice(serial.lastIndexOf("/") + 1).replace(
    /[^\w+=,.@-]/g,
    "_",
  );
  return `awsmfa-${device}`.slice(0, 64);
}

function configValue(
  config: ProfileKeys | undefined,
  key: string,
): string | undefined {
  const value = config?.[key]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function durationOf(
  flag: number | undefined,
  roleConfig: ProfileKeys | undefined,
  roleProfile: string | undefined,
): number | undefined {
  if (flag !== undefined) {
    if (flag > MAX_ROLE_SECONDS) {
      throw new UsageError(
        `Option --duration-seconds must be at most ${MAX_ROLE_SECONDS} seconds (12h) for a role, the longest role session AWS allows.`,
      );
    }
    return flag;
  }
  const text = configValue(roleConfig, "duration_seconds");
  if (text === undefined) return undefined;
  const seconds = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= MIN_DURATION && seconds <= MAX_ROLE_SECONDS)) {
    throw new UsageError(
      `Cannot use profile "${roleProfile}": duration_seconds must be a whole number of seconds from ${MIN_DURATION} to ${MAX_ROLE_SECONDS}.`,
    );
  }
  return seconds;
}

/** The source profile named by a role profile's config section. */
function sourceOfRoleProfile(
  name: string,
  config: ProfileKeys,
  profiles: Map<string, ProfileKeys>,
): string {
  const source = configValue(config, "source_profile");
  if (source === undefined) {
    const instead = configValue(config, "credential_source") !== undefined
      ? " (credential_source is for EC2, ECS and environment credentials, which need no MFA code from awsmfa)"
      : "";
    throw new LocalError(
      `Cannot use profile "${name}": it has role_arn but no source_profile${instead}; awsmfa assumes a role with the long-term keys of a source_profile.`,
    );
  }
  if (source === name) {
    throw new LocalError(
      `Cannot use profile "${name}": its source_profile is itself; name the profile with your long-term keys.`,
    );
  }
  if (configValue(profiles.get(source), "role_arn") !== undefined) {
    throw new LocalError(
      `Cannot use profile "${name}": its source_profile "${source}" is a role profile too; awsmfa assumes one role with the long-term keys of the source profile.`,
    );
  }
  return source;
}

/**
 * Resolve whose long-term keys make the session, the MFA serial, and the
 * role to assume, if any: `--role-arn`, else the `role_arn` of the profile
 * `--profile` (or `AWS_PROFILE`) names. Throws {@linkcode UsageError} for
 * malformed values (flags or config, `duration_seconds` too) and role flags
 * without a role, {@linkcode LocalError} for a role profile awsmfa cannot use
 * (no `source_profile`, a chain of role profiles).
 */
export function resolveSubject(
  flags: RoleFlags,
  configProfiles: Map<string, ProfileKeys>,
  env: EnvLookup,
): SessionSubject {
  const named = resolveSourceProfile(flags.profile, env);
  const namedConfig = configProfiles.get(named);
  const configuredRole = configValue(namedConfig, "role_arn");
  const roleProfile = configuredRole !== undefined ? named : undefined;
  const source = roleProfile !== undefined
    ? sourceOfRoleProfile(named, namedConfig!, configProfiles)
    : named;
  const sourceConfig = configProfiles.get(source);
  const roleConfig = roleProfile !== undefined ? namedConfig : undefined;
  const config = roleConfig === undefined
    ? sourceConfig
    : roleProfileConfig(sourceConfig, roleConfig);
  const serial = resolveSerial(flags.serialNumber, named, config, env);

  const roleArn = flags.roleArn ??
    (configuredRole !== undefined
      ? checkRoleArn(configuredRole, `in role_arn of profile "${named}"`)
      : undefined);
  if (roleArn === undefined) {
    for (
      const [flag, value] of [
        ["--role-session-name", flags.roleSessionName],
        ["--external-id", flags.externalId],
      ] as const
    ) {
      if (value !== undefined) {
        throw new UsageError(
          `Option ${flag} needs a role: give --role-arn, or a --profile whose config section has role_arn.`,
        );
      }
    }
    return { source, config, serial };
  }

  const configuredName = configValue(roleConfig, "role_session_name");
  const configuredId = configValue(roleConfig, "external_id");
  const externalId = flags.externalId ??
    (configuredId !== undefined
      ? checkExternalId(configuredId, `in external_id of profile "${named}"`)
      : undefined);
  const durationSeconds = durationOf(
    flags.durationSeconds,
    roleConfig,
    roleProfile,
  );
  const role: RoleSpec = {
    roleArn,
    roleSessionName: flags.roleSessionName ??
      (configuredName !== undefined
        ? checkSessionName(
          configuredName,
          `in role_session_name of profile "${named}"`,
        )
        : defaultSessionName(serial)),
    ...(externalId !== undefined ? { externalId } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(roleProfile !== undefined ? { profile: roleProfile } : {}),
  };
  return { source, config, serial, role };
}

/**
 * The config keys that apply to a role profile's session: its own over its
 * source profile's; a key it leaves empty does not hide the source's.
 */
export function roleProfileConfig(
  sourceConfig: ProfileKeys | undefined,
  roleConfig: ProfileKeys,
): ProfileKeys {
  return {
    ...sourceConfig,
    ...Object.fromEntries(
      Object.entries(roleConfig).filter(([, value]) => value.trim() !== ""),
    ),
  };
}

/**
 * The role profile of the config file that awsmfa would have assumed
 * `roleArn` from with `source`'s keys, when exactly one matches; undefined
 * when none or several do (the session is then read as the role assumed
 * from `source` itself).
 */
export function roleProfileFor(
  roleArn: string,
  source: string,
  config: Map<string, ProfileKeys>,
): string | undefined {
  const matches = [...config].filter(([, keys]) =>
    profileValue(keys, "role_arn") === roleArn &&
    profileValue(keys, "source_profile") === source
  );
  return matches.length === 1 ? matches[0][0] : undefined;
}
