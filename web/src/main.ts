/**
 * The playground page: controls, drawing on two canvases (the slice below, hover and preimage
 * overlays above) and hover look-ups, all on the main thread; every computation is a request to
 * the engine worker (worker.ts), so the page stays responsive while it runs.
 */
import { niceTicks, tickLabel } from '../../src/render/svg.js';
import { Cancelled, Engine, type Outgoing } from './engine.js';
import { PRESETS, type Preset } from './networks.js';
import { CLICK_PREIMAGE_COLOR, RASTER_ABOVE, type ClickResult, type ColorSpec, type Fills, type NetInfo, type PackedSlice, type PartInfo, type PlaneSpec, type Response, type SliceData, type SlicePicture, type WorkerTimings } from './protocol.js';
import { fillPolygons, outlineRegions, rgba } from './raster.js';
import { mergePackedParts } from '../../src/render/slice.js';

// ------------------------------------------------------------------------------------------------
// DOM

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
};
const ui = {
  network: $<HTMLSelectElement>('network'),
  file: $<HTMLInputElement>('file'),
  netInfo: $('net-info'),
  dimU: $<HTMLSelectElement>('dim-u'),
  dimV: $<HTMLSelectElement>('dim-v'),
  fixed: $('fixed'),
  u0: $<HTMLInputElement>('u0'),
  u1: $<HTMLInputElement>('u1'),
  v0: $<HTMLInputElement>('v0'),
  v1: $<HTMLInputElement>('v1'),
  units: $<HTMLSelectElement>('units'),
  resetPlane: $<HTMLButtonElement>('reset-plane'),
  draw: $<HTMLButtonElement>('draw'),
  colorMode: $<HTMLSelectElement>('color-mode'),
  rule: $<HTMLSelectElement>('rule'),
  classWrap: $('class-wrap'),
  classIndex: $<HTMLSelectElement>('class-index'),
  boxWrap: $('box-wrap'),
  box: $<HTMLInputElement>('box'),
  applyColor: $<HTMLButtonElement>('apply-color'),
  layer: $<HTMLSelectElement>('layer'),
  exportSvg: $<HTMLButtonElement>('export-svg'),
  exportJson: $<HTMLButtonElement>('export-json'),
  error: $('error'),
  regionCount: $('region-count'),
  timing: $('timing'),
  base: $<HTMLCanvasElement>('base'),
  overlay: $<HTMLCanvasElement>('overlay'),
  title: $('title'),
  legend: $('legend'),
  hoverInfo: $('hover-info'),
  preimageCount: $('preimage-count'),
  clickInfo: $('click-info'),
  busy: $('busy'),
  cancel: $<HTMLButtonElement>('cancel'),
};

// ------------------------------------------------------------------------------------------------
// state

interface Loaded {
  info: NetInfo;
  /** A copy of the file's bytes, to re-load after a cancel. */
  bytes: ArrayBuffer;
  fileName: string;
  preset: Preset | null;
}

const app = {
  engine: new Engine(),
  net: null as Loaded | null,
  /** Plane values being edited: all n fixed inputs. */
  origin: [] as number[],
  /** What is drawn: the slice and its fills, or its parts (computed by the two workers) each with its fills. */
  layers: null as Layer[] | null,
  /** A large slice's picture from the workers (drawn as it is until the colouring changes). */
  picture: null as { picture: SlicePicture; plane: PlaneSpec } | null,
  /** The whole slice (the parts joined on first use: hover needs one region numbering). */
  merged: null as PackedSlice | null,
  /** The fills' title and legend (of the whole slice). */
  fills: null as Fills | null,
  grid: null as Grid | null,
  click: null as ClickResult | null,
  hover: -1,
  /** Sequence numbers: answers to superseded requests are dropped. */
  seq: { slice: 0, color: 0, click: 0 },
  busySince: 0,
};

interface Layer {
  slice: PackedSlice;
  fills: Fills;
  part: PartInfo | null;
}

/** The whole slice: the drawn one, or its parts joined (mergePackedParts, bit for bit the slice of one computeSlice). */
function wholeSlice(): PackedSlice | null {
  if (app.merged === null && app.layers) {
    const L = app.layers;
    if (L.length === 1) app.merged = L[0].slice;
    else {
      const pk = mergePackedParts(L.map((l) => ({ packed: { ...l.slice, offsets: l.slice.polys.offsets, verts: l.slice.polys.verts }, part: l.part! })));
      const s0 = L[0].slice;
      app.merged = { plane: s0.plane, status: s0.status, stats: s0.stats, count: pk.count, polys: { offsets: pk.offsets, verts: pk.verts }, maps: pk.maps, outputSize: pk.outputSize, widths: pk.widths, patternIds: pk.patternIds, patternPool: pk.patternPool, areas: pk.areas, centroids: pk.centroids, thin: pk.thin };
    }
  }
  return app.merged;
}

/**
 * Sends the arrays of the slice being dropped (its picture's pixels, its data and fills as the
 * worker sent them) back to the worker, which writes later pictures and data copies into them:
 * fresh memory costs a page fault per 4 KiB on its first touch, tens of milliseconds of CPU for a
 * large slice's arrays. Nothing on the page reads them afterwards (clearSlice drops them all).
 */
function recycleSlice(): void {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null | undefined) => {
    if (a && a.buffer instanceof ArrayBuffer && a.buffer.byteLength >= 65536) out.add(a.buffer);
  };
  if (app.picture) add(app.picture.picture.pixels);
  for (const l of app.layers ?? []) {
    const s = l.slice, f = l.fills;
    for (const a of [s.polys.offsets, s.polys.verts, s.maps, s.patternIds, ...s.patternPool, s.areas, s.centroids, s.thin, f.polys.offsets, f.polys.verts, f.color, f.region]) add(a);
  }
  if (out.size > 0) app.engine.recycle([...out]);
}

/** Clicks waiting for the data after a picture. */
let dataWaiters: (() => void)[] = [];

function clearSlice(): void {
  recycleSlice();
  app.picture = null;
  // clicks waiting for a superseded picture's data give up
  const waiting = dataWaiters;
  dataWaiters = [];
  for (const w of waiting) w();
  app.layers = null;
  app.merged = null;
  app.fills = null;
  app.grid = null;
}

// ------------------------------------------------------------------------------------------------
// errors and busy state

function showError(code: string, message: string): void {
  ui.error.textContent = `error ${code}: ${message}`;
  ui.error.hidden = false;
}
function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
}
class UserError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

let busyTimer = 0;
app.engine.onBusy = (n) => {
  ui.cancel.disabled = n === 0;
  if (n > 0 && busyTimer === 0) {
    app.busySince = performance.now();
    // shown from the first tick on: a request answered sooner changes nothing on the page while
    // the workers compute (a changed header costs a style, layout, paint and composite on the
    // same two cores)
    busyTimer = window.setInterval(() => {
      ui.busy.hidden = false;
      ui.busy.textContent = `computing… ${((performance.now() - app.busySince) / 1000).toFixed(1)} s`;
    }, 100);
  } else if (n === 0 && busyTimer !== 0) {
    window.clearInterval(busyTimer);
    busyTimer = 0;
    if (!ui.busy.hidden) ui.busy.hidden = true;
  }
};

/** Sends a request; an `error` answer becomes a shown message and null. */
async function ask(msg: Outgoing, transfer: Transferable[] = [], followUp?: (r: Response) => void): Promise<Response | null> {
  try {
    const r = await app.engine.request(msg, transfer, followUp);
    if (r.type === 'error') {
      showError(r.code, r.message);
      return null;
    }
    return r;
  } catch (e) {
    if (e instanceof Cancelled) return null;
    showError('INTERNAL', e instanceof Error ? e.message : String(e));
    return null;
  }
}

ui.cancel.addEventListener('click', async () => {
  app.engine.cancel();
  // the fresh worker has no slice: clear the picture, re-load the network, wait for Draw
  clearSlice();
  app.click = null;
  app.hover = -1;
  drawBase();
  drawOverlay();
  ui.regionCount.textContent = 'cancelled: press Draw';
  delete ui.regionCount.dataset.count;
  ui.timing.textContent = '';
  ui.preimageCount.textContent = 'no point clicked';
  delete ui.preimageCount.dataset.count;
  ui.clickInfo.replaceChildren();
  showError('CANCELLED', 'the computation was stopped and the engine restarted; change the plane (a smaller rectangle) or the layer and try again');
  if (app.net) {
    const copy = app.net.bytes.slice(0);
    await app.engine.request({ type: 'load', name: app.net.fileName, bytes: copy }, [copy]).catch(() => null);
  }
});

// ------------------------------------------------------------------------------------------------
// numbers

function fmt(x: number, digits = 4): string {
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e5 || a < 1e-3 ? x.toExponential(digits - 1) : String(Number(x.toPrecision(digits)));
  return s.replace(/\.?0+e/, 'e');
}

function parseNum(text: string, what: string): number {
  const t = text.trim().replace(/^−/, '-');
  const x = t === '' ? NaN : Number(t);
  if (!Number.isFinite(x)) throw new UserError('BAD_ARGUMENT', `expected a finite number for ${what}, found ${JSON.stringify(text)}`);
  return x;
}

// ------------------------------------------------------------------------------------------------
// networks

function inputName(k: number): string {
  return app.net?.preset?.inputNames?.[k] ?? `x${k}`;
}
function className(k: number): string {
  const nm = app.net?.preset?.classNames?.[k];
  return nm ? `${k} ${nm}` : `class ${k}`;
}

async function loadPreset(key: string): Promise<void> {
  const preset = PRESETS.find((p) => p.key === key);
  if (!preset) return;
  clearError();
  let bytes: ArrayBuffer;
  try {
    const res = await fetch(preset.url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = await res.arrayBuffer();
  } catch (e) {
    showError('IO', `expected to fetch ${preset.fileName}, found ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  await loadBytes(preset.fileName, bytes, preset);
}

async function loadBytes(fileName: string, bytes: ArrayBuffer, preset: Preset | null): Promise<void> {
  const copy = bytes.slice(0);
  const r = await ask({ type: 'load', name: fileName, bytes: copy }, [copy]);
  if (!r || r.type !== 'loaded') {
    // the worker keeps the previous network; show which one is current
    if (app.net) ui.network.value = app.net.preset?.key ?? 'file';
    return;
  }
  clearError();
  app.net = { info: r.info, bytes, fileName, preset };
  clearSlice();
  app.click = null;
  setFileOption(preset ? null : fileName);
  ui.network.value = preset ? preset.key : 'file';
  const info = r.info;
  ui.netInfo.textContent = `${info.name} (${info.format}): ${info.inputSize} inputs → ${info.widths.join(' → ')}; ${info.raw ? 'has .nnet normalisation' : 'no normalisation'}. ${preset?.about ?? ''}`;
  setupControls();
  await draw();
}

function setFileOption(name: string | null): void {
  let opt = ui.network.querySelector<HTMLOptionElement>('option[value="file"]');
  if (name === null) {
    opt?.remove();
    return;
  }
  if (!opt) {
    opt = document.createElement('option');
    opt.value = 'file';
    ui.network.append(opt);
  }
  opt.textContent = `file: ${name}`;
}

/** Fills the plane, colour and layer controls with the network's defaults. */
function setupControls(): void {
  const net = app.net!;
  const { info, preset } = net;
  const n = info.inputSize;
  for (const sel of [ui.dimU, ui.dimV]) {
    sel.replaceChildren(...Array.from({ length: n }, (_, k) => new Option(inputName(k), String(k))));
  }
  ui.units.disabled = info.raw === null;
  ui.units.value = preset?.units ?? (info.raw ? 'raw' : 'normalized');
  resetPlane();
  ui.rule.value = preset?.rule ?? 'argmax';
  ui.classIndex.replaceChildren(...Array.from({ length: info.outputSize }, (_, k) => new Option(className(k), String(k))));
  ui.box.value = Array.from({ length: info.outputSize }, () => ':').join(',');
  ui.box.placeholder = Array.from({ length: info.outputSize }, (_, j) => `lo${j}:hi${j}`).join(',');
  const L = info.widths.length;
  ui.layer.replaceChildren(...info.widths.map((w, i) => new Option(`layer ${i + 1}${i === L - 1 ? ' (outputs)' : ''}: ${w} ${info.activations[i] === 'relu' ? 'ReLU units' : 'outputs'}`, String(i + 1))));
  ui.layer.value = String(preset?.layer ?? Math.max(1, L - 1));
  ui.colorMode.value = 'class';
  updateColorControls();
}

/** The default plane of the current network (preset, else the .nnet range, else [-1, 1]²). */
function resetPlane(keepDims = false): void {
  const { info, preset } = app.net!;
  const n = info.inputSize;
  const units = ui.units.value as 'raw' | 'normalized';
  const dims: [number, number] = keepDims ? [Number(ui.dimU.value), Number(ui.dimV.value)] : preset?.dims ?? [0, 1];
  ui.dimU.value = String(dims[0]);
  ui.dimV.value = String(dims[1]);
  const raw = info.raw;
  const toUnits = (x: number, k: number) => (units === 'raw' || !raw ? x : (x - raw.inputMean[k]) / raw.inputRange[k]);
  const samePreset = preset && units === preset.units;
  if (samePreset && preset.fixed) app.origin = preset.fixed.slice();
  else if (raw) app.origin = Array.from({ length: n }, (_, k) => toUnits((raw.inputMin[k] + raw.inputMax[k]) / 2, k));
  else app.origin = new Array<number>(n).fill(0);
  let rect = samePreset && preset.rect && dims[0] === preset.dims[0] && dims[1] === preset.dims[1] ? preset.rect : null;
  if (!rect && raw) rect = { u0: toUnits(raw.inputMin[dims[0]], dims[0]), u1: toUnits(raw.inputMax[dims[0]], dims[0]), v0: toUnits(raw.inputMin[dims[1]], dims[1]), v1: toUnits(raw.inputMax[dims[1]], dims[1]) };
  if (!rect) rect = { u0: -1, u1: 1, v0: -1, v1: 1 };
  ui.u0.value = String(+rect.u0.toPrecision(8));
  ui.u1.value = String(+rect.u1.toPrecision(8));
  ui.v0.value = String(+rect.v0.toPrecision(8));
  ui.v1.value = String(+rect.v1.toPrecision(8));
  renderFixed();
}

function renderFixed(): void {
  const dims = [Number(ui.dimU.value), Number(ui.dimV.value)];
  const n = app.origin.length;
  const inputs: HTMLElement[] = [];
  for (let k = 0; k < n; k++) {
    if (dims.includes(k)) continue;
    const label = document.createElement('label');
    label.textContent = `${inputName(k)} =`;
    const inp = document.createElement('input');
    inp.type = 'text';
    inp.value = String(+app.origin[k].toPrecision(8));
    inp.dataset.k = String(k);
    inp.addEventListener('keydown', onEnterDraw);
    label.append(inp);
    inputs.push(label);
  }
  ui.fixed.replaceChildren(...inputs);
}

function readPlane(): PlaneSpec {
  const dims: [number, number] = [Number(ui.dimU.value), Number(ui.dimV.value)];
  if (dims[0] === dims[1]) throw new UserError('BAD_ARGUMENT', `expected two different input coordinates for u and v, found ${inputName(dims[0])} twice`);
  for (const inp of ui.fixed.querySelectorAll<HTMLInputElement>('input')) {
    const k = Number(inp.dataset.k);
    app.origin[k] = parseNum(inp.value, inputName(k));
  }
  const rect = { u0: parseNum(ui.u0.value, 'u from'), u1: parseNum(ui.u1.value, 'u to'), v0: parseNum(ui.v0.value, 'v from'), v1: parseNum(ui.v1.value, 'v to') };
  if (!(rect.u0 < rect.u1) || !(rect.v0 < rect.v1)) throw new UserError('BAD_ARGUMENT', `expected a rectangle with u from < u to and v from < v to, found [${rect.u0}, ${rect.u1}] × [${rect.v0}, ${rect.v1}]`);
  const origin = app.origin.slice();
  origin[dims[0]] = 0;
  origin[dims[1]] = 0;
  return { dims, origin, rect, units: ui.units.value as 'raw' | 'normalized' };
}

function updateColorControls(): void {
  const mode = ui.colorMode.value;
  ui.classWrap.hidden = mode !== 'classPreimage';
  ui.boxWrap.hidden = mode !== 'boxPreimage';
  ui.rule.disabled = mode === 'pattern' || mode === 'boxPreimage';
}

function readColor(): ColorSpec {
  const mode = ui.colorMode.value;
  const rule = ui.rule.value as 'argmax' | 'argmin';
  if (mode === 'class') return { kind: 'class', rule };
  if (mode === 'pattern') return { kind: 'pattern' };
  if (mode === 'classPreimage') return { kind: 'classPreimage', index: Number(ui.classIndex.value), rule };
  const m = app.net!.info.outputSize;
  const parts = ui.box.value.split(',');
  const bad = () => new UserError('BAD_TARGET', `expected ${m} intervals lo:hi separated by commas (one per output; leave a side empty for no bound), found ${JSON.stringify(ui.box.value)}`);
  if (parts.length !== m) throw bad();
  const lo: number[] = [], hi: number[] = [];
  for (const p of parts) {
    const ab = p.split(':');
    if (ab.length !== 2) throw bad();
    const a = ab[0].trim() === '' ? -Infinity : parseNum(ab[0], 'a box bound');
    const b = ab[1].trim() === '' ? Infinity : parseNum(ab[1], 'a box bound');
    if (!(a <= b)) throw new UserError('BAD_TARGET', `expected lo <= hi in every interval of the output box, found ${p.trim()}`);
    lo.push(a);
    hi.push(b);
  }
  return { kind: 'boxPreimage', lo, hi };
}

// ------------------------------------------------------------------------------------------------
// requests

async function draw(): Promise<void> {
  if (!app.net) return;
  let plane: PlaneSpec, color: ColorSpec;
  try {
    plane = readPlane();
    color = readColor();
  } catch (e) {
    if (e instanceof UserError) return showError(e.code, e.message);
    throw e;
  }
  clearError();
  const seq = ++app.seq.slice;
  const t0 = performance.now();
  const names = { inputs: app.net.preset?.inputNames, classes: app.net.preset?.classNames };
  // a large slice comes as its picture (scan-converted in the workers) and then its data
  const box = rasterBox();
  const r = await ask({ type: 'slice', plane, color, names, raster: { width: box.w, height: box.h } }, [], (d) => {
    if (d.type === 'sliceData' && seq === app.seq.slice) acceptSliceData(d, box);
  });
  if (!r || (r.type !== 'slice' && r.type !== 'slicePicture') || seq !== app.seq.slice) return;
  const tReceived = performance.now();
  clearSlice(); // the hover grid is built on the first hover
  app.click = null;
  app.hover = -1;
  let drawMs: number;
  if (r.type === 'slicePicture') {
    // the data follows (acceptSliceData): until then hovering and clicking wait
    app.picture = { picture: r.picture, plane: r.plane };
    drawMs = drawBase();
  } else {
    setSliceData(r);
    drawMs = drawBase();
  }
  drawOverlay();
  const tDrawn = performance.now();
  const transferMs = Math.max(0, performance.timeOrigin + tReceived - r.timings.postedAt);
  const stats = r.type === 'slicePicture' ? r.stats : r.slice.stats, status = r.type === 'slicePicture' ? r.status : r.slice.status;
  showStats(stats, status, r.type === 'slicePicture' ? r.coloringMs : r.fills.milliseconds, tDrawn - t0, drawMs, false, { pack: r.timings.pack, transfer: transferMs });
  if (r.type === 'slicePicture') renderLegend(r.title, r.legend);
  else renderLegend();
  ui.preimageCount.textContent = 'no point clicked';
  delete ui.preimageCount.dataset.count;
  ui.clickInfo.replaceChildren();
  // the time to the next frame too (the picture on the screen), without holding anything up
  const timing: SliceTiming = {
    network: app.net.info.name,
    regions: stats.regions,
    fillPolygons: r.type === 'slice' ? app.layers!.reduce((a, l) => a + l.fills.color.length, 0) : null,
    worker: r.timings,
    transferMs,
    drawMs,
    drawnMs: tDrawn - t0,
    frameMs: null,
    raster: stats.regions > RASTER_ABOVE,
  };
  recordTiming(timing);
  requestAnimationFrame(() => setTimeout(() => {
    timing.frameMs = performance.now() - t0;
    ui.timing.dataset.frameMs = String(timing.frameMs);
    // for tests and benchmarks that wait for a timing without polling the page
    window.dispatchEvent(new Event('slicetiming'));
  }, 0));
}

/** Keeps a slice's data (the parts as they are, or the whole slice). */
function setSliceData(r: SliceData): void {
  app.layers = r.parts ? r.parts.map((p, i) => (i === 0 ? { slice: r.slice, fills: r.fills, part: p.part } : { slice: p.more!.slice, fills: p.more!.fills, part: p.part })) : [{ slice: r.slice, fills: r.fills, part: null }];
  if (!r.parts) app.merged = r.slice;
  app.fills = r.fills;
}

/** The data after a slice's picture: kept for hovering, clicking and redrawing; a waiting hover is answered. */
function acceptSliceData(r: SliceData, box: ReturnType<typeof rasterBox>): void {
  setSliceData(r);
  const waiting = dataWaiters;
  dataWaiters = [];
  for (const w of waiting) w();
  const now = rasterBox();
  // the picture no longer fits the canvas (the device pixel ratio changed): the colouring is
  // asked for again and drawn on the page (the data after a picture carry no fill polygons)
  if (now.w !== box.w || now.h !== box.h) void recolor();
  if (lastMove) updateHover();
}

/** One slice request, from the click to the drawn picture (milliseconds; exposed as window.__timings). */
interface SliceTiming {
  network: string;
  regions: number;
  /** Fill polygons drawn on the page (null: the workers drew the picture). */
  fillPolygons: number | null;
  /** Inside the worker: computeSlice, colouring, copying out, all. */
  worker: WorkerTimings;
  /** From the worker's postMessage to the page receiving the answer (the picture, for large slices). */
  transferMs: number;
  /** Drawing the slice canvas on the page. */
  drawMs: number;
  /** From the request to the drawn canvas (compute + transfer + draw). */
  drawnMs: number;
  /** From the request to the next animation frame after drawing (set a frame later). */
  frameMs: number | null;
  /** Whether the picture was scan-converted (many regions) rather than drawn with canvas paths. */
  raster: boolean;
}

const timings = { last: null as SliceTiming | null, all: [] as SliceTiming[] };
(window as unknown as { __timings: typeof timings }).__timings = timings;

function recordTiming(t: SliceTiming): void {
  timings.last = t;
  timings.all.push(t);
  if (timings.all.length > 200) timings.all.shift();
}

async function recolor(): Promise<void> {
  if (!app.layers) return draw();
  let color: ColorSpec;
  try {
    color = readColor();
  } catch (e) {
    if (e instanceof UserError) return showError(e.code, e.message);
    throw e;
  }
  clearError();
  const seq = ++app.seq.color;
  const t0 = performance.now();
  const r = await ask({ type: 'color', color });
  if (!r || r.type !== 'color' || seq !== app.seq.color) return;
  // the worker coloured the whole slice
  const whole = wholeSlice()!;
  app.layers = [{ slice: whole, fills: r.fills, part: null }];
  app.fills = r.fills;
  app.picture = null;
  const drawMs = drawBase();
  const s0 = app.layers[0].slice;
  showStats(s0.stats, s0.status, r.fills.milliseconds, performance.now() - t0, drawMs, true);
  renderLegend();
}

async function clickAt(u: number, v: number): Promise<void> {
  // a click between a picture and its data waits for the data (and is dropped if another slice came)
  if (!app.layers && app.picture) {
    const before = app.seq.slice;
    await new Promise<void>((resolve) => dataWaiters.push(resolve));
    if (app.seq.slice !== before) return;
  }
  if (!app.layers) return;
  clearError();
  const seq = ++app.seq.click;
  const sliceSeq = app.seq.slice;
  ui.preimageCount.textContent = 'computing the preimage…';
  delete ui.preimageCount.dataset.count;
  const r = await ask({ type: 'click', u, v, layer: Number(ui.layer.value) });
  if (!r || r.type !== 'click' || seq !== app.seq.click || sliceSeq !== app.seq.slice) return;
  app.click = r.click;
  drawOverlay();
  renderClick();
}

async function exportFile(kind: 'svg' | 'json'): Promise<void> {
  if (!app.layers) return;
  const r = await ask({ type: 'export', kind });
  if (!r || r.type !== 'export') return;
  const blob = new Blob([r.text], { type: kind === 'svg' ? 'image/svg+xml' : 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = r.filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ------------------------------------------------------------------------------------------------
// drawing

const W = 660, H = 540;
const M = { left: 66, right: 12, top: 12, bottom: 44 };
const PW = W - M.left - M.right, PH = H - M.top - M.bottom;

function setupCanvas(c: HTMLCanvasElement): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(W * dpr)) {
    c.width = Math.round(W * dpr);
    c.height = Math.round(H * dpr);
  }
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  return ctx;
}

function toPx(rect: PlaneSpec['rect']): { X: (u: number) => number; Y: (v: number) => number } {
  const sx = PW / (rect.u1 - rect.u0), sy = PH / (rect.v1 - rect.v0);
  return { X: (u) => M.left + (u - rect.u0) * sx, Y: (v) => M.top + (rect.v1 - v) * sy };
}

function addPolygon(path: Path2D, verts: Float64Array, a: number, b: number, X: (u: number) => number, Y: (v: number) => number): void {
  if (b - a < 6) return;
  path.moveTo(X(verts[a]), Y(verts[a + 1]));
  for (let i = a + 2; i < b; i += 2) path.lineTo(X(verts[i]), Y(verts[i + 1]));
  path.closePath();
}

/** Polygons per fill or stroke call. */
const CHUNK = 64;

function tracePolygon(ctx: CanvasRenderingContext2D, verts: Float64Array, a: number, b: number, X: (u: number) => number, Y: (v: number) => number): void {
  if (b - a < 6) return;
  ctx.moveTo(X(verts[a]), Y(verts[a + 1]));
  for (let i = a + 2; i < b; i += 2) ctx.lineTo(X(verts[i]), Y(verts[i + 1]));
  ctx.closePath();
}

/** The plot area in device pixels (the canvas is W × H times the device pixel ratio, as setupCanvas makes it). */
function rasterBox(): { x0: number; y0: number; w: number; h: number } {
  const dpr = Math.round(W * (window.devicePixelRatio || 1)) / W;
  const x0 = Math.round(M.left * dpr), y0 = Math.round(M.top * dpr);
  return { x0, y0, w: Math.round((M.left + PW) * dpr) - x0, h: Math.round((M.top + PH) * dpr) - y0 };
}

/** Draws the slice canvas; returns the milliseconds it took. */
function drawBase(): number {
  const t0 = performance.now();
  const ctx = setupCanvas(ui.base);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);
  if (app.picture) {
    // the workers' picture (scan-converted and outlined there): put as it is
    const { picture: P, plane } = app.picture;
    const { x0, y0 } = rasterBox();
    ctx.putImageData(new ImageData(new Uint8ClampedArray(P.pixels.buffer as ArrayBuffer, P.pixels.byteOffset, 4 * P.width * P.height), P.width, P.height), x0, y0);
    drawAxes(ctx, plane);
    return performance.now() - t0;
  }
  const layers = app.layers;
  if (!layers) return performance.now() - t0;
  const plane = layers[0].slice.plane;
  const count = layers.reduce((a, l) => a + l.slice.count, 0);
  if (count > RASTER_ABOVE) rasterBase(ctx, plane, layers);
  else for (const l of layers) vectorBase(ctx, l.slice, l.fills);
  drawAxes(ctx, plane);
  return performance.now() - t0;
}

/** Fills and outlines as canvas paths (anti-aliased; fast enough for a few thousand polygons). */
function vectorBase(ctx: CanvasRenderingContext2D, s: PackedSlice, f: Fills): void {
  const { X, Y } = toPx(s.plane.rect);
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, PW, PH);
  ctx.clip();
  // fills by colour, in chunks of a few hundred polygons (one huge path is very slow to fill and
  // stroke in Chromium's software rasteriser); a thin stroke of the fill colour hides seams
  const { offsets, verts } = f.polys;
  const byColor: number[][] = f.palette.map(() => []);
  for (let i = 0; i + 1 < offsets.length; i++) byColor[f.color[i]].push(i);
  ctx.lineWidth = 0.6;
  ctx.lineJoin = 'round';
  byColor.forEach((list, k) => {
    ctx.fillStyle = f.palette[k];
    ctx.strokeStyle = f.palette[k];
    for (let a = 0; a < list.length; a += CHUNK) {
      ctx.beginPath();
      for (let i = a; i < Math.min(list.length, a + CHUNK); i++) tracePolygon(ctx, verts, offsets[list[i]], offsets[list[i] + 1], X, Y);
      ctx.fill();
      ctx.stroke();
    }
  });
  // region outlines
  ctx.strokeStyle = 'rgba(34, 34, 34, 0.45)';
  ctx.lineWidth = 0.5;
  for (let a = 0; a < s.count; a += CHUNK) {
    ctx.beginPath();
    for (let i = a; i < Math.min(s.count, a + CHUNK); i++) tracePolygon(ctx, s.polys.verts, s.polys.offsets[i], s.polys.offsets[i + 1], X, Y);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * Scan-converts the fills and the region ids at device resolution (the slice's parts one after
 * the other, region ids offset per part) and puts the pixels (raster.ts).
 */
function rasterBase(ctx: CanvasRenderingContext2D, plane: PlaneSpec, layers: Layer[]): void {
  const { x0, y0, w, h } = rasterBox();
  const { u0, u1, v0, v1 } = plane.rect;
  const sx = w / (u1 - u0), sy = h / (v1 - v0);
  const map = { ox: -u0 * sx, sx, oy: v1 * sy, sy };
  const img = ctx.createImageData(w, h);
  const pixels = new Uint32Array(img.data.buffer);
  // region ids per pixel; a region covered by one fill polygon takes that polygon's colour
  // pixel by pixel, the few regions cut into several polygons (where the class changes) are
  // scan-converted polygon by polygon on top
  const ids = new Int32Array(w * h).fill(-1);
  let total = 0;
  const bases = layers.map((l) => { const b = total; total += l.slice.count; return b; });
  layers.forEach((l, i) => fillPolygons(ids, w, h, l.slice.polys.offsets, l.slice.polys.verts, null, map, bases[i]));
  const regionColour = new Uint32Array(total);
  const parts = new Uint16Array(total);
  layers.forEach((l, li) => {
    const f = l.fills, colours = Uint32Array.from(f.palette, (c) => rgba(c));
    for (let i = 0; i < f.region.length; i++) {
      const r = bases[li] + f.region[i];
      if (parts[r] < 65535) parts[r]++;
      regionColour[r] = colours[f.color[i]];
    }
  });
  const white = rgba('#ffffff');
  for (let p = 0; p < ids.length; p++) pixels[p] = ids[p] < 0 ? white : regionColour[ids[p]];
  layers.forEach((l, li) => {
    const f = l.fills, colours = Uint32Array.from(f.palette, (c) => rgba(c));
    const mixed: number[] = [];
    for (let i = 0; i < f.region.length; i++) if (parts[bases[li] + f.region[i]] > 1) mixed.push(i);
    if (mixed.length === 0) return;
    const offs = new Uint32Array(mixed.length + 1);
    let n = 0;
    mixed.forEach((i) => { n += f.polys.offsets[i + 1] - f.polys.offsets[i]; });
    const vs = new Float64Array(n), cs = new Uint32Array(mixed.length);
    n = 0;
    mixed.forEach((i, k) => {
      vs.set(f.polys.verts.subarray(f.polys.offsets[i], f.polys.offsets[i + 1]), n);
      n += f.polys.offsets[i + 1] - f.polys.offsets[i];
      offs[k + 1] = n;
      cs[k] = colours[f.color[i]];
    });
    fillPolygons(pixels, w, h, offs, vs, cs, map);
  });
  // many regions: fainter outlines (most pixels lie on one)
  outlineRegions(pixels, ids, w, h, rgba('#222222'), total > 20000 ? 0.22 : 0.35);
  ctx.putImageData(img, x0, y0);
}

function drawAxes(ctx: CanvasRenderingContext2D, plane: PlaneSpec): void {
  const { rect } = plane;
  const { X, Y } = toPx(rect);
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 1;
  ctx.strokeRect(M.left, M.top, PW, PH);
  ctx.fillStyle = '#222';
  ctx.font = '11px system-ui, "DejaVu Sans", sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const tx = niceTicks(rect.u0, rect.u1, 7), ty = niceTicks(rect.v0, rect.v1, 6);
  ctx.beginPath();
  for (const t of tx.values) {
    ctx.moveTo(X(t), M.top + PH);
    ctx.lineTo(X(t), M.top + PH + 4);
    ctx.fillText(tickLabel(t, tx.decimals), X(t), M.top + PH + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of ty.values) {
    ctx.moveTo(M.left - 4, Y(t));
    ctx.lineTo(M.left, Y(t));
    ctx.fillText(tickLabel(t, ty.decimals), M.left - 6, Y(t));
  }
  ctx.stroke();
  ctx.font = '12px system-ui, "DejaVu Sans", sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(inputName(plane.dims[0]), M.left + PW / 2, H - 8);
  ctx.save();
  ctx.translate(14, M.top + PH / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(inputName(plane.dims[1]), 0, 0);
  ctx.restore();
}

function drawOverlay(): void {
  const ctx = setupCanvas(ui.overlay);
  if (!app.layers) return;
  const { X, Y } = toPx(app.layers[0].slice.plane.rect);
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, PW, PH);
  ctx.clip();
  const c = app.click;
  if (c) {
    const p = c.preimage;
    const path = new Path2D();
    for (let i = 0; i + 1 < p.polys.offsets.length; i++) addPolygon(path, p.polys.verts, p.polys.offsets[i], p.polys.offsets[i + 1], X, Y);
    ctx.fillStyle = CLICK_PREIMAGE_COLOR;
    ctx.globalAlpha = 0.55;
    ctx.fill(path);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = CLICK_PREIMAGE_COLOR;
    ctx.lineWidth = 1;
    ctx.stroke(path);
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.beginPath();
    for (let i = 0; i < p.segments.length; i += 4) {
      ctx.moveTo(X(p.segments[i]), Y(p.segments[i + 1]));
      ctx.lineTo(X(p.segments[i + 2]), Y(p.segments[i + 3]));
    }
    ctx.stroke();
    for (let i = 0; i < p.points.length; i += 2) {
      ctx.beginPath();
      ctx.arc(X(p.points[i]), Y(p.points[i + 1]), 5.5, 0, 2 * Math.PI);
      ctx.fillStyle = CLICK_PREIMAGE_COLOR;
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    // the clicked point: a cross
    const x = X(c.u), y = Y(c.v);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x - 7, y); ctx.lineTo(x - 2, y); ctx.moveTo(x + 2, y); ctx.lineTo(x + 7, y);
    ctx.moveTo(x, y - 7); ctx.lineTo(x, y - 2); ctx.moveTo(x, y + 2); ctx.lineTo(x, y + 7);
    ctx.stroke();
  }
  const s = app.hover >= 0 ? wholeSlice() : null;
  if (s) {
    const path = new Path2D();
    addPolygon(path, s.polys.verts, s.polys.offsets[app.hover], s.polys.offsets[app.hover + 1], X, Y);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2;
    ctx.stroke(path);
  }
  ctx.restore();
}

function showStats(stats: PackedSlice['stats'], status: string, coloringMs: number, roundTripMs: number, drawMs: number, recolored = false, t?: { pack: number; transfer: number }): void {
  const count = stats.regions;
  ui.regionCount.textContent = `${count.toLocaleString('en-US')} linear regions`;
  ui.regionCount.dataset.count = String(count);
  const extra = [status !== 'complete' ? `stopped early: ${status}` : '', stats.slivers ? `${stats.slivers} slivers below the margin` : ''].filter(Boolean).join(', ');
  const worker = `${recolored ? '' : `slice ${stats.milliseconds.toFixed(1)} ms + `}colouring ${coloringMs.toFixed(1)} ms${t && t.pack > 0 ? ` + copy ${t.pack.toFixed(1)} ms` : ''} in the worker`;
  ui.timing.textContent = `${worker}; ${t ? `transfer ${t.transfer.toFixed(1)} ms; ` : ''}drawn in ${drawMs.toFixed(1)} ms; ${roundTripMs.toFixed(0)} ms ${recolored ? 'in all' : 'from request to drawn'}${extra ? ` (${extra})` : ''}`;
  ui.timing.dataset.sliceMs = String(stats.milliseconds);
  ui.timing.dataset.totalMs = String(roundTripMs);
  delete ui.timing.dataset.frameMs;
}

function renderLegend(title = app.fills!.title, legend = app.fills!.legend): void {
  ui.title.textContent = `${app.net!.info.name}: ${title}`;
  const items = legend.map((e) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = e.color;
    li.append(sw, document.createTextNode(e.text));
    return li;
  });
  const li = document.createElement('li');
  const sw = document.createElement('span');
  sw.className = 'swatch';
  sw.style.background = CLICK_PREIMAGE_COLOR;
  li.append(sw, document.createTextNode('preimage of the clicked point’s activity'));
  items.push(li);
  ui.legend.replaceChildren(...items);
}

// ------------------------------------------------------------------------------------------------
// hit testing (main thread: hovering never waits for the worker)

interface Grid { G: number; cells: number[][]; rect: PlaneSpec['rect'] }

function buildGrid(s: PackedSlice): Grid {
  const G = s.count > 20000 ? 128 : 64;
  const cells: number[][] = Array.from({ length: G * G }, () => []);
  const { u0, u1, v0, v1 } = s.plane.rect;
  const cu = (u: number) => Math.min(G - 1, Math.max(0, Math.floor(((u - u0) / (u1 - u0)) * G)));
  const cv = (v: number) => Math.min(G - 1, Math.max(0, Math.floor(((v - v0) / (v1 - v0)) * G)));
  const { offsets, verts } = s.polys;
  for (let r = 0; r < s.count; r++) {
    let a = Infinity, b = -Infinity, c = Infinity, d = -Infinity;
    for (let i = offsets[r]; i < offsets[r + 1]; i += 2) {
      a = Math.min(a, verts[i]); b = Math.max(b, verts[i]);
      c = Math.min(c, verts[i + 1]); d = Math.max(d, verts[i + 1]);
    }
    for (let i = cu(a); i <= cu(b); i++) for (let j = cv(c); j <= cv(d); j++) cells[j * G + i].push(r);
  }
  return { G, cells, rect: s.plane.rect };
}

/** The region containing (u, v) (counter-clockwise convex polygons), or -1. */
function regionAt(u: number, v: number): number {
  const s = wholeSlice();
  if (!s) return -1;
  const g = (app.grid ??= buildGrid(s));
  const { u0, u1, v0, v1 } = g.rect;
  if (u < u0 || u > u1 || v < v0 || v > v1) return -1;
  const i = Math.min(g.G - 1, Math.floor(((u - u0) / (u1 - u0)) * g.G)), j = Math.min(g.G - 1, Math.floor(((v - v0) / (v1 - v0)) * g.G));
  const { offsets, verts } = s.polys;
  for (const r of g.cells[j * g.G + i]) {
    const a = offsets[r], b = offsets[r + 1];
    let inside = true;
    for (let k = a; k < b && inside; k += 2) {
      const k2 = k + 2 < b ? k + 2 : a;
      const ex = verts[k2] - verts[k], ey = verts[k2 + 1] - verts[k + 1];
      if (ex * (v - verts[k + 1]) - ey * (u - verts[k]) < 0) inside = false;
    }
    if (inside) return r;
  }
  return -1;
}

function eventUV(e: MouseEvent): [number, number] | null {
  const s = app.layers?.[0].slice ?? app.picture;
  if (!s) return null;
  const box = ui.overlay.getBoundingClientRect();
  const x = ((e.clientX - box.left) / box.width) * W, y = ((e.clientY - box.top) / box.height) * H;
  if (x < M.left || x > M.left + PW || y < M.top || y > M.top + PH) return null;
  const { u0, u1, v0, v1 } = s.plane.rect;
  return [u0 + ((x - M.left) / PW) * (u1 - u0), v1 - ((y - M.top) / PH) * (v1 - v0)];
}

function patternBits(s: PackedSlice, r: number): string[] {
  const nl = s.widths.length;
  return s.widths.map((w, k) => {
    const id = s.patternIds[r * nl + k];
    if (id < 0 || app.net!.info.activations[k] !== 'relu') return '1'.repeat(w);
    let t = '';
    const pool = s.patternPool[k];
    for (let j = 0; j < w; j++) t += pool[id * w + j] ? '1' : '0';
    return t;
  });
}

function renderHover(u: number, v: number, r: number): void {
  const s = wholeSlice()!;
  const info = app.net!.info;
  const head = document.createElement('div');
  head.textContent = `(${inputName(s.plane.dims[0])}, ${inputName(s.plane.dims[1])}) = (${fmt(u, 5)}, ${fmt(v, 5)})`;
  if (r < 0) {
    const p = document.createElement('div');
    p.textContent = 'on an edge or outside the rectangle';
    ui.hoverInfo.replaceChildren(head, p);
    return;
  }
  const title = document.createElement('div');
  title.className = 'count';
  title.textContent = `region ${r} of ${s.count}, area ${fmt(s.areas[r])}`;
  const table = document.createElement('table');
  const bits = patternBits(s, r);
  bits.forEach((t, l) => {
    if (info.activations[l] !== 'relu') return;
    const tr = table.insertRow();
    const on = [...t].filter((c) => c === '1').length;
    tr.insertCell().outerHTML = `<th>layer ${l + 1}<br><span class="note">${on}/${t.length} on</span></th>`;
    const td = tr.insertCell();
    td.className = 'mono';
    td.textContent = t.replace(/(.{10})/g, '$1 ').trim();
  });
  const mapTitle = document.createElement('div');
  mapTitle.textContent = `affine map on the region${s.plane.units === 'raw' ? ' (raw outputs)' : ''}:`;
  const map = document.createElement('table');
  const m = s.outputSize;
  const du = inputName(s.plane.dims[0]), dv = inputName(s.plane.dims[1]);
  for (let j = 0; j < m; j++) {
    const o = (r * m + j) * 3;
    const a = s.maps[o], b = s.maps[o + 1], c = s.maps[o + 2];
    const tr = map.insertRow();
    tr.insertCell().outerHTML = `<th>${app.net?.preset?.classNames?.[j] ?? `y${j}`}</th>`;
    const td = tr.insertCell();
    td.className = 'mono words';
    td.textContent = `= ${fmt(a)}·${du} ${b < 0 ? '−' : '+'} ${fmt(Math.abs(b))}·${dv} ${c < 0 ? '−' : '+'} ${fmt(Math.abs(c))}  = ${fmt(a * u + b * v + c)} here`;
  }
  ui.hoverInfo.replaceChildren(head, title, table, mapTitle, map);
}

function renderClick(): void {
  const c = app.click!;
  const info = app.net!.info;
  const p = c.preimage;
  const [d0, d1, d2] = p.byDimension;
  ui.preimageCount.textContent = `preimage at layer ${p.layer}: ${p.pieces} piece${p.pieces === 1 ? '' : 's'} (${d0} points, ${d1} segments, ${d2} polygons)`;
  ui.preimageCount.dataset.count = String(p.pieces);
  const rows: [string, string][] = [
    ['point', `(${fmt(c.u, 6)}, ${fmt(c.v, 6)}); input [${c.input.map((x) => fmt(x, 5)).join(', ')}]`],
    ['region', c.region >= 0 ? String(c.region) : 'on an edge'],
    ['preimage', `${p.method === 'engine' ? 'computePreimage (exact pieces of the 2-D input space)' : 'slice regions whose layer map meets the activity (preimage ∩ plane)'}, ${p.milliseconds.toFixed(1)} ms, ${p.status}; contains the clicked point: ${p.containsClick ? 'yes' : 'no'}`],
  ];
  const table = document.createElement('table');
  for (const [k, v] of rows) {
    const tr = table.insertRow();
    tr.insertCell().outerHTML = `<th>${k}</th>`;
    tr.insertCell().textContent = v;
  }
  const acts = document.createElement('table');
  const head = acts.insertRow();
  head.innerHTML = '<th>layer</th><th>activity</th>';
  c.activities.forEach((a, l) => {
    const tr = acts.insertRow();
    const relu = info.activations[l] === 'relu';
    const on = a.filter((x) => x > 0).length;
    tr.insertCell().outerHTML = `<th>${l + 1}${l + 1 === p.layer ? ' ◀' : ''}<br><span class="note">${relu ? `${on}/${a.length} on` : 'outputs'}</span></th>`;
    const td = tr.insertCell();
    td.className = 'mono words';
    td.textContent = a.map((x) => (relu && x === 0 ? '0' : fmt(x, 3))).join(' ');
  });
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = 'A point: the active units fix both plane coordinates. A segment: one independent equation on the plane. A polygon: the whole region maps onto the activity (e.g. every unit off).';
  ui.clickInfo.replaceChildren(table, note, acts);
  ui.clickInfo.dataset.contains = String(p.containsClick);
}

// ------------------------------------------------------------------------------------------------
// events

let hoverFrame = 0;
/** The last mouse position over the picture (null after it left): hovering answers it when the slice's data arrives too. */
let lastMove: MouseEvent | null = null;

function updateHover(): void {
  // before a picture's data has arrived: answered when it does (acceptSliceData)
  if (!app.layers) return;
  const uv = lastMove && eventUV(lastMove);
  if (!uv) return;
  const r = regionAt(uv[0], uv[1]);
  renderHover(uv[0], uv[1], r);
  if (r !== app.hover) {
    app.hover = r;
    drawOverlay();
  }
}
ui.overlay.addEventListener('mousemove', (e) => {
  lastMove = e;
  if (hoverFrame) return;
  hoverFrame = requestAnimationFrame(() => {
    hoverFrame = 0;
    updateHover();
  });
});
ui.overlay.addEventListener('mouseleave', () => {
  lastMove = null;
  app.hover = -1;
  drawOverlay();
});
ui.overlay.addEventListener('click', (e) => {
  const uv = eventUV(e);
  if (uv) void clickAt(uv[0], uv[1]);
});

function onEnterDraw(e: KeyboardEvent): void {
  if (e.key === 'Enter') void draw();
}
for (const inp of [ui.u0, ui.u1, ui.v0, ui.v1]) inp.addEventListener('keydown', onEnterDraw);
ui.box.addEventListener('keydown', (e) => { if (e.key === 'Enter') void recolor(); });

ui.network.addEventListener('change', () => {
  if (ui.network.value !== 'file') void loadPreset(ui.network.value);
});
ui.draw.addEventListener('click', () => void draw());
ui.resetPlane.addEventListener('click', () => { if (app.net) { resetPlane(); void draw(); } });
ui.units.addEventListener('change', () => { if (app.net) { resetPlane(true); void draw(); } });
for (const sel of [ui.dimU, ui.dimV]) {
  sel.addEventListener('change', () => {
    if (!app.net || ui.dimU.value === ui.dimV.value) return;
    resetPlane(true);
    void draw();
  });
}
ui.colorMode.addEventListener('change', () => {
  updateColorControls();
  if (ui.colorMode.value !== 'boxPreimage') void recolor();
});
ui.rule.addEventListener('change', () => void recolor());
ui.classIndex.addEventListener('change', () => void recolor());
ui.applyColor.addEventListener('click', () => void recolor());
ui.layer.addEventListener('change', () => {
  if (app.click) void clickAt(app.click.u, app.click.v);
});
ui.exportSvg.addEventListener('click', () => void exportFile('svg'));
ui.exportJson.addEventListener('click', () => void exportFile('json'));

async function openFile(file: File): Promise<void> {
  clearError();
  await loadBytes(file.name, await file.arrayBuffer(), null);
}
ui.file.addEventListener('change', () => {
  const f = ui.file.files?.[0];
  if (f) void openFile(f);
  ui.file.value = '';
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const f = e.dataTransfer?.files[0];
  if (f) void openFile(f);
});

// ------------------------------------------------------------------------------------------------
// start

ui.network.replaceChildren(...PRESETS.map((p) => new Option(p.label, p.key)));
const wanted = new URLSearchParams(location.search).get('network');
const first = PRESETS.find((p) => p.key === wanted) ?? PRESETS[0];
ui.network.value = first.key;
drawBase();
void loadPreset(first.key);
