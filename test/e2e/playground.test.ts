/**
 * End-to-end test of the web playground in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): builds the app with Vite into a temporary folder, serves it on 127.0.0.1 on a
 * free port, loads the page, picks networks, clicks points and checks that the preimage appears
 * (region and piece counts on the page, the clicked point inside the drawn preimage), that an
 * unreadable file is reported with the CLI's error code, and that a screenshot is not blank.
 *
 * Skipped when /usr/bin/chromium is absent (.ci/run installs it). Set PLAYGROUND_SCREENSHOT to a
 * path to keep the screenshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A static file server for `dir` on 127.0.0.1, on a free port. */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

/** Distinct colours of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's screenshots are). */
export function pngColours(png: Buffer): { width: number; height: number; colours: number } {
  assert.equal(png.readUInt32BE(0), 0x89504e47, 'PNG signature');
  let off = 8, width = 0, height = 0, type = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off), kind = png.toString('latin1', off + 4, off + 8), data = png.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth 8');
      type = data[9];
      assert.ok(type === 2 || type === 6, `colour type RGB or RGBA, found ${type}`);
      assert.equal(data[12], 0, 'not interlaced');
    } else if (kind === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const bpp = type === 6 ? 4 : 3, stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  const cur = Buffer.alloc(stride), prev = Buffer.alloc(stride);
  const seen = new Set<number>();
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let p: number;
      if (f === 0) p = 0;
      else if (f === 1) p = a;
      else if (f === 2) p = b;
      else if (f === 3) p = (a + b) >> 1;
      else {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = (line[i] + p) & 255;
    }
    for (let x = 0; x < width; x++) seen.add((cur[x * bpp] << 16) | (cur[x * bpp + 1] << 8) | cur[x * bpp + 2]);
    cur.copy(prev);
  }
  return { width, height, colours: seen.size };
}

/** Waits until `#id[data-count]` is set and returns the count. */
async function countOf(page: Page, id: string, timeout = 20_000): Promise<number> {
  const el = await page.waitForSelector(`#${id}[data-count]`, { timeout });
  return Number(await el.getAttribute('data-count'));
}

/** Clicks the plot at fractions (fx, fy) of the plotting area and waits for the preimage. */
async function clickPlot(page: Page, fx: number, fy: number): Promise<{ pieces: number; contains: string | null; text: string }> {
  // the plotting area inside the 660 × 540 canvas (margins of web/src/main.ts)
  const x = 66 + fx * (660 - 66 - 12), y = 12 + fy * (540 - 12 - 44);
  await page.click("#overlay", { position: { x, y } });
  const pieces = await countOf(page, 'preimage-count').catch(async (e: Error) => {
    throw new Error(`${e.message}\n(page error box: ${JSON.stringify(await page.textContent('#error'))}; preimage: ${JSON.stringify(await page.textContent('#preimage-count'))})`);
  });
  return { pieces, contains: await page.getAttribute('#click-info', 'data-contains'), text: (await page.textContent('#preimage-count')) ?? '' };
}

/** Selects a bundled network and waits for its slice; returns the region count and slice time. */
async function pick(page: Page, key: string, title: RegExp, select = true): Promise<{ regions: number; sliceMs: number; totalMs: number }> {
  if (select) await page.selectOption('#network', key);
  await page.waitForFunction((re) => new RegExp(re).test(document.getElementById('title')?.textContent ?? '') && document.getElementById('region-count')?.dataset.count !== undefined, title.source, { timeout: 30_000 });
  return {
    regions: await countOf(page, 'region-count'),
    sliceMs: Number(await page.getAttribute('#timing', 'data-slice-ms')),
    totalMs: Number(await page.getAttribute('#timing', 'data-total-ms')),
  };
}

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (install Debian's chromium: apt-get install -y chromium; .ci/run does)`;

test('playground: pick networks, click points, see preimages (headless Chromium)', { skip, timeout: 90_000 }, async (t) => {
  const t0 = performance.now();
  const out = mkdtempSync(join(tmpdir(), 'playground-'));
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const b = spawnSync(process.execPath, [vite, 'build', 'web', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8' });
  assert.equal(b.status, 0, `vite build failed:\n${b.stdout}\n${b.stderr}`);
  const tBuild = performance.now() - t0;
  const { server, url } = await serve(out);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(async () => {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1320, height: 860 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(url);

  // the toy network is the default: a slice, then a click whose preimage the engine computes
  const moons = await pick(page, 'moons', /moons/);
  assert.ok(moons.regions > 100, `expected the toy network's slice to have many regions, found ${moons.regions}`);
  await page.selectOption('#layer', '3');
  const c1 = await clickPlot(page, 0.3, 0.4);
  assert.ok(c1.pieces >= 1, `expected at least one preimage piece, found ${c1.pieces} (${c1.text})`);
  assert.equal(c1.contains, 'true', 'the clicked point lies in its own preimage');
  assert.match(await page.textContent('#click-info') ?? '', /computePreimage/);

  // VerticalCAS (4 inputs): the preimage ∩ plane from the slice module
  const vcas = await pick(page, 'vcas', /VertCAS/);
  assert.ok(vcas.regions > 10, `expected VerticalCAS regions, found ${vcas.regions}`);
  const c2 = await clickPlot(page, 0.62, 0.35);
  assert.ok(c2.pieces >= 1, `expected at least one piece, found ${c2.pieces}`);
  assert.equal(c2.contains, 'true');

  // ACAS Xu, raw units, ρ × θ over the whole range (timing reported, not asserted). While the
  // worker computes, the page keeps running: its busy timer ticks.
  await page.selectOption('#network', 'acas');
  await page.waitForFunction(() => /computing… \d+\.\d s/.test(document.getElementById('busy')?.textContent ?? ''), undefined, { timeout: 10_000 });
  const acas = await pick(page, 'acas', /ACASXU/, false);
  assert.ok(acas.regions > 10_000, `expected the full-range ACAS Xu slice to have many regions, found ${acas.regions}`);
  // the page exposes its measurement of the request (bench/slice.ts runSliceBrowserBench reads it;
  // times are measured there, not asserted here)
  const timing = await page.evaluate(() => (window as unknown as { __timings?: { last: { regions: number; drawnMs: number; raster: boolean; worker: { slice: number } } | null } }).__timings?.last ?? null);
  assert.ok(timing !== null, 'window.__timings.last is set after a slice is drawn');
  assert.equal(timing.regions, acas.regions);
  assert.ok(Number.isFinite(timing.drawnMs) && Number.isFinite(timing.worker.slice), 'finite request-to-drawn and slice times');
  assert.equal(timing.raster, true, 'a slice this large is scan-converted');
  const c3 = await clickPlot(page, 0.25, 0.6);
  assert.ok(c3.pieces >= 1, `expected at least one piece, found ${c3.pieces}`);
  assert.equal(c3.contains, 'true');

  // hovering shows a region's pattern and affine map
  await page.hover('#overlay', { position: { x: 300, y: 250 } });
  await page.waitForFunction(() => /affine map/.test(document.getElementById('hover-info')?.textContent ?? ''));

  // an unreadable file: the CLI's error code, and the previous network stays
  await page.setInputFiles('#file', { name: 'random-bytes.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(join(root, 'test/fixtures/bad/onnx/random-bytes.onnx')) });
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error') ?? '', /^error ONNX_DECODE: /);

  // Cancel stops a running computation (the worker is restarted and re-loads the network)
  // Cancel is pressed the moment the request goes out (a mutation observer runs before the worker's
  // reply can arrive): the slice is fast enough now that a separate click could come too late
  await page.evaluate(() => new Promise<void>((resolve) => {
    const cancel = document.getElementById('cancel') as HTMLButtonElement;
    const obs = new MutationObserver(() => {
      if (cancel.disabled) return;
      obs.disconnect();
      cancel.click();
      resolve();
    });
    obs.observe(cancel, { attributes: true, attributeFilter: ['disabled'] });
    (document.getElementById('draw') as HTMLButtonElement).click();
  }));
  await page.waitForFunction(() => /^error CANCELLED: /.test(document.getElementById('error')?.textContent ?? ''));
  assert.equal(await page.getAttribute('#region-count', 'data-count'), null);

  // back to the toy network: the preimage of a class, an SVG export, then colour by pattern with
  // a clicked point for the screenshot
  await pick(page, 'moons', /moons/);
  await page.selectOption('#color-mode', 'classPreimage');
  await page.waitForFunction(() => /preimage of 0 upper moon/.test(document.getElementById('title')?.textContent ?? ''));
  await clickPlot(page, 0.5, 0.3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  const svg = readFileSync((await download.path())!, 'utf8');
  assert.match(svg, /^<svg /);
  assert.match(svg, /preimage of 0 upper moon/);
  assert.match(svg, /clicked point/);
  await page.selectOption('#color-mode', 'pattern');
  await page.waitForFunction(() => /activation pattern/.test(document.getElementById('title')?.textContent ?? ''));
  await page.selectOption('#layer', '3');
  const c4 = await clickPlot(page, 0.55, 0.5);
  assert.ok(c4.pieces >= 1);
  const png = await page.screenshot({ fullPage: true });
  if (process.env.PLAYGROUND_SCREENSHOT) writeFileSync(process.env.PLAYGROUND_SCREENSHOT, png);
  const shot = pngColours(png);
  assert.ok(shot.colours >= 200, `expected a colourful screenshot, found ${shot.colours} distinct colours`);
  assert.deepEqual(problems, []);
  t.diagnostic(`build ${tBuild.toFixed(0)} ms; moons ${moons.regions} regions (slice ${moons.sliceMs.toFixed(1)} ms); VerticalCAS ${vcas.regions} (${vcas.sliceMs.toFixed(1)} ms); ACAS Xu full ρ × θ ${acas.regions} regions, slice ${acas.sliceMs.toFixed(0)} ms in the worker, ${acas.totalMs.toFixed(0)} ms to the drawn picture; screenshot ${shot.width}×${shot.height}, ${shot.colours} colours; total ${(performance.now() - t0).toFixed(0)} ms`);
});
