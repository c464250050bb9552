/**
 * A local stand-in for AWS STS, strict where the real one is strict.
 *
 * It speaks the STS Query protocol (form-encoded `Action=…&Version=2011-06-15`)
 * and answers STS XML. Every request's SigV4 signature is verified by signing
 * the request again with `@smithy/signature-v4` and the secret it knows;
 * MFA codes must be the RFC 6238 code of the user's secret for the current
 * 30-second step (±1 step) and work once. Session credentials it issued are
 * accepted for GetCallerIdentity (so the real AWS CLI can use a written
 * profile) and AssumeRole, and refused for GetSessionToken, as STS does.
 *
 * AssumeRole follows STS: a role (see {@linkcode StsDouble.addRole}) trusts
 * some principals, may require MFA (`aws:MultiFactorAuthPresent`) and an
 * external id, and has a MaxSessionDuration. A call signed with session
 * credentials is role chaining: MFA carries over from the session that was
 * made with a code, so no code is needed, and the duration is capped at one
 * hour. The checks run in this order, each with STS's error: parameter
 * constraints (ValidationError); the MFA code when one is sent (spent here,
 * even if a later check refuses); the trust, external id and MFA requirement
 * (AccessDenied naming the caller and the role); the chaining cap and the
 * role's maximum (ValidationError).
 *
 * An HTTP server (`Deno.serve`) answers behind a small TCP relay on the public
 * port; the relay exists only so a "drop" fault can close a connection with
 * no answer at all, which `Deno.serve` cannot do.
 *
 * It also speaks the slice of IAM (`Version=2010-05-08`, signed for service
 * `iam`) that key rotation needs: GetUser, ListAccessKeys, CreateAccessKey,
 * UpdateAccessKey and DeleteAccessKey, with IAM's limit of two access keys
 * per user and the common "force MFA" policy: the three writes are denied
 * unless the caller is a session made with an MFA code. A new key is refused
 * (InvalidClientTokenId) until `propagationMs` have passed on the double's
 * clock, like IAM's eventual consistency; an inactive or deleted key is
 * refused, while sessions made with it keep working until they expire.
 * Faults can be queued for one action ({@linkcode StsDouble.injectFor}), and
 * `onAnswer` sees each answer before it is sent (a test can kill its client
 * there: the call took effect, the client never learns).
 *
 * Run it directly (`deno run --allow-net=127.0.0.1 tests/support/sts_double.ts
 * [--benchmark]`) to get one JSON line with its url and one user on stdout; it
 * serves until killed.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { generateTotpSecret, totp } from "./totp.ts";

/** A long-term IAM user the double knows, with its virtual MFA device. */
export interface StsUser {
  /** IAM user name. */
  userName: string;
  /** 12-digit account id. */
  accountId: string;
  /** Long-term access key id (AKIA…). */
  accessKeyId: string;
  /** Long-term secret access key. */
  secretAccessKey: string;
  /** MFA device serial: `arn:aws:iam::<account>:mfa/<name>`. */
  serial: string;
  /** Base32 TOTP secret of the MFA device. */
  totpSecret: string;
}

/** An IAM role the double knows, as created by {@linkcode StsDouble.addRole}. */
export interface StsRole {
  /** Role name. */
  roleName: string;
  /** 12-digit account id of the role. */
  accountId: string;
  /** `arn:aws:iam::<account>:role/<name>`. */
  arn: string;
  /** Longest session allowed, in seconds (STS allows 3600–43200; default 3600). */
  maxSessionDuration: number;
  /** The trust policy requires `aws:MultiFactorAuthPresent`. */
  requireMfa: boolean;
  /** The trust policy requires this `sts:ExternalId`. */
  externalId?: string;
  /**
   * Principal ARNs the trust policy names: users (`arn:aws:iam::…:user/N`),
   * roles (for chaining from a role session) or `arn:aws:iam::<account>:root`
   * for every principal of an account. Absent: every IAM user of the double.
   */
  trust?: string[];
}

/**
 * A failure applied to one request. `throttle` answers Throttling without
 * doing anything. `status` and `drop` let the request take effect (a code is
 * spent) and then lose the answer: an error status, or a connection closed
 * with no answer. `slow` waits, then answers normally.
 */
export type Fault =
  | { kind: "throttle" }
  | { kind: "status"; status: number }
  | { kind: "slow"; ms: number }
  | { kind: "drop" };

/** What the double saw and answered, one per request, in arrival order. */
export interface RecordedRequest {
  /** The `Action` parameter ("" when absent). */
  action: string;
  /** Access key id of the signature ("" when unsigned). */
  accessKeyId: string;
  /** HTTP status answered; 0 when the connection was dropped. */
  status: number;
  /** The STS error code answered, if any. */
  errorCode?: string;
  /** Whether the signature carried a session token (session credentials). */
  withSessionToken: boolean;
}

/** One access key of a user, as IAM keeps it. */
export interface AccessKeyInfo {
  /** AKIA… */
  accessKeyId: string;
  /** The secret. */
  secretAccessKey: string;
  /** `Active` or `Inactive`. */
  status: "Active" | "Inactive";
  /** When it was created, on the double's clock (ms). */
  createdMs: number;
}

/** Options of {@linkcode startStsDouble}. */
export interface StsDoubleOptions {
  /** How long a new access key is refused after CreateAccessKey, on the double's clock (default 0). */
  propagationMs?: number;
  /** Called with each answer just before it is sent. */
  onAnswer?: (action: string, status: number) => void;
  /** Clock in ms (default `Date.now`): TOTP steps, X-Amz-Date skew, Expiration. */
  now?: () => number;
  /** Accept any well-formed 6-digit code, any number of times; signatures are still verified. */
  benchmark?: boolean;
  /** Log nothing to stderr. */
  quiet?: boolean;
  /**
   * Serve HTTPS with this PEM certificate chain and key (the benchmark's
   * throw-away CA), at `https://127.0.0.1:PORT`, without the relay: "drop"
   * faults then close nothing early.
   */
  tls?: { cert: string; key: string };
}

/** A running double. */
export interface StsDouble {
  /** Base URL, `http://127.0.0.1:PORT` (`https://` with `tls`). */
  url: string;
  /** Add a user; missing fields are generated. */
  addUser(partial?: Partial<StsUser>): StsUser;
  /** Add a role; missing fields are generated (name `role<N>`, MaxSessionDuration 3600, no MFA). */
  addRole(partial?: Partial<StsRole>): StsRole;
  /**
   * How many requests named `action` arrived, counting only those answered
   * with `status` when it is given (e.g. 200 for the calls that succeeded).
   */
  count(action: string, status?: number): number;
  /** The code the user's MFA device shows at `atMs` (default: the double's clock). */
  currentCode(user: StsUser, atMs?: number): string;
  /** Queue faults; each of the next requests takes one, in order. */
  inject(...faults: Fault[]): void;
  /** Queue faults for the next requests of `action` only (they go before {@linkcode inject}'s). */
  injectFor(action: string, ...faults: Fault[]): void;
  /** The user's access keys as IAM has them now. */
  accessKeys(user: StsUser): AccessKeyInfo[];
  /** Every request so far. */
  requests: RecordedRequest[];
  /** Stop serving and release every connection. */
  close(): Promise<void>;
}

const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
const API_VERSION = "2011-06-15";
const IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";
const IAM_VERSION = "2010-05-08";
const IAM_ACTIONS: readonly string[] = [
  "GetUser",
  "ListAccessKeys",
  "CreateAccessKey",
  "UpdateAccessKey",
  "DeleteAccessKey",
];
/** IAM actions the "force MFA" policy denies without an MFA session. */
const MFA_ONLY: readonly string[] = [
  "CreateAccessKey",
  "UpdateAccessKey",
  "DeleteAccessKey",
];

function xmlnsOf(action: string): string {
  return IAM_ACTIONS.includes(action) ? IAM_XMLNS : XMLNS;
}
const STEP_MS = 30_000;
const MAX_SKEW_MS = 5 * 60_000;
const DROP_HEADER = "x-sts-double-drop";

const INVALID_CODE =
  "MultiFactorAuthentication failed with invalid MFA one time pass code. ";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const WRONG_SERIAL =
  "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.";
const SERIAL_AND_CODE =
  "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.";
const CHAINING_CAP =
  "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";
const ABOVE_ROLE_MAX =
  "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";
/** STS's cap on a role session made with session credentials, in seconds. */
const CHAINED_MAX_SECONDS = 3600;

interface UserState {
  user: StsUser;
  userId: string;
  lastStep: number;
  keys: AccessKeyInfo[];
  createdMs: number;
}

interface RoleState {
  role: StsRole;
  roleId: string;
}

interface Session {
  state: UserState;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresMs: number;
  /** Made with an MFA code (or chained from a session that was). */
  mfa: boolean;
  /** Set for a role session: the role and the session name. */
  role?: { state: RoleState; sessionName: string };
}

interface Caller {
  state: UserState;
  session?: Session;
}

interface Answer {
  status: number;
  body: string;
  errorCode?: string;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
  }
}

function userArn(user: StsUser): string {
  return `arn:aws:iam::${user.accountId}:user/${user.userName}`;
}

function randomChars(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

const KEY_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  ).replace(/"/g, "&quot;");
}

/** `2026-11-29T05:53:23Z`: ISO 8601 without milliseconds, as STS writes it. */
function stsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `20261129T055323Z`, the X-Amz-Date form. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
}

function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

function errorXml(
  refusal: Refusal,
  requestId: string,
  xmlns = XMLNS,
): string {
  return `<ErrorResponse xmlns="${xmlns}">
  <Error>
    <Type>${refusal.type}</Type>
    <Code>${xmlEscape(refusal.code)}</Code>
    <Message>${xmlEscape(refusal.message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`;
}

function resultXml(action: string, inner: string, requestId: string): string {
  return `<${action}Response xmlns="${xmlnsOf(action)}">
  <${action}Result>
${inner}
  </${action}Result>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</${action}Response>
`;
}

function statusFault(status: number): Refusal {
  return status === 503
    ? new Refusal(503, "ServiceUnavailable", "Service Unavailable", "Receiver")
    : new Refusal(
      status,
      "InternalFailure",
      "An internal error occurred.",
      "Receiver",
    );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Start a double on 127.0.0.1, on a free port. */
export function startStsDouble(
  options: StsDoubleOptions = {},
): Promise<StsDouble> {
  const now = options.now ?? Date.now;
  const log = options.quiet
    ? () => {}
    : (line: string) => console.error(`sts-double: ${line}`);
  const users = new Map<string, UserState>();
  const roles = new Map<string, RoleState>();
  const sessions = new Map<string, Session>();
  const faults: Fault[] = [];
  const actionFaults = new Map<string, Fault[]>();
  const requests: RecordedRequest[] = [];
  if (options.benchmark) {
    log(
      "benchmark mode: any well-formed 6-digit code is accepted, any number of times (signatures still verified)",
    );
  }

  async function authenticate(
    request: Request,
    url: URL,
    body: Uint8Array,
    seen: RecordedRequest,
  ): Promise<Caller> {
    const header = request.headers.get("authorization");
    if (header === null) {
      throw new Refusal(
        403,
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
      );
    }
    const match = AUTH_PATTERN.exec(header);
    if (!match) {
      throw new Refusal(
        400,
        "IncompleteSignature",
        "Authorization header is not a well-formed AWS4-HMAC-SHA256 signature.",
      );
    }
    const [, keyId, scopeDate, region, service, signedList, signature] = match;
    seen.accessKeyId = keyId;
    const token = request.headers.get("x-amz-security-token");
    seen.withSessionToken = token !== null;
    let caller: Caller;
    let secret: string;
    const session = sessions.get(keyId);
    if (session) {
      if (token !== session.sessionToken) {
        throw new Refusal(
          403,
          "InvalidClientTokenId",
          "The security token included in the request is invalid.",
        );
      }
      if (now() >= session.expiresMs) {
        throw new Refusal(
          400,
          "ExpiredToken",
          "The security token included in the request is expired",
        );
      }
      caller = { state: session.state, session };
      secret = session.secretAccessKey;
    } else {
      const state = users.get(keyId);
      if (!state || token !== null) {
        throw new Refusal(
          403,
          "InvalidClientTokenId",
          "The security token included in the request is invalid.",
        );
      }
      const key = state.keys.find((k) => k.accessKeyId === keyId);
      if (
        !key || key.status !== "Active" ||
        now() < key.createdMs + (options.propagationMs ?? 0)
      ) {
        throw new Refusal(
          403,
          "InvalidClientTokenId",
          "The security token included in the request is invalid.",
        );
      }
      caller = { state };
      secret = key.secretAccessKey;
    }
    const dateText = request.headers.get("x-amz-date") ?? "";
    const signedAt = parseAmzDate(dateText);
    if (signedAt === undefined) {
      throw new Refusal(
        400,
        "IncompleteSignature",
        "Authorization header requires existence of a valid 'X-Amz-Date' header.",
      );
    }
    const nowMs = now();
    if (signedAt < nowMs - MAX_SKEW_MS) {
      throw new Refusal(
        403,
        "SignatureDoesNotMatch",
        `Signature expired: ${dateText} is now earlier than ${
          amzDate(nowMs - MAX_SKEW_MS)
        } (${amzDate(nowMs)} - 5 min.)`,
      );
    }
    if (signedAt > nowMs + MAX_SKEW_MS) {
      throw new Refusal(
        403,
        "SignatureDoesNotMatch",
        `Signature not yet current: ${dateText} is still later than ${
          amzDate(nowMs + MAX_SKEW_MS)
        } (${amzDate(nowMs)} + 5 min.)`,
      );
    }
    const wanted = IAM_ACTIONS.includes(seen.action) ? "iam" : "sts";
    if (service !== wanted) {
      throw new Refusal(
        403,
        "SignatureDoesNotMatch",
        `Credential should be scoped to correct service: '${wanted}'. `,
      );
    }
    if (scopeDate !== dateText.slice(0, 8)) {
      throw new Refusal(
        403,
        "SignatureDoesNotMatch",
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${
          dateText.slice(0, 8)
        }', from '${dateText}'.`,
      );
    }
    // The signer trusts a payload hash header; STS hashes the body it got.
    const claimedHash = request.headers.get("x-amz-content-sha256");
    if (
      claimedHash !== null &&
      claimedHash !== createHash("sha256").update(body).digest("hex")
    ) {
      throw new Refusal(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
    }
    const signedNames = signedList.split(";");
    const headers: Record<string, string> = {};
    for (const name of signedNames) {
      // Over HTTP/2 (TLS with ALPN) the host comes as :authority, not Host.
      const value = request.headers.get(name) ??
        (name === "host" ? url.host : null);
      if (value !== null) headers[name] = value;
    }
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const prior = query[key];
      query[key] = prior === undefined
        ? value
        : Array.isArray(prior)
        ? [...prior, value]
        : [prior, value];
    }
    const signer = new SignatureV4({
      credentials: {
        accessKeyId: keyId,
        secretAccessKey: secret,
        sessionToken: token ?? undefined,
      },
      region,
      service: wanted,
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: true,
      applyChecksum: false,
    });
    const resigned = await signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers,
      body,
    }, {
      signingDate: new Date(signedAt),
      signingRegion: region,
      signingService: wanted,
      signableHeaders: new Set(signedNames),
    });
    const expected = AUTH_PATTERN.exec(resigned.headers["authorization"]);
    if (
      !expected || expected[5] !== signedList ||
      !sameText(expected[6], signature)
    ) {
      throw new Refusal(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
    }
    return caller;
  }

  function checkCode(state: UserState, code: string): void {
    if (options.benchmark) return;
    const step = Math.floor(now() / STEP_MS);
    for (const candidate of [step - 1, step, step + 1]) {
      if (
        candidate > state.lastStep &&
        totp(state.user.totpSecret, candidate * STEP_MS) === code
      ) {
        state.lastStep = candidate;
        return;
      }
    }
    throw new Refusal(403, "AccessDenied", INVALID_CODE);
  }

  function getSessionToken(caller: Caller, params: URLSearchParams): string {
    if (caller.session) {
      throw new Refusal(
        403,
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
      );
    }
    const durationText = params.get("DurationSeconds");
    const serial = params.get("SerialNumber");
    const code = params.get("TokenCode");
    const problems: string[] = [];
    if (code !== null && !/^\d{6}$/.test(code)) {
      problems.push(
        `Value '${code}' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*` +
          (code.length === 6
            ? ""
            : `; Member must have length ${
              code.length < 6 ? "greater" : "less"
            } than or equal to 6`),
      );
    }
    let duration = 43_200;
    if (durationText !== null) {
      duration = /^\d+$/.test(durationText) ? Number(durationText) : NaN;
      if (!(duration >= 900)) {
        problems.push(
          `Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
        );
      } else if (duration > 129_600) {
        problems.push(
          `Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600`,
        );
      }
    }
    if (serial !== null && !/^[\w+=/:,.@-]{9,256}$/.test(serial)) {
      problems.push(
        `Value '${serial}' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*`,
      );
    }
    if (problems.length > 0) {
      throw new Refusal(
        400,
        "ValidationError",
        `${problems.length} validation error${
          problems.length > 1 ? "s" : ""
        } detected: ${problems.join("; ")}`,
      );
    }
    if (serial !== null || code !== null) {
      if (serial !== caller.state.user.serial || code === null) {
        throw new Refusal(403, "AccessDenied", WRONG_SERIAL);
      }
      checkCode(caller.state, code);
    }
    const session = mintSession(
      caller.state,
      duration,
      serial !== null && code !== null,
    );
    return credentialsXml(session);
  }

  function mintSession(
    state: UserState,
    durationSeconds: number,
    mfa: boolean,
    role?: Session["role"],
  ): Session {
    const session: Session = {
      state,
      accessKeyId: `ASIA${randomChars(KEY_ID_CHARS, 16)}`,
      secretAccessKey: randomChars(SECRET_CHARS, 40),
      sessionToken: `IQoJb3JpZ2luX2VjE${
        btoa(String.fromCharCode(
          ...crypto.getRandomValues(new Uint8Array(256)),
        ))
      }`,
      expiresMs: now() + durationSeconds * 1000,
      mfa,
      ...(role ? { role } : {}),
    };
    sessions.set(session.accessKeyId, session);
    return session;
  }

  function credentialsXml(session: Session): string {
    return `    <Credentials>
      <AccessKeyId>${session.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>
      <SessionToken>${session.sessionToken}</SessionToken>
      <Expiration>${stsTime(session.expiresMs)}</Expiration>
    </Credentials>`;
  }

  /** The caller as STS names it in messages: the user, or the assumed role session. */
  function principalArn(caller: Caller): string {
    const role = caller.session?.role;
    if (role) {
      const { roleName, accountId } = role.state.role;
      return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${role.sessionName}`;
    }
    return userArn(caller.state.user);
  }

  function trusts(role: StsRole, caller: Caller): boolean {
    const fromRole = caller.session?.role?.state.role;
    const identity = fromRole ? fromRole.arn : userArn(caller.state.user);
    const account = fromRole ? fromRole.accountId : caller.state.user.accountId;
    if (role.trust === undefined) return fromRole === undefined;
    return role.trust.includes(identity) ||
      role.trust.includes(`arn:aws:iam::${account}:root`);
  }

  function assumeRole(caller: Caller, params: URLSearchParams): string {
    const roleArn = params.get("RoleArn");
    const sessionName = params.get("RoleSessionName");
    const externalId = params.get("ExternalId");
    const durationText = params.get("DurationSeconds");
    const serial = params.get("SerialNumber");
    const code = params.get("TokenCode");
    const problems: string[] = [];
    const constraint = (value: string, field: string, rule: string) =>
      problems.push(
        `Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`,
      );
    if (roleArn === null) {
      problems.push(
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
      );
    } else if (roleArn.length < 20 || roleArn.length > 2048) {
      constraint(
        roleArn,
        "roleArn",
        `Member must have length ${
          roleArn.length < 20
            ? "greater than or equal to 20"
            : "less than or equal to 2048"
        }`,
      );
    }
    if (sessionName === null) {
      problems.push(
        "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
      );
    } else if (!/^[\w+=,.@-]*$/.test(sessionName)) {
      constraint(
        sessionName,
        "roleSessionName",
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      );
    } else if (sessionName.length < 2 || sessionName.length > 64) {
      constraint(
        sessionName,
        "roleSessionName",
        `Member must have length ${
          sessionName.length < 2
            ? "greater than or equal to 2"
            : "less than or equal to 64"
        }`,
      );
    }
    if (externalId !== null) {
      if (!/^[\w+=,.@:\/-]*$/.test(externalId)) {
        constraint(
          externalId,
          "externalId",
          "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
        );
      } else if (externalId.length < 2 || externalId.length > 1224) {
        constraint(
          externalId,
          "externalId",
          `Member must have length ${
            externalId.length < 2
              ? "greater than or equal to 2"
              : "less than or equal to 1224"
          }`,
        );
      }
    }
    let duration = 3600;
    if (durationText !== null) {
      duration = /^\d+$/.test(durationText) ? Number(durationText) : NaN;
      if (!(duration >= 900)) {
        constraint(
          durationText,
          "durationSeconds",
          "Member must have value greater than or equal to 900",
        );
      } else if (duration > 43_200) {
        constraint(
          durationText,
          "durationSeconds",
          "Member must have value less than or equal to 43200",
        );
      }
    }
    if (code !== null && !/^\d{6}$/.test(code)) {
      constraint(
        code,
        "tokenCode",
        "Member must satisfy regular expression pattern: [\\d]*",
      );
    }
    if (serial !== null && !/^[\w+=/:,.@-]{9,256}$/.test(serial)) {
      constraint(
        serial,
        "serialNumber",
        "Member must satisfy regular expression pattern: [\\w+=/:,.@-]*",
      );
    }
    if (problems.length > 0) {
      throw new Refusal(
        400,
        "ValidationError",
        `${problems.length} validation error${
          problems.length > 1 ? "s" : ""
        } detected: ${problems.join("; ")}`,
      );
    }
    let mfa = caller.session?.mfa ?? false;
    if (serial !== null || code !== null) {
      if (serial === null || code === null) {
        throw new Refusal(403, "AccessDenied", SERIAL_AND_CODE);
      }
      if (serial !== caller.state.user.serial) {
        throw new Refusal(403, "AccessDenied", WRONG_SERIAL);
      }
      checkCode(caller.state, code);
      mfa = true;
    }
    const state = roles.get(roleArn!);
    if (
      !state || !trusts(state.role, caller) ||
      (state.role.externalId !== undefined &&
        externalId !== state.role.externalId) ||
      (state.role.requireMfa && !mfa)
    ) {
      throw new Refusal(
        403,
        "AccessDenied",
        `User: ${
          principalArn(caller)
        } is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (caller.session && duration > CHAINED_MAX_SECONDS) {
      throw new Refusal(400, "ValidationError", CHAINING_CAP);
    }
    if (duration > state.role.maxSessionDuration) {
      throw new Refusal(400, "ValidationError", ABOVE_ROLE_MAX);
    }
    const session = mintSession(caller.state, duration, mfa, {
      state,
      sessionName: sessionName!,
    });
    const { roleName, accountId } = state.role;
    return `    <AssumedRoleUser>
      <AssumedRoleId>${state.roleId}:${sessionName}</AssumedRoleId>
      <Arn>arn:aws:sts::${accountId}:assumed-role/${
      xmlEscape(roleName)
    }/${sessionName}</Arn>
    </AssumedRoleUser>
${credentialsXml(session)}`;
  }

  function getCallerIdentity(caller: Caller): string {
    const role = caller.session?.role;
    if (role) {
      return `    <Arn>${xmlEscape(principalArn(caller))}</Arn>
    <UserId>${role.state.roleId}:${role.sessionName}</UserId>
    <Account>${role.state.role.accountId}</Account>`;
    }
    const { user, userId } = caller.state;
    return `    <Arn>${xmlEscape(userArn(user))}</Arn>
    <UserId>${userId}</UserId>
    <Account>${user.accountId}</Account>`;
  }

  function iamUser(caller: Caller, action: string, params: URLSearchParams) {
    const { user } = caller.state;
    if (caller.session?.role) {
      throw new Refusal(
        403,
        "AccessDenied",
        `User: ${
          principalArn(caller)
        } is not authorized to perform: iam:${action} on resource: user ${user.userName}`,
      );
    }
    const name = params.get("UserName");
    if (name !== null && name !== user.userName) {
      throw new Refusal(
        403,
        "AccessDenied",
        `User: ${
          userArn(user)
        } is not authorized to perform: iam:${action} on resource: user ${name}`,
      );
    }
    if (MFA_ONLY.includes(action) && caller.session?.mfa !== true) {
      throw new Refusal(
        403,
        "AccessDenied",
        `User: ${
          userArn(user)
        } is not authorized to perform: iam:${action} on resource: user ${user.userName} with an explicit deny in an identity-based policy`,
      );
    }
    return caller.state;
  }

  function keyOf(state: UserState, params: URLSearchParams): AccessKeyInfo {
    const id = params.get("AccessKeyId") ?? "";
    const key = state.keys.find((k) => k.accessKeyId === id);
    if (!key) {
      throw new Refusal(
        404,
        "NoSuchEntity",
        `The Access Key with id ${xmlEscape(id)} cannot be found.`,
      );
    }
    return key;
  }

  function metadataXml(state: UserState, key: AccessKeyInfo): string {
    return `        <UserName>${xmlEscape(state.user.userName)}</UserName>
        <AccessKeyId>${key.accessKeyId}</AccessKeyId>
        <Status>${key.status}</Status>
        <CreateDate>${stsTime(key.createdMs)}</CreateDate>`;
  }

  const iamActions: Record<
    string,
    (caller: Caller, params: URLSearchParams) => string
  > = {
    GetUser(caller, params) {
      const state = iamUser(caller, "GetUser", params);
      return `    <User>
      <Path>/</Path>
      <UserName>${xmlEscape(state.user.userName)}</UserName>
      <UserId>${state.userId}</UserId>
      <Arn>${xmlEscape(userArn(state.user))}</Arn>
      <CreateDate>${stsTime(state.createdMs)}</CreateDate>
    </User>`;
    },
    ListAccessKeys(caller, params) {
      const state = iamUser(caller, "ListAccessKeys", params);
      return `    <UserName>${xmlEscape(state.user.userName)}</UserName>
    <AccessKeyMetadata>
${
        state.keys.map((key) =>
          `      <member>\n${metadataXml(state, key)}\n      </member>`
        ).join("\n")
      }
    </AccessKeyMetadata>
    <IsTruncated>false</IsTruncated>`;
    },
    CreateAccessKey(caller, params) {
      const state = iamUser(caller, "CreateAccessKey", params);
      if (state.keys.length >= 2) {
        throw new Refusal(
          409,
          "LimitExceeded",
          "Cannot exceed quota for AccessKeysPerUser: 2",
        );
      }
      const key: AccessKeyInfo = {
        accessKeyId: `AKIA${randomChars(KEY_ID_CHARS, 16)}`,
        secretAccessKey: randomChars(SECRET_CHARS, 40),
        status: "Active",
        createdMs: now(),
      };
      state.keys.push(key);
      users.set(key.accessKeyId, state);
      return `    <AccessKey>
${metadataXml(state, key)}
        <SecretAccessKey>${key.secretAccessKey}</SecretAccessKey>
    </AccessKey>`;
    },
    UpdateAccessKey(caller, params) {
      const state = iamUser(caller, "UpdateAccessKey", params);
      const key = keyOf(state, params);
      const status = params.get("Status");
      if (status !== "Active" && status !== "Inactive") {
        throw new Refusal(
          400,
          "ValidationError",
          "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
        );
      }
      key.status = status;
      return "";
    },
    DeleteAccessKey(caller, params) {
      const state = iamUser(caller, "DeleteAccessKey", params);
      const key = keyOf(state, params);
      state.keys = state.keys.filter((k) => k !== key);
      users.delete(key.accessKeyId);
      return "";
    },
  };

  const actions: Record<
    string,
    (caller: Caller, params: URLSearchParams) => string
  > = {
    GetSessionToken: getSessionToken,
    GetCallerIdentity: getCallerIdentity,
    AssumeRole: assumeRole,
    ...iamActions,
  };

  async function answer(
    request: Request,
    body: Uint8Array,
    seen: RecordedRequest,
  ): Promise<Answer> {
    const requestId = crypto.randomUUID();
    try {
      const url = new URL(request.url);
      const params = new URLSearchParams(url.search);
      if (request.method === "POST") {
        for (
          const [key, value] of new URLSearchParams(
            new TextDecoder().decode(body),
          )
        ) params.append(key, value);
      }
      seen.action = params.get("Action") ?? "";
      const caller = await authenticate(request, url, body, seen);
      const handler = Object.hasOwn(actions, seen.action)
        ? actions[seen.action]
        : undefined;
      const version = IAM_ACTIONS.includes(seen.action)
        ? IAM_VERSION
        : API_VERSION;
      if (!handler || params.get("Version") !== version) {
        throw new Refusal(
          400,
          "InvalidAction",
          `Could not find operation ${seen.action} for version ${
            params.get("Version") ?? "NO_VERSION_SPECIFIED"
          }`,
        );
      }
      const inner = handler(caller, params);
      return { status: 200, body: resultXml(seen.action, inner, requestId) };
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return {
        status: error.status,
        body: errorXml(error, requestId, xmlnsOf(seen.action)),
        errorCode: error.code,
      };
    }
  }

  /** The Action of a request, read early to pick a fault queued for it. */
  function actionOf(request: Request, body: Uint8Array): string {
    const url = new URL(request.url);
    return url.searchParams.get("Action") ??
      new URLSearchParams(new TextDecoder().decode(body)).get("Action") ?? "";
  }

  async function handle(request: Request): Promise<Response> {
    const seen: RecordedRequest = {
      action: "",
      accessKeyId: "",
      status: 0,
      withSessionToken: false,
    };
    requests.push(seen);
    const body = new Uint8Array(await request.arrayBuffer());
    const fault = actionFaults.get(actionOf(request, body))?.shift() ??
      faults.shift();
    let result: Answer;
    if (fault?.kind === "throttle") {
      const refusal = new Refusal(400, "Throttling", "Rate exceeded");
      result = {
        status: 400,
        body: errorXml(refusal, crypto.randomUUID()),
        errorCode: refusal.code,
      };
    } else {
      if (fault?.kind === "slow") await sleep(fault.ms);
      result = await answer(request, body, seen);
      if (fault?.kind === "status") {
        const refusal = statusFault(fault.status);
        result = {
          status: fault.status,
          body: errorXml(refusal, crypto.randomUUID()),
          errorCode: refusal.code,
        };
      }
    }
    const headers: Record<string, string> = {
      "content-type": "text/xml",
      "x-amzn-requestid": crypto.randomUUID(),
      "date": new Date(now()).toUTCString(),
      // One request per connection, like one awsmfa run: a client never
      // reuses a connection, so a dropped answer cannot be silently resent by
      // the client's connection pool (Deno's fetch does that on a reused one).
      "connection": "close",
    };
    if (fault?.kind === "drop") {
      headers[DROP_HEADER] = "1";
      result = { status: 0, body: "" };
    } else {
      seen.status = result.status;
      if (result.errorCode !== undefined) seen.errorCode = result.errorCode;
    }
    options.onAnswer?.(seen.action, seen.status);
    log(
      `${seen.action || "-"} ${seen.accessKeyId || "-"} ${
        fault?.kind === "drop" ? "dropped" : result.status
      }${seen.errorCode ? ` ${seen.errorCode}` : ""}`,
    );
    return new Response(result.body, {
      status: result.status || 200,
      headers,
    });
  }

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...options.tls },
    handle,
  );
  const relay = options.tls ? undefined : startRelay(server.addr.port);

  return Promise.resolve({
    url: relay
      ? `http://127.0.0.1:${relay.port}`
      : `https://127.0.0.1:${server.addr.port}`,
    requests,
    addUser(partial = {}) {
      const userName = partial.userName ?? `user${users.size + 1}`;
      const accountId = partial.accountId ??
        `${1 + Math.floor(Math.random() * 9)}${randomChars("0123456789", 11)}`;
      const user: StsUser = {
        userName,
        accountId,
        accessKeyId: partial.accessKeyId ??
          `AKIA${randomChars(KEY_ID_CHARS, 16)}`,
        secretAccessKey: partial.secretAccessKey ??
          randomChars(SECRET_CHARS, 40),
        serial: partial.serial ?? `arn:aws:iam::${accountId}:mfa/${userName}`,
        totpSecret: partial.totpSecret ?? generateTotpSecret(),
      };
      if (users.has(user.accessKeyId)) {
        throw new Error(`Access key ${user.accessKeyId} is already in use`);
      }
      users.set(user.accessKeyId, {
        user,
        userId: `AIDA${randomChars(KEY_ID_CHARS, 17)}`,
        lastStep: -Infinity,
        keys: [{
          accessKeyId: user.accessKeyId,
          secretAccessKey: user.secretAccessKey,
          status: "Active",
          createdMs: now() - 100 * 86_400_000,
        }],
        createdMs: now() - 400 * 86_400_000,
      });
      return user;
    },
    addRole(partial = {}) {
      const roleName = partial.roleName ?? `role${roles.size + 1}`;
      const accountId = partial.accountId ??
        `${1 + Math.floor(Math.random() * 9)}${randomChars("0123456789", 11)}`;
      const role: StsRole = {
        roleName,
        accountId,
        arn: partial.arn ?? `arn:aws:iam::${accountId}:role/${roleName}`,
        maxSessionDuration: partial.maxSessionDuration ?? 3600,
        requireMfa: partial.requireMfa ?? false,
        ...(partial.externalId !== undefined
          ? { externalId: partial.externalId }
          : {}),
        ...(partial.trust !== undefined ? { trust: [...partial.trust] } : {}),
      };
      if (
        !Number.isInteger(role.maxSessionDuration) ||
        role.maxSessionDuration < 3600 || role.maxSessionDuration > 43_200
      ) {
        throw new Error("MaxSessionDuration must be 3600 to 43200 seconds");
      }
      if (roles.has(role.arn)) {
        throw new Error(`Role ${role.arn} already exists`);
      }
      roles.set(role.arn, {
        role,
        roleId: `AROA${randomChars(KEY_ID_CHARS, 17)}`,
      });
      return role;
    },
    count(action, status) {
      return requests.filter((r) =>
        r.action === action && (status === undefined || r.status === status)
      ).length;
    },
    currentCode(user, atMs) {
      return totp(user.totpSecret, atMs ?? now());
    },
    inject(...more) {
      faults.push(...more);
    },
    injectFor(action, ...more) {
      const queue = actionFaults.get(action) ?? [];
      queue.push(...more);
      actionFaults.set(action, queue);
    },
    accessKeys(user) {
      const state = [...users.values()].find((one) => one.user === user);
      return state ? state.keys.map((key) => ({ ...key })) : [];
    },
    async close() {
      await relay?.close();
      await server.shutdown();
    },
  });
}

interface Relay {
  port: number;
  close(): Promise<void>;
}

const CRLF2 = new TextEncoder().encode("\r\n\r\n");

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

/**
 * Forward each connection on a public port to the HTTP server, response by
 * response; a response carrying the drop marker is not forwarded and both
 * connections are closed instead.
 */
function startRelay(backendPort: number): Relay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();

  function closeQuietly(conn: Deno.Conn) {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }

  async function pump(client: Deno.Conn, upstream: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(16_384);
    while (true) {
      const n = await client.read(buf).catch(() => null);
      if (n === null) return;
      await writeAll(upstream, buf.slice(0, n));
    }
  }

  async function answers(client: Deno.Conn, upstream: Deno.Conn) {
    const buf = new Uint8Array(16_384);
    let pending: Uint8Array = new Uint8Array(0);
    while (true) {
      let headEnd = indexOfBytes(pending, CRLF2);
      while (headEnd < 0) {
        const n = await upstream.read(buf).catch(() => null);
        if (n === null) return;
        pending = concatBytes(pending, buf.subarray(0, n));
        headEnd = indexOfBytes(pending, CRLF2);
      }
      const head = new TextDecoder().decode(pending.subarray(0, headEnd));
      const length = Number(
        /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0,
      );
      const total = headEnd + 4 + length;
      while (pending.length < total) {
        const n = await upstream.read(buf).catch(() => null);
        if (n === null) return;
        pending = concatBytes(pending, buf.subarray(0, n));
      }
      if (new RegExp(`\\r\\n${DROP_HEADER}:`, "i").test(head)) return;
      await writeAll(client, pending.subarray(0, total));
      pending = pending.slice(total);
    }
  }

  async function serveConnection(client: Deno.Conn): Promise<void> {
    open.add(client);
    let upstream: Deno.Conn | undefined;
    try {
      upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: backendPort,
      });
      open.add(upstream);
      const up = upstream;
      // Whichever side ends first (client gone, answer dropped) ends both.
      await Promise.race([pump(client, up), answers(client, up)]);
    } catch {
      // a broken connection ends the relay of this connection only
    } finally {
      closeQuietly(client);
      if (upstream) closeQuietly(upstream);
    }
  }

  const accepting = (async () => {
    for await (const conn of listener) {
      const task = serveConnection(conn);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })().catch(() => {});

  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await accepting;
      for (const conn of [...open]) closeQuietly(conn);
      await Promise.allSettled([...tasks]);
    },
  };
}

if (import.meta.main) {
  const double = await startStsDouble({
    benchmark: Deno.args.includes("--benchmark"),
  });
  const user = double.addUser({ userName: "alice" });
  // A role in alice's account that she may assume with MFA.
  const role = double.addRole({
    roleName: "admin",
    accountId: user.accountId,
    requireMfa: true,
    maxSessionDuration: 43_200,
  });
  console.log(JSON.stringify({ url: double.url, user, role }));
}

/** Run `fn` with a quiet double (plus `options`), closed afterwards whatever happens. */
export async function withStsDouble(
  fn: (sts: StsDouble) => Promise<void>,
  options: StsDoubleOptions = {},
): Promise<void> {
  const sts = await startStsDouble({ quiet: true, ...options });
  try {
    await fn(sts);
  } finally {
    await sts.close();
  }
}
