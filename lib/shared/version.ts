/**
 * The version of awsmfa and the line `awsmfa --version` prints.
 *
 * The version lives in one place, the `version` field of deno.json, which is
 * also what JSR publishes and what the release workflow checks the tag
 * against. deno.json is imported as a JSON module, so it is part of the module
 * graph: `deno compile` embeds it and `deno publish` ships it.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };

/** The version of awsmfa, e.g. `0.1.0`, taken from deno.json. */
export const VERSION: string = config.version;

/**
 * The line `awsmfa --version` prints, without a trailing newline:
 * `awsmfa X.Y.Z (deno A.B.C, TARGET)`, with the Deno runtime version and the
 * target triple the running binary was built for.
 *
 * @example Usage
 * ```ts
 * import { versionLine } from "./version.ts";
 * console.log(versionLine()); // awsmfa 0.1.0 (deno 2.9.6, x86_64-unknown-linux-gnu)
 * ```
 */
export function versionLine(): string {
  return `awsmfa ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.target})`;
}
