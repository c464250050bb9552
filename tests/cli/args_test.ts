import assert from "node:assert/strict";
import {
  COMMANDS,
  helpText,
  OPTIONS,
  type Options,
  parseArguments,
  parseDuration,
} from "../../lib/cli/args.ts";
import { ExitCode, UsageError } from "../../lib/shared/errors.ts";

/** The usage error `argv` raises; fails the test when there is none. */
function usageErrorOf(argv: string[]): UsageError {
  try {
    const options = parseArguments(argv);
    assert.fail(
      `expected a usage error for ${JSON.stringify(argv)}, got ${
        JSON.stringify(options)
      }`,
    );
  } catch (error) {
    assert.ok(
      error instanceof UsageError,
      `${JSON.stringify(argv)}: ${String(error)}`,
    );
    return error;
  }
}

const REFRESH_DEFAULTS = { command: "refresh", force: false, quiet: false };

Deno.test("parseArguments reads every flag in both the = and the space form", async (t) => {
  const cases: [string[], Record<string, unknown>][] = [
    [["--profile", "work"], { profile: "work" }],
    [["--profile=work"], { profile: "work" }],
    [
      ["--serial-number", "arn:aws:iam::123456789012:mfa/alice"],
      { serialNumber: "arn:aws:iam::123456789012:mfa/alice" },
    ],
    [["--serial-number=GAHT12345678"], { serialNumber: "GAHT12345678" }],
    [["--duration-seconds", "3600"], { durationSeconds: 3600 }],
    [["--duration-seconds=12h"], { durationSeconds: 43200 }],
    [["--mfa-profile-name", "work-mfa"], { mfaProfileName: "work-mfa" }],
    [
      ["--mfa-profile-name=a_b.c@d+e=f,g-h"],
      { mfaProfileName: "a_b.c@d+e=f,g-h" },
    ],
    [["--region", "eu-west-1"], { region: "eu-west-1" }],
    [["--region=cn-north-1"], { region: "cn-north-1" }],
    [
      ["--endpoint-url", "http://127.0.0.1:4566"],
      { endpointUrl: "http://127.0.0.1:4566" },
    ],
    [
      ["--endpoint-url=https://sts.eu-west-1.amazonaws.com/"],
      { endpointUrl: "https://sts.eu-west-1.amazonaws.com/" },
    ],
    [["--force"], { force: true }],
    [["--quiet"], { quiet: true }],
    [["123456"], { code: "123456" }],
    [["-"], { code: "-" }],
    [["--", "-"], { code: "-" }],
    [
      ["--profile", "work", "--force", "--quiet", "654321"],
      { profile: "work", force: true, quiet: true, code: "654321" },
    ],
    [["654321", "--profile", "work"], { profile: "work", code: "654321" }],
    [["--profile", "a", "--profile", "b"], { profile: "b" }],
    [[], {}],
  ];
  for (const [argv, expected] of cases) {
    await t.step(argv.join(" ") || "(no arguments)", () => {
      assert.deepEqual(parseArguments(argv), {
        ...REFRESH_DEFAULTS,
        ...expected,
      });
    });
  }
});

Deno.test("parseArguments keeps leading zeros of the code as a string", () => {
  for (const code of ["012345", "000000", "000001"]) {
    const options = parseArguments([code]) as { code?: unknown };
    assert.equal(options.code, code);
    assert.equal(typeof options.code, "string");
  }
});

Deno.test("parseArguments: help wins over everything, version over the rest", async (t) => {
  const cases: [string[], Options][] = [
    [["--help"], { command: "help" }],
    [["-h"], { command: "help" }],
    [["--profile", "work", "-h", "123456"], { command: "help" }],
    [["--nope", "--help"], { command: "help" }],
    [["completions", "--help"], { command: "help", topic: "completions" }],
    [["--version"], { command: "version" }],
    [["--version", "--profile", "x"], { command: "version" }],
  ];
  for (const [argv, expected] of cases) {
    await t.step(argv.join(" "), () => {
      assert.deepEqual(parseArguments(argv), expected);
    });
  }
  await t.step("-h after -- is a positional, not help", () => {
    usageErrorOf(["--", "-h"]);
  });
});

Deno.test("parseArguments reads `completions SHELL`", async (t) => {
  for (const shell of ["bash", "zsh", "fish", "powershell"]) {
    await t.step(shell, () => {
      assert.deepEqual(parseArguments(["completions", shell]), {
        command: "completions",
        shell,
      });
    });
  }
  const bad: [string[], RegExp][] = [
    [["completions"], /takes one shell: bash, zsh, fish, powershell/],
    [["completions", "tcsh"], /shells only: bash, zsh, fish, powershell/],
    [["completions", "bash", "zsh"], /takes one shell/],
    [["completions", "--profile", "x", "bash"], /Unknown option --profile/],
    [["--profile", "work", "completions", "bash"], /must come first/],
  ];
  for (const [argv, pattern] of bad) {
    await t.step(argv.join(" "), () => {
      assert.match(usageErrorOf(argv).message, pattern);
    });
  }
});

Deno.test("parseArguments refuses bad command lines with one sentence naming the flag", async (t) => {
  const cases: [string[], string][] = [
    [["--nope"], "Unknown option --nope."],
    [["-x"], "Unknown option -x."],
    [["--nope=1"], "Unknown option --nope."],
    [["--serial"], "Unknown option --serial; did you mean --serial-number?"],
    [["--prof", "work"], "Unknown option --prof; did you mean --profile?"],
    [["--profile"], "Option --profile needs a value."],
    [["--serial-number"], "Option --serial-number needs a value."],
    [["--duration-seconds"], "Option --duration-seconds needs a value."],
    [["--mfa-profile-name"], "Option --mfa-profile-name needs a value."],
    [["--region"], "Option --region needs a value."],
    [["--endpoint-url"], "Option --endpoint-url needs a value."],
    [
      ["--profile", "--force"],
      'Option --profile needs a value; to give one that starts with "-", write --profile=VALUE.',
    ],
    [["--force=yes"], "Option --force does not take a value."],
    [["--quiet=1"], "Option --quiet does not take a value."],
    [["--help=1"], "Option --help does not take a value."],
    [["--version=yes"], "Option --version does not take a value."],
    [["status", "--help=no"], "Option --help does not take a value."],
    [["--pro'file", "work"], "Unknown option."],
    [["--pro file", "work"], "Unknown option."],
    [["--profile="], "Option --profile needs a non-empty value."],
    [["--profile", " "], "Option --profile needs a non-empty value."],
    [["--serial-number="], "Option --serial-number needs a non-empty value."],
    [["--region="], "Option --region needs a non-empty value."],
    [
      ["--mfa-profile-name="],
      "Option --mfa-profile-name needs a non-empty value.",
    ],
    [
      ["--endpoint-url", "ftp://sts.example.com"],
      "Option --endpoint-url must be an http:// or https:// URL.",
    ],
    [
      ["--endpoint-url", "localhost:8080"],
      "Option --endpoint-url must be an http:// or https:// URL.",
    ],
    [
      ["--endpoint-url", "http://"],
      "Option --endpoint-url must be an http:// or https:// URL.",
    ],
    [
      ["--endpoint-url", "sts.amazonaws.com"],
      "Option --endpoint-url must be an http:// or https:// URL.",
    ],
    [
      ["a", "b"],
      'Too many arguments: give at most one MFA code, or "-" to read it from stdin.',
    ],
    [
      ["stauts"],
      'Unknown command "stauts" (did you mean "status"?); the commands are: exec, credential-process, status, clear, keys, rotate, completions, and the MFA code is 6 digits.',
    ],
  ];
  for (const [argv, message] of cases) {
    await t.step(argv.join(" "), () => {
      const error = usageErrorOf(argv);
      assert.equal(error.message, message);
      assert.equal(error.exitCode, ExitCode.Usage);
    });
  }
});

Deno.test("parseArguments limits --mfa-profile-name to characters every AWS parser keeps", async (t) => {
  for (const name of ["a b", "a]b", "[x", "a;b", "a#b", "a/b", "a:b", "é"]) {
    await t.step(JSON.stringify(name), () => {
      const error = usageErrorOf(["--mfa-profile-name", name]);
      assert.match(error.message, /^Option --mfa-profile-name may only use/);
      assert.ok(error.message.includes("_.@+=,-"));
    });
  }
});

Deno.test("parseArguments never repeats the MFA code in a message", async (t) => {
  const cases: [string[], string][] = [
    [["12345"], "12345"],
    [["1234567"], "1234567"],
    [["12345a"], "12345a"],
    [["--profile", "work", "98765"], "98765"],
    [["123456", "654321"], "654321"],
    [["-", "135790"], "135790"],
    [["-246801"], "246801"],
    [["--246801"], "246801"],
    [["--code=246801"], "246801"],
    [["--profile", "-246801"], "246801"],
    [["--duration-seconds", "246801"], "246801"],
    [["--force=246801"], "246801"],
  ];
  for (const [argv, secret] of cases) {
    await t.step(argv.join(" "), () => {
      const error = usageErrorOf(argv);
      assert.ok(
        !error.message.includes(secret),
        `message repeats input: ${error.message}`,
      );
      assert.ok(!error.message.includes("\n"), "message is one line");
    });
  }
  await t.step("the malformed code message is the documented sentence", () => {
    assert.equal(
      usageErrorOf(["12345"]).message,
      "The MFA code must be exactly 6 digits.",
    );
  });
});

Deno.test("parseDuration reads seconds and unit forms", async (t) => {
  const cases: [string, number][] = [
    ["43200", 43200],
    ["900", 900],
    ["129600", 129600],
    ["0900", 900],
    ["12h", 43200],
    ["90m", 5400],
    ["1h30m", 5400],
    ["900s", 900],
    ["15m", 900],
    ["1d", 86400],
    ["1d12h", 129600],
    ["36h", 129600],
    ["2h0m30s", 7230],
  ];
  for (const [text, seconds] of cases) {
    await t.step(text, () => assert.equal(parseDuration(text), seconds));
  }
});

Deno.test("parseDuration refuses bounds and malformed forms", async (t) => {
  const outOfRange = [
    "899",
    "129601",
    "0",
    "14m59s",
    "36h1s",
    "2d",
    "99999999999999999999",
  ];
  for (const text of outOfRange) {
    await t.step(`out of range: ${text}`, () => {
      assert.throws(() => parseDuration(text), {
        name: "UsageError",
        message:
          "Option --duration-seconds must be between 900 and 129600 seconds (15m to 36h).",
      });
    });
  }
  const malformed = [
    "",
    "h",
    "1.5h",
    "-900",
    "12H",
    "30m1h",
    " 900",
    "1h 30m",
    "0x384",
    "1e4",
    "12 h",
    "1w",
  ];
  for (const text of malformed) {
    await t.step(`malformed: ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseDuration(text), {
        name: "UsageError",
        message:
          "Option --duration-seconds takes seconds (43200) or a length like 12h, 90m or 1h30m.",
      });
    });
  }
  await t.step("through parseArguments", () => {
    for (const text of ["899", "129601"]) {
      assert.match(
        usageErrorOf(["--duration-seconds", text]).message,
        /between 900 and 129600/,
      );
    }
    assert.deepEqual(parseArguments(["--duration-seconds", "129600"]), {
      ...REFRESH_DEFAULTS,
      durationSeconds: 129600,
    });
  });
});

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

Deno.test("parseArguments reads --output, --shell, --write, --mfa-process and --min-remaining", async (t) => {
  const cases: [string[], Record<string, unknown>][] = [
    [["--output", "env"], { output: "env" }],
    [["--output=json", "--write"], { output: "json", write: true }],
    [["--output", "env", "--shell", "fish"], { output: "env", shell: "fish" }],
    [["--output=env", "--shell=powershell"], {
      output: "env",
      shell: "powershell",
    }],
    [["--mfa-process", "ykman oath accounts code --single aws"], {
      mfaProcess: "ykman oath accounts code --single aws",
    }],
    [["--min-remaining", "0"], { minRemainingSeconds: 0 }],
    [["--min-remaining=1h30m"], { minRemainingSeconds: 5400 }],
    [["--min-remaining", "36h"], { minRemainingSeconds: 129600 }],
  ];
  for (const [argv, expected] of cases) {
    await t.step(argv.join(" "), () => {
      assert.deepEqual(parseArguments(argv), {
        ...REFRESH_DEFAULTS,
        ...expected,
      });
    });
  }
  const bad: [string[], string][] = [
    [["--output", "yaml"], "Option --output takes one of: env, json."],
    [
      ["--output", "env", "--shell", "tcsh"],
      "Option --shell takes one of: sh, fish, powershell.",
    ],
    [["--shell", "sh"], "Option --shell only applies with --output env."],
    [
      ["--output", "json", "--shell", "sh"],
      "Option --shell only applies with --output env.",
    ],
    [
      ["--write"],
      "Option --write only applies with --output or in awsmfa exec; without them awsmfa always writes the files.",
    ],
    [["--mfa-process="], "Option --mfa-process needs a non-empty value."],
    [
      ["--min-remaining", "soon"],
      "Option --min-remaining takes seconds (900) or a length like 15m, 1h or 1h30m.",
    ],
    [
      ["--min-remaining", "37h"],
      "Option --min-remaining must be at most 129600 seconds (36h), the longest session.",
    ],
    [
      ["--json"],
      "Unknown option --json for the default command; it belongs to awsmfa status.",
    ],
  ];
  for (const [argv, message] of bad) {
    await t.step(`refuses ${argv.join(" ")}`, () => {
      assert.equal(usageErrorOf(argv).message, message);
    });
  }
});

Deno.test("parseArguments reads exec, status and clear", async (t) => {
  const cases: [string[], Options][] = [
    [["exec", "--", "aws", "s3", "ls"], {
      command: "exec",
      force: false,
      quiet: false,
      argv: ["aws", "s3", "ls"],
    }],
    [
      ["exec", "--profile", "work", "123456", "--write", "--", "sh", "-c", "x"],
      {
        command: "exec",
        force: false,
        quiet: false,
        profile: "work",
        code: "123456",
        write: true,
        argv: ["sh", "-c", "x"],
      },
    ],
    [["exec", "--", "aws", "--help"], {
      command: "exec",
      force: false,
      quiet: false,
      argv: ["aws", "--help"],
    }],
    [["exec", "--", "env", "--", "x"], {
      command: "exec",
      force: false,
      quiet: false,
      argv: ["env", "--", "x"],
    }],
    [["status"], { command: "status", json: false }],
    [["status", "--json"], { command: "status", json: true }],
    [["clear"], {
      command: "clear",
      all: false,
      profiles: ["mfa"],
      quiet: false,
    }],
    [["clear", "a", "b", "a"], {
      command: "clear",
      all: false,
      profiles: ["a", "b"],
      quiet: false,
    }],
    [["clear", "--all", "--quiet"], {
      command: "clear",
      all: true,
      profiles: [],
      quiet: true,
    }],
  ];
  for (const [argv, expected] of cases) {
    await t.step(argv.join(" "), () => {
      assert.deepEqual(parseArguments(argv), expected);
    });
  }
  const bad: [string[], RegExp][] = [
    [["exec", "aws", "s3", "ls"], /needs the command to run after --/],
    [["exec", "--"], /needs the command to run after --/],
    [
      ["exec", "--output", "env", "--", "x"],
      /Unknown option --output for awsmfa exec/,
    ],
    [["exec", "12345", "--", "x"], /exactly 6 digits/],
    [["status", "mfa"], /takes no arguments/],
    [
      ["status", "--all"],
      /Unknown option --all for awsmfa status; it belongs to awsmfa clear/,
    ],
    [["clear", "--all", "mfa"], /profile names or --all, not both/],
    [["clear", ""], /non-empty profile names/],
  ];
  for (const [argv, pattern] of bad) {
    await t.step(`refuses ${argv.join(" ")}`, () => {
      assert.match(usageErrorOf(argv).message, pattern);
    });
  }
  await t.step("--help after exec's -- belongs to the command", () => {
    assert.equal(parseArguments(["exec", "--", "aws", "-h"]).command, "exec");
  });
});

Deno.test("parseArguments reads credential-process and its flags, and nothing else", () => {
  assert.deepEqual(parseArguments(["credential-process"]), {
    command: "credential-process",
  });
  assert.deepEqual(
    parseArguments([
      "credential-process",
      "--profile",
      "work",
      "--serial-number",
      "arn:aws:iam::123456789012:mfa/alice",
      "--duration-seconds",
      "1h30m",
      "--region",
      "eu-west-1",
      "--endpoint-url",
      "http://127.0.0.1:9/",
      "--mfa-process",
      "pass otp aws/work",
      "--min-remaining",
      "1h",
    ]),
    {
      command: "credential-process",
      profile: "work",
      serialNumber: "arn:aws:iam::123456789012:mfa/alice",
      durationSeconds: 5400,
      region: "eu-west-1",
      endpointUrl: "http://127.0.0.1:9/",
      mfaProcess: "pass otp aws/work",
      minRemainingSeconds: 3600,
    },
  );
  for (
    const [argv, message] of [
      [
        ["credential-process", "123456"],
        "The credential-process command takes no arguments; it gets the code from mfa_process or asks on the terminal.",
      ],
      [
        ["credential-process", "--write"],
        "Unknown option --write for awsmfa credential-process; it belongs to the default command and awsmfa exec.",
      ],
      [
        ["credential-process", "--duration-seconds", "10"],
        undefined,
      ],
    ] as const
  ) {
    const error = usageErrorOf([...argv]);
    if (message !== undefined) assert.equal(error.message, message);
    assert.ok(!error.message.includes("123456"));
  }
});

Deno.test("parseArguments: status --max-key-age", () => {
  assert.deepEqual(parseArguments(["status", "--max-key-age", "30d"]), {
    command: "status",
    json: false,
    maxKeyAgeDays: 30,
  });
  assert.deepEqual(parseArguments(["status", "--max-key-age=365"]), {
    command: "status",
    json: false,
    maxKeyAgeDays: 365,
  });
  for (const bad of ["0", "3651", "3m", "x"]) {
    assert.throws(
      () => parseArguments(["status", "--max-key-age", bad]),
      /--max-key-age takes a number of days from 1 to 3650/,
    );
  }
});
