// The geometry option: without it the search's pieces are the same (patterns, witnesses, parts) and
// no geometry LP is spent; rows stay as found, so they are a superset of the reduced ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePreimage } from '../../src/preimage/engine.js';
import { evaluate } from '../../src/network/evaluate.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { validateResult } from '../helpers/validate.js';

test('geometry: false keeps the pieces and witnesses of the LP search and spends no geometry LP', () => {
  const net = randomNetwork(new Rng(11), [7, 8, 6, 3]);
  const domain = { kind: 'box' as const, lo: new Array(7).fill(-1), hi: new Array(7).fill(1) };
  const target = { kind: 'class' as const, index: 0 };
  const full = computePreimage(net, target, { domain, strategy: 'lp', volumes: false });
  const lean = computePreimage(net, target, { domain, strategy: 'lp', geometry: false });
  validateResult(full, { net });
  validateResult(lean, { net });
  assert.ok(full.pieces.length > 5, `expected several pieces, found ${full.pieces.length}`);
  assert.equal(lean.pieces.length, full.pieces.length);
  assert.ok(full.stats.geometryLps > 0);
  assert.equal(lean.stats.geometryLps, 0);
  lean.pieces.forEach((p, i) => {
    const q = full.pieces[i];
    assert.deepEqual(p.pattern, q.pattern);
    assert.ok(p.A.length >= q.A.length, 'unreduced rows include the reduced ones');
    assert.equal(p.certificate?.witnessInPiece, true);
    assert.equal(p.certificate?.patternReproduced, true);
    // the witness lies in its own rows and the network puts it in class 0
    const y = evaluate(net, p.witness);
    assert.equal(y.indexOf(Math.max(...y)), 0);
    p.A.forEach((row, r) => assert.ok(row.reduce((s, a, j) => s + a * p.witness[j], 0) <= p.b[r] + 1e-9));
  });
});
