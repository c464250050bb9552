/**
 * A life line: a FIFO that a shell command opens for writing on fd 9, so that
 * every process it starts (also those that leave its tree: `(cmd &)`, `nohup`)
 * holds it. The test's read end sees end-of-file only once all of them have
 * ended. That is how a test waits for processes that are not its children:
 * no `ps` snapshot that races a SIGKILL still being delivered, no polling.
 */
import { join } from "node:path";

/** How long a test waits for the holders to end before it fails. */
const HANG_GUARD_MS = 20_000;

/** A FIFO held by a command's processes, and its read end. */
export interface LifeLine {
  /** Shell text to put first in the command: fd 9 opened on the FIFO. */
  readonly hold: string;
  /** Resolves when every holder has ended; rejects after the hang guard. */
  ended(): Promise<void>;
  /** Frees the read end (unblocking it if no holder ever opened the FIFO) and removes the FIFO. */
  close(): Promise<void>;
}

/** Make a life line in a temp directory of its own. */
export async function lifeLine(): Promise<LifeLine> {
  const dir = await Deno.makeTempDir({ prefix: "life_line_" });
  const path = join(dir, "life_line");
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  if (!made.success) throw new Error("mkfifo failed");
  // Opening a FIFO for reading waits for a writer: the command's `exec 9>`.
  const reader = Deno.open(path, { read: true });
  let opened = false;
  reader.then(() => opened = true, () => {});
  return {
    hold: `exec 9>'${path}';`,
    async ended() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const guard = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `a process the command started still ran ${HANG_GUARD_MS} ms later`,
              ),
            ),
          HANG_GUARD_MS,
        );
      });
      try {
        // The guard covers the open too: a command that never opened its
        // end would leave the reader waiting for a writer.
        await Promise.race([reader.then(drain), guard]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (!opened) {
        // Nobody opened it: be the writer ourselves so the open returns.
        (await Deno.open(path, { write: true })).close();
      }
      try {
        (await reader).close();
      } catch { /* already closed */ }
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function drain(file: Deno.FsFile): Promise<void> {
  const buffer = new Uint8Array(64);
  while (await file.read(buffer) !== null) { /* holders may write; ignore */ }
}
