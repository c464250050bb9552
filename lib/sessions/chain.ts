/**
 * A role session chained from a cached MFA session: AssumeRole signed with
 * the MFA session's credentials, no code, capped by AWS at one hour (a note
 * says so when more was asked for); a cached session STS no longer takes is
 * named as the cache's, with the way past it (`--force`).
 *
 * @module
 */

import { AwsmfaError, ExitCode, sentence } from "../shared/errors.ts";
import { formatRemaining } from "../shared/time.ts";
import type { SessionValues } from "../aws_files/session.ts";
import { CHAINED_MAX_SECONDS, type RoleSpec } from "./role.ts";
import {
  type AssumeRoleCall,
  type BaseRequest,
  type RoleRequest,
  stsAssumeRole,
} from "./sts_call.ts";
import { StsError } from "./sts_error.ts";

/** What a chained call writes to and calls. */
export interface ChainIO {
  /** Write text to stderr (the note about the one-hour cap). */
  stderr(text: string): void;
  /** The AssumeRole call; defaults to {@linkcode stsAssumeRole}. */
  assumeRole?: AssumeRoleCall;
}

/** The AssumeRole arguments of `role` but the keys and the code. */
export function roleRequest(
  role: RoleSpec,
  request: BaseRequest,
): Omit<RoleRequest, "accessKeyId" | "secretAccessKey"> {
  return {
    region: request.region,
    endpoint: request.endpoint,
    roleArn: role.roleArn,
    roleSessionName: role.roleSessionName,
    ...(role.externalId !== undefined ? { externalId: role.externalId } : {}),
    sourceProfile: request.sourceProfile,
  };
}

/** AssumeRole signed with a cached MFA session: no code; STS caps it at one hour. */
export async function chain(
  role: RoleSpec,
  mfa: SessionValues,
  request: BaseRequest,
  io: ChainIO,
): Promise<SessionValues> {
  const asked = role.durationSeconds;
  if (asked !== undefined && asked > CHAINED_MAX_SECONDS) {
    io.stderr(
      `awsmfa: note: assuming ${role.roleArn} with the cached MFA session of profile "${request.sourceProfile}" is role chaining, which AWS limits to 1 hour, so the role session lasts 1h, not the ${
        formatRemaining(asked * 1000)
      } asked for; use --force to enter a code for a longer one.\n`,
    );
  }
  try {
    return await (io.assumeRole ?? stsAssumeRole)({
      ...roleRequest(role, request),
      accessKeyId: mfa.accessKeyId,
      secretAccessKey: mfa.secretAccessKey,
      sessionToken: mfa.sessionToken,
      ...(asked !== undefined
        ? { durationSeconds: Math.min(asked, CHAINED_MAX_SECONDS) }
        : {}),
    });
  } catch (error) {
    // A cached session STS no longer takes (revoked, keys rotated): say
    // where it came from and how to get past it.
    if (
      error instanceof StsError &&
      error.exitCode === ExitCode.AuthRejected &&
      STALE_SESSION_CODES.includes(error.awsCode)
    ) {
      throw new AwsmfaError(
        sentence(
          error,
          ": these were the cached MFA session's, so run again with --force to enter a code",
        ),
        error.exitCode,
      );
    }
    throw error;
  }
}

/** STS error codes that mean "these session credentials are no good". */
const STALE_SESSION_CODES: readonly string[] = [
  "InvalidClientTokenId",
  "ExpiredToken",
  "SignatureDoesNotMatch",
];
