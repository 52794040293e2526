/**
 * LP-based operations on H-polyhedra {x : A x <= b, Aeq x = beq}: feasibility, Chebyshev centre,
 * linear bounds, implicit equalities, affine hull and dimension, redundancy removal,
 * boundedness, recession cone, lineality space, relative-interior points, and the margin-rule
 * classification (full / lower / thin / empty) documented in src/tolerance.ts.
 */
import { nullSpace } from '../linalg/index.js';
import { solveLp } from '../lp/index.js';
import type { LpProblem, LpResult } from '../lp/types.js';
import { TOL } from '../tolerance.js';
import type { DimensionClass, HPolyhedron } from './types.js';

/** Counters for callers that report LP work. */
export interface LpCounter {
  lps: number;
}

function lp(P: HPolyhedron, c: Float64Array, counter?: LpCounter, extra?: Partial<LpProblem>): LpResult {
  if (counter) counter.lps++;
  return solveLp({ n: P.n, c, A: P.A, b: P.b, m: P.m, Aeq: P.Aeq, beq: P.beq, meq: P.meq, ...extra });
}

/** Is the polyhedron non-empty? Returns the LP result (with a Farkas certificate when empty). */
export function feasibility(P: HPolyhedron, counter?: LpCounter): LpResult {
  return lp(P, new Float64Array(P.n), counter);
}

/** min and max of c·x over P (±Infinity when unbounded; NaN when P is empty or the LP failed). */
export function linearBounds(P: HPolyhedron, c: ArrayLike<number>, counter?: LpCounter): { min: number; max: number; argmin?: Float64Array; argmax?: Float64Array } {
  const cv = Float64Array.from(c);
  const lo = lp(P, cv, counter);
  const hi = lp(P, cv.map((v) => -v), counter);
  const val = (r: LpResult, sign: number) => (r.status === 'optimal' ? sign * (r.objective as number) : r.status === 'unbounded' ? sign * -Infinity : NaN);
  return { min: val(lo, 1), max: val(hi, -1), argmin: lo.x, argmax: hi.x };
}

/** Orthonormal basis (rows) of the null space of Aeq: directions inside the affine hull of the equalities. */
function equalityNullBasis(P: HPolyhedron): Float64Array[] {
  if (P.meq === 0) {
    const I: Float64Array[] = [];
    for (let i = 0; i < P.n; i++) {
      const e = new Float64Array(P.n);
      e[i] = 1;
      I.push(e);
    }
    return I;
  }
  return nullSpace(P.Aeq, P.meq, P.n);
}

/** Length of each inequality row's component inside span(basis). */
function projectedNorms(P: HPolyhedron, basis: Float64Array[]): Float64Array {
  const n = P.n;
  const out = new Float64Array(P.m);
  for (let i = 0; i < P.m; i++) {
    let s = 0;
    for (const v of basis) {
      let d = 0;
      for (let j = 0; j < n; j++) d += P.A[i * n + j] * v[j];
      s += d * d;
    }
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** Radius cap that keeps the Chebyshev LP bounded for unbounded polyhedra. */
const RADIUS_CAP = 1e6;

/**
 * Chebyshev centre within the affine hull of the equalities: the centre and radius of the
 * largest ball (inside that hull) contained in P. radius is Infinity when it reaches the cap
 * (unbounded P). A negative radius means P is empty: no point is within that distance of
 * satisfying every row (−Infinity when the LP finds it farther than 1).
 */
export function chebyshevCenter(P: HPolyhedron, counter?: LpCounter): { center: Float64Array | null; radius: number; status: LpResult['status'] } {
  const n = P.n;
  const norms = projectedNorms(P, equalityNullBasis(P));
  // variables (x, r): maximise r s.t. a_i x + |a_i| r <= b_i, Aeq x = beq, 0 <= r <= cap
  const A = new Float64Array(P.m * (n + 1));
  for (let i = 0; i < P.m; i++) {
    A.set(P.A.subarray(i * n, i * n + n), i * (n + 1));
    A[i * (n + 1) + n] = norms[i];
  }
  const Aeq = new Float64Array(P.meq * (n + 1));
  for (let i = 0; i < P.meq; i++) Aeq.set(P.Aeq.subarray(i * n, i * n + n), i * (n + 1));
  const c = new Float64Array(n + 1);
  c[n] = -1;
  const lower = new Float64Array(n + 1).fill(-Infinity);
  const upper = new Float64Array(n + 1).fill(Infinity);
  lower[n] = -1; // allow a negative radius so that the LP stays feasible near emptiness and reports how far
  upper[n] = RADIUS_CAP;
  if (counter) counter.lps++;
  const r = solveLp({ n: n + 1, c, A, b: P.b, m: P.m, Aeq, beq: P.beq, meq: P.meq, lower, upper });
  if (r.status !== 'optimal' || !r.x) return { center: null, radius: -Infinity, status: r.status };
  const radius = r.x[n];
  return { center: r.x.slice(0, n), radius: radius >= RADIUS_CAP * (1 - 1e-12) ? Infinity : radius, status: r.status };
}

/**
 * Indices of inequality rows that hold with equality on all of P (implicit equalities).
 * Repeatedly solves max Σ t_i s.t. a_i x + t_i <= b_i, 0 <= t_i <= 1 over the rows not yet shown
 * to be loose; rows with t_i = 0 at the optimum of the final round are implicit. Returns null if P is empty.
 */
export function implicitEqualities(P: HPolyhedron, counter?: LpCounter, out?: { maxSlack: number }): number[] | null {
  const n = P.n;
  let candidates = Array.from({ length: P.m }, (_, i) => i);
  for (let round = 0; round <= P.m && candidates.length > 0; round++) {
    const k = candidates.length;
    const N = n + k;
    const A = new Float64Array(P.m * N);
    for (let i = 0; i < P.m; i++) A.set(P.A.subarray(i * n, i * n + n), i * N);
    const inv = new Map<number, number>();
    candidates.forEach((row, j) => {
      A[row * N + n + j] = rowNorm(P, row);
      inv.set(j, row);
    });
    const Aeq = new Float64Array(P.meq * N);
    for (let i = 0; i < P.meq; i++) Aeq.set(P.Aeq.subarray(i * n, i * n + n), i * N);
    const c = new Float64Array(N);
    const lower = new Float64Array(N).fill(-Infinity);
    const upper = new Float64Array(N).fill(Infinity);
    for (let j = 0; j < k; j++) {
      c[n + j] = -1;
      lower[n + j] = 0;
      upper[n + j] = 1;
    }
    if (counter) counter.lps++;
    const r = solveLp({ n: N, c, A, b: P.b, m: P.m, Aeq, beq: P.beq, meq: P.meq, lower, upper });
    if (r.status !== 'optimal' || !r.x) return r.status === 'infeasible' ? null : candidates;
    const still: number[] = [];
    for (let j = 0; j < k; j++) {
      if (r.x[n + j] <= TOL.FULL_DIM_RADIUS) {
        still.push(inv.get(j) as number);
        if (out) out.maxSlack = Math.max(out.maxSlack, r.x[n + j]);
      }
    }
    if (still.length === candidates.length) return still;
    candidates = still;
  }
  return candidates;
}

function rowNorm(P: HPolyhedron, i: number): number {
  let s = 0;
  for (let j = 0; j < P.n; j++) s += P.A[i * P.n + j] ** 2;
  return Math.sqrt(s) || 1;
}

/** P with its implicit equalities moved from the inequalities to the equalities. */
export function withExplicitEqualities(P: HPolyhedron, counter?: LpCounter, out?: { maxSlack: number }): { P: HPolyhedron; implicit: number[] } | null {
  const imp = implicitEqualities(P, counter, out);
  if (imp === null) return null;
  if (imp.length === 0) return { P, implicit: [] };
  const n = P.n;
  const set = new Set(imp);
  const keep = Array.from({ length: P.m }, (_, i) => i).filter((i) => !set.has(i));
  const A = new Float64Array(keep.length * n);
  const b = new Float64Array(keep.length);
  keep.forEach((r, i) => {
    A.set(P.A.subarray(r * n, r * n + n), i * n);
    b[i] = P.b[r];
  });
  const Aeq = new Float64Array((P.meq + imp.length) * n);
  Aeq.set(P.Aeq);
  const beq = new Float64Array(P.meq + imp.length);
  beq.set(P.beq);
  imp.forEach((r, i) => {
    Aeq.set(P.A.subarray(r * n, r * n + n), (P.meq + i) * n);
    beq[P.meq + i] = P.b[r];
  });
  return { P: { n, m: keep.length, A, b, meq: P.meq + imp.length, Aeq, beq }, implicit: imp };
}

/** Affine hull {x : E x = e} of P with an orthonormal basis of its direction space, or null if empty. */
export function affineHull(P: HPolyhedron, counter?: LpCounter): { Aeq: Float64Array; beq: Float64Array; meq: number; directions: Float64Array[]; dim: number } | null {
  const ex = withExplicitEqualities(P, counter);
  if (!ex) return null;
  const directions = equalityNullBasis(ex.P);
  return { Aeq: ex.P.Aeq, beq: ex.P.beq, meq: ex.P.meq, directions, dim: directions.length };
}

/** Dimension of P (-1 when empty). */
export function dimension(P: HPolyhedron, counter?: LpCounter): number {
  const h = affineHull(P, counter);
  return h ? h.dim : -1;
}

/**
 * Margin-rule classification (src/tolerance.ts): `full` when the Chebyshev radius exceeds
 * TOL.FULL_DIM_RADIUS; `lower` when the implicit equalities made explicit leave a set whose
 * relative Chebyshev radius exceeds it; `thin` when neither holds but the LP finds points;
 * `empty` when the LP is infeasible. Returns a witness in the relative interior when one exists.
 */
export function classify(P: HPolyhedron, counter?: LpCounter): { cls: DimensionClass; dim: number; witness: Float64Array | null; radius: number; P: HPolyhedron } {
  const ch = chebyshevCenter(P, counter);
  if (ch.status === 'infeasible' || ch.center === null) return { cls: 'empty', dim: -1, witness: null, radius: -Infinity, P };
  if (ch.radius < -TOL.FEASIBILITY) return { cls: 'empty', dim: -1, witness: null, radius: ch.radius, P };
  const fullHull = P.meq === 0 ? P.n : equalityNullBasis(P).length;
  if (ch.radius > TOL.FULL_DIM_RADIUS) return { cls: P.meq === 0 ? 'full' : 'lower', dim: fullHull, witness: ch.center, radius: ch.radius, P };
  const slack = { maxSlack: 0 };
  const ex = withExplicitEqualities(P, counter, slack);
  if (!ex) return { cls: 'empty', dim: -1, witness: null, radius: ch.radius, P };
  // rows that are almost but not exactly tight everywhere: a slab thinner than the margin, not a lower-dimensional set
  if (ex.implicit.length === 0 || slack.maxSlack > TOL.IMPLICIT_EQUALITY) return { cls: 'thin', dim: fullHull, witness: ch.center, radius: ch.radius, P };
  const inner = chebyshevCenter(ex.P, counter);
  const dim = equalityNullBasis(ex.P).length;
  if (inner.center && (inner.radius > TOL.FULL_DIM_RADIUS || dim === 0)) return { cls: 'lower', dim, witness: inner.center, radius: inner.radius, P: ex.P };
  return { cls: 'thin', dim, witness: inner.center ?? ch.center, radius: inner.radius, P: ex.P };
}

/** A point in the relative interior of P (null when empty). */
export function relativeInteriorPoint(P: HPolyhedron, counter?: LpCounter): Float64Array | null {
  return classify(P, counter).witness;
}

/**
 * Removes redundant inequality rows: row i is redundant when max a_i x over the other rows
 * (with row i relaxed) stays <= b_i (within TOL.PRIMAL relative to |a_i|). Duplicates keep
 * their first occurrence. Returns the kept row indices too.
 */
export function removeRedundant(P: HPolyhedron, counter?: LpCounter): { P: HPolyhedron; kept: number[] } {
  const n = P.n;
  const kept: number[] = [];
  const active = new Array(P.m).fill(true);
  // last to first, so that of two duplicates the first one stays
  for (let i = P.m - 1; i >= 0; i--) {
    const ni = rowNorm(P, i);
    // relax row i by one unit of its norm so the LP measures how far it could move
    const b = P.b.slice();
    b[i] = P.b[i] + ni;
    const rows: number[] = [];
    for (let k = 0; k < P.m; k++) if (active[k] || k === i) rows.push(k);
    const A = new Float64Array(rows.length * n);
    const bb = new Float64Array(rows.length);
    for (let t = 0; t < rows.length; t++) {
      const k = rows[t];
      for (let j = 0; j < n; j++) A[t * n + j] = P.A[k * n + j]; // (a subarray per row was a fifth of an LP search's garbage)
      bb[t] = b[k];
    }
    const c = new Float64Array(n);
    for (let j = 0; j < n; j++) c[j] = -P.A[i * n + j];
    if (counter) counter.lps++;
    const r = solveLp({ n, c, A, b: bb, m: rows.length, Aeq: P.Aeq, beq: P.beq, meq: P.meq });
    const maxVal = r.status === 'optimal' ? -(r.objective as number) : r.status === 'unbounded' ? Infinity : Infinity;
    if (maxVal <= P.b[i] + TOL.PRIMAL * Math.max(1, ni, Math.abs(P.b[i]))) active[i] = false;
    else kept.push(i);
  }
  kept.reverse();
  const A = new Float64Array(kept.length * n);
  const b = new Float64Array(kept.length);
  kept.forEach((k, t) => {
    A.set(P.A.subarray(k * n, k * n + n), t * n);
    b[t] = P.b[k];
  });
  return { P: { ...P, m: kept.length, A, b }, kept };
}

/** The recession cone {d : A d <= 0, Aeq d = 0} as an H-polyhedron. */
export function recessionCone(P: HPolyhedron): HPolyhedron {
  return { ...P, b: new Float64Array(P.m), beq: new Float64Array(P.meq) };
}

/** Orthonormal basis of the lineality space {d : A d = 0, Aeq d = 0}. */
export function linealitySpace(P: HPolyhedron): Float64Array[] {
  const M = new Float64Array((P.m + P.meq) * P.n);
  M.set(P.A);
  M.set(P.Aeq, P.m * P.n);
  return nullSpace(M, P.m + P.meq, P.n);
}

/** Is (non-empty) P bounded? Checks that the recession cone is {0} with 2n small LPs. */
export function isBounded(P: HPolyhedron, counter?: LpCounter): boolean {
  const C = recessionCone(P);
  const n = P.n;
  const lower = new Float64Array(n).fill(-1);
  const upper = new Float64Array(n).fill(1);
  for (let j = 0; j < n; j++) {
    for (const s of [1, -1]) {
      const c = new Float64Array(n);
      c[j] = -s;
      if (counter) counter.lps++;
      const r = solveLp({ n, c, A: C.A, b: C.b, m: C.m, Aeq: C.Aeq, beq: C.beq, meq: C.meq, lower, upper });
      if (r.status === 'optimal' && -(r.objective as number) > 1e-9) return false;
    }
  }
  return true;
}
