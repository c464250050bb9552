/**
 * `awsmfa keys import|get|remove|list`: a source profile's long-term keys in
 * the OS keychain (lib/source_keys/keychain/) instead of plaintext in the credentials
 * file.
 *
 * `keys import --profile work` moves them there and leaves the profile
 * working: it writes the keychain item, reads it back and compares, and only
 * then edits the files, each atomically under its lock: the config file's
 * `[profile work]` gains `credential_process = awsmfa keys get --profile
 * work` first (while the keys are still in the credentials file, which the
 * AWS CLI and awsmfa prefer), then the credentials section loses exactly
 * `aws_access_key_id` and `aws_secret_access_key` (and goes when nothing else
 * is left in it). Any failure puts back what was changed: the files
 * byte-identical, the keychain item removed when this run made it.
 *
 * @module
 */

import type { KeysOptions } from "../cli/options.ts";
import { AwsmfaError, ExitCode, LocalError } from "../shared/errors.ts";
import { sectionRanges, serializeIni } from "../aws_files/document.ts";
import { setKeys } from "../aws_files/edit.ts";
import { profileSection } from "../aws_files/profile_section.ts";
import { removeSection } from "../aws_files/remove_section.ts";
import type { ToolRunner } from "../source_keys/keychain/keychain.ts";
import { checkStoredProfile } from "../source_keys/keychain/keychain.ts";
import {
  keychainSecret,
  keysGetCommand,
  parseKeychainSecret,
  pointsAt,
} from "../source_keys/keychain/item.ts";
import {
  checkAvailable,
  chooseKeychain,
  namedKeychain,
} from "../source_keys/keychain/select.ts";
import { maskKeyId } from "../source_keys/key_age.ts";
import {
  type LoadedFile,
  loadFile,
  readFile,
  readFilePair,
} from "../sessions/loaded_file.ts";
import { rollBack } from "../sessions/file_pair.ts";
import {
  type EnvLookup,
  resolvePaths,
  resolveSourceProfile,
  sourceKeys,
} from "../aws_files/settings.ts";
import { updateFile } from "../files/update.ts";
import { checkWritable } from "../files/writable.ts";

/** What `awsmfa keys` reads from or writes to the world. */
export interface KeysIO {
  /** Environment lookup. */
  env: EnvLookup;
  /** The current time. */
  now(): Date;
  /** Write text to stdout. */
  stdout(text: string): void;
  /** Write text to stderr. */
  stderr(text: string): void;
  /** Runs the keychain tools; default: lib/spawn.ts. */
  runKeychainTool?: ToolRunner;
  /** The platform (`Deno.build.os`) for the automatic choice. */
  os?: string;
}

const KEY_NAMES = ["aws_access_key_id", "aws_secret_access_key"];

/**
 * The credentials text without the long-term keys of `profile`. The section
 * goes when nothing but blank lines is left in it; comments after a blank
 * line at its end lead the next section (as `awsmfa clear` sees them) and
 * stay.
 */
export function withoutKeys(file: LoadedFile, profile: string): string {
  const section = profileSection(profile, "credentials");
  const edited = setKeys(file.doc, section, {}, KEY_NAMES);
  const ranges = sectionRanges(edited.lines, section);
  if (ranges.length !== 1) return serializeIni(edited);
  const [header, end] = ranges[0];
  const body = edited.lines.slice(header + 1, end);
  const first = body.findIndex((line) => line.kind !== "blank");
  if (first < 0) return serializeIni(removeSection(edited, section));
  const leading = body.slice(first).every((line) =>
    line.kind === "comment" || line.kind === "blank"
  );
  if (first === 0 || !leading || end === edited.lines.length) {
    return serializeIni(edited);
  }
  // Drop the header and the blank lines after it but the one before the comments.
  const lines = [...edited.lines];
  lines.splice(header, first);
  return serializeIni({ ...edited, lines });
}

/** The config text with `credential_process` in `[profile P]`. */
function withProcess(file: LoadedFile, profile: string, command: string) {
  return serializeIni(
    setKeys(file.doc, profileSection(profile, "config"), {
      credential_process: command,
    }),
  );
}

async function importKeys(
  options: KeysOptions,
  profile: string,
  io: KeysIO,
): Promise<number> {
  const paths = resolvePaths(io.env);
  const { credentialsFile, configFile } = await readFilePair(paths);
  const section = credentialsFile.profiles.get(profile);
  if (section?.["aws_access_key_id"] === undefined) {
    throw new LocalError(
      `Profile "${profile}" has no long-term keys in ${paths.credentialsFile} to import.`,
    );
  }
  const keys = sourceKeys(profile, section, undefined);
  const existing = configFile.profiles.get(profile)?.["credential_process"];
  if (existing !== undefined && existing.trim() !== "") {
    throw new LocalError(
      `Profile "${profile}" already has a credential_process in ${paths.configFile}; remove it first, or keep the keys where they are.`,
    );
  }
  const { keychain, explicit } = await chooseKeychain(
    options.keychain,
    io.env,
    io.os,
    io.runKeychainTool,
  );
  const command = keysGetCommand(
    profile,
    explicit ? keychain.name : undefined,
  );
  // Everything the editor could refuse, before the keychain is touched.
  withoutKeys(credentialsFile, profile);
  withProcess(configFile, profile, command);
  await checkWritable(paths.credentialsFile);
  await checkWritable(paths.configFile);

  const secret = keychainSecret(keys);
  const before = await keychain.read(profile);
  if (before !== undefined) {
    const stored = parseKeychainSecret(before, profile, keychain, io.now());
    if (
      stored.accessKeyId !== keys.accessKeyId ||
      stored.secretAccessKey !== keys.secretAccessKey
    ) {
      throw new LocalError(
        `${keychain.label} already holds other keys (${
          maskKeyId(stored.accessKeyId)
        }) for profile "${profile}"; run "awsmfa keys remove --profile ${profile} --force" first if they are no longer needed.`,
      );
    }
  }
  const made = before === undefined;
  try {
    if (made) await keychain.write(profile, secret);
    const back = await keychain.read(profile);
    if (back === undefined || back.trim() !== secret) {
      throw new LocalError(
        `${keychain.label} did not give back the keys of profile "${profile}" that were just stored, so ${paths.credentialsFile} was not changed.`,
      );
    }
    const config = await updateFile(paths.configFile, (current) => {
      const now = loadFile(current, paths.configFile, "config", configFile);
      if ((now.profiles.get(profile)?.["credential_process"] ?? "") !== "") {
        throw new LocalError(
          `Profile "${profile}" got a credential_process in ${paths.configFile} meanwhile; nothing was changed.`,
        );
      }
      return withProcess(now, profile, command);
    });
    try {
      await updateFile(paths.credentialsFile, (current) => {
        const now = loadFile(
          current,
          paths.credentialsFile,
          "credentials",
          credentialsFile,
        );
        const still = now.profiles.get(profile);
        if (
          (still?.["aws_access_key_id"] ?? "").trim() !== keys.accessKeyId ||
          (still?.["aws_secret_access_key"] ?? "").trim() !==
            keys.secretAccessKey
        ) {
          throw new LocalError(
            `The keys of profile "${profile}" in ${paths.credentialsFile} changed meanwhile; nothing was changed.`,
          );
        }
        return withoutKeys(now, profile);
      });
    } catch (error) {
      await rollBack(config);
      throw error;
    }
  } catch (error) {
    if (made) await keychain.remove(profile).catch(() => undefined);
    throw error;
  }
  if (!options.quiet) {
    io.stderr(
      `Moved the keys of profile "${profile}" (${
        maskKeyId(keys.accessKeyId)
      }) from ${paths.credentialsFile} to ${keychain.label}; [profile ${profile}] in ${paths.configFile} now reads them with: ${command}\n`,
    );
  }
  return ExitCode.Ok;
}

async function getKeys(
  options: KeysOptions,
  profile: string,
  io: KeysIO,
): Promise<number> {
  // A named back-end is read at once (this runs on every AWS call through
  // credential_process); only when that fails is it probed, so that one
  // that cannot be used here still says so.
  const named = namedKeychain(options.keychain, io.env, io.runKeychainTool);
  const keychain = named?.keychain ?? (await chooseKeychain(
    undefined,
    io.env,
    io.os,
    io.runKeychainTool,
  )).keychain;
  let text: string | undefined;
  try {
    text = await keychain.read(profile);
  } catch (error) {
    if (named !== undefined) await checkAvailable(named);
    throw error;
  }
  if (text === undefined) {
    if (named !== undefined) await checkAvailable(named);
    throw new LocalError(
      `${keychain.label} holds no keys for profile "${profile}"; store them with "awsmfa keys import --profile ${profile}".`,
    );
  }
  io.stdout(
    keychainSecret(parseKeychainSecret(text, profile, keychain, io.now())) +
      "\n",
  );
  return ExitCode.Ok;
}

async function removeKeys(
  options: KeysOptions,
  profile: string,
  io: KeysIO,
): Promise<number> {
  const paths = resolvePaths(io.env);
  const configFile = await readFile(paths.configFile, "config");
  const users = [...configFile.profiles].filter(([, keys]) =>
    pointsAt(keys["credential_process"] ?? "", profile)
  ).map(([name]) => name);
  if (users.length > 0 && !options.force) {
    throw new LocalError(
      `Profile ${
        users.map((name) => `"${name}"`).join(", ")
      } in ${paths.configFile} still reads these keys with awsmfa keys get; change its credential_process first, or pass --force.`,
    );
  }
  const { keychain } = await chooseKeychain(
    options.keychain,
    io.env,
    io.os,
    io.runKeychainTool,
  );
  const removed = await keychain.remove(profile);
  if (!removed) {
    throw new LocalError(
      `${keychain.label} holds no keys for profile "${profile}"; nothing was removed.`,
    );
  }
  if (!options.quiet) {
    io.stderr(
      `Removed the keys of profile "${profile}" from ${keychain.label}.\n`,
    );
  }
  return ExitCode.Ok;
}

async function listKeys(options: KeysOptions, io: KeysIO): Promise<number> {
  const { keychain } = await chooseKeychain(
    options.keychain,
    io.env,
    io.os,
    io.runKeychainTool,
  );
  const rows: [string, string][] = [];
  for (const profile of await keychain.list()) {
    const text = await keychain.read(profile);
    if (text === undefined) continue;
    let id: string;
    try {
      id = maskKeyId(
        parseKeychainSecret(text, profile, keychain, io.now()).accessKeyId,
      );
    } catch (error) {
      if (!(error instanceof AwsmfaError)) throw error;
      id = "(unreadable)";
    }
    rows.push([profile, id]);
  }
  if (rows.length === 0) {
    io.stderr(`No awsmfa keys in ${keychain.label}.\n`);
    return ExitCode.Ok;
  }
  const width = Math.max(7, ...rows.map(([name]) => name.length)) + 2;
  io.stdout(
    [
      `${"PROFILE".padEnd(width)}ACCESS KEY`,
      ...rows.map(([name, id]) => `${name.padEnd(width)}${id}`),
    ].join("\n") + "\n",
  );
  if (!options.quiet) io.stderr(`In ${keychain.label}.\n`);
  return ExitCode.Ok;
}

/** Run `awsmfa keys ACTION`; resolves to the exit code. */
export async function keysCommand(
  options: KeysOptions,
  io: KeysIO,
): Promise<number> {
  const profile = resolveSourceProfile(options.profile, io.env);
  if (options.action !== "list") checkStoredProfile(profile);
  switch (options.action) {
    case "import":
      return await importKeys(options, profile, io);
    case "get":
      return await getKeys(options, profile, io);
    case "remove":
      return await removeKeys(options, profile, io);
    case "list":
      return await listKeys(options, io);
  }
}
