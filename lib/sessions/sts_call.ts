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

/** lib/sessions/sts.ts once its import has started; one import per run. */
let stsModule: Promise<typeof import("./sts.ts")> | undefined;

function loadSts(): Promise<typeof import("./sts.ts")> {
  return stsModule ??= import("./sts.ts");
}

/**
 * Starts loading lib/sessions/sts.ts (and the AWS SDK) without waiting for
 * it, once an STS call is sure to come: the load then runs while the code
 * is typed or an `mfa_process` runs, not after. A failed load is not lost:
 * the call that awaits it throws it.
 */
export function preloadSts(): void {
  loadSts().catch(() => {});
}

/** The production GetSessionToken call: lib/sessions/sts.ts (and the AWS SDK), loaded at the first call or its preload. */
export async function stsGetSessionToken(
  request: SessionRequest,
): Promise<SessionValues> {
  const { getSessionToken } = await loadSts();
  return await getSessionToken(request);
}

/** The production AssumeRole call: lib/sessions/sts.ts (and the AWS SDK), loaded at the first call or its preload. */
export async function stsAssumeRole(
  request: RoleRequest,
): Promise<SessionValues> {
  const { assumeRole } = await loadSts();
  return await assumeRole(request);
}
