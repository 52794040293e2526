// The 45 ACAS Xu networks exist twice in the benchmark data: as VNN-COMP ONNX files (float32,
// MATLAB converter, x·W MatMuls after a Sub and a Flatten) and as Kyle Julian's .nnet text files
// (decimal, with the input/output normalisation). Two independent readers must agree on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNnet } from '../../src/formats/nnet.js';
import { readOnnx } from '../../src/formats/onnx/index.js';
import { evaluate } from '../../src/network/evaluate.js';
import { normalizeBox, rawInputBox } from '../../src/network/normalization.js';
import { Rng } from '../../src/util/rng.js';
import { dataDir, NO_DATA } from '../helpers/data.js';

const data = dataDir();
const onnxDir = data ? join(data, 'acasxu', 'onnx') : '';
const nnetDir = data ? join(data, 'acasxu', 'nnet') : '';
const stems = data && existsSync(onnxDir) ? readdirSync(onnxDir).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5)).sort() : [];
const skip = data ? false : NO_DATA;

/** Tolerance of the comparisons: the .nnet files print about 6 significant digits, the ONNX files hold float32. */
const TOL = 1e-6;
/** Points with pairwise different outputs compared per network, and the most points drawn to find them. */
const DISTINCT = 20;
const MAX_DRAWS = 2000;

test('the data holds 45 ACAS Xu ONNX networks, each with a .nnet twin', { skip }, () => {
  assert.equal(stems.length, 45);
  for (const s of stems) assert.ok(existsSync(join(nnetDir, `${s}.nnet`)), `${s}.nnet exists`);
});

for (const [idx, stem] of (stems.length ? stems : ['(none)']).entries()) {
  test(`ACAS Xu twins agree: ${stem}`, { skip }, () => {
    const onnx = readOnnx(readFileSync(join(onnxDir, `${stem}.onnx`)), `${stem}.onnx`);
    const nnet = readNnet(readFileSync(join(nnetDir, `${stem}.nnet`)), `${stem}.nnet`);

    // Structure: the same dense chain, 5 -> 6 x 50 ReLU -> 5 linear.
    assert.equal(onnx.inputSize, 5);
    assert.equal(onnx.outputSize, 5);
    assert.deepEqual(
      onnx.layers.map((l) => [l.inSize, l.outSize, l.activation]),
      nnet.layers.map((l) => [l.inSize, l.outSize, l.activation]),
      'layer shapes and activations',
    );
    assert.equal(onnx.layers.length, 7);
    assert.equal(onnx.normalization, undefined, 'ONNX carries no .nnet normalisation');
    assert.ok(nnet.normalization, 'the .nnet twin keeps its normalisation');

    // Weights layer by layer: within 1e-6, and in fact the ONNX float32 value is the .nnet
    // decimal rounded to float32 (so a transposed or permuted matrix cannot hide behind the tolerance).
    onnx.layers.forEach((lo, k) => {
      const ln = nnet.layers[k];
      for (const key of ['weights', 'bias'] as const) {
        const a = lo[key], b = ln[key];
        assert.equal(a.length, b.length, `layer ${k + 1} ${key} length`);
        for (let i = 0; i < a.length; i++) {
          if (!(Math.abs(a[i] - b[i]) <= TOL * Math.max(1, Math.abs(b[i])))) assert.fail(`layer ${k + 1} ${key}[${i}]: onnx ${a[i]} vs nnet ${b[i]}`);
          if (a[i] !== Math.fround(b[i])) assert.fail(`layer ${k + 1} ${key}[${i}]: onnx ${a[i]} is not fround(nnet ${b[i]}) = ${Math.fround(b[i])}`);
        }
      }
    });

    // Outputs at seeded points of the normalised input box (the networks' own coordinates; the
    // ONNX files take normalised inputs too). Large parts of the box switch every unit of some
    // layer off, so the output is just a bias there; draw until DISTINCT points with different
    // outputs have been compared, so that the hidden weights are really exercised.
    const box = normalizeBox(nnet, rawInputBox(nnet));
    const rng = new Rng(0x5eed + idx);
    const seen = new Set<string>();
    let worst = 0, drawn = 0;
    for (; drawn < MAX_DRAWS && seen.size < DISTINCT; drawn++) {
      const x = drawn === 0 ? Array.from(box.lo, (l, i) => (l + box.hi[i]) / 2) : Array.from(box.lo, (l, i) => rng.uniform(l, box.hi[i]));
      const yo = evaluate(onnx, x), yn = evaluate(nnet, x);
      seen.add(yn.join(','));
      for (let i = 0; i < yo.length; i++) {
        const rel = Math.abs(yo[i] - yn[i]) / Math.max(1, Math.abs(yn[i]));
        worst = Math.max(worst, rel);
        if (!(rel <= TOL)) assert.fail(`output ${i} at x = [${x.join(', ')}]: onnx ${yo[i]} vs nnet ${yn[i]} (relative ${rel})`);
      }
    }
    assert.equal(seen.size, DISTINCT, `${DISTINCT} points with distinct outputs among ${drawn} draws`);
    assert.ok(worst < TOL);
  });
}
