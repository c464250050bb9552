/**
 * Credentials on stdout, the only way a secret leaves awsmfa: shell
 * variables for `eval "$(awsmfa --output env)"` and the `credential_process`
 * JSON of `--output json`. Pure functions.
 *
 * @module
 */

import type { EnvShell } from "./options.ts";
import type { EnvLookup } from "../aws_files/settings.ts";
import type { SessionValues } from "../aws_files/session.ts";
import { rfc3339 } from "../shared/time.ts";
import { fishQuote, psQuote, shQuote } from "../shared/quote.ts";

/**
 * Variables removed wherever awsmfa puts a session into an environment: with
 * `AWS_PROFILE` set, the AWS SDKs for JavaScript (and other tools) use the
 * profile and ignore the `AWS_ACCESS_KEY_ID` variables; `AWS_SECURITY_TOKEN`
 * is the old name of the session token, read by boto2-era tools.
 */
export const SHADOWING_VARIABLES: readonly string[] = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SECURITY_TOKEN",
];

/**
 * The `AWS_*` variables that carry a session, in the order printed, and
 * `AWS_REGION`/`AWS_DEFAULT_REGION` when `region` is given.
 */
export function sessionVariables(
  session: SessionValues,
  region?: string,
): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_CREDENTIAL_EXPIRATION: rfc3339(session.expiration),
    ...(region !== undefined
      ? { AWS_REGION: region, AWS_DEFAULT_REGION: region }
      : {}),
  };
}

/**
 * The default syntax of `--output env`: `fish` when `$SHELL` is fish,
 * `powershell` when it is pwsh or powershell, `sh` when it is anything else;
 * without `$SHELL`, `powershell` on Windows and `sh` elsewhere.
 */
export function defaultEnvShell(env: EnvLookup, windows: boolean): EnvShell {
  const shell = env("SHELL")?.trim() ?? "";
  if (shell === "") return windows ? "powershell" : "sh";
  const name = shell.split(/[\\/]/).pop()!.toLowerCase().replace(
    /\.exe$/,
    "",
  );
  if (name === "fish") return "fish";
  if (name === "pwsh" || name === "powershell") return "powershell";
  return "sh";
}

/**
 * Lines that, evaluated by `shell`, remove {@linkcode SHADOWING_VARIABLES}
 * and set the session's variables ({@linkcode sessionVariables}), and
 * `AWS_REGION`/`AWS_DEFAULT_REGION` when `region` is given. Ends with a
 * newline.
 *
 * @example
 * ```ts
 * envScript(session, "sh");
 * // unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN
 * // export AWS_ACCESS_KEY_ID='ASIA…'
 * // …
 * ```
 */
export function envScript(
  session: SessionValues,
  shell: EnvShell,
  region?: string,
): string {
  const variables = Object.entries(sessionVariables(session, region));
  const lines: string[] = [];
  switch (shell) {
    case "sh":
      lines.push(`unset ${SHADOWING_VARIABLES.join(" ")}`);
      for (const [name, value] of variables) {
        lines.push(`export ${name}=${shQuote(value)}`);
      }
      break;
    case "fish":
      // `set -e` fails for a variable that is not set, and fish's `set`
      // keeps the status it finds: end on 0 for `eval …; and …` chains.
      lines.push(`set -e ${SHADOWING_VARIABLES.join(" ")}; or true`);
      for (const [name, value] of variables) {
        lines.push(`set -gx ${name} ${fishQuote(value)}`);
      }
      break;
    case "powershell":
      for (const name of SHADOWING_VARIABLES) {
        lines.push(`Remove-Item -ErrorAction SilentlyContinue Env:${name}`);
      }
      for (const [name, value] of variables) {
        lines.push(`$Env:${name} = ${psQuote(value)}`);
      }
      break;
  }
  return lines.join("\n") + "\n";
}

/**
 * The JSON a `credential_process` prints: `Version` 1, the three keys and
 * `Expiration` (RFC 3339), on one line ending with a newline.
 */
export function credentialProcessJson(session: SessionValues): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: session.accessKeyId,
    SecretAccessKey: session.secretAccessKey,
    SessionToken: session.sessionToken,
    Expiration: rfc3339(session.expiration),
  }) + "\n";
}

/**
 * The region to hand on with a session, as `exec` does: the source
 * profile's `region` when neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is
 * set (the session no longer names the profile, so it would lose it).
 */
export function regionToSet(
  profileRegion: string | undefined,
  env: EnvLookup,
): string | undefined {
  const hasRegion = (env("AWS_REGION") ?? "") !== "" ||
    (env("AWS_DEFAULT_REGION") ?? "") !== "";
  return hasRegion ? undefined : profileRegion;
}
