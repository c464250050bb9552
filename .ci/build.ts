/**
 * `deno task build`: bundles main.ts into `dist/bundle/`, the program that
 * the release binary, `deno task install`, the benchmark and the end-to-end
 * tests run.
 *
 * The AWS SDK's Node build pulls `node:crypto`, `node:https`, `node:fs` and
 * `node:module`, which start Deno's Node-compatibility layer (about 40 ms of
 * every refresh). Bundled with esbuild for the browser platform, the same
 * `@aws-sdk/client-sts` uses `fetch` (through `FetchHttpHandler`, as before)
 * and WebCrypto for SigV4, and no `node:` module at all. Code splitting keeps
 * the SDK in chunks of its own that load only when STS is called, so the fast
 * paths (--version, --help, status, skip-while-valid, a warm
 * credential-process) load none of it; minifying makes every chunk cheaper to
 * parse.
 *
 * One browser substitution is undone: `@aws-sdk/xml-builder`'s browser XML
 * parser needs `DOMParser`, which Deno lacks, so its portable parser is kept.
 * One line of `@smithy/fetch-http-handler` is changed: after every request
 * it calls `clearTimeout` on a timer it only set when a request timeout was
 * configured (awsmfa configures none), and in Deno merely reading the global
 * `clearTimeout` loads the Node layer's timers (about 5 ms and 2 MiB of each
 * refresh). The changed line skips the call when there is no timer.
 * The build then runs a refresh and the fast paths with the bundle under
 * V8's coverage (.ci/everyday_coverage.ts, against the tests' loopback STS
 * double), and `.ci/eager_compile.ts` rewrites the functions they ran, in the chunks
 * every run loads, so that V8 compiles them eagerly and Deno's code cache
 * keeps them; otherwise every run compiles each function it calls again. Last,
 * `.ci/deferred_imports.ts` rewrites the chunks' dynamic imports so that
 * Deno reads a chunk loaded on demand only when it is imported, not at the
 * start of every run.
 *
 * The build fails when an output imports anything outside the bundle, uses
 * `DOMParser` or `require`, or when the entry chunk statically reaches the
 * SDK.
 *
 * The bundle is written to a temporary directory and then swapped into
 * place, with the stamp of its sources (.ci/bundle_stamp.ts), so a reader
 * never sees half a bundle.
 *
 * Run it through the task: `--node-modules-dir=auto` lets esbuild resolve the
 * npm packages (versions from deno.lock) in `node_modules/`.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { posix } from "node:path";
import {
  BUNDLE_DIR,
  BUNDLE_ENTRY,
  sourceStamp,
  STAMP_FILE,
} from "./bundle_stamp.ts";
import { eagerCompileBundle } from "./eager_compile.ts";
import { everydayFunctions } from "./everyday_coverage.ts";
import { deferImports } from "./deferred_imports.ts";

/**
 * The modules every run imports dynamically (main.ts loads the code-cache
 * module last), whose imports stay literal (.ci/deferred_imports.ts).
 */
const EVERY_RUN_IMPORTS: readonly string[] = [
  "lib/shared/code_cache.ts",
];

/** Resolves `@aws-sdk/xml-builder`'s parser to its portable (non-DOM) build. */
export const portableXmlParser: esbuild.Plugin = {
  name: "portable-xml-parser",
  setup(build) {
    build.onResolve({ filter: /^\.\/xml-parser$/ }, (args) => {
      if (!/[\\/]@aws-sdk[\\/]xml-builder[\\/]/.test(args.importer)) {
        return undefined;
      }
      return { path: `${args.resolveDir}/xml-parser.js` };
    });
  },
};

/** `@smithy/fetch-http-handler`'s request timeout, and the line it changes. */
const REQUEST_TIMEOUT = {
  file:
    /[\\/]@smithy[\\/]fetch-http-handler[\\/]dist-es[\\/]request-timeout\.js$/,
  line: "cancel: () => clearTimeout(timeoutId)",
  changed: "cancel: () => timeoutId !== undefined && clearTimeout(timeoutId)",
};

/**
 * Makes the fetch handler's request timeout read `clearTimeout` only when it
 * set a timer. Fails the build when the line is not there exactly once (a
 * new SDK version), so the change is never silently lost or misapplied.
 */
export const timerFreeTimeout: esbuild.Plugin = {
  name: "timer-free-timeout",
  setup(build) {
    build.onLoad({ filter: REQUEST_TIMEOUT.file }, async (args) => {
      const text = await Deno.readTextFile(args.path);
      return { contents: changeRequestTimeout(text), loader: "js" };
    });
  },
};

/** The text of request-timeout.js with its cancel line changed; throws when the line is not there once. */
export function changeRequestTimeout(text: string): string {
  const parts = text.split(REQUEST_TIMEOUT.line);
  if (parts.length !== 2) {
    throw new Error(
      `request-timeout.js has ${
        parts.length - 1
      } copies of "${REQUEST_TIMEOUT.line}" where one was expected; check the change in .ci/build.ts against this SDK version.`,
    );
  }
  return parts.join(REQUEST_TIMEOUT.changed);
}

/** The esbuild options of the bundle of `root`'s main.ts into `outdir`. */
export function bundleOptions(
  root: string,
  outdir: string,
): esbuild.BuildOptions & { metafile: true; write: true } {
  return {
    absWorkingDir: root,
    entryPoints: { awsmfa: "main.ts" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "esnext",
    minify: true,
    legalComments: "none",
    chunkNames: "[name]-[hash]",
    outdir,
    metafile: true,
    write: true,
    logLevel: "warning",
    plugins: [portableXmlParser, timerFreeTimeout],
  };
}

/** What is wrong with a built bundle, one sentence each (empty: nothing). */
export function bundleProblems(
  metafile: esbuild.Metafile,
  texts: Map<string, string>,
  entry: string,
): string[] {
  const problems: string[] = [];
  for (const [output, meta] of Object.entries(metafile.outputs)) {
    for (const imported of meta.imports) {
      if (imported.external) {
        problems.push(`${output} imports ${imported.path} from outside.`);
      }
    }
    const text = texts.get(output) ?? "";
    if (/\bDOMParser\b/.test(text)) {
      problems.push(`${output} uses DOMParser, which Deno lacks.`);
    }
    // esbuild's shim for a require() left in the code, or a createRequire.
    if (/typeof require\b|\bcreateRequire\b/.test(text)) {
      problems.push(`${output} calls require, which needs Deno's Node layer.`);
    }
  }
  // The entry chunk and what it imports statically: no npm package in them.
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const output = queue.pop()!;
    if (seen.has(output)) continue;
    seen.add(output);
    const meta = metafile.outputs[output];
    for (const input of Object.keys(meta?.inputs ?? {})) {
      if (/node_modules/.test(input)) {
        problems.push(`${output}, loaded on every run, holds ${input}.`);
        break;
      }
    }
    for (const imported of meta?.imports ?? []) {
      if (imported.kind === "import-statement") queue.push(imported.path);
    }
  }
  return problems;
}

/** Builds the bundle of `root` into {@linkcode BUNDLE_DIR}; returns the exit code. */
export async function buildMain(root: string): Promise<number> {
  const stamp = await sourceStamp(root);
  await Deno.mkdir(`${root}/dist`, { recursive: true });
  const staging = await Deno.makeTempDir({
    dir: `${root}/dist`,
    prefix: ".bundle-",
  });
  try {
    const result = await esbuild.build(bundleOptions(root, staging));
    const relative = staging.slice(root.length + 1);
    const ran = await everydayFunctions(
      root,
      `${staging}/${BUNDLE_ENTRY}`,
      `${root}/dist`,
    );
    await eagerCompileBundle(
      root,
      result.metafile,
      `${relative}/${BUNDLE_ENTRY}`,
      ran,
    );
    const texts = new Map<string, string>();
    const outputs = result.metafile.outputs;
    for (const output of Object.keys(outputs)) {
      const deferred = deferImports(
        await Deno.readTextFile(`${root}/${output}`),
        (specifier) =>
          EVERY_RUN_IMPORTS.includes(
            outputs[posix.join(posix.dirname(output), specifier)]?.entryPoint ??
              "",
          ),
      );
      if (deferred.count > 0) {
        await Deno.writeTextFile(`${root}/${output}`, deferred.text);
      }
      texts.set(output, deferred.text);
    }
    const problems = bundleProblems(
      result.metafile,
      texts,
      `${relative}/${BUNDLE_ENTRY}`,
    );
    if (problems.length > 0) {
      for (const problem of problems) console.error(problem);
      console.error("The bundle was not installed.");
      return 1;
    }
    await Deno.writeTextFile(`${staging}/${STAMP_FILE}`, `${stamp}\n`);
    if (Deno.build.os !== "windows") await Deno.chmod(staging, 0o755);
    const target = `${root}/${BUNDLE_DIR}`;
    const old = `${staging}.old`;
    await Deno.rename(target, old).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.rename(staging, target);
    await Deno.remove(old, { recursive: true }).catch(() => {});
    const bytes = Object.values(result.metafile.outputs)
      .reduce((sum, meta) => sum + meta.bytes, 0);
    console.error(
      `Built ${BUNDLE_DIR}/${BUNDLE_ENTRY} (${
        Object.keys(result.metafile.outputs).length
      } files, ${(bytes / 1024).toFixed(0)} KiB)`,
    );
    return 0;
  } finally {
    await esbuild.stop();
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url)).replace(
    /[\\/]$/,
    "",
  );
  Deno.exit(await buildMain(root));
}
