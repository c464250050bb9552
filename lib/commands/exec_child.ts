/**
 * How `awsmfa exec` runs CMD: with stdin, stdout and stderr shared, the
 * session in its environment, the signals a user sends passed on to it, and
 * its exit status passed back.
 *
 * @module
 */

/** Exit code when CMD was not found (as `env` and POSIX shells report it). */
export const EXIT_NOT_FOUND = 127;
/** Exit code when CMD was found but could not be started. */
const EXIT_CANNOT_RUN = 126;

/**
 * Signals forwarded to CMD on POSIX systems. SIGINT and SIGQUIT are not: the
 * terminal sends those to CMD itself (it is in the same process group), and a
 * second copy makes tools like terraform abort instead of stopping cleanly.
 * awsmfa ignores them while CMD runs, so it can still pass on CMD's status.
 */
const FORWARDED_SIGNALS: readonly Deno.Signal[] = [
  "SIGTERM",
  "SIGHUP",
  "SIGUSR1",
  "SIGUSR2",
];

/** Signals awsmfa ignores while CMD runs (CMD gets them from the terminal). */
const IGNORED_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGQUIT"];

/** What to run and how its environment differs from awsmfa's. */
export interface ChildSpec {
  /** The program and its arguments. */
  argv: string[];
  /** Variables to set. */
  set: Record<string, string>;
  /** Variables to remove. */
  unset: readonly string[];
}

/** Runs a {@linkcode ChildSpec} to its end and returns its exit code. */
export type ChildRunner = (
  spec: ChildSpec,
  stderr: (text: string) => void,
) => Promise<number>;

/**
 * The production runner: removes `spec.unset` from this process's
 * environment (CMD inherits it), starts CMD with stdin, stdout and stderr
 * shared, forwards {@linkcode FORWARDED_SIGNALS} to it and resolves to its
 * exit code: its own, or 128+N when signal N ended it. A CMD that cannot be
 * found or started gives 127 or 126 and one sentence on stderr.
 */
export async function runChild(
  spec: ChildSpec,
  stderr: (text: string) => void,
): Promise<number> {
  for (const name of spec.unset) Deno.env.delete(name);
  const [program, ...args] = spec.argv;
  // The listeners go in before CMD starts: a signal that came between the
  // spawn and them would end awsmfa and leave CMD running on its own.
  let child: Deno.ChildProcess | undefined;
  const early: Deno.Signal[] = [];
  const windows = Deno.build.os === "windows";
  const listeners: [Deno.Signal, () => void][] = [];
  const forwarded = windows ? [] : FORWARDED_SIGNALS;
  const ignored: readonly Deno.Signal[] = windows
    ? ["SIGINT"]
    : IGNORED_SIGNALS;
  for (const signal of forwarded) {
    listeners.push([signal, () => {
      if (child === undefined) {
        early.push(signal);
        return;
      }
      try {
        child.kill(signal);
      } catch {
        // It has just ended.
      }
    }]);
  }
  for (const signal of ignored) listeners.push([signal, () => {}]);
  for (const [signal, listener] of listeners) {
    Deno.addSignalListener(signal, listener);
  }
  const removeListeners = () => {
    for (const [signal, listener] of listeners) {
      Deno.removeSignalListener(signal, listener);
    }
  };
  try {
    child = new Deno.Command(program, {
      args,
      env: spec.set,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    removeListeners();
    const notFound = error instanceof Deno.errors.NotFound;
    const reason = notFound
      ? "it was not found"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : error instanceof Deno.errors.NotCapable
      ? "awsmfa may not run programs (no --allow-run)"
      : (error as Error).name;
    stderr(`awsmfa: Cannot run "${program}": ${reason}.\n`);
    return notFound ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
  }
  for (const signal of early) {
    try {
      child.kill(signal);
    } catch {
      // It has just ended.
    }
  }
  try {
    const status = await child.status;
    return status.code;
  } finally {
    removeListeners();
  }
}
