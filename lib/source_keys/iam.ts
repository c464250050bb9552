/**
 * Signed AWS Query calls for key rotation: IAM's access-key actions and STS
 * GetCallerIdentity with a given key, SigV4-signed by the AWS SDK's signer
 * (`@smithy/signature-v4`, with WebCrypto's SHA-256), sent with `fetch` (no
 * redirects followed, a deadline, the answer read up to a cap) and read with
 * a few exact patterns.
 * Loaded only by `awsmfa rotate`.
 *
 * Errors are {@linkcode AwsmfaError}s with one sentence: the action, AWS's
 * error code, and its message with control characters removed and cut to a
 * line; `awsCode` carries the code for the caller's decisions.
 *
 * @module
 */

import { SignatureV4 } from "@smithy/signature-v4";
import {
  AwsmfaError,
  clauseOf,
  ExitCode,
  sentence,
  UsageError,
} from "../shared/errors.ts";
import { AnswerTooLarge, boundedFetch, cleanText } from "../shared/network.ts";
import { type EnvLookup, partitionRegion } from "../aws_files/settings.ts";
import { joinBytes } from "../shared/bytes.ts";

/** Credentials that sign a call. */
export interface SigningCredentials {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token, for session credentials. */
  sessionToken?: string;
}

/** Where and how a call goes. */
export interface QueryTarget {
  /** The endpoint URL. */
  endpoint: string;
  /** The signing region. */
  region: string;
  /** The signing service: `iam` or `sts`. */
  service: "iam" | "sts";
  /** The API version. */
  version: string;
}

/** The fetch used; tests inject one. */
export type Fetch = typeof fetch;

/** An IAM or STS refusal: its AWS error code is in `awsCode`. */
export class AwsCallError extends AwsmfaError {
  /** AWS's error code, or `Network`. */
  readonly awsCode: string;
  /** Create the error. */
  constructor(message: string, exitCode: number, awsCode: string) {
    super(message, exitCode as typeof ExitCode[keyof typeof ExitCode]);
    this.name = "AwsCallError";
    this.awsCode = awsCode;
  }
}

const MAX_ANSWER_BYTES = 262_144;
const CALL_TIMEOUT_MS = 20_000;

const encoder = new TextEncoder();

/** Bytes of a string or binary value, as the SDK's hash interface passes them. */
function bytesOf(
  data: string | ArrayBuffer | ArrayBufferView,
): Uint8Array<ArrayBuffer> {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(
    data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  ) as Uint8Array<ArrayBuffer>;
}

/**
 * SHA-256, and HMAC-SHA-256 when made with a secret, through WebCrypto: the
 * hash the SDK's SigV4 signer takes (its own choices pull Node's crypto or
 * another package). The signing itself is the SDK's.
 */
class WebCryptoSha256 {
  #chunks: Uint8Array<ArrayBuffer>[] = [];
  readonly #secret?: Uint8Array<ArrayBuffer>;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    if (secret !== undefined) this.#secret = bytesOf(secret);
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#chunks.push(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    const data = joinBytes(this.#chunks);
    if (this.#secret === undefined) {
      return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    }
    const key = await crypto.subtle.importKey(
      "raw",
      this.#secret,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
  }

  reset(): void {
    this.#chunks = [];
  }
}

/**
 * The headers of a SigV4-signed POST of `body` to `url`, signed by the AWS
 * SDK's signer (`@smithy/signature-v4`, the one `@aws-sdk/client-sts` uses).
 */
async function signedHeaders(
  url: URL,
  body: string,
  target: QueryTarget,
  credentials: SigningCredentials,
  now: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: target.service,
    region: target.region,
    credentials,
    sha256: WebCryptoSha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === "" ? {} : { port: Number(url.port) }),
    path: url.pathname || "/",
    query: {},
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      host: url.host,
    },
    body,
  }, { signingDate: now });
  const { host: _host, ...sent } = signed.headers;
  return sent;
}

/** The text of the first `<tag>` in `xml`, entities decoded. */
function tagText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(
    /&quot;/g,
    '"',
  ).replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** Exit codes of AWS error codes (the rest of 4xx: 5, 5xx: 6). */
function exitCodeOf(code: string, status: number): number {
  if (/^(Throttling|ThrottlingException|RequestLimitExceeded)$/.test(code)) {
    return ExitCode.Network;
  }
  if (code === "LimitExceeded" || code === "NoSuchEntity") {
    return ExitCode.Local;
  }
  return status >= 500 ? ExitCode.Network : ExitCode.AuthRejected;
}

/**
 * One signed Query call; resolves to the answer's XML, or throws
 * {@linkcode AwsCallError}.
 */
export async function queryCall(
  target: QueryTarget,
  action: string,
  params: Record<string, string>,
  credentials: SigningCredentials,
  options: { fetch?: Fetch; now?: () => Date } = {},
): Promise<string> {
  const url = new URL(target.endpoint);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  const body = new URLSearchParams({
    Action: action,
    Version: target.version,
    ...params,
  }).toString();
  const headers = await signedHeaders(
    url,
    body,
    target,
    credentials,
    (options.now ?? (() => new Date()))(),
  );
  let response: Response;
  let text: string;
  try {
    // The whole body is read under the deadline, capped, inside this try:
    // a body that breaks or stalls is a network error like no answer.
    response = await boundedFetch(options.fetch ?? fetch, MAX_ANSWER_BYTES)(
      url,
      {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      },
    );
    text = await response.text();
  } catch (error) {
    if (error instanceof AnswerTooLarge) {
      throw new AwsCallError(
        "The answer from AWS was larger than expected; it was not read.",
        ExitCode.Network,
        "Network",
      );
    }
    const name = (error as Error).name;
    throw new AwsCallError(
      `${action} could not reach ${url.host} (${
        name === "TimeoutError" ? "no answer within 20 seconds" : name
      }); check the network and run again.`,
      ExitCode.Network,
      "Network",
    );
  }
  if (response.status === 200) return text;
  const code = cleanText(tagText(text, "Code") ?? `HTTP ${response.status}`);
  const message = cleanText(tagText(text, "Message") ?? "");
  throw new AwsCallError(
    sentence(
      `${target.service.toUpperCase()} refused ${action} (${code})`,
      message === "" ? "" : `: ${clauseOf(message)}`,
    ),
    exitCodeOf(code, response.status),
    code,
  );
}

/** IAM's endpoint and signing region for a partition. */
export interface IamEndpoint {
  /** URL. */
  endpoint: string;
  /** Signing region. */
  region: string;
}

/**
 * IAM's endpoint: `AWS_ENDPOINT_URL_IAM`, else `--endpoint-url`, else
 * `AWS_ENDPOINT_URL`, else the partition's global endpoint
 * (`iam.amazonaws.com`, `iam.cn-north-1.amazonaws.com.cn`,
 * `iam.us-gov.amazonaws.com`), the partition taken from the MFA serial's ARN,
 * else from the region. Signed for the partition's IAM region.
 */
export function iamEndpoint(
  flag: string | undefined,
  env: EnvLookup,
  serial: string,
  region: string,
): IamEndpoint {
  const partition = partitionRegion(serial) ??
    (region.startsWith("cn-")
      ? "cn-north-1"
      : region.startsWith("us-gov-")
      ? "us-gov-west-1"
      : "us-east-1");
  const global = partition === "cn-north-1"
    ? "https://iam.cn-north-1.amazonaws.com.cn"
    : partition === "us-gov-west-1"
    ? "https://iam.us-gov.amazonaws.com"
    : "https://iam.amazonaws.com";
  const ignore = (env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? "").trim()
    .toLowerCase() === "true";
  const configured = [
    ignore ? undefined : env("AWS_ENDPOINT_URL_IAM"),
    flag,
    ignore ? undefined : env("AWS_ENDPOINT_URL"),
  ].map((value) => value?.trim()).find((value) => value);
  if (configured !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(configured);
    } catch {
      url = undefined;
    }
    if (url === undefined || !/^https?:$/.test(url.protocol)) {
      throw new UsageError(
        `The IAM endpoint URL "${configured}" is not an http:// or https:// URL.`,
      );
    }
    return { endpoint: configured, region: partition };
  }
  return { endpoint: global, region: partition };
}

/** One access key as ListAccessKeys reports it. */
export interface AccessKeyMetadata {
  /** AKIA… */
  accessKeyId: string;
  /** `Active` or `Inactive`. */
  status: string;
  /** When it was created. */
  createDate: Date;
}

/** The IAM calls of a rotation, signed with one session. */
export interface IamClient {
  /** The caller's user name and the keys it has. */
  listAccessKeys(): Promise<{ userName: string; keys: AccessKeyMetadata[] }>;
  /** A new key for the caller. */
  createAccessKey(): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  /** Set a key `Inactive`. */
  deactivateAccessKey(id: string): Promise<void>;
  /** Delete a key. */
  deleteAccessKey(id: string): Promise<void>;
}

/** An {@linkcode IamClient} at `at`, signing with `credentials`. */
export function iamClient(
  at: IamEndpoint,
  credentials: SigningCredentials,
  options: { fetch?: Fetch; now?: () => Date } = {},
): IamClient {
  const target: QueryTarget = {
    endpoint: at.endpoint,
    region: at.region,
    service: "iam",
    version: "2010-05-08",
  };
  const call = (action: string, params: Record<string, string> = {}) =>
    queryCall(target, action, params, credentials, options);
  return {
    async listAccessKeys() {
      const xml = await call("ListAccessKeys");
      const keys = [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)].map((
        match,
      ) => ({
        accessKeyId: tagText(match[1], "AccessKeyId") ?? "",
        status: tagText(match[1], "Status") ?? "",
        createDate: new Date(tagText(match[1], "CreateDate") ?? NaN),
      })).filter((key) => /^[A-Z0-9]{16,128}$/.test(key.accessKeyId));
      return { userName: cleanText(tagText(xml, "UserName") ?? ""), keys };
    },
    async createAccessKey() {
      const xml = await call("CreateAccessKey");
      const accessKeyId = tagText(xml, "AccessKeyId") ?? "";
      const secretAccessKey = tagText(xml, "SecretAccessKey") ?? "";
      if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId) || secretAccessKey === "") {
        throw new AwsCallError(
          "IAM's answer to CreateAccessKey held no access key.",
          ExitCode.Network,
          "Malformed",
        );
      }
      return { accessKeyId, secretAccessKey };
    },
    async deactivateAccessKey(id) {
      await call("UpdateAccessKey", { AccessKeyId: id, Status: "Inactive" });
    },
    async deleteAccessKey(id) {
      await call("DeleteAccessKey", { AccessKeyId: id });
    },
  };
}

/** STS GetCallerIdentity signed with `credentials`: the caller's ARN. */
export async function callerArn(
  endpoint: string,
  region: string,
  credentials: SigningCredentials,
  options: { fetch?: Fetch; now?: () => Date } = {},
): Promise<string> {
  const xml = await queryCall(
    { endpoint, region, service: "sts", version: "2011-06-15" },
    "GetCallerIdentity",
    {},
    credentials,
    options,
  );
  return tagText(xml, "Arn") ?? "";
}
