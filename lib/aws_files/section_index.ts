/**
 * A compact index of an INI text as botocore reads it, made in one pass over
 * the text without an object per line: each section's name and where its
 * header is (line and offset), and the first problem botocore raises, if any
 * (the same sentence and line as reading every line would give).
 *
 * Lines and key maps are then made only for the sections that are read or
 * edited (`botocore.ts`, `edit.ts`): a refresh against a file of 100,000
 * profiles reads three sections, not 100,000.
 *
 * The pass follows `classify()` in `document.ts` (which kind each line is)
 * and botocore's checks in `botocore.ts`;
 * `tests/aws_files/ini_property_test.ts` compares both with botocore.
 *
 * @module
 */

import { isPySpace, PY_LINE_BREAK, pyStrip } from "./python_text.ts";

/** What botocore reads from a text: its sections, or the first problem. */
export interface SectionIndex {
  /**
   * botocore's first problem with the text (the sentence, starting with
   * "line N", and that 1-based line), or null. With a problem the sections
   * below may be incomplete.
   */
  problem: { message: string; line: number } | null;
  /** Each section's name as botocore reads it, in file order. */
  names: string[];
  /** Each section's header line, 0-based. */
  headerLines: number[];
  /** The offset in the text where each section's header line starts. */
  starts: number[];
  /** Section name -> its first section's position in the arrays above. */
  first: FirstSections;
  /** How many lines the text has. */
  lineCount: number;
  /** Whether a nested block has a line botocore cannot parse. */
  badNested: boolean;
}

/**
 * Section names -> the position of the first section of that name in
 * `names`, with a Map's `size`, `has`, `get` and `keys`: a hash table of
 * positions over the names array, cheaper to fill for 100,000 sections than
 * a Map of strings.
 */
export class FirstSections {
  #names: string[];
  #table: Int32Array; // position + 1; 0 is a free slot
  #hashes: Int32Array; // the hash of each slot's name
  #count = 0;

  /**
   * An empty table over `names` (positions are added with `claim`), with
   * room for about `expected` names before it grows.
   */
  constructor(names: string[], expected = 0) {
    this.#names = names;
    let size = 1024;
    while (size < 2 * expected && size < 1 << 20) size *= 2;
    this.#table = new Int32Array(size);
    this.#hashes = new Int32Array(size);
  }

  /** The position of the first section named `name`, or -1. */
  find(name: string): number {
    const hash = hashOf(name);
    const table = this.#table;
    const mask = table.length - 1;
    for (let slot = hash & mask;; slot = (slot + 1) & mask) {
      const entry = table[slot];
      if (entry === 0) return -1;
      if (this.#hashes[slot] === hash && this.#names[entry - 1] === name) {
        return entry - 1;
      }
    }
  }

  /**
   * The position of the first section named `name`, or -1 after taking
   * `at` as its position (the caller puts `name` at `at` in the names).
   */
  claim(name: string, at: number): number {
    if (2 * (this.#count + 1) > this.#table.length) this.#grow();
    const hash = hashOf(name);
    const table = this.#table;
    const mask = table.length - 1;
    let slot = hash & mask;
    for (;; slot = (slot + 1) & mask) {
      const entry = table[slot];
      if (entry === 0) break;
      if (this.#hashes[slot] === hash && this.#names[entry - 1] === name) {
        return entry - 1;
      }
    }
    table[slot] = at + 1;
    this.#hashes[slot] = hash;
    this.#count++;
    return -1;
  }

  #grow(): void {
    const oldTable = this.#table;
    const oldHashes = this.#hashes;
    const table = new Int32Array(oldTable.length * 2);
    const hashes = new Int32Array(oldTable.length * 2);
    const mask = table.length - 1;
    for (let i = 0; i < oldTable.length; i++) {
      if (oldTable[i] === 0) continue;
      let slot = oldHashes[i] & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = oldTable[i];
      hashes[slot] = oldHashes[i];
    }
    this.#table = table;
    this.#hashes = hashes;
  }

  /** How many names. */
  get size(): number {
    return this.#count;
  }

  /** Whether a section is named `name`. */
  has(name: string): boolean {
    return this.find(name) !== -1;
  }

  /** The position of the first section named `name`. */
  get(name: string): number | undefined {
    const at = this.find(name);
    return at === -1 ? undefined : at;
  }

  /** The names in file order, each once. */
  *keys(): MapIterator<string> {
    const names = this.#names;
    for (let at = 0; at < names.length; at++) {
      const name = names[at];
      if (this.find(name) === at) yield name;
    }
  }
}

/** A seed of hashOf() per process, so no file can be made to collide. */
const HASH_SEED = (Math.random() * 0x100000000) | 0;

/** FNV-1a of a string's UTF-16 code units, from a random start. */
function hashOf(text: string): number {
  let hash = HASH_SEED;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash & 0x7fffffff;
}

/** Python whitespace among ASCII characters (tab to CR, FS to US, space). */
const ASCII_SPACE = new Uint8Array(128).map((_, code) =>
  code === 0x20 || (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x1f)
    ? 1
    : 0
);

/**
 * Python whitespace ({@linkcode isPySpace}), with a table for ASCII: the
 * index pass tests characters of every line, and a small test keeps its
 * compiled code small.
 */
function isSpace(code: number): boolean {
  return code < 0x80 ? ASCII_SPACE[code] === 1 : isPySpace(code);
}

/** The message of a line that looks like a header without its `]`. */
const BROKEN_HEADER =
  "starts a section header with [ but has no closing ]; write it as [NAME] on one line";

/** Whether botocore's nested-block parser accepts one nested line. */
export function nestedLineOk(text: string): boolean {
  return pyStrip(text).split(PY_LINE_BREAK).every((part) =>
    pyStrip(part) === "" || part.includes("=")
  );
}

/** Index `text` (a whole file, BOM included) in one pass. */
export function indexText(text: string): SectionIndex {
  const names: string[] = [];
  const index: SectionIndex = {
    problem: null,
    names,
    headerLines: [],
    starts: [],
    // Room for a section per 100 bytes of text (a header and two keys).
    first: new FirstSections(names, text.length / 100),
    lineCount: 0,
    badNested: false,
  };
  if (text.charCodeAt(0) === 0xfeff) {
    index.problem = {
      message: "line 1 starts with a UTF-8 byte order mark (BOM).",
      line: 1,
    };
    return index;
  }
  const firstSections = index.first;
  const fail = (message: string, line: number) => {
    index.problem = { message: `line ${line} ${message}.`, line };
    return index;
  };
  // classify()'s state: in a section, a key whose value may continue (and
  // whether its value is empty, so indented lines are a nested block).
  let inSection = false;
  let option = false;
  let optionEmpty = false;
  let indentLevel = 0;
  // botocore's: the current key's nested block already has a bad line; the
  // keys of the current section ([DEFAULT]'s add up).
  let keyBad = false;
  const sectionKeys = new KeySet(text);
  const defaultKeys = new KeySet(text);
  let keys = sectionKeys;
  let currentName = "";
  let firstInvalid = 0;
  let invalidReason = "";
  const length = text.length;
  let lf = text.indexOf("\n");
  let cr = text.indexOf("\r");
  const dottedI = text.includes("\u0130");
  let equals = text.indexOf("=");
  let colon = text.indexOf(":");
  let next = 0;
  let line = 0;
  while (next < length) {
    // The line [start, end), broken where parseIni breaks: \r\n, \r or \n.
    const start = next;
    if (lf !== -1 && lf < start) lf = text.indexOf("\n", start);
    if (cr !== -1 && cr < start) cr = text.indexOf("\r", start);
    let end: number;
    if (lf === -1 && cr === -1) {
      end = length;
      next = length;
    } else if (cr === -1 || (lf !== -1 && lf < cr)) {
      end = lf;
      next = lf + 1;
    } else {
      end = cr;
      next = text.charCodeAt(cr + 1) === 0x0a ? cr + 2 : cr + 1;
    }
    line++;
    let first = start;
    while (first < end && isSpace(text.charCodeAt(first))) first++;
    if (first === end) continue; // blank
    const char = text.charCodeAt(first);
    if (char === 0x23 || char === 0x3b) continue; // # or ;: a comment
    const indent = first - start;
    if (inSection && option && indent > indentLevel) {
      // A continuation line, or a line of a nested block.
      if (optionEmpty && !keyBad && !nestedLineOk(text.slice(start, end))) {
        keyBad = true;
        index.badNested = true;
      }
      continue;
    }
    indentLevel = indent;
    let last = end;
    while (last > first && isSpace(text.charCodeAt(last - 1))) last--;
    // The stripped line is [first, last). A header: `[`, and a `]` at least
    // two characters after it.
    let close = -1;
    if (char === 0x5b) {
      for (let i = last - 1; i >= first + 2; i--) {
        if (text.charCodeAt(i) === 0x5d) {
          close = i;
          break;
        }
      }
    }
    if (close !== -1) {
      const name = text.slice(first + 1, close);
      option = false;
      inSection = true;
      currentName = name;
      const known = firstSections.claim(name, names.length);
      if (name === "DEFAULT") {
        keys = defaultKeys;
      } else if (known !== -1) {
        return fail(`repeats the section [${name}]`, line);
      } else {
        sectionKeys.clear();
        keys = sectionKeys;
      }
      names.push(name);
      index.headerLines.push(line - 1);
      index.starts.push(start);
      continue;
    }
    // botocore's split at the first = or : (the next of each in the text
    // is kept, so the text is searched once for each).
    if (equals !== -1 && equals < first) equals = text.indexOf("=", first);
    if (colon !== -1 && colon < first) colon = text.indexOf(":", first);
    let at = colon === -1 || (equals !== -1 && equals < colon) ? equals : colon;
    if (at >= last) at = -1;
    if (at === -1) {
      // A line botocore refuses; the key before it goes on.
      let broken = char === 0x5b;
      for (let i = first; broken && i < last; i++) {
        if (text.charCodeAt(i) === 0x5d) broken = false;
      }
      if (!inSection) {
        return fail(
          broken ? BROKEN_HEADER : "comes before the first [section]",
          line,
        );
      }
      if (!firstInvalid) {
        firstInvalid = line;
        invalidReason = broken
          ? BROKEN_HEADER
          : "has no = and is not a [section] or a comment";
      }
      continue;
    }
    let keyEnd = at;
    while (keyEnd > first && isSpace(text.charCodeAt(keyEnd - 1))) keyEnd--;
    if (keyEnd === first) {
      // Nothing before the separator: refused, and no key goes on.
      option = false;
      if (!inSection) return fail("comes before the first [section]", line);
      if (!firstInvalid) {
        firstInvalid = line;
        invalidReason = "has nothing before its separator";
      }
      if (!keys.add(dottedI, first, first)) {
        return fail(`repeats the key  of [${currentName}]`, line);
      }
      continue;
    }
    let value = at + 1;
    while (value < last && isSpace(text.charCodeAt(value))) value++;
    option = inSection;
    optionEmpty = value === last;
    keyBad = false;
    if (!inSection) return fail("comes before the first [section]", line);
    if (!keys.add(dottedI, first, keyEnd)) {
      const key = text.slice(first, keyEnd).toLowerCase();
      return fail(`repeats the key ${key} of [${currentName}]`, line);
    }
  }
  index.lineCount = line;
  if (firstInvalid) return fail(invalidReason, firstInvalid);
  return index;
}

/** Past this many keys a section's keys are kept as a Set of strings. */
const FEW_KEYS = 32;

/**
 * The keys of a section, lower-cased: offsets into the text while they are
 * few (no string made per key), then a Set, so that a section of 100,000
 * keys is checked in linear time too.
 */
class KeySet {
  #text: string;
  // (start, end) of each key in [0, #used); a fixed array reused by every
  // section, as emptying an array costs more than the section's keys.
  #offsets = new Int32Array(2 * FEW_KEYS);
  #used = 0;
  #set: Set<string> | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  /** Empty it, for the next section. */
  clear(): void {
    this.#used = 0;
    this.#set = undefined;
  }

  /** Add the key text[start, end); false when it is there already. */
  add(dottedI: boolean, start: number, end: number): boolean {
    const text = this.#text;
    let set = this.#set;
    if (set === undefined) {
      const offsets = this.#offsets;
      const used = this.#used;
      if (hasKey(text, dottedI, offsets, used, start, end)) return false;
      if (used < offsets.length) {
        offsets[used] = start;
        offsets[used + 1] = end;
        this.#used = used + 2;
        return true;
      }
      set = this.#set = new Set();
      for (let k = 0; k < used; k += 2) {
        set.add(text.slice(offsets[k], offsets[k + 1]).toLowerCase());
      }
    }
    const key = text.slice(start, end).toLowerCase();
    if (set.has(key)) return false;
    set.add(key);
    return true;
  }
}

/**
 * Whether the key text[start, end) is, lower-cased, one of the first `used`
 * numbers of `keys` (pairs of offsets), mostly without making strings:
 * lower-casing folds A-Z, and keeps a string's length unless it holds U+0130 (`dottedI`, the only
 * character whose lower case is longer); where other characters than ASCII
 * differ, both keys are lower-cased and compared.
 */
function hasKey(
  text: string,
  dottedI: boolean,
  keys: Int32Array,
  used: number,
  start: number,
  end: number,
): boolean {
  const length = end - start;
  for (let k = 0; k < used; k += 2) {
    const other = keys[k];
    const otherEnd = keys[k + 1];
    if (otherEnd - other !== length) {
      if (dottedI && sameLower(text, other, otherEnd, start, end)) return true;
      continue;
    }
    let same = true;
    for (let i = 0; i < length && same; i++) {
      let a = text.charCodeAt(other + i);
      let b = text.charCodeAt(start + i);
      if (a === b) continue;
      if (a > 0x7f || b > 0x7f) {
        same = sameLower(text, other, otherEnd, start, end);
        break;
      }
      if (a >= 0x41 && a <= 0x5a) a += 0x20;
      if (b >= 0x41 && b <= 0x5a) b += 0x20;
      same = a === b;
    }
    if (same) return true;
  }
  return false;
}

/** Whether text[aStart, aEnd) and text[bStart, bEnd) are the same lower-cased. */
function sameLower(
  text: string,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): boolean {
  return text.slice(aStart, aEnd).toLowerCase() ===
    text.slice(bStart, bEnd).toLowerCase();
}

/** Where a line that starts at `start` ends (before its line ending). */
export function lineEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || code === 0x0d) return i;
  }
  return text.length;
}

/** Where the line after the one that starts at `start` starts. */
export function nextLine(text: string, start: number): number {
  const end = lineEnd(text, start);
  if (end === text.length) return end;
  return text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a
    ? end + 2
    : end + 1;
}

/**
 * The 0-based number of the line that starts at offset `at`, counting lines
 * from offset `from` (after a BOM).
 */
export function lineNumberAt(text: string, at: number, from = 0): number {
  let number = 0;
  for (let i = from; i < at; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) number++;
    else if (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a) number++;
  }
  return number;
}

/** The position in `index` of the section whose header line starts at `at`, or -1. */
export function headerAt(index: SectionIndex, at: number): number {
  const starts = index.starts;
  let low = 0;
  let high = starts.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (starts[middle] === at) return middle;
    if (starts[middle] < at) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
