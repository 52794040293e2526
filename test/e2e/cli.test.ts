// End-to-end tests of the `preimage` command. Spawning `node --import tsx` costs about half a
// second per process, so a handful of real processes (run concurrently) prove the exit status and
// the one-line stderr of the real binary, and everything else goes through `main(argv)` in this
// process with process.stdout/stderr.write captured.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildProgram } from '../../src/cli/main.js';
import { PreimageError } from '../../src/errors.js';
import { readJsonNetwork } from '../../src/formats/json.js';
import { readNnet } from '../../src/formats/nnet.js';
import { readOnnx } from '../../src/formats/onnx/index.js';
import { parseVnnlib } from '../../src/formats/vnnlib.js';
import { evaluate, evaluateLayers } from '../../src/network/evaluate.js';
import { denormalizeOutput, normalizeInput } from '../../src/network/normalization.js';
import type { Network } from '../../src/network/types.js';
import { Rng } from '../../src/util/rng.js';
import { repoRoot } from '../helpers/data.js';
import { runCli, type Run } from '../helpers/cli.js';

const VCAS = 'examples/VertCAS_21_1.onnx';
const ACAS = 'examples/ACASXU_run2a_1_1_batch_2000.nnet';
const BAD = join(repoRoot, 'test', 'fixtures', 'bad');
/** File extension of each bad-input corpus. */
const CORPORA = { onnx: '.onnx', nnet: '.nnet', json: '.json', vnnlib: '.vnnlib' } as const;
/** One error line as the CLI promises it: `error CODE: message`. */
const ERROR_LINE = /^error ([A-Z_]+): (.+)$/;
/** A raw ACAS Xu input inside the file's bounds (rho ft, theta rad, psi rad, v_own ft/s, v_int ft/s). */
const ACAS_RAW = [21000, 0.5, -1.2, 640, 720];

let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'relu-preimage-e2e-'));
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs the real binary (`node --import tsx src/cli/bin.ts ...`) from the repository root. */
function spawnCli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    delete env.PREIMAGE_DEBUG;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

const cli = runCli;

/** Exit status 2, nothing on stdout, exactly one `error CODE: message` line on stderr, no stack trace; returns the code. */
function assertUserError(r: Run, what: string, code?: string): string {
  assert.equal(r.status, 2, `${what}: exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  assert.ok(r.stderr.endsWith('\n'), `${what}: stderr ends with a newline`);
  const lines = r.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `${what}: exactly one line on stderr, found ${JSON.stringify(r.stderr)}`);
  assert.ok(!/^\s+at /m.test(r.stderr), `${what}: no stack trace`);
  const m = ERROR_LINE.exec(lines[0]);
  assert.ok(m, `${what}: "error CODE: message", found ${JSON.stringify(lines[0])}`);
  if (code) assert.equal(m[1], code, `${what}: ${lines[0]}`);
  assert.ok(m[2].length > 10, `${what}: a message that says something`);
  return m[1];
}

function assertOk(r: Run, what: string): void {
  assert.equal(r.status, 0, `${what}: exit status (stderr: ${r.stderr})`);
}

/** Bad files of one corpus with their expected codes; expected.json must list exactly the files there. */
function corpus(kind: keyof typeof CORPORA): [string, string][] {
  const dir = join(BAD, kind);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, string>;
  const files = readdirSync(dir).filter((f) => f.endsWith(CORPORA[kind]) && f !== 'expected.json').sort();
  assert.deepEqual(files, Object.keys(expected).sort(), `${kind}: expected.json lists exactly the corpus files`);
  return files.map((f) => [relative(repoRoot, join(dir, f)), expected[f]]);
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} !== ${b[i]}`);
}

/** Bit-identical outputs at seeded inputs in [-0.5, 0.5]^n (both networks in the same coordinates). */
function assertSameEvaluation(a: Network, b: Network, what: string, seed = 1): void {
  const rng = new Rng(seed);
  for (let k = 0; k < 30; k++) {
    const x = Array.from({ length: a.inputSize }, () => rng.uniform(-0.5, 0.5));
    sameBits(evaluate(a, x), evaluate(b, x), `${what}: output at sample ${k}`);
  }
}

const readFile = (p: string) => readFileSync(join(repoRoot, p));

// ---------------------------------------------------------------------------------------------
// Real processes: exit status and output of the actual binary.

test('real processes: success, a bad file, a bad option (exit status, one stderr line, no stack trace)', async () => {
  const [info, badFile, unknownOption] = await Promise.all([
    spawnCli(['info', VCAS]),
    spawnCli(['info', 'test/fixtures/bad/onnx/conv.onnx']),
    spawnCli(['info', VCAS, '--jsn']),
  ]);

  assertOk(info, 'info');
  assert.equal(info.stderr, '');
  assert.match(info.stdout, /^VertCAS_21_1\.onnx \(onnx\)\ninput size +4\noutput size +9\n/);

  assertUserError(badFile, 'info conv.onnx', 'ONNX_UNSUPPORTED_OP');
  assert.match(badFile.stderr, /"conv1" \(Conv\)/, 'names the node and its operator');
  assertUserError(unknownOption, 'unknown option with a suggestion', 'BAD_ARGUMENT');
});

// ---------------------------------------------------------------------------------------------
// info

test('info: text for ONNX (sizes, layers, parameters, no normalisation)', async () => {
  const r = await cli('info', VCAS);
  assertOk(r, 'info');
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines, [
    'VertCAS_21_1.onnx (onnx)',
    'input size      4',
    'output size     9',
    'layers          21 relu -> 9 linear',
    'ReLU units      21',
    'parameters      303', // 4*21 + 21 + 21*9 + 9
    'normalisation   none',
  ]);
});

test('info --json for ONNX and for .nnet, with the .nnet normalisation block exactly as in the file', async () => {
  const o = await cli('info', VCAS, '--json');
  assertOk(o, 'info --json onnx');
  const oi = JSON.parse(o.stdout);
  assert.equal(oi.format, 'onnx');
  assert.equal(oi.inputSize, 4);
  assert.equal(oi.outputSize, 9);
  assert.deepEqual(oi.layers, [{ inSize: 4, outSize: 21, activation: 'relu' }, { inSize: 21, outSize: 9, activation: 'identity' }]);
  assert.deepEqual(oi.hiddenWidths, [21]);
  assert.equal(oi.parameters, 303);
  assert.equal(oi.normalization, null);

  const n = await cli('info', ACAS, '--json');
  assertOk(n, 'info --json nnet');
  const ni = JSON.parse(n.stdout);
  assert.equal(ni.format, 'nnet');
  assert.equal(ni.name, 'ACASXU_run2a_1_1_batch_2000.nnet');
  assert.deepEqual(ni.hiddenWidths, [50, 50, 50, 50, 50, 50]);
  assert.equal(ni.reluUnits, 300);
  assert.equal(ni.parameters, 5 * 50 + 50 + 5 * (50 * 50 + 50) + 50 * 5 + 5);
  // Lines 6-9 of the file, as written there.
  assert.deepEqual(ni.normalization, {
    inputMin: [0, -3.141593, -3.141593, 100, 0],
    inputMax: [60760, 3.141593, 3.141593, 1200, 1200],
    inputMean: [19791.091, 0, 0, 650, 600],
    inputRange: [60261, 6.28318530718, 6.28318530718, 1100, 1200],
    outputMean: 7.5188840201005975,
    outputRange: 373.94992,
  });
});

test('info: text for .nnet prints the normalisation block', async () => {
  const r = await cli('info', ACAS);
  assertOk(r, 'info nnet');
  assert.match(r.stdout, /^layers +50 relu -> 50 relu -> 50 relu -> 50 relu -> 50 relu -> 50 relu -> 5 linear$/m);
  assert.match(r.stdout, /^normalisation +x_norm = \(x_raw - mean\) \/ range; +y_raw = y_norm \* outputRange \+ outputMean$/m);
  assert.match(r.stdout, /^ +input min +0, -3\.14159, -3\.14159, 100, 0$/m);
  assert.match(r.stdout, /^ +input max +60760, 3\.14159, 3\.14159, 1200, 1200$/m);
  assert.match(r.stdout, /^ +input mean +19791\.1, 0, 0, 650, 600$/m);
  assert.match(r.stdout, /^ +input range +60261, 6\.28319, 6\.28319, 1100, 1200$/m);
  assert.match(r.stdout, /^ +output mean +7\.5188840201005975 +output range 373\.94992$/m);
});

// ---------------------------------------------------------------------------------------------
// eval

test('eval: text and --json outputs equal the library evaluation', async () => {
  const net = readOnnx(readFile(VCAS), 'v.onnx');
  const x = [0.1, -0.2, 0.15, 0.3];
  const y = evaluate(net, x);
  const t = await cli('eval', VCAS, '--input', x.join(','));
  assertOk(t, 'eval text');
  const m = /^output: (.*)\n$/.exec(t.stdout);
  assert.ok(m, `one output line, found ${JSON.stringify(t.stdout)}`);
  const printed = m[1].split(', ').map(Number);
  assert.equal(printed.length, 9);
  printed.forEach((v, i) => assert.ok(Math.abs(v - y[i]) <= 1e-9 * Math.max(1, Math.abs(y[i])), `output ${i}: printed ${v}, exact ${y[i]}`));

  const j = await cli('eval', VCAS, '--input', x.join(' '), '--json'); // spaces separate too
  assertOk(j, 'eval --json');
  const res = JSON.parse(j.stdout);
  assert.equal(res.units, 'normalized');
  assert.deepEqual(res.input, x);
  assert.deepEqual(res.output, Array.from(y), 'JSON numbers round-trip exactly');
  assert.equal(res.layers, undefined);
});

test('eval --layers: every layer\'s activity, text and JSON', async () => {
  const net = readNnet(readFile(ACAS), 'a.nnet');
  const x = [0.1, 0.2, -0.3, 0.4, -0.1];
  const { activities } = evaluateLayers(net, x);
  assert.equal(activities.length, 8);

  const j = await cli('eval', ACAS, '--input', x.join(','), '--layers', '--json');
  assertOk(j, 'eval --layers --json');
  const res = JSON.parse(j.stdout);
  assert.equal(res.layers.length, 8, 'input, 6 hidden layers and the output');
  res.layers.forEach((a: number[], l: number) => assert.deepEqual(a, Array.from(activities[l]), `layer ${l}`));
  assert.deepEqual(res.output, res.layers[7]);
  assert.ok(res.layers.slice(1, 7).every((a: number[]) => a.every((v) => v >= 0)), 'hidden activities are post-ReLU');

  const t = await cli('eval', ACAS, '--input', x.join(','), '--layers');
  assertOk(t, 'eval --layers');
  const lines = t.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 8);
  lines.slice(0, 7).forEach((line, l) => assert.ok(line.startsWith(`layer ${l}: `), line));
  assert.ok(lines[7].startsWith('layer 7 (output): '), lines[7]);
  assert.equal(lines[1].slice('layer 1: '.length).split(', ').length, 50);
});

test('eval --units raw vs normalized on .nnet: raw = normalise, evaluate, denormalise', async () => {
  const net = readNnet(readFile(ACAS), 'a.nnet');
  const n = net.normalization!;
  const raw = await cli('eval', ACAS, '--input', ACAS_RAW.join(','), '--units', 'raw', '--json');
  assertOk(raw, 'eval --units raw');
  assert.equal(raw.stderr, '', 'no warning inside the bounds');
  const r = JSON.parse(raw.stdout);
  assert.equal(r.units, 'raw');
  assert.deepEqual(r.input, ACAS_RAW);
  // x_norm = (x_raw - mean) / range, with the file's constants
  assert.deepEqual(r.normalizedInput, ACAS_RAW.map((v, i) => (v - n.inputMean[i]) / n.inputRange[i]));

  // The same point given in normalised units gives the normalised outputs...
  const norm = await cli('eval', ACAS, '--input', r.normalizedInput.map(String).join(','), '--units', 'normalized', '--json');
  assertOk(norm, 'eval --units normalized');
  const nr = JSON.parse(norm.stdout);
  assert.equal(nr.units, 'normalized');
  assert.deepEqual(nr.output, r.normalizedOutput);
  assert.deepEqual(nr.output, Array.from(evaluate(net, r.normalizedInput)));
  // ...and the raw outputs are those numbers denormalised: y_raw = y_norm * outputRange + outputMean.
  assert.deepEqual(r.output, nr.output.map((y: number) => y * 373.94992 + 7.5188840201005975));
  // normalized is the default
  const def = await cli('eval', ACAS, '--input', r.normalizedInput.map(String).join(','), '--json');
  assert.deepEqual(JSON.parse(def.stdout).output, nr.output);
  // the raw outputs really differ from the normalised ones (the conversion is not a no-op)
  assert.ok(r.output.every((v: number, i: number) => Math.abs(v - nr.output[i]) > 0.1), `raw ${r.output} vs normalised ${nr.output}`);

  const text = await cli('eval', ACAS, '--input', ACAS_RAW.join(','), '--units', 'raw');
  assertOk(text, 'eval --units raw text');
  assert.match(text.stdout, /^output \(raw units\): /);
});

test('eval --units raw outside the file\'s bounds warns on stderr, does not clip, exits 0', async () => {
  const net = readNnet(readFile(ACAS), 'a.nnet');
  const x = [70000, 0, 0, 650, 600];
  const r = await cli('eval', ACAS, '--input', x.join(','), '--units', 'raw', '--json');
  assertOk(r, 'out of bounds');
  assert.match(r.stderr, /^warning: input 0 = 70000 is outside the file's range \[0, 60760\] \(not clipped\)\n$/);
  assert.deepEqual(JSON.parse(r.stdout).output, Array.from(denormalizeOutput(net, evaluate(net, normalizeInput(net, x)))));
});

test('eval: bad --input, --units and missing values are one-line BAD_ARGUMENT errors', async () => {
  assertUserError(await cli('eval', VCAS, '--input', '1,2'), 'too few inputs', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', VCAS, '--input', '1,2,x,4'), 'not a number', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', VCAS, '--input', '1,2,NaN,4'), 'NaN', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', VCAS, '--input', '1,2,1e400,4'), 'overflow', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', VCAS, '--input', '1,2,3,4', '--units', 'raw'), '--units raw without normalisation', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', ACAS, '--input', '1,2,3,4,5', '--units', 'meters'), 'unknown units', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', VCAS), 'missing --input', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', VCAS, '--input'), '--input without a value', 'BAD_ARGUMENT');
});

test('eval --input: an empty entry is an error (regression: "1,,2,3,4" was silently read as 1,2,3,4) and hex is not a number', async () => {
  const r = await cli('eval', VCAS, '--input', '1,,2,3,4');
  assertUserError(r, 'empty entry', 'BAD_ARGUMENT');
  assert.match(r.stderr, /found an empty entry at position 2/);
  assertUserError(await cli('eval', VCAS, '--input', '1, ,2,3'), 'blank entry', 'BAD_ARGUMENT');
  assertUserError(await cli('eval', VCAS, '--input', '0x10,0,0,0'), 'hexadecimal', 'BAD_ARGUMENT');
  // accepted spellings: commas with or without spaces, spaces alone, one trailing comma, .5, +1, 3., exponents
  const want = JSON.parse((await cli('eval', VCAS, '--input', '0.5,1,-0.2,3', '--json')).stdout).output;
  for (const text of ['0.5, 1, -0.2, 3', '0.5 1 -0.2 3', ' 0.5,1,-0.2,3, ', '.5,+1,-2e-1,3.']) {
    const r2 = await cli('eval', VCAS, '--input', text, '--json');
    assertOk(r2, JSON.stringify(text));
    assert.deepEqual(JSON.parse(r2.stdout).output, want, JSON.stringify(text));
  }
});

// ---------------------------------------------------------------------------------------------
// convert

test('convert .nnet -> json (stdout) -> onnx -> nnet: weights, normalisation and evaluation preserved', async () => {
  const orig = readNnet(readFile(ACAS), 'a.nnet');
  const toJson = await cli('convert', ACAS);
  assertOk(toJson, 'convert to json (default)');
  const viaJson = readJsonNetwork(toJson.stdout, 'a.json');
  assert.deepEqual(viaJson.normalization, orig.normalization, 'normalisation kept in JSON');
  assertSameEvaluation(orig, viaJson, 'nnet -> json');

  const jsonFile = join(tmp, 'acas.json');
  writeFileSync(jsonFile, toJson.stdout);
  const onnxFile = join(tmp, 'acas-from-json.onnx');
  assertOk(await cli('convert', jsonFile, '--to', 'onnx', '--out', onnxFile), 'json -> onnx');
  const viaOnnx = readOnnx(readFileSync(onnxFile), 'x.onnx');
  assert.equal(viaOnnx.normalization, undefined, 'writeOnnx leaves out the .nnet normalisation');
  assertSameEvaluation(orig, viaOnnx, 'nnet -> json -> onnx (DOUBLE tensors)');

  const back = await cli('convert', onnxFile, '--to', 'nnet');
  assertOk(back, 'onnx -> nnet (stdout)');
  const viaNnet = readNnet(back.stdout, 'y.nnet');
  orig.layers.forEach((l, k) => {
    sameBits(viaNnet.layers[k].weights, l.weights, `layer ${k + 1} weights`);
    sameBits(viaNnet.layers[k].bias, l.bias, `layer ${k + 1} bias`);
  });
  assertSameEvaluation(orig, viaNnet, 'nnet -> json -> onnx -> nnet');

  // straight .nnet -> .nnet keeps the normalisation (format from --out's extension)
  const nnetFile = join(tmp, 'acas-again.nnet');
  assertOk(await cli('convert', ACAS, '--out', nnetFile), 'nnet -> nnet by extension');
  assert.deepEqual(readNnet(readFileSync(nnetFile), 'z.nnet').normalization, orig.normalization);
});

test('convert ONNX -> json / nnet / onnx files and back: identical evaluation', async () => {
  const orig = readOnnx(readFile(VCAS), 'v.onnx');
  for (const to of ['json', 'nnet', 'onnx'] as const) {
    const file = join(tmp, `vcas.${to}`);
    const r = await cli('convert', VCAS, '--to', to, '--out', file);
    assertOk(r, `convert --to ${to}`);
    assert.equal(r.stdout, '', `--out ${to}: nothing on stdout`);
    const bytes = readFileSync(file);
    const net = to === 'json' ? readJsonNetwork(bytes, file) : to === 'nnet' ? readNnet(bytes, file) : readOnnx(bytes, file);
    assertSameEvaluation(orig, net, `onnx -> ${to}`, 7);
    // and the converted file itself is readable by the CLI
    const info = await cli('info', file, '--json');
    assertOk(info, `info on the ${to} output`);
    assert.equal(JSON.parse(info.stdout).parameters, 303);
  }
});

test('convert: refusals are one-line errors (ReLU output to .nnet, ONNX to stdout, unknown format, unwritable path)', async () => {
  const reluOut = join(tmp, 'relu-output.json');
  writeFileSync(reluOut, JSON.stringify({ format: 'relu-preimage/network', version: 1, inputSize: 2, layers: [{ activation: 'relu', weights: [[1, 2]], bias: [0] }] }));
  assertUserError(await cli('convert', reluOut, '--to', 'nnet'), 'ReLU output to .nnet', 'BAD_ACTIVATION');
  assertUserError(await cli('convert', VCAS, '--to', 'onnx'), 'ONNX without --out', 'BAD_ARGUMENT');
  assertUserError(await cli('convert', VCAS, '--to', 'tflite'), 'unknown --to', 'BAD_ARGUMENT');
  assertUserError(await cli('convert', VCAS, '--out', join(tmp, 'no-such-dir', 'x.json')), 'unwritable --out', 'IO');
});

// ---------------------------------------------------------------------------------------------
// bad input

for (const kind of ['onnx', 'nnet', 'json'] as const) {
  test(`bad ${kind} corpus: \`preimage info <file>\` exits 2 with one line "error <expected code>: ..." for every file`, async () => {
    const files = corpus(kind);
    assert.ok(files.length >= 8);
    for (const [file, code] of files) assertUserError(await cli('info', file), file, code);
  });
}

test('a VNN-LIB property given as a network is UNKNOWN_FORMAT (regression: it was read as binary ONNX and failed as ONNX_DECODE)', async () => {
  const r = await cli('info', 'examples/prop_1.vnnlib');
  assertUserError(r, 'info prop_1.vnnlib', 'UNKNOWN_FORMAT');
  assert.match(r.stderr, /VNN-LIB property/);
});

/** A 2-input, 1-output network: the size of the VNN-LIB corpus' base property. */
function tinyModel(): string {
  const p = join(tmp, 'tiny-2-1.json');
  writeFileSync(p, JSON.stringify({ format: 'relu-preimage/network', version: 1, inputSize: 2, layers: [{ activation: 'relu', weights: [[1, -1], [0.5, 1]], bias: [0, 0.1] }, { activation: 'identity', weights: [[1, -1]], bias: [0] }] }));
  return p;
}

const hasCompute = buildProgram().commands.some((c) => c.name() === 'compute');

test('bad vnnlib corpus: `preimage compute <model> <spec>` exits 2 with one line "error <expected code>: ..." for every file', { skip: hasCompute ? false : 'preimage compute is not registered in src/cli/main.ts yet; the corpus is checked through parseVnnlib below' }, async () => {
  const model = tinyModel();
  for (const [file, code] of corpus('vnnlib')) assertUserError(await cli('compute', model, file, '--quiet'), file, code);
});

test('bad vnnlib corpus through the library: parseVnnlib with the sizes of a 2-input, 1-output model throws the expected code', () => {
  for (const [file, code] of corpus('vnnlib')) {
    try {
      parseVnnlib(readFile(file), { inputSize: 2, outputSize: 1 });
      assert.fail(`${file}: expected ${code}, parsed without error`);
    } catch (e) {
      assert.ok(e instanceof PreimageError, `${file}: ${e}`);
      assert.equal(e.code, code, `${file}: ${e.message}`);
      assert.ok(!e.message.includes('\n'), `${file}: a one-line message`);
    }
  }
});

test('missing, unreadable and directory paths are one-line IO errors', async () => {
  assertUserError(await cli('info', 'no/such/file.onnx'), 'missing file', 'IO');
  assertUserError(await cli('info', 'examples'), 'a directory', 'IO');
  assertUserError(await cli('eval', 'no-such.nnet', '--input', '1'), 'eval on a missing file', 'IO');
});

// ---------------------------------------------------------------------------------------------
// argument errors

test('unknown command, unknown option, missing argument, too many arguments, no command: exit 2 with one BAD_ARGUMENT line', async () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['frobnicate', VCAS], /unknown command 'frobnicate'/],
    ['unknown command with a suggestion (regression: "(Did you mean info?)" came on a second line)', ['infoo', VCAS], /unknown command 'infoo' \(Did you mean info\?\)/],
    ['unknown option with a suggestion (regression: second line)', ['info', VCAS, '--jsn'], /unknown option '--jsn' \(Did you mean --json\?\)/],
    ['unknown option', ['eval', VCAS, '--input', '1,2,3,4', '--frobnicate'], /unknown option '--frobnicate'/],
    ['missing argument', ['info'], /missing required argument 'model'/],
    ['missing argument of convert', ['convert'], /missing required argument 'model'/],
    ['too many arguments', ['info', VCAS, VCAS], /too many arguments/],
    ['missing required option', ['eval', VCAS], /required option '--input <values>' not specified/],
    // regression: with no command, commander printed the whole help on stderr followed by "error BAD_ARGUMENT: (outputHelp)"
    ['no command at all', [], /^expected a command \(info, eval, convert.*\), found none$/],
    ['help for an unknown command', ['help', 'frobnicate'], /expected a command/],
  ];
  for (const [what, argv, message] of cases) {
    const r = await cli(...argv);
    assertUserError(r, what, 'BAD_ARGUMENT');
    assert.match(r.stderr.slice('error BAD_ARGUMENT: '.length).trimEnd(), message, what);
  }
});

test('--help, help <command> and --version exit 0 and print on stdout only', async () => {
  for (const argv of [['--help'], ['help', 'eval'], ['eval', '--help'], ['--version']]) {
    const r = await cli(...argv);
    assertOk(r, argv.join(' '));
    assert.equal(r.stderr, '', `${argv.join(' ')}: nothing on stderr`);
    assert.ok(r.stdout.length > 0);
  }
  assert.match((await cli('--help')).stdout, /^Usage: preimage /);
  assert.match((await cli('eval', '--help')).stdout, /--units <units>/);
  assert.equal((await cli('--version')).stdout, '0.1.0\n');
});
