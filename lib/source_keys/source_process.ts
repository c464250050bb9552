/**
 * Long-term keys from a `credential_process`: a source profile with no keys
 * in the credentials file but `credential_process = CMD` in its config
 * section (1Password's `op`, `pass`, `aws-vault export --no-session`, or
 * `awsmfa keys get`).
 *
 * The command runs like `mfa_process`: through `sh -c` (`cmd /d /s /c` on
 * Windows), stdin and stderr on the terminal, in a session and process
 * group of its own, bounded in time (then it is killed with what it
 * started, also what left its tree), stdout read up to a cap and never
 * shown.
 * Only the documented JSON is accepted: `Version` 1, `AccessKeyId`,
 * `SecretAccessKey`, no `SessionToken` and no `Expiration` in the past.
 * Anything else is one sentence and exit code 3, before anything is sent to
 * STS.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";
import {
  type EnvLookup,
  type LongTermKeys,
  type ProfileKeys,
  sourceKeys,
} from "../aws_files/settings.ts";
import {
  commandTimeoutMs,
  describeCommand,
  runShellCommand,
} from "../shared/shell.ts";

/** How long a source `credential_process` may run, unless `AWSMFA_CREDENTIAL_PROCESS_TIMEOUT` says otherwise. */
const DEFAULT_SOURCE_PROCESS_TIMEOUT_MS = 60_000;

/** Most bytes of its stdout read; the JSON of a key pair is about 150. */
const MAX_OUTPUT_BYTES = 65_536;

/** A source credential_process that failed, timed out or printed no usable keys (exit code 3). */
export class SourceProcessError extends LocalError {
  /** Create the error; the message never holds the command's output. */
  constructor(message: string) {
    super(message);
    this.name = "SourceProcessError";
  }
}

/** Where the source profile's long-term keys come from. */
export type KeyOrigin =
  | { kind: "file"; keys: LongTermKeys }
  | { kind: "process"; profile: string; command: string };

function hasKeys(section: ProfileKeys | undefined): boolean {
  return (section?.["aws_access_key_id"] ?? "").trim() !== "";
}

/**
 * The origin of the long-term keys of `profile`: its keys in the
 * credentials (or config) file, else the `credential_process` of its config
 * section. Throws what {@linkcode sourceKeys} throws when there is neither.
 */
export function keyOriginOf(
  profile: string,
  credentials: ProfileKeys | undefined,
  config: ProfileKeys | undefined,
): KeyOrigin {
  const command = config?.["credential_process"]?.trim();
  if (!hasKeys(credentials) && !hasKeys(config) && command) {
    return { kind: "process", profile, command };
  }
  return { kind: "file", keys: sourceKeys(profile, credentials, config) };
}

/**
 * The time allowed for a source credential_process:
 * `AWSMFA_CREDENTIAL_PROCESS_TIMEOUT` (seconds, more than 0, at most 600) or
 * 60 s.
 */
export function sourceProcessTimeoutMs(env: EnvLookup): number {
  return commandTimeoutMs(
    env,
    "AWSMFA_CREDENTIAL_PROCESS_TIMEOUT",
    DEFAULT_SOURCE_PROCESS_TIMEOUT_MS,
  );
}

function nameOf(profile: string, command: string): string {
  return `The credential_process "${
    describeCommand(command)
  }" of profile "${profile}"`;
}

/**
 * The long-term keys in a credential_process answer, or a sentence (without
 * any of the output) saying why it is not one.
 */
export function parseSourceProcessOutput(
  text: string,
  name: string,
  now: Date,
): LongTermKeys {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SourceProcessError(
      `${name} did not print credential_process JSON; its output is not shown.`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SourceProcessError(
      `${name} did not print a credential_process JSON object; its output is not shown.`,
    );
  }
  const doc = value as Record<string, unknown>;
  if (doc.Version !== 1) {
    throw new SourceProcessError(
      `${name} printed JSON without "Version": 1, the only credential_process version there is.`,
    );
  }
  const id = doc.AccessKeyId;
  const secret = doc.SecretAccessKey;
  if (typeof id !== "string" || !/^[A-Z0-9]{16,128}$/.test(id.trim())) {
    throw new SourceProcessError(
      `${name} printed no valid AccessKeyId; its output is not shown.`,
    );
  }
  if (typeof secret !== "string" || secret.trim() === "") {
    throw new SourceProcessError(
      `${name} printed no SecretAccessKey; its output is not shown.`,
    );
  }
  const token = doc.SessionToken;
  if (
    (token !== undefined && token !== null && token !== "") ||
    id.trim().startsWith("ASIA")
  ) {
    throw new SourceProcessError(
      `${name} printed temporary credentials (a SessionToken); awsmfa needs the IAM user's long-term keys (for aws-vault: export --no-session).`,
    );
  }
  if (doc.Expiration !== undefined && doc.Expiration !== null) {
    const at = typeof doc.Expiration === "string"
      ? Date.parse(doc.Expiration)
      : NaN;
    if (Number.isNaN(at)) {
      throw new SourceProcessError(
        `${name} printed an Expiration that is not a date.`,
      );
    }
    if (at <= now.getTime()) {
      throw new SourceProcessError(
        `${name} printed credentials whose Expiration has passed.`,
      );
    }
  }
  return { accessKeyId: id.trim(), secretAccessKey: secret.trim() };
}

/** How to run a source credential_process. */
export interface SourceProcessOptions {
  /** Time allowed, in ms. */
  timeoutMs: number;
  /** Run through `cmd /d /s /c` instead of `sh -c`. */
  windows: boolean;
  /** The current time (for `Expiration`). */
  now: Date;
}

/** Runs a source credential_process; the default is {@linkcode runSourceProcess}. */
export type SourceProcessRunner = (
  profile: string,
  command: string,
  options: SourceProcessOptions,
) => Promise<LongTermKeys>;

/**
 * Run the `credential_process` of `profile` and return the long-term keys
 * it printed. Throws {@linkcode SourceProcessError} (exit code 3) when it
 * cannot start, fails, is ended by a signal, times out (it is killed), prints
 * more than 64 KiB or anything but the JSON of long-term keys.
 */
export async function runSourceProcess(
  profile: string,
  command: string,
  options: SourceProcessOptions,
): Promise<LongTermKeys> {
  const name = nameOf(profile, command);
  const stdout = await runShellCommand(command, {
    name,
    timeoutMs: options.timeoutMs,
    windows: options.windows,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    tooMuch: `printed more than ${MAX_OUTPUT_BYTES} bytes`,
    fail: (message) => new SourceProcessError(message),
  });
  return parseSourceProcessOutput(
    new TextDecoder().decode(stdout),
    name,
    options.now,
  );
}

/** What {@linkcode longTermKeys} needs from the world. */
export interface SourceKeysIO {
  /** Environment lookup (the timeout). */
  env: EnvLookup;
  /** The current time. */
  now(): Date;
  /** Whether this is Windows; default: Deno.build.os. */
  windows?: boolean;
  /** Runs the credential_process; defaults to {@linkcode runSourceProcess}. */
  runSourceProcess?: SourceProcessRunner;
}

/** The long-term keys of a {@linkcode KeyOrigin}: as read, or from its command now. */
export async function longTermKeys(
  origin: KeyOrigin,
  io: SourceKeysIO,
): Promise<LongTermKeys> {
  if (origin.kind === "file") return origin.keys;
  return await (io.runSourceProcess ?? runSourceProcess)(
    origin.profile,
    origin.command,
    {
      timeoutMs: sourceProcessTimeoutMs(io.env),
      windows: io.windows ?? Deno.build.os === "windows",
      now: io.now(),
    },
  );
}
