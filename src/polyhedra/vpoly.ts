/**
 * Bounded full-dimensional polytopes kept as vertices with vertex–facet incidences, split by
 * hyperplanes without any LP. Used by the vertex search (src/preimage/vertex-search.ts) in low
 * dimension, where it replaces the LPs of the general search.
 *
 * Method: one step of the double description method. Cutting P by h(x) = a·x + c, the vertices
 * on each side are kept, and every edge {i, j} with h(v_i) > 0 > h(v_j) gives a new vertex on
 * h = 0. Edges are found by the combinatorial adjacency test: i and j are adjacent iff they share
 * at least n−1 facets and no third vertex lies on all the facets they share (valid for any
 * H-representation, redundant rows included; Fukuda & Prodon 1996).
 * Guarantees: the children are exact up to rounding of the edge interpolation (one convex
 * combination per level) and the zero tolerance of vertex classification (TOL.VERTEX_ZERO,
 * relative to |a|). Sides thinner than the margin (TOL.FULL_DIM_RADIUS) are not cut off.
 */
import { TOL } from '../tolerance.js';
import { Slab } from '../util/slab.js';

/** A bounded full-dimensional polytope: vertices, facets (a·x <= b) and incidences. */
export interface VPoly {
  n: number;
  /** Number of vertices. */
  nv: number;
  /** Vertices, nv × n row-major. */
  X: Float64Array;
  /**
   * Facet rows a·x <= b (redundant rows allowed): the first `nf` entries. The arrays are shared
   * along a search path (a child appends to its parent's arrays when it is the first to), so they
   * may hold more rows than this polytope's `nf`: never use their length.
   */
  facetA: Float64Array[];
  facetB: number[];
  /** Number of facet rows of this polytope. */
  nf: number;
  /** Words per incidence bit set (ceil(facets / 32)). */
  words: number;
  /** Incidence bit sets, nv × words: bit f of vertex i set when vertex i lies on facet f. */
  inc: Uint32Array;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The box [lo, hi] as a VPoly (2^n vertices, 2n facets). */
export function boxVPoly(lo: ArrayLike<number>, hi: ArrayLike<number>): VPoly {
  const n = lo.length;
  const nv = 1 << n;
  const X = new Float64Array(nv * n);
  const facetA: Float64Array[] = [], facetB: number[] = [];
  for (let j = 0; j < n; j++) {
    const up = new Float64Array(n), down = new Float64Array(n);
    up[j] = 1;
    down[j] = -1;
    facetA.push(up, down); // facet 2j: x_j <= hi_j, facet 2j+1: -x_j <= -lo_j
    facetB.push(hi[j], -lo[j]);
  }
  const words = Math.max(1, Math.ceil((2 * n) / 32));
  const inc = new Uint32Array(nv * words);
  for (let v = 0; v < nv; v++) {
    for (let j = 0; j < n; j++) {
      const top = (v >> j) & 1;
      X[v * n + j] = top ? hi[j] : lo[j];
      const f = 2 * j + (top ? 0 : 1);
      inc[v * words + (f >>> 5)] |= 1 << (f & 31);
    }
  }
  return { n, nv, X, facetA, facetB, nf: 2 * n, words, inc };
}

/** Values h(v) = a·v + c at every vertex. */
export function vertexValues(P: VPoly, a: ArrayLike<number>, c: number, out: Float64Array<ArrayBufferLike> = new Float64Array(P.nv)): Float64Array<ArrayBufferLike> {
  const { n, nv, X } = P;
  for (let i = 0; i < nv; i++) {
    let s = c;
    const o = i * n;
    for (let j = 0; j < n; j++) s += a[j] * X[o + j];
    out[i] = s;
  }
  return out;
}

/** Result of {@link splitVPoly}: the parts with h <= 0 and h >= 0 (null when empty or a sliver). */
// Scratch for the new vertices of a split (grown on demand): the search splits millions of times.
let scratchX = new Float64Array(256);
let scratchInc = new Uint32Array(64);
let scratchSide = new Int8Array(64);
let scratchCommon = new Uint32Array(4);
let scratchSimple = new Uint8Array(64);
let scratchH = new Float64Array(64);
let scratchNeg = new Int32Array(64);
let scratchCount = new Int32Array(64);
/** Scratch for vertex values computed inside splitVPoly (not kept after the call). */
function hScratch(nv: number): Float64Array {
  if (scratchH.length < nv) scratchH = new Float64Array(2 * nv);
  return scratchH;
}
// children's vertex and incidence arrays: views into shared blocks (src/util/slab.ts says why)
const slab = new Slab();

export interface VSplit {
  neg: VPoly | null;
  pos: VPoly | null;
  /** A side was thinner than the margin and was not cut off. */
  sliver: boolean;
}

/**
 * Splits P by h(x) = a·x + c. `h` may pass the vertex values when already computed. A side whose
 * largest |h| is within the margin (TOL.FULL_DIM_RADIUS · |a|) is not cut off (sliver).
 * `a` becomes the negative side's facet row as it is (not copied): never write it afterwards.
 */
export function splitVPoly(P: VPoly, a: Float64Array, c: number, h: Float64Array<ArrayBufferLike> = vertexValues(P, a, c, hScratch(P.nv)), want: 'both' | 'neg' = 'both'): VSplit {
  const { n, nv, X, words, inc } = P;
  let an = 0;
  for (let j = 0; j < n; j++) an += a[j] * a[j];
  an = Math.sqrt(an);
  const eps = TOL.FULL_DIM_RADIUS * an;
  let hmin = Infinity, hmax = -Infinity;
  for (let i = 0; i < nv; i++) {
    if (h[i] < hmin) hmin = h[i];
    if (h[i] > hmax) hmax = h[i];
  }
  if (hmax <= eps) return { neg: P, pos: null, sliver: hmax > 0 };
  if (hmin >= -eps) return { neg: null, pos: P, sliver: hmin < 0 };
  let scale = 0;
  for (let k = 0; k < X.length; k++) {
    const v = Math.abs(X[k]);
    if (v > scale) scale = v;
  }
  const tz = TOL.VERTEX_ZERO * an * (1 + scale);
  if (scratchSide.length < nv) scratchSide = new Int8Array(2 * nv);
  const side = scratchSide;
  for (let i = 0; i < nv; i++) side[i] = h[i] > tz ? 1 : h[i] < -tz ? -1 : 0;
  // a vertex on exactly n facets is simple: their normals are independent, so n−1 of them shared
  // with another vertex span an edge's line, and the two are adjacent without the third-vertex test
  if (scratchSimple.length < nv) scratchSimple = new Uint8Array(2 * nv);
  const simple = scratchSimple;
  for (let i = 0; i < nv; i++) {
    let pc = 0;
    if (side[i] !== 0) for (let w = 0; w < words; w++) pc += popcount32(inc[i * words + w]);
    simple[i] = pc === n ? 1 : 0;
  }
  // new vertices on edges crossing h = 0
  const F = P.nf;
  const W2 = Math.max(words, Math.ceil((F + 1) / 32));
  let added = 0;
  if (scratchCommon.length < words) scratchCommon = new Uint32Array(2 * words);
  const common = scratchCommon;
  // the negative vertices listed once (the pair loop scanned every vertex for each positive one)
  if (scratchNeg.length < nv) scratchNeg = new Int32Array(2 * nv);
  const negs = scratchNeg;
  let nn = 0;
  for (let j = 0; j < nv; j++) if (side[j] === -1) negs[nn++] = j;
  for (let i = 0; i < nv; i++) {
    if (side[i] !== 1) continue;
    for (let q = 0; q < nn; q++) {
      const j = negs[q];
      let pc = 0;
      for (let w = 0; w < words; w++) {
        common[w] = inc[i * words + w] & inc[j * words + w];
        pc += popcount32(common[w]);
      }
      if (pc < n - 1) continue;
      let adjacent = true;
      const quick = pc === n - 1 && (simple[i] === 1 || simple[j] === 1);
      for (let k = 0; !quick && k < nv && adjacent; k++) {
        if (k === i || k === j) continue;
        let contained = true;
        for (let w = 0; w < words; w++) {
          if ((common[w] & ~inc[k * words + w]) !== 0) {
            contained = false;
            break;
          }
        }
        if (contained) adjacent = false;
      }
      if (!adjacent) continue;
      if ((added + 1) * n > scratchX.length) scratchX = growF(scratchX, (added + 1) * n);
      if ((added + 1) * W2 > scratchInc.length) scratchInc = growU(scratchInc, (added + 1) * W2);
      const t = h[i] / (h[i] - h[j]);
      const o = added * n;
      for (let d = 0; d < n; d++) scratchX[o + d] = X[i * n + d] + t * (X[j * n + d] - X[i * n + d]);
      const ob = added * W2;
      scratchInc.fill(0, ob, ob + W2);
      for (let w = 0; w < words; w++) scratchInc[ob + w] = common[w];
      scratchInc[ob + (F >>> 5)] |= 1 << (F & 31);
      added++;
    }
  }
  const neg = buildSide(P, side, -1, added, W2, a, -c);
  // cutting by target rows keeps one side only: the other is not built
  const pos = want === 'neg' ? null : buildSide(P, side, 1, added, W2, negated(a), c);
  return { neg, pos, sliver: false };
}

/** One side of a split: the kept old vertices (those on the cut gain facet F = row·x <= rhs) and the new ones in scratch. */
function buildSide(P: VPoly, side: Int8Array, keep: -1 | 1, added: number, W2: number, row: Float64Array, rhs: number): VPoly {
  const { n, nv, X, words, inc } = P;
  const F = P.nf;
  // append to the parent's facet arrays when no other polytope has yet (copying them per split was a fifth of the split's time)
  let A = P.facetA, B = P.facetB;
  if (A.length !== F) {
    A = A.slice(0, F);
    B = B.slice(0, F);
  }
  A.push(row);
  B.push(rhs);
  let count = 0;
  for (let i = 0; i < nv; i++) if (side[i] === keep || side[i] === 0) count++;
  const total = count + added;
  const Xc = slab.f64(total * n);
  const Ic = slab.u32(total * W2);
  let r = 0;
  for (let i = 0; i < nv; i++) {
    if (side[i] !== keep && side[i] !== 0) continue;
    for (let d = 0; d < n; d++) Xc[r * n + d] = X[i * n + d];
    for (let w = 0; w < words; w++) Ic[r * W2 + w] = inc[i * words + w];
    if (side[i] === 0) Ic[r * W2 + (F >>> 5)] |= 1 << (F & 31);
    r++;
  }
  Xc.set(scratchX.subarray(0, added * n), r * n);
  Ic.set(scratchInc.subarray(0, added * W2), r * W2);
  return { n, nv: total, X: Xc, facetA: A, facetB: B, nf: F + 1, words: W2, inc: Ic };
}

function negated(a: Float64Array): Float64Array {
  const out = slab.f64(a.length);
  for (let j = 0; j < a.length; j++) out[j] = -a[j];
  return out;
}

function growF(a: Float64Array, need: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

function growU(a: Uint32Array, need: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/** Facets with at least n incident vertices (the others are redundant for this polytope). */
export function activeFacets(P: VPoly): number[] {
  // count each facet's vertices from the vertices' set bits (about n per vertex) rather than
  // testing every facet against every vertex
  if (scratchCount.length < P.nf) scratchCount = new Int32Array(2 * P.nf);
  const count = scratchCount;
  count.fill(0, 0, P.nf);
  const { inc, words, nv, nf } = P;
  for (let i = 0; i < nv; i++) {
    for (let w = 0; w < words; w++) {
      let x = inc[i * words + w];
      while (x !== 0) {
        const low = x & -x;
        const f = w * 32 + (31 - Math.clz32(low));
        if (f < nf) count[f]++;
        x ^= low;
      }
    }
  }
  const out: number[] = [];
  for (let f = 0; f < nf; f++) if (count[f] >= P.n) out.push(f);
  return out;
}

/** For each facet in `facets`, the bit set (over vertices) of the vertices on it. */
export function facetVertexSets(P: VPoly, facets: number[]): { sets: Uint32Array[]; words: number } {
  const words = Math.max(1, Math.ceil(P.nv / 32));
  const sets = facets.map((f) => {
    const s = new Uint32Array(words);
    const w = f >>> 5, bit = 1 << (f & 31);
    for (let i = 0; i < P.nv; i++) if (P.inc[i * P.words + w] & bit) s[i >>> 5] |= 1 << (i & 31);
    return s;
  });
  return { sets, words };
}

/** The vertices as separate arrays (fresh copies). */
export function vpolyVertices(P: VPoly): Float64Array[] {
  const out: Float64Array[] = new Array(P.nv);
  for (let i = 0; i < P.nv; i++) out[i] = P.X.slice(i * P.n, i * P.n + P.n);
  return out;
}

/** Centroid of the vertices: a point of the interior for a full-dimensional polytope. */
export function vertexCentroid(P: VPoly): Float64Array {
  const out = new Float64Array(P.n);
  for (let i = 0; i < P.nv; i++) for (let j = 0; j < P.n; j++) out[j] += P.X[i * P.n + j];
  for (let j = 0; j < P.n; j++) out[j] /= P.nv;
  return out;
}
