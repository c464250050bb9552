/**
 * lib/sessions/role.ts: whose keys, which device and which role a run uses — from
 * flags, from a role profile of the config file, or both (flags win) — and
 * every refusal with its class, exit code and sentence. External ids are
 * never repeated in a message.
 */
import assert from "node:assert/strict";
import { parseArguments } from "../../lib/cli/args.ts";
import {
  AwsmfaError,
  ExitCode,
  LocalError,
  UsageError,
} from "../../lib/shared/errors.ts";
import { readProfiles } from "../../lib/aws_files/botocore.ts";
import { parseIni } from "../../lib/aws_files/document.ts";
import {
  CHAINED_MAX_SECONDS,
  configOrigin,
  defaultSessionName,
  MAX_ROLE_SECONDS,
  resolveSubject,
  type RoleFlags,
} from "../../lib/sessions/role.ts";
import type { EnvLookup, ProfileKeys } from "../../lib/aws_files/settings.ts";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const OTHER_SERIAL = "arn:aws:iam::123456789012:mfa/bob";
const ROLE = "arn:aws:iam::111122223333:role/admin";
const FLAG_ROLE = "arn:aws:iam::444455556666:role/ops/deploy";
const SECRET_ID = "Ext-Id:shh/41+secret";

const CONFIG = `
[profile work]
region = eu-west-1
mfa_serial = ${SERIAL}
mfa_process = pass otp work
role_session_name = ignored-on-a-plain-profile
external_id = ignored-on-a-plain-profile

[profile admin]
role_arn = ${ROLE}
source_profile = work

[profile admin-own]
role_arn = ${ROLE}
source_profile = work
mfa_serial = ${OTHER_SERIAL}
region = us-east-2
mfa_process = pass otp admin
output = json
external_id = ${SECRET_ID}
role_session_name = alice-admin
duration_seconds = 7200

[profile admin-blank]
role_arn = ${ROLE}
source_profile = work
region =
mfa_serial =

[profile no-source]
role_arn = ${ROLE}
mfa_serial = ${SERIAL}

[profile instance]
role_arn = ${ROLE}
credential_source = Ec2InstanceMetadata
mfa_serial = ${SERIAL}

[profile self]
role_arn = ${ROLE}
source_profile = self
mfa_serial = ${SERIAL}

[profile second-hop]
role_arn = arn:aws:iam::111122223333:role/second
source_profile = admin
mfa_serial = ${SERIAL}

[profile bad-arn]
role_arn = arn:aws:iam::1111:role/admin
source_profile = work

[profile bad-name]
role_arn = ${ROLE}
source_profile = work
role_session_name = alice smith

[profile bad-id]
role_arn = ${ROLE}
source_profile = work
external_id = ${"x".repeat(1225)}
`;

const PROFILES = readProfiles(parseIni(CONFIG), "config");

function noEnv(values: Record<string, string> = {}): EnvLookup {
  return (name) => values[name];
}

function resolve(
  flags: RoleFlags,
  profiles: Map<string, ProfileKeys> = PROFILES,
  env: EnvLookup = noEnv(),
) {
  return resolveSubject(flags, profiles, env);
}

function withDuration(text: string): Map<string, ProfileKeys> {
  return readProfiles(
    parseIni(
      `[profile work]\nmfa_serial = ${SERIAL}\n\n` +
        `[profile r]\nrole_arn = ${ROLE}\nsource_profile = work\nduration_seconds = ${text}\n`,
    ),
    "config",
  );
}

/**
 * Asserts `fn` throws an error of `kind` with exit code `exitCode`, whose
 * message matches `pattern` and never contains the external id.
 */
function refuses(
  fn: () => unknown,
  kind: typeof UsageError | typeof LocalError,
  exitCode: number,
  pattern: RegExp,
): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof kind, `${error}`);
    assert.ok(error instanceof AwsmfaError);
    assert.equal(error.exitCode, exitCode);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(SECRET_ID), error.message);
    assert.ok(!error.message.includes("x".repeat(40)), error.message);
    assert.equal(error.message.split("\n").length, 1);
    return true;
  });
}

Deno.test("resolveSubject without a role: the named profile's keys and config, no role", async (t) => {
  await t.step("--profile", () => {
    const subject = resolve({ profile: "work" });
    assert.deepEqual(subject, {
      source: "work",
      config: PROFILES.get("work"),
      serial: SERIAL,
    });
    assert.equal("role" in subject, false);
  });
  await t.step("AWS_PROFILE, and --serial-number over mfa_serial", () => {
    const subject = resolve(
      { serialNumber: "GAHT12345678" },
      PROFILES,
      noEnv({ AWS_PROFILE: "work" }),
    );
    assert.equal(subject.source, "work");
    assert.equal(subject.serial, "GAHT12345678");
    assert.equal(subject.role, undefined);
  });
  await t.step(
    "a plain profile's role_session_name/external_id make no role",
    () => {
      assert.equal(resolve({ profile: "work" }).role, undefined);
    },
  );
  await t.step("a profile with no config section still needs a serial", () => {
    refuses(
      () => resolve({ profile: "nowhere" }),
      UsageError,
      ExitCode.Usage,
      /^Cannot find the MFA serial number: .*profile "nowhere"/,
    );
    assert.deepEqual(
      resolve({ profile: "nowhere", serialNumber: SERIAL }),
      { source: "nowhere", config: undefined, serial: SERIAL },
    );
  });
  await t.step("129600 s is allowed without a role", () => {
    const subject = resolve({ profile: "work", durationSeconds: 129600 });
    assert.equal(subject.role, undefined);
  });
});

Deno.test("resolveSubject with --role-arn and a plain profile", async (t) => {
  await t.step(
    "the profile is the source; default session name from the device",
    () => {
      const subject = resolve({ profile: "work", roleArn: FLAG_ROLE });
      assert.equal(subject.source, "work");
      assert.equal(subject.serial, SERIAL);
      assert.deepEqual(subject.config, PROFILES.get("work"));
      // The plain profile's role_session_name and external_id belong to no
      // role profile, so they are not used.
      assert.deepEqual(subject.role, {
        roleArn: FLAG_ROLE,
        roleSessionName: "awsmfa-alice",
      });
    },
  );
  await t.step("session name, external id and duration from the flags", () => {
    const subject = resolve({
      profile: "work",
      roleArn: FLAG_ROLE,
      roleSessionName: "deploy-bot",
      externalId: SECRET_ID,
      durationSeconds: 43200,
    });
    assert.deepEqual(subject.role, {
      roleArn: FLAG_ROLE,
      roleSessionName: "deploy-bot",
      externalId: SECRET_ID,
      durationSeconds: 43200,
    });
  });
  await t.step("a hardware serial names the default session", () => {
    const subject = resolve({
      profile: "work",
      roleArn: FLAG_ROLE,
      serialNumber: "GAHT12345678",
    });
    assert.equal(subject.role?.roleSessionName, "awsmfa-GAHT12345678");
  });
});

Deno.test("resolveSubject with a role profile: source_profile's keys, the role profile's settings first", async (t) => {
  await t.step(
    "a minimal role profile takes everything else from the source",
    () => {
      const subject = resolve({ profile: "admin" });
      assert.equal(subject.source, "work");
      assert.equal(subject.serial, SERIAL);
      assert.equal(subject.config?.region, "eu-west-1");
      assert.equal(subject.config?.mfa_process, "pass otp work");
      assert.deepEqual(subject.role, {
        roleArn: ROLE,
        roleSessionName: "awsmfa-alice",
        profile: "admin",
      });
    },
  );
  await t.step("the role profile's own keys win over the source's", () => {
    const subject = resolve({ profile: "admin-own" });
    assert.equal(subject.source, "work");
    assert.equal(subject.serial, OTHER_SERIAL);
    assert.equal(subject.config?.region, "us-east-2");
    assert.equal(subject.config?.mfa_process, "pass otp admin");
    assert.equal(subject.config?.output, "json");
    assert.deepEqual(subject.role, {
      roleArn: ROLE,
      roleSessionName: "alice-admin",
      externalId: SECRET_ID,
      durationSeconds: 7200,
      profile: "admin-own",
    });
  });
  await t.step(
    "empty keys in the role profile do not hide the source's",
    () => {
      const subject = resolve({ profile: "admin-blank" });
      assert.equal(subject.serial, SERIAL);
      assert.equal(subject.config?.region, "eu-west-1");
    },
  );
  await t.step("AWS_PROFILE may name the role profile", () => {
    const subject = resolve({}, PROFILES, noEnv({ AWS_PROFILE: "admin" }));
    assert.equal(subject.source, "work");
    assert.equal(subject.role?.profile, "admin");
  });
  await t.step("the source's config is not changed by the merge", () => {
    resolve({ profile: "admin-own" });
    assert.equal(PROFILES.get("work")?.region, "eu-west-1");
    assert.equal(PROFILES.get("work")?.mfa_serial, SERIAL);
  });
});

Deno.test("resolveSubject: flags win over the role profile", () => {
  const subject = resolve({
    profile: "admin-own",
    roleArn: FLAG_ROLE,
    roleSessionName: "from-flag",
    externalId: "flag-external-id",
    durationSeconds: 900,
    serialNumber: "GAHT12345678",
  });
  assert.equal(subject.source, "work");
  assert.equal(subject.serial, "GAHT12345678");
  assert.deepEqual(subject.role, {
    roleArn: FLAG_ROLE,
    roleSessionName: "from-flag",
    externalId: "flag-external-id",
    durationSeconds: 900,
    profile: "admin-own",
  });
  // A flag also wins over a config value that would be refused.
  assert.equal(
    resolve({ profile: "bad-arn", roleArn: FLAG_ROLE }).role?.roleArn,
    FLAG_ROLE,
  );
  assert.equal(
    resolve({ profile: "bad-name", roleSessionName: "ok-name" }).role
      ?.roleSessionName,
    "ok-name",
  );
  assert.equal(
    resolve({ profile: "bad-id", externalId: "ok-id" }).role?.externalId,
    "ok-id",
  );
  assert.equal(
    resolve({ profile: "r", durationSeconds: 3600 }, withDuration("abc")).role
      ?.durationSeconds,
    3600,
  );
});

Deno.test("malformed role ARN, session name and external id on the command line are usage errors", async (t) => {
  const cases: [string, string[], RegExp][] = [
    [
      "role ARN without a 12-digit account",
      ["--role-arn", "arn:aws:iam::1234:role/admin"],
      /^The role ARN of --role-arn is not valid: it must look like arn:aws:iam::123456789012:role\/NAME\.$/,
    ],
    [
      "a user ARN is no role ARN",
      ["--role-arn", "arn:aws:iam::123456789012:user/alice"],
      /^The role ARN of --role-arn is not valid/,
    ],
    [
      "a session name with a space",
      ["--role-arn", ROLE, "--role-session-name", "alice smith"],
      /^The role session name of --role-session-name is not valid: it must be 2 to 64 characters/,
    ],
    [
      "a session name of 65 characters",
      ["--role-arn", ROLE, "--role-session-name", "a".repeat(65)],
      /^The role session name of --role-session-name is not valid/,
    ],
    [
      "a one-character session name",
      ["--role-arn", ROLE, "--role-session-name", "a"],
      /^The role session name of --role-session-name is not valid/,
    ],
    [
      "an external id with a space",
      ["--role-arn", ROLE, "--external-id", `${SECRET_ID} x`],
      /^The external id of --external-id is not valid: it must be 2 to 1224 characters/,
    ],
    [
      "an external id of 1225 characters",
      ["--role-arn", ROLE, "--external-id", "x".repeat(1225)],
      /^The external id of --external-id is not valid/,
    ],
  ];
  for (const [name, argv, pattern] of cases) {
    for (const command of [[], ["exec"], ["credential-process"]]) {
      const tail = command[0] === "exec" ? ["--", "true"] : [];
      await t.step(`${name} (${command[0] ?? "default command"})`, () => {
        refuses(
          () =>
            parseArguments([...command, "--profile", "work", ...argv, ...tail]),
          UsageError,
          ExitCode.Usage,
          pattern,
        );
      });
    }
  }
  await t.step("well-formed values pass through to the options", () => {
    const options = parseArguments([
      "--role-arn",
      ROLE,
      "--role-session-name",
      "a.b@c=d,e+f_g-h",
      "--external-id",
      SECRET_ID,
    ]);
    assert.equal(options.command, "refresh");
    if (options.command !== "refresh") return;
    assert.equal(options.roleArn, ROLE);
    assert.equal(options.roleSessionName, "a.b@c=d,e+f_g-h");
    assert.equal(options.externalId, SECRET_ID);
  });
});

Deno.test("malformed role_arn, role_session_name and external_id in a role profile are usage errors naming the profile", () => {
  refuses(
    () => resolve({ profile: "bad-arn" }),
    UsageError,
    ExitCode.Usage,
    /^The role ARN in role_arn of profile "bad-arn" is not valid/,
  );
  refuses(
    () => resolve({ profile: "bad-name" }),
    UsageError,
    ExitCode.Usage,
    /^The role session name in role_session_name of profile "bad-name" is not valid/,
  );
  refuses(
    () => resolve({ profile: "bad-id" }),
    UsageError,
    ExitCode.Usage,
    /^The external id in external_id of profile "bad-id" is not valid/,
  );
});

Deno.test("role flags without a role are usage errors", () => {
  for (
    const [flags, flag] of [
      [{ roleSessionName: "alice" }, "--role-session-name"],
      [{ externalId: SECRET_ID }, "--external-id"],
      [
        { roleSessionName: "alice", externalId: SECRET_ID },
        "--role-session-name",
      ],
    ] as const
  ) {
    refuses(
      () => resolve({ profile: "work", ...flags }),
      UsageError,
      ExitCode.Usage,
      new RegExp(
        `^Option ${flag} needs a role: give --role-arn, or a --profile whose config section has role_arn\\.$`,
      ),
    );
  }
});

Deno.test("--duration-seconds above 43200 is refused with a role, allowed without", () => {
  assert.equal(MAX_ROLE_SECONDS, 43200);
  assert.equal(CHAINED_MAX_SECONDS, 3600);
  for (
    const flags of [{ roleArn: FLAG_ROLE, profile: "work" }, {
      profile: "admin",
    }]
  ) {
    refuses(
      () => resolve({ ...flags, durationSeconds: 43201 }),
      UsageError,
      ExitCode.Usage,
      /^Option --duration-seconds must be at most 43200 seconds \(12h\) for a role/,
    );
    assert.equal(
      resolve({ ...flags, durationSeconds: 43200 }).role?.durationSeconds,
      43200,
    );
  }
  assert.equal(
    resolve({ profile: "work", durationSeconds: 129600 }).role,
    undefined,
  );
});

Deno.test("role profiles awsmfa cannot use are refused: local errors, and a bad duration_seconds a usage error", async (t) => {
  await t.step("no source_profile", () => {
    refuses(
      () => resolve({ profile: "no-source" }),
      LocalError,
      ExitCode.Local,
      /^Cannot use profile "no-source": it has role_arn but no source_profile; awsmfa assumes a role with the long-term keys of a source_profile\.$/,
    );
  });
  await t.step(
    "credential_source instead of source_profile: the hint says why",
    () => {
      refuses(
        () => resolve({ profile: "instance" }),
        LocalError,
        ExitCode.Local,
        /^Cannot use profile "instance": it has role_arn but no source_profile \(credential_source is for EC2, ECS and environment credentials, which need no MFA code from awsmfa\)/,
      );
    },
  );
  await t.step("source_profile is itself", () => {
    refuses(
      () => resolve({ profile: "self" }),
      LocalError,
      ExitCode.Local,
      /^Cannot use profile "self": its source_profile is itself/,
    );
  });
  await t.step("source_profile is a role profile", () => {
    refuses(
      () => resolve({ profile: "second-hop" }),
      LocalError,
      ExitCode.Local,
      /^Cannot use profile "second-hop": its source_profile "admin" is a role profile too/,
    );
  });
  await t.step("these are refused even with --role-arn given", () => {
    refuses(
      () => resolve({ profile: "no-source", roleArn: FLAG_ROLE }),
      LocalError,
      ExitCode.Local,
      /no source_profile/,
    );
  });
  for (const text of ["abc", "899", "43201", "-900", "3600.5", "1e4"]) {
    await t.step(`duration_seconds = ${text}`, () => {
      refuses(
        () => resolve({ profile: "r" }, withDuration(text)),
        UsageError,
        ExitCode.Usage,
        /^Cannot use profile "r": duration_seconds must be a whole number of seconds from 900 to 43200\.$/,
      );
    });
  }
  await t.step("duration_seconds at the bounds, and blank", () => {
    assert.equal(
      resolve({ profile: "r" }, withDuration("900")).role?.durationSeconds,
      900,
    );
    assert.equal(
      resolve({ profile: "r" }, withDuration("43200")).role?.durationSeconds,
      43200,
    );
    const blank = resolve({ profile: "r" }, withDuration(""));
    assert.equal(blank.role?.durationSeconds, undefined);
    assert.equal(
      blank.role !== undefined && "durationSeconds" in blank.role,
      false,
    );
  });
});

Deno.test("defaultSessionName: awsmfa- and the device name, as STS accepts it", async (t) => {
  const valid = /^[\w+=,.@-]{2,64}$/;
  await t.step("a virtual device ARN gives its last part", () => {
    assert.equal(defaultSessionName(SERIAL), "awsmfa-alice");
    assert.equal(
      defaultSessionName("arn:aws:iam::123456789012:mfa/team/alice.smith@corp"),
      "awsmfa-alice.smith@corp",
    );
  });
  await t.step("a hardware serial is used whole", () => {
    assert.equal(defaultSessionName("GAHT12345678"), "awsmfa-GAHT12345678");
  });
  await t.step("a long name is cut to 64 characters", () => {
    const name = defaultSessionName(
      `arn:aws:iam::123456789012:mfa/${"d".repeat(100)}`,
    );
    assert.equal(name, `awsmfa-${"d".repeat(57)}`);
    assert.equal(name.length, 64);
    assert.match(name, valid);
  });
  await t.step("characters STS refuses in a session name become _", () => {
    const name = defaultSessionName("urn:device:GAHT:1234");
    assert.equal(name, "awsmfa-urn_device_GAHT_1234");
    assert.match(name, valid);
  });
  await t.step("every serial STS accepts gives a valid session name", () => {
    for (
      const serial of [
        SERIAL,
        "GAHT12345678",
        "arn:aws-cn:iam::123456789012:mfa/x",
        "a:b:c:d:e:f",
        "arn:aws:iam::123456789012:mfa/",
        "+=,.@-_:/".repeat(20),
      ]
    ) {
      assert.match(defaultSessionName(serial), valid, serial);
    }
  });
});

Deno.test("configOrigin names the profile a config key came from: the role profile when it has the key", () => {
  const own = resolve({ profile: "admin-own" });
  assert.equal(configOrigin(own, PROFILES, "mfa_process"), "admin-own");
  assert.equal(own.config?.["mfa_process"], "pass otp admin");
  const inherited = resolve({ profile: "admin" });
  assert.equal(configOrigin(inherited, PROFILES, "mfa_process"), "work");
  assert.equal(inherited.config?.["mfa_process"], "pass otp work");
  const flag = resolve({ profile: "work", roleArn: FLAG_ROLE });
  assert.equal(configOrigin(flag, PROFILES, "mfa_process"), "work");
});
