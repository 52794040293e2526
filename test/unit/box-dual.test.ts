// The box-bounded dual simplex for the verification search (src/lp/box-dual.ts) against the
// general solver (solveLp): the same minimum on random feasible problems (its certified bound
// never above the true minimum, its point feasible), certified infeasibility only on infeasible
// problems, and the search's shapes (784 boxed variables, a few dozen dense rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaleRows, solveBoxLp, type BoxLpRow } from '../../src/lp/box-dual.js';
import { solveLp } from '../../src/lp/index.js';
import { Rng } from '../helpers/networks.js';

function randomProblem(rng: Rng, n: number, m: number, through: Float64Array | null) {
  const lo = new Float64Array(n), hi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    lo[j] = rng.uniform(-1, 0.5);
    hi[j] = lo[j] + rng.uniform(0.01, 1);
  }
  const rows: BoxLpRow[] = [];
  for (let i = 0; i < m; i++) {
    const a = new Float64Array(n);
    for (let j = 0; j < n; j++) a[j] = rng.uniform(-1, 1) * (i % 3 === 0 ? 100 : 1);
    // through a point of the box (feasible) or an offset that may cut it away
    let b: number;
    if (through) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[j] * through[j];
      b = s + rng.uniform(0, 0.3) * Math.sqrt(n);
    } else {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[j] * (a[j] > 0 ? lo[j] : hi[j]);
      b = s + rng.uniform(-0.2, 0.5) * (hi[0] - lo[0]) * Math.sqrt(n);
    }
    rows.push({ a, b });
  }
  const c = new Float64Array(n);
  for (let j = 0; j < n; j++) c[j] = rng.uniform(-1, 1);
  return { lo, hi, rows, c };
}

function reference(n: number, p: ReturnType<typeof randomProblem>) {
  const m = p.rows.length;
  const A = new Float64Array(m * n), b = new Float64Array(m);
  p.rows.forEach((r, i) => { A.set(r.a, i * n); b[i] = r.b; });
  return solveLp({ n, c: p.c, A, b, m, lower: p.lo, upper: p.hi });
}

test('box dual simplex: same minimum as the general solver, certified bound below it, feasible point', () => {
  const rng = new Rng(11);
  let solved = 0, infeasible = 0;
  for (let k = 0; k < 120; k++) {
    const n = 5 + rng.int(60), m = 1 + rng.int(25);
    const feasible = k % 2 === 0;
    let pt: Float64Array | null = null;
    const p0 = randomProblem(rng, n, m, null);
    if (feasible) {
      pt = new Float64Array(n);
      for (let j = 0; j < n; j++) pt[j] = rng.uniform(p0.lo[j], p0.hi[j]);
    }
    const p = feasible ? { ...randomProblem(rng, n, m, pt), lo: p0.lo, hi: p0.hi } : p0;
    if (feasible) for (let j = 0; j < n; j++) { p.lo[j] = Math.min(p.lo[j], pt![j]); p.hi[j] = Math.max(p.hi[j], pt![j]); }
    const ref = reference(n, p);
    const r = solveBoxLp(n, p.rows, p.lo, p.hi, p.c);
    if (r.status === 'failed') continue;
    if (ref.status === 'optimal') {
      assert.equal(r.status, 'optimal', `problem ${k}: reference optimal, box dual ${r.status}`);
      const obj = ref.objective as number;
      assert.ok(r.bound <= obj + 1e-9 * (1 + Math.abs(obj)), `problem ${k}: bound ${r.bound} above the minimum ${obj}`);
      assert.ok(Math.abs((r.objective as number) - obj) <= 1e-6 * (1 + Math.abs(obj)), `problem ${k}: ${r.objective} vs ${obj}`);
      const x = r.x as Float64Array;
      for (let j = 0; j < n; j++) assert.ok(x[j] >= p.lo[j] && x[j] <= p.hi[j]);
      for (const row of p.rows) {
        let s = -row.b, nn = 0;
        for (let j = 0; j < n; j++) { s += row.a[j] * x[j]; nn += row.a[j] ** 2; }
        assert.ok(s <= 1e-8 * Math.sqrt(nn) * (1 + Math.abs(row.b)), `problem ${k}: row violated by ${s}`);
      }
      solved++;
    } else if (ref.status === 'infeasible') {
      assert.equal(r.status, 'infeasible', `problem ${k}: reference infeasible, box dual ${r.status}`);
      infeasible++;
    }
  }
  assert.ok(solved >= 40, `only ${solved} feasible problems solved`);
  assert.ok(infeasible >= 5, `only ${infeasible} infeasible problems certified`);
});

test('box dual simplex: infeasible only when certified (never on a problem with a known point)', () => {
  const rng = new Rng(5);
  for (let k = 0; k < 60; k++) {
    const n = 10 + rng.int(40), m = 1 + rng.int(30);
    const p0 = randomProblem(rng, n, m, null);
    const pt = new Float64Array(n);
    for (let j = 0; j < n; j++) pt[j] = rng.uniform(p0.lo[j], p0.hi[j]);
    const p = randomProblem(rng, n, m, pt);
    for (let j = 0; j < n; j++) { p.lo[j] = Math.min(p.lo[j], pt[j]); p.hi[j] = Math.max(p.hi[j], pt[j]); }
    const r = solveBoxLp(n, p.rows, p.lo, p.hi, p.c);
    assert.notEqual(r.status, 'infeasible', `problem ${k}`);
    if (r.status === 'optimal') {
      let v = 0;
      for (let j = 0; j < n; j++) v += p.c[j] * pt[j];
      assert.ok(r.bound <= v + 1e-9 * (1 + Math.abs(v)), `problem ${k}: bound ${r.bound} above the value ${v} at a feasible point`);
    }
  }
});

test('box dual simplex: 784 boxed variables and 40 dense rows in a few pivots per row', () => {
  const rng = new Rng(3);
  const n = 784, m = 40;
  const pt = new Float64Array(n);
  const lo = new Float64Array(n), hi = new Float64Array(n);
  for (let j = 0; j < n; j++) { lo[j] = 0; hi[j] = 0.06; pt[j] = rng.uniform(0, 0.06); }
  const p = randomProblem(rng, n, m, pt);
  const t0 = performance.now();
  const r = solveBoxLp(n, p.rows, lo, hi, p.c);
  const ms = performance.now() - t0;
  const ref = reference(n, { ...p, lo, hi });
  assert.equal(r.status, 'optimal');
  assert.ok(Math.abs((r.objective as number) - (ref.objective as number)) <= 1e-6 * (1 + Math.abs(ref.objective as number)));
  assert.ok(r.iterations <= 4 * m, `${r.iterations} pivots`);
  assert.ok(ms < 2000, `${ms} ms`);
});

test('box dual simplex: rows scaled once give the same answers; `above` only when the minimum really exceeds the threshold', () => {
  const rng = new Rng(9);
  let above = 0;
  for (let k = 0; k < 60; k++) {
    const n = 20 + rng.int(60), m = 1 + rng.int(20);
    const p0 = randomProblem(rng, n, m, null);
    const pt = new Float64Array(n);
    for (let j = 0; j < n; j++) pt[j] = rng.uniform(p0.lo[j], p0.hi[j]);
    const p = randomProblem(rng, n, m, pt);
    for (let j = 0; j < n; j++) { p.lo[j] = Math.min(p0.lo[j], pt[j]); p.hi[j] = Math.max(p0.hi[j], pt[j]); }
    const full = solveBoxLp(n, p.rows, p.lo, p.hi, p.c);
    const again = solveBoxLp(n, scaleRows(n, p.rows), p.lo, p.hi, p.c);
    assert.deepEqual(again, full);
    if (full.status !== 'optimal') continue;
    const min = full.objective as number;
    for (const thr of [min - 0.5 * (1 + Math.abs(min)), min - 1e-3, min + 1e-3]) {
      const r = solveBoxLp(n, p.rows, p.lo, p.hi, p.c, undefined, thr);
      if (r.status === 'above') {
        above++;
        assert.ok(r.bound > thr && r.bound <= min + 1e-9 * (1 + Math.abs(min)), `problem ${k}: bound ${r.bound}, threshold ${thr}, minimum ${min}`);
      } else if (r.status === 'optimal') assert.ok(Math.abs((r.objective as number) - min) <= 1e-7 * (1 + Math.abs(min)));
      if (thr > min) assert.notEqual(r.status, 'above', `problem ${k}: above a threshold over the minimum`);
    }
  }
  assert.ok(above >= 10, `only ${above} early stops`);
});
