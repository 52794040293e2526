/**
 * Target-aware pruning with symbolic bounds (forward linear relaxation, as in DeepPoly and
 * symbolic interval analysis). From the node's current layer, whose pre-activations are exactly
 * affine in x (z = M x + c), every later unit gets a lower and an upper affine function of x,
 * L(x) <= value <= U(x), valid on the node: decided units are exact, undecided ReLUs are relaxed
 * by the triangle's upper line and a 0-or-identity lower line. Concrete bounds of these affine
 * functions come from `range`, which is exact over the node for the vertex search (min and max
 * over its vertices) and an interval over the bounding box for the LP search. A target part is
 * unreachable when one of its rows is violated by the lower bound; the node is pruned when every
 * part is unreachable. Sound: it only ever drops nodes with no point in the target.
 */
import type { Layer } from '../network/types.js';
import type { TargetSet } from './target.js';

/** min and max of a·x + c over the node. */
export type Range = (a: Float64Array, c: number) => [number, number];

export interface NodeView {
  layer: number;
  unit: number;
  patterns: Uint8Array[];
  M: Float64Array;
  c: Float64Array;
}

/** min and max over the rows of a vertex matrix X (nv × n). */
export function vertexRange(X: Float64Array, nv: number, n: number): Range {
  return (a, c) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < nv; i++) {
      let s = c;
      const o = i * n;
      for (let j = 0; j < n; j++) s += a[j] * X[o + j];
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    return [lo, hi];
  };
}

/** Interval of a·x + c over a box. */
export function boxRange(lo: Float64Array, hi: Float64Array, n: number): Range {
  return (a, c) => {
    let l = c, h = c;
    for (let j = 0; j < n; j++) {
      const w = a[j];
      if (w > 0) { l += w * lo[j]; h += w * hi[j]; } else if (w < 0) { l += w * hi[j]; h += w * lo[j]; }
    }
    return [l, h];
  };
}

/**
 * Can the node reach some part of the target? (false proves it cannot.)
 * Forward pass: affine lower/upper functions of every later unit, concretised with `range`, give
 * each undecided ReLU its bounds [l, u]. Backward pass per target row (CROWN-style): the row is
 * pushed back through the layers with each relaxed ReLU replaced by the line that bounds the row
 * from below, down to the node's exact layer; its minimum over the node is a lower bound of the
 * row over every point of the node.
 */
export function symbolicReachable(layers: Layer[], f: NodeView, target: TargetSet, n: number, range: Range, box?: { lo: Float64Array; hi: Float64Array }, finalRange?: Range): boolean {
  // cheap interval over the bounding box first; the exact range only where the sign is in doubt
  const quick = box ? boxRange(box.lo, box.hi, n) : null;
  const last = layers.length - 1;
  const preact = target.on === 'preactivation';
  const w1 = n + 1;
  // status per unit of layers f.layer..last: 0 inactive, 1 active (exact), 2 relaxed with bounds l,u; 3 linear (no ReLU)
  const status: Uint8Array[] = [], lower: Float64Array[] = [], upper: Float64Array[] = [];
  let width = layers[f.layer].outSize;
  let Lo = new Float64Array(width * w1), Up = new Float64Array(width * w1);
  const row = new Float64Array(n);
  const classify = (q: number, zl: Float64Array, zu: Float64Array, relu: boolean, known: (i: number) => number) => {
    const wq = layers[q].outSize;
    const st = new Uint8Array(wq), lq = new Float64Array(wq), uq = new Float64Array(wq);
    Lo = new Float64Array(wq * w1);
    Up = new Float64Array(wq * w1);
    for (let i = 0; i < wq; i++) {
      const off = i * w1;
      const copy = () => { Lo.set(zl.subarray(off, off + w1), off); Up.set(zu.subarray(off, off + w1), off); };
      if (!relu) { st[i] = 3; copy(); continue; }
      const kn = known(i);
      if (kn === 0) { st[i] = 0; continue; }
      if (kn === 1) { st[i] = 1; copy(); continue; }
      for (let j = 0; j < n; j++) row[j] = zl[off + j];
      let l = quick ? quick(row, zl[off + n])[0] : -Infinity;
      if (l < 0) l = range(row, zl[off + n])[0];
      if (l >= 0) { st[i] = 1; copy(); continue; }
      for (let j = 0; j < n; j++) row[j] = zu[off + j];
      let u = quick ? quick(row, zu[off + n])[1] : Infinity;
      if (u > 0) u = range(row, zu[off + n])[1];
      if (u <= 0) { st[i] = 0; continue; }
      st[i] = 2;
      lq[i] = l;
      uq[i] = u;
      const sl = u / (u - l);
      for (let j = 0; j <= n; j++) Up[off + j] = sl * zu[off + j];
      Up[off + n] -= sl * l;
      if (u > -l) Lo.set(zl.subarray(off, off + w1), off);
    }
    status[q] = st;
    lower[q] = lq;
    upper[q] = uq;
  };
  {
    const L = layers[f.layer];
    const exact = new Float64Array(width * w1);
    for (let i = 0; i < width; i++) {
      exact.set(f.M.subarray(i * n, i * n + n), i * w1);
      exact[i * w1 + n] = f.c[i];
    }
    const relu = L.activation === 'relu' && !(f.layer === last && preact);
    classify(f.layer, exact, exact, relu, (i) => (i < f.unit ? f.patterns[f.layer][i] : -1));
  }
  for (let k = f.layer + 1; k <= last; k++) {
    const l = layers[k];
    const zl = new Float64Array(l.outSize * w1), zu = new Float64Array(l.outSize * w1);
    for (let i = 0; i < l.outSize; i++) {
      const o = i * w1;
      zl[o + n] = l.bias[i];
      zu[o + n] = l.bias[i];
      const prev = status[k - 1];
      for (let j = 0; j < width; j++) {
        const w = l.weights[i * width + j];
        if (w === 0 || prev[j] === 0) continue;
        const src = j * w1;
        const A = w > 0 ? Lo : Up, B = w > 0 ? Up : Lo;
        for (let t = 0; t <= n; t++) {
          zl[o + t] += w * A[src + t];
          zu[o + t] += w * B[src + t];
        }
      }
    }
    width = l.outSize;
    classify(k, zl, zu, l.activation === 'relu' && !(k === last && preact), () => -1);
  }

  // lower bound over the node of λ·(values of the last layer) + 0, by back-substitution
  const lowerBound = (lambdaOut: Float64Array): number => {
    let lam = Float64Array.from(lambdaOut); // coefficients over the activities of layer `last`
    let konst = 0;
    for (let q = last; q >= f.layer; q--) {
      // activities of layer q -> pre-activations of layer q
      const st = status[q];
      const z = new Float64Array(lam.length);
      for (let i = 0; i < lam.length; i++) {
        const m = lam[i];
        if (m === 0) continue;
        const sti = st[i];
        if (sti === 1 || sti === 3) z[i] = m;
        else if (sti === 2) {
          const l = lower[q][i], u = upper[q][i];
          if (m > 0) { if (u > -l) z[i] = m; }
          else {
            const sl = u / (u - l);
            z[i] = m * sl;
            konst -= m * sl * l;
          }
        }
      }
      if (q === f.layer) {
        // z = M x + c exactly
        const a = new Float64Array(n);
        let c0 = konst;
        for (let i = 0; i < z.length; i++) {
          const m = z[i];
          if (m === 0) continue;
          c0 += m * f.c[i];
          for (let j = 0; j < n; j++) a[j] += m * f.M[i * n + j];
        }
        return (finalRange ?? range)(a, c0)[0];
      }
      // pre-activations of layer q -> activities of layer q-1: z_q = W a_{q-1} + b
      const Lq = layers[q];
      const next = new Float64Array(Lq.inSize);
      for (let i = 0; i < z.length; i++) {
        const m = z[i];
        if (m === 0) continue;
        konst += m * Lq.bias[i];
        const r = i * Lq.inSize;
        for (let j = 0; j < Lq.inSize; j++) next[j] += m * Lq.weights[r + j];
      }
      lam = next;
    }
    return -Infinity;
  };

  const cols = target.cols;
  return target.parts.some((p) => {
    for (let r = 0; r < p.rows; r++) {
      const lb = lowerBound(p.T.subarray(r * cols, r * cols + cols));
      if (lb > p.t[r] + 1e-9 * (1 + Math.abs(p.t[r]))) return false;
    }
    for (let r = 0; r < p.eqRows; r++) {
      const e = p.E.subarray(r * cols, r * cols + cols);
      const tol = 1e-9 * (1 + Math.abs(p.e[r]));
      if (lowerBound(e) > p.e[r] + tol) return false;
      if (lowerBound(e.map((v) => -v)) > -p.e[r] + tol) return false;
    }
    return true;
  });
}
