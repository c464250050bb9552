/**
 * The names of the OS keychain back-ends, as `--keychain` and
 * `AWSMFA_KEYCHAIN` take them. A leaf: the command line reads them without
 * loading a back-end.
 *
 * @module
 */

import { UsageError } from "../../shared/errors.ts";

/** The names of the back-ends, as `--keychain` and `AWSMFA_KEYCHAIN` take them. */
export const KEYCHAIN_NAMES = [
  "secret-service",
  "pass",
  "macos",
  "windows",
] as const;

/** One of {@linkcode KEYCHAIN_NAMES}. */
export type KeychainName = typeof KEYCHAIN_NAMES[number];

/** `text` as a keychain name, or a usage error naming `origin`. */
export function checkKeychainName(text: string, origin: string): KeychainName {
  const known = KEYCHAIN_NAMES.find((name) => name === text.trim());
  if (known === undefined) {
    throw new UsageError(
      `${origin} takes one of: ${KEYCHAIN_NAMES.join(", ")}.`,
    );
  }
  return known;
}
