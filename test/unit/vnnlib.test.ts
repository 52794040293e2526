import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseVnnlib } from '../../src/formats/vnnlib.js';
import type { VnnlibSpec } from '../../src/formats/vnnlib.js';
import { dataDir, dataPath, repoRoot, NO_DATA } from '../helpers/data.js';
import { errorOf } from '../helpers/asserts.js';

const examples = join(repoRoot, 'examples');
const badDir = join(repoRoot, 'test', 'fixtures', 'bad', 'vnnlib');
const noData = dataDir() ? false : NO_DATA;

/** The valid base file of test/fixtures/bad/vnnlib/README.md. */
const TINY = `; tiny property: 2 inputs, 1 output
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const Y_0 Real)

(assert (<= X_0 1.0))
(assert (>= X_0 -1.0))
(assert (<= X_1 0.5))
(assert (>= X_1 -0.5))

(assert (>= Y_0 0.25))
`;

const HEAD2x2 = '(declare-const X_0 Real)(declare-const X_1 Real)(declare-const Y_0 Real)(declare-const Y_1 Real)\n';
const BOX2 = '(assert (<= X_0 1))(assert (>= X_0 0))(assert (<= X_1 1))(assert (>= X_1 0))\n';

/** Polytope rows as readable strings "T_row <= t". */
function rows(spec: VnnlibSpec, p: number): string[] {
  const o = spec.output[p];
  return Array.from({ length: o.rows }, (_, r) => `${[...o.T.subarray(r * o.cols, (r + 1) * o.cols)].join(' ')} <= ${o.t[r]}`);
}

test('the tiny base property parses', () => {
  const s = parseVnnlib(TINY);
  assert.equal(s.inputSize, 2);
  assert.equal(s.outputSize, 1);
  assert.deepEqual(s.inputBoxes.map((b) => [[...b.lo], [...b.hi]]), [[[-1, -0.5], [1, 0.5]]]);
  assert.deepEqual(rows(s, 0), ['-1 <= -0.25']);
});

test('bundled ACAS Xu prop_1: one box, one half-space Y_0 >= 3.99...', () => {
  const s = parseVnnlib(readFileSync(join(examples, 'prop_1.vnnlib'), 'utf8'), { inputSize: 5, outputSize: 5 });
  assert.equal(s.inputBoxes.length, 1);
  assert.deepEqual([...s.inputBoxes[0].lo], [0.6, -0.5, -0.5, 0.45, -0.5]);
  assert.deepEqual([...s.inputBoxes[0].hi], [0.679857769, 0.5, 0.5, 0.5, -0.45]);
  assert.deepEqual(rows(s, 0), ['-1 0 0 0 0 <= -3.991125645861615']);
});

test('bundled ACAS Xu prop_6: two input boxes (a disjunction over inputs) and four output half-spaces', () => {
  const s = parseVnnlib(readFileSync(join(examples, 'prop_6.vnnlib')));
  assert.equal(s.inputBoxes.length, 2);
  assert.deepEqual([s.inputBoxes[0].lo[1], s.inputBoxes[0].hi[1]], [0.11140846, 0.499999896]);
  assert.deepEqual([s.inputBoxes[1].lo[1], s.inputBoxes[1].hi[1]], [-0.499999896, -0.11140846]);
  for (const b of s.inputBoxes) assert.deepEqual([b.lo[0], b.hi[0], b.lo[4], b.hi[4]], [-0.129289109, 0.700434925, -0.5, 0.5]);
  assert.equal(s.output.length, 4);
  assert.deepEqual(s.output.map((_, p) => rows(s, p)), [
    ['-1 1 0 0 0 <= 0'],
    ['-1 0 1 0 0 <= 0'],
    ['-1 0 0 1 0 <= 0'],
    ['-1 0 0 0 1 <= 0'],
  ]);
});

test('bundled ACAS Xu prop_7: one box, a disjunction of two 3-row polytopes', () => {
  const s = parseVnnlib(readFileSync(join(examples, 'prop_7.vnnlib'), 'utf8'));
  assert.equal(s.inputBoxes.length, 1);
  assert.deepEqual(s.output.map((_, p) => rows(s, p)), [
    ['-1 0 0 1 0 <= 0', '0 -1 0 1 0 <= 0', '0 0 -1 1 0 <= 0'],
    ['-1 0 0 0 1 <= 0', '0 -1 0 0 1 <= 0', '0 0 -1 0 1 <= 0'],
  ]);
});

test('linear terms: +, unary and n-ary -, * by constants, / by constants, numbers like .5, 1e-3, -0.5, chains and =', () => {
  const s = parseVnnlib(
    HEAD2x2 +
      BOX2 +
      `(assert (<= (+ Y_0 (* 2.0 Y_1) 1e-3) (- Y_1 .5)))   ; y0 + y1 <= -0.501
       (assert (>= (- Y_0) -0.5))                          ; y0 <= 0.5
       (assert (< (* Y_1 3 2) (/ 3 2)))                    ; strict: 6 y1 <= 1.5
       (assert (<= 0 Y_0 Y_1))                             ; chain: 0 <= y0, y0 <= y1
       (assert (= (- Y_0 Y_1 1) 2))                        ; y0 - y1 - 1 = 2
       (assert (> (/ Y_0 4) 1))`,
  );
  assert.deepEqual(rows(s, 0), [
    '1 1 <= -0.501',
    '1 0 <= 0.5',
    '0 6 <= 1.5',
    '-1 0 <= 0',
    '1 -1 <= 0',
    '1 -1 <= 3',
    '-1 1 <= -3',
    '-0.25 0 <= -1',
  ]);
});

test('strict comparisons are read as non-strict, comments and ignored commands are skipped, declare-fun works', () => {
  const a = parseVnnlib('(set-logic QF_LRA)\n(declare-fun X_0 () Real)(declare-const Y_0 Real) ; c\n(assert (< X_0 1))(assert (> X_0 0))(assert (< Y_0 0))\n(check-sat)(get-model)(exit)');
  const b = parseVnnlib('(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 1))(assert (>= X_0 0))(assert (<= Y_0 0))');
  assert.deepEqual(a, b);
});

test('input bounds with coefficients are divided out; the tightest of repeated bounds wins', () => {
  const s = parseVnnlib('(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= (* 2 X_0) 1))(assert (<= X_0 0.75))(assert (>= (- X_0) -3))(assert (>= X_0 -2))(assert (>= X_0 -1))');
  assert.deepEqual([s.inputBoxes[0].lo[0], s.inputBoxes[0].hi[0]], [-1, 0.5]);
  assert.equal(s.output.length, 1);
  assert.equal(s.output[0].rows, 0, 'no output constraint: the whole output space');
});

test('disjunctions over inputs and over outputs in separate assertions multiply out as boxes x polytopes', () => {
  const s = parseVnnlib(
    HEAD2x2 +
      '(assert (<= X_1 1))(assert (>= X_1 0))(assert (or (and (<= X_0 1) (>= X_0 0)) (and (<= X_0 3) (>= X_0 2)) (and (<= X_0 5) (>= X_0 4))))' +
      '(assert (or (<= Y_0 0) (<= Y_1 0)))(assert (or (>= Y_0 1) (>= Y_1 1)))',
  );
  assert.equal(s.inputBoxes.length, 3);
  assert.deepEqual(s.output.map((_, p) => rows(s, p)), [
    ['1 0 <= 0', '-1 0 <= -1'],
    ['1 0 <= 0', '0 -1 <= -1'],
    ['0 1 <= 0', '-1 0 <= -1'],
    ['0 1 <= 0', '0 -1 <= -1'],
  ]);
});

test('VNN-COMP mixed form (or (and X-bounds Y-constraints) ...) is accepted when the cases share their input box', () => {
  const bounds = '(<= X_0 1) (>= X_0 0) (<= X_1 1) (>= X_1 0)';
  const s = parseVnnlib(HEAD2x2 + `(assert (or (and ${bounds} (>= Y_0 Y_1)) (and ${bounds} (<= Y_0 -1) (<= Y_1 -1))))`);
  assert.equal(s.inputBoxes.length, 1);
  assert.deepEqual(s.output.map((_, p) => rows(s, p)), [['-1 1 <= 0'], ['1 0 <= -1', '0 1 <= -1']]);
  // the same output constraint with different boxes: several boxes, one polytope
  const t = parseVnnlib(HEAD2x2 + '(assert (<= X_1 1))(assert (>= X_1 0))(assert (or (and (<= X_0 1) (>= X_0 0) (>= Y_0 Y_1)) (and (<= X_0 3) (>= X_0 2) (>= Y_0 Y_1))))');
  assert.equal(t.inputBoxes.length, 2);
  assert.deepEqual(t.output.map((_, p) => rows(t, p)), [['-1 1 <= 0']]);
});

test('a constant false assertion makes both sets empty; constant true comparisons are dropped', () => {
  assert.deepEqual(parseVnnlib(TINY + '(assert (<= 1 0))').inputBoxes, []);
  assert.deepEqual(rows(parseVnnlib(TINY + '(assert (<= 0 1))(assert (<= Y_0 Y_0))'), 0), ['-1 <= -0.25']);
});

test('bytes with a BOM and CRLF line ends parse like the text', () => {
  const bytes = new TextEncoder().encode('\ufeff' + TINY.replace(/\n/g, '\r\n'));
  assert.deepEqual(parseVnnlib(bytes), parseVnnlib(TINY));
});

test('bad VNN-LIB corpus: every file fails with its expected code', () => {
  const expected = JSON.parse(readFileSync(join(badDir, 'expected.json'), 'utf8')) as Record<string, string>;
  const files = readdirSync(badDir).filter((f) => f.endsWith('.vnnlib')).sort();
  assert.deepEqual(files, Object.keys(expected).sort(), 'expected.json lists exactly the .vnnlib files');
  const codes = new Set<string>();
  for (const f of files) {
    const e = errorOf(() => parseVnnlib(readFileSync(join(badDir, f), 'utf8')));
    assert.equal(e.code, expected[f], `${f}: ${e.message}`);
    codes.add(e.code);
  }
  for (const c of ['VNNLIB_SYNTAX', 'VNNLIB_PARENTHESES', 'VNNLIB_UNDECLARED', 'VNNLIB_UNSUPPORTED', 'VNNLIB_DIMENSION', 'EMPTY_FILE', 'BAD_DOMAIN']) {
    assert.ok(codes.has(c), `corpus covers ${c}`);
  }
});

test('error locations and messages', () => {
  const bad = (f: string) => errorOf(() => parseVnnlib(readFileSync(join(badDir, f), 'utf8')));
  assert.equal(bad('undeclared.vnnlib').issues[0].at, 'line 10');
  assert.match(bad('undeclared.vnnlib').message, /"Y_1"/);
  assert.equal(bad('unclosed-paren.vnnlib').issues[0].at, 'line 7');
  assert.equal(bad('extra-paren.vnnlib').issues[0].at, 'line 8');
  assert.equal(bad('missing-lower.vnnlib').issues[0].message, 'expected lower and upper bounds for X_1, found only an upper bound');
  assert.equal(bad('missing-lower.vnnlib').issues[0].at, 'line 3', 'the declaration of X_1');
  assert.match(bad('nonlinear.vnnlib').message, /nonlinear/);
  assert.equal(bad('nonlinear.vnnlib').issues[0].at, 'line 10');
  assert.match(bad('paired-cases.vnnlib').message, /factor/);
  assert.match(bad('gap-in-inputs.vnnlib').message, /X_1 missing/);
  // a missing ')' in the middle of a long file is reported at the unclosed assertion, not at the end
  const long = TINY.replace('(assert (<= X_1 0.5))', '(assert (<= X_1 0.5)') + '(assert (<= Y_0 1))\n'.repeat(50);
  assert.equal(errorOf(() => parseVnnlib(long)).issues[0].at, 'line 8');
  const lower = errorOf(() => parseVnnlib(TINY.replace('(assert (<= X_1 0.5))', '')));
  assert.equal(lower.issues[0].message, 'expected lower and upper bounds for X_1, found only a lower bound');
  const inBox = errorOf(() => parseVnnlib(HEAD2x2 + '(assert (<= X_1 1))(assert (or (and (<= X_0 1) (>= X_0 0) (>= X_1 0)) (and (<= X_0 3) (>= X_0 2))))'));
  assert.equal(inBox.issues[0].message, 'expected lower and upper bounds for X_1, found only an upper bound in input box 2 of 2');
});

test('opts.inputSize / opts.outputSize must match the declarations', () => {
  assert.equal(errorOf(() => parseVnnlib(TINY, { inputSize: 5 })).code, 'VNNLIB_DIMENSION');
  assert.equal(errorOf(() => parseVnnlib(TINY, { outputSize: 10 })).code, 'VNNLIB_DIMENSION');
  assert.equal(parseVnnlib(TINY, { inputSize: 2, outputSize: 1 }).inputSize, 2);
});

/** [boxes, rows of each polytope] for each ACAS Xu property, read off the files. */
const ACAS_COUNTS: Record<number, [number, number[]]> = {
  1: [1, [1]],
  2: [1, [4]],
  3: [1, [4]],
  4: [1, [4]],
  5: [1, [1, 1, 1, 1]],
  6: [2, [1, 1, 1, 1]],
  7: [1, [3, 3]],
  8: [1, [2, 2, 2]],
  9: [1, [1, 1, 1, 1]],
  10: [1, [1, 1, 1, 1]],
};

test('all ACAS Xu VNN-LIB properties 1-10 parse with the right numbers of boxes and polytopes', { skip: noData }, () => {
  for (let p = 1; p <= 10; p++) {
    const s = parseVnnlib(readFileSync(dataPath('acasxu', 'vnnlib', `prop_${p}.vnnlib`), 'utf8'), { inputSize: 5, outputSize: 5 });
    const [boxes, polyRows] = ACAS_COUNTS[p];
    assert.equal(s.inputBoxes.length, boxes, `prop_${p} boxes`);
    assert.deepEqual(s.output.map((o) => o.rows), polyRows, `prop_${p} polytopes`);
    for (const b of s.inputBoxes) for (let i = 0; i < 5; i++) assert.ok(b.lo[i] <= b.hi[i] && b.lo[i] >= -0.5 - 1e-9 && b.hi[i] <= 0.71, `prop_${p} X_${i}`);
  }
  // prop_4 pins X_2 to a single value (0 <= X_2 <= 0): a degenerate box.
  const p4 = parseVnnlib(readFileSync(dataPath('acasxu', 'vnnlib', 'prop_4.vnnlib'), 'utf8'));
  assert.deepEqual([p4.inputBoxes[0].lo[2], p4.inputBoxes[0].hi[2]], [0, 0]);
  // The bundled copies are the data files byte for byte.
  for (const p of [1, 6, 7]) {
    assert.deepEqual(readFileSync(join(examples, `prop_${p}.vnnlib`)), readFileSync(dataPath('acasxu', 'vnnlib', `prop_${p}.vnnlib`)));
  }
});

test('all 30 mnistfc VNN-LIB files parse: 784 inputs, 10 outputs, 9 half-spaces "some class beats the label"', { skip: noData }, (t) => {
  const dir = dataPath('mnistfc', 'vnnlib');
  const files = readdirSync(dir).filter((f) => f.endsWith('.vnnlib')).sort();
  assert.equal(files.length, 30);
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
  files.forEach((f, k) => {
    const text = texts[k];
    const s = parseVnnlib(text, { inputSize: 784, outputSize: 10 });
    assert.equal(s.inputBoxes.length, 1, f);
    const eps = Number(/_([\d.]+)\.vnnlib$/.exec(f)![1]);
    const { lo, hi } = s.inputBoxes[0];
    for (let i = 0; i < 784; i++) {
      assert.ok(lo[i] >= 0 && hi[i] <= 1 && lo[i] <= hi[i] && hi[i] - lo[i] <= 2 * eps + 1e-6, `${f} X_${i}`);
    }
    const label = Number(/label: (\d)/.exec(text)![1]);
    assert.equal(s.output.length, 9, f);
    const others = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((c) => c !== label);
    s.output.forEach((o, j) => {
      // (>= Y_k Y_label)  <=>  Y_label - Y_k <= 0
      const want = new Float64Array(10);
      want[label] = 1;
      want[others[j]] = -1;
      assert.deepEqual([o.rows, [...o.T], [...o.t]], [1, [...want], [0]], `${f} polytope ${j}`);
    });
  });
  // Speed, after the pass above warmed up the JIT (a cold first parse costs 20-40 ms more on a
  // loaded 2-core machine): a few ms per 73 KB file. The median keeps the check robust to noise.
  // CPU time of this process (not wall time, which other processes on a busy machine inflate),
  // best of two runs per file.
  const cpuMs = (text: string): number => {
    const c0 = process.cpuUsage();
    parseVnnlib(text);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const times = texts.map((text) => Math.min(cpuMs(text), cpuMs(text)));
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  t.diagnostic(`mnistfc parse CPU time (best of 2): median ${median.toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms`);
  assert.ok(median < 15, `median parse time ${median.toFixed(2)} ms`);
});
