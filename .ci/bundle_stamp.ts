/**
 * Which sources the bundle in `dist/bundle/` was built from: a SHA-256 over
 * the path and bytes of every file the build reads (main.ts, lib/, deno.json,
 * deno.lock and the build script), written next to the bundle by
 * `deno task build` and compared by the test support, so the end-to-end
 * tests never run a bundle older than the code under test.
 *
 * This module imports nothing from npm: the tests load it.
 *
 * @module
 */

/** The bundle's directory, relative to the repository root. */
export const BUNDLE_DIR = "dist/bundle";

/** The bundle's entry point inside {@linkcode BUNDLE_DIR}. */
export const BUNDLE_ENTRY = "awsmfa.js";

/** The file inside {@linkcode BUNDLE_DIR} that holds the stamp of its sources. */
export const STAMP_FILE = "SOURCES";

/** The files and folders (relative to the root) whose contents make the bundle. */
const INPUTS = [
  "main.ts",
  "lib",
  "deno.json",
  "deno.lock",
  ".ci/build.ts",
  ".ci/bundle_stamp.ts",
  ".ci/deferred_imports.ts",
  ".ci/eager_compile.ts",
  ".ci/js_module.ts",
  ".ci/everyday_coverage.ts",
  "tests/support/sts_double.ts",
  "tests/support/aws_home.ts",
];

async function listFiles(root: string, path: string): Promise<string[]> {
  const info = await Deno.stat(`${root}/${path}`);
  if (info.isFile) return [path];
  if (!info.isDirectory) return [];
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${path}`)) {
    names.push(...await listFiles(root, `${path}/${entry.name}`));
  }
  return names;
}

/** The stamp of the sources under `root`, as lowercase hex. */
export async function sourceStamp(root: string): Promise<string> {
  const files = (await Promise.all(INPUTS.map((path) => listFiles(root, path))))
    .flat().sort();
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const file of files) {
    parts.push(
      encoder.encode(`${file}\0`),
      await Deno.readFile(`${root}/${file}`),
    );
    parts.push(encoder.encode("\0"));
  }
  const whole = new Uint8Array(
    parts.reduce((sum, part) => sum + part.length, 0),
  );
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", whole);
  return Array.from(new Uint8Array(digest))
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Whether `root`'s bundle exists and was built from the sources now under `root`. */
export async function bundleIsFresh(root: string): Promise<boolean> {
  try {
    const recorded = await Deno.readTextFile(
      `${root}/${BUNDLE_DIR}/${STAMP_FILE}`,
    );
    await Deno.stat(`${root}/${BUNDLE_DIR}/${BUNDLE_ENTRY}`);
    return recorded.trim() === await sourceStamp(root);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
