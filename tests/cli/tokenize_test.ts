/**
 * lib/cli/tokenize.ts against `node:util` `parseArgs` itself (strict,
 * positionals allowed): the same values and positionals, or the same
 * refusal, for every command line in a generated grid. A refusal is compared
 * through Node's code and message, written here from the structured error,
 * so the error holds everything Node's sentence says.
 */
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import {
  TokenError,
  tokenize,
  type TokenOption,
} from "../../lib/cli/tokenize.ts";

const OPTIONS: Record<string, TokenOption> = {
  profile: { type: "string" },
  region: { type: "string", short: "r" },
  force: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
};

const WORDS = [
  "--profile",
  "--profile=work",
  "--profile=",
  "--profile=-x",
  "work",
  "-",
  "--",
  "--force",
  "--force=yes",
  "-q",
  "-qh",
  "-qr",
  "-r",
  "-reu-west-1",
  "-hq",
  "-x",
  "--nope",
  "--nope=1",
  "-qx",
  "123456",
  "-1",
  "--region",
  "eu-west-1",
  "-r-x",
];

/** `--name` or `-n, --name` as Node's messages show an option. */
function display(name: string): string {
  const short = OPTIONS[name].short;
  return short === undefined ? `--${name}` : `-${short}, --${name}`;
}

/** Node's code and message for what `error` says. */
function nodeError(error: TokenError): { code: string; message: string } {
  const { kind, flag, option } = error;
  const invalid = "ERR_PARSE_ARGS_INVALID_OPTION_VALUE";
  switch (kind) {
    case "unknown-option":
      assert.equal(option, undefined);
      return {
        code: "ERR_PARSE_ARGS_UNKNOWN_OPTION",
        message:
          `Unknown option '${flag}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "${flag}"`,
      };
    case "missing-value":
      return {
        code: invalid,
        message: `Option '${display(option!)} <value>' argument missing`,
      };
    case "value-for-boolean":
      return {
        code: invalid,
        message: `Option '${display(option!)}' does not take an argument`,
      };
    case "ambiguous-value": {
      const example = flag.startsWith("--")
        ? `'--${option}=-XYZ'`
        : `'--${option}=-XYZ' or '${flag}-XYZ'`;
      return {
        code: invalid,
        message:
          `Option '${flag}' argument is ambiguous.\nDid you forget to specify the option argument for '${flag}'?\nTo specify an option argument starting with a dash use ${example}.`,
      };
    }
  }
}

function outcome(
  run: () => { values: object; positionals: string[] },
  fromError: (error: unknown) => { code?: string; message: string },
) {
  try {
    const { values, positionals } = run();
    return { values: { ...values }, positionals };
  } catch (error) {
    return fromError(error);
  }
}

function ourError(error: unknown) {
  assert.ok(error instanceof TokenError, String(error));
  return nodeError(error);
}

function theirError(error: unknown) {
  return {
    code: (error as { code?: string }).code,
    message: (error as Error).message,
  };
}

Deno.test("tokenize agrees with node:util parseArgs on every 1-, 2- and 3-word line", () => {
  let compared = 0;
  const lines: string[][] = [[]];
  for (const a of WORDS) {
    lines.push([a]);
    for (const b of WORDS) {
      lines.push([a, b]);
      for (const c of WORDS) lines.push([a, b, c]);
    }
  }
  for (const args of lines) {
    const ours = outcome(() => tokenize(args, OPTIONS), ourError);
    const node = outcome(() =>
      parseArgs({
        args,
        options: OPTIONS,
        strict: true,
        allowPositionals: true,
      }), theirError);
    assert.deepEqual(ours, node, JSON.stringify(args));
    compared++;
  }
  assert.equal(
    compared,
    1 + WORDS.length + WORDS.length ** 2 + WORDS.length ** 3,
  );
});

Deno.test("tokenize's values have no prototype to collide with", () => {
  assert.throws(
    () => tokenize(["--constructor"], OPTIONS),
    { kind: "unknown-option", flag: "--constructor" },
  );
  assert.throws(
    () => tokenize(["--__proto__=x"], OPTIONS),
    { kind: "unknown-option", flag: "--__proto__" },
  );
});

Deno.test("tokenize's refusals name the kind, the flag as typed and the option", () => {
  const cases: [string[], Partial<TokenError>][] = [
    [["--nope=1"], { kind: "unknown-option", flag: "--nope" }],
    [["-qx"], { kind: "unknown-option", flag: "-x" }],
    [["--profile"], {
      kind: "missing-value",
      flag: "--profile",
      option: "profile",
    }],
    [["-r"], { kind: "missing-value", flag: "-r", option: "region" }],
    [["-qr"], { kind: "missing-value", flag: "-r", option: "region" }],
    [["-r", "-x"], { kind: "ambiguous-value", flag: "-r", option: "region" }],
    [["--force=yes"], {
      kind: "value-for-boolean",
      flag: "--force",
      option: "force",
    }],
    [["--help="], {
      kind: "value-for-boolean",
      flag: "--help",
      option: "help",
    }],
  ];
  for (const [args, expected] of cases) {
    assert.throws(() => tokenize(args, OPTIONS), expected, args.join(" "));
  }
});
