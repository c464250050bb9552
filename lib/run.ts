/**
 * One run of awsmfa: the flow of DESIGN.md with every piece of IO passed in,
 * so tests can drive each branch.
 *
 * @module
 */

import { helpText, parseArguments, type RefreshOptions } from "./args.ts";
import { completionScript } from "./completions.ts";
import { AwsmfaError, ExitCode, LocalError } from "./errors.ts";
import {
  type IniDocument,
  parseIni,
  profileSection,
  readProfiles,
  serializeIni,
  setKeys,
} from "./ini.ts";
import {
  DEFAULT_MIN_REMAINING_MS,
  describeTime,
  formatRemaining,
  remainingValidity,
  sessionSection,
  type SessionValues,
} from "./session.ts";
import {
  checkTarget,
  DEFAULT_DURATION_SECONDS,
  DEFAULT_TARGET_PROFILE,
  type EnvLookup,
  type ProfileKeys,
  resolveEndpoint,
  resolvePaths,
  resolveRegion,
  resolveSerial,
  resolveSourceProfile,
  sourceKeys,
} from "./settings.ts";
import { checkWritable, readText, REMOVE_FILE, updateFile } from "./store.ts";
import { type CodeSource, obtainCode } from "./token.ts";
import { versionLine } from "./version.ts";

/** The arguments of one STS GetSessionToken call. */
export interface SessionRequest {
  /** Long-term access key id of the source profile. */
  accessKeyId: string;
  /** Long-term secret access key of the source profile. */
  secretAccessKey: string;
  /** Region the request is signed for. */
  region: string;
  /** STS endpoint URL. */
  endpoint: string;
  /** MFA device serial or ARN. */
  serialNumber: string;
  /** The 6-digit code. */
  tokenCode: string;
  /** Requested session length. */
  durationSeconds: number;
  /** Name of the source profile, for messages. */
  sourceProfile: string;
}

/** Calls STS; the default loads the AWS SDK lazily. */
export type SessionFetcher = (
  request: SessionRequest,
) => Promise<SessionValues>;

/** Everything a run reads from or writes to the world. */
export interface RunIO extends CodeSource {
  /** Environment lookup. */
  env: EnvLookup;
  /** Write text to stderr. */
  stderr(text: string): void;
  /** Write text to stdout. */
  stdout(text: string): void;
  /** The current time. */
  now(): Date;
  /** The STS call; defaults to {@linkcode defaultFetcher}. */
  getSession?: SessionFetcher;
}

/** The production STS call: imports lib/sts.ts (and the AWS SDK) only now. */
export async function defaultFetcher(
  request: SessionRequest,
): Promise<SessionValues> {
  const { getSessionToken } = await import("./sts.ts");
  return await getSessionToken(request);
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
interface LoadedFile {
  text: string | null;
  doc: IniDocument;
  profiles: Map<string, ProfileKeys>;
}

/**
 * Parse `text`; when it is the text of `known` (the file did not change
 * between the first read and the lock), reuse that parse.
 */
function load(
  text: string | null,
  path: string,
  file: "credentials" | "config",
  known?: LoadedFile,
): LoadedFile {
  if (known !== undefined && known.text === text) return known;
  const doc = parseFile(text, path);
  return { text, doc, profiles: profilesOf(doc, file, path) };
}

/** Keys copied from the source profile's config section into a new target section. */
const COPIED_CONFIG_KEYS = ["region", "output"];

/** The new config text, or null when the target section is already there. */
function editConfig(
  file: LoadedFile,
  target: string,
  sourceConfig: ProfileKeys | undefined,
): string | null {
  const section = profileSection(target, "config");
  if (file.profiles.has(target)) return null;
  const values: Record<string, string> = {};
  for (const key of COPIED_CONFIG_KEYS) {
    const value = sourceConfig?.[key]?.trim();
    if (value) values[key] = value;
  }
  return serializeIni(setKeys(file.doc, section, values));
}

/** The new credentials text; the target is checked again on this content. */
function editCredentials(
  file: LoadedFile,
  target: string,
  source: string,
  values: Record<string, string>,
): string {
  checkTarget(target, source, file.profiles.get(target));
  return serializeIni(
    setKeys(file.doc, profileSection(target, "credentials"), values),
  );
}

async function refresh(options: RefreshOptions, io: RunIO): Promise<number> {
  const paths = resolvePaths(io.env);
  const credentialsFile = load(
    await readText(paths.credentialsFile),
    paths.credentialsFile,
    "credentials",
  );
  const configFile = load(
    await readText(paths.configFile),
    paths.configFile,
    "config",
  );
  const credentials = credentialsFile.profiles;
  const config = configFile.profiles;

  const source = resolveSourceProfile(options.profile, io.env);
  const target = options.mfaProfileName ?? DEFAULT_TARGET_PROFILE;
  const sourceConfig = config.get(source);
  const serial = resolveSerial(
    options.serialNumber,
    source,
    sourceConfig,
    io.env,
  );

  const remaining = options.force ? undefined : remainingValidity(
    credentials.get(target),
    source,
    serial,
    io.now(),
    DEFAULT_MIN_REMAINING_MS,
  );
  if (remaining !== undefined) {
    if (!options.quiet) {
      const until = new Date(io.now().getTime() + remaining);
      io.stderr(
        `Profile "${target}" is still valid for ${
          formatRemaining(remaining)
        }, until ${describeTime(until)}; use --force to refresh it now.\n`,
      );
    }
    return ExitCode.Ok;
  }

  const keys = sourceKeys(source, credentials.get(source), sourceConfig);
  checkTarget(target, source, credentials.get(target));
  const region = resolveRegion(options.region, io.env, sourceConfig, serial);
  const endpoint = resolveEndpoint(
    options.endpointUrl,
    io.env,
    sourceConfig,
    region,
  );
  // Try both edits now with stand-in values, so anything the editor refuses
  // (a profile name, a value) stops the run before the code is spent.
  const preview = sessionSection(
    {
      accessKeyId: "ASIAPREVIEWPREVIEW00",
      secretAccessKey: "preview",
      sessionToken: "preview",
      expiration: io.now(),
    },
    source,
    serial,
  );
  editCredentials(credentialsFile, target, source, preview);
  editConfig(configFile, target, sourceConfig);
  await checkWritable(paths.credentialsFile);
  await checkWritable(paths.configFile);

  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"]) {
    if ((io.env(name) ?? "") !== "") {
      io.stderr(
        `awsmfa: warning: ${name} is set in your environment; the AWS CLI will use it instead of profile "${target}" until you unset it.\n`,
      );
      break;
    }
  }

  const tokenCode = await obtainCode(options.code, serial, io);
  const session = await (io.getSession ?? defaultFetcher)({
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    region,
    endpoint,
    serialNumber: serial,
    tokenCode,
    durationSeconds: options.durationSeconds ?? DEFAULT_DURATION_SECONDS,
    sourceProfile: source,
  });

  const values = sessionSection(session, source, serial);
  const written = await updateFile(
    paths.credentialsFile,
    (current) =>
      editCredentials(
        load(current, paths.credentialsFile, "credentials", credentialsFile),
        target,
        source,
        values,
      ),
    { warn: (message) => io.stderr(`awsmfa: warning: ${message}\n`) },
  );
  try {
    await updateFile(
      paths.configFile,
      (current) =>
        editConfig(
          load(current, paths.configFile, "config", configFile),
          target,
          sourceConfig,
        ),
    );
  } catch (error) {
    // Put the credentials file back as it was, unless another run has
    // changed it since; a file this run created is removed.
    await updateFile(
      paths.credentialsFile,
      (current) =>
        current !== written.after
          ? null
          : written.before === null
          ? REMOVE_FILE
          : written.before,
    ).catch(() => undefined);
    throw error;
  }

  if (!options.quiet) {
    io.stderr(
      `Wrote profile "${target}" (from "${source}"), valid until ${
        describeTime(session.expiration)
      }.\n`,
    );
  }
  return ExitCode.Ok;
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

/** Run awsmfa with `args` (without the program name); returns the exit code. */
export async function run(args: string[], io: RunIO): Promise<number> {
  try {
    const options = parseArguments(args);
    switch (options.command) {
      case "help":
        io.stdout(helpText());
        return ExitCode.Ok;
      case "version":
        io.stdout(versionLine() + "\n");
        return ExitCode.Ok;
      case "completions":
        io.stdout(completionScript(options.shell));
        return ExitCode.Ok;
      case "refresh":
        return await refresh(options, io);
    }
  } catch (error) {
    if (error instanceof AwsmfaError) {
      io.stderr(`awsmfa: ${error.message}\n`);
      if (error.exitCode === ExitCode.Usage) {
        io.stderr(`Run "awsmfa --help" for usage.\n`);
      }
      return error.exitCode;
    }
    io.stderr(describeUnexpected(error, io));
    return ExitCode.Internal;
  }
}
