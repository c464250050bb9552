/**
 * The STS double must be as strict as STS, or every test built on it proves
 * less than it claims. Driven with the real JS SDK client and the real AWS
 * CLI v2.
 */

import assert from "node:assert/strict";
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import {
  startStsDouble,
  type StsDouble,
  type StsDoubleOptions,
  type StsUser,
} from "../support/sts_double.ts";
import { findTool, testWith } from "../support/tools.ts";
import { base32Decode, generateTotpSecret, totp } from "../support/totp.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const AWS = await findTool("aws");
const AWS_CLI = AWS.path;
/** Tests that run the AWS CLI v2: skipped (or, in CI, failed) without it. */
const test = { aws: testWith(AWS) };

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function client(
  sts: StsDouble,
  keys: Keys,
  customFetch?: typeof fetch,
): STSClient {
  return new STSClient({
    region: "eu-west-1",
    endpoint: sts.url,
    credentials: keys,
    maxAttempts: 1,
    requestHandler: new FetchHttpHandler(customFetch ? { customFetch } : {}),
  });
}

function keysOf(user: StsUser): Keys {
  return {
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
  };
}

async function withDouble(
  options: StsDoubleOptions,
  fn: (sts: StsDouble) => Promise<void>,
): Promise<void> {
  const sts = await startStsDouble({ quiet: true, ...options });
  try {
    await fn(sts);
  } finally {
    await sts.close();
  }
}

/** The error an SDK call fails with (the test fails if it succeeds). */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new assert.AssertionError({ message: "the call was not refused" });
}

function gst(user: StsUser, code: string, duration?: number) {
  return new GetSessionTokenCommand({
    SerialNumber: user.serial,
    TokenCode: code,
    DurationSeconds: duration,
  });
}

Deno.test("totp: RFC 6238 SHA-1 test vectors", () => {
  // Appendix B of RFC 6238: the ASCII secret "12345678901234567890", 8 digits.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  assert.deepEqual(
    [...base32Decode(secret)],
    [..."12345678901234567890"].map((c) => c.charCodeAt(0)),
  );
  const vectors: [number, string][] = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  for (const [seconds, code] of vectors) {
    assert.equal(totp(secret, seconds * 1000, 30, 8), code, `T=${seconds}`);
    assert.equal(
      totp(secret, seconds * 1000),
      code.slice(2),
      `6 digits T=${seconds}`,
    );
  }
  assert.equal(totp(secret.toLowerCase(), 59_000, 30, 8), "94287082");
  assert.throws(() => base32Decode("GEZ1"), SyntaxError);
  const fresh = generateTotpSecret();
  assert.match(fresh, /^[A-Z2-7]{32}$/);
  assert.equal(base32Decode(fresh).length, 20);
  assert.notEqual(generateTotpSecret(), fresh);
});

Deno.test("double: a good code works once; an old, reused or wrong-serial code is refused", async () => {
  // A fixed clock for the double, so no step boundary falls inside the test.
  const t = Date.now();
  await withDouble({ now: () => t }, async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const sdk = client(sts, keysOf(user));
    const old = await refusal(
      sdk.send(gst(user, sts.currentCode(user, t - 60_000))),
    );
    assert.equal(old.name, "AccessDenied");
    assert.match(old.message, /invalid MFA one time pass code/);

    const code = sts.currentCode(user, t - 30_000); // one step back is allowed
    const out = await sdk.send(gst(user, code, 900));
    assert.match(out.Credentials?.AccessKeyId ?? "", /^ASIA[A-Z2-7]{16}$/);
    assert.equal(
      out.Credentials?.Expiration?.getTime(),
      Math.floor((t + 900_000) / 1000) * 1000,
    );

    const reused = await refusal(sdk.send(gst(user, code, 900)));
    assert.equal(reused.name, "AccessDenied");
    assert.match(reused.message, /invalid MFA one time pass code/);

    const other = sts.addUser();
    const wrongSerial = await refusal(
      sdk.send(
        new GetSessionTokenCommand({
          SerialNumber: other.serial,
          TokenCode: sts.currentCode(other),
        }),
      ),
    );
    assert.equal(wrongSerial.name, "AccessDenied");
    assert.match(wrongSerial.message, /unable to validate MFA code/);

    assert.deepEqual(
      sts.requests.map((r) => [r.action, r.status, r.errorCode]),
      [
        ["GetSessionToken", 403, "AccessDenied"],
        ["GetSessionToken", 200, undefined],
        ["GetSessionToken", 403, "AccessDenied"],
        ["GetSessionToken", 403, "AccessDenied"],
      ],
    );
    assert.ok(sts.requests.every((r) => r.accessKeyId === user.accessKeyId));
  });
});

Deno.test("double: Expiration is the double's clock plus the duration, in STS's form", async () => {
  const base = Math.floor(Date.now() / 1000) * 1000;
  await withDouble({ now: () => base }, async (sts) => {
    const user = sts.addUser();
    const response = await client(sts, keysOf(user)).send(
      gst(user, sts.currentCode(user), 3600),
    );
    assert.equal(
      response.Credentials?.Expiration?.toISOString(),
      new Date(base + 3_600_000).toISOString(),
    );
  });
});

Deno.test("double: signatures are verified, keys and clocks checked", async (t) => {
  await withDouble({}, async (sts) => {
    const user = sts.addUser();
    await t.step("wrong secret", async () => {
      const error = await refusal(
        client(sts, { ...keysOf(user), secretAccessKey: "x".repeat(40) }).send(
          new GetCallerIdentityCommand({}),
        ),
      );
      assert.equal(error.name, "SignatureDoesNotMatch");
    });
    await t.step("body changed after signing", async () => {
      const tamper: typeof fetch = async (input, init) => {
        const request = new Request(input, init);
        const body = (await request.text()).replace(
          "DurationSeconds=900",
          "DurationSeconds=901",
        );
        assert.match(body, /DurationSeconds=901/);
        return fetch(new Request(request, { body }));
      };
      const error = await refusal(
        client(sts, keysOf(user), tamper).send(
          gst(user, sts.currentCode(user), 900),
        ),
      );
      assert.equal(error.name, "SignatureDoesNotMatch");
    });
    await t.step("unknown access key", async () => {
      const error = await refusal(
        client(sts, {
          accessKeyId: "AKIAUNKNOWNUNKNOWN00",
          secretAccessKey: user.secretAccessKey,
        }).send(new GetCallerIdentityCommand({})),
      );
      assert.equal(error.name, "InvalidClientTokenId");
    });
    await t.step("the right secret passes", async () => {
      const me = await client(sts, keysOf(user)).send(
        new GetCallerIdentityCommand({}),
      );
      assert.equal(me.Account, user.accountId);
      assert.equal(
        me.Arn,
        `arn:aws:iam::${user.accountId}:user/${user.userName}`,
      );
    });
    assert.deepEqual(sts.requests.map((r) => r.status), [403, 403, 403, 200]);
  });
  await withDouble({ now: () => Date.now() + 6 * 60_000 }, async (sts) => {
    const user = sts.addUser();
    const sdk = new STSClient({
      region: "eu-west-1",
      endpoint: sts.url,
      credentials: keysOf(user),
      maxAttempts: 1,
      disableClockSkewCorrection: true,
      requestHandler: new FetchHttpHandler({}),
    });
    const error = await refusal(sdk.send(new GetCallerIdentityCommand({})));
    assert.equal(error.name, "SignatureDoesNotMatch");
    assert.match(
      error.message,
      /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
    );
  });
});

Deno.test("double: session credentials work for GetCallerIdentity, not for GetSessionToken", async () => {
  await withDouble({}, async (sts) => {
    const user = sts.addUser();
    const out = await client(sts, keysOf(user)).send(
      gst(user, sts.currentCode(user)),
    );
    const session = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
    const me = await client(sts, session).send(
      new GetCallerIdentityCommand({}),
    );
    assert.equal(
      me.Arn,
      `arn:aws:iam::${user.accountId}:user/${user.userName}`,
    );

    const again = await refusal(
      client(sts, session).send(
        gst(user, sts.currentCode(user, Date.now() + 30_000)),
      ),
    );
    assert.equal(again.name, "AccessDenied");
    assert.equal(
      again.message,
      "Cannot call GetSessionToken with session credentials",
    );

    const noToken = await refusal(
      client(sts, { ...session, sessionToken: undefined }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    assert.equal(noToken.name, "InvalidClientTokenId");
  });
});

Deno.test("double: malformed code and out-of-range durations are ValidationErrors", async () => {
  await withDouble({}, async (sts) => {
    const user = sts.addUser();
    const sdk = client(sts, keysOf(user));
    for (
      const [code, duration] of [["12345", 900], ["12345a", 900], [
        sts.currentCode(user),
        899,
      ], [sts.currentCode(user), 129_601]] as const
    ) {
      const error = await refusal(sdk.send(gst(user, code, duration)));
      assert.equal(error.name, "ValidationError", `${code} ${duration}`);
      assert.equal(
        (error as Error & { $metadata: { httpStatusCode: number } }).$metadata
          .httpStatusCode,
        400,
      );
    }
    // The code was never checked, so it still works.
    const ok = await sdk.send(gst(user, sts.currentCode(user), 129_600));
    assert.ok(ok.Credentials?.SessionToken);
  });
});

Deno.test("double: faults apply to the next requests in order", async () => {
  await withDouble({}, async (sts) => {
    const user = sts.addUser();
    const sdk = client(sts, keysOf(user));
    const code = sts.currentCode(user);
    sts.inject({ kind: "throttle" }, { kind: "status", status: 503 });

    const throttled = await refusal(sdk.send(gst(user, code)));
    assert.equal(throttled.name, "Throttling");
    assert.equal(throttled.message, "Rate exceeded");
    // Throttled requests did nothing: the same code then reaches the 503,
    // which did use it: the third try is refused as a reused code.
    const unavailable = await refusal(sdk.send(gst(user, code)));
    assert.equal(unavailable.name, "ServiceUnavailable");
    const reused = await refusal(sdk.send(gst(user, code)));
    assert.equal(reused.name, "AccessDenied");

    sts.inject({ kind: "slow", ms: 300 });
    const started = Date.now();
    await sdk.send(new GetCallerIdentityCommand({}));
    assert.ok(Date.now() - started >= 290);

    sts.inject({ kind: "drop" });
    const dropped = await refusal(
      sdk.send(gst(user, sts.currentCode(user, Date.now() + 30_000))),
    );
    assert.equal(dropped.name, "TypeError");
    assert.deepEqual(sts.requests.map((r) => [r.status, r.errorCode]), [
      [400, "Throttling"],
      [503, "ServiceUnavailable"],
      [403, "AccessDenied"],
      [200, undefined],
      [0, undefined],
    ]);
  });
});

Deno.test("double: benchmark mode takes any well-formed code, still checks signatures", async () => {
  await withDouble({ benchmark: true }, async (sts) => {
    const user = sts.addUser();
    const sdk = client(sts, keysOf(user));
    await sdk.send(gst(user, "000000"));
    await sdk.send(gst(user, "000000"));
    const bad = await refusal(
      client(sts, { ...keysOf(user), secretAccessKey: "y".repeat(40) }).send(
        gst(user, "000000"),
      ),
    );
    assert.equal(bad.name, "SignatureDoesNotMatch");
    const malformed = await refusal(sdk.send(gst(user, "00000")));
    assert.equal(malformed.name, "ValidationError");
  });
});

function assume(
  role: string,
  extra: Partial<AssumeRoleCommandInput> = {},
): AssumeRoleCommand {
  return new AssumeRoleCommand({
    RoleArn: role,
    RoleSessionName: "awsmfa-test",
    ...extra,
  });
}

function denial(principal: string, role: string): string {
  return `User: ${principal} is not authorized to perform: sts:AssumeRole on resource: ${role}`;
}

/** The session's keys, from an SDK answer (fails the test when absent). */
function keysFrom(
  out: {
    Credentials?: {
      AccessKeyId?: string;
      SecretAccessKey?: string;
      SessionToken?: string;
    };
  },
): Keys {
  const c = out.Credentials;
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
}

Deno.test("double: AssumeRole checks trust, MFA (each code once) and external id, and names caller and role when it refuses", async () => {
  const t = Math.floor(Date.now() / 1000) * 1000;
  await withDouble({ now: () => t }, async (sts) => {
    const alice = sts.addUser({ userName: "alice" });
    const bob = sts.addUser({ userName: "bob" });
    const aliceArn = `arn:aws:iam::${alice.accountId}:user/alice`;
    const admin = sts.addRole({
      roleName: "admin",
      requireMfa: true,
      trust: [aliceArn],
    });
    assert.equal(admin.arn, `arn:aws:iam::${admin.accountId}:role/admin`);
    assert.equal(admin.maxSessionDuration, 3600);
    const sdk = client(sts, keysOf(alice));

    const noCode = await refusal(sdk.send(assume(admin.arn)));
    assert.equal(noCode.name, "AccessDenied");
    assert.equal(noCode.message, denial(aliceArn, admin.arn));

    const code = sts.currentCode(alice, t - 30_000);
    const mfa = { SerialNumber: alice.serial, TokenCode: code };
    const out = await sdk.send(assume(admin.arn, mfa));
    assert.equal(
      out.AssumedRoleUser?.Arn,
      `arn:aws:sts::${admin.accountId}:assumed-role/admin/awsmfa-test`,
    );
    assert.match(
      out.AssumedRoleUser?.AssumedRoleId ?? "",
      /^AROA[A-Z2-7]{17}:awsmfa-test$/,
    );
    assert.match(out.Credentials?.AccessKeyId ?? "", /^ASIA/);
    assert.equal(out.Credentials?.Expiration?.getTime(), t + 3_600_000);
    const me = await client(sts, keysFrom(out)).send(
      new GetCallerIdentityCommand({}),
    );
    assert.equal(me.Arn, out.AssumedRoleUser?.Arn);
    assert.equal(me.Account, admin.accountId);
    assert.equal(me.UserId, out.AssumedRoleUser?.AssumedRoleId);

    const reused = await refusal(sdk.send(assume(admin.arn, mfa)));
    assert.equal(reused.name, "AccessDenied");
    assert.match(reused.message, /invalid MFA one time pass code/);
    const codeOnly = await refusal(
      sdk.send(assume(admin.arn, { TokenCode: sts.currentCode(alice, t) })),
    );
    assert.match(
      codeOnly.message,
      /must provide both MFA serial number and one time pass code/,
    );
    const wrongSerial = await refusal(
      sdk.send(assume(admin.arn, {
        SerialNumber: bob.serial,
        TokenCode: sts.currentCode(bob, t),
      })),
    );
    assert.match(wrongSerial.message, /unable to validate MFA code/);

    // bob has a valid code, but the trust names only alice.
    const untrusted = await refusal(
      client(sts, keysOf(bob)).send(assume(admin.arn, {
        SerialNumber: bob.serial,
        TokenCode: sts.currentCode(bob, t),
      })),
    );
    assert.equal(
      untrusted.message,
      denial(`arn:aws:iam::${bob.accountId}:user/bob`, admin.arn),
    );
    const unknownRole = `arn:aws:iam::${admin.accountId}:role/nobody`;
    const unknown = await refusal(sdk.send(assume(unknownRole)));
    assert.equal(unknown.message, denial(aliceArn, unknownRole));

    // External id: absent and wrong are refused like a missing trust.
    const vendor = sts.addRole({ roleName: "vendor", externalId: "ext-4711" });
    for (const externalId of [undefined, "ext-4712"]) {
      const refused = await refusal(
        sdk.send(assume(vendor.arn, { ExternalId: externalId })),
      );
      assert.equal(refused.message, denial(aliceArn, vendor.arn), externalId);
    }
    const vendorOut = await sdk.send(
      assume(vendor.arn, { ExternalId: "ext-4711" }),
    );
    assert.match(vendorOut.Credentials?.AccessKeyId ?? "", /^ASIA/);

    assert.equal(sts.count("AssumeRole"), 10);
    assert.equal(sts.count("AssumeRole", 200), 2);
    assert.equal(sts.count("AssumeRole", 403), 8);
    assert.equal(sts.count("GetCallerIdentity"), 1);
    assert.equal(sts.count("GetSessionToken"), 0);
  });
});

Deno.test("double: AssumeRole durations: the role's maximum, the one-hour cap of role chaining, the 900-43200 bounds", async () => {
  const t = Math.floor(Date.now() / 1000) * 1000;
  await withDouble({ now: () => t }, async (sts) => {
    const alice = sts.addUser({ userName: "alice" });
    const aliceArn = `arn:aws:iam::${alice.accountId}:user/alice`;
    const long = sts.addRole({
      roleName: "long",
      requireMfa: true,
      maxSessionDuration: 7200,
    });
    const sdk = client(sts, keysOf(alice));
    const first = sts.currentCode(alice, t - 30_000);
    const above = await refusal(
      sdk.send(assume(long.arn, {
        SerialNumber: alice.serial,
        TokenCode: first,
        DurationSeconds: 7201,
      })),
    );
    assert.equal(above.name, "ValidationError");
    assert.equal(
      above.message,
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    // That refusal came after the code was checked: the code is spent.
    const spent = await refusal(
      sdk.send(assume(long.arn, {
        SerialNumber: alice.serial,
        TokenCode: first,
        DurationSeconds: 7200,
      })),
    );
    assert.match(spent.message, /invalid MFA one time pass code/);
    for (
      const [duration, bound] of [[899, "greater than or equal to 900"], [
        43_201,
        "less than or equal to 43200",
      ]] as const
    ) {
      const bad = await refusal(
        sdk.send(assume(long.arn, { DurationSeconds: duration })),
      );
      assert.equal(bad.name, "ValidationError");
      assert.equal(
        bad.message,
        `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${bound}`,
      );
    }
    const noName = await refusal(
      sdk.send(
        new AssumeRoleCommand({ RoleArn: long.arn } as AssumeRoleCommandInput),
      ),
    );
    assert.equal(noName.name, "ValidationError");
    assert.match(noName.message, /Value null at 'roleSessionName'/);
    const ok = await sdk.send(assume(long.arn, {
      SerialNumber: alice.serial,
      TokenCode: sts.currentCode(alice, t),
      DurationSeconds: 7200,
    }));
    assert.equal(ok.Credentials?.Expiration?.getTime(), t + 7_200_000);

    // Role chaining: an MFA session from GetSessionToken assumes the role
    // without a code, but for one hour at most, whatever the role allows.
    const mfaSession = keysFrom(
      await sdk.send(gst(alice, sts.currentCode(alice, t + 30_000), 43_200)),
    );
    const chained = client(sts, mfaSession);
    const tooLong = await refusal(
      chained.send(assume(long.arn, { DurationSeconds: 3601 })),
    );
    assert.equal(tooLong.name, "ValidationError");
    assert.equal(
      tooLong.message,
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    const hour = await chained.send(
      assume(long.arn, { DurationSeconds: 3600 }),
    );
    assert.equal(hour.Credentials?.Expiration?.getTime(), t + 3_600_000);
    const byDefault = await chained.send(assume(long.arn));
    assert.equal(byDefault.Credentials?.Expiration?.getTime(), t + 3_600_000);

    // A session made without a code carries no MFA: refused, naming the user.
    const plain = keysFrom(await sdk.send(new GetSessionTokenCommand({})));
    const noMfa = await refusal(client(sts, plain).send(assume(long.arn)));
    assert.equal(noMfa.message, denial(aliceArn, long.arn));

    // From a role session: GetSessionToken is refused; another role that
    // trusts the first one can be assumed, and a refusal names the session.
    const roleSession = client(sts, keysFrom(hour));
    const gstFromRole = await refusal(
      roleSession.send(new GetSessionTokenCommand({})),
    );
    assert.equal(
      gstFromRole.message,
      "Cannot call GetSessionToken with session credentials",
    );
    const next = sts.addRole({
      roleName: "next",
      requireMfa: true,
      trust: [long.arn],
    });
    const hop = await roleSession.send(
      assume(next.arn, { RoleSessionName: "hop" }),
    );
    assert.equal(
      hop.AssumedRoleUser?.Arn,
      `arn:aws:sts::${next.accountId}:assumed-role/next/hop`,
    );
    const stranger = sts.addRole({ roleName: "stranger" });
    const refused = await refusal(roleSession.send(assume(stranger.arn)));
    assert.equal(
      refused.message,
      denial(
        `arn:aws:sts::${long.accountId}:assumed-role/long/awsmfa-test`,
        stranger.arn,
      ),
    );
    assert.equal(sts.count("GetSessionToken", 200), 2);
    assert.equal(
      sts.requests.filter((r) =>
        r.action === "AssumeRole" && r.withSessionToken
      ).length,
      6,
    );
  });
});

Deno.test("double: addRole refuses a MaxSessionDuration STS would not allow", async () => {
  await withDouble({}, (sts) => {
    assert.throws(
      () => sts.addRole({ maxSessionDuration: 3599 }),
      /3600 to 43200/,
    );
    assert.throws(
      () => sts.addRole({ maxSessionDuration: 43_201 }),
      /3600 to 43200/,
    );
    const role = sts.addRole({ roleName: "x" });
    assert.throws(() => sts.addRole({ arn: role.arn }), /already exists/);
    return Promise.resolve();
  });
});

async function awsCli(
  sts: StsDouble,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(AWS_CLI, {
    args: [...args, "--endpoint-url", sts.url, "--output", "json"],
    env: { PATH: "/usr/bin:/bin", AWS_PAGER: "", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

test.aws("double: the real AWS CLI v2 signs requests it accepts and refuses what STS refuses", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sts-double-cli-" });
  try {
    await withDouble({}, async (sts) => {
      const user = sts.addUser({ userName: "alice" });
      const files = {
        HOME: dir,
        AWS_CONFIG_FILE: `${dir}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
        AWS_DEFAULT_REGION: "eu-west-1",
      };
      await Deno.writeTextFile(files.AWS_CONFIG_FILE, "");
      const longTerm = {
        ...files,
        AWS_ACCESS_KEY_ID: user.accessKeyId,
        AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
      };
      const code = sts.currentCode(user);
      const gstArgs = [
        "sts",
        "get-session-token",
        "--serial-number",
        user.serial,
        "--token-code",
        code,
        "--duration-seconds",
        "900",
      ];
      const good = await awsCli(sts, gstArgs, longTerm);
      assert.equal(good.code, 0, good.stderr);
      const creds = JSON.parse(good.stdout).Credentials;
      assert.match(creds.AccessKeyId, /^ASIA/);

      const reused = await awsCli(sts, gstArgs, longTerm);
      assert.notEqual(reused.code, 0);
      assert.match(
        reused.stderr,
        /\(AccessDenied\).*invalid MFA one time pass code/,
      );

      const wrongSecret = await awsCli(sts, ["sts", "get-caller-identity"], {
        ...longTerm,
        AWS_SECRET_ACCESS_KEY: "z".repeat(40),
      });
      assert.match(wrongSecret.stderr, /\(SignatureDoesNotMatch\)/);

      // The session as a profile in a credentials file, as awsmfa writes it.
      await Deno.writeTextFile(
        files.AWS_SHARED_CREDENTIALS_FILE,
        `[mfa]\naws_access_key_id = ${creds.AccessKeyId}\naws_secret_access_key = ${creds.SecretAccessKey}\naws_session_token = ${creds.SessionToken}\n`,
      );
      const me = await awsCli(sts, [
        "sts",
        "get-caller-identity",
        "--profile",
        "mfa",
      ], files);
      assert.equal(me.code, 0, me.stderr);
      assert.equal(
        JSON.parse(me.stdout).Arn,
        `arn:aws:iam::${user.accountId}:user/alice`,
      );
      assert.deepEqual(sts.requests.map((r) => [r.action, r.status]), [
        ["GetSessionToken", 200],
        ["GetSessionToken", 403],
        ["GetCallerIdentity", 403],
        ["GetCallerIdentity", 200],
      ]);
      assert.equal(sts.requests[3].accessKeyId, creds.AccessKeyId);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test.aws("double: the real AWS CLI v2 assumes roles with a code, and chains from an MFA session", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sts-double-role-" });
  try {
    // A fixed clock, so three consecutive codes (one step back, now, one
    // ahead) are all accepted.
    const t = Date.now();
    await withDouble({ now: () => t }, async (sts) => {
      const user = sts.addUser({ userName: "alice" });
      const admin = sts.addRole({
        roleName: "admin",
        accountId: user.accountId,
        requireMfa: true,
        maxSessionDuration: 7200,
      });
      const files = {
        HOME: dir,
        AWS_CONFIG_FILE: `${dir}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
        AWS_DEFAULT_REGION: "eu-west-1",
      };
      const longTerm = {
        ...files,
        AWS_ACCESS_KEY_ID: user.accessKeyId,
        AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
      };
      await Deno.writeTextFile(files.AWS_CONFIG_FILE, "");
      const roleArgs = [
        "sts",
        "assume-role",
        "--role-arn",
        admin.arn,
        "--role-session-name",
        "cli",
        "--serial-number",
        user.serial,
      ];
      const tooLong = await awsCli(sts, [
        ...roleArgs,
        "--token-code",
        sts.currentCode(user, t - 30_000),
        "--duration-seconds",
        "7201",
      ], longTerm);
      assert.notEqual(tooLong.code, 0);
      assert.match(
        tooLong.stderr,
        /\(ValidationError\) when calling the AssumeRole operation: The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./,
      );
      const good = await awsCli(sts, [
        ...roleArgs,
        "--token-code",
        sts.currentCode(user, t),
        "--duration-seconds",
        "7200",
      ], longTerm);
      assert.equal(good.code, 0, good.stderr);
      const answer = JSON.parse(good.stdout);
      assert.equal(
        answer.AssumedRoleUser.Arn,
        `arn:aws:sts::${user.accountId}:assumed-role/admin/cli`,
      );
      const asRole = await awsCli(sts, ["sts", "get-caller-identity"], {
        ...files,
        AWS_ACCESS_KEY_ID: answer.Credentials.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: answer.Credentials.SecretAccessKey,
        AWS_SESSION_TOKEN: answer.Credentials.SessionToken,
      });
      assert.equal(asRole.code, 0, asRole.stderr);
      assert.equal(JSON.parse(asRole.stdout).Arn, answer.AssumedRoleUser.Arn);

      // Role chaining: the MFA session's keys sign AssumeRole, with no code,
      // for one hour at most. (This CLI's botocore cannot send a role
      // profile's own AssumeRole to another endpoint, so the keys go in the
      // environment.)
      const session = await awsCli(sts, [
        "sts",
        "get-session-token",
        "--serial-number",
        user.serial,
        "--token-code",
        sts.currentCode(user, t + 30_000),
      ], longTerm);
      assert.equal(session.code, 0, session.stderr);
      const creds = JSON.parse(session.stdout).Credentials;
      const mfaSession = {
        ...files,
        AWS_ACCESS_KEY_ID: creds.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
        AWS_SESSION_TOKEN: creds.SessionToken,
      };
      const chainArgs = [
        "sts",
        "assume-role",
        "--role-arn",
        admin.arn,
        "--role-session-name",
        "chained",
        "--duration-seconds",
      ];
      const capped = await awsCli(sts, [...chainArgs, "3601"], mfaSession);
      assert.notEqual(capped.code, 0);
      assert.match(
        capped.stderr,
        /\(ValidationError\) when calling the AssumeRole operation: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining\./,
      );
      const chained = await awsCli(sts, [...chainArgs, "3600"], mfaSession);
      assert.equal(chained.code, 0, chained.stderr);
      const chainedRole = JSON.parse(chained.stdout);
      assert.equal(
        chainedRole.AssumedRoleUser.Arn,
        `arn:aws:sts::${user.accountId}:assumed-role/admin/chained`,
      );
      assert.equal(
        new Date(chainedRole.Credentials.Expiration).getTime(),
        Math.floor(t / 1000) * 1000 + 3_600_000,
      );
      assert.deepEqual(
        sts.requests.map((r) => [r.action, r.status, r.withSessionToken]),
        [
          ["AssumeRole", 400, false],
          ["AssumeRole", 200, false],
          ["GetCallerIdentity", 200, true],
          ["GetSessionToken", 200, false],
          ["AssumeRole", 400, true],
          ["AssumeRole", 200, true],
        ],
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("double: run as a program it prints its url and a user, and serves until killed", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${ROOT}deno.json`,
      "--allow-net=127.0.0.1",
      `${ROOT}tests/support/sts_double.ts`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    reader.releaseLock();
    const { url, user } = JSON.parse(text) as { url: string; user: StsUser };
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const sdk = new STSClient({
      region: "us-east-1",
      endpoint: url,
      credentials: keysOf(user),
      maxAttempts: 1,
      requestHandler: new FetchHttpHandler({}),
    });
    const out = await sdk.send(
      gst(user, totp(user.totpSecret, Date.now())),
    );
    assert.match(out.Credentials?.AccessKeyId ?? "", /^ASIA/);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel();
  }
});
