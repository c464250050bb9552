/**
 * Near misses: which known word a mistyped one probably meant (`--porfile`
 * for `--profile`, `wrok` for `work`). Pure functions.
 *
 * @module
 */

/**
 * The edit distance between `a` and `b`, counting an insertion, a deletion,
 * a substitution and a swap of two neighbours as one edit each (optimal
 * string alignment).
 */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) rows[i].push(i === 0 ? j : 0);
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        rows[i - 1][j] + 1,
        rows[i][j - 1] + 1,
        rows[i - 1][j - 1] + cost,
      );
      if (
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
      ) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/**
 * The one word of `known` that `word` most likely meant: the only one that
 * starts with it, else the closest within two edits (one for words of up to
 * four characters); undefined when none is, or when two are equally close.
 */
export function nearMiss(
  word: string,
  known: Iterable<string>,
): string | undefined {
  const candidates = [...new Set(known)].filter((name) => name !== word);
  if (word.length >= 2) {
    const prefixed = candidates.filter((name) => name.startsWith(word));
    if (prefixed.length === 1) return prefixed[0];
  }
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}
