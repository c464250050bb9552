/**
 * The target-profile step: the session of the target profile while it is
 * still valid, else one from the session provider, written to the target
 * profile when asked: the core shared by the default command, `--output`
 * and `exec`.
 *
 * {@linkcode targetSession} follows the flow of DESIGN.md: read both files
 * once, find the subject, reuse a valid session, check everything that can
 * fail locally before the code is spent, lock both files, get the code,
 * let the provider call STS once, and, when asked to, write the credentials
 * and then the config file under the locks, rolling back on failure.
 *
 * @module
 */

import {
  remainingValidity,
  sessionSection,
  type SessionValues,
} from "../aws_files/session.ts";
import {
  type AwsPaths,
  DEFAULT_TARGET_PROFILE,
  resolvePaths,
} from "../aws_files/settings.ts";
import type { SourceKeysIO } from "../source_keys/source_process.ts";
import { codeSource, type CodeSourceIO } from "../mfa_code/source.ts";
import {
  type ProviderIO,
  provideSession,
  sessionCacheDir,
  type SessionOrigin,
} from "./provider.ts";
import { baseRequestFor, type StsFlags } from "./base_request.ts";
import { configOrigin, type RoleFlags, type RoleSpec } from "./role.ts";
import { replacedSession } from "./replace.ts";
import { findSubject, subjectWorld } from "./subject.ts";
import { checkMinRemaining, minRemainingMs } from "./min_remaining.ts";
import { loadFile, readFilePair } from "./loaded_file.ts";
import {
  complete,
  configFollow,
  copiedConfig,
  editConfig,
  editCredentials,
  replacedNote,
  storedSession,
} from "./target_edit.ts";
import { type FilePairLocks, lockFilePair, writePair } from "./file_pair.ts";
import { preflight } from "./preflight.ts";
import { repairConfig } from "./repair.ts";

/** The flags of the target-profile step. */
export interface TargetFlags extends RoleFlags, StsFlags {
  /** The MFA code: `"-"` (read stdin) or exactly 6 digits, leading zeros kept. */
  code?: string;
  /** `--mfa-process`. */
  mfaProcess?: string;
  /** `--mfa-profile-name`: the target profile. */
  mfaProfileName?: string;
  /** `--min-remaining`, in seconds. */
  minRemainingSeconds?: number;
  /** `--force`: a new session even while one is valid. */
  force: boolean;
  /** `--quiet`: no notes. */
  quiet: boolean;
}

/** Everything {@linkcode targetSession} reads from or writes to the world. */
export interface TargetIO extends CodeSourceIO, ProviderIO, SourceKeysIO {}

/** What {@linkcode targetSession} should do besides providing the session. */
export interface TargetOptions {
  /** Write a new session to the credentials and config files. */
  write: boolean;
  /** Warn when `AWS_ACCESS_KEY_ID`/`AWS_SESSION_TOKEN` would shadow the written profile. */
  warnShadowing?: boolean;
}

/** The session of the target profile, and where it came from. */
export interface TargetSession {
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

/** Warn when `AWS_ACCESS_KEY_ID`/`AWS_SESSION_TOKEN` would hide the target profile. */
function warnShadowing(target: string, io: TargetIO): void {
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"]) {
    if ((io.env(name) ?? "") !== "") {
      io.stderr(
        `awsmfa: warning: ${name} is set in your environment; the AWS CLI will use it instead of profile "${target}" until you unset it.\n`,
      );
      return;
    }
  }
}

/**
 * The session `flags` ask for: the one in the target profile while it is
 * awsmfa's, for the same source profile, serial and role, and valid for
 * longer than `--min-remaining` (unless `--force`); else one from the
 * session cache, a role session chained from a cached MFA session, or a new
 * one from STS (the provider, lib/sessions/provider.ts); written to the files when `options.write`
 * is true.
 *
 * Every check that can fail locally happens before the code is asked for or
 * spent; a failure leaves both files as they were (a credentials file
 * written before the config write failed is put back).
 */
export async function targetSession(
  flags: TargetFlags,
  io: TargetIO,
  options: TargetOptions,
): Promise<TargetSession> {
  const paths = resolvePaths(io.env);
  const { credentialsFile, configFile } = await readFilePair(paths);
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
  const cacheDir = sessionCacheDir(io.env);

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

  const request = baseRequestFor(
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
    await preflight(
      { paths, target, credentialsFile, configFile },
      subject,
      replaced,
      io.now(),
    );
  }

  // The locks of both files are taken once the code is known and before it
  // is sent, and held until both are written: a code is never spent on a
  // session another run keeps from being written.
  let locks: FilePairLocks | undefined;
  try {
    const { session, origin, cached } = await provideSession(
      {
        subject,
        request,
        force: flags.force,
        minRemainingMs: minRemaining,
        cacheDir,
      },
      async () => {
        const code = await codeSource({
          code: flags.code,
          mfaProcess: flags.mfaProcess,
          profile: configOrigin(subject, configFile.profiles, "mfa_process"),
          config: subject.config,
        }, io)(serial);
        if (options.write) {
          locks = await lockFilePair(paths, {
            createParents: false,
            ...(io.storeFs ? { fs: io.storeFs } : {}),
            then: ". The MFA code was not sent, so it was not used",
          });
        }
        return code;
      },
      io,
    );
    if (!options.write) {
      return { ...base, session, origin, written: false };
    }
    locks ??= await lockFilePair(paths, {
      createParents: true,
      ...(io.storeFs ? { fs: io.storeFs } : {}),
    });
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
      { target, origin, cached, cacheDir },
      io,
      { credentials: credentialsFile.text, config: configFile.text },
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
    await locks?.release();
  }
}
