/**
 * .ci/eager_compile.ts: the bundle's top-level functions become
 * parenthesized expressions (compiled eagerly, so V8's code cache holds
 * them), and the chunks behave exactly as before.
 */
import assert from "node:assert/strict";
import {
  eagerCompileBundle,
  eagerFunctions,
  importCycles,
  loadedBefore,
} from "../../.ci/eager_compile.ts";
import type { Metafile } from "esbuild";

/** The exports of the module `text`, evaluated from a data: URL. */
async function evaluate(text: string): Promise<Record<string, unknown>> {
  return await import(
    `data:text/javascript;base64,${btoa(unescape(encodeURIComponent(text)))}`
  );
}

const MODULE = `
export const early = [typeof later, later(2), typeof gen, typeof asyncGen];
var calls = 0;
function later(x) { calls++; return helper(x) * 2; }
function helper(x) { return x + 1; }
async function fetchIt(a = 1, { b } = { b: 2 }) { return a + b; }
function* gen() { yield 1; yield 2; }
async function* asyncGen() { yield 3; }
function self() { return self.name + ":" + typeof self; }
function args() { return arguments.length; }
function receiver() { "use strict"; return this; }
function outer() {
  "use strict";
  const early = typeof inner;
  return early + ":" + inner() + ":" + deeper()();
  function inner() { return "inner"; }
  function deeper() {
    return later;
    function later() { return "deep"; }
  }
}
const arrow = () => {
  return twice(3);
  function twice(n) { return n * 2; }
};
const object = {
  method() { return helper2(); function helper2() { return "method"; } },
};
if (true) { function inBlock() { return "block"; } }
export function exported() { return "exported"; }
const f = function named() { return named.name; };
export { later as twice, fetchIt, gen, asyncGen, self, args, receiver, outer, f, arrow, object };
export const counted = () => calls;
export const names = [later.name, fetchIt.name, gen.name, asyncGen.name];
`;

async function behaviour(module: Record<string, unknown>) {
  const m = module as Record<string, (...args: unknown[]) => unknown>;
  return {
    early: module.early,
    twice: m.twice(5),
    fetched: await m.fetchIt(),
    gen: [...(m.gen() as Iterable<number>)],
    asyncGen: await (async () => {
      const values: number[] = [];
      for await (const v of m.asyncGen() as AsyncIterable<number>) {
        values.push(v);
      }
      return values;
    })(),
    self: m.self(),
    args: m.args(1, 2, 3),
    receiver: m.receiver.call("x"),
    outer: m.outer(),
    arrow: m.arrow(),
    method: (module.object as { method(): string }).method(),
    exported: m.exported(),
    f: m.f(),
    counted: m.counted(),
    names: module.names,
    kinds: [m.fetchIt, m.gen, m.asyncGen].map((fn) =>
      Object.prototype.toString.call(fn)
    ),
  };
}

Deno.test("eagerFunctions: top-level functions become eager and behave the same", async () => {
  const { text, count } = eagerFunctions(MODULE);
  // later, helper, fetchIt, gen, asyncGen, self, args, receiver, outer and,
  // nested, inner, deeper, later, twice, helper2
  assert.equal(count, 14);
  assert.match(text, /var later=\(function \(x\) \{/);
  assert.match(text, /var fetchIt=\(async function \(a = 1/);
  assert.match(text, /var gen=\(function\* \(\) \{/);
  assert.match(text, /var asyncGen=\(async function\* \(\) \{/);
  // In a function's body, after its directives.
  assert.match(
    text,
    /"use strict";\n {2}var inner=\(function \(\) \{ return "inner"; \}\);var deeper=\(function \(\) \{\n {4}var later=\(/,
  );
  // Block-level and exported declarations are left as they are.
  assert.match(text, /function inBlock\(\)/);
  assert.match(text, /export function exported\(\)/);
  assert.deepEqual(
    await behaviour(await evaluate(text)),
    await behaviour(await evaluate(MODULE)),
  );
  assert.deepEqual((await evaluate(text)).early, [
    "function",
    6,
    "function",
    "function",
  ]);
  // Nothing is left to rewrite.
  assert.equal(eagerFunctions(text).count, 0);
});

Deno.test("eagerFunctions: the functions go after the imports, before any statement", () => {
  const source =
    'import{a as x}from"./a.js";import"./b.js";var y=f();function f(){return x}export{y};';
  const { text } = eagerFunctions(source);
  assert.equal(
    text,
    'import{a as x}from"./a.js";import"./b.js";var f=(function (){return x});var y=f();export{y};',
  );
  assert.deepEqual(eagerFunctions("export const a = 1;\n"), {
    text: "export const a = 1;\n",
    count: 0,
  });
});

Deno.test("eagerFunctions: only the declarations kept are rewritten, the others stay as they were", async () => {
  const source =
    "export const out = [used(), unused.name];\nfunction used() { return inner(); function inner() { return 1; } }\nfunction unused() { return 2; }\n";
  const used = source.indexOf("function used");
  const usedEnd = source.indexOf("\nfunction unused");
  const inner = source.indexOf("function inner");
  const { text, count } = eagerFunctions(
    source,
    ({ start, end }) =>
      (start === used && end === usedEnd) ||
      (start === inner && end === source.indexOf(" }", inner) + 2),
  );
  assert.equal(count, 2);
  assert.match(text, /var used=\(function \(\) \{ var inner=\(function \(\)/);
  assert.match(text, /\nfunction unused\(\) \{ return 2; \}/);
  assert.deepEqual((await evaluate(text)).out, [1, "unused"]);
  assert.equal(eagerFunctions(source, () => false).text, source);
});

Deno.test("eagerFunctions: refuses what is not a module", () => {
  assert.throws(() => eagerFunctions("function ("), SyntaxError);
});

/** One output of an esbuild metafile that imports `imports`. */
function output(
  imports: { path: string; kind: "import-statement" | "dynamic-import" }[],
) {
  return {
    bytes: 0,
    inputs: {},
    imports: imports.map((i) => ({ ...i, external: false })),
    exports: [],
  };
}

Deno.test("importCycles and loadedBefore follow the chunks' imports", () => {
  assert.deepEqual(
    importCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]])),
    [],
  );
  assert.deepEqual(
    importCycles(new Map([["a", ["b"]], ["b", ["a"]]])),
    ["a → b → a"],
  );
  const metafile = {
    inputs: {},
    outputs: {
      "entry.js": output([
        { path: "shared.js", kind: "import-statement" },
        { path: "sdk.js", kind: "dynamic-import" },
      ]),
      "shared.js": output([{ path: "base.js", kind: "import-statement" }]),
      "base.js": output([]),
      "sdk.js": output([{ path: "base.js", kind: "import-statement" }]),
    },
  } as unknown as Metafile;
  assert.deepEqual(loadedBefore(metafile, "entry.js"), [
    "base.js",
    "entry.js",
    "shared.js",
  ]);
});

Deno.test("eagerCompileBundle: only the functions that ran, in the chunks every run loads, by file URL", async () => {
  const root = await Deno.makeTempDir({ prefix: "eager_bundle_" });
  try {
    await Deno.mkdir(`${root}/out`);
    const entry =
      'import{b as helper}from"./base.js";function ran(){return helper()}function idle(){return 0}export{ran,idle};\n';
    const base =
      "function b(){return 1}function unused(){return 2}export{b,unused};\n";
    const sdk = "function sdk(){return 3}export{sdk};\n";
    await Deno.writeTextFile(`${root}/out/entry.js`, entry);
    await Deno.writeTextFile(`${root}/out/base.js`, base);
    await Deno.writeTextFile(`${root}/out/sdk.js`, sdk);
    const metafile = {
      inputs: {},
      outputs: {
        "out/entry.js": output([
          { path: "out/base.js", kind: "import-statement" },
          { path: "out/sdk.js", kind: "dynamic-import" },
        ]),
        "out/base.js": output([]),
        "out/sdk.js": output([]),
      },
    } as unknown as Metafile;
    const range = (text: string, name: string) => {
      const start = text.indexOf(`function ${name}(`);
      return `${start}-${text.indexOf("}", start) + 1}` as const;
    };
    // Coverage names files by URL, as Deno's coverage JSON does.
    const url = (file: string) => new URL(`file://${root}/out/${file}`).href;
    const ran = new Map([
      [url("entry.js"), new Set([range(entry, "ran")])],
      [url("base.js"), new Set([range(base, "b")])],
      [url("sdk.js"), new Set([range(sdk, "sdk")])],
    ]);
    assert.equal(
      await eagerCompileBundle(root, metafile, "out/entry.js", ran),
      2,
    );
    const built = await Deno.readTextFile(`${root}/out/entry.js`);
    assert.match(built, /var ran=\(function \(\)\{return helper\(\)\}\);/);
    assert.match(built, /function idle\(\)\{return 0\}/);
    const builtBase = await Deno.readTextFile(`${root}/out/base.js`);
    assert.match(builtBase, /var b=\(function \(\)\{return 1\}\);/);
    assert.match(builtBase, /function unused\(\)\{return 2\}/);
    // Loaded on demand: left as it was, whatever ran.
    assert.equal(await Deno.readTextFile(`${root}/out/sdk.js`), sdk);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
