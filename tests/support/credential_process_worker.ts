/**
 * A stand-in for `awsmfa credential-process` built only from the parts that
 * exist today: the session cache ({@linkcode withCacheEntry}), GetSessionToken
 * ({@linkcode getSessionToken}) and the `credential_process` JSON
 * ({@linkcode credentialProcessJson}). The code comes from the MFA device's
 * secret, as a configured `mfa_process` would give it. Lets the real AWS CLI
 * drive the pieces before the command line is wired up.
 *
 * Run as `deno run -P=awsmfa … credential_process_worker.ts` with, in the
 * environment: `AWSMFA_CP_CACHE` (cache directory), `AWSMFA_CP_ENDPOINT`,
 * `AWSMFA_CP_KEY_ID`, `AWSMFA_CP_SECRET`, `AWSMFA_CP_SERIAL` and
 * `AWSMFA_CP_TOTP` (the device's base32 secret). Prints the JSON on stdout;
 * on failure, one sentence on stderr and the error's exit code.
 *
 * @module
 */

import { withCacheEntry } from "../../lib/cache.ts";
import { AwsmfaError } from "../../lib/errors.ts";
import { credentialProcessJson } from "../../lib/output.ts";
import { getSessionToken } from "../../lib/sts.ts";
import { totp } from "./totp.ts";

function env(name: string): string {
  const value = Deno.env.get(name);
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<number> {
  const serialNumber = env("AWSMFA_CP_SERIAL");
  try {
    const result = await withCacheEntry(
      env("AWSMFA_CP_CACHE"),
      { sourceProfile: "work", serialNumber },
      15 * 60_000,
      () =>
        getSessionToken({
          accessKeyId: env("AWSMFA_CP_KEY_ID"),
          secretAccessKey: env("AWSMFA_CP_SECRET"),
          region: "eu-west-1",
          endpoint: env("AWSMFA_CP_ENDPOINT"),
          serialNumber,
          tokenCode: totp(env("AWSMFA_CP_TOTP"), Date.now()),
          durationSeconds: 3600,
          sourceProfile: "work",
        }),
    );
    Deno.stdout.writeSync(
      new TextEncoder().encode(credentialProcessJson(result.session)),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    Deno.stderr.writeSync(new TextEncoder().encode(`${error.message}\n`));
    return error.exitCode;
  }
}

if (import.meta.main) Deno.exit(await main());
