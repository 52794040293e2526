/**
 * Messages between the page (main.ts) and the engine worker (worker.ts). Every request carries an
 * `id`; the worker answers with the same id (or an `error` message with the library's error code).
 * Geometry crosses the boundary packed into typed arrays whose buffers are transferred, not copied.
 */

/**
 * Slices with more regions than this are scan-converted (raster.ts) instead of drawn as canvas
 * paths; the workers do it when the request says how many pixels (Request `slice`.raster).
 */
export const RASTER_ABOVE = 3000;

/** Colour of the clicked point's preimage (drawn over the fills, on the page and in the SVG). */
export const CLICK_PREIMAGE_COLOR = '#6a3d9a';

/** What the page needs to know about a loaded network. */
export interface NetInfo {
  name: string;
  format: string;
  inputSize: number;
  outputSize: number;
  /** Units per layer 1..L. */
  widths: number[];
  activations: string[];
  /** A .nnet file's raw input ranges (raw units), or null. */
  raw: { inputMin: number[]; inputMax: number[]; inputMean: number[]; inputRange: number[] } | null;
  notes: string[];
}

/** The plane: two input coordinates `dims` with the other inputs fixed at `origin` (length n; entries dims are ignored). */
export interface PlaneSpec {
  dims: [number, number];
  origin: number[];
  rect: { u0: number; u1: number; v0: number; v1: number };
  units: 'raw' | 'normalized';
}

/** How the slice is coloured. Output targets are in raw units on raw slices. */
export type ColorSpec =
  | { kind: 'class'; rule: 'argmax' | 'argmin' }
  | { kind: 'pattern' }
  | { kind: 'classPreimage'; index: number; rule: 'argmax' | 'argmin' }
  | { kind: 'boxPreimage'; lo: number[]; hi: number[] };

/** Convex polygons packed: polygon i is verts[offsets[i] .. offsets[i + 1]) as [u, v, u, v, ...]. */
export interface PackedPolygons {
  offsets: Uint32Array;
  verts: Float64Array;
}

/**
 * The slice's regions, packed for drawing and for hover look-ups on the page: the arrays of the
 * library's `Slice.packed` (src/render/slice.ts), copied out of the worker's slice and transferred.
 */
export interface PackedSlice {
  plane: PlaneSpec;
  status: string;
  stats: { regions: number; splits: number; slivers: number; thin: number; milliseconds: number };
  count: number;
  polys: PackedPolygons;
  /** Per region, outputs × [∂/∂u, ∂/∂v, constant] (raw outputs on raw slices). */
  maps: Float64Array;
  outputSize: number;
  /** Units per layer. */
  widths: number[];
  /**
   * Region r's pattern at layer k: patternPool[k][id·widths[k] .. (id + 1)·widths[k]) with
   * id = patternIds[r·layers + k]; id −1 (or a layer without ReLU): all units on.
   */
  patternIds: Int32Array;
  patternPool: Uint8Array[];
  areas: Float64Array;
  centroids: Float64Array;
  thin: Uint8Array;
}

/** Where a part's regions go in the whole slice (the library's SlicePart). */
export interface PartInfo {
  index: number;
  count: number;
  pieceRegions: Uint32Array;
  shared: { splits: number; slivers: number; unitsDecided: number };
  depth?: number;
}

/** Where the time of a slice request went in the worker (milliseconds). */
export interface WorkerTimings {
  /** Whether computeSlice ran its WebAssembly SIMD kernel in the worker (src/render/slice.ts sliceKernel). */
  kernel: 'wasm-simd' | 'js';
  /** The slice: both parts (in parallel) and joining them, or one computeSlice without the helper. */
  slice: number;
  /** With the helper: part 0 here, part 1 in the helper, the wait for it after part 0, the join. */
  parts: { own: number; helper: number | null; helperColoring: number | null; helperRaster: number | null; wait: number; merge: number } | null;
  /**
   * The colouring (classColoring, targetColoring or pattern keys) and packing its polygons; with
   * the helper, class colouring is done per part (this worker's part while the helper finishes)
   * and joined, and this counts this worker's share.
   */
  coloring: number;
  /**
   * Copying the packed arrays out for transfer before the answer that is drawn (0 when a picture
   * goes first: the copies are made after it, for the `sliceData` message).
   */
  pack: number;
  /** Scan conversion in this worker (its part, or the whole slice) and joining the parts' pixels; 0 without a picture. */
  raster: number;
  /** Everything in the worker, from the request's arrival to postMessage. */
  total: number;
  /** performance.timeOrigin + performance.now() when the answer was posted (to time the transfer). */
  postedAt: number;
}

/** Filled polygons: polygon i is painted palette[color[i]]; `legend` explains the colours. */
export interface Fills {
  polys: PackedPolygons;
  color: Uint32Array;
  /** The slice region each polygon is a part of (the page draws a region with one polygon from the region's pixels). */
  region: Int32Array;
  palette: string[];
  legend: { color: string; text: string }[];
  /** One line saying what is shown. */
  title: string;
  milliseconds: number;
  /** For preimage colourings: the number of polygons inside and the inside area's share. */
  inside?: { polygons: number; share: number };
}

/** The preimage of a clicked point's activity, drawn on the slice. */
export interface PointPreimage {
  layer: number;
  /** `engine`: computePreimage pieces (2-input networks); `slice`: the slice regions meeting the preimage. */
  method: 'engine' | 'slice';
  /** Pieces: engine pieces, or slice polygons + segments + points. */
  pieces: number;
  byDimension: [number, number, number];
  polys: PackedPolygons;
  /** Segments [ua, va, ub, vb] each. */
  segments: Float64Array;
  /** Points [u, v] each. */
  points: Float64Array;
  status: string;
  milliseconds: number;
  /** Whether the clicked point lies in a drawn piece (it always should, up to the margin). */
  containsClick: boolean;
}

export interface ClickResult {
  u: number;
  v: number;
  /** The input point, in the plane's units. */
  input: number[];
  /** Region of the slice containing the point, or -1 (on an edge). */
  region: number;
  /** Activity of layers 1..L (outputs in raw units on raw slices) and pre-activations. */
  activities: number[][];
  preactivations: number[][];
  preimage: PointPreimage;
}

export type Request =
  | { type: 'load'; id: number; name: string; bytes: ArrayBuffer }
  | {
      type: 'slice';
      id: number;
      plane: PlaneSpec;
      color: ColorSpec;
      names?: Names;
      /**
       * The plot area in device pixels: a slice with more than RASTER_ABOVE regions is then
       * answered with its picture first (`slicePicture`, scan-converted in the workers) and its
       * data right after (`sliceData`).
       */
      raster?: { width: number; height: number };
    }
  | { type: 'color'; id: number; color: ColorSpec }
  | { type: 'click'; id: number; u: number; v: number; layer: number }
  | { type: 'export'; id: number; kind: 'svg' | 'json' }
  /**
   * Not a request (no answer, handled at once, not queued): buffers the page no longer reads (the
   * pixels of a picture it has replaced), for the worker to write the next picture into.
   */
  | { type: 'recycle'; id: 0; buffers: ArrayBuffer[] };

/** Display names of the inputs (axis titles) and of the classes (legends). */
export interface Names {
  inputs?: string[];
  classes?: string[];
}

/**
 * A slice's data as the page keeps it (the `slice` answer, and `sliceData` after a picture: then
 * the fills carry only the title and legend, the page drawing from the picture).
 */
export interface SliceData {
  /** The whole slice, or (with `parts`) part 0 of it; `stats` are the whole slice's. */
  slice: PackedSlice;
  fills: Fills;
  timings: WorkerTimings;
  /** A slice computed in parts: part i's info, and parts 1.. themselves (`slice`, `fills` are part 0). */
  parts: { part: PartInfo; more: { slice: PackedSlice; fills: Fills } | null }[] | null;
}

/** A large slice's picture: the plot area's pixels (ImageData's byte order), ready for putImageData. */
export interface SlicePicture {
  width: number;
  height: number;
  pixels: Uint32Array;
}

export type Response =
  | { type: 'loaded'; id: number; info: NetInfo; milliseconds: number }
  | ({ type: 'slice'; id: number } & SliceData)
  | {
      /** The answer to a `slice` request with `raster` for a large slice; `sliceData` with the same id follows. */
      type: 'slicePicture';
      id: number;
      picture: SlicePicture;
      plane: PlaneSpec;
      status: string;
      stats: PackedSlice['stats'];
      title: string;
      legend: Fills['legend'];
      /** The colouring's time (Fills.milliseconds). */
      coloringMs: number;
      timings: WorkerTimings;
    }
  | ({ type: 'sliceData'; id: number } & SliceData)
  | { type: 'color'; id: number; fills: Fills }
  | { type: 'click'; id: number; click: ClickResult }
  | { type: 'export'; id: number; kind: 'svg' | 'json'; text: string; filename: string }
  | { type: 'error'; id: number; request: Request['type']; code: string; message: string };
