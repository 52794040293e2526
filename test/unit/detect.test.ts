// readNetwork / detectFormat: which reader a file goes to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreimageError } from '../../src/errors.js';
import { detectFormat, readNetwork } from '../../src/formats/detect.js';
import { repoRoot } from '../helpers/data.js';

const enc = new TextEncoder();
const JSON_NET = '{"format":"relu-preimage/network","version":1,"inputSize":1,"layers":[{"activation":"identity","weights":[[2]],"bias":[0]}]}';
const example = (f: string) => new Uint8Array(readFileSync(join(repoRoot, 'examples', f)));

test('the format comes from the extension, else from the first bytes', () => {
  assert.equal(detectFormat(enc.encode(JSON_NET), 'x.nnet'), 'nnet', 'the name wins');
  assert.equal(detectFormat(enc.encode(JSON_NET), 'model'), 'json');
  assert.equal(detectFormat(enc.encode('  \n' + JSON_NET), 'model'), 'json');
  assert.equal(detectFormat(example('ACASXU_run2a_1_1_batch_2000.nnet'), 'model'), 'nnet');
  assert.equal(detectFormat(example('VertCAS_21_1.onnx'), 'model'), 'onnx');
  assert.equal(readNetwork(example('VertCAS_21_1.onnx'), 'model').inputSize, 4);
});

test('a UTF-8 BOM before JSON or .nnet text does not send the file to the ONNX reader (regression: ONNX_DECODE)', () => {
  const bom = '\ufeff';
  assert.equal(detectFormat(enc.encode(bom + JSON_NET), 'model'), 'json');
  assert.equal(readNetwork(enc.encode(bom + JSON_NET), 'model').inputSize, 1);
  const nnet = readFileSync(join(repoRoot, 'examples', 'ACASXU_run2a_1_1_batch_2000.nnet'), 'utf8');
  assert.equal(detectFormat(enc.encode(bom + nnet), 'model'), 'nnet');
  assert.equal(readNetwork(enc.encode(bom + nnet), 'model').inputSize, 5);
});

test('a .vnnlib file given as a network is UNKNOWN_FORMAT (regression: it failed as ONNX_DECODE)', () => {
  assert.throws(() => readNetwork(example('prop_1.vnnlib'), 'prop_1.vnnlib'), (e: unknown) => e instanceof PreimageError && e.code === 'UNKNOWN_FORMAT' && /VNN-LIB property/.test(e.message));
  assert.throws(() => readNetwork(new Uint8Array(0), 'prop.vnnlib'), (e: unknown) => e instanceof PreimageError && e.code === 'EMPTY_FILE');
});
