/**
 * Property test of lib/aws_files/: thousands of generated files (random mixes of
 * the shapes real AWS files have, and of what breaks them) and random edits.
 * Invariants: round trip; an edit changes only the target section; what
 * setKeys returns is read by botocore and the JS SDK (the real ones, botocore
 * in one batch) as the intended change and nothing else; readSections and
 * readProfiles agree with botocore on every file, errors and lines included.
 *
 * Seeded: INI_SEED=<n> replays a run; a failure prints its seed and case.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readProfiles, readSections } from "../../lib/aws_files/botocore.ts";
import { parseIni, serializeIni } from "../../lib/aws_files/document.ts";
import { setKeys } from "../../lib/aws_files/edit.ts";
import { IniError } from "../../lib/aws_files/ini_error.ts";
import {
  botocoreProblem,
  botocoreViews,
  jsSdkView,
  lineDiff,
  requireBotocore,
  sectionSpan,
  skipCrossCheck,
} from "../support/parsers.ts";

const SEED = Number(Deno.env.get("INI_SEED") ?? 20240917);
const CASES = Number(Deno.env.get("INI_CASES") ?? 3000);
const FOUR_KEYS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "x_security_token_expires",
];

/** mulberry32: a small, seedable PRNG. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated file and one edit of it. */
interface Case {
  text: string;
  section: string;
  values: Record<string, string>;
  remove: string[];
}

function generator(random: () => number) {
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;

  const names = [
    "default",
    "mfa",
    "work",
    "dev.eu-west-1",
    "alice@example.com",
    "café",
    "日本",
    "a b",
    "x",
  ];
  const sectionNames = () => {
    const name = pick(names);
    return pick([
      name,
      `profile ${name}`,
      `profile ${name}`,
      `profile  ${name}`,
      `profile\t${name}`,
      `profile "${name}"`,
      `sso-session ${name}`,
      `services ${name}`,
      ` ${name} `,
      "DEFAULT",
      chance(0.15) ? "__proto__" : "constructor",
    ]);
  };
  const keys = [
    ...FOUR_KEYS,
    ...FOUR_KEYS,
    "region",
    "output",
    "s3",
    "mfa_serial",
    "credential_process",
    "AWS_Session_Token",
    "Region",
    "key with space",
  ];
  const values = [
    "us-east-1",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVz+LWVhc3Qt==",
    "2025-01-02T03:04:05Z",
    "arn:aws:iam::123456789012:mfa/alice",
    "cmd --item 'x #1' # comment?",
    "v ; tail",
    '"quoted value"',
    "a=b=c",
    "κλειδί ✓",
    "",
    "x\u00a0",
    "\u001cy",
  ];
  const space = () => pick(["", " ", "  ", "\t", " \t"]);
  const keyLine = (key: string) =>
    `${chance(0.15) ? space() : ""}${key}${space()}${
      pick(["=", "=", "=", ":"])
    }${space()}${pick(values)}${chance(0.1) ? space() : ""}`;

  /** Mostly a name not used yet (botocore refuses repeats), rarely a repeat. */
  function fresh(choose: () => string, used: Set<string>): string {
    let name = choose();
    for (
      let i = 0;
      i < 8 && used.has(name.toLowerCase()) && !chance(0.02);
      i++
    ) {
      name = choose();
    }
    used.add(name.toLowerCase());
    return name;
  }

  function body(): string[] {
    const lines: string[] = [];
    if (chance(0.03)) lines.push(keyLine(pick(keys))); // a key before any section
    const usedSections = new Set<string>();
    const sections = 1 + Math.floor(random() * 5);
    for (let s = 0; s < sections; s++) {
      if (chance(0.3)) {
        lines.push(pick(["# comment", "; comment", "  # indented", "#"]));
      }
      if (chance(0.5)) lines.push(pick(["", " ", "\t"]));
      lines.push(
        `${chance(0.05) ? " " : ""}[${fresh(sectionNames, usedSections)}]${
          chance(0.1) ? pick([" # note", "\t", " ; x"]) : ""
        }`,
      );
      const used = new Set<string>();
      const key = () => fresh(() => pick(keys), used);
      const entries = Math.floor(random() * 6);
      for (let k = 0; k < entries; k++) {
        const shape = random();
        if (shape < 0.65) {
          lines.push(keyLine(key()));
        } else if (shape < 0.75) {
          lines.push(`${fresh(() => pick(["s3", "dynamodb", "ec2"]), used)} =`);
          const nested = 1 + Math.floor(random() * 3);
          for (let n = 0; n < nested; n++) {
            lines.push(
              chance(0.9)
                ? `${pick(["  ", "    ", "\t"])}${
                  pick(["addressing_style", "endpoint_url", "max"])
                } = ${pick(values)}`
                : pick(["", "  # nested comment", "  broken"]),
            );
          }
        } else if (shape < 0.82) {
          lines.push(
            keyLine(key()),
            `${pick(["  ", "\t"])}continued ${pick(values)}`,
          );
        } else if (shape < 0.95) {
          lines.push(pick(["# c", "; c", "", "   ", "  ;indented"]));
        } else if (shape < 0.97) {
          lines.push(pick(["junk", "= no key", "[]", "  [indented]"]));
        } else {
          lines.push(keyLine(key().toUpperCase()));
        }
      }
    }
    return lines;
  }

  function text(): string {
    const lines = chance(0.03) ? [] : body();
    const style = random();
    const eol = () =>
      style < 0.55
        ? "\n"
        : style < 0.85
        ? "\r\n"
        : style < 0.97
        ? pick(["\n", "\r\n"])
        : pick(["\r", "\n"]);
    let out = chance(0.02) ? "\uFEFF" : "";
    lines.forEach((line, i) => {
      out += line + (i === lines.length - 1 && chance(0.15) ? "" : eol());
    });
    return out;
  }

  function edit(doc: string): Case {
    const existing = parseIni(doc).lines.filter((l) => l.kind === "section")
      .map((l) => l.section!);
    const section = existing.length > 0 && chance(0.6)
      ? pick(existing)
      : pick(["mfa", "profile mfa", "awsmfa-new", "default", "profile x"]);
    const chosen: Record<string, string> = {};
    const remove: string[] = [];
    for (const key of FOUR_KEYS) {
      const r = random();
      if (r < 0.6) {
        chosen[key] = pick([
          "ASIAIOSFODNN7EXAMPLE",
          "FwoGZXIvYXdzEBYaDHqa0AP1/BG5XzL0sSKG+AVtQn==",
          "2030-12-31T23:59:59Z",
          "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
          "arn:aws:iam::123456789012:user/alice",
        ]);
        if (chance(0.03)) chosen[key] = pick(["", " x", "a #b", "a\nb"]);
      } else if (r < 0.7) {
        remove.push(key);
      }
    }
    return { text: doc, section, values: chosen, remove };
  }

  return { text, edit };
}

function cases(): Case[] {
  const gen = generator(prng(SEED));
  return Array.from({ length: CASES }, () => gen.edit(gen.text()));
}

/** Run `fn` on each case, naming the seed and case when it fails. */
async function eachCase<T>(
  items: T[],
  fn: (item: T, index: number) => void | Promise<void>,
): Promise<void> {
  for (const [index, item] of items.entries()) {
    try {
      await fn(item, index);
    } catch (error) {
      const detail = JSON.stringify(item).slice(0, 2000);
      throw new Error(
        `INI_SEED=${SEED} case ${index} failed: ${
          (error as Error).message
        }\n${detail}`,
        { cause: error },
      );
    }
  }
}

type Outcome = { result: string } | { error: IniError };

function attempt(c: Case): Outcome {
  try {
    const doc = setKeys(parseIni(c.text), c.section, c.values, c.remove);
    const result = serializeIni(doc);
    // Its text, spliced into the text it was parsed from, is its lines'.
    assert.equal(
      result,
      doc.bom + doc.lines.map((line) => line.text + line.eol).join(""),
    );
    // setKeys classifies only the region it changed again; the document it
    // returns must be exactly what parsing its text from scratch gives.
    assert.deepEqual(doc, parseIni(result), "setKeys' document vs a re-parse");
    return { result };
  } catch (error) {
    if (!(error instanceof IniError)) throw error;
    return { error };
  }
}

Deno.test("generated files: round trip, and edits touch only their section", async () => {
  const all = cases();
  let edited = 0;
  await eachCase(all, (c) => {
    assert.equal(serializeIni(parseIni(c.text)), c.text);
    const outcome = attempt(c);
    if ("error" in outcome) {
      for (const value of Object.values(c.values)) {
        if (value.length > 3) assert.ok(!outcome.error.message.includes(value));
      }
      return;
    }
    edited++;
    const before = parseIni(c.text);
    const after = parseIni(outcome.result);
    assert.equal(serializeIni(after), outcome.result);
    const oldSpan = sectionSpan(before, c.section);
    const newSpan = sectionSpan(after, c.section);
    assert.ok(newSpan);
    const last = before.lines.length - 1;
    for (const change of lineDiff(before, after)) {
      const span = change.op === "-" ? oldSpan : newSpan;
      const inside = span !== null && change.index >= span[0] &&
        change.index < span[1];
      const header = change.index === span?.[0];
      const blankBeforeNew = change.op === "+" && oldSpan === null &&
        change.index === newSpan[0] - 1 && change.line.trim() === "";
      const lostEol = change.index === last && before.lines[last].eol === "";
      assert.ok(
        (inside && (!header || oldSpan === null)) || blankBeforeNew || lostEol,
        `${change.op}${change.index + 1} ${JSON.stringify(change.line)}`,
      );
    }
  });
  console.log(`seed ${SEED}: ${all.length} files, ${edited} edited`);
  // The generator must mostly produce edits that succeed, or this proves little.
  assert.ok(
    edited > all.length / 3,
    `only ${edited} of ${all.length} edits succeeded`,
  );
});

const problem = await botocoreProblem();
const ignore = skipCrossCheck(problem, "tests/ini_property_test.ts");

type Sections = Record<string, Record<string, string>>;

/**
 * The JS SDK's name for a section (`profile x` -> `profile.x`), by the rule
 * of its parseIni; any other `word name` section it ignores.
 */
function jsName(section: string): string | undefined {
  const match = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/.exec(section);
  if (!match) return section;
  return ["profile", "sso-session", "services"].includes(match[1])
    ? `${match[1]}.${match[3]}`
    : undefined;
}

/** `before` and `after` agree except in `name`, where `c`'s change happened. */
function assertChange(
  before: Sections,
  after: Sections,
  name: string | undefined,
  c: Case,
  inherited: boolean,
): void {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const other of names) {
    if (other === name) continue;
    assert.deepEqual(after[other], before[other], `section ${other}`);
  }
  if (name === undefined) return;
  const now = after[name] ?? {};
  for (const [key, value] of Object.entries(c.values)) {
    assert.equal(now[key], value, `${name}: ${key}`);
  }
  const old = before[name] ?? {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (Object.hasOwn(c.values, key)) continue;
    // A key it writes, spelt in another case: spelt its way now (unless
    // the JS SDK merges another section of that name into this one).
    if (Object.hasOwn(c.values, key.toLowerCase())) continue;
    if (c.remove.includes(key.toLowerCase())) {
      if (!inherited) {
        assert.equal(now[key], undefined, `${name}: ${key} removed`);
      }
      continue;
    }
    if (!(name in before) && inherited) continue; // a new section inherits [DEFAULT]
    assert.equal(now[key], old[key], `${name}: ${key}`);
  }
}

Deno.test({
  name: "generated files: botocore and the JS SDK agree with lib/aws_files/",
  ignore,
  fn: async () => {
    requireBotocore(problem);
    const all = cases();
    const dir = await Deno.makeTempDir({ prefix: "ini_property_" });
    try {
      const paths: string[] = [];
      const outcomes = all.map(attempt);
      const afterPath = new Map<number, string>();
      for (const [i, c] of all.entries()) {
        paths.push(join(dir, `${i}`));
        await Deno.writeTextFile(paths[i], c.text);
      }
      for (const [i, outcome] of outcomes.entries()) {
        if (!("result" in outcome)) continue;
        const path = join(dir, `${i}.after`);
        await Deno.writeTextFile(path, outcome.result);
        afterPath.set(i, path);
      }
      const views = await botocoreViews([...paths, ...afterPath.values()]);
      const afterView = new Map(
        [...afterPath.keys()].map((i, n) => [i, views[all.length + n]]),
      );
      let unreadable = 0;
      await eachCase(all, async (c, i) => {
        const view = views[i];
        const doc = parseIni(c.text);
        let readError: IniError | undefined;
        let sections: Sections = {};
        let profiles: Sections = {};
        try {
          sections = Object.fromEntries(readSections(doc));
          profiles = Object.fromEntries(readProfiles(doc, "config"));
        } catch (error) {
          if (!(error instanceof IniError)) throw error;
          readError = error;
        }
        const outcome = outcomes[i];
        if (!view.ok) {
          unreadable++;
          assert.ok(
            readError,
            "botocore refuses the file, readSections did not",
          );
          if (view.line !== null) assert.equal(readError.line, view.line);
          assert.ok(
            "error" in outcome,
            "setKeys edited a file botocore refuses",
          );
          return;
        }
        assert.equal(
          readError,
          undefined,
          "readSections refused a file botocore reads",
        );
        assert.deepEqual(sections, view.sections);
        assert.deepEqual(profiles, view.profiles);
        if (!("result" in outcome)) return;
        const after = afterView.get(i)!;
        assert.ok(
          after.ok,
          `botocore refuses the edited file: ${!after.ok && after.error}`,
        );
        const inherited = /^\s*\[DEFAULT\]/m.test(c.text);
        assertChange(view.sections, after.sections, c.section, c, inherited);
        const jsBefore = await jsSdkView(paths[i]);
        const jsAfter = await jsSdkView(afterPath.get(i)!);
        assertChange(
          jsBefore.credentials,
          jsAfter.credentials,
          jsName(c.section),
          c,
          false,
        );
      });
      console.log(
        `seed ${SEED}: ${all.length} files, ${unreadable} refused by botocore, ${afterPath.size} edits cross-checked`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
