/**
 * The serial the user gave once, remembered: when no flag, config key or
 * variable names one, the target profile's `awsmfa_serial` (when it was
 * made from the same source), else the one serial of the other managed
 * profiles and cache entries of that source.
 *
 * @module
 */

import { listCachedKeys } from "./cache_list.ts";
import { UsageError } from "../shared/errors.ts";
import { isManaged, SERIAL_KEY, SOURCE_KEY } from "../aws_files/session.ts";
import { type ProfileKeys, profileValue } from "../aws_files/settings.ts";

/** Where recorded serials are looked up: the credentials file's profiles, the cache. */
export interface SerialRecords {
  /** The credentials file's profiles. */
  credentials: { profiles: Map<string, ProfileKeys> };
  /** The session cache directory, if any. */
  cacheDir?: string;
}

/**
 * The serial recorded for sessions of `source`: the `prefer` profile's when
 * awsmfa made it from `source`, else the one serial its other managed
 * profiles and cache entries name; undefined when none does.
 *
 * @throws {UsageError} when they name several.
 */
export async function recordedSerial(
  source: string,
  prefer: string,
  world: SerialRecords,
): Promise<string | undefined> {
  const preferred = world.credentials.profiles.get(prefer);
  if (isManaged(preferred) && profileValue(preferred, SOURCE_KEY) === source) {
    return profileValue(preferred, SERIAL_KEY);
  }
  const serials = new Set<string>();
  for (const keys of world.credentials.profiles.values()) {
    const serial = profileValue(keys, SERIAL_KEY);
    if (
      isManaged(keys) && profileValue(keys, SOURCE_KEY) === source && serial
    ) {
      serials.add(serial);
    }
  }
  if (world.cacheDir !== undefined) {
    for (const { key } of await listCachedKeys(world.cacheDir)) {
      if (key.sourceProfile === source && key.serialNumber.trim() !== "") {
        serials.add(key.serialNumber.trim());
      }
    }
  }
  if (serials.size > 1) {
    throw new UsageError(
      `Cannot tell which MFA device to use for profile "${source}": its sessions were made with ${
        [...serials].join(" and ")
      }; pass --serial-number, or set mfa_serial in its config section.`,
    );
  }
  return serials.size === 1 ? [...serials][0] : undefined;
}
