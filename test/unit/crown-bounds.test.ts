// Soundness of the verification bounds (src/preimage/bounds.ts: CROWN and optimised-slope bounds
// of every layer, row lower bounds), the root-bound step of verify (rootBoundCheck) and the PGD
// falsifier (src/analysis/falsify.ts), on seeded random networks against sampled forward
// evaluations, and on one mnistfc instance when the benchmark data is present; the LP's
// cornerStart against the warm start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { backSubstitute, crownBounds, optimizedRowLowerBound, rowLowerBound, type UnitBounds } from '../../src/preimage/bounds.js';
import { backward, forward, pgdSearch } from '../../src/analysis/falsify.js';
import { checkCounterexample, orderUnitsForSearch, rootBoundCheck, verifyProperty } from '../../src/analysis/verify.js';
import { readNetwork } from '../../src/formats/detect.js';
import { parseVnnlib, type VnnlibSpec } from '../../src/formats/vnnlib.js';
import type { Network } from '../../src/network/types.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { dataDir, dataPath, NO_DATA } from '../helpers/data.js';
import { feasibleLp } from '../helpers/lp-problems.js';
import { LpSession } from '../../src/lp/index.js';
import { computePreimage } from '../../src/preimage/engine.js';

function randomBox(rng: Rng, n: number, w: number): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(n), hi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.normal() * 0.5, r = w * (0.2 + rng.next());
    lo[i] = c - r;
    hi[i] = c + r;
  }
  return { lo, hi };
}

/** Samples of the box: uniform points and vertices (the extremes of the first layer). */
function samples(rng: Rng, lo: Float64Array, hi: Float64Array, count: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    out.push(lo.map((l, i) => (s % 3 === 0 ? (rng.next() < 0.5 ? l : hi[i]) : rng.uniform(l, hi[i]))));
  }
  return out;
}

const slack = (v: number) => 1e-9 * (1 + Math.abs(v));

function checkBounds(net: Network, b: UnitBounds, xs: Float64Array[]): void {
  for (const x of xs) {
    const f = forward(net.layers, x);
    f.pre.forEach((z, k) => {
      for (let i = 0; i < z.length; i++) {
        assert.ok(z[i] >= b.lo[k][i] - slack(z[i]), `layer ${k} unit ${i}: ${z[i]} below the bound ${b.lo[k][i]}`);
        assert.ok(z[i] <= b.hi[k][i] + slack(z[i]), `layer ${k} unit ${i}: ${z[i]} above the bound ${b.hi[k][i]}`);
      }
    });
  }
}

test('CROWN and optimised-slope unit bounds contain every sampled pre-activation (later layers may come out looser or tighter: the adaptive slopes are not monotone)', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 12; trial++) {
    const sizes = [2 + rng.int(5), 6 + rng.int(8), 6 + rng.int(8), ...(trial % 2 ? [5 + rng.int(6)] : []), 3];
    const net = randomNetwork(rng, sizes);
    const { lo, hi } = randomBox(rng, sizes[0], 0.3 + rng.next());
    const plain = crownBounds(net.layers, lo, hi);
    const opt = crownBounds(net.layers, lo, hi, 15);
    const xs = samples(rng, lo, hi, 400);
    checkBounds(net, plain, xs);
    checkBounds(net, opt, xs);
    // on the first layer after the input's, both start from the same bounds below: never looser
    for (let i = 0; i < plain.lo[1].length; i++) {
      assert.ok(opt.lo[1][i] >= plain.lo[1][i] - slack(plain.lo[1][i]) && opt.hi[1][i] <= plain.hi[1][i] + slack(plain.hi[1][i]), `trial ${trial} unit ${i}`);
    }
  }
});

test('row lower bounds: the one-row back-substitution equals the batched one, every slope choice is below the sampled minimum, the gradient is exact', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 10; trial++) {
    const sizes = [3 + rng.int(4), 8, 7, 4];
    const net = randomNetwork(rng, sizes);
    const K = net.layers.length - 1;
    const { lo, hi } = randomBox(rng, sizes[0], 0.5);
    const b = crownBounds(net.layers, lo, hi);
    const a = Float64Array.from({ length: 4 }, () => rng.normal());
    const r = rowLowerBound(net.layers, K, a, lo, hi, b);
    const batched = backSubstitute(net.layers, K, a, new Float64Array(1), 1, lo, hi, b, false)[0];
    assert.ok(Math.abs(r.bound - batched) <= 1e-9 * (1 + Math.abs(batched)), `${r.bound} vs ${batched}`);
    let min = Infinity;
    for (const x of samples(rng, lo, hi, 500)) {
      const y = forward(net.layers, x).y;
      min = Math.min(min, y.reduce((s, v, j) => s + v * a[j], 0));
    }
    // random slopes in [0, 1] are sound too, and so is the optimised bound
    const alpha = b.lo.slice(0, K).map((l) => l.map(() => rng.next()));
    const ra = rowLowerBound(net.layers, K, a, lo, hi, b, alpha);
    assert.ok(ra.bound <= min + slack(min), `random slopes: ${ra.bound} > sampled min ${min}`);
    const o = optimizedRowLowerBound(net.layers, K, a, lo, hi, b, 40);
    assert.ok(o <= min + slack(min), `optimised: ${o} > sampled min ${min}`);
    assert.ok(o >= r.bound - slack(r.bound), 'the optimisation starts from the adaptive slopes and keeps the best');
    // the slope gradient against a finite difference (the bound is piecewise linear in each slope)
    for (let q = 0; q < K; q++) {
      for (let j = 0; j < alpha[q].length; j++) {
        if (ra.gradAlpha[q][j] === 0) continue;
        const h = 1e-7, al2 = alpha.map((v) => Float64Array.from(v));
        al2[q][j] = alpha[q][j] + (alpha[q][j] < 0.5 ? h : -h);
        const d = (rowLowerBound(net.layers, K, a, lo, hi, b, al2).bound - ra.bound) / (al2[q][j] - alpha[q][j]);
        assert.ok(Math.abs(d - ra.gradAlpha[q][j]) <= 1e-4 * (1 + Math.abs(d)), `layer ${q} unit ${j}: gradient ${ra.gradAlpha[q][j]} vs difference ${d}`);
      }
    }
  }
});

test('rootBoundCheck: a polytope it proves unreachable holds no sampled output; a reached one stays open', () => {
  const rng = new Rng(5);
  let proved = 0;
  for (let trial = 0; trial < 16; trial++) {
    const net = randomNetwork(rng, [3, 10, 10, 3]);
    const { lo, hi } = randomBox(rng, 3, 0.2 + 0.4 * rng.next());
    const xs = samples(rng, lo, hi, 300);
    const ys = xs.map((x) => forward(net.layers, x).y);
    // unsafe: y_j - y_0 >= t_j for j = 1, 2 (t_j around the sampled range)
    const output = [1, 2].map((j) => {
      const d = ys.map((y) => y[j] - y[0]);
      const t = Math.max(...d) + (rng.next() - 0.6) * (Math.max(...d) - Math.min(...d));
      const T = new Float64Array(3);
      T[0] = 1;
      T[j] = -1;
      return { T, t: Float64Array.of(-t), rows: 1, cols: 3 };
    });
    const spec = { inputSize: 3, outputSize: 3, inputBoxes: [{ lo: Array.from(lo), hi: Array.from(hi) }], output } as unknown as VnnlibSpec;
    const { open, stats } = rootBoundCheck(net, spec);
    proved += stats.proven;
    for (let p = 0; p < output.length; p++) {
      const reached = ys.some((y) => output[p].T[0] * y[0] + output[p].T[p + 1] * y[p + 1] <= output[p].t[0]);
      if (reached) assert.ok(open.includes(p), `trial ${trial}: polytope ${p} is reached by a sample but proved unreachable`);
    }
  }
  assert.ok(proved > 0, 'some polytopes were proved unreachable');
});

test('PGD gradient: backward() is the exact gradient on the linear region (finite differences)', () => {
  const rng = new Rng(3);
  const net = randomNetwork(rng, [5, 9, 9, 3]);
  const x = Float64Array.from({ length: 5 }, () => rng.normal());
  const f = forward(net.layers, x);
  const g = Float64Array.of(1, -2, 0.5);
  const grad = backward(net.layers, f, Float64Array.from(g));
  const val = (p: Float64Array) => forward(net.layers, p).y.reduce((s, v, j) => s + v * g[j], 0);
  for (let i = 0; i < 5; i++) {
    const h = 1e-7, p = Float64Array.from(x);
    p[i] += h;
    assert.ok(Math.abs((val(p) - val(x)) / h - grad[i]) < 1e-5, `coordinate ${i}`);
  }
});

test('PGD finds a planted counterexample deterministically; its point passes the exact check', () => {
  const rng = new Rng(9);
  const net = randomNetwork(rng, [6, 12, 12, 2]);
  const lo = new Float64Array(6).fill(-1), hi = new Float64Array(6).fill(1);
  // unsafe: y_1 - y_0 >= m, with m just below the largest sampled margin (rare, not at the centre)
  const ys = samples(rng, lo, hi, 2000).map((x) => forward(net.layers, x).y);
  const best = Math.max(...ys.map((y) => y[1] - y[0]));
  const spec = { inputSize: 6, outputSize: 2, inputBoxes: [{ lo: Array.from(lo), hi: Array.from(hi) }], output: [{ T: Float64Array.of(1, -1), t: Float64Array.of(-0.98 * best), rows: 1, cols: 2 }] } as unknown as VnnlibSpec;
  const run = () => {
    const stats = { restarts: 0, gradientSteps: 0 };
    const x = pgdSearch(net, spec, { stopAt: performance.now() + 20_000, seed: 4, maxRestarts: 200 }, stats, (p) => checkCounterexample(net, spec, p).ok);
    return { x, stats };
  };
  const a = run(), b = run();
  assert.ok(a.x, 'found');
  assert.ok(checkCounterexample(net, spec, a.x).ok);
  assert.deepEqual(Array.from(a.x), Array.from(b.x as Float64Array), 'same seed, same point');
  assert.deepEqual(a.stats, b.stats);
});

const noData = dataDir() ? false : NO_DATA;

test('mnistfc 256x2: PGD finds prop_7_0.03 (the search needed 39 s) in a second; prop_8_0.03 is unsat by the root bounds alone', { skip: noData }, () => {
  const net = readNetwork(new Uint8Array(readFileSync(dataPath('mnistfc', 'onnx', 'mnist-net_256x2.onnx'))), 'mnist-net_256x2.onnx');
  const spec = (p: string) => parseVnnlib(readFileSync(dataPath('mnistfc', 'vnnlib', `${p}.vnnlib`), 'utf8'));
  const s7 = spec('prop_7_0.03');
  const r = verifyProperty(net, s7, { timeLimitMs: 60_000, falsifyMs: 10_000 });
  assert.equal(r.result, 'sat', r.reason);
  assert.equal(r.counterexample?.method, 'falsification');
  assert.ok(checkCounterexample(net, s7, r.counterexample!.x).ok, 'the counterexample passes the exact check');
  const s8 = spec('prop_8_0.03');
  const u = verifyProperty(net, s8, { timeLimitMs: 60_000 });
  assert.equal(u.result, 'unsat', u.reason);
  assert.equal(u.bounds?.proven, s8.output.length);
  assert.equal(u.stats.nodes, 0, 'no search');
});

test('LP cornerStart (the search\'s LPs in verification): the same status and optimum as the warm start, on boxed LPs with rows added and objectives changed', () => {
  const rng = new Rng(21);
  for (let trial = 0; trial < 6; trial++) {
    const n = 40 + rng.int(60), m = 5 + rng.int(25);
    const p = feasibleLp(rng, n, m, { bounds: 'box', tight: trial % 2 ? 0.3 : 0 });
    const warm = new LpSession(p), corner = new LpSession(p);
    for (let step = 0; step < 8; step++) {
      if (step % 3 === 2) {
        // a random cut through the current optimum's neighbourhood
        const a = Float64Array.from({ length: n }, () => rng.normal());
        const b = rng.normal();
        warm.addRow(a, b);
        corner.addRow(a, b);
      }
      const c = Float64Array.from({ length: n }, () => rng.normal());
      warm.setObjective(c);
      corner.setObjective(c);
      const rw = warm.solve(), rc = corner.solve({ cornerStart: true });
      assert.equal(rc.status, rw.status, `trial ${trial} step ${step}`);
      if (rw.status === 'optimal') {
        const ow = rw.objective as number, oc = rc.objective as number;
        assert.ok(Math.abs(ow - oc) <= 1e-7 * (1 + Math.abs(ow)), `trial ${trial} step ${step}: ${oc} vs ${ow}`);
      }
    }
  }
});

test('orderUnitsForSearch computes the same function; verify with bounds, reordering and corner-start LPs answers as the plain search does (random 60-input networks)', () => {
  const rng = new Rng(33);
  const seen = new Set<string>();
  for (let trial = 0; trial < 10; trial++) {
    const net = randomNetwork(rng, [60, 12, 10, 3]);
    const lo = Array.from({ length: 60 }, () => rng.normal() * 0.5);
    const w = 0.05 + 0.25 * rng.next();
    const hi = lo.map((v) => v + w);
    const ys = samples(rng, Float64Array.from(lo), Float64Array.from(hi), 300).map((x) => forward(net.layers, x).y);
    // unsafe: y_1 >= y_0 + t_1 or y_2 >= y_0 + t_2 (t_j around the sampled maxima: some hold, some not)
    const output = [1, 2].map((j) => {
      const best = Math.max(...ys.map((y) => y[j] - y[0]));
      const t = best + (rng.next() - 0.2) * 0.3 * (1 + Math.abs(best));
      const T = new Float64Array(3);
      T[0] = 1;
      T[j] = -1;
      return { T, t: Float64Array.of(-t), rows: 1, cols: 3 };
    });
    const spec = { inputSize: 60, outputSize: 3, inputBoxes: [{ lo, hi }], output } as unknown as VnnlibSpec;
    const b = crownBounds(net.layers, Float64Array.from(lo), Float64Array.from(hi), 6);
    const perm = orderUnitsForSearch(net, spec, b);
    for (const x of samples(rng, Float64Array.from(lo), Float64Array.from(hi), 20)) {
      const y0 = forward(net.layers, x).y, y1 = forward(perm.layers, x).y;
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(y0[j] - y1[j]) <= 1e-12 * (1 + Math.abs(y0[j])));
    }
    const fast = verifyProperty(net, spec, { timeLimitMs: 60_000, falsify: false });
    const plain = verifyProperty(net, spec, { timeLimitMs: 60_000, falsify: false, bounds: false, orderUnits: false });
    assert.ok(fast.result === 'sat' || fast.result === 'unsat', fast.reason);
    assert.equal(fast.result, plain.result, `trial ${trial}`);
    // and as the preimage search without any verification switch (compute mode) finds pieces or not
    const pre = computePreimage(net, { kind: 'vnnlib', spec }, { geometry: false, volumes: false, certificates: false, maxPieces: 1 });
    assert.equal(pre.pieces.length > 0 ? 'sat' : 'unsat', fast.result, `trial ${trial}: compute mode`);
    if (fast.result === 'sat') assert.ok(checkCounterexample(net, spec, fast.counterexample!.x).ok);
    seen.add(fast.result);
  }
  assert.equal(seen.size, 2, 'both answers occur');
});
