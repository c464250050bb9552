/**
 * The session flags (how to get a session: profile, device, length, role,
 * endpoint, code) read from the tokenizer's values and checked, for the
 * default command, `exec`, `credential-process` and `rotate`.
 *
 * @module
 */

import {
  checkExternalId,
  checkRoleArn,
  checkSessionName,
} from "../sessions/role_checks.ts";
import {
  checkCode,
  checkEndpointUrl,
  checkProfileName,
  nonEmpty,
  parseDuration,
  parseMinRemaining,
} from "./checks.ts";
import type { CommandName, SessionFlags } from "./options.ts";
import type { Tokens } from "./tokenize.ts";

/** The option values the tokenizer found. */
export type Values = Tokens["values"];

/** The string value of option `name`, if given. */
export function textOf(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** The flags of the default command and `exec`, checked. */
export function sessionFlags(
  values: Values,
  positionals: string[],
  command: CommandName,
): SessionFlags {
  const flags: SessionFlags = {
    force: values.force === true,
    quiet: values.quiet === true,
  };
  const duration = textOf(values, "duration-seconds");
  const minRemaining = textOf(values, "min-remaining");
  const profile = nonEmpty("profile", textOf(values, "profile"));
  const serialNumber = nonEmpty(
    "serial-number",
    textOf(values, "serial-number"),
  );
  const mfaProfileName = checkProfileName(
    nonEmpty("mfa-profile-name", textOf(values, "mfa-profile-name")),
  );
  const region = nonEmpty("region", textOf(values, "region"));
  const endpointUrl = checkEndpointUrl(textOf(values, "endpoint-url"));
  const mfaProcess = nonEmpty("mfa-process", textOf(values, "mfa-process"));
  const roleArn = textOf(values, "role-arn");
  const roleSessionName = textOf(values, "role-session-name");
  const externalId = textOf(values, "external-id");
  const code = checkCode(positionals, command);
  if (roleArn !== undefined) {
    flags.roleArn = checkRoleArn(roleArn, "of --role-arn");
  }
  if (roleSessionName !== undefined) {
    flags.roleSessionName = checkSessionName(
      roleSessionName,
      "of --role-session-name",
    );
  }
  if (externalId !== undefined) {
    flags.externalId = checkExternalId(externalId, "of --external-id");
  }
  if (profile !== undefined) flags.profile = profile;
  if (serialNumber !== undefined) flags.serialNumber = serialNumber;
  if (duration !== undefined) flags.durationSeconds = parseDuration(duration);
  if (mfaProfileName !== undefined) flags.mfaProfileName = mfaProfileName;
  if (region !== undefined) flags.region = region;
  if (endpointUrl !== undefined) flags.endpointUrl = endpointUrl;
  if (mfaProcess !== undefined) flags.mfaProcess = mfaProcess;
  if (minRemaining !== undefined) {
    flags.minRemainingSeconds = parseMinRemaining(minRemaining);
  }
  if (values.write === true) flags.write = true;
  if (code !== undefined) flags.code = code;
  return flags;
}
