/**
 * The two AWS files as one run reads them: the text, the lossless document,
 * and the profiles the AWS CLI sees; a file the AWS CLI cannot read stops
 * the run with one sentence.
 *
 * @module
 */

import { AwsmfaError, LocalError } from "../shared/errors.ts";
import { type IniDocument, parseIni } from "../aws_files/document.ts";
import { readProfiles } from "../aws_files/botocore.ts";
import type { AwsPaths, ProfileKeys } from "../aws_files/settings.ts";
import { readText } from "../files/read.ts";

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
export interface LoadedFile {
  /** The text; null when the file does not exist. */
  text: string | null;
  /** The lines. */
  doc: IniDocument;
  /** Profiles with botocore's meaning. */
  profiles: Map<string, ProfileKeys>;
}

/**
 * Parse `text`; when it is the text of `known` (the file did not change
 * between the first read and the lock), reuse that parse. Throws
 * {@linkcode LocalError} for a file the AWS CLI cannot read.
 */
export function loadFile(
  text: string | null,
  path: string,
  file: "credentials" | "config",
  known?: LoadedFile,
): LoadedFile {
  if (known !== undefined && known.text === text) return known;
  const doc = parseIni(text ?? "");
  return { text, doc, profiles: profilesOf(doc, file, path) };
}

/** Read and parse one of the AWS files. */
export async function readFile(
  path: string,
  file: "credentials" | "config",
): Promise<LoadedFile> {
  return loadFile(await readText(path), path, file);
}

/** Both AWS files as read and parsed, credentials first. */
export interface LoadedPair {
  /** The credentials file. */
  credentialsFile: LoadedFile;
  /** The config file. */
  configFile: LoadedFile;
}

/** Read and parse the credentials file, then the config file, at `paths`. */
export async function readFilePair(paths: AwsPaths): Promise<LoadedPair> {
  const credentialsFile = await readFile(paths.credentialsFile, "credentials");
  const configFile = await readFile(paths.configFile, "config");
  return { credentialsFile, configFile };
}
