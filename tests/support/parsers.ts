/**
 * What the real parsers see in an INI file, for the lib/aws_files/ cross-checks:
 * botocore (the `python3` on PATH that imports it, found as
 * tests/support/tools.ts finds every tool, and botocore_dump.py, many files
 * per process) and the JS SDK (`loadSharedConfigFiles` of
 * `@smithy/shared-ini-file-loader`). Also a line diff that says which lines
 * of a document an edit changed.
 *
 * @module
 */

import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import type { IniDocument } from "../../lib/aws_files/document.ts";
import { findTool, needs } from "./tools.ts";

const PYTHON = await findTool("python3");
/** The Python that imports botocore (CI: Debian's `python3-botocore`). */
export const BOTOCORE_PYTHON = PYTHON.path;
const DUMP = new URL("./botocore_dump.py", import.meta.url).pathname;

/** What botocore sees in one file (see botocore_dump.py). */
export type BotocoreView =
  | {
    ok: true;
    /** raw_config_parse: section -> lower-cased key -> value. */
    sections: Record<string, Record<string, string>>;
    /** build_profile_map(...)["profiles"]: config-file profile names. */
    profiles: Record<string, Record<string, string>>;
  }
  | { ok: false; error: string; line: number | null };

/** Why botocore cannot be used here, or null when it can. */
export function botocoreProblem(): Promise<string | null> {
  return Promise.resolve(PYTHON.ok ? null : PYTHON.problem);
}

/**
 * Whether to skip the cross-checks of `_file`: when botocore cannot be used,
 * by the rule of tests/support/tools.ts (the reason printed, or with CI=true
 * one failing test instead).
 */
export function skipCrossCheck(problem: string | null, _file: string): boolean {
  if (problem === null) return false;
  return needs(PYTHON).ignore;
}

/** Throw when botocore cannot be used (inside a test that must not skip). */
export function requireBotocore(problem: string | null): void {
  if (problem !== null) {
    throw new Error(`The cross-check needs botocore: ${problem}`);
  }
}

/** What botocore sees in each file, with one Python process for all. */
export async function botocoreViews(paths: string[]): Promise<BotocoreView[]> {
  const child = new Deno.Command(BOTOCORE_PYTHON, {
    args: [DUMP],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONIOENCODING: "utf-8", PYTHONUTF8: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(paths)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) {
    throw new Error(
      `botocore_dump.py failed (${code}): ${new TextDecoder().decode(stderr)}`,
    );
  }
  const views = JSON.parse(new TextDecoder().decode(stdout)) as BotocoreView[];
  if (views.length !== paths.length) {
    throw new Error("botocore_dump.py lost files");
  }
  return views;
}

/** What the JS SDK sees in one file read as credentials and as config. */
export interface JsSdkView {
  /** `parseIni` of the file: section (`profile.x` for `[profile x]`) -> key -> value. */
  credentials: Record<string, Record<string, string>>;
  /** The config-file view: profile name -> key -> value. */
  config: Record<string, Record<string, string>>;
}

/** What the JS SDK sees in `path`, read fresh (no cache). */
export async function jsSdkView(path: string): Promise<JsSdkView> {
  const { credentialsFile, configFile } = await loadSharedConfigFiles({
    filepath: path,
    configFilepath: path,
    ignoreCache: true,
  });
  return {
    credentials: plain(credentialsFile),
    config: plain(configFile),
  };
}

function plain(
  data: Record<string, Record<string, string | undefined>>,
): Record<string, Record<string, string>> {
  return JSON.parse(JSON.stringify(data));
}

/** One line an edit removed ("-") or added ("+"), 0-based in its document. */
export interface LineChange {
  /** "-" for a line of the old document, "+" for one of the new. */
  op: "-" | "+";
  /** Index of the line in its document. */
  index: number;
  /** Its text and line ending. */
  line: string;
}

/**
 * The lines that differ between two documents (a longest-common-subsequence
 * diff of text plus line ending, after trimming the common head and tail).
 */
export function lineDiff(
  before: IniDocument,
  after: IniDocument,
): LineChange[] {
  const a = before.lines.map((line) => line.text + line.eol);
  const b = after.lines.map((line) => line.text + line.eol);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  // lcs[i][j]: length of the LCS of x[i..] and y[j..]
  const lcs = Array.from(
    { length: x.length + 1 },
    () => new Array<number>(y.length + 1).fill(0),
  );
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j]
        ? lcs[i + 1][j + 1] + 1
        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (
      j < y.length && (i === x.length || lcs[i][j + 1] >= lcs[i + 1][j])
    ) {
      changes.push({ op: "+", index: head + j, line: y[j] });
      j++;
    } else {
      changes.push({ op: "-", index: head + i, line: x[i] });
      i++;
    }
  }
  return changes;
}

/** Index range [header, end) of each section named `section` in `doc`. */
export function sectionSpan(
  doc: IniDocument,
  section: string,
): [number, number] | null {
  const start = doc.lines.findIndex((line) =>
    line.kind === "section" && line.section === section
  );
  if (start < 0) return null;
  let end = start + 1;
  while (end < doc.lines.length && doc.lines[end].kind !== "section") end++;
  return [start, end];
}
