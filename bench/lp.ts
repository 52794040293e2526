/**
 * LP benchmark: src/lp against HiGHS (npm `highs`, WebAssembly) on seeded random LPs.
 *
 * Sizes (n variables, m inequality rows): (5, 30), (50, 200), (300, 900). Two problem kinds, both
 * with variables boxed in [-2, 2] and rows through a hidden interior point:
 *   - feasibility: c = 0 (what the preimage search asks most);
 *   - objective: random c (bounded by the box).
 * Two modes:
 *   - cold: solveLp(p) vs a persistent HiGHS model re-run from scratch (clearSolver, presolve off);
 *   - warm: LpSession solved once, then one row cutting off its optimum is added and the problem
 *     re-solved (timed: addRow + solve; the row is popped afterwards, untimed). HiGHS is timed
 *     solving the same extended problem from scratch (its own warm start is not relied on, see
 *     the shared guide).
 * Every answer is checked against HiGHS (status, objective to 1e-7 relative) before timing.
 * Solves alternate between the two solvers so machine load hits both alike.
 *
 * Run: `node --import tsx bench/lp.ts` (prints JSON), or through bench/run.ts.
 */
import { cpus, loadavg, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LpSession, solveLp } from '../src/lp/index.js';
import type { LpProblem, LpResult } from '../src/lp/types.js';
import { Rng } from '../src/util/rng.js';
import { HighsLp, highsRuntime, normaliseRows, type HighsAnswer } from '../test/helpers/highs-lp.js';
import { feasibleLp } from '../test/helpers/lp-problems.js';

type Kind = 'feasibility' | 'objective';
type Mode = 'cold' | 'warm';

interface Config {
  n: number;
  m: number;
  /** Problem instances (seeds), timed repetitions per instance, cold solves per timed batch. */
  instances: number;
  reps: number;
  batch: number;
}

const CONFIGS: Config[] = [
  { n: 5, m: 30, instances: 10, reps: 30, batch: 20 },
  { n: 50, m: 200, instances: 5, reps: 8, batch: 1 },
  { n: 300, m: 900, instances: 2, reps: 3, batch: 1 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

function agree(ours: LpResult, h: HighsAnswer, what: string): void {
  if (ours.status !== h.status) throw new Error(`${what}: status ours ${ours.status}, HiGHS ${h.status}`);
  if (ours.status === 'optimal') {
    const d = Math.abs(ours.objective! - h.objective) / Math.max(1, Math.abs(h.objective));
    if (!(d <= 1e-7)) throw new Error(`${what}: objective ours ${ours.objective}, HiGHS ${h.objective}`);
  }
}

function problem(kind: Kind, n: number, m: number, seed: number): LpProblem {
  return feasibleLp(new Rng(seed), n, m, { bounds: 'box', zeroObjective: kind === 'feasibility' });
}

/** A row cutting off x by a margin (through a random direction), so the warm solve must pivot. */
function cut(rng: Rng, x: Float64Array, n: number): { a: Float64Array; b: number } {
  const a = new Float64Array(n);
  let ax = 0;
  let nrm = 0;
  for (let j = 0; j < n; j++) {
    a[j] = rng.normal();
    ax += a[j] * x[j];
    nrm += a[j] * a[j];
  }
  return { a, b: ax - 0.05 * Math.sqrt(nrm) };
}

function withRow(p: LpProblem, a: Float64Array, b: number): LpProblem {
  const A = new Float64Array((p.m + 1) * p.n);
  A.set(p.A.subarray(0, p.m * p.n));
  A.set(a, p.m * p.n);
  const bb = new Float64Array(p.m + 1);
  bb.set(p.b.subarray(0, p.m));
  bb[p.m] = b;
  return { ...p, m: p.m + 1, A, b: bb };
}

interface Row {
  n: number;
  m: number;
  kind: Kind;
  mode: Mode;
  solves: number;
  oursMedianMs: number;
  highsMedianMs: number;
  /** HiGHS time / our time (> 1: we are faster). */
  speedup: number;
  oursIterationsMedian: number;
  highsIterationsMedian: number;
  statuses: Record<string, number>;
}

export async function runLpBench(): Promise<object> {
  const highs = await highsRuntime();
  const rows: Row[] = [];
  for (const cfg of CONFIGS) {
    for (const kind of ['feasibility', 'objective'] as Kind[]) {
      const t: Record<Mode, { ours: number[]; highs: number[]; itO: number[]; itH: number[]; st: Record<string, number> }> = {
        cold: { ours: [], highs: [], itO: [], itH: [], st: {} },
        warm: { ours: [], highs: [], itO: [], itH: [], st: {} },
      };
      for (let inst = 0; inst < cfg.instances; inst++) {
        const seed = 1000 * cfg.n + 17 * inst + (kind === 'objective' ? 7 : 0);
        const p = problem(kind, cfg.n, cfg.m, seed);
        const hp = new HighsLp(highs, normaliseRows(p));
        // check, then time (cold)
        const first = solveLp(p);
        agree(first, hp.solve(), `cold ${kind} ${cfg.n}x${cfg.m} seed ${seed}`);
        if (first.status !== 'optimal') throw new Error(`expected a feasible problem, got ${first.status}`);
        for (let r = 0; r < cfg.reps; r++) {
          // a batch of back-to-back solves per solver (per-solve time = batch time / batch)
          let o = first;
          let t0 = performance.now();
          for (let k = 0; k < cfg.batch; k++) o = solveLp(p);
          t.cold.ours.push((performance.now() - t0) / cfg.batch);
          let h!: HighsAnswer;
          t0 = performance.now();
          for (let k = 0; k < cfg.batch; k++) h = hp.solve();
          t.cold.highs.push((performance.now() - t0) / cfg.batch);
          t.cold.itO.push(o.iterations);
          t.cold.itH.push(h.iterations);
          t.cold.st[o.status] = (t.cold.st[o.status] ?? 0) + 1;
        }
        hp.dispose();
        // warm: one session per instance, a fresh cut per repetition
        const s = new LpSession(p);
        const base = s.solve();
        const rng = new Rng(seed + 1);
        for (let r = 0; r < cfg.reps; r++) {
          const { a, b } = cut(rng, base.x!, cfg.n);
          const pw = withRow(p, a, b);
          const hw = new HighsLp(highs, normaliseRows(pw));
          let t0 = performance.now();
          s.addRow(a, b);
          const o = s.solve();
          const dt = performance.now() - t0;
          t0 = performance.now();
          const h = hw.solve();
          const dh = performance.now() - t0;
          agree(o, h, `warm ${kind} ${cfg.n}x${cfg.m} seed ${seed} rep ${r}`);
          hw.dispose();
          s.popRow();
          s.solve(); // back to the base optimum (untimed)
          t.warm.ours.push(dt);
          t.warm.highs.push(dh);
          t.warm.itO.push(o.iterations);
          t.warm.itH.push(h.iterations);
          t.warm.st[o.status] = (t.warm.st[o.status] ?? 0) + 1;
        }
      }
      for (const mode of ['cold', 'warm'] as Mode[]) {
        const d = t[mode];
        const oursMedianMs = median(d.ours);
        const highsMedianMs = median(d.highs);
        rows.push({
          n: cfg.n,
          m: cfg.m,
          kind,
          mode,
          solves: d.ours.length,
          oursMedianMs: +oursMedianMs.toPrecision(4),
          highsMedianMs: +highsMedianMs.toPrecision(4),
          speedup: +(highsMedianMs / oursMedianMs).toPrecision(3),
          oursIterationsMedian: median(d.itO),
          highsIterationsMedian: median(d.itH),
          statuses: d.st,
        });
      }
      process.stderr.write(`lp ${cfg.n}x${cfg.m} ${kind} done\n`);
    }
  }
  const at = (n: number, mode: Mode) => rows.filter((r) => r.n === n && r.mode === mode);
  return {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      platform: `${platform()} ${release()}`,
      loadAverage1m: +loadavg()[0].toFixed(2),
    },
    method:
      'median wall time per solve (cold: batches of back-to-back solves, the two solvers alternating batch by batch); warm = addRow + solve from the previous optimum, HiGHS solving the same problem from scratch',
    results: rows,
    targets: {
      'cold 5x30 at least 5x faster than HiGHS': at(5, 'cold').every((r) => r.speedup >= 5),
      'cold 300x900 no slower than HiGHS': at(300, 'cold').every((r) => r.speedup >= 1),
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runLpBench().then(
    (out) => process.stdout.write(JSON.stringify(out, null, 2) + '\n'),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
      process.exit(1);
    },
  );
}
