/**
 * The forward search over activation patterns (the tree of the module doc in engine.ts).
 *
 * A node is a convex region of the domain on which the patterns of the layers processed so far
 * are fixed. Units are decided one at a time, layer by layer:
 *   1. cheap: the interval of the unit's pre-activation over the node's bounding box (tightened
 *      after every split by bound propagation) settles most units without an LP;
 *   2. the node's witness (a point of the region) shows one side of the unit's hyperplane is
 *      non-empty, so one warm-started LP decides the other side;
 *   3. when both sides hold points farther than the margin from the hyperplane the node splits.
 * Target-aware pruning drops a node when interval bounds of the target layer over its box cannot
 * meet any part of the target. Leaves intersect the region with the target (parts made disjoint)
 * and are classified by the margin rule (src/tolerance.ts).
 */
import type { Layer } from '../network/types.js';
import { TOL } from '../tolerance.js';
import type { LpResult } from '../lp/types.js';
import type { LpOptions } from '../lp/ladder.js';
import { scaleRows, solveBoxLp } from '../lp/box-dual.js';
import { classify } from '../polyhedra/ops.js';
import type { DimensionClass, HPolyhedron } from '../polyhedra/types.js';
import { RowStack, type Row } from './rows.js';
import type { VPoly } from '../polyhedra/vpoly.js';
import { boxRange, crownBounds, optimizedRowSlopes, symbolicReachable, type Range, type RowSlopes, type TightBound, type UnitBounds } from './bounds.js';
import type { DomainSet } from './domain.js';
import type { TargetSet } from './target.js';

/** Counters that explain the time a search took. */
export interface SearchStats {
  pieces: number;
  /** Tree nodes: the root and every child created by a split. */
  nodes: number;
  lps: number;
  /** Nodes dropped by target-aware pruning or found empty. */
  pruned: number;
  /** Units decided by interval bounds alone (no LP). */
  boundDecided: number;
  /** Units decided by the exact range over a node's vertices (vertex search). */
  vertexDecided: number;
  /** Units decided by one LP (the witness showed the other side). */
  lpDecided: number;
  /** Splits. */
  splits: number;
  /** Sides thinner than the margin that were not enumerated (see the margin rule). */
  slivers: number;
  /** Slivers accounted for by sliver slack instead (SearchControl.sliverSlack): no point can be missed there. */
  sliversBounded: number;
  /** Leaves whose intersection with the target was empty. */
  emptyLeaves: number;
  /** Pieces thinner than the margin (reported with class `thin`). */
  thinPieces: number;
  /** LPs that ended in numerical failure (both sides were then explored). */
  lpFailures: number;
}

export function emptyStats(): SearchStats {
  return { pieces: 0, nodes: 0, lps: 0, pruned: 0, boundDecided: 0, vertexDecided: 0, lpDecided: 0, splits: 0, slivers: 0, sliversBounded: 0, emptyLeaves: 0, thinPieces: 0, lpFailures: 0 };
}

/** Adds the counters of `s` to `into` (results of several subtrees). */
export function addStats(into: SearchStats, s: SearchStats): void {
  for (const k of Object.keys(into) as (keyof SearchStats)[]) into[k] += s[k];
}

/** A piece as found by the search, before geometry (redundancy, vertices, volume). */
export interface RawPiece {
  /** Pattern of every layer passed (1 = active; identity layers all ones). */
  pattern: Uint8Array[];
  /** Index of the target part the piece lies in (parts are made disjoint in order). */
  part: number;
  /** The piece: domain, pattern and target rows (not yet reduced). */
  P: HPolyhedron;
  /** The margin-rule class and dimension. */
  cls: Exclude<DimensionClass, 'empty'>;
  dim: number;
  witness: Float64Array;
  radius: number;
  /** Affine map from result coordinates to the target layer's values on this piece: M x + c. */
  M: Float64Array;
  c: Float64Array;
  rows: number;
  /** Vertex search only: the piece's vertices and incidences (P then holds only its facets). */
  vpoly?: VPoly;
  /** Vertices when known, in the piece's coordinates (the vertex search leaves them in `vpoly`). */
  vertices?: Float64Array[];
  /** Volume in the search's coordinates, when known (multiply by the scaling's Jacobian). */
  volumeU?: number;
}

/** What stops a search early. */
export interface SearchControl {
  signal?: AbortSignal;
  /** Wall-clock deadline (performance.now() value). */
  deadline?: number;
  maxPieces?: number;
  maxNodes?: number;
  onProgress?: (s: SearchStats) => void;
  progressEveryMs?: number;
  /** Polled once per node with the signal: true cancels (for threads, which cannot see the caller's AbortSignal). */
  cancelled?: () => boolean;
  /** End with `split` at the first frame boundary where nodes + LPs in `stats` reach this and two frames or more remain. */
  splitAfter?: number;
  /**
   * Account for slivers by slack (src/preimage/sliver-slack.ts) instead of counting them as
   * doubtful: merged thin sides relax the node's target by what they can change, thin sides at the
   * target are kept. The pieces may then reach slightly beyond the target (their witnesses must be
   * checked), but no point of the preimage is missed. The LP search has no slack; it takes the
   * flag as the sign of a verification run (pieces are only candidates; counters need not match a
   * preimage run's): it then decides units and tightens its pruning with bounds over the whole
   * domain (bounds.ts, crownBounds) and with the target rows' optimised slopes, and in 50
   * dimensions and more over a box it solves its LPs with the box dual simplex (src/lp/box-dual.ts;
   * the general solver from the objective's corner of the box when that fails, ladder.ts
   * cornerStart) and bounds crossing units over each node by LPs (verifyTuning).
   */
  sliverSlack?: boolean;
  /**
   * LP search only: candidate patterns of the layers after the first (the backward search's,
   * backward.ts). A branch whose pattern leaves the trie is dropped, in place of target-aware
   * pruning; everything else is decided as without it.
   */
  candidates?: PatternTrie;
}

export type StopReason = null | 'cancelled' | 'time' | 'budget';

/** Checks the search's budgets and cancellation once per node, and reports progress about once a second. */
export function stopReason(control: SearchControl, stats: SearchStats, progress: { last: number }): StopReason {
  if (control.signal?.aborted || control.cancelled?.()) return 'cancelled';
  const now = performance.now();
  if (control.deadline !== undefined && now > control.deadline) return 'time';
  if (control.maxNodes !== undefined && stats.nodes >= control.maxNodes) return 'budget';
  if (control.maxPieces !== undefined && stats.pieces >= control.maxPieces) return 'budget';
  if (control.onProgress && now - progress.last > (control.progressEveryMs ?? 1000)) {
    progress.last = now;
    control.onProgress(stats);
  }
  return null;
}

/** A node of the search (shared with the vertex search for target-aware pruning). */
export interface Frame {
  layer: number; // index into layers
  unit: number;
  rowCount: number;
  pending: Row[]; // rows to push when the frame starts
  patterns: Uint8Array[]; // patterns of layers < layer (shared) and the current layer's (owned)
  M: Float64Array; // current layer pre-activation map (shared among siblings)
  c: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  /** A point of the node's region; null when unknown (after a numerically failed LP). */
  witness: Float64Array | null;
  /**
   * Verification runs: target parts proven unreachable from this node (1 = unreachable; bounds.ts
   * symbolicReachable), inherited by the children, whose regions lie in the node's. Absent: none
   * known (tasks handed to other threads start afresh).
   */
  closed?: Uint8Array;
  /** Backward search: the frame's position in the candidate trie (SearchControl.candidates); unset in layer 0. */
  trie?: PatternTrie;
}

/** Candidate patterns: one trie level per unit of the searched layers after the first, children by phase. */
export interface PatternTrie {
  c: [PatternTrie | undefined, PatternTrie | undefined];
}

/**
 * Runs the search. `layers` are the layers from the result layer to the target layer; the
 * target applies to the last of them. Yields pieces in a deterministic depth-first order
 * (inactive branch before active). Returns the reason it stopped (null when complete).
 */
export function* searchPieces(layers: Layer[], domain: DomainSet, target: TargetSet, stats: SearchStats, control: SearchControl = {}): Generator<RawPiece, StopReason> {
  const stack = new RowStack(domain.n, lpBaseRows(domain), { lower: domain.lo, upper: domain.hi });
  stats.nodes++;
  const end = yield* lpSearchFrom([{ ...lpRootFrame(layers, domain), rowCount: stack.size, pending: [] }], stack, layers, target, stats, control);
  return end === 'split' ? null : end;
}

/** The rows of a domain that enter the LP as rows (box rows of non-polyhedron domains enter as variable bounds). */
export function lpBaseRows(domain: DomainSet): Row[] {
  const n = domain.n;
  const baseRows: Row[] = [];
  const D = domain.P;
  for (let i = 0; i < D.m; i++) {
    const a = D.A.slice(i * n, i * n + n);
    if (isAxisRow(a) && domain.description.kind !== 'polyhedron') continue; // box rows enter as variable bounds
    baseRows.push({ a, b: D.b[i], kind: 'ineq' });
  }
  for (let i = 0; i < D.meq; i++) baseRows.push({ a: D.Aeq.slice(i * n, i * n + n), b: D.beq[i], kind: 'eq' });
  return baseRows;
}

/** The root node of the LP search (its witness is found by the first LP of the search). */
export function lpRootFrame(layers: Layer[], domain: DomainSet): Omit<Frame, 'rowCount' | 'pending'> {
  return { layer: 0, unit: 0, patterns: [new Uint8Array(layers[0].outSize)], ...inputLayerMap(layers[0]), lo: Float64Array.from(domain.lo), hi: Float64Array.from(domain.hi), witness: null };
}

/**
 * How a search below given frames ends: a stop reason, or `split` when the work counted in
 * `stats` (nodes + LPs) reached `control.splitAfter` with at least two frames left (the
 * frames array then holds the remaining work, see src/preimage/subtree.ts).
 */
export type SearchEnd = StopReason | 'split';

/** The split test of a search loop: done at frame boundaries only, from counters only (never from time). */
export function splitDue(control: SearchControl, stats: SearchStats, frames: number): boolean {
  return control.splitAfter !== undefined && frames >= 2 && stats.nodes + stats.lps >= control.splitAfter;
}

/**
 * Depth-first LP search below `frames` (processed last to first, as a stack; the array is
 * consumed in place, so that after an early end it holds the remaining work). The rows of a
 * frame are `stack`'s first `rowCount` rows plus its `pending` rows; `stack` must hold them.
 */
export function* lpSearchFrom(frames: Frame[], stack: RowStack, layers: Layer[], target: TargetSet, stats: SearchStats, control: SearchControl = {}): Generator<RawPiece, SearchEnd> {
  const n = stack.n;
  const lastLayer = layers.length - 1;
  const progress = { last: performance.now() };
  // verification (sliverSlack): unit bounds valid over every frame's box decide units without
  // LPs and tighten the symbolic pruning; skipped for preimages, whose counters stay as they were
  const dom = control.sliverSlack && target.description.kind !== 'partition' ? domainBounds(layers, frames, stack, n, target) : undefined;
  const global = dom?.bounds;
  // verification in high dimension: LPs with a new objective start from its corner of the box
  // (ladder.ts, cornerStart: a fraction of the pivots of a warm primal start there)
  // and first by the box dual simplex (box-dual.ts: a basis of the general rows only)
  const lpo: LpMode | undefined = control.sliverSlack && n >= 50 ? { opts: { cornerStart: true }, fast: boxBounded(stack) } : undefined;
  // the backward search's candidate patterns (backward.ts) replace target-aware pruning
  const cand = control.candidates;

  while (frames.length > 0) {
    const stop = stopReason(control, stats, progress);
    if (stop) return stop;
    if (splitDue(control, stats, frames.length)) return 'split';
    const f = frames.pop() as Frame;
    stack.truncate(f.rowCount);
    for (const r of f.pending) stack.push(r);
    f.pending = []; // on the stack now (lpReachable pushes only the pending rows of frames not started)
    if (f.witness === null) {
      const r = minimizeRows(stack, new Float64Array(n), lpo && { fast: lpo.fast });
      stats.lps++;
      if (r.status !== 'optimal' || !r.x) {
        stats.pruned++;
        if (r.status !== 'infeasible') stats.lpFailures++;
        continue;
      }
      f.witness = r.x;
    }

    // process units until a split, a prune or a leaf
    let done = false;
    while (!done) {
      const L = layers[f.layer];
      const isTargetLayer = f.layer === lastLayer;
      const relu = L.activation === 'relu' && !(isTargetLayer && target.on === 'preactivation');
      if (f.unit === L.outSize || !relu) {
        // layer complete
        const pat = f.patterns[f.layer];
        if (!relu) pat.fill(1);
        if (isTargetLayer) {
          yield* finishLeaf(f, stack, target, stats, n, lpo);
          done = true;
          break;
        }
        const next = layerMapAfter(L, pat, layers[f.layer + 1], f.M, f.c, n);
        f.layer++;
        f.unit = 0;
        f.M = next.M;
        f.c = next.c;
        f.patterns = f.patterns.concat([new Uint8Array(layers[f.layer].outSize)]);
        if (cand) {
          if (f.layer === 1) f.trie = cand;
        } else if (!lpReachable(layers, f, target, n, stack, stats, dom, lpo)) {
          stats.pruned++;
          done = true;
        }
        continue;
      }
      const u = f.unit;
      const pat = f.patterns[f.layer];
      const m = f.M.subarray(u * n, u * n + n);
      const cu = f.c[u];
      if (isTargetLayer && target.forcedPattern) {
        // point target: the pattern of the target layer is given, no branching
        const on = target.forcedPattern[u];
        if (!follow(f, on, cand, stats)) break;
        pat[u] = on;
        if (on) stack.push({ a: m.slice(), b: target.parts[0].e[u] - cu, kind: 'eq' });
        else stack.push({ a: m.slice(), b: -cu, kind: 'ineq' });
        f.unit++;
        continue;
      }
      const norm = Math.hypot.apply(null, m as unknown as number[]); // apply reads the typed array directly (a spread iterates)
      const eps = TOL.FULL_DIM_RADIUS * norm;
      if (norm <= 1e-300) {
        if (!follow(f, cu > 0 ? 1 : 0, cand, stats)) break;
        pat[u] = cu > 0 ? 1 : 0;
        stats.boundDecided++;
        f.unit++;
        continue;
      }
      if (global) {
        const gl = global.lo[f.layer][u], gu = global.hi[f.layer][u], tol = 1e-9 * (1 + Math.abs(gl) + Math.abs(gu));
        if (gu < -tol || gl > tol) {
          if (!follow(f, gl > tol ? 1 : 0, cand, stats)) break;
          pat[u] = gl > tol ? 1 : 0;
          stats.boundDecided++;
          f.unit++;
          continue;
        }
      }
      const [ilo, ihi] = intervalOf(m, cu, f.lo, f.hi, n);
      if (ihi <= 0 || ilo >= 0) {
        if (!follow(f, ilo >= 0 && ihi > 0 ? 1 : 0, cand, stats)) break;
        pat[u] = ilo >= 0 && ihi > 0 ? 1 : 0;
        stats.boundDecided++;
        f.unit++;
        continue;
      }
      const w = f.witness as Float64Array;
      const s = dotPlus(m, w, cu, n);
      // the witness settles one side; an LP settles the other (both when the witness is within the margin)
      const inactiveSide: Side = s < -eps ? { value: s, point: w, failed: false } : sideMin(stack, m, cu, w, stats, n, lpo);
      const activeSide: Side = s > eps ? { value: s, point: w, failed: false } : sideMax(stack, m, cu, w, stats, n, lpo);
      const failed = inactiveSide.failed || activeSide.failed;
      if (failed) stats.lpFailures++;
      const canInactive = failed || inactiveSide.value < -eps;
      const canActive = failed || activeSide.value > eps;
      if (canInactive && canActive) {
        stats.splits++;
        stats.nodes += 2;
        const a = m.slice();
        const neg = a.map((v) => -v);
        const childActive = makeChild(f, 1, { a: neg, b: cu, kind: 'ineq' }, failed ? null : activeSide.point, stack.size, n);
        const childInactive = makeChild(f, 0, { a, b: -cu, kind: 'ineq' }, failed ? null : inactiveSide.point, stack.size, n);
        // push active first so that the inactive branch is explored first
        if (cand ? follow(childActive, 1, cand, null) : lpReachable(layers, childActive, target, n, stack, stats, dom, lpo)) frames.push(childActive);
        else stats.pruned++;
        if (cand ? follow(childInactive, 0, cand, null) : lpReachable(layers, childInactive, target, n, stack, stats, dom, lpo)) frames.push(childInactive);
        else stats.pruned++;
        done = true;
        break;
      }
      stats.lpDecided++;
      if (canActive) {
        if (!follow(f, 1, cand, stats)) break;
        pat[u] = 1;
        if (inactiveSide.value < 0) {
          stats.slivers++;
          stack.push({ a: m.map((v) => -v), b: cu, kind: 'ineq' });
        }
      } else if (canInactive) {
        if (!follow(f, 0, cand, stats)) break;
        pat[u] = 0;
        if (activeSide.value > 0) {
          stats.slivers++;
          stack.push({ a: m.slice(), b: -cu, kind: 'ineq' });
        }
      } else {
        // the whole node lies within the margin of this hyperplane: a thin node
        stats.slivers++;
        if (!follow(f, s > 0 ? 1 : 0, cand, stats)) break;
        pat[u] = s > 0 ? 1 : 0;
      }
      f.unit++;
    }
  }
  return null;
}

/**
 * Under candidate patterns, may frame f take phase p at its current unit? Layer 0 is free; later
 * units follow the trie, whose cursor moves along. A phase off the trie drops the node (counted in
 * `stats.pruned` when given). Without candidates every phase may be taken.
 */
function follow(f: Frame, p: number, cand: PatternTrie | undefined, stats: SearchStats | null): boolean {
  if (!cand || f.layer === 0) return true;
  const next = (f.trie as PatternTrie).c[p];
  if (next === undefined) {
    if (stats) stats.pruned++;
    return false;
  }
  f.trie = next;
  return true;
}

interface Side {
  value: number; // min (inactive side) or max (active side) of z over the node
  point: Float64Array; // a node point attaining a value beyond the margin
  failed: boolean;
}

function lpPoint(r: LpResult, w: Float64Array, m: Float64Array, c: number, sign: number, n: number): Float64Array {
  if (r.status === 'optimal' && r.x) return r.x;
  // unbounded: walk from the witness along the ray far enough past the hyperplane
  const d = r.ray as Float64Array;
  const s = dotPlus(m, w, c, n);
  const md = dotPlus(m, d, 0, n);
  const t = Math.abs((sign * 1 - s) / md) + 1;
  return Float64Array.from(w, (v, i) => v + t * d[i]);
}

function sideMin(stack: RowStack, m: Float64Array, c: number, w: Float64Array, stats: SearchStats, n: number, lpo?: LpMode): Side {
  const r = minimizeRows(stack, m.slice(), lpo);
  stats.lps++;
  if (r.status === 'optimal') return { value: (r.objective as number) + c, point: r.x as Float64Array, failed: false };
  if (r.status === 'unbounded' && r.ray) return { value: -Infinity, point: lpPoint(r, w, m, c, -1, n), failed: false };
  return { value: -Infinity, point: w, failed: true };
}

function sideMax(stack: RowStack, m: Float64Array, c: number, w: Float64Array, stats: SearchStats, n: number, lpo?: LpMode): Side {
  const r = minimizeRows(stack, m.map((v) => -v), lpo);
  stats.lps++;
  if (r.status === 'optimal') return { value: -(r.objective as number) + c, point: r.x as Float64Array, failed: false };
  if (r.status === 'unbounded' && r.ray) return { value: Infinity, point: lpPoint(r, w, m, c, 1, n), failed: false };
  return { value: Infinity, point: w, failed: true };
}

function makeChild(f: Frame, phase: 0 | 1, row: Row, witness: Float64Array | null, rowCount: number, n: number): Frame {
  const patterns = f.patterns.slice();
  const cur = patterns[f.layer].slice();
  cur[f.unit] = phase;
  patterns[f.layer] = cur;
  const lo = f.lo.slice(), hi = f.hi.slice();
  tightenBox(row.a, row.b, lo, hi, n);
  const child: Frame = { layer: f.layer, unit: f.unit + 1, rowCount, pending: [row], patterns, M: f.M, c: f.c, lo, hi, witness };
  if (f.closed) child.closed = Uint8Array.from(f.closed);
  if (f.trie) child.trie = f.trie; // follow() moves it to the child's phase
  return child;
}

function isAxisRow(a: Float64Array): boolean {
  let nz = 0;
  for (const v of a) if (v !== 0) nz++;
  return nz === 1;
}

export function dotPlus(m: Float64Array, x: ArrayLike<number>, c: number, n: number): number {
  let s = c;
  for (let j = 0; j < n; j++) s += m[j] * x[j];
  return s;
}

/** Interval of m·x + c over the box [lo, hi] (handles infinite bounds). */
export function intervalOf(m: ArrayLike<number>, c: number, lo: Float64Array, hi: Float64Array, n: number): [number, number] {
  let a = c, b = c;
  for (let j = 0; j < n; j++) {
    const w = m[j];
    if (w > 0) {
      a += w * lo[j];
      b += w * hi[j];
    } else if (w < 0) {
      a += w * hi[j];
      b += w * lo[j];
    }
  }
  return [a, b];
}

/** Bound propagation of a·x <= b into the box (each coordinate against the others' extremes). */
export function tightenBox(a: Float64Array, b: number, lo: Float64Array, hi: Float64Array, n: number): void {
  let finiteMin = 0, infCount = 0, infIndex = -1;
  for (let j = 0; j < n; j++) {
    const w = a[j];
    if (w === 0) continue;
    const v = w > 0 ? w * lo[j] : w * hi[j];
    if (v === -Infinity) {
      infCount++;
      infIndex = j;
    } else finiteMin += v;
  }
  if (infCount > 1) return;
  for (let j = 0; j < n; j++) {
    const w = a[j];
    if (w === 0) continue;
    let rest: number;
    const own = w > 0 ? w * lo[j] : w * hi[j];
    if (infCount === 1) {
      if (infIndex !== j) continue;
      rest = finiteMin;
    } else rest = finiteMin - own;
    const bound = (b - rest) / w;
    // widen by a relative hair so rounding never cuts off feasible points
    const pad = 1e-12 * (1 + Math.abs(bound));
    if (w > 0) { if (bound + pad < hi[j]) hi[j] = Math.max(lo[j], bound + pad); }
    else if (bound - pad > lo[j]) lo[j] = Math.min(hi[j], bound - pad);
  }
}

/** Pre-activation map of the first layer in its own input coordinates: W x + b. */
export function inputLayerMap(layer: Layer): { M: Float64Array; c: Float64Array } {
  return { M: layer.weights.slice(), c: layer.bias.slice() };
}

let actScratch = new Int32Array(64);

/**
 * The next layer's pre-activation map, with this layer's ReLU fixed to `pattern`. `alloc` gives
 * the (zero-filled) output arrays: the vertex search passes views into a slab (src/util/slab.ts).
 */
export function layerMapAfter(cur: Layer, pattern: Uint8Array, next: Layer, M: Float64Array, c: Float64Array, n: number, alloc: (len: number) => Float64Array = (len) => new Float64Array(len)): { M: Float64Array; c: Float64Array } {
  const k = cur.outSize, m = next.outSize, W = next.weights;
  // only the units that pass their value contribute: W[:, act] M[act, :]
  if (actScratch.length < k) actScratch = new Int32Array(2 * k);
  const act = actScratch;
  let na = 0;
  for (let j = 0; j < k; j++) if (cur.activation !== 'relu' || pattern[j]) act[na++] = j;
  const Mo = alloc(m * n), co = alloc(m);
  co.set(next.bias);
  for (let i = 0; i < m; i++) {
    const r = i * k, o = i * n;
    let ci = co[i];
    // unit by unit, each weight loaded once; every entry still sums its terms in the order q = 0, 1, ...
    for (let q = 0; q < na; q++) {
      const a = act[q], w = W[r + a];
      ci += w * c[a];
      const src = a * n;
      for (let t = 0; t < n; t++) Mo[o + t] += w * M[src + t];
    }
    co[i] = ci;
  }
  return { M: Mo, c: co };
}

/**
 * Can the node's box still reach the target? Interval propagation from the current layer (its
 * decided units exact, undecided ones relaxed) to the target layer, then each part's rows.
 */
export function targetReachable(layers: Layer[], f: Pick<Frame, 'layer' | 'unit' | 'patterns' | 'M' | 'c' | 'lo' | 'hi'>, target: TargetSet, n: number): boolean {
  const L = layers[f.layer];
  const last = layers.length - 1;
  let lo = new Float64Array(L.outSize), hi = new Float64Array(L.outSize);
  const pat = f.patterns[f.layer];
  const preactTarget = target.on === 'preactivation';
  for (let i = 0; i < L.outSize; i++) {
    const [a, b] = intervalOf(f.M.subarray(i * n, i * n + n), f.c[i], f.lo, f.hi, n);
    if (f.layer === last && preactTarget) {
      lo[i] = a;
      hi[i] = b;
    } else if (L.activation !== 'relu') {
      lo[i] = a;
      hi[i] = b;
    } else if (i < f.unit) {
      lo[i] = pat[i] ? Math.max(0, a) : 0;
      hi[i] = pat[i] ? Math.max(0, b) : 0;
    } else {
      lo[i] = Math.max(0, a);
      hi[i] = Math.max(0, b);
    }
  }
  for (let k = f.layer + 1; k <= last; k++) {
    const l = layers[k];
    const nlo = new Float64Array(l.outSize), nhi = new Float64Array(l.outSize);
    for (let i = 0; i < l.outSize; i++) {
      let a = l.bias[i], b = l.bias[i];
      for (let j = 0; j < l.inSize; j++) {
        const w = l.weights[i * l.inSize + j];
        if (w > 0) { a += w * lo[j]; b += w * hi[j]; }
        else if (w < 0) { a += w * hi[j]; b += w * lo[j]; }
      }
      const clamp = l.activation === 'relu' && !(k === last && preactTarget);
      nlo[i] = clamp ? Math.max(0, a) : a;
      nhi[i] = clamp ? Math.max(0, b) : b;
    }
    lo = nlo;
    hi = nhi;
  }
  const cols = target.cols;
  return target.parts.some((p) => {
    for (let r = 0; r < p.rows; r++) {
      const [a] = intervalOf(p.T.subarray(r * cols, r * cols + cols), 0, lo, hi, cols);
      if (a > p.t[r] + 1e-9 * (1 + Math.abs(p.t[r]))) return false;
    }
    for (let r = 0; r < p.eqRows; r++) {
      const [a, b] = intervalOf(p.E.subarray(r * cols, r * cols + cols), 0, lo, hi, cols);
      const tol = 1e-9 * (1 + Math.abs(p.e[r]));
      if (a > p.e[r] + tol || b < p.e[r] - tol) return false;
    }
    return true;
  });
}

/** Target-aware pruning of the LP search: intervals, then symbolic bounds over the node's bounding box. */
function lpReachable(layers: Layer[], f: Frame, target: TargetSet, n: number, stack: RowStack, stats: SearchStats, dom?: DomainBounds, lpo?: LpMode): boolean {
  const ok = nodeReachable(layers, f, target, n, stack, stats, dom, lpo);
  if (!ok && verifyTuning.onPrune) verifyTuning.onPrune(stack.rows.concat(f.pending), f.lo, f.hi, layers);
  return ok;
}

function nodeReachable(layers: Layer[], f: Frame, target: TargetSet, n: number, stack: RowStack, stats: SearchStats, dom?: DomainBounds, lpo?: LpMode): boolean {
  const global = dom?.bounds;
  if (target.description.kind === 'partition') return true;
  if (!targetReachable(layers, f, target, n)) return false;
  if (!f.lo.every(Number.isFinite) || !f.hi.every(Number.isFinite)) return true;
  // verification in high dimension: the node's rows (the stack's and the frame's pending ones)
  // go straight to the box dual simplex, without entering the general solver's session
  const fastRows = lpo?.fast && stack.rows.every((r) => r.kind === 'ineq') && f.pending.every((r) => r.kind === 'ineq') ? scaleRows(n, stack.rows.concat(f.pending)) : null;
  const box = stack.box;
  const fastMin = (a: Float64Array, c: number, need = Infinity): number | null => {
    if (!fastRows) return null;
    // stop once the bound certainly settles `need` (with room for the margin below)
    const stop = need < Infinity ? need - c + 4e-9 * (1 + Math.abs(need - c)) : Infinity;
    const r = solveBoxLp(n, fastRows, box.lower as Float64Array, box.upper as Float64Array, a, undefined, stop);
    stats.lps++;
    if (r.status === 'infeasible') return Infinity;
    if (r.status !== 'optimal' && r.status !== 'above') return null;
    return r.bound + c - 1e-9 * (1 + Math.abs(r.bound));
  };
  // the back-substituted target rows are bounded exactly over the node by a warm LP
  const exact: Range = (a, c, need) => {
    const v = fastMin(a, c, need);
    if (v !== null) return [v, Infinity];
    const size = stack.size;
    for (const r of f.pending) stack.push(r);
    const res = stack.minimize(a, lpo?.opts);
    stats.lps++;
    stack.truncate(size);
    if (res.status === 'optimal') return [(res.objective as number) + c - 1e-9 * (1 + Math.abs(res.objective as number)), Infinity];
    if (res.status === 'infeasible') return [Infinity, Infinity];
    return [-Infinity, Infinity];
  };
  // and so are the linear bounds of units still crossing zero (per-node intermediate bounds)
  const tight: TightBound | undefined = fastRows && global && verifyTuning.nodeTightening && verifyTuning.tightUnits > 0 ? (a, c) => fastMin(a, c, 0) ?? -Infinity : undefined;
  // verification: parts proven unreachable stay closed below this node
  if (global && !f.closed) f.closed = new Uint8Array(target.parts.length);
  return symbolicReachable(layers, f, target, n, boxRange(f.lo, f.hi, n), undefined, exact, global, global ? f.closed : undefined, dom?.slopes, tight && { bound: tight, units: verifyTuning.tightUnits });
}

/** How the LP search of a verification run in high dimension solves its LPs. */
interface LpMode {
  /** Options of the general solver (ladder.ts). */
  opts?: LpOptions;
  /** Try the box dual simplex first (the stack's variable bounds are a finite box). */
  fast: boolean;
}

function boxBounded(stack: RowStack): boolean {
  const { lower, upper } = stack.box;
  return !!lower && !!upper && lower.every(Number.isFinite) && upper.every(Number.isFinite);
}

/**
 * min c·x over the stack's rows: with `mode.fast` and inequality rows only, by the box dual
 * simplex (src/lp/box-dual.ts), whose objective is then its certified lower bound (below the
 * minimum by at most its rounding allowance and 1e-7 relative: the callers' margins cover
 * both) and whose `infeasible` is certified; when it fails, or otherwise, by the general solver.
 */
function minimizeRows(stack: RowStack, c: Float64Array, mode?: LpMode): LpResult {
  if (mode?.fast && stack.rows.every((r) => r.kind === 'ineq')) {
    const box = stack.box;
    const r = solveBoxLp(stack.n, stack.rows, box.lower as Float64Array, box.upper as Float64Array, c);
    if (r.status === 'optimal') return { status: 'optimal', x: r.x, objective: r.bound, iterations: r.iterations };
    if (r.status === 'infeasible') return { status: 'infeasible', iterations: r.iterations };
  }
  return stack.minimize(c, mode?.opts);
}

/**
 * Switches of the verification search's per-node work, for tests and measurements (they act in
 * the thread that sets them; the defaults are what verification runs use).
 */
export const verifyTuning: {
  /** Per-node intermediate bounds by LP (bounds.ts, symbolicReachable's `tight`). */
  nodeTightening: boolean;
  /** Units of each layer, by index, whose bounds are tightened per node (the reordered network puts the weightiest crossing units first). */
  tightUnits: number;
  /**
   * Called with the rows and box of every node that target-aware pruning drops, in the search's
   * coordinates, and the search's layers (whose first layer reads those coordinates; tests: the
   * region must hold no target point).
   */
  onPrune?: (rows: Row[], lo: Float64Array, hi: Float64Array, layers: Layer[]) => void;
} = { nodeTightening: true, tightUnits: 64 };

/** Lower-slope optimisation steps per unit for the search's domain bounds (bounds.ts). */
const DOMAIN_ALPHA_ITERS = 6;

/** Optimisation steps of the target rows' lower slopes over the domain (as the root bounds in verify.ts). */
const ROW_ALPHA_ITERS = 40;

/** What a verification search knows over the whole domain box. */
interface DomainBounds {
  /** Pre-activation bounds of every layer. */
  bounds: UnitBounds;
  /** Per target part and row: the lower slopes that optimised the row's bound over the box (bounds.ts). */
  slopes?: RowSlopes;
}

/** Unit bounds of the domain box, per layer list (computed once per thread and problem), and target rows' slopes per target. */
const boundCache = new WeakMap<Layer[], { lo: Float64Array; hi: Float64Array; bounds: UnitBounds; slopes: Map<string, RowSlopes> }[]>();

/**
 * Pre-activation bounds of every layer over the domain's box (the stack's variable bounds; else
 * the smallest box holding every frame's box: each frame's region, and all of its subtree, lies
 * in its box): CROWN bounds with optimised slopes (bounds.ts), cached per layer list and box;
 * with a linear target layer, each target row's optimised lower slopes over that box too (cached
 * per target rows). Undefined when the box is unbounded.
 */
function domainBounds(layers: Layer[], frames: Frame[], stack: RowStack, n: number, target: TargetSet): DomainBounds | undefined {
  if (frames.length === 0) return undefined;
  let lo: Float64Array, hi: Float64Array;
  const box = stack.box;
  if (box.lower && box.upper) {
    lo = box.lower;
    hi = box.upper;
  } else {
    lo = Float64Array.from(frames[0].lo);
    hi = Float64Array.from(frames[0].hi);
    for (const f of frames) {
      for (let j = 0; j < n; j++) {
        if (f.lo[j] < lo[j]) lo[j] = f.lo[j];
        if (f.hi[j] > hi[j]) hi[j] = f.hi[j];
      }
    }
  }
  if (!lo.every(Number.isFinite) || !hi.every(Number.isFinite)) return undefined;
  let list = boundCache.get(layers);
  if (!list) boundCache.set(layers, (list = []));
  let entry = list.find((e) => {
    for (let j = 0; j < n; j++) if (lo[j] < e.lo[j] || hi[j] > e.hi[j]) return false;
    return true;
  });
  if (!entry) {
    entry = { lo: Float64Array.from(lo), hi: Float64Array.from(hi), bounds: crownBounds(layers, lo, hi, DOMAIN_ALPHA_ITERS), slopes: new Map() };
    list.push(entry);
    if (list.length > 8) list.shift();
  }
  const K = layers.length - 1;
  // the slopes are optimised for the box of the entry (a superset of this one's: still sound)
  if (layers[K].activation === 'relu' || target.on === 'preactivation' || n < 50) return { bounds: entry.bounds };
  const key = target.parts.map((p) => `${Array.from(p.T).join(',')};${Array.from(p.t).join(',')}`).join('|');
  let slopes = entry.slopes.get(key);
  if (!slopes) {
    const e = entry;
    slopes = target.parts.map((p) => Array.from({ length: p.rows }, (_, r) => optimizedRowSlopes(layers, K, Float64Array.from(p.T.subarray(r * target.cols, (r + 1) * target.cols)), e.lo, e.hi, e.bounds, ROW_ALPHA_ITERS).alpha));
    entry.slopes.set(key, slopes);
  }
  return { bounds: entry.bounds, slopes };
}

/** Leaf: intersect with each target part (made disjoint) and classify. */
function* finishLeaf(f: Frame, stack: RowStack, target: TargetSet, stats: SearchStats, n: number, lpo?: LpMode): Generator<RawPiece> {
  const L = f.M.length / n;
  const pat = f.patterns[f.layer];
  // map to the target layer's values (post-activation unless the target is on pre-activations)
  const M = f.M.slice(), c = f.c.slice();
  if (target.on === 'activity') {
    for (let i = 0; i < L; i++) if (!pat[i]) { M.fill(0, i * n, i * n + n); c[i] = 0; }
  }
  const cols = target.cols;
  const partRows = target.parts.map((p) => composeRows(p, M, c, cols, n));
  let found = 0;
  for (let j = 0; j < target.parts.length; j++) {
    if (target.forcedPattern) {
      // point target: rows already on the stack
      const cl = classify(stack.toPolyhedron(), stats);
      if (cl.cls === 'empty') break;
      found++;
      yield leafPiece(f, j, cl, M, c, L);
      continue;
    }
    for (const extra of target.interiorDisjoint ? [partRows[j]] : disjointRows(partRows, j)) {
      if (!quickFeasible(stack, extra, f.witness, stats, n, lpo)) continue;
      const cl = classify(stack.toPolyhedron(extra), stats);
      if (cl.cls === 'empty' || cl.witness === null) continue;
      found++;
      yield leafPiece(f, j, cl, M, c, L);
    }
  }
  if (found === 0) stats.emptyLeaves++;

  function leafPiece(fr: Frame, part: number, cl: ReturnType<typeof classify>, Mt: Float64Array, ct: Float64Array, rows: number): RawPiece {
    stats.pieces++;
    if (cl.cls === 'thin') stats.thinPieces++;
    return { pattern: fr.patterns.map((p) => Uint8Array.from(p)), part, P: cl.P, cls: cl.cls as Exclude<DimensionClass, 'empty'>, dim: cl.dim, witness: cl.witness as Float64Array, radius: cl.radius, M: Mt, c: ct, rows };
  }
}

/**
 * Cheap emptiness test before the Chebyshev LP: the witness satisfying the extra rows proves
 * non-emptiness; otherwise one warm-started feasibility LP with the rows pushed on the stack.
 */
function quickFeasible(stack: RowStack, extra: Row[], w: Float64Array | null, stats: SearchStats, n: number, lpo?: LpMode): boolean {
  if (w && extra.every((r) => r.kind === 'ineq' && dotPlus(r.a, w, -r.b, n) < 0)) return true;
  const size = stack.size;
  for (const r of extra) stack.push(r);
  const res = minimizeRows(stack, new Float64Array(n), lpo && { fast: lpo.fast });
  stats.lps++;
  stack.truncate(size);
  return res.status !== 'infeasible';
}

/** A target part's rows in result coordinates: T (M x + c) <= t and E (M x + c) = e. */
export function composeRows(p: TargetSet['parts'][number], M: Float64Array, c: Float64Array, cols: number, n: number): Row[] {
  const out: Row[] = [];
  const one = (R: Float64Array, r: number, rhs: number, kind: 'ineq' | 'eq') => {
    const a = new Float64Array(n);
    let b = rhs;
    for (let i = 0; i < cols; i++) {
      const w = R[r * cols + i];
      if (w === 0) continue;
      b -= w * c[i];
      for (let t = 0; t < n; t++) a[t] += w * M[i * n + t];
    }
    out.push({ a, b, kind });
  };
  for (let r = 0; r < p.rows; r++) one(p.T, r, p.t[r], 'ineq');
  for (let r = 0; r < p.eqRows; r++) one(p.E, r, p.e[r], 'eq');
  return out;
}

/**
 * Row sets whose union is part j minus parts 0..j-1 (so that pieces of different parts never
 * overlap): for each earlier part, one of its rows is violated (the first violated row r: rows
 * before r hold, row r is reversed).
 */
export function* disjointRows(parts: Row[][], j: number): Generator<Row[]> {
  function* rec(i: number, acc: Row[]): Generator<Row[]> {
    if (i === j) {
      yield acc.concat(parts[j]);
      return;
    }
    const rows = parts[i];
    const held: Row[] = [];
    for (const r of rows) {
      if (r.kind === 'eq') {
        // an equality is violated on either side
        yield* rec(i + 1, acc.concat(held, [{ a: r.a.map((v) => -v), b: -r.b, kind: 'ineq' }]));
        yield* rec(i + 1, acc.concat(held, [{ a: r.a, b: r.b, kind: 'ineq' }]));
      } else {
        yield* rec(i + 1, acc.concat(held, [{ a: r.a.map((v) => -v), b: -r.b, kind: 'ineq' }]));
      }
      held.push(r);
    }
  }
  yield* rec(0, []);
}
