/**
 * LP optima checked by their duals. For  min c·x  s.t.  A x <= b,  Aeq x = beq,  l <= x <= u  the
 * solver returns multipliers (y >= 0, yEq, yU >= 0, yL >= 0). Weak duality gives, for every feasible
 * x', the lower bound
 *   c·x' >= D - ‖r‖₁ · max(|l|, |u|),   D = -(b·y + beq·yEq + u·yU - l·yL),
 *   r = c + Aᵀy + Aeqᵀ yEq + yU - yL  (the stationarity residual),
 * so the reported optimum c·x is certified up to gap = c·x - D + ‖r‖₁·max(|l|,|u|).
 */
import { solveLp } from '../lp/solve.js';
import type { LpProblem, LpResult } from '../lp/types.js';

/** A dual check of one LP answer. */
export interface DualCheck {
  /** c·x at the returned primal point. */
  primal: number;
  /** The rigorous lower bound D - ‖r‖₁·B implied by the multipliers (see the module doc). */
  dualBound: number;
  /** primal - dualBound (>= 0 up to rounding). */
  gap: number;
  /** ‖r‖∞ before scaling (stationarity residual). */
  residual: number;
  /** Most negative sign-constrained multiplier (0 when all have the right sign). */
  signViolation: number;
  /** Largest violation of A x <= b, Aeq x = beq and the bounds at the primal point. */
  primalViolation: number;
  /** gap <= tol·(1 + |primal|), signs and primal feasibility within tol. */
  ok: boolean;
}

/** Default tolerance of {@link checkDual}: relative duality gap and feasibility. */
export const DUAL_TOL = 1e-7;

/** Checks an `optimal` LP result against its multipliers (see the module doc). */
export function checkDual(p: LpProblem, r: LpResult, tol = DUAL_TOL): DualCheck {
  const { n, m } = p;
  const meq = p.meq ?? 0;
  if (r.status !== 'optimal' || !r.x || !r.dual) throw new Error(`expected an optimal LP result, found ${r.status}`);
  const x = r.x, y = r.dual, yEq = r.dualEq ?? new Float64Array(meq);
  const yU = r.dualUpper ?? new Float64Array(n), yL = r.dualLower ?? new Float64Array(n);
  const res = Float64Array.from(p.c.subarray(0, n));
  let D = 0, sign = 0, viol = 0;
  for (let i = 0; i < m; i++) {
    const yi = y[i];
    if (yi < sign) sign = yi;
    let ax = 0;
    for (let j = 0; j < n; j++) { const a = p.A[i * n + j]; res[j] += a * yi; ax += a * x[j]; }
    if (yi !== 0) D -= p.b[i] * yi;
    viol = Math.max(viol, ax - p.b[i]);
  }
  for (let i = 0; i < meq; i++) {
    const yi = yEq[i];
    let ax = 0;
    for (let j = 0; j < n; j++) { const a = p.Aeq![i * n + j]; res[j] += a * yi; ax += a * x[j]; }
    D -= p.beq![i] * yi;
    viol = Math.max(viol, Math.abs(ax - p.beq![i]));
  }
  let B = 0;
  for (let j = 0; j < n; j++) {
    const u = p.upper ? p.upper[j] : Infinity, l = p.lower ? p.lower[j] : -Infinity;
    if (yU[j] < sign) sign = yU[j];
    if (yL[j] < sign) sign = yL[j];
    if (Number.isFinite(u)) { res[j] += yU[j]; D -= u * yU[j]; viol = Math.max(viol, x[j] - u); }
    if (Number.isFinite(l)) { res[j] -= yL[j]; D += l * yL[j]; viol = Math.max(viol, l - x[j]); }
    B = Math.max(B, Number.isFinite(u) ? Math.abs(u) : Infinity, Number.isFinite(l) ? Math.abs(l) : Infinity);
  }
  let r1 = 0, rInf = 0;
  for (let j = 0; j < n; j++) { r1 += Math.abs(res[j]); rInf = Math.max(rInf, Math.abs(res[j])); }
  // with unbounded variables the residual term cannot be bounded: it must vanish exactly
  const slack = r1 === 0 ? 0 : r1 * B;
  let primal = 0;
  for (let j = 0; j < n; j++) primal += p.c[j] * x[j];
  const dualBound = D - slack;
  const gap = primal - dualBound;
  const scale = 1 + Math.abs(primal);
  const ok = Number.isFinite(gap) && gap <= tol * scale && gap >= -tol * scale && sign >= -tol && viol <= tol * Math.max(1, B === Infinity ? 1 : B);
  return { primal, dualBound, gap, residual: rInf, signViolation: sign, primalViolation: Math.max(0, viol), ok };
}

/** solveLp followed by {@link checkDual}; throws unless the answer is optimal and its dual check passes. */
export function solveChecked(p: LpProblem): { result: LpResult; check: DualCheck } {
  const result = solveLp(p);
  if (result.status !== 'optimal') throw new Error(`LP ${result.status}${result.warnings ? ': ' + result.warnings.join('; ') : ''}`);
  const check = checkDual(p, result);
  if (!check.ok) throw new Error(`LP optimum failed its dual check: gap ${check.gap}, residual ${check.residual}, sign ${check.signViolation}, primal violation ${check.primalViolation}`);
  return { result, check };
}
