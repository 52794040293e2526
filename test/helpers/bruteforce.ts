/**
 * Brute force for tiny networks: enumerate every activation pattern, build its polyhedron
 * (domain, sign constraints of every unit, target rows) directly from the weights, and keep the
 * non-empty ones. Independent of the search: no pruning, no bounds, no warm starts.
 */
import type { Network } from '../../src/network/types.js';
import { affineMapForPattern } from '../../src/network/evaluate.js';
import { chebyshevCenter } from '../../src/polyhedra/ops.js';
import type { HPolyhedron } from '../../src/polyhedra/types.js';
import { volume } from '../../src/polyhedra/volume.js';
import type { TargetSet } from '../../src/preimage/target.js';

export interface BrutePiece {
  pattern: string;
  part: number;
  radius: number;
  volume: number;
}

/** Patterns as strings "01|10|1" (layers separated by |). */
export function patternKey(p: ArrayLike<number>[]): string {
  return p.map((l) => Array.from(l).join('')).join('|');
}

export function bruteForce(net: Network, ts: TargetSet, lo: number[], hi: number[]): BrutePiece[] {
  const layers = net.layers.slice(0, ts.layer);
  const n = net.inputSize;
  const reluCounts = layers.map((l, k) => (l.activation === 'relu' && !(k === layers.length - 1 && ts.on === 'preactivation') ? l.outSize : 0));
  const total = reluCounts.reduce((a, b) => a + b, 0);
  if (total > 16) throw new Error('too many units for brute force');
  const out: BrutePiece[] = [];
  for (let code = 0; code < 1 << total; code++) {
    let bit = 0;
    const pattern = layers.map((l, k) => {
      const p = new Uint8Array(l.outSize).fill(1);
      if (reluCounts[k] > 0) for (let i = 0; i < l.outSize; i++) p[i] = (code >> bit++) & 1;
      return p;
    });
    const rows: number[][] = [], rhs: number[] = [];
    for (let j = 0; j < n; j++) {
      const e = new Array(n).fill(0);
      e[j] = 1;
      rows.push(e, e.map((v) => -v));
      rhs.push(hi[j], -lo[j]);
    }
    for (let k = 0; k < layers.length; k++) {
      if (reluCounts[k] === 0) continue;
      const { M, c } = affineMapForPattern(net, pattern, k);
      const pre = preMap(net, pattern, k, M, c, n);
      for (let i = 0; i < layers[k].outSize; i++) {
        const a = Array.from(pre.M.subarray(i * n, i * n + n));
        if (pattern[k][i]) { rows.push(a.map((v) => -v)); rhs.push(pre.c[i]); }
        else { rows.push(a); rhs.push(-pre.c[i]); }
      }
    }
    const last = layers.length;
    const { M, c } = affineMapForPattern(net, pattern, last);
    let Mt = M, ct = c;
    if (ts.on === 'preactivation') {
      const pm = affineMapForPattern(net, pattern, last - 1);
      const pre = preMap(net, pattern, last - 1, pm.M, pm.c, n);
      Mt = pre.M;
      ct = pre.c;
    }
    ts.parts.forEach((part, pi) => {
      const r2 = rows.slice(), b2 = rhs.slice();
      for (let r = 0; r < part.rows; r++) {
        const a = new Array(n).fill(0);
        let b = part.t[r];
        for (let i = 0; i < ts.cols; i++) {
          const w = part.T[r * ts.cols + i];
          b -= w * ct[i];
          for (let j = 0; j < n; j++) a[j] += w * Mt[i * n + j];
        }
        r2.push(a);
        b2.push(b);
      }
      const P: HPolyhedron = { n, m: r2.length, A: Float64Array.from(r2.flat()), b: Float64Array.from(b2), meq: 0, Aeq: new Float64Array(0), beq: new Float64Array(0) };
      const ch = chebyshevCenter(P);
      if (ch.radius > 1e-9) out.push({ pattern: patternKey(pattern), part: pi, radius: ch.radius, volume: volume(P) });
    });
  }
  return out;
}

/** Pre-activation map of layer k given the post-activation map of layer k-1. */
function preMap(net: Network, _pattern: Uint8Array[], k: number, M: Float64Array, c: Float64Array, n: number): { M: Float64Array; c: Float64Array } {
  const L = net.layers[k];
  const Mo = new Float64Array(L.outSize * n), co = Float64Array.from(L.bias);
  for (let i = 0; i < L.outSize; i++) {
    for (let j = 0; j < L.inSize; j++) {
      const w = L.weights[i * L.inSize + j];
      co[i] += w * c[j];
      for (let t = 0; t < n; t++) Mo[i * n + t] += w * M[j * n + t];
    }
  }
  return { M: Mo, c: co };
}
