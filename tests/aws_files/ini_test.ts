import assert from "node:assert/strict";
import { LocalError } from "../../lib/shared/errors.ts";
import { readProfiles, readSections } from "../../lib/aws_files/botocore.ts";
import { parseIni, serializeIni } from "../../lib/aws_files/document.ts";
import { setKeys } from "../../lib/aws_files/edit.ts";
import { IniError } from "../../lib/aws_files/ini_error.ts";
import { profileSection } from "../../lib/aws_files/profile_section.ts";
import { removeSection } from "../../lib/aws_files/remove_section.ts";

const TOKEN =
  "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def+ghi==";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const FOUR = {
  aws_access_key_id: "ASIAIOSFODNN7EXAMPLE",
  aws_secret_access_key: SECRET,
  aws_session_token: TOKEN,
  x_security_token_expires: "2026-01-02T03:04:05Z",
};

function edit(
  text: string,
  section: string,
  values: Record<string, string>,
  remove?: string[],
): string {
  return serializeIni(setKeys(parseIni(text), section, values, remove));
}

function sections(text: string): Record<string, Record<string, string>> {
  return Object.fromEntries(readSections(parseIni(text)));
}

function iniError(fn: () => unknown, line: number, pattern: RegExp): IniError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof IniError, `expected IniError, got ${caught}`);
  assert.ok(caught instanceof LocalError);
  assert.equal(caught.exitCode, 3);
  assert.equal(caught.line, line);
  assert.match(caught.message, pattern);
  return caught;
}

Deno.test("parseIni and serializeIni", async (t) => {
  await t.step("round trip keeps every byte", () => {
    for (
      const text of [
        "",
        "\n",
        "\r\n",
        "\r",
        "\r\r\n\n",
        "[a]",
        "[a]\nk = v",
        "\uFEFF",
        "\uFEFF[a]\r\nk=v\r\n",
        "\uFEFF\uFEFF\n",
        "[a]\n\tk\t=\tv \t\n  \n;c\n#c\n",
        "x\u2028y\u0085z\n\u000b\f",
        "[a]\r\nk = v\n\rj = w\r",
      ]
    ) {
      assert.equal(serializeIni(parseIni(text)), text, JSON.stringify(text));
    }
  });

  await t.step("splits lines where botocore does, keeping endings", () => {
    const doc = parseIni("a\r\nb\rc\nd");
    assert.deepEqual(doc.lines.map((l) => [l.text, l.eol]), [
      ["a", "\r\n"],
      ["b", "\r"],
      ["c", "\n"],
      ["d", ""],
    ]);
    assert.equal(doc.eol, "\r\n");
    assert.equal(doc.bom, "");
  });

  await t.step("the BOM is kept apart; eol defaults to LF", () => {
    const doc = parseIni("\uFEFF[a]");
    assert.equal(doc.bom, "\uFEFF");
    assert.equal(doc.lines[0].text, "[a]");
    assert.equal(doc.eol, "\n");
    assert.equal(parseIni("").lines.length, 0);
  });

  await t.step("classifies lines as botocore reads them", () => {
    const doc = parseIni(
      [
        "# top",
        "[profile a]",
        "region = us-east-1",
        "s3 =",
        "  addressing_style = path",
        "",
        "  ; inside",
        "  max = 3",
        "cli = one",
        "  two",
        "  [not a section]",
        "[ b ]",
        "  indented = yes",
        "junk",
        "= nothing",
      ].join("\n"),
    );
    assert.deepEqual(doc.lines.map((l) => l.kind), [
      "comment",
      "section",
      "key",
      "key",
      "nested",
      "blank",
      "comment",
      "nested",
      "key",
      "continuation",
      "continuation",
      "section",
      "key",
      "invalid",
      "invalid",
    ]);
    assert.equal(doc.lines[1].section, "profile a");
    assert.equal(doc.lines[11].section, " b ");
    assert.equal(doc.lines[3].value, "\naddressing_style = path\n\nmax = 3");
    assert.equal(doc.lines[8].value, "one\ntwo\n[not a section]");
    assert.equal(doc.lines[12].key, "indented");
  });
});

Deno.test("readSections", async (t) => {
  await t.step(
    "botocore's meaning: case, separators, quotes, no inline comments",
    () => {
      assert.deepEqual(
        sections(
          '[Work]\n\tTabbed\t=\tv\t\nRegion: eu-west-1\nkey=a=b\nquoted = "x y"\ncmd = run # not a comment\n',
        ),
        {
          Work: {
            region: "eu-west-1",
            key: "a=b",
            quoted: '"x y"',
            cmd: "run # not a comment",
            tabbed: "v",
          },
        },
      );
    },
  );

  await t.step("[DEFAULT] is inherited and not listed", () => {
    assert.deepEqual(
      sections(
        "[DEFAULT]\nregion = d\n[a]\nx = 1\n[b]\nregion = b\n[DEFAULT]\noutput = json\n",
      ),
      {
        a: { x: "1", region: "d", output: "json" },
        b: { region: "b", output: "json" },
      },
    );
    assert.deepEqual(sections("[DEFAULT]\nregion = d\n"), {});
  });

  await t.step("an empty file has no sections", () => {
    assert.deepEqual(sections(""), {});
    assert.deepEqual(sections("# only\n;comments\n\n"), {});
  });

  await t.step("names the line and the reason of what botocore refuses", () => {
    const read = (text: string) => () => readSections(parseIni(text));
    iniError(
      read("[a]\nk=1\n[b]\n[a]\n"),
      4,
      /^line 4 repeats the section \[a\]\.$/,
    );
    iniError(
      read("[a]\nkey=1\nKEY=2\n"),
      3,
      /^line 3 repeats the key key of \[a\]\.$/,
    );
    iniError(
      read("\nk = v\n[a]\n"),
      2,
      /^line 2 comes before the first \[section\]\.$/,
    );
    iniError(read("\uFEFF[a]\nk = v\n"), 1, /byte order mark/);
    iniError(read("[a]\nk = v\njunk\n"), 3, /^line 3 has no =/);
    iniError(
      read("[a]\n: v\n"),
      2,
      /^line 2 has nothing before its separator\.$/,
    );
    iniError(
      read("[a]\ns3 =\n  ok = 1\n  broken\n"),
      4,
      /^line 4 in the nested block of s3 in \[a\] has no =\.$/,
    );
    // Like botocore: a duplicate is raised at once, bad lines only at the end.
    iniError(read("[a]\njunk\n[a]\n"), 3, /repeats the section/);
  });

  await t.step(
    "several [DEFAULT] sections are allowed, their keys not twice",
    () => {
      iniError(
        () => readSections(parseIni("[DEFAULT]\nk=1\n[DEFAULT]\nK=2\n")),
        4,
        /repeats the key k of \[DEFAULT\]/,
      );
    },
  );

  await t.step(
    "a broken nested block in [DEFAULT] counts only when inherited",
    () => {
      assert.deepEqual(sections("[DEFAULT]\ns3 =\n  broken\n"), {});
      iniError(
        () => readSections(parseIni("[DEFAULT]\ns3 =\n  broken\n[a]\n")),
        3,
        /nested block of s3 in \[a\]/,
      );
    },
  );
});

Deno.test("profileSection", async (t) => {
  await t.step("names sections the way both tools look them up", () => {
    assert.equal(profileSection("work", "credentials"), "work");
    assert.equal(profileSection("default", "credentials"), "default");
    assert.equal(profileSection("default", "config"), "default");
    assert.equal(profileSection("mfa", "config"), "profile mfa");
    assert.equal(
      profileSection("a.b@c+d%e:f/g-h_1", "config"),
      "profile a.b@c+d%e:f/g-h_1",
    );
    assert.equal(profileSection("café", "credentials"), "café");
    assert.equal(profileSection("a b c", "credentials"), "a b c");
  });

  await t.step("refuses names one of the tools would not find", () => {
    for (const name of ["a b", "café", "", '"x"', "x#y", "__proto__"]) {
      iniError(() => profileSection(name, "config"), 0, /config file/);
    }
    for (
      const name of [
        "",
        " a",
        "a ",
        "DEFAULT",
        "foo bar",
        "profile x",
        "a #b",
        "__proto__",
        "a\nb",
      ]
    ) {
      iniError(
        () => profileSection(name, "credentials"),
        0,
        /credentials file/,
      );
    }
  });
});

Deno.test("readProfiles", async (t) => {
  await t.step("credentials: every section is a profile", () => {
    const profiles = readProfiles(
      parseIni("[a]\nk=1\n[profile b]\n"),
      "credentials",
    );
    assert.deepEqual([...profiles.keys()], ["a", "profile b"]);
  });

  await t.step(
    "config: profile sections split shell-style, and default",
    () => {
      const profiles = readProfiles(
        parseIni(
          [
            "[profile  two]",
            "k = 2",
            '[profile "a b"]',
            "k = ab",
            "[profile\ttab]",
            "[profile a b]",
            "[profile 'unclosed]",
            "[profile]",
            "[sso-session s]",
            "[services x]",
            "[plain]",
            "[default]",
            "k = d1",
            "[profile default]",
            "k = d2",
          ].join("\n"),
        ),
        "config",
      );
      assert.deepEqual(Object.fromEntries(profiles), {
        two: { k: "2" },
        "a b": { k: "ab" },
        tab: {},
        default: { k: "d2" },
      });
    },
  );

  await t.step(
    "config: the later of [default] and [profile default] wins",
    () => {
      const profiles = readProfiles(
        parseIni("[profile default]\nk = 1\n[default]\nk = 2\n"),
        "config",
      );
      assert.deepEqual(profiles.get("default"), { k: "2" });
    },
  );

  await t.step("throws like readSections", () => {
    iniError(
      () => readProfiles(parseIni("[a]\n[a]\n"), "config"),
      2,
      /repeats/,
    );
  });
});

Deno.test("setKeys", async (t) => {
  await t.step(
    "replaces values in place, keeping spelling, spacing and endings",
    () => {
      const before =
        "[other]\r\naws_session_token = keep\r\n[mfa]\r\n\taws_session_token\t=  old value \r\naws_access_key_id=OLD\r\n# tail\r\n";
      assert.equal(
        edit(before, "mfa", {
          aws_session_token: TOKEN,
          aws_access_key_id: "ASIAX",
        }),
        `[other]\r\naws_session_token = keep\r\n[mfa]\r\n\taws_session_token\t=  ${TOKEN}\r\naws_access_key_id=ASIAX\r\n# tail\r\n`,
      );
    },
  );

  await t.step("an empty old value gets one space before the new one", () => {
    assert.equal(
      edit("[mfa]\nregion =\n", "mfa", { region: "x" }),
      "[mfa]\nregion = x\n",
    );
  });

  await t.step(
    "appends missing keys after the last key line and its block",
    () => {
      const before = [
        "[mfa]",
        "region = eu-west-1",
        "s3 =",
        "  addressing_style = path",
        "",
        "# comment about the next profile",
        "[next]",
        "k = v",
        "",
      ].join("\n");
      assert.equal(
        edit(before, "mfa", { region: "us-east-1", aws_session_token: TOKEN }),
        [
          "[mfa]",
          "region = us-east-1",
          "s3 =",
          "  addressing_style = path",
          `aws_session_token = ${TOKEN}`,
          "",
          "# comment about the next profile",
          "[next]",
          "k = v",
          "",
        ].join("\n"),
      );
    },
  );

  await t.step(
    "a section without keys gets them right after its header",
    () => {
      assert.equal(
        edit("[mfa]\n\n[b]\n", "mfa", { region: "r" }),
        "[mfa]\nregion = r\n\n[b]\n",
      );
    },
  );

  await t.step(
    "adds a missing section at the end after one empty line of its own",
    () => {
      const added = "\n[mfa]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\n";
      assert.equal(
        edit("[a]\nk = v\n", "mfa", {
          aws_access_key_id: FOUR.aws_access_key_id,
        }),
        "[a]\nk = v\n" + added,
      );
      assert.equal(
        edit("", "mfa", { aws_access_key_id: FOUR.aws_access_key_id }),
        added.slice(1),
      );
      assert.equal(
        edit("[a]\nk = v\n\n", "mfa", {
          aws_access_key_id: FOUR.aws_access_key_id,
        }),
        "[a]\nk = v\n\n" + added,
      );
      assert.equal(
        edit("\n", "mfa", { aws_access_key_id: FOUR.aws_access_key_id }),
        "\n" + added,
      );
      assert.equal(
        edit("[a]\r\n", "profile mfa", {}),
        "[a]\r\n\r\n[profile mfa]\r\n",
      );
    },
  );

  await t.step("a file without a final newline keeps ending that way", () => {
    assert.equal(
      edit("[a]\nk = v", "mfa", { region: "r" }),
      "[a]\nk = v\n\n[mfa]\nregion = r",
    );
    assert.equal(
      edit("[mfa]\nk = v", "mfa", { region: "r" }),
      "[mfa]\nk = v\nregion = r",
    );
    assert.equal(
      edit("[mfa]\nregion = a", "mfa", { region: "b" }),
      "[mfa]\nregion = b",
    );
  });

  await t.step("removes keys, whatever their case", () => {
    assert.equal(
      edit(
        "[mfa]\nAWS_SESSION_TOKEN = t\nregion = r\nx_security_token_expires = e\n",
        "mfa",
        {},
        [
          "aws_session_token",
          "x_security_token_expires",
          "absent",
        ],
      ),
      "[mfa]\nregion = r\n",
    );
  });

  await t.step("the four awsmfa values are always writable", () => {
    const out = edit("[default]\nregion = us-east-1\n", "mfa", {
      ...FOUR,
      x_security_token_expires: "2026-01-02T03:04:05+01:00",
      mfa_serial: "arn:aws-us-gov:iam::123456789012:mfa/alice@example.com",
    });
    assert.deepEqual(sections(out).mfa, {
      ...FOUR,
      x_security_token_expires: "2026-01-02T03:04:05+01:00",
      mfa_serial: "arn:aws-us-gov:iam::123456789012:mfa/alice@example.com",
    });
    assert.ok(!out.includes('"'));
  });

  await t.step("a document is never changed in place", () => {
    const doc = parseIni("[mfa]\nregion = a\n");
    const copy = structuredClone(doc);
    setKeys(doc, "mfa", { region: "b" });
    assert.deepEqual(doc, copy);
  });

  await t.step(
    "refuses values both parsers would not read alike, without echoing them",
    () => {
      for (
        const [value, reason] of [
          ["a\nb", /line break/],
          ["a\rb", /line break/],
          ["", /empty/],
          [" secret", /space/],
          ["secret\t", /space/],
          ["secret\u00a0", /space/],
          ["\u001csecret", /space/],
          ["secret\uFEFF", /space/],
          ["secret #x", /comment/],
          ["secret\t;x", /comment/],
          ["#secret", /comment/],
        ] as const
      ) {
        const error = iniError(
          () =>
            setKeys(parseIni("[mfa]\n"), "mfa", { aws_session_token: value }),
          0,
          reason,
        );
        assert.ok(!error.message.includes("secret"), error.message);
        assert.match(
          error.message,
          /^Cannot write aws_session_token in \[mfa\]: /,
        );
      }
    },
  );

  await t.step("refuses keys it does not own the shape of", () => {
    for (const key of ["Region", "a-b", "", "a b", "a=b"]) {
      iniError(
        () => setKeys(parseIni(""), "mfa", { [key]: "v" }),
        0,
        /lower-case keys/,
      );
    }
    iniError(
      () => setKeys(parseIni(""), "mfa", {}, ["A"]),
      0,
      /lower-case keys/,
    );
    iniError(
      () => setKeys(parseIni(""), "mfa", { k: "v" }, ["k"]),
      0,
      /both write and remove/,
    );
  });

  await t.step("refuses [DEFAULT] and unreadable documents", () => {
    iniError(() => setKeys(parseIni(""), "DEFAULT", { k: "v" }), 0, /DEFAULT/);
    iniError(
      () => setKeys(parseIni("[mfa]\n[mfa]\n"), "mfa", { k: "v" }),
      2,
      /repeats/,
    );
    iniError(
      () => setKeys(parseIni("\uFEFF[mfa]\n"), "mfa", { k: "v" }),
      1,
      /byte order mark/,
    );
    iniError(
      () => setKeys(parseIni("[a]\njunk\n"), "mfa", { k: "v" }),
      2,
      /has no =/,
    );
  });

  await t.step(
    "spells a key it writes in lower case, keeping every other byte",
    () => {
      // botocore reads AWS_ACCESS_KEY_ID as aws_access_key_id, the JS SDK does
      // not; awsmfa owns these keys of its target, so it writes them its way.
      assert.equal(
        edit(
          "[mfa]\r\n  AWS_ACCESS_KEY_ID\t=  ASIAOLD\r\n# note\r\nAws_Session_Token=t\r\nRegion = r\r\n",
          "mfa",
          { aws_access_key_id: "ASIANEW", aws_session_token: "n" },
        ),
        "[mfa]\r\n  aws_access_key_id\t=  ASIANEW\r\n# note\r\naws_session_token=n\r\nRegion = r\r\n",
      );
    },
  );

  await t.step("refuses key lines the JS SDK would not read as the key", () => {
    iniError(
      () =>
        setKeys(parseIni("[mfa]\n\naws_session_token: t\n"), "mfa", {
          aws_session_token: "n",
        }),
      3,
      /uses ":"/,
    );
  });

  await t.step("refuses keys whose value continues on the next lines", () => {
    iniError(
      () =>
        setKeys(parseIni("[mfa]\naws_session_token = a\n  b\n"), "mfa", {
          aws_session_token: "n",
        }),
      2,
      /continues/,
    );
    iniError(
      () =>
        setKeys(
          parseIni("[mfa]\naws_session_token =\n\n  a = b\n"),
          "mfa",
          {},
          ["aws_session_token"],
        ),
      2,
      /continues/,
    );
  });

  await t.step("refuses to add lines to a file with bare CR endings", () => {
    iniError(
      () => setKeys(parseIni("[mfa]\rk = v\r"), "mfa", { region: "r" }),
      0,
      /bare CR/,
    );
    // Replacing a value adds no line: botocore and the JS SDK agree... not on
    // this file at all, so the JS check refuses it too.
    iniError(
      () => setKeys(parseIni("[mfa]\rregion = a\r"), "mfa", { region: "b" }),
      0,
      /JS SDK/,
    );
  });

  await t.step(
    "refuses when the JS SDK would read another section there",
    () => {
      // The JS SDK reads both headers as profile.x; the later one wins there.
      const doc = parseIni(
        '[profile x]\nregion = a\n[profile "x"]\nregion = b\n',
      );
      iniError(
        () => setKeys(doc, "profile x", { region: "c" }),
        0,
        /JS SDK would not read/,
      );
      assert.doesNotThrow(() => setKeys(doc, "profile x", { output: "json" }));
      iniError(() => setKeys(parseIni(""), "foo bar", { k: "v" }), 0, /JS SDK/);
      iniError(
        () => setKeys(parseIni(""), "constructor", { k: "v" }),
        0,
        /JS SDK/,
      );
      // The JS SDK reads a file with such a section as empty.
      for (
        const header of [
          "[__proto__]",
          "[profile __proto__]",
          " [__proto__] # x",
        ]
      ) {
        iniError(
          () => setKeys(parseIni(`[a]\nk = v\n${header}\n`), "mfa", { k: "v" }),
          3,
          /line 3 is a \[(profile )?__proto__\] section, so the JS SDK cannot read this file at all/,
        );
      }
    },
  );

  await t.step(
    "refuses when botocore would read the result differently",
    () => {
      // An indented header right after [mfa] is a header; after a new key line
      // it would continue that key's value.
      const doc = parseIni("[mfa]\n  [next]\nk = v\n");
      assert.deepEqual(Object.fromEntries(readSections(doc)), {
        mfa: {},
        next: { k: "v" },
      });
      iniError(
        () => setKeys(doc, "mfa", { region: "r" }),
        0,
        /AWS CLI would not read/,
      );
    },
  );
});

Deno.test("removeSection", async (t) => {
  await t.step("undoes a section that setKeys added", () => {
    for (
      const text of [
        "[a]\nk = v\n",
        "[a]\r\nk = v",
        "",
        "# c\n",
      ]
    ) {
      const doc = parseIni(text);
      const added = setKeys(doc, "mfa", FOUR);
      assert.equal(
        serializeIni(removeSection(added, "mfa")),
        text,
        JSON.stringify(text),
      );
    }
  });

  await t.step("a file that ended with empty lines keeps them", () => {
    for (const text of ["[a]\n\n", "[a]\r\n\r\n\r\n", "\n", "[a]\n  \n"]) {
      const added = setKeys(parseIni(text), "mfa", FOUR);
      assert.equal(serializeIni(removeSection(added, "mfa")), text);
    }
  });

  await t.step(
    "removes a middle section up to the next header, nothing else",
    () => {
      const text = "[a]\nk = 1\n\n[mfa]\nk = 2\n  more\n# c\n\n[b]\nk = 3\n";
      assert.equal(
        serializeIni(removeSection(parseIni(text), "mfa")),
        "[a]\nk = 1\n\n[b]\nk = 3\n",
      );
    },
  );

  await t.step("an absent section leaves the document as it is", () => {
    const text = "\uFEFF[a]\r\nk = 1";
    assert.equal(serializeIni(removeSection(parseIni(text), "mfa")), text);
  });

  await t.step("matches the exact name", () => {
    const text = "[mfa]\nk = 1\n[ mfa ]\nk = 2\n";
    assert.equal(
      serializeIni(removeSection(parseIni(text), " mfa ")),
      "[mfa]\nk = 1\n",
    );
  });
});

Deno.test("serializeIni of an edit, and of an edit of an edit, is the text of its lines", () => {
  const joined = (doc: ReturnType<typeof parseIni>) =>
    doc.bom + doc.lines.map((line) => line.text + line.eol).join("");
  for (
    const text of [
      "",
      "[a]\nx = 1",
      "[a]\r\nx = 1\r\n\r\n[mfa]\r\nx = 2\r\n[b]\r\ny = 3\r\n",
      "# top\n[mfa]\naws_session_token = old\n\n[z]\nk = v\n",
      "[a]\nx = 1\n[mfa]\n  indented = 1\n[c]\n",
    ]
  ) {
    const once = setKeys(parseIni(text), "mfa", { aws_session_token: "t1" });
    assert.equal(serializeIni(once), joined(once), JSON.stringify(text));
    const twice = setKeys(once, "mfa", { aws_session_token: "t2" }, []);
    assert.equal(serializeIni(twice), joined(twice), JSON.stringify(text));
    const third = setKeys(twice, "other", { k: "v" });
    assert.equal(serializeIni(third), joined(third), JSON.stringify(text));
    assert.deepEqual(third, parseIni(serializeIni(third)));
  }
});
