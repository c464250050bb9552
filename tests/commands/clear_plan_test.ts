/**
 * lib/commands/clear_plan.ts: clearing gives back the file as it was before awsmfa wrote
 * (every fixture of the INI corpus, with awsmfa's section at the end or in
 * the middle), refuses foreign sections, keeps what awsmfa did not write.
 */
import assert from "node:assert/strict";
import {
  configKeepReason,
  planConfig,
  planCredentials,
  removeOwnSection,
} from "../../lib/commands/clear_plan.ts";
import { LocalError } from "../../lib/shared/errors.ts";
import { readProfiles } from "../../lib/aws_files/botocore.ts";
import { parseIni, serializeIni } from "../../lib/aws_files/document.ts";
import { setKeys } from "../../lib/aws_files/edit.ts";
import { loadFile } from "../../lib/sessions/loaded_file.ts";
import {
  ADDED_KEY,
  MANAGED_KEYS,
  ROLE_KEY,
  sessionSection,
} from "../../lib/aws_files/session.ts";

const FIXTURES = new URL("../fixtures/ini/", import.meta.url);
const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
/** What the default command writes into a section it creates. */
const VALUES = {
  ...sessionSection(
    {
      accessKeyId: "ASIAEXAMPLESESSION01",
      secretAccessKey: "sessionSecret/abc+def",
      sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN//////wEaDEXAMPLE==",
      expiration: new Date("2026-11-29T15:00:00Z"),
    },
    "work",
    SERIAL,
  ),
  [ADDED_KEY]: "credentials config",
};

/** `text` with awsmfa's section written the way the default command writes it. */
function withSession(text: string, section = "mfa"): string {
  return serializeIni(setKeys(parseIni(text), section, VALUES));
}

function credentials(text: string) {
  return loadFile(text, "credentials", "credentials");
}

Deno.test("removeOwnSection undoes the default command on every fixture it can write to", async (t) => {
  let checked = 0;
  for await (const entry of Deno.readDir(FIXTURES)) {
    const original = await Deno.readTextFile(new URL(entry.name, FIXTURES));
    let written: string;
    try {
      written = withSession(original, "awsmfa-clear-test");
    } catch {
      continue; // a file awsmfa refuses to edit is never cleared either
    }
    await t.step(entry.name, () => {
      const cleared = serializeIni(
        removeOwnSection(parseIni(written), "awsmfa-clear-test"),
      );
      // Also a file that ended with an empty line: awsmfa adds one of its own.
      assert.equal(cleared, original);
    });
    checked++;
  }
  assert.ok(checked >= 20, `only ${checked} fixtures`);
});

Deno.test("removeOwnSection keeps sections added after it, and the comments that lead them", () => {
  const original = "# keys\r\n[work]\r\naws_access_key_id = AKIAX\r\n";
  const later = "\r\n; personal account\r\n[later]\r\nregion = x\r\n";
  const text = withSession(original) + later;
  const cleared = serializeIni(removeOwnSection(parseIni(text), "mfa"));
  assert.equal(cleared, original + later);
});

Deno.test("removeOwnSection at the top of a file takes the empty line after it", () => {
  const text = "[mfa]\naws_session_token = x\n\n[work]\nk = v\n";
  assert.equal(
    serializeIni(removeOwnSection(parseIni(text), "mfa")),
    "[work]\nk = v\n",
  );
  assert.equal(
    serializeIni(removeOwnSection(parseIni("[mfa]\nk = v"), "mfa")),
    "",
  );
});

Deno.test("removeOwnSection refuses when another section would read differently", () => {
  // "  [b]" is a header only because the key line before it is indented
  // deeper; after [mfa] goes, it would continue work's last value.
  const text = "[work]\nk = v\n[mfa]\n    key = x\n  [b]\nz = 1\n";
  assert.equal(readProfiles(parseIni(text), "credentials").has("b"), true);
  assert.throws(
    () => removeOwnSection(parseIni(text), "mfa"),
    (error) =>
      error instanceof LocalError &&
      /Cannot remove \[mfa\] without changing how the AWS CLI reads the rest/
        .test(error.message),
  );
});

const FILE = "[work]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n" +
  "\n[mfa]\n" +
  Object.entries(VALUES).map(([k, v]) => `${k} = ${v}\n`).join("") +
  "\n[other-mfa]\n" +
  Object.entries(VALUES).map(([k, v]) => `${k} = ${v}\n`).join("") +
  "\n[sso-made]\naws_access_key_id = ASIAX\naws_secret_access_key = y\naws_session_token = z\n";

Deno.test("planCredentials refuses a section awsmfa did not write, naming it, changing nothing", () => {
  for (const names of [["work"], ["mfa", "sso-made"], ["sso-made", "work"]]) {
    assert.throws(
      () => planCredentials(credentials(FILE), names, false, "/c"),
      (error) =>
        error instanceof LocalError &&
        /not written by awsmfa/.test(error.message) &&
        error.message.includes(`"${names.at(-1)}"`) &&
        !error.message.includes("AKIAX"),
    );
  }
});

Deno.test("planCredentials: awsmfa's keys in [DEFAULT] do not make a profile of long-term keys awsmfa's", () => {
  const text = "[DEFAULT]\nawsmfa_source_profile = x\nawsmfa_serial = s\n" +
    "aws_session_token = t\n\n" +
    "[work]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n";
  const all = planCredentials(credentials(text), [], true, "/c");
  assert.deepEqual(all.profiles, []);
  assert.equal(all.text, null);
  assert.throws(
    () => planCredentials(credentials(text), ["work"], false, "/c"),
    (error) =>
      error instanceof LocalError &&
      /"work" .* not written by awsmfa/.test(error.message),
  );
});

Deno.test("planCredentials removes named and --all sections, and notes absent ones", () => {
  const named = planCredentials(
    credentials(FILE),
    ["mfa", "gone"],
    false,
    "/c",
  );
  assert.deepEqual(
    named.profiles.map((p) => [p.profile, p.credentials]),
    [["mfa", "removed"], ["gone", "absent"]],
  );
  const left = readProfiles(parseIni(named.text!), "credentials");
  assert.deepEqual([...left.keys()], ["work", "other-mfa", "sso-made"]);

  const all = planCredentials(credentials(FILE), [], true, "/c");
  assert.deepEqual(all.profiles.map((p) => p.profile), ["mfa", "other-mfa"]);
  const rest = all.text!;
  assert.equal(
    rest,
    "[work]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n" +
      "\n[sso-made]\naws_access_key_id = ASIAX\naws_secret_access_key = y\naws_session_token = z\n",
  );
  const none = planCredentials(credentials("[work]\nk = v\n"), [], true, "/c");
  assert.equal(none.text, null);
  assert.deepEqual(none.profiles, []);
});

Deno.test("planCredentials removes only awsmfa's keys from a section that holds others", () => {
  const text = withSession("[work]\nk = v\n").replace(
    "[mfa]\n",
    "[mfa]\n# my note\nregion = eu-west-1\n",
  );
  const plan = planCredentials(credentials(text), ["mfa"], false, "/c");
  assert.equal(plan.profiles[0].credentials, "keys");
  assert.deepEqual(plan.profiles[0].keptKeys, ["region"]);
  assert.equal(
    plan.text,
    "[work]\nk = v\n\n[mfa]\n# my note\nregion = eu-west-1\n",
  );
});

const CONFIG = "[profile work]\nregion = eu-west-1\noutput = json\n" +
  "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n" +
  "[profile mfa]\nregion = eu-west-1\noutput = json\n";

Deno.test("planConfig removes [profile X] only while it holds just what awsmfa copied", async (t) => {
  const cleared = planCredentials(credentials(FILE), ["mfa"], false, "/c")
    .profiles;
  await t.step("as awsmfa wrote it", () => {
    const plan = planConfig(loadFile(CONFIG, "config", "config"), cleared);
    assert.deepEqual(plan.removed, ["mfa"]);
    assert.equal(
      plan.text,
      "[profile work]\nregion = eu-west-1\noutput = json\n" +
        "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
    );
  });
  const kept: [string, RegExp][] = [
    [
      CONFIG + "cli_pager =\n",
      /settings awsmfa would not copy there from profile "work" \(cli_pager\)/,
    ],
    [
      CONFIG.replace(
        /\[profile mfa\]\nregion = eu-west-1/,
        "[profile mfa]\nregion = us-east-2",
      ),
      /\(region\)/,
    ],
    [
      CONFIG.replace(/\[profile mfa\]\n/, "[profile mfa]\n# mine\n"),
      /it has comments/,
    ],
  ];
  for (const [text, reason] of kept) {
    await t.step(`keeps: ${reason}`, () => {
      const plan = planConfig(loadFile(text, "config", "config"), cleared);
      assert.deepEqual(plan.removed, []);
      assert.equal(plan.text, null);
      assert.match(plan.kept.get("mfa")!, reason);
    });
  }
  await t.step("[default] like every other profile", () => {
    const file = loadFile(
      "[profile work]\nregion = eu-west-1\n\n[default]\nregion = eu-west-1\n",
      "config",
      "config",
    );
    assert.equal(configKeepReason(file, "default", "work"), undefined);
    const entry = { ...cleared[0], profile: "default" };
    const plan = planConfig(file, [entry]);
    assert.deepEqual(plan.removed, ["default"]);
    assert.equal(plan.text, "[profile work]\nregion = eu-west-1\n");
    const before = planConfig(file, [{ ...entry, addedConfig: false }]);
    assert.equal(before.text, null);
    assert.match(before.kept.get("default")!, /there before awsmfa wrote/);
  });
  await t.step("also when the credentials section kept keys", () => {
    const plan = planConfig(loadFile(CONFIG, "config", "config"), [
      { ...cleared[0], credentials: "keys", keptKeys: ["region"] },
    ]);
    assert.deepEqual(plan.removed, ["mfa"]);
  });
  await t.step("never one that was there before, or not recorded", () => {
    // aws-vault's tests keep an empty [profile root] that others point at.
    const config = "[profile root]\n\n[profile foo]\nsource_profile = root\n";
    for (const addedConfig of [false, undefined]) {
      const plan = planConfig(loadFile(config, "config", "config"), [
        { ...cleared[0], profile: "root", addedConfig },
      ]);
      assert.equal(plan.text, null);
      assert.match(
        plan.kept.get("root")!,
        addedConfig === false ? /there before/ : /did not record adding it/,
      );
    }
  });
});

const ROLE_ARN = "arn:aws:iam::111122223333:role/admin";
const ROLE_VALUES = sessionSection(
  {
    accessKeyId: "ASIAEXAMPLEROLESESS1",
    secretAccessKey: "roleSecret/abc+def",
    sessionToken: "FwoGZXIvYXdzEXAMPLEROLETOKEN==",
    expiration: new Date("2026-11-29T05:00:00Z"),
  },
  "work",
  SERIAL,
  ROLE_ARN,
);

Deno.test("clearing a role session's profile removes awsmfa_role_arn with the other managed keys", async (t) => {
  assert.equal(ROLE_VALUES[ROLE_KEY], ROLE_ARN);
  const original =
    "[work]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n";
  const written = serializeIni(
    setKeys(parseIni(original), "admin", ROLE_VALUES),
  );
  assert.ok(written.includes(`${ROLE_KEY} = ${ROLE_ARN}`));
  await t.step("the whole section goes and the file is as before", () => {
    const plan = planCredentials(credentials(written), ["admin"], false, "/c");
    assert.deepEqual(plan.profiles, [{
      profile: "admin",
      credentials: "removed",
      keptKeys: [],
      sourceProfile: "work",
      roleArn: ROLE_ARN,
    }]);
    assert.equal(plan.text, original);
  });
  await t.step("--all finds role sessions too", () => {
    const both = withSession(written);
    const plan = planCredentials(credentials(both), [], true, "/c");
    assert.deepEqual(plan.profiles.map((p) => [p.profile, p.credentials]), [
      ["admin", "removed"],
      ["mfa", "removed"],
    ]);
    assert.equal(plan.text, original);
  });
  await t.step(
    "with a key of the user's, only awsmfa's keys go, the role's too",
    () => {
      const mixed = written.replace(
        "[admin]\n",
        "[admin]\nregion = eu-west-1\n",
      );
      const plan = planCredentials(credentials(mixed), ["admin"], false, "/c");
      assert.equal(plan.profiles[0].credentials, "keys");
      assert.deepEqual(plan.profiles[0].keptKeys, ["region"]);
      assert.equal(plan.text, original + "\n[admin]\nregion = eu-west-1\n");
      const left = readProfiles(parseIni(plan.text!), "credentials").get(
        "admin",
      );
      assert.deepEqual(left, { region: "eu-west-1" });
      const section = plan.text!.slice(plan.text!.indexOf("[admin]"));
      for (const key of MANAGED_KEYS) {
        assert.ok(!section.includes(`${key} =`), key);
      }
    },
  );
});

Deno.test("clear removes the config section of a role session whose region and output came from the role profile", async (t) => {
  const config = "[profile work]\nregion = eu-west-1\n\n" +
    `[profile admin]\nrole_arn = ${ROLE_ARN}\nsource_profile = work\nregion = us-east-2\noutput = json\n`;
  const cleared = {
    profile: "admin-mfa",
    credentials: "removed" as const,
    keptKeys: [],
    addedConfig: true,
    sourceProfile: "work",
    roleArn: ROLE_ARN,
  };
  await t.step("copied from the role profile: removed", () => {
    const file = loadFile(
      config + "\n[profile admin-mfa]\nregion = us-east-2\noutput = json\n",
      "config",
      "config",
    );
    const plan = planConfig(file, [cleared]);
    assert.deepEqual(plan.removed, ["admin-mfa"]);
    assert.equal(plan.text, config);
  });
  await t.step("changed by the user since: kept, saying why", () => {
    const file = loadFile(
      config + "\n[profile admin-mfa]\nregion = ap-south-1\noutput = json\n",
      "config",
      "config",
    );
    const plan = planConfig(file, [cleared]);
    assert.deepEqual(plan.removed, []);
    assert.match(plan.kept.get("admin-mfa")!, /\(region\)/);
  });
  await t.step("another role's profile does not count", () => {
    const file = loadFile(
      config + "\n[profile admin-mfa]\nregion = us-east-2\noutput = json\n",
      "config",
      "config",
    );
    const plan = planConfig(file, [{ ...cleared, roleArn: `${ROLE_ARN}2` }]);
    assert.deepEqual(plan.removed, []);
  });
});
