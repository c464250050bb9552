/**
 * lib/mfa_process.ts's timeout ends everything the command started, also
 * the programs that left its process tree (`(cmd &)`, `nohup`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CodeProcessError,
  runCodeProcess,
} from "../../lib/mfa_code/mfa_process.ts";
import { findTool, needs } from "../support/tools.ts";

const PS = await findTool("ps");

/** The `ps` state of `pid` ("" when there is no such process). */
async function state(pid: number): Promise<string> {
  const out = await new Deno.Command(PS.path, {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test({
  name:
    "runCodeProcess: a timeout ends the programs that left the command's tree",
  ...needs(PS, { ignore: Deno.build.os === "windows" }),
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
        const command = `${
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
          // Gone, or a zombie waiting for init: not running.
          assert.match(await state(escaped), /^(Z.*)?$/);
        } finally {
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
