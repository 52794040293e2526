/**
 * The backward search over activation patterns: from the target layer down to the result layer
 * (the direction of the preimage paper and of Matoba & Fleuret), selected with
 * `PreimageOptions.direction: 'backward'`.
 *
 * Requirements: what the forward LP search takes (src/preimage/search.ts): the layers from the
 * result layer to the target layer (a box domain already in unit coordinates, box-scaling.ts),
 * any domain (also unbounded), any target (union, class, partition, point, pre-activation).
 *
 * Returns: the raw pieces of the forward LP search, in its order (lexicographic in the pattern of
 * the first layer, ..., the pattern of the target layer, then the target part; inactive before
 * active), and the reason it stopped (null when complete), as searchPieces does.
 *
 * Method (v_i is the input of layer i, v_0 = x the result coordinates, z_i = W_i v_i + b_i):
 *   1. Bounds: interval arithmetic over the domain's bounding box, tightened by back-substitution
 *      (CROWN) when the box is bounded and the network small enough, gives a box B_i holding every
 *      reachable v_i (padded outward by 1e-10 relative) and fixes the units whose pre-activation
 *      has one sign on it.
 *   2. Stages, from the target layer T down to layer 1. The stage of layer i receives a polyhedron
 *      Q in v_{i+1} coordinates (at T: one target part, for a point target its equalities; parts
 *      are searched one after another) and enumerates the patterns s of layer i by a depth-first
 *      tree over its units (index order, inactive first) in v_i coordinates: v_i in B_i, one sign
 *      row of z_i per decided unit, and Q's rows relaxed linearly (each undecided ReLU replaced by
 *      its triangle's upper line or a 0-or-identity lower line over B_i, as CROWN does) so that
 *      partial patterns are pruned; at a complete pattern, Q's rows composed with
 *      v_{i+1} = D_s (W_i v_i + b_i) (inactive coordinates substituted by 0, which handles the
 *      faces of the orthant exactly) plus the sign rows form the next stage's polyhedron. A node
 *      is kept when it is non-empty with rows relaxed by 1e-9 (relative): no margin is applied,
 *      because v_i lives on faces of the orthant and a set thin in v_i coordinates can have a
 *      full-dimensional preimage. Every complete chain (s_1, ..., s_T) goes into a trie of
 *      candidate suffixes: a superset of the suffixes of all pieces.
 *   3. Result layer: the forward LP search's tree in result coordinates, intersected with the
 *      domain, restricted to the candidate suffixes (a branch whose pattern leaves the trie is
 *      dropped) in place of the forward search's target-aware pruning: it is the forward search's
 *      own loop (lpSearchFrom with SearchControl.candidates), so every unit is decided, split and
 *      classified as there (the same rows in the same order, the margin rule with its slivers,
 *      target parts made disjoint in order) and the pieces come out in the forward order.
 *
 * Guarantees: complete and sound exactly as the forward search (dropping only patterns that no
 * point of the domain realises cannot lose a piece; the final tree decides like the forward one).
 * The pieces equal the forward LP search's: the same patterns, parts, rows, classes and dimensions;
 * what comes from LP points (the witness of a piece without vertices, i.e. an unbounded one, and
 * hence its reported radius) may differ within the piece, because the LPs are warm-started from
 * other states; a decision within LP round-off of the margin could differ (none seen in the
 * tests). Compared with the default vertex search on boxes the pieces agree to ~1e-9 (vertices
 * computed by another method). Budgets, deadline and cancellation are checked at every node of
 * every stage and of step 3, with the forward statuses; a search stopped during the stages has
 * no piece yet, one stopped in step 3 holds a prefix of the forward order (with `maxPieces`, the
 * forward search's prefix). Counters: `nodes`, `lps`, `pruned` add up all stages and step 3;
 * `slivers`, `splits`, `boundDecided`, `lpDecided` are those of step 3 (so `slivers` misses the
 * slivers the forward search meets in regions that cannot reach the target).
 * Measured against the forward search (docs/algorithms.md): faster for point activity targets at
 * hidden layers over boxes, slower for class and output-set targets (PreimageOptions.direction
 * `auto` chooses by that rule).
 *
 * Reference: Carlsson, Azizpour, Razavian, Sullivan, Smith, The Preimage of Rectifier Network
 * Activities (ICLR 2017 workshop); Matoba, Fleuret, Exact Preimages of Neural Network Aircraft
 * Collision Avoidance Systems (2020).
 */
import type { Layer } from '../network/types.js';
import { TOL } from '../tolerance.js';
import type { LpResult } from '../lp/types.js';
import { RowStack, type Row } from './rows.js';
import { backSubstitute } from './bounds.js';
import type { DomainSet } from './domain.js';
import type { TargetSet } from './target.js';
import {
  dotPlus, intervalOf, lpBaseRows, lpRootFrame, lpSearchFrom, stopReason,
  type Frame, type PatternTrie, type RawPiece, type SearchControl, type SearchEnd, type SearchStats, type StopReason,
} from './search.js';

/** Candidate suffixes: one level per unit of the branching layers 1..T, children by phase. */
type Trie = PatternTrie;

/** A row of Q relaxed over the current partial pattern: g·v + c <= b (Q's own b), unusable while blocked > 0. */
interface Relax {
  g: Float64Array;
  c: number;
  blocked: number;
}

/** Relative slack of the stages' non-emptiness tests (never a margin: see the module doc). */
const STAGE_TOL = 1e-9;

/**
 * Runs the backward search (see the module doc). Same arguments and results as searchPieces;
 * `control.sliverSlack` is ignored, as in the forward LP search.
 */
export function* backwardSearchPieces(layers: Layer[], domain: DomainSet, target: TargetSet, stats: SearchStats, control: SearchControl = {}): Generator<RawPiece, StopReason> {
  const progress = { last: performance.now() };
  let trie: Trie | null = null;
  if (layers.length > 1) {
    trie = { c: [undefined, undefined] };
    const found = { count: 0 };
    const stop = runStages(layers, domain, target, trie, found, stats, control, progress);
    if (stop) return stop;
    if (found.count === 0) return null;
  }
  const end = yield* resultTree(layers, domain, target, trie, stats, control);
  return end === 'split' ? null : end;
}

/** Does layer i branch (a ReLU whose pattern is searched)? Identical in the stages and step 3. */
function branches(layers: Layer[], i: number, target: TargetSet): boolean {
  return layers[i].activation === 'relu' && !(i === layers.length - 1 && target.on === 'preactivation');
}

const pad = (x: number) => 1e-10 * (1 + Math.abs(x));

/**
 * Step 1: boxes of every layer's input (index i: v_i) and pre-activation bounds, padded outward:
 * intervals, tightened by back-substitution (CROWN) when the domain's box is bounded and the
 * network small enough for it to be cheap (CROWN_WORK; bounds.ts backSubstitute).
 */
function layerBoxes(layers: Layer[], domain: DomainSet, target: TargetSet) {
  const vlo: Float64Array[] = [Float64Array.from(domain.lo)], vhi: Float64Array[] = [Float64Array.from(domain.hi)];
  const zlo: Float64Array[] = [], zhi: Float64Array[] = [];
  const bounded = domain.lo.every(Number.isFinite) && domain.hi.every(Number.isFinite);
  let work = 0;
  for (let k = 0; k < layers.length; k++) for (let q = 0; q <= k; q++) work += 2 * layers[k].outSize * layers[q].outSize * layers[q].inSize;
  const crown = bounded && work <= CROWN_WORK;
  for (let i = 0; i < layers.length; i++) {
    const L = layers[i], d = L.inSize, w = L.outSize;
    const zl = new Float64Array(w), zh = new Float64Array(w);
    for (let j = 0; j < w; j++) {
      const [a, b] = intervalOf(L.weights.subarray(j * d, j * d + d), L.bias[j], vlo[i], vhi[i], d);
      zl[j] = a;
      zh[j] = b;
    }
    if (crown && i > 0) {
      // CROWN back-substitution of the identity rows of layer i (bounds.ts), over the layers' boxes so far
      const eye = new Float64Array(w * w);
      for (let j = 0; j < w; j++) eye[j * w + j] = 1;
      const zero = new Float64Array(w), ub = { lo: zlo, hi: zhi };
      const cl = backSubstitute(layers, i, eye, zero, w, domain.lo, domain.hi, ub, false), ch = backSubstitute(layers, i, eye, zero, w, domain.lo, domain.hi, ub, true);
      for (let j = 0; j < w; j++) {
        zl[j] = Math.max(zl[j], cl[j]);
        zh[j] = Math.min(zh[j], ch[j]);
      }
    }
    for (let j = 0; j < w; j++) {
      zl[j] -= pad(zl[j]);
      zh[j] += pad(zh[j]);
    }
    zlo.push(zl);
    zhi.push(zh);
    const clamp = L.activation === 'relu';
    vlo.push(clamp ? zl.map((v) => Math.max(0, v)) : zl);
    vhi.push(clamp ? zh.map((v) => Math.max(0, v)) : zh);
  }
  return { vlo, vhi, zlo, zhi, branch: layers.map((_, i) => branches(layers, i, target)) };
}

/** Multiply-adds allowed for the CROWN bounds of step 1 (ACAS Xu takes about 5e6; 256-wide MNIST layers skip it). */
const CROWN_WORK = 1e7;

/** a·x <= b relaxed by the stage tolerance (equalities become two relaxed inequalities). */
function relaxed(r: Row, out: Row[]): void {
  const one = (a: Float64Array, b: number) => {
    let nn = 0;
    for (let j = 0; j < a.length; j++) nn += a[j] * a[j];
    out.push({ a, b: b + STAGE_TOL * (Math.sqrt(nn) + Math.abs(b)) + 1e-300, kind: 'ineq' });
  };
  one(r.a, r.b);
  if (r.kind === 'eq') one(r.a.map((v) => -v), -r.b);
}

/** Does x satisfy every row (within the rows' own relaxation)? */
function satisfies(x: Float64Array | null, rows: Row[], d: number): boolean {
  if (!x) return false;
  for (const r of rows) if (dotPlus(r.a, x, -r.b, d) > 0) return false;
  return true;
}

/** Step 2: the stages from the target layer down to layer 1; fills the trie of candidate suffixes. */
function runStages(layers: Layer[], domain: DomainSet, target: TargetSet, trie: Trie, found: { count: number }, stats: SearchStats, control: SearchControl, progress: { last: number }): StopReason {
  const T = layers.length - 1;
  const { vlo, vhi, zlo, zhi, branch } = layerBoxes(layers, domain, target);
  const stacks: RowStack[] = [];
  const pats = layers.map((l) => new Uint8Array(l.outSize));

  const insert = () => {
    let node = trie;
    for (let i = 1; i <= T; i++) {
      if (!branch[i]) continue;
      for (const p of pats[i]) node = node.c[p] ??= { c: [undefined, undefined] };
    }
    found.count++;
  };

  /** One LP: is the stack plus `extra` non-empty (up to the relaxation)? Returns a point, or null when empty. */
  const feasible = (st: RowStack, extra: Row[], hint: Float64Array | null, d: number): Float64Array | null => {
    if (satisfies(hint, extra, d)) return hint;
    const size = st.size;
    for (const r of extra) st.push(r);
    const res: LpResult = st.minimize(new Float64Array(d));
    stats.lps++;
    st.truncate(size);
    if (res.status === 'infeasible') return null;
    if (res.status === 'optimal' && res.x) return res.x;
    stats.lpFailures++; // kept: a superset of candidates loses nothing
    return hint ?? new Float64Array(d);
  };

  const stage = (i: number, Q: Row[]): StopReason => {
    if (i === 0) {
      insert();
      return null;
    }
    const L = layers[i], d = L.inSize, w = L.outSize, W = L.weights, bias = L.bias;
    const st = (stacks[i] ??= new RowStack(d, [], { lower: vlo[i], upper: vhi[i] }));
    st.truncate(0);
    const pat = pats[i];
    const forced = branch[i] && i === T ? target.forcedPattern : undefined;
    // -1: to branch on; 0/1 fixed (not a ReLU here, forced by a point target, or one sign over B_i)
    const fixed = new Int8Array(w);
    for (let j = 0; j < w; j++) fixed[j] = !branch[i] ? 1 : forced ? forced[j] : zhi[i][j] <= 0 ? 0 : zlo[i][j] >= 0 ? 1 : -1;
    const signRows: Row[] = []; // exact sign rows of the units decided on this path (for the next stage)
    const signRow = (j: number, phase: number): Row => {
      const a = W.slice(j * d, j * d + d);
      if (phase) for (let t = 0; t < d; t++) a[t] = -a[t];
      return { a, b: phase ? bias[j] : -bias[j], kind: 'ineq' };
    };
    if (forced) {
      for (let j = 0; j < w; j++) {
        const r = signRow(j, forced[j]);
        signRows.push(r);
        const rr: Row[] = [];
        relaxed(r, rr);
        for (const x of rr) st.push(x);
      }
    }
    // Q's inequality rows (equalities as two) for the relaxation of partial patterns
    const Qineq: Row[] = [];
    for (const r of Q) {
      Qineq.push({ a: r.a, b: r.b, kind: 'ineq' });
      if (r.kind === 'eq') Qineq.push({ a: r.a.map((v) => -v), b: -r.b, kind: 'ineq' });
    }
    /**
     * One unit's share in a relaxed row of Q: coefficient on z_j, constant, and whether the row is
     * blocked (an undecided ReLU with a negative weight has no upper line over an unbounded range).
     */
    const share = (aj: number, j: number, phase: number): [number, number, number] => {
      if (phase >= 0) {
        const coef = phase ? aj : 0;
        return [coef, coef * bias[j], 0];
      }
      const l = zlo[i][j], h = zhi[i][j];
      if (aj > 0) {
        const coef = h > -l ? aj : 0; // lower line of slope 1 or 0
        return [coef, coef * bias[j], 0];
      }
      if (!Number.isFinite(l) || !Number.isFinite(h)) return [0, 0, 1];
      const coef = aj * (h / (h - l)); // the triangle's upper line
      return [coef, coef * (bias[j] - l), 0];
    };
    /** Q's rows in v_i coordinates with the fixed units exact and the others relaxed: g·v + c <= b. */
    const relaxRoot = (): Relax[] => Qineq.map((q) => {
      const g = new Float64Array(d);
      let c = 0, blocked = 0;
      for (let j = 0; j < w; j++) {
        const aj = q.a[j];
        if (aj === 0) continue;
        const [coef, off, blocks] = share(aj, j, fixed[j]);
        blocked += blocks;
        if (coef === 0) continue;
        c += off;
        for (let t = 0; t < d; t++) g[t] += coef * W[j * d + t];
      }
      return { g, c, blocked };
    });
    /** The relaxed rows after unit u (undecided before) takes `phase`: one rank-one update per row. */
    const relaxChild = (rel: Relax[], u: number, phase: number): Relax[] => rel.map((r, k) => {
      const aj = Qineq[k].a[u];
      if (aj === 0) return r;
      const [c0, o0, b0] = share(aj, u, -1), [c1, o1] = share(aj, u, phase);
      const g = r.g.slice(), dc = c1 - c0;
      if (dc !== 0) for (let t = 0; t < d; t++) g[t] += dc * W[u * d + t];
      return { g, c: r.c + o1 - o0, blocked: r.blocked - b0 };
    });
    const relaxRows = (rel: Relax[]): Row[] => {
      const out: Row[] = [];
      rel.forEach((r, k) => { if (r.blocked === 0) relaxed({ a: r.g, b: Qineq[k].b - r.c, kind: 'ineq' }, out); });
      return out;
    };
    /** Q's rows composed exactly with the complete pattern; null when a constant row is violated. */
    const composeQ = (): Row[] | null => {
      const out: Row[] = [];
      for (const q of Q) {
        const a = new Float64Array(d);
        let b = q.b, nz = false;
        for (let j = 0; j < w; j++) {
          const aj = q.a[j];
          if (aj === 0 || !pat[j]) continue;
          b -= aj * bias[j];
          for (let t = 0; t < d; t++) a[t] += aj * W[j * d + t];
        }
        for (let t = 0; t < d && !nz; t++) if (a[t] !== 0) nz = true;
        if (!nz) {
          const tol = STAGE_TOL * (1 + Math.abs(q.b));
          if (b < -tol || (q.kind === 'eq' && b > tol)) return null;
          continue;
        }
        out.push({ a, b, kind: q.kind });
      }
      return out;
    };
    const complete = (hint: Float64Array | null): StopReason => {
      const C = composeQ();
      if (C === null) {
        stats.pruned++;
        return null;
      }
      const rr: Row[] = [];
      for (const r of C) relaxed(r, rr);
      if (feasible(st, rr, hint, d) === null) {
        stats.pruned++;
        return null;
      }
      // the next stage's polyhedron: sign rows and composed rows, less rows implied over B_i
      const next: Row[] = [];
      for (const r of signRows.concat(C)) {
        if (r.kind === 'ineq' && intervalOf(r.a, 0, vlo[i], vhi[i], d)[1] <= r.b) continue;
        next.push(r);
      }
      return stage(i - 1, next);
    };
    const rec = (u: number, hint: Float64Array | null, rel: Relax[]): StopReason => {
      while (u < w && fixed[u] >= 0) pat[u] = fixed[u++];
      if (u === w) return complete(hint);
      const size = st.size;
      for (const phase of [0, 1]) {
        const stop = stopReason(control, stats, progress);
        if (stop) return stop;
        pat[u] = phase;
        const r = signRow(u, phase);
        const rr: Row[] = [];
        relaxed(r, rr);
        stats.nodes++;
        const relChild = relaxChild(rel, u, phase);
        const extra = rr.concat(relaxRows(relChild));
        const p = feasible(st, extra, hint, d);
        if (p === null) {
          stats.pruned++;
          continue;
        }
        for (const x of rr) st.push(x);
        signRows.push(r);
        const s = rec(u + 1, p, relChild);
        signRows.pop();
        st.truncate(size);
        if (s) return s;
      }
      return null;
    };
    // the stage's root: Q relaxed over B_i with nothing decided
    const stop = stopReason(control, stats, progress);
    if (stop) return stop;
    stats.nodes++;
    const rel0 = relaxRoot();
    const root = feasible(st, relaxRows(rel0), null, d);
    if (root === null) {
      stats.pruned++;
      return null;
    }
    return rec(0, root, rel0);
  };

  for (let j = 0; j < target.parts.length; j++) {
    const p = target.parts[j], cols = target.cols;
    const Q: Row[] = [];
    for (let r = 0; r < p.rows; r++) Q.push({ a: p.T.slice(r * cols, r * cols + cols), b: p.t[r], kind: 'ineq' });
    for (let r = 0; r < p.eqRows; r++) Q.push({ a: p.E.slice(r * cols, r * cols + cols), b: p.e[r], kind: 'eq' });
    const stop = stage(T, Q);
    if (stop) return stop;
  }
  return null;
}

/**
 * Step 3: the forward LP search (search.ts, lpSearchFrom) in result coordinates, restricted to
 * the trie's suffixes (SearchControl.candidates) instead of target-aware pruning, so that the
 * rows, slivers and leaves are the forward search's.
 */
function resultTree(layers: Layer[], domain: DomainSet, target: TargetSet, trie: Trie | null, stats: SearchStats, control: SearchControl): Generator<RawPiece, SearchEnd> {
  const stack = new RowStack(domain.n, lpBaseRows(domain), { lower: domain.lo, upper: domain.hi });
  stats.nodes++;
  const frames: Frame[] = [{ ...lpRootFrame(layers, domain), rowCount: stack.size, pending: [] }];
  // one searched layer: nothing to follow, but candidates (an empty trie) still replace the pruning
  const candidates = trie ?? { c: [undefined, undefined] };
  return lpSearchFrom(frames, stack, layers, target, stats, { ...control, sliverSlack: false, splitAfter: undefined, candidates });
}
