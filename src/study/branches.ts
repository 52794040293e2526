/**
 * Branches of an activity preimage near an input: the activation patterns of the earlier layers
 * whose pieces reach the L-inf ball of radius r around x0 (within the pixel box) and carry x0's
 * layer-l activity.
 *
 * Method: the engine's own search (src/preimage: preparePreimage, searchPlan, searchPieces), the
 * same search computePreimage runs, with a point target at layer l and the box domain
 * [max(lo, x0 − r), min(hi, x0 + r)], under a node budget (deterministic) and a time limit (a
 * safety net). The engine's per-piece geometry (redundancy removal, one LP per row: about 200 s
 * per piece in 784 dimensions, measured) is skipped: each piece is certified here instead by
 * evaluating its witness (it reproduces the piece's pattern and x0's layer-l activity).
 * The status is the engine's: `complete` only when the search finished.
 */
import type { Network } from '../network/types.js';
import { preparePreimage, searchPlan } from '../preimage/engine.js';
import { emptyStats, searchPieces, type StopReason } from '../preimage/search.js';
import type { ResultStatus } from '../preimage/result.js';
import { evaluateLayers } from '../network/evaluate.js';
import { certifyActivity } from './certify.js';

export interface BranchOptions {
  maxNodes?: number;
  timeLimitMs?: number;
  maxPieces?: number;
}

export interface BranchCount {
  radius: number;
  /** Distinct earlier-layer patterns found (pieces). */
  branches: number;
  status: ResultStatus;
  nodes: number;
  lps: number;
  slivers: number;
  ms: number;
  /** Dimensions of the pieces found. */
  dims: number[];
  /** Every piece's witness reproduced its pattern and x0's activity (to 1e-9 relative). */
  certified: boolean;
  maxRelError: number;
}

/** Counts the branches of the layer-`layer` activity preimage of x0 within the ball of radius r. */
export function countBranches(net: Network, x0: ArrayLike<number>, layer: number, radius: number, lower: ArrayLike<number>, upper: ArrayLike<number>, opts: BranchOptions = {}): BranchCount {
  const { activities } = evaluateLayers(net, x0);
  const activity = activities[layer];
  const lo = Array.from(x0, (v, j) => Math.max(lower[j], v - radius));
  const hi = Array.from(x0, (v, j) => Math.min(upper[j], v + radius));
  const t0 = performance.now();
  const problem = preparePreimage(net, { kind: 'point', layer, activity }, { domain: { kind: 'box', lo, hi }, volumes: false, certificates: false });
  const stats = emptyStats();
  const domain = problem.domains[0];
  const { scaling, searchDomain, useVertex } = searchPlan(problem, domain, 'lp');
  if (useVertex) throw new Error('expected the LP search');
  const it = searchPieces(scaling?.layers ?? problem.layers, searchDomain, problem.targetSet, stats, {
    maxNodes: opts.maxNodes,
    maxPieces: opts.maxPieces,
    deadline: opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : undefined,
  });
  const seen = new Set<string>();
  const dims: number[] = [];
  let certified = true, maxRel = 0;
  let stop: StopReason;
  for (;;) {
    const r = it.next();
    if (r.done) { stop = r.value; break; }
    const raw = r.value;
    const w = scaling ? scaling.pointBack(raw.witness) : raw.witness;
    const cert = certifyActivity(net, w, layer, activity);
    maxRel = Math.max(maxRel, cert.relError);
    const pat = evaluateLayers(net, w).preActivations.slice(0, layer - 1).map((z) => Array.from(z, (v) => (v > 0 ? 1 : 0)).join('')).join('|');
    const want = raw.pattern.slice(0, layer - 1).map((p) => Array.from(p).join('')).join('|');
    if (!cert.ok || (raw.cls === 'full' || raw.cls === 'lower' ? pat !== want : false)) certified = false;
    seen.add(want);
    dims.push(raw.dim);
  }
  const status: ResultStatus = stop === null ? 'complete' : stop === 'time' ? 'incomplete_time' : stop === 'budget' ? 'incomplete_budget' : 'cancelled';
  return { radius, branches: seen.size, status, nodes: stats.nodes, lps: stats.lps, slivers: stats.slivers, ms: performance.now() - t0, dims, certified, maxRelError: maxRel };
}
