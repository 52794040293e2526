/**
 * The linear piece of an activity preimage that contains a given input: the inputs x with the same
 * activation pattern as x0 in layers 1..l-1 (closed: active units z >= 0, inactive z <= 0) and the
 * same activity at layer l (active units z = y, inactive z <= 0). Every point of it has exactly
 * x0's layer-l activity; the whole preimage is the union of such pieces over earlier patterns.
 */
import type { Network } from '../network/types.js';
import { evaluateLayers } from '../network/evaluate.js';

/** The piece {x : A x <= b, Aeq x = beq} (no box: callers add bounds). */
export interface ActivityPiece {
  n: number;
  layer: number;
  /** Inequalities: earlier layers' sign conditions, then the inactive units of layer l. */
  A: Float64Array;
  b: Float64Array;
  m: number;
  /** Equalities: the active units of layer l (pre-activation = activity). */
  Aeq: Float64Array;
  beq: Float64Array;
  meq: number;
  /** x0's activity at layer l. */
  activity: Float64Array;
  /** Number of active units in each layer 1..l. */
  activeCounts: number[];
  /** Indices of the active units of layer l (row order of Aeq). */
  activeUnits: number[];
}

/**
 * Affine maps z_k = M_k x + c_k of every pre-activation up to layer `upTo` on the linear region of
 * `pattern` (pattern[k][j] = 1 where unit j of layer k+1 is active).
 */
export function preactivationMaps(net: Network, pattern: ArrayLike<number>[], upTo: number): { M: Float64Array; c: Float64Array; rows: number }[] {
  const n = net.inputSize;
  const out: { M: Float64Array; c: Float64Array; rows: number }[] = [];
  // current activity map a = P x + q
  let P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) P[i * n + i] = 1;
  let q = new Float64Array(n);
  let width = n;
  let live: number[] = [];
  for (let k = 0; k < upTo; k++) {
    const L = net.layers[k];
    const m = L.outSize;
    const M = new Float64Array(m * n);
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = L.bias[i];
      const dst = i * n;
      if (k === 0) {
        M.set(L.weights.subarray(i * n, i * n + n), dst);
        c[i] = s;
        continue;
      }
      for (const j of live) {
        const w = L.weights[i * width + j];
        if (w === 0) continue;
        s += w * q[j];
        const src = j * n;
        for (let t = 0; t < n; t++) M[dst + t] += w * P[src + t];
      }
      c[i] = s;
    }
    out.push({ M, c, rows: m });
    const P2 = new Float64Array(m * n);
    const q2 = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      if (L.activation === 'relu' && pattern[k][i] !== 1) continue;
      P2.set(M.subarray(i * n, i * n + n), i * n);
      q2[i] = c[i];
    }
    P = P2;
    q = q2;
    width = m;
    live = Array.from({ length: m }, (_, i) => i).filter((i) => L.activation !== 'relu' || pattern[k][i] === 1);
  }
  return out;
}

/** The piece of the layer-`layer` activity preimage containing x0 (see the module doc). */
export function activityPiece(net: Network, x0: ArrayLike<number>, layer: number): ActivityPiece {
  const n = net.inputSize;
  const { activities, preActivations } = evaluateLayers(net, x0);
  const pattern = preActivations.map((z) => Uint8Array.from(z, (v) => (v > 0 ? 1 : 0)));
  const maps = preactivationMaps(net, pattern, layer);
  const ineq: { a: Float64Array; b: number }[] = [];
  const eq: { a: Float64Array; b: number }[] = [];
  const activeCounts: number[] = [];
  const activeUnits: number[] = [];
  for (let k = 0; k < layer; k++) {
    const { M, c, rows } = maps[k];
    let count = 0;
    for (let i = 0; i < rows; i++) {
      const row = M.subarray(i * n, i * n + n);
      const on = pattern[k][i] === 1;
      if (on) count++;
      if (k === layer - 1 && on) {
        eq.push({ a: Float64Array.from(row), b: activities[k + 1][i] - c[i] });
        activeUnits.push(i);
      } else if (on) ineq.push({ a: Float64Array.from(row, (v) => -v), b: c[i] });
      else ineq.push({ a: Float64Array.from(row), b: -c[i] });
    }
    activeCounts.push(count);
  }
  const pack = (rs: { a: Float64Array; b: number }[]) => {
    const A = new Float64Array(rs.length * n);
    rs.forEach((r, i) => A.set(r.a, i * n));
    return { A, b: Float64Array.from(rs, (r) => r.b) };
  };
  const I = pack(ineq), E = pack(eq);
  return { n, layer, A: I.A, b: I.b, m: ineq.length, Aeq: E.A, beq: E.b, meq: eq.length, activity: Float64Array.from(activities[layer]), activeCounts, activeUnits };
}
