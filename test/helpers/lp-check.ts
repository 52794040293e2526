/**
 * Independent floating-point checks of LP answers, in the caller's (unscaled) units. They share
 * no code with src/lp. `floatFarkasCheck` is the float stand-in for an exact rational check.
 */
import type { FarkasCertificate, LpProblem, LpResult } from '../../src/lp/types.js';

function rowNorm(M: Float64Array, i: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += M[i * n + j] * M[i * n + j];
  return Math.sqrt(s);
}

export interface FarkasCheck {
  ok: boolean;
  /** ‖yᵀA + yEqᵀAeq + yUpper − yLower‖∞. */
  residual: number;
  /** Σ |y_i| ‖a_i‖ over all multipliers (bounds have norm 1): the scale of the combination. */
  mass: number;
  /** yᵀb + yEqᵀbeq + yUpper·u − yLower·l (must be < 0). */
  rhs: number;
  why?: string;
}

/**
 * Checks a Farkas certificate in floating point: signs (y, yUpper, yLower >= 0; zero on infinite
 * bounds), ‖combination‖∞ <= tol · mass, and rhs < −tol · mass · (1 + max|bound|) so rounding
 * in the combination cannot account for the negative right-hand side.
 */
export function floatFarkasCheck(p: LpProblem, f: FarkasCertificate, tol = 1e-9): FarkasCheck {
  const { n, m } = p;
  const meq = p.meq ?? 0;
  const comb = new Float64Array(n);
  let mass = 0;
  let rhs = 0;
  let bmax = 0;
  const fail = (why: string): FarkasCheck => ({ ok: false, residual: NaN, mass, rhs, why });
  if (f.y.length !== m || f.yEq.length !== meq || f.yUpper.length !== n || f.yLower.length !== n) return fail('lengths');
  for (let i = 0; i < m; i++) {
    const y = f.y[i];
    if (!(y >= 0)) return fail(`y[${i}] = ${y}`);
    if (y === 0) continue;
    for (let j = 0; j < n; j++) comb[j] += y * p.A[i * n + j];
    mass += y * rowNorm(p.A, i, n);
    rhs += y * p.b[i];
    bmax = Math.max(bmax, Math.abs(p.b[i]) / Math.max(rowNorm(p.A, i, n), 1e-300));
  }
  for (let e = 0; e < meq; e++) {
    const y = f.yEq[e];
    if (!Number.isFinite(y)) return fail(`yEq[${e}] = ${y}`);
    if (y === 0) continue;
    for (let j = 0; j < n; j++) comb[j] += y * p.Aeq![e * n + j];
    mass += Math.abs(y) * rowNorm(p.Aeq!, e, n);
    rhs += y * p.beq![e];
    bmax = Math.max(bmax, Math.abs(p.beq![e]) / Math.max(rowNorm(p.Aeq!, e, n), 1e-300));
  }
  for (let j = 0; j < n; j++) {
    const yu = f.yUpper[j];
    const yl = f.yLower[j];
    if (!(yu >= 0) || !(yl >= 0)) return fail(`bound multipliers of x${j}: ${yu}, ${yl}`);
    const u = p.upper ? p.upper[j] : Infinity;
    const l = p.lower ? p.lower[j] : -Infinity;
    if (yu > 0) {
      if (!(u < Infinity)) return fail(`yUpper[${j}] > 0 on an infinite bound`);
      comb[j] += yu;
      mass += yu;
      rhs += yu * u;
      bmax = Math.max(bmax, Math.abs(u));
    }
    if (yl > 0) {
      if (!(l > -Infinity)) return fail(`yLower[${j}] > 0 on an infinite bound`);
      comb[j] -= yl;
      mass += yl;
      rhs -= yl * l;
      bmax = Math.max(bmax, Math.abs(l));
    }
  }
  let residual = 0;
  for (let j = 0; j < n; j++) residual = Math.max(residual, Math.abs(comb[j]));
  // (mass is 0 only for a zero row 0·x <= b < 0, which proves infeasibility on its own)
  const ok = residual <= tol * mass && rhs < -tol * mass * (1 + bmax) && rhs < 0;
  return { ok, residual, mass, rhs, why: ok ? undefined : `residual ${residual} mass ${mass} rhs ${rhs}` };
}

/**
 * Largest violation of a·x <= b over rows, equalities and bounds, relative to
 * max(‖a‖ + |b|, ‖a‖ ‖x‖∞) (rounding in a·x grows with ‖x‖; matters for far-away points).
 */
export function primalViolation(p: LpProblem, x: Float64Array): number {
  const { n, m } = p;
  let worst = 0;
  let xs = 0;
  for (let j = 0; j < n; j++) xs = Math.max(xs, Math.abs(x[j]));
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += p.A[i * n + j] * x[j];
    const nr = rowNorm(p.A, i, n);
    if (nr === 0) continue;
    worst = Math.max(worst, (s - p.b[i]) / Math.max(nr + Math.abs(p.b[i]), nr * xs));
  }
  for (let e = 0; e < (p.meq ?? 0); e++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += p.Aeq![e * n + j] * x[j];
    const nr = rowNorm(p.Aeq!, e, n);
    if (nr === 0) continue;
    worst = Math.max(worst, Math.abs(s - p.beq![e]) / Math.max(nr + Math.abs(p.beq![e]), nr * xs));
  }
  for (let j = 0; j < n; j++) {
    if (p.upper && p.upper[j] < Infinity) worst = Math.max(worst, (x[j] - p.upper[j]) / Math.max(1 + Math.abs(p.upper[j]), xs));
    if (p.lower && p.lower[j] > -Infinity) worst = Math.max(worst, (p.lower[j] - x[j]) / Math.max(1 + Math.abs(p.lower[j]), xs));
    if (!Number.isFinite(x[j])) return Infinity;
  }
  return worst;
}

/**
 * KKT check of an optimal result: primal feasibility, multiplier signs, stationarity
 * c + Aᵀy + Aeqᵀ yEq + yU − yL = 0 and strong duality c·x = −(bᵀy + beqᵀyEq + u·yU − l·yL).
 * Returns a failure description or null.
 */
export function kktFailure(p: LpProblem, r: LpResult, tol = 1e-7): string | null {
  const { n, m } = p;
  const meq = p.meq ?? 0;
  if (!r.x || r.objective === undefined || !r.dual || !r.dualEq || !r.dualUpper || !r.dualLower) return 'missing fields';
  const pv = primalViolation(p, r.x);
  if (pv > tol) return `primal violation ${pv}`;
  let cx = 0;
  let cn = 0;
  for (let j = 0; j < n; j++) {
    cx += p.c[j] * r.x[j];
    cn = Math.max(cn, Math.abs(p.c[j]));
  }
  if (Math.abs(cx - r.objective) > tol * (1 + Math.abs(cx))) return `objective ${r.objective} != c·x ${cx}`;
  const st = Float64Array.from(p.c.subarray(0, n));
  let dualObj = 0;
  let scale = 1 + cn;
  for (let i = 0; i < m; i++) {
    const y = r.dual[i];
    if (!(y >= 0)) return `dual[${i}] = ${y}`;
    if (y === 0) continue;
    for (let j = 0; j < n; j++) st[j] += y * p.A[i * n + j];
    dualObj -= y * p.b[i];
    scale += Math.abs(y) * rowNorm(p.A, i, n);
  }
  for (let e = 0; e < meq; e++) {
    const y = r.dualEq[e];
    for (let j = 0; j < n; j++) st[j] += y * p.Aeq![e * n + j];
    dualObj -= y * p.beq![e];
    scale += Math.abs(y) * rowNorm(p.Aeq!, e, n);
  }
  for (let j = 0; j < n; j++) {
    const yu = r.dualUpper[j];
    const yl = r.dualLower[j];
    if (!(yu >= 0) || !(yl >= 0)) return `bound multipliers of x${j}: ${yu}, ${yl}`;
    if (yu > 0) {
      if (!(p.upper && p.upper[j] < Infinity)) return `dualUpper[${j}] on an infinite bound`;
      dualObj -= yu * p.upper[j];
    }
    if (yl > 0) {
      if (!(p.lower && p.lower[j] > -Infinity)) return `dualLower[${j}] on an infinite bound`;
      dualObj += yl * p.lower[j];
    }
    st[j] += yu - yl;
    scale += yu + yl;
  }
  for (let j = 0; j < n; j++) if (Math.abs(st[j]) > tol * scale) return `stationarity residual ${st[j]} at x${j}`;
  if (Math.abs(dualObj - cx) > tol * (1 + Math.abs(cx) + scale)) return `duality gap: primal ${cx}, dual ${dualObj}`;
  return null;
}

/** Checks an unbounded ray: A d <= tol‖d‖, Aeq d = 0, bound directions, c·d < 0. */
export function rayFailure(p: LpProblem, d: Float64Array, tol = 1e-8): string | null {
  const { n, m } = p;
  let dn = 0;
  for (let j = 0; j < n; j++) dn = Math.max(dn, Math.abs(d[j]));
  if (!(dn > 0)) return 'zero ray';
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += p.A[i * n + j] * d[j];
    if (s > tol * dn * rowNorm(p.A, i, n)) return `row ${i}: a·d = ${s}`;
  }
  for (let e = 0; e < (p.meq ?? 0); e++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += p.Aeq![e * n + j] * d[j];
    if (Math.abs(s) > tol * dn * rowNorm(p.Aeq!, e, n)) return `equality ${e}: a·d = ${s}`;
  }
  let cd = 0;
  for (let j = 0; j < n; j++) {
    if (p.upper && p.upper[j] < Infinity && d[j] > tol * dn) return `x${j} has an upper bound, d = ${d[j]}`;
    if (p.lower && p.lower[j] > -Infinity && d[j] < -tol * dn) return `x${j} has a lower bound, d = ${d[j]}`;
    cd += p.c[j] * d[j];
  }
  return cd < 0 ? null : `c·d = ${cd}`;
}

/** The problem with extra inequality rows appended (what an LpSession holds after addRow). */
export function withRows(p: LpProblem, rows: { a: Float64Array; b: number }[]): LpProblem {
  const { n, m } = p;
  const A = new Float64Array((m + rows.length) * n);
  A.set(p.A.subarray(0, m * n));
  const b = new Float64Array(m + rows.length);
  b.set(p.b.subarray(0, m));
  rows.forEach((r, k) => {
    A.set(r.a.subarray(0, n), (m + k) * n);
    b[m + k] = r.b;
  });
  return { ...p, m: m + rows.length, A, b };
}
