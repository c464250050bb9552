/**
 * The shell scripts users and CI run (install.sh, .ci/run,
 * .ci/install-test-tools) pass ShellCheck, and a script with a classic
 * mistake does not, so a ShellCheck that checks nothing fails the test.
 */
import assert from "node:assert/strict";
import { findTool, needs } from "../support/tools.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const SHELLCHECK = await findTool("shellcheck");
const SCRIPTS = ["install.sh", ".ci/run", ".ci/install-test-tools"];

async function shellcheck(paths: string[]) {
  const out = await new Deno.Command(SHELLCHECK.path, {
    args: ["--format=gcc", ...paths],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    output: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

Deno.test({
  name: "install.sh and the .ci scripts pass ShellCheck",
  ...needs(SHELLCHECK, { ignore: Deno.build.os === "windows" }),
  async fn(t) {
    await t.step("it finds an unquoted variable", async () => {
      const dir = await Deno.makeTempDir({ prefix: "shellcheck_" });
      try {
        await Deno.writeTextFile(`${dir}/bad.sh`, "#!/bin/sh\nrm -rf $1/x\n");
        const result = await shellcheck([`${dir}/bad.sh`]);
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /SC2086/);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
    await t.step(SCRIPTS.join(", "), async () => {
      const result = await shellcheck(SCRIPTS);
      assert.equal(result.output, "");
      assert.equal(result.code, 0);
    });
  },
});
