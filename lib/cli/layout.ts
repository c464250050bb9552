/**
 * Plain-text layout for help pages: words wrapped to a width, and an
 * indented two-column list.
 *
 * @module
 */

/** `text` in lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** Lay out `rows` as an indented two-column list, wrapping the text column. */
export function table(rows: readonly [string, string][]): string {
  const width = Math.min(
    Math.max(...rows.map(([left]) => left.length)) + 2,
    34,
  );
  const textWidth = Math.max(80 - 2 - width, 30);
  const lines: string[] = [];
  for (const [left, text] of rows) {
    const wrapped = wrap(text, textWidth);
    const first = left.length + 2 <= width
      ? `  ${left.padEnd(width)}${wrapped[0]}`
      : `  ${left}\n  ${" ".repeat(width)}${wrapped[0]}`;
    lines.push(first);
    for (const rest of wrapped.slice(1)) {
      lines.push(`  ${" ".repeat(width)}${rest}`);
    }
  }
  return lines.join("\n");
}
