/**
 * The picture of the house (ARCHITECTURE.md): imports in lib/ run one way.
 * No module imports itself back through others, the folders form no circle,
 * `shared/` depends on nothing else, `sessions/` never reaches up into the
 * command line or the commands, and only `lib/run.ts` dispatches to commands.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']+)\1/g;

async function modules(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await modules(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) found.push(path);
  }
  return found.sort();
}

function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** Every lib/ module and the lib/ modules it imports (static, dynamic, types). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const path of await modules("lib")) {
    const text = (await Deno.readTextFile(`${ROOT}${path}`))
      .replace(/\/\*[^]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const targets = [...text.matchAll(SPECIFIER)]
      .map((match) => resolve(path, match[2]))
      .filter((target) => target.startsWith("lib/"));
    graph.set(path, [...new Set(targets)]);
  }
  return graph;
}

/** lib/run.ts → "run"; lib/cli/args.ts → "cli"; lib/source_keys/keychain/x.ts → "source_keys". */
function folderOf(path: string): string {
  const parts = path.split("/");
  return parts.length === 2 ? parts[1].replace(/\.ts$/, "") : parts[1];
}

function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  function visit(node: string): string[] | undefined {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") {
      return [...stack.slice(stack.indexOf(node)), node];
    }
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  }
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

Deno.test("layout: every import in lib/ names a module that exists", async () => {
  const graph = await importGraph();
  const missing = [...graph].flatMap(([from, targets]) =>
    targets.filter((target) => !graph.has(target)).map((t) => `${from} → ${t}`)
  );
  assert.deepEqual(missing, []);
});

Deno.test("layout: no module imports itself back through others", async () => {
  assert.equal(findCycle(await importGraph())?.join(" → "), undefined);
});

Deno.test("layout: the folders of lib/ form no circle", async () => {
  const folders = new Map<string, string[]>();
  for (const [from, targets] of await importGraph()) {
    const edges = folders.get(folderOf(from)) ?? [];
    for (const target of targets) {
      if (folderOf(target) !== folderOf(from)) edges.push(folderOf(target));
    }
    folders.set(folderOf(from), edges);
  }
  assert.equal(findCycle(folders)?.join(" → "), undefined);
});

Deno.test("layout: imports run one way", async () => {
  const rules: [string, (from: string, to: string) => boolean][] = [
    [
      "shared/ imports only shared/",
      (f, t) => f !== "shared" || t === "shared",
    ],
    [
      "sessions/ imports neither cli/ nor commands/",
      (f, t) => f !== "sessions" || (t !== "cli" && t !== "commands"),
    ],
    [
      "only run.ts and commands/ import commands/",
      (f, t) => t !== "commands" || f === "run" || f === "commands",
    ],
    ["nothing in lib/ imports run.ts", (_f, t) => t !== "run"],
  ];
  const broken: string[] = [];
  for (const [from, targets] of await importGraph()) {
    for (const target of targets) {
      for (const [rule, holds] of rules) {
        if (!holds(folderOf(from), folderOf(target))) {
          broken.push(`${rule}: ${from} → ${target}`);
        }
      }
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("layout: the checks above see real imports", async () => {
  // Guards the regex: a graph with no edges would pass every rule.
  const graph = await importGraph();
  assert.ok(
    graph.get("lib/run.ts")!.some((t) => t.startsWith("lib/commands/")),
  );
  assert.ok(findCycle(new Map([["a", ["b"]], ["b", ["a"]]])));
});
