import assert from "node:assert/strict";
import {
  binaryName,
  BUILD_ARGS,
  compileArgs,
  type CompileIo,
  compileMain,
  CompileUsageError,
  isBaseDownloadFailure,
  parseCompileArgs,
  realIo,
  RELEASE_TARGETS,
  type RunResult,
  sha256Hex,
  sha256SumsText,
  writeSums,
} from "../../.ci/compile.ts";

const HOST = "x86_64-unknown-linux-gnu";

/** The stderr of a real `deno compile` 2.9.6 on a machine without internet. */
const OFFLINE_STDERR = [
  "Check main.ts",
  "Compile main.ts to dist/awsmfa-0.1.0-x86_64-unknown-linux-gnu",
  "Download https://example.invalid/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip",
  "error: Writing deno compile executable to temporary file 'dist/awsmfa.tmp-1e0d'",
  "",
  "Caused by:",
  "    0: Setting up base binary.",
  "    1: error sending request for url: client error (Connect): dns error",
].join("\n");

/** An answer for fakeIo: the build succeeds, every `deno compile` gives `result`. */
function compileFails(result: RunResult): (args: string[]) => RunResult {
  return (args) => args[0] === "compile" ? result : { code: 0, stderr: "" };
}

/** An in-memory CompileIo whose `deno compile` writes a fake binary. */
function fakeIo(
  answer: (args: string[]) => RunResult = () => ({ code: 0, stderr: "" }),
) {
  const files = new Map<string, Uint8Array>();
  const runs: string[][] = [];
  const printed: string[] = [];
  const io: CompileIo = {
    runDeno(args) {
      runs.push(args);
      const result = answer(args);
      if (result.code === 0 && args[0] === "compile") {
        const output = args[args.indexOf("--output") + 1];
        files.set(output, new TextEncoder().encode(`binary ${output}`));
      }
      return Promise.resolve(result);
    },
    mkdir: () => Promise.resolve(),
    listFiles(path) {
      return Promise.resolve(
        [...files.keys()]
          .filter((name) => name.startsWith(`${path}/`))
          .map((name) => name.slice(path.length + 1)),
      );
    },
    readFile(path) {
      const bytes = files.get(path);
      return bytes
        ? Promise.resolve(bytes)
        : Promise.reject(new Deno.errors.NotFound(path));
    },
    writeTextFile(path, text) {
      files.set(path, new TextEncoder().encode(text));
      return Promise.resolve();
    },
    print: (line) => printed.push(line),
  };
  const text = (path: string) => {
    const bytes = files.get(path);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  };
  return { io, files, runs, printed, text };
}

Deno.test("parseCompileArgs()", async (t) => {
  await t.step("no argument builds the host target", () => {
    assert.deepEqual(parseCompileArgs([], HOST), { targets: [HOST] });
  });
  await t.step("--target picks one release target", () => {
    assert.deepEqual(
      parseCompileArgs(["--target", "aarch64-apple-darwin"], HOST),
      { targets: ["aarch64-apple-darwin"] },
    );
    assert.deepEqual(
      parseCompileArgs(["--target=x86_64-pc-windows-msvc"], HOST),
      { targets: ["x86_64-pc-windows-msvc"] },
    );
  });
  await t.step("--all builds the five targets of the issue", () => {
    assert.deepEqual(parseCompileArgs(["--all"], HOST).targets, [
      "x86_64-unknown-linux-gnu",
      "aarch64-unknown-linux-gnu",
      "x86_64-apple-darwin",
      "aarch64-apple-darwin",
      "x86_64-pc-windows-msvc",
    ]);
  });
  await t.step("--sums builds nothing", () => {
    assert.deepEqual(parseCompileArgs(["--sums"], HOST), { targets: [] });
  });
  await t.step("refuses an unknown target, also as host", () => {
    assert.throws(
      () => parseCompileArgs(["--target", "x86_64-unknown-freebsd"], HOST),
      CompileUsageError,
    );
    assert.throws(
      () => parseCompileArgs([], "riscv64gc-unknown-linux-gnu"),
      /Cannot build for "riscv64gc-unknown-linux-gnu"/,
    );
  });
  await t.step("refuses unknown flags, positionals and combinations", () => {
    for (
      const args of [
        ["--output", "x"],
        ["main.ts"],
        ["--all", "--target", HOST],
        ["--all", "--sums"],
        ["--target"],
      ]
    ) {
      assert.throws(() => parseCompileArgs(args, HOST), CompileUsageError);
    }
  });
});

Deno.test("binaryName() carries version and target, .exe on Windows", () => {
  assert.equal(
    binaryName("1.2.3", "aarch64-apple-darwin"),
    "awsmfa-1.2.3-aarch64-apple-darwin",
  );
  assert.equal(
    binaryName("1.2.3", "x86_64-pc-windows-msvc"),
    "awsmfa-1.2.3-x86_64-pc-windows-msvc.exe",
  );
});

Deno.test("compileArgs() uses exactly the awsmfa permission set, no prompt", () => {
  const args = compileArgs("0.1.0", "x86_64-apple-darwin", "dist");
  assert.deepEqual(args, [
    "compile",
    "-P=awsmfa",
    "--no-prompt",
    "--target",
    "x86_64-apple-darwin",
    "--output",
    "dist/awsmfa-0.1.0-x86_64-apple-darwin",
    "--include=dist/bundle",
    "dist/bundle/awsmfa.js",
  ]);
  assert.ok(!args.some((arg) => arg === "-A" || arg.startsWith("--allow")));
});

Deno.test("isBaseDownloadFailure() tells a missing denort from other failures", () => {
  assert.equal(isBaseDownloadFailure(OFFLINE_STDERR), true);
  assert.equal(
    isBaseDownloadFailure(
      'error: Module not found "file:///repo/main.ts".',
    ),
    false,
  );
  assert.equal(isBaseDownloadFailure(""), false);
});

Deno.test("sha256Hex() matches known digests", async () => {
  assert.equal(
    await sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("sha256SumsText() is sorted, two spaces, newline-terminated", () => {
  assert.equal(
    sha256SumsText([
      { name: "b", sha256: "22" },
      { name: "a.exe", sha256: "11" },
    ]),
    "11  a.exe\n22  b\n",
  );
  assert.equal(sha256SumsText([]), "");
});

Deno.test("compileMain() builds, reports and writes SHA256SUMS", async () => {
  const fake = fakeIo();
  const code = await compileMain(["--all"], fake.io, "0.1.0", HOST);
  assert.equal(code, 0);
  assert.equal(fake.runs.length, RELEASE_TARGETS.length + 1);
  assert.deepEqual(fake.runs[0], ["task", "build"], "the bundle first");
  assert.deepEqual(
    fake.runs.slice(1).map((args) => args[args.indexOf("--target") + 1]),
    RELEASE_TARGETS,
  );
  const sums = fake.text("dist/SHA256SUMS");
  assert.ok(sums !== undefined);
  const lines = sums.trimEnd().split("\n");
  assert.equal(lines.length, 5);
  const expected = `${await sha256Hex(
    new TextEncoder().encode(
      "binary dist/awsmfa-0.1.0-x86_64-pc-windows-msvc.exe",
    ),
  )}  awsmfa-0.1.0-x86_64-pc-windows-msvc.exe`;
  assert.ok(lines.includes(expected), sums);
  assert.equal(fake.printed.at(-1), "Wrote dist/SHA256SUMS (5 binaries)");
});

Deno.test("compileMain() lists only this version's release binaries", async () => {
  const fake = fakeIo();
  fake.files.set("dist/awsmfa-0.0.9-aarch64-apple-darwin", new Uint8Array(1));
  fake.files.set("dist/notes.txt", new Uint8Array(1));
  fake.files.set(
    "dist/awsmfa-0.1.0-aarch64-apple-darwin",
    new TextEncoder().encode("abc"),
  );
  const code = await compileMain(["--sums"], fake.io, "0.1.0", HOST);
  assert.equal(code, 0);
  assert.equal(fake.runs.length, 0);
  assert.equal(
    fake.text("dist/SHA256SUMS"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" +
      "  awsmfa-0.1.0-aarch64-apple-darwin\n",
  );
});

Deno.test("compileMain() --sums refuses to write an empty SHA256SUMS", async () => {
  const fake = fakeIo();
  fake.files.set("dist/awsmfa-0.0.9-aarch64-apple-darwin", new Uint8Array(1));
  const code = await compileMain(["--sums"], fake.io, "0.1.0", HOST);
  assert.equal(code, 1);
  assert.equal(fake.text("dist/SHA256SUMS"), undefined);
  assert.deepEqual(fake.printed, [
    "Cannot write dist/SHA256SUMS: dist/ holds no awsmfa 0.1.0 release binary.",
  ]);
});

Deno.test("compileMain() says plainly when the compile base cannot be downloaded", async () => {
  const fake = fakeIo(compileFails({ code: 1, stderr: OFFLINE_STDERR }));
  const code = await compileMain(["--all"], fake.io, "0.1.0", HOST);
  assert.equal(code, 1);
  assert.equal(fake.runs.length, 2, "stops at the first failure");
  assert.deepEqual(fake.printed, [
    "Cannot compile awsmfa for x86_64-unknown-linux-gnu: the Deno compile base (denort) could not be downloaded from this machine, so release binaries are built by the release workflow (.github/workflows/release.yml).",
  ]);
  assert.equal(fake.text("dist/SHA256SUMS"), undefined);
});

Deno.test("compileMain() passes other compile errors through", async () => {
  const fake = fakeIo(compileFails({
    code: 1,
    stderr: 'error: Module not found "file:///repo/main.ts".\n',
  }));
  const code = await compileMain([], fake.io, "0.1.0", HOST);
  assert.equal(code, 1);
  assert.deepEqual(fake.printed, [
    'error: Module not found "file:///repo/main.ts".',
    "Cannot compile awsmfa for x86_64-unknown-linux-gnu: deno compile exited with code 1.",
  ]);
});

Deno.test("compileMain() compiles nothing when the bundle cannot be built", async () => {
  const fake = fakeIo((args) =>
    args[0] === "task"
      ? { code: 1, stderr: 'error: Could not resolve "esbuild"\n' }
      : { code: 0, stderr: "" }
  );
  const code = await compileMain([], fake.io, "0.1.0", HOST);
  assert.equal(code, 1);
  assert.deepEqual(fake.runs, [[...BUILD_ARGS]]);
  assert.deepEqual(fake.printed, [
    'error: Could not resolve "esbuild"',
    "Cannot compile awsmfa: deno task build exited with code 1.",
  ]);
});

Deno.test("compileMain() exits 2 on a usage mistake without building", async () => {
  const fake = fakeIo();
  const code = await compileMain(["--target", "sparc"], fake.io, "0.1.0", HOST);
  assert.equal(code, 2);
  assert.equal(fake.runs.length, 0);
  assert.match(fake.printed[0], /^Cannot build for "sparc": the targets are /);
});

/** The first checksum tool on this machine: sha256sum, else shasum -a 256. */
async function checksumTool(): Promise<string[] | undefined> {
  for (const tool of [["sha256sum"], ["shasum", "-a", "256"]]) {
    try {
      const output = await new Deno.Command(tool[0], {
        args: [...tool.slice(1), "--version"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (output.success) return tool;
    } catch {
      // not installed; try the next one
    }
  }
  return undefined;
}

Deno.test("SHA256SUMS written to disk passes sha256sum -c, and a changed binary fails it", async (t) => {
  const tool = await checksumTool();
  if (tool === undefined) {
    // Linux and macOS always have one; Windows runners may not.
    assert.ok(
      Deno.build.os === "windows" || Deno.env.get("CI") !== "true",
      "no sha256sum or shasum in CI",
    );
    return;
  }
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/dist`);
    for (const target of ["aarch64-apple-darwin", "x86_64-pc-windows-msvc"]) {
      await Deno.writeTextFile(
        `${root}/dist/${binaryName("0.1.0", target)}`,
        `fake ${target}\n`,
      );
    }
    assert.equal(await writeSums("0.1.0", "dist", realIo(root)), 2);
    const check = () =>
      new Deno.Command(tool[0], {
        args: [...tool.slice(1), "-c", "SHA256SUMS"],
        cwd: `${root}/dist`,
        stdout: "piped",
        stderr: "piped",
      }).output();
    await t.step("accepted as written", async () => {
      const output = await check();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      assert.match(new TextDecoder().decode(output.stdout), /OK/);
    });
    await t.step("refused after one binary changes", async () => {
      await Deno.writeTextFile(
        `${root}/dist/awsmfa-0.1.0-aarch64-apple-darwin`,
        "tampered\n",
      );
      const output = await check();
      assert.notEqual(output.code, 0);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
