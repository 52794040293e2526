/**
 * Affine maps between flattened (row-major) tensors, as the ONNX reader composes them.
 *
 * An operator applied to the data is one of two kinds:
 *   - `gather`: y[o] = scale[o] * x[src[o]] + shift[o] (elementwise ops, broadcasting, reshapes);
 *   - `dense`:  y = W x + b (MatMul, Gemm).
 * Keeping elementwise ops as gathers makes composing them with a dense map cost O(size of W),
 * so an input normalisation in front of a 784-input layer stays cheap.
 */

export type Affine =
  | { kind: 'gather'; inSize: number; src: Int32Array; scale: Float64Array; shift: Float64Array }
  | { kind: 'dense'; inSize: number; W: Float64Array; b: Float64Array };

/** Output size of an affine map. */
export function outSizeOf(a: Affine): number {
  return a.kind === 'gather' ? a.src.length : a.b.length;
}

/** The identity on n numbers. */
export function identity(n: number): Affine {
  const src = new Int32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  return { kind: 'gather', inSize: n, src, scale: new Float64Array(n).fill(1), shift: new Float64Array(n) };
}

/** True when `a` is exactly the identity (same size, scale 1, shift 0, src = 0..n-1). */
export function isIdentity(a: Affine): boolean {
  if (a.kind !== 'gather' || a.src.length !== a.inSize) return false;
  for (let i = 0; i < a.src.length; i++) {
    if (a.src[i] !== i || a.scale[i] !== 1 || a.shift[i] !== 0) return false;
  }
  return true;
}

/** `op` after `p` (p: n -> k, op: k -> m), i.e. x -> op(p(x)). */
export function composeAffine(p: Affine, op: Affine): Affine {
  if (isIdentity(p)) return op; // exact, and the common case right after a Relu
  const n = p.inSize;
  if (op.kind === 'gather') {
    const m = op.src.length;
    if (p.kind === 'gather') {
      const src = new Int32Array(m), scale = new Float64Array(m), shift = new Float64Array(m);
      for (let o = 0; o < m; o++) {
        const s = op.src[o];
        src[o] = p.src[s];
        scale[o] = op.scale[o] * p.scale[s];
        shift[o] = op.scale[o] * p.shift[s] + op.shift[o];
      }
      return { kind: 'gather', inSize: n, src, scale, shift };
    }
    const W = new Float64Array(m * n), b = new Float64Array(m);
    for (let o = 0; o < m; o++) {
      const s = op.src[o], c = op.scale[o];
      for (let j = 0; j < n; j++) W[o * n + j] = c * p.W[s * n + j];
      b[o] = c * p.b[s] + op.shift[o];
    }
    return { kind: 'dense', inSize: n, W, b };
  }
  const m = op.b.length, k = op.inSize;
  const W = new Float64Array(m * n), b = Float64Array.from(op.b);
  if (p.kind === 'gather') {
    for (let o = 0; o < m; o++) {
      let s = b[o];
      for (let j = 0; j < k; j++) {
        const w = op.W[o * k + j];
        W[o * n + p.src[j]] += w * p.scale[j];
        if (p.shift[j] !== 0) s += w * p.shift[j];
      }
      b[o] = s;
    }
    return { kind: 'dense', inSize: n, W, b };
  }
  for (let o = 0; o < m; o++) {
    let s = b[o];
    for (let j = 0; j < k; j++) {
      const w = op.W[o * k + j];
      s += w * p.b[j];
      const r = j * n, d = o * n;
      for (let c = 0; c < n; c++) W[d + c] += w * p.W[r + c];
    }
    b[o] = s;
  }
  return { kind: 'dense', inSize: n, W, b };
}

/** The map as a dense (out x in) matrix and bias. */
export function toDense(a: Affine): { W: Float64Array; b: Float64Array } {
  if (a.kind === 'dense') return { W: a.W, b: a.b };
  const m = a.src.length, n = a.inSize;
  const W = new Float64Array(m * n);
  for (let o = 0; o < m; o++) W[o * n + a.src[o]] = a.scale[o];
  return { W, b: Float64Array.from(a.shift) };
}

/** Numpy (multidirectional) broadcast of two shapes, or null when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out: number[] = new Array(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/**
 * For each flat index of `out`, the flat index into a tensor of shape `inShape` that broadcasts
 * to it (right-aligned; dims of size 1 repeat).
 */
export function broadcastIndex(out: readonly number[], inShape: readonly number[]): Int32Array {
  const r = out.length;
  const n = out.reduce((s, d) => s * d, 1);
  const idx = new Int32Array(n);
  // stride of each output axis inside the input (0 where the input broadcasts)
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const ax = r - inShape.length + i;
    strides[ax] = inShape[i] === 1 ? 0 : s;
    s *= inShape[i];
  }
  const counter = new Array<number>(r).fill(0);
  let cur = 0;
  for (let f = 0; f < n; f++) {
    idx[f] = cur;
    for (let ax = r - 1; ax >= 0; ax--) {
      counter[ax]++;
      cur += strides[ax];
      if (counter[ax] < out[ax]) break;
      cur -= strides[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return idx;
}
