/**
 * VNN-COMP benchmarks: `npm run bench -- acasxu` and `npm run bench -- mnistfc`.
 *
 * Runs every instance of the benchmark's instances CSV (onnx, vnnlib, timeout; no header; bare
 * file names under onnx/ and vnnlib/) through verifyProperty with the instance's time limit, in
 * this process (one process for the whole suite: no start-up per instance; `--process` runs each
 * instance through the CLI in a child process instead, as the competition harness would).
 * Writes bench/out/<suite>.csv (one row per instance, appended as it goes; <suite>-subset.csv
 * when --only, --limit or --timeout chose a subset) and prints a JSON
 * summary: counts per result, times, agreement with the published answers, the slowest instances.
 *
 * Every answer is checked before it counts: a `sat` counterexample is re-evaluated here (exact
 * rational output, input box, output polytope) after a round trip through the VNN-COMP result
 * text; an answer that disagrees with the published one is reported loudly on stderr and listed.
 *
 * Options (after the suite name): --only <regex> (instances whose "net prop" name matches),
 * --limit N, --timeout S (replace every instance's timeout), --process, --threads N (the search on N
 * worker threads; the answers are the same), --cpu-limit (each timeout
 * limits this process's CPU time instead of wall time, with a wall limit of 10x: on a shared,
 * loaded machine the wall clock charges other processes' work to the instance).
 *
 * Published answers: ACAS Xu from VNN-COMP 2021 (stanleybak/vnncomp2021_results,
 * output_voting.txt, the nnenum column, which agrees with the majority on every instance):
 * prop_1 holds on all 45 networks; prop_2 is violated except on 1_1, 1_7, 1_8, 1_9, 3_3 and 4_2;
 * prop_3 and prop_4 are violated on 1_7, 1_8 and 1_9 only; prop_5, 6, 9 and 10 hold; prop_7
 * (1_9) and prop_8 (2_9) are violated: 139 unsat and 47 sat. For mnistfc no per-instance table is
 * recorded here: a `sat` is self-certifying (its counterexample is re-evaluated) and an `unsat` is
 * the complete search's claim.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { checkCounterexample, formatVnncompResult, parseVnncompResult, verifyProperty, verifyPropertyParallel, type VerifyReport, type VerifyResult } from '../src/analysis/verify.js';
import { parseVnnlib, type VnnlibSpec } from '../src/formats/vnnlib.js';
import type { Network } from '../src/network/types.js';
import { join, loadNet, machine, median, repoRoot, requireData, round } from './common.js';

interface Instance {
  onnx: string;
  vnnlib: string;
  timeoutS: number;
  /** Short name, e.g. "1_9 prop_7" or "256x2 prop_0_0.03". */
  name: string;
}

interface Row {
  instance: string;
  result: VerifyResult;
  expected: string;
  agrees: 'yes' | 'no' | 'unanswered' | 'unknown-expected';
  seconds: number;
  /** CPU time of this process during the instance (in-process mode; the machine is shared, so wall time alone misleads). */
  cpuSeconds: number;
  pieces: number;
  nodes: number;
  lps: number;
  method: string;
  slivers: number;
  falsifyMs: number;
  timeoutS: number;
  reason: string;
}

interface BenchArgs {
  only?: RegExp;
  limit?: number;
  timeoutS?: number;
  process: boolean;
  /** Each instance's timeout limits the CPU time of this process (wall limit: 10x the timeout). */
  cpuLimit: boolean;
  /** Worker threads of the search (verifyPropertyParallel); default 1 (verifyProperty in this thread). */
  threads?: number;
}

function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = { process: false, cpuLimit: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--only') a.only = new RegExp(argv[++i]);
    else if (v === '--limit') a.limit = Number(argv[++i]);
    else if (v === '--timeout') a.timeoutS = Number(argv[++i]);
    else if (v === '--process') a.process = true;
    else if (v === '--cpu-limit') a.cpuLimit = true;
    else if (v === '--threads') a.threads = Number(argv[++i]);
  }
  if (a.threads !== undefined && !(Number.isInteger(a.threads) && a.threads > 0)) throw new Error(`expected --threads N (a positive integer), found ${a.threads}`);
  if (a.limit !== undefined && !(Number.isInteger(a.limit) && a.limit > 0)) throw new Error(`expected --limit N (a positive integer), found ${a.limit}`);
  if (a.timeoutS !== undefined && !(a.timeoutS > 0)) throw new Error(`expected --timeout S (> 0), found ${a.timeoutS}`);
  return a;
}

/** Reads an instances CSV (no header; the last line may lack its newline). */
export function readInstances(dir: string, csv: string, short: (onnx: string, vnnlib: string) => string): Instance[] {
  return readFileSync(join(dir, csv), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0).map((l) => {
    const [onnx, vnnlib, t] = l.split(',').map((s) => s.trim());
    const timeoutS = Number(t);
    if (!onnx || !vnnlib || !(timeoutS > 0)) throw new Error(`expected onnx,vnnlib,timeout in ${csv}, found ${JSON.stringify(l)}`);
    return { onnx, vnnlib, timeoutS, name: short(onnx, vnnlib) };
  });
}

/** The published ACAS Xu answer (see the module doc). */
export function acasxuExpected(net: string, prop: number): 'sat' | 'unsat' {
  const violated: Record<number, string[]> = {
    3: ['1_7', '1_8', '1_9'],
    4: ['1_7', '1_8', '1_9'],
    7: ['1_9'],
    8: ['2_9'],
  };
  if (prop === 2) return ['1_1', '1_7', '1_8', '1_9', '3_3', '4_2'].includes(net) ? 'unsat' : 'sat';
  return violated[prop]?.includes(net) ? 'sat' : 'unsat';
}

function acasName(onnx: string, vnnlib: string): string {
  const m = /ACASXU_run2a_(\d_\d)_batch_2000/.exec(onnx);
  return `${m ? m[1] : onnx} ${vnnlib.replace(/\.vnnlib(\.gz)?$/, '')}`;
}

function mnistName(onnx: string, vnnlib: string): string {
  const m = /mnist-net_(\w+)\.onnx/.exec(onnx);
  return `${m ? m[1] : onnx} ${vnnlib.replace(/\.vnnlib(\.gz)?$/, '')}`;
}

const CSV_HEADER = 'instance,result,expected,agrees,seconds,cpu_seconds,pieces,tree_nodes,lps,method,slivers,falsify_ms,timeout_s,reason\n';

function csvLine(r: Row): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [r.instance, r.result, r.expected, r.agrees, r.seconds.toFixed(3), r.cpuSeconds.toFixed(3), r.pieces, r.nodes, r.lps, r.method, r.slivers, r.falsifyMs.toFixed(1), r.timeoutS, q(r.reason)].join(',') + '\n';
}

/** Runs one instance in a child process through the CLI (the competition's way). */
function runChild(onnx: string, vnnlib: string, timeoutS: number): { report: VerifyReport; wallMs: number } {
  const t0 = performance.now();
  const dist = join(repoRoot, 'dist', 'cli', 'bin.js');
  const args = existsSync(dist) && process.env.BENCH_USE_TSX !== '1' ? [dist] : ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts')];
  const r = spawnSync(process.execPath, [...args, 'verify', onnx, vnnlib, '--timeout', String(timeoutS), '--json'], { encoding: 'utf8', timeout: (timeoutS + 30) * 1000, cwd: repoRoot });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 || !r.stdout) {
    const msg = (r.stderr || r.error?.message || `exit ${r.status}`).split('\n')[0];
    return { report: { result: r.error ? 'timeout' : 'error', reason: msg, stats: { pieces: 0, nodes: 0, lps: 0, pruned: 0, boundDecided: 0, vertexDecided: 0, lpDecided: 0, splits: 0, slivers: 0, sliversBounded: 0, emptyLeaves: 0, thinPieces: 0, lpFailures: 0, milliseconds: 0, geometryMilliseconds: 0, geometryLps: 0 }, warnings: [], milliseconds: wallMs }, wallMs };
  }
  return { report: JSON.parse(r.stdout) as VerifyReport, wallMs };
}

async function runSuite(suite: 'acasxu' | 'mnistfc', dirName: string, csv: string, short: (o: string, v: string) => string, expectedOf: (inst: Instance) => 'sat' | 'unsat' | null) {
  const data = requireData(suite);
  const args = parseArgs(process.argv.slice(2));
  const dir = join(data, dirName);
  let instances = readInstances(dir, csv, short);
  const total = instances.length;
  if (args.only) instances = instances.filter((i) => args.only!.test(i.name) || args.only!.test(`${i.onnx},${i.vnnlib}`));
  if (args.limit !== undefined) instances = instances.slice(0, args.limit);
  const outDir = join(repoRoot, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  // a subset (--only, --limit, --timeout) writes beside the full run's CSV, never over it
  const subset = args.only !== undefined || args.limit !== undefined || args.timeoutS !== undefined;
  const csvName = `${suite}${subset ? '-subset' : ''}.csv`;
  const csvPath = join(outDir, csvName);
  writeFileSync(csvPath, CSV_HEADER);
  const nets = new Map<string, Network>();
  const specs = new Map<string, VnnlibSpec>();
  const rows: Row[] = [];
  const disagreements: string[] = [];
  const checkFailures: string[] = [];
  const t0 = performance.now();
  process.stderr.write(`bench ${suite}: ${instances.length} of ${total} instances, ${args.process ? 'one child process each' : 'in this process'}${args.cpuLimit ? ', CPU-time limits' : ''}; CSV ${csvPath}\n`);
  for (const [k, inst] of instances.entries()) {
    const onnxPath = join(dir, 'onnx', inst.onnx), vnnPath = join(dir, 'vnnlib', inst.vnnlib);
    if (!nets.has(onnxPath)) nets.set(onnxPath, loadNet(onnxPath));
    const net = nets.get(onnxPath)!;
    if (!specs.has(vnnPath)) specs.set(vnnPath, parseVnnlib(readFileSync(vnnPath, 'utf8'), { inputSize: net.inputSize, outputSize: net.outputSize }));
    const spec = specs.get(vnnPath)!;
    const timeoutS = args.timeoutS ?? inst.timeoutS;
    let report: VerifyReport, wallMs: number;
    const cpu0 = process.cpuUsage();
    if (args.process) ({ report, wallMs } = runChild(onnxPath, vnnPath, timeoutS));
    else {
      const s = performance.now();
      const vo = args.cpuLimit ? { timeLimitMs: 10 * timeoutS * 1000, cpuTimeLimitMs: timeoutS * 1000 } : { timeLimitMs: timeoutS * 1000 };
      // --threads N: the search on N worker threads (same answers); the wall time is then the measure
      report = args.threads !== undefined && args.threads > 1 ? await verifyPropertyParallel(net, spec, { ...vo, threads: args.threads }) : verifyProperty(net, spec, vo);
      wallMs = performance.now() - s;
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = args.process ? NaN : (cpu.user + cpu.system) / 1e6;
    // check the answer: a sat goes through the result text and is re-evaluated here
    let result = report.result;
    let reason = report.reason ?? '';
    if (result === 'sat') {
      const back = parseVnncompResult(formatVnncompResult(report));
      const c = checkCounterexample(net, spec, back.x);
      const yOk = back.y.length === net.outputSize && back.y.every((v, i) => Math.abs(v - c.y[i]) <= 1e-9 * (1 + Math.abs(c.y[i])));
      if (!c.ok || !yOk || back.result !== 'sat') {
        result = 'unknown';
        reason = `counterexample failed the bench's re-check: ${c.reason ?? 'Y values differ from the re-evaluation'}`;
        checkFailures.push(`${inst.name}: ${reason}`);
        process.stderr.write(`!!! ${inst.name}: ${reason}\n`);
      }
    }
    const expected = expectedOf(inst);
    const answered = result === 'sat' || result === 'unsat';
    const agrees: Row['agrees'] = expected === null ? 'unknown-expected' : !answered ? 'unanswered' : result === expected ? 'yes' : 'no';
    if (agrees === 'no') {
      disagreements.push(`${inst.name}: answered ${result}, published ${expected}`);
      process.stderr.write(`!!! DISAGREEMENT ${inst.name}: answered ${result}, published ${expected}\n`);
    }
    const row: Row = {
      instance: inst.name, result, expected: expected ?? '', agrees, seconds: wallMs / 1000, cpuSeconds,
      pieces: report.stats.pieces, nodes: report.stats.nodes, lps: report.stats.lps,
      method: report.counterexample?.method ?? (report.status ? 'search' : report.bounds && report.bounds.proven === report.bounds.polytopes ? 'bounds' : ''), slivers: report.stats.slivers,
      falsifyMs: report.falsification?.milliseconds ?? 0, timeoutS, reason: reason.replace(/\n/g, ' '),
    };
    rows.push(row);
    appendFileSync(csvPath, csvLine(row));
    process.stderr.write(`  [${k + 1}/${instances.length}] ${inst.name}: ${result}${expected ? ` (published ${expected})` : ''} ${row.seconds.toFixed(2)} s (cpu ${row.cpuSeconds.toFixed(2)} s), ${row.nodes} nodes, ${row.lps} LPs${reason ? `; ${reason}` : ''}\n`);
  }
  const totalS = (performance.now() - t0) / 1000;
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.result] = (counts[r.result] ?? 0) + 1;
  const secs = rows.map((r) => r.seconds);
  const byProp: Record<string, { instances: number; seconds: number; answered: number }> = {};
  for (const r of rows) {
    const p = r.instance.split(' ')[1] ?? '';
    const key = suite === 'acasxu' ? p : `${r.instance.split(' ')[0]}`;
    byProp[key] ??= { instances: 0, seconds: 0, answered: 0 };
    byProp[key].instances++;
    byProp[key].seconds = round(byProp[key].seconds + r.seconds, 6);
    if (r.result === 'sat' || r.result === 'unsat') byProp[key].answered++;
  }
  const summary = {
    suite,
    instances: rows.length,
    of: total,
    mode: args.process ? 'child process per instance' : `in-process, ${args.threads ?? 1} thread(s)`,
    limit: args.cpuLimit && !args.process ? 'CPU time of this process (wall limit 10x)' : 'wall time',
    counts,
    answered: rows.filter((r) => r.result === 'sat' || r.result === 'unsat').length,
    agreement: {
      agree: rows.filter((r) => r.agrees === 'yes').length,
      disagree: disagreements.length,
      unanswered: rows.filter((r) => r.agrees === 'unanswered').length,
      noPublishedAnswer: rows.filter((r) => r.agrees === 'unknown-expected').length,
      disagreements,
      checkFailures,
    },
    totalSeconds: round(totalS),
    sumInstanceSeconds: round(secs.reduce((s, x) => s + x, 0)),
    sumCpuSeconds: round(rows.reduce((s, r) => s + (Number.isFinite(r.cpuSeconds) ? r.cpuSeconds : 0), 0)),
    medianSeconds: rows.length ? round(median(secs)) : 0,
    maxSeconds: rows.length ? round(Math.max(...secs)) : 0,
    byGroup: byProp,
    slowest: [...rows].sort((a, b) => b.seconds - a.seconds).slice(0, 10).map((r) => ({ instance: r.instance, result: r.result, seconds: round(r.seconds), cpuSeconds: round(r.cpuSeconds), nodes: r.nodes, lps: r.lps, pieces: r.pieces, slivers: r.slivers })),
    unanswered: rows.filter((r) => r.result !== 'sat' && r.result !== 'unsat').map((r) => `${r.instance}: ${r.result}${r.reason ? ` (${r.reason})` : ''}`),
    csv: `bench/out/${csvName}`,
    machine: machine(),
  };
  if (disagreements.length || checkFailures.length) process.stderr.write(`!!! ${suite}: ${disagreements.length} disagreement(s), ${checkFailures.length} failed check(s)\n`);
  return summary;
}

export async function runAcasxuBench() {
  return runSuite('acasxu', 'acasxu', 'acasxu_instances.csv', acasName, (inst) => {
    const m = /(\d_\d) prop_(\d+)/.exec(inst.name);
    return m ? acasxuExpected(m[1], Number(m[2])) : null;
  });
}

export async function runMnistfcBench() {
  return runSuite('mnistfc', 'mnistfc', 'mnistfc_instances.csv', mnistName, () => null);
}
