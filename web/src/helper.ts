/**
 * The engine worker's helper (a nested worker started by worker.ts): computes part 1 of 2 of each
 * slice (computeSlice with `part`, src/render/slice.ts) while the engine worker computes part 0,
 * so that a slice uses both cores; the engine joins the parts with mergeSliceParts (the same
 * regions, bit for bit, as one computeSlice). Its arrays are transferred, not copied.
 */
import { readNetwork, type Network } from '../../src/index.js';
import { classColoring, type ClassColoring } from '../../src/render/coloring.js';
import { computeSlice, coordinatePlane, type Slice } from '../../src/render/slice.js';
import type { PlaneSpec } from './protocol.js';
import { warmUp } from './warmup.js';

export type HelperRequest =
  | { type: 'load'; seq: number; name: string; bytes: ArrayBuffer }
  | { type: 'slice'; seq: number; plane: PlaneSpec; part: { index: number; count: number }; rule: 'argmax' | 'argmin' | null };

/** A slice part as plain data (the Slice fields; `packed` and `part` carry the typed arrays). */
export type HelperPart = Omit<Slice, 'regions'>;

/** The part's class colouring as plain data (ClassColoring without its lazy `polygons`). */
export type HelperColoring = Omit<ClassColoring, 'polygons'>;

export type HelperResponse =
  | { type: 'loaded'; seq: number }
  | { type: 'slice'; seq: number; slice: HelperPart; coloring: HelperColoring | null; milliseconds: number; coloringMs: number }
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
    // copies of the builder's views (sized to the part), then transferred
    const packed = { ...pk, widths: pk.widths.slice(), offsets: pk.offsets.slice(), verts: pk.verts.slice(), maps: pk.maps.slice(), areas: pk.areas.slice(), centroids: pk.centroids.slice(), thin: pk.thin.slice(), patternIds: pk.patternIds.slice(), patternPool: pk.patternPool.map((p) => p.slice()) };
    const part: HelperPart = { plane: s.plane, rect: s.rect, units: s.units, netPlane: s.netPlane, outputScale: s.outputScale, inputSize: s.inputSize, outputSize: s.outputSize, widths: s.widths, packed, status: s.status, stats: s.stats, part: s.part };
    const buffers = [packed.offsets, packed.verts, packed.maps, packed.areas, packed.centroids, packed.thin, packed.patternIds, ...packed.patternPool, s.part!.pieceRegions].map((a) => a.buffer as ArrayBuffer);
    const t1 = performance.now();
    // the part's class colouring too (the engine worker joins the parts' colourings)
    let coloring: HelperColoring | null = null;
    if (req.rule !== null) {
      const cc = classColoring(s, { rule: req.rule });
      const cp = cc.packed!;
      const pc = { count: cp.count, offsets: cp.offsets.slice(), verts: cp.verts.slice(), labels: cp.labels.slice(), regions: cp.regions.slice(), areas: cp.areas.slice() };
      coloring = { kind: 'class', rule: cc.rule, classes: cc.classes, packed: pc, classAreas: cc.classAreas, stats: cc.stats };
      buffers.push(...[pc.offsets, pc.verts, pc.labels, pc.regions, pc.areas].map((a) => a.buffer as ArrayBuffer));
    }
    const t2 = performance.now();
    ctx.postMessage({ type: 'slice', seq: req.seq, slice: part, coloring, milliseconds: t1 - t0, coloringMs: t2 - t1 }, buffers);
  } catch (err) {
    ctx.postMessage({ type: 'error', seq: req.seq, message: err instanceof Error ? err.message : String(err) });
  }
};
