/**
 * `npm run bench -- direction`: the forward search (from the domain) against the backward search
 * (from the target, src/preimage/backward.ts) on the same problems. Every backward answer is
 * checked first against the forward one (same pieces in the same order: patterns, parts,
 * dimensions, classes, canonical rows to 1e-9); then both are timed (median of `repeats` runs of
 * the search alone: no volumes, no certificates). A backward run that exceeds its budget
 * (`budgetMs`, `budgetNodes`) is reported as blown up, with the counters it reached.
 *
 * Problems: the 9 VerticalCAS networks (class 0 over the box of bench/vcas.ts), seeded random
 * deeper networks (class 0 over [-1, 1]^n), point activity targets at hidden layers of those
 * networks (over the box and over all of R^n), and ACAS Xu 1_1 on a sub-box of the prop_3 box
 * (the property's output set, the advisory of the sub-box's centre, point activities at layers
 * 2 and 3) and on the whole prop_3 box (the output set). The networks of
 * ../shared/data (or $RELU_PREIMAGE_DATA) are skipped, with a note, when absent.
 */
import { readFileSync } from 'node:fs';
import { parseVnnlib } from '../src/formats/vnnlib.js';
import { evaluateLayers } from '../src/network/evaluate.js';
import type { Network } from '../src/network/types.js';
import { computePreimage, type PreimageOptions } from '../src/preimage/engine.js';
import type { PreimageResult } from '../src/preimage/result.js';
import type { Target } from '../src/preimage/target.js';
import { Rng } from '../src/util/rng.js';
import { dataDir, join, loadNet, machine, median, randomNet, round } from './common.js';


interface Problem {
  name: string;
  group: string;
  net: Network;
  target: Target;
  domain: PreimageOptions['domain'];
}

/** Throws unless the backward result has the forward result's pieces (patterns, parts, dims, classes, rows to 1e-9). */
function checkSame(f: PreimageResult, b: PreimageResult, what: string): void {
  const key = (r: PreimageResult) => r.pieces.map((p) => `${p.pattern.map((l) => l.join('')).join('|')}#${p.part}/${p.dim}/${p.class}/${p.bounded}`).join(' ');
  if (key(f) !== key(b)) throw new Error(`${what}: backward pieces differ from forward ones`);
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * (1 + Math.abs(x) + Math.abs(y));
  f.pieces.forEach((p, i) => {
    const q = b.pieces[i];
    const rowsOk = (A: number[][], B: number[][]) => A.length === B.length && A.every((r, k) => r.every((v, j) => close(v, B[k][j])));
    if (!rowsOk(p.A, q.A) || !rowsOk(p.Aeq, q.Aeq) || !p.b.every((v, k) => close(v, q.b[k]))) throw new Error(`${what}: piece ${i} has other rows`);
  });
}

function problems(notes: string[]): Problem[] {
  const out: Problem[] = [];
  const data = dataDir();
  if (data) {
    const box = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };
    for (let k = 1; k <= 9; k++) out.push({ name: `VertCAS_21_${k} class 0`, group: 'vcas', net: loadNet(join(data, 'vcas', `VertCAS_21_${k}.onnx`)), target: { kind: 'class', index: 0 }, domain: box });
  } else notes.push('VerticalCAS and ACAS Xu networks not found (set RELU_PREIMAGE_DATA or place them at ../shared/data): their rows are missing');
  const nets: [number, number[]][] = [[7, [4, 10, 10, 10, 3]], [7, [3, 8, 8, 8, 8, 2]], [7, [5, 12, 12, 4]], [7, [2, 6, 6, 6, 6, 6, 2]], [11, [4, 10, 10, 10, 3]], [13, [3, 8, 8, 8, 8, 2]]];
  for (const [seed, sizes] of nets) {
    const net = randomNet(seed, sizes);
    const n = sizes[0];
    const box = { kind: 'box' as const, lo: Array(n).fill(-1), hi: Array(n).fill(1) };
    const label = `random ${sizes.join('-')} (seed ${seed})`;
    out.push({ name: `${label} class 0`, group: 'random class', net, target: { kind: 'class', index: 0 }, domain: box });
    // point activity targets: the activity of a seeded point of the box
    const rng = new Rng(1000 + seed);
    const x = Array.from({ length: n }, () => rng.uniform(-0.5, 0.5));
    const acts = evaluateLayers(net, x).activities;
    for (const l of [2, 3]) {
      if (l >= sizes.length - 1) continue;
      out.push({ name: `${label} point at layer ${l}, box`, group: 'point, box', net, target: { kind: 'point', layer: l, activity: Array.from(acts[l]) }, domain: box });
    }
    out.push({ name: `${label} point at layer 2, all of R^n`, group: 'point, R^n', net, target: { kind: 'point', layer: 2, activity: Array.from(acts[2]) }, domain: { kind: 'all' } });
  }
  if (data) {
    const net = loadNet(join(data, 'acasxu', 'onnx', 'ACASXU_run2a_1_1_batch_2000.onnx'));
    const spec = parseVnnlib(readFileSync(join(data, 'acasxu', 'vnnlib', 'prop_3.vnnlib'), 'utf8'));
    const b = spec.inputBoxes[0];
    // the lowest tenth of every side of the prop_3 box
    const lo = Array.from(b.lo), hi = lo.map((l, i) => l + 0.1 * (b.hi[i] - l));
    const domain = { kind: 'box' as const, lo, hi };
    const acts = evaluateLayers(net, lo.map((l, i) => (l + hi[i]) / 2)).activities;
    const y = acts[acts.length - 1];
    const advisory = y.indexOf(Math.min(...y)); // the advisory at the sub-box's centre
    out.push({ name: 'ACAS Xu 1_1 prop_3 output set, tenth of the prop_3 box', group: 'acas', net, target: { kind: 'vnnlib', spec }, domain });
    out.push({ name: `ACAS Xu 1_1 advisory ${advisory} (argmin, the centre's), same sub-box`, group: 'acas', net, target: { kind: 'class', index: advisory, rule: 'argmin' }, domain });
    for (const l of [2, 3]) out.push({ name: `ACAS Xu 1_1 point at layer ${l} (sub-box centre's activity), same sub-box`, group: 'acas point', net, target: { kind: 'point', layer: l, activity: Array.from(acts[l]) }, domain });
    out.push({ name: 'ACAS Xu 1_1 prop_3 output set, the whole prop_3 box', group: 'acas', net, target: { kind: 'vnnlib', spec }, domain: { kind: 'box', lo: Array.from(b.lo), hi: Array.from(b.hi) } });
  }
  return out;
}

export async function runDirectionBench(opts: { repeats?: number; budgetMs?: number; budgetNodes?: number } = {}) {
  const repeats = opts.repeats ?? 3;
  const budgetMs = opts.budgetMs ?? 20000;
  const budgetNodes = opts.budgetNodes ?? 100000;
  const notes: string[] = [];
  const rows = [];
  for (const p of problems(notes)) {
    const base: PreimageOptions = { domain: p.domain, volumes: false, certificates: false, direction: 'forward' };
    const f0 = computePreimage(p.net, p.target, base);
    const b0 = computePreimage(p.net, p.target, { ...base, direction: 'backward', timeLimitMs: budgetMs, maxNodes: budgetNodes });
    const blown = b0.status !== 'complete';
    if (!blown) checkSame(f0, b0, p.name);
    const ft: number[] = [], bt: number[] = [];
    let f = f0, b = b0;
    for (let r = 0; r < repeats; r++) {
      f = computePreimage(p.net, p.target, base);
      ft.push(f.stats.milliseconds);
      if (!blown) {
        b = computePreimage(p.net, p.target, { ...base, direction: 'backward' });
        bt.push(b.stats.milliseconds);
      }
    }
    const fMs = median(ft), bMs = blown ? b0.stats.milliseconds : median(bt);
    const row = {
      problem: p.name,
      group: p.group,
      pieces: f.pieces.length,
      forward: { strategy: f.stats.vertexDecided > 0 || f.stats.lps === 0 ? 'vertex' : 'lp', nodes: f.stats.nodes, lps: f.stats.lps, ms: round(fMs) },
      backward: { status: blown ? `over budget (${b0.status})` : 'complete, equal to forward', nodes: b.stats.nodes, lps: b.stats.lps, ms: round(bMs) },
      backwardOverForward: blown ? null : round(bMs / Math.max(fMs, 1e-3), 3),
    };
    process.stderr.write(`  ${p.name}: ${row.pieces} pieces; forward ${row.forward.nodes} nodes, ${row.forward.lps} LPs, ${row.forward.ms} ms; backward ${row.backward.status}, ${row.backward.nodes} nodes, ${row.backward.lps} LPs, ${row.backward.ms} ms\n`);
    rows.push(row);
  }
  return { suite: 'direction', machine: machine(), repeats, budget: { ms: budgetMs, nodes: budgetNodes }, notes, rows };
}
