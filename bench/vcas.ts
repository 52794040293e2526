/**
 * Benchmark 1 of the preimage engine: VerticalCAS (4 -> 21 -> 9), domain
 * [-0.5,0.5] x [-0.5,0.5] x [0.149,0.151] x [-0.5,0.5], target class 0 (y0 >= yi). Each answer is
 * checked first (the independent re-check of src/analysis/check.ts, with sampling both ways, and
 * the volume against a seeded Monte Carlo estimate); then, after a full garbage collection (the
 * checks' garbage is not the search's), the search is timed over repeated runs.
 */
import { checkResult } from '../src/analysis/check.js';
import { evaluate } from '../src/network/evaluate.js';
import { computePreimage } from '../src/preimage/engine.js';
import { Rng } from '../src/util/rng.js';
import { collectGarbage, join, loadNet, machine, median, requireData, round } from './common.js';

const DOMAIN = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };
const TARGET = { kind: 'class' as const, index: 0 };

export async function runVcasBench(opts: { repeats?: number } = {}) {
  const data = requireData('vcas');
  const repeats = opts.repeats ?? 50;
  const rows = [];
  for (let k = 1; k <= 9; k++) {
    const net = loadNet(join(data, 'vcas', `VertCAS_21_${k}.onnx`));
    const full = computePreimage(net, TARGET, { domain: DOMAIN });
    const rep = checkResult(net, full, { samples: 3000, seed: k });
    if (!rep.ok) throw new Error(`VertCAS_21_${k}: check failed: ${rep.failures[0]}`);
    // Monte Carlo estimate of the volume fraction
    const rng = new Rng(1000 + k);
    const N = 20000;
    let hits = 0;
    for (let s = 0; s < N; s++) {
      const y = evaluate(net, DOMAIN.lo.map((lo, i) => rng.uniform(lo, DOMAIN.hi[i])));
      if (y.every((v) => v <= y[0])) hits++;
    }
    const p = hits / N, sd = Math.sqrt((p * (1 - p)) / N);
    const frac = (full.volume as number) / (full.domainVolume as number);
    if (Math.abs(frac - p) > 4 * sd + 1e-12) throw new Error(`VertCAS_21_${k}: volume fraction ${frac} disagrees with Monte Carlo ${p} ± ${sd}`);
    const times: number[] = [];
    let last = full;
    collectGarbage();
    for (let r = 0; r < repeats; r++) {
      last = computePreimage(net, TARGET, { domain: DOMAIN, volumes: false, certificates: false });
      times.push(last.stats.milliseconds);
    }
    rows.push({
      network: `VertCAS_21_${k}`,
      status: full.status,
      pieces: full.pieces.length,
      nodes: last.stats.nodes,
      lps: last.stats.lps,
      pruned: last.stats.pruned,
      splits: last.stats.splits,
      searchMsMedian: round(median(times)),
      searchMsMin: round(Math.min(...times)),
      geometryMs: round(full.stats.geometryMilliseconds),
      volumeFraction: round(frac, 8),
      monteCarlo: { fraction: round(p, 6), sd: round(sd, 3), samples: N },
      checked: { samples: rep.samples, judged: rep.samplesJudged, certified: rep.certified },
    });
  }
  return { suite: 'vcas', machine: machine(), target: 'class 0 (argmax), domain [-0.5,0.5]x[-0.5,0.5]x[0.149,0.151]x[-0.5,0.5]', repeats, networks: rows, meanSearchMs: round(rows.reduce((s, r) => s + r.searchMsMedian, 0) / rows.length) };
}
