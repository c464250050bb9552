import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { VERSION, versionLine } from "../../lib/shared/version.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

Deno.test("VERSION is the version field of deno.json", async () => {
  const text = await Deno.readTextFile(`${root}/deno.json`);
  const config = JSON.parse(text) as { version: string };
  assert.equal(VERSION, config.version);
  assert.match(VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});

Deno.test("versionLine() names awsmfa, its version, deno and the target", () => {
  const line = versionLine();
  assert.equal(
    line,
    "awsmfa " + VERSION + " (deno " + Deno.version.deno + ", " +
      Deno.build.target + ")",
  );
  assert.match(
    line,
    /^awsmfa \d+\.\d+\.\d+\S* \(deno \d+\.\d+\.\d+\S*, [a-z0-9_]+-[a-z0-9_]+-[a-z0-9_-]+\)$/,
  );
  assert.ok(!line.endsWith("\n"));
});

Deno.test("lib/shared/version.ts loads with no permission at all and no prompt", async () => {
  // The binary's permission set does not grant reading the source tree, so
  // the version must come through the module graph, not a file read.
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/print_version.ts`;
    const moduleUrl =
      new URL("../../lib/shared/version.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { versionLine } from ${JSON.stringify(moduleUrl)};\n` +
        `console.log(versionLine());\n`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-lock",
        "--config",
        `${root}/deno.json`,
        script,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(stdout, versionLine() + "\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
