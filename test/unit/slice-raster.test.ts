/**
 * The playground's scan conversion of slices (web/src/raster.ts): every pixel centre of the plot
 * gets exactly the region that contains it (pixel-centre rules, no gaps, no overlaps), on the
 * full-range ACAS Xu slice (40,000 regions, most smaller than a pixel) and on a small network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readNetwork } from '../../src/formats/detect.js';
import type { Network } from '../../src/network/types.js';
import { classColoring } from '../../src/render/coloring.js';
import { computeSlice, coordinatePlane, mergeSliceParts, type Slice } from '../../src/render/slice.js';
import { fillPolygons, joinRasters, outlineRegions, pixelMap, rasterizeRegions, rgba } from '../../web/src/raster.js';
import { paperFigureNetwork } from '../helpers/networks.js';

const load = (f: string): Network => readNetwork(new Uint8Array(readFileSync(new URL(`../../examples/${f}`, import.meta.url))), f);

/** Rasterises the regions at w × h and checks every pixel centre against the polygon it got. */
function check(s: Slice, w: number, h: number): void {
  const { u0, u1, v0, v1 } = s.rect;
  const sx = w / (u1 - u0), sy = h / (v1 - v0);
  const pk = s.packed!;
  const ids = new Int32Array(w * h).fill(-1);
  fillPolygons(ids, w, h, pk.offsets, pk.verts, null, { ox: -u0 * sx, sx, oy: v1 * sy, sy });
  let far = 0;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const r = ids[j * w + i];
      assert.ok(r >= 0, `pixel (${i}, ${j}) has a region`);
      // the pixel centre in plane coordinates lies in region r (up to rounding at its edges)
      const u = u0 + (i + 0.5) / sx, v = v1 - (j + 0.5) / sy;
      const a = pk.offsets[r], b = pk.offsets[r + 1];
      let depth = Infinity;
      for (let k = a; k < b; k += 2) {
        const k2 = k + 2 < b ? k + 2 : a;
        const ex = (pk.verts[k2] - pk.verts[k]) * sx, ey = (pk.verts[k2 + 1] - pk.verts[k + 1]) * sy;
        const len = Math.hypot(ex, ey);
        if (len === 0) continue;
        depth = Math.min(depth, (ex * (v - pk.verts[k + 1]) * sy - ey * (u - pk.verts[k]) * sx) / len);
      }
      assert.ok(depth > -1e-6, `pixel (${i}, ${j}) lies in region ${r} (depth ${depth} px)`);
      if (depth > 1e-6) far++;
    }
  }
  assert.ok(far > 0.5 * w * h, 'most pixel centres lie strictly inside their region');
  // outlines only darken pixels whose region differs from a neighbour's
  const pixels = new Uint32Array(w * h).fill(rgba('#ffffff'));
  outlineRegions(pixels, ids, w, h, rgba('#000000'), 0.5);
  for (let p = 0; p < w * h; p++) {
    const edge = (p % w > 0 && ids[p - 1] !== ids[p]) || (p >= w && ids[p - w] !== ids[p]);
    assert.equal(pixels[p] !== rgba('#ffffff'), edge);
  }
}

test('scan conversion: every pixel of the full-range ACAS Xu slice gets the region containing its centre', () => {
  const net = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const nz = net.normalization!;
  const s = computeSlice(net, coordinatePlane(5, [0, 1], [0, 750, 400]), { u0: nz.inputMin[0], u1: nz.inputMax[0], v0: nz.inputMin[1], v1: nz.inputMax[1] }, { units: 'raw' });
  check(s, 582, 484);
});

test('scan conversion: a 20-region slice at a few sizes', () => {
  const net = paperFigureNetwork();
  const s = computeSlice(net, coordinatePlane(2, [0, 1]), { u0: -2, u1: 2, v0: -2, v1: 2 });
  for (const [w, h] of [[1, 1], [7, 5], [100, 80]]) check(s, w, h);
  assert.equal(rgba('#4e79a7'), 0xffa7794e);
});

test('scan conversion in the workers: the two parts\' pictures joined are the whole slice\'s picture, pixel for pixel', () => {
  const net = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const nz = net.normalization!;
  const plane = coordinatePlane(5, [0, 1], [0, 750, 400]);
  const rect = { u0: nz.inputMin[0], u1: nz.inputMax[0], v0: nz.inputMin[1], v1: nz.inputMax[1] };
  const parts = [0, 1].map((index) => computeSlice(net, plane, rect, { units: 'raw', part: { index, count: 2 } }));
  const colours = Uint32Array.from(['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f'], (c) => rgba(c));
  const [w, h] = [582, 484];
  const raster = (s: Slice) => {
    const cp = classColoring(s, { rule: 'argmin' }).packed!;
    return rasterizeRegions(s.packed!, { offsets: cp.offsets, verts: cp.verts, color: cp.labels, region: cp.regions }, colours, w, h, pixelMap(s.rect, w, h));
  };
  const white = rgba('#ffffff'), ink = rgba('#222222');
  const joined = joinRasters(parts.map(raster), parts.map((s) => s.packed!.count), white, ink, 0.22);
  const whole = mergeSliceParts(parts, net);
  const R = raster(whole);
  // the whole slice's picture as the page drew it: pixels of its regions, then the outlines
  const ids = R.ids.slice(), pixels = R.pixels.slice();
  for (let p = 0; p < ids.length; p++) if (ids[p] < 0) pixels[p] = white;
  outlineRegions(pixels, ids, w, h, ink, 0.22);
  let differ = 0;
  for (let p = 0; p < w * h; p++) if (joined[p] !== pixels[p]) differ++;
  assert.equal(differ, 0, `${differ} pixels differ`);
  assert.ok(new Set(joined).size > 5, 'the picture has the class colours and their outlines');
});
