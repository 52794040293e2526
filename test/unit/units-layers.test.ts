/**
 * Raw physical units for .nnet networks, and preimages at an intermediate layer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNetwork } from '../../src/formats/detect.js';
import { evaluateLayers } from '../../src/network/evaluate.js';
import { denormalizeBox } from '../../src/network/normalization.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { rawNetwork } from '../../src/preimage/units.js';
import { pieceSlack } from '../../src/analysis/check.js';
import { repoRoot } from '../helpers/data.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { validateResult } from '../helpers/validate.js';
import { patternKey } from '../helpers/bruteforce.js';

const acas = () => readNetwork(new Uint8Array(readFileSync(join(repoRoot, 'examples', 'ACASXU_run2a_1_1_batch_2000.nnet'))), 'ACASXU_run2a_1_1_batch_2000.nnet');

test('raw units: the same pieces as normalised coordinates, scaled by the normalisation', () => {
  const net = acas();
  // a small normalised box inside prop_1's, and the same box in raw units
  const lo = [0.62, -0.02, -0.02, 0.46, -0.48], hi = [0.63, 0.0, 0.0, 0.47, -0.47];
  const raw = denormalizeBox(net, { lo: Float64Array.from(lo), hi: Float64Array.from(hi) });
  const target = { kind: 'class' as const, index: 0, rule: 'argmin' as const };
  const a = computePreimage(net, target, { domain: { kind: 'box', lo, hi } });
  const b = computePreimage(net, target, { domain: { kind: 'box', lo: raw.lo, hi: raw.hi }, units: 'raw' });
  assert.equal(b.units, 'raw');
  assert.ok(a.pieces.length > 0);
  assert.deepEqual(b.pieces.map((p) => patternKey(p.pattern)), a.pieces.map((p) => patternKey(p.pattern)));
  const jac = Array.from(net.normalization!.inputRange).reduce((s, r) => s * r, 1);
  assert.ok(Math.abs((b.volume as number) - (a.volume as number) * jac) <= 1e-6 * (b.volume as number), `raw volume ${b.volume} = normalised ${a.volume} x ${jac}`);
  // a raw witness, normalised, lies in the corresponding normalised piece
  const nz = net.normalization!;
  b.pieces.forEach((p, i) => {
    const x = p.witness.map((v, j) => (v - nz.inputMean[j]) / nz.inputRange[j]);
    assert.ok(pieceSlack(a.pieces[i], x) > -1e-9);
  });
  validateResult(b, { net, target, samples: 1000 });
  // raw outputs: the piece maps give denormalised outputs
  const rn = rawNetwork(net);
  const y = evaluateLayers(rn, b.pieces[0].witness).activities.at(-1)!;
  const yn = evaluateLayers(net, b.pieces[0].witness.map((v, j) => (v - nz.inputMean[j]) / nz.inputRange[j])).activities.at(-1)!;
  y.forEach((v, i) => assert.ok(Math.abs(v - (yn[i] * nz.outputRange + nz.outputMean)) < 1e-9 * (1 + Math.abs(v))));
});

test('preimage at an intermediate layer: the layer-k coordinates of the input preimage lie in it', () => {
  const rng = new Rng(5);
  const net = randomNetwork(rng, [2, 4, 3, 2]);
  const target = { kind: 'class' as const, index: 1 };
  const input = computePreimage(net, target, { domain: { kind: 'box', lo: [-2, -2], hi: [2, 2] } });
  const mid = computePreimage(net, target, { resultLayer: 1, domain: { kind: 'box', lo: [0, 0, 0, 0], hi: [3, 3, 3, 3] } });
  assert.equal(mid.layer, 1);
  assert.equal(mid.inputDim, 4);
  assert.ok(mid.pieces.every((p) => p.pattern.length === 2), 'patterns of layers 2 and 3 only');
  validateResult(mid, { net, target, samples: 1500 });
  for (const p of input.pieces) {
    const a1 = evaluateLayers(net, p.witness).activities[1];
    if (a1.some((v) => v > 3)) continue;
    assert.ok(mid.pieces.some((q) => pieceSlack(q, a1) > -1e-9), 'the layer-1 activity of an input piece lies in the layer-1 preimage');
  }
  // default domain at a hidden layer: the non-negative orthant (unbounded pieces with rays)
  const orth = computePreimage(net, target, { resultLayer: 1, volumes: true });
  assert.equal((orth.domain as { kind: string }).kind, 'nonnegative');
  assert.ok(orth.pieces.some((p) => !p.bounded && (p.rays?.length ?? 0) > 0));
  validateResult(orth, { net, target });
});
