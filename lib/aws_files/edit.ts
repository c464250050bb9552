/**
 * Editing a document: {@linkcode setKeys} sets and removes keys of one
 * section, changing only the lines it has to, and returns the edit only when
 * {@linkcode checkEdit} finds that both parsers read it as intended.
 *
 * @module
 */

import {
  documentOf,
  hasBareCr,
  type IniDocument,
  type IniLine,
  parseIni,
  sectionRanges,
  serializeIni,
} from "./document.ts";
import { readableIndex } from "./botocore.ts";
import { jsHeaderName } from "./js_sdk.ts";
import { lineEnd, nextLine } from "./section_index.ts";
import { IniError } from "./ini_error.ts";
import { checkRequest } from "./edit_rules.ts";
import { checkEdit } from "./edit_check.ts";
import { type Region, reparse } from "./reparse.ts";
import { pyIndent, pyStrip } from "./python_text.ts";

/** botocore's key/value separators. */
const PY_SEPARATOR = /[=:]/;

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
  checkRequest(doc, section, values, remove);
  return editWindow(doc, section, values, remove) ??
    editWhole(doc, section, values, remove);
}

/** setKeys() on the whole document's lines. */
function editWhole(
  doc: IniDocument,
  section: string,
  values: Record<string, string>,
  remove: string[],
): IniDocument {
  const lines = [...doc.lines];
  // checkRequest refused a repeated section: there is at most one.
  const [range] = sectionRanges(lines, section);
  editLines(lines, range, doc.eol, 0, section, values, remove);
  const edited = reparse(doc, lines);
  checkEdit(doc, edited, section, values, remove);
  return edited.doc;
}

/** How far editWindow() looks for a header both parsers read. */
const WINDOW_REACH = 16;

/**
 * setKeys() on a window of a readable document: from a header both parsers
 * read before the section (or the file's start) to the first header both
 * read after it, that header included (or the file's end); for a section
 * that is added, the file's last such section. The window is parsed on its
 * own (both parsers carry nothing past such a header), edited and checked
 * as the whole document would be, and spliced into the text; the other
 * sections get no lines. Undefined where the window would not give what
 * the whole document gives (a bare CR, an edit that reaches past the
 * window, no header in reach): then the whole document is edited.
 */
function editWindow(
  doc: IniDocument,
  section: string,
  values: Record<string, string>,
  remove: string[],
): IniDocument | undefined {
  if (hasBareCr(doc)) return undefined;
  const index = readableIndex(doc);
  const text = serializeIni(doc);
  const { names, headerLines, starts } = index;
  const both = (at: number) =>
    jsHeaderName(text.slice(starts[at], lineEnd(text, starts[at]))) !==
      undefined;
  const target = index.first.get(section);
  // The window starts at a header both read on a line before the header
  // (or, to add a section, before the last line): reparse() starts the
  // changed region one line before the first change.
  const anchor = target !== undefined
    ? headerLines[target]
    : index.lineCount - 1;
  let first = (target ?? names.length) - 1;
  while (first >= 0 && headerLines[first] > anchor - 1) first--;
  for (let reach = 0; first >= 0 && !both(first); reach++, first--) {
    if (reach === WINDOW_REACH) return undefined;
  }
  const startLine = first >= 0 ? headerLines[first] : 0;
  const startOffset = first >= 0 ? starts[first] : 0;
  let endOffset = text.length;
  let trailing = false;
  if (target !== undefined) {
    let after = target + 1;
    for (let reach = 0; after < names.length && !both(after); after++) {
      if (++reach === WINDOW_REACH) return undefined;
    }
    if (after < names.length) {
      endOffset = nextLine(text, starts[after]);
      trailing = true;
    }
  }
  const window = parseIni(text.slice(startOffset, endOffset));
  const lines = [...window.lines];
  const range: [number, number] | undefined = target === undefined
    ? undefined
    : [
      headerLines[target] - startLine,
      (target + 1 < names.length ? headerLines[target + 1] : index.lineCount) -
      startLine,
    ];
  editLines(lines, range, doc.eol, startLine, section, values, remove);
  const edited = reparse(window, lines);
  const part = edited.region;
  if (
    part === undefined ||
    (trailing && part.oldEnd !== window.lines.length - 1) ||
    !part.after.some((line) =>
      line.kind === "section" && line.section === section
    )
  ) {
    return undefined;
  }
  const resultText = text.slice(0, startOffset) + serializeIni(edited.doc) +
    text.slice(endOffset);
  // The text before the window ends a line: the first line ending stays.
  const result = startOffset > 0
    ? documentOf(resultText, doc.bom, doc.eol)
    : parseIni(resultText);
  const region: Region = {
    ...part,
    start: part.start + startLine,
    oldEnd: part.oldEnd + startLine,
    newEnd: part.newEnd + startLine,
    startOffset: part.startOffset + startOffset,
    oldEndOffset: part.oldEndOffset + startOffset,
  };
  checkEdit(doc, { doc: result, region }, section, values, remove);
  return result;
}

/**
 * Make the edit in `lines` (changed in place): `range` is [header, end) of
 * `section` in them, or undefined to add it at their end; `eol` is the
 * file's line ending and `lineOffset` the file's line number of lines[0]
 * less one, for messages.
 */
function editLines(
  lines: IniLine[],
  range: [number, number] | undefined,
  eol: string,
  lineOffset: number,
  section: string,
  values: Record<string, string>,
  remove: string[],
): void {
  const where = `[${section}]`;
  const added: string[] = Object.keys(values);
  let insertAt: number;
  let newLines: IniLine[];
  if (range !== undefined) {
    const [header, end] = range;
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
      const number = i + 1 + lineOffset;
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
    newLines = added.map((key) => newLine(`${key} = ${values[key]}`, eol));
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
    newLines = [newLine(`[${section}]`, eol)];
    // Always one empty line of its own before it, so that taking the
    // section back out with that line gives back every byte.
    if (lines.length > 0) newLines.unshift(newLine("", eol));
    newLines.push(
      ...added.map((key) => newLine(`${key} = ${values[key]}`, eol)),
    );
  }

  if (newLines.length > 0) {
    // A bare CR would also join a following "\n" into one CRLF line ending.
    if (eol === "\r" || lines[insertAt - 1]?.eol === "\r") {
      throw new IniError(
        `Cannot add lines to ${where}: the file ends lines with a bare CR, which the JS SDK does not read as a line break.`,
        0,
      );
    }
    if (
      insertAt === lines.length && insertAt > 0 &&
      lines[insertAt - 1].eol === ""
    ) {
      lines[insertAt - 1] = { ...lines[insertAt - 1], eol: eol };
      newLines[newLines.length - 1].eol = "";
    }
    lines.splice(insertAt, 0, ...newLines);
  }
}

function newLine(text: string, eol: string): IniLine {
  return { text, eol, kind: "blank" };
}
