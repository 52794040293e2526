/**
 * The coordinator of a queue run (`preimage compute|verify ... --queue URL`).
 *
 * 1. Puts the problem (network JSON, target, options) in Redis once, under the run's namespace
 *    `relu-preimage:<runId>:` (keys.ts), and the run id in `relu-preimage:runs` for the workers.
 * 2. Adds the root subtree tasks with addBulk; job ids come from task keys (`t0.1.2`), so adding
 *    a task twice adds one job.
 * 3. Learns of finished jobs from QueueEvents (and a periodic reconcile that reads the results
 *    hash, so a missed event costs at most a second), reads each task's result from the run's
 *    results hash (one entry per task key: a retried job overwrites an identical value, never
 *    adds a second), adds the task's children as jobs, and streams pieces in key order: the
 *    results of every task whose key is below the smallest unfinished key.
 * 4. At the end (complete, time limit, cancel, failed subtrees) removes everything of the run
 *    (obliterate, then the run's own keys).
 *
 * Restart: with the same run id, a coordinator finds the problem record (it must ask the same
 * question: RUN_MISMATCH otherwise), rebuilds the tree from the stored results, re-adds the
 * missing tasks (a no-op for jobs still queued) and retries jobs that had failed for good.
 *
 * The result equals the one-process search's: same pieces in the same order, the same counters
 * apart from times, because the task decomposition depends on work counts only (subtree.ts).
 */
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { PreimageError } from '../errors.js';
import type { Network } from '../network/types.js';
import { assembleResult, preparePreimage, summarizeSearch, type PreimageOptions, type PreparedProblem } from '../preimage/engine.js';
import type { PieceJson, PreimageResult } from '../preimage/result.js';
import { addStats, emptyStats, type SearchStats, type StopReason } from '../preimage/search.js';
import { Heap } from '../util/heap.js';
import type { Target } from '../preimage/target.js';
import { connectRedis, redisOptions, type QueueConnection } from './connection.js';
import { bullPrefix, failuresKey, jobId, keyText, problemKey, QUEUE_NAME, resultsKey, runsKey } from './keys.js';
import { makeProblemRecord, RUN_ID_RE, type JobData, type RunWorkerSettings } from './payload.js';
import { compareKeys, decodeResult, encodeTask, rootTasks, type SubtreeResult, type SubtreeTask, type TaskKey } from './tasks.js';

/** Options of a queue run: the engine's, plus where and how to queue. */
export interface QueueRunOptions extends PreimageOptions {
  /** The Redis server (connection.ts: parseQueueUrl). */
  queue: QueueConnection;
  /** Resume (or name) this run; default a new random id. */
  runId?: string;
  /** Cap of the split budget of a task (subtree.ts); default the engine's. */
  splitBudget?: number;
  /** Attempts of a job before its subtree is reported as failed (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubling (default 1000). */
  backoffMs?: number;
  /** Job lock duration in ms: a worker silent this long is taken as dead (default 30000). */
  lockMs?: number;
  /** How often workers look for stalled jobs, in ms (default 15000). */
  stalledMs?: number;
  /** Stalls before a job fails (default 2). */
  maxStalled?: number;
  /** Remove the run from Redis when it ends (default true). */
  cleanup?: boolean;
  /** Called with the run id once the run is on the queue. */
  onRun?: (runId: string, resumed: boolean) => void;
  /** Called about once a second with the queue's counters. */
  onQueueProgress?: (p: QueueProgress) => void;
  /** Called with each piece in order; returning true ends the run there (status cancelled). */
  stopAt?: (piece: PieceJson) => boolean;
}

/** The queue's state, as reported on stderr. */
export interface QueueProgress {
  runId: string;
  elapsedMs: number;
  /** Subtree tasks finished / known so far (the tree grows as tasks split). */
  done: number;
  known: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workers: number;
  pieces: number;
}

/** What a queue run returns: the result and what happened on the queue. */
export interface QueueRunReport {
  result: PreimageResult;
  runId: string;
  resumed: boolean;
  /** Subtree tasks in the run, and how many results were found already stored (resume). */
  tasks: number;
  reused: number;
  /** Subtrees whose jobs kept failing (their pieces are missing; the status is incomplete). */
  failedSubtrees: { key: string; reason: string }[];
  /** True when stopAt ended the run. */
  stoppedAt: boolean;
}

/** A fresh run id: time and randomness, e.g. `m3x9k2-4f1a2b3c`. */
export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Removes everything of a run from Redis (its BullMQ queue, problem, results, failures, registry entry). */
export async function removeRun(redis: Redis, queue: Queue, runId: string): Promise<void> {
  await redis.srem(runsKey(), runId);
  await queue.obliterate({ force: true });
  await redis.del(problemKey(runId), resultsKey(runId), failuresKey(runId));
}

/** computePreimage over the queue (see the module doc); the result only. */
export async function computePreimageQueued(network: Network, target: Target, opts: QueueRunOptions): Promise<PreimageResult> {
  return (await runPreimageQueue(network, target, opts)).result;
}

/** computePreimage over the queue, with the run's report. */
export async function runPreimageQueue(network: Network, target: Target, opts: QueueRunOptions): Promise<QueueRunReport> {
  if (opts.maxPieces !== undefined || opts.maxNodes !== undefined) {
    throw new PreimageError('BAD_ARGUMENT', 'expected no --max-pieces or --max-nodes with --queue (where such a budget cuts depends on the order workers finish), found one; use --timeout');
  }
  if (opts.runId !== undefined && !RUN_ID_RE.test(opts.runId)) throw new PreimageError('BAD_ARGUMENT', `expected --run-id of letters, digits, _ and - (1..64 characters), found ${JSON.stringify(opts.runId)}`);
  const t0 = performance.now();
  const problem = preparePreimage(network, target, opts);
  const roots = rootTasks(problem, opts.strategy);
  const settings: RunWorkerSettings = { lockMs: opts.lockMs ?? 30_000, stalledMs: opts.stalledMs ?? 15_000, maxStalled: opts.maxStalled ?? 2 };
  const record = makeProblemRecord(network, target, opts, opts.splitBudget, settings);
  const redis = await connectRedis(opts.queue);
  const runId = opts.runId ?? newRunId();
  let queue: Queue | undefined, events: QueueEvents | undefined;
  try {
    let resumed = false;
    const put = await redis.set(problemKey(runId), JSON.stringify(record), 'NX');
    if (put === null) {
      const old = await redis.get(problemKey(runId));
      let digest: unknown;
      try {
        digest = (JSON.parse(old ?? 'null') as { digest?: unknown } | null)?.digest;
      } catch { /* reported below */ }
      if (digest !== record.digest) throw new PreimageError('RUN_MISMATCH', `expected run ${runId} on ${opts.queue.display} to ask the same question (network, target, options), found a different one; use another --run-id`);
      resumed = true;
    }
    await redis.sadd(runsKey(), runId);
    const connection = redisOptions(opts.queue);
    queue = new Queue(QUEUE_NAME, { connection, prefix: bullPrefix(runId) });
    events = new QueueEvents(QUEUE_NAME, { connection, prefix: bullPrefix(runId) });
    queue.on('error', () => {});
    events.on('error', () => {});
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    opts.onRun?.(runId, resumed);
    return await drive(network, problem, roots, opts, redis, queue, events, runId, resumed, t0);
  } finally {
    await events?.close().catch(() => {});
    await queue?.close().catch(() => {});
    redis.disconnect();
  }
}

async function drive(network: Network, problem: PreparedProblem, roots: SubtreeTask[], opts: QueueRunOptions, redis: Redis, queue: Queue, events: QueueEvents, runId: string, resumed: boolean, t0: number): Promise<QueueRunReport> {
  const attempts = opts.attempts ?? 3;
  const deadline = opts.timeLimitMs !== undefined ? Date.now() + opts.timeLimitMs : undefined;
  const known = new Set<string>();
  const pending = new Map<string, TaskKey>();
  /** The tasks of pending keys (to add a job again when its stored result is damaged). */
  const taskOf = new Map<string, SubtreeTask>();
  const pendingHeap = new Heap<TaskKey>((a, b) => compareKeys(a, b) < 0);
  const doneHeap = new Heap<SubtreeResult>((a, b) => compareKeys(a.key, b.key) < 0);
  const failed = new Map<string, string>();
  const stats = emptyStats();
  const geometry = { lps: 0, ms: 0 };
  let geometrySum = 0, maxWorkers = 1;
  const stops: { key: TaskKey; stop: StopReason }[] = [];
  const pieces: PieceJson[] = [];
  let pieceCount = 0, doneCount = 0, reused = 0;
  let volume: number | null = problem.volumes ? 0 : null;
  let stoppedAt = false;
  let endReason: StopReason = null;

  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });
  let ended = false;
  const end = (why: StopReason) => {
    if (ended) return;
    ended = true;
    endReason = why;
    finish();
  };

  const emit = (r: SubtreeResult) => {
    for (const p of r.pieces) {
      if (stoppedAt) return;
      p.id = pieceCount++;
      if (p.dim === p.witness.length) volume = p.volume === null || volume === null ? null : volume + p.volume;
      opts.onPiece?.(p);
      if (opts.keepPieces !== false) pieces.push(p);
      if (opts.stopAt?.(p)) {
        stoppedAt = true;
        end('cancelled');
      }
    }
  };
  /** Emits every finished task below the smallest unfinished key. */
  const flush = () => {
    for (;;) {
      while (pendingHeap.size > 0 && !pending.has(keyText(pendingHeap.peek() as TaskKey))) pendingHeap.pop();
      const next = doneHeap.peek();
      if (!next) break;
      const min = pendingHeap.peek();
      if (min && compareKeys(next.key, min) > 0) break;
      doneHeap.pop();
      if (!ended) emit(next);
    }
    if (pending.size === 0) end(null);
  };

  const jobOf = (t: SubtreeTask) => {
    const data: JobData = { v: 1, run: runId, task: encodeTask(t), ...(deadline !== undefined ? { deadline } : {}) };
    return { name: 'subtree', data, opts: { jobId: jobId(t.key), attempts, backoff: { type: 'exponential', delay: opts.backoffMs ?? 1000 }, removeOnComplete: true, removeOnFail: false } };
  };

  /** Takes a stored result; returns its children (to be added). */
  const take = (k: string, text: string): SubtreeTask[] => {
    if (!pending.has(k)) return [];
    let r: SubtreeResult | undefined;
    try {
      r = decodeResult(JSON.parse(text), problem);
    } catch { /* below */ }
    if (!r || keyText(r.key) !== k) {
      // a damaged entry: drop it and run the task again (its job completed and was removed)
      const t = taskOf.get(k);
      if (t) void redis.hdel(resultsKey(runId), k).then(() => queue.add('subtree', jobOf(t).data, jobOf(t).opts)).catch(() => {});
      return [];
    }
    pending.delete(k);
    taskOf.delete(k);
    doneCount++;
    addStats(stats, r.stats);
    geometrySum += r.geometryMs;
    geometry.lps += r.geometryLps;
    doneHeap.push(r);
    if (r.stop !== null) {
      stops.push({ key: r.key, stop: r.stop });
      return []; // stopped early (time limit): its remaining work is not searched
    }
    return r.children;
  };

  /** Registers tasks; those with stored results are taken at once (resume), the rest become jobs. */
  const addTasks = async (tasks: SubtreeTask[]): Promise<void> => {
    let todo = tasks;
    while (todo.length > 0 && !ended) {
      const fresh = todo.filter((t) => !known.has(keyText(t.key)));
      for (const t of fresh) {
        taskOf.set(keyText(t.key), t);
        known.add(keyText(t.key));
        pending.set(keyText(t.key), t.key);
        pendingHeap.push(t.key);
      }
      if (fresh.length === 0) break;
      const stored = await redis.hmget(resultsKey(runId), ...fresh.map((t) => keyText(t.key)));
      const next: SubtreeTask[] = [];
      const jobs: SubtreeTask[] = [];
      fresh.forEach((t, i) => {
        const s = stored[i];
        if (s !== null) {
          reused++;
          next.push(...take(keyText(t.key), s));
        } else jobs.push(t);
      });
      for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500).map(jobOf));
      todo = next;
    }
  };

  /** Looks up results of these keys; adds children; emits. */
  const settle = async (keys: string[]): Promise<void> => {
    const ks = keys.filter((k) => pending.has(k));
    for (let i = 0; i < ks.length && !ended; i += 1000) {
      const chunk = ks.slice(i, i + 1000);
      const stored = await redis.hmget(resultsKey(runId), ...chunk);
      const children: SubtreeTask[] = [];
      chunk.forEach((k, j) => { if (stored[j] !== null) children.push(...take(k, stored[j] as string)); });
      await addTasks(children);
    }
    flush();
  };

  /** A job that failed for good: its subtree is reported, unless its result is stored after all. */
  const checkFailed = async (id: string, reason?: string): Promise<void> => {
    const k = id.replace(/^t/, '');
    if (!pending.has(k)) return;
    const job = await queue.getJob(id);
    if (!job || (await job.getState()) !== 'failed') return;
    await settle([k]);
    if (!pending.has(k)) return;
    const why = reason ?? job.failedReason ?? (await redis.hget(failuresKey(runId), k)) ?? 'unknown';
    failed.set(k, `${why.split('\n')[0]} (after ${job.attemptsMade} attempt(s))`);
    pending.delete(k);
    taskOf.delete(k);
    flush();
  };

  // one thing at a time: events and timers queue their work here
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const serial = (f: () => Promise<void>) => {
    chain = chain.then(() => (ended ? undefined : f())).catch((e) => {
      failure ??= e;
      end('cancelled');
    });
  };
  events.on('completed', ({ jobId: id }) => serial(() => settle([String(id).replace(/^t/, '')])));
  events.on('failed', ({ jobId: id, failedReason }) => serial(() => checkFailed(String(id), failedReason)));

  const onAbort = () => end('cancelled');
  if (opts.signal?.aborted) end('cancelled');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timers: NodeJS.Timeout[] = [];
  if (deadline !== undefined) timers.push(setTimeout(() => end('time'), Math.max(0, deadline - Date.now()) + 2000));

  // start (or resume): roots, stored results, missing jobs; failed jobs of a resumed run get another chance
  serial(async () => {
    if (resumed) {
      for (const j of await queue.getFailed(0, -1)) {
        if (j.id) await j.retry('failed').catch(() => {});
      }
    }
    await addTasks(roots);
    flush();
  });
  let ticks = 0;
  const tick = async () => {
    ticks++;
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    const workers = (await queue.getWorkersCount().catch(() => 0)) as number;
    maxWorkers = Math.max(maxWorkers, workers);
    // reconcile: results whose events were missed, jobs that failed for good
    if (ticks % 2 === 0) {
      await settle([...pending.keys()]);
      if ((counts.failed ?? 0) > 0) for (const j of await queue.getFailed(0, -1)) if (j.id) await checkFailed(j.id);
    }
    opts.onQueueProgress?.({
      runId, elapsedMs: performance.now() - t0, done: doneCount, known: known.size,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0,
      workers, pieces: pieceCount,
    });
  };
  const interval = setInterval(() => serial(tick), 1000);
  timers.push(interval);

  await finished;
  for (const t of timers) clearTimeout(t);
  opts.signal?.removeEventListener('abort', onAbort);
  await chain;
  if (failure) throw failure;
  // an incomplete run: the pieces of every finished task, in key order
  while (!stoppedAt && doneHeap.size > 0) emit(doneHeap.pop() as SubtreeResult);
  if (opts.cleanup !== false) await removeRun(redis, queue, runId);

  stops.sort((a, b) => compareKeys(a.key, b.key));
  let stop: StopReason = endReason ?? stops[0]?.stop ?? null;
  const warnings: string[] = [];
  if (failed.size > 0) {
    stop ??= 'budget';
    const list = [...failed.entries()].sort((a, b) => compareKeys(a[0].split('.').map(Number), b[0].split('.').map(Number)));
    warnings.push(`${failed.size} subtree(s) failed on every attempt and are missing from the result: ${list.slice(0, 10).map(([k, why]) => `${k} (${why})`).join('; ')}${list.length > 10 ? '; ...' : ''}`);
  }
  geometry.ms = geometrySum / maxWorkers; // the workers' geometry time as a wall-clock share
  const summary = summarizeSearch(stats, stop, performance.now() - t0, geometry, volume, warnings);
  return {
    result: assembleResult(network, problem, pieces, summary, 'forward'), // queue tasks are forward subtrees
    runId,
    resumed,
    tasks: known.size,
    reused,
    failedSubtrees: [...failed.entries()].map(([key, reason]) => ({ key, reason })),
    stoppedAt,
  };
}
