/**
 * RFC 6238 time-based one-time passwords (HMAC-SHA1), as virtual MFA devices
 * compute them, for the local STS double and the tests that drive it.
 *
 * @module
 */

import { createHmac, randomBytes } from "node:crypto";

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * Decode RFC 4648 base32 (case-insensitive; spaces, dashes and `=` padding
 * ignored), as authenticator apps accept a secret.
 *
 * @throws {SyntaxError} on a character outside the alphabet.
 */
export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/[\s=-]/g, "");
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) {
      throw new SyntaxError(
        `Cannot decode base32: invalid character "${char}"`,
      );
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >>> bits) & 0xff);
    }
  }
  return new Uint8Array(bytes);
}

/** Encode bytes as RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The TOTP code of `secretBase32` at `timeMs` (RFC 6238 with HMAC-SHA1, the
 * algorithm of AWS virtual MFA devices), zero-padded to `digits`.
 */
export function totp(
  secretBase32: string,
  timeMs: number,
  stepSeconds = 30,
  digits = 6,
): string {
  const counter = Math.floor(timeMs / 1000 / stepSeconds);
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = createHmac("sha1", base32Decode(secretBase32)).update(message)
    .digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) |
    (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** A new random 160-bit TOTP secret in base32, as AWS generates for a virtual MFA device. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20));
}
