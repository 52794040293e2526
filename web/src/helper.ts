/**
 * The engine worker's helper (a nested worker started by worker.ts): computes part 1 of 2 of each
 * slice (computeSlice with `part`, src/render/slice.ts) while the engine worker computes part 0,
 * so that a slice uses both cores; the engine joins the parts with mergeSliceParts (the same
 * regions, bit for bit, as one computeSlice). With a class colouring it colours its part, and for
 * large slices scan-converts it too (raster.ts), so that the engine only joins the pixels. Its
 * arrays are transferred, not copied: computeSlice and classColoring write them into the buffers of
 * its previous part, which the engine worker sends back with the next request (`reuse`), or fresh ones.
 */
import { readNetwork, type Network } from '../../src/index.js';
import { classColoring, type ClassColoring, type PackedPolygons } from '../../src/render/coloring.js';
import { computeSlice, coordinatePlane, type PackedRegions, type Slice } from '../../src/render/slice.js';
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
      /**
       * The arrays of this helper's previous part, sent back by the engine worker once nothing
       * reads them: the new part is written into their buffers (fresh memory costs its first touch).
       */
      reuse?: HelperReuse;
    };

/** Arrays a helper made for an earlier part, to be overwritten (see `reuse`). */
export interface HelperReuse {
  packed: PackedRegions | null;
  coloring: PackedPolygons | null;
  raster: { ids: Int32Array; pixels: Uint32Array } | null;
}

/** The distinct, not detached buffers of some arrays (a transfer list). */
export function buffersOf(arrays: (ArrayBufferView | null | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) out.add(a.buffer);
  return [...out];
}

/** A HelperReuse's transfer list. */
export function reuseBuffers(r: HelperReuse): ArrayBuffer[] {
  const p = r.packed, c = r.coloring;
  return buffersOf([p?.offsets, p?.verts, p?.maps, p?.areas, p?.centroids, p?.thin, p?.patternIds, ...(p?.patternPool ?? []), c?.offsets, c?.verts, c?.labels, c?.regions, c?.areas, r.raster?.ids, r.raster?.pixels]);
}

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
    const re = req.reuse;
    const s = computeSlice(net, cp, req.plane.rect, { units: req.plane.units, part: req.part, reuse: re?.packed ?? undefined });
    const pk = s.packed!;
    // the builder's arrays are this part's alone (fresh or sent back for reuse): transferred as
    // they are (views into buffers somewhat larger than the part; a copy would cost milliseconds
    // on the critical path)
    const packed = { ...pk, widths: pk.widths.slice() };
    const part: HelperPart = { plane: s.plane, rect: s.rect, units: s.units, netPlane: s.netPlane, outputScale: s.outputScale, inputSize: s.inputSize, outputSize: s.outputSize, widths: s.widths, packed, status: s.status, stats: s.stats, part: s.part };
    const buffers = buffersOf([packed.offsets, packed.verts, packed.maps, packed.areas, packed.centroids, packed.thin, packed.patternIds, ...packed.patternPool, s.part!.pieceRegions]);
    const t1 = performance.now();
    // the part's class colouring too (the engine worker joins the parts' colourings)
    let coloring: HelperColoring | null = null;
    let raster: RegionRaster | null = null;
    let t2 = t1;
    if (req.rule !== null) {
      const cc = classColoring(s, { rule: req.rule, reuse: re?.coloring ?? undefined });
      const pc = cc.packed!;
      coloring = { kind: 'class', rule: cc.rule, classes: cc.classes, packed: pc, classAreas: cc.classAreas, stats: cc.stats };
      buffers.push(...buffersOf([pc.offsets, pc.verts, pc.labels, pc.regions, pc.areas]));
      t2 = performance.now();
      const R = req.raster;
      if (R && pk.count > R.above) {
        raster = rasterizeRegions(pk, { offsets: pc.offsets, verts: pc.verts, color: pc.labels, region: pc.regions }, Uint32Array.from(R.colours), R.width, R.height, pixelMap(s.rect, R.width, R.height), re?.raster ?? undefined);
        buffers.push(...buffersOf([raster.ids, raster.pixels]));
      }
    }
    const t3 = performance.now();
    ctx.postMessage({ type: 'slice', seq: req.seq, slice: part, coloring, raster, milliseconds: t1 - t0, coloringMs: t2 - t1, rasterMs: t3 - t2 }, [...new Set(buffers)]);
  } catch (err) {
    ctx.postMessage({ type: 'error', seq: req.seq, message: err instanceof Error ? err.message : String(err) });
  }
};
