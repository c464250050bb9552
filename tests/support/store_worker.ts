/**
 * A child process for the store tests that need several processes.
 *
 * - `loop PATH`: update PATH with {@linkcode generationText} of the next
 *   generation, forever, printing `started` first (killed by the crash test).
 * - `append PATH NAME`: print `ready`, wait for a line on stdin, then append a
 *   `[NAME]` section under the lock (slowly, so that unlocked runs would race),
 *   print `done`.
 * - `hold PATH`: take the lock of PATH, print `locked`, keep it until stdin
 *   has a line or closes, print `released`.
 *
 * @module
 */

import { updateFile } from "../../lib/files/update.ts";

/**
 * The exact text of generation `n`: a header naming `n`, a body whose length
 * depends on `n`, and a trailer, so any partial or mixed write is detectable.
 */
export function generationText(n: number): string {
  const line = `aws_session_token = ${String(n).padStart(8, "0")}${
    "Q".repeat(100)
  }\n`;
  return `[gen]\ngeneration = ${n}\n${
    line.repeat(200 + (n % 7) * 60)
  }# end ${n}\n`;
}

/** The generation named by `text`, or null when `text` is not exactly one. */
export function parseGeneration(text: string): number | null {
  const match = /^\[gen\]\ngeneration = (\d+)\n/.exec(text);
  if (match === null) return null;
  const n = Number(match[1]);
  return generationText(n) === text ? n : null;
}

function say(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}

function waitForStdinLine(): void {
  const buffer = new Uint8Array(64);
  for (;;) {
    const n = Deno.stdin.readSync(buffer);
    if (n === null || buffer.subarray(0, n).includes(10)) return;
  }
}

async function main(args: string[]): Promise<void> {
  const [mode, path, name] = args;
  if (mode === "loop") {
    say("started");
    for (;;) {
      await updateFile(path, (current) => {
        const n = current === null ? 0 : parseGeneration(current);
        if (n === null) throw new Error("found a partial file");
        return generationText(n + 1);
      });
    }
  } else if (mode === "append") {
    say("ready");
    waitForStdinLine();
    await updateFile(path, (current) => {
      const busyUntil = Date.now() + 15;
      while (Date.now() < busyUntil) { /* widen the read-write window */ }
      return `${current ?? ""}[${name}]\nkey = ${name}\n`;
    }, { lockTimeoutMs: 30_000 });
    say("done");
  } else if (mode === "hold") {
    await updateFile(path, () => {
      say("locked");
      waitForStdinLine();
      return null;
    });
    say("released");
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

if (import.meta.main) await main(Deno.args);
