/**
 * Metamorphic properties of the preimage engine (fast-check, seeded): transformations of the
 * network, the domain or the target whose effect on the exact preimage is known.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createNetwork } from '../../src/network/create.js';
import type { Network } from '../../src/network/types.js';
import { computePreimage } from '../../src/preimage/engine.js';
import type { PreimageResult } from '../../src/preimage/result.js';
import type { Target } from '../../src/preimage/target.js';
import { pieceSlack } from '../../src/analysis/check.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { patternKey } from '../helpers/bruteforce.js';

const RUNS = { numRuns: 12, seed: 20261127 };
const box = (n: number) => ({ kind: 'box' as const, lo: new Array(n).fill(-1.5), hi: new Array(n).fill(1.5) });
const target: Target = { kind: 'class', index: 0 };

function layersOf(net: Network) {
  return net.layers.map((l) => ({ weights: Float64Array.from(l.weights), bias: Float64Array.from(l.bias), inSize: l.inSize, activation: l.activation }));
}

function run(net: Network, t: Target = target, domain = box(net.inputSize)): PreimageResult {
  const r = computePreimage(net, t, { domain, certificates: false });
  assert.equal(r.status, 'complete');
  return r;
}

const close = (a: number | null, b: number | null, what: string) => assert.ok(a !== null && b !== null && Math.abs(a - b) <= 1e-7 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);

const arbNet = fc.record({ seed: fc.integer({ min: 1, max: 1e6 }), n: fc.integer({ min: 2, max: 3 }), h: fc.integer({ min: 2, max: 5 }) });

test('positive rescaling of a hidden unit changes nothing', () => {
  fc.assert(
    fc.property(arbNet, fc.double({ min: 0.05, max: 20, noNaN: true }), ({ seed, n, h }, scale) => {
      const net = randomNetwork(new Rng(seed), [n, h, 3]);
      const L = layersOf(net);
      const u = seed % h;
      for (let j = 0; j < n; j++) L[0].weights[u * n + j] *= scale;
      L[0].bias[u] *= scale;
      for (let i = 0; i < 3; i++) L[1].weights[i * h + u] /= scale;
      const a = run(net), b = run(createNetwork(L));
      close(b.volume, a.volume, 'volume');
      assert.deepEqual(b.pieces.map((p) => patternKey(p.pattern)).sort(), a.pieces.map((p) => patternKey(p.pattern)).sort());
    }),
    RUNS,
  );
});

test('permuting hidden units permutes the patterns', () => {
  fc.assert(
    fc.property(arbNet, ({ seed, n, h }) => {
      const rng = new Rng(seed + 1);
      const net = randomNetwork(new Rng(seed), [n, h, 3]);
      const perm = Array.from({ length: h }, (_, i) => i);
      for (let i = h - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
      const L = layersOf(net);
      const W0 = new Float64Array(h * n), b0 = new Float64Array(h), W1 = new Float64Array(3 * h);
      perm.forEach((src, dst) => {
        W0.set(L[0].weights.subarray(src * n, src * n + n), dst * n);
        b0[dst] = L[0].bias[src];
        for (let i = 0; i < 3; i++) W1[i * h + dst] = L[1].weights[i * h + src];
      });
      const permuted = createNetwork([{ weights: W0, bias: b0, inSize: n, activation: 'relu' }, { weights: W1, bias: L[1].bias, inSize: h, activation: 'identity' }]);
      const a = run(net), b = run(permuted);
      close(b.volume, a.volume, 'volume');
      // original unit k sits at position perm.indexOf(k) of the permuted layer
      const unpermute = (p: (readonly number[])[]) => patternKey([Array.from({ length: h }, (_, k) => p[0][perm.indexOf(k)]), p[1]]);
      assert.deepEqual(b.pieces.map((p) => unpermute(p.pattern)).sort(), a.pieces.map((p) => patternKey(p.pattern)).sort());
    }),
    RUNS,
  );
});

test('a dead unit changes nothing', () => {
  fc.assert(
    fc.property(arbNet, ({ seed, n, h }) => {
      const net = randomNetwork(new Rng(seed), [n, h, 3]);
      const L = layersOf(net);
      const W0 = new Float64Array((h + 1) * n), b0 = new Float64Array(h + 1), W1 = new Float64Array(3 * (h + 1));
      W0.set(L[0].weights);
      b0.set(L[0].bias);
      b0[h] = -1; // weights 0, bias -1: never active
      for (let i = 0; i < 3; i++) for (let j = 0; j < h; j++) W1[i * (h + 1) + j] = L[1].weights[i * h + j];
      for (let i = 0; i < 3; i++) W1[i * (h + 1) + h] = 7; // its outgoing weights do not matter
      const dead = createNetwork([{ weights: W0, bias: b0, inSize: n, activation: 'relu' }, { weights: W1, bias: L[1].bias, inSize: h + 1, activation: 'identity' }]);
      const a = run(net), b = run(dead);
      close(b.volume, a.volume, 'volume');
      assert.equal(b.pieces.length, a.pieces.length);
    }),
    RUNS,
  );
});

test('splitting the domain in two gives the same set', () => {
  fc.assert(
    fc.property(arbNet, fc.double({ min: -1.2, max: 1.2, noNaN: true }), ({ seed, n, h }, cut) => {
      const net = randomNetwork(new Rng(seed), [n, h, 3]);
      const whole = run(net);
      const left = box(n), right = box(n);
      left.hi[0] = cut;
      right.lo[0] = cut;
      const a = run(net, target, left), b = run(net, target, right);
      close((a.volume as number) + (b.volume as number), whole.volume, 'volume of the halves');
      // every witness of a half lies in a piece of the whole
      for (const p of [...a.pieces, ...b.pieces]) assert.ok(whole.pieces.some((q) => pieceSlack(q, p.witness) > -1e-9), 'witness of a half is in the whole');
    }),
    RUNS,
  );
});

test('a smaller target gives a subset', () => {
  fc.assert(
    fc.property(arbNet, fc.double({ min: 0.1, max: 0.9, noNaN: true }), ({ seed, n, h }, shrink) => {
      const net = randomNetwork(new Rng(seed), [n, h, 2]);
      const big: Target = { kind: 'box', lo: [-1, -1], hi: [1, 1] };
      const small: Target = { kind: 'box', lo: [-shrink, -shrink], hi: [shrink, shrink * 0.5] };
      const A = run(net, big), B = run(net, small);
      assert.ok((B.volume as number) <= (A.volume as number) + 1e-12, `volume ${B.volume} <= ${A.volume}`);
      for (const p of B.pieces) assert.ok(A.pieces.some((q) => pieceSlack(q, p.witness) > -1e-9), 'witness of the smaller target lies in the larger preimage');
    }),
    RUNS,
  );
});
