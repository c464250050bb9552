/** lib/cli/flags.ts: the flag table agrees with the parser. */
import assert from "node:assert/strict";
import { parseArguments } from "../../lib/cli/args.ts";
import { OPTIONS } from "../../lib/cli/flags.ts";
import { usageErrorOf } from "../support/usage.ts";

Deno.test("OPTIONS matches the parser: every listed flag is accepted by its commands only", () => {
  const sampleValue: Record<string, string> = {
    "duration-seconds": "3600",
    "endpoint-url": "http://127.0.0.1:1",
    "min-remaining": "1h",
    output: "json",
    shell: "fish",
    "role-arn": "arn:aws:iam::111122223333:role/admin",
    "role-session-name": "alice",
    "external-id": "team-4711",
    keychain: "pass",
    "max-key-age": "90d",
  };
  /** Flags some flags need beside them. */
  const companions: Record<string, string[]> = {
    shell: ["--output", "env"],
    write: ["--output", "json"],
  };
  const argvFor = (command: string, flagArgs: string[]) => {
    if (command === "refresh") return flagArgs;
    if (command === "exec") return ["exec", ...flagArgs, "--", "true"];
    if (command === "keys") return ["keys", "remove", ...flagArgs];
    return [command, ...flagArgs];
  };
  for (const spec of OPTIONS) {
    const flag = `--${spec.name}`;
    const flagArgs = spec.value === undefined
      ? [flag]
      : [flag, sampleValue[spec.name] ?? "x"];
    for (
      const command of [
        "refresh",
        "exec",
        "credential-process",
        "status",
        "clear",
        "keys",
        "rotate",
      ] as const
    ) {
      const extra = command === "refresh" ? companions[spec.name] ?? [] : [];
      const argv = argvFor(command, [...flagArgs, ...extra]);
      if (spec.commands.includes(command)) {
        assert.doesNotThrow(() => parseArguments(argv), argv.join(" "));
      } else if (spec.name !== "help") {
        assert.match(
          usageErrorOf(argv).message,
          new RegExp(`^Unknown option ${flag} `),
          argv.join(" "),
        );
      }
    }
    if (spec.short !== undefined) {
      assert.doesNotThrow(() => parseArguments([`-${spec.short}`]), flag);
    }
  }
  const names = OPTIONS.map((spec) => spec.name).sort();
  assert.deepEqual(names, [
    "all",
    "duration-seconds",
    "endpoint-url",
    "external-id",
    "force",
    "help",
    "json",
    "keep-old",
    "keychain",
    "max-key-age",
    "mfa-process",
    "mfa-profile-name",
    "min-remaining",
    "output",
    "profile",
    "quiet",
    "region",
    "role-arn",
    "role-session-name",
    "serial-number",
    "shell",
    "version",
    "write",
  ]);
});
