import { TOL } from '../tolerance.js';

/**
 * Householder QR with column pivoting: A[:, perm] = Q R.
 *
 * - `R` is k x n (k = min(m, n)), upper trapezoidal, row-major, columns in pivoted order;
 *   |R[0,0]| >= |R[1,1]| >= ... (the pivoting makes the diagonal non-increasing);
 * - `perm[j]` is the column of A that became column j;
 * - `Q` (present unless `wantQ: false`) is m x k (thin, default) or m x m (`fullQ: true`),
 *   row-major with orthonormal columns; with `fullQ` the last m - rank columns span the
 *   orthogonal complement of the column space;
 * - `rank` counts |R[i,i]| > relTol · |R[0,0]| (default relTol {@link TOL.RANK}).
 */
export interface QrResult {
  Q?: Float64Array;
  /** Number of columns of Q (k or m). */
  qCols: number;
  R: Float64Array;
  perm: Int32Array;
  rank: number;
  m: number;
  n: number;
}

export interface QrOptions {
  wantQ?: boolean;
  fullQ?: boolean;
  relTol?: number;
}

/**
 * Method: Businger–Golub pivoting (the remaining column of largest norm is brought forward at each
 * step) with LAPACK xGEQP3's norm downdating and recomputation on cancellation.
 *
 * Guarantees: Q R reproduces A[:, perm] to a few ulps times ‖A‖. Pivoted QR reveals the rank of
 * almost every matrix, but not all (Kahan's matrix fools it); use `rank` (SVD) when the rank
 * decision matters more than speed.
 */
export function qrPivoted(A: Float64Array, m: number, n: number, options: QrOptions = {}): QrResult {
  const { wantQ = true, fullQ = false, relTol = TOL.RANK } = options;
  const W = Float64Array.from(A.subarray(0, m * n));
  const k = Math.min(m, n);
  const perm = new Int32Array(n);
  for (let j = 0; j < n; j++) perm[j] = j;
  const vn1 = new Float64Array(n);
  const vn2 = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    vn1[j] = colNorm(W, m, n, j, 0);
    vn2[j] = vn1[j];
  }
  const tau = new Float64Array(k);
  const work = new Float64Array(Math.max(n, m));
  const tol3z = Math.sqrt(Number.EPSILON);
  for (let i = 0; i < k; i++) {
    // Pivot: remaining column of largest (downdated) norm.
    let p = i;
    for (let j = i + 1; j < n; j++) if (vn1[j] > vn1[p]) p = j;
    if (p !== i) {
      for (let r = 0; r < m; r++) {
        const t = W[r * n + i];
        W[r * n + i] = W[r * n + p];
        W[r * n + p] = t;
      }
      let t: number = perm[i];
      perm[i] = perm[p];
      perm[p] = t;
      vn1[p] = vn1[i];
      vn2[p] = vn2[i];
    }
    // Householder reflector H = I - tau v vᵀ with v[i] = 1 zeroing W[i+1:m, i].
    const alpha = W[i * n + i];
    const xnorm = colNorm(W, m, n, i, i + 1);
    if (xnorm === 0) {
      tau[i] = 0;
    } else {
      const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
      tau[i] = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let r = i + 1; r < m; r++) W[r * n + i] *= scale;
      W[i * n + i] = beta;
    }
    // Apply H to the trailing columns, row by row (contiguous access): w = vᵀ W[i:m, i+1:n].
    const ti = tau[i];
    if (ti !== 0 && i + 1 < n) {
      const w = work.subarray(0, n);
      for (let j = i + 1; j < n; j++) w[j] = W[i * n + j];
      for (let r = i + 1; r < m; r++) {
        const v = W[r * n + i];
        if (v === 0) continue;
        const ro = r * n;
        for (let j = i + 1; j < n; j++) w[j] += v * W[ro + j];
      }
      for (let j = i + 1; j < n; j++) {
        w[j] *= ti;
        W[i * n + j] -= w[j];
      }
      for (let r = i + 1; r < m; r++) {
        const v = W[r * n + i];
        if (v === 0) continue;
        const ro = r * n;
        for (let j = i + 1; j < n; j++) W[ro + j] -= v * w[j];
      }
    }
    // Downdate the column norms (LAPACK xLAQP2).
    for (let j = i + 1; j < n; j++) {
      if (vn1[j] === 0) continue;
      let temp = Math.abs(W[i * n + j]) / vn1[j];
      temp = Math.max(0, 1 - temp * temp);
      const ratio = vn1[j] / vn2[j];
      const temp2 = temp * ratio * ratio;
      if (temp2 <= tol3z) {
        vn1[j] = i + 1 < m ? colNorm(W, m, n, j, i + 1) : 0;
        vn2[j] = vn1[j];
      } else {
        vn1[j] *= Math.sqrt(temp);
      }
    }
  }
  // Extract R (k x n) and count the rank relative to the leading diagonal entry.
  const R = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) R[i * n + j] = W[i * n + j];
  let rank = 0;
  const r00 = k > 0 ? Math.abs(R[0]) : 0;
  if (r00 > 0) for (let i = 0; i < k && Math.abs(R[i * n + i]) > relTol * r00; i++) rank++;
  const res: QrResult = { R, perm, rank, m, n, qCols: fullQ ? m : k };
  if (wantQ) res.Q = formQ(W, tau, m, n, k, res.qCols);
  return res;
}

function colNorm(W: Float64Array, m: number, n: number, j: number, from: number): number {
  let scale = 0;
  for (let r = from; r < m; r++) scale = Math.max(scale, Math.abs(W[r * n + j]));
  if (scale === 0) return 0;
  let s = 0;
  for (let r = from; r < m; r++) {
    const v = W[r * n + j] / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/** Q = H_0 H_1 ... H_{k-1} applied to the first `cols` columns of the m x m identity. */
function formQ(W: Float64Array, tau: Float64Array, m: number, n: number, k: number, cols: number): Float64Array {
  const Q = new Float64Array(m * cols);
  for (let i = 0; i < Math.min(m, cols); i++) Q[i * cols + i] = 1;
  const w = new Float64Array(cols);
  for (let i = k - 1; i >= 0; i--) {
    const ti = tau[i];
    if (ti === 0) continue;
    // Q[i:m, :] -= tau v (vᵀ Q[i:m, :]), v = (1, W[i+1:m, i]); only columns >= i are nonzero yet.
    const c0 = Math.min(i, cols);
    for (let j = c0; j < cols; j++) w[j] = Q[i * cols + j];
    for (let r = i + 1; r < m; r++) {
      const v = W[r * n + i];
      if (v === 0) continue;
      const ro = r * cols;
      for (let j = c0; j < cols; j++) w[j] += v * Q[ro + j];
    }
    for (let j = c0; j < cols; j++) {
      w[j] *= ti;
      Q[i * cols + j] -= w[j];
    }
    for (let r = i + 1; r < m; r++) {
      const v = W[r * n + i];
      if (v === 0) continue;
      const ro = r * cols;
      for (let j = c0; j < cols; j++) Q[ro + j] -= v * w[j];
    }
  }
  return Q;
}
