/**
 * `preimage worker --queue URL`: processes the subtree jobs of every run on the queue (or of one
 * run), with `concurrency` worker threads. For each run it finds in `relu-preimage:runs` it reads
 * and validates the run's problem record once, then takes the run's jobs with a BullMQ Worker
 * whose stall settings come from the record (lockDuration, stalledInterval, maxStalledCount):
 * a worker that dies mid-job leaves a lock that lapses, and another worker puts the job back.
 *
 * A job's result goes into the run's results hash under the task key before the job completes,
 * and only while the run exists (one Lua script), so a retried job overwrites an identical value
 * and a job finishing after its run was cleaned up leaves no key behind. Jobs whose data fail
 * validation fail at once without retries (UnrecoverableError): a worker never runs code from
 * the queue.
 */
import type { Worker as ThreadWorker } from 'node:worker_threads';
import { moduleWorker } from '../util/module-worker.js';
import { Worker as BullWorker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PreimageError } from '../errors.js';
import { connectRedis, redisOptions, type QueueConnection } from './connection.js';
import { bullPrefix, failuresKey, keyText, problemKey, QUEUE_NAME, resultsKey, runsKey } from './keys.js';
import { decodeProblemRecord, RUN_ID_RE, validateJobData } from './payload.js';
import type { FromThread, ToThread } from './thread.js';

export interface QueueWorkerOptions {
  connection: QueueConnection;
  /** Worker threads, i.e. jobs at once (default 1). */
  concurrency?: number;
  /** Only this run (default: every run on the queue). */
  runId?: string;
  /** How often to look for new runs, in ms (default 1000). */
  pollMs?: number;
  /** Stops the worker (active jobs are abandoned: their locks lapse and they are retried elsewhere). */
  signal?: AbortSignal;
  /** One line per event (run picked up, job failed); default: nothing. */
  log?: (line: string) => void;
  /** Called before each task; throwing fails the job (for fault-injection tests). */
  beforeTask?: (run: string, key: number[]) => void;
}

export interface QueueWorkerSummary {
  jobs: number;
  failed: number;
  runs: number;
}

/** Stores a result only while the run exists (its problem record is there). */
const STORE_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) return 1 end return 0`;

function startThread(): ThreadWorker {
  return moduleWorker(new URL(import.meta.url.endsWith('.ts') ? './thread.ts' : './thread.js', import.meta.url));
}

/** A fixed pool of threads; each knows the runs it has been sent. */
class ThreadPool {
  private threads: { w: ThreadWorker; busy: boolean; runs: Set<string> }[] = [];
  private waiting: (() => void)[] = [];
  private calls = new Map<number, { resolve: (m: FromThread) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = startThread();
      w.on('message', (m: FromThread) => {
        const c = this.calls.get(m.id);
        this.calls.delete(m.id);
        c?.resolve(m);
      });
      w.on('error', (e) => {
        for (const c of this.calls.values()) c.reject(e);
        this.calls.clear();
      });
      w.unref();
      this.threads.push({ w, busy: false, runs: new Set() });
    }
  }
  async run(run: string, record: string, task: unknown, deadline?: number): Promise<FromThread> {
    let t = this.threads.find((x) => !x.busy);
    while (!t) {
      await new Promise<void>((r) => this.waiting.push(r));
      t = this.threads.find((x) => !x.busy);
    }
    t.busy = true;
    try {
      if (!t.runs.has(run)) {
        t.w.postMessage({ type: 'run', run, record } satisfies ToThread);
        t.runs.add(run);
      }
      const id = this.nextId++;
      const p = new Promise<FromThread>((resolve, reject) => this.calls.set(id, { resolve, reject }));
      t.w.postMessage({ type: 'task', id, run, task, deadline } satisfies ToThread);
      return await p;
    } finally {
      t.busy = false;
      this.waiting.shift()?.();
    }
  }
  drop(run: string): void {
    for (const t of this.threads) if (t.runs.delete(run)) t.w.postMessage({ type: 'drop', run } satisfies ToThread);
  }
  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.w.terminate()));
  }
}

/** Waits for p, at most ms (closing must not hang on a server that went away). */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise<void>((r) => { t = setTimeout(r, ms); })]);
  clearTimeout(t);
}

interface RunState {
  worker: BullWorker;
  record: string;
}

/**
 * Runs a queue worker until `signal` aborts.
 * @throws PreimageError QUEUE_UNREACHABLE when the server does not answer at start
 */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const c = opts.connection;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  if (opts.runId !== undefined && !RUN_ID_RE.test(opts.runId)) throw new PreimageError('BAD_ARGUMENT', `expected --run-id of letters, digits, _ and - (1..64 characters), found ${JSON.stringify(opts.runId)}`);
  const log = opts.log ?? (() => {});
  const redis: Redis = await connectRedis(c);
  const pool = new ThreadPool(concurrency);
  const runs = new Map<string, RunState>();
  const rejected = new Set<string>();
  const summary: QueueWorkerSummary = { jobs: 0, failed: 0, runs: 0 };
  let stopping = false;

  const processor = (run: string, record: string) => async (job: Job): Promise<{ pieces: number }> => {
    let data;
    try {
      data = validateJobData(job.data);
      if (data.run !== run) throw new PreimageError('BAD_JOB', `expected a job of run ${run}, found one of ${JSON.stringify(data.run)}`, `job ${job.id}`);
    } catch (e) {
      throw new UnrecoverableError((e as Error).message);
    }
    const key = Array.isArray((data.task as { key?: unknown }).key) ? ((data.task as { key: number[] }).key) : [];
    try {
      opts.beforeTask?.(run, key);
      const m = await pool.run(run, record, data.task, data.deadline);
      if (m.type === 'error') {
        if (m.code === 'BAD_TASK' || m.code === 'BAD_JOB') throw new UnrecoverableError(`${m.code}: ${m.message}`);
        throw new Error(m.code ? `${m.code}: ${m.message}` : m.message);
      }
      await redis.eval(STORE_SCRIPT, 2, problemKey(run), resultsKey(run), keyText(m.key), m.result);
      summary.jobs++;
      return { pieces: m.pieces };
    } catch (e) {
      summary.failed++;
      const msg = (e as Error).message.split('\n')[0];
      log(`run ${run}: subtree ${keyText(key)} failed (attempt ${job.attemptsMade + 1}): ${msg}`);
      await redis.eval(STORE_SCRIPT, 2, problemKey(run), failuresKey(run), keyText(key), msg).catch(() => {});
      throw e;
    }
  };

  const addRun = async (run: string): Promise<void> => {
    if (runs.has(run) || rejected.has(run) || !RUN_ID_RE.test(run)) return;
    const text = await redis.get(problemKey(run));
    if (text === null) return;
    let settings;
    try {
      settings = decodeProblemRecord(text).record.worker;
    } catch (e) {
      rejected.add(run);
      log(`run ${run}: rejected (${(e as Error).message.split('\n')[0]})`);
      return;
    }
    const worker = new BullWorker(QUEUE_NAME, processor(run, text), {
      connection: redisOptions(c),
      prefix: bullPrefix(run),
      concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.stalledMs,
      maxStalledCount: settings.maxStalled,
      removeOnComplete: { count: 0 },
    });
    worker.on('error', (e) => log(`run ${run}: ${e.message.split('\n')[0]}`));
    runs.set(run, { worker, record: text });
    summary.runs++;
    log(`run ${run}: working (${concurrency} thread${concurrency > 1 ? 's' : ''})`);
  };

  const dropRun = async (run: string): Promise<void> => {
    const s = runs.get(run);
    if (!s) return;
    runs.delete(run);
    pool.drop(run);
    await withTimeout(s.worker.close(true), 3000);
    // a BullMQ worker may touch its queue's keys (meta, stalled-check) after the coordinator's
    // cleanup; once the run is gone for good, this worker sweeps its namespace (also when it is
    // stopping: a worker stopped right after a run ended left its meta key; bounded in time so
    // that a worker without Redis still exits promptly)
    const sweep = async () => {
      if (await redis.exists(problemKey(run))) return;
      const stream = redis.scanStream({ match: `${bullPrefix(run)}:*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    };
    try {
      await withTimeout(sweep(), stopping ? 2000 : 10000);
    } catch { /* the next coordinator's cleanup or this sweep on another worker covers it */ }
    log(`run ${run}: ended`);
  };

  const poll = async (): Promise<void> => {
    const ids = opts.runId !== undefined ? ((await redis.exists(problemKey(opts.runId))) ? [opts.runId] : []) : await redis.smembers(runsKey());
    const live = new Set(ids);
    for (const run of ids) await addRun(run);
    for (const run of [...runs.keys()]) if (!live.has(run)) await dropRun(run);
    for (const run of [...rejected]) if (!live.has(run)) rejected.delete(run);
  };

  try {
    while (!opts.signal?.aborted) {
      try {
        await poll();
      } catch (e) {
        log(`queue: ${(e as Error).message.split('\n')[0]}`);
      }
      await new Promise<void>((resolve) => {
        const onAbort = () => { clearTimeout(t); resolve(); };
        const t = setTimeout(() => { opts.signal?.removeEventListener('abort', onAbort); resolve(); }, opts.pollMs ?? 1000);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  } finally {
    stopping = true;
    await Promise.all([...runs.keys()].map(dropRun));
    await withTimeout(pool.close(), 3000);
    redis.disconnect();
  }
  return summary;
}
