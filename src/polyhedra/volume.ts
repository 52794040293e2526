/**
 * Volumes of polytopes given by an H- or a V-representation.
 *
 * Requirements: dimension up to ~8 (the cost grows with the number of faces of the polytope).
 *
 * Returns:
 *   - {@link volume}: the n-dimensional Lebesgue measure: 0 for empty or lower-dimensional sets
 *     (including lower-dimensional unbounded ones such as a line in the plane), Infinity for
 *     full-dimensional unbounded sets, otherwise the volume of the polytope.
 *   - {@link relativeVolume}: the k-dimensional measure within the affine hull (k = its dimension),
 *     measured in an orthonormal basis of the hull (which is returned): dim −1 and volume 0 when
 *     empty, volume 1 for a single point (counting measure), Infinity when unbounded.
 *
 * Method: recursive cone decomposition over the face lattice (the "pulling" decomposition).
 * For a k-face F with apex p (its lowest-index vertex),
 *     vol_k(F) = (1/k) Σ_{facets G of F, p ∉ G} dist(p, aff G) · vol_{k−1}(G),
 * down to edges (vol_1 = length). The face lattice comes from the vertex–facet incidences that the
 * double description already computed (zero sets): the facets of a face with vertex set S are the
 * inclusion-maximal sets S ∩ Z_j (Z_j = vertices on constraint j) that are proper and have at least
 * k vertices, so no geometry decides combinatorics below the DD. Each face's volume and its
 * orthonormal affine basis (pivoted Gram–Schmidt of its vertices) are memoised by vertex set, so
 * every face is processed once and shared between its parents (unlike a triangulation whose size is
 * the number of flags: 8! simplices for the 8-cube against 3^8 faces here).
 *
 * Guarantees: exact up to floating-point rounding for the polytope described by the DD output
 * (vertices exact up to TOL.DD_ZERO, see vrep.ts). The decomposition is a sum of non-negative
 * terms, so rounding cannot produce cancellation.
 *
 * Reference: J. B. Lasserre, "An analytical expression and an algorithm for the volume of a convex
 * polyhedron in R^n", JOTA 39 (1983) (the recursion over facets); B. Büeler, A. Enge, K. Fukuda,
 * "Exact volume computation for polytopes: a practical study" (2000) (cone decompositions and
 * their costs).
 */
import { TOL } from '../tolerance.js';
import type { HPolyhedron, VPolyhedron } from './types.js';
import { popcount, rowBasis, toVRepDetailed } from './vrep.js';
import { toHRepDetailed } from './hrep.js';

/** Result of {@link relativeVolume}. */
export interface RelativeVolume {
  /** Affine dimension k of the set (−1 when empty). */
  dim: number;
  /** k-dimensional volume within the affine hull (Infinity when unbounded, 1 for a point, 0 when empty). */
  volume: number;
  /** A point of the affine hull (a vertex); empty array when the set is empty. */
  origin: Float64Array;
  /** Orthonormal basis of the hull's direction space: k vectors of length n. */
  basis: Float64Array[];
}

function isH(P: HPolyhedron | VPolyhedron): P is HPolyhedron {
  return (P as HPolyhedron).A !== undefined;
}

/** Vertices, directions and facet–vertex incidences of P, whichever representation it came in. */
interface Lattice {
  n: number;
  verts: Float64Array[];
  /** Rays and lines (non-zero). */
  dirs: Float64Array[];
  /** Per facet constraint: bit set over `verts`. */
  facets: Uint32Array[];
  words: number;
}

function lattice(P: HPolyhedron | VPolyhedron): Lattice {
  if (isH(P)) {
    const r = toVRepDetailed(P);
    const nv = r.v.vertices.length;
    const words = Math.max(1, (nv + 31) >>> 5);
    const facets: Uint32Array[] = [];
    for (let i = 0; i < P.m; i++) {
      const z = new Uint32Array(words);
      const w = i >>> 5;
      const bit = 1 << (i & 31);
      let any = false;
      for (let q = 0; q < nv; q++) {
        if (r.vertexTight[q][w] & bit) {
          z[q >>> 5] |= 1 << (q & 31);
          any = true;
        }
      }
      if (any) facets.push(z);
    }
    return { n: P.n, verts: r.v.vertices, dirs: [...r.v.rays, ...r.v.lines], facets, words };
  }
  const dirs = [...P.rays, ...P.lines].filter((d) => d.some((x) => x !== 0));
  if (P.vertices.length === 0) return { n: P.n, verts: [], dirs: [], facets: [], words: 1 };
  const r = toHRepDetailed(P);
  return { n: P.n, verts: P.vertices, dirs, facets: r.facetVertices, words: r.words };
}

/** Orthonormal basis of the affine hull of the lattice's points and directions. */
function affineHull(L: Lattice): { origin: Float64Array; basis: Float64Array[] } {
  const n = L.n;
  const v0 = L.verts[0];
  const rows = L.verts.length - 1 + L.dirs.length;
  const M = new Float64Array(rows * n);
  let a = 0;
  let scale = 0;
  for (let q = 1; q < L.verts.length; q++, a++) for (let j = 0; j < n; j++) M[a * n + j] = L.verts[q][j] - v0[j];
  for (let q = 0; q < rows; q++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += M[q * n + j] ** 2;
    scale = Math.max(scale, Math.sqrt(s));
  }
  // directions are unit vectors: scale them to the size of the set so that one relative cut applies
  const dscale = scale > 0 ? scale : 1;
  for (const d of L.dirs) {
    let s = 0;
    for (let j = 0; j < n; j++) s += d[j] * d[j];
    s = Math.sqrt(s);
    for (let j = 0; j < n; j++) M[a * n + j] = (d[j] / s) * dscale;
    a++;
  }
  const rb = rowBasis(M, rows, n, TOL.RANK);
  const basis: Float64Array[] = [];
  for (let l = 0; l < rb.k; l++) basis.push(rb.Q.slice(l * n, (l + 1) * n));
  return { origin: v0.slice(), basis };
}

/**
 * Volume of a bounded polytope of affine dimension k whose points are given in k coordinates
 * (X: nv × k row-major), with facet incidences. See the module doc for the method.
 */
function polytopeVolume(X: Float64Array, nv: number, k: number, facets: Uint32Array[], words: number): number {
  if (k === 0) return 1;
  interface Face {
    vol: number;
    basis: Float64Array | null; // (dim) × k orthonormal rows
    o: number; // origin vertex
    dim: number;
  }
  const memo = new Map<string, Face>();
  const keyOf = (S: Uint32Array): string => {
    let s = '';
    for (let w = 0; w < words; w++) s += String.fromCharCode(S[w] & 0xffff, S[w] >>> 16);
    return s;
  };
  const firstBit = (S: Uint32Array): number => {
    for (let w = 0; w < words; w++) if (S[w] !== 0) return (w << 5) + (31 - Math.clz32(S[w] & -S[w]));
    return -1;
  };
  const countBits = (S: Uint32Array): number => {
    let c = 0;
    for (let w = 0; w < words; w++) if (S[w] !== 0) c += popcount(S[w]);
    return c;
  };
  const members = (S: Uint32Array): number[] => {
    const out: number[] = [];
    for (let w = 0; w < words; w++) {
      let x = S[w];
      while (x !== 0) {
        const low = x & -x;
        out.push((w << 5) + (31 - Math.clz32(low)));
        x ^= low;
      }
    }
    return out;
  };
  const diff = new Float64Array(k);

  /** Orthonormal basis (dim vectors) of aff(S), by pivoted Gram–Schmidt of its points. */
  const basisOf = (S: Uint32Array, dim: number): { basis: Float64Array; o: number } => {
    const idx = members(S);
    const o = idx[0];
    const rows = idx.length - 1;
    const M = new Float64Array(rows * k);
    for (let a = 0; a < rows; a++) {
      const q = idx[a + 1];
      for (let j = 0; j < k; j++) M[a * k + j] = X[q * k + j] - X[o * k + j];
    }
    const rb = rowBasis(M, rows, k, 0, undefined, dim);
    return { basis: rb.Q, o };
  };

  const faceVolume = (S: Uint32Array, dim: number): number => {
    const idx = members(S);
    if (dim === 1) {
      // an edge: the two extreme points (robust to extra points on it)
      const a = idx[0];
      let b = a;
      let best = -1;
      for (const q of idx) {
        let s = 0;
        for (let j = 0; j < k; j++) s += (X[q * k + j] - X[a * k + j]) ** 2;
        if (s > best) ((best = s), (b = q));
      }
      best = -1;
      for (const q of idx) {
        let s = 0;
        for (let j = 0; j < k; j++) s += (X[q * k + j] - X[b * k + j]) ** 2;
        if (s > best) best = s;
      }
      return Math.sqrt(best);
    }
    const cnt = idx.length;
    const p = idx[0];
    // candidate facets of this face
    const cands: Uint32Array[] = [];
    const counts: number[] = [];
    for (const F of facets) {
      const c = new Uint32Array(words);
      let cc = 0;
      for (let w = 0; w < words; w++) {
        const x = S[w] & F[w];
        c[w] = x;
        if (x !== 0) cc += popcount(x);
      }
      if (cc === cnt || cc < dim) continue;
      cands.push(c);
      counts.push(cc);
    }
    // inclusion-maximal candidates, each once
    const nc = cands.length;
    const dead = new Uint8Array(nc);
    for (let a = 0; a < nc; a++) {
      if (dead[a]) continue;
      for (let b = 0; b < nc; b++) {
        if (a === b || dead[b] || counts[b] > counts[a]) continue;
        if (counts[b] === counts[a] && b < a) continue;
        // is cands[b] ⊆ cands[a]?
        let sub = true;
        for (let w = 0; w < words; w++) {
          if ((cands[b][w] & ~cands[a][w]) !== 0) {
            sub = false;
            break;
          }
        }
        if (sub) dead[b] = 1;
      }
    }
    let sum = 0;
    const pw = p >>> 5;
    const pbit = 1 << (p & 31);
    for (let a = 0; a < nc; a++) {
      if (dead[a]) continue;
      const G = cands[a];
      if (G[pw] & pbit) continue;
      const key = keyOf(G);
      let f = memo.get(key);
      if (!f) {
        const bo = basisOf(G, dim - 1);
        f = { vol: NaN, basis: bo.basis, o: bo.o, dim: dim - 1 };
        memo.set(key, f);
      } else if (!f.basis) {
        const bo = basisOf(G, dim - 1);
        f.basis = bo.basis;
        f.o = bo.o;
      }
      // distance from p to aff(G)
      const o = f.o;
      for (let j = 0; j < k; j++) diff[j] = X[p * k + j] - X[o * k + j];
      const B = f.basis!;
      const nb = B.length / k;
      for (let l = 0; l < nb; l++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += diff[j] * B[l * k + j];
        for (let j = 0; j < k; j++) diff[j] -= s * B[l * k + j];
      }
      let h = 0;
      for (let j = 0; j < k; j++) h += diff[j] * diff[j];
      h = Math.sqrt(h);
      if (Number.isNaN(f.vol)) f.vol = faceVolume(G, dim - 1);
      sum += h * f.vol;
    }
    return sum / dim;
  };

  const all = new Uint32Array(words);
  for (let q = 0; q < nv; q++) all[q >>> 5] |= 1 << (q & 31);
  return faceVolume(all, k);
}

/** Volume within the affine hull; see the module doc. */
export function relativeVolume(P: HPolyhedron | VPolyhedron): RelativeVolume {
  const L = lattice(P);
  if (L.verts.length === 0) return { dim: -1, volume: 0, origin: new Float64Array(0), basis: [] };
  const { origin, basis } = affineHull(L);
  const k = basis.length;
  if (L.dirs.length > 0) return { dim: k, volume: Infinity, origin, basis };
  return { dim: k, volume: volumeInHull(L, origin, basis), origin, basis };
}

function volumeInHull(L: Lattice, origin: Float64Array, basis: Float64Array[]): number {
  const n = L.n;
  const k = basis.length;
  const nv = L.verts.length;
  let X: Float64Array;
  if (k === n) {
    // full-dimensional: any orthonormal basis preserves volume, so skip the projection (and its rounding)
    X = new Float64Array(nv * n);
    L.verts.forEach((v, q) => X.set(v, q * n));
  } else {
    X = new Float64Array(nv * k);
    for (let q = 0; q < nv; q++) {
      const v = L.verts[q];
      for (let l = 0; l < k; l++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += basis[l][j] * (v[j] - origin[j]);
        X[q * k + l] = s;
      }
    }
  }
  return polytopeVolume(X, nv, k, L.facets, L.words);
}

/**
 * n-dimensional volume of P: 0 when empty or lower-dimensional, Infinity when full-dimensional and
 * unbounded. See the module doc.
 */
export function volume(P: HPolyhedron | VPolyhedron): number {
  const L = lattice(P);
  if (L.verts.length === 0) return 0;
  const { origin, basis } = affineHull(L);
  if (basis.length < L.n) return 0;
  if (L.dirs.length > 0) return Infinity;
  return volumeInHull(L, origin, basis);
}
