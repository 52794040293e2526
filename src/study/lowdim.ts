/**
 * The low-dimensional contrast: ACAS Xu (5 inputs, 6 x 50 hidden units) and VerticalCAS (4 inputs,
 * 21 hidden units). At seeded random points of the input box: per hidden layer, the active units,
 * the dimension of the activity preimage at the point (an expanding layer with n independent
 * active units pins the input down: a single point), and its branches within L-inf balls counted
 * by computePreimage (complete pieces with geometry and exact certificates: cheap in 4-5 dimensions).
 */
import type { Network } from '../network/types.js';
import { computePreimage } from '../preimage/engine.js';
import type { PreimageResult } from '../preimage/result.js';
import { evaluateLayers } from '../network/evaluate.js';
import { Rng } from '../util/rng.js';
import { activityPiece } from './piece.js';
import { pieceDimension } from './dimension.js';

export interface LowDimBranches {
  radius: number;
  branches: number;
  pieces: number;
  status: PreimageResult['status'];
  /** Every piece's exact certificate holds (witness in piece, pattern reproduced, target reached). */
  certified: boolean;
  dims: number[];
  nodes: number;
}

export interface LowDimLayer {
  layer: number;
  active: number;
  dimAll: number;
  dimBox: number;
  pointReason: string | null;
  branches: LowDimBranches[];
}

export interface LowDimPoint {
  network: string;
  point: number;
  x: number[];
  layers: LowDimLayer[];
}

export interface LowDimOptions {
  points: number;
  seed: number;
  radii: number[];
  maxNodes: number;
  timeLimitMs: number;
  /** Keep the computePreimage results (for tests that validate them). */
  keep?: (r: PreimageResult, layer: number, radius: number) => void;
  /** Analyse only the point of this index (the same seeded sequence, so jobs can split points). */
  only?: number;
}

/** Seeded uniform points of the box [lo, hi] (coordinates with lo = hi stay fixed). */
export function samplePoints(lo: ArrayLike<number>, hi: ArrayLike<number>, count: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Float64Array.from(lo as ArrayLike<number>, (l, j) => rng.uniform(l, hi[j])));
}

/** Runs the analysis of the module doc on one network over its input box. */
export function lowDimStudy(net: Network, name: string, lo: Float64Array, hi: Float64Array, opts: LowDimOptions): LowDimPoint[] {
  const hidden = net.layers.length - 1;
  const pts = samplePoints(lo, hi, opts.points, opts.seed).map((x, point) => ({ x, point }));
  return pts.filter((p) => opts.only === undefined || p.point === opts.only).map(({ x, point }) => {
    const { activities } = evaluateLayers(net, x);
    const layers: LowDimLayer[] = [];
    for (let l = 1; l <= hidden; l++) {
      const P = activityPiece(net, x, l);
      const dim = pieceDimension(P, x, lo, hi);
      const branches = opts.radii.map((radius): LowDimBranches => {
        const blo = Array.from(x, (v, j) => Math.max(lo[j], v - radius)), bhi = Array.from(x, (v, j) => Math.min(hi[j], v + radius));
        // forward, as when docs/study was made: the node budget counts the two directions' nodes differently
        const r = computePreimage(net, { kind: 'point', layer: l, activity: activities[l] }, { domain: { kind: 'box', lo: blo, hi: bhi }, maxNodes: opts.maxNodes, timeLimitMs: opts.timeLimitMs, volumes: false, direction: 'forward' });
        opts.keep?.(r, l, radius);
        const pats = new Set(r.pieces.map((p) => p.pattern.slice(0, l - 1).map((q) => q.join('')).join('|')));
        const certified = r.pieces.every((p) => !!p.certificate && p.certificate.witnessInPiece && p.certificate.patternReproduced && p.certificate.targetAtWitness);
        return { radius, branches: pats.size, pieces: r.pieces.length, status: r.status, certified, dims: r.pieces.map((p) => p.dim), nodes: r.stats.nodes };
      });
      layers.push({ layer: l, active: P.activeCounts[l - 1], dimAll: dim.dimAll, dimBox: dim.dimBox, pointReason: dim.pointReason, branches });
    }
    return { network: name, point, x: Array.from(x), layers };
  });
}
