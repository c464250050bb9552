/**
 * Ctrl-C while the prompt's read script runs: the terminal sends SIGINT to
 * every process in its foreground group, awsmfa as well as the script. The
 * script puts the terminal back and exits 130; awsmfa must not die of the
 * same Ctrl-C first, nor after.
 *
 * Deno decides whether a SIGINT ends the process on a thread of its own, some
 * time after the signal arrived, by whether a listener is installed then. So
 * awsmfa can see the script's exit before that thread has dealt with its own
 * copy of the Ctrl-C (on a busy machine tens of milliseconds later, after
 * awsmfa has said why it stops); a listener removed at once, or at the end of
 * the program, would let that late SIGINT kill it by signal.
 *
 * @module
 */

/**
 * How long awsmfa stays, at most, for the SIGINT of a Ctrl-C that ended the
 * read script: it comes within milliseconds even on a loaded machine; it
 * never comes when only the script was signalled.
 */
const LATE_INTERRUPT_MS = 2_000;

/**
 * Keep SIGINT from ending awsmfa until the returned function is called.
 * Called with `interrupted` (the read script ended by Ctrl-C, which reached
 * awsmfa too), it keeps ignoring until that one SIGINT has been dealt with,
 * however late, and keeps awsmfa from ending before (for at most
 * `lateInterruptMs`, {@linkcode LATE_INTERRUPT_MS} by default); a later
 * SIGINT ends awsmfa as usual.
 */
export function ignoreInterrupt(
  lateInterruptMs: number = LATE_INTERRUPT_MS,
): (interrupted: boolean) => void {
  let arrived = false;
  let released = false;
  let bound: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearTimeout(bound);
    Deno.removeSignalListener("SIGINT", ignore);
  };
  function ignore() {
    arrived = true;
    if (released) stop();
  }
  Deno.addSignalListener("SIGINT", ignore);
  return (interrupted) => {
    if (released) return;
    released = true;
    if (!interrupted || arrived) stop();
    else bound = setTimeout(stop, lateInterruptMs);
  };
}
