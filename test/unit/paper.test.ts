/**
 * The founding paper's examples (Carlsson et al. 2017, Figure 1): three units in R^3 with the
 * hyperplanes Pi_1..Pi_3 and basis vectors e_i, and a 2-input network with three levels of two
 * units whose preimage of (0, 0) is the region that collapses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetwork } from '../../src/network/create.js';
import { evaluate } from '../../src/network/evaluate.js';
import { layerPreimage } from '../../src/preimage/layer.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { PreimageError } from '../../src/errors.js';
import { paperFigureNetwork, Rng } from '../helpers/networks.js';
import { validateResult } from '../helpers/validate.js';

// three units in R^3 (Figure 1, left): rows w_i, biases b_i
const W3 = [[1, 0.2, -0.3], [0.1, 1, 0.4], [-0.2, 0.3, 1]];
const b3 = [0.1, -0.2, 0.05];
const net3 = createNetwork([{ weights: W3, bias: b3, activation: 'relu' }]);

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

test('basis vectors e_i: columns of W^-1, w_j·e_i = δ_ij', () => {
  const r = layerPreimage(net3, 1, [0.5, 0.7, 0.9]);
  assert.equal(r.case, 'square_invertible');
  assert.ok(r.basis);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(dot(W3[j], r.basis![i]) - (i === j ? 1 : 0)) < 1e-12);
  // all units active: the preimage is one point, the apex, and it maps back to y
  assert.equal(r.dim, 0);
  const y = evaluate(net3, r.apex!);
  assert.deepEqual(Array.from(y, (v) => +v.toFixed(12)), [0.5, 0.7, 0.9]);
});

for (const [label, y, inactive] of [
  ['w3 inactive: the preimage of a point on Pi_3 is a ray along -e_3', [0.4, 0.6, 0], [2]],
  ['w2 inactive: the preimage of a point on Pi_2 is a ray along -e_2', [0.4, 0, 0.6], [1]],
  ['w2, w3 inactive: the preimage of a point on Pi_2 ∩ Pi_3 is a shaded 2-D face', [0.4, 0, 0], [1, 2]],
] as const) {
  test(`paper Figure 1 left: ${label}`, () => {
    const r = layerPreimage(net3, 1, y);
    assert.deepEqual(r.inactive, inactive);
    assert.equal(r.dim, inactive.length, 'dimension = number of inactive units');
    assert.equal(r.coneGenerators!.length, inactive.length);
    // every apex + Σ α_i (-e_i), α >= 0, maps to y; a step against a generator does not
    const rng = new Rng(3);
    for (let s = 0; s < 50; s++) {
      const x = Float64Array.from(r.apex!);
      for (const g of r.coneGenerators!) {
        const a = rng.uniform(0, 3);
        g.forEach((v, j) => { x[j] += a * v; });
      }
      const out = evaluate(net3, x);
      out.forEach((v, j) => assert.ok(Math.abs(v - y[j]) < 1e-12, `unit ${j}: ${v} vs ${y[j]}`));
    }
    const back = Float64Array.from(r.apex!);
    r.coneGenerators![0].forEach((v, j) => { back[j] -= 0.5 * v; });
    assert.notDeepEqual(Array.from(evaluate(net3, back), (v) => +v.toFixed(9)), Array.from(y));
    // the engine gives the same set: one piece, apex as its only vertex, the generators as rays
    const res = computePreimage(net3, { kind: 'point', layer: 1, activity: y }, { domain: { kind: 'all' } });
    assert.equal(res.status, 'complete');
    assert.equal(res.pieces.length, 1);
    const p = res.pieces[0];
    assert.equal(p.dim, inactive.length);
    assert.equal(p.bounded, false);
    assert.equal(p.vertices!.length, 1);
    p.vertices![0].forEach((v, j) => assert.ok(Math.abs(v - r.apex![j]) < 1e-9));
    assert.equal(p.rays!.length, inactive.length);
    for (const ray of p.rays!) {
      // each ray is parallel to one generator
      const match = r.coneGenerators!.some((g) => {
        const c = dot(ray, g) / Math.sqrt(dot(ray, ray) * dot(g, g));
        return c > 1 - 1e-9;
      });
      assert.ok(match, `ray ${ray} is a cone generator`);
    }
  });
}

test('negative activities are refused: not a ReLU output', () => {
  assert.throws(() => layerPreimage(net3, 1, [0.1, -0.2, 0.3]), (e: unknown) => e instanceof PreimageError && e.code === 'NOT_RELU_OUTPUT');
  // the pre-activation option inverts z itself
  const r = layerPreimage(net3, 1, [0.1, -0.2, 0.3], { mode: 'preactivation' });
  assert.equal(r.dim, 0);
});

test('non-square and rank-deficient layers name their case', () => {
  // more outputs than inputs: y outside the image gives an empty preimage with a residual
  const tall = createNetwork([{ weights: [[1, 0], [0, 1], [1, 1]], bias: [0, 0, 0], activation: 'relu' }]);
  const inImage = layerPreimage(tall, 1, [0.2, 0.3, 0.5]);
  assert.equal(inImage.case, 'more_outputs');
  assert.equal(inImage.empty, false);
  assert.equal(inImage.dim, 0);
  const outside = layerPreimage(tall, 1, [0.2, 0.3, 0.9]);
  assert.equal(outside.empty, true);
  assert.ok(outside.residual > 0.1);
  // fewer outputs than inputs: lines
  const wide = createNetwork([{ weights: [[1, 1, 0]], bias: [0], activation: 'relu' }]);
  const w = layerPreimage(wide, 1, [0.5]);
  assert.equal(w.case, 'fewer_outputs');
  assert.equal(w.dim, 2);
  assert.equal(w.lines.length, 2);
  // rank-deficient square W
  const def = createNetwork([{ weights: [[1, 2], [2, 4]], bias: [0, 0], activation: 'relu' }]);
  const d = layerPreimage(def, 1, [1, 2]);
  assert.equal(d.case, 'rank_deficient');
  assert.equal(d.dim, 1);
  assert.equal(d.lines.length, 1);
  assert.equal(layerPreimage(def, 1, [1, 3]).empty, true);
});

test('paper Figure 1 right: the preimage of (0,0) at the third level is the region that collapses', () => {
  const net = paperFigureNetwork();
  const target = { kind: 'point' as const, layer: 3, activity: [0, 0] };
  const lo = [-2, -2], hi = [2, 2];
  const res = computePreimage(net, target, { domain: { kind: 'box', lo, hi } });
  assert.equal(res.status, 'complete');
  assert.ok(res.pieces.length >= 1);
  for (const p of res.pieces) assert.equal(p.dim, 2, 'the collapsing region is full-dimensional');
  validateResult(res, { net, target });
  // its area agrees with a seeded Monte Carlo estimate
  const rng = new Rng(99);
  const N = 40000;
  let hits = 0;
  for (let s = 0; s < N; s++) {
    const y = evaluate(net, [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
    if (y[0] === 0 && y[1] === 0) hits++;
  }
  const p = hits / N;
  const sd = Math.sqrt((p * (1 - p)) / N);
  const frac = (res.volume as number) / 16;
  assert.ok(Math.abs(frac - p) < 4 * sd + 1e-9, `area fraction ${frac} vs Monte Carlo ${p} ± ${sd}`);
  // a point activity with both units positive has a preimage of dimension 0 per branch
  const r2 = computePreimage(net, { kind: 'point', layer: 3, activity: evaluate(net, [0.9, 0.8]) }, { domain: { kind: 'box', lo, hi } });
  assert.ok(r2.pieces.length >= 1);
  assert.ok(r2.pieces.every((pc) => pc.dim <= 1));
});
