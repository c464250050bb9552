/**
 * One command's arguments tokenized against its own flags, a refusal turned
 * into its one sentence (hints.ts), and the values read back.
 *
 * @module
 */

import type { OptionSpec } from "./flags.ts";
import { usageOfTokenError } from "./hints.ts";
import {
  TokenError,
  tokenize,
  type TokenOption,
  type Tokens,
} from "./tokenize.ts";

type ParseOptions = Record<string, TokenOption>;

function parseOptions(specs: readonly OptionSpec[]): ParseOptions {
  const options: ParseOptions = {};
  for (const spec of specs) {
    const type = spec.value === undefined ? "boolean" : "string";
    options[spec.name] = spec.short === undefined
      ? { type }
      : { type, short: spec.short };
  }
  return options;
}

/**
 * The tokens of `args` for a command that takes the flags `specs`; a
 * refusal becomes the usage error that names `where`.
 */
export function strictParse(
  args: string[],
  specs: readonly OptionSpec[],
  where: string,
): Tokens {
  try {
    return tokenize(args, parseOptions(specs));
  } catch (error) {
    if (error instanceof TokenError) {
      throw usageOfTokenError(error, specs, where);
    }
    throw error;
  }
}

/** The option values the tokenizer found. */
export type Values = Tokens["values"];

/** The string value of option `name`, if given. */
export function textOf(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}
