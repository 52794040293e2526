/**
 * Box domains are searched in unit coordinates: u in [0,1]^k over the box's free dimensions,
 * x = lo + s·u (s = hi − lo), with fixed dimensions (lo = hi, as in ACAS Xu prop_4) eliminated.
 * This makes the search and the margin rule independent of the units (raw ACAS Xu inputs span
 * 0..60760 in one dimension and 0..0.2 in another), and turns a flat box into a full-dimensional
 * problem of lower dimension. Pieces are mapped back to x exactly as affine images.
 */
import type { Layer } from '../network/types.js';
import type { HPolyhedron } from '../polyhedra/types.js';
import { normalizeDomain, type DomainSet } from './domain.js';
import type { RawPiece } from './search.js';

export interface BoxScaling {
  /** Layers with the first one acting on u. */
  layers: Layer[];
  /** The unit box [0,1]^k. */
  domain: DomainSet;
  /** Maps a piece found in u back to x. */
  back(p: RawPiece): RawPiece;
  /** Maps an H-polyhedron in u to x (fixed dimensions become equalities). */
  polyBack(P: HPolyhedron): HPolyhedron;
  /** Maps a point in u to x. */
  pointBack(u: ArrayLike<number>): Float64Array;
  /** Maps the point u = U[off .. off + k) to x, as a plain array (the same numbers as pointBack). */
  pointBackPlain(U: Float64Array, off: number): number[];
  /** Maps a direction in u to x. */
  directionBack(d: ArrayLike<number>): Float64Array;
  /** Free dimensions of x (the u coordinates in order). */
  free: number[];
  /** Volume factor: Π s over the free dimensions. */
  jacobian: number;
}

/** The scaling of a bounded box domain, or null when the domain is not such a box. */
export function boxScaling(layers: Layer[], domain: DomainSet): BoxScaling | null {
  if (domain.description.kind !== 'box' || !domain.bounded) return null;
  const n = domain.n;
  const lo = domain.lo, s = Float64Array.from(domain.hi, (h, i) => h - lo[i]);
  const free: number[] = [];
  for (let j = 0; j < n; j++) if (s[j] > 0) free.push(j);
  const k = free.length;
  if (k === 0) return null;
  const L0 = layers[0];
  const W = new Float64Array(L0.outSize * k), b = Float64Array.from(L0.bias);
  for (let i = 0; i < L0.outSize; i++) {
    for (let j = 0; j < n; j++) b[i] += L0.weights[i * n + j] * lo[j];
    free.forEach((j, q) => { W[i * k + q] = L0.weights[i * n + j] * s[j]; });
  }
  const scaled: Layer[] = [{ ...L0, inSize: k, weights: W, bias: b }, ...layers.slice(1)];
  const unit = normalizeDomain({ kind: 'box', lo: new Array(k).fill(0), hi: new Array(k).fill(1) }, k);
  const fixed = Array.from({ length: n }, (_, j) => j).filter((j) => !(s[j] > 0));
  const toX = (u: ArrayLike<number>) => {
    const x = new Float64Array(n);
    x.set(lo); // not Float64Array.from: it iterates, once per vertex of every piece
    for (let q = 0; q < free.length; q++) { const j = free[q]; x[j] = lo[j] + s[j] * u[q]; }
    return x;
  };
  const toXPlain = (U: Float64Array, off: number): number[] => {
    const x: number[] = new Array(n);
    for (let j = 0; j < n; j++) x[j] = lo[j];
    for (let q = 0; q < free.length; q++) { const j = free[q]; x[j] = lo[j] + s[j] * U[off + q]; }
    return x;
  };
  // a_u·u <= b  with u_q = (x_j − lo_j)/s_j:  Σ (a_q/s_j) x_j <= b + Σ a_q lo_j / s_j
  // row `row` of `out` (and its right-hand side) from row `off / k` of a (written in place: one per row of every piece)
  const rowBack = (a: Float64Array, off: number, rhs: number, out: Float64Array, outB: Float64Array, row: number): void => {
    let bx = rhs;
    for (let q = 0; q < free.length; q++) {
      const j = free[q];
      out[row * n + j] = a[off + q] / s[j];
      bx += (a[off + q] * lo[j]) / s[j];
    }
    outB[row] = bx;
  };
  const polyBack = (P: HPolyhedron): HPolyhedron => {
    const A = new Float64Array(P.m * n), bb = new Float64Array(P.m);
    for (let i = 0; i < P.m; i++) rowBack(P.A, i * k, P.b[i], A, bb, i);
    const meq = P.meq + fixed.length;
    const Aeq = new Float64Array(meq * n), beq = new Float64Array(meq);
    for (let i = 0; i < P.meq; i++) rowBack(P.Aeq, i * k, P.beq[i], Aeq, beq, i);
    fixed.forEach((j, t) => {
      Aeq[(P.meq + t) * n + j] = 1;
      beq[P.meq + t] = lo[j];
    });
    return { n, m: P.m, A, b: bb, meq, Aeq, beq };
  };
  const directionBack = (d: ArrayLike<number>) => {
    const x = new Float64Array(n);
    free.forEach((j, q) => { x[j] = s[j] * d[q]; });
    return x;
  };
  const back = (p: RawPiece): RawPiece => {
    const Px = polyBack(p.P);
    // M_u u + c = M_u (x_free − lo)/s + c
    const M = new Float64Array(p.rows * n), c = p.c.slice();
    for (let i = 0; i < p.rows; i++) {
      for (let q = 0; q < free.length; q++) {
        const j = free[q];
        const w = p.M[i * k + q] / s[j];
        M[i * n + j] = w;
        c[i] -= w * lo[j];
      }
    }
    // a fresh object without vpoly (its vertices are in u): spreading p and deleting a key made a slow dictionary object
    const out: RawPiece = { pattern: p.pattern, part: p.part, P: Px, cls: fixed.length && p.cls === 'full' ? 'lower' : p.cls, dim: p.dim, witness: toX(p.witness), radius: p.radius, M, c, rows: p.rows };
    if (p.vertices) out.vertices = p.vertices.map(toX);
    if (p.volumeU !== undefined) out.volumeU = p.volumeU;
    return out;
  };
  let jacobian = 1;
  for (const j of free) jacobian *= s[j];
  return { layers: scaled, domain: unit, back, polyBack, pointBack: toX, pointBackPlain: toXPlain, directionBack, free, jacobian };
}
