/**
 * lib/cli/args.ts: each command's command line → its options, and every
 * refusal with its one sentence.
 */
import assert from "node:assert/strict";
import { parseArguments } from "../../lib/cli/args.ts";
import type { Options } from "../../lib/cli/options.ts";
import { ExitCode } from "../../lib/shared/errors.ts";
import { usageErrorOf } from "../support/usage.ts";

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
