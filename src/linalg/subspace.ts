import { TOL } from '../tolerance.js';
import { svd, type SvdResult } from './svd.js';

/**
 * Numerical rank from the SVD: the number of singular values greater than relTol · s[0]
 * (default {@link TOL.RANK}). A zero matrix (or an empty one) has rank 0.
 */
export function rank(A: Float64Array, m: number, n: number, relTol: number = TOL.RANK): number {
  return rankOf(svd(A, m, n), relTol);
}

/** Rank read off an existing SVD (see {@link rank}). */
export function rankOf(d: SvdResult, relTol: number = TOL.RANK): number {
  const s = d.s;
  if (s.length === 0 || !(s[0] > 0)) return 0;
  const cut = relTol * s[0];
  let r = 0;
  while (r < s.length && s[r] > cut) r++;
  return r;
}

function columnsOf(V: Float64Array, rows: number, cols: number, from: number, to: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let j = from; j < to; j++) {
    const v = new Float64Array(rows);
    for (let i = 0; i < rows; i++) v[i] = V[i * cols + j];
    out.push(v);
  }
  return out;
}

/**
 * Orthonormal basis of the null space {x : A x = 0} of A (m x n), as n - rank vectors of
 * length n (the right singular vectors beyond the numerical rank; see {@link rank}).
 * The zero matrix gives the standard basis of Rⁿ.
 */
export function nullSpace(A: Float64Array, m: number, n: number, relTol: number = TOL.RANK): Float64Array[] {
  const d = svd(A, m, n);
  return columnsOf(d.V, n, n, rankOf(d, relTol), n);
}

/** Orthonormal basis of the row space of A (m x n): rank vectors of length n. */
export function rowSpaceBasis(A: Float64Array, m: number, n: number, relTol: number = TOL.RANK): Float64Array[] {
  const d = svd(A, m, n);
  return columnsOf(d.V, n, n, 0, rankOf(d, relTol));
}

/** Orthonormal basis of the column space (range) of A (m x n): rank vectors of length m. */
export function columnSpaceBasis(A: Float64Array, m: number, n: number, relTol: number = TOL.RANK): Float64Array[] {
  const d = svd(A, m, n);
  return columnsOf(d.U, m, d.k, 0, rankOf(d, relTol));
}

/** Result of {@link leastSquares}. */
export interface LeastSquaresResult {
  /** The minimum-norm minimiser of ‖A x - b‖₂ (length n). */
  x: Float64Array;
  /** ‖A x - b‖₂ at that x. */
  residual: number;
  /** Numerical rank used. */
  rank: number;
}

/**
 * Minimum-norm least-squares solution of A x ≈ b for A (m x n) of any shape and rank:
 * x = Σ_{i < rank} (uᵢ·b / sᵢ) vᵢ, with the rank decided as in {@link rank}.
 * Square invertible systems get the ordinary solution; consistent underdetermined systems the
 * solution closest to the origin.
 */
export function leastSquares(A: Float64Array, m: number, n: number, b: ArrayLike<number>, relTol: number = TOL.RANK): LeastSquaresResult {
  const d = svd(A, m, n);
  const r = rankOf(d, relTol);
  const { U, s, V, k } = d;
  const x = new Float64Array(n);
  for (let c = 0; c < r; c++) {
    let ub = 0;
    for (let i = 0; i < m; i++) ub += U[i * k + c] * b[i];
    const coef = ub / s[c];
    for (let j = 0; j < n; j++) x[j] += coef * V[j * n + c];
  }
  let res = 0;
  for (let i = 0; i < m; i++) {
    let t = -b[i];
    for (let j = 0; j < n; j++) t += A[i * n + j] * x[j];
    res += t * t;
  }
  return { x, residual: Math.sqrt(res), rank: r };
}

/** Moore–Penrose pseudo-inverse (n x m) of A (m x n), singular values below relTol · s[0] dropped. */
export function pseudoInverse(A: Float64Array, m: number, n: number, relTol: number = TOL.RANK): Float64Array {
  const d = svd(A, m, n);
  const r = rankOf(d, relTol);
  const { U, s, V, k } = d;
  const P = new Float64Array(n * m);
  for (let c = 0; c < r; c++) {
    const inv = 1 / s[c];
    for (let i = 0; i < n; i++) {
      const vi = V[i * n + c] * inv;
      if (vi === 0) continue;
      for (let j = 0; j < m; j++) P[i * m + j] += vi * U[j * k + c];
    }
  }
  return P;
}
