import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetwork } from '../../src/network/create.js';
import { activationPattern, evaluate, evaluateBatch, evaluateLayers, localAffineMap } from '../../src/network/evaluate.js';
import { PreimageError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';
import { randomNetwork } from '../helpers/networks.js';

test('createNetwork validates shapes and finiteness with coded errors', () => {
  const bad = (f: () => unknown, code: string, fragment: string) => {
    assert.throws(f, (e: unknown) => e instanceof PreimageError && e.code === code && e.message.includes(fragment), `${code}: ${fragment}`);
  };
  bad(() => createNetwork([]), 'SHAPE_MISMATCH', 'at least one layer');
  bad(() => createNetwork([{ weights: [[1, 2]], bias: [0] }, { weights: [[1, 2]], bias: [0] }]), 'SHAPE_MISMATCH', 'expected layer 2 to take 1 inputs');
  bad(() => createNetwork([{ weights: [[1, NaN]], bias: [0] }]), 'NON_FINITE', 'NaN');
  bad(() => createNetwork([{ weights: [[1, 2]], bias: [Infinity] }]), 'NON_FINITE', 'Infinity');
  bad(() => createNetwork([{ weights: [[1, 2], [3]], bias: [0, 0] }]), 'SHAPE_MISMATCH', 'row 1');
  bad(() => createNetwork([{ weights: [1, 2, 3], bias: [0, 0] }]), 'SHAPE_MISMATCH', 'found 3 numbers');
  bad(() => createNetwork([{ weights: [[1]], bias: [0], activation: 'tanh' as never }]), 'BAD_ACTIVATION', 'tanh');
});

test('consecutive affine layers fold into one and compute the same function', () => {
  const unfolded = createNetwork(
    [
      { weights: [[1, 2], [3, -1]], bias: [0.5, -0.5], activation: 'identity' },
      { weights: [[2, 0], [1, 1], [-1, 1]], bias: [1, 0, 0], activation: 'relu' },
      { weights: [[1, -1, 2]], bias: [0.25], activation: 'identity' },
      { weights: [[3]], bias: [1], activation: 'identity' },
    ],
    { fold: false },
  );
  const folded = createNetwork(unfolded.layers.map((l) => ({ weights: l.weights, bias: l.bias, inSize: l.inSize, activation: l.activation })));
  assert.equal(folded.layers.length, 2);
  assert.deepEqual(folded.layers.map((l) => l.activation), ['relu', 'identity']);
  // hand-computed first folded layer: [[2,4],[4,1],[2,-3]] with bias [2, 0, -1]
  assert.deepEqual(Array.from(folded.layers[0].weights), [2, 4, 4, 1, 2, -3]);
  assert.deepEqual(Array.from(folded.layers[0].bias), [2, 0, -1]);
  const rng = new Rng(7);
  for (let s = 0; s < 50; s++) {
    const x = [rng.uniform(-3, 3), rng.uniform(-3, 3)];
    const a = evaluate(unfolded, x)[0], b = evaluate(folded, x)[0];
    assert.ok(Math.abs(a - b) < 1e-12 * (1 + Math.abs(a)), `${a} vs ${b}`);
  }
});

test('evaluation by hand on a 2-2-1 network, layers and patterns', () => {
  const net = createNetwork([
    { weights: [[1, -1], [1, 1]], bias: [0, -1] },
    { weights: [[2, -3]], bias: [0.5] },
  ]);
  // x = (2, 0.5): z1 = (1.5, 1.5) -> a1 = (1.5, 1.5); y = 3 - 4.5 + 0.5 = -1
  assert.deepEqual(Array.from(evaluate(net, [2, 0.5])), [-1]);
  const { activities, preActivations } = evaluateLayers(net, [0, 0.5]);
  assert.deepEqual(Array.from(preActivations[0]), [-0.5, -0.5]);
  assert.deepEqual(Array.from(activities[1]), [0, 0]);
  assert.deepEqual(activationPattern(net, [2, 0.5]).map((p) => Array.from(p)), [[1, 1], [1]]);
  assert.deepEqual(evaluateBatch(net, [[2, 0.5], [0, 0.5]]).map((y) => y[0]), [-1, 0.5]);
  assert.throws(() => evaluate(net, [1]), (e: unknown) => e instanceof PreimageError && e.code === 'BAD_INPUT');
  assert.throws(() => evaluate(net, [1, NaN]), (e: unknown) => e instanceof PreimageError && e.code === 'BAD_INPUT');
});

test('the local affine map equals the network near x (random networks)', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const net = randomNetwork(rng, [3, 6, 5, 2]);
    const x = Float64Array.from({ length: 3 }, () => rng.uniform(-1, 1));
    const { M, c, rows, cols } = localAffineMap(net, x);
    assert.equal(rows, 2);
    assert.equal(cols, 3);
    const pat = activationPattern(net, x).map((p) => Array.from(p).join('')).join('|');
    for (let s = 0; s < 10; s++) {
      const xp = x.map((v) => v + rng.uniform(-1e-7, 1e-7));
      if (activationPattern(net, xp).map((p) => Array.from(p).join('')).join('|') !== pat) continue;
      const y = evaluate(net, xp);
      for (let i = 0; i < rows; i++) {
        let v = c[i];
        for (let j = 0; j < cols; j++) v += M[i * cols + j] * xp[j];
        assert.ok(Math.abs(v - y[i]) < 1e-10 * (1 + Math.abs(y[i])));
      }
    }
  }
});
