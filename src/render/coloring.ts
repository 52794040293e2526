/**
 * Colourings of a slice: by predicted class, by membership in a target's preimage, or by pattern.
 * Each returns convex polygons (sub-polygons of the slice's regions) with one label each, in the
 * slice's plane coordinates, plus counters. Plain data, no DOM.
 *
 * The margin rule is the slice's (src/render/slice.ts): a side of a cutting line thinner than
 * TOL.FULL_DIM_RADIUS in unit rectangle coordinates is not made into a polygon (`stats.slivers`).
 */
import { PreimageError } from '../errors.js';
import type { Network } from '../network/types.js';
import { normalizeTarget, type Target, type TargetSet } from '../preimage/target.js';
import { rawVnnlib } from '../preimage/units.js';
import { TOL } from '../tolerance.js';
import { polygonArea, polygonDepth, splitPolygon } from './polygon.js';
import { sliceLayerMap, type PackedRegions, type Slice, type SlicePart, type SliceRegion } from './slice.js';

/** A convex polygon of a colouring: a part of region `region` with one label. */
export interface LabelledPolygon {
  /** Index of the slice region it is part of. */
  region: number;
  /** Class index (class colouring), target part index or −1 outside (target colouring). */
  label: number;
  /** Vertices, flat [u0, v0, u1, v1, ...], counter-clockwise, plane coordinates. */
  vertices: number[];
  area: number;
}

export interface ColoringStats {
  /** Cuts that made two pieces. */
  splits: number;
  /** Sides of cutting lines thinner than the margin, not made into polygons. */
  slivers: number;
  milliseconds: number;
}

/** Predicted class per polygon; a region where the class changes is split by the tie lines. */
export interface ClassColoring {
  kind: 'class';
  rule: 'argmax' | 'argmin';
  classes: number;
  /** The polygons as objects, made on first access from `packed` (then kept). */
  polygons: LabelledPolygon[];
  /** The same polygons in flat arrays (absent when `polygons` was replaced by the caller). */
  packed?: PackedPolygons;
  /** Total area per class. */
  classAreas: number[];
  stats: ColoringStats;
}

/** A segment of the preimage ∩ plane (lower-dimensional targets). */
export interface LabelledSegment {
  region: number;
  label: number;
  /** Endpoints [u, v]. */
  a: number[];
  b: number[];
}

/** A point of the preimage ∩ plane. */
export interface LabelledPoint {
  region: number;
  label: number;
  p: number[];
}

/**
 * Membership in a target's preimage: polygons inside (label = target part) or outside (−1), and
 * for equality targets (point activities) the segments and points where the preimage meets the plane.
 */
export interface TargetColoring {
  kind: 'target';
  /** The target's description (plain JSON). */
  target: Record<string, unknown>;
  /** Target layer (1-based). */
  layer: number;
  /** Number of target parts. */
  parts: number;
  polygons: LabelledPolygon[];
  segments: LabelledSegment[];
  points: LabelledPoint[];
  /** Area of the polygons inside (all parts). */
  insideArea: number;
  outsideArea: number;
  /** Regions whose pattern at the target layer contradicts a point target's forced pattern. */
  patternExcluded: number;
  stats: ColoringStats & { shortSegments: number };
}

const DELTA = TOL.FULL_DIM_RADIUS;

/** Margin of the line a u + b v + c = 0 in unit rectangle coordinates, in h units. */
function marginOf(slice: Slice, a: number, b: number): number {
  const du = slice.rect.u1 - slice.rect.u0, dv = slice.rect.v1 - slice.rect.v0;
  return DELTA * Math.sqrt(a * du * (a * du) + b * dv * (b * dv));
}

/** Orders outputs: does class i beat class k at value difference d = y_i − y_k under `rule`? */
function beats(rule: 'argmax' | 'argmin', yi: number, yk: number): number {
  return rule === 'argmax' ? yi - yk : yk - yi;
}

/**
 * Colours a slice by predicted class (argmax, or argmin for ACAS Xu advisories). Ties go to the
 * lowest class index, so every point has exactly one class and the polygons tile the rectangle.
 * Reads the slice's packed regions when present (no region objects are made); the polygon
 * objects are made on first access to `polygons` (`packed` holds the same numbers).
 */
export function classColoring(slice: Slice, opts: { rule?: 'argmax' | 'argmin'; reuse?: PackedPolygons } = {}): ClassColoring {
  const t0 = performance.now();
  const rule = opts.rule ?? 'argmax';
  if (rule !== 'argmax' && rule !== 'argmin') throw new PreimageError('BAD_ARGUMENT', `expected rule argmax or argmin, found ${JSON.stringify(rule)}`);
  const m = slice.outputSize;
  const pk = slice.packed ?? packRegions(slice.regions, m);
  const out = new PolygonPool(pk.count + 16, pk.verts.length + 64, opts.reuse);
  const classAreas = new Array<number>(m).fill(0);
  const stats: ColoringStats = { splits: 0, slivers: 0, milliseconds: 0 };
  const sign = rule === 'argmax' ? 1 : -1;
  const { offsets, verts, maps, areas, centroids } = pk;
  const du = slice.rect.u1 - slice.rect.u0, dv = slice.rect.v1 - slice.rect.v0;
  for (let r = 0; r < pk.count; r++) {
    const o = offsets[r], e = offsets[r + 1];
    const mb = r * m * 3;
    // the class at the centroid (lowest index on exact ties)
    const cu = centroids[2 * r], cv = centroids[2 * r + 1];
    let k0 = 0, best = -Infinity;
    for (let j = 0; j < m; j++) {
      const y = sign * (maps[mb + 3 * j] * cu + maps[mb + 3 * j + 1] * cv + maps[mb + 3 * j + 2]);
      if (y > best) { best = y; k0 = j; }
    }
    // fast path: k0 wins (within the margin) at every vertex, hence on the whole polygon
    let whole = true;
    let slivers = 0;
    for (let i = 0; i < m && whole; i++) {
      if (i === k0) continue;
      const a = sign * (maps[mb + 3 * i] - maps[mb + 3 * k0]), b = sign * (maps[mb + 3 * i + 1] - maps[mb + 3 * k0 + 1]), cc = sign * (maps[mb + 3 * i + 2] - maps[mb + 3 * k0 + 2]);
      const eps = DELTA * Math.sqrt(a * du * (a * du) + b * dv * (b * dv));
      let hmax = -Infinity, hmin = Infinity;
      for (let t = o; t < e; t += 2) {
        const h = a * verts[t] + b * verts[t + 1] + cc;
        if (h > hmax) hmax = h;
        if (h < hmin) hmin = h;
      }
      if (hmax > eps) whole = false;
      else if (i < k0 && hmin >= -eps) whole = false; // tied with a lower index over the whole polygon
      else if (hmax > 0) slivers++;
    }
    stats.slivers += slivers;
    if (whole) {
      out.push(r, k0, verts, o, e, areas[r]);
      classAreas[k0] += areas[r];
      continue;
    }
    // slow path: the polygon of each class k = P ∩ {y_i <= y_k (argmax) for i != k}, ties to the lower index
    const P: number[] = [];
    for (let t = o; t < e; t++) P.push(verts[t]);
    for (let k = 0; k < m; k++) {
      let cur: number[] | null = P;
      for (let i = 0; i < m && cur; i++) {
        if (i === k) continue;
        const a = sign * (maps[mb + 3 * i] - maps[mb + 3 * k]), b = sign * (maps[mb + 3 * i + 1] - maps[mb + 3 * k + 1]), cc = sign * (maps[mb + 3 * i + 2] - maps[mb + 3 * k + 2]);
        const eps = marginOf(slice, a, b);
        // a polygon within the margin of the tie line throughout: tied, the lower index keeps it
        let hmax = -Infinity, hmin = Infinity;
        for (let t = 0; t < cur.length; t += 2) {
          const h = a * cur[t] + b * cur[t + 1] + cc;
          if (h > hmax) hmax = h;
          if (h < hmin) hmin = h;
        }
        if (hmax <= eps && hmin >= -eps) {
          if (i < k) cur = null;
          continue;
        }
        const sp = splitPolygon(cur, a, b, cc, eps);
        if (sp.sliver) stats.slivers++;
        if (sp.neg && sp.pos) stats.splits++;
        cur = sp.neg;
      }
      if (cur) {
        const area = polygonArea(cur);
        out.pushArray(r, k, cur, area);
        classAreas[k] += area;
      }
    }
  }
  const packed = out.packed();
  stats.milliseconds = performance.now() - t0;
  return classResult(rule, m, packed, classAreas, stats);
}

/** A ClassColoring around packed polygons; the polygon objects are made on first access. */
function classResult(rule: 'argmax' | 'argmin', m: number, packed: PackedPolygons, classAreas: number[], stats: ColoringStats): ClassColoring {
  const result = { kind: 'class' as const, rule, classes: m, polygons: [] as LabelledPolygon[], packed, classAreas, stats };
  let polygons: LabelledPolygon[] | null = null;
  Object.defineProperty(result, 'polygons', {
    enumerable: true,
    configurable: true,
    get(this: ClassColoring) {
      if (polygons === null) polygons = materializePolygons(packed);
      return polygons;
    },
    set(this: ClassColoring, value: LabelledPolygon[]) {
      polygons = value;
      this.packed = undefined;
    },
  });
  return result;
}

/**
 * The class colouring of a whole slice from the class colourings of its parts (classColoring of
 * each computeSlice part, SliceOptions.part; see mergeSliceParts): the polygons, labels and
 * region numbers of classColoring(mergeSliceParts(parts)), bit for bit; the class areas are summed
 * part by part (the same up to rounding).
 */
export function mergeClassColorings(colorings: { coloring: ClassColoring; part: SlicePart }[]): ClassColoring {
  const count = colorings.length;
  if (count === 0) throw new PreimageError('BAD_ARGUMENT', 'expected at least one part colouring, found none');
  const byIndex = new Array<(typeof colorings)[number]>(count);
  for (const c of colorings) {
    if (c.part.count !== count || byIndex[c.part.index] !== undefined || !c.coloring.packed) throw new PreimageError('BAD_ARGUMENT', `expected packed class colourings of parts 0 to ${count - 1} once each, found part ${c.part.index} of ${c.part.count}`);
    byIndex[c.part.index] = c;
  }
  const first = byIndex[0].coloring;
  for (const c of byIndex) {
    if (c.coloring.rule !== first.rule || c.coloring.classes !== first.classes || (c.part.depth ?? 0) !== (byIndex[0].part.depth ?? 0)) throw new PreimageError('BAD_ARGUMENT', 'expected colourings of the parts of one slice with one rule');
  }
  let polys = 0, coords = 0;
  for (const c of byIndex) { polys += c.coloring.packed!.count; coords += c.coloring.packed!.verts.length; }
  const out = new PolygonPool(polys, coords);
  const classAreas = new Array<number>(first.classes).fill(0);
  const stats: ColoringStats = { splits: 0, slivers: 0, milliseconds: 0 };
  for (const c of byIndex) {
    c.coloring.classAreas.forEach((a, k) => { classAreas[k] += a; });
    stats.splits += c.coloring.stats.splits;
    stats.slivers += c.coloring.stats.slivers;
    stats.milliseconds = Math.max(stats.milliseconds, c.coloring.stats.milliseconds);
  }
  // polygons come region by region: each shared-out piece's regions are a run of its part's
  // polygons (a part stopped early may have numbered fewer pieces: the missing ones hold none)
  const regionAt = new Int32Array(count), polyAt = new Int32Array(count);
  let r = 0;
  const pieces = Math.max(...byIndex.map((c) => c.part.pieceRegions.length));
  for (let piece = 0; piece < pieces; piece++) {
    const i = piece % count, pk = byIndex[i].coloring.packed!, n = byIndex[i].part.pieceRegions[piece] ?? 0;
    const end = regionAt[i] + n;
    let q = polyAt[i];
    for (; q < pk.count && pk.regions[q] < end; q++) out.push(r + pk.regions[q] - regionAt[i], pk.labels[q], pk.verts, pk.offsets[q], pk.offsets[q + 1], pk.areas[q]);
    polyAt[i] = q;
    regionAt[i] = end;
    r += n;
  }
  return classResult(first.rule, first.classes, out.packed(), classAreas, stats);
}

/** Labelled polygons in flat arrays: polygon i is a part of region regions[i] with label labels[i]. */
export interface PackedPolygons {
  count: number;
  /** Polygon i's vertices are verts[offsets[i] .. offsets[i + 1] − 1] (flat u, v). */
  offsets: Uint32Array;
  verts: Float64Array;
  labels: Int32Array;
  regions: Int32Array;
  areas: Float64Array;
}

/** A growing pool of labelled polygons. */
class PolygonPool {
  count = 0;
  /** Polygons the per-polygon arrays hold. */
  private cap: number;
  offsets: Uint32Array;
  verts: Float64Array;
  labels: Int32Array;
  regions: Int32Array;
  areas: Float64Array;
  /**
   * Room for `polys` polygons and `coords` coordinates; in the buffers of `reuse` (polygons the
   * caller no longer uses) where they are large enough (fresh memory costs its first touch).
   */
  constructor(polys: number, coords: number, reuse?: PackedPolygons) {
    const taken = new Set<ArrayBufferLike>();
    const take = <T extends Float64Array | Int32Array | Uint32Array>(make: new (n: number) => T, view: new (b: ArrayBuffer, o: number, n: number) => T, old: ArrayBufferView | undefined, n: number): T => {
      const b = old?.buffer, bpe = (make as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      if (b === undefined || !(b instanceof ArrayBuffer) || taken.has(b) || b.byteLength < n * bpe) return new make(n);
      taken.add(b);
      return new view(b, 0, Math.floor(b.byteLength / bpe));
    };
    this.offsets = take(Uint32Array, Uint32Array, reuse?.offsets, polys + 1);
    this.offsets[0] = 0;
    this.verts = take(Float64Array, Float64Array, reuse?.verts, coords);
    this.labels = take(Int32Array, Int32Array, reuse?.labels, polys);
    this.regions = take(Int32Array, Int32Array, reuse?.regions, polys);
    this.areas = take(Float64Array, Float64Array, reuse?.areas, polys);
    this.cap = Math.min(this.offsets.length - 1, this.labels.length, this.regions.length, this.areas.length);
  }
  push(region: number, label: number, src: Float64Array, from: number, to: number, area: number): void {
    const i = this.count;
    if (i >= this.cap) {
      const cap = Math.max(16, 2 * this.cap);
      if (this.offsets.length < cap + 1) { const off = new Uint32Array(cap + 1); off.set(this.offsets); this.offsets = off; }
      if (this.labels.length < cap) { const lab = new Int32Array(cap); lab.set(this.labels); this.labels = lab; }
      if (this.regions.length < cap) { const reg = new Int32Array(cap); reg.set(this.regions); this.regions = reg; }
      if (this.areas.length < cap) { const ar = new Float64Array(cap); ar.set(this.areas); this.areas = ar; }
      this.cap = cap;
    }
    const o = this.offsets[i], need = o + (to - from);
    if (need > this.verts.length) {
      const v = new Float64Array(Math.max(need, 2 * this.verts.length));
      v.set(this.verts);
      this.verts = v;
    }
    const V = this.verts;
    for (let t = from; t < to; t++) V[o + t - from] = src[t];
    this.offsets[i + 1] = need;
    this.labels[i] = label;
    this.regions[i] = region;
    this.areas[i] = area;
    this.count++;
  }
  /** push for a number[] polygon (a separate method keeps push's element loads monomorphic). */
  pushArray(region: number, label: number, P: number[], area: number): void {
    const tmp = new Float64Array(P.length);
    for (let t = 0; t < P.length; t++) tmp[t] = P[t];
    this.push(region, label, tmp, 0, tmp.length, area);
  }
  packed(): PackedPolygons {
    const c = this.count;
    return { count: c, offsets: this.offsets.subarray(0, c + 1), verts: this.verts.subarray(0, this.offsets[c]), labels: this.labels.subarray(0, c), regions: this.regions.subarray(0, c), areas: this.areas.subarray(0, c) };
  }
}

function materializePolygons(pk: PackedPolygons): LabelledPolygon[] {
  const out = new Array<LabelledPolygon>(pk.count);
  for (let i = 0; i < pk.count; i++) {
    const o = pk.offsets[i], e = pk.offsets[i + 1];
    const vertices = new Array<number>(e - o);
    for (let t = o; t < e; t++) vertices[t - o] = pk.verts[t];
    out[i] = { region: pk.regions[i], label: pk.labels[i], vertices, area: pk.areas[i] };
  }
  return out;
}

/** The packed form of region objects (a slice whose regions were replaced by the caller). */
function packRegions(regions: SliceRegion[], m: number): Pick<PackedRegions, 'count' | 'offsets' | 'verts' | 'maps' | 'areas' | 'centroids'> {
  const count = regions.length;
  let total = 0;
  for (const r of regions) total += r.vertices.length;
  const offsets = new Uint32Array(count + 1), verts = new Float64Array(total);
  const maps = new Float64Array(count * m * 3), areas = new Float64Array(count), centroids = new Float64Array(2 * count);
  regions.forEach((r, i) => {
    verts.set(r.vertices, offsets[i]);
    offsets[i + 1] = offsets[i] + r.vertices.length;
    for (let j = 0; j < m; j++) {
      maps[(i * m + j) * 3] = r.map.M[2 * j];
      maps[(i * m + j) * 3 + 1] = r.map.M[2 * j + 1];
      maps[(i * m + j) * 3 + 2] = r.map.c[j];
    }
    areas[i] = r.area;
    centroids[2 * i] = r.centroid[0];
    centroids[2 * i + 1] = r.centroid[1];
  });
  return { count, offsets, verts, maps, areas, centroids };
}

/** Rows h(u, v) = a u + b v + c <= 0 of one convex part. */
type Rows = number[][];

/**
 * Splits P by a union of convex parts: the pieces inside part j (and no earlier part), and the
 * pieces outside all parts. A partition of P up to slivers.
 */
function splitByUnion(slice: Slice, P: number[], parts: Rows[], stats: ColoringStats): { inside: { poly: number[]; part: number }[]; outside: number[][] } {
  let pending: number[][] = [P];
  const inside: { poly: number[]; part: number }[] = [];
  for (let j = 0; j < parts.length && pending.length; j++) {
    const next: number[][] = [];
    for (const Q of pending) {
      let cur: number[] | null = Q;
      for (const [a, b, c] of parts[j]) {
        const sp = splitPolygon(cur, a, b, c, marginOf(slice, a, b));
        if (sp.sliver) stats.slivers++;
        if (sp.neg && sp.pos) stats.splits++;
        if (sp.pos) next.push(sp.pos);
        cur = sp.neg;
        if (!cur) break;
      }
      if (cur) inside.push({ poly: cur, part: j });
    }
    pending = next;
  }
  return { inside, outside: pending };
}

/** The target's rows T y − t <= 0 composed with the layer map Y (rows [a, b, c] per unit). */
function composeRows(T: Float64Array, t: Float64Array, rows: number, cols: number, Y: ArrayLike<number>): Rows {
  const out: Rows = [];
  for (let r = 0; r < rows; r++) {
    let a = 0, b = 0, c = -t[r];
    for (let j = 0; j < cols; j++) {
      const w = T[r * cols + j];
      if (w === 0) continue;
      a += w * Y[3 * j];
      b += w * Y[3 * j + 1];
      c += w * Y[3 * j + 2];
    }
    out.push([a, b, c]);
  }
  return out;
}

/**
 * Colours a slice by membership in the preimage of `target` (any Target kind). VNN-LIB targets
 * also restrict to their input boxes (the preimage is sought there). Point activities (and any
 * target with equalities) meet the plane in lower-dimensional sets: they are returned as the
 * polygons where the whole region maps onto the point (e.g. an all-zero activity), segments and
 * points. With `units: 'raw'` slices, output targets are in raw output units (as computePreimage
 * with units raw) and VNN-LIB specs are converted from the network's coordinates.
 */
export function targetColoring(net: Network, slice: Slice, target: Target): TargetColoring {
  const t0 = performance.now();
  if (net.inputSize !== slice.inputSize || net.outputSize !== slice.outputSize) {
    throw new PreimageError('BAD_ARGUMENT', `expected the network the slice was computed for (${slice.inputSize} inputs, ${slice.outputSize} outputs), found ${net.inputSize} and ${net.outputSize}`);
  }
  let tgt = target;
  if (slice.units === 'raw' && tgt.kind === 'vnnlib') tgt = { kind: 'vnnlib', spec: rawVnnlib(net, tgt.spec) };
  const ts = normalizeTarget(net, tgt);
  const stats = { splits: 0, slivers: 0, milliseconds: 0, shortSegments: 0 };
  const polygons: LabelledPolygon[] = [];
  const segments: LabelledSegment[] = [];
  const points: LabelledPoint[] = [];
  let patternExcluded = 0;
  const L = net.layers.length;
  const lastIdentity = net.layers[L - 1].activation !== 'relu';
  // VNN-LIB input boxes as rows on the plane (the plane's units)
  let domainParts: Rows[] | null = null;
  if (tgt.kind === 'vnnlib') {
    const { origin, dir1, dir2 } = slice.plane;
    domainParts = tgt.spec.inputBoxes.map((box) => {
      const rows: Rows = [];
      for (let i = 0; i < slice.inputSize; i++) {
        // x_i <= hi_i and -x_i <= -lo_i with x_i = dir1_i u + dir2_i v + origin_i
        if (Number.isFinite(box.hi[i])) rows.push([dir1[i], dir2[i], origin[i] - box.hi[i]]);
        if (Number.isFinite(box.lo[i])) rows.push([-dir1[i], -dir2[i], box.lo[i] - origin[i]]);
      }
      return rows;
    });
  }
  const push = (region: number, label: number, poly: number[]): void => {
    polygons.push({ region, label, vertices: poly, area: polygonArea(poly) });
  };
  for (const r of slice.regions) {
    let pieces: number[][] = [r.vertices];
    if (domainParts) {
      const d = splitByUnion(slice, r.vertices, domainParts, stats);
      for (const o of d.outside) push(r.id, -1, o);
      pieces = d.inside.map((x) => x.poly);
    }
    if (pieces.length === 0) continue;
    if (ts.forcedPattern) {
      const pat = r.pattern[ts.layer - 1];
      let same = true;
      for (let j = 0; j < pat.length; j++) if (pat[j] !== ts.forcedPattern[j]) { same = false; break; }
      if (!same) {
        patternExcluded++;
        for (const p of pieces) push(r.id, -1, p);
        continue;
      }
    }
    // the target layer's values on this region, rows [a, b, c] in (u, v)
    let Y: ArrayLike<number>;
    if (ts.layer === L && (ts.on === 'activity' || lastIdentity)) {
      const m = slice.outputSize;
      const y = new Float64Array(3 * m);
      for (let j = 0; j < m; j++) { y[3 * j] = r.map.M[2 * j]; y[3 * j + 1] = r.map.M[2 * j + 1]; y[3 * j + 2] = r.map.c[j]; }
      Y = y;
    } else Y = sliceLayerMap(net, slice, r.pattern, ts.layer, ts.on);
    for (const P of pieces) {
      const eqParts = ts.parts.filter((p) => p.eqRows > 0);
      if (eqParts.length > 0) {
        // lower-dimensional: each equality part on its own (point targets have exactly one part)
        let any = false;
        ts.parts.forEach((part, j) => {
          const got = equalityPiece(slice, r, P, part, ts, Y, stats);
          if (!got) return;
          if (got.kind === 'polygon') {
            const rows = composeRows(part.T, part.t, part.rows, ts.cols, Y);
            const s = splitByUnion(slice, P, [rows], stats);
            for (const x of s.inside) { push(r.id, j, x.poly); any = true; }
            for (const o of s.outside) push(r.id, -1, o);
          } else if (got.kind === 'segment') segments.push({ region: r.id, label: j, a: got.a, b: got.b });
          else points.push({ region: r.id, label: j, p: got.p });
        });
        if (!any) push(r.id, -1, P);
        continue;
      }
      const parts = ts.parts.map((part) => composeRows(part.T, part.t, part.rows, ts.cols, Y));
      const s = splitByUnion(slice, P, parts, stats);
      for (const x of s.inside) push(r.id, x.part, x.poly);
      for (const o of s.outside) push(r.id, -1, o);
    }
  }
  let insideArea = 0, outsideArea = 0;
  for (const p of polygons) if (p.label >= 0) insideArea += p.area; else outsideArea += p.area;
  stats.milliseconds = performance.now() - t0;
  return { kind: 'target', target: ts.description, layer: ts.layer, parts: ts.parts.length, polygons, segments, points, insideArea, outsideArea, patternExcluded, stats };
}

type EqualityPiece = { kind: 'polygon' } | { kind: 'segment'; a: number[]; b: number[] } | { kind: 'point'; p: number[] };

/**
 * Where E y(u, v) = e holds on polygon P (y affine): the whole polygon (every row constant and
 * satisfied), a segment (rank 1), a point (rank 2) or nothing. Inequality rows of the part are
 * applied to segments and points here (to polygons by the caller). Work is done in unit rectangle
 * coordinates so that ranks and the margin do not depend on the plane's units.
 */
function equalityPiece(slice: Slice, r: SliceRegion, P: number[], part: TargetSet['parts'][number], ts: TargetSet, Y: ArrayLike<number>, stats: { slivers: number; shortSegments: number }): EqualityPiece | null {
  const { u0, v0 } = slice.rect;
  const du = slice.rect.u1 - u0, dv = slice.rect.v1 - v0;
  const cols = ts.cols;
  // rows in (s, t): p s + q t + d = 0, with scale for the residual tolerance
  const rows: { p: number; q: number; d: number; tol: number; g: number }[] = [];
  for (let i = 0; i < part.eqRows; i++) {
    let a = 0, b = 0, c = -part.e[i], mag = Math.abs(part.e[i]);
    for (let j = 0; j < cols; j++) {
      const w = part.E[i * cols + j];
      if (w === 0) continue;
      a += w * Y[3 * j];
      b += w * Y[3 * j + 1];
      c += w * Y[3 * j + 2];
      mag += Math.abs(w * Y[3 * j + 2]);
    }
    const p = a * du, q = b * dv, d = c + a * u0 + b * v0;
    const g = Math.hypot(p, q);
    rows.push({ p, q, d, g, tol: 1e-9 * (1 + mag + Math.abs(p) + Math.abs(q)) });
  }
  const toUV = (s: number, t: number): number[] => [u0 + s * du, v0 + t * dv];
  // polygon in (s, t)
  const S: number[] = [];
  for (let i = 0; i < P.length; i += 2) S.push((P[i] - u0) / du, (P[i + 1] - v0) / dv);
  const residualsOk = (s: number, t: number): boolean => rows.every((w) => Math.abs(w.p * s + w.q * t + w.d) <= w.tol);
  const ineqOk = (s: number, t: number): boolean => {
    const [u, v] = toUV(s, t);
    for (let i = 0; i < part.rows; i++) {
      let h = -part.t[i], mag = Math.abs(part.t[i]);
      for (let j = 0; j < cols; j++) {
        const w = part.T[i * cols + j];
        if (w === 0) continue;
        const y = Y[3 * j] * u + Y[3 * j + 1] * v + Y[3 * j + 2];
        h += w * y;
        mag += Math.abs(w * y);
      }
      if (h > 1e-9 * (1 + mag)) return false;
    }
    return true;
  };
  const flat = (w: (typeof rows)[number]) => w.g <= TOL.RANK * (1 + Math.abs(w.d) + w.tol * 1e9);
  const live = rows.filter((w) => !flat(w));
  if (live.length === 0) {
    // every row constant on the region: the whole polygon, or nothing
    for (let i = 0; i < S.length; i += 2) if (!residualsOk(S[i], S[i + 1])) return null;
    return { kind: 'polygon' };
  }
  // the best-conditioned pair decides rank 2
  let bi = -1, bj = -1, bsin = 0;
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length; j++) {
      const sn = Math.abs(live[i].p * live[j].q - live[i].q * live[j].p) / (live[i].g * live[j].g);
      if (sn > bsin) { bsin = sn; bi = i; bj = j; }
    }
  }
  if (bsin > 1e-9) {
    const A = live[bi], B = live[bj];
    const det = A.p * B.q - A.q * B.p;
    const s = (-A.d * B.q + A.q * B.d) / det;
    const t = (-A.p * B.d + A.d * B.p) / det;
    if (!residualsOk(s, t) || !ineqOk(s, t)) return null;
    // inside the region (closed, within the margin)
    if (polygonDepth(S, s, t) < -DELTA) return null;
    return { kind: 'point', p: toUV(s, t) };
  }
  // rank 1: the line of the largest row, clipped to the polygon (Cyrus–Beck)
  let w = live[0];
  for (const x of live) if (x.g > w.g) w = x;
  const nx = w.p / w.g, ny = w.q / w.g, off = w.d / w.g;
  const ox = -off * nx, oy = -off * ny; // closest point of the line to the origin
  const dx = -ny, dy = nx; // unit direction
  let lo = -Infinity, hi = Infinity;
  const nv = S.length >> 1;
  for (let i = 0; i < nv && lo <= hi; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    const ex = S[2 * j] - S[2 * i], ey = S[2 * j + 1] - S[2 * i + 1];
    // inside: cross(e, x - p_i) >= 0 for a counter-clockwise polygon
    const f0 = ex * (oy - S[2 * i + 1]) - ey * (ox - S[2 * i]);
    const f1 = ex * dy - ey * dx;
    if (f1 === 0) { if (f0 < 0) hi = -Infinity; continue; }
    const lam = -f0 / f1;
    if (f1 > 0) lo = Math.max(lo, lam); else hi = Math.min(hi, lam);
  }
  if (!(hi - lo > DELTA)) {
    if (hi >= lo) stats.shortSegments++;
    return null;
  }
  const sa = ox + lo * dx, ta = oy + lo * dy, sb = ox + hi * dx, tb = oy + hi * dy;
  if (!residualsOk(sa, ta) || !residualsOk(sb, tb)) return null;
  if (part.rows > 0 && (!ineqOk(sa, ta) || !ineqOk(sb, tb))) {
    // inequality rows on a segment: clipping is not needed by point targets; refuse rather than guess
    throw new PreimageError('BAD_TARGET', 'expected a target with either equalities or inequalities in one part, found both (not drawable on a slice)');
  }
  void r;
  return { kind: 'segment', a: toUV(sa, ta), b: toUV(sb, tb) };
}

/** A stable key of a region's activation pattern (hex digits of the bits, layers joined by '.'). */
export function patternKey(pattern: ArrayLike<number>[]): string {
  return pattern
    .map((p) => {
      let s = '';
      for (let i = 0; i < p.length; i += 4) {
        let v = 0;
        for (let b = 0; b < 4 && i + b < p.length; b++) if (p[i + b]) v |= 1 << b;
        s += v.toString(16);
      }
      return s;
    })
    .join('.');
}
