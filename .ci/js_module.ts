/**
 * The parse tree of a bundle chunk, for the build steps that rewrite chunks
 * (.ci/eager_compile.ts, .ci/deferred_imports.ts).
 *
 * @module
 */

import * as acorn from "acorn";

/** A node of acorn's ESTree, with the fields the build steps read. */
export interface JsNode {
  /** The node type, as ESTree names it. */
  type: string;
  /** Where the node starts in the text (UTF-16 offset). */
  start: number;
  /** Where it ends (exclusive). */
  end: number;
  /** A declaration's name. */
  id?: { name: string; start: number; end: number } | null;
  /** A function's or a block's body. */
  body?: JsNode | JsNode[];
  /** A directive prologue's text ("use strict"). */
  directive?: string;
  /** An import expression's specifier. */
  source?: JsNode;
  /** A literal's value. */
  value?: unknown;
  [key: string]: unknown;
}

/**
 * The program of `text`, an ES module.
 *
 * @throws {SyntaxError} when acorn cannot parse it.
 */
export function parseModule(text: string): JsNode {
  return acorn.parse(text, {
    ecmaVersion: "latest",
    sourceType: "module",
  }) as unknown as JsNode;
}

/** The nodes directly below `node`. */
export function children(node: JsNode): JsNode[] {
  const found: JsNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "type" || value === null || typeof value !== "object") continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && typeof item === "object" && "type" in item) {
        found.push(item as JsNode);
      }
    }
  }
  return found;
}
