import { PreimageError } from '../errors.js';
import type { Box, Network, Normalization } from './types.js';

/** Which coordinates a point, box or piece is expressed in (for .nnet networks). */
export type Units = 'raw' | 'normalized';

function need(net: Network): Normalization {
  if (!net.normalization) throw new PreimageError('BAD_ARGUMENT', 'expected a network with normalisation (a .nnet file) for raw units, found none');
  return net.normalization;
}

/** Raw physical input -> normalised network input. Does not clip (see {@link clipRaw}). */
export function normalizeInput(net: Network, raw: ArrayLike<number>): Float64Array {
  const n = need(net);
  return Float64Array.from(raw, (v, i) => (v - n.inputMean[i]) / n.inputRange[i]);
}

/** Normalised network input -> raw physical input. */
export function denormalizeInput(net: Network, x: ArrayLike<number>): Float64Array {
  const n = need(net);
  return Float64Array.from(x, (v, i) => v * n.inputRange[i] + n.inputMean[i]);
}

/** Clips a raw input to the .nnet file's [inputMin, inputMax], as the .nnet reference evaluator does. */
export function clipRaw(net: Network, raw: ArrayLike<number>): Float64Array {
  const n = need(net);
  return Float64Array.from(raw, (v, i) => Math.min(n.inputMax[i], Math.max(n.inputMin[i], v)));
}

/** Normalised outputs -> raw outputs (y * outputRange + outputMean). */
export function denormalizeOutput(net: Network, y: ArrayLike<number>): Float64Array {
  const n = need(net);
  return Float64Array.from(y, (v) => v * n.outputRange + n.outputMean);
}

/** Raw outputs -> normalised outputs. */
export function normalizeOutput(net: Network, y: ArrayLike<number>): Float64Array {
  const n = need(net);
  return Float64Array.from(y, (v) => (v - n.outputMean) / n.outputRange);
}

/** Box in raw units -> box in normalised coordinates (ranges are positive in .nnet files; handles sign anyway). */
export function normalizeBox(net: Network, box: Box): Box {
  const a = normalizeInput(net, box.lo), b = normalizeInput(net, box.hi);
  return { lo: a.map((v, i) => Math.min(v, b[i])), hi: a.map((v, i) => Math.max(v, b[i])) };
}

/** Box in normalised coordinates -> box in raw units. */
export function denormalizeBox(net: Network, box: Box): Box {
  const a = denormalizeInput(net, box.lo), b = denormalizeInput(net, box.hi);
  return { lo: a.map((v, i) => Math.min(v, b[i])), hi: a.map((v, i) => Math.max(v, b[i])) };
}

/** The .nnet input domain [inputMin, inputMax] as a raw box. */
export function rawInputBox(net: Network): Box {
  const n = need(net);
  return { lo: Float64Array.from(n.inputMin), hi: Float64Array.from(n.inputMax) };
}
