import assert from "node:assert/strict";
import { ExitCode } from "../../lib/shared/errors.ts";
import {
  checkTarget,
  type EnvLookup,
  partitionRegion,
  regionalEndpoint,
  resolveEndpoint,
  resolvePaths,
  resolveRegion,
  resolveSerial,
  resolveSourceProfile,
  sourceKeys,
  validateSerial,
} from "../../lib/aws_files/settings.ts";

function env(values: Record<string, string>): EnvLookup {
  return (name) => values[name];
}

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";

function exitCodeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    return (error as { exitCode: number }).exitCode;
  }
  throw new Error("expected an error");
}

Deno.test("resolvePaths", async (t) => {
  await t.step("defaults under HOME", () => {
    assert.deepEqual(resolvePaths(env({ HOME: "/home/a" })), {
      credentialsFile: "/home/a/.aws/credentials",
      configFile: "/home/a/.aws/config",
    });
  });
  await t.step("USERPROFILE when HOME is unset (Windows)", () => {
    assert.deepEqual(resolvePaths(env({ USERPROFILE: "C:\\Users\\a" })), {
      credentialsFile: "C:\\Users\\a\\.aws\\credentials",
      configFile: "C:\\Users\\a\\.aws\\config",
    });
  });
  await t.step("env overrides win and expand a leading ~", () => {
    const paths = resolvePaths(env({
      HOME: "/home/a",
      AWS_SHARED_CREDENTIALS_FILE: "~/dot/creds",
      AWS_CONFIG_FILE: "/etc/aws/config",
    }));
    assert.equal(paths.credentialsFile, "/home/a/dot/creds");
    assert.equal(paths.configFile, "/etc/aws/config");
  });
  await t.step("no home and no overrides is a local error", () => {
    assert.equal(exitCodeOf(() => resolvePaths(env({}))), ExitCode.Local);
  });
  await t.step("overrides alone need no home", () => {
    const paths = resolvePaths(env({
      AWS_SHARED_CREDENTIALS_FILE: "/x/c",
      AWS_CONFIG_FILE: "/x/k",
    }));
    assert.equal(paths.credentialsFile, "/x/c");
  });
});

Deno.test("resolveSourceProfile: flag > AWS_PROFILE > default", () => {
  assert.equal(resolveSourceProfile("a", env({ AWS_PROFILE: "b" })), "a");
  assert.equal(resolveSourceProfile(undefined, env({ AWS_PROFILE: "b" })), "b");
  assert.equal(
    resolveSourceProfile(undefined, env({ AWS_PROFILE: "" })),
    "default",
  );
  assert.equal(resolveSourceProfile(undefined, env({})), "default");
});

Deno.test("resolveSerial", async (t) => {
  const other = "arn:aws:iam::123456789012:mfa/bob";
  await t.step("flag > config mfa_serial > AWS_MFA_SERIAL", () => {
    const e = env({ AWS_MFA_SERIAL: "GAHT12345678" });
    assert.equal(resolveSerial(SERIAL, "w", { mfa_serial: other }, e), SERIAL);
    assert.equal(
      resolveSerial(undefined, "w", { mfa_serial: other }, e),
      other,
    );
    assert.equal(resolveSerial(undefined, "w", {}, e), "GAHT12345678");
  });
  await t.step("missing everywhere names all three sources", () => {
    try {
      resolveSerial(undefined, "work", undefined, env({}));
      assert.fail("expected an error");
    } catch (error) {
      const message = (error as Error).message;
      assert.match(message, /--serial-number/);
      assert.match(message, /mfa_serial/);
      assert.match(message, /"work"/);
      assert.match(message, /AWS_MFA_SERIAL/);
      assert.equal((error as { exitCode: number }).exitCode, ExitCode.Usage);
    }
  });
});

Deno.test("validateSerial accepts STS's format only", () => {
  for (
    const good of [
      SERIAL,
      "arn:aws-cn:iam::123456789012:mfa/a",
      "arn:aws-us-gov:iam::123456789012:mfa/a.b@c",
      "GAHT12345678",
      "a".repeat(256),
    ]
  ) {
    assert.equal(validateSerial(good), good);
  }
  for (
    const bad of [
      "short",
      "a".repeat(257),
      "arn:aws:iam::1:mfa/a b",
      "x;rm -rf",
    ]
  ) {
    assert.equal(exitCodeOf(() => validateSerial(bad)), ExitCode.Usage, bad);
  }
});

Deno.test("resolveRegion precedence", async (t) => {
  const all = {
    AWS_REGION: "eu-west-1",
    AWS_DEFAULT_REGION: "eu-west-2",
  };
  await t.step("flag first", () => {
    assert.equal(
      resolveRegion("ap-south-1", env(all), { region: "us-west-2" }, SERIAL),
      "ap-south-1",
    );
  });
  await t.step("AWS_REGION, then AWS_DEFAULT_REGION", () => {
    assert.equal(
      resolveRegion(undefined, env(all), undefined, SERIAL),
      "eu-west-1",
    );
    assert.equal(
      resolveRegion(undefined, env({ AWS_DEFAULT_REGION: "eu-west-2" }), {
        region: "us-west-2",
      }, SERIAL),
      "eu-west-2",
    );
  });
  await t.step("profile region, then partition, then us-east-1", () => {
    assert.equal(
      resolveRegion(undefined, env({}), { region: "us-west-2" }, SERIAL),
      "us-west-2",
    );
    assert.equal(
      resolveRegion(
        undefined,
        env({}),
        undefined,
        "arn:aws-cn:iam::123456789012:mfa/a",
      ),
      "cn-north-1",
    );
    assert.equal(
      resolveRegion(
        undefined,
        env({}),
        undefined,
        "arn:aws-us-gov:iam::123456789012:mfa/a",
      ),
      "us-gov-west-1",
    );
    assert.equal(
      resolveRegion(undefined, env({}), undefined, SERIAL),
      "us-east-1",
    );
  });
  await t.step("a malformed region is a usage error", () => {
    assert.equal(
      exitCodeOf(() => resolveRegion("moon", env({}), undefined, SERIAL)),
      ExitCode.Usage,
    );
  });
  assert.equal(partitionRegion("GAHT12345678"), undefined);
});

Deno.test("endpoints", async (t) => {
  await t.step("regional endpoints per partition", () => {
    assert.equal(
      regionalEndpoint("eu-west-1"),
      "https://sts.eu-west-1.amazonaws.com",
    );
    assert.equal(
      regionalEndpoint("cn-north-1"),
      "https://sts.cn-north-1.amazonaws.com.cn",
    );
    assert.equal(
      regionalEndpoint("us-gov-west-1"),
      "https://sts.us-gov-west-1.amazonaws.com",
    );
  });
  await t.step(
    "flag > AWS_ENDPOINT_URL_STS > AWS_ENDPOINT_URL > endpoint_url > regional",
    () => {
      const e = {
        AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1001",
        AWS_ENDPOINT_URL: "http://127.0.0.1:1002",
      };
      const cfg = { endpoint_url: "http://127.0.0.1:1003" };
      assert.equal(
        resolveEndpoint("http://127.0.0.1:1000", env(e), cfg, "us-east-1"),
        "http://127.0.0.1:1000",
      );
      assert.equal(
        resolveEndpoint(undefined, env(e), cfg, "us-east-1"),
        "http://127.0.0.1:1001",
      );
      assert.equal(
        resolveEndpoint(
          undefined,
          env({ AWS_ENDPOINT_URL: "http://127.0.0.1:1002" }),
          cfg,
          "us-east-1",
        ),
        "http://127.0.0.1:1002",
      );
      assert.equal(
        resolveEndpoint(undefined, env({}), cfg, "us-east-1"),
        "http://127.0.0.1:1003",
      );
      assert.equal(
        resolveEndpoint(undefined, env({}), {}, "eu-west-1"),
        "https://sts.eu-west-1.amazonaws.com",
      );
    },
  );
  await t.step(
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores env and config, not the flag",
    () => {
      const e = env({
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
        AWS_ENDPOINT_URL: "http://127.0.0.1:1",
      });
      assert.equal(
        resolveEndpoint(
          undefined,
          e,
          { endpoint_url: "http://x" },
          "us-east-1",
        ),
        "https://sts.us-east-1.amazonaws.com",
      );
      assert.equal(
        resolveEndpoint("http://127.0.0.1:9", e, undefined, "us-east-1"),
        "http://127.0.0.1:9",
      );
    },
  );
  await t.step("non-http URLs are usage errors", () => {
    assert.equal(
      exitCodeOf(() =>
        resolveEndpoint(
          undefined,
          env({ AWS_ENDPOINT_URL: "ftp://x" }),
          undefined,
          "us-east-1",
        )
      ),
      ExitCode.Usage,
    );
    assert.equal(
      exitCodeOf(() =>
        resolveEndpoint("not a url", env({}), undefined, "us-east-1")
      ),
      ExitCode.Usage,
    );
  });
});

Deno.test("sourceKeys", async (t) => {
  const keys = {
    aws_access_key_id: "AKIAEXAMPLE",
    aws_secret_access_key: "s3cr3t",
  };
  await t.step("credentials section first, config section second", () => {
    assert.deepEqual(sourceKeys("w", keys, undefined), {
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: "s3cr3t",
    });
    assert.deepEqual(sourceKeys("w", { region: "x" }, keys), {
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: "s3cr3t",
    });
  });
  await t.step(
    "missing profile, key or secret: local errors naming the profile, never the secret",
    () => {
      for (
        const [creds, expected] of [
          [undefined, /"work": it is in neither/],
          [{ region: "x" }, /"work": no aws_access_key_id/],
          [
            { aws_access_key_id: "AKIAEXAMPLE" },
            /"work": no aws_secret_access_key/,
          ],
        ] as const
      ) {
        assert.throws(
          () => sourceKeys("work", creds, undefined),
          (error: Error & { exitCode: number }) => {
            assert.match(error.message, expected);
            assert.equal(error.exitCode, ExitCode.Local);
            return true;
          },
        );
      }
    },
  );
  await t.step("temporary credentials are refused before STS sees them", () => {
    for (
      const creds of [
        { ...keys, aws_session_token: "tok" },
        { ...keys, aws_security_token: "tok" },
        { aws_access_key_id: "ASIAEXAMPLE", aws_secret_access_key: "s3cr3t" },
      ]
    ) {
      assert.throws(
        () => sourceKeys("work", creds, undefined),
        (error: Error & { exitCode: number }) => {
          assert.match(error.message, /temporary credentials/);
          assert.doesNotMatch(error.message, /s3cr3t|tok\b/);
          return error.exitCode === ExitCode.Local;
        },
      );
    }
  });
});

Deno.test("checkTarget", async (t) => {
  await t.step("target equal to source is refused", () => {
    assert.throws(
      () => checkTarget("work", "work", undefined),
      /is the source profile/,
    );
  });
  await t.step("long-term keys in the target are refused", () => {
    assert.throws(
      () =>
        checkTarget("mfa", "work", {
          aws_access_key_id: "AKIA",
          aws_secret_access_key: "s",
        }),
      /holds long-term keys/,
    );
    assert.throws(
      () => checkTarget("mfa", "work", { aws_secret_access_key: "s" }),
      /holds long-term keys/,
    );
  });
  await t.step("absent, empty or temporary targets are fine", () => {
    checkTarget("mfa", "work", undefined);
    checkTarget("mfa", "work", { region: "eu-west-1" });
    checkTarget("mfa", "work", {
      aws_access_key_id: "ASIA",
      aws_secret_access_key: "s",
      aws_session_token: "t",
    });
  });
});
