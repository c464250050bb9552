/**
 * Get a session, or reuse the one in the target profile while it is still
 * valid: the core step shared by the default command, `--output` and `exec`
 * (and by any later command that needs credentials).
 *
 * {@linkcode obtainSession} follows the flow of DESIGN.md: read both files
 * once, resolve the settings, reuse a valid session, check everything that
 * can fail locally before the code is spent, get the code (argument, stdin,
 * command, prompt), call STS once, and, when asked to, write the credentials
 * and then the config file, each atomically under a lock.
 *
 * @module
 */

import type { SessionFlags } from "../cli/options.ts";
import {
  type AcquireIO,
  acquireSession,
  sessionCacheDir,
  type SessionOrigin,
  type SessionRequest,
} from "./acquire.ts";
import { AwsmfaError, LocalError } from "../shared/errors.ts";
import { ownKeys, readProfiles } from "../aws_files/botocore.ts";
import {
  type IniDocument,
  parseIni,
  serializeIni,
} from "../aws_files/document.ts";
import { setKeys } from "../aws_files/edit.ts";
import { profileSection } from "../aws_files/profile_section.ts";
import { configOrigin, type RoleSpec, type SessionSubject } from "./role.ts";
import {
  type ConfigFollow,
  followSource,
  type Replaced,
  replacedSession,
} from "./replace.ts";
import {
  checkMinRemaining,
  findSubject,
  type SubjectWorld,
} from "./subject.ts";
import {
  ADDED_KEY,
  addedValue,
  DEFAULT_MIN_REMAINING_MS,
  EXPIRES_KEY,
  expiresAt,
  remainingValidity,
  ROLE_KEY,
  sessionSection,
  type SessionValues,
} from "../aws_files/session.ts";
import { describeTime } from "../shared/time.ts";
import {
  type AwsPaths,
  checkTarget,
  DEFAULT_DURATION_SECONDS,
  DEFAULT_TARGET_PROFILE,
  type EnvLookup,
  type ProfileKeys,
  resolveEndpoint,
  resolvePaths,
  resolveRegion,
} from "../aws_files/settings.ts";
import {
  keyOriginOf,
  longTermKeys,
  type SourceKeysIO,
} from "../source_keys/source_process.ts";
import type { StoreFs } from "../files/fs.ts";
import { type LockedFile, lockFile } from "../files/lock.ts";
import { readText } from "../files/read.ts";
import {
  REMOVE_FILE,
  updateFile,
  type UpdateOptions,
  type UpdateResult,
} from "../files/update.ts";
import { checkWritable } from "../files/writable.ts";
import { codeSource, type CodeSourceIO } from "../mfa_code/source.ts";

/**
 * Put a file back as it was before `written`, unless another run has changed
 * it since; a file that update created is removed. Never throws: it runs
 * while another error is on its way to the user.
 *
 * @returns Why putting it back failed; undefined when it was put back (or
 * needed nothing).
 */
export async function rollBack(
  written: UpdateResult,
  options: UpdateOptions = {},
): Promise<string | undefined> {
  if (written.after === written.before) return undefined;
  try {
    await updateFile(
      written.path,
      (current) =>
        current !== written.after
          ? null
          : written.before === null
          ? REMOVE_FILE
          : written.before,
      options,
    );
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Everything {@linkcode obtainSession} reads from or writes to the world. */
export interface ObtainIO extends CodeSourceIO, AcquireIO, SourceKeysIO {
  /** Whether this is Windows (`cmd /c` instead of `sh -c`); default: Deno.build.os. */
  windows?: boolean;
  /** File operations of the writes; default the store's own (tests inject failures). */
  storeFs?: StoreFs;
}

/** What {@linkcode obtainSession} should do besides getting the session. */
export interface ObtainOptions {
  /** Write a new session to the credentials and config files. */
  write: boolean;
  /** Warn when `AWS_ACCESS_KEY_ID`/`AWS_SESSION_TOKEN` would shadow the written profile. */
  warnShadowing?: boolean;
}

/** A session and where it came from. */
export interface ObtainedSession {
  /** The temporary credentials. */
  session: SessionValues;
  /**
   * Where it came from: `profile`, the target profile, still valid; else
   * the session cache, STS with a code, or a role chained from a cached MFA
   * session.
   */
  origin: "profile" | SessionOrigin;
  /** The role, for a role session. */
  role?: RoleSpec;
  /** True when they were written to the files by this call. */
  written: boolean;
  /** The source profile. */
  source: string;
  /** The target profile. */
  target: string;
  /** The MFA serial. */
  serial: string;
  /** The `region` of the source profile's config section, if it has one. */
  profileRegion?: string;
  /** The files read (and maybe written). */
  paths: AwsPaths;
}

function parseFile(text: string | null, path: string): IniDocument {
  try {
    return parseIni(text ?? "");
  } catch (error) {
    throw new LocalError(`Cannot parse ${path}: ${(error as Error).message}`);
  }
}

function profilesOf(
  doc: IniDocument,
  file: "credentials" | "config",
  path: string,
): Map<string, ProfileKeys> {
  try {
    return readProfiles(doc, file);
  } catch (error) {
    if (error instanceof AwsmfaError) {
      throw new LocalError(
        `Cannot use ${path}: ${error.message} The AWS CLI cannot read this file either; fix it first.`,
      );
    }
    throw error;
  }
}

/** A file as read: its text, its lines and the profiles the AWS CLI sees. */
export interface LoadedFile {
  /** The text; null when the file does not exist. */
  text: string | null;
  /** The lines. */
  doc: IniDocument;
  /** Profiles with botocore's meaning. */
  profiles: Map<string, ProfileKeys>;
}

/**
 * Parse `text`; when it is the text of `known` (the file did not change
 * between the first read and the lock), reuse that parse. Throws
 * {@linkcode LocalError} for a file the AWS CLI cannot read.
 */
export function loadFile(
  text: string | null,
  path: string,
  file: "credentials" | "config",
  known?: LoadedFile,
): LoadedFile {
  if (known !== undefined && known.text === text) return known;
  const doc = parseFile(text, path);
  return { text, doc, profiles: profilesOf(doc, file, path) };
}

/** Read and parse one of the AWS files. */
export async function readFile(
  path: string,
  file: "credentials" | "config",
): Promise<LoadedFile> {
  return loadFile(await readText(path), path, file);
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
function configFollow(
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
 * replaces another session's (see lib/replace.ts).
 */
function editConfig(
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
function replacedNote(
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
function editCredentials(
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
function storedSession(section: ProfileKeys): SessionValues {
  return {
    accessKeyId: section["aws_access_key_id"].trim(),
    secretAccessKey: section["aws_secret_access_key"].trim(),
    sessionToken: section["aws_session_token"].trim(),
    expiration: expiresAt(section)!,
  };
}

/** Whether a section holds every value a stored session needs. */
function complete(section: ProfileKeys | undefined): section is ProfileKeys {
  return section !== undefined &&
    (section["aws_access_key_id"] ?? "").trim() !== "" &&
    (section["aws_secret_access_key"] ?? "").trim() !== "" &&
    (section["aws_session_token"] ?? "").trim() !== "" &&
    section[EXPIRES_KEY] !== undefined;
}

/** The `--min-remaining` threshold in milliseconds (default 15 minutes). */
export function minRemainingMs(seconds: number | undefined): number {
  return seconds === undefined ? DEFAULT_MIN_REMAINING_MS : seconds * 1000;
}

/** The flags that decide where and how long the STS call goes. */
export interface StsFlags {
  /** `--region`. */
  region?: string;
  /** `--endpoint-url`. */
  endpointUrl?: string;
  /** `--duration-seconds`. */
  durationSeconds?: number;
}

/**
 * Everything of the GetSessionToken request but the code: the source's
 * long-term keys, region, endpoint and duration (an AssumeRole call takes
 * the keys, region and endpoint from it). The local errors (no keys, session
 * keys, bad endpoint) are thrown now, so call it before a code is spent;
 * the returned function gives the request, running the source profile's
 * `credential_process` (lib/source_process.ts) on its first call only, so a
 * cached session needs no keys.
 *
 * @param sourceCredentials The source profile's credentials section.
 * @param sourceConfig The source profile's own config section (keys may be there).
 */
export function sessionRequestFor(
  flags: StsFlags,
  io: SourceKeysIO,
  subject: SessionSubject,
  sourceCredentials: ProfileKeys | undefined,
  sourceConfig: ProfileKeys | undefined,
): () => Promise<Omit<SessionRequest, "tokenCode">> {
  const { source, serial } = subject;
  const origin = keyOriginOf(source, sourceCredentials, sourceConfig);
  const region = resolveRegion(flags.region, io.env, subject.config, serial);
  const endpoint = resolveEndpoint(
    flags.endpointUrl,
    io.env,
    subject.config,
    region,
  );
  let request: Promise<Omit<SessionRequest, "tokenCode">> | undefined;
  return () =>
    request ??= longTermKeys(origin, io).then((keys) => ({
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      region,
      endpoint,
      serialNumber: serial,
      durationSeconds: flags.durationSeconds ?? DEFAULT_DURATION_SECONDS,
      sourceProfile: source,
    }));
}

/** Warn when `AWS_ACCESS_KEY_ID`/`AWS_SESSION_TOKEN` would hide the target profile. */
function warnShadowing(target: string, io: ObtainIO): void {
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"]) {
    if ((io.env(name) ?? "") !== "") {
      io.stderr(
        `awsmfa: warning: ${name} is set in your environment; the AWS CLI will use it instead of profile "${target}" until you unset it.\n`,
      );
      return;
    }
  }
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

/**
 * Get the session `flags` ask for: the one in the target profile while it is
 * awsmfa's, for the same source profile, serial and role, and valid for
 * longer than `--min-remaining` (unless `--force`); else one from the
 * session cache, a role session chained from a cached MFA session, or a new
 * one from STS (lib/acquire.ts); written to the files when `options.write`
 * is true.
 *
 * Every check that can fail locally happens before the code is asked for or
 * spent; a failure leaves both files as they were (a credentials file
 * written before the config write failed is put back).
 */
export async function obtainSession(
  flags: SessionFlags,
  io: ObtainIO,
  options: ObtainOptions,
): Promise<ObtainedSession> {
  const paths = resolvePaths(io.env);
  const credentialsFile = await readFile(paths.credentialsFile, "credentials");
  const configFile = await readFile(paths.configFile, "config");
  const credentials = credentialsFile.profiles;
  const found = await findSubject(
    flags,
    flags.mfaProfileName ?? DEFAULT_TARGET_PROFILE,
    subjectWorld(credentialsFile, configFile, paths, io.env),
  );
  const subject = found.subject;
  const { source, serial, role } = subject;
  const roleArn = role?.roleArn;
  const target = flags.mfaProfileName ?? found.target ?? DEFAULT_TARGET_PROFILE;
  const profileRegion = subject.config?.["region"]?.trim() || undefined;
  const base = {
    source,
    target,
    serial,
    paths,
    profileRegion,
    ...(role !== undefined ? { role } : {}),
  };
  const minRemaining = minRemainingMs(flags.minRemainingSeconds);

  checkMinRemaining(flags, subject);
  // Also while the profile is still valid: a leftover export in a shell rc
  // hides it just the same.
  if (options.warnShadowing) warnShadowing(target, io);

  const stored = credentials.get(target);
  if (!flags.force && complete(stored)) {
    const remaining = remainingValidity(
      stored,
      source,
      serial,
      io.now(),
      minRemaining,
      roleArn,
    );
    if (remaining !== undefined) {
      if (options.write) {
        await repairConfig(paths, target, configFile, subject.config, io);
      }
      return {
        ...base,
        session: storedSession(stored),
        origin: "profile",
        written: false,
      };
    }
  }

  const request = sessionRequestFor(
    flags,
    io,
    subject,
    credentials.get(source),
    configFile.profiles.get(source),
  );
  const replaced = options.write
    ? replacedSession(
      credentials.get(target),
      subject,
      configFile.profiles,
      copiedConfig,
    )
    : undefined;
  if (options.write) {
    checkTarget(target, source, credentials.get(target));
    checkTargetConfig(target, configFile.profiles.get(target));
    // Try both edits now with stand-in values, so anything the editor
    // refuses (a profile name, a value) stops the run before the code is
    // spent.
    const preview = sessionSection(
      {
        accessKeyId: "ASIAPREVIEWPREVIEW00",
        secretAccessKey: "preview",
        sessionToken: "preview",
        expiration: io.now(),
      },
      source,
      serial,
      roleArn,
    );
    editCredentials(credentialsFile, target, source, preview, configFile);
    editConfig(configFile, target, subject.config, replaced);
    await checkWritable(paths.credentialsFile);
    await checkWritable(paths.configFile);
  }

  // The locks of both files are taken once the code is known and before it
  // is sent, and held until both are written: a code is never spent on a
  // session another run keeps from being written.
  let locks: FileLocks | undefined;
  try {
    const { session, origin, cached } = await acquireSession(
      {
        subject,
        request,
        force: flags.force,
        minRemainingMs: minRemaining,
        cacheDir: sessionCacheDir(io.env),
      },
      async () => {
        const code = await codeSource({
          code: flags.code,
          mfaProcess: flags.mfaProcess,
          profile: configOrigin(subject, configFile.profiles, "mfa_process"),
          config: subject.config,
        }, io)(serial);
        if (options.write) locks = await lockBoth(paths, io.storeFs);
        return code;
      },
      io,
    );
    if (!options.write) {
      return { ...base, session, origin, written: false };
    }
    locks ??= await lockBoth(paths, io.storeFs, true);
    await writePair(
      paths,
      locks,
      (current) =>
        editCredentials(
          loadFile(
            current,
            paths.credentialsFile,
            "credentials",
            credentialsFile,
          ),
          target,
          source,
          sessionSection(session, source, serial, roleArn),
          configFile,
        ),
      (current) =>
        editConfig(
          loadFile(current, paths.configFile, "config", configFile),
          target,
          subject.config,
          replaced,
        ),
      { target, origin, cached, cacheDir: sessionCacheDir(io.env) },
      io,
    );
    if (replaced !== undefined && !flags.quiet) {
      io.stderr(
        replacedNote(
          target,
          source,
          replaced,
          configFollow(configFile, target, subject.config, replaced),
          io.now(),
        ),
      );
    }
    return { ...base, session, origin, written: true };
  } finally {
    await locks?.credentials?.release();
    await locks?.config?.release();
  }
}

/** The held locks of the credentials and config files (undefined: taken at write time). */
interface FileLocks {
  credentials?: LockedFile;
  config?: LockedFile;
}

/**
 * Take the locks of both files, credentials first. Before the code is sent
 * (`atWrite` false) a file whose directory does not exist yet is not locked,
 * so nothing is created on disk by a run that fails; a lock that cannot be
 * taken then says the code was not sent.
 */
async function lockBoth(
  paths: AwsPaths,
  fs: StoreFs | undefined,
  atWrite = false,
): Promise<FileLocks> {
  const held: FileLocks = {};
  const seam = fs ? { fs } : {};
  try {
    held.credentials = atWrite
      ? await lockFile(paths.credentialsFile, seam)
      : await lockFile(paths.credentialsFile, {
        ...seam,
        createParents: false,
      });
    const config = atWrite
      ? await lockFile(paths.configFile, seam)
      : await lockFile(paths.configFile, { ...seam, createParents: false });
    if (config !== undefined && config.target === held.credentials?.target) {
      await config.release();
    } else {
      held.config = config;
    }
    return held;
  } catch (error) {
    await held.credentials?.release();
    if (atWrite || !(error instanceof LocalError)) throw error;
    throw new LocalError(
      `${
        error.message.replace(/\.$/, "")
      }. The MFA code was not sent, so it was not used.`,
    );
  }
}

/** What a failed write says about the session that could not be written. */
interface WriteContext {
  target: string;
  origin: SessionOrigin;
  cached: boolean;
  cacheDir?: string;
}

/** Where the session is now, for a message about a write that failed. */
function sessionFate(context: WriteContext): string {
  if (context.cached) {
    return context.origin === "cache"
      ? "the session stays in the session cache"
      : `the new session is kept in the session cache${
        context.cacheDir === undefined ? "" : ` (${context.cacheDir})`
      }, so the next run needs no new code`;
  }
  return context.origin === "code"
    ? "the code was spent and the session could not be kept, so the next run needs a new code"
    : "no code was spent";
}

/**
 * Write the credentials file, then the config file, under the held locks.
 * When the config write fails the credentials file is put back; a message
 * says what state both files are in and where the session is.
 */
async function writePair(
  paths: AwsPaths,
  locks: FileLocks,
  credentialsEdit: (current: string | null) => string,
  configEdit: (current: string | null) => string | null,
  context: WriteContext,
  io: ObtainIO,
): Promise<void> {
  const note = (message: string) => io.stderr(`awsmfa: note: ${message}\n`);
  const seam = io.storeFs ? { fs: io.storeFs } : {};
  let written: UpdateResult;
  try {
    written = await updateFile(paths.credentialsFile, credentialsEdit, {
      warn: (message) => io.stderr(`awsmfa: warning: ${message}\n`),
      note,
      ...seam,
      ...(locks.credentials ? { locked: locks.credentials } : {}),
    });
  } catch (error) {
    if (!(error instanceof LocalError)) throw error;
    throw new LocalError(
      `${error.message.replace(/\.$/, "")}; nothing was changed, and ${
        sessionFate(context)
      }.`,
    );
  }
  try {
    await updateFile(paths.configFile, configEdit, {
      note,
      ...seam,
      ...(locks.config ? { locked: locks.config } : {}),
    });
  } catch (error) {
    const undo = await rollBack(written, {
      ...seam,
      ...(locks.credentials ? { locked: locks.credentials } : {}),
    });
    if (!(error instanceof LocalError)) throw error;
    const cause = error.message.replace(/\.$/, "");
    throw new LocalError(
      undo === undefined
        ? `${cause}; ${paths.credentialsFile} was put back as it was, and ${
          sessionFate(context)
        }.`
        : `${cause}, and putting ${paths.credentialsFile} back failed too (${
          undo.replace(/\.$/, "")
        }): it holds the new profile "${context.target}" but ${paths.configFile} has no [profile ${context.target}]; ${
          sessionFate(context)
        }, and the next run adds the missing section.`,
    );
  }
}

/**
 * Repair a pair left half-written by a run killed between its two writes:
 * the target's credentials section is there and valid, its config section
 * is not. Adds `[profile TARGET]` as a full write would have.
 */
async function repairConfig(
  paths: AwsPaths,
  target: string,
  configFile: LoadedFile,
  sourceConfig: ProfileKeys | undefined,
  io: ObtainIO,
): Promise<void> {
  if (configFile.profiles.has(target)) return;
  let result: UpdateResult;
  try {
    result = await updateFile(
      paths.configFile,
      (current) =>
        editConfig(
          loadFile(current, paths.configFile, "config", configFile),
          target,
          sourceConfig,
        ),
      {
        note: (message) => io.stderr(`awsmfa: note: ${message}\n`),
        ...(io.storeFs ? { fs: io.storeFs } : {}),
      },
    );
  } catch (error) {
    if (!(error instanceof LocalError)) throw error;
    io.stderr(
      `awsmfa: warning: [profile ${target}] is missing from ${paths.configFile} and cannot be added: ${
        error.message.replace(/\.$/, "")
      }.\n`,
    );
    return;
  }
  if (result.after !== null) {
    io.stderr(
      `awsmfa: note: added the missing [profile ${target}] to ${paths.configFile} (an earlier run stopped between writing the two files).\n`,
    );
  }
}
