/**
 * lib/shared/path.ts against `node:path` itself, for POSIX and Windows syntax on
 * every platform: a grid of roots, bodies and separators.
 */
import assert from "node:assert/strict";
import nodePath from "node:path";
import { posix, win32 } from "../../lib/shared/path.ts";

const BODIES = [
  "",
  "a",
  "a/b",
  "a\\b",
  "a/../b",
  "./a",
  "a/",
  "a//b",
  "..",
  "../a",
  ".",
  "a/b/..",
  "a/b/../..",
  ".aws/credentials",
  "home/.aws/.credentials.awsmfa.lock",
  "a/./b/",
  "..a/b..",
];
const POSIX_ROOTS = ["", "/", "//"];
const WINDOWS_ROOTS = [
  "",
  "/",
  "\\",
  "C:",
  "C:\\",
  "c:/",
  "\\\\server\\share\\",
  "//server/share/",
  "\\\\server\\share",
];

function grid(roots: string[]): string[] {
  return roots.flatMap((root) => BODIES.map((body) => root + body));
}

for (
  const [name, ours, theirs, roots] of [
    ["posix", posix, nodePath.posix, POSIX_ROOTS],
    ["win32", win32, nodePath.win32, WINDOWS_ROOTS],
  ] as const
) {
  const paths = grid(roots);
  Deno.test(`${name}: dirname and basename agree with node:path`, () => {
    for (const path of paths) {
      assert.equal(ours.dirname(path), theirs.dirname(path), `dirname ${path}`);
      assert.equal(
        ours.basename(path),
        theirs.basename(path),
        `basename ${path}`,
      );
    }
  });
  Deno.test(`${name}: join agrees with node:path`, () => {
    for (const first of paths) {
      for (const second of BODIES) {
        assert.equal(
          ours.join(first, second),
          theirs.join(first, second),
          `join ${first} + ${second}`,
        );
      }
    }
  });
  Deno.test(`${name}: resolve from an absolute path agrees with node:path`, () => {
    const absolute = paths.filter((path) =>
      name === "posix"
        ? path.startsWith("/")
        : /^([A-Za-z]:[\\/]|[\\/]{2}server)/.test(path)
    );
    assert.ok(absolute.length > 20);
    for (const base of absolute) {
      for (const next of [...BODIES, ...absolute.slice(0, 20)]) {
        assert.equal(
          ours.resolve(base, next),
          theirs.resolve(base, next),
          `resolve ${base} + ${next}`,
        );
      }
    }
  });
}

Deno.test("resolve of a relative path starts at the current directory", () => {
  const native = Deno.build.os === "windows" ? win32 : posix;
  assert.equal(
    native.resolve("a/b"),
    nodePath.resolve(Deno.cwd(), "a/b"),
  );
});
