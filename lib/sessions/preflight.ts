/**
 * The checks of a write before any code is spent: the target profile is
 * awsmfa's to write (credentials and config), both edits go through on
 * stand-in values, and each file can be replaced. A run that fails here
 * has asked for no code and changed nothing.
 *
 * @module
 */

import { sessionSection } from "../aws_files/session.ts";
import { type AwsPaths, checkTarget } from "../aws_files/settings.ts";
import { checkWritable } from "../files/writable.ts";
import type { LoadedFile } from "./loaded_file.ts";
import type { Replaced } from "./replace.ts";
import type { SessionSubject } from "./role.ts";
import {
  checkTargetConfig,
  editConfig,
  editCredentials,
} from "./target_edit.ts";

/** The target profile and the two files as read. */
export interface TargetFiles {
  /** Where the files are. */
  paths: AwsPaths;
  /** The target profile. */
  target: string;
  /** The credentials file as read. */
  credentialsFile: LoadedFile;
  /** The config file as read. */
  configFile: LoadedFile;
}

/**
 * Check that the session of `subject` can be written to the target profile
 * of `files`, replacing `replaced`; throws the error the write would meet.
 */
export async function preflight(
  files: TargetFiles,
  subject: SessionSubject,
  replaced: Replaced | undefined,
  now: Date,
): Promise<void> {
  const { paths, target, credentialsFile, configFile } = files;
  const { source, serial } = subject;
  checkTarget(target, source, credentialsFile.profiles.get(target));
  checkTargetConfig(target, configFile.profiles.get(target));
  // Try both edits now with stand-in values, so anything the editor
  // refuses (a profile name, a value) stops the run before the code is
  // spent.
  const preview = sessionSection(
    {
      accessKeyId: "ASIAPREVIEWPREVIEW00",
      secretAccessKey: "preview",
      sessionToken: "preview",
      expiration: now,
    },
    source,
    serial,
    subject.role?.roleArn,
  );
  editCredentials(credentialsFile, target, source, preview, configFile);
  editConfig(configFile, target, subject.config, replaced);
  await checkWritable(paths.credentialsFile);
  await checkWritable(paths.configFile);
}
