/**
 * Certificates for pictures: an input is shown only with its layer-l activity recomputed by plain
 * evaluation and compared with the original's.
 */
import type { Network } from '../network/types.js';
import { evaluateLayers } from '../network/evaluate.js';

/** Relative tolerance for "the same activity". */
export const ACTIVITY_TOL = 1e-9;

/** The outcome of {@link certifyActivity}. */
export interface ActivityCertificate {
  /** max_j |a_j(x) - a_j(x0)| / max(1, max_j |a_j(x0)|). */
  relError: number;
  ok: boolean;
  /** Largest violation of the box by x (0 when inside). */
  boxViolation: number;
  /** The network's class at x (argmax of the outputs). */
  predicted: number;
}

/** Clamps x into [lo, hi] (LP points can be outside by rounding). */
export function clampInto(x: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): Float64Array {
  return Float64Array.from(x as ArrayLike<number>, (v, j) => Math.min(hi[j], Math.max(lo[j], v)));
}

/** Evaluates x and compares its layer-`layer` activity with `reference` (see ACTIVITY_TOL). */
export function certifyActivity(net: Network, x: ArrayLike<number>, layer: number, reference: ArrayLike<number>, lo?: ArrayLike<number>, hi?: ArrayLike<number>): ActivityCertificate {
  const { activities } = evaluateLayers(net, x);
  const a = activities[layer];
  let scale = 1, err = 0;
  for (let j = 0; j < reference.length; j++) scale = Math.max(scale, Math.abs(reference[j]));
  for (let j = 0; j < reference.length; j++) err = Math.max(err, Math.abs(a[j] - reference[j]));
  let bv = 0;
  if (lo && hi) for (let j = 0; j < x.length; j++) bv = Math.max(bv, lo[j] - x[j], x[j] - hi[j]);
  const out = activities[activities.length - 1];
  let pred = 0;
  for (let j = 1; j < out.length; j++) if (out[j] > out[pred]) pred = j;
  return { relError: err / scale, ok: err / scale <= ACTIVITY_TOL && bv <= 0, boxViolation: bv, predicted: pred };
}
