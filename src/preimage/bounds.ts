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
 *
 * For verification, bounds over a whole box: {@link crownBounds} (CROWN back-substitution for
 * every layer, with lower ReLU slopes optimised per unit as in alpha-CROWN, within a work
 * budget) and {@link optimizedRowLowerBound} (one output row's lower bound with optimised slopes).
 */
import type { Layer } from '../network/types.js';
import type { TargetSet } from './target.js';

/** min and max of a·x + c over the node (`need`: the caller only asks whether the min exceeds it). */
export type Range = (a: Float64Array, c: number, need?: number) => [number, number];

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
 * `global` (verification): pre-activation bounds valid over the whole domain ({@link crownBounds});
 * they clip the node's own bounds, decide units, and spare the rows of units they decide.
 * `closed` (verification): one flag per target part, 1 for parts known unreachable from the node
 * (skipped); parts this call proves unreachable are flagged (the parts are tried in order up to
 * the first reachable one). Sound for the node's subtree, whose regions lie in the node's.
 * `slopes` (verification): lower slopes of crossing ReLUs for each target row's back-substitution
 * in place of the 0-or-1 choice (sound for any slopes in [0, 1]). `tight` (verification): units
 * of index below `units` in their layer that the bounds above leave crossing zero get their
 * linear bounds bounded over the node by `bound` (LPs over the node's region, its split
 * constraints exact: per-node intermediate bounds as in beta-CROWN). Measured on mnistfc 256x2
 * (a network reordered by orderUnitsForSearch): choosing the units by their weight on the failed
 * rows instead (a first pass without LPs) cost more than it saved.
 */
export function symbolicReachable(layers: Layer[], f: NodeView, target: TargetSet, n: number, range: Range, box?: { lo: Float64Array; hi: Float64Array }, finalRange?: Range, global?: UnitBounds, closed?: Uint8Array, slopes?: RowSlopes, tight?: { bound: TightBound; units: number }): boolean {
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
      // bounds valid over the whole domain (hence the node) clip the node's own
      const gl = global ? global.lo[q][i] : -Infinity, gu = global ? global.hi[q][i] : Infinity;
      let l = quick ? quick(row, zl[off + n])[0] : -Infinity;
      if (l < 0 && gl < 0) l = range(row, zl[off + n])[0];
      if (gl > l) l = gl;
      if (l >= 0) { st[i] = 1; copy(); continue; }
      for (let j = 0; j < n; j++) row[j] = zu[off + j];
      let u = quick ? quick(row, zu[off + n])[1] : Infinity;
      if (u > 0 && gu > 0) u = range(row, zu[off + n])[1];
      if (gu < u) u = gu;
      if (u <= 0) { st[i] = 0; continue; }
      // with `tight`, the first `units` units of each layer (the reordered network puts its
      // weightiest crossing units first) still crossing zero: their linear bounds' exact range over the node (LPs)
      if (tight && i < tight.units) {
        const tl = tight.bound(zl.subarray(off, off + n), zl[off + n], q, i);
        if (tl > l) l = tl;
        if (l >= 0) { st[i] = 1; copy(); continue; }
        for (let j = 0; j < n; j++) row[j] = -zu[off + j];
        const tu = -tight.bound(row, -zu[off + n], q, i);
        if (tu < u) u = tu;
        if (u <= 0) { st[i] = 0; continue; }
      }
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
  // with domain bounds, rows that nothing reads are skipped: a linear target layer's (the
  // back-substitution needs only the statuses and bounds of the layers below it), the rows of
  // units the domain bounds decide inactive, and, below a linear target layer, of units they
  // decide active (status and bounds suffice there too)
  const lastLinear = !(layers[last].activation === 'relu' && !preact);
  for (let k = f.layer + 1; k <= last; k++) {
    const l = layers[k];
    const relu = l.activation === 'relu' && !(k === last && preact);
    if (global && k === last && lastLinear) {
      status[k] = new Uint8Array(l.outSize).fill(3);
      lower[k] = new Float64Array(l.outSize);
      upper[k] = new Float64Array(l.outSize);
      break;
    }
    const gk = global && relu ? (i: number) => (global.hi[k][i] <= 0 ? 0 : global.lo[k][i] >= 0 ? 1 : -1) : () => -1;
    const rowsFor = (i: number) => {
      const g = gk(i);
      return g === -1 || (g === 1 && !(k === last - 1 && lastLinear));
    };
    const zl = new Float64Array(l.outSize * w1), zu = new Float64Array(l.outSize * w1);
    for (let i = 0; i < l.outSize; i++) {
      if (!rowsFor(i)) continue;
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
    classify(k, zl, zu, relu, gk);
  }

  // lower bound over the node of λ·(values of the last layer) + 0, by back-substitution
  // `need`: the value that settles the question; the exact final range (an LP in the LP search)
  // is asked only when the cheap range over the node's box does not already exceed it
  const lowerBound = (lambdaOut: Float64Array, need = Infinity, alpha?: Float64Array[]): number => {
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
          const al = alpha?.[q];
          if (m > 0) { if (al) z[i] = m * al[i]; else if (u > -l) z[i] = m; }
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
        if (!finalRange) return range(a, c0)[0];
        const cheap = range(a, c0)[0];
        return cheap > need ? cheap : finalRange(a, c0, need)[0];
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
  const unreachable = (k: number): false => {
    if (closed) closed[k] = 1;
    return false;
  };
  return target.parts.some((p, k) => {
    if (closed?.[k]) return false;
    for (let r = 0; r < p.rows; r++) {
      const need = p.t[r] + 1e-9 * (1 + Math.abs(p.t[r]));
      const lb = lowerBound(p.T.subarray(r * cols, r * cols + cols), need, slopes?.[k]?.[r]);
      if (lb > need) return unreachable(k);
    }
    for (let r = 0; r < p.eqRows; r++) {
      const e = p.E.subarray(r * cols, r * cols + cols);
      const tol = 1e-9 * (1 + Math.abs(p.e[r]));
      if (lowerBound(e, p.e[r] + tol) > p.e[r] + tol) return unreachable(k);
      if (lowerBound(e.map((v) => -v), -p.e[r] + tol) > -p.e[r] + tol) return unreachable(k);
    }
    return true;
  });
}

/**
 * A lower bound over the node of a·x + c (the LP search: an LP over the node's region), for the
 * lower or (negated) upper linear bound of unit `unit` of layer `layer`; −Infinity when unknown.
 */
export type TightBound = (a: Float64Array, c: number, layer: number, unit: number) => number;

/**
 * Lower ReLU slopes per target part and inequality row, per layer, per unit (verification: the
 * slopes that optimised the row's bound over the whole domain, {@link optimizedRowSlopes}); any
 * slopes in [0, 1] give sound bounds.
 */
export type RowSlopes = (Float64Array[] | undefined)[][];

/** Pre-activation bounds of every layer (index as in `layers`), valid over a whole domain. */
export interface UnitBounds {
  lo: Float64Array[];
  hi: Float64Array[];
}

/**
 * Lower (`upper` false) or upper bounds over the box [lo, hi] of the rows of A·z_k + c, where z_k
 * are the pre-activations of layer k and A is m × width_k (row-major), by back-substitution
 * through layers k..0 (CROWN): each ReLU of layers below k with bounds [l, u] (from `b`) that
 * crosses zero is replaced by its triangle's upper line or a lower line of slope `alpha` (default:
 * 1 when u > −l, else 0), whichever bounds the row in the wanted direction. Sound for any alpha in
 * [0, 1] (one row with its slope gradient: {@link rowLowerBound}).
 */
export function backSubstitute(layers: Layer[], k: number, A0: Float64Array, c0: Float64Array, m: number, lo: Float64Array, hi: Float64Array, b: UnitBounds, upper: boolean, alpha?: Float64Array[]): Float64Array {
  let A = A0;
  const c = Float64Array.from(c0);
  for (let q = k; q >= 0; q--) {
    const L = layers[q], w = L.outSize, v = L.inSize, W = L.weights, bias = L.bias;
    // constant and coefficients over the layer's input
    const B = new Float64Array(m * v);
    for (let i = 0; i < m; i++) {
      const ro = i * w, bo = i * v;
      let ci = c[i];
      for (let t = 0; t < w; t++) {
        const a = A[ro + t];
        if (a === 0) continue;
        ci += a * bias[t];
        const wo = t * v;
        for (let j = 0; j < v; j++) B[bo + j] += a * W[wo + j];
      }
      c[i] = ci;
    }
    if (q === 0) {
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let s = c[i];
        const bo = i * v;
        for (let j = 0; j < v; j++) {
          const g = B[bo + j];
          if (g === 0) continue;
          s += (g > 0) !== upper ? g * lo[j] : g * hi[j];
        }
        out[i] = s;
      }
      return out;
    }
    // relax the ReLUs of layer q-1: B holds coefficients over its activities
    const P = layers[q - 1];
    const l = b.lo[q - 1], u = b.hi[q - 1], al = alpha?.[q - 1];
    if (P.activation === 'relu') {
      for (let j = 0; j < v; j++) {
        const lj = l[j], uj = u[j];
        if (uj <= 0) {
          for (let i = 0; i < m; i++) B[i * v + j] = 0;
        } else if (lj < 0) {
          const s = uj / (uj - lj);
          const a = al ? al[j] : uj > -lj ? 1 : 0;
          for (let i = 0; i < m; i++) {
            const g = B[i * v + j];
            if (g === 0) continue;
            if ((g > 0) !== upper) B[i * v + j] = g * a;
            else {
              B[i * v + j] = g * s;
              c[i] -= g * s * lj;
            }
          }
        }
      }
    }
    A = B;
  }
  return c;
}

/**
 * Pre-activation bounds of every ReLU layer over the box [lo, hi]: exact intervals for layer 0,
 * then for each later layer interval propagation, and back-substitution (CROWN, {@link
 * backSubstitute}) for the units the intervals leave crossing zero. With `alphaIters` > 0, each
 * unit still crossing zero then gets its lower and upper bound optimised over the lower slopes
 * of the layers below ({@link optimizedRowLowerBound}, at most `alphaIters` steps each; alpha-CROWN
 * for intermediate bounds), before the next layer is bounded, as long as the optimisation's
 * multiply-adds (counted at most: `alphaIters` passes per bound) stay within `alphaWork` (the
 * units are taken layer by layer, in index order). Sound over the whole box: every bound is the
 * best of several sound bounds. Deterministic (a work budget, never a time limit).
 */
export function crownBounds(layers: Layer[], lo: Float64Array, hi: Float64Array, alphaIters = 0, alphaWork = 3e8): UnitBounds {
  const b: UnitBounds = { lo: [], hi: [] };
  let work = 0; // multiply-adds of the slope optimisation in earlier layers (bounded by alphaWork)
  let passCost = 0; // of one back-and-forth pass to layer k
  for (let k = 0; k < layers.length; k++) {
    const L = layers[k], w = L.outSize, v = L.inSize;
    const zl = new Float64Array(w), zu = new Float64Array(w);
    // intervals from the previous layer's activities (or the box)
    let al: Float64Array, au: Float64Array;
    if (k === 0) {
      al = lo;
      au = hi;
    } else {
      const P = layers[k - 1];
      al = b.lo[k - 1].map((x) => (P.activation === 'relu' ? Math.max(0, x) : x));
      au = b.hi[k - 1].map((x) => (P.activation === 'relu' ? Math.max(0, x) : x));
    }
    for (let i = 0; i < w; i++) {
      let s = L.bias[i], t = L.bias[i];
      const o = i * v;
      for (let j = 0; j < v; j++) {
        const g = L.weights[o + j];
        if (g > 0) { s += g * al[j]; t += g * au[j]; } else if (g < 0) { s += g * au[j]; t += g * al[j]; }
      }
      zl[i] = s;
      zu[i] = t;
    }
    b.lo.push(zl);
    b.hi.push(zu);
    passCost += 2 * w * v;
    if (k === 0) continue;
    const open: number[] = [];
    for (let i = 0; i < w; i++) if (L.activation !== 'relu' || (zl[i] < 0 && zu[i] > 0)) open.push(i);
    if (open.length > 0) {
      const m = open.length;
      const A = new Float64Array(m * w);
      open.forEach((i, r) => { A[r * w + i] = 1; });
      const c = new Float64Array(m);
      const lb = backSubstitute(layers, k, A, c, m, lo, hi, b, false);
      const ub = backSubstitute(layers, k, A, c, m, lo, hi, b, true);
      open.forEach((i, r) => {
        zl[i] = Math.max(zl[i], lb[r]);
        zu[i] = Math.min(zu[i], ub[r]);
      });
    }
    if (alphaIters > 0 && L.activation === 'relu' && k < layers.length - 1) {
      const e = new Float64Array(w);
      const used = { passes: 0 };
      for (const i of open) {
        if (!(zl[i] < 0 && zu[i] > 0)) continue;
        if (work + used.passes * passCost + 2 * alphaIters * passCost > alphaWork) break;
        e[i] = 1;
        // only the sign matters for the ReLU: stop once the bound crosses zero
        const l = optimizedRowLowerBound(layers, k, e, lo, hi, b, alphaIters, 0, used);
        if (l > zl[i]) zl[i] = l;
        if (zl[i] < 0) {
          e[i] = -1;
          const u = -optimizedRowLowerBound(layers, k, e, lo, hi, b, alphaIters, 0, used);
          if (u < zu[i]) zu[i] = u;
        }
        e[i] = 0;
      }
      work += used.passes * passCost;
    }
  }
  return b;
}

/** One row's lower bound by back-substitution, with what the slope optimisation and branching scores need. */
export interface RowBound {
  bound: number;
  /** Per layer q < k: the row's coefficients over layer q's activities before relaxing its ReLUs. */
  mu: Float64Array[];
  /** Per layer q < k: the lower-slope gradient of the bound (zero where no lower line is used). */
  gradAlpha: Float64Array[];
  /** The box corner at which the relaxed network attains the bound (a falsification start). */
  corner: Float64Array;
}

/**
 * Lower bound over the box of a·z_k (one row over layer k's pre-activations) by back-substitution
 * with lower slopes `alpha` (per layer q < k, per unit; default the adaptive 0/1 choice), and the
 * bound's subgradient with respect to those slopes: it is the value at the box corner x* that
 * attains the bound of the relaxed network (upper lines and lower lines chosen by the signs met
 * on the way back), pushed forward through the same relaxation.
 */
export function rowLowerBound(layers: Layer[], k: number, a: Float64Array, lo: Float64Array, hi: Float64Array, b: UnitBounds, alpha?: Float64Array[]): RowBound {
  const mu: Float64Array[] = new Array(k);
  let A = a;
  let c = 0;
  let x: Float64Array | null = null;
  for (let q = k; q >= 0; q--) {
    const L = layers[q], w = L.outSize, v = L.inSize, W = L.weights;
    const B = new Float64Array(v);
    for (let t = 0; t < w; t++) {
      const g = A[t];
      if (g === 0) continue;
      c += g * L.bias[t];
      const wo = t * v;
      for (let j = 0; j < v; j++) B[j] += g * W[wo + j];
    }
    if (q === 0) {
      x = new Float64Array(v);
      for (let j = 0; j < v; j++) {
        x[j] = B[j] > 0 ? lo[j] : hi[j];
        c += B[j] * x[j];
      }
      break;
    }
    mu[q - 1] = B;
    const P = layers[q - 1], l = b.lo[q - 1], u = b.hi[q - 1], al = alpha?.[q - 1];
    const next = new Float64Array(v);
    for (let j = 0; j < v; j++) {
      const g = B[j];
      if (g === 0) continue;
      if (P.activation !== 'relu' || l[j] >= 0) next[j] = g;
      else if (u[j] <= 0) next[j] = 0;
      else if (g > 0) next[j] = g * (al ? al[j] : u[j] > -l[j] ? 1 : 0);
      else {
        const s = u[j] / (u[j] - l[j]);
        next[j] = g * s;
        c -= g * s * l[j];
      }
    }
    A = next;
  }
  // forward through the relaxation at x*: h = ∂bound/∂(coefficients over layer q's activities)
  const gradAlpha: Float64Array[] = new Array(k);
  let h = x as Float64Array;
  for (let q = 0; q < k; q++) {
    const L = layers[q], w = L.outSize, v = L.inSize, W = L.weights;
    const g = new Float64Array(w);
    for (let t = 0; t < w; t++) {
      let s = L.bias[t];
      const o = t * v;
      for (let j = 0; j < v; j++) s += W[o + j] * h[j];
      g[t] = s;
    }
    const B = mu[q], l = b.lo[q], u = b.hi[q], al = alpha?.[q];
    const ga = new Float64Array(w), hn = new Float64Array(w);
    for (let t = 0; t < w; t++) {
      if (L.activation !== 'relu' || l[t] >= 0) hn[t] = g[t];
      else if (u[t] <= 0) hn[t] = 0;
      else if (B[t] >= 0) {
        const sl = al ? al[t] : u[t] > -l[t] ? 1 : 0;
        hn[t] = sl * g[t];
        ga[t] = B[t] * g[t];
      } else {
        const s = u[t] / (u[t] - l[t]);
        hn[t] = s * (g[t] - l[t]);
      }
    }
    gradAlpha[q] = ga;
    h = hn;
  }
  return { bound: c, mu, gradAlpha, corner: x as Float64Array };
}

/**
 * The lower bound of a·z_k over the box with optimised lower slopes (alpha-CROWN): projected
 * signed-gradient ascent on the slopes in [0, 1], from the adaptive choice; the best bound seen
 * (every slope vector gives a sound bound). `iters` steps at most, fewer when the bound stops
 * improving or exceeds `enough`.
 */
export function optimizedRowLowerBound(layers: Layer[], k: number, a: Float64Array, lo: Float64Array, hi: Float64Array, b: UnitBounds, iters = 30, enough = Infinity, used?: { passes: number }): number {
  return optimizedRowSlopes(layers, k, a, lo, hi, b, iters, enough, used).bound;
}

/** {@link optimizedRowLowerBound} with the slopes that attained the bound (per layer q < k, per unit). */
export function optimizedRowSlopes(layers: Layer[], k: number, a: Float64Array, lo: Float64Array, hi: Float64Array, b: UnitBounds, iters = 30, enough = Infinity, used?: { passes: number }): { bound: number; alpha: Float64Array[] } {
  const alpha: Float64Array[] = [];
  for (let q = 0; q < k; q++) alpha.push(b.lo[q].map((l, j) => (b.hi[q][j] > -l ? 1 : 0)));
  let best = -Infinity, stall = 0;
  let bestAlpha = alpha.map((x) => Float64Array.from(x));
  for (let it = 0; it < iters; it++) {
    const r = rowLowerBound(layers, k, a, lo, hi, b, alpha);
    if (used) used.passes++;
    if (best === -Infinity || r.bound > best + 1e-6 * (1 + Math.abs(best))) {
      best = r.bound;
      bestAlpha = alpha.map((x) => Float64Array.from(x));
      stall = 0;
    } else if (++stall >= 5) break;
    if (best > enough) break;
    const eta = 0.5 / (1 + it / 4);
    for (let q = 0; q < k; q++) {
      const al = alpha[q], g = r.gradAlpha[q];
      for (let j = 0; j < al.length; j++) {
        if (g[j] === 0) continue;
        al[j] = Math.min(1, Math.max(0, al[j] + (g[j] > 0 ? eta : -eta)));
      }
    }
  }
  return { bound: best, alpha: bestAlpha };
}
