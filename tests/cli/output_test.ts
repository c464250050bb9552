/**
 * lib/cli/output.ts: the env script evaluated by a real sh and fish with values
 * that need quoting, the credential_process JSON, and the default shell.
 */
import assert from "node:assert/strict";
import {
  credentialProcessJson,
  defaultEnvShell,
  envScript,
  sessionVariables,
  SHADOWING_VARIABLES,
} from "../../lib/cli/output.ts";
import type { SessionValues } from "../../lib/aws_files/session.ts";
import { findTool, needs, testWith } from "../support/tools.ts";

const SESSION: SessionValues = {
  accessKeyId: "ASIAEXAMPLESESSION01",
  // Quotes, a backslash, $ and spaces: whatever a value holds must survive.
  secretAccessKey: `it's a "secret" \\ with $HOME and \`x\` + /=`,
  sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE==",
  expiration: new Date("2026-11-29T15:00:00.000Z"),
};

const decoder = new TextDecoder();

function findOnPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (dir !== "" && Deno.statSync(`${dir}/${name}`).isFile) {
        return `${dir}/${name}`;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The environment a shell sees after evaluating `script`, as NAME=value lines. */
async function evaluated(
  shell: string,
  args: string[],
  env: Record<string, string>,
): Promise<Map<string, string>> {
  const out = await new Deno.Command(shell, {
    args,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(decoder.decode(out.stderr), "");
  assert.equal(out.code, 0);
  const seen = new Map<string, string>();
  // env -0: NUL-separated, so values with newlines or = stay whole.
  for (const entry of decoder.decode(out.stdout).split("\0")) {
    const equals = entry.indexOf("=");
    if (equals > 0) seen.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return seen;
}

function assertSession(seen: Map<string, string>) {
  assert.equal(seen.get("AWS_ACCESS_KEY_ID"), SESSION.accessKeyId);
  assert.equal(seen.get("AWS_SECRET_ACCESS_KEY"), SESSION.secretAccessKey);
  assert.equal(seen.get("AWS_SESSION_TOKEN"), SESSION.sessionToken);
  assert.equal(seen.get("AWS_CREDENTIAL_EXPIRATION"), "2026-11-29T15:00:00Z");
  for (const name of SHADOWING_VARIABLES) {
    assert.ok(!seen.has(name), `${name} is still set`);
  }
  assert.equal(seen.get("KEEP_ME"), "kept");
}

const SHADOWED = {
  AWS_PROFILE: "work",
  AWS_DEFAULT_PROFILE: "work",
  AWS_SECURITY_TOKEN: "old",
  KEEP_ME: "kept",
};

const BASH = await findTool("bash");
/** Tests that run bash: skipped (or, in CI, failed) without it. */
const test = {
  bash: testWith(BASH, { ignore: Deno.build.os === "windows" }),
};

test.bash("envScript for sh: a real sh (and bash) that evals it exports exactly the session", async () => {
  const script = envScript(SESSION, "sh");
  const shells = [["sh", findOnPath("sh") ?? ""], ["bash", BASH.path]];
  for (const [shell, path] of shells) {
    assert.ok(path !== "", `no ${shell} on PATH`);
    const seen = await evaluated(
      path,
      ["-c", 'eval "$1" && env -0', shell, script],
      SHADOWED,
    );
    assertSession(seen);
  }
});

const FISH_TOOL = await findTool("fish");
const FISH = FISH_TOOL.path;

Deno.test({
  name:
    "envScript for fish: a real fish that evals it exports exactly the session",
  ...needs(FISH_TOOL),
  async fn() {
    const script = envScript(SESSION, "fish");
    const seen = await evaluated(
      FISH,
      ["--no-config", "-c", "eval $argv[1]; and env -0", script],
      SHADOWED,
    );
    assertSession(seen);
    // Without the shadowing variables set, fish stays quiet and ends on 0.
    const quiet = await evaluated(
      FISH,
      ["--no-config", "-c", "eval $argv[1]; and env -0", script],
      { KEEP_ME: "kept" },
    );
    assertSession(quiet);
  },
});

Deno.test("envScript for powershell: single-quoted values, quotes doubled", () => {
  const script = envScript(SESSION, "powershell");
  const lines = script.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 3), [
    "Remove-Item -ErrorAction SilentlyContinue Env:AWS_PROFILE",
    "Remove-Item -ErrorAction SilentlyContinue Env:AWS_DEFAULT_PROFILE",
    "Remove-Item -ErrorAction SilentlyContinue Env:AWS_SECURITY_TOKEN",
  ]);
  assert.equal(
    lines[4],
    `$Env:AWS_SECRET_ACCESS_KEY = 'it''s a "secret" \\ with $HOME and \`x\` + /='`,
  );
  assert.equal(lines.length, 7);
});

Deno.test("credentialProcessJson is the Version 1 document the AWS CLI reads", () => {
  const text = credentialProcessJson(SESSION);
  assert.ok(text.endsWith("}\n"));
  assert.equal(text.split("\n").length, 2);
  assert.deepEqual(JSON.parse(text), {
    Version: 1,
    AccessKeyId: SESSION.accessKeyId,
    SecretAccessKey: SESSION.secretAccessKey,
    SessionToken: SESSION.sessionToken,
    Expiration: "2026-11-29T15:00:00Z",
  });
});

Deno.test("sessionVariables names the four AWS_* variables", () => {
  assert.deepEqual(Object.keys(sessionVariables(SESSION)), [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
  ]);
});

Deno.test("defaultEnvShell follows $SHELL, then the platform", () => {
  const cases: [string | undefined, boolean, string][] = [
    ["/bin/bash", false, "sh"],
    ["/usr/bin/zsh", false, "sh"],
    ["/usr/local/bin/fish", false, "fish"],
    ["/opt/homebrew/bin/fish", true, "fish"],
    ["/usr/bin/pwsh", false, "powershell"],
    ["C:\\Program Files\\PowerShell\\7\\pwsh.exe", true, "powershell"],
    ["/usr/bin/bash", true, "sh"],
    [undefined, false, "sh"],
    ["", false, "sh"],
    [undefined, true, "powershell"],
  ];
  for (const [shell, windows, expected] of cases) {
    assert.equal(
      defaultEnvShell((name) => name === "SHELL" ? shell : undefined, windows),
      expected,
      `${shell} ${windows}`,
    );
  }
});
