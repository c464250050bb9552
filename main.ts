/**
 * awsmfa: turn an MFA code into temporary AWS credentials in
 * `~/.aws/credentials`, with one STS GetSessionToken call.
 *
 * ```sh
 * awsmfa --profile work 123456
 * aws s3 ls --profile mfa
 * ```
 *
 * This module is the command-line entry point; {@linkcode main} runs the tool
 * with the real terminal, environment, clock and network.
 *
 * @module
 */

import { run, type RunIO } from "./lib/run.ts";
import { terminalPrompt } from "./lib/mfa_code/tty.ts";

/** An environment variable, or undefined when unset or not permitted. */
function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function writer(file: { writeSync(p: Uint8Array): number }) {
  const encoder = new TextEncoder();
  return (text: string) => {
    const data = encoder.encode(text);
    let written = 0;
    while (written < data.length) {
      written += file.writeSync(data.subarray(written));
    }
  };
}

/** The real world: terminal, environment, clock; STS through the AWS SDK. */
function processIO(): RunIO {
  const stderr = writer(Deno.stderr);
  return {
    env: readEnv,
    get stdin() {
      return Deno.stdin.readable;
    },
    stdinIsTerminal: Deno.stdin.isTerminal(),
    // The prompt reads /dev/tty, so it works with stdin piped too.
    promptReadsTerminal: true,
    ...terminalPrompt(),
    stderr,
    stdout: writer(Deno.stdout),
    now: () => new Date(),
  };
}

/** Run awsmfa with command-line `args`; resolves to the process exit code. */
export async function main(args: string[]): Promise<number> {
  return await run(args, processIO());
}

/**
 * Let Deno write the V8 code cache of the modules this run loaded, which it
 * does only when it next loads a module (lib/shared/code_cache.ts): with it,
 * the next run skips compiling them.
 */
async function keepCodeCache(): Promise<void> {
  await import("./lib/shared/code_cache.ts").catch(() => undefined);
}

if (import.meta.main) {
  const code = await main(Deno.args);
  await keepCodeCache();
  Deno.exit(code);
}
