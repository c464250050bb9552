/**
 * `awsmfa exec -- CMD [ARGS…]`: run a command with a session in its
 * environment and pass its exit code and signals through.
 *
 * @module
 */

import {
  regionToSet,
  sessionVariables,
  SHADOWING_VARIABLES,
} from "../cli/output.ts";
import type { SessionValues } from "../aws_files/session.ts";
import type { EnvLookup } from "../aws_files/settings.ts";
import { LocalError } from "../shared/errors.ts";
import { type ChildRunner, type ChildSpec, runChild } from "./exec_child.ts";
import { reportSession } from "./refresh.ts";
import type { ExecOptions } from "../cli/options.ts";
import { type TargetIO, targetSession } from "../sessions/target_profile.ts";

/** Set in CMD's environment to the target profile; `awsmfa exec` refuses to run where it is set. */
const EXEC_MARKER = "AWSMFA_EXEC";

/** What `awsmfa exec` reads from or writes to the world. */
export interface ExecIO extends TargetIO {
  /** Runs CMD; defaults to {@linkcode runChild}. */
  runChild?: ChildRunner;
}

/**
 * Run `awsmfa exec`: a session (reused, or new with a code), then CMD with
 * it in its environment; resolves to CMD's exit code.
 */
export async function exec(options: ExecOptions, io: ExecIO): Promise<number> {
  checkNotNested(io.env);
  const got = await targetSession(options, io, {
    write: options.write === true,
  });
  // Quiet when it reuses a session, as aws-vault is: CMD's output is what
  // the user came for.
  const reused = got.origin === "profile" || got.origin === "cache";
  reportSession(got, options.quiet || reused, io);
  const spec = childSpec(
    options.argv,
    got.session,
    got.target,
    got.profileRegion,
    io.env,
  );
  return await (io.runChild ?? runChild)(spec, io.stderr);
}

/** Refuse to run inside another `awsmfa exec` (its marker is in the environment). */
export function checkNotNested(env: EnvLookup): void {
  const outer = env(EXEC_MARKER);
  if (outer !== undefined && outer !== "") {
    throw new LocalError(
      `This shell already runs inside awsmfa exec (profile "${outer}"); run the command directly, or leave that shell first.`,
    );
  }
}

/**
 * The environment changes for CMD: the session's variables, the marker, and
 * `AWS_REGION`/`AWS_DEFAULT_REGION` from the source profile when neither is
 * set (CMD no longer sees the profile, so it would lose its region); the
 * profile variables are removed so they cannot override the session.
 */
export function childSpec(
  argv: string[],
  session: SessionValues,
  target: string,
  profileRegion: string | undefined,
  env: EnvLookup,
): ChildSpec {
  const set = {
    ...sessionVariables(session, regionToSet(profileRegion, env)),
    [EXEC_MARKER]: target,
  };
  return { argv, set, unset: SHADOWING_VARIABLES };
}
