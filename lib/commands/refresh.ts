/**
 * The default command, `awsmfa [--profile P] [CODE | -]`: a session for the
 * subject, written into the target profile (or, with `--output json|env`,
 * printed on stdout), and one line on stderr about it.
 *
 * The session step itself (reuse, checks, code, STS, write) is the
 * target-profile step (lib/sessions/target_profile.ts); this module decides
 * what to do with the session and says what happened.
 *
 * @module
 */

import {
  credentialProcessJson,
  defaultEnvShell,
  envScript,
  regionToSet,
} from "../cli/output.ts";
import { describeTime, formatRemaining } from "../shared/time.ts";
import { ExitCode } from "../shared/errors.ts";
import type { RefreshOptions } from "../cli/options.ts";
import {
  type TargetIO,
  type TargetSession,
  targetSession,
} from "../sessions/target_profile.ts";

/** What the default command reads from or writes to the world. */
export interface RefreshIO extends TargetIO {
  /** Write text to stdout. */
  stdout(text: string): void;
}

/** `from "work"`, or `role ARN from "work"`, and where a new session came from. */
function provenance(got: TargetSession): string {
  const from = got.role === undefined
    ? `from "${got.source}"`
    : `role ${got.role.roleArn} from "${got.source}"`;
  switch (got.origin) {
    case "cache":
      return `${from}, the cached session`;
    case "chained":
      return `${from}, chained from the cached MFA session`;
    default:
      return from;
  }
}

/**
 * One line on stderr about the session `got` (reused, written, or got and
 * not written), unless `quiet`. `awsmfa exec` says it the same way.
 */
export function reportSession(
  got: TargetSession,
  quiet: boolean,
  io: Pick<TargetIO, "stderr" | "now">,
): void {
  if (quiet) return;
  const until = describeTime(got.session.expiration);
  if (got.origin === "profile") {
    const left = got.session.expiration.getTime() - io.now().getTime();
    io.stderr(
      `Using profile "${got.target}" (${provenance(got)}), valid for ${
        formatRemaining(left)
      }, until ${until}.\n`,
    );
  } else if (got.written) {
    io.stderr(
      `Wrote profile "${got.target}" (${
        provenance(got)
      }), valid until ${until}.\n`,
    );
  } else {
    io.stderr(
      `Got a session (${
        provenance(got)
      }), valid until ${until}; nothing was written.\n`,
    );
  }
}

/** Run the default command; resolves to the exit code. */
export async function refresh(
  options: RefreshOptions,
  io: RefreshIO,
): Promise<number> {
  if (options.output === undefined) {
    const got = await targetSession(options, io, {
      write: true,
      warnShadowing: true,
    });
    if (got.origin === "profile") {
      if (!options.quiet) {
        const left = got.session.expiration.getTime() - io.now().getTime();
        io.stderr(
          `Profile "${got.target}" is still valid for ${
            formatRemaining(left)
          }, until ${
            describeTime(got.session.expiration)
          }; use --force to refresh it now.\n`,
        );
      }
    } else {
      reportSession(got, options.quiet, io);
    }
    return ExitCode.Ok;
  }
  const shell = options.output === "env"
    ? options.shell ??
      defaultEnvShell(io.env, io.windows ?? Deno.build.os === "windows")
    : undefined;
  const got = await targetSession(options, io, {
    write: options.write === true,
  });
  reportSession(got, options.quiet, io);
  io.stdout(
    shell === undefined ? credentialProcessJson(got.session) : envScript(
      got.session,
      shell,
      regionToSet(got.profileRegion, io.env),
    ),
  );
  return ExitCode.Ok;
}
