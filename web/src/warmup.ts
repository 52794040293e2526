/**
 * JIT warm-up of the slice code on a freshly loaded network (both workers run it on load): up to
 * 15 slices of the plane of inputs 0 and 1 over their whole range (the .nnet range, else [−1, 1]²),
 * each stopped after 3000 regions, with their class colourings, for at most WARM_UP_MS. Measured in
 * Node on ACAS Xu 1_1 (shared machine, load 2–3): the first full-range ρ × θ slice took 470–590 ms
 * cold, 450–560 ms after warming up on small squares and 265–350 ms after this (later slices
 * 150–300 ms); V8 needs the long runs of a real slice, not many tiny ones.
 */
import type { Network } from '../../src/index.js';
import { classColoring } from '../../src/render/coloring.js';
import { computeSlice, coordinatePlane } from '../../src/render/slice.js';

export const WARM_UP_MS = 400;

export function warmUp(net: Network, budgetMs = WARM_UP_MS): number {
  const t0 = performance.now();
  const n = net.inputSize;
  if (n < 2) return 0;
  const nz = net.normalization;
  const range = (k: number): [number, number] => (nz ? [(nz.inputMin[k] - nz.inputMean[k]) / nz.inputRange[k], (nz.inputMax[k] - nz.inputMean[k]) / nz.inputRange[k]] : [-1, 1]);
  const [u0, u1] = range(0), [v0, v1] = range(1);
  const origin = new Array<number>(n).fill(0);
  if (nz) for (let k = 2; k < n; k++) origin[k] = (range(k)[0] + range(k)[1]) / 2;
  const cp = coordinatePlane(n, [0, 1], origin);
  const rect = u0 < u1 && v0 < v1 ? { u0, u1, v0, v1 } : { u0: -1, u1: 1, v0: -1, v1: 1 };
  for (let i = 0; i < 15 && performance.now() - t0 < budgetMs; i++) {
    classColoring(computeSlice(net, cp, rect, { maxRegions: 3000 }), { rule: 'argmax' });
  }
  return performance.now() - t0;
}
