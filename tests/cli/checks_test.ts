/** lib/cli/checks.ts: session lengths, read and refused. */
import assert from "node:assert/strict";
import { parseArguments } from "../../lib/cli/args.ts";
import { parseDuration } from "../../lib/cli/checks.ts";
import { usageErrorOf } from "../support/usage.ts";

const REFRESH_DEFAULTS = { command: "refresh", force: false, quiet: false };

Deno.test("parseDuration reads seconds and unit forms", async (t) => {
  const cases: [string, number][] = [
    ["43200", 43200],
    ["900", 900],
    ["129600", 129600],
    ["0900", 900],
    ["12h", 43200],
    ["90m", 5400],
    ["1h30m", 5400],
    ["900s", 900],
    ["15m", 900],
    ["1d", 86400],
    ["1d12h", 129600],
    ["36h", 129600],
    ["2h0m30s", 7230],
  ];
  for (const [text, seconds] of cases) {
    await t.step(text, () => assert.equal(parseDuration(text), seconds));
  }
});

Deno.test("parseDuration refuses bounds and malformed forms", async (t) => {
  const outOfRange = [
    "899",
    "129601",
    "0",
    "14m59s",
    "36h1s",
    "2d",
    "99999999999999999999",
  ];
  for (const text of outOfRange) {
    await t.step(`out of range: ${text}`, () => {
      assert.throws(() => parseDuration(text), {
        name: "UsageError",
        message:
          "Option --duration-seconds must be between 900 and 129600 seconds (15m to 36h).",
      });
    });
  }
  const malformed = [
    "",
    "h",
    "1.5h",
    "-900",
    "12H",
    "30m1h",
    " 900",
    "1h 30m",
    "0x384",
    "1e4",
    "12 h",
    "1w",
  ];
  for (const text of malformed) {
    await t.step(`malformed: ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseDuration(text), {
        name: "UsageError",
        message:
          "Option --duration-seconds takes seconds (43200) or a length like 12h, 90m or 1h30m.",
      });
    });
  }
  await t.step("through parseArguments", () => {
    for (const text of ["899", "129601"]) {
      assert.match(
        usageErrorOf(["--duration-seconds", text]).message,
        /between 900 and 129600/,
      );
    }
    assert.deepEqual(parseArguments(["--duration-seconds", "129600"]), {
      ...REFRESH_DEFAULTS,
      durationSeconds: 129600,
    });
  });
});
