/**
 * A throw-away certificate authority for loopback HTTPS (the STS double over
 * TLS): made by openssl in a directory of the caller's, trusted by a spawned
 * awsmfa through `DENO_CERT`.
 *
 * @module
 */

/** A CA file, and a certificate and key for 127.0.0.1 and localhost. */
export interface Tls {
  /** Path of the CA certificate (PEM), for `DENO_CERT` or `--cert`. */
  caFile: string;
  /** The server certificate (PEM). */
  cert: string;
  /** The server's private key (PEM). */
  key: string;
}

/** A throw-away CA and a certificate for 127.0.0.1 signed by it, by openssl. */
export async function makeTls(
  dir: string,
): Promise<Tls> {
  const openssl = async (args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (out.code !== 0) {
      throw new Error(
        `openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
  };
  // RSA: LibreSSL (macOS) and OpenSSL both take it the same way.
  const newKey = ["-newkey", "rsa:2048"];
  await openssl([
    "req",
    "-x509",
    ...newKey,
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=awsmfa bench throw-away CA",
  ]);
  await openssl([
    "req",
    ...newKey,
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=127.0.0.1",
  ]);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  ]);
  return {
    caFile: `${dir}/ca.pem`,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
  };
}

/** Whether an `openssl` command runs here (Windows runners may lack one). */
export async function haveOpenssl(): Promise<boolean> {
  try {
    const out = await new Deno.Command("openssl", {
      args: ["version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}
