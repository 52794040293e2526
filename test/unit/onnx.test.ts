import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOnnx, writeOnnx, SUPPORTED_ONNX_OPS } from '../../src/formats/onnx/index.js';
import { evaluate } from '../../src/network/evaluate.js';
import { createNetwork } from '../../src/network/create.js';
import type { Network } from '../../src/network/types.js';
import { PreimageError, type ErrorCode } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';
import { acasLikeModel, attr, buildModel, node, tensor, type ModelSpec } from '../helpers/onnx-builder.js';
import { dataDir, NO_DATA, repoRoot } from '../helpers/data.js';

// ------------------------------------------------------------------ helpers
// Constants below are dyadic (exact in float32), so a float64 direct computation is exact up to
// the order of summation.

type Vec = number[];
/** y = M x for M given as rows. */
const mv = (M: number[][], x: Vec): Vec => M.map((r) => r.reduce((s, w, j) => s + w * x[j], 0));
/** Rows of the transpose. */
const tr = (M: number[][]): number[][] => M[0].map((_, j) => M.map((r) => r[j]));
const add = (a: Vec, b: Vec): Vec => a.map((v, i) => v + b[i]);
const relu = (a: Vec): Vec => a.map((v) => Math.max(0, v));
const flat = (M: number[][]): number[] => M.flat();

function inputs(n: number, count = 6, seed = 7): Vec[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: n }, () => rng.uniform(-2, 2)));
}

/** Asserts that the network read from `bytes` computes `f` at seeded inputs. */
function agrees(net: Network, f: (x: Vec) => Vec, tol = 1e-12): void {
  for (const x of inputs(net.inputSize)) {
    const got = Array.from(evaluate(net, x));
    const want = f(x);
    assert.equal(got.length, want.length, 'output size');
    for (let i = 0; i < want.length; i++) {
      assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `output ${i}: got ${got[i]}, want ${want[i]} at x = ${x}`);
    }
  }
}

function throwsCode(fn: () => unknown, code: ErrorCode, ...mustContain: string[]): PreimageError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof PreimageError, `expected a PreimageError ${code}, got ${err === undefined ? 'no error' : String(err)}`);
  assert.equal(err.code, code, err.message);
  for (const s of mustContain) assert.ok(err.message.includes(s), `message ${JSON.stringify(err.message)} should contain ${JSON.stringify(s)}`);
  return err;
}

/** A model: input x of `dims`, output y, the given nodes and initializers. */
function model(dims: (number | string)[], nodes: ModelSpec['nodes'], initializers: ModelSpec['initializers'] = [], extra: Partial<ModelSpec> = {}): Uint8Array {
  return buildModel({ input: { name: 'x', dims }, output: { name: 'y' }, nodes, initializers, ...extra });
}

const W32 = [[0.5, -1, 2], [0.25, 1.5, -0.75]]; // 2 x 3
const b2 = [0.125, -0.5];
const W23 = [[1, -0.5], [0.25, 2], [-1.5, 0.75]]; // 3 x 2

// ------------------------------------------------------------------ Gemm

test('Gemm: x·B + C with B stored [in,out] (transB=0)', () => {
  const net = readOnnx(model([1, 3], [node('Gemm', ['x', 'B', 'C'], ['y'], [], 'fc')], [tensor('B', [3, 2], flat(W23)), tensor('C', [2], b2)]));
  agrees(net, (x) => add(mv(tr(W23), x), b2));
  assert.equal(net.source?.format, 'onnx');
});

test('Gemm: transB=1 (PyTorch layout, B stored [out,in]) with alpha and beta', () => {
  const net = readOnnx(model([1, 3], [node('Gemm', ['x', 'B', 'C'], ['y'], [attr.int('transB', 1), attr.float('alpha', 0.5), attr.float('beta', -2)], 'fc')], [tensor('B', [2, 3], flat(W32)), tensor('C', [1, 2], b2)]));
  agrees(net, (x) => add(mv(W32, x).map((v) => 0.5 * v), b2.map((v) => -2 * v)));
});

test('Gemm: transA=1 with the data as A of shape [3,1]; C omitted; scalar C', () => {
  const net = readOnnx(model([3, 1], [node('Gemm', ['x', 'B'], ['y'], [attr.int('transA', 1)], 'fc')], [tensor('B', [3, 2], flat(W23))]));
  agrees(net, (x) => mv(tr(W23), x));
  const net2 = readOnnx(model([3, 1], [node('Gemm', ['x', 'B', 'C'], ['y'], [attr.int('transA', 1)], 'fc')], [tensor('B', [3, 2], flat(W23)), tensor('C', [], [3])]));
  agrees(net2, (x) => mv(tr(W23), x).map((v) => v + 3));
});

test('Gemm: the constant as A (W·x, data is B of shape [3,1]), and transB with data [1,3]', () => {
  const net = readOnnx(model([3, 1], [node('Gemm', ['W', 'x', 'C'], ['y'], [], 'fc')], [tensor('W', [2, 3], flat(W32)), tensor('C', [2, 1], b2)]));
  agrees(net, (x) => add(mv(W32, x), b2));
  const net2 = readOnnx(model([1, 3], [node('Gemm', ['W', 'x', 'C'], ['y'], [attr.int('transB', 1), attr.float('alpha', 2)], 'fc')], [tensor('W', [2, 3], flat(W32)), tensor('C', [2, 1], b2)]));
  agrees(net2, (x) => add(mv(W32, x).map((v) => 2 * v), b2));
  // transA on a constant A stored [in,out]
  const net3 = readOnnx(model([3, 1], [node('Gemm', ['W', 'x'], ['y'], [attr.int('transA', 1)], 'fc')], [tensor('W', [3, 2], flat(W23))]));
  agrees(net3, (x) => mv(tr(W23), x));
});

test('Gemm: the data as C (y = alpha A·B + beta x)', () => {
  const net = readOnnx(model([1, 2], [node('Gemm', ['A', 'B', 'x'], ['y'], [attr.float('beta', 0.5)], 'fc')], [tensor('A', [1, 3], [1, 2, 3]), tensor('B', [3, 2], flat(W23))]));
  const ab = mv(tr(W23), [1, 2, 3]);
  agrees(net, (x) => x.map((v, i) => ab[i] + 0.5 * v));
});

// ------------------------------------------------------------------ MatMul

test('MatMul: x·W (PyTorch / ACAS Xu order, W [in,out]) and W·x (VerticalCAS order, W [out,in])', () => {
  const xw = readOnnx(model([1, 3], [node('MatMul', ['x', 'W'], ['y'], [], 'mm')], [tensor('W', [3, 2], flat(W23))]));
  agrees(xw, (x) => mv(tr(W23), x));
  assert.ok(xw.source?.notes?.some((n) => n.includes('MatMul x·W')));
  const wx = readOnnx(model([3], [node('MatMul', ['W', 'x'], ['y'], [], 'mm')], [tensor('W', [2, 3], flat(W32))]));
  agrees(wx, (x) => mv(W32, x));
  assert.ok(wx.source?.notes?.some((n) => n.includes('MatMul W·x')));
  // the same W read both ways must give transposed maps: the operand order is read, not assumed
  const wSame = tensor('W', [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const a = readOnnx(model([3], [node('MatMul', ['x', 'W'], ['y'])], [wSame]));
  const b = readOnnx(model([3], [node('MatMul', ['W', 'x'], ['y'])], [wSame]));
  assert.deepEqual(Array.from(a.layers[0].weights), [1, 4, 7, 2, 5, 8, 3, 6, 9]);
  assert.deepEqual(Array.from(b.layers[0].weights), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('MatMul: 1-D data with a 2-D weight, column data [3,1], a 1-D weight, and a [1,3,2] weight', () => {
  agrees(readOnnx(model([3], [node('MatMul', ['x', 'W'], ['y'])], [tensor('W', [3, 2], flat(W23))])), (x) => mv(tr(W23), x));
  agrees(readOnnx(model([3, 1], [node('MatMul', ['W', 'x'], ['y'])], [tensor('W', [2, 3], flat(W32))])), (x) => mv(W32, x));
  agrees(readOnnx(model([1, 3], [node('MatMul', ['x', 'v'], ['y'])], [tensor('v', [3], [1, -2, 0.5])])), (x) => [x[0] - 2 * x[1] + 0.5 * x[2]]);
  agrees(readOnnx(model([1, 3], [node('MatMul', ['x', 'W'], ['y'])], [tensor('W', [1, 3, 2], flat(W23))])), (x) => mv(tr(W23), x));
  // a data matrix [2,3] times W [3,2]: each row is mapped (block diagonal)
  const net = readOnnx(model([2, 3], [node('MatMul', ['x', 'W'], ['y'])], [tensor('W', [3, 2], flat(W23))]));
  agrees(net, (x) => [...mv(tr(W23), x.slice(0, 3)), ...mv(tr(W23), x.slice(3))]);
});

// ------------------------------------------------------------------ elementwise constants

test('Sub/Div before, Mul/Add after, and c - x: normalisation and scaling fold into the layers', () => {
  const mean = [0.5, -0.25, 1], std = [2, 0.5, 4];
  const bytes = model([1, 3], [
    node('Sub', ['x', 'mean'], ['s'], [], 'sub_mean'),
    node('Div', ['s', 'std'], ['d'], [], 'div_std'),
    node('MatMul', ['d', 'W'], ['m'], [], 'mm1'),
    node('Mul', ['m', 'two'], ['m2'], [], 'scale'),
    node('Add', ['b', 'm2'], ['a'], [], 'bias'), // constant first
    node('Relu', ['a'], ['r'], [], 'relu1'),
    node('MatMul', ['r', 'W2'], ['m3'], [], 'mm2'),
    node('Sub', ['c', 'm3'], ['s3'], [], 'c_minus'), // c - x negates
    node('Mul', ['half', 's3'], ['y'], [], 'half'),
  ], [
    tensor('mean', [1, 3], mean), tensor('std', [3], std), tensor('W', [3, 2], flat(W23)), tensor('two', [], [2]),
    tensor('b', [2], b2), tensor('W2', [2, 2], [1, -1, 0.5, 2]), tensor('c', [1, 2], [1, -1]), tensor('half', [1], [0.5]),
  ]);
  const net = readOnnx(bytes, 'norm.onnx');
  assert.equal(net.layers.length, 2);
  assert.equal(net.source?.name, 'norm.onnx');
  agrees(net, (x) => {
    const d = x.map((v, i) => (v - mean[i]) / std[i]);
    const h = relu(add(mv(tr(W23), d).map((v) => 2 * v), b2));
    const o = mv(tr([[1, -1], [0.5, 2]]), h);
    return [1 - o[0], -1 - o[1]].map((v) => 0.5 * v);
  });
  const notes = net.source?.notes?.join('\n') ?? '';
  for (const s of ['Sub x - c[1,3]', 'Div x / c[3]', 'Add c[2] + x', 'Sub c[1,2] - x', 'Relu']) assert.ok(notes.includes(s), `notes mention ${s}:\n${notes}`);
});

test('Add of a constant that broadcasts the data to a larger shape replicates it', () => {
  const net = readOnnx(model([3], [node('Add', ['x', 'c'], ['y'])], [tensor('c', [2, 3], [1, 2, 3, 4, 5, 6])]));
  assert.equal(net.outputSize, 6);
  agrees(net, (x) => [x[0] + 1, x[1] + 2, x[2] + 3, x[0] + 4, x[1] + 5, x[2] + 6]);
});

test('Div by zero and c / x are refused', () => {
  throwsCode(() => readOnnx(model([2], [node('Div', ['x', 'z'], ['y'], [], 'dz')], [tensor('z', [2], [1, 0])])), 'ONNX_BAD_TENSOR', 'dz', 'non-zero divisor');
  throwsCode(() => readOnnx(model([2], [node('Div', ['z', 'x'], ['y'], [], 'inv')], [tensor('z', [2], [1, 2])])), 'ONNX_UNSUPPORTED_OP', 'inv', 'Div');
});

// ------------------------------------------------------------------ shape operators and constants

test('Flatten, Reshape (-1 and 0), Squeeze (attribute and input), Unsqueeze, Identity, Dropout, Constant', () => {
  const W = flat(W23);
  const bytes = model(['N', 3, 1], [
    node('Squeeze', ['x', 'ax2'], ['s'], [], 'sq'), // opset 13 style: axes as input -> [1,3]
    node('Unsqueeze', ['s'], ['u'], [attr.ints('axes', [0])], 'unsq'), // opset 11 style attribute -> [1,1,3]
    node('Flatten', ['u'], ['f'], [attr.int('axis', -1)], 'fl'), // -> [1,3]
    node('Identity', ['f'], ['i'], [], 'id'),
    node('Dropout', ['i'], ['dr', 'mask'], [], 'drop'),
    node('Constant', [], ['Wc'], [attr.tensor('value', tensor('Wv', [3, 2], W))], 'const_w'),
    node('MatMul', ['dr', 'Wc'], ['m'], [], 'mm'),
    node('Constant', [], ['shape'], [attr.ints('value_ints', [0, -1, 1])], 'const_shape'),
    node('Reshape', ['m', 'shape'], ['r'], [], 'rs'), // [1,2] -> [1,2,1]
    node('Squeeze', ['r'], ['y'], [], 'sq_all'), // all size-1 axes -> [2]
  ], [tensor('ax2', [1], [2], { type: 'int64' })]);
  const net = readOnnx(bytes);
  assert.equal(net.inputSize, 3);
  assert.equal(net.layers.length, 1);
  agrees(net, (x) => mv(tr(W23), x));
});

test('shape constants computed from the data shape (PyTorch x.view(x.size(0), -1))', () => {
  const bytes = model([1, 1, 2, 2], [
    node('Shape', ['x'], ['shp'], [], 'shape'),
    node('Gather', ['shp', 'zero'], ['n'], [attr.int('axis', 0)], 'gather'),
    node('Unsqueeze', ['n'], ['n1'], [attr.ints('axes', [0])], 'unsq'),
    node('Concat', ['n1', 'minus1'], ['target'], [attr.int('axis', 0)], 'concat'),
    node('Cast', ['target'], ['target64'], [attr.int('to', 7)], 'cast'),
    node('Reshape', ['x', 'target64'], ['f'], [], 'reshape'),
    node('Gemm', ['f', 'B', 'C'], ['y'], [attr.int('transB', 1)], 'fc'),
  ], [
    tensor('zero', [], [0], { type: 'int64' }), tensor('minus1', [1], [-1], { type: 'int64', raw: true }),
    tensor('B', [2, 4], [1, 2, 3, 4, -1, 0.5, 0.25, 0]), tensor('C', [2], [1, -1]),
  ]);
  const net = readOnnx(bytes);
  agrees(net, (x) => add(mv([[1, 2, 3, 4], [-1, 0.5, 0.25, 0]], x), [1, -1]));
});

test('Relu layers: consecutive affine ops fold; Relu on the input; repeated Relu; network ending in Relu', () => {
  const net = readOnnx(model([2], [
    node('Relu', ['x'], ['r0'], [], 'relu0'),
    node('MatMul', ['W', 'r0'], ['a'], [], 'mm1'),
    node('MatMul', ['W', 'a'], ['b'], [], 'mm2'), // no Relu between: folds into one layer
    node('Relu', ['b'], ['r1'], [], 'relu1'),
    node('Relu', ['r1'], ['r2'], [], 'relu2'),
    node('Add', ['r2', 'c'], ['a2'], [], 'add'),
    node('Relu', ['a2'], ['y'], [], 'relu3'),
  ], [tensor('W', [2, 2], [1, -2, 0.5, 1]), tensor('c', [2], [-1, 0.25])]));
  const W = [[1, -2], [0.5, 1]];
  assert.deepEqual(net.layers.map((l) => l.activation), ['relu', 'relu', 'relu']);
  agrees(net, (x) => relu(add(relu(mv(W, mv(W, relu(x)))), [-1, 0.25])));
});

test('data types: FLOAT/DOUBLE in typed fields and raw_data, INT32 and INT64 constants, unaligned raw data', () => {
  const third = 1 / 3; // not a float32: DOUBLE keeps it, FLOAT rounds it
  for (const [type, raw] of [['double', false], ['double', true], ['float', false], ['float', true]] as const) {
    const net = readOnnx(model([2], [node('Mul', ['x', 'c'], ['y'])], [tensor('c', [2], [third, -2], { type, raw })]));
    const c0 = type === 'double' ? third : Math.fround(third);
    assert.deepEqual(Array.from(net.layers[0].weights), [c0, 0, 0, -2], `${type} raw=${raw}`);
  }
  for (const [type, raw] of [['int32', false], ['int32', true], ['int64', false], ['int64', true]] as const) {
    const net = readOnnx(model([2], [node('Add', ['x', 'c'], ['y'])], [tensor('c', [2], [3, -7], { type, raw })]));
    assert.deepEqual(Array.from(net.layers[0].bias), [3, -7], `${type} raw=${raw}`);
  }
  // The same model read from an odd byte offset: raw data then sits unaligned in memory.
  const bytes = model([1, 3], [node('MatMul', ['x', 'W'], ['y'])], [tensor('W', [3, 2], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], { type: 'double', raw: true })]);
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes, 1);
  const a = readOnnx(bytes), b = readOnnx(padded.subarray(1));
  assert.deepEqual(Array.from(b.layers[0].weights), Array.from(a.layers[0].weights));
  assert.deepEqual(Array.from(a.layers[0].weights), [0.1, 0.3, 0.5, 0.2, 0.4, 0.6]);
});

test('old IR: initializers listed among graph inputs; the real input is the one that is not', () => {
  const net = readOnnx(acasLikeModel(), 'acas-like');
  assert.equal(net.inputSize, 5);
  assert.equal(net.outputSize, 3);
  assert.equal(net.layers.length, 2);
  assert.ok(net.source?.notes?.[0].startsWith('ONNX IR 3, opset 8'));
});

// ------------------------------------------------------------------ refusals

test('refuses Conv, Sigmoid and custom domains, naming the node, its op and the supported ops', () => {
  const conv = model([1, 1, 3, 3], [node('Conv', ['x', 'K'], ['y'], [attr.ints('kernel_shape', [2, 2])], 'conv1')], [tensor('K', [1, 1, 2, 2], [1, 1, 1, 1])]);
  const e = throwsCode(() => readOnnx(conv), 'ONNX_UNSUPPORTED_OP', 'conv1', 'Conv', 'Gemm, MatMul');
  assert.equal(e.issues[0].at, 'node conv1');
  throwsCode(() => readOnnx(model([2], [node('Sigmoid', ['x'], ['y'], [], 'sig')])), 'ONNX_UNSUPPORTED_OP', '"sig" (Sigmoid)', 'Relu');
  const custom = model([2], [{ ...node('Relu', ['x'], ['y'], [], 'myrelu'), domain: 'com.example' }]);
  throwsCode(() => readOnnx(custom), 'ONNX_UNSUPPORTED_OP', 'myrelu', 'com.example');
  // an unnamed node is named by position and output
  throwsCode(() => readOnnx(model([2], [node('Tanh', ['x'], ['y'])])), 'ONNX_UNSUPPORTED_OP', 'node #1 (Tanh, output "y")');
});

test('refuses graphs that are not chains: residual Add, MatMul of two data tensors, branches, extra inputs/outputs', () => {
  const W = tensor('W', [2, 2], [1, 0, 0, 1]);
  const residual = model([2], [
    node('MatMul', ['x', 'W'], ['h'], [], 'mm'),
    node('Relu', ['h'], ['r'], [], 'relu'),
    node('Add', ['r', 'x'], ['y'], [], 'residual_add'),
  ], [W]);
  throwsCode(() => readOnnx(residual), 'ONNX_NOT_A_CHAIN', '"x"');
  const twoData = model([2], [
    node('MatMul', ['x', 'W'], ['h'], [], 'mm'),
    node('MatMul', ['h', 'h'], ['y'], [], 'square'),
  ], [W]);
  throwsCode(() => readOnnx(twoData), 'ONNX_NOT_A_CHAIN', '"square" (MatMul)', 'both depend on the input');
  const sum = model([2], [
    node('MatMul', ['x', 'W'], ['a'], [], 'left'),
    node('Relu', ['a'], ['ra'], [], 'relu_a'),
    node('Relu', ['a'], ['rb'], [], 'relu_b'),
    node('Add', ['ra', 'rb'], ['y'], [], 'join'),
  ], [W]);
  const e = throwsCode(() => readOnnx(sum), 'ONNX_NOT_A_CHAIN', '"a"', 'relu_a', 'relu_b');
  assert.match(e.message, /used 2 times/);
  const deadBranch = model([2], [
    node('MatMul', ['x', 'W'], ['y'], [], 'main'),
    node('Relu', ['x'], ['unused'], [], 'side'),
  ], [W]);
  throwsCode(() => readOnnx(deadBranch), 'ONNX_NOT_A_CHAIN', 'used 2 times');
  const twoInputs = buildModel({ inputs: [{ name: 'x', dims: [2] }, { name: 'z', dims: [2] }], output: { name: 'y' }, nodes: [node('Add', ['x', 'z'], ['y'])] });
  throwsCode(() => readOnnx(twoInputs), 'ONNX_NOT_A_CHAIN', '"x", "z"');
  const twoOutputs = buildModel({ input: { name: 'x', dims: [2] }, outputs: [{ name: 'y' }, { name: 'r' }], nodes: [node('Relu', ['x'], ['r']), node('Identity', ['r'], ['y'])] });
  throwsCode(() => readOnnx(twoOutputs), 'ONNX_NOT_A_CHAIN', 'one graph output');
  const constOut = model([2], [node('Relu', ['x'], ['r']), node('Identity', ['W'], ['y'])], [W]);
  throwsCode(() => readOnnx(constOut), 'ONNX_NOT_A_CHAIN', 'depend on the input');
});

test('bad files: empty, truncated, random bytes, text, no graph', () => {
  throwsCode(() => readOnnx(new Uint8Array(0)), 'EMPTY_FILE', 'expected an ONNX ModelProto');
  const full = acasLikeModel();
  throwsCode(() => readOnnx(full.subarray(0, Math.floor(full.length * 0.6))), 'ONNX_DECODE', 'expected an ONNX ModelProto', 'truncated');
  const rng = new Rng(1);
  throwsCode(() => readOnnx(Uint8Array.from({ length: 200 }, () => rng.int(256))), 'ONNX_DECODE', 'expected an ONNX ModelProto');
  throwsCode(() => readOnnx(new TextEncoder().encode('// Neural network file\n7,5,5,50,\n')), 'ONNX_DECODE', 'text');
  // a valid protobuf message that is not a model: field 1 (ir_version) only
  throwsCode(() => readOnnx(Uint8Array.of(0x08, 0x07)), 'ONNX_DECODE', 'no graph');
});

test('missing tensors, bad attributes, bad tensors, NaN weights', () => {
  throwsCode(() => readOnnx(model([2], [node('MatMul', ['x', 'W_missing'], ['y'], [], 'mm')])), 'ONNX_MISSING_TENSOR', '"mm" (MatMul)', 'W_missing');
  const W = tensor('W', [2, 2], [1, 2, 3, 4]);
  throwsCode(() => readOnnx(model([1, 2], [node('Gemm', ['x', 'W'], ['y'], [attr.int('transA', 2)], 'g')], [W])), 'ONNX_BAD_ATTRIBUTE', '"g" (Gemm)', 'transA', '0 or 1', 'found 2');
  throwsCode(() => readOnnx(model([1, 2], [node('Gemm', ['x', 'W'], ['y'], [attr.int('alpha', 2)], 'g')], [W])), 'ONNX_BAD_ATTRIBUTE', 'alpha', 'FLOAT', 'found INT');
  throwsCode(() => readOnnx(model([1, 2], [node('Flatten', ['x'], ['y'], [attr.int('axis', 5)], 'fl')])), 'ONNX_BAD_ATTRIBUTE', '"fl" (Flatten)', 'axis', 'found 5');
  throwsCode(() => readOnnx(model([1, 2], [node('Squeeze', ['x'], ['y'], [attr.ints('axes', [1])], 'sq')])), 'ONNX_BAD_ATTRIBUTE', 'size 1', 'found size 2');
  throwsCode(() => readOnnx(model([2], [node('Constant', [], ['c'], [], 'k'), node('Add', ['x', 'c'], ['y'])])), 'ONNX_BAD_ATTRIBUTE', '"k" (Constant)');
  throwsCode(() => readOnnx(model([1, 3], [node('MatMul', ['x', 'W'], ['y'], [], 'mm')], [W])), 'SHAPE_MISMATCH', '"mm"', '[1,3]', '[2,2]');
  throwsCode(() => readOnnx(model([2], [node('Add', ['x', 'c'], ['y'])], [{ name: 'c', dims: [2], dataType: 1, floatData: [1] }])), 'ONNX_BAD_TENSOR', 'expected 2 values', 'found 1');
  throwsCode(() => readOnnx(model([2], [node('Add', ['x', 'c'], ['y'])], [{ name: 'c', dims: [2], dataType: 8 }])), 'ONNX_BAD_TENSOR', 'STRING');
  throwsCode(() => readOnnx(model([2, 'K'], [node('Relu', ['x'], ['y'])])), 'ONNX_BAD_TENSOR', 'fixed dimensions', '[2,K]');
  throwsCode(() => readOnnx(model([2], [node('MatMul', ['x', 'W'], ['y'])], [tensor('W', [2, 2], [1, NaN, 0, 1])])), 'NON_FINITE', 'NaN');
});

// ------------------------------------------------------------------ writer

test('writeOnnx -> readOnnx is the identity on weights (DOUBLE); FLOAT rounds to float32', () => {
  const rng = new Rng(3);
  const layer = (n: number, m: number, activation?: 'relu' | 'identity') => ({
    weights: Array.from({ length: m }, () => Array.from({ length: n }, () => rng.normal())),
    bias: Array.from({ length: m }, () => rng.normal()),
    activation,
  });
  const net = createNetwork([layer(3, 5), layer(5, 4), layer(4, 2)], { source: { format: 'memory', name: 'random' } });
  const back = readOnnx(writeOnnx(net));
  assert.equal(back.layers.length, 3);
  net.layers.forEach((l, i) => {
    assert.deepEqual(back.layers[i].weights, l.weights);
    assert.deepEqual(back.layers[i].bias, l.bias);
    assert.equal(back.layers[i].activation, l.activation);
  });
  const f = readOnnx(writeOnnx(net, { dataType: 'float' }));
  assert.deepEqual(Array.from(f.layers[1].weights), Array.from(net.layers[1].weights, Math.fround));
  // a network whose last layer is a ReLU keeps it
  const endRelu = createNetwork([layer(2, 3), layer(3, 2, 'relu')]);
  assert.deepEqual(readOnnx(writeOnnx(endRelu)).layers.map((l) => l.activation), ['relu', 'relu']);
  assert.deepEqual(SUPPORTED_ONNX_OPS.includes('Gemm'), true);
});

// ------------------------------------------------------------------ the bad-input corpus

const badDir = join(repoRoot, 'test', 'fixtures', 'bad', 'onnx');

test('bad-input corpus: every file fails with the code listed in expected.json', () => {
  const expected = JSON.parse(readFileSync(join(badDir, 'expected.json'), 'utf8')) as Record<string, ErrorCode>;
  const files = readdirSync(badDir).filter((f) => f.endsWith('.onnx')).sort();
  assert.deepEqual(files, Object.keys(expected).sort(), 'every .onnx file is listed in expected.json and vice versa');
  assert.ok(files.length >= 5);
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(join(badDir, f)));
    const e = throwsCode(() => readOnnx(bytes, f), expected[f]);
    assert.ok(e.message.length > 20, `${f}: a message that says what was expected and found`);
    assert.ok(/expected/.test(e.message), `${f}: ${e.message}`);
  }
});

// ------------------------------------------------------------------ benchmark data

const data = dataDir();

test('benchmark ONNX files read as dense ReLU chains; round trip through writeOnnx is exact', { skip: data ? false : NO_DATA }, () => {
  const dir = data as string;
  const sets: [string, string[], (n: Network) => void][] = [
    ['acasxu/onnx', readdirSync(join(dir, 'acasxu/onnx')).filter((f) => f.endsWith('.onnx')), (n) => {
      assert.equal(n.inputSize, 5);
      assert.deepEqual(n.layers.map((l) => l.outSize), [50, 50, 50, 50, 50, 50, 5]);
      assert.ok(n.source?.notes?.some((s) => s.includes('MatMul x·W W[5,50]')));
    }],
    ['mnistfc/onnx', readdirSync(join(dir, 'mnistfc/onnx')).filter((f) => f.endsWith('.onnx')), (n) => {
      assert.equal(n.inputSize, 784);
      assert.equal(n.outputSize, 10);
      assert.ok(n.source?.notes?.some((s) => s.includes('Gemm x·B[256,784], transB')));
    }],
    ['vcas', readdirSync(join(dir, 'vcas')).filter((f) => f.endsWith('.onnx')), (n) => {
      assert.equal(n.inputSize, 4);
      assert.equal(n.outputSize, 9);
      assert.equal(n.layers.length, 2);
      assert.ok(n.source?.notes?.some((s) => s.includes('MatMul W·x')));
    }],
  ];
  let count = 0;
  for (const [sub, files, check] of sets) {
    assert.ok(files.length > 0, sub);
    for (const f of files) {
      const net = readOnnx(new Uint8Array(readFileSync(join(dir, sub, f))), f);
      check(net);
      for (const l of net.layers) for (const w of l.weights) assert.equal(Math.fround(w), w, `${f}: float32 weights widen exactly`);
      if (count++ % 10 === 0) {
        const back = readOnnx(writeOnnx(net));
        net.layers.forEach((l, i) => {
          assert.deepEqual(back.layers[i].weights, l.weights);
          assert.deepEqual(back.layers[i].bias, l.bias);
        });
      }
    }
  }
  assert.equal(count, 45 + 3 + 13);
});
