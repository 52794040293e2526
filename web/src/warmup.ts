/**
 * JIT warm-up of the slice code on a freshly loaded network (both workers run it on load): slices
 * and class colourings of growing squares around the middle of the input space, for at most
 * WARM_UP_MS, so that V8 has optimised computeSlice before the first slice the user asks for
 * (a fresh worker's first full-range ACAS Xu slice took 2–4x longer than the next ones).
 */
import type { Network } from '../../src/index.js';
import { classColoring } from '../../src/render/coloring.js';
import { computeSlice, coordinatePlane } from '../../src/render/slice.js';

export const WARM_UP_MS = 250;

export function warmUp(net: Network, budgetMs = WARM_UP_MS): number {
  const t0 = performance.now();
  const n = net.inputSize;
  if (n < 2) return 0;
  const cp = coordinatePlane(n, [0, 1], new Array<number>(n).fill(0));
  for (let h = 0.02; performance.now() - t0 < budgetMs / 2 && h <= 0.5; h *= 1.6) {
    classColoring(computeSlice(net, cp, { u0: -h, u1: h, v0: -h, v1: h }, { maxRegions: 20_000 }), { rule: 'argmax' });
  }
  for (let i = 0; i < 200 && performance.now() - t0 < budgetMs; i++) {
    classColoring(computeSlice(net, cp, { u0: -0.1, u1: 0.1, v0: -0.1, v1: 0.1 }, { maxRegions: 20_000 }), { rule: 'argmax' });
  }
  return performance.now() - t0;
}
