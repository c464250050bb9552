/**
 * The repair of a pair left half-written by a run killed between its two
 * writes: the target's credentials section is there and valid, its config
 * section is not.
 *
 * @module
 */

import { LocalError, sentence } from "../shared/errors.ts";
import type { AwsPaths, ProfileKeys } from "../aws_files/settings.ts";
import type { StoreFs } from "../files/fs.ts";
import { updateFile, type UpdateResult } from "../files/update.ts";
import { type LoadedFile, loadFile } from "./loaded_file.ts";
import { editConfig } from "./target_edit.ts";

/**
 * Repair a pair left half-written by a run killed between its two writes:
 * the target's credentials section is there and valid, its config section
 * is not. Adds `[profile TARGET]` as a full write would have.
 */
export async function repairConfig(
  paths: AwsPaths,
  target: string,
  configFile: LoadedFile,
  sourceConfig: ProfileKeys | undefined,
  io: { stderr(text: string): void; storeFs?: StoreFs },
): Promise<void> {
  if (configFile.profiles.has(target)) return;
  let result: UpdateResult;
  try {
    result = await updateFile(
      paths.configFile,
      (current) =>
        editConfig(
          loadFile(current, paths.configFile, "config", configFile),
          target,
          sourceConfig,
        ),
      {
        note: (message) => io.stderr(`awsmfa: note: ${message}\n`),
        ...(io.storeFs ? { fs: io.storeFs } : {}),
      },
    );
  } catch (error) {
    if (!(error instanceof LocalError)) throw error;
    io.stderr(
      `awsmfa: warning: [profile ${target}] is missing from ${paths.configFile} and cannot be added: ${
        sentence(error)
      }\n`,
    );
    return;
  }
  if (result.after !== null) {
    io.stderr(
      `awsmfa: note: added the missing [profile ${target}] to ${paths.configFile} (an earlier run stopped between writing the two files).\n`,
    );
  }
}
