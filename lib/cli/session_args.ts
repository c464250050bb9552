/**
 * The command lines of the commands that get a session: the default
 * command, `exec`, `credential-process` and `rotate`, and the session flags
 * they share (profile, device, length, role, endpoint, code), checked.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";
import {
  checkExternalId,
  checkRoleArn,
  checkSessionName,
} from "../sessions/role_checks.ts";
import {
  checkCode,
  checkEndpointUrl,
  checkProfileName,
  choice,
  nonEmpty,
  parseDuration,
  parseMinRemaining,
} from "./checks.ts";
import {
  type CommandName,
  ENV_SHELLS,
  type EnvShell,
  type Options,
  OUTPUTS,
  type RefreshOptions,
  type RotateOptions,
  type SessionFlags,
} from "./options.ts";
import { specsOf } from "./flags.ts";
import { strictParse, textOf, type Values } from "./read_flags.ts";

/** The flags of the default command and `exec`, checked. */
function sessionFlags(
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

/** Shells whose syntax `--output env` prints under another name. */
const SHELL_ALIASES: Readonly<Record<string, EnvShell>> = {
  bash: "sh",
  zsh: "sh",
  dash: "sh",
  ksh: "sh",
  pwsh: "powershell",
};

/** The default command: `awsmfa [OPTIONS] [CODE | -]`. */
export function parseRefresh(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("refresh"),
    "the default command",
  );
  if (values.version === true) return { command: "version" };
  const options: RefreshOptions = {
    command: "refresh",
    ...sessionFlags(values, positionals, "refresh"),
  };
  const output = choice("output", textOf(values, "output"), OUTPUTS);
  const shellName = textOf(values, "shell");
  const shell = choice(
    "shell",
    shellName === undefined ? undefined : SHELL_ALIASES[shellName] ?? shellName,
    ENV_SHELLS,
  );
  if (shell !== undefined && output !== "env") {
    throw new UsageError("Option --shell only applies with --output env.");
  }
  if (options.write === true && output === undefined) {
    throw new UsageError(
      "Option --write only applies with --output or in awsmfa exec; without them awsmfa always writes the files.",
    );
  }
  if (output !== undefined) options.output = output;
  if (shell !== undefined) options.shell = shell;
  return options;
}

/** `awsmfa exec [OPTIONS] [CODE | -] -- CMD [ARGS…]`. */
export function parseExec(argv: string[]): Options {
  const separator = argv.indexOf("--");
  if (separator < 0 || separator === argv.length - 1) {
    throw new UsageError(
      "The exec command needs the command to run after --, as in: awsmfa exec -- aws s3 ls",
    );
  }
  const { values, positionals } = strictParse(
    argv.slice(0, separator),
    specsOf("exec"),
    "awsmfa exec",
  );
  return {
    command: "exec",
    ...sessionFlags(values, positionals, "exec"),
    argv: argv.slice(separator + 1),
  };
}

/** `awsmfa credential-process [OPTIONS]`. */
export function parseCredentialProcess(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("credential-process"),
    "awsmfa credential-process",
  );
  if (positionals.length > 0) {
    throw new UsageError(
      "The credential-process command takes no arguments; it gets the code from mfa_process or asks on the terminal.",
    );
  }
  // Its flag table has none of --mfa-profile-name, --write, --force,
  // --quiet: only the two booleans sessionFlags always sets are left out.
  const { force: _force, quiet: _quiet, ...flags } = sessionFlags(
    values,
    [],
    "credential-process",
  );
  return { command: "credential-process", ...flags };
}

/** `awsmfa rotate [OPTIONS] [CODE | -]`. */
export function parseRotate(argv: string[]): Options {
  const { values, positionals } = strictParse(
    argv,
    specsOf("rotate"),
    "awsmfa rotate",
  );
  const flags = sessionFlags(values, positionals, "rotate");
  const options: RotateOptions = {
    command: "rotate",
    keepOld: values["keep-old"] === true,
    quiet: flags.quiet,
  };
  for (
    const key of [
      "profile",
      "serialNumber",
      "region",
      "endpointUrl",
      "mfaProcess",
      "code",
    ] as const
  ) {
    if (flags[key] !== undefined) options[key] = flags[key];
  }
  return options;
}
