/**
 * README.md stays true: the install lines pin deno.json's version, the
 * `deno install` line grants exactly deno.json's permission set, and the
 * commands it tells people to run are tasks that exist, and the Flags table
 * lists every flag of lib/args.ts.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));
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
    /install\.(sh|ps1)|jsr:@x\/awsmfa@/.test(l) && /^(curl|iwr|deno)/.test(l)
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
  for (const task of ["test", "demo", "bench", "run", "compile"]) {
    assert.ok(named.has(task), `README does not mention deno task ${task}`);
  }
  for (const task of named) {
    assert.ok(task in CONFIG.tasks, `README names deno task ${task}`);
  }
});

Deno.test("README: the Flags table has a row for every flag, and no other", async () => {
  const { OPTIONS } = await import("../lib/args.ts");
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
