/**
 * Metamorphic properties of solveLp (fast-check): transformations that leave the feasible set and
 * the objective unchanged must leave the status and the optimal value unchanged.
 *   - adding a redundant constraint (a nonnegative combination of rows, rhs loosened);
 *   - duplicating a row;
 *   - scaling a row by a positive number in 1e-6..1e6;
 *   - permuting the rows (inequalities and equalities).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { solveLp } from '../../src/lp/index.js';
import type { LpProblem, LpResult } from '../../src/lp/types.js';
import { Rng } from '../../src/util/rng.js';
import { feasibleLp, infeasibleLp, unboundedLp } from '../helpers/lp-problems.js';

/** A seeded problem of each kind and bound type. */
const problemArb = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    n: fc.integer({ min: 2, max: 12 }),
    extra: fc.integer({ min: 1, max: 30 }),
    kind: fc.constantFrom('feasible', 'infeasible', 'unbounded'),
    bounds: fc.constantFrom('box', 'free', 'mixed'),
    zero: fc.boolean(),
    meq: fc.integer({ min: 0, max: 2 }),
    degenerate: fc.boolean(),
  })
  .map(({ seed, n, extra, kind, bounds, zero, meq, degenerate }) => {
    const rng = new Rng(seed);
    const m = n + extra;
    const o = { bounds, zeroObjective: zero, meq: Math.min(meq, n - 1), degenerate, tight: 0.3 } as const;
    const p = kind === 'feasible' ? feasibleLp(rng, n, m, o) : kind === 'infeasible' ? infeasibleLp(rng, n, m, o) : unboundedLp(rng, n, m, { degenerate });
    return { p, rng: seed };
  });

function sameAnswer(a: LpResult, b: LpResult, what: string): void {
  assert.notEqual(a.status, 'numerical_failure', `${what}: original ${a.warnings?.join('; ')}`);
  assert.equal(b.status, a.status, `${what}: status ${a.status} became ${b.status}`);
  if (a.status === 'optimal') {
    const d = Math.abs(a.objective! - b.objective!) / Math.max(1, Math.abs(a.objective!));
    assert.ok(d <= 1e-7, `${what}: objective ${a.objective} became ${b.objective}`);
  }
}

function rowsOf(p: LpProblem): { A: Float64Array; b: Float64Array } {
  return { A: Float64Array.from(p.A.subarray(0, p.m * p.n)), b: Float64Array.from(p.b.subarray(0, p.m)) };
}

function appendRow(p: LpProblem, a: Float64Array, b: number, at: number): LpProblem {
  const { n, m } = p;
  const A = new Float64Array((m + 1) * n);
  const bb = new Float64Array(m + 1);
  A.set(p.A.subarray(0, at * n));
  bb.set(p.b.subarray(0, at));
  A.set(a, at * n);
  bb[at] = b;
  A.set(p.A.subarray(at * n, m * n), (at + 1) * n);
  bb.set(p.b.subarray(at, m), at + 1);
  return { ...p, m: m + 1, A, b: bb };
}

const RUNS = { numRuns: Number(process.env.LP_RUNS ?? 150), seed: Number(process.env.LP_SEED ?? 20240611) };

test('adding a redundant constraint changes nothing', () => {
  fc.assert(
    fc.property(problemArb, fc.integer({ min: 0, max: 1000 }), ({ p }, salt) => {
      const base = solveLp(p);
      const rng = new Rng(salt + 7);
      const a = new Float64Array(p.n);
      let b = 0;
      for (let t = 0; t < 3; t++) {
        const i = rng.int(p.m);
        const y = rng.uniform(0, 2);
        for (let j = 0; j < p.n; j++) a[j] += y * p.A[i * p.n + j];
        b += y * p.b[i];
      }
      // a·x <= Σ y_i a_i·x <= Σ y_i b_i <= b: implied by the rows (loosened by a margin)
      b += Math.abs(b) * 1e-6 + rng.uniform(0, 1);
      sameAnswer(base, solveLp(appendRow(p, a, b, rng.int(p.m + 1))), 'redundant row');
    }),
    RUNS,
  );
});

test('duplicating a row changes nothing', () => {
  fc.assert(
    fc.property(problemArb, fc.nat(), ({ p }, k) => {
      const base = solveLp(p);
      const i = k % p.m;
      const a = p.A.slice(i * p.n, (i + 1) * p.n);
      sameAnswer(base, solveLp(appendRow(p, a, p.b[i], (k >> 3) % (p.m + 1))), 'duplicated row');
    }),
    RUNS,
  );
});

test('scaling a row by a positive number changes nothing', () => {
  fc.assert(
    fc.property(problemArb, fc.nat(), fc.double({ min: -6, max: 6, noNaN: true }), ({ p }, k, e) => {
      const base = solveLp(p);
      const { A, b } = rowsOf(p);
      const i = k % p.m;
      const s = Math.pow(10, e);
      for (let j = 0; j < p.n; j++) A[i * p.n + j] *= s;
      b[i] *= s;
      sameAnswer(base, solveLp({ ...p, A, b }), `row ${i} scaled by ${s}`);
    }),
    RUNS,
  );
});

test('permuting rows changes nothing', () => {
  fc.assert(
    fc.property(problemArb, fc.integer({ min: 0, max: 1000 }), ({ p }, salt) => {
      const base = solveLp(p);
      const rng = new Rng(salt + 11);
      const perm = Array.from({ length: p.m }, (_, i) => i);
      for (let i = p.m - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const A = new Float64Array(p.m * p.n);
      const b = new Float64Array(p.m);
      perm.forEach((src, dst) => {
        A.set(p.A.subarray(src * p.n, (src + 1) * p.n), dst * p.n);
        b[dst] = p.b[src];
      });
      const meq = p.meq ?? 0;
      let Aeq = p.Aeq;
      let beq = p.beq;
      if (meq > 1) {
        // reverse the equalities
        Aeq = new Float64Array(meq * p.n);
        beq = new Float64Array(meq);
        for (let e = 0; e < meq; e++) {
          Aeq.set(p.Aeq!.subarray(e * p.n, (e + 1) * p.n), (meq - 1 - e) * p.n);
          beq[meq - 1 - e] = p.beq![e];
        }
      }
      sameAnswer(base, solveLp({ ...p, A, b, Aeq, beq }), 'permuted rows');
    }),
    RUNS,
  );
});
