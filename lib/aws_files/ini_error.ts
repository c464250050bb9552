/**
 * The error of the INI document's reading and editing.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";

/**
 * A document that cannot be read or edited as asked (exit code 3). The
 * message names the line, the section and the key, never a value.
 */
export class IniError extends LocalError {
  /** The 1-based line the problem is on, or 0 when it is not on one line. */
  readonly line: number;

  /** Create an INI error about `line` (1-based, 0 for none). */
  constructor(message: string, line: number) {
    super(message);
    this.name = "IniError";
    this.line = line;
  }
}
