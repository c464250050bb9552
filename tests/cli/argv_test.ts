/**
 * lib/argv.ts against `node:util` `parseArgs` itself (strict, positionals
 * allowed): the same values and positionals, or the same error code and
 * message, for every command line in a generated grid.
 */
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { type ArgvOption, parseArgv } from "../../lib/cli/argv.ts";

const OPTIONS: Record<string, ArgvOption> = {
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

function outcome(run: () => { values: object; positionals: string[] }) {
  try {
    const { values, positionals } = run();
    return { values: { ...values }, positionals };
  } catch (error) {
    return {
      code: (error as { code?: string }).code,
      message: (error as Error).message,
    };
  }
}

Deno.test("parseArgv agrees with node:util parseArgs on every 1-, 2- and 3-word line", () => {
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
    const ours = outcome(() => parseArgv(args, OPTIONS));
    const node = outcome(() =>
      parseArgs({
        args,
        options: OPTIONS,
        strict: true,
        allowPositionals: true,
      })
    );
    assert.deepEqual(ours, node, JSON.stringify(args));
    compared++;
  }
  assert.equal(
    compared,
    1 + WORDS.length + WORDS.length ** 2 + WORDS.length ** 3,
  );
});

Deno.test("parseArgv's values have no prototype to collide with", () => {
  assert.throws(
    () => parseArgv(["--constructor"], OPTIONS),
    { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" },
  );
  assert.throws(
    () => parseArgv(["--__proto__=x"], OPTIONS),
    { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" },
  );
});
