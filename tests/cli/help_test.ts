/** lib/cli/help.ts: the help pages, from the flag and command tables. */
import assert from "node:assert/strict";
import { parseArguments } from "../../lib/cli/args.ts";
import { OPTIONS } from "../../lib/cli/flags.ts";
import { helpText } from "../../lib/cli/help.ts";
import { COMMANDS } from "../../lib/cli/subcommands.ts";
import { ExitCode } from "../../lib/shared/errors.ts";

Deno.test("helpText: the overview is one screen; a command's page has its synopsis and only its flags", async (t) => {
  const overview = helpText();
  assert.ok(overview.trimEnd().split("\n").length <= 40, overview);
  for (const command of COMMANDS) {
    assert.ok(overview.includes(`awsmfa ${command.name} ${command.usage}`));
  }
  assert.match(overview, /awsmfa help COMMAND/);
  for (
    const name of [
      "exec",
      "credential-process",
      "status",
      "clear",
      "keys",
      "rotate",
      "completions",
    ] as const
  ) {
    await t.step(name, () => {
      const page = helpText(name);
      const command = COMMANDS.find((spec) => spec.name === name)!;
      assert.ok(
        page.replace(/\n {7}/g, " ").startsWith(
          `Usage: awsmfa ${name} ${command.usage}\n`,
        ),
      );
      const flags = [...page.matchAll(/^ {2}(?:-\w, )?--([a-z-]+)/gm)].map((
        match,
      ) => match[1]).sort();
      const expected = OPTIONS.filter((spec) =>
        spec.name === "help" ||
        (name !== "completions" && spec.commands.includes(name))
      ).map((spec) => spec.name).sort();
      assert.deepEqual(flags, expected);
      for (const line of page.split("\n")) {
        assert.ok(line.length <= 80, `line longer than 80: ${line}`);
      }
    });
  }
  await t.step("help TOPIC, COMMAND --help, -V", () => {
    assert.deepEqual(parseArguments(["help"]), { command: "help" });
    assert.deepEqual(parseArguments(["help", "exec"]), {
      command: "help",
      topic: "exec",
    });
    assert.deepEqual(parseArguments(["exec", "--help"]), {
      command: "help",
      topic: "exec",
    });
    assert.deepEqual(parseArguments(["status", "-h"]), {
      command: "help",
      topic: "status",
    });
    assert.deepEqual(parseArguments(["-V"]), { command: "version" });
    assert.throws(() => parseArguments(["help", "nope"]), /no help on "nope"/);
  });
});

Deno.test("helpText: its pages list every flag, command, environment variable and exit code", () => {
  const help = [
    undefined,
    "options",
    "environment",
    ...COMMANDS.map((command) => command.name),
  ].map((topic) => helpText(topic as Parameters<typeof helpText>[0])).join("");
  assert.ok(help.endsWith("\n"));
  for (const spec of OPTIONS) {
    const label = spec.value === undefined
      ? `--${spec.name}`
      : `--${spec.name} ${spec.value}`;
    assert.ok(help.includes(label), `help lacks ${label}`);
    if (spec.short !== undefined) {
      assert.ok(help.includes(`-${spec.short}, --${spec.name}`));
    }
  }
  for (const command of COMMANDS) {
    assert.ok(help.includes(`awsmfa ${command.name} `));
  }
  assert.ok(help.includes("awsmfa completions bash|zsh|fish|powershell"));
  assert.ok(help.includes("awsmfa [OPTIONS] [CODE | -]"));
  for (
    const name of [
      "AWS_PROFILE",
      "AWS_MFA_SERIAL",
      "AWS_SHARED_CREDENTIALS_FILE",
      "AWS_CONFIG_FILE",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_ENDPOINT_URL_STS",
      "AWS_ENDPOINT_URL",
      "HOME",
      "USERPROFILE",
      "HTTPS_PROXY",
      "NO_PROXY",
    ]
  ) {
    assert.ok(help.includes(name), `help lacks ${name}`);
  }
  for (const code of Object.values(ExitCode)) {
    assert.match(help, new RegExp(`^  ${code} +\\S`, "m"), `exit code ${code}`);
  }
  for (const line of help.split("\n")) {
    assert.ok(line.length <= 80, `line longer than 80: ${line}`);
  }
});
