import { PreimageError } from '../errors.js';
import type { Activation, Layer, Network, NetworkSource, Normalization } from './types.js';

/** Plain data accepted by {@link createNetwork}: arrays or typed arrays. */
export interface LayerInit {
  weights: ArrayLike<number> | ArrayLike<number>[];
  bias: ArrayLike<number>;
  activation?: Activation;
  /** Needed only when `weights` is flat. */
  inSize?: number;
}

/**
 * Builds a validated network from layers: shapes must chain, every number must be finite, and
 * consecutive affine layers with no ReLU between them are folded into one (W2 W1, W2 b1 + b2).
 * The last layer's activation defaults to `identity`, the others to `relu`.
 * @throws PreimageError SHAPE_MISMATCH | NON_FINITE | BAD_ACTIVATION
 */
export function createNetwork(
  layers: LayerInit[],
  opts: { normalization?: Normalization; source?: NetworkSource; fold?: boolean } = {},
): Network {
  if (layers.length === 0) throw new PreimageError('SHAPE_MISMATCH', 'expected at least one layer, found none');
  const dense: Layer[] = layers.map((l, i) => toLayer(l, i, i === layers.length - 1));
  for (let i = 1; i < dense.length; i++) {
    if (dense[i].inSize !== dense[i - 1].outSize) {
      throw new PreimageError(
        'SHAPE_MISMATCH',
        `expected layer ${i + 1} to take ${dense[i - 1].outSize} inputs (the outputs of layer ${i}), found ${dense[i].inSize}`,
        `layer ${i + 1}`,
      );
    }
  }
  const folded = opts.fold === false ? dense : foldAffine(dense);
  const net: Network = {
    inputSize: folded[0].inSize,
    outputSize: folded[folded.length - 1].outSize,
    layers: folded,
  };
  if (opts.normalization) {
    validateNormalization(opts.normalization, net.inputSize);
    net.normalization = opts.normalization;
  }
  if (opts.source) net.source = opts.source;
  return net;
}

function toLayer(l: LayerInit, i: number, last: boolean): Layer {
  const at = `layer ${i + 1}`;
  const activation = l.activation ?? (last ? 'identity' : 'relu');
  if (activation !== 'relu' && activation !== 'identity') {
    throw new PreimageError('BAD_ACTIVATION', `expected activation "relu" or "identity", found ${JSON.stringify(activation)}`, at);
  }
  const bias = Float64Array.from(l.bias as ArrayLike<number>);
  const outSize = bias.length;
  if (outSize === 0) throw new PreimageError('SHAPE_MISMATCH', 'expected a non-empty bias, found length 0', at);
  let weights: Float64Array;
  let inSize: number;
  const w = l.weights as ArrayLike<unknown>;
  if (w.length > 0 && typeof w[0] === 'object' && w[0] !== null) {
    const rows = l.weights as ArrayLike<number>[];
    if (rows.length !== outSize) {
      throw new PreimageError('SHAPE_MISMATCH', `expected ${outSize} weight rows (one per bias entry), found ${rows.length}`, at);
    }
    inSize = rows[0].length;
    weights = new Float64Array(outSize * inSize);
    for (let r = 0; r < outSize; r++) {
      if (rows[r].length !== inSize) {
        throw new PreimageError('SHAPE_MISMATCH', `expected weight row ${r} to have ${inSize} entries, found ${rows[r].length}`, at);
      }
      for (let c = 0; c < inSize; c++) weights[r * inSize + c] = rows[r][c];
    }
  } else {
    weights = Float64Array.from(l.weights as ArrayLike<number>);
    inSize = l.inSize ?? weights.length / outSize;
    if (!Number.isInteger(inSize) || inSize * outSize !== weights.length || inSize === 0) {
      throw new PreimageError(
        'SHAPE_MISMATCH',
        `expected ${outSize} x ${l.inSize ?? 'n'} weights, found ${weights.length} numbers`,
        at,
      );
    }
  }
  checkFinite(weights, `${at} weights`);
  checkFinite(bias, `${at} bias`);
  return { inSize, outSize, weights, bias, activation };
}

function checkFinite(a: Float64Array, at: string): void {
  for (let k = 0; k < a.length; k++) {
    if (!Number.isFinite(a[k])) {
      throw new PreimageError('NON_FINITE', `expected finite numbers, found ${a[k]} at index ${k}`, at);
    }
  }
}

function validateNormalization(n: Normalization, inputSize: number): void {
  for (const key of ['inputMin', 'inputMax', 'inputMean', 'inputRange'] as const) {
    if (n[key].length !== inputSize) {
      throw new PreimageError('SHAPE_MISMATCH', `expected normalisation ${key} of length ${inputSize}, found ${n[key].length}`, 'normalization');
    }
    checkFinite(n[key], `normalization.${key}`);
  }
  for (let i = 0; i < inputSize; i++) {
    if (n.inputRange[i] === 0) throw new PreimageError('NON_FINITE', `expected non-zero inputRange, found 0 at index ${i}`, 'normalization');
  }
  if (!Number.isFinite(n.outputMean) || !Number.isFinite(n.outputRange) || n.outputRange === 0) {
    throw new PreimageError('NON_FINITE', `expected finite outputMean and non-zero outputRange, found ${n.outputMean}, ${n.outputRange}`, 'normalization');
  }
}

/** Composes consecutive identity layers into the following layer. */
export function foldAffine(layers: Layer[]): Layer[] {
  const out: Layer[] = [];
  let pending: Layer | null = null;
  for (const l of layers) {
    const cur: Layer = pending ? compose(pending, l) : l;
    if (cur.activation === 'identity') pending = cur;
    else {
      out.push(cur);
      pending = null;
    }
  }
  if (pending) out.push(pending);
  return out;
}

/** Layer `b` after affine layer `a`: W = Wb Wa, bias = Wb ba + bb, activation of b. */
export function compose(a: Layer, b: Layer): Layer {
  const n = a.inSize, k = a.outSize, m = b.outSize;
  const W = new Float64Array(m * n);
  const bias = Float64Array.from(b.bias);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      const w = b.weights[i * k + j];
      if (w === 0) continue;
      bias[i] += w * a.bias[j];
      for (let c = 0; c < n; c++) W[i * n + c] += w * a.weights[j * n + c];
    }
  }
  return { inSize: n, outSize: m, weights: W, bias, activation: b.activation };
}

/** Number of weights and biases. */
export function parameterCount(net: Network): number {
  return net.layers.reduce((s, l) => s + l.weights.length + l.bias.length, 0);
}
