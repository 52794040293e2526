// End-to-end tests of `preimage plot`, in process through main(argv) (see cli.test.ts for why).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonNetwork } from '../../src/formats/json.js';
import { paperFigureNetwork } from '../helpers/networks.js';
import { runCli, type Run } from '../helpers/cli.js';

const VCAS = 'examples/VertCAS_21_1.onnx';
const ACAS = 'examples/ACASXU_run2a_1_1_batch_2000.nnet';
const dir = mkdtempSync(join(tmpdir(), 'preimage-plot-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PAPER = join(dir, 'paper.json');
writeFileSync(PAPER, writeJsonNetwork(paperFigureNetwork()));

const cli = runCli;

function assertOk(r: Run, file: string): string {
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^plot: \d+ linear regions.*; wrote .+\n$/);
  assert.equal(r.stdout.split('\n').length, 2, 'one summary line');
  assert.ok(r.stdout.includes(file));
  return readFileSync(file, 'utf8');
}

function assertUserError(r: Run, code: string): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^error ${code}: [^\\n]{10,}\\n$`));
}

test('plot VerticalCAS by class: a deterministic SVG with the requested digits', async () => {
  const a = join(dir, 'a.svg'), b = join(dir, 'b.svg'), c = join(dir, 'c.svg');
  const svgA = assertOk(await cli('plot', VCAS, '--out', a, '--fix', '0.15,0', '--range=-0.5:0.5,-0.5:0.5'), a);
  const svgB = assertOk(await cli('plot', VCAS, '--out', b, '--fix', '0.15,0', '--range=-0.5:0.5,-0.5:0.5'), b);
  assert.equal(svgA, svgB, 'same bytes twice');
  assert.ok(svgA.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svgA.includes('predicted class (argmax of the outputs)') && svgA.includes('x2 = 0.15, x3 = 0'), 'the title says what is shown');
  const svgC = assertOk(await cli('plot', VCAS, '--out', c, '--fix', '0.15,0', '--range=-0.5:0.5,-0.5:0.5', '--digits', '1'), c);
  const coords = [...svgC.matchAll(/ d="([^"]+)"/g)].flatMap((m) => m[1].match(/-?\d+(\.\d+)?/g) ?? []);
  assert.ok(coords.length > 100 && coords.every((x) => !/\.\d\d/.test(x)), 'at most one decimal with --digits 1');
});

test('plot ACAS Xu in raw units: advisory classes, a class preimage, a VNN-LIB preimage, PNG', async () => {
  const f = join(dir, 'acas.svg');
  const r = await cli('plot', ACAS, '--units', 'raw', '--dims', '0,1', '--fix', '0,750,400', '--range', '10000:30000,-1:1', '--argmin', '--out', f, '--class-names', 'COC,WL,WR,SL,SR');
  const svg = assertOk(r, f);
  assert.ok(svg.includes('raw units') && svg.includes('COC ('));
  const g = join(dir, 'acas-class.svg');
  assertOk(await cli('plot', ACAS, '--units', 'raw', '--fix', '0,750,400', '--range', '10000:30000,-1:1', '--class', '1', '--argmin', '--out', g), g);
  const h = join(dir, 'prop1.svg');
  const rh = await cli('plot', ACAS, 'examples/prop_1.vnnlib', '--units', 'raw', '--dims', '0,3', '--fix', '0,0,1200', '--range', '50000:60760,1000:1200', '--out', h);
  assert.ok(assertOk(rh, h).includes('preimage of the output set of prop_1.vnnlib'));
  const p = join(dir, 'acas.png');
  const rp = await cli('plot', ACAS, '--units', 'raw', '--fix', '0,750,400', '--range', '20000:30000,-0.5:0.5', '--argmin', '--out', p);
  assert.equal(rp.status, 0, rp.stderr);
  assert.deepEqual([...readFileSync(p).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
});

test('plot a point activity at a hidden layer: segments of the preimage on the plane', async () => {
  const f = join(dir, 'paper.svg');
  const r = await cli('plot', PAPER, '--activity', '0.5,0', '--target-layer', '1', '--range=-2:2,-2:2', '--out', f);
  const svg = assertOk(r, f);
  assert.match(r.stdout, /, 1 segment, /);
  assert.ok(svg.includes('preimage: 1 segment'));
  const g = join(dir, 'pattern.svg');
  assertOk(await cli('plot', PAPER, '--color', 'pattern', '--range=-2:2,-2:2', '--out', g), g);
});

test('plot errors are one line with a code and exit status 2', async () => {
  const o = join(dir, 'x.svg');
  assertUserError(await cli('plot', VCAS, '--out', join(dir, 'x.pdf')), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--dims', '0,0'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--dims', '0,7'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--color', 'rainbow'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--color', 'preimage'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--units', 'raw'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--range', '1:0,0:1'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--fix', '1,2,3'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--origin', '0,0,0,0', '--dir1', '1,0,0,0'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', VCAS, '--out', o, '--class', '99'), 'BAD_TARGET');
  assertUserError(await cli('plot', VCAS, '--out', o, '--digits', 'x'), 'BAD_ARGUMENT');
  assertUserError(await cli('plot', 'examples/nope.onnx', '--out', o), 'IO');
  assertUserError(await cli('plot', VCAS, '--out', join(dir, 'no', 'such', 'dir.svg')), 'IO');
  assertUserError(await cli('plot', VCAS), 'BAD_ARGUMENT');
});
