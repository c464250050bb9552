/**
 * What awsmfa keeps in a keychain item for a source profile (the
 * `credential_process` JSON of its long-term keys, as `awsmfa keys get`
 * prints it), and the `credential_process` line that reads it back.
 *
 * @module
 */

import type { LongTermKeys } from "../../aws_files/settings.ts";
import { parseSourceProcessOutput } from "../source_process.ts";
import type { Keychain, KeychainName } from "./keychain.ts";

/** The keychain item of a key pair: the credential_process JSON, as `keys get` prints it. */
export function keychainSecret(keys: LongTermKeys): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: keys.accessKeyId,
    SecretAccessKey: keys.secretAccessKey,
  });
}

/** The keys in a keychain item, checked like a credential_process answer. */
export function parseKeychainSecret(
  text: string,
  profile: string,
  keychain: Keychain,
  now: Date,
): LongTermKeys {
  return parseSourceProcessOutput(
    text,
    `The item of profile "${profile}" in ${keychain.label}`,
    now,
  );
}

/** The `credential_process` line `keys import` writes. */
export function keysGetCommand(
  profile: string,
  keychain: KeychainName | undefined,
): string {
  return `awsmfa keys get --profile ${profile}${
    keychain === undefined ? "" : ` --keychain ${keychain}`
  }`;
}

/** Whether a `credential_process` value runs `awsmfa keys get` for `profile`. */
export function pointsAt(command: string, profile: string): boolean {
  const words = command.trim().split(/\s+/);
  const at = words.indexOf("keys");
  if (at < 0 || words[at + 1] !== "get") return false;
  for (let i = at + 2; i < words.length; i++) {
    if (words[i] === "--profile" && words[i + 1] === profile) return true;
    if (words[i] === `--profile=${profile}`) return true;
  }
  return false;
}
