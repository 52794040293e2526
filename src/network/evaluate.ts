import { PreimageError } from '../errors.js';
import type { Layer, Network } from './types.js';

function checkInput(net: Network, x: ArrayLike<number>): void {
  if (x.length !== net.inputSize) {
    throw new PreimageError('BAD_INPUT', `expected an input of ${net.inputSize} numbers, found ${x.length}`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new PreimageError('BAD_INPUT', `expected finite input values, found ${x[i]} at index ${i}`);
  }
}

/** Pre-activation z = W x + b of one layer. */
export function affine(layer: Layer, x: ArrayLike<number>, out = new Float64Array(layer.outSize)): Float64Array {
  const { inSize: n, outSize: m, weights: W, bias } = layer;
  for (let i = 0; i < m; i++) {
    let s = bias[i];
    const r = i * n;
    for (let j = 0; j < n; j++) s += W[r + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Output of the network at x (in the network's own, normalised coordinates). */
export function evaluate(net: Network, x: ArrayLike<number>): Float64Array {
  checkInput(net, x);
  let cur: ArrayLike<number> = x;
  for (const l of net.layers) {
    const z = affine(l, cur);
    if (l.activation === 'relu') for (let i = 0; i < z.length; i++) if (z[i] < 0) z[i] = 0;
    cur = z;
  }
  return cur as Float64Array;
}

/** Activities of every layer: `[x, a_1, ..., a_L]` (post-activation), and pre-activations `z_1..z_L`. */
export function evaluateLayers(net: Network, x: ArrayLike<number>): { activities: Float64Array[]; preActivations: Float64Array[] } {
  checkInput(net, x);
  const activities = [Float64Array.from(x)];
  const preActivations: Float64Array[] = [];
  for (const l of net.layers) {
    const z = affine(l, activities[activities.length - 1]);
    preActivations.push(z);
    const a = Float64Array.from(z);
    if (l.activation === 'relu') for (let i = 0; i < a.length; i++) if (a[i] < 0) a[i] = 0;
    activities.push(a);
  }
  return { activities, preActivations };
}

/** Evaluates many inputs; `xs` rows are inputs. */
export function evaluateBatch(net: Network, xs: ArrayLike<number>[]): Float64Array[] {
  return xs.map((x) => evaluate(net, x));
}

/**
 * Activation pattern at x: for each ReLU layer, 1 where the pre-activation is > 0, else 0.
 * Identity layers are listed too (all ones) so that indices match layers.
 */
export function activationPattern(net: Network, x: ArrayLike<number>): Uint8Array[] {
  const { preActivations } = evaluateLayers(net, x);
  return preActivations.map((z, k) => {
    const p = new Uint8Array(z.length);
    const relu = net.layers[k].activation === 'relu';
    for (let i = 0; i < z.length; i++) p[i] = !relu || z[i] > 0 ? 1 : 0;
    return p;
  });
}

/**
 * Local affine map of the network around x: network(x') = M x' + c for x' in the linear region
 * of x (the region with x's activation pattern). `M` is row-major outputSize x inputSize.
 * `upTo` stops after that many layers (the map to layer `upTo`).
 */
export function localAffineMap(net: Network, x: ArrayLike<number>, upTo = net.layers.length): { M: Float64Array; c: Float64Array; rows: number; cols: number } {
  const pattern = activationPattern(net, x);
  return affineMapForPattern(net, pattern, upTo);
}

/** The affine map of layers 1..upTo with the ReLUs fixed to `pattern` (1 = pass, 0 = zero). */
export function affineMapForPattern(net: Network, pattern: ArrayLike<number>[], upTo = net.layers.length, from = 0): { M: Float64Array; c: Float64Array; rows: number; cols: number } {
  const n = from === 0 ? net.inputSize : net.layers[from - 1].outSize;
  let rows = n;
  let M: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) M[i * n + i] = 1;
  let c: Float64Array = new Float64Array(n);
  for (let k = from; k < upTo; k++) {
    const l = net.layers[k];
    const m = l.outSize;
    const M2 = new Float64Array(m * n);
    const c2 = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const on = l.activation !== 'relu' || pattern[k][i] === 1;
      if (!on) continue;
      let s = l.bias[i];
      for (let j = 0; j < rows; j++) {
        const w = l.weights[i * rows + j];
        if (w === 0) continue;
        s += w * c[j];
        const src = j * n, dst = i * n;
        for (let t = 0; t < n; t++) M2[dst + t] += w * M[src + t];
      }
      c2[i] = s;
    }
    M = M2;
    c = c2;
    rows = m;
  }
  return { M, c, rows, cols: n };
}
