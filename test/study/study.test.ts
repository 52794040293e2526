/**
 * The study of issue 7 in small: the 15 mnistfc images recovered bit for bit from their specs,
 * one image on 256x2 through every analysis of `npm run study` (certificates, dual checks,
 * determinism), the branch count against computePreimage on a slice (validated), and the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, NO_DATA } from '../helpers/data.js';
import { validateResult } from '../helpers/validate.js';
import { StudyData, classify, otherImage, runJob, type JobResult } from '../../src/study/jobs.js';
import { recoverImage } from '../../src/study/images.js';
import { checkDual } from '../../src/study/lp-dual.js';
import { pieceDimension } from '../../src/study/dimension.js';
import { pieceExtent } from '../../src/study/extent.js';
import { solveLp } from '../../src/lp/solve.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { evaluateLayers } from '../../src/network/evaluate.js';
import { countBranches } from '../../src/study/branches.js';
import { buildReport } from '../../src/study/report.js';

const dir = dataDir();
const skip = dir ? false : NO_DATA;
const data = dir ? new StudyData((rel) => new Uint8Array(readFileSync(join(dir, rel)))) : null;

test('checkDual certifies a small LP and catches a wrong optimum', () => {
  // min -x - y  s.t.  x + 2y <= 4, 3x + y <= 6, 0 <= x, y <= 10  (optimum at (1.6, 1.2), value -2.8)
  const p = { n: 2, c: Float64Array.of(-1, -1), A: Float64Array.of(1, 2, 3, 1), b: Float64Array.of(4, 6), m: 2, lower: Float64Array.of(0, 0), upper: Float64Array.of(10, 10) };
  const r = solveLp(p);
  const c = checkDual(p, r);
  assert.ok(c.ok, JSON.stringify(c));
  assert.ok(Math.abs(c.primal + 2.8) < 1e-12 && Math.abs(c.gap) < 1e-12);
  const bad = checkDual(p, { ...r, x: Float64Array.of(1, 1) });
  assert.equal(bad.ok, false, 'a suboptimal point leaves a duality gap');
});

test('pieceDimension: a box corner pins the coordinates an equality cannot free', () => {
  const piece = (Aeq: number[], beq: number) => ({ n: 3, layer: 1, A: new Float64Array(0), b: new Float64Array(0), m: 0, Aeq: Float64Array.from(Aeq), beq: Float64Array.of(beq), meq: 1, activity: new Float64Array(0), activeCounts: [1], activeUnits: [0] });
  const lo = new Float64Array(3), hi = new Float64Array(3).fill(1);
  // x0 + x1 = 0 at x = (0, 0, 0.5): in R^3 a plane (dim 2); in the box x0 = x1 = 0 are pinned: a segment (dim 1)
  const d = pieceDimension(piece([1, 1, 0], 0), [0, 0, 0.5], lo, hi);
  assert.deepEqual([d.dimAll, d.dimBox, d.pinned, d.atBound], [2, 1, 2, 2]);
  // x0 - x1 = 0 at the same point: the diagonal direction (1, 1, 0) stays inside, nothing is pinned
  const e = pieceDimension(piece([1, -1, 0], 0), [0, 0, 0.5], lo, hi);
  assert.deepEqual([e.dimAll, e.dimBox, e.pinned], [2, 2, 0]);
  // x0 + x1 + x2 = 0 at the origin: a single point, every coordinate pinned
  const f = pieceDimension(piece([1, 1, 1], 0), [0, 0, 0], lo, hi);
  assert.deepEqual([f.dimAll, f.dimBox, f.pinned], [2, 0, 3]);
  assert.match(f.pointReason!, /pinned/);
  const ext = pieceExtent(piece([1, 1, 0], 0), [0, 0, 0.5], lo, hi, { randomDirections: 2 });
  assert.ok(ext.linfExact && Math.abs(ext.linf - 0.5) < 1e-12, 'only x2 can move, by 0.5 either way');
  assert.ok(Math.abs(ext.l2Lower - 0.5) < 1e-12 && ext.l2Upper >= ext.l2Lower);
});

test('the 15 mnistfc images are recovered exactly and classified as their specs say', { skip }, () => {
  const labels: number[] = [];
  for (let i = 0; i < 15; i++) {
    const im = data!.image(i);
    assert.deepEqual(im.eps, [0.03, 0.05]);
    assert.ok(im.pixels.every((v, j) => v === Math.fround(im.levels[j] / 255)));
    assert.equal(classify(data!.mnist('256x2'), im.pixels), im.label);
    labels.push(im.label);
  }
  assert.deepEqual(labels, [8, 1, 0, 7, 2, 9, 3, 9, 6, 8, 0, 0, 9, 9, 1]);
  // a bound moved by one float32 ulp is refused, never rounded away
  const text = new TextDecoder().decode(readFileSync(join(dir!, 'mnistfc/vnnlib/prop_3_0.03.vnnlib')));
  const m = /\(assert \(>= X_300 ([0-9.]+)\)\)/.exec(text)!;
  const moved = text.replace(m[0], `(assert (>= X_300 ${Math.fround(Number(m[1]) * (1 + 2 ** -22))}))`);
  assert.throws(() => recoverImage([{ name: 'prop_3_0.03.vnnlib', text: moved }]), /does not reproduce/);
});

test('one image on 256x2: certified extents, dimensions and indistinguishable inputs, twice the same', { skip }, () => {
  const labels = Array.from({ length: 15 }, (_, i) => data!.image(i).label);
  const job = { kind: 'image' as const, net: '256x2', index: 0, other: otherImage(0, labels) };
  const r = runJob(job, data!) as Extract<JobResult, { kind: 'image' }>;
  const a = r.analysis;
  assert.equal(a.predicted, 8);
  assert.equal(a.layers.length, 2);
  for (const L of a.layers) {
    assert.ok(L.dualOk && L.maxGap <= 1e-7, `layer ${L.layer}: every LP passes its dual check`);
    for (const s of [L.linfInput, L.l2Input, L.nearest!.input]) {
      assert.ok(s.certificate.ok && s.certificate.relError <= 1e-9, `${s.what}: same activity`);
      assert.equal(s.certificate.predicted, 8);
    }
    assert.equal(L.dimAll, 784 - L.rankEq);
    assert.ok(L.rankEq <= Math.min(...L.activeCounts), 'rank is capped by the fewest active units so far');
    assert.ok(L.dimBox > 0 && L.dimBox <= L.dimAll);
    assert.ok(L.linfExact && L.linf <= 1 && L.linf > 0);
    assert.ok(L.l2Lower <= L.l2Upper && L.l2Lower >= L.linf);
    assert.ok(L.nearest!.l1 < L.nearest!.l1Original, 'the twin is closer to the other digit than the image is');
    assert.ok(L.nearest!.l1LowerBound <= L.nearest!.l1 + 1e-9);
  }
  const again = runJob({ ...job, layers: [1] }, data!) as Extract<JobResult, { kind: 'image' }>;
  const strip = (L: object) => JSON.stringify({ ...L, ms: 0 });
  assert.equal(strip(again.analysis.layers[0]), strip(a.layers[0]), 'deterministic');
  const files = buildReport({ results: [r], images: Array.from({ length: 15 }, (_, i) => data!.image(i)), predicted: { '256x2': labels }, quick: true });
  const md = files.find((f) => f.name === 'README.md')!.text;
  assert.match(md, /\| 256x2 \| 1 \| 5 \| 779 \| 779 \|/);
  assert.ok(files.some((f) => f.name === 'gallery-indistinguishable-256x2.svg' && f.png));
});

test('branches on a 6-pixel slice: the study count equals computePreimage (validated)', { skip }, () => {
  const net = data!.mnist('256x2');
  const x0 = data!.image(0).pixels;
  // free pixels: six of the digit's pixels; every other pixel fixed at the image
  const free = Array.from(x0.keys()).filter((j) => x0[j] > 0.3 && x0[j] < 0.9).slice(0, 6);
  const lower = Float64Array.from(x0), upper = Float64Array.from(x0);
  for (const j of free) { lower[j] = 0; upper[j] = 1; }
  const r = 0.2;
  const layer = 2;
  const activity = evaluateLayers(net, x0).activities[layer];
  const lo = Array.from(x0, (v, j) => Math.max(lower[j], v - r)), hi = Array.from(x0, (v, j) => Math.min(upper[j], v + r));
  const res = computePreimage(net, { kind: 'point', layer, activity }, { domain: { kind: 'box', lo, hi }, strategy: 'lp' });
  assert.equal(res.status, 'complete');
  assert.ok(res.pieces.length >= 1);
  validateResult(res, { net, samples: 200, seed: 5 });
  const b = countBranches(net, x0, layer, r, lower, upper, { maxNodes: 10000 });
  assert.equal(b.status, 'complete');
  assert.ok(b.certified);
  const pats = new Set(res.pieces.map((p) => p.pattern[0].join('')));
  assert.equal(b.branches, pats.size);
  assert.deepEqual(b.dims, res.pieces.map((p) => p.dim));
});
