/**
 * `awsmfa rotate --profile work`: replace the IAM user's access key with a
 * new one, with an MFA session (the "force MFA" policy denies key changes
 * without one), so that a working key exists at every moment.
 *
 * The order: ListAccessKeys (two keys already: refuse, naming them masked),
 * write the rotation journal (the old key's id, no secret), CreateAccessKey,
 * verify the new key with STS GetCallerIdentity (retrying for IAM's
 * propagation delay, bounded), store it where the old one lives (the
 * credentials file, atomically under its lock, or awsmfa's keychain, read
 * back), then DeleteAccessKey of the old one (`--keep-old`: UpdateAccessKey
 * to Inactive), and remove the journal.
 *
 * A run that dies at any step leaves the journal, and the next run reads the
 * state from it, the keys IAM lists and the key the store holds:
 * - the store still holds the old key, and IAM lists a key created since the
 *   journal was written: that key was never stored (its secret is lost), so
 *   it is deleted and the rotation starts again;
 * - the store holds the new key and IAM still lists the old one: the new key
 *   is verified and the old one retired;
 * - the store holds the new key and the old one is gone: only the journal
 *   goes.
 * Nothing is written that IAM did not create; the old key is retired only
 * after the new one is verified and stored.
 *
 * @module
 */

import type { RotateOptions } from "../cli/options.ts";
import { AwsmfaError, ExitCode, LocalError } from "../shared/errors.ts";
import {
  type AccessKeyMetadata,
  AwsCallError,
  callerArn,
  type Fetch,
  iamClient,
  iamEndpoint,
} from "../source_keys/iam.ts";
import type { ToolRunner } from "../source_keys/keychain/keychain.ts";
import { checkStoredProfile } from "../source_keys/keychain/keychain.ts";
import { maskKeyId, recordKey } from "../source_keys/key_age.ts";
import {
  journalPath,
  readJournal,
  removeJournal,
  writeJournal,
} from "../source_keys/rotation_journal.ts";
import {
  configOrigin,
  resolveSubject,
  type RoleFlags,
  type SessionSubject,
} from "../sessions/role.ts";
import { findSubject, subjectWorld } from "../sessions/subject.ts";
import { isManaged } from "../aws_files/session.ts";
import {
  type AwsPaths,
  chooseProfile,
  DEFAULT_DURATION_SECONDS,
  DEFAULT_TARGET_PROFILE,
  type EnvLookup,
  type LongTermKeys,
  MissingSerialError,
  resolveEndpoint,
  resolvePaths,
  resolveRegion,
} from "../aws_files/settings.ts";
import { codeSource } from "../mfa_code/source.ts";
import { keyHomeOf } from "./key_home.ts";
import { provideSession, sessionCacheDir } from "../sessions/provider.ts";
import type { TargetIO } from "../sessions/target_profile.ts";
import { type LoadedFile, readFilePair } from "../sessions/loaded_file.ts";

/** What `awsmfa rotate` reads from or writes to the world. */
export interface RotateIO extends TargetIO {
  /** Write text to stdout. */
  stdout(text: string): void;
  /** The fetch for IAM and STS calls; default: the global fetch. */
  fetch?: Fetch;
  /** Waits between verification tries; default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Runs the keychain tools; default: lib/spawn.ts. */
  runKeychainTool?: ToolRunner;
  /** The platform for the automatic keychain choice. */
  os?: string;
}

/** Waits between GetCallerIdentity tries with the new key: 30 s in all. */
const VERIFY_DELAYS_MS: readonly number[] = [
  1000,
  2000,
  3000,
  4000,
  5000,
  5000,
  5000,
  5000,
];

/** A key created this long before the journal's time still counts as the user's own. */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * Whose keys to rotate: the profile named, with its serial, else the one
 * awsmfa recorded for that profile's sessions (as the default command finds
 * it). A profile awsmfa manages is not taken for its source.
 */
async function rotationSubject(
  flags: RoleFlags,
  credentialsFile: LoadedFile,
  configFile: LoadedFile,
  where: { paths: AwsPaths; env: EnvLookup },
): Promise<SessionSubject> {
  try {
    return resolveSubject(flags, configFile.profiles, where.env);
  } catch (error) {
    if (!(error instanceof MissingSerialError)) throw error;
    const named = chooseProfile(flags.profile, where.env).name;
    if (isManaged(credentialsFile.profiles.get(named))) throw error;
    const world = subjectWorld(
      credentialsFile,
      configFile,
      where.paths,
      where.env,
    );
    return (await findSubject(flags, DEFAULT_TARGET_PROFILE, world)).subject;
  }
}

function describeKeys(
  keys: readonly AccessKeyMetadata[],
  current: string,
): string {
  return keys.map((key) =>
    `${maskKeyId(key.accessKeyId)} (${
      key.accessKeyId === current ? "the one awsmfa uses, " : ""
    }${key.status.toLowerCase()})`
  ).join(" and ");
}

/** Run `awsmfa rotate`; resolves to the exit code. */
export async function rotate(
  options: RotateOptions,
  io: RotateIO,
): Promise<number> {
  const paths = resolvePaths(io.env);
  const { credentialsFile, configFile } = await readFilePair(paths);
  const flags = {
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.serialNumber !== undefined
      ? { serialNumber: options.serialNumber }
      : {}),
  };
  const subject = await rotationSubject(flags, credentialsFile, configFile, {
    paths,
    env: io.env,
  });
  if (subject.role !== undefined) {
    throw new LocalError(
      `Profile "${
        options.profile ?? subject.source
      }" is a role profile; rotate the keys of its source profile "${subject.source}" instead.`,
    );
  }
  const profile = subject.source;
  checkStoredProfile(profile);
  const home = await keyHomeOf(
    profile,
    paths.credentialsFile,
    credentialsFile,
    configFile,
    io,
  );
  await home.check();
  const region = resolveRegion(
    options.region,
    io.env,
    subject.config,
    subject.serial,
  );
  const stsEndpoint = resolveEndpoint(
    options.endpointUrl,
    io.env,
    subject.config,
    region,
  );
  const iamAt = iamEndpoint(
    options.endpointUrl,
    io.env,
    subject.serial,
    region,
  );
  const journalFile = journalPath(io.env, profile);
  const say = (text: string) => {
    if (!options.quiet) io.stderr(text);
  };

  const current = home.current;
  const { session } = await provideSession(
    {
      subject,
      request: () =>
        Promise.resolve({
          accessKeyId: current.accessKeyId,
          secretAccessKey: current.secretAccessKey,
          region,
          endpoint: stsEndpoint,
          serialNumber: subject.serial,
          durationSeconds: DEFAULT_DURATION_SECONDS,
          sourceProfile: profile,
        }),
      force: false,
      minRemainingMs: 5 * 60_000,
      cacheDir: sessionCacheDir(io.env),
    },
    async () =>
      await codeSource({
        code: options.code,
        mfaProcess: options.mfaProcess,
        profile: configOrigin(subject, configFile.profiles, "mfa_process"),
        config: subject.config,
      }, io)(subject.serial),
    io,
  );
  const calls = { fetch: io.fetch, now: io.now };
  const iam = iamClient(iamAt, session, calls);
  const retire = async (id: string) => {
    if (options.keepOld) await iam.deactivateAccessKey(id);
    else await iam.deleteAccessKey(id);
  };

  let { userName, keys } = await iam.listAccessKeys();
  if (!keys.some((key) => key.accessKeyId === current.accessKeyId)) {
    throw new LocalError(
      `The key of profile "${profile}" in ${home.describe} (${
        maskKeyId(current.accessKeyId)
      }) is not one of IAM user ${userName}'s keys (${
        describeKeys(keys, "")
      }); nothing was changed.`,
    );
  }
  const journal = await readJournal(journalFile);
  if (journal !== undefined && journal.oldAccessKeyId !== current.accessKeyId) {
    // The store already holds the new key: finish.
    const old = keys.find((key) => key.accessKeyId === journal.oldAccessKeyId);
    if (old !== undefined) {
      await verify(current);
      if (!(options.keepOld && old.status === "Inactive")) {
        await retire(old.accessKeyId);
      }
    }
    await removeJournal(journalFile);
    const held = keys.find((key) => key.accessKeyId === current.accessKeyId);
    if (held !== undefined && !Number.isNaN(held.createDate.getTime())) {
      await recordKey(io.env, {
        profile,
        accessKeyId: held.accessKeyId,
        createDate: held.createDate,
      });
    }
    say(
      `Finished the interrupted rotation of profile "${profile}": ${
        maskKeyId(current.accessKeyId)
      } is in ${home.describe}${
        old === undefined
          ? ""
          : `, ${maskKeyId(old.accessKeyId)} was ${
            options.keepOld ? "deactivated" : "deleted"
          }`
      }.\n`,
    );
    return ExitCode.Ok;
  }
  if (journal !== undefined) {
    // The store still holds the old key: a key made since was never stored.
    const since = Date.parse(journal.startedAt) - CLOCK_SLACK_MS;
    for (const key of keys) {
      if (
        key.accessKeyId !== current.accessKeyId &&
        key.createDate.getTime() >= since
      ) {
        await iam.deleteAccessKey(key.accessKeyId);
        say(
          `Deleted ${
            maskKeyId(key.accessKeyId)
          }, made by an interrupted rotation and never stored.\n`,
        );
      }
    }
    ({ userName, keys } = await iam.listAccessKeys());
  }
  if (keys.length >= 2) {
    throw new LocalError(
      `IAM user ${userName} already has two access keys, ${
        describeKeys(keys, current.accessKeyId)
      }, and IAM allows no third; delete the one you no longer use and run again.`,
    );
  }

  await writeJournal(journalFile, {
    profile,
    oldAccessKeyId: current.accessKeyId,
    startedAt: io.now().toISOString(),
  });
  const created = await iam.createAccessKey();
  try {
    await verify(created);
    await home.store(current, created);
  } catch (error) {
    // Not usable, or not stored: take it back while the old key is what the
    // store holds. Otherwise (a store left in doubt) the journal stays and
    // the next run decides from what the store then holds.
    if (await home.holds(current.accessKeyId)) {
      await iam.deleteAccessKey(created.accessKeyId).then(
        () => removeJournal(journalFile),
        () => undefined,
      );
    }
    throw error;
  }
  await retire(current.accessKeyId);
  await removeJournal(journalFile);
  await recordKey(io.env, {
    profile,
    accessKeyId: created.accessKeyId,
    createDate: io.now(),
  });
  say(
    `Rotated the access key of profile "${profile}" (IAM user ${userName}): ${
      maskKeyId(created.accessKeyId)
    } is in ${home.describe}, ${maskKeyId(current.accessKeyId)} was ${
      options.keepOld ? "deactivated" : "deleted"
    }.\n`,
  );
  return ExitCode.Ok;

  /** GetCallerIdentity with `keys` until STS takes them, for at most 30 s. */
  async function verify(keys: LongTermKeys): Promise<void> {
    const sleep = io.sleep ??
      ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 0;; attempt++) {
      try {
        await callerArn(stsEndpoint, region, keys, calls);
        return;
      } catch (error) {
        const propagating = error instanceof AwsCallError &&
          ["InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied"]
            .includes(error.awsCode);
        if (!propagating || attempt >= VERIFY_DELAYS_MS.length) {
          if (error instanceof AwsmfaError && propagating) {
            throw new AwsmfaError(
              `STS did not accept the new key ${
                maskKeyId(keys.accessKeyId)
              } within 30 seconds (${
                (error as AwsCallError).awsCode
              }); the old key was not retired, so run awsmfa rotate again later.`,
              ExitCode.Network,
            );
          }
          throw error;
        }
        await sleep(VERIFY_DELAYS_MS[attempt]);
      }
    }
  }
}
