/**
 * What STS takes as a role ARN, a role session name and an external id. A
 * leaf: the command line checks its flags with it, and the role profile
 * step (role.ts) checks the config file's keys.
 *
 * @module
 */

import { UsageError } from "../shared/errors.ts";

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The role ARN of `--role-arn` or `role_arn`; throws {@linkcode UsageError} if malformed. */
export function checkRoleArn(value: string, origin: string): string {
  if (!ROLE_ARN.test(value)) {
    throw new UsageError(
      `The role ARN ${origin} is not valid: it must look like arn:aws:iam::123456789012:role/NAME.`,
    );
  }
  return value;
}

/** The role session name; throws {@linkcode UsageError} if STS would refuse it. */
export function checkSessionName(value: string, origin: string): string {
  if (!SESSION_NAME.test(value)) {
    throw new UsageError(
      `The role session name ${origin} is not valid: it must be 2 to 64 characters of letters, digits and +=,.@_-.`,
    );
  }
  return value;
}

/** The external id; throws {@linkcode UsageError} (without repeating it) if STS would refuse it. */
export function checkExternalId(value: string, origin: string): string {
  if (!EXTERNAL_ID.test(value)) {
    throw new UsageError(
      `The external id ${origin} is not valid: it must be 2 to 1224 characters of letters, digits and +=,.@:/_-.`,
    );
  }
  return value;
}
