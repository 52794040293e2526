/**
 * Exact 2-D slices: the partition of a rectangle of a plane in input space into the network's
 * linear regions, as convex polygons, each with its activation pattern and affine map.
 *
 * Requirements: a fully connected ReLU network; a plane x(u, v) = origin + u·dir1 + v·dir2 with
 * independent directions; a bounded rectangle [u0, u1] × [v0, v1].
 * Returns: plain data (no classes, no DOM): polygons with vertices in plane and input coordinates,
 * patterns, affine maps (u, v) → outputs, areas; status and counters. Runs unchanged in Node, in a
 * browser and in a Web Worker.
 * Method: on the plane every pre-activation is affine in (u, v). Starting from the rectangle, each
 * polygon is cut by each unit's line z_j(u, v) = 0, unit by unit and layer by layer; after a layer
 * every piece has one sign per unit, so the next layer's pre-activations are again affine on it.
 * No LPs: a cut evaluates the line at the polygon's vertices (Sutherland–Hodgman on one edge list).
 * Guarantees: the polygons tile the rectangle (areas sum to its area up to rounding) and have
 * disjoint interiors; on each polygon the network equals the polygon's affine map and its pattern
 * is the network's pattern at every interior point — except within the margin of a unit's line:
 * the margin rule is the engine's (src/tolerance.ts, TOL.FULL_DIM_RADIUS) measured in unit
 * rectangle coordinates ((u − u0)/(u1 − u0), (v − v0)/(v1 − v0)), exactly as the engine measures
 * box domains (src/preimage/box-scaling.ts): a side of a line thinner than the margin is not made
 * into its own polygon and is counted in `stats.slivers`; polygons whose inradius is certainly
 * below the margin are kept, flagged `thin` and counted in `stats.thin`.
 */
import { PreimageError } from '../errors.js';
import type { Network } from '../network/types.js';
import { TOL } from '../tolerance.js';
import { polygonDepth, poolArea, poolCentroid, poolInradiusAbove } from './polygon.js';
import { uleb } from '../util/wasm.js';

/** A plane in input space: x(u, v) = origin + u·dir1 + v·dir2. */
export interface SlicePlane {
  origin: ArrayLike<number>;
  dir1: ArrayLike<number>;
  dir2: ArrayLike<number>;
}

/** A rectangle [u0, u1] × [v0, v1] in plane coordinates. */
export interface SliceRect {
  u0: number;
  u1: number;
  v0: number;
  v1: number;
}

/** A plane spanned by two input coordinates, with `dims` saying which. */
export interface CoordinatePlane extends SlicePlane {
  dims: [number, number];
}

export interface SliceOptions {
  /**
   * For .nnet networks: `raw` means the plane and rectangle are in raw physical units (normalised
   * before evaluation) and the affine maps give raw outputs; `normalized` (default) means the
   * network's own coordinates.
   */
  units?: 'raw' | 'normalized';
  /** Stop after this many regions (status `incomplete_budget`). Default 1,000,000. */
  maxRegions?: number;
  /** Cancels the computation (status `cancelled`); checked every few hundred polygons. */
  signal?: AbortSignal;
  /**
   * Computes one part of the slice only, for running the parts in parallel (Web Workers) and
   * joining them with {@link mergeSliceParts}: the rectangle is cut by the first two layers (one
   * layer for single-layer networks), the pieces numbered q = 0, 1, ... in the order computeSlice
   * visits them, and part `index` of `count` holds the regions inside the pieces with q mod count =
   * index. Every part makes those cuts and the maps of all those pieces, so the joined regions are
   * the whole slice's, bit for bit. (Two layers rather than one: about four times as many pieces,
   * so the parts' shares even out much better — for the ACAS Xu ρ × θ slice 50.2% / 49.8% of the
   * regions instead of 53% / 47% — for a few percent of duplicated work.)
   */
  part?: { index: number; count: number };
  /**
   * The packed regions of an earlier slice that the caller no longer uses (nothing else may read or
   * write their buffers afterwards): their buffers are overwritten with this slice's arrays where
   * they are large enough, instead of fresh ones. Fresh memory costs its first touch (a page fault
   * per 4 KiB: measured 4–5 ms per 4.8 MB in Chromium on this project's machine, about a fifth of
   * a whole ACAS Xu slice's time), so a worker that computes slice after slice passes its last one.
   * The results are the same numbers either way; detached or shared buffers are ignored.
   */
  reuse?: PackedRegions;
}

/** One linear region of the slice. */
export interface SliceRegion {
  id: number;
  /** Vertices in plane coordinates, counter-clockwise, flat: [u0, v0, u1, v1, ...]. */
  vertices: number[];
  /**
   * The same vertices in input coordinates (the plane's units: raw for `units: 'raw'`), flat:
   * vertex i is inputVertices[i·n .. i·n + n − 1].
   */
  inputVertices: number[];
  /** Activation pattern per layer (1 active, 0 inactive; identity layers all ones), as activationPattern. */
  pattern: Uint8Array[];
  /**
   * Outputs on the region: y_j = M[2j]·u + M[2j+1]·v + c[j] (M is outputs × 2, row-major). Raw
   * outputs for `units: 'raw'`.
   */
  map: { M: number[]; c: number[] };
  /** Area in plane coordinates. */
  area: number;
  /** Area centroid [u, v]. */
  centroid: number[];
  /** Inradius certainly below the margin (in unit rectangle coordinates). */
  thin: boolean;
}

export interface SliceStats {
  regions: number;
  /** Polygon cuts that made two pieces. */
  splits: number;
  /** Sides of unit lines thinner than the margin, not made into polygons. */
  slivers: number;
  /** Regions flagged thin. */
  thin: number;
  /** Unit lines that missed a polygon (the unit's sign was fixed without a cut). */
  unitsDecided: number;
  milliseconds: number;
}

/**
 * The regions of a slice in flat arrays (the same numbers as the region objects, bit for bit). The
 * arrays may be views of larger buffers: copy them (`.slice()`) before transferring their buffers.
 */
export interface PackedRegions {
  count: number;
  outputSize: number;
  /** Units per layer. */
  widths: number[];
  /** Region r's vertices (as SliceRegion.vertices) are verts[offsets[r] .. offsets[r + 1] − 1]. */
  offsets: Uint32Array;
  verts: Float64Array;
  /** Output j of region r: maps[(r·outputSize + j)·3 + (0, 1, 2)] = (M[2j], M[2j + 1], c[j]). */
  maps: Float64Array;
  areas: Float64Array;
  /** Centroid of region r: centroids[2r], centroids[2r + 1]. */
  centroids: Float64Array;
  /** 1 when the region is thin. */
  thin: Uint8Array;
  /**
   * Region r's pattern at layer k is patternPool[k][id·widths[k] .. (id + 1)·widths[k] − 1] with
   * id = patternIds[r·layers + k]; id −1: all ones (a layer without ReLU).
   */
  patternIds: Int32Array;
  patternPool: Uint8Array[];
}

export interface Slice {
  plane: { origin: number[]; dir1: number[]; dir2: number[] };
  rect: SliceRect;
  units: 'raw' | 'normalized';
  /** The plane in the network's own input coordinates (equal to `plane` unless units are raw). */
  netPlane: { origin: number[]; dir1: number[]; dir2: number[] };
  /** Output denormalisation applied to the maps (raw units), else null. */
  outputScale: { range: number; mean: number } | null;
  inputSize: number;
  outputSize: number;
  widths: number[];
  /**
   * The regions as objects. Made on first access from `packed` (then kept): code that only draws
   * or colours should read `packed`, which holds the same numbers in a few flat arrays.
   */
  regions: SliceRegion[];
  /**
   * The regions in flat arrays (region r is regions[r]); absent when `regions` was replaced by the
   * caller. computeSlice always sets it.
   */
  packed?: PackedRegions;
  status: 'complete' | 'incomplete_budget' | 'cancelled';
  stats: SliceStats;
  /** For a part (SliceOptions.part): which part, and how its regions fit among the others'. */
  part?: SlicePart;
}

/** Where a part's regions go in the whole slice (see SliceOptions.part and mergeSliceParts). */
export interface SlicePart {
  index: number;
  count: number;
  /** Regions of this part under each piece q (see SliceOptions.part; 0 for the other parts' pieces). */
  pieceRegions: Uint32Array;
  /** Counters of the cuts every part makes (the first `depth` + 1 layers'; counted once when merging). */
  shared: { splits: number; slivers: number; unitsDecided: number };
  /**
   * The layer whose pieces are shared out (0: the first layer's, 1: the second's); the pattern rows
   * of layers 0..depth are the same in every part. Absent: 0.
   */
  depth?: number;
}

function finiteVector(v: ArrayLike<number>, n: number, what: string): number[] {
  if (!v || v.length !== n) throw new PreimageError('BAD_ARGUMENT', `expected ${what} of ${n} numbers (the input size), found ${v ? v.length : 'none'}`);
  const out = Array.from(v);
  out.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new PreimageError('BAD_ARGUMENT', `expected finite numbers in ${what}, found ${x} at index ${i}`);
  });
  return out;
}

/**
 * The plane of input coordinates `dims = [i, j]` (u = x_i, v = x_j) with the other inputs fixed.
 * `fixed` holds either all n inputs (entries i and j are ignored) or the n − 2 others in order.
 */
export function coordinatePlane(n: number, dims: [number, number], fixed?: ArrayLike<number>): CoordinatePlane {
  const [i, j] = dims;
  if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= n || j >= n || i === j) {
    throw new PreimageError('BAD_ARGUMENT', `expected two different input indices between 0 and ${n - 1}, found ${i} and ${j}`);
  }
  const origin = new Array<number>(n).fill(0);
  if (fixed !== undefined) {
    if (fixed.length === n) for (let k = 0; k < n; k++) origin[k] = fixed[k];
    else if (fixed.length === n - 2) {
      let r = 0;
      for (let k = 0; k < n; k++) if (k !== i && k !== j) origin[k] = fixed[r++];
    } else throw new PreimageError('BAD_ARGUMENT', `expected ${n - 2} fixed values (the inputs other than ${i} and ${j}) or ${n}, found ${fixed.length}`);
    origin.forEach((x, k) => {
      if (!Number.isFinite(x)) throw new PreimageError('BAD_ARGUMENT', `expected finite fixed values, found ${x} for input ${k}`);
    });
  }
  origin[i] = 0;
  origin[j] = 0;
  const dir1 = new Array<number>(n).fill(0), dir2 = new Array<number>(n).fill(0);
  dir1[i] = 1;
  dir2[j] = 1;
  return { origin, dir1, dir2, dims: [i, j] };
}

/** Checks a rectangle: finite, u0 < u1, v0 < v1. */
export function checkRect(r: SliceRect): SliceRect {
  for (const k of ['u0', 'u1', 'v0', 'v1'] as const) {
    if (!Number.isFinite(r[k])) throw new PreimageError('BAD_ARGUMENT', `expected a finite rectangle, found ${k} = ${r[k]}`);
  }
  if (!(r.u0 < r.u1) || !(r.v0 < r.v1)) throw new PreimageError('BAD_ARGUMENT', `expected a rectangle with u0 < u1 and v0 < v1, found [${r.u0}, ${r.u1}] x [${r.v0}, ${r.v1}]`);
  return { u0: r.u0, u1: r.u1, v0: r.v0, v1: r.v1 };
}

/** Computes the exact slice (see the module doc). */
export function computeSlice(net: Network, plane: SlicePlane, rect: SliceRect, opts: SliceOptions = {}): Slice {
  const t0 = performance.now();
  const n = net.inputSize;
  const origin = finiteVector(plane.origin, n, 'the plane origin');
  const dir1 = finiteVector(plane.dir1, n, 'the plane direction dir1');
  const dir2 = finiteVector(plane.dir2, n, 'the plane direction dir2');
  const R = checkRect(rect);
  const units = opts.units ?? 'normalized';
  if (units !== 'raw' && units !== 'normalized') throw new PreimageError('BAD_ARGUMENT', `expected units raw or normalized, found ${JSON.stringify(units)}`);
  let g11 = 0, g22 = 0, g12 = 0;
  for (let k = 0; k < n; k++) { g11 += dir1[k] ** 2; g22 += dir2[k] ** 2; g12 += dir1[k] * dir2[k]; }
  if (!(g11 * g22 - g12 * g12 > 1e-20 * g11 * g22) || g11 === 0 || g22 === 0) {
    throw new PreimageError('BAD_ARGUMENT', 'expected two linearly independent plane directions, found parallel or zero directions');
  }
  let netPlane = { origin, dir1, dir2 };
  let outputScale: Slice['outputScale'] = null;
  if (units === 'raw') {
    const nz = net.normalization;
    if (!nz) throw new PreimageError('BAD_ARGUMENT', 'expected a network with normalisation (a .nnet file) for raw units, found none');
    netPlane = {
      origin: origin.map((x, k) => (x - nz.inputMean[k]) / nz.inputRange[k]),
      dir1: dir1.map((x, k) => x / nz.inputRange[k]),
      dir2: dir2.map((x, k) => x / nz.inputRange[k]),
    };
    outputScale = { range: nz.outputRange, mean: nz.outputMean };
  }
  const part = opts.part;
  if (part !== undefined && !(Number.isInteger(part.count) && part.count >= 1 && Number.isInteger(part.index) && part.index >= 0 && part.index < part.count)) {
    throw new PreimageError('BAD_ARGUMENT', `expected a part index between 0 and count − 1 (count >= 1), found index ${part.index} of ${part.count}`);
  }
  const builder = new SliceBuilder(net, netPlane, R, outputScale, opts);
  builder.run();
  const packed = builder.packed();
  builder.stats.milliseconds = performance.now() - t0;
  const slice = makeSlice(
    {
      plane: { origin, dir1, dir2 },
      rect: R,
      units,
      netPlane,
      outputScale,
      inputSize: n,
      outputSize: net.outputSize,
      widths: net.layers.map((l) => l.outSize),
      status: builder.status,
      stats: builder.stats,
    },
    packed,
    net.layers.map((L) => L.activation !== 'relu'),
  );
  if (part) slice.part = { index: part.index, count: part.count, pieceRegions: builder.pieceRegions.slice(0, builder.splitSeen), shared: builder.shared, depth: builder.splitDepth };
  return slice;
}

/**
 * A slice object around packed regions; the region objects are made on first use (drawing and
 * colouring read `packed`); assigning other regions drops `packed`, which no longer describes them.
 */
function makeSlice(fields: Omit<Slice, 'regions' | 'packed' | 'part'>, packed: PackedRegions, identity: boolean[]): Slice {
  const slice = { ...fields, regions: [] as SliceRegion[], packed } as Slice;
  let regions: SliceRegion[] | null = null;
  Object.defineProperty(slice, 'regions', {
    enumerable: true,
    configurable: true,
    get(this: Slice) {
      if (regions === null) regions = materializeRegions(this.packed!, this.plane, identity);
      return regions;
    },
    set(this: Slice, value: SliceRegion[]) {
      regions = value;
      this.packed = undefined;
    },
  });
  return slice;
}

/**
 * Joins the packed regions of all parts of one slice (computeSlice with SliceOptions.part, the
 * same network, plane and rectangle) into the whole slice's: the regions in the order computeSlice
 * gives them without parts, with the same numbers bit for bit (pattern rows are pooled per part,
 * so `patternIds` differ, the patterns they point to do not).
 */
export function mergePackedParts(parts: { packed: PackedRegions; part: SlicePart }[]): PackedRegions {
  const count = parts.length;
  if (count === 0) throw new PreimageError('BAD_ARGUMENT', 'expected at least one slice part, found none');
  const byIndex = new Array<(typeof parts)[number]>(count);
  for (const p of parts) {
    if (p.part.count !== count || byIndex[p.part.index] !== undefined) throw new PreimageError('BAD_ARGUMENT', `expected parts 0 to ${count - 1} of ${count} once each, found part ${p.part.index} of ${p.part.count}`);
    byIndex[p.part.index] = p;
  }
  // a part stopped early (budget) may have numbered fewer pieces: the missing ones hold no regions
  const pieces = Math.max(...byIndex.map((p) => p.part.pieceRegions.length));
  const { outputSize: m, widths } = byIndex[0].packed;
  const nl = widths.length;
  const depth = byIndex[0].part.depth ?? 0;
  for (const p of byIndex) {
    if ((p.part.depth ?? 0) !== depth || p.packed.outputSize !== m || p.packed.widths.length !== nl) throw new PreimageError('BAD_ARGUMENT', 'expected parts of the same slice, found parts with different splits or sizes');
  }
  let total = 0, coords = 0;
  for (const p of byIndex) { total += p.packed.count; coords += p.packed.verts.length; }
  const offsets = new Uint32Array(total + 1), verts = new Float64Array(coords);
  const maps = new Float64Array(total * m * 3), areas = new Float64Array(total), centroids = new Float64Array(2 * total);
  const thin = new Uint8Array(total), patternIds = new Int32Array(total * nl);
  // pattern pools: the rows of layers 0..depth are the same in every part (take part 0's); deeper
  // layers' pools are concatenated and the ids shifted
  const poolBase = byIndex.map(() => new Int32Array(nl));
  const patternPool = widths.map((w, k) => {
    if (k <= depth) return byIndex[0].packed.patternPool[k].slice();
    let rows = 0;
    byIndex.forEach((p, i) => { poolBase[i][k] = rows; rows += w === 0 ? 0 : p.packed.patternPool[k].length / w; });
    const pool = new Uint8Array(rows * w);
    byIndex.forEach((p, i) => pool.set(p.packed.patternPool[k], poolBase[i][k] * w));
    return pool;
  });
  const cursor = new Int32Array(count);
  let r = 0;
  for (let piece = 0; piece < pieces; piece++) {
    const i = piece % count, src = byIndex[i].packed, n = byIndex[i].part.pieceRegions[piece] ?? 0;
    const a = cursor[i], b = a + n;
    const vo = offsets[r] - src.offsets[a];
    verts.set(src.verts.subarray(src.offsets[a], src.offsets[b]), offsets[r]);
    for (let q = 1; q <= n; q++) offsets[r + q] = src.offsets[a + q] + vo;
    maps.set(src.maps.subarray(a * m * 3, b * m * 3), r * m * 3);
    areas.set(src.areas.subarray(a, b), r);
    centroids.set(src.centroids.subarray(2 * a, 2 * b), 2 * r);
    thin.set(src.thin.subarray(a, b), r);
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < nl; k++) {
        const id = src.patternIds[(a + q) * nl + k];
        patternIds[(r + q) * nl + k] = id < 0 || k <= depth ? id : id + poolBase[i][k];
      }
    }
    cursor[i] = b;
    r += n;
  }
  for (let i = 0; i < count; i++) {
    if (cursor[i] !== byIndex[i].packed.count) throw new PreimageError('BAD_ARGUMENT', `expected part ${i}'s regions to match its piece counts, found ${byIndex[i].packed.count} regions and ${cursor[i]} counted`);
  }
  return { count: total, outputSize: m, widths: widths.slice(), offsets, verts, maps, areas, centroids, thin, patternIds, patternPool };
}

/**
 * The whole slice from all its parts (see SliceOptions.part): the regions and counters computeSlice
 * gives without parts. `stats.milliseconds` is the longest part's (parts run in parallel).
 */
export function mergeSliceParts(parts: Slice[], net: Network): Slice {
  const withPart = parts.map((s) => {
    if (!s.part || !s.packed) throw new PreimageError('BAD_ARGUMENT', 'expected slice parts (computeSlice with the part option), found a whole slice or one without packed regions');
    return { packed: s.packed, part: s.part };
  });
  const packed = mergePackedParts(withPart);
  const first = parts[0];
  const stats: SliceStats = { regions: packed.count, splits: 0, slivers: 0, thin: 0, unitsDecided: 0, milliseconds: 0 };
  for (const s of parts) {
    stats.splits += s.stats.splits;
    stats.slivers += s.stats.slivers;
    stats.thin += s.stats.thin;
    stats.unitsDecided += s.stats.unitsDecided;
    stats.milliseconds = Math.max(stats.milliseconds, s.stats.milliseconds);
  }
  const shared = first.part!.shared, extra = parts.length - 1;
  stats.splits -= extra * shared.splits;
  stats.slivers -= extra * shared.slivers;
  stats.unitsDecided -= extra * shared.unitsDecided;
  const status = parts.find((s) => s.status !== 'complete')?.status ?? 'complete';
  const { plane, rect, units, netPlane, outputScale, inputSize, outputSize, widths } = first;
  return makeSlice({ plane, rect, units, netPlane, outputScale, inputSize, outputSize, widths, status, stats }, packed, net.layers.map((L) => L.activation !== 'relu'));
}

/** The region objects of a packed slice (all fields as computed; patterns shared between regions of one piece). */
function materializeRegions(pk: PackedRegions, plane: PlaneArrays, identity: boolean[]): SliceRegion[] {
  const { count, outputSize: m, widths, offsets, verts, maps, areas, centroids, thin, patternIds, patternPool } = pk;
  const { origin, dir1, dir2 } = plane;
  const n = origin.length, nl = widths.length;
  const ones = widths.map((w) => new Uint8Array(w).fill(1));
  const cache: (Uint8Array | undefined)[][] = widths.map(() => []);
  const out = new Array<SliceRegion>(count);
  for (let r = 0; r < count; r++) {
    const o = offsets[r], e = offsets[r + 1], nv = (e - o) >> 1;
    const vertices = new Array<number>(e - o);
    for (let i = o; i < e; i++) vertices[i - o] = verts[i];
    const inputVertices = new Array<number>(nv * n);
    for (let i = 0; i < nv; i++) {
      const u = verts[o + 2 * i], v = verts[o + 2 * i + 1];
      for (let k = 0; k < n; k++) inputVertices[i * n + k] = origin[k] + u * dir1[k] + v * dir2[k];
    }
    const pattern = new Array<Uint8Array>(nl);
    for (let k = 0; k < nl; k++) {
      const id = patternIds[r * nl + k];
      if (id < 0 || identity[k]) { pattern[k] = ones[k]; continue; }
      let p = cache[k][id];
      if (p === undefined) cache[k][id] = p = patternPool[k].slice(id * widths[k], (id + 1) * widths[k]);
      pattern[k] = p;
    }
    const M = new Array<number>(2 * m), c = new Array<number>(m);
    for (let j = 0; j < m; j++) {
      const b = (r * m + j) * 3;
      M[2 * j] = maps[b];
      M[2 * j + 1] = maps[b + 1];
      c[j] = maps[b + 2];
    }
    out[r] = { id: r, vertices, inputVertices, pattern, map: { M, c }, area: areas[r], centroid: [centroids[2 * r], centroids[2 * r + 1]], thin: thin[r] === 1 };
  }
  return out;
}

type PlaneArrays = { origin: number[]; dir1: number[]; dir2: number[] };

// ------------------------------------------------------------------------------------------------
// The pre-activation kernel in WebAssembly SIMD (f64x2): four output rows at a time, two per
// vector, the same sums as the plain loop (products added term by term in input order, from 0 for
// the u and v columns and from the bias for the constant; no fused multiply-add), so results are
// bit-identical. The weights, biases and maps of a builder live in one WebAssembly.Memory (an
// arena reused by every slice in the thread); the active inputs are passed as two address lists
// (weight row, input row [a, b, c]), which the kernel reads with splat loads, so that the caller
// only writes two integers per active input. Checked against the plain loop once when first
// compiled; where WebAssembly SIMD is missing the plain loop runs.

interface PreKernel {
  memory: WebAssembly.Memory;
  /** (rowOffsets, inputOffsets, na, rows, bias, Z): byte addresses (two i32 lists of na); rows a multiple of 4. */
  pre: (rowOff: number, act: number, na: number, rows: number, bias: number, z: number) => void;
  /**
   * (z, rows, cu, cv, hu, hv, desc): with desc the address of eight i32 (sign, list, pre, tnext,
   * wrow, dro, dao, out), the box test of
   * SliceBuilder.classify for rows 0..rows − 1 of the map at z (rows even): sign bytes at `sign`;
   * the undecided rows (i32 at `list`) with the count of positive rows before each (at `pre`); the
   * positive rows' weight-row and map-row addresses (at dro, dao; their count stored at `out`).
   * Returns the count of undecided rows.
   */
  cls: (z: number, rows: number, cu: number, cv: number, hu: number, hv: number, desc: number) => number;
  /** (rowOffsets, inputOffsets, na, rows, Zp, Z): as pre, the sums starting from the map at Zp instead of 0 and the bias. */
  sib: (rowOff: number, act: number, na: number, rows: number, zp: number, z: number) => void;
}

let preKernel: PreKernel | null | undefined;

function preKernelBytes(): Uint8Array<ArrayBuffer> {
  const get = (i: number) => [0x20, i], set = (i: number) => [0x21, i];
  const i32c = (v: number) => [0x41, ...(v < 64 ? [v] : [(v & 0x7f) | 0x80, v >> 7])];
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const vload = (off: number) => [...simd(0), 3, ...uleb(off)];
  const ADD = simd(240), MUL = simd(242);
  const lane = (l: number) => [...simd(33), l];
  const fstore = (off: number) => [0x39, 3, ...uleb(off)];
  const ZERO = [...simd(12), ...new Array<number>(16).fill(0)];
  const splat = (off: number) => [...simd(10), 3, ...uleb(off)];
  // params 0 rowOff, 1 actOff, 2 na, 3 rows, 4 bias, 5 z; locals 6 j, 7 t, 8 p, 9 ap, 10 rp, 11 zp;
  // v128 12 A0, 13 A1, 14 B0, 15 B1, 16 C0, 17 C1, 18 x, 19 y, 20 zc, 21 w0, 22 w1; i32 23 aa
  const acc = (dst: number, w: number, x: number) => [...get(dst), ...get(w), ...get(x), ...MUL, ...ADD, ...set(dst)];
  const store = (off: number, v: number, l: number) => [...get(11), ...get(v), ...lane(l), ...fstore(off)];
  const preBody = (init: number[]) => [
    ...i32c(0), ...set(6),
    0x02, 0x40, 0x03, 0x40,
    ...get(6), ...get(3), 0x4f, 0x0d, 1,
    ...init,
    ...i32c(0), ...set(7), ...get(1), ...set(9), ...get(0), ...set(10),
    0x02, 0x40, 0x03, 0x40,
    ...get(7), ...get(2), 0x4f, 0x0d, 1,
    ...get(10), 0x28, 2, 0, ...get(6), ...i32c(3), 0x74, 0x6a, 0x22, 8, ...vload(0), ...set(21), ...get(8), ...vload(16), ...set(22),
    ...get(9), 0x28, 2, 0, ...set(23),
    ...get(23), ...splat(0), ...set(18), ...get(23), ...splat(8), ...set(19), ...get(23), ...splat(16), ...set(20),
    ...acc(12, 21, 18), ...acc(13, 22, 18), ...acc(14, 21, 19), ...acc(15, 22, 19), ...acc(16, 21, 20), ...acc(17, 22, 20),
    ...get(7), ...i32c(1), 0x6a, ...set(7), ...get(9), ...i32c(4), 0x6a, ...set(9), ...get(10), ...i32c(4), 0x6a, ...set(10),
    0x0c, 0, 0x0b, 0x0b,
    ...get(5), ...get(6), ...i32c(24), 0x6c, 0x6a, ...set(11),
    ...store(0, 12, 0), ...store(8, 14, 0), ...store(16, 16, 0), ...store(24, 12, 1), ...store(32, 14, 1), ...store(40, 16, 1),
    ...store(48, 13, 0), ...store(56, 15, 0), ...store(64, 17, 0), ...store(72, 13, 1), ...store(80, 15, 1), ...store(88, 17, 1),
    ...get(6), ...i32c(4), 0x6a, ...set(6),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  const locals = [3, 6, 0x7f, 11, 0x7b, 1, 0x7f];
  // pre: the sums start from 0 (u and v columns) and the bias (constant column)
  const fromBias = [
    ...ZERO, ...set(12), ...ZERO, ...set(13), ...ZERO, ...set(14), ...ZERO, ...set(15),
    ...get(4), ...get(6), ...i32c(3), 0x74, 0x6a, 0x22, 8, ...vload(0), ...set(16), ...get(8), ...vload(16), ...set(17),
  ];
  // sib: the sums start from the map at param 4 (rows [a, b, c]): rows j, j + 1 in A0, B0, C0 and
  // j + 2, j + 3 in A1, B1, C1, two scalar loads per vector
  const rowPair = (off: number) => [...get(8), 0x2b, 3, ...uleb(off), ...simd(20), ...get(8), 0x2b, 3, ...uleb(off + 24), ...simd(34), 1];
  const fromMap = [
    ...get(4), ...get(6), ...i32c(24), 0x6c, 0x6a, ...set(8),
    ...rowPair(0), ...set(12), ...rowPair(8), ...set(14), ...rowPair(16), ...set(16),
    ...rowPair(48), ...set(13), ...rowPair(56), ...set(15), ...rowPair(64), ...set(17),
  ];
  const fn = [...locals, ...preBody(fromBias)];
  const sibFn = [...locals, ...preBody(fromMap)];
  // cls: params z, rows, cu, cv, hu, hv (f64), desc (a block of eight i32: sign, list, pre, tnext,
  // wrow, dro, dao, out — few parameters keep the call from JavaScript cheap); locals as named
  // below. Rows j, j + 1 per vector: hc = a·cu + b·cv + c, r = |a|·hu + |b|·hv; pm = the lanes
  // with hc > r, und = the lanes with neither hc > r nor hc < −r (NaN: undecided, as the plain
  // loop). Per row, without branches: its sign byte; if undecided, its index in `list` and the
  // count of positive rows before it in `pre`; if positive, its weight-row and map-row addresses
  // (tnext + row·wrow, z + 24·row) in dro, dao (their count stored at `out`).
  const L = { z: 0, rows: 1, cu: 2, cv: 3, hu: 4, hv: 5, desc: 6, sign: 7, list: 8, pre: 9, q: 10, wrow: 11, dro: 12, dao: 13, out: 14, j: 15, n: 16, p: 17, pm: 18, und: 19, nd: 20, CU: 21, CV: 22, HU: 23, HV: 24, A: 25, B: 26, HC: 27, R: 28 };
  const f64load = (off: number) => [0x2b, 3, ...uleb(off)];
  const pair = (off: number) => [...get(L.p), ...f64load(off), ...simd(20), ...get(L.p), ...f64load(off + 24), ...simd(34), 1];
  const ABS = simd(236), NEG = simd(237), LT = simd(0x49), GT = simd(0x4a), BITMASK = simd(196);
  const st32 = [0x36, 2, 0];
  const at4 = (base: number, idx: number) => [...get(base), ...get(idx), ...i32c(2), 0x74, 0x6a];
  // one row (lane l: 0 or 1; bit = the lane's bit of pm or und)
  const row = (l: number) => {
    const bit = (v: number) => (l === 0 ? [...get(v), ...i32c(1), 0x71] : [...get(v), ...i32c(1), 0x76]);
    const jl = l === 0 ? get(L.j) : [...get(L.j), ...i32c(1), 0x6a];
    return [
      ...get(L.sign), ...get(L.j), 0x6a, ...bit(L.pm), 0x3a, 0, l,
      ...at4(L.list, L.n), ...jl, ...st32,
      ...at4(L.pre, L.n), ...get(L.nd), ...st32,
      ...get(L.n), ...bit(L.und), 0x6a, ...set(L.n),
      ...at4(L.dro, L.nd), ...get(L.q), ...(l === 0 ? [] : [...get(L.wrow), 0x6a]), ...st32,
      ...at4(L.dao, L.nd), ...get(L.p), ...(l === 0 ? [] : [...i32c(24), 0x6a]), ...st32,
      ...get(L.nd), ...bit(L.pm), 0x6a, ...set(L.nd),
    ];
  };
  const ld32 = (off: number, dst: number) => [...get(L.desc), 0x28, 2, off, ...set(dst)];
  const clsBody = [
    ...ld32(0, L.sign), ...ld32(4, L.list), ...ld32(8, L.pre), ...ld32(12, L.q), ...ld32(16, L.wrow), ...ld32(20, L.dro), ...ld32(24, L.dao), ...ld32(28, L.out),
    ...get(L.cu), ...simd(20), ...set(L.CU), ...get(L.cv), ...simd(20), ...set(L.CV),
    ...get(L.hu), ...simd(20), ...set(L.HU), ...get(L.hv), ...simd(20), ...set(L.HV),
    ...get(L.z), ...set(L.p),
    0x02, 0x40, 0x03, 0x40,
    ...get(L.j), ...get(L.rows), 0x4f, 0x0d, 1,
    ...pair(0), ...set(L.A), ...pair(8), ...set(L.B),
    ...get(L.A), ...get(L.CU), ...MUL, ...get(L.B), ...get(L.CV), ...MUL, ...ADD, ...pair(16), ...ADD, ...set(L.HC),
    ...get(L.A), ...ABS, ...get(L.HU), ...MUL, ...get(L.B), ...ABS, ...get(L.HV), ...MUL, ...ADD, ...set(L.R),
    ...get(L.HC), ...get(L.R), ...GT, ...BITMASK, ...set(L.pm),
    ...get(L.pm), ...get(L.HC), ...get(L.R), ...NEG, ...LT, ...BITMASK, 0x72, ...i32c(3), 0x73, ...set(L.und),
    ...row(0), ...row(1),
    ...get(L.j), ...i32c(2), 0x6a, ...set(L.j), ...get(L.p), ...i32c(48), 0x6a, ...set(L.p),
    ...get(L.q), ...get(L.wrow), ...get(L.wrow), 0x6a, 0x6a, ...set(L.q),
    0x0c, 0, 0x0b, 0x0b,
    ...get(L.out), ...get(L.nd), ...st32,
    ...get(L.n),
    0x0b,
  ];
  const clsFn = [2, 14, 0x7f, 8, 0x7b, ...clsBody];
  const code = [3, ...uleb(fn.length), ...fn, ...uleb(clsFn.length), ...clsFn, ...uleb(sibFn.length), ...sibFn];
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (t: string) => [t.length, ...Array.from(t, (c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0, 0x60, 7, 0x7f, 0x7f, 0x7c, 0x7c, 0x7c, 0x7c, 0x7f, 1, 0x7f]),
    ...section(2, [1, ...name('m'), ...name('mem'), 0x02, 0x00, 1]),
    ...section(3, [3, 0, 1, 0]),
    ...section(7, [3, ...name('pre'), 0x00, 0, ...name('cls'), 0x00, 1, ...name('sib'), 0x00, 2]),
    ...section(10, code),
  ]);
}

/** Whether computeSlice uses the WebAssembly SIMD kernel in this thread (else plain loops). */
export function sliceKernel(): 'wasm-simd' | 'js' {
  return getPreKernel() ? 'wasm-simd' : 'js';
}

/** The kernel, compiled and checked on first use; null where WebAssembly SIMD is unavailable or disagrees. */
function getPreKernel(): PreKernel | null {
  if (preKernel !== undefined) return preKernel;
  preKernel = null;
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = preKernelBytes();
    if (!WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } });
    const k: PreKernel = { memory, pre: inst.exports.pre as PreKernel['pre'], cls: inst.exports.cls as PreKernel['cls'], sib: inst.exports.sib as PreKernel['pre'] };
    // check: 3 inputs, 8 rows, against the plain sums
    const F = new Float64Array(memory.buffer), I = new Int32Array(memory.buffer);
    const m = 8, na = 3, T = 0, bias = 8 * 64, act = 8 * 80, rowOff = 8 * 120, actOff = 8 * 124, z = 8 * 130;
    for (let i = 0; i < 3 * m; i++) F[T / 8 + i] = Math.sin(i + 1) * 3.7;
    for (let j = 0; j < m; j++) F[bias / 8 + j] = Math.cos(j) / 3;
    const xs = [0.3, -1.7, 2.9, 1e-3, 5.5, -0.25, 7, -8, 0.125];
    for (let t = 0; t < na; t++) {
      I[rowOff / 4 + t] = T + 8 * m * (na - 1 - t);
      // input rows in reverse order too: the kernel follows the address list
      I[actOff / 4 + t] = act + 24 * (na - 1 - t);
      for (let c = 0; c < 3; c++) F[act / 8 + 3 * (na - 1 - t) + c] = xs[3 * t + c];
    }
    k.pre(rowOff, actOff, na, m, bias, z);
    for (let j = 0; j < m; j++) {
      let a = 0, b = 0, c = F[bias / 8 + j];
      for (let t = 0; t < na; t++) {
        const w = F[(T + 8 * m * (na - 1 - t)) / 8 + j];
        a += w * xs[3 * t];
        b += w * xs[3 * t + 1];
        c += w * xs[3 * t + 2];
      }
      if (F[z / 8 + 3 * j] !== a || F[z / 8 + 3 * j + 1] !== b || F[z / 8 + 3 * j + 2] !== c) return null;
    }
    // sib: the same inputs added to the map just computed (at z), into a map at zs
    const zs = 8 * 300;
    k.sib(rowOff, actOff, na, m, z, zs);
    for (let j = 0; j < m; j++) {
      for (let c = 0; c < 3; c++) {
        let x = F[z / 8 + 3 * j + c];
        for (let t = 0; t < na; t++) x += F[(T + 8 * m * (na - 1 - t)) / 8 + j] * xs[3 * t + c];
        if (F[zs / 8 + 3 * j + c] !== x) return null;
      }
    }
    // cls: 12 rows (lines far on either side, through the box, NaN) against the plain test
    const rows = 12, zc = 8 * 200, sign = 8 * 240, list = 8 * 250;
    const cu = 0.25, cv = -0.5, hu = 0.75, hv = 0.125;
    for (let j = 0; j < rows; j++) {
      F[zc / 8 + 3 * j] = Math.sin(3 * j + 1) * (j % 3 === 0 ? 0.01 : 1);
      F[zc / 8 + 3 * j + 1] = Math.cos(5 * j) * (j % 4 === 1 ? -2 : 1);
      F[zc / 8 + 3 * j + 2] = j === 7 ? NaN : ((j % 5) - 2) * 0.6;
    }
    const U = new Uint8Array(memory.buffer);
    const pre = 8 * 260, dro = 8 * 270, dao = 8 * 280, out = 8 * 290, tnext = 4096, wrow = 8 * 52, desc = 8 * 292;
    I.set([sign, list, pre, tnext, wrow, dro, dao, out], desc / 4);
    const nu = k.cls(zc, rows, cu, cv, hu, hv, desc);
    let n = 0, sides = 0, npos = 0;
    for (let j = 0; j < rows; j++) {
      const a = F[zc / 8 + 3 * j], b = F[zc / 8 + 3 * j + 1];
      const hc = a * cu + b * cv + F[zc / 8 + 3 * j + 2];
      const r = Math.abs(a) * hu + Math.abs(b) * hv;
      const pos = hc > r;
      if (U[sign + j] !== (pos ? 1 : 0)) return null;
      if (!pos && !(hc < -r)) {
        if (I[list / 4 + n] !== j || I[pre / 4 + n] !== npos) return null;
        n++;
      } else sides |= pos ? 1 : 2;
      if (pos) {
        if (I[dro / 4 + npos] !== tnext + j * wrow || I[dao / 4 + npos] !== zc + 24 * j) return null;
        npos++;
      }
    }
    if (I[out / 4] !== npos) return null;
    if (nu !== n || sides !== 3 || n === 0) return null;
    preKernel = k;
  } catch {
    preKernel = null;
  }
  return preKernel;
}


/** SliceBuilder.zeroRowsSafe of a layer: no −0 bias and finite weights (a plain loop: tens of microseconds). */
function zeroRowsSafe(L: Network['layers'][number]): boolean {
  for (let j = 0; j < L.bias.length; j++) if (Object.is(L.bias[j], -0)) return false;
  for (let i = 0; i < L.weights.length; i++) if (!Number.isFinite(L.weights[i])) return false;
  return true;
}

/** Sizes of the previous slice, to size the next one's output arrays (growing them costs copies). */
const sizeHint = { regions: 0, rows: [] as number[] };

/**
 * Writes the side sign·h >= 0 of the polygon at V[po..] (pn vertices, values h) at V[w..] and
 * returns the new end. Crossing points are interpolated from the lexicographically smaller
 * endpoint, so both sides get bit-identical vertices on the line.
 */
function clipSide(V: Float64Array, po: number, pn: number, h: Float64Array, w: number, sign: -1 | 1): number {
  for (let i = 0; i < pn; i++) {
    const jj = i + 1 === pn ? 0 : i + 1;
    const hi = h[i], hj = h[jj];
    const ui = V[po + 2 * i], vi = V[po + 2 * i + 1];
    if (sign < 0 ? hi <= 0 : hi >= 0) { V[w++] = ui; V[w++] = vi; }
    if ((hi < 0 && hj > 0) || (hi > 0 && hj < 0)) {
      const uj = V[po + 2 * jj], vj = V[po + 2 * jj + 1];
      const first = ui < uj || (ui === uj && vi < vj);
      const ua = first ? ui : uj, va = first ? vi : vj, ha = first ? hi : hj;
      const ub = first ? uj : ui, vb = first ? vj : vi, hb = first ? hj : hi;
      const t = ha / (ha - hb);
      V[w++] = ua + t * (ub - ua);
      V[w++] = va + t * (vb - va);
    }
  }
  return w;
}

function grow<T extends Float64Array | Uint8Array | Int32Array | Uint32Array>(a: T, need: number): T {
  if (a.length >= need) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/**
 * The splitting loop, on pools: each depth (layer) has its own vertex pool, piece offsets, signs
 * and boxes, reused by every call at that depth (the recursion is depth-first, so one working set
 * per depth suffices); regions go straight into flat output arrays. The arithmetic and the order
 * of the pieces are those of the plain version (polygons as arrays), so results are bit-identical.
 * A class rather than closures so that V8 sees one function per method across calls.
 */
class SliceBuilder {
  readonly stats: SliceStats = { regions: 0, splits: 0, slivers: 0, thin: 0, unitsDecided: 0, milliseconds: 0 };
  status: Slice['status'] = 'complete';
  private visited = 0;
  private readonly du: number;
  private readonly dv: number;
  private readonly delta = TOL.FULL_DIM_RADIUS;
  private readonly maxRegions: number;
  private readonly nl: number;
  private readonly widths: number[];
  private readonly relu: boolean[];
  /**
   * Transposed weights (column i of W_k contiguous, at i·mp_k: rows padded with zeros to mp_k, a
   * multiple of 4, so that the kernel computes every row and no scalar tail remains).
   */
  private readonly WT: Float64Array[];
  /** Units per layer rounded up to a multiple of 4 (the stride of WT and the rows of the maps). */
  private readonly mp: number[];
  /** Units whose sign differs between a piece and its predecessor (siblingMap's columns). */
  private dj = new Int32Array(64);
  private readonly bias: Float64Array[];
  /**
   * Whether layer k's inputs whose rows are all zeros may be summed like the others: their terms
   * w·0 = ±0 leave every sum unchanged (a sum starting from +0 is never −0 in round-to-nearest),
   * except a constant column starting from a bias of −0; so only layers with a −0 bias test rows.
   */
  private readonly zeroRowsSafe: boolean[];
  /** Two scratch maps per layer (the current sibling's and its predecessor's). */
  private readonly zbuf: Float64Array[][];
  /** The WebAssembly kernel (null: plain loops), its inputs [a, a, b, b, c, c] and weight-row addresses. */
  private kern: PreKernel | null = null;
  private rowOff: Int32Array = new Int32Array(0);
  private actOff: Int32Array = new Int32Array(0);
  /** The layer-0 input map (in the kernel's memory when there is one: the kernel reads it). */
  private a0: Float64Array = new Float64Array(0);
  /**
   * classify's answers per depth: the undecided units (uList, nUnd) and the count of positive ones
   * (nPos); with the kernel also the count of positive units before each undecided one (uPre), the
   * positive units' addresses (dRo, dAo), the sign bytes with a view of their first m for each
   * width m, and the whole memory as i32 (listedPreactivation copies address runs in it).
   */
  private readonly uList: Int32Array[] = [];
  private readonly uPre: Int32Array[] = [];
  private readonly dRo: Int32Array[] = [];
  private readonly dAo: Int32Array[] = [];
  private readonly nUnd: Int32Array;
  private readonly nPos: Int32Array;
  private clsOut: Int32Array = new Int32Array(1);
  /** The kernel's per-depth descriptor addresses (see PreKernel.cls). */
  private readonly clsDesc: number[] = [];
  private I32: Int32Array = new Int32Array(0);
  private clsSign: Uint8Array = new Uint8Array(0);
  /** siblingMap's signed rows for the kernel. */
  private sibRows: Float64Array = new Float64Array(0);
  private readonly clsRows: Uint8Array[] = [];
  /** Active inputs of a preactivation, compacted: indices and their rows [a, b, c]. */
  private idx = new Int32Array(64);
  private act = new Float64Array(3 * 64);
  // per depth: vertex pool, its used length, piece offsets and vertex counts, signs (piece p at p·m), boxes
  private readonly vb: Float64Array[];
  private readonly poff: Int32Array[];
  private readonly pnv: Int32Array[];
  private readonly bx: Float64Array[];
  private hs = new Float64Array(64);
  /** Pattern id of the piece being followed at each depth. */
  private readonly curPat: Int32Array;
  // output
  private count = 0;
  private regionCap = 0;
  private offsets: Uint32Array;
  private verts: Float64Array;
  private maps: Float64Array;
  private areas: Float64Array;
  private centroids: Float64Array;
  private thin: Uint8Array;
  private patternIds: Int32Array;
  private readonly patternPool: Uint8Array[];
  private readonly patternCount: number[];
  /** Parts (SliceOptions.part): this builder follows piece q of depth splitDepth iff q mod partCount = partIndex. */
  private readonly partIndex: number;
  private readonly partCount: number;
  /** The depth whose pieces are shared out between parts, and how many of them were visited. */
  readonly splitDepth: number;
  splitSeen = 0;
  /** Regions emitted under each piece of depth splitDepth, and the counters of the cuts at depths 0..splitDepth. */
  pieceRegions = new Uint32Array(64);
  shared = { splits: 0, slivers: 0, unitsDecided: 0 };

  constructor(
    private readonly net: Network,
    private readonly netPlane: PlaneArrays,
    private readonly rect: SliceRect,
    private readonly outputScale: Slice['outputScale'],
    private readonly opts: SliceOptions,
  ) {
    this.du = rect.u1 - rect.u0;
    this.dv = rect.v1 - rect.v0;
    this.maxRegions = opts.maxRegions ?? 1_000_000;
    this.partIndex = opts.part?.index ?? 0;
    this.partCount = opts.part?.count ?? 1;
    this.splitDepth = Math.min(1, net.layers.length - 1);
    const layers = net.layers;
    this.nl = layers.length;
    this.widths = layers.map((L) => L.outSize);
    this.relu = layers.map((L) => L.activation === 'relu');
    this.mp = layers.map((L) => L.outSize + ((4 - (L.outSize % 4)) % 4));
    // weights (transposed), biases, the maps and the compacted inputs: in the kernel's memory when
    // WebAssembly SIMD is there (this thread's arena, grown when needed), else ordinary arrays
    const maxIn0 = Math.max(...layers.map((L) => L.inSize));
    const maxMp = Math.max(...this.mp);
    let descAt = 0;
    this.nUnd = new Int32Array(layers.length);
    this.nPos = new Int32Array(layers.length);
    const kern = getPreKernel();
    let alloc: (n: number) => Float64Array = (n) => new Float64Array(n);
    if (kern) {
      let need = 8 * 3 * net.inputSize + 8 * maxIn0 + 64 + maxMp + 64 + layers.length * (16 * maxMp + 96) + 24 * maxMp + 16;
      for (const [k, L] of layers.entries()) need += 8 * (L.inSize * this.mp[k] + this.mp[k] + 6 * this.mp[k]) + 64;
      const have = kern.memory.buffer.byteLength;
      if (have < need) kern.memory.grow(Math.ceil((need - have) / 65536));
      const buf = kern.memory.buffer;
      let at = 0;
      alloc = (n) => {
        const a = new Float64Array(buf, at, n);
        at += 8 * n + ((16 - ((8 * n) % 16)) % 16);
        return a;
      };
      this.a0 = alloc(3 * net.inputSize);
      this.rowOff = new Int32Array(buf, at, maxIn0);
      at += 4 * maxIn0 + ((16 - ((4 * maxIn0) % 16)) % 16);
      this.actOff = new Int32Array(buf, at, maxIn0);
      at += 4 * maxIn0 + ((16 - ((4 * maxIn0) % 16)) % 16);
      const list = () => {
        const a = new Int32Array(buf, at, maxMp);
        at += 4 * maxMp + ((16 - ((4 * maxMp) % 16)) % 16);
        return a;
      };
      for (let k = 0; k < layers.length; k++) {
        this.uList.push(list());
        this.uPre.push(list());
        this.dRo.push(list());
        this.dAo.push(list());
      }
      this.clsOut = new Int32Array(buf, at, 1);
      at += 16;
      this.I32 = new Int32Array(buf);
      this.clsSign = new Uint8Array(buf, at, maxMp);
      at += maxMp + ((16 - (maxMp % 16)) % 16);
      descAt = at;
      at += 32 * layers.length;
      this.sibRows = new Float64Array(buf, at, 3 * maxMp);
      at += 24 * maxMp;
      for (const w of this.widths) this.clsRows[w] ??= new Uint8Array(buf, this.clsSign.byteOffset, w);
      this.kern = kern;
    }
    if (this.uList.length === 0) for (let k = 0; k < layers.length; k++) this.uList.push(new Int32Array(maxMp));
    this.zeroRowsSafe = layers.map(zeroRowsSafe);
    // padded rows: zero weights and bias (their maps are computed and never read)
    this.bias = layers.map((L, k) => {
      const b = alloc(this.mp[k]);
      b.fill(0);
      b.set(L.bias);
      return b;
    });
    this.WT = layers.map((L, k) => {
      const mp = this.mp[k];
      const T = alloc(L.inSize * mp);
      T.fill(0);
      for (let j = 0; j < L.outSize; j++) for (let i = 0; i < L.inSize; i++) T[i * mp + j] = L.weights[j * L.inSize + i];
      return T;
    });
    this.zbuf = layers.map((L, k) => [alloc(3 * this.mp[k]), alloc(3 * this.mp[k])]);
    if (this.kern !== null) {
      for (let k = 0; k < layers.length; k++) {
        const next = k + 1 < layers.length ? k + 1 : k, d = descAt + 32 * k;
        this.I32.set([this.clsSign.byteOffset, this.uList[k].byteOffset, this.uPre[k].byteOffset, this.WT[next].byteOffset, 8 * this.mp[next], this.dRo[k].byteOffset, this.dAo[k].byteOffset, this.clsOut.byteOffset], d >> 2);
        this.clsDesc.push(d);
      }
    }
    this.vb = layers.map(() => new Float64Array(256));
    this.poff = layers.map(() => new Int32Array(32));
    this.pnv = layers.map(() => new Int32Array(32));
    this.bx = layers.map(() => new Float64Array(4 * 32));
    this.curPat = new Int32Array(this.nl);
    // output arrays sized for the previous slice's regions (they grow when needed), in the buffers
    // of opts.reuse where those are large enough
    const cap = Math.min(Math.max(1024, sizeHint.regions), 1 << 20);
    const re = opts.reuse, taken = new Set<ArrayBufferLike>();
    const take = <T extends Float64Array | Uint8Array | Int32Array | Uint32Array>(make: new (n: number) => T, view: new (b: ArrayBuffer, o: number, n: number) => T, old: ArrayBufferView | undefined, n: number): T => {
      const b = old?.buffer, bpe = (make as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      if (b === undefined || !(b instanceof ArrayBuffer) || taken.has(b) || b.byteLength < n * bpe) return new make(n);
      taken.add(b);
      return new view(b, 0, Math.floor(b.byteLength / bpe));
    };
    this.offsets = take(Uint32Array, Uint32Array, re?.offsets, cap + 1);
    this.offsets[0] = 0;
    this.verts = take(Float64Array, Float64Array, re?.verts, 10 * cap);
    this.areas = take(Float64Array, Float64Array, re?.areas, cap);
    this.centroids = take(Float64Array, Float64Array, re?.centroids, 2 * cap);
    this.thin = take(Uint8Array, Uint8Array, re?.thin, cap);
    this.maps = take(Float64Array, Float64Array, re?.maps, cap * 3 * net.outputSize);
    this.patternIds = take(Int32Array, Int32Array, re?.patternIds, cap * this.nl);
    this.patternPool = layers.map((L, k) => take(Uint8Array, Uint8Array, re?.patternPool[k], Math.max(64, Math.min(sizeHint.rows[k] ?? 0, 1 << 21)) * L.outSize));
    this.setRegionCap();
    this.patternCount = layers.map(() => 0);
    const maxIn = maxIn0;
    this.idx = new Int32Array(maxIn);
    this.act = new Float64Array(3 * maxIn);
    this.dj = new Int32Array(Math.max(...this.widths));
  }

  /** Regions the per-region output arrays hold (reused buffers may differ in size). */
  private setRegionCap(): void {
    const m = this.net.outputSize, nl = this.nl;
    this.regionCap = Math.min(this.offsets.length - 1, this.areas.length, this.centroids.length >> 1, this.thin.length, Math.floor(this.maps.length / (3 * m)), Math.floor(this.patternIds.length / nl));
  }

  run(): void {
    const n = this.net.inputSize, R = this.rect;
    // layer-0 map: x_k(u, v) = dir1_k u + dir2_k v + origin_k, rows [a, b, c]
    const A0 = this.kern !== null ? this.a0 : new Float64Array(3 * n);
    for (let k = 0; k < n; k++) {
      A0[3 * k] = this.netPlane.dir1[k];
      A0[3 * k + 1] = this.netPlane.dir2[k];
      A0[3 * k + 2] = this.netPlane.origin[k];
    }
    const rect = Float64Array.of(R.u0, R.v0, R.u1, R.v0, R.u1, R.v1, R.u0, R.v1);
    this.step(0, rect, 0, 4, this.preactivation(0, A0, null, 0, this.zbuf[0][0]), null, 0);
  }

  packed(): PackedRegions {
    const c = this.count, m = this.net.outputSize;
    sizeHint.regions = c;
    sizeHint.rows = this.patternCount.slice();
    return {
      count: c,
      outputSize: m,
      widths: this.widths.slice(),
      offsets: this.offsets.subarray(0, c + 1),
      verts: this.verts.subarray(0, this.offsets[c]),
      maps: this.maps.subarray(0, c * m * 3),
      areas: this.areas.subarray(0, c),
      centroids: this.centroids.subarray(0, 2 * c),
      thin: this.thin.subarray(0, c),
      patternIds: this.patternIds.subarray(0, c * this.nl),
      patternPool: this.patternPool.map((p, k) => p.subarray(0, this.patternCount[k] * this.widths[k])),
    };
  }

  /**
   * Pre-activation map of layer k from the inputs' map A (rows where on[onAt + i] is 1, or all
   * rows), into Z: row by row over the compacted active inputs, adding in input order from 0 (and
   * the bias for the constant) — the same sums, term by term, as adding columns in input order.
   */
  private preactivation(k: number, A: Float64Array, on: Uint8Array | null, onAt: number, Z: Float64Array): Float64Array {
    const L = this.net.layers[k];
    const w = L.inSize, m = L.outSize, mp = this.mp[k];
    const T = this.WT[k], bias = this.bias[k];
    const kern = this.kern;
    if (kern !== null) {
      // the active inputs as two address lists (weight row, input row), without branches (which
      // units are on is a coin toss for the predictor): every entry is written, kept iff counted
      const ro = this.rowOff, ao = this.actOff, tb = T.byteOffset, ab = A.byteOffset;
      let na = 0;
      if (on !== null && this.zeroRowsSafe[k]) {
        // the common case: the on units, zero rows or not (the same sums, see zeroRowsSafe)
        for (let i = 0; i < w; i++) {
          ro[na] = tb + 8 * i * mp;
          ao[na] = ab + 24 * i;
          na += on[onAt + i];
        }
      } else {
        for (let i = 0; i < w; i++) {
          ro[na] = tb + 8 * i * mp;
          ao[na] = ab + 24 * i;
          const nz = A[3 * i] !== 0 || A[3 * i + 1] !== 0 || A[3 * i + 2] !== 0 ? 1 : 0;
          na += on === null ? nz : on[onAt + i] & nz;
        }
      }
      kern.pre(ro.byteOffset, ao.byteOffset, na, mp, bias.byteOffset, Z.byteOffset);
      return Z;
    }
    const idx = this.idx, act = this.act;
    let na = 0;
    for (let i = 0; i < w; i++) {
      if (on !== null && on[onAt + i] === 0) continue;
      const a = A[3 * i], b = A[3 * i + 1], c = A[3 * i + 2];
      if (a === 0 && b === 0 && c === 0) continue;
      idx[na] = i;
      act[3 * na] = a;
      act[3 * na + 1] = b;
      act[3 * na + 2] = c;
      na++;
    }
    // four output rows at a time (the transposed weights hold them side by side); each row's sums
    // are still taken term by term in input order
    for (let j = 0; j < m; j += 4) {
      let a0 = 0, b0 = 0, c0 = bias[j], a1 = 0, b1 = 0, c1 = bias[j + 1];
      let a2 = 0, b2 = 0, c2 = bias[j + 2], a3 = 0, b3 = 0, c3 = bias[j + 3];
      for (let t = 0; t < na; t++) {
        const o = idx[t] * mp + j;
        const x = act[3 * t], y = act[3 * t + 1], z = act[3 * t + 2];
        const w0 = T[o], w1 = T[o + 1], w2 = T[o + 2], w3 = T[o + 3];
        a0 += w0 * x; b0 += w0 * y; c0 += w0 * z;
        a1 += w1 * x; b1 += w1 * y; c1 += w1 * z;
        a2 += w2 * x; b2 += w2 * y; c2 += w2 * z;
        a3 += w3 * x; b3 += w3 * y; c3 += w3 * z;
      }
      Z[3 * j] = a0; Z[3 * j + 1] = b0; Z[3 * j + 2] = c0;
      Z[3 * j + 3] = a1; Z[3 * j + 4] = b1; Z[3 * j + 5] = c1;
      Z[3 * j + 6] = a2; Z[3 * j + 7] = b2; Z[3 * j + 8] = c2;
      Z[3 * j + 9] = a3; Z[3 * j + 10] = b3; Z[3 * j + 11] = c3;
    }
    return Z;
  }

  /** Sets piece p's box at depth k (centre u, centre v, half-width, half-height). */
  private setBox(k: number, p: number): void {
    const V = this.vb[k], off = this.poff[k][p], nv = this.pnv[k][p];
    let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
    for (let i = 0; i < nv; i++) {
      const u = V[off + 2 * i], v = V[off + 2 * i + 1];
      if (u < umin) umin = u;
      if (u > umax) umax = u;
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
    const B = this.bx[k];
    B[4 * p] = (umin + umax) / 2;
    B[4 * p + 1] = (vmin + vmax) / 2;
    B[4 * p + 2] = (umax - umin) / 2;
    B[4 * p + 3] = (vmax - vmin) / 2;
  }

  /** Room for piece index p at depth k (m signs per piece). */
  private ensurePieces(k: number, p: number, m: number): void {
    if (this.poff[k].length > p) return;
    this.poff[k] = grow(this.poff[k], p + 1);
    this.pnv[k] = grow(this.pnv[k], p + 1);
    this.bx[k] = grow(this.bx[k], 4 * (p + 1));
  }

  /** Room for sign row `row` at depth k (m units). */
  private ensureRow(k: number, row: number, m: number): Uint8Array {
    const pool = this.patternPool[k];
    if (pool.length >= (row + 1) * m) return pool;
    return (this.patternPool[k] = grow(pool, (row + 1) * m));
  }

  /** Region from piece p (sign row `row`) at the last depth k; Z is the output layer's pre-activation map. */
  private emit(k: number, p: number, row: number, Z: Float64Array): void {
    this.emitFrom(this.vb[k], this.poff[k][p], this.pnv[k][p], k, row, Z);
  }

  /** Region from the polygon V[off..] (nv vertices) at the last depth k (sign row `row`); Z as in emit. */
  private emitFrom(V: Float64Array, off: number, nv: number, k: number, row: number, Z: Float64Array): void {
    if (this.count >= this.maxRegions) {
      this.status = 'incomplete_budget';
      return;
    }
    const r = this.count, m = this.net.outputSize, nl = this.nl;
    if (this.regionCap <= r) {
      const cap = 2 * this.regionCap;
      this.offsets = grow(this.offsets, cap + 1);
      this.areas = grow(this.areas, cap);
      this.centroids = grow(this.centroids, 2 * cap);
      this.thin = grow(this.thin, cap);
      this.maps = grow(this.maps, cap * 3 * m);
      this.patternIds = grow(this.patternIds, cap * nl);
      this.setRegionCap();
    }
    const S = this.patternPool[k], sAt = row * m;
    const scale = this.outputScale?.range ?? 1, shift = this.outputScale?.mean ?? 0;
    const maps = this.maps, mb = r * m * 3;
    for (let j = 0; j < m; j++) {
      const on = S[sAt + j] === 1;
      maps[mb + 3 * j] = on ? Z[3 * j] * scale : 0;
      maps[mb + 3 * j + 1] = on ? Z[3 * j + 1] * scale : 0;
      maps[mb + 3 * j + 2] = (on ? Z[3 * j + 2] : 0) * scale + shift;
    }
    // vertices without consecutive duplicates
    const o = this.offsets[r];
    if (this.verts.length < o + 2 * nv) this.verts = grow(this.verts, o + 2 * nv);
    const Q = this.verts;
    let q = o;
    let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
    for (let i = 0; i < nv; i++) {
      const j = i + 1 === nv ? 0 : i + 1;
      const ui = V[off + 2 * i], vi = V[off + 2 * i + 1];
      if (ui === V[off + 2 * j] && vi === V[off + 2 * j + 1] && nv > 1) continue;
      Q[q++] = ui;
      Q[q++] = vi;
      if (ui < umin) umin = ui;
      if (ui > umax) umax = ui;
      if (vi < vmin) vmin = vi;
      if (vi > vmax) vmax = vi;
    }
    this.offsets[r + 1] = q;
    const qn = (q - o) >> 1;
    const area = poolArea(Q, o, qn);
    this.areas[r] = area;
    poolCentroid(Q, o, qn, this.centroids, 2 * r);
    // thin iff the inradius bound 2·area / perimeter (unit rectangle coordinates) is at most the
    // margin; a convex polygon's perimeter is at most its box's, so a large enough area settles it
    // without the perimeter (the same answer poolInradiusAbove would give)
    const du = this.du, dv = this.dv;
    const boxPer = 2 * ((umax - umin) / du + (vmax - vmin) / dv);
    const thin = (2 * Math.abs(area)) / (du * dv) > this.delta * (1 + 1e-9) * boxPer * (1 + 1e-12) ? false : !poolInradiusAbove(Q, o, qn, du, dv, area, this.delta);
    this.thin[r] = thin ? 1 : 0;
    if (thin) this.stats.thin++;
    const ids = this.patternIds, ib = r * nl;
    for (let d = 0; d < k; d++) ids[ib + d] = this.curPat[d];
    ids[ib + k] = this.relu[k] ? row : -1;
    this.count++;
    this.stats.regions++;
  }


  /**
   * Cuts piece p at depth k (at po, pn vertices; values h in this.hs) by unit j's line: the side
   * h <= 0 replaces it, the side h >= 0 becomes piece np (sign j set). Returns the pool's new used length.
   */
  private cut(k: number, p: number, np: number, j: number, m: number, sb: number, used: number, po: number, pn: number): number {
    const stats = this.stats, h = this.hs;
    let V = this.vb[k];
    stats.splits++;
    if (V.length < used + 8 * pn + 8) V = this.vb[k] = grow(V, used + 8 * pn + 8);
    const negAt = used;
    let w = negAt;
    // first pass: the side h <= 0, then the side h >= 0
    w = clipSide(V, po, pn, h, w, -1);
    const posAt = w;
    w = clipSide(V, po, pn, h, w, 1);
    used = w;
    this.ensurePieces(k, np, m);
    const poff = this.poff[k], pnv = this.pnv[k];
    const S = this.ensureRow(k, sb / m + np, m);
    poff[p] = negAt;
    pnv[p] = (posAt - negAt) >> 1;
    poff[np] = posAt;
    pnv[np] = (w - posAt) >> 1;
    S.copyWithin(sb + np * m, sb + p * m, sb + p * m + m);
    S[sb + np * m + j] = 1;
    this.setBox(k, p);
    this.setBox(k, np);
    return used;
  }

  /** unitCuts' state: the depth's pool's used length, and the pieces decided without a cut. */
  private poolUsed = 0;
  private pieceDecided = 0;

  /**
   * Unit j of depth k (map Z; its line not decided by the whole polygon's box) against pieces
   * 0..np − 1 (sign rows from sb, m units): per piece, its box, then its vertices; the side h >= 0
   * sets the unit's sign, a line through the piece cuts it in two (the new piece appended).
   * Returns the new piece count. A method of its own: it runs for a few units per polygon, and
   * code that runs rarely keeps deoptimising (missing type feedback) where it is.
   */
  private unitCuts(k: number, j: number, Z: Float64Array, np: number, m: number, sb: number, su: number, sv: number): number {
    const stats = this.stats;
    const du = this.du, dv = this.dv, delta = this.delta;
    const a = Z[3 * j], b = Z[3 * j + 1], c = Z[3 * j + 2];
    const aa = Math.abs(a), ab = Math.abs(b);
    let V = this.vb[k], poff = this.poff[k], pnv = this.pnv[k], S = this.patternPool[k];
    let decided = 0;
    // the margin in unit rectangle coordinates: |h| <= delta · |grad h| in (s, t)
    // (computed only when needed: most lines miss the boxes by far more than epsUp, an upper
    // bound of eps — sqrt(x² + y²) <= |x| + |y| — with room for rounding)
    let eps = -1;
    const count = np;
    for (let p = 0; p < count; p++) {
      // the line misses the bounding box by more than the margin: no cut, no vertex evaluation
      const B = this.bx[k];
      const hc = a * B[4 * p] + b * B[4 * p + 1] + c;
      const spread = aa * B[4 * p + 2] + ab * B[4 * p + 3];
      if (count > 1) {
        const r = aa * (B[4 * p + 2] + su) + ab * (B[4 * p + 3] + sv);
        if (hc > r) { S[sb + p * m + j] = 1; decided++; continue; }
        if (hc < -r) { decided++; continue; }
      }
      if (eps < 0) eps = delta * Math.sqrt(a * du * (a * du) + b * dv * (b * dv));
      if (hc - spread > eps) { S[sb + p * m + j] = 1; decided++; continue; }
      if (hc + spread < -eps) { decided++; continue; }
      // values at the vertices (splitPolygon, on the pool)
      const po = poff[p], pn = pnv[p];
      if (this.hs.length < pn) this.hs = new Float64Array(2 * pn);
      const h = this.hs;
      let hmin = Infinity, hmax = -Infinity;
      for (let i = 0; i < pn; i++) {
        const x = a * V[po + 2 * i] + b * V[po + 2 * i + 1] + c;
        h[i] = x;
        if (x < hmin) hmin = x;
        if (x > hmax) hmax = x;
      }
      if (hmax <= eps) {
        if (hmax > 0) stats.slivers++;
        decided++;
        continue;
      }
      if (hmin >= -eps) {
        if (hmin < 0) stats.slivers++;
        decided++;
        S[sb + p * m + j] = 1;
        continue;
      }
      // two pieces: neg replaces p, pos is appended (a separate method: V8 optimises it on its own)
      this.poolUsed = this.cut(k, p, np, j, m, sb, this.poolUsed, po, pn);
      V = this.vb[k];
      poff = this.poff[k];
      pnv = this.pnv[k];
      S = this.patternPool[k];
      np++;
    }
    this.pieceDecided += decided;
    return np;
  }

  /** Set by differences: the units among U[0..nu) that are on in row s. */
  private onUndecided = 0;

  /**
   * The units among U[0..nu) whose sign differs between rows s and ps of S, listed in this.dj in
   * increasing order (returns how many); counts those on in row s (this.onUndecided). Signs are 0
   * or 1: counted and listed without branches (which units are on is a coin toss for the predictor).
   */
  private differences(S: Uint8Array, s: number, ps: number, U: Int32Array, nu: number): number {
    const dj = this.dj;
    let diff = 0, act = 0;
    for (let t = 0; t < nu; t++) {
      const j = U[t], x = S[s + j];
      dj[diff] = j;
      diff += x ^ S[ps + j];
      act += x;
    }
    this.onUndecided = act;
    return diff;
  }

  /**
   * Zn = the previous sibling's map Zp plus the columns of layer k + 1 of the nd units dj[0..nd)
   * whose sign differs (rows s of S: the sign now), in increasing unit order.
   */
  private siblingMap(k: number, S: Uint8Array, s: number, nd: number, Z: Float64Array, Zp: Float64Array, Zn: Float64Array): void {
    const T = this.WT[k + 1], mn = this.widths[k + 1], stride = this.mp[k + 1], dj = this.dj;
    const kern = this.kern;
    if (kern !== null) {
      // the kernel, from Zp: the differing units' signed rows and weight columns as its input lists
      const X = this.sibRows, ro = this.rowOff, ao = this.actOff, tb = T.byteOffset, xb = X.byteOffset;
      for (let d = 0; d < nd; d++) {
        const j = dj[d];
        const sg = S[s + j] === 1 ? 1 : -1;
        X[3 * d] = sg * Z[3 * j];
        X[3 * d + 1] = sg * Z[3 * j + 1];
        X[3 * d + 2] = sg * Z[3 * j + 2];
        ro[d] = tb + 8 * j * stride;
        ao[d] = xb + 24 * d;
      }
      kern.sib(ro.byteOffset, ao.byteOffset, nd, stride, Zp.byteOffset, Zn.byteOffset);
      return;
    }
    Zn.set(Zp);
    for (let d = 0; d < nd; d++) {
      const j = dj[d];
      const sg = S[s + j] === 1 ? 1 : -1;
      const a = sg * Z[3 * j], b = sg * Z[3 * j + 1], c = sg * Z[3 * j + 2], o = j * stride;
      for (let i = 0; i < mn; i++) {
        const wt = T[o + i];
        Zn[3 * i] += wt * a;
        Zn[3 * i + 1] += wt * b;
        Zn[3 * i + 2] += wt * c;
      }
    }
  }

  /**
   * Every unit of map Z (m units) against the box (centre cu, cv; half-widths hu, hv with the
   * margin's upper bound folded in): sign row sb of S gets 1 where the line misses the box with
   * h > 0 there (|h(centre)| > |a|·hu + |b|·hv), else 0; the units whose line does not miss it so
   * are listed in this.undecided, in increasing order; returns how many. In the WebAssembly kernel
   * when there is one (two units per vector; the same arithmetic, so the same answers).
   */
  private classify(k: number, Z: Float64Array, m: number, S: Uint8Array, sb: number, cu: number, cv: number, hu: number, hv: number): number {
    const kern = this.kern, U = this.uList[k];
    let n = 0;
    if (kern !== null) {
      n = kern.cls(Z.byteOffset, m + (m & 1), cu, cv, hu, hv, this.clsDesc[k]);
      // an odd m: the pair's second unit is padding (never positive)
      if (n > 0 && U[n - 1] >= m) n--;
      S.set(this.clsRows[m], sb);
      this.nPos[k] = this.clsOut[0];
    } else {
      let npos = 0;
      for (let j = 0; j < m; j++) {
        const a = Z[3 * j], b = Z[3 * j + 1];
        const hc = a * cu + b * cv + Z[3 * j + 2];
        const r = Math.abs(a) * hu + Math.abs(b) * hv;
        const pos = hc > r;
        S[sb + j] = pos ? 1 : 0;
        if (pos) npos++;
        else if (!(hc < -r)) U[n++] = j;
      }
      this.nPos[k] = npos;
    }
    this.nUnd[k] = n;
    return n;
  }

  /**
   * The pre-activation map of layer k + 1 on the piece with sign row s of S (as preactivation with
   * the on units, the kernel's case), from classify's lists at depth k: the units every piece has
   * on (the positive ones, their addresses listed by the kernel), with the piece's own positive
   * undecided units inserted in order.
   */
  private listedPreactivation(k: number, S: Uint8Array, s: number, Z: Float64Array, Zn: Float64Array): void {
    const kern = this.kern!, U = this.uList[k], nu = this.nUnd[k], nd = this.nPos[k];
    const dro = this.dRo[k], dao = this.dAo[k];
    const mp = this.mp[k + 1], bias = this.bias[k + 1].byteOffset;
    let t = 0;
    while (t < nu && S[s + U[t]] !== 1) t++;
    if (t === nu) {
      kern.pre(dro.byteOffset, dao.byteOffset, nd, mp, bias, Zn.byteOffset);
      return;
    }
    const I = this.I32, ro = this.rowOff, ao = this.actOff, P = this.uPre[k];
    const roi = ro.byteOffset >> 2, aoi = ao.byteOffset >> 2, droi = dro.byteOffset >> 2, daoi = dao.byteOffset >> 2;
    const tb = this.WT[k + 1].byteOffset, zb = Z.byteOffset;
    let w = 0, from = 0;
    for (; t < nu; t++) {
      const j = U[t];
      if (S[s + j] !== 1) continue;
      const to = P[t];
      if (to > from) {
        I.copyWithin(roi + w, droi + from, droi + to);
        I.copyWithin(aoi + w, daoi + from, daoi + to);
        w += to - from;
        from = to;
      }
      ro[w] = tb + 8 * j * mp;
      ao[w] = zb + 24 * j;
      w++;
    }
    if (nd > from) {
      I.copyWithin(roi + w, droi + from, droi + nd);
      I.copyWithin(aoi + w, daoi + from, daoi + nd);
      w += nd - from;
    }
    kern.pre(ro.byteOffset, ao.byteOffset, w, mp, bias, Zn.byteOffset);
  }

  /**
   * step for the last depth k when its layer has no ReLU and its pieces are not shared out: the same
   * effects (cancellation check, one sign row of ones, one region) without the pools' copy.
   */
  private stepLinear(k: number, src: Float64Array, off: number, nv: number, Z: Float64Array): void {
    if (this.status !== 'complete') return;
    if ((++this.visited & 255) === 0 && this.opts.signal?.aborted) {
      this.status = 'cancelled';
      return;
    }
    const m = this.widths[k];
    const base = this.patternCount[k];
    const S = this.ensureRow(k, base, m);
    S.fill(1, base * m, base * m + m);
    this.patternCount[k] = base + 1;
    this.emitFrom(src, off, nv, k, base, Z);
  }

  /** Depth-first over layers: polygon (src, off, nv) at depth k, whose pre-activations are Z (rows [a, b, c]). */
  private step(k: number, src: Float64Array, off: number, nv: number, Z: Float64Array, box: Float64Array | null, bo: number): void {
    if (this.status !== 'complete') return;
    if ((++this.visited & 255) === 0 && this.opts.signal?.aborted) {
      this.status = 'cancelled';
      return;
    }
    const m = this.widths[k];
    const last = k === this.nl - 1;
    const stats = this.stats;
    // piece 0: the polygon
    this.ensurePieces(k, 0, m);
    let V = this.vb[k];
    if (V.length < 2 * nv) V = this.vb[k] = grow(V, 2 * nv);
    for (let i = 0; i < 2 * nv; i++) V[i] = src[off + i];
    let used = 2 * nv;
    // sign rows live in the depth's pattern pool (row base + p for piece p): they are the patterns
    const base = this.patternCount[k], sb = base * m;
    let S = this.ensureRow(k, base, m);
    let poff = this.poff[k], pnv = this.pnv[k];
    poff[0] = 0;
    pnv[0] = nv;
    let np = 1;
    // the cuts at depths 0..splitDepth are made by every part: counted in `shared` too
    const splits0 = stats.splits, slivers0 = stats.slivers, decided0 = stats.unitsDecided;
    if (!this.relu[k]) {
      S.fill(1, sb, sb + m);
    } else {
      // piece 0's box: its parent piece's (the same vertices), else computed
      if (box !== null) {
        const B = this.bx[k];
        B[0] = box[bo];
        B[1] = box[bo + 1];
        B[2] = box[bo + 2];
        B[3] = box[bo + 3];
      } else this.setBox(k, 0);
      const du = this.du, dv = this.dv, delta = this.delta;
      // the margin's upper bound epsUp = delta·(|a|·du + |b|·dv)·(1 + 1e-9), folded into the box's
      // half-widths: a line misses a box by more than epsUp iff |h(centre)| > |a|·ku + |b|·kv
      const su = delta * du * (1 + 1e-9), sv = delta * dv * (1 + 1e-9);
      // every unit against the whole polygon's box at once (every piece lies in it): a line that
      // misses it by more than the margin's upper bound is decided for all pieces, as each piece's
      // own box test would; its sign goes into piece 0's row before any cut (pieces are cut from
      // piece 0, their rows copied from their parent's), and only the units left (a few per
      // polygon) are tested piece by piece below, in increasing order
      const B0 = this.bx[k];
      const nu = this.classify(k, Z, m, S, sb, B0[0], B0[1], B0[2] + su, B0[3] + sv);
      const U = this.uList[k];
      let decided = 0, prev = -1;
      this.poolUsed = used;
      this.pieceDecided = 0;
      for (let t = 0; t < nu; t++) {
        const j = U[t];
        // the units between the previous undecided one and j were decided for the np pieces there were
        decided += (j - prev - 1) * np;
        prev = j;
        np = this.unitCuts(k, j, Z, np, m, sb, su, sv);
      }
      if (nu > 0) {
        decided += this.pieceDecided;
        used = this.poolUsed;
        V = this.vb[k];
        poff = this.poff[k];
        pnv = this.pnv[k];
        S = this.patternPool[k];
      }
      decided += (m - prev - 1) * np;
      stats.unitsDecided += decided;
    }
    this.patternCount[k] = base + np;
    const split = k === this.splitDepth;
    if (k <= this.splitDepth) {
      const sh = this.shared;
      sh.splits += stats.splits - splits0;
      sh.slivers += stats.slivers - slivers0;
      sh.unitsDecided += stats.unitsDecided - decided0;
    }
    if (split && this.pieceRegions.length < this.splitSeen + np) this.pieceRegions = grow(this.pieceRegions, this.splitSeen + np);
    const parted = split && this.partCount > 1;
    if (last) {
      for (let p = 0; p < np; p++) {
        const q = split ? this.splitSeen++ : -1;
        if (parted && q % this.partCount !== this.partIndex) continue;
        const before = this.count;
        this.emit(k, p, base + p, Z);
        if (split) this.pieceRegions[q] = this.count - before;
      }
      return;
    }
    // next layer's pre-activations; a sibling's map is its predecessor's plus the few units whose sign differs
    const buf = this.zbuf[k + 1];
    // the next layer is the last and has no ReLU (and its pieces are not shared out): its step
    // only emits the polygon, done without copying it to the next depth's pool (stepLinear)
    const lastLinear = k + 1 === this.nl - 1 && !this.relu[k + 1] && k + 1 > this.splitDepth;
    // with a ReLU, the pieces' signs differ only at the units classify left undecided (the others
    // were set in piece 0's row before any cut): on units and differences are counted over those
    const relu = this.relu[k], U = this.uList[k], nu = relu ? this.nUnd[k] : 0;
    const listed = relu && this.kern !== null && this.zeroRowsSafe[k + 1];
    for (let p = 0; p < np; p++) {
      if (this.status !== 'complete') return;
      const s = sb + p * m, ps = s - m;
      const Zn = buf[p & 1];
      const diff = p > 0 ? this.differences(S, s, ps, U, nu) : 0;
      const act = (relu ? this.nPos[k] : m) + this.onUndecided;
      if (p > 0 && diff <= act / 2) {
        this.siblingMap(k, S, s, diff, Z, buf[(p - 1) & 1], Zn);
      } else if (listed) this.listedPreactivation(k, S, s, Z, Zn);
      else this.preactivation(k + 1, Z, S, s, Zn);
      this.curPat[k] = this.relu[k] ? base + p : -1;
      // a part follows its own pieces only (the maps of all are made: a sibling's map is its
      // predecessor's plus a few columns, as without parts)
      const q = split ? this.splitSeen++ : -1;
      if (parted && q % this.partCount !== this.partIndex) continue;
      const before = this.count;
      if (lastLinear) this.stepLinear(k + 1, V, poff[p], pnv[p], Zn);
      else this.step(k + 1, V, poff[p], pnv[p], Zn, this.relu[k] ? this.bx[k] : null, 4 * p);
      if (split) this.pieceRegions[q] = this.count - before;
    }
  }
}

/**
 * The affine map (u, v) → layer `layer`'s activity (or pre-activation) on a region with the given
 * pattern: rows [∂/∂u, ∂/∂v, constant], one per unit, in the network's own units (hidden layers
 * have no raw units). Cheap: one pass over the weights with three columns.
 */
export function sliceLayerMap(net: Network, slice: Pick<Slice, 'netPlane'>, pattern: ArrayLike<number>[], layer: number, mode: 'activity' | 'preactivation' = 'activity'): Float64Array {
  if (!Number.isInteger(layer) || layer < 1 || layer > net.layers.length) {
    throw new PreimageError('BAD_ARGUMENT', `expected a layer between 1 and ${net.layers.length}, found ${layer}`);
  }
  const n = net.inputSize;
  let A = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) {
    A[3 * k] = slice.netPlane.dir1[k];
    A[3 * k + 1] = slice.netPlane.dir2[k];
    A[3 * k + 2] = slice.netPlane.origin[k];
  }
  for (let k = 0; k < layer; k++) {
    const L = net.layers[k];
    const m = L.outSize, w = L.inSize;
    const Z = new Float64Array(3 * m);
    for (let j = 0; j < m; j++) {
      let za = 0, zb = 0, zc = L.bias[j];
      for (let i = 0; i < w; i++) {
        const wt = L.weights[j * w + i];
        if (wt === 0) continue;
        za += wt * A[3 * i];
        zb += wt * A[3 * i + 1];
        zc += wt * A[3 * i + 2];
      }
      Z[3 * j] = za;
      Z[3 * j + 1] = zb;
      Z[3 * j + 2] = zc;
    }
    const last = k === layer - 1;
    if (L.activation === 'relu' && !(last && mode === 'preactivation')) {
      for (let j = 0; j < m; j++) if (!pattern[k][j]) { Z[3 * j] = 0; Z[3 * j + 1] = 0; Z[3 * j + 2] = 0; }
    }
    A = Z;
  }
  return A;
}

/** The input point (in the plane's units) at plane coordinates (u, v). */
export function slicePoint(slice: Pick<Slice, 'plane'>, u: number, v: number): number[] {
  const { origin, dir1, dir2 } = slice.plane;
  return origin.map((o, k) => o + u * dir1[k] + v * dir2[k]);
}

/** The region containing (u, v) at depth > tol from its edges (plane units), or null (on an edge or outside). */
export function regionAt(slice: Pick<Slice, 'regions'>, u: number, v: number, tol = 0): SliceRegion | null {
  for (const r of slice.regions) if (polygonDepth(r.vertices, u, v) > tol) return r;
  return null;
}

/** Evaluates a region's output map at (u, v). */
export function regionOutput(r: SliceRegion, u: number, v: number): number[] {
  return r.map.c.map((c, j) => r.map.M[2 * j] * u + r.map.M[2 * j + 1] * v + c);
}
