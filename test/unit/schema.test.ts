// schema/network.schema.json checked by a real JSON Schema validator (ajv, draft 2020-12, strict
// mode): the writer's output validates, and the bad corpus files that are schema errors fail it.
// (test/unit/json-format.test.ts has a small hand-written checker; this one is independent of it.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readJsonNetwork, writeJsonNetwork } from '../../src/formats/json.js';
import { readNnet } from '../../src/formats/nnet.js';
import { readOnnx } from '../../src/formats/onnx/index.js';
import { createNetwork } from '../../src/network/create.js';
import type { Network } from '../../src/network/types.js';
import { Rng } from '../../src/util/rng.js';
import { dataDir, NO_DATA, repoRoot } from '../helpers/data.js';
import { randomNetwork } from '../helpers/networks.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'network.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);
const badDir = join(repoRoot, 'test', 'fixtures', 'bad', 'json');
const examples = join(repoRoot, 'examples');

/** Shape rules JSON Schema cannot state (row lengths chaining, one row per bias, vector lengths = inputSize); only readJsonNetwork checks them. */
const READER_ONLY = new Set(['row-length.json', 'bias-length.json', 'normalization-length.json']);

function errorsOf(_doc: unknown): string {
  return ajv.errorsText(validate.errors, { separator: '; ' });
}

function writerSamples(): [string, Network][] {
  const rng = new Rng(2020);
  const out: [string, Network][] = [
    ['VertCAS_21_1.onnx', readOnnx(readFileSync(join(examples, 'VertCAS_21_1.onnx')), 'VertCAS_21_1.onnx')],
    ['ACAS Xu 1_1 .nnet (normalisation, notes)', readNnet(readFileSync(join(examples, 'ACASXU_run2a_1_1_batch_2000.nnet')), 'ACASXU_run2a_1_1_batch_2000.nnet')],
    ['in memory, no source', createNetwork([{ weights: [[-0, 1], [2, 3]], bias: [-0, 5e-324], activation: 'relu' }, { weights: [[1, -1]], bias: [0], activation: 'identity' }])],
    ['one layer, ReLU output', createNetwork([{ weights: [[1, 2, 3]], bias: [4], activation: 'relu' }])],
  ];
  for (let k = 0; k < 5; k++) {
    const sizes = [1 + rng.int(6), ...Array.from({ length: rng.int(3) }, () => 1 + rng.int(8)), 1 + rng.int(4)];
    out.push([`random ${sizes.join('-')}`, randomNetwork(rng, sizes)]);
  }
  return out;
}

test('ajv compiles the schema in strict mode (no unknown keywords, draft 2020-12)', () => {
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(typeof validate, 'function');
});

test('writeJsonNetwork output validates against the schema', () => {
  for (const [name, net] of writerSamples()) {
    const doc = JSON.parse(writeJsonNetwork(net));
    assert.ok(validate(doc), `${name}: ${errorsOf(doc)}`);
    // and what validates here also reads
    readJsonNetwork(writeJsonNetwork(net));
  }
});

test('writer output of the mnistfc and VerticalCAS benchmark networks validates', { skip: dataDir() ? false : NO_DATA }, () => {
  const d = dataDir()!;
  for (const p of [['mnistfc', 'onnx', 'mnist-net_256x4.onnx'], ['vcas', 'VertCAS_256_1.onnx'], ['acasxu', 'nnet', 'ACASXU_run2a_5_9_batch_2000.nnet']]) {
    const file = p[p.length - 1];
    const bytes = readFileSync(join(d, ...p));
    const net = file.endsWith('.nnet') ? readNnet(bytes, file) : readOnnx(bytes, file);
    const doc = JSON.parse(writeJsonNetwork(net));
    assert.ok(validate(doc), `${file}: ${errorsOf(doc)}`);
  }
});

test('bad JSON corpus: every JSON_SCHEMA file the schema can express fails it; the shape-rule files pass it and only the reader rejects them', () => {
  const expected = JSON.parse(readFileSync(join(badDir, 'expected.json'), 'utf8')) as Record<string, string>;
  const schemaFiles = Object.entries(expected).filter(([, code]) => code === 'JSON_SCHEMA').map(([f]) => f);
  assert.ok(schemaFiles.length >= 10, 'the corpus has schema errors to check');
  for (const f of schemaFiles) {
    const doc = JSON.parse(readFileSync(join(badDir, f), 'utf8'));
    const ok = validate(doc);
    if (READER_ONLY.has(f)) assert.ok(ok, `${f} is schema-valid (a shape rule only the reader can check): ${errorsOf(doc)}`);
    else assert.ok(!ok, `${f} fails the schema`);
  }
  for (const f of READER_ONLY) assert.equal(expected[f], 'JSON_SCHEMA', `${f} is still in the corpus as JSON_SCHEMA`);
});

test('the schema pins the details the reader relies on: format, version, activations, no extra keys, non-zero ranges', () => {
  const base = JSON.parse(writeJsonNetwork(createNetwork([{ weights: [[1, 2]], bias: [0], activation: 'identity' }])));
  assert.ok(validate(base), errorsOf(base));
  const variants: [string, (d: any) => void][] = [
    ['format', (d) => (d.format = 'relu-preimage/other')],
    ['version 2', (d) => (d.version = 2)],
    ['inputSize 0', (d) => (d.inputSize = 0)],
    ['inputSize 1.5', (d) => (d.inputSize = 1.5)],
    ['no layers', (d) => (d.layers = [])],
    ['activation tanh', (d) => (d.layers[0].activation = 'tanh')],
    ['extra key', (d) => (d.extra = 1)],
    ['extra layer key', (d) => (d.layers[0].dropout = 0.5)],
    ['string weight', (d) => (d.layers[0].weights[0][0] = '1')],
    ['empty row', (d) => (d.layers[0].weights[0] = [])],
    ['zero input range', (d) => (d.normalization = { inputMin: [0, 0], inputMax: [1, 1], inputMean: [0, 0], inputRange: [1, 0], outputMean: 0, outputRange: 1 })],
    ['zero output range', (d) => (d.normalization = { inputMin: [0, 0], inputMax: [1, 1], inputMean: [0, 0], inputRange: [1, 1], outputMean: 0, outputRange: 0 })],
    ['source format', (d) => (d.source = { format: 'tflite' })],
  ];
  for (const [what, change] of variants) {
    const d = structuredClone(base);
    change(d);
    assert.ok(!validate(d), `${what} must fail the schema`);
  }
});
