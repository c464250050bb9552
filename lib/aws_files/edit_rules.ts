/**
 * What {@linkcode setKeys} (`edit.ts`) refuses before it edits: sections and
 * keys awsmfa does not write, values that either parser would read
 * differently, a file the JS SDK cannot read at all, and keys a section would
 * inherit from `[DEFAULT]`.
 *
 * @module
 */

import type { IniDocument } from "./document.ts";
import { IniError } from "./ini_error.ts";
import { checkReadable, hasSection, sectionKeys } from "./botocore.ts";
import { jsProtoLine } from "./js_sdk.ts";
import { pyStrip } from "./python_text.ts";

/** Keys awsmfa writes. */
const PLAIN_KEY = /^[a-z0-9_]+$/;

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
  if (!hasSection(doc, "DEFAULT")) return;
  const defaults = sectionKeys(doc, "DEFAULT");
  const own = hasSection(doc, section) ? sectionKeys(doc, section) : undefined;
  if (own !== undefined && Object.keys(values).length === 0) return;
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
 * Throws {@linkcode IniError} when `section` cannot have `values` set and
 * `remove` deleted in `doc`, for the reasons {@linkcode setKeys} lists
 * before its edit is made: an unreadable document, `[DEFAULT]`, a name
 * without one line, keys that are not plain lower-case, a value either
 * parser would change, a key both written and removed, a `[__proto__]`
 * section, and keys inherited from `[DEFAULT]`.
 */
export function checkRequest(
  doc: IniDocument,
  section: string,
  values: Record<string, string>,
  remove: string[],
): void {
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
}
