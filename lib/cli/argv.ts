/**
 * A strict command-line tokenizer with the behaviour and error codes of
 * `node:util` `parseArgs({ strict: true, allowPositionals: true })`.
 *
 * `node:util` would do, but importing any `node:` module starts Deno's Node
 * compatibility layer (about 15 ms on every run, more than `--version` costs
 * in all), and `@std/cli` cannot be fetched here. Errors carry the same
 * `code` and message shapes as Node's, so callers can map them the same way.
 *
 * @module
 */

/** One option: a boolean flag or one that takes a string value. */
export interface ArgvOption {
  /** `"boolean"` (a flag) or `"string"` (takes a value). */
  type: "boolean" | "string";
  /** A one-letter alias, without the dash. */
  short?: string;
}

/** What {@linkcode parseArgv} found. */
export interface ParsedArgv {
  /** Each option given: true for a flag, the (last) value for a string. */
  values: Record<string, string | boolean | undefined>;
  /** The arguments that are not options, in order. */
  positionals: string[];
}

/** An error of {@linkcode parseArgv}, with Node's `code`. */
export class ArgvError extends TypeError {
  /** `ERR_PARSE_ARGS_UNKNOWN_OPTION` or `ERR_PARSE_ARGS_INVALID_OPTION_VALUE`. */
  readonly code: string;

  /** Create an error with Node's code and message. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "ArgvError";
    this.code = code;
  }
}

function unknown(option: string): ArgvError {
  return new ArgvError(
    "ERR_PARSE_ARGS_UNKNOWN_OPTION",
    `Unknown option '${option}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "${option}"`,
  );
}

function invalid(message: string): ArgvError {
  return new ArgvError("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", message);
}

/** `--name` or `-n, --name` as Node's messages show an option. */
function display(name: string, option: ArgvOption): string {
  return option.short === undefined
    ? `--${name}`
    : `-${option.short}, --${name}`;
}

/**
 * Split `args` into option values and positionals, refusing unknown options,
 * missing values, values for flags, and a value that looks like an option
 * (write `--name=-value` for that). `--` ends the options; `-` alone is a
 * positional. A short flag group (`-ab`) sets each flag; `-nVALUE` gives a
 * string option its value.
 */
export function parseArgv(
  args: readonly string[],
  options: Readonly<Record<string, ArgvOption>>,
): ParsedArgv {
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
    const option = options[name];
    const value = args[index];
    if (value === undefined) {
      throw invalid(
        `Option '${display(name, option)} <value>' argument missing`,
      );
    }
    if (value.length > 1 && value[0] === "-") {
      const example = raw.startsWith("--")
        ? `'--${name}=-XYZ'`
        : `'--${name}=-XYZ' or '${raw}-XYZ'`;
      throw invalid(
        `Option '${raw}' argument is ambiguous.\nDid you forget to specify the option argument for '${raw}'?\nTo specify an option argument starting with a dash use ${example}.`,
      );
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
      if (!known(name)) throw unknown(`--${name}`);
      const option = options[name];
      if (option.type === "boolean") {
        if (equals !== -1) {
          throw invalid(
            `Option '${display(name, option)}' does not take an argument`,
          );
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
      if (first === undefined) throw unknown(`-${arg[1]}`);
      if (options[first].type === "string") {
        values[first] = arg.length > 2
          ? arg.slice(2)
          : take(first, `-${arg[1]}`, ++i);
        continue;
      }
      for (let j = 1; j < arg.length; j++) {
        const name = byShort.get(arg[j]);
        if (name === undefined) throw unknown(`-${arg[j]}`);
        if (options[name].type === "string") {
          if (j !== arg.length - 1) {
            throw invalid(
              `Option '${
                display(name, options[name])
              } <value>' argument missing`,
            );
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
