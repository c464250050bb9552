/**
 * The error of a failed STS call, importable without loading the AWS SDK
 * (lib/sessions/sts.ts is loaded lazily), so callers test it with
 * `instanceof`.
 *
 * @module
 */

import { AwsmfaError, type ExitCodeValue } from "../shared/errors.ts";

/** A failed STS call, as one sentence with its exit code. */
export class StsError extends AwsmfaError {
  /** The STS error code (e.g. "AccessDenied"), or "" when STS gave none (network, timeout). */
  readonly awsCode: string;
  /** True when the request may have reached STS and spent the code. */
  readonly codeMayBeUsed: boolean;

  /** Create an STS error. */
  constructor(
    message: string,
    exitCode: ExitCodeValue,
    awsCode: string,
    codeMayBeUsed: boolean,
  ) {
    super(message, exitCode);
    this.name = "StsError";
    this.awsCode = awsCode;
    this.codeMayBeUsed = codeMayBeUsed;
  }
}

/** A complete answer awsmfa cannot use; the message says why ("answered with …"). */
export class UnusableAnswer extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "UnusableAnswer";
  }
}
