/**
 * Domains: where the preimage is sought, in result coordinates (the input layer by default, or
 * layer k for preimages at an intermediate layer).
 */
import { PreimageError } from '../errors.js';
import type { HPolyhedron } from '../polyhedra/types.js';
import { boxPolyhedron } from '../polyhedra/hpoly.js';

export type Domain =
  | { kind: 'box'; lo: ArrayLike<number>; hi: ArrayLike<number> }
  | { kind: 'polyhedron'; polyhedron: HPolyhedron }
  | { kind: 'all' }
  /** The non-negative orthant: the natural domain at a hidden layer (ReLU outputs are >= 0). */
  | { kind: 'nonnegative' };

/** A domain in normal form: its rows and a bounding box (possibly infinite) for cheap bounds. */
export interface DomainSet {
  n: number;
  P: HPolyhedron;
  lo: Float64Array;
  hi: Float64Array;
  bounded: boolean;
  description: Record<string, unknown>;
}

export function normalizeDomain(d: Domain, n: number): DomainSet {
  switch (d.kind) {
    case 'box': {
      if (d.lo.length !== n || d.hi.length !== n) throw new PreimageError('BAD_DOMAIN', `expected a box of ${n} dimensions, found ${d.lo.length} and ${d.hi.length} bounds`);
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(d.lo[i]) || Number.isNaN(d.hi[i]) || d.lo[i] > d.hi[i]) throw new PreimageError('BAD_DOMAIN', `expected lo <= hi in dimension ${i}, found [${d.lo[i]}, ${d.hi[i]}]`);
      }
      const lo = Float64Array.from(d.lo), hi = Float64Array.from(d.hi);
      const bounded = lo.every(Number.isFinite) && hi.every(Number.isFinite);
      return { n, P: boxPolyhedron(lo, hi), lo, hi, bounded, description: { kind: 'box', lo: Array.from(lo), hi: Array.from(hi) } };
    }
    case 'polyhedron': {
      const P = d.polyhedron;
      if (P.n !== n) throw new PreimageError('BAD_DOMAIN', `expected a polyhedron in ${n} dimensions, found ${P.n}`);
      for (const v of [...P.A, ...P.b, ...P.Aeq, ...P.beq]) if (!Number.isFinite(v)) throw new PreimageError('BAD_DOMAIN', `expected finite polyhedron coefficients, found ${v}`);
      const { lo, hi } = axisBounds(P);
      return { n, P, lo, hi, bounded: lo.every(Number.isFinite) && hi.every(Number.isFinite), description: { kind: 'polyhedron', A: rows(P.A, P.m, n), b: Array.from(P.b), Aeq: rows(P.Aeq, P.meq, n), beq: Array.from(P.beq) } };
    }
    case 'all':
      return { n, P: boxPolyhedron(new Float64Array(n).fill(-Infinity), new Float64Array(n).fill(Infinity)), lo: new Float64Array(n).fill(-Infinity), hi: new Float64Array(n).fill(Infinity), bounded: false, description: { kind: 'all' } };
    case 'nonnegative': {
      const lo = new Float64Array(n), hi = new Float64Array(n).fill(Infinity);
      return { n, P: boxPolyhedron(lo, hi), lo, hi, bounded: false, description: { kind: 'nonnegative' } };
    }
    default:
      throw new PreimageError('BAD_DOMAIN', `expected a domain kind box, polyhedron, all or nonnegative, found ${JSON.stringify((d as { kind: unknown }).kind)}`);
  }
}

/** Coordinate bounds implied by single-variable rows of P (cheap; other rows are ignored). */
function axisBounds(P: HPolyhedron): { lo: Float64Array; hi: Float64Array } {
  const n = P.n;
  const lo = new Float64Array(n).fill(-Infinity), hi = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < P.m; i++) {
    let nz = -1, count = 0;
    for (let j = 0; j < n; j++) if (P.A[i * n + j] !== 0) { nz = j; count++; }
    if (count !== 1) continue;
    const a = P.A[i * n + nz], v = P.b[i] / a;
    if (a > 0) hi[nz] = Math.min(hi[nz], v);
    else lo[nz] = Math.max(lo[nz], v);
  }
  return { lo, hi };
}

export function rows(M: Float64Array, m: number, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m; i++) {
    const r: number[] = new Array(n); // a plain loop: Array.from(typed array) iterates slowly
    for (let j = 0; j < n; j++) r[j] = M[i * n + j];
    out.push(r);
  }
  return out;
}
