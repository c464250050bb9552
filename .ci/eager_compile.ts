/**
 * Eager compilation of the bundle's functions that the everyday runs (the
 * refresh and the fast paths) run, so that V8's code cache holds their
 * bytecode.
 *
 * V8 compiles a function lazily, on its first call, unless it is wrapped in
 * parentheses (`(function () {…})`, the "PIFE" hint). Deno asks V8 for a
 * module's code cache right after compiling it, before it runs, so the cache
 * holds the module's top level and the functions compiled eagerly, and
 * nothing compiled later: every run of awsmfa compiled each function it
 * called again (argument parsing, the INI parser, the cache, the status
 * table), a few milliseconds of every fast path. esbuild drops parentheses
 * it does not need, so this step runs on its output. Only the functions the
 * everyday runs run (.ci/everyday_coverage.ts) are made eager: an eager
 * function's bytecode is in the cache every run reads, whether the run calls
 * it or not (all of them eager cost `--version` about 1 ms).
 *
 * Each function declaration at the top level of a chunk or of a function's
 * body, `function f(a) {…}`, becomes `var f = (function (a) {…});`, and all
 * of them move to the top of their scope (after a chunk's imports, after a
 * body's directives), so a call that came before the declaration still
 * finds the function (as hoisting made it). The function keeps its name
 * (`f.name` is "f"), `this`, `arguments` and kind (async, generator).
 * Declarations in other blocks (block-scoped), `export function`, arrow
 * functions, methods and classes are left as they are. One difference remains: a declaration was bound
 * when its module was linked, before any module ran, and the `var` only when
 * its chunk runs; esbuild's chunks import each other without cycles (the
 * bundle check refuses a cycle), so a chunk runs before any chunk that
 * imports it.
 *
 * @module
 */

import type * as esbuild from "esbuild";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { FunctionRange } from "./everyday_coverage.ts";
import { children, type JsNode as Node, parseModule } from "./js_module.ts";

/** Where the declarations of one scope go, and which they are. */
interface Insert {
  pos: number;
  declarations: Node[];
}

const FUNCTIONS = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
]);

/**
 * `text` (an ES module) with its function declarations for which `keep`
 * holds (all, by default) turned into parenthesized function expressions
 * assigned to `var`s at the top of their scope; the number of functions
 * rewritten beside it.
 *
 * A scope is the module (the functions go after its imports) or a
 * function's body (after its directives, such as "use strict"); a
 * declaration in any other block is block-scoped and left as it is, as are
 * `export function` declarations.
 *
 * @throws {SyntaxError} when `text` is not a module acorn can parse.
 */
export function eagerFunctions(
  text: string,
  keep: (declaration: { start: number; end: number }) => boolean = () => true,
): { text: string; count: number } {
  const program = parseModule(text);
  const inserts: Insert[] = [];
  const cuts: Node[] = [];
  const scope = (statements: Node[], skip: (node: Node) => boolean) => {
    const declarations = statements.filter((node) =>
      node.type === "FunctionDeclaration" && node.id != null && keep(node)
    );
    if (declarations.length === 0) return;
    const first = statements.find((node) => !skip(node));
    inserts.push({ pos: first!.start, declarations });
    cuts.push(...declarations);
  };
  scope(
    program.body as Node[],
    (node) => node.type === "ImportDeclaration",
  );
  const visit = (node: Node) => {
    if (FUNCTIONS.has(node.type) && node.body !== undefined) {
      const body = node.body as Node;
      if (body.type === "BlockStatement") {
        scope(body.body as Node[], (statement) => statement.directive != null);
      }
    }
    for (const child of children(node)) visit(child);
  };
  visit(program);
  if (cuts.length === 0) return { text, count: 0 };

  type Edit = { pos: number; insert?: Insert; cut?: Node };
  const edits: Edit[] = [
    ...inserts.map((insert): Edit => ({ pos: insert.pos, insert })),
    ...cuts.map((cut): Edit => ({ pos: cut.start, cut })),
  ].sort((a, b) => a.pos - b.pos || (a.insert ? -1 : 0) - (b.insert ? -1 : 0));

  // The text of [start, end) with the edits inside it; a cut declaration's
  // own inside is rendered where the declaration goes.
  const render = (start: number, end: number): string => {
    let out = "";
    let at = start;
    for (const edit of edits) {
      if (edit.pos < at || edit.pos >= end) continue;
      out += text.slice(at, edit.pos);
      at = edit.pos;
      if (edit.insert) {
        for (const declaration of edit.insert.declarations) {
          const id = declaration.id!;
          out += `var ${id.name}=(${text.slice(declaration.start, id.start)}${
            render(id.end, declaration.end)
          });`;
        }
      } else {
        at = edit.cut!.end;
      }
    }
    return out + text.slice(at, end);
  };
  return { text: render(0, text.length), count: cuts.length };
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
 * loads (see {@linkcode loadedBefore}) with {@linkcode eagerFunctions},
 * keeping the declarations `ran` lists for the output's file URL (the
 * functions the everyday runs ran, {@linkcode FunctionRange}s of its text as
 * built); the chunks loaded on demand (the AWS SDK, rarely used commands)
 * stay lazy, as compiling them eagerly would only grow the code cache every
 * run reads.
 *
 * @returns The number of functions made eager.
 * @throws {Error} when the outputs import each other in a circle (then a
 * function could be called before its `var` is set).
 */
export async function eagerCompileBundle(
  root: string,
  metafile: esbuild.Metafile,
  entry: string,
  ran: ReadonlyMap<string, ReadonlySet<FunctionRange>>,
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
    const ranges = ran.get(pathToFileURL(resolve(path)).href);
    const eager = eagerFunctions(
      await Deno.readTextFile(path),
      (node) => ranges?.has(`${node.start}-${node.end}`) ?? false,
    );
    if (eager.count === 0) continue;
    await Deno.writeTextFile(path, eager.text);
    count += eager.count;
  }
  return count;
}
