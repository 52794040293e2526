/**
 * Falsification by projected gradient descent (PGD) on the distance to the unsafe output set.
 *
 * Requirements: a fully connected ReLU network (float64 weights) and a VNN-LIB spec.
 * Returns: the first candidate point that `accept` takes (verify.ts re-checks it exactly), with
 * counters; nothing when the budget runs out.
 * Method: for each unsafe polytope P the loss is max over its rows of (T_r y − t_r)/|T_r| (<= 0
 * exactly on P). Its gradient is exact for the network's piecewise-linear map at the point (the
 * activation pattern of the forward pass, backward through the same pattern). Steps are signed
 * (L∞ steepest descent, the natural geometry of input boxes) with momentum, relative to the box
 * widths, on a decaying schedule, and projected back into the box. Restarts go round-robin over
 * the polytopes ordered by their loss at the box centre (most promising first), each from a
 * seeded start: the centre, a random vertex of the box, a uniform point. Deterministic for a seed
 * (time decides only how far it gets).
 * Guarantees: none by itself: every point it proposes must pass the caller's exact check.
 */
import type { VnnlibSpec } from '../formats/vnnlib.js';
import type { Layer, Network } from '../network/types.js';
import { Rng } from '../util/rng.js';

/** Pre-activations of every layer and the output at x (float64). */
export interface Forward {
  pre: Float64Array[];
  y: Float64Array;
}

export function forward(layers: Layer[], x: ArrayLike<number>): Forward {
  const pre: Float64Array[] = [];
  let cur: ArrayLike<number> = x;
  for (const l of layers) {
    const z = new Float64Array(l.outSize);
    const W = l.weights, n = l.inSize;
    for (let i = 0; i < l.outSize; i++) {
      let s = l.bias[i];
      const o = i * n;
      for (let j = 0; j < n; j++) s += W[o + j] * cur[j];
      z[i] = s;
    }
    pre.push(z);
    if (l.activation === 'relu') {
      const a = new Float64Array(z.length);
      for (let i = 0; i < z.length; i++) a[i] = z[i] > 0 ? z[i] : 0;
      cur = a;
    } else cur = z;
  }
  return { pre, y: cur as Float64Array };
}

/** Gradient of g·y with respect to x at the activation pattern of `f` (exact on its linear region). */
export function backward(layers: Layer[], f: Forward, g: Float64Array): Float64Array {
  let v = g;
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l], n = L.inSize, W = L.weights;
    if (L.activation === 'relu') {
      const z = f.pre[l];
      for (let i = 0; i < v.length; i++) if (!(z[i] > 0)) v[i] = 0;
    }
    const u = new Float64Array(n);
    for (let i = 0; i < L.outSize; i++) {
      const s = v[i];
      if (s === 0) continue;
      const o = i * n;
      for (let j = 0; j < n; j++) u[j] += s * W[o + j];
    }
    v = u;
  }
  return v;
}

/** max over rows of (T_r y − t_r)/|T_r| of polytope P (−Infinity for a polytope with no rows), and the row. */
export function polytopeLoss(P: VnnlibSpec['output'][number], y: ArrayLike<number>): { v: number; r: number } {
  let worst = -Infinity, wr = -1;
  for (let r = 0; r < P.rows; r++) {
    let s = -P.t[r], nn = 0;
    for (let j = 0; j < P.cols; j++) {
      const w = P.T[r * P.cols + j];
      s += w * y[j];
      nn += w * w;
    }
    s /= Math.sqrt(nn) || 1;
    if (s > worst) {
      worst = s;
      wr = r;
    }
  }
  return { v: worst, r: wr };
}

/**
 * Σ T_r/|T_r| over the rows r of P that `keep` selects, given each row's normalised value
 * (T_r y − t_r)/|T_r| at y: the gradient in y of the selected rows' sum (a subgradient of their max).
 */
export function rowsGradient(P: VnnlibSpec['output'][number], y: ArrayLike<number>, keep: (r: number, v: number) => boolean): Float64Array {
  const g = new Float64Array(P.cols);
  for (let r = 0; r < P.rows; r++) {
    let sl = -P.t[r], nn = 0;
    for (let j = 0; j < P.cols; j++) {
      sl += P.T[r * P.cols + j] * y[j];
      nn += P.T[r * P.cols + j] ** 2;
    }
    nn = Math.sqrt(nn) || 1;
    if (keep(r, sl / nn)) for (let j = 0; j < P.cols; j++) g[j] += P.T[r * P.cols + j] / nn;
  }
  return g;
}

export interface PgdStats {
  restarts: number;
  gradientSteps: number;
}

export interface PgdOptions {
  /** performance.now() value at which to stop. */
  stopAt: number;
  seed: number;
  /** Steps per restart (default 60 + 20 per extra 100 inputs, at most 200). */
  steps?: number;
  /** Largest number of restarts (default unlimited: until stopAt). */
  maxRestarts?: number;
}

/**
 * PGD restarts until `accept` takes a point (returns it) or the time runs out. `accept` is called
 * with points whose float loss is <= 0 for some polytope (the caller checks them exactly).
 */
export function pgdSearch(net: Network, spec: VnnlibSpec, opts: PgdOptions, stats: PgdStats, accept: (x: Float64Array) => boolean): Float64Array | undefined {
  const layers = net.layers, n = net.inputSize;
  const boxes = spec.inputBoxes, polys = spec.output;
  if (boxes.length === 0 || polys.length === 0) return undefined;
  const rng = new Rng((opts.seed * 2654435761) >>> 0 || 1);
  const steps = opts.steps ?? Math.min(200, 60 + 20 * Math.floor(n / 100));
  // polytopes (with their box) ordered by the loss at the box centres: the closest first
  const order: { box: number; p: number; v: number }[] = [];
  boxes.forEach((b, bi) => {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = (b.lo[i] + b.hi[i]) / 2;
    const y = forward(layers, c).y;
    polys.forEach((P, p) => order.push({ box: bi, p, v: P.rows === 0 ? -Infinity : polytopeLoss(P, y).v }));
  });
  order.sort((a, b) => a.v - b.v || a.box - b.box || a.p - b.p);
  const x = new Float64Array(n), mom = new Float64Array(n), best = new Float64Array(n);
  for (let restart = 0; opts.maxRestarts === undefined || restart < opts.maxRestarts; restart++) {
    if (performance.now() >= opts.stopAt) return undefined;
    // the first round visits every (box, polytope) once from the centre; later rounds favour the
    // closest ones (half of the restarts on the best quarter) from random starts
    let k: number;
    if (restart < order.length) k = restart;
    else k = rng.next() < 0.5 ? rng.int(Math.max(1, Math.ceil(order.length / 4))) : rng.int(order.length);
    const { box, p } = order[k];
    const b = boxes[box], P = polys[p];
    const kind = restart < order.length ? 0 : 1 + (restart % 2);
    for (let i = 0; i < n; i++) {
      x[i] = kind === 0 ? (b.lo[i] + b.hi[i]) / 2 : kind === 1 ? (rng.next() < 0.5 ? b.lo[i] : b.hi[i]) : rng.uniform(b.lo[i], b.hi[i]);
    }
    mom.fill(0);
    stats.restarts++;
    let bestV = Infinity;
    for (let s = 0; s < steps; s++) {
      if ((s & 7) === 0 && performance.now() >= opts.stopAt) return undefined;
      const f = forward(layers, x);
      const o = polytopeLoss(P, f.y);
      if (o.v <= 0 && accept(x)) return Float64Array.from(x);
      if (o.v < bestV) {
        bestV = o.v;
        best.set(x);
      }
      if (o.r < 0) break;
      // subgradient of the max: the worst row, plus rows within a hair of it
      const g = rowsGradient(P, f.y, (r, v) => r === o.r || v >= o.v - 1e-9 * (1 + Math.abs(o.v)));
      const grad = backward(layers, f, g);
      stats.gradientSteps++;
      // momentum on the L1-normalised gradient, signed step of a decaying fraction of the width
      let l1 = 0;
      for (let i = 0; i < n; i++) l1 += Math.abs(grad[i]);
      if (l1 === 0) break;
      const frac = s / steps;
      const alpha = 0.25 * (0.5 * (1 + Math.cos(Math.PI * frac))) + 0.005;
      for (let i = 0; i < n; i++) {
        mom[i] = 0.75 * mom[i] + grad[i] / l1;
        const d = mom[i] > 0 ? -1 : mom[i] < 0 ? 1 : 0;
        const w = b.hi[i] - b.lo[i];
        const v = x[i] + alpha * w * d;
        x[i] = v < b.lo[i] ? b.lo[i] : v > b.hi[i] ? b.hi[i] : v;
      }
    }
    // the best point of the restart, once more (the last step may have overshot)
    if (bestV <= 0 && accept(best)) return Float64Array.from(best);
  }
  return undefined;
}
