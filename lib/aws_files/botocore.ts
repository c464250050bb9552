/**
 * How botocore, the parser of the AWS CLI, reads sections and profiles from
 * a {@linkcode IniDocument}, and where the JS SDK reads the same file
 * differently.
 *
 * The two parsers that read these files (botocore 1.29 with Python 3.11's
 * `RawConfigParser`, and `loadSharedConfigFiles` of
 * `@smithy/shared-ini-file-loader` 4.7, checked with both of them by
 * `tests/aws_files/ini_corpus_test.ts` and
 * `tests/aws_files/ini_property_test.ts`):
 *
 * - Lines: botocore breaks lines at LF, CRLF and a bare CR; the JS SDK only at
 *   LF and CRLF, so a file with bare CR line endings is one line to it.
 * - BOM: botocore keeps a UTF-8 byte order mark as part of line 1 and then
 *   refuses the whole file ("Unable to parse config file"); the JS SDK trims
 *   it away. So {@linkcode readSections} refuses a document with a BOM.
 * - Comments: a line whose first non-blank character is `#` or `;`, for both.
 *   botocore has no inline comments (`key = v # x` is `v # x`); the JS SDK cuts
 *   every line at a `#` or `;` that follows whitespace, section lines too.
 * - Section names: botocore takes everything between the first `[` and the
 *   last `]` of the trimmed line, spaces included (`[ name ]` is ` name `) and
 *   text after the `]` ignored. The JS SDK needs the trimmed line to end with
 *   `]`, also keeps inner spaces, and reads `[profile x]`, `[sso-session x]`,
 *   `[services x]` (one whitespace, `x` of `[\w-@+.%:/]`, optionally quoted) as
 *   `profile.x` and so on; any other `word name` section (`[foo bar]`) it
 *   ignores. `[__proto__]` makes it drop the whole file.
 * - Profiles in the config file: botocore splits sections that start with
 *   `profile` shell-style, so `[profile  name]` (two spaces), `[profile\tname]`
 *   and `[profile "name"]` are all profile `name`, `[profile "a b"]` is
 *   profile `a b`, and `[profile a b]` is no profile; `[default]` and
 *   `[profile default]` are both `default`, the later one in the file wins.
 *   The JS SDK sees only `[profile x]` with exactly one whitespace (or
 *   `[profile "x"]`), not `[profile  name]` nor `[profile "a b"]`, and its
 *   `[profile default]` always beats `[default]`.
 * - `[DEFAULT]` (upper case): botocore does not list it; its keys are defaults
 *   that every other section inherits, and it may appear more than once. The
 *   JS SDK reads it as a plain section named `DEFAULT` and gives its keys to
 *   no other section. So {@linkcode setKeys} refuses a write that leaves its
 *   section inheriting a key, and {@linkcode ownKeys} gives a section's keys
 *   as both see them.
 * - Keys: botocore splits at the first `=` or `:`, lower-cases the key and
 *   strips both sides; a line with neither, or with nothing before it, makes
 *   the whole file unreadable, as do a repeated section or a key repeated in a
 *   section (in any case) and a key line before the first section. The JS
 *   SDK splits only at `=`, keeps the key's case, ignores lines without `=`
 *   (so `key: value` is invisible to it) and lets a repeated key win.
 * - Values: both strip surrounding whitespace and keep quotes literally.
 *   botocore's whitespace is Python's (`\x1c`-`\x1f` and `\x85` too), the JS
 *   SDK's is JavaScript's (U+FEFF too). An empty value (`key =`) is `""` to
 *   botocore and absent to the JS SDK.
 * - Continuation lines and nested blocks: for botocore a line indented deeper
 *   than the key line before it (blank lines and comments in between do not
 *   matter) continues that key's value (joined with `\n`; tabs count as one
 *   character of indentation). After `key =` with an empty value the
 *   continuation lines form a nested block (`s3 =` then indented
 *   `addressing_style = path`), and every such line must contain `=` or the
 *   file is unreadable. The JS SDK knows no continuations: after `key =`,
 *   every indented `a = b` line is the key `key.a`, and any other line with
 *   `=` is a key of its own.
 *
 * So what awsmfa writes is limited to what both read the same way: `setKeys`
 * (`edit.ts`) writes `key = value` lines with plain lower-case keys, refuses
 * values that either parser would change, and checks the result with a model
 * of each parser (`edit_check.ts`) before returning it.
 *
 * @module
 */

import type { IniDocument } from "./document.ts";
import { splitOption } from "./document.ts";
import { IniError } from "./ini_error.ts";
import { PY_LINE_BREAK, pyStrip, shlexSplit } from "./python_text.ts";

/** One key line as botocore reads it, with where it sits. */
export interface ReadKey {
  /** The value, botocore's meaning. */
  value: string;
  /** The first line of its nested block botocore cannot parse, or 0. */
  badNested: number;
}

/** scan() results by document; documents are never changed once parsed. */
const scanned = new WeakMap<IniDocument, Map<string, Map<string, ReadKey>>>();
/** Documents whose scan found a nested block line botocore cannot parse. */
const badNested = new WeakSet<IniDocument>();

/**
 * Sections and keys in file order, or the first problem botocore raises.
 * Remembered per document: reading profiles and then editing the same
 * document twice (a dry run, then the real edit) scans it once.
 */
export function scan(doc: IniDocument): Map<string, Map<string, ReadKey>> {
  let sections = scanned.get(doc);
  if (sections === undefined) {
    sections = scanLines(doc);
    scanned.set(doc, sections);
  }
  return sections;
}

function scanLines(doc: IniDocument): Map<string, Map<string, ReadKey>> {
  if (doc.bom !== "") {
    throw new IniError(
      "line 1 starts with a UTF-8 byte order mark (BOM).",
      1,
    );
  }
  const sections = new Map<string, Map<string, ReadKey>>();
  let current: Map<string, ReadKey> | undefined;
  let currentName = "";
  let lastKey: ReadKey | undefined;
  let firstInvalid = 0;
  let invalidReason = "";
  doc.lines.forEach((line, index) => {
    const number = index + 1;
    if (line.kind === "section") {
      const name = line.section!;
      lastKey = undefined;
      currentName = name;
      if (name === "DEFAULT") {
        current = sections.get(name) ?? new Map();
      } else if (sections.has(name)) {
        throw new IniError(
          `line ${number} repeats the section [${name}].`,
          number,
        );
      } else {
        current = new Map();
      }
      sections.set(name, current);
      return;
    }
    if (line.kind === "nested") {
      if (lastKey && lastKey.badNested === 0 && !nestedLineOk(line.text)) {
        lastKey.badNested = number;
        badNested.add(doc);
      }
      return;
    }
    if (line.kind !== "key" && line.kind !== "invalid") return;
    const broken = line.kind === "invalid" && brokenHeader(line.text);
    if (!current) {
      throw new IniError(
        broken
          ? `line ${number} ${BROKEN_HEADER}.`
          : `line ${number} comes before the first [section].`,
        number,
      );
    }
    // classify() already split key lines; only invalid ones need a look.
    const split = line.kind === "key"
      ? { key: line.key! }
      : splitOption(pyStrip(line.text));
    if (!split) {
      if (!firstInvalid) {
        firstInvalid = number;
        invalidReason = broken
          ? BROKEN_HEADER
          : "has no = and is not a [section] or a comment";
      }
      return;
    }
    const key = split.key.toLowerCase();
    if (key === "" && !firstInvalid) {
      firstInvalid = number;
      invalidReason = "has nothing before its separator";
    }
    if (current.has(key)) {
      throw new IniError(
        `line ${number} repeats the key ${key} of [${currentName}].`,
        number,
      );
    }
    lastKey = { value: line.value ?? "", badNested: 0 };
    current.set(key, lastKey);
  });
  if (firstInvalid) {
    throw new IniError(`line ${firstInvalid} ${invalidReason}.`, firstInvalid);
  }
  return sections;
}

const BROKEN_HEADER =
  "starts a section header with [ but has no closing ]; write it as [NAME] on one line";

/** A line that opens a section header and never closes it, like `[profile work`. */
function brokenHeader(text: string): boolean {
  const stripped = pyStrip(text);
  return stripped.startsWith("[") && !stripped.includes("]") &&
    !stripped.includes("=") && !stripped.includes(":");
}

/** Whether botocore's nested-block parser accepts one nested line. */
function nestedLineOk(text: string): boolean {
  return pyStrip(text).split(PY_LINE_BREAK).every((part) =>
    pyStrip(part) === "" || part.includes("=")
  );
}

/**
 * Raw section name -> (lower-cased key -> value), botocore's meaning: keys of
 * `[DEFAULT]` are inherited by every other section and `[DEFAULT]` itself is
 * not listed; a nested block is its raw string starting with `\n`.
 *
 * Throws {@linkcode IniError} (naming the 1-based line and the reason, in the
 * order botocore finds them) on duplicate sections, duplicate keys in a
 * section, a key line before any section, a BOM, and any line botocore's
 * parser would refuse.
 */
export function readSections(
  doc: IniDocument,
): Map<string, Record<string, string>> {
  const scanned = scan(doc);
  const defaults = scanned.get("DEFAULT") ?? new Map<string, ReadKey>();
  const result = new Map<string, Record<string, string>>();
  for (const [name, keys] of scanned) {
    if (name === "DEFAULT") continue;
    const record: Record<string, string> = {};
    const add = (key: string, read: ReadKey) => {
      if (read.badNested) {
        throw new IniError(
          `line ${read.badNested} in the nested block of ${key} in [${name}] has no =.`,
          read.badNested,
        );
      }
      if (key === "__proto__") {
        // An own property, as Object.fromEntries would make, not a prototype.
        Object.defineProperty(record, key, {
          value: read.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        record[key] = read.value;
      }
    };
    for (const [key, read] of keys) add(key, read);
    for (const [key, read] of defaults) {
      if (!keys.has(key)) add(key, read);
    }
    result.set(name, record);
  }
  return result;
}

/**
 * Throws what {@linkcode readSections} would throw for `doc`, without
 * building its records when nothing is wrong.
 */
export function checkReadable(doc: IniDocument): void {
  scan(doc);
  if (badNested.has(doc)) readSections(doc);
}

/**
 * The keys written in `section` itself, lower-cased, with botocore's values
 * (continuation lines joined), without those it inherits from `[DEFAULT]`.
 * Undefined when there is no such section, and for `[DEFAULT]`. These are
 * the keys as botocore reads them: the JS SDK keeps a key's case and does not
 * see a `key: value` line. Throws {@linkcode IniError} for what botocore
 * refuses in the file's lines (a BOM, a repeated section or key, a line it
 * cannot parse), but not for a nested block line without `=`, which only
 * {@linkcode readSections} refuses.
 */
export function ownKeys(
  doc: IniDocument,
  section: string,
): Record<string, string> | undefined {
  const keys = scan(doc).get(section);
  if (keys === undefined || section === "DEFAULT") return undefined;
  const record: Record<string, string> = {};
  for (const [key, read] of keys) {
    Object.defineProperty(record, key, {
      value: read.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return record;
}

/**
 * Profiles as AWS tools resolve them, botocore's meaning (config:
 * `[profile x]` split shell-style, and `[default]`, the later of
 * `[default]`/`[profile default]` winning; credentials: every section).
 * Throws {@linkcode IniError} like {@linkcode readSections}.
 */
export function readProfiles(
  doc: IniDocument,
  file: "credentials" | "config",
): Map<string, Record<string, string>> {
  const sections = readSections(doc);
  if (file === "credentials") return sections;
  const profiles = new Map<string, Record<string, string>>();
  for (const [name, values] of sections) {
    if (name.startsWith("profile")) {
      const parts = shlexSplit(name);
      if (parts?.length === 2) profiles.set(parts[1], values);
    } else if (name === "default") {
      profiles.set(name, values);
    }
  }
  return profiles;
}
