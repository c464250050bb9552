/**
 * The controlling terminal on Unix, through `sh`.
 *
 * Deno 2.9 lets no program open `/dev/tty` (or any other path under `/dev`)
 * without `--allow-all`, whatever its read and write permissions, so the
 * prompt goes through small `sh` scripts instead (`run` is in the
 * permission set already): one writes the prompt to `/dev/tty`, turns echo
 * off, reads one line there, puts the terminal's settings back (also on
 * Ctrl-C, TERM and HUP) and hands the line over on a pipe. The terminal
 * itself edits the line (Backspace, Ctrl-U); Ctrl-D on an empty line means
 * "no code"; Ctrl-C cancels.
 *
 * @module
 */

import { ignoreInterrupt } from "./interrupt_guard.ts";
import { cancelled, describeFailure, NoTerminalError } from "./terminal.ts";
import type { Terminal } from "./terminal.ts";

/** Exit status of the read script: end of input before anything was typed. */
const EXIT_NO_INPUT = 1;
/** Exit status of the read script: no terminal to open. */
const EXIT_NO_TERMINAL = 3;
/** Exit status of the read script after Ctrl-C (or TERM, HUP). */
const EXIT_CANCELLED = 130;

/**
 * Echo is turned off, `$1` is written to the terminal, then one line is read
 * there and printed on stdout. Echo goes off before the prompt shows, so
 * nothing typed in answer to it can be echoed. The terminal's settings are
 * saved first and put back on every way out.
 */
const READ_SCRIPT = `saved=$(stty -g </dev/tty) || exit ${EXIT_NO_TERMINAL}
trap 'stty "$saved" </dev/tty; printf "\\n" >/dev/tty; exit ${EXIT_CANCELLED}' INT TERM HUP
stty -echo </dev/tty
printf '%s' "$1" >/dev/tty
IFS= read -r line </dev/tty
status=$?
stty "$saved" </dev/tty
printf '\\n' >/dev/tty
if [ "$status" -ne 0 ] && [ -z "$line" ]; then exit ${EXIT_NO_INPUT}; fi
printf '%s\\n' "$line"
`;

const WRITE_SCRIPT = `printf '%s' "$1" >/dev/tty`;

/** Checks that there is a controlling terminal; its error names why not. */
const PROBE_SCRIPT = ": </dev/tty";

/** How a script ended. */
export type ScriptOutput = Pick<
  Deno.CommandOutput,
  "success" | "code" | "signal" | "stdout" | "stderr"
>;

/** How the terminal's scripts are run; replaced in tests. */
export interface TerminalShell {
  /** Run `sh -c script sh ...args`, stdin null, stdout and stderr captured. */
  run(script: string, args: string[]): Promise<ScriptOutput>;
  /** The same, to its end, now, with its output dropped. */
  runNow(script: string, args: string[]): void;
  /**
   * Keep SIGINT from ending awsmfa until the returned function is called,
   * with whether the script ended by Ctrl-C (whose SIGINT may reach awsmfa
   * only after that).
   */
  ignoreInterrupt(): (interrupted: boolean) => void;
}

const DENO_SHELL: TerminalShell = {
  async run(script, args) {
    return await new Deno.Command("sh", {
      args: ["-c", script, "sh", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  },
  runNow(script, args) {
    new Deno.Command("sh", {
      args: ["-c", script, "sh", ...args],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).outputSync();
  },
  ignoreInterrupt,
};

/** The reason in a shell's "cannot open /dev/tty: …" message, lower-cased, without its full stop. */
function shellReason(stderr: Uint8Array): string {
  const text = new TextDecoder().decode(stderr).trim();
  const match = /\/dev\/tty:\s*([^\n]+?)\.?$/m.exec(text) ??
    /^([^]+?)\.?$/.exec(text);
  return (match?.[1] ?? "it cannot be opened").toLowerCase();
}

/**
 * Open `/dev/tty` through `shell`.
 *
 * @throws {NoTerminalError} when there is none or `sh` cannot run.
 */
export async function openShellTerminal(
  shell: TerminalShell = DENO_SHELL,
): Promise<Terminal> {
  const noShell = (error: unknown) =>
    new NoTerminalError("/dev/tty", `cannot run sh: ${describeFailure(error)}`);
  let probe: ScriptOutput;
  try {
    probe = await shell.run(PROBE_SCRIPT, []);
  } catch (error) {
    throw noShell(error);
  }
  if (!probe.success) {
    throw new NoTerminalError("/dev/tty", shellReason(probe.stderr));
  }

  let pending = "";
  return {
    write(text) {
      pending += text;
    },
    async readSecretLine() {
      const prompt = pending;
      pending = "";
      // Ctrl-C reaches every process in the terminal's foreground group: the
      // script puts the terminal back and exits 130; this process must not
      // die of it first.
      const heed = shell.ignoreInterrupt();
      let out: ScriptOutput;
      try {
        out = await shell.run(READ_SCRIPT, [prompt]);
      } catch (error) {
        heed(false);
        throw noShell(error);
      }
      const interrupted = out.code === EXIT_CANCELLED ||
        out.signal === "SIGINT";
      heed(interrupted);
      if (out.code === EXIT_NO_INPUT) return null;
      if (interrupted) throw cancelled();
      if (!out.success) {
        throw new NoTerminalError("/dev/tty", shellReason(out.stderr));
      }
      return new TextDecoder().decode(out.stdout).replace(/\r?\n$/, "");
    },
    close() {
      if (pending === "") return;
      try {
        shell.runNow(WRITE_SCRIPT, [pending]);
      } catch {
        // Nothing more can be shown on a terminal that went away.
      }
      pending = "";
    },
  };
}
