/**
 * A line-preserving document for the AWS config and credentials files.
 *
 * {@linkcode parseIni} never throws and loses nothing:
 * `serializeIni(parseIni(x)) === x` for every string. Each line is classified
 * the way botocore reads it; the lines are made when first asked for, and
 * `botocore.ts` (through `section_index.ts`) and `edit.ts` make them only
 * for the sections they read or change. `js_sdk.ts` models what the JS SDK
 * reads, and `edit.ts` changes only the lines it has to.
 *
 * @module
 */

import { pyIndent, pyRstrip, pyStrip } from "./python_text.ts";
import { lineEnd } from "./section_index.ts";

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

/** The section name botocore reads from a stripped line, if it is a header. */
function headerName(stripped: string): string | undefined {
  const close = stripped.lastIndexOf("]");
  return stripped[0] === "[" && close >= 2
    ? stripped.slice(1, close)
    : undefined;
}

/**
 * botocore's split of a stripped line into key and value, if it has one:
 * at the first `=` or `:`, the key right-stripped, the value stripped.
 */
export function splitOption(
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
 *
 * The lines are made when they are first asked for: reading a few sections
 * of a big file (`botocore.ts`) and editing one (`edit.ts`) go through the
 * text and a section index instead, and make lines only for those sections.
 */
export function parseIni(text: string): IniDocument {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  return documentOf(text, bom, firstEol(text, bom.length));
}

/**
 * {@linkcode parseIni} of `text` whose BOM and first line ending are known
 * (an edit spliced into a document's text, say): the text is not looked at
 * until its lines are asked for.
 */
export function documentOf(
  text: string,
  bom: string,
  eol: string,
): IniDocument {
  const doc = { bom, eol } as IniDocument;
  Object.defineProperty(doc, "lines", {
    get() {
      const lines = parseLines(text.slice(bom.length));
      Object.defineProperty(doc, "lines", {
        value: lines,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return lines;
    },
    enumerable: true,
    configurable: true,
  });
  texts.set(doc, text);
  return doc;
}

/** The first line ending of `text` from `from`, else `"\n"`. */
function firstEol(text: string, from: number): string {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) return "\n";
    if (code === 0x0d) return text.charCodeAt(i + 1) === 0x0a ? "\r\n" : "\r";
  }
  return "\n";
}

/**
 * The classified lines of `body`, a text without BOM that is a whole file or
 * starts at a section header: botocore carries nothing past a header, so a
 * section's text gives the same lines on its own as within its file.
 */
export function parseLines(body: string): IniLine[] {
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
  return lines;
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

/**
 * The known text of documents: the text a document was parsed from, or the
 * text of an edit spliced into it ({@linkcode spliceText}). Documents are
 * never changed once made, so it stays their text; a big file is then
 * written from one string instead of being joined again line by line.
 */
const texts = new WeakMap<IniDocument, string>();

/** Whether a document's lines end with a bare CR anywhere, once known. */
const bareCrs = new WeakMap<IniDocument, boolean>();

/**
 * Whether a line of `doc` ends with a bare CR (which the JS SDK does not
 * read as a line break); known without a look at the lines for a parsed
 * document and for an edit of one ({@linkcode spliceText}).
 */
export function hasBareCr(doc: IniDocument): boolean {
  let found = bareCrs.get(doc);
  if (found === undefined) {
    const text = texts.get(doc);
    found = text === undefined
      ? doc.lines.some((line) => line.eol === "\r")
      : bareCrIn(text);
    bareCrs.set(doc, found);
  }
  return found;
}

/** Whether `text` has a CR that is not followed by LF. */
function bareCrIn(text: string): boolean {
  for (
    let cr = text.indexOf("\r");
    cr !== -1;
    cr = text.indexOf("\r", cr + 1)
  ) {
    if (text.charCodeAt(cr + 1) !== 0x0a) return true;
  }
  return false;
}

/** The exact text of a document. `serializeIni(parseIni(x)) === x`. */
export function serializeIni(doc: IniDocument): string {
  const known = texts.get(doc);
  if (known !== undefined) return known;
  return joinLines(doc.bom, doc.lines, 0, doc.lines.length);
}

function joinLines(
  text: string,
  lines: readonly IniLine[],
  from: number,
  to: number,
): string {
  for (let i = from; i < to; i++) text += lines[i].text + lines[i].eol;
  return text;
}

/**
 * Record the text of `edited`, which has the lines of `doc` but for lines
 * [start, oldEnd) of `doc` that became lines [start, newEnd) of `edited`
 * (the same line objects before and after): the edited lines' text spliced
 * into the text of `doc`, which is not joined again; and whether it has a
 * bare CR ({@linkcode hasBareCr}). Returns where lines `start` and `oldEnd`
 * start in the text of `doc`.
 */
export function spliceText(
  doc: IniDocument,
  edited: IniDocument,
  start: number,
  oldEnd: number,
  newEnd: number,
): { from: number; to: number } {
  if (!hasBareCr(doc)) {
    let found = false;
    for (let i = start; i < newEnd && !found; i++) {
      found = edited.lines[i].eol === "\r";
    }
    bareCrs.set(edited, found);
  }
  let from = doc.bom.length;
  for (let i = 0; i < start; i++) {
    from += doc.lines[i].text.length + doc.lines[i].eol.length;
  }
  let to = from;
  for (let i = start; i < oldEnd; i++) {
    to += doc.lines[i].text.length + doc.lines[i].eol.length;
  }
  const text = texts.get(doc);
  if (text !== undefined && edited.bom === doc.bom) {
    texts.set(
      edited,
      joinLines(text.slice(0, from), edited.lines, start, newEnd) +
        text.slice(to),
    );
  }
  return { from, to };
}

/** linesHolding() results by document and string. */
const holding = new WeakMap<IniDocument, Map<string, LineSpan[]>>();

/** Where a line is in a document's text: [start, end), its ending left out. */
export interface LineSpan {
  /** Where the line starts (after a BOM for the first line). */
  start: number;
  /** Where its text ends. */
  end: number;
}

/**
 * The lines of `doc` that hold `needle` (not empty), in order, found in its
 * text without splitting it into lines; remembered per document, so a dry
 * run and the real edit of the same document search it once.
 */
export function linesHolding(doc: IniDocument, needle: string): LineSpan[] {
  let known = holding.get(doc);
  if (known === undefined) {
    known = new Map();
    holding.set(doc, known);
  }
  let spans = known.get(needle);
  if (spans !== undefined) return spans;
  spans = [];
  const text = serializeIni(doc);
  const from = doc.bom.length;
  for (
    let at = text.indexOf(needle, from);
    at !== -1;
    at = text.indexOf(needle, at + 1)
  ) {
    let start = at;
    while (start > from) {
      const code = text.charCodeAt(start - 1);
      if (code === 0x0a || code === 0x0d) break;
      start--;
    }
    const end = lineEnd(text, at);
    spans.push({ start, end });
    at = end;
  }
  known.set(needle, spans);
  return spans;
}

/** Indexes [header, end) of each section named `section` (botocore's name). */
export function sectionRanges(
  lines: IniLine[],
  section: string,
): [number, number][] {
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
