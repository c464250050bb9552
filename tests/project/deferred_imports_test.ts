/**
 * .ci/deferred_imports.ts: a chunk's dynamic imports of other chunks load the
 * same module, and Deno no longer reads them before the program starts.
 */
import assert from "node:assert/strict";
import { deferImports } from "../../.ci/deferred_imports.ts";

Deno.test("deferImports: relative literal imports become URLs of the same module", () => {
  const source = [
    `const a = () => import("./sts-AB12.js");`,
    `const b = import('../up.js', { with: {} });`,
    `const c = import("npm:left");`,
    `const d = import(name);`,
    `const e = "import('./not-code.js')";`,
  ].join("\n");
  const { text, count } = deferImports(source);
  assert.equal(count, 2);
  assert.equal(
    text,
    [
      `const a = () => import(new URL("./sts-AB12.js",import.meta.url).href);`,
      `const b = import(new URL("../up.js",import.meta.url).href, { with: {} });`,
      `const c = import("npm:left");`,
      `const d = import(name);`,
      `const e = "import('./not-code.js')";`,
    ].join("\n"),
  );
  assert.equal(
    deferImports(source, (specifier) => specifier === "../up.js").text,
    text.replace(
      `import(new URL("../up.js",import.meta.url).href,`,
      `import('../up.js',`,
    ),
  );
  assert.deepEqual(deferImports("export const x = 1;\n"), {
    text: "export const x = 1;\n",
    count: 0,
  });
  assert.throws(() => deferImports("import("), SyntaxError);
});

Deno.test("deferImports: the chunk still loads its module, which Deno's graph no longer holds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deferred_" });
  try {
    await Deno.writeTextFile(
      `${dir}/later.js`,
      `export const answer = 42;\n`,
    );
    const { text, count } = deferImports(
      `export async function load() { return (await import("./later.js")).answer; }\n`,
    );
    assert.equal(count, 1);
    await Deno.writeTextFile(`${dir}/entry.js`, text);
    const { load } = await import(`file://${dir}/entry.js`);
    assert.equal(await load(), 42);
    // `deno info` shows the graph Deno reads before a run: the entry alone.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `${dir}/entry.js`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: { specifier: string }[];
    };
    assert.deepEqual(
      info.modules.map((module) => module.specifier.replace(/^.*\//, "")),
      ["entry.js"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
