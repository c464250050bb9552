/**
 * lib/sessions/replace.ts: what a write replaces in the target profile, and
 * which config keys awsmfa had copied for it.
 */

import assert from "node:assert/strict";
import { replacedSession } from "../../lib/sessions/replace.ts";
import type { SessionSubject } from "../../lib/sessions/role.ts";
import type { ProfileKeys } from "../../lib/aws_files/settings.ts";

const ROLE = "arn:aws:iam::111122223333:role/admin";
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";

/** The target's credentials section holding a role session awsmfa made from "work". */
const STORED: ProfileKeys = {
  aws_access_key_id: "ASIAEXAMPLETEMPKEY12",
  aws_secret_access_key: "secret",
  aws_session_token: "token",
  x_security_token_expires: "2026-11-29T17:53:00Z",
  awsmfa_source_profile: "work",
  awsmfa_serial: SERIAL,
  awsmfa_role_arn: ROLE,
};

const PERSONAL: SessionSubject = {
  source: "personal",
  config: { region: "ap-south-1" },
  serial: "arn:aws:iam::999999999999:mfa/alice",
};

function copyRegion(config: ProfileKeys | undefined): Record<string, string> {
  return config?.["region"] ? { region: config["region"] } : {};
}

Deno.test("replacedSession: a role session's copied keys come from its one role profile", () => {
  const config = new Map<string, ProfileKeys>([
    ["work", { region: "us-east-1" }],
    ["admin", { role_arn: ROLE, source_profile: "work", region: "eu-west-1" }],
  ]);
  const replaced = replacedSession(STORED, PERSONAL, config, copyRegion);
  assert.deepEqual(replaced?.copied, { region: "eu-west-1" });
  assert.equal(replaced?.roleArn, ROLE);
  assert.equal(replaced?.source, "work");
});

Deno.test("replacedSession: with two role profiles for the role, the session is the source's, as findSubject reads it", () => {
  // findSubject reads this target as the role assumed from "work" itself
  // when two role profiles match (it cannot tell which): what awsmfa copied
  // for it is then the source's config, not the first role profile's.
  const config = new Map<string, ProfileKeys>([
    ["work", { region: "us-east-1" }],
    ["admin", { role_arn: ROLE, source_profile: "work", region: "eu-west-1" }],
    ["admin2", {
      role_arn: ROLE,
      source_profile: "work",
      region: "us-west-2",
    }],
  ]);
  const replaced = replacedSession(STORED, PERSONAL, config, copyRegion);
  assert.deepEqual(replaced?.copied, { region: "us-east-1" });
});
