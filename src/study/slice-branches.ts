/**
 * Branches of activity preimages on a low-dimensional slice of the pixel space: k pixels of the
 * image's stroke (seeded choice) free within the L-inf ball of radius r (and [0, 1]), every other
 * pixel fixed at the image. On such a flat box `computePreimage` runs in full (k-dimensional
 * search, piece geometry, exact certificates), so the counts are complete where the 784-pixel
 * ball is out of reach; they describe the preimage's trace on the slice.
 */
import type { Network } from '../network/types.js';
import { computePreimage } from '../preimage/engine.js';
import type { PreimageResult } from '../preimage/result.js';
import { evaluateLayers } from '../network/evaluate.js';
import { Rng } from '../util/rng.js';

export interface SliceCount {
  layer: number;
  radius: number;
  branches: number;
  pieces: number;
  status: PreimageResult['status'];
  dims: number[];
  nodes: number;
  slivers: number;
  /** Every piece's exact certificate holds (witness in the piece, pattern reproduced, target reached). */
  certified: boolean;
}

export interface SliceBranches {
  /** The free pixels (indices into the 784). */
  free: number[];
  counts: SliceCount[];
}

/** k distinct pixels with x0 > 0, chosen by a seeded generator, sorted. */
export function strokePixels(x0: ArrayLike<number>, k: number, seed: number): number[] {
  const cand: number[] = [];
  for (let j = 0; j < x0.length; j++) if (x0[j] > 0) cand.push(j);
  if (cand.length < k) throw new Error(`expected at least ${k} stroke pixels, found ${cand.length}`);
  const rng = new Rng(seed);
  const free: number[] = [];
  while (free.length < k) {
    const j = cand[rng.int(cand.length)];
    if (!free.includes(j)) free.push(j);
  }
  return free.sort((a, b) => a - b);
}

/** Runs computePreimage with a point target at every hidden layer and radius on the slice (see the module doc). */
export function sliceBranches(net: Network, x0: ArrayLike<number>, free: number[], radii: number[], opts: { maxNodes: number; timeLimitMs: number; keep?: (r: PreimageResult) => void }): SliceBranches {
  const acts = evaluateLayers(net, x0).activities;
  const counts: SliceCount[] = [];
  for (let l = 1; l < net.layers.length; l++) {
    for (const radius of radii) {
      const lo = Array.from(x0), hi = Array.from(x0);
      for (const j of free) { lo[j] = Math.max(0, x0[j] - radius); hi[j] = Math.min(1, x0[j] + radius); }
      // forward, as when docs/study was made: the node budget counts the two directions' nodes differently
      const r = computePreimage(net, { kind: 'point', layer: l, activity: acts[l] }, { domain: { kind: 'box', lo, hi }, volumes: false, maxNodes: opts.maxNodes, timeLimitMs: opts.timeLimitMs, direction: 'forward' });
      opts.keep?.(r);
      const pats = new Set(r.pieces.map((p) => p.pattern.slice(0, l - 1).map((q) => q.join('')).join('|')));
      const certified = r.pieces.every((p) => !!p.certificate && p.certificate.witnessInPiece && p.certificate.patternReproduced && p.certificate.targetAtWitness);
      counts.push({ layer: l, radius, branches: pats.size, pieces: r.pieces.length, status: r.status, dims: r.pieces.map((p) => p.dim), nodes: r.stats.nodes, slivers: r.stats.slivers, certified });
    }
  }
  return { free, counts };
}
