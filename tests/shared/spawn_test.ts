/**
 * lib/shared/spawn.ts's own process group, through a ProcessControl that
 * records what it is asked to do (and really kills): a signal that ends
 * awsmfa while the program runs kills its group, then exits 128 + the
 * signal's number; the listeners live exactly as long as the program.
 */
import assert from "node:assert/strict";
import {
  type ProcessControl,
  spawnBounded,
  type SpawnSpec,
} from "../../lib/shared/spawn.ts";

interface Recorder extends ProcessControl {
  kills: [number, Deno.Signal][];
  exits: number[];
  listeners: Map<Deno.Signal, () => void>;
}

function recorder(): Recorder {
  const r: Recorder = {
    kills: [],
    exits: [],
    listeners: new Map(),
    kill(pid, signal) {
      r.kills.push([pid, signal]);
      Deno.kill(pid, signal);
    },
    onSignal(signal, listener) {
      assert.ok(!r.listeners.has(signal), `${signal} listened to twice`);
      r.listeners.set(signal, listener);
      return () => r.listeners.delete(signal);
    },
    exit(code) {
      r.exits.push(code);
    },
  };
  return r;
}

const SLEEPER: SpawnSpec = {
  program: "sleep",
  args: ["300"],
  stderr: "piped",
  timeoutMs: 600_000,
  maxOutputBytes: 100,
};

Deno.test({
  name:
    "spawnBounded ownGroup: SIGINT, SIGTERM and SIGHUP kill the group, then exit 128 + n",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  for (
    const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], [
      "SIGHUP",
      129,
    ]] as const
  ) {
    await t.step(signal, async () => {
      const control = recorder();
      const running = spawnBounded({ ...SLEEPER, ownGroup: true }, control);
      // Listening from before the spawn on.
      assert.deepEqual([...control.listeners.keys()].sort(), [
        "SIGHUP",
        "SIGINT",
        "SIGTERM",
      ]);
      control.listeners.get(signal)!();
      const result = await running;
      assert.equal(result.kind, "exited");
      assert.equal(result.kind === "exited" && result.signal, "SIGKILL");
      assert.equal(control.kills.length, 1);
      const [pid, sent] = control.kills[0];
      assert.ok(pid < 0, `the group (a negative pid), not ${pid}`);
      assert.equal(sent, "SIGKILL");
      assert.deepEqual(control.exits, [code]);
      assert.equal(control.listeners.size, 0);
    });
  }
});

Deno.test({
  name:
    "spawnBounded: a timeout kills the group with ownGroup, only the processes without",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  for (const ownGroup of [true, false]) {
    await t.step(`ownGroup ${ownGroup}`, async () => {
      const control = recorder();
      const result = await spawnBounded(
        { ...SLEEPER, timeoutMs: 200, ownGroup },
        control,
      );
      assert.equal(result.kind, "timeout");
      const groups = control.kills.filter(([pid]) => pid < 0);
      assert.equal(groups.length, ownGroup ? 1 : 0);
      assert.ok(control.kills.some(([pid]) => pid > 0));
      assert.equal(control.listeners.size, 0);
      assert.deepEqual(control.exits, []);
    });
  }
});

Deno.test("spawnBounded without ownGroup listens to no signal", async () => {
  const control = recorder();
  const running = spawnBounded({
    program: "sh",
    args: ["-c", "echo 1"],
    stderr: "piped",
    timeoutMs: 60_000,
    maxOutputBytes: 100,
  }, control);
  assert.equal(control.listeners.size, 0);
  const result = await running;
  assert.equal(result.kind, "exited");
  assert.equal(
    result.kind === "exited" && new TextDecoder().decode(result.stdout),
    "1\n",
  );
});

Deno.test({
  name:
    "spawnBounded: a timeout stops the program even when the ps that lists what it started hangs",
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "hanging_ps_" });
  const path = Deno.env.get("PATH") ?? "";
  try {
    await Deno.writeTextFile(`${dir}/ps`, "#!/bin/sh\nexec sleep 300\n", {
      mode: 0o755,
    });
    Deno.env.set("PATH", `${dir}:${path}`);
    let guard: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      spawnBounded({ ...SLEEPER, timeoutMs: 200 }),
      new Promise<"hung">((resolve) => {
        guard = setTimeout(() => resolve("hung"), 30_000);
      }),
    ]);
    clearTimeout(guard);
    assert.notEqual(result, "hung", "the stop waited on the hanging ps");
    assert.equal((result as { kind: string }).kind, "timeout");
  } finally {
    Deno.env.set("PATH", path);
    await Deno.remove(dir, { recursive: true });
  }
});
