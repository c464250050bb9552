/**
 * A model of what the JS SDK (`parseIni` of `@smithy/shared-ini-file-loader`)
 * reads from the same text: its section names, its comment rule, and its
 * sections and keys. `botocore.ts` lists where the two parsers differ.
 *
 * @module
 */

import { type IniDocument, linesHolding, serializeIni } from "./document.ts";
import { lineNumberAt } from "./section_index.ts";

/** Section kinds the JS SDK reads as `kind.name` (`IniSectionType`). */
const JS_SECTION_TYPES = ["profile", "sso-session", "services"];
/** The JS SDK's `prefixKeyRegex`: `kind name` section names. */
const JS_PREFIXED = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;

/** The section name the JS SDK's `parseIni` gives a `[name]` header. */
export function jsSectionName(name: string): string | undefined {
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
export function jsSdkSections(
  text: string,
): Map<string, Map<string, string>> | null {
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

/** A line up to the JS SDK's comment start (`#`/`;` first or after a space). */
function jsStripComment(line: string): string {
  if (line.indexOf("#") === -1 && line.indexOf(";") === -1) return line;
  return line.split(/(^|\s)[;#]/)[0];
}

/** The name between the brackets of a line the JS SDK reads as a header. */
function jsHeaderText(text: string): string | undefined {
  const trimmed = jsStripComment(text).trim();
  if (trimmed[0] !== "[" || trimmed[trimmed.length - 1] !== "]") {
    return undefined;
  }
  return trimmed.substring(1, trimmed.length - 1);
}

/** The JS SDK's section name for a header line, if it reads it as one. */
export function jsHeaderName(text: string): string | undefined {
  const name = jsHeaderText(text);
  return name === undefined ? undefined : jsSectionName(name);
}

/**
 * The 1-based line and name of the first `[__proto__]` or
 * `[profile __proto__]` header as the JS SDK reads headers, or line 0: with
 * one, the JS SDK reads the whole file as empty. Only lines holding
 * `__proto__` are looked at.
 */
export function jsProtoLine(doc: IniDocument): { line: number; name: string } {
  for (const span of linesHolding(doc, "__proto__")) {
    const text = serializeIni(doc);
    const header = jsHeaderText(text.slice(span.start, span.end));
    if (header === "__proto__" || header === "profile __proto__") {
      return {
        line: lineNumberAt(text, span.start, doc.bom.length) + 1,
        name: header,
      };
    }
  }
  return { line: 0, name: "" };
}
