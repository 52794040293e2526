#!/usr/bin/env node
// Reference outputs of the benchmark ONNX networks computed by onnxruntime, for
// test/crosscheck/onnxruntime.test.ts. Writes test/fixtures/reference/onnxruntime.json.
//
// onnxruntime-node is NOT a dependency of this package (288 MB; its install script downloads CUDA
// files). Install it in a scratch directory and point ORT_DIR at it:
//   export ORT_DIR=<a scratch directory outside the repository>
//   mkdir -p "$ORT_DIR" && (cd "$ORT_DIR" && npm init -y && npm i onnxruntime-node --ignore-scripts)
//   node scripts/make-onnx-reference.mjs
// The data directory is $RELU_PREIMAGE_DATA, else ../shared/data beside the repository.
//
// Inputs are seeded (mulberry32) and exactly representable in float32, so onnxruntime (float32) and
// the float64 evaluation of the float32-widened weights see the same numbers. The inputs of a group
// are shared by all its networks.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEED = 20240611;

const GROUPS = [
  // name, folder in the data dir, number of inputs, input generator (u uniform in [0,1))
  { name: 'acasxu', dir: 'acasxu/onnx', count: 8, gen: (u) => Math.round((u - 0.5) * 4096) / 4096 },
  { name: 'mnistfc', dir: 'mnistfc/onnx', count: 3, gen: (u) => Math.floor(u * 256) / 256 },
  { name: 'vcas', dir: 'vcas', count: 8, gen: (u) => Math.round((u - 0.5) * 4096) / 4096 },
];

function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function findDataDir() {
  const env = process.env.RELU_PREIMAGE_DATA;
  if (env && existsSync(env)) return resolve(env);
  const sibling = resolve(repoRoot, '..', 'shared', 'data');
  if (existsSync(sibling)) return sibling;
  throw new Error('benchmark data not found: set RELU_PREIMAGE_DATA or place it at ../shared/data');
}

function loadOrt() {
  const dir = process.env.ORT_DIR;
  if (!dir) throw new Error('set ORT_DIR to a directory where onnxruntime-node is installed (see the comment at the top of this script)');
  const require = createRequire(join(resolve(dir), 'package.json'));
  return { ort: require('onnxruntime-node'), version: require('onnxruntime-node/package.json').version };
}

/** float32 output -> shortest decimal that rounds back to the same float32 (9 significant digits suffice). */
function f32(v) {
  for (let p = 6; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return v;
}

async function main() {
  const { ort, version } = loadOrt();
  const dataDir = findDataDir();
  const rand = mulberry32(SEED);
  const groups = [];
  for (const g of GROUPS) {
    const files = readdirSync(join(dataDir, g.dir)).filter((f) => f.endsWith('.onnx')).sort();
    if (files.length === 0) throw new Error(`no .onnx files in ${g.dir}`);
    let inputs = null;
    let inputShape = null;
    const networks = [];
    for (const file of files) {
      const session = await ort.InferenceSession.create(join(dataDir, g.dir, file));
      const meta = session.inputMetadata?.[0];
      const shape = (meta?.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      const size = shape.reduce((s, d) => s * d, 1);
      if (!inputs) {
        inputShape = shape;
        inputs = Array.from({ length: g.count }, () => Array.from({ length: size }, () => g.gen(rand())));
      } else if (shape.join() !== inputShape.join()) {
        throw new Error(`${g.dir}/${file}: input shape [${shape}] differs from the group's [${inputShape}]`);
      }
      const outputs = [];
      for (const x of inputs) {
        const feed = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x), shape) };
        const res = await session.run(feed);
        outputs.push(Array.from(res[session.outputNames[0]].data, f32));
      }
      networks.push({ file, outputs });
      await session.release?.();
    }
    groups.push({ name: g.name, dir: g.dir, inputShape, inputs, networks });
    console.log(`${g.name}: ${networks.length} networks x ${inputs.length} inputs`);
  }
  const out = {
    generator: 'scripts/make-onnx-reference.mjs',
    onnxruntime: version,
    seed: SEED,
    note: 'onnxruntime-node CPU, float32 inputs and weights; outputs are float32 values in shortest round-trip decimal form. Each group\'s inputs are shared by its networks.',
    groups,
  };
  const path = join(repoRoot, 'test', 'fixtures', 'reference', 'onnxruntime.json');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, format(out));
  console.log(`wrote ${path}`);
}

/** JSON with one array of numbers per line (small and diff-friendly). */
function format(v, indent = '') {
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return JSON.stringify(v);
  const next = indent + '  ';
  if (Array.isArray(v)) return `[\n${v.map((x) => next + format(x, next)).join(',\n')}\n${indent}]`;
  if (v && typeof v === 'object') {
    return `{\n${Object.entries(v).map(([k, x]) => `${next}${JSON.stringify(k)}: ${format(x, next)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
