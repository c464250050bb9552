/**
 * The STS request of a subject but the code: the source's long-term keys,
 * region, endpoint and duration, checked before a code is spent.
 *
 * @module
 */

import type { SessionSubject } from "./role.ts";
import type { BaseRequest } from "./sts_call.ts";
import {
  DEFAULT_DURATION_SECONDS,
  type ProfileKeys,
  resolveEndpoint,
  resolveRegion,
} from "../aws_files/settings.ts";
import {
  keyOriginOf,
  longTermKeys,
  type SourceKeysIO,
} from "../source_keys/source_process.ts";

/** The flags that decide where and how long the STS call goes. */
export interface StsFlags {
  /** `--region`. */
  region?: string;
  /** `--endpoint-url`. */
  endpointUrl?: string;
  /** `--duration-seconds`. */
  durationSeconds?: number;
}

/**
 * Everything of the GetSessionToken request but the code: the source's
 * long-term keys, region, endpoint and duration (an AssumeRole call takes
 * the keys, region and endpoint from it). The local errors (no keys, session
 * keys, bad endpoint) are thrown now, so call it before a code is spent;
 * the returned function gives the request, running the source profile's
 * `credential_process` (lib/source_keys/source_process.ts) on its first call only, so a
 * cached session needs no keys.
 *
 * @param sourceCredentials The source profile's credentials section.
 * @param sourceConfig The source profile's own config section (keys may be there).
 */
export function baseRequestFor(
  flags: StsFlags,
  io: SourceKeysIO,
  subject: SessionSubject,
  sourceCredentials: ProfileKeys | undefined,
  sourceConfig: ProfileKeys | undefined,
): () => Promise<BaseRequest> {
  const { source, serial } = subject;
  const origin = keyOriginOf(source, sourceCredentials, sourceConfig);
  const region = resolveRegion(flags.region, io.env, subject.config, serial);
  const endpoint = resolveEndpoint(
    flags.endpointUrl,
    io.env,
    subject.config,
    region,
  );
  let request: Promise<BaseRequest> | undefined;
  return () =>
    request ??= longTermKeys(origin, io).then((keys) => ({
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      region,
      endpoint,
      serialNumber: serial,
      durationSeconds: flags.durationSeconds ?? DEFAULT_DURATION_SECONDS,
      sourceProfile: source,
    }));
}
