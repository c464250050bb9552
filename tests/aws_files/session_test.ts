import assert from "node:assert/strict";
import {
  ADDED_KEY,
  addedOf,
  addedValue,
  expiresAt,
  isManaged,
  MANAGED_KEYS,
  remainingValidity,
  sessionSection,
} from "../../lib/aws_files/session.ts";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const NOW = new Date("2026-11-28T12:00:00Z");

function managed(expires: string, source = "work", serial = SERIAL) {
  return {
    aws_access_key_id: "ASIAEXAMPLE",
    aws_secret_access_key: "secret",
    aws_session_token: "token==",
    x_security_token_expires: expires,
    awsmfa_source_profile: source,
    awsmfa_serial: serial,
  };
}

Deno.test("sessionSection writes every managed key, expiry in RFC 3339 UTC", () => {
  const values = sessionSection(
    {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token==",
      expiration: new Date("2026-11-29T00:00:00.000Z"),
    },
    "work",
    SERIAL,
  );
  assert.deepEqual(Object.keys(values), [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "x_security_token_expires",
    "awsmfa_source_profile",
    "awsmfa_serial",
  ]);
  assert.equal(values.x_security_token_expires, "2026-11-29T00:00:00Z");
  assert.equal(values.aws_session_token, "token==");
  assert.equal(values.awsmfa_source_profile, "work");
  assert.equal(values.awsmfa_serial, SERIAL);
});

Deno.test("sessionSection of a role session adds awsmfa_role_arn, the last managed key before awsmfa_added", () => {
  const values = sessionSection(
    {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token==",
      expiration: new Date("2026-11-29T00:00:00.000Z"),
    },
    "work",
    SERIAL,
    "arn:aws:iam::111122223333:role/admin",
  );
  assert.deepEqual(Object.keys(values), [
    ...MANAGED_KEYS.filter((key) => key !== ADDED_KEY),
  ]);
  assert.equal(MANAGED_KEYS.at(-1), ADDED_KEY);
  assert.equal(values.awsmfa_role_arn, "arn:aws:iam::111122223333:role/admin");
});

Deno.test("addedValue records what awsmfa created, and keeps what an earlier write recorded", () => {
  const made = managed("2026-11-29T00:00:00Z");
  // A first write: the section is new; the config section maybe too.
  assert.equal(addedValue(undefined, true), "credentials config");
  assert.equal(addedValue(undefined, false), "credentials");
  // A section that was there (empty, or another tool's session).
  assert.equal(addedValue({}, false), "keys");
  assert.equal(addedValue({ aws_session_token: "t" }, true), "config");
  // A refresh keeps the record; a config section added now joins it.
  assert.equal(addedValue({ ...made, [ADDED_KEY]: "keys" }, true), "config");
  assert.equal(
    addedValue({ ...made, [ADDED_KEY]: "credentials config" }, false),
    "credentials config",
  );
  // Written before awsmfa kept the record: its own only if nothing else is.
  assert.equal(addedValue(made, false), "credentials");
  assert.equal(addedValue({ ...made, region: "x" }, false), "keys");
});

Deno.test("addedOf reads the record, and nothing from a value it does not know", () => {
  assert.deepEqual(addedOf({ [ADDED_KEY]: "credentials config" }), {
    credentials: true,
    config: true,
  });
  assert.deepEqual(addedOf({ [ADDED_KEY]: " keys " }), {
    credentials: false,
    config: false,
  });
  assert.deepEqual(addedOf({ [ADDED_KEY]: "config" }), {
    credentials: false,
    config: true,
  });
  for (const value of ["", "yes", "config, everything"]) {
    assert.equal(addedOf({ [ADDED_KEY]: value }), undefined, value);
  }
  assert.equal(addedOf({}), undefined);
  assert.equal(addedOf(undefined), undefined);
});

Deno.test("isManaged needs awsmfa's own keys and a session token", () => {
  assert.equal(isManaged(managed("2026-11-29T00:00:00Z")), true);
  assert.equal(isManaged({ aws_session_token: "t" }), false);
  assert.equal(isManaged(undefined), false);
  const { aws_session_token: _, ...withoutToken } = managed(
    "2026-11-29T00:00:00Z",
  );
  assert.equal(isManaged(withoutToken), false);
});

Deno.test("remainingValidity", async (t) => {
  await t.step("valid for more than 15 minutes: the remaining time", () => {
    assert.equal(
      remainingValidity(managed("2026-11-28T13:00:00Z"), "work", SERIAL, NOW),
      3600_000,
    );
  });
  await t.step("15 minutes or less, or expired: refresh", () => {
    assert.equal(
      remainingValidity(managed("2026-11-28T12:15:00Z"), "work", SERIAL, NOW),
      undefined,
    );
    assert.equal(
      remainingValidity(managed("2026-11-28T12:15:01Z"), "work", SERIAL, NOW),
      901_000,
    );
    assert.equal(
      remainingValidity(managed("2026-11-28T11:00:00Z"), "work", SERIAL, NOW),
      undefined,
    );
  });
  await t.step("a role session counts only for the same role", () => {
    const admin = "arn:aws:iam::111122223333:role/admin";
    const roleSection = {
      ...managed("2026-11-28T13:00:00Z"),
      awsmfa_role_arn: admin,
    };
    const args = ["work", SERIAL, NOW, 15 * 60_000] as const;
    assert.equal(remainingValidity(roleSection, ...args, admin), 3600_000);
    assert.equal(remainingValidity(roleSection, ...args), undefined);
    assert.equal(
      remainingValidity(roleSection, ...args, `${admin}2`),
      undefined,
    );
    assert.equal(
      remainingValidity(managed("2026-11-28T13:00:00Z"), ...args, admin),
      undefined,
    );
  });
  await t.step("another source, serial, or a foreign section: refresh", () => {
    assert.equal(
      remainingValidity(
        managed("2026-11-28T18:00:00Z", "other"),
        "work",
        SERIAL,
        NOW,
      ),
      undefined,
    );
    assert.equal(
      remainingValidity(
        managed("2026-11-28T18:00:00Z", "work", "GAHT12345678"),
        "work",
        SERIAL,
        NOW,
      ),
      undefined,
    );
    assert.equal(
      remainingValidity(
        {
          aws_session_token: "t",
          x_security_token_expires: "2026-11-28T18:00:00Z",
        },
        "work",
        SERIAL,
        NOW,
      ),
      undefined,
    );
  });
  await t.step("garbage expiry: refresh", () => {
    assert.equal(
      remainingValidity(managed("tomorrow"), "work", SERIAL, NOW),
      undefined,
    );
    assert.equal(expiresAt(managed("2026-13-45T99:00:00Z")), undefined);
  });
  await t.step("custom threshold", () => {
    assert.equal(
      remainingValidity(
        managed("2026-11-28T13:00:00Z"),
        "work",
        SERIAL,
        NOW,
        2 * 3600_000,
      ),
      undefined,
    );
  });
});
