/**
 * The search on worker threads gives the same result as the sequential search: same pieces in
 * the same order, same counters apart from times, whatever the number of threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNetwork } from '../../src/formats/detect.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { computePreimageParallel } from '../../src/preimage/parallel.js';
import type { PreimageResult } from '../../src/preimage/result.js';
import { repoRoot } from '../helpers/data.js';
import { validateResult } from '../helpers/validate.js';

/** The result without its times. */
function comparable(r: PreimageResult) {
  const { milliseconds: _m, geometryMilliseconds: _g, ...stats } = r.stats;
  return JSON.stringify({ ...r, stats });
}

test('threads: 1, 2 and 3 workers give the identical result (VerticalCAS class 0, ACAS Xu advisory partition of a small box)', async () => {
  const vcas = readNetwork(new Uint8Array(readFileSync(join(repoRoot, 'examples', 'VertCAS_21_1.onnx'))), 'VertCAS_21_1.onnx');
  const domain = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };
  const seq = computePreimage(vcas, { kind: 'class', index: 0 }, { domain });
  for (const threads of [2, 3]) {
    const par = await computePreimageParallel(vcas, { kind: 'class', index: 0 }, { domain, threads, tasksPerThread: 8 });
    assert.equal(comparable(par), comparable(seq), `${threads} threads`);
  }
  const acas = readNetwork(new Uint8Array(readFileSync(join(repoRoot, 'examples', 'ACASXU_run2a_1_1_batch_2000.nnet'))), 'ACASXU_run2a_1_1_batch_2000.nnet');
  const box = { kind: 'box' as const, lo: [0.6, -0.05, -0.05, 0.45, -0.5], hi: [0.61, 0.0, 0.0, 0.5, -0.45] };
  const target = { kind: 'partition' as const, rule: 'argmin' as const };
  const a = computePreimage(acas, target, { domain: box, certificates: false, volumes: false });
  const b = await computePreimageParallel(acas, target, { domain: box, certificates: false, volumes: false, threads: 2 });
  assert.ok(a.pieces.length > 50, `a real partition (${a.pieces.length} pieces)`);
  assert.equal(comparable(b), comparable(a));
  validateResult(b, { net: acas, target, samples: 1000, exact: false });
});
