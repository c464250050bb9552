/**
 * A strict command-line tokenizer with the semantics of `node:util`
 * `parseArgs({ strict: true, allowPositionals: true })`: the same values,
 * positionals and refusals.
 *
 * `node:util` would do, but importing any `node:` module starts Deno's Node
 * compatibility layer (about 15 ms on every run, more than `--version` costs
 * in all), and `@std/cli` cannot be fetched here. A refusal is a
 * {@linkcode TokenError}, a value that says what went wrong with which flag;
 * the command line's own words for it are written in one place (hints.ts).
 *
 * @module
 */

/** One option: a boolean flag or one that takes a string value. */
export interface TokenOption {
  /** `"boolean"` (a flag) or `"string"` (takes a value). */
  type: "boolean" | "string";
  /** A one-letter alias, without the dash. */
  short?: string;
}

/** What {@linkcode tokenize} found. */
export interface Tokens {
  /** Each option given: true for a flag, the (last) value for a string. */
  values: Record<string, string | boolean | undefined>;
  /** The arguments that are not options, in order. */
  positionals: string[];
}

/** How a command line breaks the tokenizer's rules. */
export type TokenErrorKind =
  /** An option the table does not have (`--nope`, `-x`). */
  | "unknown-option"
  /** A string option at the end of the line, or inside a short group (`-qr…`). */
  | "missing-value"
  /** A value that looks like an option (`--profile --force`): write `--profile=-x`. */
  | "ambiguous-value"
  /** A value given to a boolean flag (`--force=yes`). */
  | "value-for-boolean";

/** A command line {@linkcode tokenize} refuses; carries no message meant for users. */
export class TokenError extends Error {
  /** What is wrong. */
  readonly kind: TokenErrorKind;
  /** The flag as it was typed, without any value: `--nope`, `-x`, `--profile`. */
  readonly flag: string;
  /** The long name of the option concerned, when it is in the table. */
  readonly option?: string;

  /** Create the error for `flag` (as typed) and the table's `option`. */
  constructor(kind: TokenErrorKind, flag: string, option?: string) {
    super(`${kind}: ${flag}`);
    this.name = "TokenError";
    this.kind = kind;
    this.flag = flag;
    if (option !== undefined) this.option = option;
  }
}

/**
 * Split `args` into option values and positionals, refusing unknown options,
 * missing values, values for flags, and a value that looks like an option
 * (write `--name=-value` for that). `--` ends the options; `-` alone is a
 * positional. A short flag group (`-ab`) sets each flag; `-nVALUE` gives a
 * string option its value.
 */
export function tokenize(
  args: readonly string[],
  options: Readonly<Record<string, TokenOption>>,
): Tokens {
  const values: Record<string, string | boolean | undefined> = Object.create(
    null,
  );
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(options)) {
    if (option.short !== undefined) byShort.set(option.short, name);
  }
  const known = (name: string) => Object.hasOwn(options, name);

  /** The value of option `name` (given as `raw`) at `args[index]`. */
  const take = (name: string, raw: string, index: number): string => {
    const value = args[index];
    if (value === undefined) throw new TokenError("missing-value", raw, name);
    if (value.length > 1 && value[0] === "-") {
      throw new TokenError("ambiguous-value", raw, name);
    }
    return value;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
      if (!known(name)) throw new TokenError("unknown-option", `--${name}`);
      const option = options[name];
      if (option.type === "boolean") {
        if (equals !== -1) {
          throw new TokenError("value-for-boolean", `--${name}`, name);
        }
        values[name] = true;
      } else if (equals !== -1) {
        values[name] = arg.slice(equals + 1);
      } else {
        values[name] = take(name, `--${name}`, ++i);
      }
      continue;
    }
    if (arg.length > 1 && arg[0] === "-") {
      const first = byShort.get(arg[1]);
      if (first === undefined) {
        throw new TokenError("unknown-option", `-${arg[1]}`);
      }
      if (options[first].type === "string") {
        values[first] = arg.length > 2
          ? arg.slice(2)
          : take(first, `-${arg[1]}`, ++i);
        continue;
      }
      for (let j = 1; j < arg.length; j++) {
        const name = byShort.get(arg[j]);
        if (name === undefined) {
          throw new TokenError("unknown-option", `-${arg[j]}`);
        }
        if (options[name].type === "string") {
          if (j !== arg.length - 1) {
            throw new TokenError("missing-value", `-${arg[j]}`, name);
          }
          values[name] = take(name, `-${arg[j]}`, ++i);
        } else {
          values[name] = true;
        }
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}
