/**
 * The macOS login keychain through `/usr/bin/security`: generic passwords
 * with service `awsmfa` and account NAME.
 *
 * `security add-generic-password -w SECRET` would put the secret on a
 * command line, where every user's `ps` sees it. Instead awsmfa runs
 * `security -i` (its interactive mode, which reads commands on stdin) and
 * writes the `add-generic-password` command there, the secret hex-encoded
 * with `-X`, so it is on no command line and needs no quoting. Reading back
 * is `find-generic-password -w`, which prints the secret on stdout.
 *
 * (Not runnable on the Linux machines this project is tested on; the CI
 * matrix's macOS runner runs the keychain round trip of tests/commands/keys_test.ts against it.)
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

const LABEL = "the macOS keychain (security)";

/** `security`'s exit status for "The specified item could not be found". */
const NOT_FOUND = 44;

function hex(text: string): string {
  return Array.from(
    new TextEncoder().encode(text),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("");
}

/** The macOS back-end, running `program` (default `/usr/bin/security`). */
export function macosKeychain(
  runner: ToolRunner = defaultToolRunner,
  program = "/usr/bin/security",
): Keychain {
  const item = (profile: string) => [
    "-s",
    KEYCHAIN_SERVICE,
    "-a",
    profile,
  ];
  return {
    name: "macos",
    label: LABEL,
    async available() {
      try {
        const out = await runTool(runner, LABEL, {
          program,
          args: ["default-keychain"],
          stderr: "piped",
        });
        return out.code === 0;
      } catch {
        return false;
      }
    },
    async write(profile, secret) {
      if (!STORED_PROFILE.test(profile)) {
        throw new KeychainError(`Cannot store profile "${profile}".`);
      }
      const out = await runTool(runner, LABEL, {
        program,
        args: ["-i"],
        stdin:
          `add-generic-password -U -s ${KEYCHAIN_SERVICE} -a ${profile} -l awsmfa:${profile} -X ${
            hex(secret)
          }\n`,
        stderr: "piped",
      });
      if (out.code !== 0 || out.stderr.trim() !== "") {
        throw new KeychainError(
          `${LABEL} did not store the keys of profile "${profile}"; is the keychain unlocked?`,
        );
      }
    },
    async read(profile) {
      const out = await runTool(runner, LABEL, {
        program,
        args: ["find-generic-password", ...item(profile), "-w"],
        stderr: "piped",
      });
      if (out.code === 0) return out.stdout.replace(/\n$/, "");
      if (out.code === NOT_FOUND) return undefined;
      throw new KeychainError(
        `${LABEL} could not read the keys of profile "${profile}" (exit status ${out.code}).`,
      );
    },
    async remove(profile) {
      const out = await runTool(runner, LABEL, {
        program,
        args: ["delete-generic-password", ...item(profile)],
        stderr: "piped",
      });
      if (out.code === 0) return true;
      if (out.code === NOT_FOUND) return false;
      throw new KeychainError(
        `${LABEL} did not delete the keys of profile "${profile}" (exit status ${out.code}).`,
      );
    },
    async list() {
      // Without -d, dump-keychain prints the attributes only, no secrets.
      const out = await runTool(runner, LABEL, {
        program,
        args: ["dump-keychain"],
        stderr: "piped",
      });
      if (out.code !== 0) {
        throw new KeychainError(
          `${LABEL} could not be listed (exit status ${out.code}).`,
        );
      }
      const names = new Set<string>();
      for (const block of out.stdout.split(/^keychain: /m)) {
        const service = /"svce"<blob>="([^"]*)"/.exec(block)?.[1];
        const account = /"acct"<blob>="([^"]*)"/.exec(block)?.[1];
        if (
          service === KEYCHAIN_SERVICE && account !== undefined &&
          STORED_PROFILE.test(account)
        ) {
          names.add(account);
        }
      }
      return [...names].sort();
    },
  };
}
