/**
 * Write then clear, through the command line (lib/run.ts in-process, real
 * files, an injected STS answer), for every text of
 * tests/fixtures/suite_texts.ts in every layout: as the config file, as the
 * credentials file, as both (the source profile beside it in either file),
 * as written, as a CRLF copy and as a BOM copy, with the default target and
 * with every profile of the text as the target.
 *
 * Each run either refuses (exit 3, one sentence, both files byte-identical)
 * or writes a session that botocore and the JS SDK (the real ones) read the
 * same; `awsmfa clear` then gives back every byte it took: both files are
 * byte-identical to before the write unless the target already held keys
 * awsmfa writes (which the write replaced).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readProfiles } from "../../lib/aws_files/botocore.ts";
import { parseIni } from "../../lib/aws_files/document.ts";
import { run, type RunIO } from "../../lib/run.ts";
import { MANAGED_KEYS } from "../../lib/aws_files/session.ts";
import { SUITE_TEXTS } from "../fixtures/suite_texts.ts";
import {
  botocoreProblem,
  type BotocoreView,
  botocoreViews,
  jsSdkView,
  requireBotocore,
  skipCrossCheck,
} from "../support/parsers.ts";

const SERIAL = "arn:aws:iam::123456789012:mfa/suite";
const SOURCE = "awsmfa-suite-src";
const SESSION = {
  accessKeyId: "ASIASUITESESSION0001",
  secretAccessKey: "suiteSessionSecret/0123456789abcdefghij",
  sessionToken: "FwoGZXIvYXdzSUITETOKEN//////////wEaDSUITE==",
  expiration: new Date("2026-12-01T23:00:00Z"),
};
const NOW = new Date("2026-12-01T11:00:00Z");
const SOURCE_CREDENTIALS =
  `[${SOURCE}]\naws_access_key_id = AKIASUITESOURCE00001\n` +
  "aws_secret_access_key = suiteSourceSecret/abcdefghijklmnopqrstu\n";
const SOURCE_CONFIG =
  `[profile ${SOURCE}]\naws_access_key_id = AKIASUITESOURCE00001\n` +
  "aws_secret_access_key = suiteSourceSecret/abcdefghijklmnopqrstu\n";

/** The two files before the write. */
interface Layout {
  name: string;
  credentials: string;
  config: string;
  /** Which file holds the text (whose profiles are tried as targets). */
  text: "credentials" | "config" | "both";
}

function layouts(text: string): Layout[] {
  const copies = [
    ["lf", text],
    ["crlf", text.replace(/\r?\n/g, "\r\n")],
    ["bom", "\uFEFF" + text],
  ];
  const result: Layout[] = [];
  for (const [copy, body] of copies) {
    if (copy === "crlf" && body === text) continue;
    result.push(
      {
        name: `${copy} as config`,
        credentials: SOURCE_CREDENTIALS,
        config: body,
        text: "config",
      },
      {
        name: `${copy} as credentials`,
        credentials: body,
        config: SOURCE_CONFIG,
        text: "credentials",
      },
      {
        name: `${copy} as both, source in credentials`,
        credentials: body + "\n" + SOURCE_CREDENTIALS,
        config: body,
        text: "both",
      },
      {
        name: `${copy} as both, source in config`,
        credentials: body,
        config: SOURCE_CONFIG + "\n" + body,
        text: "both",
      },
    );
  }
  return result;
}

/** The default target, then every profile of the text (botocore's names). */
function targets(layout: Layout, text: string): string[] {
  const names = new Set(["mfa"]);
  const add = (file: "credentials" | "config") => {
    try {
      for (const name of readProfiles(parseIni(text), file).keys()) {
        if (name !== SOURCE) names.add(name);
      }
    } catch {
      // botocore cannot read it: only the default target is tried.
    }
  };
  if (layout.text !== "config") add("credentials");
  if (layout.text !== "credentials") add("config");
  return [...names];
}

function io(home: string, err: string[]): RunIO {
  return {
    env: (name) =>
      ({
        HOME: home,
        AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
        AWS_CONFIG_FILE: join(home, "config"),
      })[name],
    stdin: new ReadableStream({ start: (c) => c.close() }),
    stdinIsTerminal: false,
    writePrompt: () => {},
    readPromptLine: () => Promise.resolve(null),
    stderr: (text) => err.push(text),
    stdout: () => {},
    now: () => NOW,
    getSession: () => Promise.resolve(SESSION),
  } as RunIO;
}

/** One write that succeeded, for the botocore check at the end. */
interface Written {
  label: string;
  target: string;
  credentials: string;
  config: string;
  /** Whether the write added the config section. */
  addedConfig: boolean;
  /** Whether the credentials section was there before. */
  existed: boolean;
}

interface Outcome {
  /** What went wrong, one line per run. */
  failures: string[];
  runs: number;
  refused: number;
  identical: number;
  written: Written[];
}

/** Whether a credentials section held any key awsmfa writes, in any case. */
function heldManaged(text: string, target: string): boolean {
  try {
    const keys = readProfiles(parseIni(text), "credentials").get(target);
    return Object.keys(keys ?? {}).some((key) => MANAGED_KEYS.includes(key));
  } catch {
    return false;
  }
}

async function runAll(): Promise<Outcome> {
  const outcome: Outcome = {
    failures: [],
    runs: 0,
    refused: 0,
    identical: 0,
    written: [],
  };
  const home = await Deno.makeTempDir({ prefix: "awsmfa-suite-" });
  try {
    for (const [name, text] of Object.entries(SUITE_TEXTS)) {
      for (const layout of layouts(text)) {
        for (const target of targets(layout, text)) {
          try {
            await oneRun(home, name, layout, target, outcome);
          } catch (error) {
            if (!(error instanceof assert.AssertionError)) throw error;
            outcome.failures.push(
              error.message.split("\n").slice(0, 3).join(" | "),
            );
          }
        }
      }
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  return outcome;
}

async function oneRun(
  home: string,
  name: string,
  layout: Layout,
  target: string,
  outcome: Outcome,
): Promise<void> {
  const label = `${name} ${layout.name} -> ${target}`;
  const credentialsPath = join(home, "credentials");
  const configPath = join(home, "config");
  await Deno.remove(join(home, ".aws"), { recursive: true }).catch(() => {});
  await Deno.writeTextFile(credentialsPath, layout.credentials);
  await Deno.writeTextFile(configPath, layout.config);
  const read = async () => [
    await Deno.readTextFile(credentialsPath),
    await Deno.readTextFile(configPath),
  ];
  outcome.runs++;
  const err: string[] = [];
  const args = [
    "--profile",
    SOURCE,
    "--serial-number",
    SERIAL,
    "--mfa-profile-name",
    target,
    "--quiet",
    "123456",
  ];
  const code = await run(args, io(home, err));
  const [credentials, config] = await read();
  if (code !== 0) {
    outcome.refused++;
    assert.ok(code === 2 || code === 3, `${label}: ${code} ${err.join("")}`);
    assert.deepEqual(
      [credentials, config],
      [layout.credentials, layout.config],
      `${label}: a refused write changed a file`,
    );
    const message = err.join("");
    // One sentence (a usage error adds where to find the usage).
    assert.match(
      message,
      code === 2
        ? /^awsmfa: [^\n]+\nRun "awsmfa --help" for usage\.\n$/
        : /^awsmfa: [^\n]+\n$/,
      label,
    );
    assert.ok(!message.includes(SESSION.secretAccessKey), label);
    return;
  }
  const before = parseIni(layout.config);
  let hadConfig = true;
  try {
    hadConfig = readProfiles(before, "config").has(target);
  } catch {
    // unreadable config files are refused above
  }
  const existed = layout.credentials.length > 0 &&
    readProfiles(parseIni(layout.credentials), "credentials").has(target);
  outcome.written.push({
    label,
    target,
    credentials,
    config,
    addedConfig: !hadConfig,
    existed,
  });
  const clearErr: string[] = [];
  const cleared = await run(["clear", target], io(home, clearErr));
  assert.equal(cleared, 0, `${label}: clear: ${clearErr.join("")}`);
  const [credentialsAfter, configAfter] = await read();
  if (heldManaged(layout.credentials, target)) {
    // The write replaced keys that were there; the rest must be back.
    assert.equal(configAfter, layout.config, `${label}: config after clear`);
    return;
  }
  assert.equal(
    credentialsAfter,
    layout.credentials,
    `${label}: credentials after clear`,
  );
  assert.equal(configAfter, layout.config, `${label}: config after clear`);
  outcome.identical++;
}

const outcome = await runAll();

Deno.test("write then clear gives back every byte, in every layout of every suite text", () => {
  assert.deepEqual(outcome.failures, [], outcome.failures.join("\n"));
  // Each text is run in at least 8 layouts (the BOM copies are refused);
  // on average more than 8 runs per text end byte-identical.
  const texts = Object.keys(SUITE_TEXTS).length;
  assert.ok(outcome.runs >= 8 * texts, `${outcome.runs} runs`);
  assert.ok(
    outcome.identical >= 8 * texts,
    `${outcome.identical} of ${outcome.runs} byte-identical`,
  );
});

const problem = await botocoreProblem();

Deno.test({
  name: "botocore and the JS SDK read every written session the same",
  ignore: skipCrossCheck(problem, "tests/clear_corpus_test.ts"),
  fn: async () => {
    requireBotocore(problem);
    const dir = await Deno.makeTempDir({ prefix: "awsmfa-suite-views-" });
    try {
      const paths: string[] = [];
      for (const [i, written] of outcome.written.entries()) {
        paths.push(join(dir, `${i}.credentials`), join(dir, `${i}.config`));
        await Deno.writeTextFile(paths[2 * i], written.credentials);
        await Deno.writeTextFile(paths[2 * i + 1], written.config);
      }
      const views = await botocoreViews(paths);
      const failures: string[] = [];
      for (const [i, written] of outcome.written.entries()) {
        try {
          await assertSameReading(
            written,
            views[2 * i],
            views[2 * i + 1],
            paths[2 * i],
            paths[2 * i + 1],
          );
        } catch (error) {
          if (!(error instanceof assert.AssertionError)) throw error;
          failures.push(error.message.split("\n").slice(0, 3).join(" | "));
        }
      }
      assert.ok(outcome.written.length > 0);
      assert.deepEqual(failures, [], failures.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function assertSameReading(
  written: Written,
  credentials: BotocoreView,
  config: BotocoreView,
  credentialsPath: string,
  configPath: string,
): Promise<void> {
  const { label, target } = written;
  assert.ok(credentials.ok, `${label}: botocore cannot read the credentials`);
  assert.ok(config.ok, `${label}: botocore cannot read the config`);
  const js = (await jsSdkView(credentialsPath)).credentials;
  const jsConfig = (await jsSdkView(configPath)).config;
  const boto = credentials.sections[target];
  const wrote = {
    aws_access_key_id: SESSION.accessKeyId,
    aws_secret_access_key: SESSION.secretAccessKey,
    aws_session_token: SESSION.sessionToken,
  };
  for (const [key, value] of Object.entries(wrote)) {
    assert.equal(boto?.[key], value, `${label}: botocore ${key}`);
    assert.equal(js[target]?.[key], value, `${label}: JS SDK ${key}`);
  }
  if (!written.existed) {
    // The JS SDK lists no section without keys.
    assert.deepEqual(
      boto,
      js[target] ?? {},
      `${label}: the new credentials section`,
    );
  }
  if (written.addedConfig) {
    assert.deepEqual(
      config.profiles[target],
      jsConfig[target] ?? {},
      `${label}: the new config section`,
    );
  }
}

/** Write to `target`, then clear it; the files after each step and stderr. */
async function writeThenClear(
  files: { credentials: string; config: string },
  target: string,
): Promise<
  { written: string[]; cleared: string[]; err: string; code: number }
> {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-suite-item-" });
  try {
    const credentialsPath = join(home, "credentials");
    const configPath = join(home, "config");
    await Deno.writeTextFile(credentialsPath, files.credentials);
    await Deno.writeTextFile(configPath, files.config);
    const read = async () => [
      await Deno.readTextFile(credentialsPath),
      await Deno.readTextFile(configPath),
    ];
    const err: string[] = [];
    const args = ["--profile", SOURCE, "--serial-number", SERIAL];
    const code = await run(
      [...args, "--mfa-profile-name", target, "123456"],
      io(home, err),
    );
    const written = await read();
    if (code !== 0) {
      return { written, cleared: written, err: err.join(""), code };
    }
    err.length = 0;
    assert.equal(await run(["clear", target], io(home, err)), 0, err.join(""));
    return { written, cleared: await read(), err: err.join(""), code };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("clear keeps a config section that was there before the write (aws-vault's empty [profile root])", async () => {
  const config = "[profile root]\n\n[profile foo]\nsource_profile = root\n" +
    "role_arn = arn:aws:iam::123456789012:role/foo\n";
  const { written, cleared, err } = await writeThenClear(
    { credentials: SOURCE_CREDENTIALS, config },
    "root",
  );
  assert.equal(written[1], config);
  assert.match(written[0], /\[root\]\n(.+\n)*awsmfa_added = credentials\n/);
  assert.deepEqual(cleared, [SOURCE_CREDENTIALS, config]);
  assert.match(
    err,
    /Kept \[profile root\] in .*: it was there before awsmfa wrote the profile\./,
  );
});

Deno.test("[DEFAULT]: a write the JS SDK would read differently is refused; clear sees a section's own keys", async (t) => {
  await t.step("a new section that would inherit [DEFAULT] keys", async () => {
    const config = "[DEFAULT]\nregion = us-east-1\n";
    const { code, written, err } = await writeThenClear(
      { credentials: SOURCE_CREDENTIALS, config },
      "mfa",
    );
    assert.equal(code, 3);
    assert.deepEqual(written, [SOURCE_CREDENTIALS, config]);
    assert.match(
      err,
      /^awsmfa: Cannot write \[profile mfa\]: the \[DEFAULT\] section gives it region for the AWS CLI but not for the JS SDK, which has no \[DEFAULT\]; move it into the profiles that use it\.\n$/,
    );
  });
  await t.step("[DEFAULT] keys awsmfa writes itself are fine", async () => {
    const credentials =
      "[DEFAULT]\naws_access_key_id = AKIADEFAULTEXAMPLE00\n\n" +
      SOURCE_CREDENTIALS;
    const { code, cleared } = await writeThenClear(
      { credentials, config: "" },
      "mfa",
    );
    assert.equal(code, 0);
    assert.deepEqual(cleared, [credentials, ""]);
  });
  await t.step(
    "clear after a [DEFAULT] appeared takes the whole section",
    async () => {
      const { written } = await writeThenClear(
        { credentials: SOURCE_CREDENTIALS, config: "" },
        "mfa",
      );
      // Written before; the user adds [DEFAULT] afterwards.
      const home = await Deno.makeTempDir({ prefix: "awsmfa-suite-item-" });
      try {
        const defaults = "[DEFAULT]\nregion = us-east-1\n";
        await Deno.writeTextFile(
          join(home, "credentials"),
          defaults + written[0],
        );
        await Deno.writeTextFile(join(home, "config"), defaults + written[1]);
        const err: string[] = [];
        assert.equal(await run(["clear"], io(home, err)), 0, err.join(""));
        assert.deepEqual(
          [
            await Deno.readTextFile(join(home, "credentials")),
            await Deno.readTextFile(join(home, "config")),
          ],
          [defaults + SOURCE_CREDENTIALS, defaults],
        );
      } finally {
        await Deno.remove(home, { recursive: true });
      }
    },
  );
});

Deno.test("write then clear keeps a file's final empty lines", async () => {
  for (
    const text of [
      "[work]\nregion = us-west-2\n\n",
      "[work]\r\nregion = us-west-2\r\n\r\n\r\n",
      "\n",
      "# only a comment\n\n",
    ]
  ) {
    const { code, cleared } = await writeThenClear(
      { credentials: SOURCE_CREDENTIALS + text, config: text },
      "mfa",
    );
    assert.equal(code, 0);
    assert.deepEqual(cleared, [SOURCE_CREDENTIALS + text, text]);
  }
});

Deno.test("upper-case keys awsmfa writes are spelt its way in the existing target, every other byte kept", async () => {
  const credentials = SOURCE_CREDENTIALS +
    "\n[mfa]\n# from another tool\nAWS_ACCESS_KEY_ID = ASIAOTHERTOOLUPPER00\n" +
    "AWS_SECRET_ACCESS_KEY=upper/secret\nAWS_SESSION_TOKEN  =  uppertoken==\n" +
    "region = eu-west-1\n";
  const { code, written, cleared, err } = await writeThenClear(
    { credentials, config: "" },
    "mfa",
  );
  assert.equal(code, 0, err);
  const mfa = written[0].slice(written[0].indexOf("[mfa]"));
  assert.equal(
    mfa,
    "[mfa]\n# from another tool\n" +
      `aws_access_key_id = ${SESSION.accessKeyId}\n` +
      `aws_secret_access_key=${SESSION.secretAccessKey}\n` +
      `aws_session_token  =  ${SESSION.sessionToken}\n` +
      "region = eu-west-1\n" +
      "x_security_token_expires = 2026-12-01T23:00:00Z\n" +
      `awsmfa_source_profile = ${SOURCE}\nawsmfa_serial = ${SERIAL}\n` +
      "awsmfa_added = config\n",
  );
  // clear takes awsmfa's keys (the replaced ones too) and its config section.
  assert.deepEqual(cleared, [
    SOURCE_CREDENTIALS + "\n[mfa]\n# from another tool\nregion = eu-west-1\n",
    "",
  ]);
});

Deno.test("[default] follows the one rule in both files: clear takes back what awsmfa added", async (t) => {
  await t.step("sections awsmfa created go whole, in both files", async () => {
    const { code, written, cleared, err } = await writeThenClear(
      { credentials: SOURCE_CREDENTIALS, config: "" },
      "default",
    );
    assert.equal(code, 0);
    assert.match(written[0], /\n\[default\]\n/);
    assert.equal(written[1], "[default]\n");
    assert.deepEqual(cleared, [SOURCE_CREDENTIALS, ""]);
    assert.match(
      err,
      /Removed profile "default" from .* and \[default\] from /,
    );
  });
  await t.step(
    "a [default] that was there keeps its header and the rest",
    async () => {
      // Another tool's session in [default]: awsmfa replaces it, and clear
      // takes awsmfa's keys but not the section it did not create.
      const credentials = SOURCE_CREDENTIALS +
        "\n[default]\naws_access_key_id = ASIAOTHERTOOLEXAMPLE\n" +
        "aws_secret_access_key = othersecret\naws_session_token = othertoken\n";
      const config = "[default]\nregion = us-west-2\n";
      const { code, cleared, err } = await writeThenClear(
        { credentials, config },
        "default",
      );
      assert.equal(code, 0);
      assert.deepEqual(cleared, [
        SOURCE_CREDENTIALS + "\n[default]\n",
        config,
      ]);
      assert.match(
        err,
        /kept what awsmfa did not write \(the section, which was there before awsmfa wrote to it\)\. Kept \[default\] in .*: it was there before awsmfa wrote the profile\.\n/,
      );
      assert.doesNotMatch(err, /never removes/);
    },
  );
});

Deno.test("a [__proto__] section is refused: the JS SDK cannot read the file at all", async () => {
  for (const header of ["[__proto__]", "[profile __proto__]"]) {
    const config = `${header}\nfoo = bar\n\n[profile ok]\nregion = us-east-1\n`;
    const { code, written, err } = await writeThenClear(
      { credentials: SOURCE_CREDENTIALS, config },
      "mfa",
    );
    assert.equal(code, 3);
    assert.deepEqual(written, [SOURCE_CREDENTIALS, config]);
    assert.equal(
      err,
      `awsmfa: Cannot write [profile mfa]: line 1 is a ${header} section, so the JS SDK cannot read this file at all; rename or remove that section first.\n`,
    );
  }
});

Deno.test("a refresh keeps the record, so clear after it still gives back every byte", async () => {
  const home = await Deno.makeTempDir({ prefix: "awsmfa-suite-item-" });
  try {
    const credentials = SOURCE_CREDENTIALS + "\n";
    const config = "[profile root]\n";
    await Deno.writeTextFile(join(home, "credentials"), credentials);
    await Deno.writeTextFile(join(home, "config"), config);
    const args = ["--profile", SOURCE, "--serial-number", SERIAL, "--quiet"];
    for (const target of ["mfa", "root"]) {
      for (const extra of [[], ["--force"]]) {
        const err: string[] = [];
        const code = await run(
          [...args, ...extra, "--mfa-profile-name", target, "123456"],
          io(home, err),
        );
        assert.equal(code, 0, err.join(""));
      }
    }
    const written = await Deno.readTextFile(join(home, "credentials"));
    assert.match(
      written,
      /\[mfa\]\n(.+\n)*awsmfa_added = credentials config\n/,
    );
    assert.match(written, /\[root\]\n(.+\n)*awsmfa_added = credentials\n/);
    const err: string[] = [];
    assert.equal(await run(["clear", "--all"], io(home, err)), 0);
    assert.equal(
      await Deno.readTextFile(join(home, "credentials")),
      credentials,
    );
    assert.equal(await Deno.readTextFile(join(home, "config")), config);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
