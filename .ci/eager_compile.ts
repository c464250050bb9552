/**
 * Eager compilation of the bundle's top-level functions, so that V8's code
 * cache holds their bytecode.
 *
 * V8 compiles a function lazily, on its first call, unless it is wrapped in
 * parentheses (`(function () {…})`, the "PIFE" hint). Deno asks V8 for a
 * module's code cache right after compiling it, before it runs, so the cache
 * holds the module's top level and the functions compiled eagerly, and
 * nothing compiled later: every run of awsmfa compiled each function it
 * called again (argument parsing, the INI parser, the cache, the status
 * table), a few milliseconds of every fast path. esbuild drops parentheses
 * it does not need, so this step runs on its output.
 *
 * Each function declaration at the top level of a chunk,
 * `function f(a) {…}`, becomes `var f = (function (a) {…});`, and all of
 * them move to the top of the chunk, after its imports and before any other
 * statement, so a call that came before the declaration in the chunk still
 * finds the function (as hoisting made it). The function keeps its name
 * (`f.name` is "f"), `this`, `arguments` and kind (async, generator).
 * Declarations inside blocks and functions, `export function` and classes
 * are left as they are. One difference remains: a declaration was bound
 * when its module was linked, before any module ran, and the `var` only when
 * its chunk runs; esbuild's chunks import each other without cycles (the
 * bundle check refuses a cycle), so a chunk runs before any chunk that
 * imports it.
 *
 * @module
 */

import * as acorn from "acorn";
import type * as esbuild from "esbuild";

interface FunctionNode {
  type: string;
  start: number;
  end: number;
  id: { name: string; start: number; end: number } | null;
}

/**
 * `text` (an ES module) with its top-level function declarations turned into
 * parenthesized function expressions assigned to `var`s at its top; the
 * number of functions rewritten beside it.
 *
 * @throws {SyntaxError} when `text` is not a module acorn can parse.
 */
export function eagerFunctions(text: string): { text: string; count: number } {
  const program = acorn.parse(text, {
    ecmaVersion: "latest",
    sourceType: "module",
  }) as unknown as { body: FunctionNode[] };
  const hoisted: string[] = [];
  const cuts: [number, number][] = [];
  let top: number | undefined;
  for (const node of program.body) {
    if (node.type === "ImportDeclaration") continue;
    top ??= node.start;
    if (node.type !== "FunctionDeclaration" || node.id === null) continue;
    const expression = text.slice(node.start, node.id.start) +
      text.slice(node.id.end, node.end);
    hoisted.push(`var ${node.id.name}=(${expression});`);
    cuts.push([node.start, node.end]);
  }
  if (hoisted.length === 0) return { text, count: 0 };
  top ??= text.length;
  let out = text.slice(0, top) + hoisted.join("");
  let at = top;
  for (const [start, end] of cuts) {
    out += text.slice(at, start);
    at = end;
  }
  out += text.slice(at);
  return { text: out, count: hoisted.length };
}

/**
 * The outputs of a build that import each other in a circle, as
 * `a → b → a` (empty when there is none).
 */
export function importCycles(
  imports: Map<string, string[]>,
): string[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (node: string) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      found.push([...stack.slice(stack.indexOf(node)), node].join(" → "));
      return;
    }
    state.set(node, "open");
    stack.push(node);
    for (const next of imports.get(node) ?? []) visit(next);
    stack.pop();
    state.set(node, "done");
  };
  for (const node of imports.keys()) visit(node);
  return found;
}

/**
 * The outputs `entry` loads before it runs: itself and what it imports
 * statically, transitively (the files every run of awsmfa loads).
 */
export function loadedBefore(
  metafile: esbuild.Metafile,
  entry: string,
): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const output = queue.pop()!;
    if (seen.has(output) || metafile.outputs[output] === undefined) continue;
    seen.add(output);
    for (const imported of metafile.outputs[output].imports) {
      if (imported.kind === "import-statement") queue.push(imported.path);
    }
  }
  return [...seen].sort();
}

/**
 * Rewrite, in place under `root`, the outputs of a build that every run
 * loads (see {@linkcode loadedBefore}) with {@linkcode eagerFunctions}; the
 * chunks loaded on demand (the AWS SDK, rarely used commands) stay lazy, as
 * compiling them eagerly would only grow the code cache of a fast path.
 *
 * @returns The number of functions made eager.
 * @throws {Error} when the outputs import each other in a circle (then a
 * function could be called before its `var` is set).
 */
export async function eagerCompileBundle(
  root: string,
  metafile: esbuild.Metafile,
  entry: string,
): Promise<number> {
  const imports = new Map(
    Object.entries(metafile.outputs).map((
      [output, meta],
    ) => [output, meta.imports.map((imported) => imported.path)]),
  );
  const cycles = importCycles(imports);
  if (cycles.length > 0) {
    throw new Error(`The bundle's chunks import in a circle: ${cycles[0]}`);
  }
  let count = 0;
  for (const output of loadedBefore(metafile, entry)) {
    const path = `${root}/${output}`;
    const eager = eagerFunctions(await Deno.readTextFile(path));
    if (eager.count === 0) continue;
    await Deno.writeTextFile(path, eager.text);
    count += eager.count;
  }
  return count;
}
