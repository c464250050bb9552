/**
 * A child process for the terminal prompt tests: run inside a pseudo-terminal
 * (`script`), with stdin and stdout pointing elsewhere, as a
 * `credential_process` runs under the AWS CLI.
 *
 * `deno run -P=awsmfa … tty_worker.ts SERIAL OUTFILE`: asks for the code of
 * SERIAL with {@linkcode promptCodeOnTerminal}, then writes one JSON object
 * to OUTFILE: `{ code }` or `{ error, exitCode }`, and `stty`, the terminal's
 * settings (`stty -a`) once the prompt is over.
 *
 * @module
 */

import { AwsmfaError } from "../../lib/shared/errors.ts";
import { promptCodeOnTerminal } from "../../lib/mfa_code/tty.ts";

async function main([serial, outFile]: string[]): Promise<void> {
  let result: Record<string, unknown>;
  try {
    result = { code: await promptCodeOnTerminal(serial) };
  } catch (error) {
    if (!(error instanceof AwsmfaError)) throw error;
    result = { error: error.message, exitCode: error.exitCode };
  }
  const stty = await new Deno.Command("sh", {
    args: ["-c", "stty -a < /dev/tty"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  result.stty = new TextDecoder().decode(stty.stdout) +
    new TextDecoder().decode(stty.stderr);
  await Deno.writeTextFile(outFile, JSON.stringify(result));
}

if (import.meta.main) await main(Deno.args);
