/**
 * Which session the user means, from what they type every day: the profile
 * named (`--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `default`), the
 * files and the session cache → one {@linkcode SessionSubject}.
 *
 * - A profile in neither file stops the run (exit 3), naming both files and
 *   saying which do not exist, before anything asks for a serial.
 * - A profile awsmfa manages (its credentials section has
 *   `awsmfa_source_profile` and `awsmfa_serial`) stands for the session it
 *   holds: its recorded source profile, serial and role, written back to it.
 * - The serial the user gave once is remembered: when no flag, config key
 *   or variable names one, the target profile's `awsmfa_serial` (when it was
 *   made from the same source), else the one serial of the other managed
 *   profiles and cache entries of that source, is used
 *   (lib/sessions/recorded_serial.ts).
 *
 * @module
 */

import { recordedSerial } from "./recorded_serial.ts";
import type { LoadedFile } from "./loaded_file.ts";
import { sessionCacheDir } from "./provider.ts";
import { LocalError } from "../shared/errors.ts";
import { nearMiss } from "../shared/near.ts";
import {
  resolveSubject,
  type RoleFlags,
  roleProfileFor,
  type SessionSubject,
} from "./role.ts";
import {
  isManaged,
  ROLE_KEY,
  SERIAL_KEY,
  SOURCE_KEY,
} from "../aws_files/session.ts";
import {
  type AwsPaths,
  chooseProfile,
  type EnvLookup,
  MissingSerialError,
  type ProfileChoice,
  type ProfileKeys,
  profileValue,
  shownProfile,
  validateSerial,
} from "../aws_files/settings.ts";

/** What {@linkcode findSubject} looks at. */
export interface SubjectWorld {
  /** The credentials file's profiles; `exists` false when there is no file. */
  credentials: { profiles: Map<string, ProfileKeys>; exists: boolean };
  /** The config file's profiles; `exists` false when there is no file. */
  config: { profiles: Map<string, ProfileKeys>; exists: boolean };
  /** Where the files are, for messages. */
  paths: AwsPaths;
  /** Environment lookup. */
  env: EnvLookup;
  /** The session cache directory, if any. */
  cacheDir?: string;
}

/** The subject, and the profile to write it to when the name chose one. */
export interface FoundSubject {
  /** Whose session. */
  subject: SessionSubject;
  /**
   * The managed profile the user named (e.g. `AWS_PROFILE=mfa`): the
   * session goes back there unless `--mfa-profile-name` says otherwise.
   */
  target?: string;
}

function whereNamed(choice: ProfileChoice): string {
  switch (choice.origin) {
    case "--profile":
      return "";
    case "default":
      return " (used when neither --profile nor AWS_PROFILE names one)";
    default:
      return ` (named by ${choice.origin})`;
  }
}

/** One sentence for a profile in neither file: where awsmfa looked, what exists. */
function missingProfile(
  name: string,
  how: string,
  world: SubjectWorld,
): LocalError {
  const { credentialsFile, configFile } = world.paths;
  const existence = !world.credentials.exists && !world.config.exists
    ? " (neither file exists)"
    : !world.credentials.exists
    ? ` (${credentialsFile} does not exist)`
    : !world.config.exists
    ? ` (${configFile} does not exist)`
    : "";
  const known = [
    ...world.credentials.profiles.keys(),
    ...world.config.profiles.keys(),
  ];
  const guess = nearMiss(name, known);
  const hint = guess !== undefined
    ? `; did you mean "${guess}"?`
    : known.length === 0
    ? `; run "aws configure${
      name === "default" || /^\s*\d{6}\s*$/.test(name)
        ? ""
        : ` --profile ${name}`
    }" to add your access key first.`
    : `; ${
      how === ""
        ? "the profiles there are"
        : "pass --profile with one of the profiles there"
    }: ${[...new Set(known)].slice(0, 8).join(", ")}${
      new Set(known).size > 8 ? ", …" : ""
    }.`;
  // A name that looks like a code (typed where the profile goes) is not shown.
  const shown = shownProfile(name);
  return new LocalError(
    `${
      shown[0].toUpperCase() + shown.slice(1)
    }${how} is in neither ${credentialsFile} nor ${configFile}${existence}${hint}`,
  );
}

function exists(name: string, world: SubjectWorld): boolean {
  return world.credentials.profiles.has(name) ||
    world.config.profiles.has(name);
}

/**
 * Find whose session `flags` mean; see the module doc for the rules.
 *
 * @param target The target profile the run writes to (for the recorded serial).
 * @throws {LocalError} for a profile in neither file (or a role profile's
 * or managed profile's source in neither);
 * {@linkcode MissingSerialError} when no serial is given or recorded; and
 * whatever {@linkcode resolveSubject} throws.
 */
export async function findSubject(
  flags: RoleFlags,
  target: string,
  world: SubjectWorld,
): Promise<FoundSubject> {
  const choice = chooseProfile(flags.profile, world.env);
  const named = choice.name;
  if (!exists(named, world)) {
    throw missingProfile(named, whereNamed(choice), world);
  }
  const namedCredentials = world.credentials.profiles.get(named);
  const namedConfig = world.config.profiles.get(named);

  if (
    isManaged(namedCredentials) &&
    profileValue(namedConfig, "role_arn") === undefined
  ) {
    const source = profileValue(namedCredentials, SOURCE_KEY);
    const serial = profileValue(namedCredentials, SERIAL_KEY);
    const recordedRole = profileValue(namedCredentials, ROLE_KEY);
    if (source === undefined || serial === undefined || source === named) {
      throw new LocalError(
        `Profile "${named}" is a session awsmfa wrote, but it does not say from which profile; name the profile with your long-term keys with --profile.`,
      );
    }
    if (!exists(source, world)) {
      throw new LocalError(
        `Profile "${named}" holds a session awsmfa made from profile "${source}", which is in neither ${world.paths.credentialsFile} nor ${world.paths.configFile}; name the profile with your long-term keys with --profile.`,
      );
    }
    const role = flags.roleArn ?? recordedRole;
    const roleProfile = flags.roleArn === undefined && role !== undefined
      ? roleProfileFor(role, source, world.config.profiles)
      : undefined;
    const subject = resolveSubject(
      {
        ...flags,
        profile: roleProfile ?? source,
        serialNumber: flags.serialNumber ?? validateSerial(serial),
        ...(roleProfile === undefined && role !== undefined
          ? { roleArn: role }
          : {}),
      },
      world.config.profiles,
      world.env,
    );
    return { subject, target: named };
  }

  // A profile whose credential_process is awsmfa's own session (not a
  // source's keys, as `awsmfa keys get` or another tool prints them).
  const process = profileValue(namedConfig, "credential_process");
  if (
    process !== undefined &&
    /(^|[\s/'"])awsmfa\b.*\scredential-process\b/.test(process) &&
    profileValue(namedConfig, "role_arn") === undefined &&
    profileValue(namedCredentials, "aws_access_key_id") === undefined &&
    profileValue(namedConfig, "aws_access_key_id") === undefined
  ) {
    const source = /\bawsmfa\b.*\s--profile[= ]([\w+=,.@-]+)/.exec(process)
      ?.[1];
    throw new LocalError(
      `Profile "${named}"${
        whereNamed(choice)
      } gets its credentials from awsmfa credential-process and has no long-term keys of its own; ${
        source !== undefined
          ? `name the profile it uses, as in: awsmfa --profile ${source}`
          : "name the profile with your long-term keys with --profile"
      }.`,
    );
  }
  const roleSource = profileValue(namedConfig, "role_arn") !== undefined
    ? profileValue(namedConfig, "source_profile")
    : undefined;
  if (
    roleSource !== undefined && roleSource !== named &&
    !exists(roleSource, world)
  ) {
    throw new LocalError(
      `Cannot use profile "${named}": its source_profile "${roleSource}" is in neither ${world.paths.credentialsFile} nor ${world.paths.configFile}.`,
    );
  }
  try {
    return { subject: resolveSubject(flags, world.config.profiles, world.env) };
  } catch (error) {
    if (!(error instanceof MissingSerialError)) throw error;
    const source = roleSource ?? named;
    const serial = await recordedSerial(source, target, world);
    if (serial === undefined) throw error;
    return {
      subject: resolveSubject(
        { ...flags, serialNumber: validateSerial(serial) },
        world.config.profiles,
        world.env,
      ),
    };
  }
}

/** What {@linkcode findSubject} looks at: the two files as read, and the cache. */
export function subjectWorld(
  credentialsFile: LoadedFile,
  configFile: LoadedFile,
  paths: AwsPaths,
  env: EnvLookup,
): SubjectWorld {
  return {
    credentials: {
      profiles: credentialsFile.profiles,
      exists: credentialsFile.text !== null,
    },
    config: { profiles: configFile.profiles, exists: configFile.text !== null },
    paths,
    env,
    cacheDir: sessionCacheDir(env),
  };
}
