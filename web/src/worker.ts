/**
 * The playground's engine, in a Web Worker so that the page never freezes: it reads networks
 * (readNetwork), computes exact slices (computeSlice) and their colourings, evaluates clicked
 * points, computes the preimage of a clicked point's activity (computePreimage for 2-input
 * networks, the slice's point-target colouring otherwise) and writes the SVG and JSON exports.
 * One request at a time, in order; the page cancels a long computation by terminating the worker.
 */
import { PreimageError, computePreimage, denormalizeOutput, evaluateLayers, normalizeInput, readNetwork, type Network, type PieceJson, type PreimageResult } from '../../src/index.js';
import { classColoring, mergeClassColorings, patternKey, targetColoring, type ClassColoring, type TargetColoring } from '../../src/render/coloring.js';
import { CLASS_COLORS, OUTSIDE_COLOR, PREIMAGE_COLORS, patternColor } from '../../src/render/palette.js';
import { computeSlice, coordinatePlane, mergeSliceParts, regionAt, sliceKernel, slicePoint, type PackedRegions, type Slice } from '../../src/render/slice.js';
import { buffersOf, reuseBuffers, type HelperRequest, type HelperResponse, type HelperReuse } from './helper.js';
import { joinRasters, pixelMap, rasterizeRegions, rgba, type RegionRaster } from './raster.js';
import { warmUp } from './warmup.js';
import { sliceSvg, type SliceOverlay } from '../../src/render/svg.js';
import { polygonDepth } from '../../src/render/polygon.js';
import { CLICK_PREIMAGE_COLOR, RASTER_ABOVE, type ClickResult, type ColorSpec, type Fills, type NetInfo, type Names, type PackedPolygons, type PackedSlice, type PlaneSpec, type PointPreimage, type PartInfo, type Request, type Response, type WorkerTimings } from './protocol.js';


interface State {
  net: Network | null;
  info: NetInfo | null;
  slice: Slice | null;
  /** After a parallel slice: joins the parts into the whole slice (currentSlice). */
  lazySlice: (() => Slice) | null;
  plane: PlaneSpec | null;
  names: Names;
  color: ColorSpec | null;
  coloring: ClassColoring | TargetColoring | null;
  lazyColoring: (() => ClassColoring) | null;
  fills: Fills | null;
  click: { result: ClickResult; engine: PreimageResult | null; tc: TargetColoring | null } | null;
}

const S: State = { net: null, info: null, slice: null, lazySlice: null, plane: null, names: {}, color: null, coloring: null, lazyColoring: null, fills: null, click: null };

const ctx = self as unknown as { postMessage(m: Response, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<Request>) => void) | null };

function post(m: Response, transfer: Transferable[] = []): void {
  ctx.postMessage(m, transfer);
}

// one request at a time, in order (a slice waits for the helper's part: later requests queue behind it)
let queue: Promise<void> = Promise.resolve();
ctx.onmessage = (e: MessageEvent<Request>) => {
  const req = e.data;
  if (req.type === 'recycle') {
    // the page's arrays of a dropped slice: later pictures and copies are written into them (not queued: no answer)
    for (const b of req.buffers) giveBuffer(b);
    return;
  }
  queue = queue.then(() => handle(req));
};

// ------------------------------------------------------------------------------------------------
// Memory of earlier slices. Fresh memory costs a page fault per 4 KiB on its first touch (in
// Chromium on this project's machine about 4 ms per 4.8 MB, several times what writing reused
// memory costs), and a large slice makes tens of megabytes of arrays: the arrays of the last slice
// are overwritten by the next one once nothing reads them (the state is reset when the next slice
// starts, the page has its own copies) — this worker's part here, the helper's part sent back to
// the helper with the next request — and the page sends back the pixels of each picture it has
// replaced and of the data it has dropped (protocol.ts `recycle`), for the next picture and the
// next data copies.

interface LastSlice {
  own: Slice;
  ownColoring: ClassColoring | null;
  ownRaster: RegionRaster | null;
  helper: HelperReuse | null;
}

const spare: { last: LastSlice | null; buffers: ArrayBuffer[] } = { last: null, buffers: [] };
/** The spare buffers from the page are kept up to this many bytes in all (a few slices' worth). */
const SPARE_BYTES = 96 << 20;

function giveBuffer(b: ArrayBuffer): void {
  if (!(b instanceof ArrayBuffer) || b.byteLength === 0) return;
  let total = b.byteLength;
  for (const x of spare.buffers) total += x.byteLength;
  if (total <= SPARE_BYTES) spare.buffers.push(b);
}

/** The smallest spare buffer of at least `bytes` bytes (taken: the caller owns it), if any. */
function takeBuffer(bytes: number): ArrayBuffer | undefined {
  let best = -1;
  spare.buffers.forEach((b, i) => {
    if (b.byteLength >= bytes && (best < 0 || b.byteLength < spare.buffers[best].byteLength)) best = i;
  });
  return best < 0 ? undefined : spare.buffers.splice(best, 1)[0];
}

/** A copy of `a` (for the page), in a spare buffer when one is large enough. */
function copyOut<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T): T {
  const b = a.byteLength >= 65536 ? takeBuffer(a.byteLength) : undefined;
  if (b === undefined) return a.slice() as T;
  const out = new (a.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(b, 0, a.length);
  out.set(a);
  return out;
}

/** The last slice's arrays for the next one to overwrite (taken once: the caller owns them). */
function takeLast(): LastSlice | null {
  const l = spare.last;
  spare.last = null;
  return l;
}

/** Spare pixels for a picture of `raster`'s size, if any (taken once). */
function takePixels(raster: RasterSize): Uint32Array | undefined {
  const b = takeBuffer(4 * raster.width * raster.height);
  return b ? new Uint32Array(b, 0, raster.width * raster.height) : undefined;
}

async function handle(req: Request): Promise<void> {
  try {
    switch (req.type) {
      case 'load': return await load(req.id, req.name, req.bytes);
      case 'slice': return await slice(req.id, req.plane, req.color, req.names ?? {}, req.raster ?? null);
      case 'color': return color(req.id, req.color);
      case 'click': return click(req.id, req.u, req.v, req.layer);
      case 'export': return exportFile(req.id, req.kind);
    }
  } catch (err) {
    const code = err instanceof PreimageError ? err.code : 'INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof PreimageError)) console.error(err);
    post({ type: 'error', id: req.id, request: req.type, code, message: message.replace(/\s*[\r\n]+\s*/g, ' ').trim() });
  }
}

// ------------------------------------------------------------------------------------------------
// the helper worker (helper.ts): part 1 of every slice, on the other core

let helper: Worker | null = null;
let helperSeq = 0;
const helperWaiting = new Map<number, (r: HelperResponse) => void>();

function startHelper(): Worker | null {
  if (helper) return helper;
  if (typeof Worker === 'undefined') return null;
  try {
    helper = new Worker(new URL('./helper.ts', import.meta.url), { type: 'module', name: 'relu-preimage slice helper' });
  } catch {
    return null;
  }
  helper.onmessage = (e: MessageEvent<HelperResponse>) => {
    const done = helperWaiting.get(e.data.seq);
    helperWaiting.delete(e.data.seq);
    done?.(e.data);
  };
  helper.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    // no helper from now on: slices are computed here alone
    helper?.terminate();
    helper = null;
    for (const done of helperWaiting.values()) done({ type: 'error', seq: -1, message: e.message || 'the helper worker failed' });
    helperWaiting.clear();
  };
  return helper;
}

startHelper();

function askHelper(msg: HelperRequest, transfer: Transferable[] = []): Promise<HelperResponse> | null {
  const h = startHelper();
  if (!h) return null;
  return new Promise((resolve) => {
    helperWaiting.set(msg.seq, resolve);
    h.postMessage(msg, transfer);
  });
}

function need<T>(v: T | null, what: string): T {
  if (v === null) throw new PreimageError('BAD_ARGUMENT', `expected ${what} first, found none`);
  return v;
}

// ------------------------------------------------------------------------------------------------

async function load(id: number, name: string, bytes: ArrayBuffer): Promise<void> {
  const t0 = performance.now();
  const net = readNetwork(new Uint8Array(bytes), name);
  const nz = net.normalization;
  const info: NetInfo = {
    name: net.source?.name ?? name,
    format: net.source?.format ?? 'memory',
    inputSize: net.inputSize,
    outputSize: net.outputSize,
    widths: net.layers.map((l) => l.outSize),
    activations: net.layers.map((l) => l.activation),
    raw: nz ? { inputMin: Array.from(nz.inputMin), inputMax: Array.from(nz.inputMax), inputMean: Array.from(nz.inputMean), inputRange: Array.from(nz.inputRange) } : null,
    notes: net.source?.notes ?? [],
  };
  if (net.inputSize < 2) throw new PreimageError('BAD_ARGUMENT', `expected a network with at least 2 inputs to draw a plane, found ${net.inputSize}`);
  Object.assign(S, { net, info, slice: null, lazySlice: null, plane: null, coloring: null, lazyColoring: null, fills: null, click: null });
  // the helper reads the same bytes (a copy; it warms up on its core meanwhile)
  const copy = bytes.slice(0);
  const helperLoaded = askHelper({ type: 'load', seq: ++helperSeq, name, bytes: copy }, [copy]);
  warmUp(net);
  // answer when the helper has warmed up too (else the first slice waits for it), or after 3 s
  if (helperLoaded) await Promise.race([helperLoaded, new Promise((resolve) => setTimeout(resolve, 3000))]);
  post({ type: 'loaded', id, info, milliseconds: performance.now() - t0 });
}

function pack(polys: number[][]): PackedPolygons {
  let total = 0;
  for (const P of polys) total += P.length;
  const offsets = new Uint32Array(polys.length + 1), verts = new Float64Array(total);
  let o = 0;
  polys.forEach((P, i) => {
    offsets[i] = o;
    verts.set(P, o);
    o += P.length;
  });
  offsets[polys.length] = o;
  return { offsets, verts };
}

async function slice(id: number, plane: PlaneSpec, colorSpec: ColorSpec, names: Names, raster: RasterSize | null): Promise<void> {
  const t0 = performance.now();
  const net = need(S.net, 'a network');
  const cp = coordinatePlane(net.inputSize, plane.dims, plane.origin);
  S.plane = { ...plane, origin: Array.from(cp.origin) };
  S.names = names;
  S.click = null;
  Object.assign(S, { slice: null, lazySlice: null, coloring: null, lazyColoring: null, fills: null });
  // two parts in parallel: part 1 in the helper, part 0 here (SliceOptions.part)
  const rule = colorSpec.kind === 'class' ? colorSpec.rule : null;
  // class colours as pixels, for the parts' scan conversion
  const classColours = Array.from({ length: net.outputSize }, (_, k) => rgba(CLASS_COLORS[k % CLASS_COLORS.length]));
  // a part is scan-converted where it is computed when it alone would need it (the join
  // scan-converts a part that was not)
  const partAbove = RASTER_ABOVE / 2;
  // the last slice's arrays (nothing reads them any more: the state was reset above)
  const prev = takeLast();
  const helperReuse = prev?.helper ?? undefined;
  const other = askHelper(
    { type: 'slice', seq: ++helperSeq, plane, part: { index: 1, count: 2 }, rule, raster: raster && rule !== null ? { ...raster, above: partAbove, colours: classColours } : null, reuse: helperReuse },
    helperReuse ? reuseBuffers(helperReuse) : [],
  );
  if (!other) {
    // no helper: the whole slice here
    const sl = computeSlice(net, cp, plane.rect, { units: plane.units, reuse: prev?.own.packed });
    const t1 = performance.now();
    S.slice = sl;
    spare.last = { own: sl, ownColoring: null, ownRaster: null, helper: null };
    return answerWhole(id, net, sl, colorSpec, raster, t0, t1, null);
  }
  const own = computeSlice(net, cp, plane.rect, { units: plane.units, part: { index: 0, count: 2 }, reuse: prev?.own.packed });
  const tOwn = performance.now();
  // colour (and scan-convert) this part while the helper finishes its own
  const ownColoring = rule !== null ? classColoring(own, { rule, reuse: prev?.ownColoring?.packed }) : null;
  const tOwnColoring = performance.now();
  const ownRaster = raster && ownColoring && own.packed!.count > partAbove ? rasterizeColoring(own, ownColoring, classColours, raster, { ids: prev?.ownRaster?.ids, pixels: takePixels(raster) }) : null;
  const tOwnRaster = performance.now();
  const r = await other;
  const tWait = performance.now();
  const theirs = r.type === 'slice' ? (r.slice as Slice) : computeSlice(net, cp, plane.rect, { units: plane.units, part: { index: 1, count: 2 } });
  const partsMs = { own: tOwn - t0, helper: r.type === 'slice' ? r.milliseconds : null, helperColoring: r.type === 'slice' ? r.coloringMs : null, helperRaster: r.type === 'slice' ? r.rasterMs : null, wait: tWait - tOwnRaster, merge: 0 };
  S.lazySlice = () => mergeSliceParts([own, theirs], net);
  const theirRaster = r.type === 'slice' ? r.raster : null;
  if (ownColoring && rule !== null && colorSpec.kind === 'class') {
    // class colouring (the default): the page gets both parts and draws them as they are; the
    // parts are joined here only when a later request needs the whole slice
    const theirColoring = r.type === 'slice' && r.coloring ? ({ ...r.coloring, polygons: [] } as unknown as ClassColoring) : classColoring(theirs, { rule });
    // the next slice overwrites these (the helper's go back to it)
    spare.last = { own, ownColoring, ownRaster, helper: r.type === 'slice' ? { packed: theirs.packed!, coloring: theirColoring.packed ?? null, raster: theirRaster } : null };
    S.lazyColoring = () => mergeClassColorings([{ coloring: ownColoring, part: own.part! }, { coloring: theirColoring, part: theirs.part! }]);
    S.color = colorSpec;
    const classAreas = ownColoring.classAreas.map((a, k) => a + theirColoring.classAreas[k]);
    const total = own.packed!.count + theirs.packed!.count;
    const sliceMs = tOwn - t0 + (tWait - tOwnRaster);
    const coloringMs = tOwnColoring - tOwn;
    const stats = { regions: own.stats.regions + theirs.stats.regions, splits: own.stats.splits + theirs.stats.splits - own.part!.shared.splits, slivers: own.stats.slivers + theirs.stats.slivers - own.part!.shared.slivers, thin: own.stats.thin + theirs.stats.thin, milliseconds: sliceMs };
    let rasterMs = 0;
    if (raster && total > RASTER_ABOVE) {
      // the picture first: the parts' pixels joined and outlined here, put as they are on the page
      const t1 = performance.now();
      const rasters = [ownRaster ?? rasterizeColoring(own, ownColoring, classColours, raster), theirRaster ?? rasterizeColoring(theirs, theirColoring, classColours, raster)];
      const pixels = joinRasters(rasters, [own.packed!.count, theirs.packed!.count], WHITE, INK, outlineAlpha(total));
      rasterMs = tOwnRaster - tOwnColoring + performance.now() - t1;
      const legend = classLegend(spec(colorSpec), classAreas, own.rect);
      const timings: WorkerTimings = { kernel: sliceKernel(), slice: sliceMs, parts: partsMs, coloring: coloringMs, pack: 0, raster: rasterMs, total: performance.now() - t0, postedAt: performance.timeOrigin + performance.now() };
      post({ type: 'slicePicture', id, picture: { width: raster.width, height: raster.height, pixels }, plane: S.plane, status: own.status === 'complete' ? theirs.status : own.status, stats, title: legend.title, legend: legend.legend, coloringMs, timings }, [pixels.buffer as ArrayBuffer]);
    }
    // the data (for hovering and redrawing on the page): copies, the worker keeps its own
    const t2 = performance.now();
    // after a picture the page draws from the picture (a new colouring brings new fills): the
    // fill polygons are not copied for it, only the title and legend go
    const fills0 = rasterMs > 0 ? legendFills(spec(colorSpec), classAreas, own.rect) : classFills(spec(colorSpec), ownColoring, classAreas, own.rect);
    const fills1 = rasterMs > 0 ? legendFills(spec(colorSpec), classAreas, own.rect) : classFills(spec(colorSpec), theirColoring, classAreas, own.rect);
    S.fills = fills0;
    const m0 = packSlice(own, 0), m1 = packSlice(theirs, 0);
    const t3 = performance.now();
    const timings: WorkerTimings = { kernel: sliceKernel(), slice: sliceMs, parts: partsMs, coloring: coloringMs, pack: t3 - t2, raster: rasterMs, total: performance.now() - t0, postedAt: performance.timeOrigin + performance.now() };
    m0.slice.stats = stats;
    m1.slice.stats = stats;
    fills0.milliseconds = fills1.milliseconds = coloringMs;
    post(
      { type: rasterMs > 0 ? 'sliceData' : 'slice', id, slice: m0.slice, fills: fills0, timings, parts: [{ part: m0.part!, more: null }, { part: m1.part!, more: { slice: m1.slice, fills: fills1 } }] },
      [...m0.buffers, ...m1.buffers, ...fillBuffers(fills0), ...fillBuffers(fills1)],
    );
    return;
  }
  // other colourings: the whole slice first (a copy: the parts' arrays are free for the next slice)
  const sl = S.lazySlice();
  S.lazySlice = null;
  S.slice = sl;
  spare.last = { own, ownColoring, ownRaster, helper: r.type === 'slice' ? { packed: theirs.packed!, coloring: r.coloring?.packed ?? null, raster: theirRaster } : null };
  const t1 = performance.now();
  partsMs.merge = t1 - tWait;
  return answerWhole(id, net, sl, colorSpec, raster, t0, t1, partsMs);
}

/** Answers a slice request with the whole slice: its picture first when large (and asked for), then (or only) its data. */
function answerWhole(id: number, net: Network, sl: Slice, colorSpec: ColorSpec, raster: RasterSize | null, t0: number, t1: number, partsMs: WorkerTimings['parts']): void {
  const fills = makeFills(net, sl, colorSpec);
  const t2 = performance.now();
  let rasterMs = 0;
  if (raster && sl.packed && sl.packed.count > RASTER_ABOVE) {
    const colours = fills.palette.map((c) => rgba(c));
    // colour indices read as Int32Array (the same bits), as the class path passes its labels: one
    // array type keeps V8's code for the scan conversion monomorphic
    const color = new Int32Array(fills.color.buffer, fills.color.byteOffset, fills.color.length);
    const R = rasterizeRegions(sl.packed, { offsets: fills.polys.offsets, verts: fills.polys.verts, color, region: fills.region }, Uint32Array.from(colours), raster.width, raster.height, pixelMap(sl.rect, raster.width, raster.height));
    const pixels = joinRasters([R], [sl.packed.count], WHITE, INK, outlineAlpha(sl.packed.count));
    rasterMs = performance.now() - t2;
    const timings: WorkerTimings = { kernel: sliceKernel(), slice: t1 - t0, parts: partsMs, coloring: t2 - t1, pack: 0, raster: rasterMs, total: performance.now() - t0, postedAt: performance.timeOrigin + performance.now() };
    const stats = { regions: sl.stats.regions, splits: sl.stats.splits, slivers: sl.stats.slivers, thin: sl.stats.thin, milliseconds: t1 - t0 };
    post({ type: 'slicePicture', id, picture: { width: raster.width, height: raster.height, pixels }, plane: S.plane!, status: sl.status, stats, title: fills.title, legend: fills.legend, coloringMs: fills.milliseconds, timings }, [pixels.buffer as ArrayBuffer]);
  }
  const t3 = performance.now();
  const msg = packSlice(sl, t1 - t0);
  const t4 = performance.now();
  const timings: WorkerTimings = { kernel: sliceKernel(), slice: t1 - t0, parts: partsMs, coloring: t2 - t1, pack: t4 - t3, raster: rasterMs, total: performance.now() - t0, postedAt: performance.timeOrigin + performance.now() };
  post({ type: rasterMs > 0 ? 'sliceData' : 'slice', id, slice: msg.slice, fills, timings, parts: null }, [...msg.buffers, ...fillBuffers(fills)]);
}

type RasterSize = { width: number; height: number };
const WHITE = rgba('#ffffff'), INK = rgba('#222222');
/** Region outlines: fainter when there are very many regions (most pixels then lie on one). */
const outlineAlpha = (regions: number) => (regions > 20000 ? 0.22 : 0.35);

/** A slice part scan-converted with its class colouring (the colouring's packed arrays as they are). */
function rasterizeColoring(sl: Slice, cc: ClassColoring, colours: number[], raster: RasterSize, reuse?: { ids?: Int32Array; pixels?: Uint32Array }): RegionRaster {
  const cp = cc.packed!;
  return rasterizeRegions(sl.packed!, { offsets: cp.offsets, verts: cp.verts, color: cp.labels, region: cp.regions }, Uint32Array.from(colours), raster.width, raster.height, pixelMap(sl.rect, raster.width, raster.height), reuse);
}

const spec = (c: ColorSpec) => c as Extract<ColorSpec, { kind: 'class' }>;

/** The page's copy of a slice (or a part): the library's flat arrays, copied out (the worker keeps its own) and transferred. */
function packSlice(sl: Slice, ms: number): { slice: PackedSlice; part: PartInfo | null; buffers: ArrayBuffer[] } {
  const pk = sl.packed!;
  const slice: PackedSlice = {
    plane: S.plane!,
    status: sl.status,
    stats: { regions: sl.stats.regions, splits: sl.stats.splits, slivers: sl.stats.slivers, thin: sl.stats.thin, milliseconds: ms },
    count: pk.count,
    polys: { offsets: copyOut(pk.offsets), verts: copyOut(pk.verts) },
    maps: copyOut(pk.maps),
    outputSize: pk.outputSize,
    widths: pk.widths.slice(),
    patternIds: copyOut(pk.patternIds),
    patternPool: pk.patternPool.map((p) => copyOut(p)),
    areas: copyOut(pk.areas),
    centroids: copyOut(pk.centroids),
    thin: copyOut(pk.thin),
  };
  const part: PartInfo | null = sl.part ? { index: sl.part.index, count: sl.part.count, pieceRegions: sl.part.pieceRegions.slice(), shared: sl.part.shared, depth: sl.part.depth } : null;
  const buffers = buffersOf([slice.polys.offsets, slice.polys.verts, slice.maps, slice.patternIds, ...slice.patternPool, slice.areas, slice.centroids, slice.thin, ...(part ? [part.pieceRegions] : [])]);
  return { slice, part, buffers };
}

/** Title and legend of a class colouring (the whole slice's class areas). */
function classLegend(spec: Extract<ColorSpec, { kind: 'class' }>, classAreas: number[], rect: Slice['rect']): { palette: string[]; legend: Fills['legend']; title: string } {
  const total = (rect.u1 - rect.u0) * (rect.v1 - rect.v0);
  const palette = Array.from({ length: classAreas.length }, (_, k) => CLASS_COLORS[k % CLASS_COLORS.length]);
  return {
    palette,
    legend: classAreas.flatMap((a, k) => (a > 0 ? [{ color: palette[k], text: `${className(k)} (${pct(a, total)})` }] : [])),
    title: `predicted class (${spec.rule} of the outputs)`,
  };
}

/** Fills of a class colouring (a part's or the whole slice's), with the legend of the whole (`classAreas`). */
function classFills(spec: Extract<ColorSpec, { kind: 'class' }>, cc: ClassColoring, classAreas: number[], rect: Slice['rect']): Fills {
  const cp = cc.packed!;
  return {
    polys: { offsets: cp.offsets.slice(), verts: cp.verts.slice() },
    // class labels are >= 0: the same bits read as unsigned
    color: new Uint32Array(cp.labels.slice().buffer),
    region: cp.regions.slice(),
    ...classLegend(spec, classAreas, rect),
    milliseconds: 0,
  };
}

/** Fills without polygons (title and legend only), for the page after a picture. */
function legendFills(spec: Extract<ColorSpec, { kind: 'class' }>, classAreas: number[], rect: Slice['rect']): Fills {
  return { polys: { offsets: new Uint32Array(1), verts: new Float64Array(0) }, color: new Uint32Array(0), region: new Int32Array(0), ...classLegend(spec, classAreas, rect), milliseconds: 0 };
}

/** The whole slice (joined from its parts on first use after a parallel slice). */
function currentSlice(): Slice {
  if (S.slice === null && S.lazySlice) {
    S.slice = S.lazySlice();
    S.lazySlice = null;
  }
  return need(S.slice, 'a slice');
}

/** The whole slice's colouring (joined from the parts' on first use after a parallel slice). */
function currentColoring(): ClassColoring | TargetColoring | null {
  if (S.coloring === null && S.lazyColoring) {
    S.coloring = S.lazyColoring();
    S.lazyColoring = null;
  }
  return S.coloring;
}

function fillBuffers(f: Fills): ArrayBuffer[] {
  return [f.polys.offsets.buffer as ArrayBuffer, f.polys.verts.buffer as ArrayBuffer, f.color.buffer as ArrayBuffer, f.region.buffer as ArrayBuffer];
}

function color(id: number, colorSpec: ColorSpec): void {
  const net = need(S.net, 'a network');
  const sl = currentSlice();
  const fills = makeFills(net, sl, colorSpec);
  post({ type: 'color', id, fills }, fillBuffers(fills));
}

const pct = (a: number, total: number) => `${((100 * a) / total).toFixed(1)}%`;

function className(k: number): string {
  const nm = S.names.classes?.[k];
  return nm ? `${k} ${nm}` : `class ${k}`;
}

function makeFills(net: Network, sl: Slice, spec: ColorSpec): Fills {
  const t0 = performance.now();
  const total = (sl.rect.u1 - sl.rect.u0) * (sl.rect.v1 - sl.rect.v0);
  let out: Omit<Fills, 'milliseconds'>;
  S.coloring = null;
  S.lazyColoring = null;
  if (spec.kind === 'class') {
    const cc = classColoring(sl, { rule: spec.rule });
    S.coloring = cc;
    out = classFills(spec, cc, cc.classAreas, sl.rect);
  } else if (spec.kind === 'pattern') {
    // one colour per pattern, keyed as patternKey keys the region objects (src/render/coloring.ts),
    // from the packed pattern ids (each layer's key piece computed once per pattern row)
    const pk = sl.packed;
    const index = new Map<string, number>();
    const palette: string[] = [];
    const R = pk ? pk.count : sl.regions.length;
    const color = new Uint32Array(R);
    const keyOf = pk ? packedPatternKeys(pk, net) : (r: number) => patternKey(sl.regions[r].pattern);
    for (let r = 0; r < R; r++) {
      const c = patternColor(keyOf(r));
      let k = index.get(c);
      if (k === undefined) { k = palette.length; palette.push(c); index.set(c, k); }
      color[r] = k;
    }
    out = {
      polys: pk ? { offsets: pk.offsets.slice(), verts: pk.verts.slice() } : pack(sl.regions.map((r) => r.vertices)),
      color,
      region: Int32Array.from({ length: R }, (_, r) => r),
      palette,
      legend: [{ color: palette[0] ?? '#ffffff', text: `${R} linear regions, one colour per activation pattern` }],
      title: 'linear regions (colour: activation pattern)',
    };
  } else {
    const target = spec.kind === 'classPreimage'
      ? { kind: 'class' as const, index: spec.index, rule: spec.rule }
      : { kind: 'box' as const, lo: spec.lo, hi: spec.hi };
    const tc = targetColoring(net, sl, target);
    S.coloring = tc;
    const palette = [OUTSIDE_COLOR, ...PREIMAGE_COLORS];
    const colorOf = (label: number) => (label < 0 ? 0 : 1 + (label % PREIMAGE_COLORS.length));
    const inside = tc.polygons.filter((p) => p.label >= 0).length;
    const what = spec.kind === 'classPreimage'
      ? `${className(spec.index)} (${spec.rule})`
      : `the output box ${spec.lo.map((lo, j) => `[${fmtBound(lo)}, ${fmtBound(spec.hi[j])}]`).join(' × ')}`;
    out = {
      polys: pack(tc.polygons.map((p) => p.vertices)),
      color: Uint32Array.from(tc.polygons, (p) => colorOf(p.label)),
      region: Int32Array.from(tc.polygons, (p) => p.region),
      palette,
      legend: [
        { color: PREIMAGE_COLORS[0], text: `preimage of ${what} (${pct(tc.insideArea, total)})` },
        { color: OUTSIDE_COLOR, text: `outside (${pct(tc.outsideArea, total)})` },
      ],
      title: `preimage of ${what}`,
      inside: { polygons: inside, share: tc.insideArea / total },
    };
  }
  const fills: Fills = { ...out, milliseconds: performance.now() - t0 };
  S.color = spec;
  S.fills = fills;
  return fills;
}

/** patternKey of packed region r, without making the region objects. */
function packedPatternKeys(pk: PackedRegions, net: Network): (r: number) => string {
  const nl = pk.widths.length;
  const relu = net.layers.map((L) => L.activation === 'relu');
  const pieces: Map<number, string>[] = pk.widths.map(() => new Map());
  const ones = pk.widths.map((w) => patternKey([new Uint8Array(w).fill(1)]));
  return (r) => {
    let key = '';
    for (let k = 0; k < nl; k++) {
      const id = pk.patternIds[r * nl + k];
      let piece: string | undefined;
      if (id < 0 || !relu[k]) piece = ones[k];
      else {
        piece = pieces[k].get(id);
        if (piece === undefined) pieces[k].set(id, (piece = patternKey([pk.patternPool[k].subarray(id * pk.widths[k], (id + 1) * pk.widths[k])])));
      }
      key += k === 0 ? piece : `.${piece}`;
    }
    return key;
  };
}

function fmtBound(x: number): string {
  return x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(x);
}

// ------------------------------------------------------------------------------------------------

/** Vertices of a 2-D piece in counter-clockwise order (flat, plane coordinates). */
function ccw(pts: number[][]): number[] {
  const c = [0, 0];
  for (const p of pts) { c[0] += p[0] / pts.length; c[1] += p[1] / pts.length; }
  return pts
    .map((p) => ({ p, a: Math.atan2(p[1] - c[1], p[0] - c[0]) }))
    .sort((x, y) => x.a - y.a)
    .flatMap((x) => x.p);
}

/** The region containing (u, v) strictly inside (as regionAt), from the packed arrays when present; −1 if none. */
function regionIndexAt(sl: Slice, u: number, v: number): number {
  const pk = sl.packed;
  if (!pk) return regionAt(sl, u, v)?.id ?? -1;
  const { offsets, verts } = pk;
  for (let r = 0; r < pk.count; r++) {
    const a = offsets[r], b = offsets[r + 1];
    let inside = b - a >= 6;
    for (let k = a; k < b && inside; k += 2) {
      const k2 = k + 2 < b ? k + 2 : a;
      const ex = verts[k2] - verts[k], ey = verts[k2 + 1] - verts[k + 1];
      if (!(ex * (v - verts[k + 1]) - ey * (u - verts[k]) > 0)) inside = false;
    }
    if (inside) return r;
  }
  return -1;
}

function click(id: number, u: number, v: number, layer: number): void {
  const net = need(S.net, 'a network');
  const sl = currentSlice();
  const plane = need(S.plane, 'a plane');
  const L = net.layers.length;
  if (!Number.isInteger(layer) || layer < 1 || layer > L) throw new PreimageError('BAD_TARGET', `expected a layer between 1 and ${L}, found ${layer}`);
  const input = slicePoint(sl, u, v);
  const raw = plane.units === 'raw';
  const x = raw ? normalizeInput(net, input) : input;
  const ev = evaluateLayers(net, x);
  const activities = ev.activities.slice(1).map((a) => Array.from(a));
  const preactivations = ev.preActivations.map((a) => Array.from(a));
  if (raw && net.layers[L - 1].activation === 'identity') {
    activities[L - 1] = Array.from(denormalizeOutput(net, activities[L - 1]));
    preactivations[L - 1] = Array.from(denormalizeOutput(net, preactivations[L - 1]));
  }
  const activity = activities[layer - 1];
  const reg = regionIndexAt(sl, u, v);
  const t0 = performance.now();
  const [d0, d1] = plane.dims;
  const polys: number[][] = [], segs: number[] = [], pts: number[] = [];
  const byDimension: [number, number, number] = [0, 0, 0];
  let engine: PreimageResult | null = null, tc: TargetColoring | null = null, status = 'complete', pieces = 0, method: PointPreimage['method'];
  if (net.inputSize === 2) {
    // the whole input space is the plane: the engine's exact pieces over the rectangle
    method = 'engine';
    const lo = [0, 0], hi = [0, 0];
    lo[d0] = sl.rect.u0; hi[d0] = sl.rect.u1;
    lo[d1] = sl.rect.v0; hi[d1] = sl.rect.v1;
    engine = computePreimage(net, { kind: 'point', layer, activity }, { domain: { kind: 'box', lo, hi }, units: plane.units, certificates: false, timeLimitMs: 20000 });
    status = engine.status;
    pieces = engine.pieces.length;
    const uv = (p: number[]) => [p[d0], p[d1]];
    for (const p of engine.pieces as PieceJson[]) {
      byDimension[Math.min(2, p.dim)]++;
      const V = (p.vertices ?? []).map(uv);
      if (p.dim >= 2 && V.length >= 3) polys.push(ccw(V));
      else if (p.dim === 1 && V.length >= 2) segs.push(...V[0], ...V[V.length - 1]);
      else if (V.length >= 1) pts.push(...V[0]);
    }
  } else {
    // higher-dimensional: the preimage ∩ plane from the slice's regions (their layer maps)
    method = 'slice';
    tc = targetColoring(net, sl, { kind: 'point', layer, activity });
    for (const p of tc.polygons) if (p.label >= 0) polys.push(p.vertices);
    for (const s of tc.segments) segs.push(...s.a, ...s.b);
    for (const p of tc.points) pts.push(...p.p);
    byDimension[2] = polys.length;
    byDimension[1] = tc.segments.length;
    byDimension[0] = tc.points.length;
    pieces = polys.length + tc.segments.length + tc.points.length;
  }
  const ms = performance.now() - t0;
  // does a drawn piece contain the click? (tolerance: 1e-6 of the rectangle, in unit coordinates)
  const du = sl.rect.u1 - sl.rect.u0, dv = sl.rect.v1 - sl.rect.v0, tol = 1e-6;
  const near = (a: number, b: number) => Math.hypot((a - u) / du, (b - v) / dv) <= tol;
  let containsClick = polys.some((P) => polygonDepth(P.map((c, i) => (i % 2 === 0 ? (c - u) / du : (c - v) / dv)), 0, 0) >= -tol);
  for (let i = 0; i < pts.length && !containsClick; i += 2) containsClick = near(pts[i], pts[i + 1]);
  for (let i = 0; i < segs.length && !containsClick; i += 4) {
    const ax = (segs[i] - u) / du, ay = (segs[i + 1] - v) / dv, bx = (segs[i + 2] - u) / du, by = (segs[i + 3] - v) / dv;
    const ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey;
    const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * ex + ay * ey) / len2)) : 0;
    containsClick = Math.hypot(ax + t * ex, ay + t * ey) <= tol;
  }
  const pre: PointPreimage = {
    layer, method, pieces, byDimension, polys: pack(polys), segments: Float64Array.from(segs), points: Float64Array.from(pts), status, milliseconds: ms, containsClick,
  };
  const result: ClickResult = { u, v, input, region: reg, activities, preactivations, preimage: pre };
  S.click = { result, engine, tc };
  post({ type: 'click', id, click: result }, [pre.polys.offsets.buffer, pre.polys.verts.buffer, pre.segments.buffer, pre.points.buffer]);
}

// ------------------------------------------------------------------------------------------------

function unpack(p: PackedPolygons): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + 1 < p.offsets.length; i++) out.push(Array.from(p.verts.subarray(p.offsets[i], p.offsets[i + 1])));
  return out;
}

function describePlane(info: NetInfo, plane: PlaneSpec): string {
  const others = plane.origin.flatMap((x, k) => (k === plane.dims[0] || k === plane.dims[1] ? [] : [`${inputName(k)} = ${+x.toPrecision(6)}`]));
  return `${plane.units === 'raw' ? 'raw units; ' : ''}${others.join(', ')}`.replace(/; $/, '');
}

function inputName(k: number): string {
  return S.names.inputs?.[k] ?? `x${k}`;
}

function exportFile(id: number, kind: 'svg' | 'json'): void {
  const info = need(S.info, 'a network');
  const sl = currentSlice();
  const plane = need(S.plane, 'a plane');
  const fills = need(S.fills, 'a colouring');
  const base = info.name.replace(/\.(onnx|nnet|json)$/i, '').replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '') || 'network';
  const c = S.click;
  if (kind === 'svg') {
    const overlays: SliceOverlay[] = [];
    if (c) {
      const p = c.result.preimage;
      const segs: number[][] = [];
      for (let i = 0; i < p.segments.length; i += 4) segs.push(Array.from(p.segments.subarray(i, i + 4)));
      const pts: number[][] = [];
      for (let i = 0; i < p.points.length; i += 2) pts.push([p.points[i], p.points[i + 1]]);
      overlays.push({ color: CLICK_PREIMAGE_COLOR, opacity: 0.55, polygons: unpack(p.polys), lines: segs, points: pts, label: `preimage of the layer-${p.layer} activity of the clicked point: ${p.pieces} piece${p.pieces === 1 ? '' : 's'} (${p.method === 'engine' ? 'engine' : 'slice'})` });
      overlays.push({ color: '#000000', points: [[c.result.u, c.result.v]], label: 'clicked point' });
    }
    const coloring = currentColoring();
    const color = coloring?.kind === 'class' ? 'class' : coloring?.kind === 'target' ? 'preimage' : 'pattern';
    const svg = sliceSvg(sl, {
      color,
      coloring: coloring ?? undefined,
      title: [`${info.name}: ${fills.title}`, describePlane(info, plane)].filter((t) => t !== ''),
      axisLabels: [inputName(plane.dims[0]), inputName(plane.dims[1])],
      classNames: S.names.classes,
      overlays,
      width: 760,
      height: 560,
    });
    post({ type: 'export', id, kind, text: svg, filename: `${base}-slice.svg` });
    return;
  }
  const json = {
    format: 'relu-preimage/playground-slice@1',
    network: info,
    plane: { dims: plane.dims, origin: plane.origin, units: plane.units, inputNames: S.names.inputs ?? null },
    rect: sl.rect,
    status: sl.status,
    stats: sl.stats,
    regions: sl.regions.map((r) => ({ id: r.id, vertices: r.vertices, pattern: r.pattern.map((p) => Array.from(p).join('')), map: r.map, area: r.area, thin: r.thin })),
    coloring: { spec: S.color, title: fills.title, legend: fills.legend, polygons: currentColoring() ? currentColoring()!.polygons.map((p) => ({ region: p.region, label: p.label, vertices: p.vertices })) : null },
    click: c
      ? {
          u: c.result.u,
          v: c.result.v,
          input: c.result.input,
          region: c.result.region,
          activities: c.result.activities,
          preactivations: c.result.preactivations,
          preimage: {
            layer: c.result.preimage.layer,
            method: c.result.preimage.method,
            status: c.result.preimage.status,
            pieces: c.engine ? c.engine.pieces : null,
            polygons: unpack(c.result.preimage.polys),
            segments: c.tc ? c.tc.segments : null,
            points: c.tc ? c.tc.points : null,
          },
        }
      : null,
  };
  post({ type: 'export', id, kind, text: JSON.stringify(json), filename: `${base}-slice.json` });
}
