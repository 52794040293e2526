import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readNnet, writeNnet, NNET_UNBOUNDED } from '../../src/formats/nnet.js';
import { readJsonNetwork, writeJsonNetwork } from '../../src/formats/json.js';
import { parseVnnlib } from '../../src/formats/vnnlib.js';
import { createNetwork } from '../../src/network/create.js';
import { normalizeBox, normalizeOutput, denormalizeInput } from '../../src/network/normalization.js';
import { PreimageError } from '../../src/errors.js';
import { dataDir, dataPath, repoRoot, NO_DATA } from '../helpers/data.js';
import { assertSameNetwork } from '../helpers/asserts.js';

const examples = join(repoRoot, 'examples');
const badDir = join(repoRoot, 'test', 'fixtures', 'bad', 'nnet');
const ACAS_1_1 = 'ACASXU_run2a_1_1_batch_2000.nnet';

/** The valid base file of test/fixtures/bad/nnet/README.md. */
const TINY = `// tiny test network: 2 inputs, 3 ReLU units, 1 output
2,2,1,3,
2,3,1,
0,
-1,-1,
1,1,
0,0,0,
1,1,1,
0.5,-1,
1,1,
-2,0.25,
0.1,
0,
-0.3,
1,-1,2,
0.5,
`;

function codeOf(f: () => unknown): { code: string; at?: string; message: string } {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof PreimageError, `expected a PreimageError, got ${e}`);
    return { code: e.code, at: e.issues[0].at, message: e.message };
  }
  assert.fail('expected an error, none was thrown');
}

test('the tiny base .nnet parses: shapes, activations, weights, normalisation', () => {
  const net = readNnet(TINY, 'tiny.nnet');
  assert.equal(net.inputSize, 2);
  assert.equal(net.outputSize, 1);
  assert.deepEqual(net.layers.map((l) => [l.inSize, l.outSize, l.activation]), [[2, 3, 'relu'], [3, 1, 'identity']]);
  assert.deepEqual([...net.layers[0].weights], [0.5, -1, 1, 1, -2, 0.25]);
  assert.deepEqual([...net.layers[0].bias], [0.1, 0, -0.3]);
  assert.deepEqual([...net.layers[1].weights], [1, -1, 2]);
  assert.deepEqual([...net.layers[1].bias], [0.5]);
  assert.deepEqual([...net.normalization!.inputMin], [-1, -1]);
  assert.equal(net.normalization!.outputRange, 1);
  assert.deepEqual(net.source, { format: 'nnet', name: 'tiny.nnet' });
});

test('CRLF line ends, a BOM, bytes input and rows without trailing commas read the same', () => {
  const a = readNnet(TINY);
  const crlf = TINY.replace(/\n/g, '\r\n');
  assertSameNetwork(a, readNnet(crlf));
  assertSameNetwork(a, readNnet(new TextEncoder().encode('\ufeff' + crlf)));
  assertSameNetwork(a, readNnet(TINY.replace(/,\n/g, '\n')));
});

test('bad .nnet corpus: every file fails with its expected code', () => {
  const expected = JSON.parse(readFileSync(join(badDir, 'expected.json'), 'utf8')) as Record<string, string>;
  const files = readdirSync(badDir).filter((f) => f.endsWith('.nnet')).sort();
  assert.deepEqual(files, Object.keys(expected).sort(), 'expected.json lists exactly the .nnet files');
  const codes = new Set<string>();
  for (const f of files) {
    const got = codeOf(() => readNnet(readFileSync(join(badDir, f)), f));
    assert.equal(got.code, expected[f], `${f}: ${got.message}`);
    codes.add(got.code);
  }
  for (const c of ['EMPTY_FILE', 'NNET_HEADER', 'NNET_ROW_LENGTH', 'NNET_BAD_NUMBER', 'NNET_TRUNCATED', 'NON_FINITE']) {
    assert.ok(codes.has(c), `corpus covers ${c}`);
  }
});

test('errors carry the line number and say what was expected and found', () => {
  const bad = (f: string) => codeOf(() => readNnet(readFileSync(join(badDir, f))));
  const row = bad('row-too-short.nnet');
  assert.equal(row.at, 'line 10');
  assert.match(row.message, /expected 2 numbers \(weight row 2 of 3 of layer 1\), found 1/);
  assert.equal(bad('bad-number.nnet').at, 'line 11');
  assert.match(bad('bad-number.nnet').message, /"0\.25x"/);
  assert.equal(bad('nan-weight.nnet').at, 'line 9');
  assert.equal(bad('inf-bias.nnet').at, 'line 16');
  assert.equal(bad('truncated.nnet').at, 'line 13');
  assert.match(bad('truncated.nnet').message, /expected bias 3 of 3 of layer 1, found end of file/);
  assert.equal(bad('trailing-data.nnet').at, 'line 17');
  assert.equal(bad('sizes-mismatch.nnet').at, 'line 3');
});

test('ACAS Xu 1_1 (bundled): structure, header normalisation values, first weight and last bias', () => {
  const net = readNnet(readFileSync(join(examples, ACAS_1_1)), ACAS_1_1);
  assert.equal(net.inputSize, 5);
  assert.equal(net.outputSize, 5);
  assert.deepEqual(net.layers.map((l) => l.outSize), [50, 50, 50, 50, 50, 50, 5]);
  assert.deepEqual(net.layers.map((l) => l.activation), ['relu', 'relu', 'relu', 'relu', 'relu', 'relu', 'identity']);
  const n = net.normalization!;
  assert.ok(n, 'normalisation kept');
  assert.deepEqual([...n.inputMin], [0, -3.141593, -3.141593, 100, 0]);
  assert.deepEqual([...n.inputMax], [60760, 3.141593, 3.141593, 1200, 1200]);
  assert.deepEqual([...n.inputMean], [19791.091, 0, 0, 650, 600]);
  assert.deepEqual([...n.inputRange], [60261, 6.28318530718, 6.28318530718, 1100, 1200]);
  assert.equal(n.outputMean, 7.5188840201005975);
  assert.equal(n.outputRange, 373.94992);
  assert.equal(net.layers[0].weights[0], 5.40062e-2);
  assert.equal(net.layers[0].weights[1], -2.61092);
  assert.equal(net.layers[6].bias[4], -1.48281e-2);
});

test('normalisation: the raw ACAS property 1 box maps to the box of prop_1.vnnlib', () => {
  const net = readNnet(readFileSync(join(examples, ACAS_1_1)));
  const spec = parseVnnlib(readFileSync(join(examples, 'prop_1.vnnlib'), 'utf8'), { inputSize: 5, outputSize: 5 });
  // Raw box from the comments of prop_1.vnnlib (the property of Katz et al. 2017).
  const raw = { lo: Float64Array.of(55947.691, -Math.PI, -Math.PI, 1145, 0), hi: Float64Array.of(60760, Math.PI, Math.PI, 1200, 60) };
  const box = normalizeBox(net, raw);
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(box.lo[i] - spec.inputBoxes[0].lo[i]) < 1e-9, `lo[${i}] ${box.lo[i]} vs ${spec.inputBoxes[0].lo[i]}`);
    assert.ok(Math.abs(box.hi[i] - spec.inputBoxes[0].hi[i]) < 1e-9, `hi[${i}] ${box.hi[i]} vs ${spec.inputBoxes[0].hi[i]}`);
  }
  assert.ok(Math.abs(box.lo[0] - 0.6) < 1e-15);
  // Output: "unsafe if COC >= 1500" is Y_0 >= (1500 - outputMean) / outputRange.
  const y = normalizeOutput(net, [1500])[0];
  assert.ok(Math.abs(y - 3.991125645861615) < 1e-12, `${y}`);
  assert.deepEqual([...spec.output[0].T], [-1, 0, 0, 0, 0]);
  assert.equal(spec.output[0].t[0], -3.991125645861615);
  // and back
  const back = denormalizeInput(net, box.lo);
  assert.ok(Math.abs(back[0] - 55947.691) < 1e-9);
});

test('round trips of ACAS Xu 1_1: nnet -> net -> nnet -> net and net -> JSON -> net are bit-identical', () => {
  const text = readFileSync(join(examples, ACAS_1_1), 'utf8');
  const net = readNnet(text, ACAS_1_1);
  const written = writeNnet(net);
  const net2 = readNnet(written);
  assertSameNetwork(net, net2);
  assert.equal(writeNnet(net2).split('\n').slice(2).join('\n'), written.split('\n').slice(2).join('\n'), 'writing is a fixed point');
  const viaJson = readJsonNetwork(writeJsonNetwork(net));
  assertSameNetwork(net, viaJson);
  assert.deepEqual(viaJson.source, net.source);
});

test('writeNnet: a network without normalisation is written with unbounded identity normalisation and read back without one', () => {
  const net = createNetwork([{ weights: [[1, -2]], bias: [0.5] }, { weights: [[3]], bias: [-0] }]);
  const text = writeNnet(net);
  assert.ok(text.includes(`${-NNET_UNBOUNDED},${-NNET_UNBOUNDED},`));
  const back = readNnet(text);
  assert.equal(back.normalization, undefined);
  assert.ok(back.source?.notes?.some((s) => s.includes('identity normalisation')));
  assertSameNetwork(net, back);
  assert.ok(Object.is(back.layers[1].bias[0], -0), '-0 survives');
});

test('writeNnet rejects a ReLU output layer (the format has a linear output)', () => {
  const net = createNetwork([{ weights: [[1, -2]], bias: [0.5], activation: 'relu' }, { weights: [[3]], bias: [0], activation: 'relu' }]);
  assert.equal(codeOf(() => writeNnet(net)).code, 'BAD_ACTIVATION');
});

/** Random small network with ReLU hidden layers and identity output, weights any finite double. */
const smallNet = (withNormalisation: boolean) =>
  fc
    .record({
      sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }),
      seedValues: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 64, maxLength: 64 }),
      norm: fc.boolean(),
    })
    .map(({ sizes, seedValues, norm }) => {
      let k = 0;
      const v = () => seedValues[k++ % seedValues.length];
      const layers = sizes.slice(1).map((out, i) => ({
        weights: Array.from({ length: out }, () => Array.from({ length: sizes[i] }, v)),
        bias: Array.from({ length: out }, v),
        activation: (i === sizes.length - 2 ? 'identity' : 'relu') as 'identity' | 'relu',
      }));
      const n = sizes[0];
      const normalization =
        withNormalisation && norm
          ? {
              inputMin: Float64Array.from({ length: n }, v),
              inputMax: Float64Array.from({ length: n }, v),
              inputMean: Float64Array.from({ length: n }, v),
              inputRange: Float64Array.from({ length: n }, () => v() || 1),
              outputMean: v(),
              outputRange: v() || 1,
            }
          : undefined;
      return createNetwork(layers, { normalization, fold: false });
    });

test('property: random small networks survive .nnet round trips bit-identically', () => {
  fc.assert(
    fc.property(smallNet(true), (net) => {
      assertSameNetwork(net, readNnet(writeNnet(net)));
    }),
    { numRuns: 200, seed: 20240611 },
  );
});

test('all 45 ACAS Xu .nnet files parse, carry the same normalisation and round-trip exactly', { skip: dataDir() ? false : NO_DATA }, () => {
  const dir = dataPath('acasxu', 'nnet');
  const files = readdirSync(dir).filter((f) => f.endsWith('.nnet')).sort();
  assert.equal(files.length, 45);
  const first = readNnet(readFileSync(join(dir, files[0])));
  for (const f of files) {
    const net = readNnet(readFileSync(join(dir, f)), f);
    assert.equal(net.layers.length, 7, f);
    assert.ok(net.normalization, `${f}: normalisation`);
    assert.deepEqual(net.normalization, first.normalization, `${f}: same header constants as ${files[0]}`);
    assertSameNetwork(net, readNnet(writeNnet(net)));
    assertSameNetwork(net, readJsonNetwork(writeJsonNetwork(net)));
  }
  // The bundled copy is the data file byte for byte.
  assert.deepEqual(readFileSync(join(examples, ACAS_1_1)), readFileSync(join(dir, ACAS_1_1)));
});
