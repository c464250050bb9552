/**
 * The section name awsmfa writes for a profile, in each file.
 *
 * @module
 */

import { IniError } from "./ini_error.ts";
import { jsSectionName } from "./js_sdk.ts";
import { pyStrip } from "./python_text.ts";

/** Profile names the JS SDK finds as `[profile name]` in a config file. */
const JS_PROFILE_NAME = /^[\w\-@+.%:/]+$/;

/**
 * Section name of a profile: credentials file -> `name`; config file ->
 * `default` or `profile name`.
 *
 * Throws {@linkcode IniError} for a name that, written that way, the AWS CLI
 * or the JS SDK would not read back as that profile: in the config file the
 * JS SDK needs `[\w-@+.%:/]+` (ASCII letters, digits and `_-@+.%:/`); in the
 * credentials file the name must not be empty, `DEFAULT` or `__proto__` (or
 * another name of `Object.prototype`, which the JS SDK mangles), have
 * spaces at its ends, look like `word name` or hold ` #` or ` ;`.
 */
export function profileSection(
  profile: string,
  file: "credentials" | "config",
): string {
  if (file === "config") {
    if (profile === "default") return "default";
    if (!JS_PROFILE_NAME.test(profile) || profile === "__proto__") {
      throw new IniError(
        `The profile name "${profile}" cannot be written to the config file so that the AWS CLI and the JS SDK both find it; use letters, digits and - _ . @ + % : /.`,
        0,
      );
    }
    return `profile ${profile}`;
  }
  const sameToJs = jsSectionName(profile) === profile &&
    !/\s[#;]/.test(profile);
  if (
    profile === "" || /[\r\n]/.test(profile) || pyStrip(profile) !== profile ||
    profile.trim() !== profile || profile === "DEFAULT" || !sameToJs ||
    profile in Object.prototype
  ) {
    throw new IniError(
      `The profile name "${profile}" cannot be written to the credentials file so that the AWS CLI and the JS SDK both find it.`,
      0,
    );
  }
  return profile;
}
