/**
 * Editing a document: {@linkcode setKeys} sets and removes keys of one
 * section, changing only the lines it has to, and returns the edit only when
 * {@linkcode checkEdit} finds that both parsers read it as intended.
 *
 * @module
 */

import type { IniDocument, IniLine } from "./document.ts";
import { sectionRanges } from "./document.ts";
import { IniError } from "./ini_error.ts";
import { checkRequest } from "./edit_rules.ts";
import { checkEdit } from "./edit_check.ts";
import { reparse } from "./reparse.ts";
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
  const where = `[${section}]`;
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

function newLine(text: string, eol: string): IniLine {
  return { text, eol, kind: "blank" };
}
