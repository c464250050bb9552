/**
 * The usage error a command line raises, for the tests of lib/cli/.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseArguments } from "../../lib/cli/args.ts";
import { UsageError } from "../../lib/shared/errors.ts";

/** The usage error `argv` raises; fails the test when there is none. */
export function usageErrorOf(argv: string[]): UsageError {
  try {
    const options = parseArguments(argv);
    assert.fail(
      `expected a usage error for ${JSON.stringify(argv)}, got ${
        JSON.stringify(options)
      }`,
    );
  } catch (error) {
    assert.ok(
      error instanceof UsageError,
      `${JSON.stringify(argv)}: ${String(error)}`,
    );
    return error;
  }
}
