/**
 * The STS double must be as strict as STS, or every test built on it proves
 * less than it claims. Driven with the real JS SDK client and the real AWS
 * CLI v2.
 */

import assert from "node:assert/strict";
import {
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
} from "./support/sts_double.ts";
import { base32Decode, generateTotpSecret, totp } from "./support/totp.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const AWS_CLI = "/usr/bin/aws";

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

Deno.test("double: the real AWS CLI v2 signs requests it accepts and refuses what STS refuses", async () => {
  const version = await new Deno.Command(AWS_CLI, { args: ["--version"] })
    .output();
  assert.match(new TextDecoder().decode(version.stdout), /^aws-cli\/2\./);
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
