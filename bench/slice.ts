/**
 * Benchmark of exact 2-D slices (src/render/slice.ts) and their class colouring
 * (src/render/coloring.ts): the full ρ × θ slice of ACAS Xu 1_1 (raw units, ψ = 0, v_own = 750,
 * v_int = 400, the whole input range of the .nnet normalisation), the full v_own × v_int slice
 * (ρ = 5000, θ = 0.5, ψ = −2) and a VerticalCAS slice. Each answer is checked first: the region
 * count, the areas summing to the rectangle's (1e-9 relative), the class polygons tiling it, and
 * seeded points (the region containing the point has the network's pattern, its affine map equals
 * evaluation to 1e-9 and the class polygon there has the evaluated class). Then repeated runs are
 * timed (median and minimum; the machine is shared, so the load average is reported too), with
 * the first run of each slice (before V8 has optimised the code, as in a fresh Web Worker) and the
 * time to make the region objects from the packed arrays.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { extname, normalize, sep } from 'node:path';
import { activationPattern, evaluate } from '../src/network/evaluate.js';
import { denormalizeOutput, normalizeInput } from '../src/network/normalization.js';
import type { Network } from '../src/network/types.js';
import { classColoring } from '../src/render/coloring.js';
import { polygonDepth } from '../src/render/polygon.js';
import { computeSlice, coordinatePlane, regionOutput, sliceKernel, slicePoint, type Slice, type SliceRect } from '../src/render/slice.js';
import { Rng } from '../src/util/rng.js';
import { join, loadNet, machine, median, probeCores, repoRoot, round } from './common.js';

interface Case {
  name: string;
  file: string;
  dims: [number, number];
  fixed: number[];
  /** The rectangle, or null for the inputs' full raw range. */
  rect: SliceRect | null;
  raw: boolean;
  /** The expected number of linear regions. */
  regions: number;
}

const CASES: Case[] = [
  { name: 'acas-rho-theta', file: 'ACASXU_run2a_1_1_batch_2000.nnet', dims: [0, 1], fixed: [0, 750, 400], rect: null, raw: true, regions: 39795 },
  { name: 'acas-vown-vint', file: 'ACASXU_run2a_1_1_batch_2000.nnet', dims: [3, 4], fixed: [5000, 0.5, -2], rect: null, raw: true, regions: 12044 },
  { name: 'vcas-x0-x1', file: 'VertCAS_21_1.onnx', dims: [0, 1], fixed: [0.15, 0], rect: { u0: -0.5, u1: 0.5, v0: -0.5, v1: 0.5 }, raw: false, regions: 58 },
];

function rectOf(net: Network, c: Case): SliceRect {
  if (c.rect) return c.rect;
  const nz = net.normalization!;
  return { u0: nz.inputMin[c.dims[0]], u1: nz.inputMax[c.dims[0]], v0: nz.inputMin[c.dims[1]], v1: nz.inputMax[c.dims[1]] };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/** Checks a slice and its class colouring; throws on the first failure. Returns the points judged. */
function check(net: Network, c: Case, s: Slice, seed: number, points: number): number {
  const { u0, u1, v0, v1 } = s.rect;
  const area = (u1 - u0) * (v1 - v0);
  if (s.status !== 'complete') throw new Error(`${c.name}: status ${s.status}`);
  if (s.regions.length !== c.regions) throw new Error(`${c.name}: ${s.regions.length} regions, expected ${c.regions}`);
  const total = s.regions.reduce((a, r) => a + r.area, 0);
  if (!(rel(total, area) < 1e-9)) throw new Error(`${c.name}: region areas sum to ${total}, rectangle ${area}`);
  const cc = classColoring(s, { rule: c.raw ? 'argmin' : 'argmax' });
  const classTotal = cc.classAreas.reduce((a, b) => a + b, 0);
  if (!(rel(classTotal, area) < 1e-9)) throw new Error(`${c.name}: class areas sum to ${classTotal}, rectangle ${area}`);
  const rng = new Rng(seed);
  const tol = 1e-9 * Math.max(u1 - u0, v1 - v0);
  let judged = 0;
  for (let t = 0; t < points; t++) {
    const u = rng.uniform(u0, u1), v = rng.uniform(v0, v1);
    const hits = s.regions.filter((r) => polygonDepth(r.vertices, u, v) > tol);
    const near = s.regions.filter((r) => polygonDepth(r.vertices, u, v) > -tol).length;
    if (near !== 1) continue; // within tol of an edge
    judged++;
    if (hits.length !== 1) throw new Error(`${c.name}: ${hits.length} regions contain (${u}, ${v})`);
    const r = hits[0];
    const x = slicePoint(s, u, v);
    const xn = c.raw ? normalizeInput(net, x) : Float64Array.from(x);
    const pat = activationPattern(net, xn);
    pat.forEach((p, k) => {
      for (let j = 0; j < p.length; j++) if (p[j] !== r.pattern[k][j]) throw new Error(`${c.name}: pattern differs at (${u}, ${v}), layer ${k}, unit ${j}`);
    });
    const y = c.raw ? denormalizeOutput(net, evaluate(net, xn)) : evaluate(net, xn);
    const ym = regionOutput(r, u, v);
    const scale = Math.max(1, ...Array.from(y, Math.abs));
    y.forEach((yj, j) => {
      if (!(Math.abs(yj - ym[j]) <= 1e-9 * scale)) throw new Error(`${c.name}: output ${j} at (${u}, ${v}): map ${ym[j]}, network ${yj}`);
    });
    const inCls = cc.polygons.filter((p) => polygonDepth(p.vertices, u, v) > tol);
    if (cc.polygons.filter((p) => polygonDepth(p.vertices, u, v) > -tol).length === 1) {
      let best = 0;
      for (let j = 1; j < y.length; j++) if (c.raw ? y[j] < y[best] : y[j] > y[best]) best = j;
      if (inCls.length !== 1 || inCls[0].label !== best) throw new Error(`${c.name}: class at (${u}, ${v}) is ${best}, colouring says ${inCls.map((p) => p.label)}`);
    }
  }
  if (judged < points * 0.9) throw new Error(`${c.name}: only ${judged} of ${points} points away from edges`);
  return judged;
}

export async function runSliceBench(opts: { repeats?: number; seed?: number; points?: number } = {}) {
  const repeats = opts.repeats ?? 15;
  const seed = opts.seed ?? 20261127;
  const points = opts.points ?? 200;
  const load0 = loadavg().map((x) => round(x, 3));
  const rows = [];
  const nets = new Map<string, Network>();
  for (const [i, c] of CASES.entries()) {
    let net = nets.get(c.file);
    if (!net) nets.set(c.file, (net = loadNet(join(repoRoot, 'examples', c.file))));
    const plane = coordinatePlane(net.inputSize, c.dims, c.fixed);
    const rect = rectOf(net, c);
    const units = c.raw ? ('raw' as const) : ('normalized' as const);
    const rule = c.raw ? ('argmin' as const) : ('argmax' as const);
    // the first slice and colouring of this kind in the process (V8 has not optimised the code yet)
    const tf = performance.now();
    const first = computeSlice(net, plane, rect, { units });
    classColoring(first, { rule });
    const firstMs = performance.now() - tf;
    const judged = check(net, c, first, seed + i, points);
    // warm-up, then timed runs: the slice alone, the class colouring alone, and both
    for (let w = 0; w < 3; w++) classColoring(computeSlice(net, plane, rect, { units }), { rule });
    const slice: number[] = [], coloring: number[] = [], both: number[] = [], objects: number[] = [];
    let last = first;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      last = computeSlice(net, plane, rect, { units });
      const t1 = performance.now();
      classColoring(last, { rule });
      const t2 = performance.now();
      slice.push(t1 - t0);
      coloring.push(t2 - t1);
      both.push(t2 - t0);
    }
    // making the region objects (slice.regions) for code that reads them instead of slice.packed
    for (let r = 0; r < Math.min(repeats, 7); r++) {
      const s = computeSlice(net, plane, rect, { units });
      const t0 = performance.now();
      if (s.regions.length < 0) throw new Error('unreachable');
      objects.push(performance.now() - t0);
    }
    const cc = classColoring(last, { rule });
    rows.push({
      slice: c.name,
      network: c.file,
      dims: c.dims,
      fixed: c.fixed,
      rect,
      units,
      regions: last.regions.length,
      classPolygons: cc.polygons.length,
      splits: last.stats.splits,
      slivers: last.stats.slivers,
      thin: last.stats.thin,
      checked: { points: judged },
      sliceMs: { median: round(median(slice)), min: round(Math.min(...slice)) },
      classColoringMs: { median: round(median(coloring)), min: round(Math.min(...coloring)) },
      totalMs: { median: round(median(both)), min: round(Math.min(...both)) },
      firstRunMs: round(firstMs),
      regionObjectsMs: { median: round(median(objects)), min: round(Math.min(...objects)) },
    });
  }
  return { suite: 'slice', machine: machine(), loadAverage: { start: load0, end: loadavg().map((x) => round(x, 3)) }, kernel: sliceKernel(), repeats, seed, slices: rows };
}


// ------------------------------------------------------------------------------------------------
// In the browser: the playground (web/) built with Vite, served on 127.0.0.1, driven in headless
// Chromium (Debian's /usr/bin/chromium, as the end-to-end test) with playwright-core.

const CHROMIUM = '/usr/bin/chromium';

/** One slice request as the page measures it (web/src/main.ts, window.__timings). */
interface PageTiming {
  regions: number;
  worker: { kernel?: string; slice: number; coloring: number; pack: number; raster?: number; total: number; parts: { own: number; helper: number | null; helperColoring: number | null; helperRaster?: number | null; wait: number } | null };
  transferMs: number;
  drawMs: number;
  drawnMs: number;
  frameMs: number | null;
  raster: boolean;
}

/**
 * The full-range ACAS Xu ρ × θ slice in the playground: the time from the request (Draw) to the
 * drawn canvas — computeSlice, the class colouring and the scan conversion of each part in the
 * two workers, joining the parts' pixels, the transfer of the picture and putImageData on the page
 * (the slice's data follow the picture) — and to the next animation frame.
 * The first draw after loading (the worker warms its JIT up on load) and `repeats` further draws
 * (Draw pressed again; the same slice recomputed from scratch) are reported.
 */
export async function runSliceBrowserBench(opts: { repeats?: number } = {}) {
  const repeats = opts.repeats ?? 15;
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`bench slice-browser: ${CHROMIUM} is absent (apt-get install -y chromium); skipped\n`);
    return { suite: 'slice-browser', skipped: `${CHROMIUM} is absent` };
  }
  const load0 = loadavg().map((x) => round(x, 3));
  // how many cores the machine gives two spinning threads just before and after the draws (the
  // host withholds the second core at times; the load average does not show it)
  const coresBefore = await probeCores();
  const out = mkdtempSync(join(tmpdir(), 'slice-browser-'));
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const b = spawnSync(process.execPath, [vite, 'build', 'web', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], { cwd: repoRoot, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`vite build failed:\n${b.stdout}\n${b.stderr}`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(out, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(out + sep) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const type = ({ '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' } as Record<string, string>)[extname(file)];
    res.writeHead(200, { 'content-type': type ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1320, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const tLoad = performance.now();
    await page.goto(`http://127.0.0.1:${port}/?network=acas`);
    const next = async (n: number): Promise<PageTiming> => {
      await page.waitForFunction((k) => {
        const t = (window as unknown as { __timings?: { all: { frameMs: number | null }[] } }).__timings;
        return t !== undefined && t.all.length >= k && t.all[k - 1].frameMs !== null;
      }, n, { timeout: 120_000 });
      return page.evaluate((k) => (window as unknown as { __timings: { all: PageTiming[] } }).__timings.all[k - 1], n);
    };
    const first = await next(1);
    const pageLoadMs = performance.now() - tLoad;
    // the answer first: the page's region count is the library's for this slice (checked above in Node)
    const expected = CASES[0].regions;
    if (first.regions !== expected) throw new Error(`slice-browser: the page shows ${first.regions} regions, expected ${expected}`);
    // later draws: the page's own event says when a timing is complete (web/src/main.ts
    // 'slicetiming'), so that nothing polls the page while it computes (waitForFunction's default
    // polling runs its predicate on every animation frame, which keeps the page producing frames
    // on the two cores the workers use)
    // (the page function as text: tsx would wrap its inner functions in a helper the page lacks)
    const settled = (n: number): Promise<PageTiming> => page.evaluate(`new Promise((resolve) => {
      const t = window.__timings, k = ${n};
      const done = () => t.all.length >= k && t.all[k - 1].frameMs !== null;
      if (done()) return resolve(t.all[k - 1]);
      const on = () => {
        if (!done()) return;
        removeEventListener('slicetiming', on);
        resolve(t.all[k - 1]);
      };
      addEventListener('slicetiming', on);
    })`);
    const runs: PageTiming[] = [];
    for (let r = 0; r < repeats; r++) {
      const answer = settled(r + 2);
      await page.click('#draw');
      runs.push(await answer);
      if (runs[r].regions !== expected) throw new Error(`slice-browser: draw ${r + 2} shows ${runs[r].regions} regions, expected ${expected}`);
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const load1 = loadavg().map((x) => round(x, 3));
    const coresAfter = await probeCores();
    const stat = (f: (t: PageTiming) => number) => ({ min: round(Math.min(...runs.map(f))), median: round(median(runs.map(f))) });
    return {
      suite: 'slice-browser',
      browser: `Chromium ${browser.version()} (headless, --disable-gpu)`,
      loadAverage: { start: load0, end: load1 },
      machineCores: { before: round(coresBefore, 3), after: round(coresAfter, 3) },
      slice: 'ACAS Xu 1_1, ρ × θ over the whole input range (raw units), ψ = 0, v_own = 750, v_int = 400; class colouring (argmin)',
      regions: first.regions,
      raster: first.raster,
      kernel: first.worker.kernel ?? null,
      repeats,
      pageLoadToFirstPictureMs: round(pageLoadMs),
      first: { drawnMs: round(first.drawnMs), frameMs: round(first.frameMs ?? NaN), sliceMs: round(first.worker.slice) },
      requestToDrawnMs: stat((t) => t.drawnMs),
      requestToNextFrameMs: stat((t) => t.frameMs ?? NaN),
      worker: {
        sliceMs: stat((t) => t.worker.slice),
        coloringMs: stat((t) => t.worker.coloring),
        copyMs: stat((t) => t.worker.pack),
        rasterMs: stat((t) => t.worker.raster ?? NaN),
        totalMs: stat((t) => t.worker.total),
        // the two parts: computeSlice here and in the helper, the helper's colouring and scan
        // conversion, and how long this worker waited for the helper after its own part
        parts: {
          ownMs: stat((t) => t.worker.parts?.own ?? NaN),
          helperMs: stat((t) => t.worker.parts?.helper ?? NaN),
          helperColoringMs: stat((t) => t.worker.parts?.helperColoring ?? NaN),
          helperRasterMs: stat((t) => t.worker.parts?.helperRaster ?? NaN),
          waitMs: stat((t) => t.worker.parts?.wait ?? NaN),
        },
      },
      transferMs: stat((t) => t.transferMs),
      drawMs: stat((t) => t.drawMs),
    };
  } finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
}

// run directly: node --import tsx bench/slice.ts [browser]
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  process.stdout.write(JSON.stringify(process.argv.includes('browser') ? await runSliceBrowserBench() : await runSliceBench(), null, 2) + '\n');
}
