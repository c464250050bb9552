/**
 * The AWS files most end-to-end tests start from: a source profile "work"
 * with a double's user's long-term keys, and its MFA device in config.
 */
import type { StsUser } from "./sts_double.ts";

/**
 * Write `home`/.aws (mode 0700) with `[work]`'s keys in credentials (mode
 * 0600) and `[profile work]`'s `mfa_serial` in config.
 */
export async function writeWorkProfile(
  home: string,
  user: StsUser,
): Promise<void> {
  await Deno.mkdir(`${home}/.aws`, { mode: 0o700 });
  await Deno.writeTextFile(
    `${home}/.aws/credentials`,
    `[work]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
    { mode: 0o600 },
  );
  await Deno.writeTextFile(
    `${home}/.aws/config`,
    `[profile work]\nmfa_serial = ${user.serial}\n`,
  );
}
