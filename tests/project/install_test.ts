/**
 * Runs install.sh (and install.ps1 where pwsh exists) against fake release
 * files served on 127.0.0.1, with HOME and TMPDIR in a temporary directory
 * and a clean environment (no proxy variables, no real home).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { findTool, needs } from "../support/tools.ts";

const root = fileURLToPath(new URL("../..", import.meta.url)).replace(
  /[\\/]$/,
  "",
);
const VERSION = "0.1.0";
const TARGET = Deno.build.target;
const NAME = `awsmfa-${VERSION}-${TARGET}`;
const FAKE_BINARY = new TextEncoder().encode(
  "#!/bin/sh\necho 'fake awsmfa'\n",
);
const IS_WINDOWS = Deno.build.os === "windows";
/** The fallback steps' options, worked out (and reported) once, at load. */
const NEEDS = {
  wget: needs(await findTool("wget"), { ignore: IS_WINDOWS }),
  shasum: needs(
    [await findTool("shasum"), await findTool("perl")],
    { ignore: IS_WINDOWS },
  ),
};

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(new Uint8Array(digest))
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

/** Serves `files` (URL path → bytes) on 127.0.0.1 and records every request. */
function serveRelease(files: Map<string, Uint8Array>) {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const path = new URL(request.url).pathname;
      requests.push(path);
      const body = files.get(path);
      return body
        ? new Response(body as Uint8Array<ArrayBuffer>)
        : new Response("not found", { status: 404 });
    },
  );
  return {
    requests,
    url: `http://127.0.0.1:${server.addr.port}/v${VERSION}`,
    close: () => server.shutdown(),
  };
}

/** The release files of VERSION, with SHA256SUMS as given or correct. */
async function releaseFiles(sums?: string): Promise<Map<string, Uint8Array>> {
  const good = `${await sha256Hex(FAKE_BINARY)}  ${NAME}\n` +
    `${"0".repeat(64)}  awsmfa-${VERSION}-some-other-target\n`;
  return new Map([
    [`/v${VERSION}/${NAME}`, FAKE_BINARY],
    [`/v${VERSION}/SHA256SUMS`, new TextEncoder().encode(sums ?? good)],
  ]);
}

/** A temporary HOME and TMPDIR, removed by `cleanup`. */
async function sandbox() {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_install_" });
  const home = `${dir}/home`;
  const tmp = `${dir}/tmp`;
  await Deno.mkdir(home);
  await Deno.mkdir(tmp);
  return {
    dir,
    home,
    tmp,
    bin: `${home}/.local/bin`,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

async function list(path: string): Promise<string[] | undefined> {
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names.sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Runs `sh install.sh ARGS` in a clean environment. */
async function installSh(args: string[], env: Record<string, string>) {
  // Resolved on the test's own PATH: `env` may hold a narrower one.
  const sh = (await which("sh")) ?? "/bin/sh";
  const output = await new Deno.Command(sh, {
    args: [`${root}/install.sh`, ...args],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** Where a command lives on PATH, or undefined. */
async function which(command: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      const info = await Deno.stat(`${dir}/${command}`);
      if (info.isFile && (info.mode ?? 0) & 0o111) return `${dir}/${command}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A directory of links to the tools install.sh uses, minus `without`. */
async function toolDir(parent: string, without: string[]): Promise<string> {
  const dir = `${parent}/tools`;
  await Deno.mkdir(dir);
  const tools = [
    "uname",
    "grep",
    "awk",
    "mktemp",
    "rm",
    "mkdir",
    "cp",
    "chmod",
    "mv",
    "curl",
    "wget",
    "sha256sum",
    "shasum",
    "perl",
  ];
  for (const tool of tools) {
    if (without.includes(tool)) continue;
    const path = await which(tool);
    if (path) await Deno.symlink(path, `${dir}/${tool}`);
  }
  return dir;
}

Deno.test({
  name: "install.sh",
  // curl is what it downloads with when both are there.
  ...needs(await findTool("curl"), { ignore: IS_WINDOWS }),
  async fn(t) {
    await t.step("a good checksum installs an executable", async () => {
      const box = await sandbox();
      const server = serveRelease(await releaseFiles());
      try {
        const result = await installSh([VERSION], {
          HOME: box.home,
          TMPDIR: box.tmp,
          AWSMFA_BASE_URL: server.url,
        });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        assert.equal(
          result.stdout,
          `Installed awsmfa ${VERSION} (${TARGET}) to ${box.bin}/awsmfa` +
            ` (${box.bin} is not on your PATH)\n`,
        );
        assert.deepEqual(server.requests.sort(), [
          `/v${VERSION}/SHA256SUMS`,
          `/v${VERSION}/${NAME}`,
        ]);
        assert.deepEqual(
          await Deno.readFile(`${box.bin}/awsmfa`),
          FAKE_BINARY,
        );
        assert.equal(
          (await Deno.stat(`${box.bin}/awsmfa`)).mode! & 0o777,
          0o755,
        );
        assert.deepEqual(await list(box.bin), ["awsmfa"]);
        assert.deepEqual(await list(box.tmp), [], "temporary files left");
        const ran = await new Deno.Command(`${box.bin}/awsmfa`).output();
        assert.equal(new TextDecoder().decode(ran.stdout), "fake awsmfa\n");
      } finally {
        await server.close();
        await box.cleanup();
      }
    });

    await t.step(
      "a v prefix, a base URL with a slash, AWSMFA_INSTALL_DIR and binary-mode sums work",
      async () => {
        const box = await sandbox();
        const sums = `${await sha256Hex(FAKE_BINARY)} *${NAME}\n`;
        const server = serveRelease(await releaseFiles(sums));
        const dest = `${box.dir}/opt/bin`;
        try {
          const result = await installSh([`v${VERSION}`], {
            HOME: box.home,
            TMPDIR: box.tmp,
            AWSMFA_BASE_URL: `${server.url}/`,
            AWSMFA_INSTALL_DIR: dest,
            PATH: `${dest}:${Deno.env.get("PATH")}`,
          });
          assert.equal(result.code, 0, result.stderr);
          assert.equal(
            result.stdout,
            `Installed awsmfa ${VERSION} (${TARGET}) to ${dest}/awsmfa\n`,
          );
          assert.deepEqual(await Deno.readFile(`${dest}/awsmfa`), FAKE_BINARY);
          assert.equal(await list(box.bin), undefined);
        } finally {
          await server.close();
          await box.cleanup();
        }
      },
    );

    await t.step(
      "a bad checksum refuses and leaves nothing behind",
      async () => {
        const box = await sandbox();
        const sums = `${"ab".repeat(32)}  ${NAME}\n`;
        const server = serveRelease(await releaseFiles(sums));
        try {
          const result = await installSh([VERSION], {
            HOME: box.home,
            TMPDIR: box.tmp,
            AWSMFA_BASE_URL: server.url,
          });
          assert.equal(result.code, 1);
          assert.equal(result.stdout, "");
          assert.equal(
            result.stderr,
            `install.sh: the checksum of ${NAME} does not match SHA256SUMS; nothing was installed\n`,
          );
          assert.ok(server.requests.includes(`/v${VERSION}/${NAME}`));
          assert.equal(await list(`${box.home}/.local`), undefined);
          assert.deepEqual(await list(box.tmp), []);
        } finally {
          await server.close();
          await box.cleanup();
        }
      },
    );

    await t.step(
      "a bad checksum keeps an installed awsmfa as it was",
      async () => {
        const box = await sandbox();
        const old = new TextEncoder().encode("#!/bin/sh\necho old\n");
        await Deno.mkdir(box.bin, { recursive: true });
        await Deno.writeFile(`${box.bin}/awsmfa`, old, { mode: 0o755 });
        const tampered = new TextEncoder().encode("#!/bin/sh\necho evil\n");
        const files = await releaseFiles();
        files.set(`/v${VERSION}/${NAME}`, tampered);
        const server = serveRelease(files);
        try {
          const result = await installSh([VERSION], {
            HOME: box.home,
            TMPDIR: box.tmp,
            AWSMFA_BASE_URL: server.url,
          });
          assert.equal(result.code, 1);
          assert.match(result.stderr, /does not match SHA256SUMS/);
          assert.deepEqual(await Deno.readFile(`${box.bin}/awsmfa`), old);
          assert.deepEqual(await list(box.bin), ["awsmfa"]);
          assert.deepEqual(await list(box.tmp), []);
        } finally {
          await server.close();
          await box.cleanup();
        }
      },
    );

    await t.step("a SHA256SUMS without this binary refuses", async () => {
      const box = await sandbox();
      const sums = `${await sha256Hex(FAKE_BINARY)}  ${NAME}.old\n`;
      const server = serveRelease(await releaseFiles(sums));
      try {
        const result = await installSh([VERSION], {
          HOME: box.home,
          TMPDIR: box.tmp,
          AWSMFA_BASE_URL: server.url,
        });
        assert.equal(result.code, 1);
        assert.match(result.stderr, /has no entry for /);
        assert.equal(await list(`${box.home}/.local`), undefined);
        assert.deepEqual(await list(box.tmp), []);
      } finally {
        await server.close();
        await box.cleanup();
      }
    });

    await t.step("a missing release file refuses", async () => {
      const box = await sandbox();
      const files = await releaseFiles();
      files.delete(`/v${VERSION}/${NAME}`);
      const server = serveRelease(files);
      try {
        const result = await installSh([VERSION], {
          HOME: box.home,
          TMPDIR: box.tmp,
          AWSMFA_BASE_URL: server.url,
        });
        assert.equal(result.code, 1);
        assert.match(result.stderr, /install\.sh: cannot download http:\/\//);
        assert.equal(await list(`${box.home}/.local`), undefined);
        assert.deepEqual(await list(box.tmp), []);
      } finally {
        await server.close();
        await box.cleanup();
      }
    });

    await t.step(
      "no version, two versions or a bad one is a usage error",
      async () => {
        const box = await sandbox();
        const server = serveRelease(await releaseFiles());
        try {
          for (const args of [[], [VERSION, "extra"], ["latest"], ["1.2"]]) {
            const result = await installSh(args, {
              HOME: box.home,
              TMPDIR: box.tmp,
              AWSMFA_BASE_URL: server.url,
            });
            assert.equal(result.code, 2, args.join(" "));
            assert.match(result.stderr, /^install\.sh: /);
            assert.equal(result.stdout, "");
          }
          assert.deepEqual(server.requests, []);
          assert.equal(await list(`${box.home}/.local`), undefined);
        } finally {
          await server.close();
          await box.cleanup();
        }
      },
    );

    for (
      const [label, without, needs] of [
        ["wget when curl is absent", ["curl"], "wget"],
        ["shasum when sha256sum is absent", ["sha256sum"], "shasum"],
      ] as const
    ) {
      await t.step({
        name: `falls back to ${label}`,
        ...NEEDS[needs],
        async fn() {
          const box = await sandbox();
          const server = serveRelease(await releaseFiles());
          try {
            const tools = await toolDir(box.dir, [...without]);
            const env = {
              HOME: box.home,
              TMPDIR: box.tmp,
              AWSMFA_BASE_URL: server.url,
              PATH: tools,
            };
            const result = await installSh([VERSION], env);
            assert.equal(result.code, 0, result.stderr);
            assert.deepEqual(
              await Deno.readFile(`${box.bin}/awsmfa`),
              FAKE_BINARY,
            );
            await Deno.remove(box.bin, { recursive: true });
            const files = await releaseFiles();
            files.set(`/v${VERSION}/${NAME}`, new Uint8Array([1, 2, 3]));
            const bad = serveRelease(files);
            try {
              const refused = await installSh([VERSION], {
                ...env,
                AWSMFA_BASE_URL: bad.url,
              });
              assert.equal(refused.code, 1);
              assert.match(refused.stderr, /does not match SHA256SUMS/);
              assert.equal(await list(box.bin), undefined);
            } finally {
              await bad.close();
            }
          } finally {
            await server.close();
            await box.cleanup();
          }
        },
      });
    }
  },
});

const PWSH_TOOL = await findTool("pwsh");
const PWSH = PWSH_TOOL.ok ? PWSH_TOOL.path : undefined;

/** Runs `pwsh -File install.ps1 ARGS` with extra environment variables. */
async function installPs1(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(PWSH as string, {
    args: [
      "-NoProfile",
      "-NonInteractive",
      "-ExecutionPolicy",
      "Bypass",
      "-File",
      `${root}/install.ps1`,
      ...args,
    ],
    env: { NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test({
  name: "install.ps1 (only where pwsh is installed)",
  ...needs(PWSH_TOOL),
  async fn(t) {
    const winName = `awsmfa-${VERSION}-x86_64-pc-windows-msvc.exe`;
    const files = async (binary: Uint8Array) =>
      new Map([
        [`/v${VERSION}/${winName}`, binary],
        [
          `/v${VERSION}/SHA256SUMS`,
          new TextEncoder().encode(
            `${await sha256Hex(FAKE_BINARY)}  ${winName}\n`,
          ),
        ],
      ]);
    const envFor = (
      box: Awaited<ReturnType<typeof sandbox>>,
      url: string,
    ) => ({
      USERPROFILE: box.home,
      HOME: box.home,
      TEMP: box.tmp,
      TMP: box.tmp,
      TMPDIR: box.tmp,
      AWSMFA_BASE_URL: url,
    });

    await t.step("no version or a bad one is a usage error", async () => {
      const box = await sandbox();
      const server = serveRelease(await files(FAKE_BINARY));
      try {
        for (const args of [[], ["latest"], [VERSION, "extra"]]) {
          const result = await installPs1(args, envFor(box, server.url));
          assert.equal(result.code, 2, args.join(" ") + result.stderr);
          assert.match(result.stderr, /install\.ps1: /);
        }
        assert.deepEqual(server.requests, []);
      } finally {
        await server.close();
        await box.cleanup();
      }
    });

    await t.step({
      name: "outside Windows it points to install.sh",
      ignore: IS_WINDOWS,
      async fn() {
        const box = await sandbox();
        try {
          const result = await installPs1(
            [VERSION],
            envFor(box, "http://127.0.0.1:9"),
          );
          assert.equal(result.code, 1);
          assert.match(result.stderr, /use install\.sh/);
        } finally {
          await box.cleanup();
        }
      },
    });

    await t.step({
      name: "on Windows a good checksum installs awsmfa.exe",
      ignore: !IS_WINDOWS,
      async fn() {
        const box = await sandbox();
        const server = serveRelease(await files(FAKE_BINARY));
        try {
          const result = await installPs1([VERSION], envFor(box, server.url));
          assert.equal(result.code, 0, result.stderr);
          assert.match(
            result.stdout,
            /^Installed awsmfa 0\.1\.0 \(x86_64-pc-windows-msvc\) to .*awsmfa\.exe/,
          );
          assert.deepEqual(
            await Deno.readFile(`${box.bin}/awsmfa.exe`),
            FAKE_BINARY,
          );
          assert.deepEqual(await list(box.bin), ["awsmfa.exe"]);
          // PowerShell itself may use TEMP; only our files must be gone.
          assert.deepEqual(
            (await list(box.tmp))?.filter((n) => n.startsWith("awsmfa")),
            [],
          );
        } finally {
          await server.close();
          await box.cleanup();
        }
      },
    });

    await t.step({
      name: "on Windows a bad checksum refuses and leaves nothing behind",
      ignore: !IS_WINDOWS,
      async fn() {
        const box = await sandbox();
        const server = serveRelease(await files(new Uint8Array([1, 2, 3])));
        try {
          const result = await installPs1([VERSION], envFor(box, server.url));
          assert.equal(result.code, 1);
          assert.match(result.stderr, /does not match SHA256SUMS/);
          assert.equal(await list(`${box.home}/.local`), undefined);
          // PowerShell itself may use TEMP; only our files must be gone.
          assert.deepEqual(
            (await list(box.tmp))?.filter((n) => n.startsWith("awsmfa")),
            [],
          );
        } finally {
          await server.close();
          await box.cleanup();
        }
      },
    });
  },
});
