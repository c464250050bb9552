/**
 * `pass`, the standard Unix password manager (gpg-encrypted files), as a
 * portable fallback: one entry `awsmfa/NAME` per profile, written by
 * `pass insert --multiline --force` from stdin and read by `pass show`.
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

const LABEL = "pass";
/** What pass says of an entry it does not hold. */
const NOT_STORED = /is not in the password store/;

/** Escape sequences and tree drawing, which `pass ls` prints around names. */
function plainName(line: string): string {
  // deno-lint-ignore no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, "").replace(/^[\s│├└─`|-]+/u, "")
    .trim();
}

/** The `pass` back-end, running `program` (default `pass`). */
export function passKeychain(
  runner: ToolRunner = defaultToolRunner,
  program = "pass",
): Keychain {
  const entry = (profile: string) => `${KEYCHAIN_SERVICE}/${profile}`;
  return {
    name: "pass",
    label: LABEL,
    async available() {
      try {
        // An initialised store lists (exit 0); an empty one says "pass init".
        const out = await runTool(runner, LABEL, {
          program,
          args: ["ls"],
          stderr: "piped",
        });
        return out.code === 0;
      } catch {
        return false;
      }
    },
    async write(profile, secret) {
      const out = await runTool(runner, LABEL, {
        program,
        args: ["insert", "--multiline", "--force", entry(profile)],
        stdin: secret,
        stderr: "piped",
      });
      if (out.code !== 0) {
        throw new KeychainError(
          `pass did not store the keys of profile "${profile}" (exit status ${out.code}); check that "pass init" was run with a gpg key you have.`,
        );
      }
    },
    async read(profile) {
      const out = await runTool(runner, LABEL, {
        program,
        args: ["show", entry(profile)],
        stderr: "piped",
      });
      if (out.code === 0) return out.stdout;
      if (NOT_STORED.test(out.stderr)) return undefined;
      throw new KeychainError(
        `pass could not read the keys of profile "${profile}" (exit status ${out.code}); is gpg-agent able to decrypt?`,
      );
    },
    async remove(profile) {
      // No `show` first: that would decrypt the secret only to delete it.
      const out = await runTool(runner, LABEL, {
        program,
        args: ["rm", "--force", entry(profile)],
        stderr: "piped",
      });
      if (out.code !== 0) {
        if (NOT_STORED.test(out.stderr)) return false;
        throw new KeychainError(
          `pass did not delete the keys of profile "${profile}" (exit status ${out.code}).`,
        );
      }
      return true;
    },
    async list() {
      const out = await runTool(runner, LABEL, {
        program,
        args: ["ls", KEYCHAIN_SERVICE],
        stderr: "piped",
      });
      if (out.code !== 0) return [];
      // The first line is the folder itself; the rest are its entries.
      return out.stdout.split("\n").slice(1).map(plainName).filter((name) =>
        STORED_PROFILE.test(name)
      ).sort();
    },
  };
}
