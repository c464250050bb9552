/**
 * The STS calls as the session provider makes them: their arguments, and
 * the production calls, which import lib/sessions/sts.ts (and the AWS SDK)
 * only when they are made. Tests and commands replace them through
 * `getSession` and `assumeRole` of the provider's IO.
 *
 * @module
 */

import type { AssumeRoleRequest, GetSessionTokenRequest } from "./sts.ts";
import type { SessionValues } from "../aws_files/session.ts";

/** The arguments of one STS GetSessionToken call (the fetch is lib/sessions/sts.ts's own). */
export type SessionRequest = Omit<GetSessionTokenRequest, "fetch">;

/** A GetSessionToken request but the code; AssumeRole takes its keys, region and endpoint. */
export type BaseRequest = Omit<SessionRequest, "tokenCode">;

/** The arguments of one STS AssumeRole call (the fetch is lib/sessions/sts.ts's own). */
export type RoleRequest = Omit<AssumeRoleRequest, "fetch">;

/** The GetSessionToken call. */
export type GetSessionTokenCall = (
  request: SessionRequest,
) => Promise<SessionValues>;

/** The AssumeRole call. */
export type AssumeRoleCall = (request: RoleRequest) => Promise<SessionValues>;

/** The production GetSessionToken call: imports lib/sessions/sts.ts (and the AWS SDK) only now. */
export async function stsGetSessionToken(
  request: SessionRequest,
): Promise<SessionValues> {
  const { getSessionToken } = await import("./sts.ts");
  return await getSessionToken(request);
}

/** The production AssumeRole call: imports lib/sessions/sts.ts (and the AWS SDK) only now. */
export async function stsAssumeRole(
  request: RoleRequest,
): Promise<SessionValues> {
  const { assumeRole } = await import("./sts.ts");
  return await assumeRole(request);
}
