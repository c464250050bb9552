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
import { provideSession, sessionCacheDir } from "../sessions/provider.ts";
import { AwsmfaError, ExitCode, LocalError } from "../shared/errors.ts";
import {
  type AccessKeyMetadata,
  AwsCallError,
  callerArn,
  type Fetch,
  iamClient,
  iamEndpoint,
} from "../source_keys/iam.ts";
import { serializeIni } from "../aws_files/document.ts";
import { setKeys } from "../aws_files/edit.ts";
import { profileSection } from "../aws_files/profile_section.ts";
import type {
  Keychain,
  KeychainName,
  ToolRunner,
} from "../source_keys/keychain/keychain.ts";
import {
  checkKeychainName,
  checkStoredProfile,
} from "../source_keys/keychain/keychain.ts";
import { chooseKeychain } from "../source_keys/keychain/select.ts";
import {
  keychainSecret,
  maskKeyId,
  parseKeychainSecret,
  pointsAt,
} from "./keys.ts";
import {
  type LoadedFile,
  loadFile,
  readFile,
} from "../sessions/loaded_file.ts";
import type { TargetIO } from "../sessions/target_profile.ts";
import { dirname, join } from "../shared/path.ts";
import { recordKey } from "../source_keys/key_age.ts";
import { configOrigin, resolveSubject } from "../sessions/role.ts";
import {
  DEFAULT_DURATION_SECONDS,
  homeDirectory,
  type LongTermKeys,
  resolveEndpoint,
  resolvePaths,
  resolveRegion,
  sourceKeys,
} from "../aws_files/settings.ts";
import { readText } from "../files/read.ts";
import { REMOVE_FILE, updateFile } from "../files/update.ts";
import { checkWritable } from "../files/writable.ts";
import { codeSource } from "../mfa_code/source.ts";

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
export const VERIFY_DELAYS_MS: readonly number[] = [
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

/** Where the long-term keys live, and how to put new ones there. */
interface KeyHome {
  /** For messages. */
  describe: string;
  /** The key there now. */
  current: LongTermKeys;
  /** Checks that a write can happen (before a code is spent). */
  check(): Promise<void>;
  /** Replace `old` with `next`; refuses when the home no longer holds `old`. */
  store(old: LongTermKeys, next: LongTermKeys): Promise<void>;
  /** Whether the home holds the key `id` now (false when it cannot tell). */
  holds(id: string): Promise<boolean>;
}

function fileHome(
  path: string,
  file: LoadedFile,
  profile: string,
  current: LongTermKeys,
): KeyHome {
  const edit = (loaded: LoadedFile, keys: LongTermKeys) =>
    serializeIni(
      setKeys(loaded.doc, profileSection(profile, "credentials"), {
        aws_access_key_id: keys.accessKeyId,
        aws_secret_access_key: keys.secretAccessKey,
      }),
    );
  return {
    describe: path,
    current,
    async check() {
      edit(file, current);
      await checkWritable(path);
    },
    async store(old, next) {
      await updateFile(path, (text) => {
        const now = loadFile(text, path, "credentials", file);
        const id = (now.profiles.get(profile)?.["aws_access_key_id"] ?? "")
          .trim();
        if (id === next.accessKeyId) return null;
        if (id !== old.accessKeyId) {
          throw new LocalError(
            `The key of profile "${profile}" in ${path} changed during the rotation; it was left as it is.`,
          );
        }
        return edit(now, next);
      });
    },
    async holds(id) {
      try {
        const now = loadFile(await readText(path), path, "credentials", file);
        return (now.profiles.get(profile)?.["aws_access_key_id"] ?? "")
          .trim() === id;
      } catch {
        return false;
      }
    },
  };
}

function keychainHome(
  keychain: Keychain,
  profile: string,
  current: LongTermKeys,
  now: () => Date,
): KeyHome {
  return {
    describe: keychain.label,
    current,
    async check() {},
    async store(old, next) {
      const text = await keychain.read(profile);
      const there = text === undefined
        ? undefined
        : parseKeychainSecret(text, profile, keychain, now());
      if (there?.accessKeyId !== next.accessKeyId) {
        if (there?.accessKeyId !== old.accessKeyId) {
          throw new LocalError(
            `The key of profile "${profile}" in ${keychain.label} changed during the rotation; it was left as it is.`,
          );
        }
        await keychain.write(profile, keychainSecret(next));
      }
      const back = await keychain.read(profile);
      if (back?.trim() !== keychainSecret(next)) {
        throw new LocalError(
          `${keychain.label} did not give back the new key of profile "${profile}" after storing it.`,
        );
      }
    },
    async holds(id) {
      try {
        const text = await keychain.read(profile);
        return text !== undefined &&
          parseKeychainSecret(text, profile, keychain, now()).accessKeyId ===
            id;
      } catch {
        return false;
      }
    },
  };
}

/** The `--keychain NAME` of an `awsmfa keys get` command line, if any. */
function keychainOfCommand(command: string): KeychainName | undefined {
  const words = command.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "--keychain" && words[i + 1] !== undefined) {
      return checkKeychainName(
        words[i + 1],
        "--keychain in credential_process",
      );
    }
    if (words[i].startsWith("--keychain=")) {
      return checkKeychainName(
        words[i].slice("--keychain=".length),
        "--keychain in credential_process",
      );
    }
  }
  return undefined;
}

async function keyHomeOf(
  profile: string,
  credentialsPath: string,
  credentials: LoadedFile,
  config: LoadedFile,
  io: RotateIO,
): Promise<KeyHome> {
  const section = credentials.profiles.get(profile);
  if ((section?.["aws_access_key_id"] ?? "").trim() !== "") {
    return fileHome(
      credentialsPath,
      credentials,
      profile,
      sourceKeys(profile, section, undefined),
    );
  }
  const command = config.profiles.get(profile)?.["credential_process"] ?? "";
  if (pointsAt(command, profile)) {
    const { keychain } = await chooseKeychain(
      keychainOfCommand(command),
      io.env,
      io.os,
      io.runKeychainTool,
    );
    const text = await keychain.read(profile);
    if (text === undefined) {
      throw new LocalError(
        `${keychain.label} holds no keys for profile "${profile}", which its credential_process reads; nothing to rotate.`,
      );
    }
    return keychainHome(
      keychain,
      profile,
      parseKeychainSecret(text, profile, keychain, io.now()),
      io.now,
    );
  }
  throw new LocalError(
    `awsmfa rotate writes the new key where the old one lives, and can do that for keys in ${credentialsPath} or in awsmfa's keychain (awsmfa keys import), not for profile "${profile}".`,
  );
}

/** The rotation journal: which key was being replaced, since when. */
interface Journal {
  profile: string;
  oldAccessKeyId: string;
  startedAt: string;
}

function journalPath(env: TargetIO["env"], profile: string): string {
  return join(
    homeDirectory(env),
    ".aws",
    "awsmfa",
    "rotate",
    `${profile}.json`,
  );
}

async function readJournal(path: string): Promise<Journal | undefined> {
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

async function writeJournal(path: string, journal: Journal): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await updateFile(path, () => JSON.stringify(journal) + "\n");
}

async function removeJournal(path: string): Promise<void> {
  await updateFile(path, (text) => text === null ? null : REMOVE_FILE);
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
  const credentialsFile = await readFile(paths.credentialsFile, "credentials");
  const configFile = await readFile(paths.configFile, "config");
  const subject = resolveSubject(
    {
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.serialNumber !== undefined
        ? { serialNumber: options.serialNumber }
        : {}),
    },
    configFile.profiles,
    io.env,
  );
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
