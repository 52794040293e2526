/**
 * Extent of an activity preimage piece within a box: how far from x0 another input with exactly
 * the same activity can be.
 *
 * - L-inf (exact, by LP): max_i max_s s·(x_i − x0_i) over the piece ∩ box. Each candidate (i, s)
 *   is bounded a priori by its box room (1 − x0_i or x0_i); candidates are solved in decreasing
 *   order of that room (warm-started) and the loop stops as soon as the best value found reaches
 *   the room of the next candidate, so usually a handful of LPs settle it instead of 2n.
 * - L2 (a non-convex maximisation): a lower bound, the largest distance over the vertices that
 *   LPs in several directions reach (towards the farthest box corner, the L-inf optimum, seeded
 *   random directions), and an upper bound implied by the box, sqrt(Σ_i max(x0_i − lo_i, hi_i − x0_i)²).
 */
import { LpSession } from '../lp/session.js';
import type { LpProblem } from '../lp/types.js';
import { Rng } from '../util/rng.js';
import { checkDual, type DualCheck } from './lp-dual.js';
import type { ActivityPiece } from './piece.js';

export interface ExtentOptions {
  /** Most L-inf candidate LPs before giving up exactness (default 400). */
  maxLinfLps?: number;
  /** Random directions for the L2 lower bound (default 4). */
  randomDirections?: number;
  seed?: number;
}

/** A point reached by an LP, with its dual check. */
export interface ExtentPoint {
  x: Float64Array;
  linf: number;
  l2: number;
  how: string;
  check: DualCheck;
}

export interface PieceExtent {
  /** Largest L-inf distance found, and the certified upper bound (equal when `linfExact`). */
  linf: number;
  linfUpper: number;
  linfExact: boolean;
  /** The input attaining it, the pixel and direction. */
  linfPoint: ExtentPoint;
  linfPixel: number;
  linfSign: 1 | -1;
  linfLps: number;
  /** L2: lower bound (best vertex found) and box-implied upper bound. */
  l2Lower: number;
  l2Upper: number;
  l2Point: ExtentPoint;
  points: ExtentPoint[];
  lps: number;
}

function distances(x: Float64Array, x0: ArrayLike<number>): { linf: number; l2: number } {
  let linf = 0, s = 0;
  for (let j = 0; j < x.length; j++) { const d = Math.abs(x[j] - x0[j]); linf = Math.max(linf, d); s += d * d; }
  return { linf, l2: Math.sqrt(s) };
}

/** Computes {@link PieceExtent} of the piece P ∩ [lower, upper] around x0 (x0 must lie in it). */
export function pieceExtent(P: ActivityPiece, x0: ArrayLike<number>, lower: Float64Array, upper: Float64Array, opts: ExtentOptions = {}): PieceExtent {
  const n = P.n;
  const p: LpProblem = { n, c: new Float64Array(n), A: P.A, b: P.b, m: P.m, Aeq: P.Aeq, beq: P.beq, meq: P.meq, lower, upper };
  const session = new LpSession(p);
  let lps = 0;
  const run = (c: Float64Array, how: string): ExtentPoint => {
    session.setObjective(c);
    p.c = c;
    const r = session.solve();
    lps++;
    if (r.status !== 'optimal') throw new Error(`extent LP (${how}) ${r.status}`);
    const check = checkDual(p, r);
    if (!check.ok) throw new Error(`extent LP (${how}) failed its dual check: gap ${check.gap}`);
    const x = Float64Array.from(r.x!, (v, j) => Math.min(upper[j], Math.max(lower[j], v)));
    return { x, ...distances(x, x0), how, check };
  };
  // L-inf: candidates by room, descending (ties by pixel index, increase before decrease)
  const cands: { j: number; s: 1 | -1; room: number }[] = [];
  for (let j = 0; j < n; j++) {
    cands.push({ j, s: 1, room: upper[j] - x0[j] });
    cands.push({ j, s: -1, room: x0[j] - lower[j] });
  }
  cands.sort((a, b) => b.room - a.room || a.j - b.j || b.s - a.s);
  const maxLinf = opts.maxLinfLps ?? 400;
  let best: ExtentPoint | null = null, bestVal = -Infinity, bestJ = -1, bestS: 1 | -1 = 1, certUpper = 0;
  let k = 0;
  for (; k < cands.length && k < maxLinf; k++) {
    const { j, s, room } = cands[k];
    if (best && bestVal >= room - 1e-12) break;
    const c = new Float64Array(n);
    c[j] = -s;
    const pt = run(c, `max ${s > 0 ? '+' : '-'}x_${j}`);
    const val = s * (pt.x[j] - x0[j]);
    // -dualBound bounds max s·x_j from above
    certUpper = Math.max(certUpper, -pt.check.dualBound - s * x0[j]);
    if (val > bestVal) { best = pt; bestVal = val; bestJ = j; bestS = s; }
  }
  const linfLps = k;
  const nextRoom = k < cands.length ? cands[k].room : 0;
  const linfUpper = Math.max(bestVal, certUpper, nextRoom);
  const linfPoint = best!;
  // L2 lower bound: directions
  const points: ExtentPoint[] = [linfPoint];
  const corner = new Float64Array(n);
  for (let j = 0; j < n; j++) corner[j] = x0[j] - lower[j] < upper[j] - x0[j] ? -1 : 1; // minimise -(towards the far side)
  points.push(run(corner, 'towards the farthest box corner'));
  const rng = new Rng(opts.seed ?? 7);
  for (let t = 0; t < (opts.randomDirections ?? 4); t++) {
    const c = new Float64Array(n);
    for (let j = 0; j < n; j++) c[j] = rng.normal();
    points.push(run(c, `seeded random direction ${t + 1}`));
  }
  let l2Point = points[0];
  for (const q of points) if (q.l2 > l2Point.l2) l2Point = q;
  let u2 = 0;
  for (let j = 0; j < n; j++) u2 += Math.max(x0[j] - lower[j], upper[j] - x0[j]) ** 2;
  return {
    linf: bestVal, linfUpper, linfExact: linfUpper - bestVal <= 1e-9, linfPoint, linfPixel: bestJ, linfSign: bestS, linfLps,
    l2Lower: l2Point.l2, l2Upper: Math.sqrt(u2), l2Point, points, lps,
  };
}
