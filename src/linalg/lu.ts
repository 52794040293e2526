import { TOL } from '../tolerance.js';
import { norm1 } from './basic.js';

/**
 * LU factorisation P A = L U of a square matrix with partial (row) pivoting.
 *
 * - `lu` holds L (unit lower, below the diagonal) and U (on and above it), row-major n x n;
 * - `perm[i]` is the row of A that became row i (so (P b)[i] = b[perm[i]]);
 * - `rcond` estimates 1 / (‖A‖₁ ‖A⁻¹‖₁) (Hager–Higham estimator, as LAPACK's xGECON);
 *   0 when a pivot vanished or A is zero;
 * - `singular` is `rcond <= relTol` (default {@link TOL.RANK}): A is singular relative to its norm.
 *   Never a comparison of a pivot with 0.
 */
export interface LuFactors {
  n: number;
  lu: Float64Array;
  perm: Int32Array;
  singular: boolean;
  rcond: number;
  /** Sign of the permutation (+1 or -1), for determinants. */
  permSign: number;
}

/**
 * Factors A (n x n, row-major; not modified).
 *
 * Method: right-looking Doolittle elimination with partial pivoting, O(n³); then the 1-norm
 * condition estimate with a few extra O(n²) solves. A column with no usable pivot (all
 * remaining entries exactly 0) is skipped so the factorisation always completes; such a
 * matrix gets rcond = 0.
 */
export function luFactor(A: Float64Array, n: number, relTol: number = TOL.RANK): LuFactors {
  const lu = Float64Array.from(A.subarray(0, n * n));
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let permSign = 1;
  let brokenPivot = false;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      const rk = k * n, rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = lu[rk + j];
        lu[rk + j] = lu[rp + j];
        lu[rp + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      permSign = -permSign;
    }
    const piv = lu[k * n + k];
    if (!(best > 0) || !Number.isFinite(piv)) {
      // Nothing to eliminate with (or non-finite data): leave the column, mark the factorisation.
      brokenPivot = true;
      continue;
    }
    const rk = k * n;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = lu[ri + k] / piv;
      lu[ri + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) lu[ri + j] -= l * lu[rk + j];
    }
  }
  const f: LuFactors = { n, lu, perm, singular: true, rcond: 0, permSign };
  if (n === 0) {
    f.singular = false;
    f.rcond = 1;
    return f;
  }
  if (!brokenPivot) {
    const anorm = norm1(A, n, n);
    if (anorm > 0 && Number.isFinite(anorm)) {
      const ainv = estimateInverseNorm1(f);
      f.rcond = Number.isFinite(ainv) && ainv > 0 ? 1 / (anorm * ainv) : 0;
    }
  }
  f.singular = !(f.rcond > relTol);
  return f;
}

/**
 * Solves A x = b with the factors of {@link luFactor}. When `f.singular` is true the result may
 * contain huge or non-finite values; callers decide (see {@link solve}, which returns null then).
 * `out` may alias `b`.
 */
export function luSolve(f: LuFactors, b: ArrayLike<number>, out: Float64Array = new Float64Array(f.n)): Float64Array {
  const { n, lu, perm } = f;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = b[perm[i]];
  for (let i = 0; i < n; i++) {
    let s = y[i];
    const r = i * n;
    for (let j = 0; j < i; j++) s -= lu[r + j] * y[j];
    y[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    const r = i * n;
    for (let j = i + 1; j < n; j++) s -= lu[r + j] * y[j];
    y[i] = s / lu[r + i];
  }
  out.set(y);
  return out;
}

/** Solves Aᵀ x = b with the factors of A. `out` may alias `b`. */
export function luSolveTransposed(f: LuFactors, b: ArrayLike<number>, out: Float64Array = new Float64Array(f.n)): Float64Array {
  const { n, lu, perm } = f;
  // Aᵀ = Uᵀ Lᵀ P, so solve Uᵀ z = b, Lᵀ w = z, x = Pᵀ w.
  const z = Float64Array.from({ length: n }, (_, i) => b[i]);
  for (let i = 0; i < n; i++) {
    let s = z[i];
    for (let j = 0; j < i; j++) s -= lu[j * n + i] * z[j];
    z[i] = s / lu[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let j = i + 1; j < n; j++) s -= lu[j * n + i] * z[j];
    z[i] = s;
  }
  for (let i = 0; i < n; i++) out[perm[i]] = z[i];
  return out;
}

/** Determinant from the factors (may under/overflow for large n; use for small systems). */
export function luDeterminant(f: LuFactors): number {
  let d = f.permSign;
  for (let i = 0; i < f.n; i++) d *= f.lu[i * f.n + i];
  return d;
}

/**
 * Estimate of ‖A⁻¹‖₁ (Hager 1984, Higham 1988 "FORTRAN codes for estimating the one-norm",
 * Algorithm 4.1 with the alternative estimate). A lower bound, usually within a factor 3.
 */
function estimateInverseNorm1(f: LuFactors): number {
  const n = f.n;
  let x = new Float64Array(n).fill(1 / n);
  let est = 0;
  let lastJ = -1;
  for (let iter = 0; iter < 5; iter++) {
    const y = luSolve(f, x);
    let ny = 0;
    for (let i = 0; i < n; i++) ny += Math.abs(y[i]);
    if (!Number.isFinite(ny)) return Infinity;
    if (iter > 0 && ny <= est) break;
    est = ny;
    const xi = new Float64Array(n);
    for (let i = 0; i < n; i++) xi[i] = y[i] >= 0 ? 1 : -1;
    const z = luSolveTransposed(f, xi);
    let j = 0;
    let zmax = -1;
    let zx = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(z[i]);
      if (a > zmax) {
        zmax = a;
        j = i;
      }
      zx += z[i] * x[i];
    }
    if (zmax <= zx || j === lastJ) break;
    lastJ = j;
    x = new Float64Array(n);
    x[j] = 1;
  }
  // Alternative estimate guarding against the estimator's known failure cases.
  const alt = new Float64Array(n);
  for (let i = 0; i < n; i++) alt[i] = (i % 2 === 0 ? 1 : -1) * (1 + (n > 1 ? i / (n - 1) : 0));
  const w = luSolve(f, alt);
  let nw = 0;
  for (let i = 0; i < n; i++) nw += Math.abs(w[i]);
  return Math.max(est, (2 * nw) / (3 * n));
}

/**
 * Solves the square system A x = b (A n x n, row-major). Returns null when A is singular relative
 * to its norm (estimated reciprocal condition number <= relTol, default {@link TOL.RANK}).
 * One step of iterative refinement is applied. For rank-deficient or non-square systems use
 * `leastSquares`.
 */
export function solve(A: Float64Array, n: number, b: ArrayLike<number>, relTol: number = TOL.RANK): Float64Array | null {
  const f = luFactor(A, n, relTol);
  if (f.singular) return null;
  const x = luSolve(f, b);
  refine(A, n, f, b, x);
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) return null;
  return x;
}

/** One step of iterative refinement of x for A x = b, in place. */
function refine(A: Float64Array, n: number, f: LuFactors, b: ArrayLike<number>, x: Float64Array): void {
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const row = i * n;
    for (let j = 0; j < n; j++) s -= A[row + j] * x[j];
    r[i] = s;
  }
  const d = luSolve(f, r, r);
  for (let i = 0; i < n; i++) x[i] += d[i];
}

/**
 * Inverse of A (n x n, row-major) or null when A is singular relative to its norm (as in
 * {@link solve}). Prefer {@link solve} when only A⁻¹ b is needed.
 */
export function inverse(A: Float64Array, n: number, relTol: number = TOL.RANK): Float64Array | null {
  const f = luFactor(A, n, relTol);
  if (f.singular) return null;
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    luSolve(f, e, col);
    refine(A, n, f, e, col);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i])) return null;
      inv[i * n + j] = col[i];
    }
  }
  return inv;
}
