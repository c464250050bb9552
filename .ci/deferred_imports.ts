/**
 * Dynamic imports that Deno loads only when they run.
 *
 * Before a program starts, Deno reads, hashes and looks up in its cache
 * every module the program could reach, following `import("./x.js")` with a
 * literal specifier too, although the run may never take that path. For the
 * bundle that is the AWS SDK's chunks and the rarely used commands, about
 * 220 KB read on every run, the fast paths included (about 0.5 ms of each).
 * A specifier Deno's analysis does not evaluate,
 * `import(new URL("./x.js", import.meta.url).href)`, is loaded when the
 * import runs, from the same file. `deno compile` embeds these chunks
 * through `--include` (.ci/compile.ts). An import every run makes (the
 * code-cache module main.ts loads last) is better left literal: read with
 * the others before the run, it costs less than a graph of its own at the
 * end (about 0.4 ms).
 *
 * @module
 */

import { children, type JsNode, parseModule } from "./js_module.ts";

function importsIn(node: JsNode, found: JsNode[]): void {
  if (node.type === "ImportExpression") found.push(node);
  for (const child of children(node)) importsIn(child, found);
}

/**
 * `text` (an ES module) with each `import("./…")` of a relative, literal
 * specifier for which `keep` does not hold turned into
 * `import(new URL("./…", import.meta.url).href)`, the same module resolved
 * the same way, which Deno loads only when the import runs; the number of
 * imports changed beside it. Other imports (bare or computed specifiers) are
 * left as they are.
 *
 * @throws {SyntaxError} when `text` is not a module acorn can parse.
 */
export function deferImports(
  text: string,
  keep: (specifier: string) => boolean = () => false,
): { text: string; count: number } {
  const imports: JsNode[] = [];
  importsIn(parseModule(text), imports);
  const relative = imports.map((node) => node.source!).filter((source) =>
    source.type === "Literal" && typeof source.value === "string" &&
    /^\.\.?\//.test(source.value) && !keep(source.value)
  ).sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const source of relative) {
    out += `${text.slice(at, source.start)}new URL(${
      JSON.stringify(source.value)
    },import.meta.url).href`;
    at = source.end;
  }
  return { text: out + text.slice(at), count: relative.length };
}
