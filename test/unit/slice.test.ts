/**
 * Exact 2-D slices (src/render/slice.ts) and their colourings (src/render/coloring.ts), checked
 * against the engine (2-input networks: the slice over a rectangle is the engine's partition of
 * that box) and against plain evaluation at seeded points (VerticalCAS, ACAS Xu in raw units).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readNetwork } from '../../src/formats/detect.js';
import { parseVnnlib } from '../../src/formats/vnnlib.js';
import { activationPattern, evaluate } from '../../src/network/evaluate.js';
import { denormalizeOutput, normalizeInput } from '../../src/network/normalization.js';
import type { Network } from '../../src/network/types.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { PreimageError } from '../../src/errors.js';
import { computeSlice, coordinatePlane, mergeSliceParts, regionOutput, slicePoint, type Slice } from '../../src/render/slice.js';
import { classColoring, mergeClassColorings, targetColoring, type LabelledPolygon } from '../../src/render/coloring.js';
import { polygonDepth } from '../../src/render/polygon.js';
import { paperFigureNetwork, randomNetwork, Rng } from '../helpers/networks.js';

const load = (f: string): Network => readNetwork(new Uint8Array(readFileSync(new URL(`../../examples/${f}`, import.meta.url))), f);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/** Every invariant of a slice: tiling by area, counter-clockwise convex polygons, ids in order. */
function checkTiling(s: Slice): void {
  const { u0, u1, v0, v1 } = s.rect;
  const total = s.regions.reduce((a, r) => a + r.area, 0);
  assert.ok(rel(total, (u1 - u0) * (v1 - v0)) < 1e-9, `areas sum to the rectangle: ${total} vs ${(u1 - u0) * (v1 - v0)}`);
  s.regions.forEach((r, i) => {
    assert.equal(r.id, i);
    assert.ok(r.area > 0, 'counter-clockwise, positive area');
    assert.equal(r.inputVertices.length, (r.vertices.length / 2) * s.inputSize);
    assert.equal(r.pattern.length, s.widths.length);
  });
  assert.equal(s.stats.regions, s.regions.length);
  assert.equal(s.status, 'complete');
}

/** The polygons (of a slice or colouring) strictly containing (u, v) at depth > tol. */
function containing<T extends { vertices: number[] }>(polys: T[], u: number, v: number, tol: number): T[] {
  return polys.filter((p) => polygonDepth(p.vertices, u, v) > tol);
}
function touching<T extends { vertices: number[] }>(polys: T[], u: number, v: number, tol: number): number {
  return polys.filter((p) => polygonDepth(p.vertices, u, v) > -tol).length;
}

const box2 = { u0: -2, u1: 2, v0: -2, v1: 2 };

function crossCheckWithEngine(net: Network, label: string): void {
  const s = computeSlice(net, coordinatePlane(2, [0, 1]), box2);
  checkTiling(s);
  const part = computePreimage(net, { kind: 'partition' }, { domain: { kind: 'box', lo: [-2, -2], hi: [2, 2] }, certificates: false });
  assert.equal(part.status, 'complete');
  const patterns = new Set(part.pieces.map((p) => JSON.stringify(p.pattern)));
  assert.equal(s.regions.length, patterns.size, `${label}: linear regions = distinct engine patterns`);
  // the same patterns, not only as many
  const mine = new Set(s.regions.map((r) => JSON.stringify(r.pattern.map((p) => Array.from(p)))));
  assert.deepEqual([...mine].sort(), [...patterns].sort(), `${label}: the same patterns`);
  const cc = classColoring(s);
  for (let k = 0; k < net.outputSize; k++) {
    const eng = computePreimage(net, { kind: 'class', index: k }, { domain: { kind: 'box', lo: [-2, -2], hi: [2, 2] }, certificates: false });
    const engineArea = eng.pieces.reduce((a, p) => a + (p.dim === 2 ? (p.volume as number) : 0), 0);
    // classes tie on regions where the outputs coincide (ReLU outputs all 0): the engine's closed
    // class sets both contain them, the colouring gives them to the lowest index
    const tie = s.regions.filter((r) => {
      const { M, c } = r.map;
      for (let i = 0; i < k; i++) if (M[2 * i] === M[2 * k] && M[2 * i + 1] === M[2 * k + 1] && c[i] === c[k]) return true;
      return false;
    }).reduce((a, r) => a + r.area, 0);
    assert.ok(Math.abs(cc.classAreas[k] + tie - engineArea) <= 1e-9 * Math.max(1, engineArea), `${label} class ${k}: slice ${cc.classAreas[k]} + ties ${tie} vs engine ${engineArea}`);
  }
}

test('2-input networks: the slice equals the engine partition (paper network, random networks)', () => {
  crossCheckWithEngine(paperFigureNetwork(), 'paper');
  const rng = new Rng(20240611);
  for (const sizes of [[2, 8, 8, 3], [2, 6, 6, 6, 2], [2, 12, 4]]) {
    for (let rep = 0; rep < 2; rep++) crossCheckWithEngine(randomNetwork(rng, sizes), `random ${sizes.join('x')} #${rep}`);
  }
});

/** Seeded points: exactly one region contains each (away from edges), with the network's pattern and map. */
function checkAtPoints(net: Network, s: Slice, count: number, seed: number, raw: boolean): number {
  const rng = new Rng(seed);
  const { u0, u1, v0, v1 } = s.rect;
  const tol = 1e-9 * Math.max(u1 - u0, v1 - v0);
  let judged = 0;
  const cc = classColoring(s, { rule: raw ? 'argmin' : 'argmax' });
  for (let t = 0; t < count; t++) {
    const u = rng.uniform(u0, u1), v = rng.uniform(v0, v1);
    const inside = containing(s.regions, u, v, tol);
    if (touching(s.regions, u, v, tol) !== 1) continue; // within tol of an edge: skipped
    judged++;
    assert.equal(inside.length, 1, 'exactly one region');
    const r = inside[0];
    const x = slicePoint(s, u, v);
    const xn = raw ? normalizeInput(net, x) : Float64Array.from(x);
    const pat = activationPattern(net, xn).map((p) => Array.from(p));
    assert.deepEqual(r.pattern.map((p) => Array.from(p)), pat, 'pattern of the region = pattern at the point');
    const y = raw ? denormalizeOutput(net, evaluate(net, xn)) : evaluate(net, xn);
    const ym = regionOutput(r, u, v);
    const scale = Math.max(1, ...Array.from(y, Math.abs));
    y.forEach((yj, j) => assert.ok(Math.abs(yj - ym[j]) <= 1e-9 * scale, `output ${j}: map ${ym[j]} vs network ${yj}`));
    // class colouring agrees with evaluation (away from class boundaries)
    const cls = containing(cc.polygons, u, v, tol);
    if (touching(cc.polygons, u, v, tol) === 1) {
      assert.equal(cls.length, 1);
      let best = 0;
      for (let j = 1; j < y.length; j++) if (raw ? y[j] < y[best] : y[j] > y[best]) best = j;
      assert.equal(cls[0].label, best, 'class of the polygon = class at the point');
    }
  }
  assert.ok(judged >= count * 0.9, `most points judged (${judged} of ${count})`);
  const classTotal = cc.classAreas.reduce((a, b) => a + b, 0);
  assert.ok(rel(classTotal, (u1 - u0) * (v1 - v0)) < 1e-9, 'class polygons tile the rectangle');
  return judged;
}

test('VerticalCAS: regions at seeded points match evaluation; areas tile the rectangle', () => {
  const net = load('VertCAS_21_1.onnx');
  for (const [dims, fix, atLeast] of [[[0, 1], [0.15, 0], 50], [[1, 3], [-0.2, 0.15], 3]] as const) {
    const s = computeSlice(net, coordinatePlane(4, [dims[0], dims[1]], fix), { u0: -0.5, u1: 0.5, v0: -0.5, v1: 0.5 });
    checkTiling(s);
    assert.ok(s.regions.length >= atLeast, `${s.regions.length} regions`);
    checkAtPoints(net, s, 300, 7 + dims[1], false);
  }
  // a general plane (oblique directions)
  const s = computeSlice(net, { origin: [0.1, -0.1, 0.15, 0.05], dir1: [0.6, 0.8, 0, 0], dir2: [0, 0.3, 0.1, -0.9] }, { u0: -0.6, u1: 0.6, v0: -0.5, v1: 0.5 });
  checkTiling(s);
  checkAtPoints(net, s, 300, 11, false);
});

test('ACAS Xu 1_1 in raw units: regions at seeded points match evaluation of the normalised input', () => {
  const net = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const s = computeSlice(net, coordinatePlane(5, [0, 1], [0, 600, 500]), { u0: 6000, u1: 12000, v0: -0.5, v1: 0.5 }, { units: 'raw' });
  checkTiling(s);
  assert.ok(s.regions.length > 100, `${s.regions.length} regions`);
  checkAtPoints(net, s, 150, 5, true);
});

test('target colouring: box and VNN-LIB targets agree with evaluation at seeded points', () => {
  const vcas = load('VertCAS_21_1.onnx');
  const s = computeSlice(vcas, coordinatePlane(4, [0, 1], [0.15, 0]), { u0: -0.5, u1: 0.5, v0: -0.5, v1: 0.5 });
  const y0 = evaluate(vcas, [0, 0, 0.15, 0]);
  const lo = Array.from(y0, (v) => v - 0.3), hi = Array.from(y0, (v) => v + 0.3);
  const tc = targetColoring(vcas, s, { kind: 'box', lo, hi });
  assert.ok(tc.insideArea > 0 && tc.outsideArea > 0);
  assert.ok(rel(tc.insideArea + tc.outsideArea, 1) < 1e-9, 'inside and outside tile the rectangle');
  const rng = new Rng(3);
  let judged = 0;
  for (let t = 0; t < 300; t++) {
    const u = rng.uniform(-0.5, 0.5), v = rng.uniform(-0.5, 0.5);
    if (touching(tc.polygons, u, v, 1e-9) !== 1) continue;
    judged++;
    const p = containing(tc.polygons, u, v, 1e-9)[0] as LabelledPolygon;
    const y = evaluate(vcas, [u, v, 0.15, 0]);
    const inBox = Array.from(y).every((yj, j) => yj >= lo[j] && yj <= hi[j]);
    assert.equal(p.label >= 0, inBox, `membership at (${u}, ${v})`);
  }
  assert.ok(judged > 250);
  // ACAS Xu property 1 (normalised spec) on a raw-unit slice through its input box
  const acas = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const spec = parseVnnlib(readFileSync(new URL('../../examples/prop_1.vnnlib', import.meta.url), 'utf8'), { inputSize: 5, outputSize: 5 });
  const sa = computeSlice(acas, coordinatePlane(5, [0, 3], [0, 0, 1200]), { u0: 50000, u1: 60760, v0: 1000, v1: 1200 }, { units: 'raw' });
  const ta = targetColoring(acas, sa, { kind: 'vnnlib', spec });
  assert.ok(rel(ta.insideArea + ta.outsideArea, 10760 * 200) < 1e-9);
  const rng2 = new Rng(4);
  for (let t = 0; t < 200; t++) {
    const u = rng2.uniform(50000, 60760), v = rng2.uniform(1000, 1200);
    if (touching(ta.polygons, u, v, 1e-6) !== 1) continue;
    const p = containing(ta.polygons, u, v, 1e-6)[0];
    const xn = normalizeInput(acas, [u, 0, 0, v, 1200]);
    const inBox = spec.inputBoxes.some((b) => Array.from(xn).every((x, i) => x >= b.lo[i] && x <= b.hi[i]));
    const y = evaluate(acas, xn);
    const inOut = spec.output.some((o) => Array.from({ length: o.rows }, (_, r) => Array.from(y).reduce((a, yj, j) => a + o.T[r * 5 + j] * yj, 0) <= o.t[r]).every(Boolean));
    assert.equal(p.label >= 0, inBox && inOut);
  }
});

test('point targets: preimages at hidden layers are polygons, segments and points that match the engine', () => {
  const net = paperFigureNetwork();
  const s = computeSlice(net, coordinatePlane(2, [0, 1]), box2);
  const domain = { kind: 'box' as const, lo: [-2, -2], hi: [2, 2] };
  // all units off at layer 3: full-dimensional, one polygon per engine piece, same area
  const t0 = targetColoring(net, s, { kind: 'point', layer: 3, activity: [0, 0] });
  const e0 = computePreimage(net, { kind: 'point', layer: 3, activity: [0, 0] }, { domain });
  assert.equal(t0.polygons.filter((p) => p.label === 0).length, e0.pieces.length);
  assert.ok(rel(t0.insideArea, e0.volume as number) < 1e-9);
  // one unit on: segments; their endpoints are the engine's 1-D pieces' vertices
  for (const [layer, activity] of [[1, [0.5, 0]], [2, [0, 0.4]], [3, [0.3, 0]]] as const) {
    const tc = targetColoring(net, s, { kind: 'point', layer, activity });
    const eng = computePreimage(net, { kind: 'point', layer, activity }, { domain });
    const segs = eng.pieces.filter((p) => p.dim === 1);
    assert.ok(segs.length > 0);
    assert.equal(tc.segments.length, segs.length, `layer ${layer}: one segment per engine piece`);
    const key = (a: number[], b: number[]) => [a, b].map((p) => p.map((x) => x.toFixed(7)).join(',')).sort().join(';');
    const mine = tc.segments.map((g) => key(g.a, g.b)).sort();
    const theirs = segs.map((p) => key(p.vertices![0], p.vertices![1])).sort();
    assert.deepEqual(mine, theirs, `layer ${layer}: the same segments`);
  }
  // both units on: points, one per engine piece of dimension 0
  const x = [0.9, 0.8];
  const y2 = Array.from(evaluate({ ...net, layers: net.layers.slice(0, 2), outputSize: 2 }, x));
  const tp = targetColoring(net, s, { kind: 'point', layer: 2, activity: y2 });
  const ep = computePreimage(net, { kind: 'point', layer: 2, activity: y2 }, { domain });
  assert.equal(tp.points.length, ep.pieces.filter((p) => p.dim === 0).length);
  assert.ok(tp.points.some((p) => Math.hypot(p.p[0] - x[0], p.p[1] - x[1]) < 1e-9), 'the input itself is a point of its preimage');
});

test('bad planes and rectangles are one-line BAD_ARGUMENT errors', () => {
  const net = paperFigureNetwork();
  const bad = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof PreimageError && e.code === 'BAD_ARGUMENT');
  bad(() => computeSlice(net, { origin: [0, 0], dir1: [1, 1], dir2: [2, 2] }, box2));
  bad(() => computeSlice(net, coordinatePlane(2, [0, 1]), { u0: 1, u1: 0, v0: 0, v1: 1 }));
  bad(() => computeSlice(net, { origin: [0], dir1: [1, 0], dir2: [0, 1] }, box2));
  bad(() => coordinatePlane(3, [0, 0]));
  bad(() => coordinatePlane(3, [0, 1], [1, 2]));
  bad(() => computeSlice(net, coordinatePlane(2, [0, 1]), box2, { units: 'raw' }));
});

test('budgets and cancellation stop the slice with a status', () => {
  const net = load('VertCAS_21_1.onnx');
  const s = computeSlice(net, coordinatePlane(4, [0, 1], [0.15, 0]), { u0: -0.5, u1: 0.5, v0: -0.5, v1: 0.5 }, { maxRegions: 5 });
  assert.equal(s.status, 'incomplete_budget');
  assert.equal(s.regions.length, 5);
  const ac = new AbortController();
  ac.abort();
  const acas = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const c = computeSlice(acas, coordinatePlane(5, [0, 1], [0, 600, 500]), { u0: 0, u1: 60000, v0: -3, v1: 3 }, { units: 'raw', signal: ac.signal });
  assert.equal(c.status, 'cancelled');
});

test('packed regions and packed class polygons hold the same numbers as the objects; replaced regions are coloured from the objects', () => {
  const net = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const s = computeSlice(net, coordinatePlane(5, [0, 1], [0, 750, 400]), { u0: 10000, u1: 30000, v0: -1, v1: 1 }, { units: 'raw' });
  const pk = s.packed!;
  assert.equal(pk.count, s.regions.length);
  const L = s.widths.length, m = s.outputSize;
  s.regions.forEach((r, i) => {
    assert.deepEqual(Array.from(pk.verts.subarray(pk.offsets[i], pk.offsets[i + 1])), r.vertices);
    assert.equal(pk.areas[i], r.area);
    assert.deepEqual([pk.centroids[2 * i], pk.centroids[2 * i + 1]], r.centroid);
    for (let j = 0; j < m; j++) assert.deepEqual(Array.from(pk.maps.subarray((i * m + j) * 3, (i * m + j) * 3 + 3)), [r.map.M[2 * j], r.map.M[2 * j + 1], r.map.c[j]]);
    for (let k = 0; k < L; k++) {
      const id = pk.patternIds[i * L + k];
      const p = id < 0 ? new Uint8Array(s.widths[k]).fill(1) : pk.patternPool[k].subarray(id * s.widths[k], (id + 1) * s.widths[k]);
      assert.deepEqual(Array.from(p), Array.from(r.pattern[k]));
    }
  });
  const cc = classColoring(s, { rule: 'argmin' });
  assert.equal(cc.packed!.count, cc.polygons.length);
  cc.polygons.forEach((p, i) => {
    assert.deepEqual(Array.from(cc.packed!.verts.subarray(cc.packed!.offsets[i], cc.packed!.offsets[i + 1])), p.vertices);
    assert.equal(cc.packed!.labels[i], p.label);
  });
  // a caller's own region list: the packed form is dropped and the colouring reads the objects
  const t = computeSlice(net, coordinatePlane(5, [0, 1], [0, 750, 400]), { u0: 10000, u1: 30000, v0: -1, v1: 1 }, { units: 'raw' });
  t.regions = t.regions.slice();
  assert.equal(t.packed, undefined);
  const ct = classColoring(t, { rule: 'argmin' });
  assert.deepEqual(ct.polygons, cc.polygons);
  assert.deepEqual(ct.classAreas, cc.classAreas);
});

test('slice parts (computed separately, as the playground does in two workers) join into the whole slice bit for bit', () => {
  const net = load('ACASXU_run2a_1_1_batch_2000.nnet');
  const plane = coordinatePlane(5, [0, 1], [0, 750, 400]);
  const rect = { u0: 10000, u1: 30000, v0: -1, v1: 1 };
  const whole = computeSlice(net, plane, rect, { units: 'raw' });
  for (const count of [1, 2, 3]) {
    // parts in any order
    const parts = Array.from({ length: count }, (_, index) => computeSlice(net, plane, rect, { units: 'raw', part: { index, count } })).reverse();
    for (const p of parts) assert.equal(p.part!.count, count);
    const joined = mergeSliceParts(parts, net);
    const a = whole.packed!, b = joined.packed!;
    assert.equal(b.count, a.count);
    for (const key of ['offsets', 'verts', 'maps', 'areas', 'centroids', 'thin'] as const) assert.deepEqual(Array.from(b[key]), Array.from(a[key]), key);
    const { milliseconds: _w, ...ws } = whole.stats;
    const { milliseconds: _j, ...js } = joined.stats;
    assert.deepEqual(js, ws);
    joined.regions.forEach((r, i) => assert.deepEqual(r.pattern.map((p) => Array.from(p)), whole.regions[i].pattern.map((p) => Array.from(p))));
    const cw = classColoring(whole, { rule: 'argmin' });
    assert.deepEqual(classColoring(joined, { rule: 'argmin' }).packed!.verts, cw.packed!.verts);
    // the parts' class colourings, joined, are the whole slice's
    const cj = mergeClassColorings(parts.map((p) => ({ coloring: classColoring(p, { rule: 'argmin' }), part: p.part! })));
    for (const key of ['offsets', 'verts', 'labels', 'regions', 'areas'] as const) assert.deepEqual(Array.from(cj.packed![key]), Array.from(cw.packed![key]), key);
    cj.classAreas.forEach((a, k) => assert.ok(rel(a, cw.classAreas[k]) < 1e-12, `class ${k} area`));
  }
  const bad = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof PreimageError && e.code === 'BAD_ARGUMENT');
  bad(() => computeSlice(net, plane, rect, { units: 'raw', part: { index: 2, count: 2 } }));
  bad(() => mergeSliceParts([computeSlice(net, plane, rect, { units: 'raw', part: { index: 0, count: 2 } })], net));
  bad(() => mergeSliceParts([whole], net));
});
