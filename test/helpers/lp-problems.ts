/**
 * Seeded random LPs for the LP tests and bench/lp.ts. Each generator says what it guarantees
 * (feasible / infeasible / unbounded / bounded) by construction.
 *
 * Matrix entries are dyadic with few significant bits (normals rounded to multiples of 2^-20)
 * and every rescaling is by a power of two or a short dyadic factor, so the combinations the
 * generators build are exact in floating point: an "infeasible" problem is infeasible for the
 * rationals its doubles denote (the exact Farkas check can confirm it), not just to 1e-16.
 */
import type { LpProblem } from '../../src/lp/types.js';
import { Rng } from '../../src/util/rng.js';

export type LpKind = 'feasible' | 'infeasible' | 'unbounded';

export interface GenOptions {
  /** 'box': all variables in [-B, B]; 'free': none; 'mixed': free, one-sided and boxed. */
  bounds?: 'box' | 'free' | 'mixed';
  /** Zero objective (a feasibility problem). */
  zeroObjective?: boolean;
  /** Number of equality rows (satisfied by the hidden point). */
  meq?: number;
  /** Fraction of rows tight at the hidden point (primal degeneracy). */
  tight?: number;
  /** Duplicate / parallel / rescaled rows (rows scaled by 10^U(-6, 6)). */
  degenerate?: boolean;
}

const GRID = 2 ** 20;

/** Normals rounded to multiples of 2^-20 (at most ~24 significant bits). */
function randn(rng: Rng, k: number): Float64Array {
  const v = new Float64Array(k);
  for (let i = 0; i < k; i++) v[i] = Math.round(rng.normal() * GRID) / GRID;
  return v;
}

/** 2^e with e uniform in [lo, hi]: an exact rescaling. */
function pow2(rng: Rng, lo: number, hi: number): number {
  return 2 ** (lo + rng.int(hi - lo + 1));
}

function dot(a: Float64Array, off: number, x: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[off + j] * x[j];
  return s;
}

/**
 * A feasible LP with a hidden interior-ish point x0 (|x0_j| <= 1). Bounded when the objective is
 * zero or bounds are 'box'; otherwise c = −Aᵀy (y >= 0) on the rows keeps it bounded.
 */
export function feasibleLp(rng: Rng, n: number, m: number, o: GenOptions = {}): LpProblem {
  const bounds = o.bounds ?? 'box';
  const x0 = new Float64Array(n);
  for (let j = 0; j < n; j++) x0[j] = rng.uniform(-1, 1);
  const A = randn(rng, m * n);
  const b = new Float64Array(m);
  const tight = o.tight ?? 0;
  for (let i = 0; i < m; i++) b[i] = dot(A, i * n, x0, n) + (rng.next() < tight ? 0 : rng.uniform(0.05, 1));
  if (o.degenerate) degenerateRows(rng, A, b, n, m);
  const meq = o.meq ?? 0;
  const Aeq = randn(rng, meq * n);
  const beq = new Float64Array(meq);
  for (let e = 0; e < meq; e++) beq[e] = dot(Aeq, e * n, x0, n);
  if (o.degenerate && meq >= 2) {
    // a duplicated equality, rescaled
    const s = pow2(rng, -10, 10);
    for (let j = 0; j < n; j++) Aeq[(meq - 1) * n + j] = Aeq[j] * s;
    beq[meq - 1] = beq[0] * s;
  }
  const { lower, upper } = makeBounds(rng, n, bounds, x0);
  let c: Float64Array;
  if (o.zeroObjective) c = new Float64Array(n);
  else if (bounds === 'box') c = randn(rng, n);
  else {
    // c = −Aᵀ y with y >= 0 on a few rows, plus bound terms: bounded below on the feasible set.
    c = new Float64Array(n);
    const k = Math.min(m, n + 2);
    for (let t = 0; t < k; t++) {
      const i = rng.int(m);
      const y = rng.uniform(0.1, 1);
      for (let j = 0; j < n; j++) c[j] -= y * A[i * n + j];
    }
    for (let e = 0; e < meq; e++) {
      const y = rng.normal();
      for (let j = 0; j < n; j++) c[j] += y * Aeq[e * n + j];
    }
    for (let j = 0; j < n; j++) {
      if (upper[j] < Infinity) c[j] -= rng.uniform(0, 0.5);
      if (lower[j] > -Infinity) c[j] += rng.uniform(0, 0.5);
    }
  }
  return { n, m, A, b, c, meq, Aeq, beq, lower, upper };
}

function makeBounds(rng: Rng, n: number, kind: 'box' | 'free' | 'mixed', x0: Float64Array) {
  const lower = new Float64Array(n).fill(-Infinity);
  const upper = new Float64Array(n).fill(Infinity);
  for (let j = 0; j < n; j++) {
    if (kind === 'box') {
      lower[j] = -2;
      upper[j] = 2;
    } else if (kind === 'mixed') {
      const t = rng.int(4);
      if (t === 1) lower[j] = x0[j] - rng.uniform(0, 2);
      else if (t === 2) upper[j] = x0[j] + rng.uniform(0, 2);
      else if (t === 3) {
        lower[j] = x0[j] - rng.uniform(0, 2);
        upper[j] = x0[j] + rng.uniform(0, 2);
      }
    }
  }
  return { lower, upper };
}

/** Overwrites some rows with duplicates, positive multiples, and rescales rows by 2^[−20, 20] (1e±6). */
function degenerateRows(rng: Rng, A: Float64Array, b: Float64Array, n: number, m: number): void {
  const MULT = [0.5, 0.75, 1.25, 1.5, 2, 3];
  for (let i = 1; i < m; i++) {
    const t = rng.next();
    if (t < 0.15) {
      const src = rng.int(i);
      const s = t < 0.07 ? 1 : MULT[rng.int(MULT.length)];
      for (let j = 0; j < n; j++) A[i * n + j] = A[src * n + j] * s;
      b[i] = b[src] * s;
    }
  }
  for (let i = 0; i < m; i++) {
    if (rng.next() < 0.3) {
      const s = pow2(rng, -20, 20);
      for (let j = 0; j < n; j++) A[i * n + j] *= s;
      b[i] *= s;
    }
  }
}

/**
 * An infeasible LP: a feasible one plus a row implied-violated by a nonnegative combination of
 * k existing rows (the combination's rhs minus a margin in [0.05, 1] relative to its norm).
 */
export function infeasibleLp(rng: Rng, n: number, m: number, o: GenOptions = {}): LpProblem {
  const p = feasibleLp(rng, n, m - 1, o);
  const k = 1 + rng.int(Math.min(n, m - 1));
  const a = new Float64Array(n);
  let rhs = 0;
  for (let t = 0; t < k; t++) {
    const i = rng.int(m - 1);
    // y = (short dyadic) / 2^round(log2 ‖a_i‖): y a_i is exact and sums of them stay exact
    const e = Math.round(Math.log2(Math.hypot(...p.A.subarray(i * n, i * n + n))));
    const y = (Math.round(rng.uniform(0.2, 1) * 64) / 64) * 2 ** -e;
    for (let j = 0; j < n; j++) a[j] += y * p.A[i * n + j];
    rhs += y * p.b[i];
  }
  const nrm = Math.hypot(...a);
  // new row: −a·x <= −rhs − margin  (so a·x >= rhs + margin, contradicting a·x <= rhs)
  const A = new Float64Array(m * n);
  A.set(p.A);
  const b = new Float64Array(m);
  b.set(p.b);
  for (let j = 0; j < n; j++) A[(m - 1) * n + j] = -a[j];
  b[m - 1] = -rhs - rng.uniform(0.05, 1) * Math.max(nrm, 1e-3);
  // shuffle the contradicting row to a random position
  const pos = rng.int(m);
  swapRows(A, b, n, pos, m - 1);
  return { ...p, m, A, b };
}

function swapRows(A: Float64Array, b: Float64Array, n: number, i: number, k: number): void {
  if (i === k) return;
  for (let j = 0; j < n; j++) {
    const t = A[i * n + j];
    A[i * n + j] = A[k * n + j];
    A[k * n + j] = t;
  }
  const t = b[i];
  b[i] = b[k];
  b[k] = t;
}

/** An unbounded LP: a feasible one (free variables) where every row satisfies a·d <= 0 and c·d < 0. */
export function unboundedLp(rng: Rng, n: number, m: number, o: GenOptions = {}): LpProblem {
  const d = randn(rng, n);
  const x0 = new Float64Array(n);
  for (let j = 0; j < n; j++) x0[j] = rng.uniform(-1, 1);
  const A = randn(rng, m * n);
  const b = new Float64Array(m);
  const dd = dot(d, 0, d, n);
  for (let i = 0; i < m; i++) {
    let ad = dot(A, i * n, d, n);
    if (ad > 0) {
      // project so that a·d = −δ|d|² (δ >= 0, some exactly 0: rays along a face)
      const delta = rng.next() < 0.2 ? 0 : rng.uniform(0, 0.5);
      const f = (ad + delta * dd) / dd;
      for (let j = 0; j < n; j++) A[i * n + j] -= f * d[j];
      ad = -delta * dd;
    }
    b[i] = dot(A, i * n, x0, n) + rng.uniform(0, 1);
  }
  if (o.degenerate) degenerateRows(rng, A, b, n, m);
  const c = randn(rng, n);
  const cd = dot(c, 0, d, n);
  const f = (cd + rng.uniform(0.1, 1) * dd) / dd;
  for (let j = 0; j < n; j++) c[j] -= f * d[j];
  return { n, m, A, b, c };
}
