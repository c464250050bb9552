/**
 * Ctrl-C while the prompt's read script runs: the terminal sends SIGINT to
 * every process in its foreground group, awsmfa as well as the script. The
 * script puts the terminal back and exits 130; awsmfa must not die of the
 * same Ctrl-C first, nor after.
 *
 * Deno decides whether a SIGINT ends the process on a thread of its own, some
 * time after the signal arrived, by whether a listener is installed then. So
 * awsmfa can see the script's exit before that thread has dealt with its own
 * copy of the Ctrl-C (a busy machine makes it tens of milliseconds later); a
 * listener removed at once would let that late SIGINT kill it by signal,
 * without the cancel message and its exit code.
 *
 * @module
 */

/**
 * Keep SIGINT from ending awsmfa until the returned function is called.
 * Called with `interrupted` (the read script ended by Ctrl-C, which reached
 * awsmfa too), it keeps ignoring until that one SIGINT has been dealt with,
 * however late; only that one.
 */
export function ignoreInterrupt(): (interrupted: boolean) => void {
  let arrived = false;
  let releasing = false;
  const ignore = () => {
    arrived = true;
    if (releasing) Deno.removeSignalListener("SIGINT", ignore);
  };
  Deno.addSignalListener("SIGINT", ignore);
  return (interrupted) => {
    if (releasing) return;
    releasing = true;
    if (!interrupted || arrived) Deno.removeSignalListener("SIGINT", ignore);
  };
}
