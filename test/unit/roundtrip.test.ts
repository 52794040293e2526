// The round-trip checks, on real networks: JSON -> network -> JSON gives the same text;
// ONNX -> JSON -> network evaluates bit-identically; .nnet -> JSON -> .nnet -> network keeps
// weights and normalisation bit-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonNetwork, writeJsonNetwork } from '../../src/formats/json.js';
import { readNnet, writeNnet } from '../../src/formats/nnet.js';
import { readOnnx } from '../../src/formats/onnx/index.js';
import { readNetwork } from '../../src/formats/detect.js';
import { createNetwork } from '../../src/network/create.js';
import { evaluate, evaluateLayers } from '../../src/network/evaluate.js';
import type { Network } from '../../src/network/types.js';
import { Rng } from '../../src/util/rng.js';
import { dataDir, NO_DATA, repoRoot } from '../helpers/data.js';
import { randomNetwork } from '../helpers/networks.js';

const examples = join(repoRoot, 'examples');
const data = dataDir();
const mnistPath = data ? join(data, 'mnistfc', 'onnx', 'mnist-net_256x2.onnx') : '';
const hasMnist = !!data && existsSync(mnistPath);

/** Every element equal as doubles, -0 distinct from 0 (Object.is). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} !== ${b[i]}`);
}

function assertSameNetwork(a: Network, b: Network, what: string): void {
  assert.equal(a.inputSize, b.inputSize, `${what}: inputSize`);
  assert.equal(a.outputSize, b.outputSize, `${what}: outputSize`);
  assert.deepEqual(a.layers.map((l) => [l.inSize, l.outSize, l.activation]), b.layers.map((l) => [l.inSize, l.outSize, l.activation]), `${what}: layers`);
  a.layers.forEach((l, k) => {
    sameBits(l.weights, b.layers[k].weights, `${what}: layer ${k + 1} weights`);
    sameBits(l.bias, b.layers[k].bias, `${what}: layer ${k + 1} bias`);
  });
  assert.equal(a.normalization === undefined, b.normalization === undefined, `${what}: normalisation presence`);
  if (a.normalization && b.normalization) {
    for (const key of ['inputMin', 'inputMax', 'inputMean', 'inputRange'] as const) sameBits(a.normalization[key], b.normalization[key], `${what}: ${key}`);
    sameBits([a.normalization.outputMean, a.normalization.outputRange], [b.normalization.outputMean, b.normalization.outputRange], `${what}: output normalisation`);
  }
}

/** Seeded inputs: uniform in [-scale, scale]^n, plus the origin. */
function inputs(n: number, count: number, seed: number, scale = 1): Float64Array[] {
  const rng = new Rng(seed);
  const xs = [new Float64Array(n)];
  for (let k = 0; k < count; k++) xs.push(Float64Array.from({ length: n }, () => rng.uniform(-scale, scale)));
  return xs;
}

/** Every layer's activity is bit-identical at every input (not only the outputs). */
function assertSameEvaluation(a: Network, b: Network, xs: Float64Array[], what: string): void {
  let nonzero = 0;
  for (const x of xs) {
    const la = evaluateLayers(a, x).activities, lb = evaluateLayers(b, x).activities;
    assert.equal(la.length, lb.length);
    la.forEach((v, l) => sameBits(v, lb[l], `${what}: layer ${l} activity`));
    if (la[la.length - 1].some((v) => v !== 0)) nonzero++;
  }
  assert.ok(nonzero > 0, `${what}: some outputs are non-zero`);
}

function networks(): [string, Network][] {
  const rng = new Rng(11);
  const withNeg0 = createNetwork([
    { weights: [[-0, 1e-300], [Number.MAX_VALUE / 4, -5e-324]], bias: [0.1 + 0.2, -0], activation: 'relu' },
    { weights: [[1 / 3, -2 / 3]], bias: [Math.PI], activation: 'identity' },
  ]);
  const named = (net: Network, name: string): Network => ({ ...net, source: { format: 'memory', name } });
  return [
    ['VertCAS_21_1.onnx', readOnnx(readFileSync(join(examples, 'VertCAS_21_1.onnx')), 'VertCAS_21_1.onnx')],
    ['ACASXU_run2a_1_1_batch_2000.nnet', readNnet(readFileSync(join(examples, 'ACASXU_run2a_1_1_batch_2000.nnet')), 'ACASXU_run2a_1_1_batch_2000.nnet')],
    ['random 3-8-8-2', named(randomNetwork(rng, [3, 8, 8, 2]), 'random 3-8-8-2')],
    ['random 5-4-1 with ReLU output', named(createNetwork([
      { weights: [[1, -1, 0.5, 2, -3], [0, 0, 1, 1, 1], [-1, 2, -0.25, 0, 1], [3, 1, 1, -1, 0]], bias: [0, 0.5, -0.5, 1], activation: 'relu' },
      { weights: [[1, -1, 1, -1]], bias: [0.125], activation: 'relu' },
    ]), 'relu output')],
    ['-0, subnormals, huge and non-terminating values', named(withNeg0, 'edge numbers')],
  ];
}

// Every network read from a file has a `source`, and the JSON writer writes it; a network built in
// memory without one gets `source: {format: "json", name}` when its JSON is read back (documented in
// docs/formats.md), so the text identity is stated for networks that carry a source.
test('JSON -> network -> JSON gives identical text (VertCAS, ACAS Xu with normalisation, random, edge-case numbers)', () => {
  for (const [name, net] of networks()) {
    const text = writeJsonNetwork(net);
    const back = readJsonNetwork(text, name);
    assertSameNetwork(net, back, name);
    assert.equal(writeJsonNetwork(back), text, `${name}: text fixed point`);
    // and once more through bytes, as a file would be read
    assert.equal(writeJsonNetwork(readNetwork(new TextEncoder().encode(text), 'x.json')), text, `${name}: through bytes`);
  }
});

test('a hand-written JSON network (without source) reads and writes back to the same text once canonical', () => {
  const hand = '{"format":"relu-preimage/network","version":1,"inputSize":2,"layers":[{"activation":"relu","weights":[[1,-0.5],[0.4,1]],"bias":[0.1,-0.2]},{"activation":"identity","weights":[[1,1]],"bias":[0]}]}';
  const canonical = writeJsonNetwork(readJsonNetwork(hand, 'hand.json'));
  assert.equal(writeJsonNetwork(readJsonNetwork(canonical, 'ignored.json')), canonical);
  assert.deepEqual(JSON.parse(canonical).layers, JSON.parse(hand).layers);
});

test('ONNX (bundled VertCAS_21_1) -> JSON -> network: same weights, bit-identical evaluation', () => {
  const onnx = readOnnx(readFileSync(join(examples, 'VertCAS_21_1.onnx')), 'VertCAS_21_1.onnx');
  const json = readJsonNetwork(writeJsonNetwork(onnx), 'VertCAS_21_1.json');
  assertSameNetwork(onnx, json, 'VertCAS_21_1');
  assert.deepEqual(json.source, onnx.source, 'source (format, name, reader notes) is carried along');
  assertSameEvaluation(onnx, json, inputs(onnx.inputSize, 200, 21), 'VertCAS_21_1');
});

test('ONNX (mnistfc 256x2) -> JSON -> network: same weights, bit-identical evaluation', { skip: hasMnist ? false : NO_DATA }, () => {
  const onnx = readOnnx(readFileSync(mnistPath), 'mnist-net_256x2.onnx');
  assert.equal(onnx.inputSize, 784);
  assert.deepEqual(onnx.layers.map((l) => l.outSize), [256, 256, 10]);
  const json = readJsonNetwork(writeJsonNetwork(onnx), 'mnist-net_256x2.json');
  assertSameNetwork(onnx, json, 'mnist 256x2');
  // pixel intensities in [0, 1]
  const rng = new Rng(256);
  const xs = Array.from({ length: 20 }, () => Float64Array.from({ length: 784 }, () => rng.next()));
  assertSameEvaluation(onnx, json, xs, 'mnist 256x2');
});

test('.nnet -> JSON -> .nnet -> network: weights and normalisation bit-identical, evaluation unchanged', () => {
  const file = 'ACASXU_run2a_1_1_batch_2000.nnet';
  const nnet = readNnet(readFileSync(join(examples, file)), file);
  assert.ok(nnet.normalization, 'the .nnet normalisation is read');
  const viaJson = readJsonNetwork(writeJsonNetwork(nnet), 'acas.json');
  assertSameNetwork(nnet, viaJson, '.nnet -> JSON');
  const nnetText = writeNnet(viaJson);
  const back = readNnet(nnetText, file);
  assertSameNetwork(nnet, back, '.nnet -> JSON -> .nnet');
  assertSameEvaluation(nnet, back, inputs(5, 100, 5, 0.5), '.nnet -> JSON -> .nnet');
  // and the written .nnet is itself a fixed point
  assert.equal(writeNnet(back), nnetText);
});

test('a network without normalisation survives .nnet -> JSON -> .nnet -> JSON with none added', () => {
  const net = randomNetwork(new Rng(7), [4, 6, 3]);
  const nnet1 = readNnet(writeNnet(net), 'r.nnet');
  assert.equal(nnet1.normalization, undefined);
  const json = readJsonNetwork(writeJsonNetwork(nnet1));
  const nnet2 = readNnet(writeNnet(json));
  assertSameNetwork(net, nnet2, 'random without normalisation');
  assert.equal(JSON.parse(writeJsonNetwork(nnet2)).normalization, undefined);
  for (const x of inputs(4, 20, 8)) sameBits(evaluate(net, x), evaluate(nnet2, x), 'output');
});
