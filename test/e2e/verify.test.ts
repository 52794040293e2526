// End-to-end tests of verification (VNN-COMP answers): verifyProperty on small ACAS Xu instances
// with known answers (sat and unsat, a disjunctive output set, prop_6's two input boxes), the
// `verify` command, and the result-file contract of vnncomp_scripts/run_instance.sh run with bash.
// Instances were picked for speed (measured on the 2-core machine, under load): 1_1 prop_1 unsat
// ~1 s; 1_1 prop_7 sat by the search ~2 s; 2_1 prop_4 unsat ~0.3 s; 2_1 prop_6 sat in its second
// input box; 1_2 prop_8 sat by the search in its second output polytope ~0.3 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkCounterexample, formatVnncompResult, parseVnncompResult, verifyProperty, type VerifyReport } from '../../src/analysis/verify.js';
import { readNetwork } from '../../src/formats/detect.js';
import { parseVnnlib, type VnnlibSpec } from '../../src/formats/vnnlib.js';
import { evaluate } from '../../src/network/evaluate.js';
import type { Network } from '../../src/network/types.js';
import { dataDir, dataPath, NO_DATA, repoRoot } from '../helpers/data.js';
import { runCli, type Run } from '../helpers/cli.js';

const NNET = join(repoRoot, 'examples', 'ACASXU_run2a_1_1_batch_2000.nnet');
const EX = (f: string) => join(repoRoot, 'examples', f);
const noData = dataDir() ? false : NO_DATA;

let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'relu-preimage-verify-'));
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function loadNet(path: string): Network {
  return readNetwork(new Uint8Array(readFileSync(path)), path.split('/').pop());
}
function loadSpec(path: string): VnnlibSpec {
  return parseVnnlib(readFileSync(path, 'utf8'));
}
function acas(a: string): Network {
  return loadNet(dataPath('acasxu', 'onnx', `ACASXU_run2a_${a}_batch_2000.onnx`));
}
function prop(k: number): VnnlibSpec {
  return loadSpec(dataPath('acasxu', 'vnnlib', `prop_${k}.vnnlib`));
}

/** A sat answer's counterexample, checked independently: in a box, exact output in a polytope, float output close. */
function assertCounterexample(net: Network, spec: VnnlibSpec, r: VerifyReport): void {
  assert.equal(r.result, 'sat', r.reason);
  const cx = r.counterexample!;
  assert.ok(cx, 'a sat answer carries a counterexample');
  const { lo, hi } = spec.inputBoxes[cx.box];
  cx.x.forEach((v, i) => assert.ok(v >= lo[i] && v <= hi[i], `X_${i} = ${v} outside box ${cx.box} [${lo[i]}, ${hi[i]}]`));
  const c = checkCounterexample(net, spec, cx.x);
  assert.ok(c.ok, c.reason);
  assert.ok(cx.margin >= 0);
  // the float evaluation agrees with the reported (exact, rounded) output
  const y = evaluate(net, cx.x);
  cx.y.forEach((v, i) => assert.ok(Math.abs(v - y[i]) <= 1e-9 * (1 + Math.abs(v)), `Y_${i}: reported ${v}, float ${y[i]}`));
  // and the output satisfies every row of the polytope named
  const P = spec.output[cx.polytope];
  for (let r0 = 0; r0 < P.rows; r0++) {
    let s = -P.t[r0];
    for (let j = 0; j < P.cols; j++) s += P.T[r0 * P.cols + j] * cx.y[j];
    assert.ok(s <= 1e-12, `row ${r0} of polytope ${cx.polytope} violated by ${s}`);
  }
}

test('1_1 prop_1 (examples/, .nnet): unsat from a complete, sliver-free search', () => {
  const net = loadNet(NNET), spec = loadSpec(EX('prop_1.vnnlib'));
  const r = verifyProperty(net, spec, { timeLimitMs: 60_000 });
  assert.equal(r.result, 'unsat', r.reason);
  assert.equal(r.status, 'complete');
  assert.equal(r.stats.pieces, 0);
  assert.equal(r.stats.slivers, 0);
  assert.ok(r.stats.nodes > 0, 'the search ran');
  assert.equal(r.falsification?.found, false, 'falsification ran first and found nothing');
  assert.equal(formatVnncompResult(r), 'unsat\n');
});

test('1_1 prop_7 (disjunctive output set): sat, by falsification and by the search alone', () => {
  const net = loadNet(NNET), spec = loadSpec(EX('prop_7.vnnlib'));
  assert.equal(spec.output.length, 2, 'prop_7 is a union of two polytopes');
  const quick = verifyProperty(net, spec, { timeLimitMs: 60_000 });
  assertCounterexample(net, spec, quick);
  const searched = verifyProperty(net, spec, { timeLimitMs: 60_000, falsify: false });
  assertCounterexample(net, spec, searched);
  assert.equal(searched.counterexample!.method, 'search');
  assert.equal(searched.stats.pieces, 1, 'the search stopped at its first piece');
  assert.equal(searched.status, 'incomplete_budget');
});

test('1_1 prop_6 (two input boxes, 1 min to prove): a short limit answers timeout', () => {
  const net = loadNet(NNET), spec = loadSpec(EX('prop_6.vnnlib'));
  assert.equal(spec.inputBoxes.length, 2);
  const r = verifyProperty(net, spec, { timeLimitMs: 400 });
  assert.equal(r.result, 'timeout');
  assert.equal(formatVnncompResult(r), 'timeout\n');
});

test('2_1 prop_4: unsat; 1_7 prop_3 and 1_7 prop_4: sat', { skip: noData }, () => {
  const r = verifyProperty(acas('2_1'), prop(4), { timeLimitMs: 60_000 });
  assert.equal(r.result, 'unsat', r.reason);
  assert.equal(r.status, 'complete');
  for (const k of [3, 4]) {
    const net = acas('1_7'), spec = prop(k);
    assertCounterexample(net, spec, verifyProperty(net, spec, { timeLimitMs: 60_000 }));
  }
});

test("2_1 prop_6: the counterexample lies in prop_6's second input box", { skip: noData }, () => {
  const net = acas('2_1'), spec = prop(6);
  assert.equal(spec.inputBoxes.length, 2);
  const r = verifyProperty(net, spec, { timeLimitMs: 60_000 });
  assertCounterexample(net, spec, r);
  assert.equal(r.counterexample!.box, 1);
  assert.equal(inBoxes(spec, r.counterexample!.x).join(), '1', 'only the second box contains it');
});

test('1_2 prop_8 by the search alone: the piece found lies in the second output polytope', { skip: noData }, () => {
  const net = acas('1_2'), spec = prop(8);
  const r = verifyProperty(net, spec, { timeLimitMs: 60_000, falsify: false });
  assertCounterexample(net, spec, r);
  assert.equal(r.counterexample!.method, 'search');
  assert.equal(r.counterexample!.polytope, 1);
});

test('all: the counterexample set streams into a result (time-limited), every piece certified', { skip: noData }, () => {
  const net = acas('1_2'), spec = prop(8);
  const r = verifyProperty(net, spec, { all: true, timeLimitMs: 1500 });
  assert.equal(r.result, 'sat');
  const res = r.preimage!;
  assert.equal(res.format, 'relu-preimage/result@1');
  assert.ok(res.pieces.length > 0);
  assert.equal(r.falsification, undefined, 'no falsification with all');
  for (const p of res.pieces) assert.ok(p.certificate?.witnessInPiece && p.certificate.patternReproduced && p.certificate.targetAtWitness, `piece ${p.id}`);
});

function inBoxes(spec: VnnlibSpec, x: number[]): number[] {
  return spec.inputBoxes.flatMap((b, k) => (x.every((v, i) => v >= b.lo[i] && v <= b.hi[i]) ? [k] : []));
}

test('VNN-COMP text: full-precision numbers that read back to the same doubles', () => {
  const report = { result: 'sat' as const, counterexample: { x: [0.1, -1 / 3, 1e-7, -0], y: [2 / 3, -12345.678901234567], box: 0, polytope: 0, margin: 0, floatMargin: 0, method: 'search' as const } };
  const text = formatVnncompResult(report);
  assert.match(text, /^sat\n\(\(X_0 0\.1\)\n \(X_1 -0\.3333333333333333\)\n \(X_2 1e-7\)\n \(X_3 0\)\n \(Y_0 0\.6666666666666666\)\n \(Y_1 -12345\.678901234567\)\)\n$/);
  const back = parseVnncompResult(text);
  assert.equal(back.result, 'sat');
  assert.deepEqual(back.x, [0.1, -1 / 3, 1e-7, 0]);
  assert.deepEqual(back.y, [2 / 3, -12345.678901234567]);
  assert.equal(formatVnncompResult({ result: 'unknown' }), 'unknown\n');
});

test('checkCounterexample: a point outside the boxes or outside the unsafe set is refused', () => {
  const net = loadNet(NNET), spec = loadSpec(EX('prop_1.vnnlib'));
  const { lo, hi } = spec.inputBoxes[0];
  const centre = Array.from(lo, (v, i) => (v + hi[i]) / 2);
  const inside = checkCounterexample(net, spec, centre);
  assert.equal(inside.box, 0);
  assert.equal(inside.ok, false, 'prop_1 holds: the centre is no counterexample');
  assert.match(inside.reason ?? '', /outside every unsafe polytope/);
  const outside = checkCounterexample(net, spec, centre.map((v, i) => (i === 0 ? hi[0] + 1 : v)));
  assert.equal(outside.box, -1);
  assert.match(outside.reason ?? '', /outside every input box/);
});

test('a spec over other dimensions is the answer error (with its code), not an exception', () => {
  const net = loadNet(NNET);
  const spec = parseVnnlib('(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 0))\n(assert (<= Y_0 0))\n');
  const r = verifyProperty(net, spec);
  assert.equal(r.result, 'error');
  assert.equal(r.code, 'VNNLIB_DIMENSION');
  assert.equal(formatVnncompResult(r), 'error\n');
});

// ---------------------------------------------------------------------------------------------
// the command, in this process

const cli = runCli;

test('preimage verify: the VNN-COMP text on stdout and in --out; --json; --all', async () => {
  const outFile = join(tmp, 'cli-result.txt');
  const r = await cli('verify', NNET, EX('prop_7.vnnlib'), '--timeout', '60', '--out', outFile);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^sat\n\(\(X_0 [-0-9.e]+\)\n( \([XY]_\d [-0-9.e]+\)\n){8} \(Y_4 [-0-9.e]+\)\)\n$/);
  assert.equal(readFileSync(outFile, 'utf8'), r.stdout);
  const j = await cli('verify', NNET, EX('prop_1.vnnlib'), '--json');
  assert.equal(j.status, 0, j.stderr);
  const rep = JSON.parse(j.stdout) as VerifyReport;
  assert.equal(rep.result, 'unsat');
  assert.equal(rep.status, 'complete');
  const all = await cli('verify', NNET, EX('prop_1.vnnlib'), '--all');
  assert.equal(all.status, 0, all.stderr);
  const res = JSON.parse(all.stdout);
  assert.equal(res.format, 'relu-preimage/result@1');
  assert.equal(res.status, 'complete');
  assert.equal(res.pieces.length, 0, 'prop_1 holds: the counterexample set is empty');
});

test('preimage verify: bad input is one error line, exit 2, and the result file says error', async () => {
  const outFile = join(tmp, 'bad-result.txt');
  const bad = join(tmp, 'bad.vnnlib');
  writeFileSync(bad, '(declare-const X_0 Real)\n(assert (<= X_0 1)\n');
  const r = await cli('verify', NNET, bad, '--out', outFile);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error VNNLIB_PARENTHESES: [^\n]+\n$/);
  assert.equal(readFileSync(outFile, 'utf8'), 'error\n');
  const missing = await cli('verify', NNET, join(tmp, 'nope.vnnlib'), '--out', outFile);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^error IO: [^\n]+\n$/);
  const t = await cli('verify', NNET, EX('prop_1.vnnlib'), '--timeout', '-1');
  assert.equal(t.status, 2);
  assert.match(t.stderr, /^error BAD_ARGUMENT: expected --timeout/);
});

// ---------------------------------------------------------------------------------------------
// real processes: run_instance.sh (bash + node) and the CLI's exit status

function spawnRun(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const e = { ...process.env, ...env };
    delete e.NODE_TEST_CONTEXT;
    const child = spawn(cmd, args, { cwd: repoRoot, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

const RUN = join(repoRoot, 'vnncomp_scripts', 'run_instance.sh');

test('run_instance.sh: gzipped inputs, result file = sat + a counterexample that re-evaluates into the unsafe set', async () => {
  // gzipped copies, as VNN-COMP ships them
  const model = join(tmp, 'net.nnet.gz'), specGz = join(tmp, 'prop_7.vnnlib.gz'), results = join(tmp, 'results.txt');
  writeFileSync(model, gzipSync(readFileSync(NNET)));
  writeFileSync(specGz, gzipSync(readFileSync(EX('prop_7.vnnlib'))));
  const [sat, bad, prep] = await Promise.all([
    spawnRun('bash', [RUN, 'v1', 'acasxu', model, specGz, results, '60'], { PREIMAGE_FROM_SOURCE: '1' }),
    spawnRun('bash', [RUN, 'v1', 'acasxu', model, join(tmp, 'missing.vnnlib'), join(tmp, 'results-bad.txt'), '60'], { PREIMAGE_FROM_SOURCE: '1' }),
    spawnRun('bash', [join(repoRoot, 'vnncomp_scripts', 'prepare_instance.sh'), 'v1', 'acasxu', model, specGz]),
  ]);
  assert.equal(sat.status, 0, sat.stdout + sat.stderr);
  const text = readFileSync(results, 'utf8');
  const lines = text.split('\n');
  assert.equal(lines[0], 'sat');
  assert.match(text, /^sat\n\(\(X_0 \S+\)\n( \(X_[1-4] \S+\)\n){4}( \(Y_[0-3] \S+\)\n){4} \(Y_4 \S+\)\)\n$/);
  const back = parseVnncompResult(text);
  const net = loadNet(NNET), spec = loadSpec(EX('prop_7.vnnlib'));
  assert.equal(back.x.length, 5);
  const c = checkCounterexample(net, spec, back.x);
  assert.ok(c.ok, `the counterexample re-evaluates into the unsafe set: ${c.reason}`);
  back.y.forEach((v, i) => assert.ok(Math.abs(v - c.y[i]) <= 1e-12 * (1 + Math.abs(v)), `Y_${i}`));
  // bad input: the result file says error
  assert.equal(bad.status, 0);
  assert.equal(readFileSync(join(tmp, 'results-bad.txt'), 'utf8'), 'error\n');
  assert.match(bad.stderr, /^error IO: /m);
  assert.equal(prep.status, 0);
  // a wrong version string is refused
  const v2 = await spawnRun('bash', [RUN, 'v2', 'acasxu', model, specGz, results, '60']);
  assert.equal(v2.status, 1);
});

test('preimage verify as a process: exit 2 and one stderr line for an unreadable spec', async () => {
  const r = await spawnRun(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'verify', NNET, join(tmp, 'missing.vnnlib')]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error IO: expected a readable file at \S+, found no such file\n$/);
});
