/**
 * Real OS keychains for tests, thrown away afterwards: a private D-Bus
 * session bus with GNOME Keyring's Secret Service unlocked (a password fed
 * on stdin), and a `pass` store under a throw-away gpg key with no
 * passphrase. Each gives the environment variables a child needs to reach
 * it; nothing touches the real home.
 *
 * @module
 */

/** Whether `program` is on PATH. */
export async function hasProgram(program: string): Promise<boolean> {
  if (Deno.build.os === "windows") return false;
  const out = await new Deno.Command("sh", {
    args: ["-c", `command -v ${program}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.code === 0;
}

/**
 * Whether tests must run or may be skipped when a tool is missing: on Linux
 * under CI (`.ci/run` installs the tools); never on other systems.
 */
export function required(): boolean {
  return Deno.build.os === "linux" && Deno.env.get("CI") === "true";
}

async function run(
  program: string,
  args: string[],
  env: Record<string, string>,
  stdin = "",
): Promise<string> {
  const child = new Deno.Command(program, {
    args,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(
      `${program} ${args.join(" ")} failed: ${decoder.decode(out.stderr)}`,
    );
  }
  return decoder.decode(out.stdout);
}

/**
 * Run `fn` with a Secret Service: a new `dbus-daemon --session` and
 * `gnome-keyring-daemon --unlock` on it, in a temporary home. `fn` gets the
 * variables (`HOME`, `DBUS_SESSION_BUS_ADDRESS`) that lead to it.
 */
export async function withSecretService(
  fn: (env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "keyring_" });
  const base = { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const [address, pid] = (await run("dbus-daemon", [
    "--session",
    "--fork",
    "--nopidfile",
    "--print-address=1",
    "--print-pid=1",
  ], base)).trim().split("\n");
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
  try {
    await run(
      "gnome-keyring-daemon",
      ["--unlock", "--components=secrets", "--daemonize"],
      env,
      "throw-away-password",
    );
    await fn(env);
  } finally {
    // The keyring daemon leaves with the bus it serves.
    try {
      Deno.kill(Number(pid), "SIGTERM");
    } catch {
      // Gone already.
    }
    await Deno.remove(home, { recursive: true });
  }
}

/**
 * Run `fn` with a `pass` store: a throw-away gpg key without passphrase in
 * a temporary `GNUPGHOME`, and `pass init` with it. `fn` gets `HOME`,
 * `GNUPGHOME` and `PASSWORD_STORE_DIR`.
 */
export async function withPassStore(
  fn: (env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "pass_" });
  const env = {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    GNUPGHOME: `${home}/gnupg`,
    PASSWORD_STORE_DIR: `${home}/store`,
  };
  await Deno.mkdir(env.GNUPGHOME, { mode: 0o700 });
  try {
    await run("gpg", [
      "--batch",
      "--passphrase",
      "",
      "--quick-gen-key",
      "awsmfa-test@example.invalid",
      "default",
      "default",
      "never",
    ], env);
    await run("pass", ["init", "awsmfa-test@example.invalid"], env);
    await fn(env);
  } finally {
    await run("gpgconf", ["--kill", "gpg-agent"], env).catch(() => "");
    await Deno.remove(home, { recursive: true });
  }
}
