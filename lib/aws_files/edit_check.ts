/**
 * The check of every edit: both parsers (as modelled in `botocore.ts` and
 * `js_sdk.ts`) must read every section but the edited one as before, and
 * the edited one with exactly the intended change. Where the changed region
 * can be judged on its own, only that region is read.
 *
 * @module
 */

import {
  type IniDocument,
  type IniLine,
  linesHolding,
  serializeIni,
} from "./document.ts";
import { IniError } from "./ini_error.ts";
import { hasSection, readableIndex, readSections } from "./botocore.ts";
import { jsHeaderName, jsSdkSections } from "./js_sdk.ts";
import { shlexSplit } from "./python_text.ts";
import type { Edited, Region } from "./reparse.ts";
import { headerAt } from "./section_index.ts";

/**
 * Whether a line of `doc` outside `region` holds `needle` (or "[" for an
 * empty needle) and `test` holds for its text and start. Only the lines
 * holding the needle are looked at ({@linkcode linesHolding}).
 */
function someLineOutside(
  doc: IniDocument,
  region: Region,
  needle: string,
  test: (start: number, text: string) => boolean,
): boolean {
  const text = serializeIni(doc);
  for (const span of linesHolding(doc, needle === "" ? "[" : needle)) {
    if (span.start >= region.startOffset && span.start < region.oldEndOffset) {
      continue;
    }
    if (test(span.start, text.slice(span.start, span.end))) return true;
  }
  return false;
}

/**
 * The changed region of an edit as two small documents (before, after), or
 * null when the region cannot be judged on its own: it does not hold the
 * header of `section`, the file has `[DEFAULT]`
 * (whose keys every other section inherits), a section the JS SDK would
 * merge with one outside the region, or the file holds a section the JS SDK
 * model refuses (`__proto__`).
 */
function regionParts(
  doc: IniDocument,
  result: IniDocument,
  region: Region,
  section: string,
): { before: IniDocument; after: IniDocument } | null {
  // [DEFAULT] gives its keys to every section, the edited one included.
  if (hasSection(doc, "DEFAULT")) return null;
  const { before, after } = region;
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
  // A line outside that mentions __proto__ and holds "[" may be a header
  // the JS SDK model refuses.
  if (
    someLineOutside(doc, region, "__proto__", (_, text) => text.includes("["))
  ) {
    return null;
  }
  // A JS SDK name holds the text after its kind (`profile.x` comes from a
  // header holding `x`), so only lines holding that are read as headers.
  const merges = (_: number, text: string) => {
    if (!text.includes("[")) return false;
    const other = jsHeaderName(text);
    return other !== undefined && inside.has(other);
  };
  for (const name of inside) {
    const needle = name.slice(name.indexOf(".") + 1);
    if (someLineOutside(doc, region, needle, merges)) return null;
  }
  return {
    before: { bom: "", lines: before, eol: doc.eol },
    after: { bom: "", lines: after, eol: result.eol },
  };
}

/**
 * Whether the edited document has a section line (botocore's) that the JS
 * SDK reads as `jsName`: in the changed region's new lines, or outside it
 * in the old document (the same lines as in the new one).
 */
function hasJsSection(
  doc: IniDocument,
  result: IniDocument,
  region: Region | undefined,
  jsName: string,
): boolean {
  const named = (line: IniLine) =>
    line.kind === "section" && jsHeaderName(line.text) === jsName;
  if (region === undefined) return result.lines.some(named);
  if (region.after.some(named)) return true;
  const index = readableIndex(doc);
  const needle = jsName.slice(jsName.indexOf(".") + 1);
  return someLineOutside(
    doc,
    region,
    needle,
    (start, text) =>
      jsHeaderName(text) === jsName && headerAt(index, start) !== -1,
  );
}

/**
 * Refuse an edit unless both parsers (as modelled here) read every section
 * but `section` as before and `section` with exactly the intended change.
 */
export function checkEdit(
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
    botoBefore = readSections(beforeDoc);
    after = readSections(afterDoc);
  } catch {
    return refuse("the AWS CLI");
  }
  if (region) {
    // A section the edit added must not exist outside the region. (No
    // [DEFAULT] here: regionParts() gives no region when there is one.)
    for (const name of after.keys()) {
      if (!botoBefore.has(name) && hasSection(doc, name)) refuse("the AWS CLI");
    }
  }
  const owned = (key: string) =>
    Object.hasOwn(values, key) || remove.includes(key);
  if (!sameSections(botoBefore, after, section, values, owned)) {
    refuse("the AWS CLI");
  }

  // The header is in the region when there is one (regionParts() saw it).
  const header = afterDoc.lines.find((line) => line.section === section)!;
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
    if (hasJsSection(doc, result, region ? edited.region : undefined, other)) {
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
