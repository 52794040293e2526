/**
 * "Indistinguishable inputs": the input of a preimage piece (within a box) closest in L1 to a
 * given picture. With x = x1 + p − q, p, q >= 0, the L1 distance is Σ (p + q) at the optimum, so
 * it is one LP in 2n variables: minimise Σ p + Σ q subject to the piece's rows on x1 + p − q and
 * 0 <= p <= hi − x1, 0 <= q <= x1 − lo (which keeps x in the box).
 */
import type { LpProblem } from '../lp/types.js';
import { solveChecked, type DualCheck } from './lp-dual.js';
import type { ActivityPiece } from './piece.js';

export interface NearestResult {
  /** The input of the piece closest to x1 in L1, clamped into the box. */
  x: Float64Array;
  /** Its L1, L-inf distance to x1. */
  l1: number;
  linf: number;
  /** The dual check of the LP (dualBound is a certified lower bound of every L1 distance). */
  check: DualCheck;
  /** L1 distance from x1 to the original image x0 (for comparison). */
  l1Original: number;
  iterations: number;
}

/** Solves the LP of the module doc; x0 is the image the piece came from (only for l1Original). */
export function nearestInPiece(P: ActivityPiece, x1: ArrayLike<number>, x0: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): NearestResult {
  const n = P.n, N = 2 * n;
  const split = (M: Float64Array, rhs: Float64Array, rows: number) => {
    const out = new Float64Array(rows * N);
    const b = Float64Array.from(rhs);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const a = M[i * n + j];
        out[i * N + j] = a;
        out[i * N + n + j] = -a;
        s += a * x1[j];
      }
      b[i] -= s;
    }
    return { M: out, b };
  };
  const I = split(P.A, P.b, P.m), E = split(P.Aeq, P.beq, P.meq);
  const lo = new Float64Array(N), hi = new Float64Array(N);
  for (let j = 0; j < n; j++) { hi[j] = Math.max(0, upper[j] - x1[j]); hi[n + j] = Math.max(0, x1[j] - lower[j]); }
  const p: LpProblem = { n: N, c: new Float64Array(N).fill(1), A: I.M, b: I.b, m: P.m, Aeq: E.M, beq: E.b, meq: P.meq, lower: lo, upper: hi };
  const { result, check } = solveChecked(p);
  const z = result.x!;
  const x = new Float64Array(n);
  let l1 = 0, linf = 0, l1o = 0;
  for (let j = 0; j < n; j++) {
    x[j] = Math.min(upper[j], Math.max(lower[j], x1[j] + z[j] - z[n + j]));
    const d = Math.abs(x[j] - x1[j]);
    l1 += d;
    linf = Math.max(linf, d);
    l1o += Math.abs(x0[j] - x1[j]);
  }
  return { x, l1, linf, check, l1Original: l1o, iterations: result.iterations };
}
