import assert from "node:assert/strict";
import { sha256 } from "../../lib/shared/sha256.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("sha256: the FIPS 180-4 examples", () => {
  const text = (s: string) => hex(sha256(new TextEncoder().encode(s)));
  assert.equal(
    text(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    text("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256: the digest WebCrypto gives, at every length around the block edges", async () => {
  // Lengths 0–300 cover one, two and more blocks and every padding case.
  for (let length = 0; length <= 300; length++) {
    const data = new Uint8Array(length);
    for (let i = 0; i < length; i++) data[i] = (i * 131 + length * 7) & 0xff;
    const expected = new Uint8Array(
      await crypto.subtle.digest("SHA-256", data),
    );
    assert.equal(hex(sha256(data)), hex(expected), `length ${length}`);
  }
});
