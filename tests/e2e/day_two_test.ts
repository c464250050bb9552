/**
 * Issue 13: a newcomer's second day, in-process (lib/run.ts with a fake
 * STS): sessions found from what the user types, errors in the order the
 * user needs them.
 */

import assert from "node:assert/strict";
import { ExitCode } from "../../lib/shared/errors.ts";
import {
  nextDay,
  onMachine,
  SECRET,
  SERIAL,
  WORK_CREDENTIALS,
} from "../support/day_two.ts";

const SEED = ["--serial-number", SERIAL, "--profile", "work", "123456"];

Deno.test("day two: after the seed's command line, --profile alone finds the session (default, exec, credential-process)", async (t) => {
  await onMachine(
    {
      credentials: WORK_CREDENTIALS,
      config: "[profile work]\nregion = eu-west-1\n",
    },
    async (m) => {
      const seed = await m.run(SEED);
      assert.equal(seed.code, ExitCode.Ok, seed.err);
      assert.equal(m.requests.length, 1);

      await t.step("the shell rc line reuses the profile", async () => {
        const again = await m.run(["--profile", "work"]);
        assert.equal(again.code, ExitCode.Ok, again.err);
        assert.match(again.err, /Profile "mfa" is still valid/);
        assert.equal(m.requests.length, 1);
        assert.deepEqual(m.prompted, []);
      });
      await t.step("exec reuses it", async () => {
        const exec = await m.run(["exec", "--profile", "work", "--", "true"]);
        assert.equal(exec.code, ExitCode.Ok, exec.err);
        assert.equal(m.children.length, 1);
        assert.equal(
          m.children[0].set.AWS_ACCESS_KEY_ID,
          "ASIAEXAMPLESESSION01",
        );
        assert.equal(m.requests.length, 1);
      });
      await t.step("credential-process answers from the cache", async () => {
        const cp = await m.run(["credential-process", "--profile", "work"]);
        assert.equal(cp.code, ExitCode.Ok, cp.err);
        assert.equal(JSON.parse(cp.out).AccessKeyId, "ASIAEXAMPLESESSION01");
        assert.equal(m.requests.length, 1);
        assert.deepEqual(m.prompted, []);
      });
      await t.step(
        "the next day it asks for a code with the serial it was given",
        async () => {
          m.now = nextDay(m.now);
          const day2 = await m.run(["--profile", "work"]);
          assert.equal(day2.code, ExitCode.Ok, day2.err);
          assert.deepEqual(m.prompted, [SERIAL]);
          assert.equal(m.requests.length, 2);
          assert.equal(m.requests[1].serialNumber, SERIAL);
          assert.ok(!day2.err.includes(SECRET));
        },
      );
    },
  );
});

Deno.test("day two: credential-process alone (no profile written) is found again from its cache entry", async () => {
  await onMachine({ credentials: WORK_CREDENTIALS }, async (m) => {
    const first = await m.run([
      "credential-process",
      "--profile",
      "work",
      "--serial-number",
      SERIAL,
    ]);
    assert.equal(first.code, ExitCode.Ok, first.err);
    const again = await m.run(["credential-process", "--profile", "work"]);
    assert.equal(again.code, ExitCode.Ok, again.err);
    assert.equal(JSON.parse(again.out).AccessKeyId, "ASIAEXAMPLESESSION01");
    assert.equal(m.requests.length, 1);
    const exec = await m.run(["exec", "--profile", "work", "--", "true"]);
    assert.equal(exec.code, ExitCode.Ok, exec.err);
    assert.equal(m.requests.length, 1);
  });
});

Deno.test("day two: AWS_PROFILE naming the profile awsmfa wrote acts on its recorded source", async (t) => {
  await onMachine({ credentials: WORK_CREDENTIALS }, async (m) => {
    assert.equal((await m.run(SEED)).code, ExitCode.Ok);
    m.env.AWS_PROFILE = "mfa";
    await t.step("still valid: nothing asked", async () => {
      const again = await m.run([]);
      assert.equal(again.code, ExitCode.Ok, again.err);
      assert.match(again.err, /Profile "mfa" is still valid/);
      assert.equal(m.requests.length, 1);
    });
    await t.step(
      "expired: one code, source work, written back to mfa",
      async () => {
        m.now = nextDay(m.now);
        const day2 = await m.run([]);
        assert.equal(day2.code, ExitCode.Ok, day2.err);
        assert.equal(m.requests.length, 2);
        assert.equal(m.requests[1].sourceProfile, "work");
        assert.equal(m.requests[1].serialNumber, SERIAL);
        assert.match(day2.err, /Wrote profile "mfa" \(from "work"\)/);
      },
    );
    await t.step("credential-process with AWS_PROFILE=mfa too", async () => {
      const cp = await m.run(["credential-process"]);
      assert.equal(cp.code, ExitCode.Ok, cp.err);
      assert.equal(m.requests.length, 2);
    });
  });
});

Deno.test("day two: AWS_DEFAULT_PROFILE is honoured after AWS_PROFILE", async () => {
  const credentials = WORK_CREDENTIALS +
    `[personal]\naws_access_key_id = AKIAEXAMPLEPERSONAL1\naws_secret_access_key = ${SECRET}x\n`;
  const config =
    `[profile work]\nmfa_serial = ${SERIAL}\n[profile personal]\nmfa_serial = GAHT12345678\n`;
  await onMachine({ credentials, config }, async (m) => {
    m.env.AWS_DEFAULT_PROFILE = "work";
    const one = await m.run(["123456"]);
    assert.equal(one.code, ExitCode.Ok, one.err);
    assert.equal(m.requests[0].sourceProfile, "work");
    m.env.AWS_PROFILE = "personal";
    const two = await m.run(["--force", "123456"]);
    assert.equal(two.code, ExitCode.Ok, two.err);
    assert.equal(m.requests[1].sourceProfile, "personal");
  });
});

Deno.test("day two: a profile in neither file is exit 3 naming the files, before any serial question", async (t) => {
  await t.step("a typo", async () => {
    await onMachine({ credentials: WORK_CREDENTIALS }, async (m) => {
      const typo = await m.run(["--profile", "wrok", "123456"]);
      assert.equal(typo.code, ExitCode.Local, typo.err);
      assert.ok(typo.err.includes(`${m.home}/.aws/credentials`), typo.err);
      assert.ok(typo.err.includes(`${m.home}/.aws/config`), typo.err);
      assert.match(typo.err, /does not exist/);
      assert.match(typo.err, /did you mean "work"\?/);
      assert.doesNotMatch(typo.err, /serial/i);
      assert.doesNotMatch(typo.err, /--help/);
      assert.equal(m.requests.length, 0);
    });
  });
  await t.step("no ~/.aws at all: nothing is created", async () => {
    await onMachine(null, async (m) => {
      for (
        const args of [["123456"], ["exec", "--", "true"], [
          "credential-process",
        ]]
      ) {
        const none = await m.run(args);
        assert.equal(none.code, ExitCode.Local, none.err);
        assert.match(none.err, /Profile "default"/);
        assert.match(none.err, /neither file exists/);
        assert.doesNotMatch(none.err, /serial/i);
      }
      const entries = [];
      for await (const entry of Deno.readDir(m.home)) entries.push(entry.name);
      assert.deepEqual(entries, []);
    });
  });
  await t.step("AWS_PROFILE naming a missing profile says so", async () => {
    await onMachine({ credentials: WORK_CREDENTIALS }, async (m) => {
      m.env.AWS_PROFILE = "gone";
      const gone = await m.run(["123456"]);
      assert.equal(gone.code, ExitCode.Local, gone.err);
      assert.match(gone.err, /Profile "gone" \(named by AWS_PROFILE\)/);
    });
  });
  await t.step("a role profile whose source_profile is missing", async () => {
    await onMachine({
      credentials: WORK_CREDENTIALS,
      config:
        "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\nsource_profile = wrok\n",
    }, async (m) => {
      const role = await m.run(["--profile", "admin", "123456"]);
      assert.equal(role.code, ExitCode.Local, role.err);
      assert.match(role.err, /source_profile "wrok" is in neither/);
    });
  });
});

const WITH_SERIAL = {
  credentials: WORK_CREDENTIALS,
  config: `[profile work]\nmfa_serial = ${SERIAL}\n`,
};

Deno.test("day two: the usage tail follows only a command line awsmfa could not read", async (t) => {
  const tail = /Run "awsmfa --help" for usage\./;
  await t.step("an unknown flag gets it", async () => {
    await onMachine(WITH_SERIAL, async (m) => {
      const bad = await m.run(["--bogus"]);
      assert.equal(bad.code, ExitCode.Usage);
      assert.match(bad.err, tail);
    });
  });
  await t.step("a malformed serial in the config does not", async () => {
    await onMachine({
      credentials: WORK_CREDENTIALS,
      config: "[profile work]\nmfa_serial = not a serial\n",
    }, async (m) => {
      const bad = await m.run(["--profile", "work", "123456"]);
      assert.equal(bad.code, ExitCode.Usage, bad.err);
      assert.doesNotMatch(bad.err, tail);
    });
  });
  await t.step("Ctrl-D at the prompt (no code entered) does not", async () => {
    await onMachine(WITH_SERIAL, async (m) => {
      m.answers = [null];
      const none = await m.run(["--profile", "work"]);
      assert.equal(none.code, ExitCode.Usage, none.err);
      assert.match(none.err, /No MFA code was entered\./);
      assert.doesNotMatch(none.err, tail);
    });
  });
  await t.step("a bad AWSMFA_MFA_PROCESS_TIMEOUT does not", async () => {
    await onMachine(WITH_SERIAL, async (m) => {
      m.env.AWSMFA_MFA_PROCESS_TIMEOUT = "forever";
      const bad = await m.run(["--profile", "work", "--mfa-process", "x"]);
      assert.equal(bad.code, ExitCode.Usage, bad.err);
      assert.doesNotMatch(bad.err, tail);
    });
  });
  await t.step(
    "credential-process never does (the AWS CLI shows its stderr)",
    async () => {
      await onMachine(WITH_SERIAL, async (m) => {
        const bad = await m.run(["credential-process", "--bogus"]);
        assert.equal(bad.code, ExitCode.Usage);
        assert.match(bad.err, /Unknown option --bogus/);
        assert.doesNotMatch(bad.err, tail);
      });
    },
  );
});

Deno.test("day two: aws-vault and AWS CLI habits get a hint", async (t) => {
  await onMachine(WITH_SERIAL, async (m) => {
    const cases: [string[], RegExp][] = [
      [["exec", "work", "--", "true"], /did you mean --profile work\b/],
      [["work"], /did you mean --profile work\b/],
      [["--token-code", "123456"], /takes the MFA code as an argument/],
      [["--mfa-token", "123456"], /takes the MFA code as an argument/],
      [["--device", SERIAL], /--serial-number/],
      [["--duration", "12h"], /--duration-seconds, which also takes 12h/],
      [["--assume-role", "admin"], /--role-arn/],
      [["--porfile", "work"], /did you mean --profile\?/],
      [["--profil", "work"], /did you mean --profile\?/],
      [["--serail-number", SERIAL], /did you mean --serial-number\?/],
      [["exec", "--porfile", "work", "--", "true"], /did you mean --profile\?/],
      [["stauts"], /did you mean "status"\?\)/],
    ];
    for (const [args, hint] of cases) {
      await t.step(args.join(" "), async () => {
        const result = await m.run(args);
        assert.equal(result.code, ExitCode.Usage, result.err);
        assert.match(result.err, hint);
        assert.equal(m.requests.length, 0);
        assert.equal(m.children.length, 0);
      });
    }
    await t.step(
      "a word that names no profile is not guessed as one",
      async () => {
        const result = await m.run(["exec", "nosuch", "--", "true"]);
        assert.equal(result.code, ExitCode.Usage);
        assert.doesNotMatch(result.err, /--profile/);
      },
    );
  });
});

Deno.test("day two: a broken header [profile work is reported as a header without its ]", async () => {
  for (
    const config of [
      "[profile work\nmfa_serial = x\n",
      `[default]\nregion = eu-west-1\n[profile work\n`,
    ]
  ) {
    await onMachine({ credentials: WORK_CREDENTIALS, config }, async (m) => {
      const before = await m.read("config");
      const result = await m.run(["--profile", "work", "123456"]);
      assert.equal(result.code, ExitCode.Local, result.err);
      assert.match(
        result.err,
        /line \d starts a section header with \[ but has no closing \]/,
      );
      assert.equal(await m.read("config"), before);
    });
  }
});

Deno.test("day two: a code typed as authenticator apps show it, 123 456, is accepted", async (t) => {
  await t.step("at the prompt", async () => {
    await onMachine(WITH_SERIAL, async (m) => {
      m.answers = ["123 456"];
      const result = await m.run(["--profile", "work"]);
      assert.equal(result.code, ExitCode.Ok, result.err);
      assert.equal(m.requests[0].tokenCode, "123456");
    });
  });
  await t.step("on stdin", async () => {
    await onMachine(WITH_SERIAL, async (m) => {
      const result = await m.run(["--profile", "work", "-"], "654 321\n");
      assert.equal(result.code, ExitCode.Ok, result.err);
      assert.equal(m.requests[0].tokenCode, "654321");
    });
  });
  await t.step("as the argument", async () => {
    await onMachine(WITH_SERIAL, async (m) => {
      const result = await m.run(["--profile", "work", "111 222"]);
      assert.equal(result.code, ExitCode.Ok, result.err);
      assert.equal(m.requests[0].tokenCode, "111222");
    });
  });
  await t.step("but not other spacing", async () => {
    await onMachine(WITH_SERIAL, async (m) => {
      const result = await m.run(["--profile", "work", "-"], "12 3456\n");
      assert.equal(result.code, ExitCode.Usage);
    });
  });
});

Deno.test("day two: the README says what awsmfa does with a BOM: refuses the file and leaves it as it is", async () => {
  const readme = await Deno.readTextFile(
    new URL("../../README.md", import.meta.url),
  );
  const files = readme.slice(
    readme.indexOf("## What awsmfa does to your files"),
  );
  assert.doesNotMatch(files, /a BOM,[^.]*stay\s+byte-for-byte/);
  assert.match(files, /byte order mark\s+\(BOM\) is refused with exit code 3/);
  await onMachine({
    credentials: "\ufeff" + WORK_CREDENTIALS,
    config: `[profile work]\nmfa_serial = ${SERIAL}\n`,
  }, async (m) => {
    const before = await Deno.readFile(`${m.home}/.aws/credentials`);
    const result = await m.run(["--profile", "work", "123456"]);
    assert.equal(result.code, ExitCode.Local, result.err);
    assert.match(result.err, /byte order mark/);
    assert.deepEqual(await Deno.readFile(`${m.home}/.aws/credentials`), before);
    assert.equal(m.requests.length, 0);
  });
});

Deno.test("day two: the AWS_ACCESS_KEY_ID warning also comes on the still-valid path", async () => {
  await onMachine(WITH_SERIAL, async (m) => {
    assert.equal((await m.run(["--profile", "work", "123456"])).code, 0);
    m.env.AWS_ACCESS_KEY_ID = "AKIAEXAMPLELEFTOVER1";
    const again = await m.run(["--profile", "work"]);
    assert.equal(again.code, ExitCode.Ok, again.err);
    assert.match(again.err, /Profile "mfa" is still valid/);
    assert.match(
      again.err,
      /warning: AWS_ACCESS_KEY_ID is set in your environment; the AWS CLI will use it instead of profile "mfa"/,
    );
    assert.equal(m.requests.length, 1);
  });
});

Deno.test("day two: --min-remaining longer than any session can last is a usage error", async (t) => {
  await onMachine(WITH_SERIAL, async (m) => {
    for (
      const args of [
        ["--profile", "work", "--min-remaining", "13h", "123456"],
        [
          "--profile",
          "work",
          "--min-remaining",
          "2h",
          "--duration-seconds",
          "1h",
          "123456",
        ],
        ["credential-process", "--profile", "work", "--min-remaining", "12h"],
        [
          "--profile",
          "work",
          "--role-arn",
          "arn:aws:iam::111122223333:role/admin",
          "--min-remaining",
          "1h",
          "123456",
        ],
      ]
    ) {
      await t.step(args.join(" "), async () => {
        const result = await m.run(args);
        assert.equal(result.code, ExitCode.Usage, result.err);
        assert.match(
          result.err,
          /--min-remaining .* every run would ask for a code/,
        );
        assert.equal(m.requests.length, 0);
        assert.equal(await m.read("credentials"), WORK_CREDENTIALS);
      });
    }
    await t.step("one shorter than the session is fine", async () => {
      const ok = await m.run([
        "--profile",
        "work",
        "--min-remaining",
        "11h",
        "123456",
      ]);
      assert.equal(ok.code, ExitCode.Ok, ok.err);
    });
  });
});

const TWO_SOURCES = {
  credentials: WORK_CREDENTIALS +
    `[personal]\naws_access_key_id = AKIAEXAMPLEPERSONAL1\naws_secret_access_key = ${SECRET}x\n`,
  config:
    `[profile work]\nmfa_serial = ${SERIAL}\nregion = eu-west-1\noutput = json\n` +
    `[profile personal]\nmfa_serial = GAHT12345678\nregion = us-west-2\n` +
    `[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\nsource_profile = work\nregion = ap-south-1\n`,
};

function section(text: string | null, name: string): string {
  const all = text ?? "";
  const start = all.indexOf(`[${name}]`);
  assert.ok(start >= 0, `no [${name}] in ${all}`);
  const next = all.indexOf("\n[", start + 1);
  return all.slice(start, next < 0 ? undefined : next + 1);
}

Deno.test("day two: a second source writing the same target moves the copied keys along and says what it replaced", async (t) => {
  await onMachine(TWO_SOURCES, async (m) => {
    assert.equal((await m.run(["--profile", "work", "123456"])).code, 0);
    assert.equal(
      section(await m.read("config"), "profile mfa"),
      "[profile mfa]\nregion = eu-west-1\noutput = json\n",
    );
    await t.step("personal replaces work", async () => {
      const second = await m.run(["--profile", "personal", "654321"]);
      assert.equal(second.code, ExitCode.Ok, second.err);
      assert.match(
        second.err,
        /note: profile "mfa" held the MFA session of "work", valid until .*; it is replaced; region and output in \[profile mfa\] now follow "personal"\./,
      );
      assert.equal(
        section(await m.read("config"), "profile mfa"),
        "[profile mfa]\nregion = us-west-2\n",
      );
    });
    await t.step("a key the user set is kept, and said so", async () => {
      const config = (await m.read("config"))!.replace(
        "[profile mfa]\nregion = us-west-2\n",
        "[profile mfa]\nregion = sa-east-1\n",
      );
      await Deno.writeTextFile(`${m.home}/.aws/config`, config);
      const third = await m.run(["--profile", "work", "111111"]);
      assert.equal(third.code, ExitCode.Ok, third.err);
      assert.match(
        third.err,
        /output in \[profile mfa\] now follow "work"; kept region in \[profile mfa\], which you set yourself/,
      );
      assert.equal(
        section(await m.read("config"), "profile mfa"),
        "[profile mfa]\nregion = sa-east-1\noutput = json\n",
      );
    });
    await t.step(
      "a role profile's session over the plain MFA session",
      async () => {
        m.now = new Date(m.now.getTime() + 60_000);
        const role = await m.run(["--profile", "admin", "--force", "222222"]);
        assert.equal(role.code, ExitCode.Ok, role.err);
        assert.deepEqual(m.roles, ["arn:aws:iam::111122223333:role/admin"]);
        assert.match(
          role.err,
          /note: profile "mfa" held the MFA session of "work", valid until .*; it is replaced; kept region in \[profile mfa\], which you set yourself\./,
        );
        assert.equal(
          section(await m.read("config"), "profile mfa"),
          "[profile mfa]\nregion = sa-east-1\noutput = json\n",
        );
        // And back: the role session is what is replaced now.
        const back = await m.run(["--profile", "work", "--force", "444444"]);
        assert.equal(back.code, ExitCode.Ok, back.err);
        assert.match(
          back.err,
          /held the session of role arn:aws:iam::111122223333:role\/admin from "work"/,
        );
      },
    );
    await t.step(
      "the same source again says nothing of a replacement",
      async () => {
        const same = await m.run(["--profile", "work", "--force", "333333"]);
        assert.equal(same.code, ExitCode.Ok, same.err);
        assert.doesNotMatch(same.err, /replaced|note/);
      },
    );
  });
});

Deno.test("day two: status lists sessions only the cache holds, and clear NAME ends them", async (t) => {
  await onMachine(WITH_SERIAL, async (m) => {
    const cp = await m.run(["credential-process", "--profile", "work"]);
    assert.equal(cp.code, ExitCode.Ok, cp.err);
    await t.step("status shows it as (cache)", async () => {
      const status = await m.run(["status"]);
      assert.equal(status.code, ExitCode.Ok, status.err);
      const lines = status.out.trim().split("\n");
      assert.equal(lines.length, 2, status.out);
      assert.match(
        lines[1],
        new RegExp(`^\\(cache\\)\\s+work\\s+${SERIAL}\\s+\\S+ \\S+\\s+12h`),
      );
      const json = JSON.parse((await m.run(["status", "--json"])).out);
      assert.equal(json.length, 1);
      assert.equal(json[0].profile, null);
      assert.equal(json[0].sourceProfile, "work");
      assert.equal(json[0].serial, SERIAL);
      assert.equal(json[0].expired, false);
    });
    await t.step(
      "a session also written to a profile is listed once",
      async () => {
        const exec = await m.run(["--profile", "work"]);
        assert.equal(exec.code, ExitCode.Ok, exec.err);
        const json = JSON.parse((await m.run(["status", "--json"])).out);
        assert.deepEqual(
          json.map((row: { profile: string | null }) => row.profile),
          ["mfa"],
        );
        const cleared = await m.run(["clear"]);
        assert.equal(cleared.code, ExitCode.Ok, cleared.err);
        assert.equal(await m.read("credentials"), WORK_CREDENTIALS);
      },
    );
    await t.step(
      "clear work ends the cached session, files untouched",
      async () => {
        const again = await m.run(["credential-process", "--profile", "work"]);
        assert.equal(again.code, ExitCode.Ok, again.err);
        const before = [await m.read("credentials"), await m.read("config")];
        const cleared = await m.run(["clear", "work"]);
        assert.equal(cleared.code, ExitCode.Ok, cleared.err);
        assert.match(cleared.err, /Removed 1 cached session of profile "work"/);
        assert.deepEqual(
          [await m.read("credentials"), await m.read("config")],
          before,
        );
        assert.deepEqual(
          JSON.parse((await m.run(["status", "--json"])).out),
          [],
        );
        const requests = m.requests.length;
        const next = await m.run(["credential-process", "--profile", "work"]);
        assert.equal(next.code, ExitCode.Ok, next.err);
        assert.equal(m.requests.length, requests + 1);
      },
    );
    await t.step(
      "clear of a long-term profile with no cached session is still refused",
      async () => {
        await m.run(["clear", "work"]);
        const refused = await m.run(["clear", "work"]);
        assert.equal(refused.code, ExitCode.Local, refused.err);
        assert.match(refused.err, /not written by awsmfa/);
      },
    );
  });
});

Deno.test("day two: --output env hands on the source profile's region as exec does; --shell bash and zsh print sh", async (t) => {
  const config = `[profile work]\nmfa_serial = ${SERIAL}\nregion = eu-west-1\n`;
  await onMachine({ credentials: WORK_CREDENTIALS, config }, async (m) => {
    for (const shell of ["bash", "zsh", "sh"]) {
      await t.step(`--shell ${shell}`, async () => {
        const out = await m.run([
          "--profile",
          "work",
          "--output",
          "env",
          "--shell",
          shell,
        ]);
        assert.equal(out.code, ExitCode.Ok, out.err);
        assert.match(out.out, /^unset AWS_PROFILE /m);
        assert.match(out.out, /^export AWS_REGION='eu-west-1'$/m);
        assert.match(out.out, /^export AWS_DEFAULT_REGION='eu-west-1'$/m);
      });
    }
    await t.step("a region already in the environment is kept", async () => {
      m.env.AWS_REGION = "us-west-2";
      const out = await m.run([
        "--profile",
        "work",
        "--output",
        "env",
        "--shell",
        "fish",
      ]);
      assert.equal(out.code, ExitCode.Ok, out.err);
      assert.doesNotMatch(out.out, /AWS_REGION|AWS_DEFAULT_REGION/);
      delete m.env.AWS_REGION;
    });
  });
});

Deno.test("day two: exec is quiet when it reuses a session; times once in UTC; 12h, not 12h 0m", async () => {
  await onMachine(WITH_SERIAL, async (m) => {
    const first = await m.run([
      "exec",
      "--profile",
      "work",
      "123456",
      "--",
      "true",
    ]);
    assert.equal(first.code, ExitCode.Ok, first.err);
    assert.match(first.err, /^Got a session \(from "work"\)/);
    const again = await m.run(["exec", "--profile", "work", "--", "true"]);
    assert.equal(again.code, ExitCode.Ok, again.err);
    assert.equal(again.err, "");
    assert.equal(m.children.length, 2);
    const written = await m.run(["--profile", "work"]);
    assert.equal(written.code, ExitCode.Ok, written.err);
    const still = await m.run(["--profile", "work"]);
    assert.match(still.err, /still valid for 12h, until /);
    if (new Date().getTimezoneOffset() === 0) {
      assert.match(still.err, /until 2026-11-29 15:00 UTC;/);
    }
  });
});

Deno.test("day two: AWS_PROFILE naming the credential_process profile says which profile to name", async () => {
  await onMachine({
    credentials: WORK_CREDENTIALS,
    config: `[profile work]\nmfa_serial = ${SERIAL}\n` +
      "[profile work-mfa]\ncredential_process = awsmfa credential-process --profile work\n",
  }, async (m) => {
    m.env.AWS_PROFILE = "work-mfa";
    const result = await m.run(["123456"]);
    assert.equal(result.code, ExitCode.Local, result.err);
    assert.match(
      result.err,
      /Profile "work-mfa" \(named by AWS_PROFILE\) gets its credentials from awsmfa credential-process .*; name the profile it uses, as in: awsmfa --profile work\./,
    );
    assert.doesNotMatch(result.err, /serial/);
    assert.equal(m.requests.length, 0);
  });
});

Deno.test("day two: a code typed where the profile name goes is not repeated in the missing-profile sentence", async () => {
  for (const files of [{ credentials: WORK_CREDENTIALS }, null]) {
    await onMachine(files, async (m) => {
      const result = await m.run(["--profile", "654321"]);
      assert.equal(result.code, ExitCode.Local, result.err);
      assert.match(result.err, /is in neither/);
      assert.ok(!result.err.includes("654321"), result.err);
    });
  }
});
