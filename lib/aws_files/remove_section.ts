/**
 * Taking a whole section out of a document.
 *
 * @module
 */

import {
  type IniDocument,
  parseIni,
  sectionRanges,
  serializeIni,
} from "./document.ts";

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
