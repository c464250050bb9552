/**
 * What an MFA code looks like: exactly 6 ASCII digits, also typed as two
 * groups of 3 (`123 456`, as authenticator apps show it). A leaf, so the
 * command line checks a code argument with the same rule as the prompt.
 *
 * @module
 */

/** True when `text` is an MFA code: exactly 6 ASCII digits. */
export function isValidCode(text: string): boolean {
  return /^[0-9]{6}$/.test(text);
}

/** `123 456` as `123456`; any other text as it is. */
export function ungroupCode(text: string): string {
  return /^[0-9]{3} [0-9]{3}$/.test(text) ? text.replace(" ", "") : text;
}
