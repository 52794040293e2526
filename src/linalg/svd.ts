import { PreimageError } from '../errors.js';
import { qrPivoted } from './qr.js';

/**
 * Singular value decomposition A = U diag(s) Vᵀ of A (m x n), k = min(m, n).
 *
 * - `U` is m x k, row-major, orthonormal columns (left singular vectors);
 * - `s` has length k, non-increasing, >= 0;
 * - `V` is n x n, row-major, orthogonal: its columns are ALL n right singular vectors. Columns
 *   0..k-1 pair with `s`; when n > m the last n - m columns span part of the null space (their
 *   singular value is 0 and is not listed in `s`).
 */
export interface SvdResult {
  U: Float64Array;
  s: Float64Array;
  V: Float64Array;
  m: number;
  n: number;
  k: number;
}

const EPS = Number.EPSILON;
const MAX_SWEEPS = 80;

/**
 * Method (Drmač & Veselić 2008, "New fast and accurate Jacobi SVD algorithm"): pivoted
 * Householder QR of A (of Aᵀ when m < n), negligible trailing rows of R dropped, a second
 * pivoted QR of the kept rows' transpose, then one-sided (Hestenes) Jacobi on the small
 * nonsingular triangular factor, which converges in a few sweeps. Singular vectors of the
 * (numerical) null spaces come from the trailing columns of the Householder Q factors, so U and V
 * are orthonormal to working precision in every case, rank-deficient or not. The matrix is first
 * scaled by a power of two when its entries are far from 1.
 *
 * Guarantees: ‖A - U diag(s) Vᵀ‖ is a few ulps times ‖A‖ times a small factor of k; singular
 * values are accurate to about eps·s[0] (absolutely), and those below about max(m, n)·eps·s[0]
 * are returned as exactly 0 (their rows of R are dropped). Throws PreimageError (NON_FINITE) on
 * NaN or infinite entries. Cost O(mnk + sweeps·k³); intended for
 * matrices up to a few hundred rows/columns.
 */
export function svd(A: Float64Array, m: number, n: number): SvdResult {
  const k = Math.min(m, n);
  if (k === 0) {
    const V = new Float64Array(n * n);
    for (let i = 0; i < n; i++) V[i * n + i] = 1;
    return { U: new Float64Array(0), s: new Float64Array(0), V, m, n, k };
  }
  // Scale by a power of two (exact) so that the largest entry is in [1, 2): the Jacobi step
  // works with squared norms, which would under/overflow for entries far from 1.
  let amax = 0;
  for (let i = 0; i < m * n; i++) amax = Math.max(amax, Math.abs(A[i]));
  if (!Number.isFinite(amax)) throw new PreimageError('NON_FINITE', `expected a finite matrix, found ${amax}`);
  if (amax > 0 && Number.isFinite(amax) && (amax < 2 ** -400 || amax > 2 ** 400)) {
    const e = Math.floor(Math.log2(amax));
    const down = pow2(-e);
    const res = svdScaled(A.map((v) => v * down), m, n, k);
    const up = pow2(e);
    for (let i = 0; i < k; i++) res.s[i] *= up;
    return res;
  }
  return svdScaled(A, m, n, k);
}

/** 2^e for any integer e in [-1074, 1023], exactly (Math.pow may be inexact on some engines). */
function pow2(e: number): number {
  let r = 1;
  while (e > 1000) {
    r *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    r *= 2 ** -1000;
    e += 1000;
  }
  return r * Math.pow(2, e);
}

function svdScaled(A: Float64Array, m: number, n: number, k: number): SvdResult {
  if (m >= n) {
    const t = svdTall(A, m, n, false);
    return { U: t.U, s: t.s, V: t.V, m, n, k };
  }
  // Wide: A = Tᵀ with T = Aᵀ tall; T = Ut S Vtᵀ  =>  A = Vt S Utᵀ, and the full Ut (n x n) is V.
  const T = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  const t = svdTall(T, n, m, true);
  return { U: t.V, s: t.s, V: t.U, m, n, k };
}

/**
 * SVD of a tall T (p x q, p >= q >= 1): T = U diag(s) Vᵀ with U p x q (p x p when `fullLeft`),
 * s of length q, V q x q.
 *
 * 1. T P1 = Q1 R1 (pivoted QR). Rows of R1 whose diagonal is below eps·|R1[0,0]| are dropped
 *    (a backward error of about q·eps·‖T‖); r rows remain.
 * 2. X = R1[0:r, :] (r x q, full row rank): Xᵀ P2 = Q2 R2 (pivoted QR, Q2 q x q full).
 * 3. One-sided Jacobi on the r x r nonsingular Y = R2ᵀ converges in a few sweeps.
 * The singular vectors for the dropped part come from the trailing columns of Q1 and Q2,
 * which are orthonormal by construction.
 */
function svdTall(T: Float64Array, p: number, q: number, fullLeft: boolean): { U: Float64Array; s: Float64Array; V: Float64Array } {
  const qr1 = qrPivoted(T, p, q, { wantQ: true, fullQ: fullLeft });
  const c1 = qr1.qCols;
  const Q1 = qr1.Q!;
  const R1 = qr1.R; // q x q
  const r00 = Math.abs(R1[0]);
  let r = 0;
  if (r00 > 0) while (r < q && Math.abs(R1[r * q + r]) > EPS * p * r00) r++;
  const s = new Float64Array(q);
  const U = new Float64Array(p * c1);
  const V = new Float64Array(q * q);
  // Right vectors in pivoted coordinates (q x q), before undoing P1.
  const Vp = new Float64Array(q * q);
  if (r === 0) {
    U.set(Q1);
    for (let i = 0; i < q; i++) Vp[i * q + i] = 1;
  } else {
    // Xᵀ (q x r)
    const Xt = new Float64Array(q * r);
    for (let i = 0; i < r; i++) for (let j = i; j < q; j++) Xt[j * r + i] = R1[i * q + j];
    const qr2 = qrPivoted(Xt, q, r, { wantQ: true, fullQ: true });
    const Q2 = qr2.Q!; // q x q
    const Y = new Float64Array(r * r); // R2ᵀ
    for (let i = 0; i < r; i++) for (let j = i; j < r; j++) Y[j * r + i] = qr2.R[i * r + j];
    const { U: U3, s: s3, V: V3 } = jacobiSquare(Y, r);
    s.set(s3);
    // U_X: row perm2[j] = row j of U3 (r x r).  Left vectors: Q1[:, :r] U_X, then Q1[:, r:c1].
    const UX = new Float64Array(r * r);
    for (let j = 0; j < r; j++) UX.set(U3.subarray(j * r, j * r + r), qr2.perm[j] * r);
    for (let i = 0; i < p; i++) {
      const qo = i * c1, uo = i * c1;
      for (let t = 0; t < r; t++) {
        const a = Q1[qo + t];
        if (a === 0) continue;
        const xo = t * r;
        for (let j = 0; j < r; j++) U[uo + j] += a * UX[xo + j];
      }
      for (let j = r; j < c1; j++) U[uo + j] = Q1[qo + j];
    }
    // V_X = Q2[:, :r] V3 (q x r), then Q2[:, r:q].
    for (let i = 0; i < q; i++) {
      const qo = i * q;
      for (let t = 0; t < r; t++) {
        const a = Q2[qo + t];
        if (a === 0) continue;
        const vo = t * r;
        for (let j = 0; j < r; j++) Vp[qo + j] += a * V3[vo + j];
      }
      for (let j = r; j < q; j++) Vp[qo + j] = Q2[qo + j];
    }
  }
  // Undo the column pivoting of step 1: row perm1[i] of V = row i of Vp.
  for (let i = 0; i < q; i++) V.set(Vp.subarray(i * q, i * q + q), qr1.perm[i] * q);
  return { U, s, V };
}

/**
 * One-sided Jacobi SVD of a square B (k x k): B V = U S. Works on the rows of G = Bᵀ (the
 * columns of B, contiguous in memory) and on the rows of Vᵀ. Returns U, V row-major k x k with
 * columns sorted by non-increasing singular value. Columns of U for (numerically) zero singular
 * values are completed to an orthonormal basis.
 */
export function jacobiSquare(B: Float64Array, k: number): { U: Float64Array; s: Float64Array; V: Float64Array } {
  const G = new Float64Array(k * k); // row p = column p of B
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) G[j * k + i] = B[i * k + j];
  const Vt = new Float64Array(k * k); // row p = column p of V
  for (let i = 0; i < k; i++) Vt[i * k + i] = 1;
  const norms = new Float64Array(k);
  const tol = EPS * Math.max(1, Math.sqrt(k));
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    for (let p = 0; p < k; p++) norms[p] = sumSq(G, p * k, k);
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const alpha = norms[p], beta = norms[q];
        if (alpha === 0 || beta === 0) continue;
        const rp = p * k, rq = q * k;
        let gamma = 0;
        for (let t = 0; t < k; t++) gamma += G[rp + t] * G[rq + t];
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t0 = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t0 * t0);
        const s = c * t0;
        for (let t = 0; t < k; t++) {
          const gp = G[rp + t], gq = G[rq + t];
          G[rp + t] = c * gp - s * gq;
          G[rq + t] = s * gp + c * gq;
          const vp = Vt[rp + t], vq = Vt[rq + t];
          Vt[rp + t] = c * vp - s * vq;
          Vt[rq + t] = s * vp + c * vq;
        }
        norms[p] = alpha - t0 * gamma;
        norms[q] = beta + t0 * gamma;
      }
    }
    if (!rotated) break;
  }
  // Singular values and left vectors.
  const sv = new Float64Array(k);
  for (let p = 0; p < k; p++) sv[p] = Math.sqrt(sumSq(G, p * k, k));
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => sv[b] - sv[a] || a - b);
  const s = new Float64Array(k);
  const U = new Float64Array(k * k);
  const V = new Float64Array(k * k);
  const smax = sv[order[0]];
  const tiny = smax * EPS * k;
  const Ucols: (Float64Array | null)[] = [];
  const have: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const p = order[c];
    s[c] = sv[p];
    let u: Float64Array | null = null;
    if (sv[p] > tiny && sv[p] > 0) {
      u = new Float64Array(k);
      for (let t = 0; t < k; t++) u[t] = G[p * k + t] / sv[p];
      have.push(u);
    }
    Ucols.push(u);
    for (let t = 0; t < k; t++) V[t * k + c] = Vt[p * k + t];
  }
  // Numerically zero columns: complete U with an orthonormal basis of the complement.
  const missing = Ucols.filter((u) => u === null).length;
  const extra = missing > 0 ? completeBasis(have, k, missing) : [];
  let next = 0;
  for (let c = 0; c < k; c++) {
    const u = Ucols[c] ?? extra[next++];
    for (let t = 0; t < k; t++) U[t * k + c] = u[t];
  }
  return { U, s, V };
}

function sumSq(a: Float64Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[off + i] * a[off + i];
  return s;
}

/**
 * `count` orthonormal vectors orthogonal to the given orthonormal `basis` (in R^k): the trailing
 * columns of the full Householder Q of the k x |basis| matrix whose columns are `basis`.
 */
function completeBasis(basis: Float64Array[], k: number, count: number): Float64Array[] {
  const b = basis.length;
  if (b === 0) {
    return Array.from({ length: count }, (_, e) => {
      const v = new Float64Array(k);
      v[e] = 1;
      return v;
    });
  }
  const M = new Float64Array(k * b);
  for (let j = 0; j < b; j++) for (let t = 0; t < k; t++) M[t * b + j] = basis[j][t];
  const Q = qrPivoted(M, k, b, { wantQ: true, fullQ: true }).Q!;
  const out: Float64Array[] = [];
  for (let j = b; j < b + count; j++) {
    const v = new Float64Array(k);
    for (let t = 0; t < k; t++) v[t] = Q[t * k + j];
    out.push(v);
  }
  return out;
}
