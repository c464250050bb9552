/**
 * lib/commands/status_table.ts: which sections are awsmfa's, how long each is valid, which
 * role a role session is for, and the table and JSON shapes.
 */
import assert from "node:assert/strict";
import { readProfiles } from "../../lib/aws_files/botocore.ts";
import { parseIni, serializeIni } from "../../lib/aws_files/document.ts";
import { setKeys } from "../../lib/aws_files/edit.ts";
import { sessionSection } from "../../lib/aws_files/session.ts";
import {
  managedProfiles,
  statusJson,
  statusTable,
} from "../../lib/commands/status_table.ts";

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
    roleArn: null,
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

const ROLE_ARN = "arn:aws:iam::111122223333:role/admin";

/** FILE with a role session written the way the default command writes one. */
function withRoleSession(): string {
  const role = sessionSection(
    {
      accessKeyId: "ASIAEXAMPLEROLESESS1",
      secretAccessKey: "roleSecret",
      sessionToken: "roleToken==",
      expiration: new Date("2026-11-29T03:59:00Z"),
    },
    "work",
    "arn:aws:iam::123456789012:mfa/alice",
    ROLE_ARN,
  );
  // A hand-emptied role key is no role.
  const blank = FILE.replace(
    "[undated]\n",
    "[undated]\nawsmfa_role_arn =\n",
  );
  return serializeIni(setKeys(parseIni(blank), "admin", role));
}

const roleRows = () =>
  managedProfiles(
    readProfiles(parseIni(withRoleSession()), "credentials"),
    NOW,
  );

Deno.test("managedProfiles gives the role of a role session, and no role for the others", () => {
  const found = roleRows();
  assert.deepEqual(found.map((row) => [row.profile, row.roleArn]), [
    ["mfa", undefined],
    ["old", undefined],
    ["undated", undefined],
    ["admin", ROLE_ARN],
  ]);
  assert.equal(found[3].remainingMs, 59 * 60_000);
  assert.equal(found[3].sourceProfile, "work");
  assert.equal("roleArn" in found[0], false);
  assert.equal("roleArn" in found[2], false);
});

Deno.test("statusTable: a ROLE column only when some row is a role session, - for MFA sessions", () => {
  assert.ok(!statusTable(rows()).includes("ROLE"));
  const table = statusTable(roleRows());
  const lines = table.trimEnd().split("\n");
  assert.equal(lines.length, 5);
  assert.match(
    lines[0],
    /^PROFILE +SOURCE +SERIAL +ROLE +EXPIRES \(LOCAL\) +REMAINING$/,
  );
  assert.match(
    lines[1],
    /^mfa +work +arn:aws:iam::123456789012:mfa\/alice +- +\d{4}-\d\d-\d\d \d\d:\d\d +11h 58m$/,
  );
  assert.match(lines[2], /^old +personal +GAHT12345678 +- +\S+ \S+ +expired$/);
  assert.match(lines[3], /^undated +work +\S+ +- +unknown +unknown$/);
  assert.match(
    lines[4],
    /^admin +work +arn:aws:iam::123456789012:mfa\/alice +arn:aws:iam::111122223333:role\/admin +\d{4}-\d\d-\d\d \d\d:\d\d +59m$/,
  );
  const column = lines[0].indexOf("ROLE");
  assert.equal(lines[1].indexOf(" - ") + 1, column);
  assert.equal(lines[4].indexOf(ROLE_ARN), column);
  assert.equal(lines[3].indexOf("unknown"), lines[0].indexOf("EXPIRES"));
  assert.equal(lines[4].indexOf("59m"), lines[0].indexOf("REMAINING"));
  assert.ok(!table.includes("roleSecret"));
  assert.ok(!table.includes("roleToken"));
});

Deno.test("statusJson: roleArn is the role of a role session, else null", () => {
  const parsed = JSON.parse(statusJson(roleRows()));
  assert.deepEqual(
    parsed.map((row: { profile: string; roleArn: unknown }) => [
      row.profile,
      row.roleArn,
    ]),
    [["mfa", null], ["old", null], ["undated", null], ["admin", ROLE_ARN]],
  );
  assert.deepEqual(Object.keys(parsed[3]), [
    "profile",
    "sourceProfile",
    "serial",
    "roleArn",
    "expiration",
    "expiresLocal",
    "remainingSeconds",
    "expired",
  ]);
  assert.equal(parsed[3].expiration, "2026-11-29T03:59:00Z");
  assert.equal(parsed[3].remainingSeconds, 59 * 60);
  assert.ok(!statusJson(roleRows()).includes("roleToken"));
});
