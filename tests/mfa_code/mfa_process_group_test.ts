/**
 * lib/mfa_code/mfa_process.ts's timeout ends everything the command started, also
 * the programs that left its process tree (`(cmd &)`, `nohup`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CodeProcessError,
  runCodeProcess,
} from "../../lib/mfa_code/mfa_process.ts";
import { lifeLine } from "../support/life_line.ts";

Deno.test({
  name:
    "runCodeProcess: a timeout ends the programs that left the command's tree",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mfa_group_" });
  try {
    for (
      const [name, escape] of [
        ["(cmd &)", "(sleep 300 & echo $! > PIDS)"],
        ["nohup", "nohup sleep 300 >/dev/null 2>&1 & echo $! > PIDS"],
      ] as const
    ) {
      await t.step(name, async () => {
        const pids = join(dir, "pids");
        const line = await lifeLine();
        const command = `${line.hold} ${
          escape.replace("PIDS", `'${pids}'`)
        }; exec sleep 300`;
        let escaped = 0;
        try {
          await assert.rejects(
            () =>
              runCodeProcess(command, {
                origin: "from --mfa-process",
                timeoutMs: 1_000,
                windows: false,
              }),
            (e: unknown) =>
              e instanceof CodeProcessError && /did not finish/.test(e.message),
          );
          escaped = Number((await Deno.readTextFile(pids)).trim());
          assert.ok(escaped > 0);
          // Every process the command started, the escaped one too, has
          // ended: the life line they held is closed.
          await line.ended();
        } finally {
          await line.close();
          if (escaped > 0) {
            try {
              Deno.kill(escaped, "SIGKILL");
            } catch { /* ended */ }
          }
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
