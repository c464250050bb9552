/**
 * Classifying the lines of an edited document again, parsing only the region
 * that changed where that is safe.
 *
 * @module
 */

import {
  hasBareCr,
  type IniDocument,
  type IniLine,
  parseIni,
  serializeIni,
  spliceText,
} from "./document.ts";
import { jsHeaderName } from "./js_sdk.ts";

/**
 * Where an edit changed a document: lines [start, oldEnd) of the old one
 * became lines [start, newEnd) of the new one, and both parsers begin a new
 * section at `start` (or it is 0) and at `oldEnd`/`newEnd` (or that is the
 * end), so the lines outside read the same in both.
 */
export interface Region {
  /** The first changed line, in both. */
  start: number;
  /** The end of the changed lines in the old document. */
  oldEnd: number;
  /** The end of the changed lines in the new document. */
  newEnd: number;
  /** Where line `start` starts in the old document's text. */
  startOffset: number;
  /** Where line `oldEnd` starts in the old document's text. */
  oldEndOffset: number;
  /** Lines [start, oldEnd) of the old document. */
  before: IniLine[];
  /** Lines [start, newEnd) of the new document. */
  after: IniLine[];
}

/** An edited document, and the region that changed when it is known. */
export interface Edited {
  /** The edited document. */
  doc: IniDocument;
  /** The lines that changed, when they can be judged on their own. */
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
export function reparse(doc: IniDocument, lines: IniLine[]): Edited {
  const whole = (): Edited => ({
    doc: parseIni(serializeIni({ bom: doc.bom, lines, eol: doc.eol })),
  });
  const old = doc.lines;
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
  // The lines outside [prefix, lines.length - suffix) are the document's own.
  if (hasBareCr(doc)) return whole();
  for (let i = prefix; i < lines.length - suffix; i++) {
    if (lines[i].eol === "\r") return whole();
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
    const edited = { bom: doc.bom, lines: result, eol };
    const { from, to } = spliceText(doc, edited, start, oldEnd, newEnd);
    return {
      doc: edited,
      region: {
        start,
        oldEnd,
        newEnd,
        startOffset: from,
        oldEndOffset: to,
        before: old.slice(start, oldEnd),
        after: part.lines.slice(0, newEnd - start),
      },
    };
  }
}
