/**
 * Quoting a word for the shells awsmfa writes scripts for (completions and
 * `--output env`): the result is read back by the shell as exactly `text`.
 *
 * @module
 */

/** `text` in single quotes for POSIX shells (bash, zsh, sh): `'` as `'\''`. */
export function shQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `text` in single quotes for fish, with `\` and `'` escaped. */
export function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** `text` in single quotes for PowerShell, with `'` doubled. */
export function psQuote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
