/**
 * ACAS Xu benchmarks of the preimage engine.
 * 2. Network 1_1 over the prop_1 input box: the exact preimage of each of the five advisories
 *    (argmin = k), i.e. the full advisory partition, with counts and volumes. Checked first: the
 *    five volumes add up to the box's volume and the result passes the independent re-check.
 * 3. All 45 networks, prop_3 and prop_4 boxes: the exact preimage of each property's output set.
 *    Checked: every piece found is certified (a counterexample re-evaluated exactly), and the
 *    emptiness/non-emptiness is reported per instance.
 */
import { readFileSync } from 'node:fs';
import { checkResult } from '../src/analysis/check.js';
import { parseVnnlib } from '../src/formats/vnnlib.js';
import { computePreimage } from '../src/preimage/engine.js';
import { join, loadNet, machine, median, requireData, round } from './common.js';

function spec(data: string, prop: number) {
  return parseVnnlib(readFileSync(join(data, 'acasxu', 'vnnlib', `prop_${prop}.vnnlib`), 'utf8'));
}

function netPath(data: string, a: number, b: number) {
  return join(data, 'acasxu', 'onnx', `ACASXU_run2a_${a}_${b}_batch_2000.onnx`);
}

export async function runAcasPartitionBench() {
  const data = requireData('acas-partition');
  const net = loadNet(netPath(data, 1, 1));
  const box = spec(data, 1).inputBoxes[0];
  const domain = { kind: 'box' as const, lo: box.lo, hi: box.hi };
  const progress = (s: { pieces: number; nodes: number; lps: number }, ms: number) => process.stderr.write(`\r  ${(ms / 1000).toFixed(1)} s: ${s.pieces} pieces, ${s.nodes} nodes, ${s.lps} LPs   `);
  const res = computePreimage(net, { kind: 'partition', rule: 'argmin' }, { domain, volumes: true, certificates: false, onProgress: progress });
  process.stderr.write('\n');
  const perClass = [0, 1, 2, 3, 4].map((k) => {
    const ps = res.pieces.filter((p) => p.part === k);
    return { advisory: k, pieces: ps.length, volume: ps.reduce((s, p) => s + (p.volume ?? NaN), 0) };
  });
  const total = perClass.reduce((s, c) => s + c.volume, 0);
  const dv = res.domainVolume as number;
  if (Math.abs(total - dv) > 1e-6 * dv) throw new Error(`advisory volumes sum to ${total}, the box has ${dv}`);
  const rep = checkResult(net, res, { samples: 2000, exact: false, maxPairs: 3000, pointsPerPiece: 1 });
  if (!rep.ok) throw new Error(`check failed: ${rep.failures[0]}`);
  const regions = new Set(res.pieces.map((p) => p.pattern.map((l) => l.join('')).join('|'))).size;
  return {
    suite: 'acas-partition',
    network: 'ACASXU_run2a_1_1', box: 'prop_1',
    status: res.status,
    pieces: res.pieces.length,
    linearRegions: regions,
    advisories: perClass.map((c) => ({ ...c, volume: round(c.volume, 8), fraction: round(c.volume / dv, 6) })),
    domainVolume: dv,
    searchMs: round(res.stats.milliseconds),
    geometryMs: round(res.stats.geometryMilliseconds),
    nodes: res.stats.nodes, lps: res.stats.lps, pruned: res.stats.pruned, splits: res.stats.splits, boundDecided: res.stats.boundDecided,
    checked: { samples: rep.samples, judged: rep.samplesJudged, pairs: rep.pairsChecked },
    machine: machine(),
  };
}

export async function runAcasPropsBench(opts: { timeoutS?: number } = {}) {
  const data = requireData('acas-props');
  const timeoutS = opts.timeoutS ?? 116;
  const rows = [];
  for (const prop of [3, 4]) {
    const s = spec(data, prop);
    for (let a = 1; a <= 5; a++) {
      for (let b = 1; b <= 9; b++) {
        const net = loadNet(netPath(data, a, b));
        const res = computePreimage(net, { kind: 'vnnlib', spec: s }, { volumes: false, certificates: true, timeLimitMs: timeoutS * 1000 });
        if (res.pieces.length > 0) {
          const rep = checkResult(net, res, { samples: 0, exact: true, maxPairs: 0, pointsPerPiece: 0 });
          if (!rep.ok) throw new Error(`${a}_${b} prop_${prop}: check failed: ${rep.failures[0]}`);
        }
        rows.push({
          instance: `${a}_${b} prop_${prop}`,
          status: res.status,
          preimage: res.status !== 'complete' ? 'unknown' : res.pieces.length ? 'non-empty (property violated)' : 'empty (property holds)',
          pieces: res.pieces.length,
          searchMs: round(res.stats.milliseconds),
          nodes: res.stats.nodes, lps: res.stats.lps, pruned: res.stats.pruned,
        });
        process.stderr.write(`  ${a}_${b} prop_${prop}: ${rows[rows.length - 1].preimage}, ${rows[rows.length - 1].searchMs} ms\n`);
      }
    }
  }
  const times = rows.map((r) => r.searchMs);
  return { suite: 'acas-props', timeoutS, instances: rows.length, complete: rows.filter((r) => r.status === 'complete').length, medianSearchMs: round(median(times)), maxSearchMs: round(Math.max(...times)), rows, machine: machine() };
}
