/**
 * The search on worker threads. The tree is first expanded breadth-first in the calling thread
 * into many subtrees (a frontier in depth-first order: expandFrontier), the subtrees go to a pool
 * of workers from one shared queue (an idle worker takes the next one), and the finished pieces
 * are concatenated in frontier order. The result is identical to the sequential search: same
 * pieces in the same order, same counters apart from times, whatever the number of threads.
 *
 * Runs the vertex search in parallel (bounded box domains in low dimension, the common case);
 * other problems, and runs with piece or node budgets (whose cut-off point depends on order), run
 * sequentially with the same result.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CertificateContext } from '../analysis/certificate.js';
import type { Network } from '../network/types.js';
import { assembleResult, computePreimage, excludeEarlier, finishPiece, preparePreimage, searchPlan, summarizeSearch, type PreimageOptions } from './engine.js';
import type { PieceJson, PreimageResult } from './result.js';
import { emptyStats, type SearchStats, type StopReason } from './search.js';
import type { Target } from './target.js';
import { expandFrontier, type FrontierItem } from './vertex-search.js';
import type { DoneMessage, TaskMessage } from './worker.js';

export interface ParallelOptions extends PreimageOptions {
  /** Worker threads (default: the number of cores). 1 runs in the calling thread. */
  threads?: number;
  /** Subtrees per thread in the frontier (default 24): more balances better, fewer costs less. */
  tasksPerThread?: number;
}

function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  // under tsx (tests, benchmarks) the worker is TypeScript: register tsx's loader in it first
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`;
  return new Worker(code, { eval: true });
}

function addStats(into: SearchStats, s: SearchStats): void {
  for (const k of Object.keys(into) as (keyof SearchStats)[]) into[k] += s[k];
}

/** computePreimage on worker threads (see the module doc). */
export async function computePreimageParallel(network: Network, target: Target, opts: ParallelOptions = {}): Promise<PreimageResult> {
  const threads = Math.max(1, Math.floor(opts.threads ?? availableParallelism()));
  const problem = preparePreimage(network, target, opts);
  const plans = problem.domains.map((_, d) => searchPlan(problem, excludeEarlier(problem.domains, d), opts.strategy));
  if (threads === 1 || opts.maxPieces !== undefined || opts.maxNodes !== undefined || !plans.every((p) => p.useVertex)) {
    return computePreimage(network, target, opts);
  }
  const t0 = performance.now();
  const stats = emptyStats();
  const geometry = { lps: 0, ms: 0 };
  const ctx: CertificateContext = { layers: problem.layers, target: problem.targetSet };
  const deadlineEpoch = opts.timeLimitMs !== undefined ? Date.now() + opts.timeLimitMs : undefined;
  // workers start only when the frontier leaves subtrees to search (small problems finish in the expansion)
  let workers: Worker[] = [];
  const pool = () => {
    if (workers.length === 0) {
      workers = Array.from({ length: threads }, startWorker);
      for (const w of workers) w.postMessage({ type: 'init', problem });
    }
    return workers;
  };
  const pieces: PieceJson[] = [];
  let stop: StopReason = null;
  let volume: number | null = problem.volumes ? 0 : null;
  try {
    for (let d = 0; d < problem.domains.length && stop === null; d++) {
      const { scaling, searchDomain } = plans[d];
      const layers = scaling?.layers ?? problem.layers;
      const items: FrontierItem[] = expandFrontier(layers, searchDomain, problem.targetSet, stats, threads * (opts.tasksPerThread ?? 24));
      const results: PieceJson[][] = items.map(() => []);
      const tasks: TaskMessage[] = [];
      items.forEach((it, i) => {
        if ('frame' in it) tasks.push({ type: 'task', task: i, domain: d, frame: it.frame, deadlineEpoch, strategy: opts.strategy });
        else {
          const g0 = performance.now();
          results[i] = it.pieces.map((raw) => finishPiece(raw, 0, problem, problem.domains[d], geometry, ctx, scaling));
          geometry.ms += performance.now() - g0;
        }
      });
      const stops = tasks.length === 0 ? null : await runPool(pool(), tasks, (m) => {
        results[m.task] = m.pieces;
        addStats(stats, m.stats);
        geometry.ms += m.geometryMs / threads; // wall-clock share of the workers' geometry
        geometry.lps += m.geometryLps;
        opts.onProgress?.(stats, performance.now() - t0);
      }, opts.signal);
      stop = stops;
      for (const list of results) {
        for (const p of list) {
          p.id = pieces.length;
          if (p.dim === p.witness.length) volume = p.volume === null || volume === null ? null : volume + p.volume;
          opts.onPiece?.(p);
          if (opts.keepPieces !== false) pieces.push(p);
        }
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const summary = summarizeSearch(stats, stop, performance.now() - t0, geometry, volume);
  return assembleResult(network, problem, pieces, summary);
}

/** Runs tasks on the workers from one queue; resolves with the first stop reason in task order (null when all completed). */
function runPool(workers: Worker[], tasks: TaskMessage[], onDone: (m: DoneMessage) => void, signal?: AbortSignal): Promise<StopReason> {
  return new Promise((resolve, reject) => {
    let next = 0, finished = 0;
    const stopByTask = new Map<number, StopReason>();
    if (tasks.length === 0) return resolve(null);
    const finish = () => {
      const order = tasks.map((t) => stopByTask.get(t.task) ?? null).find((s) => s !== null) ?? null;
      resolve(signal?.aborted ? 'cancelled' : order);
    };
    const feed = (w: Worker) => {
      if (signal?.aborted || next >= tasks.length) return;
      w.postMessage(tasks[next++]);
    };
    const cleanups: (() => void)[] = [];
    const done = (f: () => void) => {
      for (const c of cleanups) c();
      f();
    };
    const onAbort = () => done(() => resolve('cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal?.removeEventListener('abort', onAbort));
    for (const w of workers) {
      const onMessage = (m: DoneMessage) => {
        onDone(m);
        if (m.stop !== null) stopByTask.set(m.task, m.stop);
        finished++;
        if (finished === tasks.length) done(finish);
        else feed(w);
      };
      const onError = (e: Error) => done(() => reject(e));
      w.on('message', onMessage);
      w.on('error', onError);
      cleanups.push(() => { w.off('message', onMessage); w.off('error', onError); });
      feed(w);
    }
  });
}
