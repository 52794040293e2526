/**
 * The VerticalCAS benchmark on the bundled network 1: the exact volume fraction of advisory 0
 * over the literature's box agrees with a seeded Monte Carlo estimate within its confidence bound,
 * and the result passes the shared validator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNetwork } from '../../src/formats/detect.js';
import { evaluate } from '../../src/network/evaluate.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { Rng } from '../../src/util/rng.js';
import { repoRoot } from '../helpers/data.js';
import { validateResult } from '../helpers/validate.js';

const DOMAIN = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };

test('VerticalCAS 21_1, class 0: exact volume fraction agrees with Monte Carlo', () => {
  const net = readNetwork(new Uint8Array(readFileSync(join(repoRoot, 'examples', 'VertCAS_21_1.onnx'))), 'VertCAS_21_1.onnx');
  const target = { kind: 'class' as const, index: 0 };
  const res = computePreimage(net, target, { domain: DOMAIN });
  assert.equal(res.status, 'complete');
  assert.equal(res.domainVolume, 0.0020000000000000018);
  assert.ok(res.stats.boundDecided > 0, 'interval bounds decided some units without LPs');
  assert.ok(res.pieces.every((p) => p.dim === 4 && p.class === 'full' && p.volume !== null && p.volume > 0));
  const frac = (res.volume as number) / (res.domainVolume as number);
  const rng = new Rng(2024);
  const N = 50000;
  let hits = 0;
  for (let s = 0; s < N; s++) {
    const y = evaluate(net, DOMAIN.lo.map((lo, i) => rng.uniform(lo, DOMAIN.hi[i])));
    if (y.every((v) => v <= y[0])) hits++;
  }
  const p = hits / N, sd = Math.sqrt((p * (1 - p)) / N);
  assert.ok(Math.abs(frac - p) < 4 * sd, `exact ${frac} vs Monte Carlo ${p} ± ${sd}`);
  validateResult(res, { net, target, samples: 3000 });
});
