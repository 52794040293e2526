// Network evaluation of readOnnx's output against onnxruntime (reference outputs generated once by
// scripts/make-onnx-reference.mjs and committed). onnxruntime computes in float32; we evaluate the
// float32-widened weights in float64, so agreement is asked to 1e-5 relative to max(1, |y|).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOnnx } from '../../src/formats/onnx/index.js';
import { evaluate } from '../../src/network/evaluate.js';
import { dataDir, NO_DATA, repoRoot } from '../helpers/data.js';

interface Reference {
  onnxruntime: string;
  seed: number;
  groups: { name: string; dir: string; inputShape: number[]; inputs: number[][]; networks: { file: string; outputs: number[][] }[] }[];
}

const ref = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'reference', 'onnxruntime.json'), 'utf8')) as Reference;
const data = dataDir();
const TOL = 1e-5;

test('reference file covers every benchmark network group', () => {
  assert.deepEqual(ref.groups.map((g) => [g.name, g.networks.length]), [['acasxu', 45], ['mnistfc', 3], ['vcas', 13]]);
  assert.match(ref.onnxruntime, /^\d+\.\d+\.\d+/);
  assert.equal(typeof ref.seed, 'number');
});

for (const g of ref.groups) {
  test(`readOnnx + evaluate agree with onnxruntime ${ref.onnxruntime}: ${g.name} (${g.networks.length} networks x ${g.inputs.length} inputs)`, { skip: data ? false : NO_DATA }, () => {
    let worst = 0;
    for (const n of g.networks) {
      const net = readOnnx(new Uint8Array(readFileSync(join(data as string, g.dir, n.file))), n.file);
      assert.equal(net.inputSize, g.inputShape.reduce((s, d) => s * d, 1), `${n.file}: input size`);
      g.inputs.forEach((x, k) => {
        const y = evaluate(net, x);
        const want = n.outputs[k];
        assert.equal(y.length, want.length, `${n.file}: output size`);
        for (let i = 0; i < want.length; i++) {
          const err = Math.abs(y[i] - want[i]) / Math.max(1, Math.abs(want[i]));
          worst = Math.max(worst, err);
          assert.ok(err <= TOL, `${n.file} input ${k} output ${i}: ours ${y[i]}, onnxruntime ${want[i]} (relative error ${err.toExponential(2)})`);
        }
      });
    }
    // the agreement is float32 rounding, not luck: report the margin
    assert.ok(worst <= TOL);
  });
}
