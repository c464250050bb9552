import assert from "node:assert/strict";
import {
  describeTime,
  formatRemaining,
  rfc3339,
  utcMinute,
} from "../../lib/shared/time.ts";

Deno.test("formatting", () => {
  assert.equal(formatRemaining((11 * 60 + 58) * 60_000 + 59_000), "11h 58m");
  assert.equal(formatRemaining(5 * 60_000), "5m");
  assert.equal(formatRemaining(42_000), "42s");
  assert.equal(
    rfc3339(new Date("2026-11-29T02:13:00.123Z")),
    "2026-11-29T02:13:00Z",
  );
  assert.equal(
    utcMinute(new Date("2026-11-29T02:13:59Z")),
    "2026-11-29 02:13 UTC",
  );
  // Local time, then UTC; once when local time is UTC.
  assert.match(
    describeTime(new Date("2026-11-29T02:13:00Z"), -60),
    /^\d{4}-\d\d-\d\d \d\d:\d\d \(2026-11-29 02:13 UTC\)$/,
  );
  assert.equal(
    describeTime(new Date("2026-11-29T02:13:00Z"), 0),
    "2026-11-29 02:13 UTC",
  );
  // Whole hours read 12h, not 12h 0m.
  assert.equal(formatRemaining(12 * 3600_000), "12h");
  assert.equal(formatRemaining(3600_000 + 59_000), "1h");
  assert.equal(formatRemaining(3600_000 + 60_000), "1h 1m");
});
