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

import {
  type IniDocument,
  type IniLine,
  parseLines,
  serializeIni,
} from "./document.ts";
import { IniError } from "./ini_error.ts";
import { shlexSplit } from "./python_text.ts";
import { indexText, nestedLineOk, type SectionIndex } from "./section_index.ts";

/** One key line as botocore reads it, with where it sits. */
export interface ReadKey {
  /** The value, botocore's meaning. */
  value: string;
  /** The first line of its nested block botocore cannot parse, or 0. */
  badNested: number;
}

/** Section indexes by document; documents are never changed once parsed. */
const indexes = new WeakMap<IniDocument, SectionIndex>();

/**
 * The document's section index ({@linkcode indexText}), made once per
 * document: reading profiles and then editing the same document twice (a
 * dry run, then the real edit) index it once.
 */
function sectionIndex(doc: IniDocument): SectionIndex {
  let index = indexes.get(doc);
  if (index === undefined) {
    index = indexText(serializeIni(doc));
    indexes.set(doc, index);
  }
  return index;
}

/**
 * The section index of a document botocore can read its lines of; throws
 * {@linkcode IniError} with the first problem botocore raises (a BOM, a
 * repeated section or key, a key line before the first section, a line it
 * cannot parse), in the order botocore finds them.
 */
export function readableIndex(doc: IniDocument): SectionIndex {
  const index = sectionIndex(doc);
  if (index.problem) {
    throw new IniError(index.problem.message, index.problem.line);
  }
  return index;
}

/** Whether the document has a section of that name (botocore's name). */
export function hasSection(doc: IniDocument, name: string): boolean {
  return readableIndex(doc).first.has(name);
}

/** The lines of section `at` of the index, parsed on their own. */
function sectionLines(
  doc: IniDocument,
  index: SectionIndex,
  at: number,
): IniLine[] {
  const end = at + 1 < index.starts.length ? index.starts[at + 1] : undefined;
  return parseLines(serializeIni(doc).slice(index.starts[at], end));
}

/** Key maps of the sections read, by document. */
const keyMaps = new WeakMap<IniDocument, Map<string, Map<string, ReadKey>>>();

/**
 * The keys of `section` in file order (lower-cased), botocore's meaning; all
 * `[DEFAULT]` sections' keys for `DEFAULT`. Empty for a missing section.
 * Throws like {@linkcode readableIndex}.
 */
export function sectionKeys(
  doc: IniDocument,
  section: string,
): Map<string, ReadKey> {
  const index = readableIndex(doc);
  let known = keyMaps.get(doc);
  if (known === undefined) {
    known = new Map();
    keyMaps.set(doc, known);
  }
  let keys = known.get(section);
  if (keys !== undefined) return keys;
  keys = new Map<string, ReadKey>();
  const first = index.first.get(section);
  if (first !== undefined) {
    const names = index.names;
    for (let at = first; at < names.length; at++) {
      if (names[at] !== section) continue;
      readKeys(sectionLines(doc, index, at), index.headerLines[at], keys);
      if (section !== "DEFAULT") break;
    }
  }
  known.set(section, keys);
  return keys;
}

/**
 * Add the keys of one section's `lines` (its header on line `header`,
 * 0-based) to `keys`, noting the first bad line of each nested block. The
 * document is readable, so there is no invalid or repeated line.
 */
function readKeys(
  lines: IniLine[],
  header: number,
  keys: Map<string, ReadKey>,
): void {
  let lastKey: ReadKey | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.kind === "nested") {
      if (lastKey && lastKey.badNested === 0 && !nestedLineOk(line.text)) {
        lastKey.badNested = header + i + 1;
      }
    } else if (line.kind === "key") {
      lastKey = { value: line.value ?? "", badNested: 0 };
      keys.set(line.key!.toLowerCase(), lastKey);
    }
  }
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
  const index = readableIndex(doc);
  const result = new Map<string, Record<string, string>>();
  for (const name of index.first.keys()) {
    if (name !== "DEFAULT") result.set(name, sectionRecord(doc, name));
  }
  return result;
}

/**
 * Section `name`'s record as {@linkcode readSections} gives it, its keys
 * and the `[DEFAULT]` keys it inherits; throws for a nested block line
 * without `=` in either.
 */
function sectionRecord(
  doc: IniDocument,
  name: string,
): Record<string, string> {
  const keys = sectionKeys(doc, name);
  const defaults = sectionKeys(doc, "DEFAULT");
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
  return record;
}

/**
 * Throws what {@linkcode readSections} would throw for `doc`, without
 * building its records when nothing is wrong.
 */
export function checkReadable(doc: IniDocument): void {
  if (readableIndex(doc).badNested) readSections(doc);
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
  if (!hasSection(doc, section) || section === "DEFAULT") return undefined;
  const record: Record<string, string> = {};
  for (const [key, read] of sectionKeys(doc, section)) {
    Object.defineProperty(record, key, {
      value: read.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return record;
}

type Records = Map<string, Record<string, string>>;

/** The names a {@linkcode LazyRecords} reads: a Map of them, or the index's table. */
type Names = Pick<ReadonlyMap<string, unknown>, "size" | "has" | "keys">;

/**
 * A Map of records by name over a map of the names (`skip` left out) that
 * makes each record when it is first read: `has`, `keys` and `size` read
 * the names only. Changing it first copies every entry into the Map itself.
 */
class LazyRecords extends Map<string, Record<string, string>> {
  #names: Names | undefined;
  #skip: string | undefined;
  #made = new Map<string, Record<string, string>>();
  #make: (key: string) => Record<string, string>;

  constructor(
    names: Names,
    skip: string | undefined,
    make: (key: string) => Record<string, string>,
  ) {
    super();
    this.#names = names;
    this.#skip = skip;
    this.#make = make;
  }

  override get size(): number {
    const names = this.#names;
    if (names === undefined) return super.size;
    const skip = this.#skip;
    return names.size - (skip !== undefined && names.has(skip) ? 1 : 0);
  }

  override has(key: string): boolean {
    const names = this.#names;
    if (names === undefined) return super.has(key);
    return key !== this.#skip && names.has(key);
  }

  override get(key: string): Record<string, string> | undefined {
    if (this.#names === undefined) return super.get(key);
    if (!this.has(key)) return undefined;
    let record = this.#made.get(key);
    if (record === undefined) {
      record = this.#make(key);
      this.#made.set(key, record);
    }
    return record;
  }

  /** Copy every entry into the Map itself, before it is changed. */
  #own(): void {
    if (this.#names === undefined) return;
    const entries = [...this.entries()];
    this.#names = undefined;
    for (const [key, value] of entries) super.set(key, value);
  }

  override set(key: string, value: Record<string, string>): this {
    this.#own();
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.#own();
    return super.delete(key);
  }

  override clear(): void {
    this.#own();
    super.clear();
  }

  override keys(): MapIterator<string> {
    const names = this.#names;
    if (names === undefined) return super.keys();
    const skip = this.#skip;
    return (function* () {
      for (const key of names.keys()) if (key !== skip) yield key;
    })() as MapIterator<string>;
  }

  override values(): MapIterator<Record<string, string>> {
    if (this.#names === undefined) return super.values();
    const keys = this.keys();
    return (function* (map: LazyRecords) {
      for (const key of keys) yield map.get(key)!;
    })(this) as MapIterator<Record<string, string>>;
  }

  override entries(): MapIterator<[string, Record<string, string>]> {
    if (this.#names === undefined) return super.entries();
    const keys = this.keys();
    return (function* (map: LazyRecords) {
      for (const key of keys) {
        yield [key, map.get(key)!] as [string, Record<string, string>];
      }
    })(this) as MapIterator<[string, Record<string, string>]>;
  }

  override [Symbol.iterator](): MapIterator<[string, Record<string, string>]> {
    return this.entries();
  }

  override forEach(
    callback: (
      value: Record<string, string>,
      key: string,
      map: Records,
    ) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.entries()) {
      callback.call(thisArg, value, key, this);
    }
  }
}

/**
 * Profiles as AWS tools resolve them, botocore's meaning (config:
 * `[profile x]` split shell-style, and `[default]`, the later of
 * `[default]`/`[profile default]` winning; credentials: every section).
 * Throws {@linkcode IniError} like {@linkcode readSections}. Each profile's
 * record is made when it is first read.
 */
export function readProfiles(
  doc: IniDocument,
  file: "credentials" | "config",
): Map<string, Record<string, string>> {
  checkReadable(doc);
  const index = readableIndex(doc);
  if (file === "credentials") {
    return new LazyRecords(
      index.first,
      "DEFAULT",
      (name) => sectionRecord(doc, name),
    );
  }
  const sections = new Map<string, string>();
  for (const name of index.first.keys()) {
    if (name.startsWith("profile")) {
      const parts = shlexSplit(name);
      if (parts?.length === 2) sections.set(parts[1], name);
    } else if (name === "default") {
      sections.set(name, name);
    }
  }
  return new LazyRecords(
    sections,
    undefined,
    (profile) => sectionRecord(doc, sections.get(profile)!),
  );
}
