/**
 * Dense BLAS-like kernels on row-major Float64Arrays. No input checks beyond what the
 * signatures say: callers pass consistent sizes (the boundary of the library checks shapes).
 *
 * Conventions used throughout src/linalg:
 * - an m x n matrix is a Float64Array of length m*n, entry (i, j) at index i*n + j;
 * - an optional last argument `out` receives the result (allocated when omitted) and is returned;
 *   `out` must not alias an input unless the function says so.
 */

/** out = A x for A (m x n) and x (length n); out has length m. */
export function matVec(A: Float64Array, m: number, n: number, x: ArrayLike<number>, out: Float64Array = new Float64Array(m)): Float64Array {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) s += A[r + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** out = Aᵀ y for A (m x n) and y (length m); out has length n. */
export function matTVec(A: Float64Array, m: number, n: number, y: ArrayLike<number>, out: Float64Array = new Float64Array(n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const yi = y[i];
    if (yi === 0) continue;
    const r = i * n;
    for (let j = 0; j < n; j++) out[j] += A[r + j] * yi;
  }
  return out;
}

/** out = A B for A (m x k) and B (k x n); out is m x n. */
export function matMul(A: Float64Array, B: Float64Array, m: number, k: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const ro = i * n;
    const ra = i * k;
    for (let t = 0; t < k; t++) {
      const a = A[ra + t];
      if (a === 0) continue;
      const rb = t * n;
      for (let j = 0; j < n; j++) out[ro + j] += a * B[rb + j];
    }
  }
  return out;
}

/** out = Aᵀ for A (m x n); out is n x m. */
export function transpose(A: Float64Array, m: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  for (let i = 0; i < m; i++) {
    const r = i * n;
    for (let j = 0; j < n; j++) out[j * m + i] = A[r + j];
  }
  return out;
}

/** a·b over the first `len` entries (default: a.length). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, len: number = a.length): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[i] * b[i];
  return s;
}

/**
 * Euclidean norm ‖a‖₂, computed with scaling so that it neither overflows nor underflows
 * for entries near the limits of the double range.
 */
export function norm2(a: ArrayLike<number>, len: number = a.length): number {
  let scale = 0;
  for (let i = 0; i < len; i++) {
    const v = Math.abs(a[i]);
    if (v > scale) scale = v;
  }
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  // Plain sum of squares is exact enough and fastest when safely inside the range.
  if (scale < 1e150 && scale > 1e-150) {
    let s = 0;
    for (let i = 0; i < len; i++) s += a[i] * a[i];
    return Math.sqrt(s);
  }
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = a[i] / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/** Largest absolute entry of a vector or matrix (0 when empty). */
export function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > s) s = v;
  }
  return s;
}

/** Frobenius norm of a matrix stored in any layout. */
export function normFrobenius(A: ArrayLike<number>): number {
  return norm2(A);
}

/** Induced 1-norm (largest column absolute sum) of A (m x n). */
export function norm1(A: Float64Array, m: number, n: number): number {
  const col = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const r = i * n;
    for (let j = 0; j < n; j++) col[j] += Math.abs(A[r + j]);
  }
  return maxAbs(col);
}

/** The n x n identity. */
export function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** Column j of A (m x n) as a new array of length m. */
export function column(A: Float64Array, m: number, n: number, j: number, out: Float64Array = new Float64Array(m)): Float64Array {
  for (let i = 0; i < m; i++) out[i] = A[i * n + j];
  return out;
}

/** out = y + alpha x (axpy); out may alias y. */
export function axpy(alpha: number, x: ArrayLike<number>, y: ArrayLike<number>, out: Float64Array = new Float64Array(y.length)): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = y[i] + alpha * x[i];
  return out;
}
