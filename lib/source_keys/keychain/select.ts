/**
 * Which OS keychain `awsmfa keys` uses: `--keychain`, else
 * `AWSMFA_KEYCHAIN`, else the platform's own (macOS: the keychain; Windows:
 * the Credential Manager; elsewhere the Secret Service when it answers, else
 * `pass` when its store is set up).
 *
 * @module
 */

import { LocalError } from "../../shared/errors.ts";
import type { EnvLookup } from "../../aws_files/settings.ts";
import {
  checkKeychainName,
  defaultToolRunner,
  type Keychain,
  type KeychainName,
  type ToolRunner,
} from "./keychain.ts";
import { macosKeychain } from "./macos.ts";
import { passKeychain } from "./pass.ts";
import { secretServiceKeychain } from "./secret_service.ts";
import { windowsKeychain } from "./windows.ts";

/** The back-end of `name`. */
export function keychainNamed(
  name: KeychainName,
  runner: ToolRunner = defaultToolRunner,
): Keychain {
  switch (name) {
    case "secret-service":
      return secretServiceKeychain(runner);
    case "pass":
      return passKeychain(runner);
    case "macos":
      return macosKeychain(runner);
    case "windows":
      return windowsKeychain(runner);
  }
}

/** The keychain chosen, and whether the user named it. */
export interface ChosenKeychain {
  /** The back-end. */
  keychain: Keychain;
  /** True when `--keychain` or `AWSMFA_KEYCHAIN` named it. */
  explicit: boolean;
}

/**
 * The keychain to use; throws {@linkcode LocalError} with one sentence when
 * the one named, or every automatic choice, is not available.
 */
export async function chooseKeychain(
  flag: KeychainName | undefined,
  env: EnvLookup,
  os: string = Deno.build.os,
  runner: ToolRunner = defaultToolRunner,
): Promise<ChosenKeychain> {
  const named = namedKeychain(flag, env, runner);
  if (named !== undefined) {
    await checkAvailable(named);
    return { keychain: named.keychain, explicit: true };
  }
  const candidates: KeychainName[] = os === "darwin"
    ? ["macos"]
    : os === "windows"
    ? ["windows"]
    : ["secret-service", "pass"];
  for (const name of candidates) {
    const keychain = keychainNamed(name, runner);
    if (await keychain.available()) return { keychain, explicit: false };
  }
  throw new LocalError(
    `No OS keychain is available: ${
      candidates.map(hint).join(" Or ")
    } Or pick one with --keychain or AWSMFA_KEYCHAIN.`,
  );
}

/** A back-end the user named, and where they named it. */
export interface NamedKeychain {
  /** The back-end, not probed yet. */
  keychain: Keychain;
  /** `--keychain` or `AWSMFA_KEYCHAIN`. */
  via: "--keychain" | "AWSMFA_KEYCHAIN";
}

/**
 * The back-end `--keychain` (`flag`), else `AWSMFA_KEYCHAIN`, names, without
 * probing it; undefined when neither names one.
 */
export function namedKeychain(
  flag: KeychainName | undefined,
  env: EnvLookup,
  runner: ToolRunner = defaultToolRunner,
): NamedKeychain | undefined {
  if (flag !== undefined) {
    return { keychain: keychainNamed(flag, runner), via: "--keychain" };
  }
  const fromEnv = (env("AWSMFA_KEYCHAIN") ?? "").trim();
  if (fromEnv === "") return undefined;
  return {
    keychain: keychainNamed(
      checkKeychainName(fromEnv, "AWSMFA_KEYCHAIN"),
      runner,
    ),
    via: "AWSMFA_KEYCHAIN",
  };
}

/**
 * Refuse a named back-end that cannot be used here.
 *
 * @throws {LocalError} naming it and what it needs.
 */
export async function checkAvailable(named: NamedKeychain): Promise<void> {
  if (await named.keychain.available()) return;
  const name = named.keychain.name;
  throw new LocalError(
    `The keychain "${name}" (${named.via}) is not available here: ${
      hint(name)
    }`,
  );
}

function hint(name: KeychainName): string {
  switch (name) {
    case "secret-service":
      return "the Secret Service needs secret-tool (Debian/Ubuntu: libsecret-tools) and a running, unlocked keyring (GNOME Keyring, KWallet, KeePassXC).";
    case "pass":
      return 'pass needs to be installed and set up with "pass init GPG-ID".';
    case "macos":
      return "the macOS keychain needs /usr/bin/security.";
    case "windows":
      return "the Windows Credential Manager needs powershell.exe.";
  }
}
