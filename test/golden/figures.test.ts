/**
 * Golden pictures: docs/figure1-left.svg, docs/figure1-right.svg and docs/acasxu-slice.svg are
 * regenerated here and compared byte for byte with the committed files. On a mismatch the new
 * picture is written beside the golden as `<name>.changed.svg` (ignored by git) and the test
 * fails; goldens are only ever rewritten by `npm run figures`. The pictures are also checked
 * against what the engine returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readNetwork } from '../../src/formats/detect.js';
import { createNetwork } from '../../src/network/create.js';
import { layerPreimage } from '../../src/preimage/layer.js';
import { computeSlice, coordinatePlane } from '../../src/render/slice.js';
import { targetColoring } from '../../src/render/coloring.js';
import { ACAS_SLICE, FIGURE1_LEFT_LAYER, acasSliceFigure, figure1Left, figure1Right, figure1RightNetwork } from '../../src/render/figures.js';
import { paperFigureNetwork } from '../helpers/networks.js';

const docs = new URL('../../docs/', import.meta.url);

function compareGolden(name: string, svg: string): void {
  const golden = new URL(`${name}.svg`, docs);
  const changed = new URL(`${name}.changed.svg`, docs);
  assert.ok(existsSync(golden), `golden docs/${name}.svg exists (run npm run figures)`);
  const want = readFileSync(golden, 'utf8');
  if (want !== svg) {
    writeFileSync(changed, svg);
    assert.fail(`docs/${name}.svg differs from the regenerated picture; wrote ${fileURLToPath(changed)}. If the change is intended, run npm run figures and commit.`);
  }
  if (existsSync(changed)) unlinkSync(changed);
}

/** Subpaths ('M' commands) of the first path with the given attribute text. */
function subpaths(svg: string, attr: string): number {
  const line = svg.split('\n').find((l) => l.startsWith('<path') && l.includes(attr));
  assert.ok(line, `a path with ${attr}`);
  return (line.match(/M/g) ?? []).length;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

test('Figure 1 left: golden SVG; apexes and rays are the engine pieces of the paper construction', () => {
  const f = figure1Left();
  compareGolden('figure1-left', f.svg);
  const net = createNetwork([{ weights: FIGURE1_LEFT_LAYER.W, bias: FIGURE1_LEFT_LAYER.b, activation: 'relu' }]);
  assert.deepEqual(f.preimages.map((p) => p.dim), [1, 1, 2], 'a ray, a ray and a face');
  for (const p of f.preimages) {
    const lp = layerPreimage(net, 1, p.y);
    p.apex.forEach((v, j) => assert.ok(Math.abs(v - lp.apex![j]) < 1e-9, 'apex = W^-1 (y - b)'));
    assert.equal(p.rays.length, lp.coneGenerators!.length);
    for (const r of p.rays) assert.ok(lp.coneGenerators!.some((g) => dot(r, g) / Math.sqrt(dot(r, r) * dot(g, g)) > 1 - 1e-9), 'each ray is a cone generator -e_i');
  }
  // the centre lies on all three planes; e_i = columns of W^-1
  FIGURE1_LEFT_LAYER.W.forEach((w, i) => {
    assert.ok(Math.abs(dot(w, f.center) + FIGURE1_LEFT_LAYER.b[i]) < 1e-12);
    f.basis.forEach((e, k) => assert.ok(Math.abs(dot(w, e) - (i === k ? 1 : 0)) < 1e-12));
  });
  // drawn: three planes, three apexes, the two red rays, one shaded face
  assert.equal((f.svg.match(/fill-opacity="0.16"/g) ?? []).length, 3);
  assert.equal((f.svg.match(/r="3.5" fill="#000000"/g) ?? []).length, 3);
  assert.equal((f.svg.match(/stroke="#d62728"/g) ?? []).length, 2);
  assert.equal((f.svg.match(/fill="#7f7f7f"/g) ?? []).length, 1);
});

test('Figure 1 right: golden SVG; one shaded polygon per engine piece of the preimage of (0, 0)', () => {
  const f = figure1Right();
  compareGolden('figure1-right', f.svg);
  // the figure's network is the paper network of the tests
  const a = figure1RightNetwork(), b = paperFigureNetwork();
  assert.deepEqual(a.layers.map((l) => [Array.from(l.weights), Array.from(l.bias)]), b.layers.map((l) => [Array.from(l.weights), Array.from(l.bias)]));
  assert.ok(f.zeroPieces.length > 0 && f.zeroPieces.every((p) => p.dim === 2));
  assert.equal(f.shadedPolygons, f.zeroPieces.length);
  assert.equal(subpaths(f.svg, 'fill="#7f7f7f"'), f.zeroPieces.length, 'shaded subpaths in the SVG = engine pieces');
  // the slice's own preimage of (0, 0) agrees: same number of polygons, same area
  const s = computeSlice(a, coordinatePlane(2, [0, 1]), { u0: -2, u1: 2, v0: -2, v1: 2 });
  assert.equal(s.regions.length, f.regions);
  const tc = targetColoring(a, s, { kind: 'point', layer: 3, activity: [0, 0] });
  assert.equal(tc.polygons.filter((p) => p.label === 0).length, f.zeroPieces.length);
  const vol = f.zeroPieces.reduce((x, p) => x + (p.volume as number), 0);
  assert.ok(Math.abs(tc.insideArea - vol) < 1e-9 * vol);
  // each level's curves: one drawn segment per 1-D engine piece, and the slice finds the same number
  const colors = ['#1f77b4', '#2ca02c', '#d62728'];
  for (let layer = 1; layer <= 3; layer++) {
    const here = f.preimages.filter((p) => p.layer === layer);
    const segs = here.flatMap((p) => p.pieces).filter((p) => p.dim === 1).length;
    assert.ok(segs > 0);
    assert.equal(subpaths(f.svg, `stroke="${colors[layer - 1]}" stroke-width="2.5" stroke-linecap`), segs, `level ${layer}`);
    const fromSlice = here.reduce((x, p) => x + targetColoring(a, s, { kind: 'point', layer, activity: p.activity }).segments.length, 0);
    assert.equal(fromSlice, segs, `level ${layer}: slice segments = engine pieces`);
  }
});

test('ACAS Xu slice: golden SVG; the picture has every region and the advisories tile the rectangle', () => {
  const name = 'ACASXU_run2a_1_1_batch_2000.nnet';
  const net = readNetwork(new Uint8Array(readFileSync(new URL(`../../examples/${name}`, import.meta.url))), name);
  const f = acasSliceFigure(net);
  compareGolden('acasxu-slice', f.svg);
  const { u0, u1, v0, v1 } = ACAS_SLICE.rect;
  const total = f.classAreas.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - (u1 - u0) * (v1 - v0)) < 1e-9 * total);
  assert.ok(f.classAreas.filter((a) => a > 0).length >= 4, 'several advisories appear');
  assert.equal(subpaths(f.svg, 'fill="none" stroke="#222222"'), f.regions, 'one outline per linear region');
  const fills = f.svg.split('\n').filter((l) => l.startsWith('<path') && l.includes('stroke-width="0.5" stroke-linejoin'));
  assert.equal(fills.reduce((x, l) => x + (l.match(/M/g) ?? []).length, 0), f.polygons, 'one filled polygon per class polygon');
});
