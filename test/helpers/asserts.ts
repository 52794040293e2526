import assert from 'node:assert/strict';
import { PreimageError } from '../../src/errors.js';
import type { Network } from '../../src/network/types.js';

/** Bit-identical comparison of two networks (weights, biases, activations, normalisation). */
export function assertSameNetwork(a: Network, b: Network): void {
  assert.equal(a.inputSize, b.inputSize);
  assert.equal(a.outputSize, b.outputSize);
  assert.equal(a.layers.length, b.layers.length);
  const same = (x: ArrayLike<number>, y: ArrayLike<number>, what: string): void => {
    assert.equal(x.length, y.length, `${what}: length`);
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}[${i}]: ${x[i]} !== ${y[i]}`);
  };
  a.layers.forEach((l, k) => {
    const m = b.layers[k];
    assert.deepEqual([l.inSize, l.outSize, l.activation], [m.inSize, m.outSize, m.activation], `layer ${k + 1}`);
    same(l.weights, m.weights, `layer ${k + 1} weights`);
    same(l.bias, m.bias, `layer ${k + 1} bias`);
  });
  assert.equal(a.normalization === undefined, b.normalization === undefined, 'normalisation presence');
  if (a.normalization && b.normalization) {
    for (const key of ['inputMin', 'inputMax', 'inputMean', 'inputRange'] as const) same(a.normalization[key], b.normalization[key], key);
    same([a.normalization.outputMean, a.normalization.outputRange], [b.normalization.outputMean, b.normalization.outputRange], 'output normalisation');
  }
}

/** The PreimageError that f throws (fails when it throws nothing or something else). */
export function errorOf(f: () => unknown): PreimageError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof PreimageError, `expected a PreimageError, got ${e}`);
    return e;
  }
  assert.fail('expected an error, none was thrown');
}
