/**
 * Run a program to completion, bounded: a deadline (then it is killed, with
 * the programs it started where `ps` shows them), stdout read up to a cap,
 * stdin either the terminal's or a text written to a pipe (how secrets reach
 * a keychain tool: never on its command line, never in its environment).
 *
 * With {@linkcode SpawnSpec.ownGroup} the program runs in a session and
 * process group of its own, so killing it ends also what left its process
 * tree (`(cmd &)`, `nohup`).
 *
 * Nothing here prints: the caller decides what a failure means and says it
 * in its own sentence, without the output.
 *
 * @module
 */

import { joinBytes } from "./bytes.ts";

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
  /**
   * Run it in a session and process group of its own (POSIX only; it then
   * has no controlling terminal). The group is killed on a timeout or an
   * overflow, and when awsmfa gets SIGINT, SIGTERM or SIGHUP while it runs
   * (which the terminal no longer sends to it): then awsmfa exits with 128 +
   * the signal's number, as the shell reports it.
   */
  ownGroup?: boolean;
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

/** The signals, kills and exit of {@linkcode spawnBounded}; replaced in tests. */
export interface ProcessControl {
  /** Send `signal` to `pid`; a negative pid is a process group. */
  kill(pid: number, signal: Deno.Signal): void;
  /** Call `listener` when awsmfa gets `signal`; returns what stops that. */
  onSignal(signal: Deno.Signal, listener: () => void): () => void;
  /** End awsmfa with exit status `code`. */
  exit(code: number): void;
}

const DENO_CONTROL: ProcessControl = {
  kill: (pid, signal) => Deno.kill(pid, signal),
  onSignal(signal, listener) {
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  },
  exit: (code) => Deno.exit(code),
};

/** Signals that end awsmfa while a program of its own group runs, with their numbers. */
const ENDING_SIGNALS: readonly [Deno.Signal, number][] = [
  ["SIGINT", 2],
  ["SIGTERM", 15],
  ["SIGHUP", 1],
];

/** How long the `ps` that lists a stopped program's descendants may take. */
const PS_TIMEOUT_MS = 2_000;

/**
 * The processes below `pid`, from POSIX `ps -A -o pid= -o ppid=` (Linux,
 * macOS, the BSDs). Where `ps` cannot run, none: then only the program
 * itself is stopped, and programs it started may outlive it. (Deno grants
 * `/proc` only with every permission, so `ps` it is.)
 */
async function descendants(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  try {
    const out = await new Deno.Command("ps", {
      args: ["-A", "-o", "pid=", "-o", "ppid="],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      // A `ps` that hangs must not hold up the stop it serves.
      signal: AbortSignal.timeout(PS_TIMEOUT_MS),
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

function tryKill(control: ProcessControl, pid: number): void {
  try {
    control.kill(pid, "SIGKILL");
  } catch {
    // It (or the whole group) ended just now.
  }
}

/**
 * Kill the program, its group when it has its own (so programs that left
 * its tree go too) and, where `ps` shows them, the programs below it that
 * started groups of their own.
 */
async function stop(
  child: Deno.ChildProcess,
  ownGroup: boolean,
  control: ProcessControl,
): Promise<void> {
  const below = Deno.build.os === "windows" ? [] : await descendants(child.pid);
  if (ownGroup) tryKill(control, -child.pid);
  for (const pid of [child.pid, ...below]) tryKill(control, pid);
  await child.status;
}

/**
 * While a program of its own group runs, a signal that ends awsmfa ends the
 * group (`group.pid`, once spawned) first, then awsmfa. Returns what removes
 * the listeners.
 */
function endGroupOnSignal(
  group: { pid?: number },
  control: ProcessControl,
): () => void {
  const removers = ENDING_SIGNALS.map(([signal, number]) =>
    control.onSignal(signal, () => {
      if (group.pid !== undefined) tryKill(control, -group.pid);
      control.exit(128 + number);
    })
  );
  return () => removers.forEach((remove) => remove());
}

/** Bytes of `stream` up to `max` + 1 (stops early once over), and how to stop reading. */
function readCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
): { bytes: Promise<Uint8Array>; cancel(): Promise<void> } {
  const reader = stream.getReader();
  const read = async () => {
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
    }
    return joinBytes(chunks);
  };
  return {
    bytes: read(),
    // A program that escaped the kill may hold the pipe open: let it go.
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

function feed(child: Deno.ChildProcess, text: string): Promise<void> {
  return (async () => {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(text));
      await writer.close();
    } catch {
      // The program closed its stdin early; its status says the rest.
    }
  })();
}

/** Run `spec` and say how it ended; never throws for the program's sake. */
export async function spawnBounded(
  spec: SpawnSpec,
  control: ProcessControl = DENO_CONTROL,
): Promise<SpawnResult> {
  const ownGroup = spec.ownGroup === true && Deno.build.os !== "windows";
  // Listening before the spawn, so no signal falls between the two.
  const group: { pid?: number } = {};
  const removeListeners = ownGroup
    ? endGroupOnSignal(group, control)
    : () => {};
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(spec.program, {
      args: spec.args,
      windowsRawArguments: spec.windowsRawArguments ?? false,
      detached: ownGroup,
      stdin: spec.stdin === undefined
        ? "null"
        : spec.stdin === "inherit"
        ? "inherit"
        : "piped",
      stdout: "piped",
      stderr: spec.stderr,
      ...(spec.env !== undefined ? { env: spec.env } : {}),
    }).spawn();
    group.pid = child.pid;
  } catch (error) {
    removeListeners();
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
  const stdout = readCapped(child.stdout, spec.maxOutputBytes);
  const stderr = spec.stderr === "piped"
    ? readCapped(child.stderr, spec.maxOutputBytes)
    : { bytes: Promise.resolve(new Uint8Array()), cancel: async () => {} };
  const end = async (kind: "timeout" | "overflow") => {
    await stop(child, ownGroup, control);
    await Promise.all([stdout.cancel(), stderr.cancel()]);
    return { kind };
  };
  try {
    const feeding = typeof spec.stdin === "string" && spec.stdin !== "inherit"
      ? feed(child, spec.stdin)
      : Promise.resolve();
    const outputs = Promise.all([stdout.bytes, stderr.bytes, feeding]);
    const read = await Promise.race([outputs, timedOut]);
    if (read === "timeout") return await end("timeout");
    const [out, err] = read;
    if (out.length > spec.maxOutputBytes || err.length > spec.maxOutputBytes) {
      return await end("overflow");
    }
    const status = await Promise.race([child.status, timedOut]);
    if (status === "timeout") return await end("timeout");
    return {
      kind: "exited",
      code: status.code,
      signal: status.signal,
      stdout: out,
      stderr: err,
    };
  } finally {
    clearTimeout(timer);
    removeListeners();
  }
}
