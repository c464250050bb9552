/**
 * A child process for the SIGINT guard's tests (lib/mfa_code/interrupt_guard.ts):
 * `deno run --allow-run interrupt_worker.ts STEP...` runs the steps in order
 * and prints the name of each one done on stdout, so the test sees how far it
 * got before a SIGINT ended it.
 *
 * - `hold`: {@linkcode ignoreInterrupt}; `hold-briefly`: the same, waiting
 *   0 ms at most for a late SIGINT.
 * - `next-turn`: wait for the timers due now (a 0 ms bound has ended after
 *   it: timers of one delay run in the order they were set).
 * - `release`, `release-interrupted`: call what `hold` returned, with `false`
 *   or `true` (the read script ended by Ctrl-C).
 * - `interrupt`: SIGINT to this process, then wait until Deno has dealt with
 *   it. POSIX has the signal delivered before `kill` returns, but Deno decides
 *   whether it ends the process later, on a thread of its own; that thread
 *   takes pending signals in ascending order, so once a SIGUSR1 sent after it
 *   reaches its listener, the SIGINT has been dealt with: the step is printed
 *   only if the process survived it.
 *
 * @module
 */

import { ignoreInterrupt } from "../../lib/mfa_code/interrupt_guard.ts";

/** Resolves once Deno's signal thread has dealt with every signal sent so far. */
function settle(): Promise<void> {
  return new Promise((resolve) => {
    const settled = () => {
      Deno.removeSignalListener("SIGUSR1", settled);
      resolve();
    };
    Deno.addSignalListener("SIGUSR1", settled);
    Deno.kill(Deno.pid, "SIGUSR1");
  });
}

async function main(steps: string[]): Promise<void> {
  let release: ((interrupted: boolean) => void) | undefined;
  for (const step of steps) {
    if (step === "hold") release = ignoreInterrupt();
    else if (step === "hold-briefly") release = ignoreInterrupt(0);
    else if (step === "next-turn") {
      await new Promise((resolve) => setTimeout(resolve, 0));
    } else if (step === "release") release!(false);
    else if (step === "release-interrupted") release!(true);
    else if (step === "interrupt") {
      Deno.kill(Deno.pid, "SIGINT");
      await settle();
    } else throw new Error(`unknown step ${step}`);
    console.log(step);
  }
}

if (import.meta.main) await main(Deno.args);
