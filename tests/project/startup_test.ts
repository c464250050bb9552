/**
 * What main.ts loads before it knows it must call STS: its static module
 * graph (dynamic imports excluded) must hold no npm package, so --version,
 * --help and the skip-while-valid path never load the AWS SDK, and nothing
 * from `node:` either, since the first `node:` import starts Deno's Node
 * compatibility layer (about 15 ms on every run).
 */
import assert from "node:assert/strict";
import { changeRequestTimeout } from "../../.ci/build.ts";
import { eagerFunctions } from "../../.ci/eager_compile.ts";

interface Dependency {
  code?: { specifier?: string };
  isDynamic?: boolean;
}

interface ModuleInfo {
  specifier: string;
  dependencies?: Dependency[];
}

async function moduleGraph(entry: string): Promise<Map<string, ModuleInfo>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: ModuleInfo[];
  };
  return new Map(info.modules.map((module) => [module.specifier, module]));
}

/** Specifiers reachable from `root` through static imports only. */
function staticClosure(
  graph: Map<string, ModuleInfo>,
  root: string,
): Set<string> {
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    const specifier = queue.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of graph.get(specifier)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target !== undefined && !dependency.isDynamic) queue.push(target);
    }
  }
  return seen;
}

Deno.test("main.ts statically loads no npm package and no node: module", async () => {
  const entry = new URL("../../main.ts", import.meta.url).href;
  const graph = await moduleGraph(entry);
  const loaded = staticClosure(graph, entry);
  assert.ok(loaded.has(new URL("../../lib/run.ts", import.meta.url).href));
  const offending = [...loaded].filter((specifier) =>
    specifier.startsWith("npm:") || specifier.startsWith("node:")
  );
  assert.deepEqual(offending, []);
  // The SDK is in the graph, behind a dynamic import.
  assert.ok(
    [...graph.keys()].some((specifier) =>
      specifier.includes("@aws-sdk/client-sts")
    ),
  );
});

Deno.test("the bundle loads the AWS SDK only on demand, with no node: module and no DOMParser", async () => {
  const { bundleFiles, BUNDLE_PATH } = await import("../support/cli.ts");
  const { all, graph, loadedOnEveryRun } = await bundleFiles();
  assert.ok(loadedOnEveryRun.includes(BUNDLE_PATH));
  const bundleDir = BUNDLE_PATH.slice(0, BUNDLE_PATH.lastIndexOf("/") + 1);
  // Everything is a file of the bundle: no npm:, node: or remote module.
  assert.deepEqual(graph.filter((path) => !path.startsWith(bundleDir)), []);
  // The STS client's service id and its SigV4 signer mark the SDK's code.
  const sdkMarks = /AWSSecurityTokenServiceV20110615|AWS4-HMAC-SHA256/;
  const holdingSdk: string[] = [];
  for (const path of all) {
    const text = await Deno.readTextFile(path);
    if (sdkMarks.test(text)) holdingSdk.push(path);
    assert.doesNotMatch(text, /\bDOMParser\b/, path);
    assert.doesNotMatch(text, /typeof require\b|\bcreateRequire\b/, path);
  }
  assert.ok(holdingSdk.length > 0, "the SDK is in the bundle");
  assert.deepEqual(
    holdingSdk.filter((path) => loadedOnEveryRun.includes(path)),
    [],
    "no file loaded on every run holds SDK code",
  );
});

Deno.test("before a run starts, Deno reads only the chunks every run loads", async () => {
  const { bundleFiles } = await import("../support/cli.ts");
  const { all, graph, loadedOnEveryRun } = await bundleFiles();
  // The chunks loaded on demand (the SDK, keys, rotate) exist, but Deno's
  // graph of the program, read before it starts, holds none of them: only
  // what every run loads, and the code-cache module every run imports last.
  assert.ok(all.length > loadedOnEveryRun.length, "some chunk loads on demand");
  const late = graph.filter((path) => !loadedOnEveryRun.includes(path));
  assert.deepEqual(
    late.map((path) => path.replace(/^.*\//, "").replace(/-\w+\.js$/, "")),
    [
      "code_cache",
    ],
  );
});

/** The script URLs a CPU profile of one run saw, sampled every 50 µs. */
async function profiledUrls(dir: string): Promise<Set<string>> {
  const urls = new Set<string>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".cpuprofile")) continue;
    const profile = JSON.parse(
      await Deno.readTextFile(`${dir}/${entry.name}`),
    ) as { nodes: { callFrame: { url: string } }[] };
    for (const node of profile.nodes) urls.add(node.callFrame.url);
  }
  return urls;
}

Deno.test("a refresh from the bundle never starts Deno's Node layer", async () => {
  const { cliArgs, cliEnv, ROOT_DIR } = await import("../support/cli.ts");
  const { startStsDouble } = await import("../support/sts_double.ts");
  const { writeWorkProfile } = await import("../support/aws_home.ts");
  const home = await Deno.makeTempDir({ prefix: "startup_" });
  const sts = await startStsDouble({ quiet: true });
  try {
    const user = sts.addUser();
    await writeWorkProfile(home, user);
    const [run, ...rest] = cliArgs();
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        run,
        `--cpu-prof-dir=${home}/profile`,
        "--cpu-prof",
        "--cpu-prof-interval=50",
        ...rest,
        "--profile",
        "work",
        sts.currentCode(user),
      ],
      clearEnv: true,
      env: await cliEnv({ HOME: home, AWS_ENDPOINT_URL_STS: sts.url }),
      cwd: ROOT_DIR,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(sts.count("GetSessionToken", 200), 1, "one STS call");
    const urls = await profiledUrls(`${home}/profile`);
    assert.ok(
      [...urls].some((url) => url.includes("/dist/bundle/sts-")),
      "the profile saw the STS chunk run",
    );
    // A lazily loaded piece of Deno's Node layer (its timers, say) shows
    // as dozens of ext:deno_node/ scripts, each sampled while it loads.
    assert.deepEqual(
      [...urls].filter((url) => url.startsWith("ext:deno_node/")),
      [],
    );
  } finally {
    await sts.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("the build changes the fetch handler's timer line exactly once, or fails", async () => {
  // The version deno.json pins, as the build's node_modules/ holds it.
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { imports: Record<string, string> };
  const pinned = config.imports["@smithy/fetch-http-handler"];
  const version = pinned.slice(pinned.lastIndexOf("@") + 1);
  const original = await Deno.readTextFile(
    new URL(
      `../../node_modules/.deno/@smithy+fetch-http-handler@${version}/node_modules/@smithy/fetch-http-handler/dist-es/request-timeout.js`,
      import.meta.url,
    ),
  );
  const changed = changeRequestTimeout(original);
  assert.ok(!changed.includes("cancel: () => clearTimeout(timeoutId)"));
  assert.match(changed, /timeoutId !== undefined && clearTimeout\(timeoutId\)/);
  assert.throws(() => changeRequestTimeout("export {};\n"), /0 copies/);
  assert.throws(
    () => changeRequestTimeout(original + original),
    /2 copies/,
  );
});

Deno.test("a fast-path run leaves the V8 code cache of what it loaded, for the next run", async () => {
  // Deno hands a module's code cache to DENO_DIR only when it next loads a
  // module or when the event loop runs dry, and awsmfa ends with Deno.exit:
  // without the late import in main.ts every run compiled every module anew.
  const { BUNDLE_PATH, bundleFiles, runCli } = await import(
    "../support/cli.ts"
  );
  const { DatabaseSync } = await import("node:sqlite");
  const denoDir = await Deno.makeTempDir({ prefix: "awsmfa-code-cache-" });
  try {
    const home = `${denoDir}/home`;
    await Deno.mkdir(home);
    const run = await runCli(["--version"], {
      env: { DENO_DIR: denoDir, HOME: home },
    });
    assert.equal(run.code, 0, run.stderr);
    const db = new DatabaseSync(`${denoDir}/v8_code_cache_v2`);
    let cached: string[];
    try {
      cached = db.prepare("SELECT specifier FROM codecache").all().map(
        (row) => String(row.specifier),
      );
    } finally {
      db.close();
    }
    const { loadedOnEveryRun } = await bundleFiles();
    assert.ok(loadedOnEveryRun.includes(BUNDLE_PATH));
    for (const path of loadedOnEveryRun) {
      assert.ok(cached.includes(new URL(`file://${path}`).href), path);
    }
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("the functions the everyday runs run are compiled eagerly, and only those", async () => {
  const { bundleFiles, BUNDLE_PATH, ROOT_DIR } = await import(
    "../support/cli.ts"
  );
  const { everydayFunctions } = await import(
    "../../.ci/everyday_coverage.ts"
  );
  const { all, loadedOnEveryRun } = await bundleFiles();
  const ran: Map<string, Set<string>> = await everydayFunctions(
    ROOT_DIR.replace(/\/$/, ""),
    BUNDLE_PATH,
  );
  let eager = 0;
  let lazy = 0;
  for (const path of loadedOnEveryRun) {
    const text = await Deno.readTextFile(path);
    const ranges: Set<string> = ran.get(new URL(`file://${path}`).href) ??
      new Set();
    // No function a refresh or a fast path ran is still a (lazily compiled)
    // declaration.
    assert.equal(
      eagerFunctions(text, ({ start, end }) => ranges.has(`${start}-${end}`))
        .count,
      0,
      path,
    );
    eager += (text.match(/\bvar [\w$]+=\((async )?function\b/g) ?? []).length;
    lazy += eagerFunctions(text).count;
  }
  assert.ok(eager > 50, `${eager} functions compiled eagerly`);
  assert.ok(lazy > 50, `${lazy} functions no everyday run runs stay lazy`);
  // The chunks loaded on demand (the SDK) stay lazy.
  const onDemand = all.filter((path) => !loadedOnEveryRun.includes(path));
  let onDemandLazy = 0;
  for (const path of onDemand) {
    onDemandLazy += eagerFunctions(await Deno.readTextFile(path)).count;
  }
  assert.ok(onDemandLazy > 0, "some on-demand chunk keeps its declarations");
});
