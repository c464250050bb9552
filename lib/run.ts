/**
 * One run of awsmfa: parse the command line and run the command it names,
 * with every piece of IO passed in, so tests can drive each branch.
 *
 * The session step itself (reuse, checks, code, STS, write) lives in
 * lib/sessions/target_profile.ts; this module decides what to do with the session: write it,
 * print it, or hand it to a command.
 *
 * @module
 */

import { parseArguments } from "./cli/args.ts";
import { helpText } from "./cli/help.ts";
import { StrayWordError } from "./cli/hints.ts";
import type {
  ClearOptions,
  ExecOptions,
  RefreshOptions,
  StatusOptions,
} from "./cli/options.ts";
import {
  type ClearedProfile,
  keptDescription,
  planConfig,
  planCredentials,
} from "./commands/clear.ts";
import { completionScript } from "./cli/completions.ts";
import { credentialProcess } from "./commands/credential_process.ts";
import type { TerminalPrompt } from "./mfa_code/source.ts";
import { AwsmfaError, ExitCode, UsageError } from "./shared/errors.ts";
import {
  checkNotNested,
  type ChildRunner,
  childSpec,
  runChild,
} from "./commands/exec.ts";
import { loadFile, readFile } from "./sessions/loaded_file.ts";
import { rollBack } from "./sessions/file_pair.ts";
import {
  type TargetIO,
  type TargetSession,
  targetSession,
} from "./sessions/target_profile.ts";
import { sessionCacheDir } from "./sessions/provider.ts";
import type { CacheKey } from "./sessions/cache_key.ts";
import { listCachedKeys } from "./sessions/cache_list.ts";
import { removeCachedSessions } from "./sessions/cache_remove.ts";
import {
  credentialProcessJson,
  defaultEnvShell,
  envScript,
  regionToSet,
} from "./cli/output.ts";
import {
  isManaged,
  ROLE_KEY,
  SERIAL_KEY,
  SOURCE_KEY,
} from "./aws_files/session.ts";
import { describeTime, formatRemaining } from "./shared/time.ts";
import {
  type AwsPaths,
  type ProfileKeys,
  resolvePaths,
} from "./aws_files/settings.ts";
import {
  cacheOnlyRows,
  managedProfiles,
  statusJson,
  statusTable,
} from "./commands/status.ts";
import { lockFile } from "./files/lock.ts";
import { readText } from "./files/read.ts";
import { updateFile } from "./files/update.ts";
import { versionLine } from "./shared/version.ts";

export {
  type GetSessionTokenCall,
  type SessionRequest,
  stsGetSessionToken,
} from "./sessions/sts_call.ts";

/** Everything a run reads from or writes to the world. */
export interface RunIO extends TargetIO {
  /** Write text to stdout. */
  stdout(text: string): void;
  /** Runs the command of `awsmfa exec`; defaults to {@linkcode runChild}. */
  runChild?: ChildRunner;
  /** The `credential-process` prompt on the controlling terminal; defaults to lib/mfa_code/tty.ts's. */
  promptOnTerminal?: TerminalPrompt;
}

/** `from "work"`, or `role ARN from "work"`, and where a new session came from. */
function provenance(got: TargetSession): string {
  const from = got.role === undefined
    ? `from "${got.source}"`
    : `role ${got.role.roleArn} from "${got.source}"`;
  switch (got.origin) {
    case "cache":
      return `${from}, the cached session`;
    case "chained":
      return `${from}, chained from the cached MFA session`;
    default:
      return from;
  }
}

/** One line on stderr about the session, unless quiet. */
function report(got: TargetSession, quiet: boolean, io: RunIO): void {
  if (quiet) return;
  const until = describeTime(got.session.expiration);
  if (got.origin === "profile") {
    const left = got.session.expiration.getTime() - io.now().getTime();
    io.stderr(
      `Using profile "${got.target}" (${provenance(got)}), valid for ${
        formatRemaining(left)
      }, until ${until}.\n`,
    );
  } else if (got.written) {
    io.stderr(
      `Wrote profile "${got.target}" (${
        provenance(got)
      }), valid until ${until}.\n`,
    );
  } else {
    io.stderr(
      `Got a session (${
        provenance(got)
      }), valid until ${until}; nothing was written.\n`,
    );
  }
}

async function refresh(options: RefreshOptions, io: RunIO): Promise<number> {
  if (options.output === undefined) {
    const got = await targetSession(options, io, {
      write: true,
      warnShadowing: true,
    });
    if (got.origin === "profile") {
      if (!options.quiet) {
        const left = got.session.expiration.getTime() - io.now().getTime();
        io.stderr(
          `Profile "${got.target}" is still valid for ${
            formatRemaining(left)
          }, until ${
            describeTime(got.session.expiration)
          }; use --force to refresh it now.\n`,
        );
      }
    } else {
      report(got, options.quiet, io);
    }
    return ExitCode.Ok;
  }
  const shell = options.output === "env"
    ? options.shell ??
      defaultEnvShell(io.env, io.windows ?? Deno.build.os === "windows")
    : undefined;
  const got = await targetSession(options, io, {
    write: options.write === true,
  });
  report(got, options.quiet, io);
  io.stdout(
    shell === undefined ? credentialProcessJson(got.session) : envScript(
      got.session,
      shell,
      regionToSet(got.profileRegion, io.env),
    ),
  );
  return ExitCode.Ok;
}

async function exec(options: ExecOptions, io: RunIO): Promise<number> {
  checkNotNested(io.env);
  const got = await targetSession(options, io, {
    write: options.write === true,
  });
  // Quiet when it reuses a session, as aws-vault is: CMD's output is what
  // the user came for.
  const reused = got.origin === "profile" || got.origin === "cache";
  report(got, options.quiet || reused, io);
  const spec = childSpec(
    options.argv,
    got.session,
    got.target,
    got.profileRegion,
    io.env,
  );
  return await (io.runChild ?? runChild)(spec, io.stderr);
}

async function status(options: StatusOptions, io: RunIO): Promise<number> {
  const { credentialsFile } = resolvePaths(io.env);
  const file = await readFile(credentialsFile, "credentials");
  const managed = managedProfiles(file.profiles, io.now());
  const dir = sessionCacheDir(io.env);
  const cached = dir === undefined ? [] : await listCachedKeys(dir);
  const rows = [
    ...managed,
    ...cacheOnlyRows(
      cached.map(({ key, expiration }) => ({
        sourceProfile: key.sourceProfile,
        serialNumber: key.serialNumber,
        ...(key.roleArn !== undefined ? { roleArn: key.roleArn } : {}),
        ...(expiration !== undefined ? { expiration } : {}),
      })),
      managed,
      io.now(),
    ),
  ];
  if (options.json) {
    io.stdout(statusJson(rows));
  } else if (rows.length === 0) {
    io.stderr(`No awsmfa-managed profiles in ${credentialsFile}.\n`);
  } else {
    io.stdout(statusTable(rows));
  }
  await keyAges(options, file.profiles, io);
  return ExitCode.Ok;
}

/** status: the ages of long-term keys that awsmfa rotate recorded. */
async function keyAges(
  options: StatusOptions,
  credentials: Map<string, ProfileKeys>,
  io: RunIO,
): Promise<void> {
  const {
    DEFAULT_MAX_KEY_AGE_DAYS,
    keyAgeLines,
    keyRecordDir,
    readKeyRecords,
  } = await import("./source_keys/key_age.ts");
  const dir = keyRecordDir(io.env);
  if (dir === undefined) return;
  for (
    const line of keyAgeLines(
      await readKeyRecords(dir),
      credentials,
      io.now(),
      options.maxKeyAgeDays ?? DEFAULT_MAX_KEY_AGE_DAYS,
    )
  ) io.stderr(line);
}

async function clear(options: ClearOptions, io: RunIO): Promise<number> {
  const paths = resolvePaths(io.env);
  const credentialsFile = await readFile(paths.credentialsFile, "credentials");
  const configFile = await readFile(paths.configFile, "config");
  // A name that is no profile awsmfa wrote but whose sessions only the
  // cache holds (status shows them as "(cache)") ends those.
  const cacheOnly = options.all ? [] : await cacheOnlyNames(
    options.profiles,
    credentialsFile.profiles,
    configFile.profiles,
    io.env,
  );
  const profiles = options.profiles.filter((name) =>
    !cacheOnly.some((entry) => entry.name === name)
  );
  if (cacheOnly.length > 0 && profiles.length === 0) {
    await clearCacheOnly(cacheOnly, options.quiet, io);
    return ExitCode.Ok;
  }
  // Plan both now, so a refusal changes nothing; then again under each lock.
  const plan = planCredentials(
    credentialsFile,
    profiles,
    options.all,
    paths.credentialsFile,
  );
  planConfig(configFile, plan.profiles);
  const names = plan.profiles.map((entry) => entry.profile);

  let cleared = plan.profiles;
  if (plan.text === null) {
    const configPlan = planConfig(configFile, cleared);
    reportClear(cleared, configPlan, paths, options.quiet, io);
    await clearCache(options.all, [], options.quiet, io);
    await clearCacheOnly(cacheOnly, options.quiet, io);
    return ExitCode.Ok;
  }
  // Both locks held; the config file first, so that a run stopped between
  // the two writes leaves a credentials section whose config section is
  // gone, which the next refresh adds back and the next clear removes.
  let configPlan = planConfig(configFile, cleared);
  // What is cleared, and whose cached sessions go, comes from what was read
  // under the lock: another run may have written a named profile since.
  let credentialsNow = credentialsFile;
  const seam = io.storeFs ? { fs: io.storeFs } : {};
  const credentialsLock = await lockFile(paths.credentialsFile, seam);
  try {
    const ownLock = await lockFile(paths.configFile, {
      ...seam,
      createParents: false,
    });
    // One file for both (an odd setup): its one lock covers both writes.
    const sameFile = ownLock?.target === credentialsLock.target;
    if (sameFile) await ownLock!.release();
    const configLock = sameFile ? credentialsLock : ownLock;
    try {
      credentialsNow = loadFile(
        await readText(credentialsLock.target, io.storeFs),
        paths.credentialsFile,
        "credentials",
        credentialsFile,
      );
      cleared = planCredentials(
        credentialsNow,
        names,
        false,
        paths.credentialsFile,
      ).profiles;
      const configWritten = await updateFile(paths.configFile, (current) => {
        configPlan = planConfig(
          loadFile(current, paths.configFile, "config", configFile),
          cleared,
        );
        return configPlan.text;
      }, { ...seam, ...(configLock ? { locked: configLock } : {}) });
      try {
        await updateFile(
          paths.credentialsFile,
          (current) =>
            planCredentials(
              loadFile(
                current,
                paths.credentialsFile,
                "credentials",
                credentialsNow,
              ),
              names,
              false,
              paths.credentialsFile,
            ).text,
          { ...seam, locked: credentialsLock },
        );
      } catch (error) {
        await rollBack(configWritten, {
          ...seam,
          ...(configLock ? { locked: configLock } : {}),
        });
        throw error;
      }
    } finally {
      if (!sameFile) await configLock?.release();
    }
  } finally {
    await credentialsLock.release();
  }

  reportClear(cleared, configPlan, paths, options.quiet, io);
  await clearCache(
    options.all,
    cleared.filter((entry) => entry.credentials !== "absent").map((entry) =>
      credentialsNow.profiles.get(entry.profile)
    ).filter((keys) => keys !== undefined),
    options.quiet,
    io,
  );
  await clearCacheOnly(cacheOnly, options.quiet, io);
  return ExitCode.Ok;
}

/** A name given to clear that stands for sessions only the cache holds. */
interface CacheOnlyName {
  /** The name given. */
  name: string;
  /** The source profile of the entries. */
  source: string;
  /** Their role, when the name is a role profile. */
  roleArn?: string;
  /** The cache entries it stands for. */
  keys: CacheKey[];
}

/**
 * The names among `names` that are not profiles awsmfa wrote (absent from
 * the credentials file, or a source or role profile) and that have cached
 * sessions: of that source profile, or of a role profile's role.
 */
async function cacheOnlyNames(
  names: readonly string[],
  credentials: Map<string, ProfileKeys>,
  config: Map<string, ProfileKeys>,
  env: (name: string) => string | undefined,
): Promise<CacheOnlyName[]> {
  const dir = sessionCacheDir(env);
  if (dir === undefined) return [];
  const candidates = names.filter((name) => !isManaged(credentials.get(name)));
  if (candidates.length === 0) return [];
  // Only the sessions status lists as "(cache)": none a profile holds.
  const managed = managedProfiles(credentials, new Date(0));
  const entries = (await listCachedKeys(dir)).filter(({ key }) =>
    !managed.some((row) =>
      row.sourceProfile === key.sourceProfile &&
      row.serial === key.serialNumber && row.roleArn === key.roleArn
    )
  );
  const found: CacheOnlyName[] = [];
  for (const name of candidates) {
    const roleArn = config.get(name)?.["role_arn"]?.trim() || undefined;
    const source = roleArn === undefined
      ? name
      : config.get(name)?.["source_profile"]?.trim() || name;
    const one: CacheOnlyName = roleArn === undefined
      ? { name, source, keys: [] }
      : { name, source, roleArn, keys: [] };
    const keys = entries.map(({ key }) => key).filter((key) =>
      matchesCacheOnly(one, key)
    );
    if (keys.length > 0) found.push({ ...one, keys });
  }
  return found;
}

function sameKey(a: CacheKey, b: CacheKey): boolean {
  return a.sourceProfile === b.sourceProfile &&
    a.serialNumber === b.serialNumber && a.roleArn === b.roleArn &&
    a.roleSessionName === b.roleSessionName && a.externalId === b.externalId;
}

function matchesCacheOnly(
  one: CacheOnlyName,
  key: { sourceProfile: string; roleArn?: string },
): boolean {
  return key.sourceProfile === one.source &&
    (one.roleArn === undefined || key.roleArn === one.roleArn);
}

/** Remove the cached sessions `names` stand for, and say so. */
async function clearCacheOnly(
  names: readonly CacheOnlyName[],
  quiet: boolean,
  io: RunIO,
): Promise<void> {
  const dir = sessionCacheDir(io.env);
  if (dir === undefined) return;
  for (const one of names) {
    const removed = await removeCachedSessions(
      dir,
      (key) => one.keys.some((mine) => sameKey(mine, key)),
    );
    if (!quiet) {
      io.stderr(
        `Removed ${removed} cached ${
          removed === 1 ? "session" : "sessions"
        } of profile "${one.name}" from ${dir}; no awsmfa command reuses ${
          removed === 1 ? "it" : "them"
        } now.\n`,
      );
    }
  }
}

/**
 * Remove the cached sessions of the cleared profiles (same source, serial
 * and role), or every cached session with `--all`, so that no later command
 * writes them back without a code. The files are already cleared, so a
 * failure here is a warning.
 */
async function clearCache(
  all: boolean,
  sections: readonly ProfileKeys[],
  quiet: boolean,
  io: RunIO,
): Promise<void> {
  const dir = sessionCacheDir(io.env);
  if (dir === undefined || (!all && sections.length === 0)) return;
  const made = sections.map((keys) => ({
    source: keys[SOURCE_KEY]?.trim(),
    serial: keys[SERIAL_KEY]?.trim(),
    role: keys[ROLE_KEY]?.trim(),
  }));
  try {
    const removed = await removeCachedSessions(
      dir,
      (key) =>
        all ||
        made.some((one) =>
          one.source === key.sourceProfile && one.serial === key.serialNumber &&
          one.role === key.roleArn
        ),
    );
    if (removed > 0 && !quiet) {
      io.stderr(
        `Removed ${removed} cached ${
          removed === 1 ? "session" : "sessions"
        } from ${dir}.\n`,
      );
    }
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    io.stderr(`awsmfa: warning: ${error.message}.\n`);
  }
}

/** One line on stderr per profile: what clear did, and what it kept. */
function reportClear(
  cleared: readonly ClearedProfile[],
  configPlan: ReturnType<typeof planConfig>,
  paths: AwsPaths,
  quiet: boolean,
  io: RunIO,
): void {
  if (quiet) return;
  if (cleared.length === 0) {
    io.stderr(`No awsmfa-managed profiles in ${paths.credentialsFile}.\n`);
  }
  for (const entry of cleared) {
    const configSection = entry.profile === "default"
      ? "[default]"
      : `[profile ${entry.profile}]`;
    const configRemoved = configPlan.removed.includes(entry.profile);
    const configNote = configRemoved
      ? ` and ${configSection} from ${paths.configFile}`
      : "";
    const kept = configPlan.kept.get(entry.profile);
    const keptNote = (kept === undefined
      ? ""
      : ` Kept ${configSection} in ${paths.configFile}: ${kept}.`) +
      (configRemoved && entry.credentials === "keys"
        ? ` Removed ${configSection} from ${paths.configFile}.`
        : "");
    switch (entry.credentials) {
      case "absent":
        io.stderr(
          `Profile "${entry.profile}" is not in ${paths.credentialsFile}; nothing to clear.\n`,
        );
        break;
      case "removed":
        io.stderr(
          `Removed profile "${entry.profile}" from ${paths.credentialsFile}${configNote}.${keptNote}\n`,
        );
        break;
      case "keys":
        io.stderr(
          `Removed awsmfa's keys from profile "${entry.profile}" in ${paths.credentialsFile}; kept what awsmfa did not write ${
            keptDescription(entry)
          }.${keptNote}\n`,
        );
        break;
    }
  }
}

function describeUnexpected(error: unknown, io: RunIO): string {
  const name = error instanceof Error ? error.name : typeof error;
  if ((io.env("AWSMFA_DEBUG") ?? "") !== "") {
    return `awsmfa: internal error (${name}): ${
      error instanceof Error ? error.stack ?? error.message : String(error)
    }\n`;
  }
  return `awsmfa: internal error (${name}); run again with AWSMFA_DEBUG=1 for details, and please report it.\n`;
}

/**
 * {@linkcode parseArguments}, but a word where the code goes that names a
 * profile of the files (`awsmfa work`, `awsmfa exec work -- …`, the
 * aws-vault habit) gets "did you mean --profile work?".
 */
async function parseWithHints(args: string[], io: RunIO) {
  try {
    return parseArguments(args);
  } catch (error) {
    if (!(error instanceof StrayWordError)) throw error;
    const known = await knownProfiles(io).catch(() => new Set<string>());
    if (known.has(error.word)) throw new UsageError(error.profileHint());
    throw error;
  }
}

/** The profile names of both files; unreadable files give none. */
async function knownProfiles(io: RunIO): Promise<Set<string>> {
  const paths = resolvePaths(io.env);
  const names = new Set<string>();
  for (
    const [path, kind] of [[paths.credentialsFile, "credentials"], [
      paths.configFile,
      "config",
    ]] as const
  ) {
    const file = await readFile(path, kind).catch(() => undefined);
    for (const name of file?.profiles.keys() ?? []) names.add(name);
  }
  return names;
}

/** Run awsmfa with `args` (without the program name); returns the exit code. */
export async function run(args: string[], io: RunIO): Promise<number> {
  // Only a command line awsmfa could not read gets the pointer to --help;
  // credential-process's stderr is shown by the AWS CLI, where it would
  // only be noise.
  let readingArgs = args[0] !== "credential-process";
  try {
    const options = await parseWithHints(args, io);
    readingArgs = false;
    switch (options.command) {
      case "help":
        io.stdout(helpText(options.topic));
        return ExitCode.Ok;
      case "version":
        io.stdout(versionLine() + "\n");
        return ExitCode.Ok;
      case "completions":
        io.stdout(completionScript(options.shell));
        return ExitCode.Ok;
      case "refresh":
        return await refresh(options, io);
      case "exec":
        return await exec(options, io);
      case "credential-process":
        return await credentialProcess(options, io);
      case "status":
        return await status(options, io);
      case "clear":
        return await clear(options, io);
      case "keys": {
        const { keysCommand } = await import("./commands/keys.ts");
        return await keysCommand(options, io);
      }
      case "rotate": {
        const { rotate } = await import("./commands/rotate.ts");
        return await rotate(options, io);
      }
    }
  } catch (error) {
    if (error instanceof AwsmfaError) {
      io.stderr(`awsmfa: ${error.message}\n`);
      if (readingArgs && error.exitCode === ExitCode.Usage) {
        io.stderr(`Run "awsmfa --help" for usage.\n`);
      }
      return error.exitCode;
    }
    io.stderr(describeUnexpected(error, io));
    return ExitCode.Internal;
  }
}
