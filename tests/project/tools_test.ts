/**
 * tests/support/tools.ts: the one rule for the programs the tests drive. An
 * AWS CLI v1 earlier on PATH is passed over for a v2 further along, an
 * override names one elsewhere, and a test that needs a missing tool is
 * skipped with the reason locally but fails with it under CI=true (checked
 * by running a small test file with `deno test`).
 */
import assert from "node:assert/strict";
import { locateTool, overrideVariable } from "../support/tools.ts";

const ON_WINDOWS = Deno.build.os === "windows";
const TOOLS_URL = new URL("../support/tools.ts", import.meta.url).href;

/** A directory holding a fake `aws` that prints `version` for --version. */
async function fakeAws(parent: string, name: string, version: string) {
  const dir = `${parent}/${name}`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(
    `${dir}/aws`,
    `#!/bin/sh\n[ "$1" = --version ] && echo "${version}"\n`,
    { mode: 0o755 },
  );
  return dir;
}

function envOf(vars: Record<string, string>) {
  return (key: string) => vars[key];
}

Deno.test({
  name: "tools: the first aws on PATH that is v2, else why none is",
  ignore: ON_WINDOWS,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "awsmfa_tools_" });
    try {
      const v1 = await fakeAws(dir, "v1", "aws-cli/1.45.11 Python/3.11.7");
      const v2 = await fakeAws(dir, "v2", "aws-cli/2.9.19 Python/3.11.2");
      const empty = `${dir}/empty`;
      await Deno.mkdir(empty);

      const found = await locateTool(
        "aws",
        envOf({ PATH: `${empty}:${v1}:${v2}` }),
      );
      assert.deepEqual([found.ok, found.path, found.problem], [
        true,
        `${v2}/aws`,
        "",
      ]);

      const onlyV1 = await locateTool("aws", envOf({ PATH: v1 }));
      assert.equal(onlyV1.ok, false);
      assert.match(onlyV1.problem, new RegExp(`${v1}/aws: .*aws-cli/1\\.45`));

      const none = await locateTool("aws", envOf({ PATH: empty }));
      assert.deepEqual([none.ok, none.problem], [false, "no aws on PATH"]);

      assert.equal(overrideVariable("aws"), "AWSMFA_TEST_AWS");
      const named = await locateTool(
        "aws",
        envOf({ PATH: v1, AWSMFA_TEST_AWS: `${v2}/aws` }),
      );
      assert.equal(named.path, `${v2}/aws`);
      const wrong = await locateTool(
        "aws",
        envOf({ PATH: v2, AWSMFA_TEST_AWS: `${v1}/aws` }),
      );
      assert.equal(wrong.ok, false, "an override is not second-guessed");
      assert.match(wrong.problem, /^AWSMFA_TEST_AWS=.*aws-cli\/1/);

      assert.equal(found.required, false);
      const inCi = await locateTool("aws", envOf({ PATH: v1, CI: "true" }));
      assert.equal(inCi.required, Deno.build.os === "linux");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "tools: a test whose tool is missing is skipped with the reason, and fails under CI=true",
  // CI installs the AWS CLI on Linux only, so only there does CI=true fail.
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "awsmfa_tools_run_" });
    try {
      const v1 = await fakeAws(dir, "v1", "aws-cli/1.45.11 Python/3.11.7");
      await Deno.writeTextFile(
        `${dir}/needs_aws_test.ts`,
        `import { findTool, testWith } from "${TOOLS_URL}";\n` +
          `const AWS = await findTool("aws");\n` +
          `testWith(AWS)("uses the AWS CLI", () => {\n` +
          `  throw new Error("ran without the AWS CLI v2");\n` +
          `});\n` +
          `Deno.test("needs nothing", () => {});\n`,
      );
      const run = async (env: Record<string, string>) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "test",
            "--no-check",
            "--allow-run",
            "--allow-env",
            "--allow-read",
            `${dir}/needs_aws_test.ts`,
          ],
          cwd: dir,
          clearEnv: true,
          env: {
            HOME: Deno.env.get("HOME") ?? dir,
            NO_COLOR: "1",
            ...env,
          },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const decoder = new TextDecoder();
        return {
          code: out.code,
          text: decoder.decode(out.stdout) + decoder.decode(out.stderr),
        };
      };
      // A PATH with only the fake v1 on it, and sh and npm (which the
      // check and the npm linters' lookup use), but not /usr/bin, where
      // Debian's AWS CLI v2 would be found.
      const noAws = `${dir}/bin`;
      await Deno.mkdir(noAws);
      for (const tool of ["sh", "npm"]) {
        const path = `/usr/bin/${tool}`;
        if (await Deno.stat(path).then(() => true, () => false)) {
          await Deno.symlink(path, `${noAws}/${tool}`);
        }
      }
      const local = await run({ PATH: `${v1}:${noAws}` });
      assert.equal(local.code, 0, local.text);
      assert.match(
        local.text,
        /SKIPPING the tests that need the AWS CLI v2: no aws on PATH passes the check \(.*aws-cli\/1\.45\.11.*\); install .* AWSMFA_TEST_AWS/,
      );
      assert.match(local.text, /uses the AWS CLI \.\.\. ignored/);
      assert.match(local.text, /needs nothing \.\.\. ok/);
      assert.doesNotMatch(local.text, /ran without the AWS CLI v2/);

      const ci = await run({ PATH: `${v1}:${noAws}`, CI: "true" });
      assert.equal(ci.code, 1, ci.text);
      assert.match(
        ci.text,
        /tools: the AWS CLI v2 is installed \(CI=true\) \.\.\. FAILED/,
      );
      assert.match(ci.text, /With CI=true this is a failure, not a skip\./);
      assert.match(ci.text, /uses the AWS CLI \.\.\. ignored/);
      assert.doesNotMatch(ci.text, /ran without the AWS CLI v2/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
