/**
 * Big files: the section index, the profiles made on demand and the edit of
 * one window give what reading every line gives.
 */

import assert from "node:assert/strict";
import { readProfiles, readSections } from "../../lib/aws_files/botocore.ts";
import { parseIni, serializeIni } from "../../lib/aws_files/document.ts";
import { setKeys } from "../../lib/aws_files/edit.ts";
import { IniError } from "../../lib/aws_files/ini_error.ts";

/** A credentials file of `count` profiles p0..p(count-1). */
function bigFile(count: number, extra = ""): string {
  let text = "[DEFAULT]\nregion = eu-west-1\n";
  for (let i = 0; i < count; i++) {
    text += `\n[p${i}]\naws_access_key_id = AKIA${i}\n`;
    if (i === 7) text += extra;
  }
  return text;
}

Deno.test("readProfiles of a big file is the Map readSections gives", () => {
  const doc = parseIni(bigFile(3000));
  const profiles = readProfiles(doc, "credentials");
  const sections = readSections(parseIni(bigFile(3000)));
  assert.equal(profiles.size, 3000);
  assert.equal(profiles.has("DEFAULT"), false);
  assert.equal(profiles.has("p2999"), true);
  assert.equal(profiles.has("p3000"), false);
  assert.deepEqual(profiles.get("p1234"), {
    aws_access_key_id: "AKIA1234",
    region: "eu-west-1",
  });
  assert.deepEqual([...profiles.keys()], [...sections.keys()]);
  assert.deepEqual(Object.fromEntries(profiles), Object.fromEntries(sections));
  assert.ok(profiles instanceof Map);
  // Changing it behaves as a Map.
  profiles.delete("p0");
  profiles.set("new", { k: "v" });
  assert.equal(profiles.size, 3000);
  assert.equal(profiles.has("p0"), false);
  assert.deepEqual([...profiles.keys()].slice(-2), ["p2999", "new"]);
});

Deno.test("a problem deep in a big file has the line reading every line gives", () => {
  const text = bigFile(3000) + "\n[p5]\n";
  const lines = text.split("\n").length - 1;
  assert.throws(
    () => readProfiles(parseIni(text), "credentials"),
    (error: unknown) =>
      error instanceof IniError && error.line === lines &&
      error.message === `line ${lines} repeats the section [p5].`,
  );
  // Line 27: p7's header is on line 4 + 3 * 7, its key on the next.
  const key = bigFile(3000, "AWS_ACCESS_KEY_ID = again\n");
  assert.throws(
    () => readSections(parseIni(key)),
    (error: unknown) =>
      error instanceof IniError &&
      error.message === "line 27 repeats the key aws_access_key_id of [p7].",
  );
});

Deno.test("setKeys in a big file changes the target section only", () => {
  const text = bigFile(3000).replaceAll("[DEFAULT]\nregion = eu-west-1\n", "");
  const doc = parseIni(text);
  const edited = serializeIni(setKeys(doc, "p1500", { x_key: "v" }));
  assert.equal(
    edited,
    text.replace(
      "[p1500]\naws_access_key_id = AKIA1500\n",
      "[p1500]\naws_access_key_id = AKIA1500\nx_key = v\n",
    ),
  );
  const added = serializeIni(setKeys(doc, "mfa", { x_key: "v" }));
  assert.equal(added, text + "\n[mfa]\nx_key = v\n");
  // The edited document is the parse of its text: what the window edit sets
  // itself (the line ending, the BOM) and the lines made from it.
  const windowed = setKeys(doc, "p2", { x_key: "v" });
  const reparsed = parseIni(serializeIni(windowed));
  assert.deepEqual(
    { bom: windowed.bom, eol: windowed.eol, lines: windowed.lines },
    { bom: reparsed.bom, eol: reparsed.eol, lines: reparsed.lines },
  );
});

Deno.test("readProfiles refuses a nested block line without = when the file is read, in either file", () => {
  // Records are made when first read; the file's problem is found at once.
  const doc = parseIni("[a]\ns3 =\n  broken\n[profile b]\nregion = x\n");
  for (const file of ["credentials", "config"] as const) {
    assert.throws(
      () => readProfiles(doc, file),
      (error) =>
        error instanceof IniError &&
        error.message === "line 3 in the nested block of s3 in [a] has no =.",
    );
  }
});

Deno.test("keys repeated in another case are found in any script", () => {
  // Lower-cased with JavaScript's toLowerCase, as reading every line does:
  // K (Kelvin sign) is k, İ is i̇ (longer), final sigma is ς.
  const cases: [string, string][] = [
    ["[a]\nAb=1\naB=2\n", "ab"],
    ["[a]\nK=1\n\u212A=2\n", "k"],
    ["[a]\n\u0130x=1\ni\u0307x=2\n", "i\u0307x"],
    ["[a]\n\u00C4=1\n\u00E4=2\n", "\u00E4"],
    ["[a]\nx\u03A3=1\nx\u03C2=2\n", "x\u03C2"],
    ["[a]\n=1\n=2\n", ""],
  ];
  for (const [text, key] of cases) {
    assert.throws(
      () => readSections(parseIni(text)),
      (error: unknown) =>
        error instanceof IniError &&
        error.message === `line 3 repeats the key ${key} of [a].`,
      JSON.stringify(text),
    );
  }
  assert.equal(readSections(parseIni("[a]\n\u00C4b=1\n\u00E4c=2\n")).size, 1);
});

Deno.test("a section of many keys: a repeat in another case is found", () => {
  let text = "[a]\n";
  for (let i = 0; i < 50_000; i++) text += `key_${i} = ${i}\n`;
  assert.equal(readSections(parseIni(text)).get("a")!["key_49999"], "49999");
  // Line 1 is the header, so key_10 is on line 12 and the repeat on 50,002.
  assert.throws(
    () => readSections(parseIni(text + "KEY_10 = again\n")),
    (error: unknown) =>
      error instanceof IniError && error.line === 50_002 &&
      error.message === "line 50002 repeats the key key_10 of [a].",
  );
  // The same in the first keys, and in [DEFAULT] sections that add up.
  assert.throws(
    () =>
      readSections(
        parseIni("[DEFAULT]\n" + text.slice(4) + "[b]\n[DEFAULT]\nKey_3 = x\n"),
      ),
    (error: unknown) =>
      error instanceof IniError &&
      error.message === "line 50004 repeats the key key_3 of [DEFAULT].",
  );
});
