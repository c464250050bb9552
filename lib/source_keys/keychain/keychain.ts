/**
 * What every OS keychain back-end does for `awsmfa keys`: keep one secret
 * (the credential_process JSON of a profile's long-term keys) per profile
 * name, under the service name `awsmfa`, through the platform's own tool.
 *
 * A back-end never puts the secret on a command line or in the environment
 * of the tool it runs: the secret goes through the tool's stdin, and comes
 * back on its stdout, which is never shown.
 *
 * @module
 */

import { LocalError } from "../../shared/errors.ts";
import {
  spawnBounded,
  type SpawnResult,
  type SpawnSpec,
} from "../../shared/spawn.ts";
import { shownProfile } from "../../aws_files/settings.ts";
import type { KeychainName } from "./names.ts";

export { checkKeychainName, type KeychainName } from "./names.ts";

/** The service (or folder) name awsmfa's items live under. */
export const KEYCHAIN_SERVICE = "awsmfa";

/** Runs a tool, bounded; tests inject one. */
export type ToolRunner = (spec: SpawnSpec) => Promise<SpawnResult>;

/** One OS store of secrets. */
export interface Keychain {
  /** Its name. */
  readonly name: KeychainName;
  /** For messages: `the Secret Service (secret-tool)`. */
  readonly label: string;
  /** Whether its tool is there and the store can be used now. */
  available(): Promise<boolean>;
  /** Store `secret` for `profile`, replacing what was there. */
  write(profile: string, secret: string): Promise<void>;
  /** The secret stored for `profile`, or undefined when there is none. */
  read(profile: string): Promise<string | undefined>;
  /** Delete the item of `profile`; false when there was none. */
  remove(profile: string): Promise<boolean>;
  /** The profiles that have an item. */
  list(): Promise<string[]>;
}

/** A keychain tool that failed (exit code 3); the message holds none of its output. */
export class KeychainError extends LocalError {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "KeychainError";
  }
}

/** How long one keychain tool call may take (an unlock prompt may be on screen). */
const KEYCHAIN_TIMEOUT_MS = 60_000;

/** Most bytes read from a keychain tool. */
const KEYCHAIN_MAX_OUTPUT = 1_048_576;

/** Profile names awsmfa stores: the same characters as target profiles. */
export const STORED_PROFILE = /^[A-Za-z0-9_.@+=,-]{1,128}$/;

/**
 * Refuse a profile name awsmfa cannot store under, or put into the
 * `credential_process = awsmfa keys get --profile NAME` line a shell runs,
 * or use as a file name: before anything is read or changed.
 */
export function checkStoredProfile(profile: string): void {
  if (STORED_PROFILE.test(profile)) return;
  throw new LocalError(
    `The ${
      shownProfile(profile)
    } has characters awsmfa keys and rotate cannot use (a shell runs the credential_process line); they take names of letters, digits and _.@+=,- only.`,
  );
}

/** A finished tool call: its exit code and stdout; throws for the rest. */
export async function runTool(
  runner: ToolRunner,
  label: string,
  spec: Omit<SpawnSpec, "timeoutMs" | "maxOutputBytes">,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await runner({
    timeoutMs: KEYCHAIN_TIMEOUT_MS,
    maxOutputBytes: KEYCHAIN_MAX_OUTPUT,
    ...spec,
  });
  switch (result.kind) {
    case "notStarted":
      throw new KeychainError(
        `Cannot use ${label}: ${result.reason}.`,
      );
    case "timeout":
      throw new KeychainError(
        `${label} did not answer within ${
          KEYCHAIN_TIMEOUT_MS / 1000
        } seconds, so it was stopped.`,
      );
    case "overflow":
      throw new KeychainError(
        `${label} printed more than ${KEYCHAIN_MAX_OUTPUT} bytes.`,
      );
  }
  if (result.signal !== null) {
    throw new KeychainError(`${label} was ended by ${result.signal}.`);
  }
  const decoder = new TextDecoder();
  return {
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  };
}

/** The default runner. */
export const defaultToolRunner: ToolRunner = spawnBounded;
