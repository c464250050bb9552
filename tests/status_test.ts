/**
 * lib/status.ts: which sections are awsmfa's, how long each is valid, and
 * the table and JSON shapes.
 */
import assert from "node:assert/strict";
import { parseIni, readProfiles } from "../lib/ini.ts";
import { managedProfiles, statusJson, statusTable } from "../lib/status.ts";

const NOW = new Date("2026-11-29T03:00:00Z");

const FILE = [
  "[work]",
  "aws_access_key_id = AKIAEXAMPLEWORK00001",
  "aws_secret_access_key = longTermSecret",
  "",
  "[mfa]",
  "aws_access_key_id = ASIAEXAMPLESESSION01",
  "aws_secret_access_key = sessionSecret",
  "aws_session_token = tokenOne",
  "x_security_token_expires = 2026-11-29T14:58:30Z",
  "awsmfa_source_profile = work",
  "awsmfa_serial = arn:aws:iam::123456789012:mfa/alice",
  "",
  "[foreign-session]",
  "aws_access_key_id = ASIAFOREIGNSESSION01",
  "aws_secret_access_key = foreignSecret",
  "aws_session_token = foreignToken",
  "x_security_token_expires = 2026-11-29T10:00:00Z",
  "",
  "[old]",
  "aws_access_key_id = ASIAEXAMPLESESSION02",
  "aws_secret_access_key = sessionSecret2",
  "aws_session_token = tokenTwo",
  "x_security_token_expires = 2026-11-28T20:00:00Z",
  "awsmfa_source_profile = personal",
  "awsmfa_serial = GAHT12345678",
  "",
  "[undated]",
  "aws_access_key_id = ASIAEXAMPLESESSION03",
  "aws_secret_access_key = sessionSecret3",
  "aws_session_token = tokenThree",
  "awsmfa_source_profile = work",
  "awsmfa_serial = arn:aws:iam::123456789012:mfa/alice",
  "",
].join("\n");

const rows = () =>
  managedProfiles(readProfiles(parseIni(FILE), "credentials"), NOW);

Deno.test("managedProfiles lists only awsmfa's sections, in file order, with time left", () => {
  assert.deepEqual(rows(), [
    {
      profile: "mfa",
      sourceProfile: "work",
      serial: "arn:aws:iam::123456789012:mfa/alice",
      expiration: new Date("2026-11-29T14:58:30Z"),
      remainingMs: (11 * 60 + 58) * 60_000 + 30_000,
    },
    {
      profile: "old",
      sourceProfile: "personal",
      serial: "GAHT12345678",
      expiration: new Date("2026-11-28T20:00:00Z"),
      remainingMs: 0,
    },
    {
      profile: "undated",
      sourceProfile: "work",
      serial: "arn:aws:iam::123456789012:mfa/alice",
    },
  ]);
});

Deno.test("statusTable: aligned columns, remaining as 11h 58m, expired or unknown", () => {
  const table = statusTable(rows());
  const lines = table.trimEnd().split("\n");
  assert.equal(lines.length, 4);
  assert.match(
    lines[0],
    /^PROFILE +SOURCE +SERIAL +EXPIRES \(LOCAL\) +REMAINING$/,
  );
  assert.match(
    lines[1],
    /^mfa +work +arn:aws:iam::123456789012:mfa\/alice +\d{4}-\d\d-\d\d \d\d:\d\d +11h 58m$/,
  );
  assert.match(
    lines[2],
    /^old +personal +GAHT12345678 +\d{4}-\d\d-\d\d \d\d:\d\d +expired$/,
  );
  assert.match(lines[3], /^undated +work +\S+ +unknown +unknown$/);
  // Every column starts where its heading does.
  assert.equal(lines[1].indexOf("work"), lines[0].indexOf("SOURCE"));
  assert.equal(lines[2].indexOf("GAHT"), lines[0].indexOf("SERIAL"));
  assert.equal(lines[3].indexOf("unknown"), lines[0].indexOf("EXPIRES"));
  assert.equal(lines[2].indexOf("expired"), lines[0].indexOf("REMAINING"));
  assert.ok(!table.includes("sessionSecret"));
  assert.ok(!table.includes("tokenOne"));
});

Deno.test("statusJson: the same rows as an array", () => {
  const parsed = JSON.parse(statusJson(rows()));
  assert.equal(parsed.length, 3);
  assert.deepEqual(parsed[0], {
    profile: "mfa",
    sourceProfile: "work",
    serial: "arn:aws:iam::123456789012:mfa/alice",
    expiration: "2026-11-29T14:58:30Z",
    expiresLocal: parsed[0].expiresLocal,
    remainingSeconds: (11 * 60 + 58) * 60 + 30,
    expired: false,
  });
  assert.match(parsed[0].expiresLocal, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  assert.equal(parsed[1].expired, true);
  assert.equal(parsed[1].remainingSeconds, 0);
  assert.equal(parsed[2].expiration, null);
  assert.equal(parsed[2].remainingSeconds, null);
  assert.equal(parsed[2].expired, false);
  assert.equal(statusJson([]), "[]\n");
  assert.ok(!statusJson(rows()).includes("tokenOne"));
});
