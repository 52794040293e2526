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
import { dedupePolygon, inradiusBound, polygonArea, polygonCentroid, splitPolygon } from './polygon.js';

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
  /** Vertices [u, v] in plane coordinates, counter-clockwise. */
  vertices: number[][];
  /** The same vertices in input coordinates (the plane's units: raw for `units: 'raw'`). */
  inputVertices: number[][];
  /** Activation pattern per layer (1 active, 0 inactive; identity layers all ones), as activationPattern. */
  pattern: Uint8Array[];
  /** Outputs on the region: y = M [u, v] + c (M is outputs × 2). Raw outputs for `units: 'raw'`. */
  map: { M: number[][]; c: number[] };
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
  const maxRegions = opts.maxRegions ?? 1_000_000;
  const du = R.u1 - R.u0, dv = R.v1 - R.v0;
  const delta = TOL.FULL_DIM_RADIUS;
  const layers = net.layers;
  const Lc = layers.length;
  const stats: SliceStats = { regions: 0, splits: 0, slivers: 0, thin: 0, unitsDecided: 0, milliseconds: 0 };
  const regions: SliceRegion[] = [];
  let status: Slice['status'] = 'complete';
  let visited = 0;

  // transposed weights: column i of W is contiguous (Z += W[:, i] · a_i runs over a contiguous row)
  const WT = layers.map((L) => {
    const T = new Float64Array(L.weights.length);
    for (let j = 0; j < L.outSize; j++) for (let i = 0; i < L.inSize; i++) T[i * L.outSize + j] = L.weights[j * L.inSize + i];
    return T;
  });
  /** Adds sign · W_k[:, i] ⊗ (a, b, c) to Z (interleaved rows [a, b, c]). */
  const addColumn = (Z: Float64Array, k: number, i: number, a: number, b: number, c: number): void => {
    const m = layers[k].outSize, T = WT[k], o = i * m;
    for (let j = 0; j < m; j++) {
      const wt = T[o + j];
      Z[3 * j] += wt * a;
      Z[3 * j + 1] += wt * b;
      Z[3 * j + 2] += wt * c;
    }
  };
  /** Pre-activation map of layer k from the inputs' map A (rows where `on` is 1, or all rows). */
  const preactivation = (k: number, A: ArrayLike<number>, on: Uint8Array | null): Float64Array => {
    const L = layers[k];
    const Z = new Float64Array(3 * L.outSize);
    for (let j = 0; j < L.outSize; j++) Z[3 * j + 2] = L.bias[j];
    for (let i = 0; i < L.inSize; i++) {
      if (on && !on[i]) continue;
      const a = A[3 * i], b = A[3 * i + 1], c = A[3 * i + 2];
      if (a === 0 && b === 0 && c === 0) continue;
      addColumn(Z, k, i, a, b, c);
    }
    return Z;
  };

  // per-piece bounding boxes (centre and half-extents) for a cheap test before the vertices
  let boxes = new Float64Array(4 * 64);
  const setBox = (idx: number, P: number[]): void => {
    if (boxes.length < 4 * (idx + 1)) { const nb = new Float64Array(8 * (idx + 1)); nb.set(boxes); boxes = nb; }
    let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
    for (let i = 0; i < P.length; i += 2) {
      const u = P[i], v = P[i + 1];
      if (u < umin) umin = u;
      if (u > umax) umax = u;
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
    boxes[4 * idx] = (umin + umax) / 2;
    boxes[4 * idx + 1] = (vmin + vmax) / 2;
    boxes[4 * idx + 2] = (umax - umin) / 2;
    boxes[4 * idx + 3] = (vmax - vmin) / 2;
  };

  // depth-first over layers: on polygon P the pre-activations of layer k are Z (rows [a, b, c])
  const step = (P: number[], Z: Float64Array, k: number, pattern: Uint8Array[]): void => {
    if (status !== 'complete') return;
    if ((++visited & 255) === 0 && opts.signal?.aborted) { status = 'cancelled'; return; }
    const L = layers[k];
    const m = L.outSize;
    const last = k === Lc - 1;
    if (L.activation !== 'relu') {
      const ones = new Uint8Array(m).fill(1);
      if (last) {
        if (regions.length >= maxRegions) { status = 'incomplete_budget'; return; }
        emit(P, Z, ones, pattern.concat([ones]));
      } else step(P, preactivation(k + 1, Z, null), k + 1, pattern.concat([ones]));
      return;
    }
    const polys: number[][] = [P];
    const signs: Uint8Array[] = [new Uint8Array(m)];
    setBox(0, P);
    for (let j = 0; j < m; j++) {
      const a = Z[3 * j], b = Z[3 * j + 1], c = Z[3 * j + 2];
      const eps = delta * Math.sqrt(a * du * (a * du) + b * dv * (b * dv));
      const aa = a < 0 ? -a : a, ab = b < 0 ? -b : b;
      const count = polys.length;
      for (let p = 0; p < count; p++) {
        // the line misses the bounding box by more than the margin: no cut, no vertex evaluation
        const hc = a * boxes[4 * p] + b * boxes[4 * p + 1] + c;
        const spread = aa * boxes[4 * p + 2] + ab * boxes[4 * p + 3];
        if (hc - spread > eps) { signs[p][j] = 1; stats.unitsDecided++; continue; }
        if (hc + spread < -eps) { stats.unitsDecided++; continue; }
        const sp = splitPolygon(polys[p], a, b, c, eps);
        if (sp.sliver) stats.slivers++;
        if (sp.neg && sp.pos) {
          stats.splits++;
          polys[p] = sp.neg;
          setBox(p, sp.neg);
          const s2 = Uint8Array.from(signs[p]);
          s2[j] = 1;
          setBox(polys.length, sp.pos);
          polys.push(sp.pos);
          signs.push(s2);
        } else {
          stats.unitsDecided++;
          if (sp.pos) signs[p][j] = 1;
        }
      }
    }
    if (last) {
      for (let p = 0; p < polys.length; p++) {
        if (regions.length >= maxRegions) { status = 'incomplete_budget'; return; }
        emit(polys[p], Z, signs[p], pattern.concat([signs[p]]));
      }
      return;
    }
    // next layer's pre-activations; a sibling's map is its predecessor's plus the few units whose sign differs
    let prevZ: Float64Array | null = null, prevS: Uint8Array | null = null;
    for (let p = 0; p < polys.length; p++) {
      if (status !== 'complete') return;
      const s = signs[p];
      let Zn: Float64Array;
      let diff = 0, act = 0;
      if (prevS) for (let j = 0; j < m; j++) { if (s[j] !== prevS[j]) diff++; if (s[j]) act++; }
      if (prevZ && prevS && diff <= act / 2) {
        Zn = Float64Array.from(prevZ);
        for (let j = 0; j < m; j++) {
          if (s[j] === prevS[j]) continue;
          const sg = s[j] ? 1 : -1;
          addColumn(Zn, k + 1, j, sg * Z[3 * j], sg * Z[3 * j + 1], sg * Z[3 * j + 2]);
        }
      } else Zn = preactivation(k + 1, Z, s);
      prevZ = Zn;
      prevS = s;
      step(polys[p], Zn, k + 1, pattern.concat([s]));
    }
  };

  // layer-0 map: x_k(u, v) = dir1_k u + dir2_k v + origin_k, rows [a, b, c]
  const A0 = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) {
    A0[3 * k] = netPlane.dir1[k];
    A0[3 * k + 1] = netPlane.dir2[k];
    A0[3 * k + 2] = netPlane.origin[k];
  }
  step([R.u0, R.v0, R.u1, R.v0, R.u1, R.v1, R.u0, R.v1], preactivation(0, A0, null), 0, []);
  stats.milliseconds = performance.now() - t0;
  return {
    plane: { origin, dir1, dir2 },
    rect: R,
    units,
    netPlane,
    outputScale,
    inputSize: n,
    outputSize: net.outputSize,
    widths: layers.map((l) => l.outSize),
    regions,
    status,
    stats,
  };
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

/** The region containing (u, v) at depth > tol from its edges, or null (on an edge or outside). */
export function regionAt(slice: Pick<Slice, 'regions'>, u: number, v: number, tol = 0): SliceRegion | null {
  for (const r of slice.regions) {
    const P = r.vertices;
    let inside = true;
    for (let i = 0; i < P.length && inside; i++) {
      const a = P[i], b = P[(i + 1) % P.length];
      const eu = b[0] - a[0], ev = b[1] - a[1];
      const len = Math.hypot(eu, ev);
      if (len === 0) continue;
      if ((eu * (v - a[1]) - ev * (u - a[0])) / len <= tol) inside = false;
    }
    if (inside) return r;
  }
  return null;
}

/** Flat [u0, v0, u1, v1, ...] coordinates of a region's vertices. */
export function flatVertices(vertices: number[][]): number[] {
  const out: number[] = [];
  for (const p of vertices) out.push(p[0], p[1]);
  return out;
}
