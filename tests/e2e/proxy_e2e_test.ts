/**
 * End-to-end: the bundle (the SDK's browser build: FetchHttpHandler, SigV4
 * through WebCrypto) reaches STS over HTTPS with a CA given in DENO_CERT, and
 * goes through HTTP_PROXY / HTTPS_PROXY unless NO_PROXY names the host, as
 * Deno's fetch does. The STS double verifies every signature.
 */
import assert from "node:assert/strict";
import { runCli, sectionKeys } from "../support/cli.ts";
import { startProxy } from "../support/proxy.ts";
import {
  startStsDouble,
  type StsDouble,
  type StsUser,
} from "../support/sts_double.ts";
import { haveOpenssl, makeTls } from "../support/tls.ts";

// Linux and macOS always have openssl; a Windows machine may not.
const noOpenssl = Deno.build.os === "windows" && !await haveOpenssl();

async function makeHome(
  sts: StsDouble,
  user: StsUser,
): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa-proxy-" });
  await Deno.mkdir(`${dir}/.aws`, { mode: 0o700 });
  await Deno.writeTextFile(
    `${dir}/.aws/credentials`,
    `[work]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
  );
  await Deno.writeTextFile(
    `${dir}/.aws/config`,
    `[profile work]\nregion = eu-west-1\nmfa_serial = ${user.serial}\n`,
  );
  return { dir, env: { HOME: dir, AWS_ENDPOINT_URL_STS: sts.url } };
}

/**
 * One refresh by a new user (a code works once) in a new home, with `env`
 * added; checks it wrote the session STS issued.
 */
async function refresh(
  sts: StsDouble,
  env: Record<string, string>,
): Promise<void> {
  const user = sts.addUser();
  const home = await makeHome(sts, user);
  try {
    const issued = sts.count("GetSessionToken", 200);
    const result = await runCli(["--profile", "work", sts.currentCode(user)], {
      env: { ...home.env, ...env },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(sts.count("GetSessionToken", 200), issued + 1);
    const written = sectionKeys(
      await Deno.readTextFile(`${home.dir}/.aws/credentials`),
      "mfa",
    );
    assert.match(written.aws_access_key_id, /^ASIA/);
  } finally {
    await Deno.remove(home.dir, { recursive: true });
  }
}

Deno.test({
  name:
    "e2e: HTTPS with DENO_CERT, through HTTPS_PROXY (CONNECT), bypassed by NO_PROXY",
  ignore: noOpenssl,
}, async () => {
  const work = await Deno.makeTempDir({ prefix: "awsmfa-tls-" });
  const tls = await makeTls(work);
  const sts = await startStsDouble({
    quiet: true,
    tls: { cert: tls.cert, key: tls.key },
  });
  const proxy = startProxy();
  try {
    assert.match(sts.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const authority = sts.url.slice("https://".length);

    // Without the CA the certificate is refused, and nothing reaches STS.
    const user = sts.addUser();
    const home = await makeHome(sts, user);
    const untrusted = await runCli(["--profile", "work", "123456"], {
      env: home.env,
    });
    await Deno.remove(home.dir, { recursive: true });
    assert.notEqual(untrusted.code, 0);
    assert.equal(sts.requests.length, 0);

    const trusted = { DENO_CERT: tls.caFile };
    await refresh(sts, trusted);
    assert.deepEqual(proxy.lines, [], "no proxy configured");

    await refresh(sts, { ...trusted, HTTPS_PROXY: proxy.url });
    assert.deepEqual(proxy.lines, [`CONNECT ${authority} HTTP/1.1`]);

    await refresh(sts, {
      ...trusted,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: "127.0.0.1",
    });
    assert.deepEqual(
      proxy.lines,
      [`CONNECT ${authority} HTTP/1.1`],
      "NO_PROXY bypassed the proxy",
    );
  } finally {
    await proxy.close();
    await sts.close();
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("e2e: plain HTTP goes through HTTP_PROXY in absolute form, and NO_PROXY bypasses it", async () => {
  const sts = await startStsDouble({ quiet: true });
  const proxy = startProxy();
  try {
    await refresh(sts, { HTTP_PROXY: proxy.url });
    assert.deepEqual(proxy.lines, [`POST ${sts.url}/ HTTP/1.1`]);
    await refresh(sts, { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    assert.deepEqual(
      proxy.lines,
      [`POST ${sts.url}/ HTTP/1.1`],
      "NO_PROXY bypassed the proxy",
    );
  } finally {
    await proxy.close();
    await sts.close();
  }
});
