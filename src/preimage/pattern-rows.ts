/**
 * Shared pattern rows. Consecutive pieces of a search mostly agree on the pattern of a layer (on
 * the ACAS Xu prop_1 partition, 40,000 pieces have 149, 222, 967, 220, 74 and 11 distinct rows on
 * the six hidden layers), so a piece's row equal to the previous piece's row of the same layer is
 * that same array. The rows are frozen, because they are shared: a result's pattern rows are
 * read-only. This saves nothing in the search but a quarter of a large result's memory (the
 * prop_1 partition's result: 336 MB before, 253 MB after), and with it some of the garbage
 * collector's work on the thread that keeps the result.
 */

/** The last row handed out for each layer (any thread's results: the rows are immutable). */
const last: (readonly number[])[] = [];

/** Row `l` with the values of `v`: the previous row of layer `l` when equal, else a new frozen row. */
export function patternRow(l: number, v: ArrayLike<number>): readonly number[] {
  const prev = last[l];
  const n = v.length;
  if (prev !== undefined && prev.length === n) {
    let j = 0;
    while (j < n && prev[j] === v[j]) j++;
    if (j === n) return prev;
  }
  const row: number[] = new Array(n);
  for (let j = 0; j < n; j++) row[j] = v[j];
  Object.freeze(row);
  last[l] = row;
  return row;
}

/** A piece's pattern (one row per layer) from the search's rows, shared where they repeat. */
export function patternRows(pattern: readonly ArrayLike<number>[]): (readonly number[])[] {
  const out: (readonly number[])[] = new Array(pattern.length);
  for (let l = 0; l < pattern.length; l++) out[l] = patternRow(l, pattern[l]);
  return out;
}
