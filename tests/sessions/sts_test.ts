/**
 * lib/sessions/sts.ts: every STS answer mapped to one sentence and an exit code, the
 * retry policy (resend only what surely did not reach STS, or was
 * throttled), real calls against the STS double, and the SDK working under
 * exactly the binary's permissions without reading the AWS files.
 */

import assert from "node:assert/strict";
import { ExitCode } from "../../lib/shared/errors.ts";
import {
  assumeRole,
  type AssumeRoleRequest,
  getSessionToken,
  type GetSessionTokenRequest,
} from "../../lib/sessions/sts.ts";
import { CHAINED_MAX_SECONDS } from "../../lib/sessions/role.ts";
import { StsError } from "../../lib/sessions/sts_error.ts";
import { startStsDouble, withStsDouble } from "../support/sts_double.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
const CODE = "472913";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";

type Answer = Response | Error | "hang";

/** A time just before every Expiration the scripted answers give. */
const FIXTURE_NOW = Date.parse("2026-11-29T05:53:00Z");

/** A fetch that answers from a script and counts calls. */
function scripted(...answers: Answer[]) {
  const seen: Request[] = [];
  const fetchFn = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push(request);
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    if (answer === "hang") {
      return new Promise<Response>((_, reject) => {
        request.signal.addEventListener(
          "abort",
          () => reject(request.signal.reason),
          { once: true },
        );
      });
    }
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(answer.clone());
  };
  return { fetch: fetchFn as typeof fetch, seen };
}

function stsError(status: number, code: string, message: string): Response {
  const type = status >= 500 ? "Receiver" : "Sender";
  return new Response(
    `<ErrorResponse xmlns="${XMLNS}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${message}</Message>\n  </Error>\n  <RequestId>4c6b1f0e-2d1a-4c4e-9d6e-1b2f3a4b5c6d</RequestId>\n</ErrorResponse>\n`,
    { status, headers: { "content-type": "text/xml" } },
  );
}

function stsOk(expiration: string): Response {
  return new Response(
    `<GetSessionTokenResponse xmlns="${XMLNS}">\n  <GetSessionTokenResult>\n    <Credentials>\n      <SessionToken>FwoGZXIvYXdzEBcaDH+session/token==</SessionToken>\n      <SecretAccessKey>tempSecretKey/abc+def</SecretAccessKey>\n      <Expiration>${expiration}</Expiration>\n      <AccessKeyId>ASIAEXAMPLETEMPKEY12</AccessKeyId>\n    </Credentials>\n  </GetSessionTokenResult>\n  <ResponseMetadata>\n    <RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId>\n  </ResponseMetadata>\n</GetSessionTokenResponse>\n`,
    { status: 200, headers: { "content-type": "text/xml" } },
  );
}

function baseRequest(
  extra: Partial<GetSessionTokenRequest> = {},
): GetSessionTokenRequest {
  return {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: SECRET,
    region: "eu-west-1",
    endpoint: "https://sts.eu-west-1.amazonaws.com",
    serialNumber: "arn:aws:iam::123456789012:mfa/alice",
    tokenCode: CODE,
    durationSeconds: 43_200,
    sourceProfile: "work",
    sleep: () => Promise.resolve(),
    // The clock of the answers below, so their Expirations lie ahead.
    now: () => FIXTURE_NOW,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<StsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StsError, `not an StsError: ${error}`);
    assert.ok(!error.message.includes(CODE), "the code is in the message");
    assert.ok(!error.message.includes(SECRET), "the secret is in the message");
    assert.doesNotMatch(error.message, /\n/);
    return error;
  }
  throw new assert.AssertionError({ message: "the call did not fail" });
}

/** A TCP port on 127.0.0.1 where nothing listens. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("sts: sends one signed GetSessionToken and returns the Expiration STS answered", async () => {
  // Root keys get 1 hour whatever was asked: the answer wins.
  const script = scripted(stsOk("2026-11-29T05:53:23Z"));
  const creds = await getSessionToken(baseRequest({ fetch: script.fetch }));
  assert.deepEqual(creds, {
    accessKeyId: "ASIAEXAMPLETEMPKEY12",
    secretAccessKey: "tempSecretKey/abc+def",
    sessionToken: "FwoGZXIvYXdzEBcaDH+session/token==",
    expiration: new Date(Date.UTC(2026, 10, 29, 5, 53, 23)),
  });
  assert.equal(script.seen.length, 1);
  const sent = script.seen[0];
  assert.equal(sent.method, "POST");
  assert.equal(new URL(sent.url).host, "sts.eu-west-1.amazonaws.com");
  const form = new URLSearchParams(await sent.text());
  assert.equal(form.get("Action"), "GetSessionToken");
  assert.equal(form.get("Version"), "2011-06-15");
  assert.equal(form.get("SerialNumber"), "arn:aws:iam::123456789012:mfa/alice");
  assert.equal(form.get("TokenCode"), CODE);
  assert.equal(form.get("DurationSeconds"), "43200");
  assert.match(
    sent.headers.get("authorization") ?? "",
    /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request, /,
  );
  assert.match(sent.headers.get("amz-sdk-request") ?? "", /max=1$/);
});

interface Mapping {
  name: string;
  answer: () => Response;
  exitCode: number;
  awsCode: string;
  mayBeUsed: boolean;
  message: RegExp;
}

const mappings: Mapping[] = [
  {
    name: "wrong, expired or reused code",
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
      ),
    exitCode: ExitCode.CodeRejected,
    awsCode: "AccessDenied",
    mayBeUsed: false,
    message: /wait for the next code and check the clock of your MFA device/,
  },
  {
    name: "serial not the user's",
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
      ),
    exitCode: ExitCode.AuthRejected,
    awsCode: "AccessDenied",
    mayBeUsed: false,
    message:
      /serial "arn:aws:iam::123456789012:mfa\/alice" with the keys of profile "work"/,
  },
  {
    name: "session credentials as source",
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
      ),
    exitCode: ExitCode.AuthRejected,
    awsCode: "AccessDenied",
    mayBeUsed: false,
    message: /profile "work" are session credentials.*long-term keys/,
  },
  {
    name: "unknown access key",
    answer: () =>
      stsError(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      ),
    exitCode: ExitCode.AuthRejected,
    awsCode: "InvalidClientTokenId",
    mayBeUsed: false,
    message:
      /^STS does not know the access key of profile "work" \(InvalidClientTokenId\)\.$/,
  },
  {
    name: "wrong secret key",
    answer: () =>
      stsError(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      ),
    exitCode: ExitCode.AuthRejected,
    awsCode: "SignatureDoesNotMatch",
    mayBeUsed: false,
    message: /profile "work".*aws_secret_access_key.*clock/,
  },
  {
    name: "clock skew",
    answer: () =>
      stsError(
        403,
        "SignatureDoesNotMatch",
        "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T001000Z - 5 min.)",
      ),
    exitCode: ExitCode.AuthRejected,
    awsCode: "SignatureDoesNotMatch",
    mayBeUsed: false,
    message: /clock is more than 5 minutes off/,
  },
  {
    name: "validation error echoing the code",
    answer: () =>
      stsError(
        400,
        "ValidationError",
        `1 validation error detected: Value '${CODE}' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*`,
      ),
    exitCode: ExitCode.AuthRejected,
    awsCode: "ValidationError",
    mayBeUsed: false,
    message:
      /\(ValidationError: 1 validation error detected: Value '\*\*\*\*\*\*' at 'tokenCode'/,
  },
  {
    name: "any other refusal",
    answer: () =>
      stsError(
        403,
        "RegionDisabledException",
        "STS is not activated in this region for account:123456789012.",
      ),
    exitCode: ExitCode.AuthRejected,
    awsCode: "RegionDisabledException",
    mayBeUsed: false,
    message:
      /^STS refused GetSessionToken for profile "work" \(RegionDisabledException: STS is not activated/,
  },
  {
    name: "500 InternalFailure",
    answer: () =>
      stsError(500, "InternalFailure", "An internal error occurred."),
    exitCode: ExitCode.Network,
    awsCode: "InternalFailure",
    mayBeUsed: true,
    message: /HTTP 500 \(InternalFailure\): the code may have been used/,
  },
  {
    name: "503 ServiceUnavailable",
    answer: () => stsError(503, "ServiceUnavailable", "Service Unavailable"),
    exitCode: ExitCode.Network,
    awsCode: "ServiceUnavailable",
    mayBeUsed: true,
    message: /HTTP 503 .*wait for the next code/,
  },
  {
    name: "502 from a proxy, not XML",
    answer: () =>
      new Response("<html><body>Bad Gateway</body></html>", {
        status: 502,
        headers: { "content-type": "text/html" },
      }),
    exitCode: ExitCode.Network,
    awsCode: "",
    mayBeUsed: true,
    message: /the code may have been used/,
  },
  {
    name: "200 that is not STS XML",
    answer: () => new Response("<<<not xml", { status: 200 }),
    exitCode: ExitCode.Network,
    awsCode: "",
    mayBeUsed: true,
    message: /the code may have been used/,
  },
  {
    name: "200 without credentials",
    answer: () =>
      new Response(
        `<GetSessionTokenResponse xmlns="${XMLNS}"><GetSessionTokenResult></GetSessionTokenResult></GetSessionTokenResponse>`,
        { status: 200 },
      ),
    exitCode: ExitCode.Network,
    awsCode: "",
    mayBeUsed: true,
    message: /without complete credentials: the code may have been used/,
  },
];

Deno.test("sts: each STS answer maps to one sentence and its exit code, never resent", async (t) => {
  for (const m of mappings) {
    await t.step(m.name, async () => {
      const script = scripted(m.answer());
      const sleeps: number[] = [];
      const error = await failure(getSessionToken(baseRequest({
        fetch: script.fetch,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      })));
      assert.match(error.message, m.message);
      assert.equal(error.exitCode, m.exitCode);
      assert.equal(error.awsCode, m.awsCode);
      assert.equal(error.codeMayBeUsed, m.mayBeUsed);
      assert.equal(script.seen.length, 1, "sent once");
      assert.deepEqual(sleeps, []);
    });
  }
});

Deno.test("sts: Throttling is retried with growing waits, then succeeds", async () => {
  const script = scripted(
    stsError(400, "Throttling", "Rate exceeded"),
    stsError(400, "Throttling", "Rate exceeded"),
    stsOk("2026-11-29T05:53:23Z"),
  );
  const sleeps: number[] = [];
  const creds = await getSessionToken(baseRequest({
    fetch: script.fetch,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  }));
  assert.equal(creds.accessKeyId, "ASIAEXAMPLETEMPKEY12");
  assert.equal(script.seen.length, 3);
  assert.equal(sleeps.length, 2);
  assert.ok(sleeps[0] > 0 && sleeps[1] > sleeps[0], `waits ${sleeps}`);
});

Deno.test("sts: Throttling on every attempt ends as a network error after maxAttempts", async () => {
  const script = scripted(stsError(400, "Throttling", "Rate exceeded"));
  const error = await failure(
    getSessionToken(baseRequest({ fetch: script.fetch, maxAttempts: 4 })),
  );
  assert.equal(script.seen.length, 4);
  assert.equal(error.exitCode, ExitCode.Network);
  assert.equal(error.awsCode, "Throttling");
  assert.equal(error.codeMayBeUsed, false);
  assert.match(error.message, /throttling.*\(4 attempts\)\.$/);
});

Deno.test("sts: a refused connection is retried (it never reached STS), then reported", async () => {
  const port = closedPort();
  let calls = 0;
  const realRefusal: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const error = await failure(getSessionToken(baseRequest({
    endpoint: `http://127.0.0.1:${port}`,
    fetch: realRefusal,
  })));
  assert.equal(calls, 3);
  assert.equal(error.exitCode, ExitCode.Network);
  assert.equal(error.codeMayBeUsed, false);
  assert.match(
    error.message,
    new RegExp(
      `^Cannot reach STS at http://127\\.0\\.0\\.1:${port}: the connection was refused \\(3 attempts\\)\\.$`,
    ),
  );

  // Refused once, then answered: success on the second attempt.
  const ok = stsOk("2026-11-29T05:53:23Z");
  let n = 0;
  const thenOk: typeof fetch = (input, init) =>
    n++ === 0 ? fetch(input, init) : Promise.resolve(ok.clone());
  const creds = await getSessionToken(baseRequest({
    endpoint: `http://127.0.0.1:${port}`,
    fetch: thenOk,
  }));
  assert.equal(n, 2);
  assert.equal(creds.sessionToken, "FwoGZXIvYXdzEBcaDH+session/token==");
});

Deno.test("sts: a timeout is not retried and says the code may be used", async () => {
  const script = scripted("hang");
  const started = Date.now();
  const error = await failure(
    getSessionToken(baseRequest({ fetch: script.fetch, timeoutMs: 100 })),
  );
  assert.ok(Date.now() - started < 5_000);
  assert.equal(script.seen.length, 1);
  assert.equal(error.exitCode, ExitCode.Network);
  assert.equal(error.codeMayBeUsed, true);
  assert.match(
    error.message,
    /did not answer within 0\.1 s: the code may have been used/,
  );
  assert.equal(
    script.seen[0].signal.aborted,
    true,
    "the request was cancelled",
  );
});

Deno.test("sts: against the double, where signatures and codes are really checked", async (t) => {
  await withStsDouble(async (sts) => {
    const user = sts.addUser({ userName: "alice" });
    const real = (extra: Partial<GetSessionTokenRequest> = {}) =>
      baseRequest({
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
        endpoint: sts.url,
        now: Date.now,
        serialNumber: user.serial,
        tokenCode: sts.currentCode(user),
        durationSeconds: 900,
        ...extra,
      });
    const code = sts.currentCode(user);

    await t.step("good code", async () => {
      const creds = await getSessionToken(real({ tokenCode: code }));
      assert.match(creds.accessKeyId, /^ASIA/);
      assert.ok(
        Math.abs(creds.expiration.getTime() - (Date.now() + 900_000)) < 5_000,
      );
    });
    await t.step("the same code again", async () => {
      const error = await failure(getSessionToken(real({ tokenCode: code })));
      assert.equal(error.exitCode, ExitCode.CodeRejected);
    });
    await t.step("wrong secret", async () => {
      const error = await failure(
        getSessionToken(real({ secretAccessKey: "q".repeat(40) })),
      );
      assert.equal(error.exitCode, ExitCode.AuthRejected);
      assert.equal(error.awsCode, "SignatureDoesNotMatch");
    });
    await t.step("unknown key", async () => {
      const error = await failure(
        getSessionToken(real({ accessKeyId: "AKIAUNKNOWNUNKNOWN00" })),
      );
      assert.equal(
        error.message,
        'STS does not know the access key of profile "work" (InvalidClientTokenId).',
      );
    });
    await t.step("throttled, then through", async () => {
      const before = sts.requests.length;
      sts.inject({ kind: "throttle" });
      const creds = await getSessionToken(
        real({ tokenCode: sts.currentCode(user, Date.now() + 30_000) }),
      );
      assert.match(creds.accessKeyId, /^ASIA/);
      assert.deepEqual(
        sts.requests.slice(before).map((r) => r.status),
        [400, 200],
      );
    });
    for (
      const [name, fault] of [
        ["a 500", { kind: "status", status: 500 }],
        ["a dropped connection", { kind: "drop" }],
        ["a slow answer past the timeout", { kind: "slow", ms: 400 }],
      ] as const
    ) {
      await t.step(`${name} is sent once`, async () => {
        const before = sts.requests.length;
        sts.inject(fault);
        const error = await failure(getSessionToken(real({ timeoutMs: 150 })));
        assert.equal(error.exitCode, ExitCode.Network);
        assert.equal(error.codeMayBeUsed, true);
        assert.equal(sts.requests.length - before, 1);
      });
    }
  });
});

Deno.test("sts: a clock more than 5 minutes off is corrected from STS's Date and resent once", async () => {
  const sts = await startStsDouble({
    quiet: true,
    now: () => Date.now() + 7 * 60_000,
  });
  try {
    const user = sts.addUser();
    const creds = await getSessionToken(baseRequest({
      accessKeyId: user.accessKeyId,
      secretAccessKey: user.secretAccessKey,
      endpoint: sts.url,
      now: Date.now,
      serialNumber: user.serial,
      tokenCode: sts.currentCode(user),
      durationSeconds: 900,
      sleep: () => Promise.reject(new Error("no backoff expected")),
    }));
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.deepEqual(sts.requests.map((r) => [r.status, r.errorCode]), [
      [403, "SignatureDoesNotMatch"],
      [200, undefined],
    ]);
  } finally {
    await sts.close();
  }
});

Deno.test("sts: works under exactly the binary's permissions and ignores AWS_* settings and files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sts-perm-" });
  const sts = await startStsDouble({ quiet: true });
  try {
    const user = sts.addUser();
    // FIFOs in place of the AWS files: an SDK that opens one blocks forever.
    await Deno.mkdir(`${dir}/.aws`);
    for (const name of ["config", "credentials"]) {
      const made = await new Deno.Command("mkfifo", {
        args: [`${dir}/.aws/${name}`],
      }).output();
      assert.equal(made.code, 0);
    }
    const script = `${dir}/call.ts`;
    await Deno.writeTextFile(
      script,
      `import { getSessionToken } from ${
        JSON.stringify(`file://${ROOT}lib/sessions/sts.ts`)
      };
const [endpoint, accessKeyId, secretAccessKey, serialNumber, tokenCode] = Deno.args;
const agents: string[] = [];
try {
  const creds = await getSessionToken({
    endpoint, accessKeyId, secretAccessKey, serialNumber, tokenCode,
    region: "eu-west-1", durationSeconds: 900, sourceProfile: "work",
    fetch: (input, init) => {
      agents.push((input as Request).headers.get("user-agent") ?? "");
      return fetch(input, init);
    },
  });
  console.log(JSON.stringify({ key: creds.accessKeyId, agents }));
} catch (error) {
  console.log(JSON.stringify({ exitCode: (error as { exitCode?: number }).exitCode, message: (error as Error).message, agents }));
}
`,
    );
    const denoDir = JSON.parse(
      new TextDecoder().decode(
        (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
          .output()).stdout,
      ),
    ).denoDir;
    const run = async (code: string) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--quiet",
          "--no-prompt",
          `--config=${ROOT}deno.json`,
          "-P=awsmfa",
          script,
          sts.url,
          user.accessKeyId,
          user.secretAccessKey,
          user.serial,
          code,
        ],
        clearEnv: true,
        env: {
          HOME: dir,
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          DENO_DIR: denoDir,
          NO_COLOR: "1",
          AWS_CONFIG_FILE: `${dir}/.aws/config`,
          AWS_SHARED_CREDENTIALS_FILE: `${dir}/.aws/credentials`,
          AWS_MAX_ATTEMPTS: "5",
          AWS_RETRY_MODE: "adaptive",
          AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1",
          AWS_ENDPOINT_URL: "http://127.0.0.1:1",
          AWS_USE_FIPS_ENDPOINT: "true",
          AWS_SDK_UA_APP_ID: "from-env",
          AWS_REGION: "xx-nowhere-1",
        },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const out = await child.output();
      clearTimeout(timer);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(
        out.code,
        0,
        `the child hung on an AWS file or failed: ${stderr}`,
      );
      return JSON.parse(new TextDecoder().decode(out.stdout));
    };

    const ok = await run(sts.currentCode(user));
    assert.match(ok.key, /^ASIA/);
    assert.equal(ok.agents.length, 1);
    assert.match(ok.agents[0], / app\/awsmfa$/);

    sts.inject({ kind: "status", status: 500 });
    const failed = await run(sts.currentCode(user, Date.now() + 30_000));
    assert.equal(failed.exitCode, ExitCode.Network);
    assert.equal(failed.agents.length, 1, "AWS_MAX_ATTEMPTS was ignored");
    assert.deepEqual(sts.requests.map((r) => r.status), [200, 500]);
  } finally {
    await sts.close();
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- AssumeRole ----

const SESSION_TOKEN = "FwoGZXIvYXdzEBcaDMFASESSION/source+token==";
const ROLE = "arn:aws:iam::210987654321:role/admin";

function roleOk(expiration: string): Response {
  return new Response(
    `<AssumeRoleResponse xmlns="${XMLNS}">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:awsmfa</AssumedRoleId>\n      <Arn>arn:aws:sts::210987654321:assumed-role/admin/awsmfa</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>ASIAROLESESSIONKEY01</AccessKeyId>\n      <SecretAccessKey>roleSecret/xyz+uvw</SecretAccessKey>\n      <SessionToken>FwoGZXIvYXdzEBcaDH+role/token==</SessionToken>\n      <Expiration>${expiration}</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n`,
    { status: 200, headers: { "content-type": "text/xml" } },
  );
}

function roleRequest(
  extra: Partial<AssumeRoleRequest> = {},
): AssumeRoleRequest {
  return {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: SECRET,
    region: "eu-west-1",
    endpoint: "https://sts.eu-west-1.amazonaws.com",
    roleArn: ROLE,
    roleSessionName: "awsmfa",
    serialNumber: "arn:aws:iam::123456789012:mfa/alice",
    tokenCode: CODE,
    durationSeconds: 7200,
    sourceProfile: "work",
    sleep: () => Promise.resolve(),
    // The clock of the answers below, so their Expirations lie ahead.
    now: () => FIXTURE_NOW,
    ...extra,
  };
}

/** As failure(), and the session token never shows either. */
async function roleFailure(promise: Promise<unknown>): Promise<StsError> {
  const error = await failure(promise);
  assert.ok(
    !error.message.includes(SESSION_TOKEN),
    "the token is in the message",
  );
  return error;
}

Deno.test("sts: assumeRole sends one signed AssumeRole with what was given, and returns the role session", async (t) => {
  await t.step(
    "long-term keys with an MFA code and an external id",
    async () => {
      const script = scripted(roleOk("2026-11-29T07:53:23Z"));
      const creds = await assumeRole(
        roleRequest({ fetch: script.fetch, externalId: "ext-4711" }),
      );
      assert.deepEqual(creds, {
        accessKeyId: "ASIAROLESESSIONKEY01",
        secretAccessKey: "roleSecret/xyz+uvw",
        sessionToken: "FwoGZXIvYXdzEBcaDH+role/token==",
        expiration: new Date(Date.UTC(2026, 10, 29, 7, 53, 23)),
        assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/admin/awsmfa",
      });
      assert.equal(script.seen.length, 1);
      const sent = script.seen[0];
      const form = Object.fromEntries(new URLSearchParams(await sent.text()));
      assert.deepEqual(form, {
        Action: "AssumeRole",
        Version: "2011-06-15",
        RoleArn: ROLE,
        RoleSessionName: "awsmfa",
        ExternalId: "ext-4711",
        SerialNumber: "arn:aws:iam::123456789012:mfa/alice",
        TokenCode: CODE,
        DurationSeconds: "7200",
      });
      assert.match(
        sent.headers.get("authorization") ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request, /,
      );
      assert.equal(sent.headers.get("x-amz-security-token"), null);
      assert.match(sent.headers.get("amz-sdk-request") ?? "", /max=1$/);
    },
  );
  await t.step("an MFA session's keys, no code, no duration", async () => {
    const script = scripted(roleOk("2026-11-29T06:53:23Z"));
    await assumeRole(roleRequest({
      fetch: script.fetch,
      accessKeyId: "ASIAMFASESSIONKEY001",
      sessionToken: SESSION_TOKEN,
      serialNumber: undefined,
      tokenCode: undefined,
      durationSeconds: undefined,
    }));
    const sent = script.seen[0];
    const form = Object.fromEntries(new URLSearchParams(await sent.text()));
    assert.deepEqual(form, {
      Action: "AssumeRole",
      Version: "2011-06-15",
      RoleArn: ROLE,
      RoleSessionName: "awsmfa",
    });
    assert.equal(sent.headers.get("x-amz-security-token"), SESSION_TOKEN);
    assert.match(
      sent.headers.get("authorization") ?? "",
      /Credential=ASIAMFASESSIONKEY001\//,
    );
  });
  await t.step(
    "an answer without the role session's ARN is incomplete",
    async () => {
      const script = scripted(
        new Response(
          (await roleOk("2026-11-29T06:53:23Z").text()).replace(
            /<AssumedRoleUser>[^]*<\/AssumedRoleUser>/,
            "",
          ),
          { status: 200 },
        ),
      );
      const error = await roleFailure(
        assumeRole(roleRequest({ fetch: script.fetch })),
      );
      assert.equal(error.exitCode, ExitCode.Network);
      assert.equal(error.codeMayBeUsed, true);
      assert.match(error.message, /without complete credentials/);
    },
  );
});

interface RoleMapping {
  name: string;
  answer: () => Response;
  extra?: Partial<AssumeRoleRequest>;
  exitCode: number;
  mayBeUsed: boolean;
  message: RegExp;
}

const roleMappings: RoleMapping[] = [
  {
    name: "not authorized to assume the role",
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: true,
    message:
      /^STS does not let arn:aws:iam::123456789012:user\/alice \(profile "work"\) assume the role arn:aws:iam::210987654321:role\/admin \(AccessDenied\): .*trusts this principal.*MFA.*external id\.$/,
  },
  {
    name: "not authorized, from an assumed-role session, without a code",
    extra: {
      sessionToken: SESSION_TOKEN,
      tokenCode: undefined,
      serialNumber: undefined,
    },
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        `User: arn:aws:sts::123456789012:assumed-role/base/s1 is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: false,
    message:
      /^STS does not let arn:aws:sts::123456789012:assumed-role\/base\/s1 \(profile "work"\) assume the role arn:aws:iam::210987654321:role\/admin/,
  },
  {
    name: "duration above the role's maximum",
    answer: () =>
      stsError(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: true,
    message:
      /^The role arn:aws:iam::210987654321:role\/admin allows shorter sessions than the 7200 seconds asked for \(ValidationError: more than its MaxSessionDuration\): ask for less/,
  },
  {
    name: "duration above the chaining cap",
    extra: {
      sessionToken: SESSION_TOKEN,
      tokenCode: undefined,
      serialNumber: undefined,
    },
    answer: () =>
      stsError(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: false,
    message:
      /^STS limits a role assumed with session credentials \(role chaining\) to 3600 seconds, and 7200 seconds were asked for arn:aws:iam::210987654321:role\/admin \(ValidationError\): ask for 3600 seconds or less\.$/,
  },
  {
    name: "wrong, expired or reused code",
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
      ),
    exitCode: ExitCode.CodeRejected,
    mayBeUsed: false,
    message: /rejected the MFA code/,
  },
  {
    name: "serial without code is not a code problem",
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: false,
    message:
      /an MFA serial and a code must be sent together \(AccessDenied\)\.$/,
  },
  {
    name: "serial not the user's",
    answer: () =>
      stsError(
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: false,
    message:
      /serial "arn:aws:iam::123456789012:mfa\/alice" with the keys of profile "work"/,
  },
  {
    name: "session credentials STS does not know",
    extra: { sessionToken: SESSION_TOKEN },
    answer: () =>
      stsError(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: false,
    message:
      /^STS does not accept the session credentials of profile "work" \(InvalidClientTokenId\)\.$/,
  },
  {
    name: "an expired MFA session",
    extra: { sessionToken: SESSION_TOKEN },
    answer: () =>
      stsError(
        400,
        "ExpiredToken",
        "The security token included in the request is expired",
      ),
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: false,
    message: /profile "work" have expired \(ExpiredToken\)/,
  },
  {
    name: "a validation error echoing the code and the token",
    answer: () =>
      stsError(
        400,
        "ValidationError",
        `2 validation errors detected: Value '${CODE}' at 'tokenCode' failed to satisfy constraint; token ${SESSION_TOKEN}`,
      ),
    extra: { sessionToken: SESSION_TOKEN },
    exitCode: ExitCode.AuthRejected,
    mayBeUsed: false,
    message:
      /^STS refused AssumeRole for profile "work" \(ValidationError: 2 validation errors detected: Value '\*\*\*\*\*\*' at 'tokenCode'.*token \*\*\*\*\*\*\)\.$/,
  },
  {
    name: "503",
    answer: () => stsError(503, "ServiceUnavailable", "Service Unavailable"),
    exitCode: ExitCode.Network,
    mayBeUsed: true,
    message: /HTTP 503 .*the code may have been used/,
  },
];

Deno.test("sts: each AssumeRole refusal maps to one sentence and its exit code, never resent", async (t) => {
  for (const m of roleMappings) {
    await t.step(m.name, async () => {
      const script = scripted(m.answer());
      const error = await roleFailure(
        assumeRole(roleRequest({ fetch: script.fetch, ...m.extra })),
      );
      assert.match(error.message, m.message);
      assert.equal(error.exitCode, m.exitCode);
      assert.equal(error.codeMayBeUsed, m.mayBeUsed);
      assert.equal(script.seen.length, 1, "sent once");
    });
  }
});

Deno.test("sts: assumeRole retries Throttling like getSessionToken", async () => {
  const script = scripted(
    stsError(400, "Throttling", "Rate exceeded"),
    roleOk("2026-11-29T07:53:23Z"),
  );
  const sleeps: number[] = [];
  const creds = await assumeRole(roleRequest({
    fetch: script.fetch,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  }));
  assert.equal(creds.accessKeyId, "ASIAROLESESSIONKEY01");
  assert.equal(script.seen.length, 2);
  assert.equal(sleeps.length, 1);
});

Deno.test("sts: assumeRole against the double: MFA role, external id, the role's maximum, chaining from an MFA session", async (t) => {
  const now = Math.floor(Date.now() / 1000) * 1000;
  const sts = await startStsDouble({ quiet: true, now: () => now });
  try {
    const alice = sts.addUser({ userName: "alice" });
    const aliceArn = `arn:aws:iam::${alice.accountId}:user/alice`;
    const admin = sts.addRole({
      roleName: "admin",
      requireMfa: true,
      maxSessionDuration: 7200,
      trust: [aliceArn],
    });
    const vendor = sts.addRole({ roleName: "vendor", externalId: "ext-4711" });
    const longTerm = {
      accessKeyId: alice.accessKeyId,
      secretAccessKey: alice.secretAccessKey,
      endpoint: sts.url,
      now: Date.now,
      serialNumber: alice.serial,
      roleArn: admin.arn,
    };
    const codes = [-30_000, 0, 30_000].map((d) =>
      sts.currentCode(alice, now + d)
    );

    await t.step("no code: refused, naming alice and the role", async () => {
      const error = await roleFailure(assumeRole(roleRequest({
        ...longTerm,
        serialNumber: undefined,
        tokenCode: undefined,
      })));
      assert.equal(error.exitCode, ExitCode.AuthRejected);
      assert.ok(
        error.message.includes(
          `STS does not let ${aliceArn} (profile "work") assume the role ${admin.arn}`,
        ),
      );
    });
    await t.step("above the role's maximum (the code is spent)", async () => {
      const error = await roleFailure(assumeRole(roleRequest({
        ...longTerm,
        tokenCode: codes[0],
        durationSeconds: 7201,
      })));
      assert.equal(error.exitCode, ExitCode.AuthRejected);
      assert.equal(error.codeMayBeUsed, true);
      assert.ok(
        error.message.startsWith(
          `The role ${admin.arn} allows shorter sessions than the 7201 seconds`,
        ),
      );
      const again = await roleFailure(assumeRole(roleRequest({
        ...longTerm,
        tokenCode: codes[0],
      })));
      assert.equal(again.exitCode, ExitCode.CodeRejected);
    });
    await t.step("with a fresh code, for the role's maximum", async () => {
      const creds = await assumeRole(
        roleRequest({ ...longTerm, tokenCode: codes[1] }),
      );
      assert.equal(creds.expiration.getTime(), now + 7_200_000);
      assert.equal(
        creds.assumedRoleArn,
        `arn:aws:sts::${admin.accountId}:assumed-role/admin/awsmfa`,
      );
      assert.match(creds.accessKeyId, /^ASIA/);
    });
    await t.step("external id", async () => {
      const wrong = await roleFailure(assumeRole(roleRequest({
        ...longTerm,
        roleArn: vendor.arn,
        serialNumber: undefined,
        tokenCode: undefined,
        durationSeconds: undefined,
        externalId: "ext-0000",
      })));
      assert.ok(
        wrong.message.includes(`assume the role ${vendor.arn} (AccessDenied)`),
      );
      const creds = await assumeRole(roleRequest({
        ...longTerm,
        roleArn: vendor.arn,
        serialNumber: undefined,
        tokenCode: undefined,
        durationSeconds: undefined,
        externalId: "ext-4711",
      }));
      assert.equal(creds.expiration.getTime(), now + 3_600_000);
    });
    await t.step(
      "chained from an MFA session: no code, one hour at most",
      async () => {
        const session = await getSessionToken(baseRequest({
          accessKeyId: alice.accessKeyId,
          secretAccessKey: alice.secretAccessKey,
          endpoint: sts.url,
          now: Date.now,
          serialNumber: alice.serial,
          tokenCode: codes[2],
        }));
        const chained = {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          sessionToken: session.sessionToken,
          endpoint: sts.url,
          now: Date.now,
          roleArn: admin.arn,
          serialNumber: undefined,
          tokenCode: undefined,
        };
        const capped = await roleFailure(
          assumeRole(roleRequest({ ...chained, durationSeconds: 7200 })),
        );
        assert.equal(capped.exitCode, ExitCode.AuthRejected);
        assert.match(
          capped.message,
          /role chaining\) to 3600 seconds, and 7200 seconds were asked for/,
        );
        assert.ok(!capped.message.includes(session.secretAccessKey));
        const creds = await assumeRole(roleRequest({
          ...chained,
          durationSeconds: CHAINED_MAX_SECONDS,
        }));
        assert.equal(creds.expiration.getTime(), now + 3_600_000);
      },
    );
    assert.equal(sts.count("GetSessionToken"), 1);
    assert.equal(sts.count("AssumeRole"), 8);
    assert.equal(sts.count("AssumeRole", 200), 3);
  } finally {
    await sts.close();
  }
});
