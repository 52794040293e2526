// Sliver slack (src/preimage/sliver-slack.ts): the gain bound holds for any perturbation of one
// unit's activity, whatever the later patterns, and is attained for all-active, positive weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affine, evaluate } from '../../src/network/evaluate.js';
import { createNetwork } from '../../src/network/create.js';
import { computePreimage } from '../../src/preimage/engine.js';
import type { Layer } from '../../src/network/types.js';
import { addSlack, relaxTarget, sliverGains } from '../../src/preimage/sliver-slack.js';
import type { TargetSet } from '../../src/preimage/target.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { validateResult } from '../helpers/validate.js';

/** Output of layers l+1.. from activity a of layer l (index into layers). */
function forwardFrom(layers: Layer[], l: number, a: Float64Array): Float64Array {
  let x = a;
  for (let k = l + 1; k < layers.length; k++) {
    const z = affine(layers[k], x);
    x = layers[k].activation === 'relu' ? z.map((v) => Math.max(0, v)) : z;
  }
  return x;
}

test('sliver gains bound the effect of an activity error on every output coordinate', () => {
  const rng = new Rng(5);
  const net = randomNetwork(rng, [3, 6, 5, 4, 3]);
  const layers = net.layers;
  const gains = sliverGains(layers);
  const cols = 3;
  let tight = 0;
  for (let trial = 0; trial < 400; trial++) {
    const l = trial % (layers.length - 1);
    const w = layers[l].outSize;
    const a = Float64Array.from({ length: w }, () => Math.max(0, rng.normal()));
    const u = Math.floor(rng.next() * w);
    const s = 0.01 + rng.next();
    const b = a.slice();
    b[u] += (rng.next() < 0.5 ? -1 : 1) * s;
    const ya = forwardFrom(layers, l, a), yb = forwardFrom(layers, l, b);
    const bound = addSlack(undefined, gains, l, u, Math.abs(b[u] - a[u]), cols);
    for (let i = 0; i < cols; i++) {
      const d = Math.abs(ya[i] - yb[i]);
      assert.ok(d <= bound[i] * (1 + 1e-12) + 1e-15, `layer ${l} unit ${u} output ${i}: change ${d} above bound ${bound[i]}`);
      if (d > 0.5 * bound[i]) tight++;
    }
  }
  assert.ok(tight > 50, `the bound is not vacuous (${tight} changes above half of it)`);
});

test('sliver gains: the target layer is the identity, slack adds up along a path, relaxTarget widens by |T| sigma', () => {
  const net = randomNetwork(new Rng(2), [2, 4, 3]);
  const gains = sliverGains(net.layers);
  assert.deepEqual(Array.from(gains[1]), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const W = net.layers[1].weights;
  assert.deepEqual(Array.from(gains[0]), Array.from({ length: 12 }, (_, k) => Math.abs(W[k])));
  const s1 = addSlack(undefined, gains, 1, 2, 0.5, 3);
  const s2 = addSlack(s1, gains, 1, 0, 0.25, 3);
  assert.deepEqual(Array.from(s1), [0, 0, 0.5]);
  assert.deepEqual(Array.from(s2), [0.25, 0, 0.5]);
  const ts: TargetSet = { layer: 2, cols: 3, on: 'activity', parts: [{ rows: 2, T: Float64Array.of(1, -2, 0, 0, 0, -1), t: Float64Array.of(1, 0), eqRows: 0, E: new Float64Array(0), e: new Float64Array(0) }], description: { kind: 'polytope' } };
  const r = relaxTarget(ts, s2);
  assert.ok(Math.abs(r.parts[0].t[0] - 1.25) < 1e-9 && r.parts[0].t[0] >= 1.25);
  assert.ok(Math.abs(r.parts[0].t[1] - 0.5) < 1e-9 && r.parts[0].t[1] >= 0.5);
  assert.deepEqual(Array.from(ts.parts[0].t), [1, 0], 'the original target is untouched');
});

// A unit whose hyperplane cuts the box's corner (1, 1) within the margin: z = x + y − 2 + 1e-9.
function cornerNetwork(gain: number) {
  return createNetwork([
    { weights: [[1, 1]], bias: [-2 + 1e-9], activation: 'relu' },
    { weights: [[gain]], bias: [0], activation: 'identity' },
  ]);
}
const UNIT_BOX = { kind: 'box' as const, lo: [0, 0], hi: [1, 1] };
const HIGH = { kind: 'box' as const, lo: [0.5], hi: [10] };

test('sliver slack: a merged sliver that reaches the target yields pieces instead of hiding it', () => {
  // gain 1e9: the corner's output reaches 1, so the true preimage of [0.5, 10] is a tiny corner
  const net = cornerNetwork(1e9);
  const plain = computePreimage(net, HIGH, { domain: UNIT_BOX });
  assert.equal(plain.pieces.length, 0);
  assert.equal(plain.stats.slivers, 1, 'without slack the sliver is counted as doubtful');
  validateResult(plain, { net });
  // (slack results are candidate sets for verification, not preimages: the validator does not apply)
  const slack = computePreimage(net, HIGH, { domain: UNIT_BOX, sliverSlack: true });
  assert.equal(slack.stats.slivers, 0);
  assert.equal(slack.stats.sliversBounded, 1);
  assert.ok(slack.pieces.length >= 1, 'the relaxed target keeps the node: the corner cannot be missed');
  // the point the sliver hid is covered by a piece
  const corner = [1, 1];
  assert.ok(evaluate(net, corner)[0] >= 0.5);
  assert.ok(slack.pieces.some((p) => p.A.every((row, r) => row[0] * corner[0] + row[1] * corner[1] <= p.b[r] + 1e-9)));
});

test('sliver slack: a sliver too small to reach the target is proven harmless', () => {
  // gain 1: the outputs stay below 1e-9, so no point reaches [0.5, 10]; slack proves it despite the sliver
  const net = cornerNetwork(1);
  const slack = computePreimage(net, HIGH, { domain: UNIT_BOX, sliverSlack: true });
  assert.equal(slack.status, 'complete');
  assert.equal(slack.pieces.length, 0);
  assert.equal(slack.stats.slivers, 0);
  assert.equal(slack.stats.sliversBounded, 1);
});
