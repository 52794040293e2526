/**
 * npm run study [-- --quick] [-- --out DIR] [-- --workers N] [-- --cache DIR] [-- --save RAW.json] [-- --from RAW.json]
 *
 * Runs the study of issue 7 (what activity preimages look like in the mnistfc networks, with
 * ACAS Xu and VerticalCAS as contrast) and writes its report into docs/study/ (README.md,
 * figures, results.json). The jobs (src/study/jobs.ts) are independent and deterministic; they
 * run on N child processes (default 2) and are assembled in a fixed order. Needs the benchmark
 * data: $RELU_PREIMAGE_DATA or ../shared/data beside the repository.
 * --cache DIR keeps each finished job's result there and reuses it (an interrupted run resumes).
 * --save writes every job result (with the inputs) to RAW.json; --from rebuilds the report from
 * such a file without recomputing (for editing the report's text).
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MNIST_NETS, StudyData, classify, otherImage, runJob, type Job, type JobResult } from '../src/study/jobs.js';
import { buildReport } from '../src/study/report.js';
import { svgToPng } from '../src/render/png.js';

const self = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(self), '..');

function dataDir(): string | null {
  const env = process.env.RELU_PREIMAGE_DATA;
  if (env && existsSync(env)) return resolve(env);
  const sibling = resolve(repoRoot, '..', 'shared', 'data');
  return existsSync(sibling) ? sibling : null;
}

function reader(dir: string) {
  return (rel: string) => new Uint8Array(readFileSync(join(dir, rel)));
}

/** The jobs of the full study (or of the quick one), longest first. */
export function studyJobs(labels: number[], quick: boolean): Job[] {
  const jobs: Job[] = [];
  if (quick) {
    jobs.push({ kind: 'image', net: '256x2', index: 0, other: otherImage(0, labels) });
    jobs.push({ kind: 'vcas', k: 1, points: 2, seed: 12, maxNodes: 20000, timeLimitMs: 60000 });
    jobs.push({ kind: 'slice', net: '256x2', index: 0, pixels: 8, seed: 99, maxNodes: 20000, timeLimitMs: 120000 });
    return jobs;
  }
  const branch = (net: string, index: number, layer: number) => { for (const radius of [0.01, 0.03, 0.05]) jobs.push({ kind: 'branches', net, index, layer, radius, maxNodes: 14, timeLimitMs: 1200000 }); };
  branch('256x2', 0, 2);
  branch('256x2', 1, 2);
  branch('256x4', 0, 2);
  for (const net of ['256x6', '256x4']) for (let i = 0; i < labels.length; i++) jobs.push({ kind: 'image', net, index: i, other: otherImage(i, labels) });
  for (const net of ['256x6', '256x4', '256x2']) for (let i = 0; i < 5; i++) jobs.push({ kind: 'slice', net, index: i, pixels: 8, seed: 99 + i, maxNodes: 20000, timeLimitMs: 120000 });
  for (let p = 0; p < 8; p++) jobs.push({ kind: 'acas', point: p, seed: 11, maxNodes: 20000, timeLimitMs: 120000 });
  for (let i = 0; i < labels.length; i++) jobs.push({ kind: 'image', net: '256x2', index: i, other: otherImage(i, labels) });
  for (let k = 1; k <= 9; k++) jobs.push({ kind: 'vcas', k, points: 4, seed: 12, maxNodes: 20000, timeLimitMs: 60000 });
  return jobs;
}

function workerMain(): void {
  const dir = process.argv[process.argv.indexOf('--data') + 1];
  const data = new StudyData(reader(dir));
  process.on('message', (msg: { id: number; job: Job }) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    try {
      const result = runJob(msg.job, data);
      const c = process.cpuUsage(c0);
      process.send!({ id: msg.id, result, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 });
    } catch (e) {
      process.send!({ id: msg.id, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
    }
  });
  process.send!({ ready: true });
}

/**
 * Runs the jobs on `workers` child processes; results in job order. With `cache`, each finished
 * job is stored there (keyed by the job's JSON) and reused by the next run: an interrupted study
 * resumes where it stopped (the jobs are deterministic, so the numbers are the same).
 */
function runAll(jobs: Job[], workers: number, dir: string, cache: string | null): Promise<{ results: JobResult[]; cpu: number; cached: number }> {
  const results: JobResult[] = new Array(jobs.length);
  let cpu = 0, done = 0;
  const key = (j: Job) => join(cache!, createHash('sha256').update(JSON.stringify(j)).digest('hex').slice(0, 24) + '.json');
  const todo: number[] = [];
  jobs.forEach((j, id) => {
    if (cache && existsSync(key(j))) {
      const c = JSON.parse(readFileSync(key(j), 'utf8')) as { result: JobResult; cpu: number };
      results[id] = c.result;
      cpu += c.cpu;
      done++;
    } else todo.push(id);
  });
  if (cache) mkdirSync(cache, { recursive: true });
  if (done > 0) console.error(`study: ${done} job(s) taken from the cache ${cache}`);
  const cached = done;
  if (todo.length === 0) return Promise.resolve({ results, cpu, cached });
  let next = 0;
  return new Promise((resolveAll, reject) => {
    const procs = Array.from({ length: Math.min(workers, todo.length) }, () => fork(self, ['--worker', '--data', dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const feed = (p: ReturnType<typeof fork>) => {
      if (next < todo.length) { const id = todo[next++]; p.send({ id, job: jobs[id] }); }
    };
    for (const p of procs) {
      p.on('message', (m: { ready?: boolean; id?: number; result?: JobResult; error?: string; ms?: number; cpuMs?: number }) => {
        if (m.ready) return feed(p);
        if (m.error) { procs.forEach((q) => q.kill()); return reject(new Error(`job ${JSON.stringify(jobs[m.id!])} failed: ${m.error}`)); }
        results[m.id!] = m.result!;
        cpu += (m.cpuMs ?? 0) / 1000;
        if (cache) writeFileSync(key(jobs[m.id!]), JSON.stringify({ result: m.result, cpu: (m.cpuMs ?? 0) / 1000 }));
        done++;
        console.error(`study: ${done}/${jobs.length} ${JSON.stringify(jobs[m.id!])} ${((m.ms ?? 0) / 1000).toFixed(1)} s wall, ${((m.cpuMs ?? 0) / 1000).toFixed(1)} s CPU`);
        if (done === jobs.length) { procs.forEach((q) => q.connected && q.disconnect()); resolveAll({ results, cpu, cached }); }
        else feed(p);
      });
      p.on('exit', (code) => { if (code && done < jobs.length) reject(new Error(`worker exited with ${code}`)); });
    }
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const outArg = args.indexOf('--out');
  const out = resolve(outArg >= 0 ? args[outArg + 1] : join(repoRoot, 'docs', 'study'));
  const wArg = args.indexOf('--workers');
  const workers = wArg >= 0 ? Number(args[wArg + 1]) : 2;
  const dir = dataDir();
  if (!dir) {
    console.error('study: benchmark data not found (set RELU_PREIMAGE_DATA or place it at ../shared/data)');
    process.exit(2);
  }
  const t0 = performance.now();
  const data = new StudyData(reader(dir));
  const count = readdirSync(join(dir, 'mnistfc', 'vnnlib')).filter((f) => /^prop_\d+_0\.03\.vnnlib$/.test(f)).length;
  const images = Array.from({ length: count }, (_, i) => data.image(i));
  const labels = images.map((im) => im.label);
  const predicted: Record<string, number[]> = {};
  for (const n of quick ? ['256x2'] : MNIST_NETS) predicted[n] = images.map((im) => classify(data.mnist(n), im.pixels));
  for (const [n, ps] of Object.entries(predicted)) ps.forEach((p, i) => { if (p !== labels[i]) throw new Error(`${n} classifies image ${i} as ${p}, its specs say ${labels[i]}`); });
  const jobs = studyJobs(labels, quick);
  let results: JobResult[];
  let cpu: number;
  let cached = 0;
  let runNote: string | undefined;
  const fromArg = args.indexOf('--from');
  const saveArg = args.indexOf('--save');
  let wall: number;
  if (fromArg >= 0) {
    const raw = JSON.parse(readFileSync(args[fromArg + 1], 'utf8')) as { results: JobResult[]; wall: number; cpu: number; cached?: number; note?: string };
    results = raw.results;
    cached = raw.cached ?? 0;
    runNote = raw.note;
    wall = raw.wall;
    cpu = raw.cpu;
  } else {
    console.error(`study: ${jobs.length} jobs on ${workers} worker processes; ${images.length} images recovered and classified as their specs say`);
    const cacheArg = args.indexOf('--cache');
    ({ results, cpu, cached } = await runAll(jobs, workers, dir, cacheArg >= 0 ? resolve(args[cacheArg + 1]) : null));
    wall = (performance.now() - t0) / 1000;
    if (saveArg >= 0) writeFileSync(args[saveArg + 1], JSON.stringify({ results, wall, cpu, cached }));
  }
  const files = buildReport({ results, images, predicted, quick, wallSeconds: wall, workers, cpuSeconds: cpu, cachedJobs: cached, runNote });
  if (existsSync(out)) for (const f of readdirSync(out)) if (/\.(svg|png|md|json)$/.test(f)) rmSync(join(out, f));
  mkdirSync(out, { recursive: true });
  for (const f of files) {
    if (f.png) writeFileSync(join(out, f.name.replace(/\.svg$/, '.png')), await svgToPng(f.text, { scale: 1 }));
    else writeFileSync(join(out, f.name), f.text);
  }
  console.error(`study: wrote ${files.length} files to ${out}; ${wall.toFixed(0)} s wall, ${cpu.toFixed(0)} s CPU in the jobs`);
}

if (process.argv.includes('--worker')) workerMain();
else main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
