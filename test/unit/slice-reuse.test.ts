/**
 * Reused buffers (SliceOptions.reuse, classColoring's reuse, rasterizeRegions' reuse): a slice, a
 * class colouring and a raster written into the buffers of earlier ones are the same numbers, bit
 * for bit, as fresh ones — whether the old buffers are larger (a bigger slice), smaller (they are
 * then not used or grown) or detached — and they do use the old buffers when those are large enough.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readNetwork } from '../../src/formats/detect.js';
import type { Network } from '../../src/network/types.js';
import { classColoring, type PackedPolygons } from '../../src/render/coloring.js';
import { computeSlice, coordinatePlane, type PackedRegions, type SliceOptions, type SliceRect } from '../../src/render/slice.js';
import { pixelMap, rasterizeRegions } from '../../web/src/raster.js';
import { randomNetwork, Rng } from '../helpers/networks.js';

const load = (f: string): Network => readNetwork(new Uint8Array(readFileSync(new URL(`../../examples/${f}`, import.meta.url))), f);

/** The packed regions as plain arrays (equal iff the same numbers bit for bit: NaN-free, −0 kept by Object.is in deepEqual). */
function plain(pk: PackedRegions) {
  return {
    count: pk.count,
    widths: pk.widths,
    offsets: Array.from(pk.offsets),
    verts: Array.from(pk.verts),
    maps: Array.from(pk.maps),
    areas: Array.from(pk.areas),
    centroids: Array.from(pk.centroids),
    thin: Array.from(pk.thin),
    patternIds: Array.from(pk.patternIds),
    patternPool: pk.patternPool.map((p) => Array.from(p)),
  };
}

function plainPolys(p: PackedPolygons) {
  return { count: p.count, offsets: Array.from(p.offsets), verts: Array.from(p.verts), labels: Array.from(p.labels), regions: Array.from(p.regions), areas: Array.from(p.areas) };
}

test('slices, class colourings and rasters written into reused buffers equal fresh ones bit for bit', () => {
  const acas = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const nz = acas.normalization!;
  const full: SliceRect = { u0: nz.inputMin[0], u1: nz.inputMax[0], v0: nz.inputMin[1], v1: nz.inputMax[1] };
  const small: SliceRect = { u0: 20000, u1: 30000, v0: -1, v1: 0.5 };
  const plane = coordinatePlane(5, [0, 1], [0, 750, 400]);
  const cases: { rect: SliceRect; opts: SliceOptions }[] = [
    { rect: small, opts: { units: 'raw' } },
    { rect: full, opts: { units: 'raw', part: { index: 1, count: 2 } } },
    { rect: small, opts: { units: 'raw', part: { index: 0, count: 2 } } },
    { rect: full, opts: { units: 'raw' } },
    { rect: full, opts: { units: 'raw' } },
  ];
  let last: PackedRegions | undefined;
  let lastColoring: PackedPolygons | undefined;
  let lastRaster: { ids: Int32Array; pixels: Uint32Array } | undefined;
  const W = 160, H = 120;
  for (const c of cases) {
    const fresh = computeSlice(acas, plane, c.rect, c.opts);
    const oldVerts = last?.verts.buffer;
    const reused = computeSlice(acas, plane, c.rect, { ...c.opts, reuse: last });
    assert.deepEqual(plain(reused.packed!), plain(fresh.packed!));
    assert.deepEqual(reused.stats.regions, fresh.stats.regions);
    assert.deepEqual({ ...reused.stats, milliseconds: 0 }, { ...fresh.stats, milliseconds: 0 });
    if (oldVerts && oldVerts.byteLength >= fresh.packed!.verts.byteLength * 1.5) assert.equal(reused.packed!.verts.buffer, oldVerts, 'a large enough old buffer is used');
    const cf = classColoring(fresh, { rule: 'argmin' });
    const cr = classColoring(reused, { rule: 'argmin', reuse: lastColoring });
    assert.deepEqual(plainPolys(cr.packed!), plainPolys(cf.packed!));
    assert.deepEqual(cr.classAreas, cf.classAreas);
    const colours = Uint32Array.from([0xff0000ff, 0xff00ff00, 0xffff0000, 0xff00ffff, 0xffffff00]);
    const fills = (p: PackedPolygons) => ({ offsets: p.offsets, verts: p.verts, color: p.labels, region: p.regions });
    const rf = rasterizeRegions(fresh.packed!, fills(cf.packed!), colours, W, H, pixelMap(c.rect, W, H));
    const rr = rasterizeRegions(reused.packed!, fills(cr.packed!), colours, W, H, pixelMap(c.rect, W, H), lastRaster);
    assert.deepEqual(Array.from(rr.ids), Array.from(rf.ids));
    assert.deepEqual(Array.from(rr.pixels), Array.from(rf.pixels));
    last = reused.packed;
    lastColoring = cr.packed;
    lastRaster = { ids: rr.ids, pixels: rr.pixels };
  }
  // detached buffers (transferred away) are ignored
  const s = computeSlice(acas, plane, small, { units: 'raw' });
  const gone = computeSlice(acas, plane, small, { units: 'raw' }).packed!;
  structuredClone(gone.verts.buffer, { transfer: [gone.verts.buffer] });
  assert.equal(gone.verts.buffer.byteLength, 0);
  assert.deepEqual(plain(computeSlice(acas, plane, small, { units: 'raw', reuse: gone }).packed!), plain(s.packed!));
});

test('random networks: slices with reused buffers equal fresh ones', () => {
  const rng = new Rng(606);
  let last: PackedRegions | undefined;
  for (let t = 0; t < 12; t++) {
    const n = 2 + Math.floor(rng.next() * 3);
    const net = randomNetwork(rng, [n, 4 + Math.floor(rng.next() * 12), 4 + Math.floor(rng.next() * 12), 2 + Math.floor(rng.next() * 3)]);
    const plane = coordinatePlane(n, [0, 1], new Array(n).fill(0.25));
    const rect = { u0: -1 - rng.next(), u1: 1 + rng.next(), v0: -1 - rng.next(), v1: 1 + rng.next() };
    const fresh = computeSlice(net, plane, rect);
    const reused = computeSlice(net, plane, rect, { reuse: last });
    assert.deepEqual(plain(reused.packed!), plain(fresh.packed!));
    last = t % 3 === 2 ? undefined : reused.packed;
  }
});
