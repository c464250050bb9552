/**
 * Run a program to completion, bounded: a deadline (then it is killed, with
 * the programs it started where `ps` shows them), stdout read up to a cap,
 * stdin either the terminal's or a text written to a pipe (how secrets reach
 * a keychain tool: never on its command line, never in its environment).
 *
 * Nothing here prints: the caller decides what a failure means and says it
 * in its own sentence, without the output.
 *
 * @module
 */

/** What to run and how. */
export interface SpawnSpec {
  /** The program. */
  program: string;
  /** Its arguments (never a secret). */
  args: string[];
  /** Text written to its stdin, then closed; `inherit`: the terminal's stdin. Default: null. */
  stdin?: string | "inherit";
  /** Its stderr: the terminal's (`inherit`, for tools that ask something) or captured (`piped`). */
  stderr: "inherit" | "piped";
  /** Time allowed, in ms. */
  timeoutMs: number;
  /** Most bytes of stdout (and of captured stderr) kept; more is `overflow`. */
  maxOutputBytes: number;
  /** Windows `cmd` arguments passed raw. */
  windowsRawArguments?: boolean;
  /** Variables added to (or, when undefined, removed from) the child's environment. */
  env?: Record<string, string>;
}

/** How it ended. */
export type SpawnResult =
  | { kind: "notStarted"; reason: string }
  | { kind: "timeout" }
  | { kind: "overflow" }
  | {
    kind: "exited";
    code: number;
    signal: string | null;
    stdout: Uint8Array;
    stderr: Uint8Array;
  };

/**
 * The processes below `pid`, from POSIX `ps -A -o pid= -o ppid=` (Linux,
 * macOS, the BSDs). Where `ps` cannot run, none: then only the program
 * itself is stopped, and programs it started may outlive it. (Deno grants
 * `/proc` only with every permission, so `ps` it is.)
 */
export async function descendants(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  try {
    const out = await new Deno.Command("ps", {
      args: ["-A", "-o", "pid=", "-o", "ppid="],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
      const [child, parent] = line.trim().split(/\s+/).map(Number);
      if (!Number.isInteger(child) || !Number.isInteger(parent)) continue;
      const list = children.get(parent) ?? [];
      list.push(child);
      children.set(parent, list);
    }
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  const below = Deno.build.os === "windows" ? [] : await descendants(child.pid);
  for (const pid of [child.pid, ...below]) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // It ended just now.
    }
  }
  await child.status;
}

async function readCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    if (size > max) await reader.cancel().catch(() => undefined);
  } catch {
    // A closed pipe: what was read is all there is.
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Run `spec` and say how it ended; never throws for the program's sake. */
export async function spawnBounded(spec: SpawnSpec): Promise<SpawnResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(spec.program, {
      args: spec.args,
      windowsRawArguments: spec.windowsRawArguments ?? false,
      stdin: spec.stdin === undefined
        ? "null"
        : spec.stdin === "inherit"
        ? "inherit"
        : "piped",
      stdout: "piped",
      stderr: spec.stderr,
      ...(spec.env !== undefined ? { env: spec.env } : {}),
    }).spawn();
  } catch (error) {
    return {
      kind: "notStarted",
      reason: error instanceof Deno.errors.NotFound
        ? `${spec.program} was not found`
        : error instanceof Deno.errors.NotCapable
        ? "awsmfa may not run programs (no --allow-run)"
        : (error as Error).name,
    };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), spec.timeoutMs);
  });
  try {
    const feeding = typeof spec.stdin === "string" && spec.stdin !== "inherit"
      ? (async () => {
        const writer = child.stdin.getWriter();
        try {
          await writer.write(new TextEncoder().encode(spec.stdin as string));
          await writer.close();
        } catch {
          // The program closed its stdin early; its status says the rest.
        }
      })()
      : Promise.resolve();
    const stdout = readCapped(child.stdout, spec.maxOutputBytes);
    const stderr = spec.stderr === "piped"
      ? readCapped(child.stderr, spec.maxOutputBytes)
      : Promise.resolve(new Uint8Array());
    const outputs = Promise.all([stdout, stderr, feeding]);
    const read = await Promise.race([outputs, timedOut]);
    if (read === "timeout") {
      await stop(child);
      return { kind: "timeout" };
    }
    const [out, err] = read;
    if (out.length > spec.maxOutputBytes || err.length > spec.maxOutputBytes) {
      await stop(child);
      return { kind: "overflow" };
    }
    const status = await Promise.race([child.status, timedOut]);
    if (status === "timeout") {
      await stop(child);
      return { kind: "timeout" };
    }
    return {
      kind: "exited",
      code: status.code,
      signal: status.signal,
      stdout: out,
      stderr: err,
    };
  } finally {
    clearTimeout(timer);
  }
}
