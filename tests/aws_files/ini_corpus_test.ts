/**
 * The fixture corpus of tests/fixtures/ini/ (plus a generated 1,000-profile
 * file): round trip, the four awsmfa keys set in a new and in existing
 * sections changing only that section's key lines, and botocore and the JS
 * SDK (the real ones) reading exactly the intended change.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readProfiles, readSections } from "../../lib/aws_files/botocore.ts";
import { parseIni, serializeIni } from "../../lib/aws_files/document.ts";
import { setKeys } from "../../lib/aws_files/edit.ts";
import { IniError } from "../../lib/aws_files/ini_error.ts";
import {
  botocoreProblem,
  type BotocoreView,
  botocoreViews,
  type JsSdkView,
  jsSdkView,
  lineDiff,
  requireBotocore,
  sectionSpan,
  skipCrossCheck,
} from "../support/parsers.ts";
import { withTempDir } from "../support/temp.ts";

const FIXTURES = new URL("../fixtures/ini/", import.meta.url).pathname;

const FOUR = {
  aws_access_key_id: "ASIAZZZZZZZZEXAMPLE1",
  aws_secret_access_key: "Zm9vYmFy/K7MDENG/bPxRfiCYzNEWSECRETKEY+",
  aws_session_token:
    "FwoGZXIvYXdzEBYaDHqa0AP1/BG5XzL0sSKGAVtQn+Dq4CxZT0nWbGoP3hjwK3qYv6k5NEWTOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQD==",
  x_security_token_expires: "2030-12-31T23:59:59Z",
};
const FOUR_KEY_LINE =
  /^\s*(aws_access_key_id|aws_secret_access_key|aws_session_token|x_security_token_expires)\s*=/i;

/** Indentation, key, separator and spacing of a key line; the key. */
const KEY_PREFIX = /^(\s*([A-Za-z_]+)\s*[=:][ \t]*)/;

/** A section to set the four keys in, with the names the tools give it. */
interface Target {
  /** The section as botocore sees it. */
  section: string;
  /** The JS SDK's parseIni name for it. */
  js: string;
  /** For config files: the profile both tools resolve it to. */
  profile?: string;
  /** Set when setKeys must refuse: what the message says. */
  refused?: RegExp;
}

interface Fixture {
  file: "credentials" | "config";
  /** Existing sections to edit. */
  existing: Target[];
  /** Set when botocore cannot read the file at all. */
  unreadable?: RegExp;
  /** Set when setKeys must refuse every edit of the file. */
  refused?: RegExp;
  /** Set when setKeys must refuse to add a new section: what it says. */
  newRefused?: RegExp;
  /** The text, for generated fixtures. */
  text?: string;
}

/** A credentials-file section; `[default]` is also a profile in the config view. */
const cred = (section: string, refused?: RegExp): Target => ({
  section,
  js: section,
  profile: section === "default" ? section : undefined,
  refused,
});
const conf = (name: string, refused?: RegExp): Target =>
  name === "default"
    ? { section: "default", js: "default", profile: "default", refused }
    : {
      section: `profile ${name}`,
      js: `profile.${name}`,
      profile: name,
      refused,
    };

const CORPUS: Record<string, Fixture> = {
  credentials_basic: {
    file: "credentials",
    existing: [cred("mfa"), cred("work")],
  },
  credentials_crlf: { file: "credentials", existing: [cred("mfa")] },
  credentials_bom: {
    file: "credentials",
    existing: [cred("mfa")],
    unreadable: /byte order mark/,
  },
  credentials_no_final_newline: {
    file: "credentials",
    existing: [cred("work")],
  },
  credentials_comments_everywhere: {
    file: "credentials",
    existing: [cred("default"), cred("work")],
  },
  config_credential_process_hash: {
    file: "config",
    existing: [conf("op"), conf("vault")],
  },
  config_nested_s3: {
    file: "config",
    existing: [conf("default"), conf("big")],
  },
  config_services: { file: "config", existing: [conf("local"), conf("mfa")] },
  config_profile_default_both: {
    file: "config",
    existing: [
      conf("default", /both \[default\] and \[profile default\]/),
      conf("mfa"),
    ],
  },
  config_sso_session: { file: "config", existing: [conf("dev"), conf("mfa")] },
  config_names_dots: {
    file: "config",
    existing: [conf("dev.eu-west-1"), conf("prod.us-east-1.readonly")],
  },
  config_names_spaces_quoted: {
    file: "config",
    existing: [
      conf("plain"),
      {
        section: 'profile "my profile"',
        js: 'profile "my profile"',
        refused: /reads it as profile "my profile" but the JS SDK does not/,
      },
    ],
  },
  credentials_names_at: {
    file: "credentials",
    existing: [cred("alice@example.com"), cred("bob+ops@example.com")],
  },
  credentials_unicode: {
    file: "credentials",
    existing: [cred("café"), cred("日本-prod")],
  },
  credentials_default_upper: {
    file: "credentials",
    // botocore gives [DEFAULT]'s region to a new section, the JS SDK does not.
    newRefused: /\[DEFAULT\] section gives it region for the AWS CLI but not/,
    existing: [
      cred("work"),
      cred("default", /\[DEFAULT\] section gives it region/),
      cred("DEFAULT", /\[DEFAULT\]/),
    ],
  },
  credentials_tabs: {
    file: "credentials",
    existing: [cred("default"), cred("work")],
  },
  credentials_colon_separators: {
    file: "credentials",
    existing: [cred("default", /uses ":"/), cred("work")],
  },
  empty: { file: "credentials", existing: [] },
  only_comments: { file: "config", existing: [] },
  config_mixed_eol: {
    file: "config",
    existing: [conf("default"), conf("work")],
  },
  credentials_awsmfa_written: { file: "credentials", existing: [cred("mfa")] },
  config_bracket_spaces: {
    file: "config",
    existing: [
      conf("mfa"),
      { section: "profile\ttabbed", js: "profile.tabbed", profile: "tabbed" },
      {
        section: "profile  two-spaces",
        js: "profile  two-spaces",
        refused: /but the JS SDK does not/,
      },
      { section: " profile spaced ", js: " profile spaced " },
    ],
  },
  credentials_continuation: {
    file: "credentials",
    existing: [cred("default"), cred("work")],
  },
  config_empty_values: {
    file: "config",
    existing: [conf("default"), conf("work")],
  },
  credentials_whitespace_lines: {
    file: "credentials",
    existing: [cred("default"), cred("work")],
  },
  credentials_duplicate_section: {
    file: "credentials",
    existing: [cred("default")],
    unreadable: /line 8 repeats the section \[mfa\]/,
  },
  credentials_quoted_values: {
    file: "credentials",
    existing: [cred("default"), cred("work")],
  },
  config_long_values: { file: "config", existing: [conf("long")] },
  credentials_key_case: {
    file: "credentials",
    existing: [cred("default"), cred("work")],
  },
  config_indented_keys: {
    file: "config",
    existing: [conf("default"), conf("work")],
  },
  credentials_bare_cr: {
    file: "credentials",
    existing: [cred("mfa")],
    refused: /bare CR/,
  },
  config_awscli_generated: {
    file: "config",
    existing: [conf("work"), conf("mfa")],
  },
  generated_1000_profiles: {
    file: "credentials",
    existing: [cred("p0000"), cred("p0500"), cred("p0999")],
    text: thousandProfiles(),
  },
};

/** 1,000 profiles of long-term and session keys, with comments now and then. */
function thousandProfiles(): string {
  let text = "# generated: 1,000 profiles\n";
  for (let i = 0; i < 1000; i++) {
    const n = String(i).padStart(4, "0");
    if (i % 97 === 0) text += `# team ${i / 97}\n`;
    text += `[p${n}]\naws_access_key_id = AKIA${n}EXAMPLEKEY\n` +
      `aws_secret_access_key = secret/${n}/wJalrXUtnFEMIK7MDENG\n`;
    if (i % 3 === 0) text += `aws_session_token = token${n}==\n`;
    text += "\n";
  }
  return text;
}

function newTarget(file: "credentials" | "config"): Target {
  return file === "config" ? conf("awsmfa-new") : cred("awsmfa-new");
}

async function fixtureText(name: string): Promise<string> {
  const fixture = CORPUS[name];
  if (fixture.text !== undefined) return fixture.text;
  const bytes = await Deno.readFile(join(FIXTURES, `${name}.ini`));
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
    bytes,
  );
}

/** One successful edit, to be checked against the real parsers. */
interface Edit {
  name: string;
  target: Target;
  before: string;
  after: string;
}

/** Every successful edit of the corpus; refusals are checked on the way. */
async function corpusEdits(): Promise<Edit[]> {
  const edits: Edit[] = [];
  for (const [name, fixture] of Object.entries(CORPUS)) {
    const before = await fixtureText(name);
    const fresh = { ...newTarget(fixture.file), refused: fixture.newRefused };
    for (const target of [fresh, ...fixture.existing]) {
      const label = `${name} [${target.section}]`;
      const expected = fixture.unreadable ?? fixture.refused ?? target.refused;
      let after: string;
      try {
        after = serializeIni(setKeys(parseIni(before), target.section, FOUR));
      } catch (error) {
        assert.ok(expected, `${label}: ${error}`);
        assert.ok(error instanceof IniError, label);
        assert.match(error.message, expected, label);
        for (const value of Object.values(FOUR)) {
          assert.ok(!error.message.includes(value), `${label} leaks a value`);
        }
        continue;
      }
      assert.equal(expected, undefined, `${label}: setKeys did not refuse`);
      edits.push({ name, target, before, after });
    }
  }
  return edits;
}

/**
 * Assert that `after` is `before` with the four keys set in `target`: every
 * removed or added line lies in the target section (or is the blank line
 * before a new one) and is one of its header or its four key lines; the only
 * other change allowed is the old last line gaining the line ending it lacked.
 */
function assertOnlyTargetChanged(edit: Edit): void {
  const label = `${edit.name} [${edit.target.section}]`;
  const before = parseIni(edit.before);
  const after = parseIni(edit.after);
  const oldSpan = sectionSpan(before, edit.target.section);
  const newSpan = sectionSpan(after, edit.target.section)!;
  assert.ok(newSpan, label);
  const changes = lineDiff(before, after);
  assert.ok(changes.length > 0, `${label}: nothing changed`);
  const last = before.lines.length - 1;
  // A replaced key line keeps everything before its value and its ending.
  for (const removed of changes.filter((c) => c.op === "-")) {
    const prefix = KEY_PREFIX.exec(removed.line);
    if (!prefix) continue;
    const key = prefix[2].toLowerCase();
    const added = changes.find((c) =>
      c.op === "+" && KEY_PREFIX.exec(c.line)?.[2].toLowerCase() === key
    );
    assert.ok(added, `${label}: ${key} was removed, not replaced`);
    const eol = /\r?\n$|\r$/;
    // Only the key's case may change (the JS SDK reads lower case only).
    assert.equal(
      KEY_PREFIX.exec(added.line)![1],
      prefix[1].replace(prefix[2], key),
      `${label}: ${key} lost its spacing`,
    );
    if (removed.index !== last) {
      assert.equal(
        eol.exec(added.line)?.[0],
        eol.exec(removed.line)?.[0],
        label,
      );
    }
  }
  for (const change of changes) {
    const where = `${label}: ${change.op}${change.index + 1} ${
      JSON.stringify(change.line)
    }`;
    if (change.op === "-") {
      const inTarget = oldSpan !== null && change.index > oldSpan[0] &&
        change.index < oldSpan[1] && FOUR_KEY_LINE.test(change.line);
      if (!inTarget && change.index === last && before.lines[last].eol === "") {
        const gained = before.lines[last].text + after.eol;
        assert.ok(
          changes.some((c) => c.op === "+" && c.line === gained),
          where,
        );
        continue;
      }
      assert.ok(oldSpan, where);
      assert.ok(change.index > oldSpan[0] && change.index < oldSpan[1], where);
      assert.match(change.line, FOUR_KEY_LINE, where);
      continue;
    }
    if (change.index === last && before.lines[last]?.eol === "") {
      if (change.line === before.lines[last].text + after.eol) continue;
    }
    if (change.index === newSpan[0]) {
      assert.equal(oldSpan, null, where);
      assert.equal(
        change.line.replace(/\r?\n$/, ""),
        `[${edit.target.section}]`,
        where,
      );
      continue;
    }
    if (change.index === newSpan[0] - 1 && oldSpan === null) {
      assert.equal(change.line.trim(), "", where);
      continue;
    }
    assert.ok(change.index > newSpan[0] && change.index < newSpan[1], where);
    assert.match(change.line, FOUR_KEY_LINE, where);
  }
}

Deno.test("the corpus has at least 25 fixtures, each listed here", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(FIXTURES)) files.push(entry.name);
  const listed = Object.keys(CORPUS).filter((name) => !CORPUS[name].text);
  assert.deepEqual(files.sort(), listed.map((name) => `${name}.ini`).sort());
  assert.ok(files.length >= 25, `${files.length} fixtures`);
  for (const name of files) {
    const size = (await Deno.stat(join(FIXTURES, name))).size;
    assert.ok(size < 4096, `${name} is ${size} bytes`);
  }
});

Deno.test("every fixture round-trips byte for byte", async () => {
  for (const name of Object.keys(CORPUS)) {
    const text = await fixtureText(name);
    const bytes = new TextEncoder().encode(text);
    const again = new TextEncoder().encode(serializeIni(parseIni(text)));
    assert.deepEqual(again, bytes, name);
    if (!CORPUS[name].text) {
      assert.deepEqual(
        bytes,
        await Deno.readFile(join(FIXTURES, `${name}.ini`)),
        name,
      );
    }
  }
});

Deno.test("the four keys change only the target section's key lines", async () => {
  const edits = await corpusEdits();
  assert.ok(edits.length >= 60, `only ${edits.length} edits`);
  for (const edit of edits) {
    assertOnlyTargetChanged(edit);
    const old = readSections(parseIni(edit.before)).get(edit.target.section);
    const now = readSections(parseIni(edit.after)).get(edit.target.section);
    assert.ok(now, edit.name);
    for (const [key, value] of Object.entries(FOUR)) {
      assert.equal(now[key], value, `${edit.name} ${key}`);
    }
    // A new section may also inherit other keys from [DEFAULT].
    if (old) assert.deepEqual(now, { ...old, ...FOUR }, edit.name);
  }
});

const problem = await botocoreProblem();
const ignore = skipCrossCheck(problem, "tests/ini_corpus_test.ts");

Deno.test({
  name: "readSections and readProfiles agree with botocore on every fixture",
  ignore,
  fn: async () => {
    requireBotocore(problem);
    await withTempDir("ini_corpus_", async (dir) => {
      const names = Object.keys(CORPUS);
      const paths: string[] = [];
      for (const name of names) {
        const path = join(dir, name);
        await Deno.writeTextFile(path, await fixtureText(name));
        paths.push(path);
      }
      const views = await botocoreViews(paths);
      names.forEach((name, i) => {
        assertSameAsBotocore(name, views[i], paths[i]);
      });
      assert.equal(
        views.filter((view) => !view.ok).length,
        Object.values(CORPUS).filter((f) => f.unreadable).length,
      );
    });
  },
});

function assertSameAsBotocore(
  name: string,
  view: BotocoreView,
  path: string,
): void {
  const text = Deno.readTextFileSync(path);
  const doc = parseIni(text);
  if (!view.ok) {
    let caught: unknown;
    try {
      readSections(doc);
    } catch (error) {
      caught = error;
    }
    assert.ok(
      caught instanceof IniError,
      `${name}: botocore refuses, we did not`,
    );
    if (view.line !== null) assert.equal(caught.line, view.line, name);
    return;
  }
  assert.deepEqual(Object.fromEntries(readSections(doc)), view.sections, name);
  assert.deepEqual(
    Object.fromEntries(readProfiles(doc, "config")),
    view.profiles,
    name,
  );
}

Deno.test({
  name: "botocore and the JS SDK see exactly the intended change",
  ignore,
  fn: async () => {
    requireBotocore(problem);
    const edits = await corpusEdits();
    await withTempDir("ini_corpus_", async (dir) => {
      const paths: string[] = [];
      for (const [i, edit] of edits.entries()) {
        paths.push(join(dir, `${i}.before`), join(dir, `${i}.after`));
        await Deno.writeTextFile(paths[paths.length - 2], edit.before);
        await Deno.writeTextFile(paths[paths.length - 1], edit.after);
      }
      const views = await botocoreViews(paths);
      for (const [i, edit] of edits.entries()) {
        const label = `${edit.name} [${edit.target.section}]`;
        assertBotocoreChange(label, edit, views[2 * i], views[2 * i + 1]);
        assertJsChange(
          label,
          edit,
          await jsSdkView(paths[2 * i]),
          await jsSdkView(paths[2 * i + 1]),
        );
      }
    });
  },
});

type Sections = Record<string, Record<string, string>>;

/**
 * `before` with the four keys set in `name` (kept as is when name is unset);
 * the four spelt in another case are gone (written in lower case now).
 */
function withFour(before: Sections, name: string | undefined): Sections {
  if (name === undefined) return before;
  const kept = Object.entries(before[name] ?? {}).filter(([key]) =>
    !Object.hasOwn(FOUR, key.toLowerCase())
  );
  return { ...before, [name]: { ...Object.fromEntries(kept), ...FOUR } };
}

function assertBotocoreChange(
  label: string,
  edit: Edit,
  before: BotocoreView,
  after: BotocoreView,
): void {
  assert.ok(before.ok && after.ok, `${label}: botocore cannot read it`);
  const { section, profile } = edit.target;
  const expected = withFour(before.sections, section);
  // A new section also inherits [DEFAULT]; take those keys from botocore.
  if (!(section in before.sections)) {
    expected[section] = { ...after.sections[section], ...FOUR };
  }
  assert.deepEqual(after.sections, expected, label);
  const profiles = withFour(before.profiles, profile);
  if (profile !== undefined && !(profile in before.profiles)) {
    profiles[profile] = expected[section];
  }
  assert.deepEqual(after.profiles, profiles, label);
}

function assertJsChange(
  label: string,
  edit: Edit,
  before: JsSdkView,
  after: JsSdkView,
): void {
  const { js, profile } = edit.target;
  assert.deepEqual(after.credentials, withFour(before.credentials, js), label);
  assert.deepEqual(after.config, withFour(before.config, profile), label);
}
