/**
 * Resolving settings from flags, environment variables and AWS files.
 *
 * Everything here is pure: it takes the environment as a lookup function and
 * the profiles as already-parsed maps, and returns values or throws an
 * {@linkcode AwsmfaError}. The precedence rules follow the AWS CLI.
 *
 * @module
 */

import { LocalError, UsageError } from "../shared/errors.ts";

/** Reads one environment variable; `undefined` when unset. */
export type EnvLookup = (name: string) => string | undefined;

/** Keys of one profile, lower-cased key names. */
export type ProfileKeys = Record<string, string>;

/** Where the AWS files live. */
export interface AwsPaths {
  /** The shared credentials file. */
  credentialsFile: string;
  /** The shared config file. */
  configFile: string;
}

/** The default target profile name. */
export const DEFAULT_TARGET_PROFILE = "mfa";

/** The default session duration in seconds (the STS default). */
export const DEFAULT_DURATION_SECONDS = 43200;

/** Region used when nothing else names one. */
const FALLBACK_REGION = "us-east-1";

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** A key of a profile's section, trimmed; undefined when absent or blank. */
export function profileValue(
  keys: ProfileKeys | undefined,
  key: string,
): string | undefined {
  const text = keys?.[key]?.trim();
  return text === undefined || text === "" ? undefined : text;
}

/**
 * The user's home directory: `HOME`, else `USERPROFILE`, else
 * `HOMEDRIVE` + `HOMEPATH`; throws {@linkcode LocalError} when none is set.
 */
export function homeDirectory(env: EnvLookup): string {
  const home = nonEmpty(env("HOME")) ?? nonEmpty(env("USERPROFILE"));
  if (home !== undefined) return home;
  const drive = nonEmpty(env("HOMEDRIVE"));
  const path = nonEmpty(env("HOMEPATH"));
  if (drive !== undefined && path !== undefined) return drive + path;
  throw new LocalError(
    "Cannot find your home directory: set HOME (or USERPROFILE on Windows), or set AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE.",
  );
}

function joinPath(dir: string, ...parts: string[]): string {
  const separator = dir.includes("\\") && !dir.includes("/") ? "\\" : "/";
  const trimmed = dir.endsWith("/") || dir.endsWith("\\")
    ? dir.slice(0, -1)
    : dir;
  return [trimmed, ...parts].join(separator);
}

function expandHome(path: string, env: EnvLookup): string {
  if (path === "~") return homeDirectory(env);
  if (path.startsWith("~/") || path.startsWith("~\\")) {
    return joinPath(homeDirectory(env), path.slice(2));
  }
  return path;
}

/**
 * The credentials and config file paths: `AWS_SHARED_CREDENTIALS_FILE` and
 * `AWS_CONFIG_FILE` (a leading `~` expanded as the AWS CLI does), else
 * `~/.aws/credentials` and `~/.aws/config`.
 */
export function resolvePaths(env: EnvLookup): AwsPaths {
  const credentials = nonEmpty(env("AWS_SHARED_CREDENTIALS_FILE"));
  const config = nonEmpty(env("AWS_CONFIG_FILE"));
  return {
    credentialsFile: credentials !== undefined
      ? expandHome(credentials, env)
      : joinPath(homeDirectory(env), ".aws", "credentials"),
    configFile: config !== undefined
      ? expandHome(config, env)
      : joinPath(homeDirectory(env), ".aws", "config"),
  };
}

/** Where the name of the profile a run acts on came from. */
export type ProfileOrigin =
  | "--profile"
  | "AWS_PROFILE"
  | "AWS_DEFAULT_PROFILE"
  | "default";

/** The profile a run acts on, and where its name came from. */
export interface ProfileChoice {
  /** The profile name. */
  name: string;
  /** The flag, the variable, or `default` when nothing named one. */
  origin: ProfileOrigin;
}

/**
 * The profile named: the flag, else `AWS_PROFILE`, else
 * `AWS_DEFAULT_PROFILE` (the AWS CLI's order), else `default`.
 */
export function chooseProfile(
  flag: string | undefined,
  env: EnvLookup,
): ProfileChoice {
  if (flag !== undefined) return { name: flag, origin: "--profile" };
  for (const name of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] as const) {
    const value = nonEmpty(env(name))?.trim();
    if (value !== undefined) return { name: value, origin: name };
  }
  return { name: "default", origin: "default" };
}

/** The source profile: the flag, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else `default`. */
export function resolveSourceProfile(
  flag: string | undefined,
  env: EnvLookup,
): string {
  return chooseProfile(flag, env).name;
}

/** No MFA serial in the flags, the config or the environment. */
export class MissingSerialError extends UsageError {
  /** The profile whose config was asked. */
  readonly profile: string;

  /** Create the error for `profile`. */
  constructor(profile: string) {
    super(
      `Cannot find the MFA serial number: pass --serial-number, set mfa_serial in the config of ${
        shownProfile(profile)
      }, or set AWS_MFA_SERIAL.`,
    );
    this.name = "MissingSerialError";
    this.profile = profile;
  }
}

const SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/;

/**
 * Check an MFA serial number against the format STS accepts: 9 to 256
 * characters of `[\w+=/:,.@-]` (a virtual device ARN or a hardware serial).
 */
export function validateSerial(serial: string): string {
  if (!SERIAL_PATTERN.test(serial)) {
    throw new UsageError(
      `The MFA serial number "${serial}" is not valid: it must be 9 to 256 characters of letters, digits and +=/:,.@_- (for example arn:aws:iam::123456789012:mfa/alice).`,
    );
  }
  return serial;
}

/**
 * The MFA serial: the flag, else `mfa_serial` of the source profile in the
 * config file, else `AWS_MFA_SERIAL`. Validated.
 */
export function resolveSerial(
  flag: string | undefined,
  sourceProfile: string,
  sourceConfig: ProfileKeys | undefined,
  env: EnvLookup,
): string {
  const serial = flag ?? nonEmpty(sourceConfig?.["mfa_serial"]) ??
    nonEmpty(env("AWS_MFA_SERIAL"));
  if (serial === undefined) throw new MissingSerialError(sourceProfile);
  return validateSerial(serial.trim());
}

/** The partition's default region for an MFA device ARN, if it names one. */
export function partitionRegion(serial: string): string | undefined {
  if (serial.startsWith("arn:aws-cn:")) return "cn-north-1";
  if (serial.startsWith("arn:aws-us-gov:")) return "us-gov-west-1";
  return undefined;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The region for the STS call: flag, `AWS_REGION`, `AWS_DEFAULT_REGION`, the
 * source profile's `region`, the partition of the serial ARN, else us-east-1.
 */
export function resolveRegion(
  flag: string | undefined,
  env: EnvLookup,
  sourceConfig: ProfileKeys | undefined,
  serial: string,
): string {
  const region = flag ?? nonEmpty(env("AWS_REGION")) ??
    nonEmpty(env("AWS_DEFAULT_REGION")) ??
    nonEmpty(sourceConfig?.["region"]) ?? partitionRegion(serial) ??
    FALLBACK_REGION;
  const trimmed = region.trim();
  if (!REGION_PATTERN.test(trimmed)) {
    throw new UsageError(
      `The region "${trimmed}" is not a valid AWS region name (for example eu-west-1).`,
    );
  }
  return trimmed;
}

/** The regional STS endpoint of a region (China regions use `.amazonaws.com.cn`). */
export function regionalEndpoint(region: string): string {
  const suffix = region.startsWith("cn-")
    ? "amazonaws.com.cn"
    : "amazonaws.com";
  return `https://sts.${region}.${suffix}`;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === "true";
}

function checkedUrl(url: string, origin: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `The endpoint URL "${url}" from ${origin} is not a valid URL.`,
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new UsageError(
      `The endpoint URL "${url}" from ${origin} must start with https:// or http://.`,
    );
  }
  return url;
}

/**
 * The STS endpoint: `--endpoint-url`, else `AWS_ENDPOINT_URL_STS`, else
 * `AWS_ENDPOINT_URL`, else `endpoint_url` of the source profile (the last
 * three are ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else the
 * regional endpoint.
 */
export function resolveEndpoint(
  flag: string | undefined,
  env: EnvLookup,
  sourceConfig: ProfileKeys | undefined,
  region: string,
): string {
  if (flag !== undefined) return checkedUrl(flag, "--endpoint-url");
  if (!isTrue(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
    for (const name of ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]) {
      const value = nonEmpty(env(name));
      if (value !== undefined) return checkedUrl(value.trim(), name);
    }
    const configured = nonEmpty(sourceConfig?.["endpoint_url"]);
    if (configured !== undefined) {
      return checkedUrl(configured.trim(), "endpoint_url in the config file");
    }
  }
  return regionalEndpoint(region);
}

/** Long-term keys of a profile, or a sentence saying why there are none. */
export interface LongTermKeys {
  /** `aws_access_key_id` */
  accessKeyId: string;
  /** `aws_secret_access_key` */
  secretAccessKey: string;
}

/**
 * The long-term keys of the source profile, from its credentials section, else
 * from its config section (the AWS CLI reads keys from both). Refuses a profile
 * that holds temporary credentials: STS will not issue a session for those.
 */
export function sourceKeys(
  profile: string,
  credentials: ProfileKeys | undefined,
  config: ProfileKeys | undefined,
): LongTermKeys {
  const keys = credentials?.["aws_access_key_id"] !== undefined
    ? credentials
    : config?.["aws_access_key_id"] !== undefined
    ? config
    : undefined;
  if (keys === undefined) {
    if (credentials === undefined && config === undefined) {
      throw new LocalError(
        `Cannot read ${
          shownProfile(profile)
        }: it is in neither the credentials file nor the config file.`,
      );
    }
    throw new LocalError(
      `Cannot read profile "${profile}": no aws_access_key_id.`,
    );
  }
  const accessKeyId = keys["aws_access_key_id"].trim();
  const secretAccessKey = (keys["aws_secret_access_key"] ?? "").trim();
  if (secretAccessKey === "") {
    throw new LocalError(
      `Cannot read profile "${profile}": no aws_secret_access_key.`,
    );
  }
  if (
    nonEmpty(keys["aws_session_token"]) !== undefined ||
    nonEmpty(keys["aws_security_token"]) !== undefined ||
    accessKeyId.startsWith("ASIA")
  ) {
    throw new LocalError(
      `Profile "${profile}" holds temporary credentials (aws_session_token); STS issues MFA sessions only for long-term keys, so use the profile with your IAM user's access key.`,
    );
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * Refuse a target profile that is the source profile or that holds long-term
 * keys (a section with an access key but no session token): awsmfa never
 * overwrites those.
 */
export function checkTarget(
  target: string,
  source: string,
  targetCredentials: ProfileKeys | undefined,
): void {
  if (target === source) {
    throw new LocalError(
      `The target profile "${target}" is the source profile; pick another name with --mfa-profile-name.`,
    );
  }
  if (targetCredentials === undefined) return;
  const hasKey = targetCredentials["aws_access_key_id"] !== undefined ||
    targetCredentials["aws_secret_access_key"] !== undefined;
  const hasToken = nonEmpty(targetCredentials["aws_session_token"]) !==
      undefined ||
    nonEmpty(targetCredentials["aws_security_token"]) !== undefined;
  if (hasKey && !hasToken) {
    throw new LocalError(
      `Profile "${target}" in the credentials file holds long-term keys (no aws_session_token); awsmfa will not overwrite them, so pick another name with --mfa-profile-name.`,
    );
  }
}

/**
 * `profile "NAME"` for a message; a name that looks like an MFA code (a code
 * typed where the profile name goes) is not echoed back.
 */
export function shownProfile(name: string): string {
  return /^\s*\d{6}\s*$/.test(name)
    ? "the profile given (its name looks like an MFA code, so it is not shown; the code goes last, after the options)"
    : `profile "${name}"`;
}
