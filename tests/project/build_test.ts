/**
 * The build step (.ci/build.ts): what makes it refuse a bundle, and that
 * `deno task install` installs the bundle with exactly the binary's
 * permission set.
 */
import assert from "node:assert/strict";
import { bundleProblems } from "../../.ci/build.ts";

type Metafile = Parameters<typeof bundleProblems>[0];

/** A metafile of outputs: name -> [inputs, imports]. */
function metafile(
  outputs: Record<
    string,
    [string[], { path: string; kind: string; external?: boolean }[]]
  >,
): Metafile {
  return {
    inputs: {},
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([name, [inputs, imports]]) => [name, {
        bytes: 1,
        inputs: Object.fromEntries(
          inputs.map((input) => [input, { bytesInOutput: 1 }]),
        ),
        imports,
        exports: [],
      }]),
    ),
  } as unknown as Metafile;
}

const GOOD = metafile({
  "out/awsmfa.js": [["main.ts", "lib/run.ts"], [
    { path: "out/chunk-A.js", kind: "import-statement" },
    { path: "out/sts-B.js", kind: "dynamic-import" },
  ]],
  "out/chunk-A.js": [["lib/errors.ts"], []],
  "out/sts-B.js": [[
    "lib/sts.ts",
    "node_modules/.deno/@aws-sdk+client-sts@3/index.js",
  ], [{ path: "out/chunk-A.js", kind: "import-statement" }]],
});

Deno.test("bundleProblems() accepts the SDK behind a dynamic import", () => {
  const texts = new Map([["out/sts-B.js", 'e="require(\\"x\\")"']]);
  assert.deepEqual(bundleProblems(GOOD, texts, "out/awsmfa.js"), []);
});

Deno.test("bundleProblems() refuses the SDK in a chunk every run loads", () => {
  const bad = metafile({
    "out/awsmfa.js": [["main.ts"], [
      { path: "out/chunk-A.js", kind: "import-statement" },
    ]],
    "out/chunk-A.js": [["node_modules/.deno/@smithy+core/index.js"], []],
  });
  assert.deepEqual(bundleProblems(bad, new Map(), "out/awsmfa.js"), [
    "out/chunk-A.js, loaded on every run, holds node_modules/.deno/@smithy+core/index.js.",
  ]);
});

Deno.test("bundleProblems() refuses outside imports, DOMParser and require shims", () => {
  const outside = metafile({
    "out/awsmfa.js": [["main.ts"], [
      { path: "node:crypto", kind: "import-statement", external: true },
    ]],
  });
  const texts = new Map([[
    "out/awsmfa.js",
    "new DOMParser();var r=typeof require<'u'?require:0;",
  ]]);
  assert.deepEqual(bundleProblems(outside, texts, "out/awsmfa.js"), [
    "out/awsmfa.js imports node:crypto from outside.",
    "out/awsmfa.js uses DOMParser, which Deno lacks.",
    "out/awsmfa.js calls require, which needs Deno's Node layer.",
  ]);
  const shim = new Map([[
    "out/awsmfa.js",
    'import{createRequire}from"node:module";',
  ]]);
  assert.deepEqual(bundleProblems(GOOD, shim, "out/awsmfa.js"), [
    "out/awsmfa.js calls require, which needs Deno's Node layer.",
  ]);
});

Deno.test("deno task install installs the bundle with the binary's permission set", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  const set = config.permissions.awsmfa as Record<string, boolean | string[]>;
  const expected = Object.entries(set).map(([name, value]) =>
    value === true
      ? `--allow-${name}`
      : `--allow-${name}=${(value as string[]).join(",")}`
  );
  const task = config.tasks.install as string;
  const words = [...task.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
  assert.deepEqual(words.slice(0, 4), ["deno", "task", "build", "&&"]);
  assert.deepEqual(
    words.filter((word) => word.startsWith("--allow-")),
    expected,
  );
  assert.ok(words.includes("--no-prompt"));
  assert.equal(words.at(-1), "dist/bundle/awsmfa.js");
  assert.ok(!words.some((word) => word === "-A" || word === "--allow-all"));
});
