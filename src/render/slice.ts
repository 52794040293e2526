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
import { dedupePolygon, inradiusBound, polygonArea, polygonCentroid, polygonDepth, splitPolygon } from './polygon.js';

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
  regions: SliceRegion[];
  status: 'complete' | 'incomplete_budget' | 'cancelled';
  stats: SliceStats;
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
  const builder = new SliceBuilder(net, { origin, dir1, dir2 }, netPlane, R, outputScale, opts);
  builder.run();
  builder.stats.milliseconds = performance.now() - t0;
  return {
    plane: { origin, dir1, dir2 },
    rect: R,
    units,
    netPlane,
    outputScale,
    inputSize: n,
    outputSize: net.outputSize,
    widths: net.layers.map((l) => l.outSize),
    regions: builder.regions,
    status: builder.status,
    stats: builder.stats,
  };
}

type PlaneArrays = { origin: number[]; dir1: number[]; dir2: number[] };

/**
 * The splitting loop. A class rather than closures so that V8 sees one function per method across
 * calls (closures re-created per call made it deoptimise on "wrong call target").
 */
class SliceBuilder {
  readonly regions: SliceRegion[] = [];
  readonly stats: SliceStats = { regions: 0, splits: 0, slivers: 0, thin: 0, unitsDecided: 0, milliseconds: 0 };
  status: Slice['status'] = 'complete';
  private visited = 0;
  private readonly n: number;
  private readonly du: number;
  private readonly dv: number;
  private readonly delta = TOL.FULL_DIM_RADIUS;
  private readonly maxRegions: number;
  /** Transposed weights: column i of W_k is contiguous. */
  private readonly WT: Float64Array[];
  /** Two scratch maps per layer (the current sibling's and its predecessor's). */
  private readonly zbuf: Float64Array[][];
  /** All-ones patterns of identity layers, shared by every region (patterns are never mutated). */
  private readonly ones: Uint8Array[];
  /** Per-piece bounding boxes (centre u, centre v, half-width, half-height). */
  private boxes = new Float64Array(4 * 64);

  constructor(
    private readonly net: Network,
    private readonly plane: PlaneArrays,
    private readonly netPlane: PlaneArrays,
    private readonly rect: SliceRect,
    private readonly outputScale: Slice['outputScale'],
    private readonly opts: SliceOptions,
  ) {
    this.n = net.inputSize;
    this.du = rect.u1 - rect.u0;
    this.dv = rect.v1 - rect.v0;
    this.maxRegions = opts.maxRegions ?? 1_000_000;
    this.WT = net.layers.map((L) => {
      const T = new Float64Array(L.weights.length);
      for (let j = 0; j < L.outSize; j++) for (let i = 0; i < L.inSize; i++) T[i * L.outSize + j] = L.weights[j * L.inSize + i];
      return T;
    });
    this.ones = net.layers.map((L) => new Uint8Array(L.outSize).fill(1));
    this.zbuf = net.layers.map((L) => [new Float64Array(3 * L.outSize), new Float64Array(3 * L.outSize)]);
  }

  run(): void {
    const n = this.n, R = this.rect;
    // layer-0 map: x_k(u, v) = dir1_k u + dir2_k v + origin_k, rows [a, b, c]
    const A0 = new Float64Array(3 * n);
    for (let k = 0; k < n; k++) {
      A0[3 * k] = this.netPlane.dir1[k];
      A0[3 * k + 1] = this.netPlane.dir2[k];
      A0[3 * k + 2] = this.netPlane.origin[k];
    }
    this.step([R.u0, R.v0, R.u1, R.v0, R.u1, R.v1, R.u0, R.v1], this.preactivation(0, A0, null, this.zbuf[0][0]), 0, []);
  }

  /** Adds W_k[:, i] ⊗ (a, b, c) to Z (interleaved rows [a, b, c]). */
  private addColumn(Z: Float64Array, k: number, i: number, a: number, b: number, c: number): void {
    const m = this.net.layers[k].outSize, T = this.WT[k], o = i * m;
    for (let j = 0; j < m; j++) {
      const wt = T[o + j];
      Z[3 * j] += wt * a;
      Z[3 * j + 1] += wt * b;
      Z[3 * j + 2] += wt * c;
    }
  }

  /** Pre-activation map of layer k from the inputs' map A (rows where `on` is 1, or all rows), into Z. */
  private preactivation(k: number, A: Float64Array, on: Uint8Array | null, Z: Float64Array): Float64Array {
    const L = this.net.layers[k];
    Z.fill(0);
    for (let j = 0; j < L.outSize; j++) Z[3 * j + 2] = L.bias[j];
    for (let i = 0; i < L.inSize; i++) {
      if (on !== null && on[i] === 0) continue;
      const a = A[3 * i], b = A[3 * i + 1], c = A[3 * i + 2];
      if (a === 0 && b === 0 && c === 0) continue;
      this.addColumn(Z, k, i, a, b, c);
    }
    return Z;
  }

  private setBox(idx: number, P: number[]): void {
    if (this.boxes.length < 4 * (idx + 1)) {
      const nb = new Float64Array(8 * (idx + 1));
      nb.set(this.boxes);
      this.boxes = nb;
    }
    let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
    for (let i = 0; i < P.length; i += 2) {
      const u = P[i], v = P[i + 1];
      if (u < umin) umin = u;
      if (u > umax) umax = u;
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
    const B = this.boxes;
    B[4 * idx] = (umin + umax) / 2;
    B[4 * idx + 1] = (vmin + vmax) / 2;
    B[4 * idx + 2] = (umax - umin) / 2;
    B[4 * idx + 3] = (vmax - vmin) / 2;
  }

  private emit(P: number[], Z: Float64Array, signs: Uint8Array, pattern: Uint8Array[]): void {
    if (this.regions.length >= this.maxRegions) {
      this.status = 'incomplete_budget';
      return;
    }
    const m = this.net.outputSize, n = this.n;
    const { origin, dir1, dir2 } = this.plane;
    const M = new Array<number>(2 * m), c = new Array<number>(m);
    const scale = this.outputScale?.range ?? 1, shift = this.outputScale?.mean ?? 0;
    for (let j = 0; j < m; j++) {
      const on = signs[j] === 1;
      M[2 * j] = on ? Z[3 * j] * scale : 0;
      M[2 * j + 1] = on ? Z[3 * j + 1] * scale : 0;
      c[j] = (on ? Z[3 * j + 2] : 0) * scale + shift;
    }
    const Q = dedupePolygon(P);
    const nv = Q.length >> 1;
    const inputVertices = new Array<number>(nv * n);
    for (let i = 0; i < nv; i++) {
      const u = Q[2 * i], v = Q[2 * i + 1];
      for (let k = 0; k < n; k++) inputVertices[i * n + k] = origin[k] + u * dir1[k] + v * dir2[k];
    }
    const thin = !(inradiusBound(Q, this.du, this.dv) > this.delta);
    if (thin) this.stats.thin++;
    this.regions.push({ id: this.regions.length, vertices: Q, inputVertices, pattern, map: { M, c }, area: polygonArea(Q), centroid: polygonCentroid(Q), thin });
    this.stats.regions++;
  }

  /** Depth-first over layers: on polygon P the pre-activations of layer k are Z (rows [a, b, c]). */
  private step(P: number[], Z: Float64Array, k: number, pattern: Uint8Array[]): void {
    if (this.status !== 'complete') return;
    if ((++this.visited & 255) === 0 && this.opts.signal?.aborted) {
      this.status = 'cancelled';
      return;
    }
    const layers = this.net.layers;
    const L = layers[k];
    const m = L.outSize;
    const last = k === layers.length - 1;
    const stats = this.stats;
    if (L.activation !== 'relu') {
      const ones = this.ones[k];
      if (last) this.emit(P, Z, ones, pattern.concat([ones]));
      else this.step(P, this.preactivation(k + 1, Z, null, this.zbuf[k + 1][0]), k + 1, pattern.concat([ones]));
      return;
    }
    const polys: number[][] = [P];
    const signs: Uint8Array[] = [new Uint8Array(m)];
    this.setBox(0, P);
    const du = this.du, dv = this.dv, delta = this.delta;
    let decided = 0;
    for (let j = 0; j < m; j++) {
      const a = Z[3 * j], b = Z[3 * j + 1], c = Z[3 * j + 2];
      // the margin in unit rectangle coordinates: |h| <= delta · |grad h| in (s, t)
      const eps = delta * Math.sqrt(a * du * (a * du) + b * dv * (b * dv));
      const aa = a < 0 ? -a : a, ab = b < 0 ? -b : b;
      const count = polys.length;
      for (let p = 0; p < count; p++) {
        // the line misses the bounding box by more than the margin: no cut, no vertex evaluation
        const B = this.boxes;
        const hc = a * B[4 * p] + b * B[4 * p + 1] + c;
        const spread = aa * B[4 * p + 2] + ab * B[4 * p + 3];
        if (hc - spread > eps) { signs[p][j] = 1; decided++; continue; }
        if (hc + spread < -eps) { decided++; continue; }
        const sp = splitPolygon(polys[p], a, b, c, eps);
        if (sp.sliver) stats.slivers++;
        if (sp.neg !== null && sp.pos !== null) {
          stats.splits++;
          polys[p] = sp.neg;
          this.setBox(p, sp.neg);
          const s2 = Uint8Array.from(signs[p]);
          s2[j] = 1;
          this.setBox(polys.length, sp.pos);
          polys.push(sp.pos);
          signs.push(s2);
        } else {
          decided++;
          if (sp.pos !== null) signs[p][j] = 1;
        }
      }
    }
    stats.unitsDecided += decided;
    if (last) {
      for (let p = 0; p < polys.length; p++) this.emit(polys[p], Z, signs[p], pattern.concat([signs[p]]));
      return;
    }
    // next layer's pre-activations; a sibling's map is its predecessor's plus the few units whose sign differs
    let prevZ: Float64Array | null = null, prevS: Uint8Array | null = null;
    const buf = this.zbuf[k + 1];
    for (let p = 0; p < polys.length; p++) {
      if (this.status !== 'complete') return;
      const s = signs[p];
      const Zn = buf[p & 1];
      let diff = 0, act = 0;
      if (prevS !== null) for (let j = 0; j < m; j++) { if (s[j] !== prevS[j]) diff++; if (s[j] === 1) act++; }
      if (prevZ !== null && prevS !== null && diff <= act / 2) {
        Zn.set(prevZ);
        for (let j = 0; j < m; j++) {
          if (s[j] === prevS[j]) continue;
          const sg = s[j] === 1 ? 1 : -1;
          this.addColumn(Zn, k + 1, j, sg * Z[3 * j], sg * Z[3 * j + 1], sg * Z[3 * j + 2]);
        }
      } else this.preactivation(k + 1, Z, s, Zn);
      prevZ = Zn;
      prevS = s;
      this.step(polys[p], Zn, k + 1, pattern.concat([s]));
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
