/**
 * Python's string rules that botocore's reading follows: its whitespace
 * (`str.isspace`), `strip`, and `shlex.split`.
 *
 * @module
 */

/** Where Python's `str.splitlines` breaks (used by botocore for nested blocks). */
// deno-lint-ignore no-control-regex -- Python breaks lines at these controls
export const PY_LINE_BREAK = /\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/;

/**
 * Whether a UTF-16 code unit is Python whitespace (`str.isspace`, `\s`), which
 * botocore strips: tab, LF, VT, FF, CR, U+001C-U+001F, space, U+0085, U+00A0,
 * U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
 */
export function isPySpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x1f) ||
    (code > 0x7f && (code === 0x85 || code === 0xa0 || code === 0x1680 ||
      (code >= 0x2000 && code <= 0x200a) || code === 0x2028 ||
      code === 0x2029 || code === 0x202f || code === 0x205f ||
      code === 0x3000));
}

/** `text` without Python whitespace at either end (`str.strip`). */
export function pyStrip(text: string): string {
  const start = pyIndent(text);
  let end = text.length;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** `text` without Python whitespace at its end (`str.rstrip`). */
export function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && isPySpace(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** How many Python whitespace characters `text` starts with. */
export function pyIndent(text: string): number {
  let start = 0;
  while (start < text.length && isPySpace(text.charCodeAt(start))) start++;
  return start;
}

/** Python's `shlex.split` (POSIX mode, no comments), or null where it raises. */
export function shlexSplit(text: string): string[] | null {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const char = text[i++];
    if (" \t\r\n".includes(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === "'") {
      const end = text.indexOf("'", i);
      if (end < 0) return null;
      word += text.slice(i, end);
      i = end + 1;
    } else if (char === '"') {
      for (;;) {
        if (i >= text.length) return null;
        const inner = text[i++];
        if (inner === '"') break;
        if (inner === "\\") {
          if (i >= text.length) return null;
          const escaped = text[i++];
          if (escaped !== '"' && escaped !== "\\") word += "\\";
          word += escaped;
        } else {
          word += inner;
        }
      }
    } else if (char === "\\") {
      if (i >= text.length) return null;
      word += text[i++];
    } else {
      word += char;
    }
  }
  if (inWord) words.push(word);
  return words;
}
