/**
 * A line-preserving document for the AWS config and credentials files.
 *
 * {@linkcode parseIni} never throws and loses nothing:
 * `serializeIni(parseIni(x)) === x` for every string. Reading
 * ({@linkcode readSections}, {@linkcode readProfiles}) follows botocore, the
 * parser of the AWS CLI, and editing ({@linkcode setKeys},
 * {@linkcode removeSection}) changes only the lines it has to.
 *
 * What the two parsers that read these files do (botocore 1.29 with Python
 * 3.11's `RawConfigParser`, and `loadSharedConfigFiles` of
 * `@smithy/shared-ini-file-loader` 4.7, checked with both of them by
 * `tests/ini_corpus_test.ts` and `tests/ini_property_test.ts`):
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
 * So what awsmfa writes is limited to what both read the same way:
 * {@linkcode setKeys} writes `key = value` lines with plain lower-case keys,
 * refuses values that either parser would change, and checks the result with
 * a model of each parser before returning it.
 *
 * @module
 */

import { LocalError } from "../shared/errors.ts";

/** Kind of one physical line. */
export type LineKind =
  | "blank"
  | "comment"
  | "section"
  | "key"
  | "nested"
  | "continuation"
  | "invalid";

/**
 * One physical line of an INI document. The kinds follow botocore: a line
 * indented deeper than the key line before it is a "continuation" of that
 * key's value, or "nested" when that key's own value is empty; an indented
 * `[x]` there is a continuation too. "invalid" is a line botocore refuses.
 */
export interface IniLine {
  /** The line's exact text without its end-of-line. */
  text: string;
  /** `""` (last line without newline), `"\n"`, `"\r\n"` or `"\r"`. */
  eol: string;
  /** What the line is to botocore. */
  kind: LineKind;
  /** For "section": the name between the brackets as botocore sees it. */
  section?: string;
  /** For "key": the key as written (original case). */
  key?: string;
  /**
   * For "key": the value with botocore's meaning (continuation lines joined
   * with `\n`; a nested block is a string starting with `\n`).
   */
  value?: string;
}

/** A whole file as lines, byte for byte. */
export interface IniDocument {
  /** `"\uFEFF"` or `""`. */
  bom: string;
  /** Every physical line, in order. */
  lines: IniLine[];
  /**
   * The line ending used for lines awsmfa adds: the file's first line ending,
   * else `"\n"`.
   */
  eol: string;
}

/**
 * A document that cannot be read or edited as asked (exit code 3). The
 * message names the line, the section and the key, never a value.
 */
export class IniError extends LocalError {
  /** The 1-based line the problem is on, or 0 when it is not on one line. */
  readonly line: number;

  /** Create an INI error about `line` (1-based, 0 for none). */
  constructor(message: string, line: number) {
    super(message);
    this.name = "IniError";
    this.line = line;
  }
}

/** Where Python's `str.splitlines` breaks (used by botocore for nested blocks). */
// deno-lint-ignore no-control-regex -- Python breaks lines at these controls
const PY_LINE_BREAK = /\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/;
/** botocore's key/value separators. */
const PY_SEPARATOR = /[=:]/;
/** Keys awsmfa writes. */
const PLAIN_KEY = /^[a-z0-9_]+$/;
/** Section kinds the JS SDK reads as `kind.name` (`IniSectionType`). */
const JS_SECTION_TYPES = ["profile", "sso-session", "services"];
/** The JS SDK's `prefixKeyRegex`: `kind name` section names. */
const JS_PREFIXED = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;
/** Profile names the JS SDK finds as `[profile name]` in a config file. */
const JS_PROFILE_NAME = /^[\w\-@+.%:/]+$/;

/**
 * Whether a UTF-16 code unit is Python whitespace (`str.isspace`, `\s`), which
 * botocore strips: tab, LF, VT, FF, CR, U+001C-U+001F, space, U+0085, U+00A0,
 * U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
 */
function isPySpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x1f) ||
    (code > 0x7f && (code === 0x85 || code === 0xa0 || code === 0x1680 ||
      (code >= 0x2000 && code <= 0x200a) || code === 0x2028 ||
      code === 0x2029 || code === 0x202f || code === 0x205f ||
      code === 0x3000));
}

function pyStrip(text: string): string {
  const start = pyIndent(text);
  let end = text.length;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && isPySpace(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

function pyIndent(text: string): number {
  let start = 0;
  while (start < text.length && isPySpace(text.charCodeAt(start))) start++;
  return start;
}

/** The section name botocore reads from a stripped line, if it is a header. */
function headerName(stripped: string): string | undefined {
  const close = stripped.lastIndexOf("]");
  return stripped[0] === "[" && close >= 2
    ? stripped.slice(1, close)
    : undefined;
}

/** botocore's split of a stripped line into key and value, if it has one. */
function splitOption(
  stripped: string,
): { key: string; separator: number; value: string } | undefined {
  // PY_SEPARATOR's first match, without a match object per line.
  const equals = stripped.indexOf("=");
  const colon = stripped.indexOf(":");
  const at = colon === -1 || (equals !== -1 && equals < colon) ? equals : colon;
  if (at === -1) return undefined;
  return {
    key: pyRstrip(stripped.slice(0, at)),
    separator: at,
    value: pyStrip(stripped.slice(at + 1)),
  };
}

/**
 * Split `text` into lines that keep every byte and classify each line the way
 * botocore reads it. Never throws; lossless.
 */
export function parseIni(text: string): IniDocument {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body = text.slice(bom.length);
  const lines: IniLine[] = [];
  let start = 0;
  // Lines end where Python's universal-newline reading breaks them: \r\n,
  // \r or \n (found with indexOf: no match object per line).
  let lf = body.indexOf("\n");
  let cr = body.indexOf("\r");
  while (lf !== -1 || cr !== -1) {
    let at: number;
    let eol: string;
    if (cr === -1 || (lf !== -1 && lf < cr)) {
      at = lf;
      eol = "\n";
    } else {
      at = cr;
      eol = body.charCodeAt(cr + 1) === 0x0a ? "\r\n" : "\r";
    }
    lines.push({ text: body.slice(start, at), eol, kind: "blank" });
    start = at + eol.length;
    if (lf !== -1 && lf < start) lf = body.indexOf("\n", start);
    if (cr !== -1 && cr < start) cr = body.indexOf("\r", start);
  }
  if (start < body.length) {
    lines.push({ text: body.slice(start), eol: "", kind: "blank" });
  }
  classify(lines);
  const first = lines.find((line) => line.eol !== "");
  return { bom, lines, eol: first?.eol ?? "\n" };
}

/** Set kind, section, key and value of every line, following configparser. */
function classify(lines: IniLine[]): void {
  let inSection = false;
  let option: IniLine | undefined; // the key whose value continues, if any
  // The value's lines: the first, then any more (no array for one line).
  let first = "";
  let more: string[] | undefined;
  let indentLevel = 0;
  const finish = () => {
    if (!option) return;
    option.value = pyRstrip(
      more === undefined ? first : [first, ...more].join("\n"),
    );
  };
  for (const line of lines) {
    const stripped = pyStrip(line.text);
    if (stripped.startsWith("#") || stripped.startsWith(";")) {
      line.kind = "comment";
      continue;
    }
    if (stripped === "") {
      line.kind = "blank";
      if (inSection && option) (more ??= []).push("");
      continue;
    }
    const indent = pyIndent(line.text);
    if (inSection && option && indent > indentLevel) {
      line.kind = option.value === "" ? "nested" : "continuation";
      (more ??= []).push(stripped);
      continue;
    }
    indentLevel = indent;
    const name = headerName(stripped);
    if (name !== undefined) {
      finish();
      option = undefined;
      inSection = true;
      line.kind = "section";
      line.section = name;
      continue;
    }
    const split = splitOption(stripped);
    if (!split) {
      // botocore reports the line and keeps the current key going.
      line.kind = "invalid";
      continue;
    }
    finish();
    if (split.key === "") {
      line.kind = "invalid";
      option = undefined;
      continue;
    }
    line.kind = "key";
    line.key = split.key;
    line.value = split.value; // the first line; finish() adds the rest
    option = inSection ? line : undefined;
    first = split.value;
    more = undefined;
  }
  finish();
}

/** The exact text of a document. `serializeIni(parseIni(x)) === x`. */
export function serializeIni(doc: IniDocument): string {
  let text = doc.bom;
  for (const line of doc.lines) text += line.text + line.eol;
  return text;
}

/** One key line as botocore reads it, with where it sits. */
interface ReadKey {
  value: string;
  line: number;
  /** The first line of its nested block botocore cannot parse, or 0. */
  badNested: number;
}

/** scan() results by document; documents are never changed once parsed. */
const scanned = new WeakMap<IniDocument, Map<string, Map<string, ReadKey>>>();

/**
 * Sections and keys in file order, or the first problem botocore raises.
 * Remembered per document: reading profiles and then editing the same
 * document twice (a dry run, then the real edit) scans it once.
 */
function scan(doc: IniDocument): Map<string, Map<string, ReadKey>> {
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
    lastKey = { value: line.value ?? "", line: number, badNested: 0 };
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
function checkReadable(doc: IniDocument): void {
  for (const keys of scan(doc).values()) {
    for (const read of keys.values()) {
      if (read.badNested) {
        readSections(doc);
        return;
      }
    }
  }
}

/**
 * The keys written in `section` itself, lower-cased, with botocore's values
 * but without those it inherits from `[DEFAULT]`: what botocore and the JS
 * SDK both see there. Undefined when there is no such section. Throws
 * {@linkcode IniError} like {@linkcode readSections}.
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
 * Section name of a profile: credentials file -> `name`; config file ->
 * `default` or `profile name`.
 *
 * Throws {@linkcode IniError} for a name that, written that way, the AWS CLI
 * or the JS SDK would not read back as that profile: in the config file the
 * JS SDK needs `[\w-@+.%:/]+` (ASCII letters, digits and `_-@+.%:/`); in the
 * credentials file the name must not be empty, `DEFAULT` or `__proto__` (or
 * another name of `Object.prototype`, which the JS SDK mangles), have
 * spaces at its ends, look like `word name` or hold ` #` or ` ;`.
 */
export function profileSection(
  profile: string,
  file: "credentials" | "config",
): string {
  if (file === "config") {
    if (profile === "default") return "default";
    if (!JS_PROFILE_NAME.test(profile) || profile === "__proto__") {
      throw new IniError(
        `The profile name "${profile}" cannot be written to the config file so that the AWS CLI and the JS SDK both find it; use letters, digits and - _ . @ + % : /.`,
        0,
      );
    }
    return `profile ${profile}`;
  }
  const sameToJs = jsSectionName(profile) === profile &&
    !/\s[#;]/.test(profile);
  if (
    profile === "" || /[\r\n]/.test(profile) || pyStrip(profile) !== profile ||
    profile.trim() !== profile || profile === "DEFAULT" || !sameToJs ||
    profile in Object.prototype
  ) {
    throw new IniError(
      `The profile name "${profile}" cannot be written to the credentials file so that the AWS CLI and the JS SDK both find it.`,
      0,
    );
  }
  return profile;
}

/** Python's `shlex.split` (POSIX mode, no comments), or null where it raises. */
function shlexSplit(text: string): string[] | null {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const char = text[i++];
    if (" \t\r\n".includes(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === "'") {
      const end = text.indexOf("'", i);
      if (end < 0) return null;
      word += text.slice(i, end);
      i = end + 1;
    } else if (char === '"') {
      for (;;) {
        if (i >= text.length) return null;
        const inner = text[i++];
        if (inner === '"') break;
        if (inner === "\\") {
          if (i >= text.length) return null;
          const escaped = text[i++];
          if (escaped !== '"' && escaped !== "\\") word += "\\";
          word += escaped;
        } else {
          word += inner;
        }
      }
    } else if (char === "\\") {
      if (i >= text.length) return null;
      word += text[i++];
    } else {
      word += char;
    }
  }
  if (inWord) words.push(word);
  return words;
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

/** The section name the JS SDK's `parseIni` gives a `[name]` header. */
function jsSectionName(name: string): string | undefined {
  const match = JS_PREFIXED.exec(name);
  if (!match) return name;
  return JS_SECTION_TYPES.includes(match[1])
    ? `${match[1]}.${match[3]}`
    : undefined;
}

/**
 * A model of the JS SDK's `parseIni`: section -> key -> value, or null where
 * it throws. The JS SDK stores into a plain object; names it would mangle
 * that way (`constructor` and the like) are refused by {@linkcode setKeys}.
 */
function jsSdkSections(text: string): Map<string, Map<string, string>> | null {
  const sections = new Map<string, Map<string, string>>();
  let current: string | undefined;
  let nested: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = jsStripComment(line).trim();
    if (trimmed[0] === "[" && trimmed[trimmed.length - 1] === "]") {
      const name = trimmed.substring(1, trimmed.length - 1);
      if (name === "__proto__" || name === "profile __proto__") return null;
      current = jsSectionName(name);
      nested = undefined;
    } else if (current) {
      const equals = trimmed.indexOf("=");
      if (equals <= 0) continue;
      const key = trimmed.substring(0, equals).trim();
      const value = trimmed.substring(equals + 1).trim();
      if (value === "") {
        nested = key;
        continue;
      }
      if (nested && line.trimStart() === line) nested = undefined;
      const keys = sections.get(current) ?? new Map<string, string>();
      keys.set(nested ? `${nested}.${key}` : key, value);
      sections.set(current, keys);
    }
  }
  return sections;
}

/** Why a value cannot be written so that both parsers read it, or "". */
function valueProblem(value: string): string {
  if (/[\r\n]/.test(value)) return "it contains a line break";
  if (value === "") return "it is empty";
  if (pyStrip(value) !== value || value.trim() !== value) {
    return "it starts or ends with a space";
  }
  if (/^[#;]|\s[#;]/.test(value)) {
    return "it contains a # or ; after a space, which the JS SDK reads as a comment";
  }
  return "";
}

/** Indexes [header, end) of each section named `section`. */
function sectionRanges(lines: IniLine[], section: string): [number, number][] {
  const ranges: [number, number][] = [];
  lines.forEach((line, index) => {
    if (line.kind !== "section") return;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === -1) last[1] = index;
    if (line.section === section) ranges.push([index, -1]);
  });
  const last = ranges[ranges.length - 1];
  if (last && last[1] === -1) last[1] = lines.length;
  return ranges;
}

/** Whether the lines after `index` continue the key on line `index`. */
function continues(lines: IniLine[], index: number): boolean {
  for (let i = index + 1; i < lines.length; i++) {
    const kind = lines[i].kind;
    if (kind === "nested" || kind === "continuation") return true;
    if (kind !== "blank" && kind !== "comment") return false;
  }
  return false;
}

/**
 * `line` with its key spelt `key` (the same key in another case) and its
 * value replaced, keeping its indentation, the spacing around the separator
 * and its line ending.
 */
function replaceValue(line: IniLine, key: string, value: string): IniLine {
  const indent = pyIndent(line.text);
  const separator = indent + PY_SEPARATOR.exec(line.text.slice(indent))!.index;
  const after = line.text.slice(separator + 1);
  const space = after.slice(0, pyIndent(after));
  const gap = space === "" && pyStrip(after) === "" ? " " : space;
  return {
    text: line.text.slice(0, indent) + key +
      line.text.slice(indent + line.key!.length, separator + 1) + gap + value,
    eol: line.eol,
    kind: "key",
  };
}

/**
 * The 1-based line and name of a `[__proto__]` or `[profile __proto__]`
 * header as the JS SDK reads headers, or line 0: with one, the JS SDK reads
 * the whole file as empty.
 */
function jsProtoLine(doc: IniDocument): { line: number; name: string } {
  for (const [index, line] of doc.lines.entries()) {
    if (line.text.indexOf("__proto__") === -1) continue;
    const trimmed = jsStripComment(line.text).trim();
    const name = trimmed.substring(1, trimmed.length - 1);
    if (
      trimmed[0] === "[" && trimmed[trimmed.length - 1] === "]" &&
      (name === "__proto__" || name === "profile __proto__")
    ) {
      return { line: index + 1, name };
    }
  }
  return { line: 0, name: "" };
}

/**
 * Refuse to write `section` (set keys in it, or add it) when the document's
 * `[DEFAULT]` would give it keys after the edit: botocore reads them there,
 * the JS SDK does not. Taking keys out of an existing section is not
 * refused.
 */
function checkDefaults(
  doc: IniDocument,
  section: string,
  values: Record<string, string>,
  remove: string[],
): void {
  const sections = scan(doc);
  const defaults = sections.get("DEFAULT");
  const own = sections.get(section);
  if (
    defaults === undefined ||
    (own !== undefined && Object.keys(values).length === 0)
  ) {
    return;
  }
  const inherited = [...defaults.keys()].filter((key) =>
    !Object.hasOwn(values, key) && (!own?.has(key) || remove.includes(key))
  );
  if (inherited.length === 0) return;
  const them = inherited.length === 1 ? "it" : "them";
  throw new IniError(
    `Cannot write [${section}]: the [DEFAULT] section gives it ${
      inherited.join(", ")
    } for the AWS CLI but not for the JS SDK, which has no [DEFAULT]; move ${them} into the profiles that use ${them}.`,
    0,
  );
}

/**
 * Pure: a new document where `section` has `values` set and the keys in
 * `remove` deleted.
 *
 * - Section matching is exact on the name as botocore sees it.
 * - An existing key line keeps its indentation, separator spacing and line
 *   ending; only the value after the separator changes, and a key written
 *   in another case (`AWS_ACCESS_KEY_ID`, which botocore reads and the JS SDK
 *   does not) is spelt in lower case.
 * - Missing keys are appended, in the order given, after the section's last
 *   key line (after its continuation lines, before trailing blank lines and
 *   comments), as `key = value` with the file's line ending.
 * - A missing section is added at the end, after one empty line of its own
 *   (none in an empty file), so removing it with that line gives back every
 *   byte. A file that ended without a line ending still does.
 * - Never quotes or escapes, never touches nested blocks, comments or other
 *   sections.
 *
 * Throws {@linkcode IniError} when the document is unreadable (as
 * {@linkcode readSections}), for `[DEFAULT]`, for a file with a
 * `[__proto__]` or `[profile __proto__]` section (the JS SDK cannot read it
 * at all), when a write leaves `section` with keys it inherits from
 * `[DEFAULT]` (botocore reads them there, the JS SDK does not), for keys that
 * are not plain lower-case `[a-z0-9_]+`, for a value that is empty, has a
 * line break or a space at either end, or holds ` #`/` ;` (the JS SDK strips
 * those tails, botocore does not), for an existing key line with `:` (the JS
 * SDK would not see it), for a key whose value continues on the next lines,
 * for new lines in a file with bare CR line endings, for a `[profile …]`
 * section that the two resolve to different profiles (such as
 * `[profile  two-spaces]` or `[profile "a b"]`), for `[default]` or
 * `[profile default]` when both exist, and whenever a model of botocore or of
 * the JS SDK would read anything but the intended change (the JS SDK still
 * seeing a removed key, say on an indented line botocore reads as part of
 * another value, counts). Messages never contain a value.
 */
export function setKeys(
  doc: IniDocument,
  section: string,
  values: Record<string, string>,
  remove: string[] = [],
): IniDocument {
  checkReadable(doc);
  const where = `[${section}]`;
  if (section === "DEFAULT") {
    throw new IniError(
      "Cannot write to [DEFAULT]: the AWS CLI would give its keys to every profile.",
      0,
    );
  }
  if (section === "" || /[\r\n]/.test(section)) {
    throw new IniError("Cannot write a section without a one-line name.", 0);
  }
  for (const key of [...Object.keys(values), ...remove]) {
    if (!PLAIN_KEY.test(key)) {
      throw new IniError(
        `Cannot write the key "${key}" in ${where}: awsmfa writes only lower-case keys of a-z, 0-9 and _.`,
        0,
      );
    }
  }
  for (const [key, value] of Object.entries(values)) {
    const problem = valueProblem(value);
    if (problem) {
      throw new IniError(`Cannot write ${key} in ${where}: ${problem}.`, 0);
    }
    if (remove.includes(key)) {
      throw new IniError(`Cannot both write and remove ${key} in ${where}.`, 0);
    }
  }

  const proto = jsProtoLine(doc);
  if (proto.line > 0) {
    throw new IniError(
      `Cannot write ${where}: line ${proto.line} is a [${proto.name}] section, so the JS SDK cannot read this file at all; rename or remove that section first.`,
      proto.line,
    );
  }
  checkDefaults(doc, section, values, remove);

  const lines = [...doc.lines];
  const ranges = sectionRanges(lines, section);
  if (ranges.length > 1) {
    throw new IniError(
      `line ${ranges[1][0] + 1} repeats the section ${where}.`,
      ranges[1][0] + 1,
    );
  }
  const added: string[] = Object.keys(values);
  let insertAt: number;
  let newLines: IniLine[];
  if (ranges.length === 1) {
    const [header, end] = ranges[0];
    insertAt = header + 1;
    const drop = new Set<number>();
    for (let i = header + 1; i < end; i++) {
      const line = lines[i];
      if (line.kind === "nested" || line.kind === "continuation") {
        insertAt = i + 1;
      }
      if (line.kind !== "key") continue;
      insertAt = i + 1;
      const key = line.key!.toLowerCase();
      const write = Object.hasOwn(values, key);
      if (!write && !remove.includes(key)) continue;
      const number = i + 1;
      if (continues(lines, i)) {
        throw new IniError(
          `Cannot change ${key} in ${where}: its value on line ${number} continues on the next lines.`,
          number,
        );
      }
      if (!write) {
        drop.add(i);
        continue;
      }
      if (PY_SEPARATOR.exec(line.text)![0] !== "=") {
        throw new IniError(
          `Cannot change ${key} in ${where}: line ${number} uses ":", which the JS SDK does not read; use "=".`,
          number,
        );
      }
      // awsmfa owns its keys: AWS_ACCESS_KEY_ID becomes aws_access_key_id,
      // which the JS SDK reads too (botocore reads keys in any case).
      lines[i] = replaceValue(line, key, values[key]);
      added.splice(added.indexOf(key), 1);
    }
    newLines = added.map((key) => newLine(`${key} = ${values[key]}`, doc.eol));
    // Drop removed lines from the end so indexes stay valid.
    const endedBare = lines.length > 0 && lines[lines.length - 1].eol === "";
    const dropsLast = drop.has(lines.length - 1);
    for (const index of [...drop].sort((a, b) => b - a)) {
      lines.splice(index, 1);
      if (index < insertAt) insertAt--;
    }
    // A file that ended without a line ending still does (the line that
    // gained one when the keys were added loses it again).
    if (endedBare && dropsLast && lines.length > 0) {
      lines[lines.length - 1] = { ...lines[lines.length - 1], eol: "" };
    }
  } else {
    insertAt = lines.length;
    newLines = [newLine(`[${section}]`, doc.eol)];
    // Always one empty line of its own before it, so that taking the
    // section back out with that line gives back every byte.
    if (lines.length > 0) newLines.unshift(newLine("", doc.eol));
    newLines.push(
      ...added.map((key) => newLine(`${key} = ${values[key]}`, doc.eol)),
    );
  }

  if (newLines.length > 0) {
    // A bare CR would also join a following "\n" into one CRLF line ending.
    if (doc.eol === "\r" || lines[insertAt - 1]?.eol === "\r") {
      throw new IniError(
        `Cannot add lines to ${where}: the file ends lines with a bare CR, which the JS SDK does not read as a line break.`,
        0,
      );
    }
    if (
      insertAt === lines.length && insertAt > 0 &&
      lines[insertAt - 1].eol === ""
    ) {
      lines[insertAt - 1] = { ...lines[insertAt - 1], eol: doc.eol };
      newLines[newLines.length - 1].eol = "";
    }
    lines.splice(insertAt, 0, ...newLines);
  }
  const edited = reparse(doc, lines);
  checkEdit(doc, edited, section, values, remove);
  return edited.doc;
}

/**
 * Where an edit changed a document: lines [start, oldEnd) of the old one
 * became lines [start, newEnd) of the new one, and both parsers begin a new
 * section at `start` (or it is 0) and at `oldEnd`/`newEnd` (or that is the
 * end), so the lines outside read the same in both.
 */
interface Region {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** An edited document, and the region that changed when it is known. */
interface Edited {
  doc: IniDocument;
  region?: Region;
}

/** Whether both botocore and the JS SDK start a section at this line. */
function bothHeader(line: IniLine): boolean {
  return line.kind === "section" && jsHeaderName(line.text) !== undefined;
}

/**
 * Classify the edited `lines` of `doc` as {@linkcode parseIni} would classify
 * their text, parsing only the changed region where it is safe to do so.
 *
 * Lines that setKeys did not touch are the same objects in both arrays. Both
 * parsers carry no state past a section header, so from the last header
 * before the first change to the first header after the last change is all
 * that can read differently; it is parsed again on its own. Where a bare CR
 * ends a line (the JS SDK does not break lines there) or the re-parsed text
 * splits into other lines, the whole document is parsed again instead.
 */
function reparse(doc: IniDocument, lines: IniLine[]): Edited {
  const whole = (): Edited => ({
    doc: parseIni(serializeIni({ bom: doc.bom, lines, eol: doc.eol })),
  });
  const old = doc.lines;
  if (
    old.some((line) => line.eol === "\r") ||
    lines.some((line) => line.eol === "\r")
  ) {
    return whole();
  }
  const shorter = Math.min(old.length, lines.length);
  let prefix = 0;
  while (prefix < shorter && lines[prefix] === old[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    lines[lines.length - 1 - suffix] === old[old.length - 1 - suffix]
  ) {
    suffix++;
  }
  let start = Math.max(0, prefix - 1);
  while (start > 0 && !bothHeader(old[start])) start--;
  let oldEnd = old.length - suffix;
  while (oldEnd < old.length && !bothHeader(old[oldEnd])) oldEnd++;
  while (true) {
    const newEnd = oldEnd + lines.length - old.length;
    // Parse the header at the end too, to see it is still one after the edit.
    const slice = lines.slice(start, Math.min(newEnd + 1, lines.length));
    const part = parseIni(
      serializeIni({ bom: "", lines: slice, eol: doc.eol }),
    );
    if (part.lines.length !== slice.length) return whole();
    if (
      newEnd < lines.length && part.lines[slice.length - 1].kind !== "section"
    ) {
      // An edited key now continues into that header: widen to the next one.
      oldEnd++;
      while (oldEnd < old.length && !bothHeader(old[oldEnd])) oldEnd++;
      continue;
    }
    const result = [
      ...lines.slice(0, start),
      ...part.lines.slice(0, newEnd - start),
      ...lines.slice(newEnd),
    ];
    const eol = result.find((line) => line.eol !== "")?.eol ?? "\n";
    return {
      doc: { bom: doc.bom, lines: result, eol },
      region: { start, oldEnd, newEnd },
    };
  }
}

/**
 * The changed region of an edit as two small documents (before, after), or
 * null when the region cannot be judged on its own: it does not hold the
 * header of `section`, the file has `[DEFAULT]`
 * (whose keys every other section inherits), a section the JS SDK would
 * merge with one outside the region, or the file holds a section the JS SDK
 * model refuses (`__proto__`).
 */
/** A line holding "[": where, whether it names __proto__, its JS SDK header. */
interface BracketLine {
  index: number;
  proto: boolean;
  name: string | undefined;
}

/** bracketLines() results by document; documents never change once parsed. */
const brackets = new WeakMap<IniDocument, BracketLine[]>();

/**
 * The lines of `doc` that hold "[", read once per document: a dry-run edit
 * and the real edit of the same document look at them both.
 */
function bracketLines(doc: IniDocument): BracketLine[] {
  let found = brackets.get(doc);
  if (found === undefined) {
    found = [];
    for (let index = 0; index < doc.lines.length; index++) {
      const text = doc.lines[index].text;
      if (text.indexOf("[") === -1) continue;
      const proto = text.includes("__proto__");
      found.push({
        index,
        proto,
        name: proto ? undefined : jsHeaderName(text),
      });
    }
    brackets.set(doc, found);
  }
  return found;
}

function regionParts(
  doc: IniDocument,
  result: IniDocument,
  region: Region,
  section: string,
): { before: IniDocument; after: IniDocument } | null {
  // [DEFAULT] gives its keys to every section, the edited one included.
  if (scan(doc).has("DEFAULT")) return null;
  const before = doc.lines.slice(region.start, region.oldEnd);
  const after = result.lines.slice(region.start, region.newEnd);
  // The edited section must be inside, so its whole meaning is compared
  // (an edit that changed nothing leaves an empty region elsewhere).
  if (
    !after.some((line) => line.kind === "section" && line.section === section)
  ) {
    return null;
  }
  const inside = new Set<string>();
  for (const line of [...before, ...after]) {
    if (line.kind === "section" && line.section === "DEFAULT") return null;
    const name = jsHeaderName(line.text);
    if (name !== undefined) inside.add(name);
  }
  for (const bracket of bracketLines(doc)) {
    if (bracket.index >= region.start && bracket.index < region.oldEnd) {
      continue;
    }
    if (bracket.proto) return null;
    if (bracket.name !== undefined && inside.has(bracket.name)) return null;
  }
  return {
    before: { bom: "", lines: before, eol: doc.eol },
    after: { bom: "", lines: after, eol: result.eol },
  };
}

function newLine(text: string, eol: string): IniLine {
  return { text, eol, kind: "blank" };
}

/**
 * Refuse an edit unless both parsers (as modelled here) read every section
 * but `section` as before and `section` with exactly the intended change.
 */
function checkEdit(
  doc: IniDocument,
  edited: Edited,
  section: string,
  values: Record<string, string>,
  remove: string[],
): void {
  const result = edited.doc;
  const refuse = (reader: string) => {
    throw new IniError(
      `Cannot write [${section}]: ${reader} would not read the result as intended, so the file is left as it is.`,
      0,
    );
  };
  // Compare only the changed region when it can be judged on its own; the
  // lines outside it are the same and read the same (see reparse()).
  const region = edited.region &&
    regionParts(doc, result, edited.region, section);
  const beforeDoc = region ? region.before : doc;
  const afterDoc = region ? region.after : result;
  // The whole document's sections are read only when there is no region
  // (a big file's records are built once, by the caller's readProfiles).
  let botoBefore: Map<string, Record<string, string>>;
  let after: Map<string, Record<string, string>>;
  try {
    botoBefore = readSections(region ? region.before : doc);
    after = readSections(afterDoc);
  } catch {
    return refuse("the AWS CLI");
  }
  if (region) {
    // A section the edit added must not exist outside the region. (No
    // [DEFAULT] here: regionParts() gives no region when there is one.)
    const outside = scan(doc);
    for (const name of after.keys()) {
      if (!botoBefore.has(name) && outside.has(name)) refuse("the AWS CLI");
    }
  }
  const owned = (key: string) =>
    Object.hasOwn(values, key) || remove.includes(key);
  if (!sameSections(botoBefore, after, section, values, owned)) {
    refuse("the AWS CLI");
  }

  const header = result.lines.find((line) => line.section === section)!;
  const jsName = jsHeaderName(header.text);
  if (jsName === undefined || jsName in Object.prototype) refuse("the JS SDK");
  // In a config file both must resolve the section to the same profile.
  const parts = section.startsWith("profile") ? shlexSplit(section) : null;
  if (parts?.length === 2 && jsName !== `profile.${parts[1]}`) {
    throw new IniError(
      `Cannot write [${section}]: the AWS CLI reads it as profile "${
        parts[1]
      }" but the JS SDK does not.`,
      0,
    );
  }
  if (jsName === "default" || jsName === "profile.default") {
    const other = jsName === "default" ? "profile.default" : "default";
    if (
      result.lines.some((line) =>
        line.kind === "section" && jsHeaderName(line.text) === other
      )
    ) {
      throw new IniError(
        `Cannot write [${section}]: the file has both [default] and [profile default], and the AWS CLI and the JS SDK pick different ones.`,
        0,
      );
    }
  }
  const jsBefore = jsSdkSections(serializeIni(beforeDoc));
  const jsAfter = jsSdkSections(serializeIni(afterDoc));
  if (!jsBefore || !jsAfter) return refuse("the JS SDK");
  const toRecords = (map: Map<string, Map<string, string>>) =>
    new Map([...map].map(([name, keys]) => [name, Object.fromEntries(keys)]));
  if (
    !sameSections(
      toRecords(jsBefore),
      toRecords(jsAfter),
      jsName!,
      values,
      (key) => owned(key.toLowerCase()),
      remove,
    )
  ) {
    refuse("the JS SDK");
  }
}

/** A line up to the JS SDK's comment start (`#`/`;` first or after a space). */
function jsStripComment(line: string): string {
  if (line.indexOf("#") === -1 && line.indexOf(";") === -1) return line;
  return line.split(/(^|\s)[;#]/)[0];
}

/** The JS SDK's section name for a header line, if it reads it as one. */
function jsHeaderName(text: string): string | undefined {
  const trimmed = jsStripComment(text).trim();
  if (trimmed[0] !== "[" || trimmed[trimmed.length - 1] !== "]") {
    return undefined;
  }
  return jsSectionName(trimmed.substring(1, trimmed.length - 1));
}

/**
 * Whether `after` is `before` with exactly `values` set in `section`, keys
 * `owned` free to change there and no key of `gone` (any case) left there.
 */
function sameSections(
  before: Map<string, Record<string, string>>,
  after: Map<string, Record<string, string>>,
  section: string,
  values: Record<string, string>,
  owned: (key: string) => boolean,
  gone: string[] = [],
): boolean {
  const names = new Set([section, ...before.keys(), ...after.keys()]);
  for (const name of names) {
    const old = before.get(name);
    const now = after.get(name);
    if (name === section) {
      for (const [key, value] of Object.entries(values)) {
        if (now?.[key] !== value) return false;
      }
      if (old && !sameRecord(old, now ?? {}, owned)) return false;
      if (Object.keys(now ?? {}).some((k) => gone.includes(k.toLowerCase()))) {
        return false;
      }
    } else if (!old || !now || !sameRecord(old, now, () => false)) {
      return false;
    }
  }
  return true;
}

/** Whether two key maps agree on every key `skip` does not exclude. */
function sameRecord(
  a: Record<string, string>,
  b: Record<string, string>,
  skip: (key: string) => boolean,
): boolean {
  for (const key of Object.keys(a)) {
    if (!skip(key) && (!Object.hasOwn(b, key) || a[key] !== b[key])) {
      return false;
    }
  }
  for (const key of Object.keys(b)) {
    if (!skip(key) && !Object.hasOwn(a, key)) return false;
  }
  return true;
}

/**
 * Pure: a new document without `section` (exact name as botocore sees it;
 * every section of that name): its header and the lines up to the next
 * section. Keeps all other bytes, except that when the removed section was
 * the last one it also drops the empty line right before its header (the
 * one {@linkcode setKeys} adds) and, if the file ended without a line
 * ending, the new last line loses its line ending again.
 */
export function removeSection(doc: IniDocument, section: string): IniDocument {
  const ranges = sectionRanges(doc.lines, section);
  if (ranges.length === 0) return parseIni(serializeIni(doc));
  const lines = [...doc.lines];
  const endedBare = lines[lines.length - 1].eol === "";
  for (const [header, end] of ranges.reverse()) {
    const atEnd = end === lines.length;
    let from = header;
    if (
      atEnd && from > 0 && lines[from - 1].kind === "blank" &&
      lines[from - 1].text === ""
    ) {
      from--;
    }
    lines.splice(from, end - from);
    if (atEnd && endedBare && lines.length > 0) {
      lines[lines.length - 1] = { ...lines[lines.length - 1], eol: "" };
    }
  }
  return parseIni(serializeIni({ bom: doc.bom, lines, eol: doc.eol }));
}
