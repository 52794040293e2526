/**
 * Dimension of an activity preimage piece at a point x0 of it, in all of R^n and within a box.
 * Near x0 the piece is {x : Aeq x = beq} cut by the rows tight at x0; its dimension is that of the
 * tangent cone C = {d : Aeq d = 0, a_k·d <= 0 (tight rows), d_i >= 0 (x0_i at its lower bound),
 * d_i <= 0 (at its upper bound)}, i.e. n minus the rank of the equalities plus the implicit ones.
 */
import { rank } from '../linalg/subspace.js';
import { transpose } from '../linalg/basic.js';
import { LpSession } from '../lp/session.js';
import type { LpProblem } from '../lp/types.js';
import { checkDual, type DualCheck } from './lp-dual.js';
import type { ActivityPiece } from './piece.js';

/** Dimensions of a piece at x0. */
export interface PieceDimension {
  /** n - rank(Aeq): the dimension in R^n (no inequality is tight at x0 unless `tightRows` > 0). */
  dimAll: number;
  rankEq: number;
  /** Inequality rows of the piece within 1e-12 (relative) of tight at x0. */
  tightRows: number;
  /** Dimension within the box. */
  dimBox: number;
  /** Coordinates at a box bound at x0, and how many of them the piece pins there (implicit equalities). */
  atBound: number;
  pinned: number;
  /** Why the piece is a single point, when it is. */
  pointReason: string | null;
  /** LPs solved, with their dual checks (each certifies that the remaining bounds are implicit). */
  lps: number;
  checks: DualCheck[];
}

const TIGHT = 1e-12;
/** A direction coordinate above this (in a cone cut to [-1, 1]^n) shows a bound is not implicit. */
const MOVE = 1e-9;

/** Computes {@link PieceDimension}; `lower`/`upper` is the box (e.g. [0, 1]^784). */
export function pieceDimension(P: ActivityPiece, x0: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): PieceDimension {
  const n = P.n;
  const rankEq = P.meq > 0 ? rank(transpose(P.Aeq, P.meq, n), n, P.meq) : 0;
  const dimAll = n - rankEq;
  // tight inequality rows at x0
  const tight: number[] = [];
  for (let i = 0; i < P.m; i++) {
    let s = 0, nn = 0;
    for (let j = 0; j < n; j++) { s += P.A[i * n + j] * x0[j]; nn += Math.abs(P.A[i * n + j]); }
    if (P.b[i] - s <= TIGHT * Math.max(1, nn, Math.abs(P.b[i]))) tight.push(i);
  }
  // cone rows over d in [-1, 1]^n: tight rows a·d <= 0; bounds: d_i >= 0 at lower, <= 0 at upper
  const sigma = new Int8Array(n);
  let atBound = 0;
  const lo = new Float64Array(n).fill(-1), hi = new Float64Array(n).fill(1);
  for (let j = 0; j < n; j++) {
    if (x0[j] <= lower[j]) { sigma[j] = 1; lo[j] = 0; atBound++; }
    else if (x0[j] >= upper[j]) { sigma[j] = -1; hi[j] = 0; atBound++; }
  }
  const A = new Float64Array(tight.length * n);
  tight.forEach((i, k) => A.set(P.A.subarray(i * n, i * n + n), k * n));
  const p: LpProblem = { n, c: new Float64Array(n), A, b: new Float64Array(tight.length), m: tight.length, Aeq: P.Aeq, beq: new Float64Array(P.meq), meq: P.meq, lower: lo, upper: hi };
  // candidates for implicit equalities: bounded coordinates and tight rows
  let candCoords = Array.from({ length: n }, (_, j) => j).filter((j) => sigma[j] !== 0);
  let candRows = tight.map((_, k) => k);
  const checks: DualCheck[] = [];
  let lps = 0;
  if (candCoords.length + candRows.length > 0) {
    const s = new LpSession(p);
    for (;;) {
      // maximise the sum of the candidates' movements; those that move are not implicit
      const c = new Float64Array(n);
      for (const j of candCoords) c[j] -= sigma[j];
      for (const k of candRows) for (let j = 0; j < n; j++) c[j] += A[k * n + j];
      s.setObjective(c);
      p.c = c;
      const r = s.solve();
      lps++;
      if (r.status !== 'optimal') throw new Error(`dimension LP ${r.status}`);
      const chk = checkDual(p, r);
      checks.push(chk);
      if (!chk.ok) throw new Error(`dimension LP failed its dual check (gap ${chk.gap})`);
      const d = r.x!;
      const moved = (v: number) => v > MOVE;
      const nc = candCoords.filter((j) => !moved(sigma[j] * d[j]));
      const nr = candRows.filter((k) => { let v = 0; for (let j = 0; j < n; j++) v -= A[k * n + j] * d[j]; return !moved(v); });
      if (nc.length === candCoords.length && nr.length === candRows.length) {
        // nothing moved: the certified maximum -dualBound says how far any candidate can move
        if (-chk.dualBound > MOVE * 10) throw new Error(`dimension LP: optimum 0 but dual bound ${-chk.dualBound}`);
        break;
      }
      candCoords = nc;
      candRows = nr;
      if (candCoords.length + candRows.length === 0) break;
    }
  }
  const pinned = candCoords.length;
  const pinnedSet = new Uint8Array(n);
  for (const j of candCoords) pinnedSet[j] = 1;
  const freeCols = Array.from({ length: n }, (_, j) => j).filter((j) => !pinnedSet[j]);
  const rowsAll = P.meq + candRows.length;
  let rk = 0;
  if (rowsAll > 0 && freeCols.length > 0) {
    const M = new Float64Array(rowsAll * freeCols.length);
    for (let i = 0; i < rowsAll; i++) {
      const src = i < P.meq ? P.Aeq.subarray(i * n, i * n + n) : A.subarray(candRows[i - P.meq] * n, candRows[i - P.meq] * n + n);
      freeCols.forEach((j, q) => { M[i * freeCols.length + q] = src[j]; });
    }
    rk = rank(transpose(M, rowsAll, freeCols.length), freeCols.length, rowsAll);
  }
  const dimBox = freeCols.length - rk;
  let pointReason: string | null = null;
  if (dimBox === 0) {
    if (rankEq === n) pointReason = `the ${P.meq} active units have rank ${rankEq} = the input dimension: their equalities alone pin the input down`;
    else if (pinned === n) pointReason = 'every coordinate is pinned at a bound of the box';
    else pointReason = `${pinned} coordinates pinned at box bounds; the equalities (rank ${rk}) fix the other ${freeCols.length}`;
  }
  return { dimAll, rankEq, tightRows: tight.length, dimBox, atBound, pinned, pointReason, lps, checks };
}
