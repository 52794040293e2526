/**
 * The verification search's box dual simplex (src/lp/box-dual.ts) against HiGHS (WebAssembly), a
 * solver written by other people: on seeded random box LPs of the search's shapes (up to 784
 * boxed variables, a few to a few dozen dense rows, feasible and infeasible), the statuses agree,
 * the minima agree to 1e-7 (relative), the certified bound is never above HiGHS's minimum, and
 * every point returned lies in the box and satisfies the rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveBoxLp, type BoxLpRow } from '../../src/lp/box-dual.js';
import { Rng } from '../../src/util/rng.js';
import { highsRuntime, highsSolve } from '../helpers/highs-lp.js';

const highs = await highsRuntime();

/** A random box and rows: through a point of the box (feasible) or shifted (maybe infeasible). */
function problem(rng: Rng, n: number, m: number, feasible: boolean) {
  const lo = new Float64Array(n), hi = new Float64Array(n), pt = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    lo[j] = rng.uniform(-1, 0.5);
    hi[j] = lo[j] + rng.uniform(0.01, 1);
    pt[j] = rng.uniform(lo[j], hi[j]);
  }
  const rows: BoxLpRow[] = [];
  for (let i = 0; i < m; i++) {
    const a = new Float64Array(n);
    for (let j = 0; j < n; j++) a[j] = rng.uniform(-1, 1) * (i % 4 === 0 ? 50 : 1);
    let at = 0, min = 0, max = 0;
    for (let j = 0; j < n; j++) {
      at += a[j] * pt[j];
      min += a[j] * (a[j] > 0 ? lo[j] : hi[j]);
      max += a[j] * (a[j] > 0 ? hi[j] : lo[j]);
    }
    // feasible: the row passes above the point; otherwise it cuts somewhere across the box
    const b = feasible ? at + rng.uniform(0, 0.2) * (max - at) : min + rng.uniform(-0.05, 0.6) * (max - min);
    rows.push({ a, b });
  }
  const c = new Float64Array(n);
  for (let j = 0; j < n; j++) c[j] = rng.uniform(-1, 1);
  return { lo, hi, rows, c };
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}

test('box dual simplex agrees with HiGHS on random box LPs of the search shapes (statuses, minima, bounds, points)', () => {
  const rng = new Rng(20261127);
  const shapes: [number, number][] = [[5, 3], [20, 8], [60, 25], [200, 12], [784, 6], [784, 30]];
  const counts = { optimal: 0, infeasible: 0, failed: 0 };
  for (const [n, m] of shapes) {
    for (let k = 0; k < (n >= 784 ? 4 : 12); k++) {
      const p = problem(rng, n, m, k % 2 === 0);
      const r = solveBoxLp(n, p.rows, p.lo, p.hi, p.c);
      const A = new Float64Array(m * n), b = new Float64Array(m);
      p.rows.forEach((row, i) => { A.set(row.a, i * n); b[i] = row.b; });
      const h = highsSolve(highs, { n, c: p.c, A, b, m, lower: p.lo, upper: p.hi });
      const label = `n=${n} m=${m} #${k}`;
      if (r.status === 'failed') {
        // allowed (the search then falls back to the general solver), but it must stay rare
        counts.failed++;
        continue;
      }
      assert.notEqual(r.status, 'above', `${label}: no stopAbove was given`);
      if (r.status === 'infeasible') {
        counts.infeasible++;
        assert.equal(h.status, 'infeasible', `${label}: box-dual says infeasible, HiGHS ${h.status}`);
        continue;
      }
      counts.optimal++;
      assert.equal(h.status, 'optimal', `${label}: box-dual optimal, HiGHS ${h.status}`);
      const x = r.x as Float64Array;
      for (let j = 0; j < n; j++) assert.ok(x[j] >= p.lo[j] && x[j] <= p.hi[j], `${label}: x[${j}] outside the box`);
      for (const row of p.rows) {
        let s = 0, nn = 0;
        for (let j = 0; j < n; j++) { s += row.a[j] * x[j]; nn += row.a[j] * row.a[j]; }
        assert.ok((s - row.b) / Math.sqrt(nn) <= 1e-8, `${label}: a row violated by ${(s - row.b) / Math.sqrt(nn)}`);
      }
      assert.ok(relDiff(r.objective as number, h.objective) <= 1e-7, `${label}: minimum ${r.objective} vs HiGHS ${h.objective}`);
      assert.ok(r.bound <= h.objective + 1e-7 * Math.max(1, Math.abs(h.objective)), `${label}: certified bound ${r.bound} above HiGHS's minimum ${h.objective}`);
    }
  }
  // both kinds of answer occur, and failures (fallbacks) are the exception
  assert.ok(counts.optimal >= 20 && counts.infeasible >= 5, JSON.stringify(counts));
  assert.ok(counts.failed <= 2, JSON.stringify(counts));
});
