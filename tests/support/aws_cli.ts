/**
 * The real AWS CLI v2 as the tests call it: `aws sts get-caller-identity`
 * for a profile against the STS double, which is how a test sees that what
 * awsmfa wrote or prints works for the tool users run.
 */

import { type CliResult, runProgram } from "./cli.ts";

/**
 * `AWS sts get-caller-identity --profile PROFILE --endpoint-url URL
 * --output json` in `env`; `detached` runs it with no controlling terminal.
 */
export async function callerIdentity(
  aws: string,
  profile: string,
  endpointUrl: string,
  env: Record<string, string>,
  options: { detached?: boolean } = {},
): Promise<CliResult> {
  return await runProgram(
    aws,
    [
      "sts",
      "get-caller-identity",
      "--profile",
      profile,
      "--endpoint-url",
      endpointUrl,
      "--output",
      "json",
    ],
    env,
    options,
  );
}
