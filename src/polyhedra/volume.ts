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
 * Inputs: an H-polyhedron (one DD gives vertices and incidences); an H-polyhedron with its known
 * V-representation, `volume(P, V)` (no DD: incidences from slacks); a V-polyhedron returned by
 * toVRep and unchanged since (its DD incidences are reused); any other V-polyhedron (facets by
 * toHRep, i.e. a DD on the polar, which costs ~10x more than the volume itself). Points of a given
 * V-representation that are not vertices (duplicates, interior points, points inside faces) are
 * dropped combinatorially first.
 *
 * Method: recursive cone decomposition over the face lattice (the "pulling" decomposition).
 * For a k-face F with apex p (its lowest-index vertex),
 *     vol_k(F) = (1/k) Σ_{facets G of F, p ∉ G} dist(p, aff G) · vol_{k−1}(G),
 * down to 2-faces, whose areas are computed directly (shoelace formula after projecting onto an
 * orthonormal basis of their plane and ordering by angle). The face lattice comes from the vertex–
 * facet incidences (the DD's zero sets): the facets of a face with vertex set S are the
 * inclusion-maximal sets S ∩ Z_j (Z_j = vertices on constraint j) that are proper and have at least
 * k vertices, so no geometry decides combinatorics below the DD. Heights need no vertex geometry:
 * each face carries an orthonormal basis of its normal space (the parent's plus one Gram–Schmidt
 * step), and for the facet G = F ∩ {a·x = β}, dist(p, aff G) = (β − a·p) / |a projected on aff F|.
 * Volumes of faces of dimension >= 3 are memoised by vertex set (a hash table of bit sets), so each
 * such face is computed once and shared between its parents (a triangulation would instead have
 * one simplex per flag: 8! for the 8-cube against 3^8 faces here).
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
import { PreimageError } from '../errors.js';
import type { HPolyhedron, VPolyhedron } from './types.js';
import { complementBasis, popcount, provenanceOf, rowBasis, toVRepDetailed } from './vrep.js';
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
  /** Vertices, flat nv × n. */
  X: Float64Array;
  nv: number;
  /** Rays and lines (non-zero). */
  dirs: Float64Array[];
  /** Facet constraints a·x <= b with |a| = 1: A is nf × n, flat. */
  A: Float64Array;
  b: Float64Array;
  /** Per facet constraint: bit set over the vertices (flat, nf × words). */
  F: Int32Array;
  nf: number;
  words: number;
}

let slackScratch = new Float64Array(0);
let thrScratch = new Float64Array(0);
let zScratch = new Int32Array(0);

/** Vertices known as one flat array (nv × n), e.g. a vertex-search polytope's: no per-vertex arrays. */
interface FlatVertices {
  X: Float64Array;
  nv: number;
}

function lattice(P: HPolyhedron | VPolyhedron, known?: VPolyhedron | FlatVertices): Lattice {
  const n = P.n;
  let pre: { v: VPolyhedron; vertexTight: Int32Array[] } | null = null;
  if (!isH(P)) {
    // a V-polyhedron straight from toVRep: reuse its H-polyhedron and incidences (no second DD)
    const prov = provenanceOf(P);
    if (prov) {
      pre = { v: P, vertexTight: prov.vertexTight };
      P = { n, m: prov.m, A: prov.A, b: prov.b, meq: 0, Aeq: new Float64Array(0), beq: new Float64Array(0) };
    }
  }
  if (isH(P)) {
    let verts: Float64Array[];
    let dirs: Float64Array[];
    let detailed: { v: VPolyhedron; vertexTight: Int32Array[] } | null = pre;
    if (pre) {
      verts = pre.v.vertices;
      dirs = [...pre.v.rays, ...pre.v.lines];
    } else if (known && 'X' in known) {
      verts = [];
      dirs = [];
    } else if (known) {
      if (known.n !== n) throw new PreimageError('SHAPE_MISMATCH', `volume: the V-representation has dimension ${known.n}, the H-polyhedron ${n}`);
      verts = known.vertices;
      dirs = [...known.rays, ...known.lines].filter((d) => d.some((x) => x !== 0));
    } else {
      detailed = toVRepDetailed(P);
      verts = detailed.v.vertices;
      dirs = [...detailed.v.rays, ...detailed.v.lines];
    }
    const flat = known && 'X' in known ? known : null;
    const nv = flat ? flat.nv : verts.length;
    const words = Math.max(1, (nv + 31) >>> 5);
    let X: Float64Array;
    if (flat) X = flat.X.length === nv * n ? flat.X : flat.X.subarray(0, nv * n); // read only
    else {
      X = new Float64Array(nv * n);
      verts.forEach((v, q) => X.set(v, q * n));
    }
    const PA = P.A;
    const Pb = P.b;
    let tol = 0;
    if (known) {
      // incidences from slacks: the vertices are trusted to come from this P (e.g. toVRep(P))
      let R = 1;
      for (let i = 0; i < nv * n; i++) R = Math.max(R, Math.abs(X[i]));
      tol = TOL.INCIDENCE * R;
    }
    // incidence thresholds per vertex (H + known V): the k = n − meq smallest relative slacks of a
    // vertex are rounding noise; rows within 1e3x that noise are on it, capped at INCIDENCE. A fixed
    // INCIDENCE alone let nearly parallel rows (slack ~1e-9 at a vertex they miss) join its zero set.
    let slackAbs: Float64Array | null = null;
    let thr: Float64Array | null = null;
    if (!detailed && nv > 0 && P.m > 0) {
      // scratch kept between calls (every entry read is written first)
      if (slackScratch.length < P.m * nv) slackScratch = new Float64Array(2 * P.m * nv);
      if (thrScratch.length < nv) thrScratch = new Float64Array(2 * nv);
      slackAbs = slackScratch;
      thr = thrScratch;
      const rn = new Float64Array(P.m);
      for (let i = 0; i < P.m; i++) {
        let nn = 0;
        for (let j = 0; j < n; j++) nn += PA[i * n + j] * PA[i * n + j];
        rn[i] = Math.sqrt(nn) || 1;
      }
      const kth = Math.max(1, Math.min(P.m, n - P.meq));
      // the kth smallest slack of each vertex, kept by insertion among the k smallest (sorting
      // every vertex's m slacks was a tenth of a partition's volume time); NaN counts as largest,
      // as in a sort
      const low = new Float64Array(kth);
      for (let q = 0; q < nv; q++) {
        let cnt = 0;
        for (let i = 0; i < P.m; i++) {
          let sl = -Pb[i];
          for (let j = 0; j < n; j++) sl += PA[i * n + j] * X[q * n + j];
          const a = Math.abs(sl) / rn[i];
          slackAbs[i * nv + q] = a;
          if (a !== a || (cnt === kth && !(a < low[kth - 1]))) continue;
          let t = cnt < kth ? cnt++ : kth - 1;
          while (t > 0 && a < low[t - 1]) {
            low[t] = low[t - 1];
            t--;
          }
          low[t] = a;
        }
        const kthSmallest = cnt === kth ? low[kth - 1] : NaN;
        thr[q] = Math.min(tol, Math.max(1e3 * kthSmallest, 1e-14 * (tol / TOL.INCIDENCE)));
      }
    }
    const rows: number[] = [];
    const sets: number[] = []; // offsets of the kept rows' bit sets in zs
    if (zScratch.length < P.m * words) zScratch = new Int32Array(2 * P.m * words);
    const zs = zScratch;
    zs.fill(0, 0, P.m * words);
    for (let i = 0; i < P.m; i++) {
      const zo = i * words;
      let cnt = 0;
      if (detailed) {
        const w = i >>> 5;
        const bit = 1 << (i & 31);
        for (let q = 0; q < nv; q++) {
          if (detailed.vertexTight[q][w] & bit) {
            zs[zo + (q >>> 5)] |= 1 << (q & 31);
            cnt++;
          }
        }
      } else if (slackAbs && thr) {
        for (let q = 0; q < nv; q++) {
          if (slackAbs[i * nv + q] <= thr[q]) {
            zs[zo + (q >>> 5)] |= 1 << (q & 31);
            cnt++;
          }
        }
      }
      if (cnt === 0 || cnt === nv) continue; // never tight, or tight everywhere (an implicit equality)
      rows.push(i);
      sets.push(i * words);
    }
    const nf = rows.length;
    const A = new Float64Array(nf * n);
    const b = new Float64Array(nf);
    const F = new Int32Array(nf * words);
    rows.forEach((i, f) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += P.A[i * n + j] ** 2;
      s = Math.sqrt(s);
      for (let j = 0; j < n; j++) A[f * n + j] = P.A[i * n + j] / s;
      b[f] = P.b[i] / s;
      for (let w = 0; w < words; w++) F[f * words + w] = zs[sets[f] + w];
    });
    return known ? onlyVertices({ n, X, nv, dirs, A, b, F, nf, words }) : { n, X, nv, dirs, A, b, F, nf, words };
  }
  const dirs = [...P.rays, ...P.lines].filter((d) => d.some((x) => x !== 0));
  const nv = P.vertices.length;
  const X = new Float64Array(nv * n);
  P.vertices.forEach((v, q) => X.set(v, q * n));
  if (nv === 0 || dirs.length > 0) return { n, X, nv, dirs, A: new Float64Array(0), b: new Float64Array(0), F: new Int32Array(0), nf: 0, words: 1 };
  const r = toHRepDetailed(P);
  const F = new Int32Array(r.h.m * r.words);
  r.facetVertices.forEach((z, f) => F.set(z, f * r.words));
  return onlyVertices({ n, X, nv, dirs, A: r.h.A, b: r.h.b, F, nf: r.h.m, words: r.words });
}

/**
 * Keep only the vertices among the given points (a V-representation may list duplicates, interior
 * points or points inside faces): a point is a vertex iff the facets through it meet in that point
 * alone. Duplicates (within TOL.MERGE) are merged first. Incidences are re-indexed.
 */
function onlyVertices(L: Lattice): Lattice {
  const { n, X, nv, F, nf, words } = L;
  if (nv === 0 || nf === 0) return L;
  // merge duplicates: a point equal to an earlier one is dropped (sorted by the first coordinate)
  const keep = new Uint8Array(nv).fill(1);
  let sc = 1;
  for (let i = 0; i < nv * n; i++) sc = Math.max(sc, Math.abs(X[i]));
  const tol = TOL.MERGE * sc;
  const byX = orderByFirstCoordinate(X, nv, n);
  for (let a = 0; a < nv; a++) {
    const q = byX[a];
    if (!keep[q]) continue;
    for (let c = a + 1; c < nv && X[byX[c] * n] - X[q * n] <= tol; c++) {
      const p = byX[c];
      if (!keep[p]) continue;
      let same = true;
      for (let j = 1; j < n && same; j++) if (Math.abs(X[p * n + j] - X[q * n + j]) > tol) same = false;
      if (same) keep[Math.max(p, q)] = 0;
    }
  }
  const I = new Int32Array(words);
  const live = new Int32Array(words);
  for (let q = 0; q < nv; q++) if (keep[q]) live[q >>> 5] |= 1 << (q & 31);
  let dropped = false;
  for (let q = 0; q < nv; q++) {
    if (!keep[q]) {
      dropped = true;
      continue;
    }
    I.set(live);
    for (let f = 0; f < nf; f++) {
      if (!(F[f * words + (q >>> 5)] & (1 << (q & 31)))) continue;
      for (let w = 0; w < words; w++) I[w] &= F[f * words + w];
    }
    let cnt = 0;
    for (let w = 0; w < words; w++) cnt += popcount(I[w]);
    if (cnt !== 1) {
      keep[q] = 0;
      dropped = true;
    }
  }
  if (!dropped) return L;
  const map = new Int32Array(nv).fill(-1);
  let nv2 = 0;
  for (let q = 0; q < nv; q++) if (keep[q]) map[q] = nv2++;
  const words2 = Math.max(1, (nv2 + 31) >>> 5);
  const X2 = new Float64Array(nv2 * n);
  const F2 = new Int32Array(nf * words2);
  for (let q = 0; q < nv; q++) {
    const t = map[q];
    if (t < 0) continue;
    X2.set(X.subarray(q * n, q * n + n), t * n);
    for (let f = 0; f < nf; f++) if (F[f * words + (q >>> 5)] & (1 << (q & 31))) F2[f * words2 + (t >>> 5)] |= 1 << (t & 31);
  }
  return { ...L, X: X2, nv: nv2, F: F2, words: words2 };
}

/** Point indices ordered by first coordinate, ties by index (insertion sort for the usual few dozen points: no comparator calls). */
function orderByFirstCoordinate(X: Float64Array, nv: number, n: number): Int32Array | number[] {
  if (nv > 64) return Array.from({ length: nv }, (_, q) => q).sort((p, q) => X[p * n] - X[q * n] || p - q);
  const out = new Int32Array(nv);
  for (let q = 0; q < nv; q++) {
    const x = X[q * n];
    let t = q;
    // q is the largest index so far: it goes after every point with the same coordinate
    while (t > 0 && X[out[t - 1] * n] > x) {
      out[t] = out[t - 1];
      t--;
    }
    out[t] = q;
  }
  return out;
}

/** Orthonormal basis of the affine hull of the lattice's points and directions. */
function affineHull(L: Lattice): { origin: Float64Array; basis: Float64Array[] } {
  const rb = hullRowBasis(L);
  const n = L.n;
  const basis: Float64Array[] = [];
  for (let l = 0; l < rb.k; l++) basis.push(rb.Q.slice(l * n, (l + 1) * n));
  return { origin: L.X.slice(0, n), basis };
}

/** The row basis behind {@link affineHull} (its rank k is the hull's dimension). */
function hullRowBasis(L: Lattice): ReturnType<typeof rowBasis> {
  const { n, X, nv } = L;
  const rows = nv - 1 + L.dirs.length;
  const M = new Float64Array(rows * n);
  let scale = 0;
  for (let q = 1; q < nv; q++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const v = X[q * n + j] - X[j];
      M[(q - 1) * n + j] = v;
      s += v * v;
    }
    scale = Math.max(scale, Math.sqrt(s));
  }
  // directions are unit vectors: scale them to the size of the set so that one relative cut applies
  const dscale = scale > 0 ? scale : 1;
  let a = nv - 1;
  for (const d of L.dirs) {
    let s = 0;
    for (let j = 0; j < n; j++) s += d[j] * d[j];
    s = Math.sqrt(s);
    for (let j = 0; j < n; j++) M[a * n + j] = (d[j] / s) * dscale;
    a++;
  }
  return rowBasis(M, rows, n, TOL.RANK);
}

/** Open-addressing hash table from vertex bit sets (`words` words) to volumes (absent: −1). */
class FaceMemo {
  private keys: Int32Array;
  private vals: Float64Array;
  private used: Uint8Array;
  private cap = 256;
  private size = 0;
  constructor(private words: number) {
    this.keys = new Int32Array(this.cap * words);
    this.vals = new Float64Array(this.cap);
    this.used = new Uint8Array(this.cap);
  }
  /** Empties the table for keys of `words` words (its memory is kept). */
  reset(words: number): void {
    if (words !== this.words) {
      this.words = words;
      this.keys = new Int32Array(this.cap * words);
    }
    if (this.size > 0) this.used.fill(0);
    this.size = 0;
  }
  private hash(S: Int32Array, o: number): number {
    let h = 0x811c9dc5;
    for (let w = 0; w < this.words; w++) h = Math.imul(h ^ S[o + w], 0x01000193);
    return (h ^ (h >>> 15)) >>> 0;
  }
  private find(S: Int32Array, o: number): number {
    const W = this.words;
    const mask = this.cap - 1;
    let i = this.hash(S, o) & mask;
    while (this.used[i]) {
      let same = true;
      for (let w = 0; w < W; w++) {
        if (this.keys[i * W + w] !== S[o + w]) {
          same = false;
          break;
        }
      }
      if (same) return i;
      i = (i + 1) & mask;
    }
    return i;
  }
  get(S: Int32Array, o: number): number {
    const i = this.find(S, o);
    return this.used[i] ? this.vals[i] : -1;
  }
  set(S: Int32Array, o: number, v: number): void {
    if (2 * (this.size + 1) > this.cap) this.grow();
    const i = this.find(S, o);
    if (!this.used[i]) {
      this.used[i] = 1;
      this.size++;
      for (let w = 0; w < this.words; w++) this.keys[i * this.words + w] = S[o + w];
    }
    this.vals[i] = v;
  }
  private grow(): void {
    const { keys, vals, used, cap, words } = this;
    this.cap = cap * 2;
    this.keys = new Int32Array(this.cap * words);
    this.vals = new Float64Array(this.cap);
    this.used = new Uint8Array(this.cap);
    this.size = 0;
    for (let i = 0; i < cap; i++) if (used[i]) this.set(keys, i * words, vals[i]);
  }
}

/**
 * Volume of a bounded polytope of affine dimension k (see the module doc). `N0` is an orthonormal
 * basis ((n − k) × n, flat) of the normal space of its affine hull.
 */
function polytopeVolume(L: Lattice, k: number, N0: Float64Array): number {
  if (k === 0) return 1;
  const { n, X, nv, A, b, F, nf, words } = L;
  // scratch memory of earlier calls (every buffer is written before it is read; the memo is emptied)
  const sc = scratch ?? new VolumeScratch();
  scratch = null; // a nested call (none today) would get its own
  try {
    return polytopeVolumeWith(sc, L, k, N0);
  } finally {
    scratch = sc;
  }
}

/** Buffers of {@link polytopeVolume}, kept between calls: a piece's volume allocated about 10 kB of them. */
class VolumeScratch {
  memo = new FaceMemo(1);
  nbBuf: Float64Array[] = [];
  candBuf: Int32Array[] = [];
  candRow: Int32Array[] = [];
  candCnt: Int32Array[] = [];
  u = new Float64Array(0);
  idx = new Int32Array(64);
  px = new Float64Array(16);
  py = new Float64Array(16);
  ang = new Float64Array(16);
  ord = new Int32Array(16);
  D = new Float64Array(0);
  e1 = new Float64Array(0);
  e2 = new Float64Array(0);
  /** Sizes the buffers for dimension n, depth k, nf facets of `words` words. */
  fit(n: number, k: number, nf: number, words: number): void {
    this.memo.reset(words);
    for (let t = 0; t <= k; t++) {
      if (t >= this.nbBuf.length || this.nbBuf[t].length < n * n) this.nbBuf[t] = new Float64Array(n * n);
      if (t >= this.candBuf.length || this.candBuf[t].length < nf * words) this.candBuf[t] = new Int32Array(nf * words);
      if (t >= this.candRow.length || this.candRow[t].length < nf) {
        this.candRow[t] = new Int32Array(nf);
        this.candCnt[t] = new Int32Array(nf);
      }
    }
    if (this.u.length < n) {
      this.u = new Float64Array(n);
      this.e1 = new Float64Array(n);
      this.e2 = new Float64Array(n);
    }
    if (this.D.length < 16 * n) this.D = new Float64Array(16 * n);
  }
}
let scratch: VolumeScratch | null = null;

function polytopeVolumeWith(sc: VolumeScratch, L: Lattice, k: number, N0: Float64Array): number {
  const { n, X, nv, A, b, F, nf, words } = L;
  sc.fit(n, k, nf, words);
  const { memo, nbBuf, candBuf, candRow, candCnt, u, e1, e2 } = sc;

  let idx = sc.idx;
  /** Members of S into `idx`; returns their number. */
  const members = (S: Int32Array, o: number): number => {
    let c = 0;
    for (let w = 0; w < words; w++) {
      let x = S[o + w];
      while (x !== 0) {
        const low = x & -x;
        if (c === idx.length) {
          const t = new Int32Array(2 * c);
          t.set(idx);
          idx = sc.idx = t;
        }
        idx[c++] = (w << 5) + (31 - Math.clz32(low));
        x ^= low;
      }
    }
    return c;
  };
  const edgeLength = (S: Int32Array, o: number): number => {
    const np = members(S, o);
    if (np === 2) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (X[idx[0] * n + j] - X[idx[1] * n + j]) ** 2;
      return Math.sqrt(s);
    }
    // robust to extra points on the edge: the two extreme points
    const a = idx[0];
    let e = a;
    let best = -1;
    for (let t = 0; t < np; t++) {
      const q = idx[t];
      let s = 0;
      for (let j = 0; j < n; j++) s += (X[q * n + j] - X[a * n + j]) ** 2;
      if (s > best) ((best = s), (e = q));
    }
    best = 0;
    for (let t = 0; t < np; t++) {
      const q = idx[t];
      let s = 0;
      for (let j = 0; j < n; j++) s += (X[q * n + j] - X[e * n + j]) ** 2;
      if (s > best) best = s;
    }
    return Math.sqrt(best);
  };

  // polygon scratch
  let { px, py, ang, ord, D } = sc;
  /** Area of a 2-face: project its points on an orthonormal basis of its plane, order by angle, shoelace. */
  const polygonArea = (S: Int32Array, o: number): number => {
    const np = members(S, o);
    if (np < 3) return 0;
    if (px.length < np) ((px = sc.px = new Float64Array(2 * np)), (py = sc.py = new Float64Array(2 * np)), (ang = sc.ang = new Float64Array(2 * np)));
    if (D.length < np * n) D = sc.D = new Float64Array(2 * np * n);
    const v0 = idx[0] * n;
    // differences to the first point; e1 towards the farthest point, e2 the largest residual orthogonal to e1
    let best = -1;
    let far = 0;
    for (let a = 1; a < np; a++) {
      const vo = idx[a] * n;
      let s = 0;
      for (let j = 0; j < n; j++) {
        const dv = X[vo + j] - X[v0 + j];
        D[a * n + j] = dv;
        s += dv * dv;
      }
      if (s > best) ((best = s), (far = a));
    }
    const l1 = Math.sqrt(best);
    if (!(l1 > 0)) return 0;
    for (let j = 0; j < n; j++) e1[j] = D[far * n + j] / l1;
    best = -1;
    for (let a = 1; a < np; a++) {
      let t = 0;
      for (let j = 0; j < n; j++) t += D[a * n + j] * e1[j];
      px[a] = t;
      let s = 0;
      for (let j = 0; j < n; j++) {
        const r = D[a * n + j] - t * e1[j];
        s += r * r;
      }
      if (s > best) ((best = s), (far = a));
    }
    const l2 = Math.sqrt(best);
    if (!(l2 > 0)) return 0;
    for (let j = 0; j < n; j++) e2[j] = D[far * n + j] - px[far] * e1[j];
    for (let j = 0; j < n; j++) e2[j] /= l2;
    px[0] = 0;
    py[0] = 0;
    let cx = 0;
    let cy = 0;
    for (let a = 1; a < np; a++) {
      let y = 0;
      for (let j = 0; j < n; j++) y += D[a * n + j] * e2[j];
      py[a] = y;
      cx += px[a];
      cy += y;
    }
    cx /= np;
    cy /= np;
    if (ord.length < np) ord = sc.ord = new Int32Array(2 * np);
    for (let a = 0; a < np; a++) {
      // pseudo-angle in [0, 4): monotone in the true angle, no trigonometry
      const dx = px[a] - cx;
      const dy = py[a] - cy;
      const q = dx / (Math.abs(dx) + Math.abs(dy) || 1);
      const t = dy >= 0 ? 1 - q : 3 + q;
      // insertion sort by angle (polygons are small)
      let b = a;
      while (b > 0 && ang[ord[b - 1]] > t) {
        ord[b] = ord[b - 1];
        b--;
      }
      ang[a] = t;
      ord[b] = a;
    }
    let area = 0;
    for (let a = 0; a < np; a++) {
      const i = ord[a];
      const j = ord[(a + 1) % np];
      area += px[i] * py[j] - px[j] * py[i];
    }
    return Math.abs(area) / 2;
  };

  /** Volume of the face with vertex set S (at S[o..o+words)), dimension dim, normal basis Nb ((n − dim) × n). */
  const faceVolume = (S: Int32Array, o: number, dim: number, Nb: Float64Array): number => {
    if (dim === 1) return edgeLength(S, o);
    if (dim === 2) return polygonArea(S, o);
    let cnt = 0;
    let p = -1;
    for (let w = 0; w < words; w++) {
      const x = S[o + w];
      if (x === 0) continue;
      if (p < 0) p = (w << 5) + (31 - Math.clz32(x & -x));
      cnt += popcount(x);
    }
    const depth = k - dim;
    const C = candBuf[depth];
    const CR = candRow[depth];
    const CC = candCnt[depth];
    let nc = 0;
    for (let f = 0; f < nf; f++) {
      const fo = f * words;
      const co = nc * words;
      let cc = 0;
      for (let w = 0; w < words; w++) {
        const x = S[o + w] & F[fo + w];
        C[co + w] = x;
        if (x !== 0) cc += popcount(x);
      }
      if (cc === cnt || cc < dim) continue;
      // the same set from another row: keep the first (equal sets are one face)
      let dup = false;
      for (let e = 0; e < nc && !dup; e++) {
        if (CC[e] !== cc) continue;
        let same = true;
        for (let w = 0; w < words; w++) if (C[e * words + w] !== C[co + w]) ((same = false), (w = words));
        dup = same;
      }
      if (dup) continue;
      CR[nc] = f;
      CC[nc] = cc;
      nc++;
    }
    const pw = p >>> 5;
    const pbit = 1 << (p & 31);
    const nN = n - dim;
    let sum = 0;
    for (let a = 0; a < nc; a++) {
      const ao = a * words;
      if (C[ao + pw] & pbit) continue; // facets through the apex contribute nothing
      // inclusion-maximal only: skip if contained in a larger candidate
      let sub = false;
      for (let e = 0; e < nc && !sub; e++) {
        if (e === a || CC[e] <= CC[a]) continue;
        const eo = e * words;
        let inside = true;
        for (let w = 0; w < words; w++) if ((C[ao + w] & ~C[eo + w]) !== 0) ((inside = false), (w = words));
        sub = inside;
      }
      if (sub) continue;
      const g = CR[a];
      // u = a_g projected onto the direction space of aff(F)
      const go = g * n;
      for (let j = 0; j < n; j++) u[j] = A[go + j];
      for (let l = 0; l < nN; l++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += u[j] * Nb[l * n + j];
        for (let j = 0; j < n; j++) u[j] -= s * Nb[l * n + j];
      }
      let nu = 0;
      for (let j = 0; j < n; j++) nu += u[j] * u[j];
      nu = Math.sqrt(nu);
      if (!(nu > 1e-12)) continue; // numerically parallel: cannot cut this face
      let ap = 0;
      for (let j = 0; j < n; j++) ap += A[go + j] * X[p * n + j];
      const h = (b[g] - ap) / nu;
      if (!(h > 0)) continue;
      if (dim <= 3) {
        // edges and polygons are cheaper to measure than to look up
        sum += h * (dim === 2 ? edgeLength(C, ao) : polygonArea(C, ao));
        continue;
      }
      let vol = memo.get(C, ao);
      if (vol < 0) {
        // the face's normal space: ours plus u (scratch per depth: used only while computing that face)
        const Ng = nbBuf[depth + 1];
        for (let t = 0; t < nN * n; t++) Ng[t] = Nb[t]; // (a subarray per face was a tenth of the volume's garbage)
        for (let j = 0; j < n; j++) Ng[nN * n + j] = u[j] / nu;
        // C is reused by deeper levels only at other depths, so C[ao..] stays valid here
        vol = faceVolume(C, ao, dim - 1, Ng);
        memo.set(C, ao, vol);
      }
      sum += h * vol;
    }
    return sum / dim;
  };

  const all = new Int32Array(words);
  for (let q = 0; q < nv; q++) all[q >>> 5] |= 1 << (q & 31);
  return faceVolume(all, 0, k, N0);
}

/**
 * Volume within the affine hull; see the module doc. With an H-polyhedron, `known` may carry its
 * V-representation (e.g. from {@link toVRep}) to skip the double description: incidences are then
 * read from slacks (|a·v − b| <= TOL.INCIDENCE · |a| · max(1, |v|∞)).
 */
export function relativeVolume(P: HPolyhedron | VPolyhedron, known?: VPolyhedron): RelativeVolume {
  const L = lattice(P, known);
  if (L.nv === 0) return { dim: -1, volume: 0, origin: new Float64Array(0), basis: [] };
  const { origin, basis } = affineHull(L);
  const k = basis.length;
  if (L.dirs.length > 0) return { dim: k, volume: Infinity, origin, basis };
  const flat = new Float64Array(k * L.n);
  basis.forEach((v, l) => flat.set(v, l * L.n));
  const normals = complementBasis(flat, k, L.n);
  const N0 = new Float64Array(normals.length * L.n);
  normals.forEach((v, l) => N0.set(v, l * L.n));
  return { dim: k, volume: polytopeVolume(L, k, N0), origin, basis };
}

/**
 * n-dimensional volume of P: 0 when empty or lower-dimensional, Infinity when full-dimensional and
 * unbounded. See the module doc. With an H-polyhedron, `known` may carry its V-representation (e.g.
 * from {@link toVRep}, or vertices found otherwise) to skip the double description.
 */
export function volume(P: HPolyhedron | VPolyhedron, known?: VPolyhedron): number {
  return volumeOf(lattice(P, known));
}

/**
 * {@link volume} of an H-polyhedron whose vertices are known as one flat array (nv × n, read
 * only): the same result as `volume(P, {n, vertices: [rows of X], rays: [], lines: []})`, without
 * an array per vertex.
 */
export function volumeWithVertices(P: HPolyhedron, X: Float64Array, nv: number): number {
  return volumeOf(lattice(P, { X, nv }));
}

function volumeOf(L: Lattice): number {
  if (L.nv === 0) return 0;
  if (hullRowBasis(L).k < L.n) return 0; // lower-dimensional
  if (L.dirs.length > 0) return Infinity;
  return polytopeVolume(L, L.n, new Float64Array(0));
}
