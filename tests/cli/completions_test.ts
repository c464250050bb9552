import assert from "node:assert/strict";
import { OPTIONS } from "../../lib/cli/flags.ts";
import { SHELLS } from "../../lib/cli/options.ts";
import { completionScript } from "../../lib/cli/completions.ts";
import { findTool, needs } from "../support/tools.ts";

/** The flag words of the default command, with -V and -h. */
const REFRESH_FLAG_WORDS = OPTIONS.filter((spec) =>
  spec.commands.includes("refresh")
).flatMap((spec) =>
  spec.short === undefined
    ? [`--${spec.name}`]
    : [`--${spec.name}`, `-${spec.short}`]
);

/** What `awsmfa help` takes: every topic it has a page for. */
const HELP_TOPIC_NAMES = [
  "options",
  "environment",
  "exec",
  "credential-process",
  "status",
  "clear",
  "keys",
  "rotate",
  "completions",
];

const decoder = new TextDecoder();

const TOOL = {
  bash: await findTool("bash"),
  zsh: await findTool("zsh"),
  fish: await findTool("fish"),
  pwsh: await findTool("pwsh"),
};
/** The POSIX shells' tests do not run on Windows (PowerShell's do). */
const ON_WINDOWS = Deno.build.os === "windows";
const BASH = TOOL.bash.ok ? TOOL.bash.path : undefined;
const ZSH = TOOL.zsh.ok ? TOOL.zsh.path : undefined;
const FISH = TOOL.fish.ok ? TOOL.fish.path : undefined;
const PWSH = TOOL.pwsh.ok ? TOOL.pwsh.path : undefined;

/** A temporary home with AWS files in it; removed by the returned function. */
async function tempHome(files: { credentials?: string; config?: string }) {
  const home = await Deno.makeTempDir({ prefix: "awsmfa_completions_" });
  await Deno.mkdir(`${home}/.aws`);
  if (files.credentials !== undefined) {
    await Deno.writeTextFile(`${home}/.aws/credentials`, files.credentials);
  }
  if (files.config !== undefined) {
    await Deno.writeTextFile(`${home}/.aws/config`, files.config);
  }
  return home;
}

/**
 * Load the bash script in a real bash, set COMP_WORDS to `words` (the last one
 * is the word under the cursor), call the completion function and return
 * COMPREPLY.
 */
async function bashComplete(
  script: string,
  words: string[],
  env: Record<string, string>,
): Promise<string[]> {
  const program = [
    'source "$1"',
    "shift",
    'COMP_WORDS=("$@")',
    "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))",
    '_awsmfa || echo "completion function failed" >&2',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join("\n");
  const output = await new Deno.Command(BASH ?? "bash", {
    args: ["--norc", "--noprofile", "-c", program, "bash", script, ...words],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(decoder.decode(output.stderr), "");
  assert.equal(output.code, 0);
  return decoder.decode(output.stdout).split("\n").filter((line) =>
    line !== ""
  );
}

Deno.test({
  name:
    "the bash script completes flags, commands, shells and profiles in a real bash",
  ...needs(TOOL.bash, { ignore: ON_WINDOWS }),
  async fn(t) {
    const home = await tempHome({
      credentials: "[default]\naws_access_key_id = x\n\n[work]\n" +
        "aws_access_key_id = y\n[mfa]\n; [commented]\n  [indented]\n",
      config: "[default]\nregion = eu-west-1\n[profile cfgonly]\n" +
        "[sso-session corp]\n[profile work]\n",
    });
    const dir = await Deno.makeTempDir({ prefix: "awsmfa_bash_" });
    try {
      const script = `${dir}/awsmfa.bash`;
      await Deno.writeTextFile(script, completionScript("bash"));
      const env = { HOME: home };
      const cases: [string[], string[]][] = [
        [["awsmfa", "--ser"], ["--serial-number"]],
        [["awsmfa", "--f"], ["--force"]],
        [["awsmfa", "--mfa"], ["--mfa-profile-name", "--mfa-process"]],
        [["awsmfa", "--mi"], ["--min-remaining"]],
        [["awsmfa", "--output", ""], ["env", "json"]],
        [["awsmfa", "--output", "env", "--shell", ""], [
          "sh",
          "fish",
          "powershell",
        ]],
        [["awsmfa", "status", "-"], [
          "--json",
          "--max-key-age",
          "--help",
          "-h",
        ]],
        [["awsmfa", "clear", "-"], ["--all", "--quiet", "--help", "-h"]],
        [["awsmfa", "clear", ""], ["cfgonly", "default", "mfa", "work"]],
        [["awsmfa", "clear", "mfa", "w"], ["work"]],
        [["awsmfa", "exec", "--pro"], ["--profile"]],
        [["awsmfa", "exec", "--js"], []],
        [["awsmfa", "exec", "--profile", "w"], ["work"]],
        [["awsmfa", "exec", "--", "awsmfa-no-such-command-"], []],
        [["awsmfa", "status", "--ou"], []],
        [["awsmfa", "--profile", "work", "--q"], ["--quiet"]],
        [["awsmfa", "completions", ""], ["bash", "zsh", "fish", "powershell"]],
        [["awsmfa", "completions", "f"], ["fish"]],
        [["awsmfa", "completions", "bash", ""], []],
        [["awsmfa", ""], [
          "exec",
          "credential-process",
          "status",
          "clear",
          "keys",
          "rotate",
          "completions",
          "help",
        ]],
        [["awsmfa", "he"], ["help"]],
        [["awsmfa", "help", ""], HELP_TOPIC_NAMES],
        [["awsmfa", "help", "en"], ["environment"]],
        [["awsmfa", "help", "status", ""], []],
        [["awsmfa", "keys", ""], ["import", "get", "remove", "list"]],
        [["awsmfa", "keys", "re"], ["remove"]],
        [["awsmfa", "keys", "import", ""], []],
        [["awsmfa", "keys", "import", "--pro"], ["--profile"]],
        [["awsmfa", "keys", "--keychain", ""], [
          "secret-service",
          "pass",
          "macos",
          "windows",
        ]],
        [["awsmfa", "-V"], ["-V"]],
        [["awsmfa", "cr"], ["credential-process"]],
        [["awsmfa", "credential-process", "--mfa-p"], ["--mfa-process"]],
        [["awsmfa", "credential-process", "--ou"], []],
        [["awsmfa", "credential-process", "--profile", "w"], ["work"]],
        [["awsmfa", "com"], ["completions"]],
        [["awsmfa", "st"], ["status"]],
        [["awsmfa", "--profile", ""], ["cfgonly", "default", "mfa", "work"]],
        [["awsmfa", "--profile", "w"], ["work"]],
        [["awsmfa", "--profile", "=", ""], [
          "cfgonly",
          "default",
          "mfa",
          "work",
        ]],
        [["awsmfa", "--mfa-profile-name", "=", "m"], ["mfa"]],
        [["awsmfa", "--profile", "="], ["cfgonly", "default", "mfa", "work"]],
        [["awsmfa", "--region", ""], []],
        [["awsmfa", "--serial-number", ""], []],
      ];
      for (const [words, expected] of cases) {
        await t.step(JSON.stringify(words), async () => {
          const reply = await bashComplete(script, words, env);
          assert.deepEqual(reply.sort(), [...expected].sort());
        });
      }
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
        await t.step(`every flag of ${command} is offered for -`, async () => {
          const words = command === "refresh"
            ? ["awsmfa", "-"]
            : ["awsmfa", command, "-"];
          const reply = await bashComplete(script, words, env);
          const expected = OPTIONS.filter((spec) =>
            spec.commands.includes(command)
          ).flatMap((spec) =>
            spec.short === undefined
              ? [`--${spec.name}`]
              : [`--${spec.name}`, `-${spec.short}`]
          );
          assert.deepEqual(reply.sort(), expected.sort());
          assert.ok(reply.includes("-h"));
        });
      }
      await t.step(
        "the command after exec -- is completed from PATH",
        async () => {
          const reply = await bashComplete(script, [
            "awsmfa",
            "exec",
            "--",
            "ba",
          ], env);
          assert.ok(reply.includes("bash"), JSON.stringify(reply));
          assert.ok(!reply.some((word) => word.startsWith("-")));
        },
      );
      await t.step(
        "AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE win over HOME",
        async () => {
          await Deno.writeTextFile(`${dir}/creds`, "[elsewhere]\n");
          await Deno.writeTextFile(`${dir}/conf`, "[profile other]\n");
          const reply = await bashComplete(
            script,
            ["awsmfa", "--profile", ""],
            {
              HOME: home,
              AWS_SHARED_CREDENTIALS_FILE: `${dir}/creds`,
              AWS_CONFIG_FILE: `${dir}/conf`,
            },
          );
          assert.deepEqual(reply.sort(), ["elsewhere", "other"]);
        },
      );
      await t.step(
        "missing AWS files give no profiles and no noise",
        async () => {
          const reply = await bashComplete(
            script,
            ["awsmfa", "--profile", ""],
            {
              HOME: `${dir}/nowhere`,
            },
          );
          assert.deepEqual(reply, []);
        },
      );
      await t.step("the script registers the function for awsmfa", async () => {
        const output = await new Deno.Command(BASH ?? "bash", {
          args: [
            "--norc",
            "-c",
            'source "$1" && complete -p awsmfa',
            "bash",
            script,
          ],
          env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home },
          clearEnv: true,
          stdout: "piped",
        }).output();
        assert.equal(
          decoder.decode(output.stdout).trim(),
          "complete -F _awsmfa awsmfa",
        );
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(home, { recursive: true });
    }
  },
});

async function syntaxCheck(shell: string, args: string[], script: string) {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_syntax_" });
  try {
    const file = `${dir}/awsmfa.completion`;
    await Deno.writeTextFile(file, script);
    const output = await new Deno.Command(shell, {
      args: [...args, file],
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: dir },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(
      output.code,
      0,
      `${shell} rejected the script: ${decoder.decode(output.stderr)}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A test that needs `program` (see tests/support/tools.ts). */
function testWith(
  program: keyof typeof TOOL,
  path: string | undefined,
  name: string,
  fn: (path: string) => Promise<void>,
) {
  Deno.test({
    name,
    ...needs(TOOL[program], { ignore: ON_WINDOWS && program !== "pwsh" }),
    fn: () => fn(path ?? program),
  });
}

testWith("bash", BASH, "the bash script passes bash -n", async (bash) => {
  await syntaxCheck(bash, ["-n"], completionScript("bash"));
});

testWith("zsh", ZSH, "the zsh script passes zsh -n", async (zsh) => {
  await syntaxCheck(zsh, ["-n"], completionScript("zsh"));
});

testWith("fish", FISH, "the fish script passes fish -n", async (fish) => {
  await syntaxCheck(fish, ["-n"], completionScript("fish"));
});

testWith("pwsh", PWSH, "the PowerShell script parses in pwsh", async (pwsh) => {
  const dir = await Deno.makeTempDir({ prefix: "awsmfa_pwsh_" });
  try {
    const file = `${dir}/awsmfa.ps1`;
    await Deno.writeTextFile(file, completionScript("powershell"));
    const check = "$errors = $null; " +
      "[System.Management.Automation.Language.Parser]::ParseFile($args[0], [ref]$null, [ref]$errors) | Out-Null; " +
      "if ($errors.Count -gt 0) { $errors | ForEach-Object { Write-Error $_.Message }; exit 1 }";
    const output = await new Deno.Command(pwsh, {
      args: ["-NoProfile", "-NonInteractive", "-Command", check, file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, decoder.decode(output.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every script names every flag and shell and honours AWS_SHARED_CREDENTIALS_FILE", () => {
  for (const shell of SHELLS) {
    const script = completionScript(shell);
    assert.ok(script.endsWith("\n"), shell);
    for (const spec of OPTIONS) {
      assert.ok(script.includes(spec.name), `${shell} lacks --${spec.name}`);
    }
    for (const name of ["bash", "zsh", "fish", "powershell", "completions"]) {
      assert.ok(script.includes(name), `${shell} lacks ${name}`);
    }
    assert.ok(
      script.includes("AWS_SHARED_CREDENTIALS_FILE"),
      `${shell} ignores AWS_SHARED_CREDENTIALS_FILE`,
    );
  }
  assert.match(completionScript("zsh"), /^#compdef awsmfa\n/);
  assert.match(
    completionScript("zsh"),
    /^ +'1:action:\(import get remove list\)'$/m,
  );
  assert.match(
    completionScript("zsh"),
    new RegExp(
      `^ +\\(\\( CURRENT == 3 \\)\\) && compadd -- ${
        HELP_TOPIC_NAMES.join(" ")
      }$`,
      "m",
    ),
  );
  assert.match(completionScript("zsh"), /\(exec .* completions help\)/);
  const powershell = completionScript("powershell");
  assert.ok(
    powershell.includes(
      "elseif ($command -eq 'keys' -and $before.Count -eq 2) {\n        $candidates = @('import', 'get', 'remove', 'list')",
    ),
    powershell,
  );
  assert.ok(
    powershell.includes(
      `if ($before.Count -ge 2 -and $before[1] -eq 'help') {\n        if ($before.Count -eq 2) { $candidates = @(${
        HELP_TOPIC_NAMES.map((name) => `'${name}'`).join(", ")
      }) }`,
    ),
  );
  assert.ok(powershell.includes("'completions', 'help')"), powershell);
  assert.match(
    completionScript("fish"),
    /^complete -c awsmfa .*-l serial-number -x/m,
  );
  assert.match(
    completionScript("powershell"),
    /Register-ArgumentCompleter -Native -CommandName awsmfa/,
  );
});

testWith(
  "fish",
  FISH,
  "the fish script completes each command's own flags and clear's profiles in a real fish",
  async (fish) => {
    const home = await tempHome({
      credentials: "[mfa]\nk = v\n[work]\nk = v\n",
      config: "[profile cfgonly]\n",
    });
    const dir = await Deno.makeTempDir({ prefix: "awsmfa_fish_" });
    try {
      const script = `${dir}/awsmfa.fish`;
      await Deno.writeTextFile(script, completionScript("fish"));
      const cases: [string, string[]][] = [
        ["awsmfa --mfa", ["--mfa-process", "--mfa-profile-name"]],
        ["awsmfa --output ", ["env", "json"]],
        ["awsmfa ", [
          "clear",
          "completions",
          "credential-process",
          "exec",
          "help",
          "keys",
          "rotate",
          "status",
        ]],
        ["awsmfa help ", HELP_TOPIC_NAMES],
        ["awsmfa help --", []],
        ["awsmfa keys ", ["get", "import", "list", "remove"]],
        ["awsmfa keys import ", []],
        ["awsmfa keys remove --f", ["--force"]],
        ["awsmfa -", REFRESH_FLAG_WORDS],
        ["awsmfa credential-process --mfa-p", ["--mfa-process"]],
        ["awsmfa credential-process --ou", []],
        ["awsmfa status --", ["--help", "--json", "--max-key-age"]],
        ["awsmfa clear --", ["--all", "--help", "--quiet"]],
        ["awsmfa clear ", ["cfgonly", "mfa", "work"]],
        ["awsmfa exec --pro", ["--profile"]],
        ["awsmfa exec --js", []],
        ["awsmfa status --ou", []],
      ];
      for (const [line, expected] of cases) {
        const output = await new Deno.Command(fish, {
          args: [
            "--no-config",
            "-c",
            "source $argv[1]; complete -C $argv[2]",
            script,
            line,
          ],
          env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(decoder.decode(output.stderr), "", line);
        const words = decoder.decode(output.stdout).split("\n").filter((l) =>
          l !== ""
        ).map((l) => l.split("\t")[0]);
        assert.deepEqual(words.sort(), [...expected].sort(), line);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(home, { recursive: true });
    }
  },
);
