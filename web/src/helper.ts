/**
 * The engine worker's helper (a nested worker started by worker.ts): computes part 1 of 2 of each
 * slice (computeSlice with `part`, src/render/slice.ts) while the engine worker computes part 0,
 * so that a slice uses both cores; the engine joins the parts with mergeSliceParts (the same
 * regions, bit for bit, as one computeSlice). With a class colouring it colours its part, and for
 * large slices scan-converts it too (raster.ts), so that the engine only joins the pixels. Its
 * arrays are transferred, not copied: computeSlice and classColoring make fresh ones every time.
 */
import { readNetwork, type Network } from '../../src/index.js';
import { classColoring, type ClassColoring } from '../../src/render/coloring.js';
import { computeSlice, coordinatePlane, type Slice } from '../../src/render/slice.js';
import type { PlaneSpec } from './protocol.js';
import { pixelMap, rasterizeRegions, type RegionRaster } from './raster.js';
import { warmUp } from './warmup.js';

export type HelperRequest =
  | { type: 'load'; seq: number; name: string; bytes: ArrayBuffer }
  | {
      type: 'slice';
      seq: number;
      plane: PlaneSpec;
      part: { index: number; count: number };
      rule: 'argmax' | 'argmin' | null;
      /** Scan-convert the part (with its class colouring) into this many pixels when it has more than `above` regions. */
      raster: { width: number; height: number; above: number; colours: number[] } | null;
    };

/** A slice part as plain data (the Slice fields; `packed` and `part` carry the typed arrays). */
export type HelperPart = Omit<Slice, 'regions'>;

/** The part's class colouring as plain data (ClassColoring without its lazy `polygons`). */
export type HelperColoring = Omit<ClassColoring, 'polygons'>;

export type HelperResponse =
  | { type: 'loaded'; seq: number }
  | { type: 'slice'; seq: number; slice: HelperPart; coloring: HelperColoring | null; raster: RegionRaster | null; milliseconds: number; coloringMs: number; rasterMs: number }
  | { type: 'error'; seq: number; message: string };

const ctx = self as unknown as { postMessage(m: HelperResponse, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<HelperRequest>) => void) | null };
let net: Network | null = null;

ctx.onmessage = (e: MessageEvent<HelperRequest>) => {
  const req = e.data;
  try {
    if (req.type === 'load') {
      net = readNetwork(new Uint8Array(req.bytes), req.name);
      warmUp(net);
      ctx.postMessage({ type: 'loaded', seq: req.seq });
      return;
    }
    if (!net) throw new Error('no network loaded');
    const t0 = performance.now();
    const cp = coordinatePlane(net.inputSize, req.plane.dims, req.plane.origin);
    const s = computeSlice(net, cp, req.plane.rect, { units: req.plane.units, part: req.part });
    const pk = s.packed!;
    // the builder's arrays are fresh for every slice: transferred as they are (views into buffers
    // somewhat larger than the part; a copy would cost milliseconds on the critical path)
    const packed = { ...pk, widths: pk.widths.slice() };
    const part: HelperPart = { plane: s.plane, rect: s.rect, units: s.units, netPlane: s.netPlane, outputScale: s.outputScale, inputSize: s.inputSize, outputSize: s.outputSize, widths: s.widths, packed, status: s.status, stats: s.stats, part: s.part };
    const buffers = [packed.offsets, packed.verts, packed.maps, packed.areas, packed.centroids, packed.thin, packed.patternIds, ...packed.patternPool, s.part!.pieceRegions].map((a) => a.buffer as ArrayBuffer);
    const t1 = performance.now();
    // the part's class colouring too (the engine worker joins the parts' colourings)
    let coloring: HelperColoring | null = null;
    let raster: RegionRaster | null = null;
    let t2 = t1;
    if (req.rule !== null) {
      const cc = classColoring(s, { rule: req.rule });
      const pc = cc.packed!;
      coloring = { kind: 'class', rule: cc.rule, classes: cc.classes, packed: pc, classAreas: cc.classAreas, stats: cc.stats };
      buffers.push(...[pc.offsets, pc.verts, pc.labels, pc.regions, pc.areas].map((a) => a.buffer as ArrayBuffer));
      t2 = performance.now();
      const R = req.raster;
      if (R && pk.count > R.above) {
        raster = rasterizeRegions(pk, { offsets: pc.offsets, verts: pc.verts, color: pc.labels, region: pc.regions }, Uint32Array.from(R.colours), R.width, R.height, pixelMap(s.rect, R.width, R.height));
        buffers.push(raster.ids.buffer as ArrayBuffer, raster.pixels.buffer as ArrayBuffer);
      }
    }
    const t3 = performance.now();
    ctx.postMessage({ type: 'slice', seq: req.seq, slice: part, coloring, raster, milliseconds: t1 - t0, coloringMs: t2 - t1, rasterMs: t3 - t2 }, buffers);
  } catch (err) {
    ctx.postMessage({ type: 'error', seq: req.seq, message: err instanceof Error ? err.message : String(err) });
  }
};
