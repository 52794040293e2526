/**
 * Raw physical units for .nnet networks: the normalisation is folded into the network so that
 * the search, the domain and the pieces all live in raw units.
 */
import { PreimageError } from '../errors.js';
import type { VnnlibSpec } from '../formats/vnnlib.js';
import type { Layer, Network } from '../network/types.js';
import { denormalizeBox } from '../network/normalization.js';

/**
 * The same function in raw units: x_raw -> y_raw, with x_norm = (x_raw - mean) / range folded into
 * the first layer and y_raw = y_norm * outputRange + outputMean into the last (identity) layer.
 */
export function rawNetwork(net: Network): Network {
  const nz = net.normalization;
  if (!nz) throw new PreimageError('BAD_ARGUMENT', 'expected a network with normalisation (a .nnet file) for raw units, found none');
  const layers: Layer[] = net.layers.map((l) => ({ ...l, weights: Float64Array.from(l.weights), bias: Float64Array.from(l.bias) }));
  const first = layers[0];
  for (let i = 0; i < first.outSize; i++) {
    for (let j = 0; j < first.inSize; j++) {
      const w = first.weights[i * first.inSize + j] / nz.inputRange[j];
      first.weights[i * first.inSize + j] = w;
      first.bias[i] -= w * nz.inputMean[j];
    }
  }
  const last = layers[layers.length - 1];
  if (last.activation !== 'identity') throw new PreimageError('BAD_ARGUMENT', 'expected an identity output layer to express outputs in raw units, found a ReLU output layer');
  for (let k = 0; k < last.weights.length; k++) last.weights[k] *= nz.outputRange;
  for (let i = 0; i < last.outSize; i++) last.bias[i] = last.bias[i] * nz.outputRange + nz.outputMean;
  return { ...net, layers, normalization: undefined, source: net.source };
}

/** A VNN-LIB spec written in normalised coordinates, converted to raw units. */
export function rawVnnlib(net: Network, spec: VnnlibSpec): VnnlibSpec {
  const nz = net.normalization;
  if (!nz) throw new PreimageError('BAD_ARGUMENT', 'expected a network with normalisation for raw units, found none');
  const R = nz.outputRange, Mo = nz.outputMean;
  return {
    ...spec,
    inputBoxes: spec.inputBoxes.map((b) => denormalizeBox(net, b)),
    // T y_norm <= t with y_norm = (y_raw - M) / R:  (T / R) y_raw <= t + (T·1) M / R
    output: spec.output.map((p) => {
      const T = Float64Array.from(p.T, (v) => v / R);
      const t = Float64Array.from(p.t, (v, r) => {
        let s = 0;
        for (let j = 0; j < p.cols; j++) s += p.T[r * p.cols + j];
        return v + (s * Mo) / R;
      });
      return { ...p, T, t };
    }),
  };
}
