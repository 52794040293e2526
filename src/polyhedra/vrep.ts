/**
 * H- to V-representation by the double description method.
 *
 * Requirements: an {@link HPolyhedron} with finite entries; practical up to dimension ~10 with a few
 * hundred inequalities (the number of intermediate rays is the cost driver).
 *
 * Returns: a {@link VPolyhedron} P = conv(vertices) + cone(rays) + span(lines) with
 *   - lines: an orthonormal basis of the lineality space {d : A d = 0, Aeq d = 0};
 *   - vertices: the vertices of P ∩ (lineality)^⊥ (the minimal faces), deduplicated, sorted
 *     lexicographically, each "polished" by solving its active constraints exactly;
 *   - rays: unit extreme rays of the recession cone, orthogonal to the lines, deduplicated;
 *   - an empty P (including an inconsistent equality system) gives no vertices, rays or lines.
 *
 * Method (Motzkin et al. 1953; Fukuda & Prodon 1996, as in cdd):
 *   1. Equalities: row-normalise Aeq, find an orthonormal basis of its row space by pivoted
 *      Gram–Schmidt, a minimal-norm particular solution x0 and an orthonormal basis N of its null
 *      space; inconsistency beyond DD_ZERO means empty. Substitute x = x0 + Nᵀ z.
 *   2. Homogenise: P' = {z : A' z <= b'} becomes the cone C = {(z, t) : A' z − b' t <= 0, −t <= 0}
 *      with unit rows. Rows whose z-part vanishes relative to the original row norm are constants:
 *      violated ones make P empty, the others are dropped.
 *   3. Lineality: L = null space of the stacked rows; the DD runs on C ∩ L^⊥, a pointed cone, in
 *      coordinates of an orthonormal basis of the row space.
 *   4. Incremental DD: start from a well-conditioned square subsystem (pivoted Gram–Schmidt picks the
 *      rows), whose extreme rays are the columns of −B⁻¹; add the other rows one at a time in the
 *      dynamic 'centre' order (see {@link DDOrder}: deepest cut through the current cone first; cdd's
 *      static 'lexmin' is available). Rays violating the new row are replaced by combinations with the
 *      satisfying rays they are adjacent to. Adjacency is the combinatorial test on zero sets (bit
 *      sets): p, q are adjacent iff |Z(p) ∩ Z(q)| >= dim − 2 and no other ray r has Z(r) ⊇ Z(p) ∩ Z(q).
 *      Zero sets of new rays are inherited (Z(p) ∩ Z(q) ∪ {new row}), which is exact for a positive
 *      combination, so the combinatorics never depend on recomputed slacks of combined rays. From
 *      256 rays on, candidate pairs and the "no other ray" test use inverted row lists (pigeonhole:
 *      a q sharing >= dim − 2 rows with p holds one of the |Z(p)| − dim + 3 rarest rows of Z(p)).
 *   5. Rays with t > 0 are vertices z / t, rays with t = 0 (the row −t <= 0 in their zero set) are
 *      recession directions. Map back with x = x0 + Nᵀ z.
 *   6. Conditioning: slacks are compared with TOL.DD_ZERO for unit rows and unit rays, which is a
 *      distance only when the polytope is O(1) and near the origin. If the vertices found have
 *      coordinates above 16, or span less than 1e-4, the DD is rerun once in recentred and rescaled
 *      coordinates (x = c + σ u, c the bounding-box centre, σ its half-width). An `interior` point,
 *      when the caller has one, centres the first run.
 *   7. Vertices are polished (when their active rows are not already satisfied to 1e-14) by solving
 *      the active rows, merged within TOL.MERGE, projected orthogonally to the lines, and sorted.
 *
 * Guarantees: in exact arithmetic the output is the minimal V-representation. In floating point the
 * result is exact up to TOL.DD_ZERO in slack (relative to the polytope scale): constraints passing
 * within that distance of a vertex are treated as passing through it (a slightly perturbed,
 * combinatorially consistent polyhedron); vertices closer than TOL.MERGE are merged.
 *
 * Reference: K. Fukuda, A. Prodon, "Double description method revisited", Combinatorics and
 * Computer Science, LNCS 1120 (1996) 91–111; K. Fukuda, cdd/cddlib documentation.
 */
import { TOL } from '../tolerance.js';
import { PreimageError, InternalError } from '../errors.js';
import { inverse } from '../linalg/lu.js';
import type { HPolyhedron, VPolyhedron } from './types.js';

// ---------------------------------------------------------------------------------------------
// Small dense kernels (private to src/polyhedra; row-major Float64Array). The inverse comes from
// src/linalg; the pivoted Gram–Schmidt stays here because the DD needs what linalg's SVD-based
// subspace functions do not return: which input rows were chosen (the initial basis), the
// transformed right-hand side (a basic solution and the inconsistency of the other rows), and a cap
// on the rank (polishing, face bases); it is also ~10x faster than an SVD at these sizes.
// ---------------------------------------------------------------------------------------------

/** Result of {@link rowBasis}. @internal */
export interface RowBasis {
  /** Orthonormal basis of the row space, k × c row-major. */
  Q: Float64Array;
  /** Numerical rank. */
  k: number;
  /** piv[l] = the input row chosen at step l (l < k); the k chosen rows are independent. */
  piv: Int32Array;
  /** Transformed right-hand side per basis vector (only with rhs): x = Σ beta_l Q_l solves the chosen rows. */
  beta: Float64Array;
  /** Per input row, the residual of the rhs after elimination (only meaningful for unchosen rows). */
  resid: Float64Array;
}

/**
 * Pivoted modified Gram–Schmidt on the rows of M (r × c), with one reorthogonalisation of each pivot.
 * A row whose residual norm falls below relTol × (largest row norm) is dependent. With `rhs`, the
 * same eliminations act on it, giving a basic solution of the chosen rows and the inconsistency of
 * the others. @internal
 */
export function rowBasis(M: Float64Array, r: number, c: number, relTol: number, rhs?: ArrayLike<number>, maxRank: number = Math.min(r, c)): RowBasis {
  const W = M.slice(0, r * c);
  const h = new Float64Array(r);
  if (rhs) for (let i = 0; i < r; i++) h[i] = rhs[i];
  const Q = new Float64Array(maxRank * c);
  const beta = new Float64Array(maxRank);
  const piv = new Int32Array(maxRank);
  const used = new Uint8Array(r);
  const nrm = new Float64Array(r);
  let scale = 0;
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += W[i * c + j] * W[i * c + j];
    nrm[i] = s;
    if (s > scale) scale = s;
  }
  const cut = relTol * Math.sqrt(scale);
  let k = 0;
  while (k < maxRank) {
    let best = -1;
    let bv = -1;
    for (let i = 0; i < r; i++) if (!used[i] && nrm[i] > bv) ((bv = nrm[i]), (best = i));
    if (best < 0) break;
    // reorthogonalise the pivot once against the basis so far ("twice is enough")
    const o = best * c;
    for (let l = 0; l < k; l++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += W[o + j] * Q[l * c + j];
      for (let j = 0; j < c; j++) W[o + j] -= s * Q[l * c + j];
      h[best] -= s * beta[l];
    }
    let s = 0;
    for (let j = 0; j < c; j++) s += W[o + j] * W[o + j];
    const nb = Math.sqrt(s);
    if (!(nb > cut) || nb === 0) break;
    used[best] = 1;
    const ql = k * c;
    for (let j = 0; j < c; j++) Q[ql + j] = W[o + j] / nb;
    beta[k] = h[best] / nb;
    piv[k] = best;
    for (let i = 0; i < r; i++) {
      if (used[i]) continue;
      const oi = i * c;
      let t = 0;
      for (let j = 0; j < c; j++) t += W[oi + j] * Q[ql + j];
      let nn = 0;
      for (let j = 0; j < c; j++) {
        const v = (W[oi + j] -= t * Q[ql + j]);
        nn += v * v;
      }
      nrm[i] = nn;
      h[i] -= t * beta[k];
    }
    k++;
  }
  return { Q: Q.subarray(0, k * c), k, piv: piv.subarray(0, k), beta: beta.subarray(0, k), resid: h };
}

/** Orthonormal basis (rows) of the orthogonal complement of the k orthonormal rows Q in R^c. @internal */
export function complementBasis(Q: Float64Array, k: number, c: number): Float64Array[] {
  const basis: Float64Array[] = [];
  const all: Float64Array[] = [];
  for (let l = 0; l < k; l++) all.push(Q.subarray(l * c, (l + 1) * c));
  // candidates e_1..e_c, orthogonalised against everything so far; take the largest residual each time
  const cand: Float64Array[] = [];
  for (let j = 0; j < c; j++) {
    const e = new Float64Array(c);
    e[j] = 1;
    for (const q of all) {
      const s = q[j];
      for (let i = 0; i < c; i++) e[i] -= s * q[i];
    }
    cand.push(e);
  }
  while (basis.length < c - k) {
    let best = -1;
    let bv = -1;
    for (let j = 0; j < c; j++) {
      if (!cand[j]) continue;
      let s = 0;
      for (let i = 0; i < c; i++) s += cand[j][i] * cand[j][i];
      if (s > bv) ((bv = s), (best = j));
    }
    if (best < 0) break;
    const v = cand[best];
    (cand as (Float64Array | undefined)[])[best] = undefined;
    // reorthogonalise against the full set, then normalise
    for (const q of all) {
      let s = 0;
      for (let i = 0; i < c; i++) s += v[i] * q[i];
      for (let i = 0; i < c; i++) v[i] -= s * q[i];
    }
    let s = 0;
    for (let i = 0; i < c; i++) s += v[i] * v[i];
    const nv = Math.sqrt(s);
    if (!(nv > 1e-8)) continue;
    for (let i = 0; i < c; i++) v[i] /= nv;
    all.push(v);
    basis.push(v);
    for (let j = 0; j < c; j++) {
      const w = cand[j];
      if (!w) continue;
      let t = 0;
      for (let i = 0; i < c; i++) t += w[i] * v[i];
      for (let i = 0; i < c; i++) w[i] -= t * v[i];
    }
  }
  return basis;
}

/** Number of set bits of a 32-bit word. @internal */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

// ---------------------------------------------------------------------------------------------
// The double description method on a cone {y in R^d : G y <= 0}.
// ---------------------------------------------------------------------------------------------

/**
 * Order in which the DD adds constraints after the initial basis:
 *   - 'centre' (default): dynamic; next the row most violated by the sum of the current unit rays
 *     (a point deep inside the current cone), i.e. deep cuts first, and among satisfied rows the one
 *     passing closest to that centre. Measured on 5-D arrangement cells with 60 rows: 2.6x fewer
 *     intermediate rays than 'lexmin'; with 310 rows 8x; on 8-D cells 2x. Costs O(rows × dim) per step.
 *   - 'lexmin': cdd's default static order (rows sorted by their offset from the origin, nearest first);
 *   - 'lexmax', 'input', 'maxindex' (reversed input), 'random' (fixed seed): static, for experiments.
 */
export type DDOrder = 'lexmin' | 'lexmax' | 'input' | 'maxindex' | 'random' | 'centre';

/** Options of {@link coneDD}. @internal */
export interface DDOptions {
  order?: DDOrder;
  /** When given, rows are added in increasing priority instead (ties by index); overrides `order`. */
  priority?: ArrayLike<number>;
  /** Slack tolerance for unit rows and unit rays (default TOL.DD_ZERO). */
  zeroTol?: number;
  /** Statistics filled in when given. */
  stats?: DDStats;
  /** From this many rays on, pairs and adjacency use inverted row lists (default 256; 0 = always). */
  indexFrom?: number;
}

/**
 * CSR lists: for each row j < m, the rays k (with cls[k] === -1 when cls is given) whose zero set has
 * j, in list[start[j] .. start[j + 1]). Returns `list`, or a larger array when it was too small.
 */
function buildLists(Z: Int32Array, words: number, nr: number, m: number, cls: Int8Array | null, start: Int32Array, list: Int32Array): Int32Array {
  start.fill(0);
  for (let k = 0; k < nr; k++) {
    if (cls && cls[k] !== -1) continue;
    const o = k * words;
    for (let w = 0; w < words; w++) {
      let x = Z[o + w];
      while (x !== 0) {
        const low = x & -x;
        start[(w << 5) + (31 - Math.clz32(low)) + 1]++;
        x ^= low;
      }
    }
  }
  for (let j = 0; j < m; j++) start[j + 1] += start[j];
  if (list.length < start[m]) list = new Int32Array(2 * start[m]);
  const fill = start.slice(0, m);
  for (let k = 0; k < nr; k++) {
    if (cls && cls[k] !== -1) continue;
    const o = k * words;
    for (let w = 0; w < words; w++) {
      let x = Z[o + w];
      while (x !== 0) {
        const low = x & -x;
        list[fill[(w << 5) + (31 - Math.clz32(low))]++] = k;
        x ^= low;
      }
    }
  }
  return list;
}

/** Counters of one DD run. */
export interface DDStats {
  /** Largest number of rays held at once. */
  maxRays: number;
  /** Candidate pairs (violating × satisfying) that passed the zero-count filter. */
  pairs: number;
  /** All violating × satisfying pairs looked at. */
  pairChecks?: number;
  /** Rays looked at by the adjacency test. */
  scanSteps?: number;
  /** New rays created. */
  created: number;
}

/** Extreme rays and lineality space of a polyhedral cone. @internal */
export interface ConeDD {
  d: number;
  /** Orthonormal basis of the lineality space {y : G y = 0}. */
  lineality: Float64Array[];
  /** Unit extreme rays of the pointed cone C ∩ (lineality)^⊥. */
  rays: Float64Array[];
  /** zero[i]: bit set over the m input rows (words of 32 bits) that are tight at rays[i]. */
  zero: Int32Array[];
  /** Words per bit set. */
  words: number;
}

/**
 * Extreme rays of {y in R^d : G y <= 0} (G is m × d, row-major) by the double description method.
 * Rows are normalised inside, each by its own norm; exactly zero rows are tight everywhere.
 * @internal
 */
export function coneDD(G: Float64Array, m: number, d: number, options: DDOptions = {}): ConeDD {
  const tol = options.zeroTol ?? TOL.DD_ZERO;
  const words = Math.max(1, (m + 31) >>> 5);
  const Gn = new Float64Array(m * d);
  const norms = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += G[i * d + j] * G[i * d + j];
    norms[i] = Math.sqrt(s);
  }
  const live: number[] = [];
  const dead: number[] = [];
  for (let i = 0; i < m; i++) {
    // rows are scaled individually: only an exactly zero row is "0 <= 0" (callers drop rows that vanish
    // relative to their own scale before homogenising; a relative cut here would drop small rows)
    if (norms[i] > 0 && Number.isFinite(norms[i])) {
      live.push(i);
      for (let j = 0; j < d; j++) Gn[i * d + j] = G[i * d + j] / norms[i];
    } else dead.push(i);
  }
  const deadMask = new Int32Array(words);
  for (const i of dead) deadMask[i >>> 5] |= 1 << (i & 31);
  const finish = (rays: Float64Array[], zero: Int32Array[], lineality: Float64Array[]): ConeDD => {
    for (const z of zero) for (let w = 0; w < words; w++) z[w] |= deadMask[w];
    return { d, lineality, rays, zero, words };
  };

  // row space and lineality
  const mz = live.length;
  const Gz = new Float64Array(mz * d);
  for (let a = 0; a < mz; a++) Gz.set(Gn.subarray(live[a] * d, live[a] * d + d), a * d);
  const rb = rowBasis(Gz, mz, d, TOL.RANK);
  const r = rb.k;
  const lineality = complementBasis(rb.Q, r, d);
  if (r === 0) return finish([], [], lineality);

  // reduced rows: coordinates in the orthonormal basis of the row space (r columns)
  const Gr = new Float64Array(m * r);
  for (const i of live) {
    for (let l = 0; l < r; l++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Gn[i * d + j] * rb.Q[l * d + j];
      Gr[i * r + l] = s;
    }
  }

  // initial basis: the rows the pivoted Gram–Schmidt chose (independent, well conditioned)
  const basisRows: number[] = [];
  for (let l = 0; l < r; l++) basisRows.push(live[rb.piv[l]]);
  const B = new Float64Array(r * r);
  for (let l = 0; l < r; l++) B.set(Gr.subarray(basisRows[l] * r, basisRows[l] * r + r), l * r);
  const Binv = inverse(B, r);
  if (!Binv) throw new InternalError('DD initial basis is singular (its rows were chosen independent)');
  // ray pool: flat buffers, double-buffered (rays r doubles each, zero sets `words` words each)
  let cap = Math.max(64, 2 * r);
  let Y = new Float64Array(cap * r);
  let Z = new Int32Array(cap * words);
  let nr = r;
  for (let j = 0; j < r; j++) {
    let s = 0;
    for (let l = 0; l < r; l++) s += Binv[l * r + j] * Binv[l * r + j];
    s = Math.sqrt(s);
    for (let l = 0; l < r; l++) Y[j * r + l] = -Binv[l * r + j] / s;
    for (let l = 0; l < r; l++) if (l !== j) Z[j * words + (basisRows[l] >>> 5)] |= 1 << (basisRows[l] & 31);
  }

  // remaining rows in the chosen order
  const inBasis = new Uint8Array(m);
  for (const i of basisRows) inBasis[i] = 1;
  const rest = live.filter((i) => !inBasis[i]);
  const order = options.order ?? 'centre';
  if (order === 'lexmin' || order === 'lexmax') {
    // cdd's lexmin on [b, −A] for rows g = [a, −b] (homogenising coordinate last): −g compared from the last coordinate
    const sgn = order === 'lexmin' ? -1 : 1;
    rest.sort((p, q) => {
      for (let j = d - 1; j >= 0; j--) {
        const dv = Gn[p * d + j] - Gn[q * d + j];
        if (Math.abs(dv) > 1e-12) return sgn * dv;
      }
      return p - q;
    });
  } else if (order === 'maxindex') rest.reverse();
  else if (order === 'random') {
    // a fixed-seed shuffle (deterministic output); mulberry32
    let st = 0x2545f491;
    for (let a = rest.length - 1; a > 0; a--) {
      st = (st + 0x6d2b79f5) >>> 0;
      let t = Math.imul(st ^ (st >>> 15), st | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const b = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (a + 1));
      const tmp = rest[a];
      rest[a] = rest[b];
      rest[b] = tmp;
    }
  }
  if (options.priority) {
    const pr = options.priority;
    rest.sort((p, q) => pr[p] - pr[q] || p - q);
  }

  const stats = options.stats;
  let slack = new Float64Array(cap);
  let cls = new Int8Array(cap);
  let plus = new Int32Array(cap);
  let minus = new Int32Array(cap);
  const c = new Int32Array(words);
  const need = r - 2;
  // inverted lists for large ray sets (see `indexFrom`)
  const indexFrom = options.indexFrom ?? 256;
  const startAll = new Int32Array(m + 1);
  const startMinus = new Int32Array(m + 1);
  let listAll: Int32Array = new Int32Array(0);
  let listMinus: Int32Array = new Int32Array(0);
  let mark = new Int32Array(0);
  const zrows = new Int32Array(m);
  let candBuf = new Int32Array(64);
  // new rays of one step
  let ncap = 64;
  let NY = new Float64Array(ncap * r);
  let NZ = new Int32Array(ncap * words);
  const dynamic = order === 'centre' && !options.priority;
  const ysum = new Float64Array(r);
  for (let step = 0; step < rest.length; step++) {
    if (nr === 0) break;
    if (dynamic) {
      // next: the row most violated by (or passing closest to) the centre of the current cone
      ysum.fill(0);
      for (let k = 0; k < nr; k++) for (let l = 0; l < r; l++) ysum[l] += Y[k * r + l];
      let best = step;
      let bv = -Infinity;
      for (let e = step; e < rest.length; e++) {
        const o = rest[e] * r;
        let v = 0;
        for (let l = 0; l < r; l++) v += Gr[o + l] * ysum[l];
        if (v > bv || (v === bv && rest[e] < rest[best])) ((bv = v), (best = e));
      }
      const tmp = rest[step];
      rest[step] = rest[best];
      rest[best] = tmp;
    }
    const i = rest[step];
    const gi = i * r;
    let np = 0;
    let nm = 0;
    const bitW = i >>> 5;
    const bit = 1 << (i & 31);
    for (let k = 0; k < nr; k++) {
      const o = k * r;
      let s = 0;
      for (let l = 0; l < r; l++) s += Gr[gi + l] * Y[o + l];
      slack[k] = s;
      if (s > tol) ((cls[k] = 1), (plus[np++] = k));
      else if (s < -tol) ((cls[k] = -1), (minus[nm++] = k));
      else ((cls[k] = 0), (Z[k * words + bitW] |= bit));
    }
    if (np === 0) continue;
    let nn = 0;
    const indexed = nr >= indexFrom;
    if (indexed) {
      // inverted lists (CSR) over the m rows: all rays containing row j, and the satisfying (R−) ones
      listAll = buildLists(Z, words, nr, m, null, startAll, listAll);
      listMinus = buildLists(Z, words, nr, m, cls, startMinus, listMinus);
      if (mark.length < cap) mark = new Int32Array(cap);
      mark.fill(-1, 0, nr);
    }
    for (let a = 0; a < np; a++) {
      const p = plus[a];
      const op = p * words;
      // candidates q: all of R−, or (indexed) the union of the R− lists of the (|Z(p)| − need + 1) rarest
      // rows of Z(p): a q sharing >= need rows with p contains at least one of them (pigeonhole)
      let candN = nm;
      let cand = minus;
      if (indexed) {
        let zp = 0;
        for (let w = 0; w < words; w++) {
          let x = Z[op + w];
          while (x !== 0) {
            const low = x & -x;
            zrows[zp++] = (w << 5) + (31 - Math.clz32(low));
            x ^= low;
          }
        }
        const kk = zp - need + 1;
        if (kk > 0 && kk < zp) {
          // partial selection sort of the kk rows with the shortest R− lists
          let total = 0;
          for (let u = 0; u < kk; u++) {
            let best = u;
            let bl = startMinus[zrows[u] + 1] - startMinus[zrows[u]];
            for (let v = u + 1; v < zp; v++) {
              const l = startMinus[zrows[v] + 1] - startMinus[zrows[v]];
              if (l < bl) ((bl = l), (best = v));
            }
            const tmp = zrows[u];
            zrows[u] = zrows[best];
            zrows[best] = tmp;
            total += bl;
          }
          if (total < nm) {
            if (candBuf.length < total) candBuf = new Int32Array(2 * total);
            candN = 0;
            for (let u = 0; u < kk; u++) {
              const j = zrows[u];
              for (let e = startMinus[j]; e < startMinus[j + 1]; e++) {
                const q = listMinus[e];
                if (mark[q] !== p) {
                  mark[q] = p;
                  candBuf[candN++] = q;
                }
              }
            }
            cand = candBuf;
          }
        } else if (kk <= 0) candN = 0; // fewer than `need` processed rows tight at p: no adjacent ray
      }
      if (stats) stats.pairChecks = (stats.pairChecks ?? 0) + candN;
      for (let bq = 0; bq < candN; bq++) {
        const q = cand[bq];
        const oq = q * words;
        let cnt = 0;
        for (let w = 0; w < words; w++) {
          const x = Z[op + w] & Z[oq + w];
          c[w] = x;
          if (x !== 0) cnt += popcount(x);
        }
        if (cnt < need) continue;
        let adjacent = true;
        if (indexed) {
          // scan only the rays containing the rarest row of c
          let jBest = -1;
          let lBest = Infinity;
          for (let w = 0; w < words; w++) {
            let x = c[w];
            while (x !== 0) {
              const low = x & -x;
              const j = (w << 5) + (31 - Math.clz32(low));
              const l = startAll[j + 1] - startAll[j];
              if (l < lBest) ((lBest = l), (jBest = j));
              x ^= low;
            }
          }
          if (jBest >= 0) {
            if (stats) stats.scanSteps = (stats.scanSteps ?? 0) + lBest;
            for (let e = startAll[jBest]; e < startAll[jBest + 1] && adjacent; e++) {
              const t = listAll[e];
              if (t === p || t === q) continue;
              const ot = t * words;
              let sup = true;
              for (let w = 0; w < words; w++) {
                if ((c[w] & ~Z[ot + w]) !== 0) {
                  sup = false;
                  break;
                }
              }
              if (sup) adjacent = false;
            }
          } else adjacent = nr === 2; // c empty (r = 2): adjacent iff p, q are the only rays
        } else if (words === 1) {
          const c0 = c[0];
          for (let t = 0; t < nr; t++) {
            if ((c0 & ~Z[t]) === 0 && t !== p && t !== q) {
              adjacent = false;
              break;
            }
          }
        } else {
          for (let t = 0; t < nr && adjacent; t++) {
            if (t === p || t === q) continue;
            const ot = t * words;
            let sup = true;
            for (let w = 0; w < words; w++) {
              if ((c[w] & ~Z[ot + w]) !== 0) {
                sup = false;
                break;
              }
            }
            if (sup) adjacent = false;
          }
        }
        if (stats) stats.pairs++;
        if (!adjacent) continue;
        if (nn === ncap) {
          ncap *= 2;
          const y2 = new Float64Array(ncap * r);
          y2.set(NY);
          NY = y2;
          const z2 = new Int32Array(ncap * words);
          z2.set(NZ);
          NZ = z2;
        }
        const sp = slack[p];
        const sq = slack[q];
        const po = p * r;
        const qo = q * r;
        const no = nn * r;
        let s = 0;
        for (let l = 0; l < r; l++) {
          const v = sp * Y[qo + l] - sq * Y[po + l];
          NY[no + l] = v;
          s += v * v;
        }
        s = 1 / Math.sqrt(s);
        for (let l = 0; l < r; l++) NY[no + l] *= s;
        const nz = nn * words;
        for (let w = 0; w < words; w++) NZ[nz + w] = c[w];
        NZ[nz + bitW] |= bit;
        nn++;
      }
    }
    // compact: keep non-violating rays, append the new ones
    let k2 = 0;
    for (let k = 0; k < nr; k++) {
      if (cls[k] === 1) continue;
      if (k2 !== k) {
        Y.copyWithin(k2 * r, k * r, k * r + r);
        Z.copyWithin(k2 * words, k * words, k * words + words);
      }
      k2++;
    }
    if (k2 + nn > cap) {
      while (k2 + nn > cap) cap *= 2;
      const y2 = new Float64Array(cap * r);
      y2.set(Y.subarray(0, k2 * r));
      Y = y2;
      const z2 = new Int32Array(cap * words);
      z2.set(Z.subarray(0, k2 * words));
      Z = z2;
      slack = new Float64Array(cap);
      cls = new Int8Array(cap);
      plus = new Int32Array(cap);
      minus = new Int32Array(cap);
    }
    Y.set(NY.subarray(0, nn * r), k2 * r);
    Z.set(NZ.subarray(0, nn * words), k2 * words);
    nr = k2 + nn;
    if (stats) {
      stats.created += nn;
      if (nr > stats.maxRays) stats.maxRays = nr;
    }
  }

  // back to R^d
  const out: Float64Array[] = [];
  const zero: Int32Array[] = [];
  for (let k = 0; k < nr; k++) {
    const y = new Float64Array(d);
    for (let l = 0; l < r; l++) {
      const a = Y[k * r + l];
      for (let j = 0; j < d; j++) y[j] += a * rb.Q[l * d + j];
    }
    out.push(y);
    zero.push(Z.slice(k * words, k * words + words));
  }
  return finish(out, zero, lineality);
}

// ---------------------------------------------------------------------------------------------
// H -> V
// ---------------------------------------------------------------------------------------------

/** {@link toVRep} plus incidences, used by the volume code. */
export interface VRepDetailed {
  v: VPolyhedron;
  /** Per vertex: bit set over the m inequality rows of the input that are tight (within DD_ZERO). */
  vertexTight: Int32Array[];
  /** Words per bit set in `vertexTight`. */
  words: number;
  /** True when P is empty (no vertices). */
  empty: boolean;
  /** Whether the DD was rerun in recentred/rescaled coordinates. */
  rescaled: boolean;
}

/** Options of {@link toVRep}. */
export interface VRepOptions {
  /** Constraint insertion order of the DD (default 'centre'; see {@link DDOrder}). */
  order?: DDOrder;
  /** Filled with DD counters when given. */
  stats?: DDStats;
  /** Tuning: ray count from which the DD uses inverted lists (see {@link DDOptions.indexFrom}). */
  indexFrom?: number;
  /**
   * A point inside P (e.g. a witness or Chebyshev centre), optional. The DD then runs in coordinates
   * centred there, which improves conditioning, and 'lexmin' adds the constraints nearest to it first
   * (usually the facets), which keeps intermediate ray sets small when many constraints are redundant.
   */
  interior?: ArrayLike<number>;
}

function checkShape(P: HPolyhedron): void {
  const { n, m, meq } = P;
  const bad = (what: string, exp: number, got: number) => {
    throw new PreimageError('SHAPE_MISMATCH', `HPolyhedron.${what}: expected length ${exp}, found ${got}`);
  };
  if (!Number.isInteger(n) || n < 0) throw new PreimageError('BAD_ARGUMENT', `HPolyhedron.n: expected a non-negative integer, found ${n}`);
  if (P.A.length !== m * n) bad('A', m * n, P.A.length);
  if (P.b.length !== m) bad('b', m, P.b.length);
  if ((P.Aeq?.length ?? 0) !== meq * n) bad('Aeq', meq * n, P.Aeq?.length ?? 0);
  if ((P.beq?.length ?? 0) !== meq) bad('beq', meq, P.beq?.length ?? 0);
  for (const [name, arr] of [['A', P.A], ['b', P.b], ['Aeq', P.Aeq], ['beq', P.beq]] as const) {
    if (!arr) continue;
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) throw new PreimageError('NON_FINITE', `HPolyhedron.${name}[${i}]: expected a finite number, found ${arr[i]}`);
  }
}

/**
 * V-representation of an H-polyhedron by the double description method (see the module doc).
 * Empty polyhedra give `{ vertices: [], rays: [], lines: [] }`.
 */
export function toVRep(P: HPolyhedron, options: VRepOptions = {}): VPolyhedron {
  const r = toVRepDetailed(P, options);
  if (!r.empty) remember(P, r);
  return r.v;
}

// ---------------------------------------------------------------------------------------------
// Provenance: a VPolyhedron returned by toVRep remembers its H-polyhedron and incidences, so that
// volume(V) needs no second double description. Used only while V is unchanged (same arrays, same
// checksum of the coordinates); anything else falls back to the general path.
// ---------------------------------------------------------------------------------------------

/** What toVRep knew about a V-polyhedron it returned. @internal */
export interface Provenance {
  /** A copy of the inequality rows (n columns). */
  m: number;
  A: Float64Array;
  b: Float64Array;
  vertexTight: Int32Array[];
  words: number;
}
const provenance = new WeakMap<VPolyhedron, Provenance & { vertices: Float64Array[]; rays: Float64Array[]; lines: Float64Array[]; nv: number; sum: number }>();

function checksum(V: VPolyhedron): number {
  let s = 0;
  let w = 1;
  for (const list of [V.vertices, V.rays, V.lines])
    for (const p of list)
      for (let j = 0; j < p.length; j++) {
        s += p[j] * w;
        w = w * 1.000000119 + 0.5;
      }
  return s;
}

function remember(P: HPolyhedron, r: VRepDetailed): void {
  const V = r.v;
  provenance.set(V, { m: P.m, A: P.A.slice(), b: P.b.slice(), vertexTight: r.vertexTight, words: r.words, vertices: V.vertices, rays: V.rays, lines: V.lines, nv: V.vertices.length, sum: checksum(V) });
}

/** The provenance of V if it came from toVRep and is unchanged, else null. @internal */
export function provenanceOf(V: VPolyhedron): Provenance | null {
  const p = provenance.get(V);
  if (!p || p.vertices !== V.vertices || p.rays !== V.rays || p.lines !== V.lines || p.nv !== V.vertices.length) return null;
  if (checksum(V) !== p.sum) return null;
  return p;
}

/** {@link toVRep} with vertex–constraint incidences. */
export function toVRepDetailed(P: HPolyhedron, options: VRepOptions = {}): VRepDetailed {
  checkShape(P);
  const { n, m } = P;
  const words = Math.max(1, (m + 31) >>> 5);
  const emptyResult = (): VRepDetailed => ({ v: { n, vertices: [], rays: [], lines: [] }, vertexTight: [], words, empty: true, rescaled: false });

  // 1. equalities: x = x0 + Nᵀ z
  let x0 = new Float64Array(n);
  let N: Float64Array[]; // k rows of length n, orthonormal
  const meq = P.meq;
  const eqRows: number[] = [];
  if (meq > 0) {
    const E = new Float64Array(meq * n);
    const f = new Float64Array(meq);
    let cnt = 0;
    for (let i = 0; i < meq; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += P.Aeq[i * n + j] ** 2;
      s = Math.sqrt(s);
      if (!(s > 0)) {
        if (Math.abs(P.beq[i]) > TOL.DD_ZERO) return emptyResult();
        continue;
      }
      for (let j = 0; j < n; j++) E[cnt * n + j] = P.Aeq[i * n + j] / s;
      f[cnt] = P.beq[i] / s;
      eqRows.push(i);
      cnt++;
    }
    const rb = rowBasis(E, cnt, n, TOL.RANK, f);
    let fs = 1;
    for (let i = 0; i < cnt; i++) fs = Math.max(fs, Math.abs(f[i]));
    const used = new Uint8Array(cnt);
    for (const p of rb.piv) used[p] = 1;
    for (let i = 0; i < cnt; i++) if (!used[i] && Math.abs(rb.resid[i]) > TOL.DD_ZERO * fs) return emptyResult();
    x0 = new Float64Array(n);
    for (let l = 0; l < rb.k; l++) for (let j = 0; j < n; j++) x0[j] += rb.beta[l] * rb.Q[l * n + j];
    N = complementBasis(rb.Q, rb.k, n);
  } else {
    N = [];
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      N.push(e);
    }
  }
  const k = N.length;

  // reduced inequalities a' z <= b' (a' = N a, b' = b - a·x0); constants checked here
  const Ar = new Float64Array(m * k);
  const br = new Float64Array(m);
  const constRow = new Uint8Array(m);
  const rowNorm = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s0 = 0;
    let ax0 = 0;
    for (let j = 0; j < n; j++) {
      s0 += P.A[i * n + j] ** 2;
      ax0 += P.A[i * n + j] * x0[j];
    }
    s0 = Math.sqrt(s0);
    rowNorm[i] = s0;
    let s1 = 0;
    for (let l = 0; l < k; l++) {
      let t = 0;
      const nl = N[l];
      for (let j = 0; j < n; j++) t += nl[j] * P.A[i * n + j];
      Ar[i * k + l] = t;
      s1 += t * t;
    }
    br[i] = P.b[i] - ax0;
    if (!(Math.sqrt(s1) > TOL.RANK * s0)) {
      // constant row 0 <= b'
      const scale = Math.max(s0, 1e-300);
      if (br[i] < -TOL.DD_ZERO * Math.max(scale, Math.abs(P.b[i]))) return emptyResult();
      constRow[i] = 1;
    }
  }

  const run = (c: Float64Array, sigma: number): { verts: Float64Array[]; vz: Int32Array[]; rays: Float64Array[]; lines: Float64Array[] } | null => {
    // homogeneous rows in u-coordinates, z = c + sigma u: (sigma a') u - (b' - a'·c) t <= 0, plus -t <= 0
    const d = k + 1;
    const G = new Float64Array((m + 1) * d);
    for (let i = 0; i < m; i++) {
      if (constRow[i]) continue;
      let ac = 0;
      for (let l = 0; l < k; l++) {
        G[i * d + l] = sigma * Ar[i * k + l];
        ac += Ar[i * k + l] * c[l];
      }
      G[i * d + k] = -(br[i] - ac);
    }
    G[m * d + k] = -1;
    const dd = coneDD(G, m + 1, d, { order: options.order, stats: options.stats, indexFrom: options.indexFrom });
    const tBit = 1 << (m & 31);
    const tW = m >>> 5;
    const verts: Float64Array[] = [];
    const vz: Int32Array[] = [];
    const rays: Float64Array[] = [];
    for (let q = 0; q < dd.rays.length; q++) {
      const y = dd.rays[q];
      const z = dd.zero[q];
      const t = y[k];
      if (z[tW] & tBit || !(t > TOL.DD_ZERO)) {
        // direction: x-dir = Nᵀ u
        const dir = new Float64Array(n);
        for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) dir[j] += y[l] * N[l][j];
        const nn = Math.hypot(...dir);
        if (!(nn > 0)) continue;
        for (let j = 0; j < n; j++) dir[j] /= nn;
        rays.push(dir);
      } else {
        const x = x0.slice();
        for (let l = 0; l < k; l++) {
          const zl = c[l] + (sigma * y[l]) / t;
          for (let j = 0; j < n; j++) x[j] += zl * N[l][j];
        }
        verts.push(x);
        const bits = new Int32Array(words);
        for (let w = 0; w < words; w++) bits[w] = z[w];
        if (tW < words) bits[tW] &= ~tBit; // drop the homogenising row's bit
        for (let i = 0; i < m; i++) if (constRow[i] && br[i] > TOL.DD_ZERO * Math.max(rowNorm[i], 1e-300)) bits[i >>> 5] &= ~(1 << (i & 31));
        vz.push(bits);
      }
    }
    if (verts.length === 0) return null;
    const lines: Float64Array[] = [];
    for (const l of dd.lineality) {
      const dir = new Float64Array(n);
      for (let a = 0; a < k; a++) for (let j = 0; j < n; j++) dir[j] += l[a] * N[a][j];
      lines.push(dir);
    }
    return { verts, vz, rays, lines };
  };

  let c = new Float64Array(k);
  if (options.interior) {
    // z-coordinates of the given interior point: the DD then runs centred there
    const xi = options.interior;
    if (xi.length !== n) throw new PreimageError('SHAPE_MISMATCH', `toVRep: interior point of length ${xi.length} for dimension ${n}`);
    for (let l = 0; l < k; l++) {
      let t = 0;
      for (let j = 0; j < n; j++) t += N[l][j] * (xi[j] - x0[j]);
      c[l] = t;
    }
  }
  let res = run(c, 1);
  if (!res) return emptyResult();
  // conditioning check in z-coordinates
  let rescaled = false;
  {
    const lo = new Float64Array(k).fill(Infinity);
    const hi = new Float64Array(k).fill(-Infinity);
    let maxAbs = 0;
    for (const x of res.verts) {
      for (let l = 0; l < k; l++) {
        let t = 0;
        for (let j = 0; j < n; j++) t += N[l][j] * (x[j] - x0[j]);
        if (t < lo[l]) lo[l] = t;
        if (t > hi[l]) hi[l] = t;
        maxAbs = Math.max(maxAbs, Math.abs(t));
      }
    }
    let sigma = 0;
    const cc = new Float64Array(k);
    for (let l = 0; l < k; l++) {
      cc[l] = (lo[l] + hi[l]) / 2;
      sigma = Math.max(sigma, (hi[l] - lo[l]) / 2);
    }
    if (maxAbs > 16 || (sigma > 0 && sigma < 1e-4)) {
      if (!(sigma > 0)) sigma = 1;
      if (maxAbs > 16 && sigma < 1) sigma = Math.max(sigma, 1e-4);
      c = cc;
      const again = run(c, sigma);
      if (again) {
        res = again;
        rescaled = true;
      }
    }
  }

  // polish vertices on their active constraints (plus equalities), dedupe, sort
  const polished = res.verts.map((x, q) => polishVertex(P, x, res!.vz[q], eqRows, constRow, rowNorm));
  if (res.lines.length > 0) {
    // canonical representatives: vertices orthogonal to the lineality space (moving along lines stays in P)
    for (const x of polished) {
      for (const l of res.lines) {
        let s = 0;
        for (let j = 0; j < n; j++) s += x[j] * l[j];
        for (let j = 0; j < n; j++) x[j] -= s * l[j];
      }
    }
  }
  const { pts, inc } = mergeVertices(polished, res.vz, words);
  const rays = dedupeDirections(res.rays);
  const v: VPolyhedron = { n, vertices: pts, rays, lines: res.lines };
  return { v, vertexTight: inc, words, empty: false, rescaled };
}

/** Solve the active rows (and the equalities) of a vertex; keep the DD point if that fails or moves it. */
function polishVertex(P: HPolyhedron, x: Float64Array, tight: Int32Array, eqRows: number[], constRow: Uint8Array, rowNorm: Float64Array): Float64Array {
  const n = P.n;
  const rows: number[] = [];
  for (let i = 0; i < P.m; i++) if (tight[i >>> 5] & (1 << (i & 31)) && !constRow[i] && rowNorm[i] > 0) rows.push(i);
  const r = rows.length + eqRows.length;
  if (r < n) return x;
  // already accurate (the common case): skip
  let worst = 0;
  let xs = 1;
  for (let j = 0; j < n; j++) xs = Math.max(xs, Math.abs(x[j]));
  for (const i of rows) {
    let s = -P.b[i];
    for (let j = 0; j < n; j++) s += P.A[i * n + j] * x[j];
    worst = Math.max(worst, Math.abs(s) / rowNorm[i]);
  }
  if (worst <= 1e-14 * xs && eqRows.length === 0) return x;
  const M = new Float64Array(r * n);
  const h = new Float64Array(r);
  let a = 0;
  // equalities first with a weight so that they are pivoted on first
  for (const i of eqRows) {
    let s = 0;
    for (let j = 0; j < n; j++) s += P.Aeq[i * n + j] ** 2;
    s = Math.sqrt(s) / 2;
    for (let j = 0; j < n; j++) M[a * n + j] = P.Aeq[i * n + j] / s;
    h[a++] = P.beq[i] / s;
  }
  for (const i of rows) {
    const s = rowNorm[i];
    for (let j = 0; j < n; j++) M[a * n + j] = P.A[i * n + j] / s;
    h[a++] = P.b[i] / s;
  }
  const rb = rowBasis(M, r, n, 1e-6, h, n);
  if (rb.k < n) return x;
  const y = new Float64Array(n);
  for (let l = 0; l < n; l++) for (let j = 0; j < n; j++) y[j] += rb.beta[l] * rb.Q[l * n + j];
  let dist = 0;
  let nx = 0;
  for (let j = 0; j < n; j++) {
    dist = Math.max(dist, Math.abs(y[j] - x[j]));
    nx = Math.max(nx, Math.abs(x[j]));
  }
  return dist <= 1e-6 * Math.max(1, nx) ? y : x;
}

function lexCompare(a: Float64Array, b: Float64Array): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j] - b[j];
  return 0;
}

/** Merge vertices closer than TOL.MERGE (union of their incidences) and sort lexicographically. */
function mergeVertices(pts: Float64Array[], inc: Int32Array[], words: number): { pts: Float64Array[]; inc: Int32Array[] } {
  const idx = pts.map((_, i) => i).sort((a, b) => lexCompare(pts[a], pts[b]));
  const outP: Float64Array[] = [];
  const outI: Int32Array[] = [];
  const gone = new Uint8Array(pts.length);
  for (let a = 0; a < idx.length; a++) {
    const i = idx[a];
    if (gone[i]) continue;
    const p = pts[i];
    const z = inc[i].slice();
    const tol = TOL.MERGE * Math.max(1, maxAbsOf(p));
    for (let b = a + 1; b < idx.length; b++) {
      const j = idx[b];
      if (pts[j][0] - p[0] > tol) break;
      if (gone[j]) continue;
      let close = true;
      for (let t = 0; t < p.length; t++) if (Math.abs(pts[j][t] - p[t]) > tol) ((close = false), (t = p.length));
      if (close) {
        gone[j] = 1;
        for (let w = 0; w < words; w++) z[w] |= inc[j][w];
      }
    }
    outP.push(p);
    outI.push(z);
  }
  return { pts: outP, inc: outI };
}

function maxAbsOf(p: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < p.length; i++) m = Math.max(m, Math.abs(p[i]));
  return m;
}

/** Remove unit directions closer than TOL.MERGE to an earlier one; sort lexicographically. @internal */
export function dedupeDirections(dirs: Float64Array[]): Float64Array[] {
  const sorted = dirs.slice().sort(lexCompare);
  const out: Float64Array[] = [];
  const tol = 10 * TOL.MERGE;
  for (const d of sorted) {
    const dup = out.some((e) => {
      for (let j = 0; j < d.length; j++) if (Math.abs(d[j] - e[j]) > tol) return false;
      return true;
    });
    if (!dup) out.push(d);
  }
  return out;
}
