// Per-node work of the verification search (src/preimage/search.ts, verifyTuning; bounds.ts
// symbolicReachable with per-node LP bounds of crossing units and optimised row slopes; the box
// dual simplex, src/lp/box-dual.ts): on seeded random 60-input networks, verify answers as with
// the per-node tightening off and as the compute-mode search; every node it prunes holds no
// unsafe point (points of the node's region from LPs with random objectives and their convex
// combinations, evaluated on the network); and the answer and counterexample do not depend on
// the number of threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCounterexample, verifyProperty, verifyPropertyParallel } from '../../src/analysis/verify.js';
import { forward } from '../../src/analysis/falsify.js';
import type { VnnlibSpec } from '../../src/formats/vnnlib.js';
import type { Layer, Network } from '../../src/network/types.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { verifyTuning } from '../../src/preimage/search.js';
import type { Row } from '../../src/preimage/rows.js';
import { solveBoxLp } from '../../src/lp/box-dual.js';
import { randomNetwork, Rng } from '../helpers/networks.js';

function randomSpec(rng: Rng, net: Network, n: number): VnnlibSpec {
  const lo = Array.from({ length: n }, () => rng.normal() * 0.5);
  const w = 0.05 + 0.3 * rng.next();
  const hi = lo.map((v) => v + w);
  const ys: Float64Array[] = [];
  for (let s = 0; s < 300; s++) ys.push(forward(net.layers, lo.map((l, i) => (s % 3 === 0 ? (rng.next() < 0.5 ? l : hi[i]) : rng.uniform(l, hi[i])))).y);
  // unsafe: y_j >= y_0 + t_j (t_j around the sampled maxima: some reached, some not)
  const output = [1, 2].map((j) => {
    const best = Math.max(...ys.map((y) => y[j] - y[0]));
    const t = best + (rng.next() - 0.15) * 0.4 * (1 + Math.abs(best));
    const T = new Float64Array(3);
    T[0] = 1;
    T[j] = -1;
    return { T, t: Float64Array.of(-t), rows: 1, cols: 3 };
  });
  return { inputSize: n, outputSize: 3, inputBoxes: [{ lo, hi }], output } as unknown as VnnlibSpec;
}

/** Largest depth of y in the unsafe polytopes (> 0: strictly inside one). */
function unsafeDepth(spec: VnnlibSpec, y: ArrayLike<number>): number {
  let best = -Infinity;
  for (const P of spec.output) {
    let worst = Infinity;
    for (let r = 0; r < P.rows; r++) {
      let s = P.t[r];
      for (let j = 0; j < P.cols; j++) s -= P.T[r * P.cols + j] * y[j];
      worst = Math.min(worst, s);
    }
    best = Math.max(best, worst);
  }
  return best;
}

/** Points of the region {rows} ∩ [lo, hi]: LP optima for random objectives and their mixtures. */
function regionPoints(rng: Rng, rows: Row[], lo: Float64Array, hi: Float64Array, count: number): Float64Array[] {
  const n = lo.length;
  const verts: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    const c = new Float64Array(n);
    for (let j = 0; j < n; j++) c[j] = rng.normal();
    const r = solveBoxLp(n, rows, lo, hi, c);
    if (r.status === 'optimal') verts.push(r.x as Float64Array);
  }
  const out = verts.slice();
  for (let k = 0; k < 2 * count && verts.length > 1; k++) {
    const wts = verts.map(() => rng.next());
    const sum = wts.reduce((a, b) => a + b, 0);
    const x = new Float64Array(n);
    verts.forEach((v, i) => { for (let j = 0; j < n; j++) x[j] += (wts[i] / sum) * v[j]; });
    out.push(x);
  }
  return out;
}

test('per-node tightening: the same answers with it off and in compute mode; pruned nodes hold no unsafe point', () => {
  const rng = new Rng(71);
  const seen = new Set<string>();
  let pruned = 0, checked = 0;
  try {
    for (let trial = 0; trial < 8; trial++) {
      const net = randomNetwork(rng, [60, 12, 10, 3]);
      const spec = randomSpec(rng, net, 60);
      const regions: { rows: Row[]; lo: Float64Array; hi: Float64Array; layers: Layer[] }[] = [];
      verifyTuning.onPrune = (rows, lo, hi, layers) => { if (regions.length < 40) regions.push({ rows: rows.slice(), lo: Float64Array.from(lo), hi: Float64Array.from(hi), layers }); };
      const on = verifyProperty(net, spec, { timeLimitMs: 60_000, falsify: false, bounds: false, orderUnits: false });
      verifyTuning.onPrune = undefined;
      verifyTuning.nodeTightening = false;
      const off = verifyProperty(net, spec, { timeLimitMs: 60_000, falsify: false, bounds: false, orderUnits: false });
      verifyTuning.nodeTightening = true;
      assert.ok(on.result === 'sat' || on.result === 'unsat', on.reason);
      assert.equal(on.result, off.result, `trial ${trial}`);
      const pre = computePreimage(net, { kind: 'vnnlib', spec }, { geometry: false, volumes: false, certificates: false, maxPieces: 1 });
      assert.equal(pre.pieces.length > 0 ? 'sat' : 'unsat', on.result, `trial ${trial}: compute mode`);
      if (on.result === 'sat') assert.ok(checkCounterexample(net, spec, on.counterexample!.x).ok);
      if (on.result === 'unsat') assert.ok(on.stats.nodes <= off.stats.nodes, `trial ${trial}: ${on.stats.nodes} nodes with tightening, ${off.stats.nodes} without`);
      seen.add(on.result);
      // soundness of every recorded prune: no point of the node's region reaches the unsafe set
      for (const g of regions) {
        for (const x of regionPoints(new Rng(1000 + trial), g.rows, g.lo, g.hi, 12)) {
          // in the search's coordinates (the box scaled to the unit box), through the search's layers
          const d = unsafeDepth(spec, forward(g.layers, x).y);
          assert.ok(d < 1e-7, `trial ${trial}: a pruned node holds an unsafe point (depth ${d})`);
          checked++;
        }
      }
      pruned += regions.length;
    }
  } finally {
    verifyTuning.onPrune = undefined;
    verifyTuning.nodeTightening = true;
  }
  assert.equal(seen.size, 2, 'both answers occur');
  assert.ok(pruned >= 10, `only ${pruned} pruned nodes recorded`);
  assert.ok(checked >= 200, `only ${checked} points checked`);
});

test('verify with the LP search on threads: the same answer and counterexample for 1 and 2 threads', async () => {
  const rng = new Rng(5);
  let sat = 0;
  for (let trial = 0; trial < 4; trial++) {
    const net = randomNetwork(rng, [60, 12, 10, 3]);
    const spec = randomSpec(rng, net, 60);
    const one = await verifyPropertyParallel(net, spec, { threads: 1, falsify: false, timeLimitMs: 60_000 });
    const two = await verifyPropertyParallel(net, spec, { threads: 2, falsify: false, timeLimitMs: 60_000 });
    assert.equal(one.result, two.result, `trial ${trial}`);
    assert.deepEqual(one.counterexample, two.counterexample, `trial ${trial}`);
    if (one.result === 'sat') sat++;
  }
  assert.ok(sat >= 1, 'a counterexample from the search occurs');
});
