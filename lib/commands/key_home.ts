/**
 * Where a profile's long-term keys live, for `awsmfa rotate`: the
 * credentials file, or awsmfa's keychain item (what `awsmfa keys import`
 * made, read by `credential_process = awsmfa keys get`), and how to put a
 * new key there in place of the old one.
 *
 * @module
 */

import { serializeIni } from "../aws_files/document.ts";
import { setKeys } from "../aws_files/edit.ts";
import { profileSection } from "../aws_files/profile_section.ts";
import {
  type EnvLookup,
  type LongTermKeys,
  sourceKeys,
} from "../aws_files/settings.ts";
import { readText } from "../files/read.ts";
import { updateFile } from "../files/update.ts";
import { checkWritable } from "../files/writable.ts";
import type {
  Keychain,
  KeychainName,
  ToolRunner,
} from "../source_keys/keychain/keychain.ts";
import { checkKeychainName } from "../source_keys/keychain/keychain.ts";
import { chooseKeychain } from "../source_keys/keychain/select.ts";
import { LocalError } from "../shared/errors.ts";
import {
  keychainSecret,
  parseKeychainSecret,
  pointsAt,
} from "../source_keys/keychain/item.ts";
import { type LoadedFile, loadFile } from "../sessions/loaded_file.ts";

/** Where the long-term keys live, and how to put new ones there. */
export interface KeyHome {
  /** For messages. */
  describe: string;
  /** The key there now. */
  current: LongTermKeys;
  /** Checks that a write can happen (before a code is spent). */
  check(): Promise<void>;
  /** Replace `old` with `next`; refuses when the home no longer holds `old`. */
  store(old: LongTermKeys, next: LongTermKeys): Promise<void>;
  /** Whether the home holds the key `id` now (false when it cannot tell). */
  holds(id: string): Promise<boolean>;
}

function fileHome(
  path: string,
  file: LoadedFile,
  profile: string,
  current: LongTermKeys,
): KeyHome {
  const edit = (loaded: LoadedFile, keys: LongTermKeys) =>
    serializeIni(
      setKeys(loaded.doc, profileSection(profile, "credentials"), {
        aws_access_key_id: keys.accessKeyId,
        aws_secret_access_key: keys.secretAccessKey,
      }),
    );
  return {
    describe: path,
    current,
    async check() {
      edit(file, current);
      await checkWritable(path);
    },
    async store(old, next) {
      await updateFile(path, (text) => {
        const now = loadFile(text, path, "credentials", file);
        const id = (now.profiles.get(profile)?.["aws_access_key_id"] ?? "")
          .trim();
        if (id === next.accessKeyId) return null;
        if (id !== old.accessKeyId) {
          throw new LocalError(
            `The key of profile "${profile}" in ${path} changed during the rotation; it was left as it is.`,
          );
        }
        return edit(now, next);
      });
    },
    async holds(id) {
      try {
        const now = loadFile(await readText(path), path, "credentials", file);
        return (now.profiles.get(profile)?.["aws_access_key_id"] ?? "")
          .trim() === id;
      } catch {
        return false;
      }
    },
  };
}

function keychainHome(
  keychain: Keychain,
  profile: string,
  current: LongTermKeys,
  now: () => Date,
): KeyHome {
  return {
    describe: keychain.label,
    current,
    async check() {},
    async store(old, next) {
      const text = await keychain.read(profile);
      const there = text === undefined
        ? undefined
        : parseKeychainSecret(text, profile, keychain, now());
      if (there?.accessKeyId !== next.accessKeyId) {
        if (there?.accessKeyId !== old.accessKeyId) {
          throw new LocalError(
            `The key of profile "${profile}" in ${keychain.label} changed during the rotation; it was left as it is.`,
          );
        }
        await keychain.write(profile, keychainSecret(next));
      }
      const back = await keychain.read(profile);
      if (back?.trim() !== keychainSecret(next)) {
        throw new LocalError(
          `${keychain.label} did not give back the new key of profile "${profile}" after storing it.`,
        );
      }
    },
    async holds(id) {
      try {
        const text = await keychain.read(profile);
        return text !== undefined &&
          parseKeychainSecret(text, profile, keychain, now()).accessKeyId ===
            id;
      } catch {
        return false;
      }
    },
  };
}

/** The `--keychain NAME` of an `awsmfa keys get` command line, if any. */
function keychainOfCommand(command: string): KeychainName | undefined {
  const words = command.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "--keychain" && words[i + 1] !== undefined) {
      return checkKeychainName(
        words[i + 1],
        "--keychain in credential_process",
      );
    }
    if (words[i].startsWith("--keychain=")) {
      return checkKeychainName(
        words[i].slice("--keychain=".length),
        "--keychain in credential_process",
      );
    }
  }
  return undefined;
}

/** What {@linkcode keyHomeOf} needs to reach a keychain. */
export interface KeyHomeIO {
  /** Environment lookup. */
  env: EnvLookup;
  /** The current time. */
  now(): Date;
  /** Runs the keychain tools; default: lib/shared/spawn.ts. */
  runKeychainTool?: ToolRunner;
  /** The platform for the automatic keychain choice. */
  os?: string;
}

/**
 * The home of `profile`'s long-term keys: the credentials file when its
 * section holds them, else the keychain its `credential_process` reads
 * with `awsmfa keys get`.
 *
 * @throws {LocalError} when they live anywhere else, or the keychain holds
 * no item for the profile.
 */
export async function keyHomeOf(
  profile: string,
  credentialsPath: string,
  credentials: LoadedFile,
  config: LoadedFile,
  io: KeyHomeIO,
): Promise<KeyHome> {
  const section = credentials.profiles.get(profile);
  if ((section?.["aws_access_key_id"] ?? "").trim() !== "") {
    return fileHome(
      credentialsPath,
      credentials,
      profile,
      sourceKeys(profile, section, undefined),
    );
  }
  const command = config.profiles.get(profile)?.["credential_process"] ?? "";
  if (pointsAt(command, profile)) {
    const { keychain } = await chooseKeychain(
      keychainOfCommand(command),
      io.env,
      io.os,
      io.runKeychainTool,
    );
    const text = await keychain.read(profile);
    if (text === undefined) {
      throw new LocalError(
        `${keychain.label} holds no keys for profile "${profile}", which its credential_process reads; nothing to rotate.`,
      );
    }
    return keychainHome(
      keychain,
      profile,
      parseKeychainSecret(text, profile, keychain, io.now()),
      io.now,
    );
  }
  throw new LocalError(
    `awsmfa rotate writes the new key where the old one lives, and can do that for keys in ${credentialsPath} or in awsmfa's keychain (awsmfa keys import), not for profile "${profile}".`,
  );
}
