/**
 * `npm run bench -- queue`: the search on the BullMQ queue (src/queue/), on a private
 * redis-server (127.0.0.1, free port, no persistence).
 * 1. Throughput: ACAS Xu 2_1 over the prop_1 box, the whole advisory partition (box
 *    enumeration), first in one process (the reference, and the check: the queue's answers must
 *    equal it, pieces and counters), then with 1 and 2 local `preimage worker` processes.
 * 2. Simulation of 16-64 workers with fixed-cost jobs (each sleeps JOB_MS): wall time against the
 *    ideal jobs·cost/workers, so the rest is the queue's share (BullMQ + Redis + this process).
 * Skips with a message without the data directory or redis-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { parseVnnlib } from '../src/formats/vnnlib.js';
import { computePreimage, type PreimageOptions } from '../src/preimage/engine.js';
import type { PreimageResult } from '../src/preimage/result.js';
import type { Target } from '../src/preimage/target.js';
import { parseQueueUrl } from '../src/queue/connection.js';
import { runPreimageQueue } from '../src/queue/coordinator.js';
import { haveRedis, REDIS_MISSING, startRedis } from '../test/helpers/redis.js';
import { join, loadNet, machine, repoRoot, requireData, round } from './common.js';

const JOB_MS = 20;

/** True when two results are equal apart from times (piece by piece: one string of a whole result can exceed the heap). */
function same(a: PreimageResult, b: PreimageResult): boolean {
  const strip = (r: PreimageResult) => {
    const { milliseconds: _m, geometryMilliseconds: _g, ...stats } = r.stats;
    return JSON.stringify({ ...r, pieces: r.pieces.length, stats });
  };
  if (strip(a) !== strip(b)) return false;
  return a.pieces.every((p, i) => JSON.stringify(p) === JSON.stringify(b.pieces[i]));
}

function startWorkers(url: string, n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts'), 'worker', '--queue', url, '--quiet'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] }));
}

async function stopWorkers(ws: ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => { if (w.exitCode !== null) r(null); else { w.once('exit', r); w.kill('SIGTERM'); } })));
}

/** Waits until n more clients are connected (each worker opens one at start): start-up is not timed. */
async function waitWorkers(url: string, n: number, before: number): Promise<void> {
  const { Redis } = await import('ioredis');
  const c = new Redis(url);
  const t = Date.now();
  while (Date.now() - t < 60_000 && String(await c.client('LIST')).trim().split('\n').length - 1 < before + n) await new Promise((r) => setTimeout(r, 200));
  c.disconnect();
}

async function clients(url: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const c = new Redis(url);
  const k = String(await c.client('LIST')).trim().split('\n').length - 1;
  c.disconnect();
  return k;
}

async function simulate(url: string, workers: number, jobsPerWorker: number) {
  const connection = { host: '127.0.0.1', port: Number(new URL(url).port), maxRetriesPerRequest: null };
  const prefix = `relu-preimage-sim-${workers}`;
  const queue = new Queue('sim', { connection, prefix });
  const jobs = workers * jobsPerWorker;
  const ws = Array.from({ length: workers }, () => new Worker('sim', async () => { await new Promise((r) => setTimeout(r, JOB_MS)); return 1; }, { connection, prefix, concurrency: 1, autorun: false, removeOnComplete: { count: 0 } }));
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });
  for (const w of ws) w.on('completed', () => { if (++done === jobs) finish(); });
  await Promise.all(ws.map((w) => w.waitUntilReady()));
  const t0 = performance.now();
  for (let i = 0; i < jobs; i += 1000) await queue.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: 'j', data: { i: i + k }, opts: { removeOnComplete: true } })));
  const added = performance.now() - t0;
  for (const w of ws) void w.run();
  await finished;
  const wall = performance.now() - t0;
  await Promise.all(ws.map((w) => w.close()));
  await queue.obliterate({ force: true });
  await queue.close();
  const ideal = (jobs * JOB_MS) / workers;
  return {
    workers, jobs, jobMs: JOB_MS,
    wallMs: round(wall), idealMs: round(ideal), addBulkMs: round(added),
    /** Share of the wall time not spent in jobs (adding them included). */
    queueShare: round(1 - ideal / wall, 3),
    /** addBulk cost per job (the coordinator's side). */
    addPerJobMs: round(added / jobs, 3),
    /** A worker's gap between two jobs: fetching the next, completing the last (all workers in this one process). */
    gapPerJobMs: round((wall - added - ideal) / jobsPerWorker, 3),
  };
}

export async function runQueueBench() {
  const data = requireData('queue');
  if (!haveRedis()) {
    process.stderr.write(`bench queue: ${REDIS_MISSING}\n`);
    return { skipped: REDIS_MISSING };
  }
  const net = loadNet(join(data, 'acasxu', 'onnx', 'ACASXU_run2a_2_1_batch_2000.onnx'));
  const box = parseVnnlib(readFileSync(join(data, 'acasxu', 'vnnlib', 'prop_1.vnnlib'), 'utf8')).inputBoxes[0];
  const target: Target = { kind: 'partition', rule: 'argmin' };
  const opts: PreimageOptions = { domain: { kind: 'box', lo: box.lo, hi: box.hi }, volumes: false, certificates: false };
  process.stderr.write('  one process (reference) ...\n');
  const loadAtStart = loadavg()[0];
  const t0 = performance.now();
  const ref = computePreimage(net, target, opts);
  const refMs = performance.now() - t0;
  process.stderr.write(`  ${ref.pieces.length} pieces in ${(refMs / 1000).toFixed(1)} s\n`);
  const loadBefore = loadavg()[0];
  const redis = await startRedis();
  const out: Record<string, unknown>[] = [];
  try {
    for (const n of [1, 2]) {
      process.stderr.write(`  ${n} worker(s) ...\n`);
      const before = await clients(redis.url);
      const ws = startWorkers(redis.url, n);
      await waitWorkers(redis.url, n, before);
      const t1 = performance.now();
      const run = await runPreimageQueue(net, target, { ...opts, queue: parseQueueUrl(redis.url), onQueueProgress: (p) => process.stderr.write(`\r  ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.done}/${p.known} jobs, ${p.pieces} pieces   `) });
      const ms = performance.now() - t1;
      process.stderr.write('\n');
      await stopWorkers(ws);
      if (!same(run.result, ref)) throw new Error(`queue with ${n} worker(s): the result differs from the one-process result`);
      out.push({ workers: n, wallMs: round(ms), jobs: run.tasks, piecesPerS: round((ref.pieces.length / ms) * 1000), jobsPerS: round((run.tasks / ms) * 1000), speedupOverOneProcess: round(refMs / ms, 3) });
    }
    process.stderr.write('  simulation ...\n');
    const sim = [];
    for (const w of [16, 32, 64]) sim.push(await simulate(redis.url, w, 40));
    return {
      suite: 'queue',
      problem: { network: 'ACASXU_run2a_2_1', box: 'prop_1', target: 'advisory partition (argmin)', pieces: ref.pieces.length, nodes: ref.stats.nodes, status: ref.status },
      oneProcessMs: round(refMs),
      checked: 'every queue result equals the one-process result (pieces, order, counters)',
      queue: out,
      simulation: sim,
      loadAverage: { start: round(loadAtStart, 3), queueStart: round(loadBefore, 3), end: round(loadavg()[0], 3) },
      machine: machine(),
    };
  } finally {
    await redis.stop();
  }
}
