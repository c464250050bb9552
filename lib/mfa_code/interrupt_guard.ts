/**
 * Ctrl-C while the prompt's read script runs: the terminal sends SIGINT to
 * every process in its foreground group, awsmfa as well as the script. The
 * script puts the terminal back and exits 130; awsmfa must not die of the
 * same Ctrl-C first.
 *
 * @module
 */

/** Keep SIGINT from ending awsmfa until the returned function is called. */
export function ignoreInterrupt(): () => void {
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  return () => Deno.removeSignalListener("SIGINT", ignore);
}
