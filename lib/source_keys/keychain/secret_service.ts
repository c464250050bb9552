/**
 * The Linux Secret Service (GNOME Keyring, KWallet's bridge, KeePassXC)
 * through `secret-tool` (Debian `libsecret-tools`). Items carry the
 * attributes `service=awsmfa profile=NAME`; the secret goes to
 * `secret-tool store` on stdin and comes back from `secret-tool lookup` on
 * stdout.
 *
 * @module
 */

import {
  defaultToolRunner,
  type Keychain,
  KEYCHAIN_SERVICE,
  KeychainError,
  runTool,
  STORED_PROFILE,
  type ToolRunner,
} from "./keychain.ts";

const LABEL = "the Secret Service (secret-tool)";

/** The Secret Service back-end, running `program` (default `secret-tool`). */
export function secretServiceKeychain(
  runner: ToolRunner = defaultToolRunner,
  program = "secret-tool",
): Keychain {
  const attributes = (profile: string) => [
    "service",
    KEYCHAIN_SERVICE,
    "profile",
    profile,
  ];
  async function lookup(profile: string) {
    return await runTool(runner, LABEL, {
      program,
      args: ["lookup", ...attributes(profile)],
      stderr: "piped",
    });
  }
  return {
    name: "secret-service",
    label: LABEL,
    async available() {
      try {
        // No item: exit 1 and nothing on stderr; no D-Bus or no keyring: a
        // message on stderr.
        const probe = await lookup("awsmfa-probe");
        return probe.code === 0 || probe.stderr.trim() === "";
      } catch {
        return false;
      }
    },
    async write(profile, secret) {
      const out = await runTool(runner, LABEL, {
        program,
        args: [
          "store",
          `--label=awsmfa: ${profile}`,
          ...attributes(profile),
        ],
        stdin: secret,
        stderr: "piped",
      });
      if (out.code !== 0) {
        throw new KeychainError(
          `${LABEL} did not store the keys of profile "${profile}" (exit status ${out.code}); is the keyring unlocked?`,
        );
      }
    },
    async read(profile) {
      const out = await lookup(profile);
      if (out.code === 0) return out.stdout;
      if (out.code === 1 && out.stderr.trim() === "") return undefined;
      throw new KeychainError(
        `${LABEL} could not be read (exit status ${out.code}); is the keyring unlocked?`,
      );
    },
    async remove(profile) {
      if (await this.read(profile) === undefined) return false;
      const out = await runTool(runner, LABEL, {
        program,
        args: ["clear", ...attributes(profile)],
        stderr: "piped",
      });
      if (out.code !== 0) {
        throw new KeychainError(
          `${LABEL} did not delete the keys of profile "${profile}" (exit status ${out.code}).`,
        );
      }
      return true;
    },
    async list() {
      const out = await runTool(runner, LABEL, {
        program,
        args: ["search", "--all", "service", KEYCHAIN_SERVICE],
        stderr: "piped",
      });
      if (out.code !== 0 && out.stderr.trim() !== "") {
        throw new KeychainError(
          `${LABEL} could not be searched (exit status ${out.code}).`,
        );
      }
      // secret-tool prints the attributes on stderr, the secrets on stdout.
      const names = new Set<string>();
      for (const line of `${out.stderr}\n${out.stdout}`.split("\n")) {
        const match = /^attribute\.profile = (.*)$/.exec(line.trim());
        if (match && STORED_PROFILE.test(match[1])) names.add(match[1]);
      }
      return [...names].sort();
    },
  };
}
