/**
 * The one terminal adapter: the prompt for the MFA code on the controlling
 * terminal rather than on stdin/stdout, which belong to the calling tool
 * when awsmfa runs as a `credential_process` (the AWS CLI reads our stdout
 * and keeps our stderr to itself).
 *
 * The terminal is `/dev/tty` through `sh` on Unix (lib/mfa_code/shell_terminal.ts)
 * and the console on Windows (lib/mfa_code/console_terminal.ts). No terminal
 * (a cron job, a CI runner, an IDE without one) is a `NoTerminalError` that
 * says how to give the code another way.
 *
 * @module
 */

import { openConsole } from "./console_terminal.ts";
import { openShellTerminal } from "./shell_terminal.ts";
import type { Terminal } from "./terminal.ts";
import { type CodeInput, obtainCode } from "./token.ts";

/** Open this system's controlling terminal. */
async function openTerminal(): Promise<Terminal> {
  return Deno.build.os === "windows"
    ? await openConsole()
    : await openShellTerminal();
}

/**
 * The prompt on the controlling terminal: what is written is held until the
 * next read, which opens the terminal (`open`), shows it there and reads one
 * line with echo off, so the code never shows on the screen or in the
 * scrollback, then lets the terminal go.
 */
export function terminalPrompt(
  open: () => Promise<Terminal> = openTerminal,
): Pick<CodeInput, "writePrompt" | "readPromptLine"> {
  let held = "";
  return {
    writePrompt(text) {
      held += text;
    },
    async readPromptLine() {
      const terminal = await open();
      try {
        terminal.write(held);
        held = "";
        return await terminal.readSecretLine();
      } finally {
        terminal.close();
      }
    },
  };
}

/**
 * Ask for the MFA code of `serial` on the controlling terminal: prompt
 * `MFA code for <serial>: ` (up to three tries for a malformed answer),
 * with neither stdin nor stdout touched.
 *
 * @throws {UsageError} when there is no terminal, nothing valid was entered,
 * or the prompt was cancelled.
 */
export async function promptCodeOnTerminal(serial: string): Promise<string> {
  return await obtainCode(undefined, serial, {
    stdin: new ReadableStream({
      start(controller) {
        controller.close();
      },
    }),
    stdinIsTerminal: true,
    ...terminalPrompt(),
  });
}
