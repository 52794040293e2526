/**
 * The vertex search: the same depth-first search over activation patterns as search.ts, for
 * bounded full-dimensional box domains in low dimension, with every node kept as a polytope in
 * V-representation (src/polyhedra/vpoly.ts). A unit's sign over a node is read off the vertices
 * exactly (no LP, no interval looseness); a split is one double-description step; the leaves'
 * vertices give facets, witnesses and volumes directly. Same pieces, same order, same margin
 * rule as the LP search.
 */
import type { Layer } from '../network/types.js';
import { TOL } from '../tolerance.js';
import { activeFacets, boxVPoly, splitVPoly, vertexCentroid, vertexValues, type VPoly } from '../polyhedra/vpoly.js';
import type { HPolyhedron } from '../polyhedra/types.js';
import type { DomainSet } from './domain.js';
import type { Row } from './rows.js';
import { symbolicReachable, vertexRange } from './bounds.js';
import type { TargetSet } from './target.js';
import { addSlack, relaxTarget, sliverGains } from './sliver-slack.js';
import { Slab } from '../util/slab.js';
import { stopReason, splitDue, composeRows, disjointRows, inputLayerMap, layerMapAfter, targetReachable, type RawPiece, type SearchControl, type SearchEnd, type SearchStats, type StopReason } from './search.js';


/** Can the vertex search handle this problem? (bounded full-dimensional box, low dimension, no equalities) */
// leaf maps and facet rows: views into shared blocks (src/util/slab.ts says why)
const slab = new Slab();
const slabF64 = (len: number) => slab.f64(len);

export function vertexSearchApplies(domain: DomainSet, target: TargetSet, maxDim = 6): boolean {
  if (domain.description.kind !== 'box' || !domain.bounded || domain.n > maxDim || domain.n < 1) return false;
  for (let i = 0; i < domain.n; i++) if (!(domain.hi[i] - domain.lo[i] > 0)) return false;
  if (target.forcedPattern) return target.forcedPattern.every((v) => v === 0);
  return target.parts.every((p) => p.eqRows === 0);
}

function boundingBox(P: VPoly): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(P.n).fill(Infinity), hi = new Float64Array(P.n).fill(-Infinity);
  for (let i = 0; i < P.nv; i++) {
    for (let j = 0; j < P.n; j++) {
      const v = P.X[i * P.n + j];
      if (v < lo[j]) lo[j] = v;
      if (v > hi[j]) hi[j] = v;
    }
  }
  return { lo, hi };
}

/** A node of the vertex search (plain data: it crosses worker boundaries by structured clone). */
export interface VFrame {
  layer: number;
  unit: number;
  poly: VPoly;
  patterns: Uint8Array[];
  M: Float64Array;
  c: Float64Array;
  /**
   * Sliver slack (src/preimage/sliver-slack.ts), one entry per target coordinate: how far the
   * search's map may be from the network on this node because of sliver decisions above it.
   * Only with SearchControl.sliverSlack; absent means zero.
   */
  slack?: Float64Array;
}

/** The root node of the vertex search over a box domain. */
export function rootVertexFrame(layers: Layer[], domain: DomainSet): VFrame {
  return { layer: 0, unit: 0, poly: boxVPoly(domain.lo, domain.hi), patterns: [new Uint8Array(layers[0].outSize)], ...inputLayerMap(layers[0]) };
}

export function* vertexSearchPieces(layers: Layer[], domain: DomainSet, target: TargetSet, stats: SearchStats, control: SearchControl = {}): Generator<RawPiece, StopReason> {
  stats.nodes++;
  const end = yield* vertexSearchFrom([rootVertexFrame(layers, domain)], layers, domain.n, target, stats, control);
  return end === 'split' ? null : end;
}

/**
 * Depth-first search below the given frames (processed last to first, as a stack). The array is
 * consumed in place: after an early end (a stop reason, or `split`, see splitDue) it holds the
 * remaining work.
 */
export function* vertexSearchFrom(frames: VFrame[], layers: Layer[], n: number, target: TargetSet, stats: SearchStats, control: SearchControl = {}): Generator<RawPiece, SearchEnd> {
  const progress = { last: performance.now() };
  const ctx = advanceContext(layers, target, stats, n, frames, control.sliverSlack === true);
  while (frames.length > 0) {
    const stop = stopReason(control, stats, progress);
    if (stop) return stop;
    if (splitDue(control, stats, frames.length)) return 'split';
    const f = frames.pop() as VFrame;
    // the hot loop lives in a plain function: generator frames are slow to optimise
    if (advanceVertex(f, ctx)) yield* finishVertexLeaf(f, frameTarget(f, target), stats, n, ctx.gains !== null);
  }
  return null;
}

/**
 * Does the vertex search skip target pruning for this problem? Class partitions cover every
 * output: pruning could never fire. With one hidden layer a class target is wide and the leaf test
 * comes right after the hidden layer: interval pruning fired on 2 of ~600 nodes of VerticalCAS and
 * cost a third of the search (measured), so it is skipped.
 */
export function vertexSearchSkipsPruning(layers: Layer[], target: TargetSet): boolean {
  const kind = target.description.kind;
  return kind === 'partition' || (kind === 'class' && layers.length <= 2);
}

/** Does each node of the vertex search cost a symbolic-bound evaluation (about 3 ms on ACAS Xu instead of 0.1 ms)? */
export function vertexNodesCostBounds(layers: Layer[], target: TargetSet): boolean {
  return !vertexSearchSkipsPruning(layers, target) && layers.length > 2;
}

function advanceContext(layers: Layer[], target: TargetSet, stats: SearchStats, n: number, frames: VFrame[], slack = false): AdvanceContext {
  const alwaysReachable = vertexSearchSkipsPruning(layers, target);
  return { layers, target, stats, n, last: layers.length - 1, alwaysReachable, frames, h: new Float64Array(64), gains: slack ? sliverGains(layers) : null };
}

interface AdvanceContext {
  layers: Layer[];
  target: TargetSet;
  stats: SearchStats;
  n: number;
  last: number;
  alwaysReachable: boolean;
  frames: VFrame[];
  /** Scratch for vertex values. */
  h: Float64Array<ArrayBufferLike>;
  /** Sliver gains when slivers are accounted by slack instead of counted (sliver-slack.ts). */
  gains: Float64Array[] | null;
}

/** The target a frame must meet: relaxed by its sliver slack, if any. */
function frameTarget(f: VFrame, target: TargetSet): TargetSet {
  return f.slack ? relaxTarget(target, f.slack) : target;
}

/**
 * Decides units of frame f until a split (children pushed on ctx.frames; returns false), a
 * prune (false) or a leaf (true: f's patterns are complete).
 */
function advanceVertex(f: VFrame, ctx: AdvanceContext): boolean {
  const { layers, target, stats, n, last, alwaysReachable, frames } = ctx;
    let bbox: { lo: Float64Array; hi: Float64Array } | null = null;
  let bboxOf: VPoly | null = null;
  for (;;) {
    const L = layers[f.layer];
    const isTarget = f.layer === last;
    const relu = L.activation === 'relu' && !(isTarget && target.on === 'preactivation');
    if (f.unit === L.outSize || !relu) {
      const pat = f.patterns[f.layer];
      if (!relu) pat.fill(1);
      if (isTarget) {
        return true;
      }
      const next = layerMapAfter(L, pat, layers[f.layer + 1], f.M, f.c, n, slabF64);
      f.layer++;
      f.unit = 0;
      f.M = next.M;
      f.c = next.c;
      f.patterns = f.patterns.concat([new Uint8Array(layers[f.layer].outSize)]);
      if (!alwaysReachable && !reachable(layers, f, frameTarget(f, target), n)) {
        stats.pruned++;
        return false;
      }
      continue;
    }
    const u = f.unit;
    // the unit's row is read at offset `ro` of f.M: a subarray view per unit tested cost an allocation each
    const Mf = f.M, ro = u * n;
    const cu = f.c[u];
    if (!isTarget || !target.forcedPattern) {
      // cheap: the interval over the node's bounding box, then the exact range over its vertices
      if (bbox === null || bboxOf !== f.poly) { bbox = boundingBox(f.poly); bboxOf = f.poly; }
      let ilo = cu, ihi = cu, an = 0;
      for (let j = 0; j < n; j++) {
        const w = Mf[ro + j];
        an += w * w;
        if (w > 0) { ilo += w * bbox.lo[j]; ihi += w * bbox.hi[j]; } else { ilo += w * bbox.hi[j]; ihi += w * bbox.lo[j]; }
      }
      if (ihi <= 0 || ilo >= 0) {
        f.patterns[f.layer][u] = ilo >= 0 && ihi > 0 ? 1 : 0;
        stats.boundDecided++;
        f.unit++;
        continue;
      }
      const eps = TOL.FULL_DIM_RADIUS * Math.sqrt(an);
      const P = f.poly, X = P.X;
      if (ctx.h.length < P.nv) ctx.h = new Float64Array(2 * P.nv);
      const h = ctx.h;
      let vmin = Infinity, vmax = -Infinity;
      for (let i = 0; i < P.nv; i++) {
        let v = cu;
        const o = i * n;
        for (let j = 0; j < n; j++) v += Mf[ro + j] * X[o + j];
        h[i] = v;
        if (v < vmin) vmin = v;
        if (v > vmax) vmax = v;
      }
      if (vmax <= eps || vmin >= -eps) {
        const off = vmax <= eps ? Math.max(vmax, 0) : -Math.min(vmin, 0);
        if (off > 0) {
          // the thin side is merged: its activity is off by at most `off` (account for it, or count it)
          if (ctx.gains) {
            f.slack = addSlack(f.slack, ctx.gains, f.layer, u, off, target.cols);
            stats.sliversBounded++;
          } else stats.slivers++;
        }
        f.patterns[f.layer][u] = vmax <= eps ? 0 : 1;
        stats.vertexDecided++;
        f.unit++;
        continue;
      }
    }
    // the decision loop above left the vertex values in ctx.h (the forced case computes them here)
    if (ctx.h.length < f.poly.nv) ctx.h = new Float64Array(2 * f.poly.nv);
    const a = Mf.subarray(ro, ro + n);
    const vals = isTarget && target.forcedPattern ? vertexValues(f.poly, a, cu, ctx.h) : ctx.h;
    if (isTarget && target.forcedPattern) {
      // point target with every unit inactive: keep the side z <= 0
      const sp = splitVPoly(f.poly, a, cu, vals, 'neg'); // a: a row of f.M, which is never written
      if (sp.sliver) stats.slivers++;
      if (!sp.neg) {
        stats.pruned++;
        return false;
      }
      f.poly = sp.neg;
      f.patterns[f.layer][u] = 0;
      f.unit++;
      continue;
    }
    const sp = splitVPoly(f.poly, a, cu, vals);
    if (sp.sliver) stats.slivers++;
    if (sp.neg && sp.pos) {
      stats.splits++;
      stats.nodes += 2;
      const child = (poly: VPoly, phase: 0 | 1): VFrame => {
        const patterns = f.patterns.slice();
        const cur = patterns[f.layer].slice(); // typed-array slice: .from() iterates (slow)
        cur[u] = phase;
        patterns[f.layer] = cur;
        const c: VFrame = { layer: f.layer, unit: u + 1, poly, patterns, M: f.M, c: f.c };
        if (f.slack) c.slack = f.slack;
        return c;
      };
      const act = child(sp.pos, 1), inact = child(sp.neg, 0);
      if (alwaysReachable || reachable(layers, act, frameTarget(f, target), n)) frames.push(act);
      else stats.pruned++;
      if (alwaysReachable || reachable(layers, inact, frameTarget(f, target), n)) frames.push(inact);
      else stats.pruned++;
      return false;
    }
    stats.boundDecided++;
    f.patterns[f.layer][u] = sp.pos ? 1 : 0;
    f.unit++;
  }
}

/** Target-aware pruning: interval bounds first (cheap), then symbolic bounds concretised exactly over the vertices. */
function reachable(layers: Layer[], f: VFrame, target: TargetSet, n: number): boolean {
  const box = boundingBox(f.poly);
  if (!targetReachable(layers, { ...f, ...box }, target, n)) return false;
  // a single hidden layer: the leaf's exact test comes soon and costs less than symbolic bounds
  if (layers.length <= 2) return true;
  return symbolicReachable(layers, f, target, n, vertexRange(f.poly.X, f.poly.nv, n), box);
}

/** The polytope's non-redundant facets as an H-polyhedron. */
export function vpolyToH(P: VPoly): HPolyhedron {
  const facets = activeFacets(P);
  const n = P.n;
  const A = slab.f64(facets.length * n), b = slab.f64(facets.length);
  facets.forEach((f, i) => {
    A.set(P.facetA[f], i * n);
    b[i] = P.facetB[f];
  });
  return { n, m: facets.length, A, b, meq: 0, Aeq: new Float64Array(0), beq: new Float64Array(0) };
}

/** Radius of the largest ball around x inside P's facets (a lower bound of the inradius). */
function innerRadius(P: HPolyhedron, x: Float64Array): number {
  let r = Infinity;
  for (let i = 0; i < P.m; i++) {
    let s = P.b[i], nn = 0;
    for (let j = 0; j < P.n; j++) {
      s -= P.A[i * P.n + j] * x[j];
      nn += P.A[i * P.n + j] ** 2;
    }
    r = Math.min(r, s / Math.sqrt(nn));
  }
  return r;
}

function* finishVertexLeaf(f: VFrame, target: TargetSet, stats: SearchStats, n: number, keepThin = false): Generator<RawPiece> {
  yield* leafPieces(f, target, stats, n, keepThin);
}

/** The pieces of a leaf (one per target part met). A plain function: generators optimise poorly. */
function leafPieces(f: VFrame, target: TargetSet, stats: SearchStats, n: number, keepThin: boolean): RawPiece[] {
  const L = f.M.length / n;
  const pat = f.patterns[f.layer];
  const M = slab.f64(f.M.length), c = slab.f64(L);
  M.set(f.M);
  c.set(f.c);
  if (target.on === 'activity') {
    for (let i = 0; i < L; i++) if (!pat[i]) { M.fill(0, i * n, i * n + n); c[i] = 0; }
  }
  const out: RawPiece[] = [];
  if (target.forcedPattern) {
    out.push(leafPiece(f, f.poly, 0, M, c, stats, n));
    return out;
  }
  // the parts' rows on this leaf (the map is affine here); fast path: a convex piece whose
  // vertices all satisfy a part lies in it
  // (composed on first use: a leaf inside one part needs only the rows of the parts before it)
  const composed: (Row[] | undefined)[] = new Array(target.parts.length);
  const partRows = (j: number): Row[] => (composed[j] ??= composeRows(target.parts[j], M, c, target.cols, n));
  if (target.interiorDisjoint || target.parts.length === 1) {
    const j = wholePart(f.poly, target, partRows);
    if (j >= 0) {
      out.push(leafPiece(f, f.poly, j, M, c, stats, n));
      return out;
    }
  }
  for (let j = 0; j < target.parts.length; j++) partRows(j);
  const allRows = composed as Row[][];
  for (let j = 0; j < target.parts.length; j++) {
    // one part, or parts with disjoint interiors: the part's own rows (disjointRows would copy them)
    const pieces = target.interiorDisjoint || target.parts.length === 1 ? [allRows[j]] : disjointRows(allRows, j);
    for (const extra of pieces) {
      const poly = cutAll(f.poly, extra, stats, keepThin);
      if (poly) out.push(leafPiece(f, poly, j, M, c, stats, n));
    }
  }
  if (out.length === 0) stats.emptyLeaves++;
  return out;
}

function leafPiece(f: VFrame, poly: VPoly, part: number, M: Float64Array, c: Float64Array, stats: SearchStats, n: number): RawPiece {
  stats.pieces++;
  const P = vpolyToH(poly);
  const witness = vertexCentroid(poly);
  const radius = innerRadius(P, witness);
  const thin = !(radius > TOL.FULL_DIM_RADIUS);
  if (thin) stats.thinPieces++;
  // the leaf's pattern arrays are complete and never written again: shared, not copied; the
  // vertices stay in `vpoly` (finishPiece reads them there when it needs them)
  return { pattern: f.patterns.slice(), part, P, cls: thin ? 'thin' : 'full', dim: n, witness, radius, M, c, rows: M.length / n, vpoly: poly };
}

/** The index of a target part containing every vertex of P (so all of P), or -1. */
function wholePart(P: VPoly, target: TargetSet, partRows: (j: number) => Row[]): number {
  const { n, nv, X } = P;
  parts: for (let j = 0; j < target.parts.length; j++) {
    if (target.parts[j].eqRows > 0) continue;
    for (const r of partRows(j)) {
      const a = r.a;
      for (let v = 0; v < nv; v++) {
        let s = -r.b;
        for (let i = 0; i < n; i++) s += a[i] * X[v * n + i];
        if (s > 0) continue parts;
      }
    }
    return j;
  }
  return -1;
}

/** P ∩ {rows}, or null when it has no interior beyond the margin. */
function cutAll(P: VPoly, rows: Row[], stats: SearchStats, keepThin = false): VPoly | null {
  let cur: VPoly = P;
  for (const r of rows) {
    // a·x <= b is the side h <= 0 of h = a·x - b
    const sp = splitVPoly(cur, r.a, -r.b, undefined, 'neg');
    if (!sp.neg) {
      // a thin side meeting the row would be dropped; with keepThin the piece keeps it (a superset:
      // its witness is checked exactly downstream, so nothing outside the target passes for inside)
      if (sp.sliver && keepThin) {
        stats.sliversBounded++;
        continue;
      }
      if (sp.sliver) stats.slivers++;
      return null;
    }
    if (sp.sliver) {
      if (keepThin) stats.sliversBounded++; // P is kept whole: a superset, as above
      else stats.slivers++;
    }
    cur = sp.neg;
  }
  return cur;
}
