/**
 * `awsmfa clear [PROFILE…] [--all]`: take back what awsmfa wrote, and
 * nothing else. The plan (which sections, which keys) is
 * lib/commands/clear_plan.ts's; this module reads both files, plans once to
 * refuse before anything changes, then takes both locks and plans again from
 * what it reads under them, writes the config file, then the credentials
 * file (rolling the config back when that fails), ends the cached sessions
 * of what it cleared (lib/commands/clear_cache.ts) and says what it did.
 *
 * @module
 */

import { type AwsPaths, resolvePaths } from "../aws_files/settings.ts";
import { readText } from "../files/read.ts";
import { updateFile } from "../files/update.ts";
import { ExitCode } from "../shared/errors.ts";
import {
  type ClearedProfile,
  keptDescription,
  planConfig,
  planCredentials,
} from "./clear_plan.ts";
import { cacheOnlyNames, clearCachedSessions } from "./clear_cache.ts";
import type { ClearOptions } from "../cli/options.ts";
import { loadFile, readFilePair } from "../sessions/loaded_file.ts";
import type { TargetIO } from "../sessions/target_profile.ts";
import { lockFilePair, rollBack } from "../sessions/file_pair.ts";

/** What `awsmfa clear` reads from or writes to the world. */
export type ClearIO = Pick<TargetIO, "env" | "stderr" | "storeFs">;

/** Run `awsmfa clear`; resolves to the exit code. */
export async function clear(
  options: ClearOptions,
  io: ClearIO,
): Promise<number> {
  const paths = resolvePaths(io.env);
  const { credentialsFile, configFile } = await readFilePair(paths);
  // A name that is no profile awsmfa wrote but whose sessions only the
  // cache holds (status shows them as "(cache)") ends those.
  const cacheOnly = options.all ? [] : await cacheOnlyNames(
    options.profiles,
    credentialsFile.profiles,
    configFile.profiles,
    io,
  );
  const profiles = options.profiles.filter((name) =>
    !cacheOnly.some((entry) => entry.name === name)
  );
  if (cacheOnly.length > 0 && profiles.length === 0) {
    await clearCachedSessions(
      { all: false, sections: [], names: cacheOnly },
      false,
      options.quiet,
      io,
    );
    return ExitCode.Ok;
  }
  // Plan both now, so a refusal changes nothing; then again under each lock.
  const plan = planCredentials(
    credentialsFile,
    profiles,
    options.all,
    paths.credentialsFile,
  );
  const planned = planConfig(configFile, plan.profiles);
  const names = plan.profiles.map((entry) => entry.profile);

  let cleared = plan.profiles;
  if (plan.text === null) {
    reportClear(cleared, planned, paths, options.quiet, io);
    await clearCachedSessions(
      { all: options.all, sections: [], names: cacheOnly },
      true,
      options.quiet,
      io,
    );
    return ExitCode.Ok;
  }
  // Both locks held; the config file first, so that a run stopped between
  // the two writes leaves a credentials section whose config section is
  // gone, which the next refresh adds back and the next clear removes.
  let configPlan = planned;
  // What is cleared, and whose cached sessions go, comes from what was read
  // under the lock: another run may have written a named profile since.
  let credentialsNow = credentialsFile;
  const seam = io.storeFs ? { fs: io.storeFs } : {};
  // The credentials file exists (it holds what is cleared), so no lock
  // needs a directory created; a config file in a missing directory is not
  // written.
  const locks = await lockFilePair(paths, { createParents: false, ...seam });
  try {
    credentialsNow = loadFile(
      locks.credentials === undefined
        ? null
        : await readText(locks.credentials.target, io.storeFs),
      paths.credentialsFile,
      "credentials",
      credentialsFile,
    );
    cleared = planCredentials(
      credentialsNow,
      names,
      false,
      paths.credentialsFile,
    ).profiles;
    const configLocked = locks.config ? { locked: locks.config } : {};
    const configWritten = await updateFile(paths.configFile, (current) => {
      configPlan = planConfig(
        loadFile(current, paths.configFile, "config", configFile),
        cleared,
      );
      return configPlan.text;
    }, { ...seam, ...configLocked });
    try {
      await updateFile(
        paths.credentialsFile,
        (current) =>
          planCredentials(
            loadFile(
              current,
              paths.credentialsFile,
              "credentials",
              credentialsNow,
            ),
            names,
            false,
            paths.credentialsFile,
          ).text,
        {
          ...seam,
          ...(locks.credentials ? { locked: locks.credentials } : {}),
        },
      );
    } catch (error) {
      await rollBack(configWritten, { ...seam, ...configLocked });
      throw error;
    }
  } finally {
    await locks.release();
  }

  reportClear(cleared, configPlan, paths, options.quiet, io);
  await clearCachedSessions(
    {
      all: options.all,
      sections: cleared.filter((entry) => entry.credentials !== "absent")
        .map((entry) => credentialsNow.profiles.get(entry.profile))
        .filter((keys) => keys !== undefined),
      names: cacheOnly,
    },
    true,
    options.quiet,
    io,
  );
  return ExitCode.Ok;
}

/** One line on stderr per profile: what clear did, and what it kept. */
function reportClear(
  cleared: readonly ClearedProfile[],
  configPlan: ReturnType<typeof planConfig>,
  paths: AwsPaths,
  quiet: boolean,
  io: Pick<ClearIO, "stderr">,
): void {
  if (quiet) return;
  if (cleared.length === 0) {
    io.stderr(`No awsmfa-managed profiles in ${paths.credentialsFile}.\n`);
  }
  for (const entry of cleared) {
    const configSection = entry.profile === "default"
      ? "[default]"
      : `[profile ${entry.profile}]`;
    const configRemoved = configPlan.removed.includes(entry.profile);
    const configNote = configRemoved
      ? ` and ${configSection} from ${paths.configFile}`
      : "";
    const kept = configPlan.kept.get(entry.profile);
    const keptNote = (kept === undefined
      ? ""
      : ` Kept ${configSection} in ${paths.configFile}: ${kept}.`) +
      (configRemoved && entry.credentials === "keys"
        ? ` Removed ${configSection} from ${paths.configFile}.`
        : "");
    switch (entry.credentials) {
      case "absent":
        io.stderr(
          `Profile "${entry.profile}" is not in ${paths.credentialsFile}; nothing to clear.\n`,
        );
        break;
      case "removed":
        io.stderr(
          `Removed profile "${entry.profile}" from ${paths.credentialsFile}${configNote}.${keptNote}\n`,
        );
        break;
      case "keys":
        io.stderr(
          `Removed awsmfa's keys from profile "${entry.profile}" in ${paths.credentialsFile}; kept what awsmfa did not write ${
            keptDescription(entry)
          }.${keptNote}\n`,
        );
        break;
    }
  }
}
