/**
 * The search on worker threads, with dynamic load balancing over subtree tasks (subtree.ts).
 *
 * Tasks wait in a min-heap by key; an idle thread takes the smallest key (so the run proceeds
 * roughly depth first and few finished pieces wait out of order); a finished task's children go
 * back into the heap; finished results are buffered and released to `onPiece` strictly in key
 * order as soon as every smaller key is done. Because tasks split on counters only (never on
 * time), the tasks, their pieces and their counters are the same whatever the number of threads:
 * the output is identical for 1 and N threads (threads = 1 runs the same tasks in the calling
 * thread). For the vertex search it is also identical to the sequential computePreimage; the LP
 * search starts fresh LP warm starts at task boundaries, so its pieces can differ from the
 * sequential run's in the last digits (identical among thread counts).
 *
 * Budgets (maxPieces, maxNodes): every task runs with the budget as its own limit, and the run
 * stops at the first task boundary, in key order, where the released total reaches it: the pieces
 * are then the first ones in key order up to that boundary, the same for any thread count (the
 * sequential computePreimage cuts off exactly at the budget instead). A time limit or
 * cancellation stops every task at its next node; the result holds the pieces released so far.
 *
 * Workers persist between runs in one process (a shared pool, unreferenced while idle, so it never
 * keeps the process alive); closeWorkerPool() terminates them.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../util/module-worker.js';
import type { Network } from '../network/types.js';
import { assembleResult, computePreimage, preparePreimage, summarizeSearch, type PreimageOptions, type PreparedProblem } from './engine.js';
import type { PieceJson, PreimageResult } from './result.js';
import { addStats, emptyStats, type SearchStats, type StopReason } from './search.js';
import { Heap } from '../util/heap.js';
import { compareKeys, rootTasks, runSubtree, type SubtreeControl, type SubtreeResult, type SubtreeTask } from './subtree.js';
import type { Target } from './target.js';
import type { ToWorker, FromWorker } from './worker.js';
import { decodePieces } from './piece-codec.js';
import { PreimageError } from '../errors.js';
import { mergeCheck, planCheck, runCheckJob, type CheckContext, type CheckJob, type CheckOptions, type CheckPart, type CheckReport } from '../analysis/check.js';

export interface ParallelOptions extends PreimageOptions {
  /** Threads (default: the number of cores). 1 runs the tasks in the calling thread. */
  threads?: number;
  /** Cap of the tasks' split budget (default DEFAULT_SPLIT_BUDGET of subtree.ts); part of what makes results reproducible: keep it fixed. */
  splitBudget?: number;
  /** Receives the pool's counters when the run ends. */
  onPoolStats?: (s: PoolStats) => void;
}

/** Counters of one pool run. */
export interface PoolStats {
  threads: number;
  /** Tasks run (not counting re-runs of cancelled ones). */
  tasks: number;
  /** Tasks that handed back children (split, or stopped with work left). */
  splits: number;
  /** Tasks cancelled because a smaller key found a piece first (verify), run again later if needed. */
  requeued: number;
  /** Tasks run in the calling thread. */
  inThread: number;
  /** Largest number of finished pieces waiting for a smaller key. */
  maxBuffered: number;
  /** Milliseconds from start until the workers were ready (0 when none was needed). */
  workerStartMs: number;
  /** Sum over tasks of the time from handing a task out to receiving its result (thread busy time). */
  busyMs: number;
  /** Main-thread time spent receiving results and releasing pieces. */
  mainMs: number;
}

/** Options of {@link runTasks}. */
export interface TaskRunOptions {
  threads: number;
  splitBudget?: number;
  /** Date.now() deadline. */
  deadline?: number;
  signal?: AbortSignal;
  /** Stop at the first task boundary (in key order) where the released pieces reach this. */
  maxPieces?: number;
  maxNodes?: number;
  /** Limit of pieces per task (default maxPieces): tasks hand back the rest as children. */
  taskMaxPieces?: number;
  /** Pieces in key order (ids numbered from 0); returning true stops the run (status budget). */
  onPiece?: (piece: PieceJson) => boolean | void;
  /**
   * Do not start (and cancel) tasks after a finished task that found pieces not yet released
   * (for runs that stop at the first good piece in key order: verify).
   */
  hold?: boolean;
  onProgress?: (stats: SearchStats, elapsedMs: number) => void;
}

export interface TaskRunSummary {
  stop: StopReason;
  /** Stopped because onPiece returned true. */
  stoppedByCaller: boolean;
  /** Counters of the released tasks (so stats.pieces is the number of pieces released). */
  stats: SearchStats;
  geometry: { ms: number; lps: number };
  /** Sum of the released full-dimensional pieces' volumes, in release order (null when one is unknown). */
  volume: number | null;
  pool: PoolStats;
}

// ---------------------------------------------------------------------------------------------
// the shared worker pool

interface PoolWorker {
  worker: Worker;
  /** Int32 flag the worker polls: non-zero cancels its current task. */
  flag: Int32Array;
  ready: Promise<void>;
  /** Set when the worker said it is ready. */
  isReady: boolean;
  /** The task it runs (null when idle); results of other tasks are stale. */
  busy: { run: number; seq: number } | null;
  problems: Set<number>;
  onResult: ((m: FromWorker) => void) | null;
}

const pool: PoolWorker[] = [];
/** A run on several threads starts new workers only after this long in the calling thread. */
const WORKER_DELAY_MS = 1000;
let nextRun = 1;
let nextSeq = 1;

function startWorker(): PoolWorker {
  const sab = new SharedArrayBuffer(4);
  const worker = moduleWorker(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url), { workerData: { flag: sab } });
  const pw: PoolWorker = { worker, flag: new Int32Array(sab), ready: Promise.resolve(), isReady: false, busy: null, problems: new Set(), onResult: null };
  pw.ready = new Promise<void>((resolve, reject) => {
    const onMsg = (m: FromWorker) => {
      if (m.type === 'ready') {
        worker.off('error', reject);
        pw.isReady = true;
        resolve();
      }
    };
    worker.on('message', onMsg);
    worker.once('error', reject);
  });
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'ready') return;
    pw.onResult?.(m);
  });
  worker.on('error', (e) => pw.onResult?.({ type: 'error', seq: -1, message: e.message, code: undefined }));
  worker.on('exit', () => {
    const i = pool.indexOf(pw);
    if (i >= 0) pool.splice(i, 1);
  });
  worker.unref();
  return pw;
}

/** Starts the shared worker threads up to `threads` and waits until they are ready (runs then use them from their first task). */
export async function warmWorkerPool(threads: number = availableParallelism()): Promise<void> {
  while (pool.length < threads) pool.push(startWorker());
  const mine = pool.slice(0, threads);
  for (const w of mine) w.worker.ref();
  try {
    await Promise.all(mine.map((w) => w.ready));
  } finally {
    for (const w of mine) w.worker.unref();
  }
}

/** Terminates the shared worker threads (they are also unreferenced while idle: a process exits without this). */
export async function closeWorkerPool(): Promise<void> {
  const all = pool.splice(0, pool.length);
  await Promise.all(all.map((p) => p.worker.terminate()));
}

// ---------------------------------------------------------------------------------------------
// the run

interface Entry {
  task: SubtreeTask;
  result: SubtreeResult | null;
  running: PoolWorker | 'main' | null;
  seq: number;
  /** When it was handed to a thread. */
  started: number;
}

const byKey = (a: Entry, b: Entry) => compareKeys(a.task.key, b.task.key) < 0;

/**
 * Runs `tasks` (and the children they hand back) on `threads` threads and releases their pieces
 * in key order (see the module doc). The same tasks give the same pieces and counters for any
 * number of threads.
 */
export async function runTasks(problem: PreparedProblem, tasks: SubtreeTask[], o: TaskRunOptions): Promise<TaskRunSummary> {
  const t0 = performance.now();
  const threads = Math.max(1, Math.floor(o.threads));
  const run = nextRun++;
  const stats = emptyStats();
  const geometry = { ms: 0, lps: 0 };
  const ps: PoolStats = { threads, tasks: 0, splits: 0, requeued: 0, inThread: 0, maxBuffered: 0, workerStartMs: 0, busyMs: 0, mainMs: 0 };
  let volume: number | null = problem.volumes ? 0 : null;
  let released = 0;
  let stop: StopReason = null;
  let stoppedByCaller = false;
  let finished = false;
  let lastProgress = performance.now();
  const order = new Heap<Entry>(byKey); // every task not yet released
  const ready = new Heap<Entry>(byKey); // tasks waiting for a thread
  const control: SubtreeControl = { splitBudget: o.splitBudget, deadline: o.deadline, maxPieces: o.taskMaxPieces ?? o.maxPieces, maxNodes: o.maxNodes };
  for (const t of tasks) {
    const e: Entry = { task: t, result: null, running: null, seq: 0, started: 0 };
    order.push(e);
    ready.push(e);
  }

  /** Releases finished tasks in key order; sets `stop` when a budget or the caller ends the run. */
  const release = () => {
    while (!finished && stop === null) {
      const e = order.peek();
      if (!e || !e.result) break;
      order.pop();
      const r = e.result;
      addStats(stats, r.stats);
      geometry.lps += r.geometryLps;
      for (const p of r.pieces) {
        p.id = released++;
        if (p.dim === p.witness.length) volume = p.volume === null || volume === null ? null : volume + p.volume;
        if (!stoppedByCaller && o.onPiece?.(p) === true) stoppedByCaller = true;
      }
      if (r.stop === 'time' || r.stop === 'cancelled') stop = r.stop;
      else if (stoppedByCaller) stop = 'budget';
      else if (o.maxPieces !== undefined && stats.pieces >= o.maxPieces) stop = 'budget';
      else if (o.maxNodes !== undefined && stats.nodes >= o.maxNodes) stop = 'budget';
    }
    let buffered = 0;
    for (const e of order.items) if (e.result) buffered += e.result.pieces.length;
    ps.maxBuffered = Math.max(ps.maxBuffered, buffered);
    if (o.onProgress && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      o.onProgress(stats, lastProgress - t0);
    }
  };

  /** Queues a finished task's children (a task stopped by time or cancellation ends the run: its children are not searched). */
  const adopt = (r: Pick<SubtreeResult, 'stop' | 'children'>) => {
    if (r.stop === 'time' || r.stop === 'cancelled') return;
    for (const c of r.children) {
      const ce: Entry = { task: c, result: null, running: null, seq: 0, started: 0 };
      order.push(ce);
      ready.push(ce);
    }
  };

  /**
   * Records a finished task's result (`adopted`: its children are queued already) and releases
   * what it can. `share`: the wall-clock share of the task's geometry time (1 for a task run in
   * this thread; 1/threads for a worker's, whose geometry overlapped the other threads' work).
   */
  const accept = (e: Entry, r: SubtreeResult, adopted = false, share = 1 / threads) => {
    e.result = r;
    e.running = null;
    ps.tasks++;
    if (r.children.length > 0) ps.splits++;
    geometry.ms += r.geometryMs * share;
    if (!adopted) adopt(r);
    release();
  };

  /** hold: the smallest key of a finished task with pieces still waiting (tasks after it wait). */
  const holdKey = (): number[] | null => {
    if (!o.hold) return null;
    let best: number[] | null = null;
    for (const e of order.items) if (e.result && e.result.pieces.length > 0 && (!best || compareKeys(e.task.key, best) < 0)) best = e.task.key;
    return best;
  };

  const outOfTime = () => (o.deadline !== undefined && Date.now() > o.deadline ? 'time' : o.signal?.aborted ? 'cancelled' : null);

  // one thread, or the fan-out at the start: tasks in the calling thread
  const runHere = (e: Entry) => {
    ps.inThread++;
    const s0 = performance.now();
    const r = runSubtree(problem, e.task, { ...control, signal: o.signal });
    ps.busyMs += performance.now() - s0;
    accept(e, r, false, 1);
  };
  let slice = performance.now();
  const yieldNow = async () => {
    // let timers, signals and messages through about every 20 ms
    if (performance.now() - slice > 20) {
      await new Promise((r) => setImmediate(r));
      slice = performance.now();
    }
  };
  // Worker threads: used at once when the pool has them ready; otherwise the run starts here and
  // starts them only if it is still going after WORKER_DELAY_MS (a new worker costs about 1 s of CPU
  // to load the modules and warm up its JIT: short runs are faster without), and goes on here
  // until they are ready. Which thread runs a task never changes the result.
  const ws0 = performance.now();
  let mine: PoolWorker[] = [];
  let workersReady = threads === 1;
  const startWorkers = () => {
    while (pool.length < threads) pool.push(startWorker());
    mine = pool.slice(0, threads);
    for (const w of mine) w.worker.ref(); // referenced while this run needs them
    workersReady = mine.every((w) => w.isReady);
    const started = () => {
      workersReady = true;
      ps.workerStartMs = performance.now() - ws0;
    };
    Promise.all(mine.map((w) => w.ready)).then(started, started);
  };
  if (threads > 1 && pool.length >= threads && pool.slice(0, threads).every((w) => w.isReady)) startWorkers();
  try {
    while (stop === null && ready.size > 0 && (threads === 1 || !workersReady)) {
      const t = outOfTime();
      if (t) {
        stop = t;
        break;
      }
      const e = ready.pop() as Entry;
      runHere(e);
      if (threads > 1 && mine.length === 0 && performance.now() - t0 > WORKER_DELAY_MS) startWorkers();
      if (mine.length === 0) await yieldNow();
      else await new Promise((r) => setImmediate(r)); // lets the workers' ready messages in
    }
    if (stop !== null || ready.size === 0 || threads === 1) return end();
    await Promise.all(mine.map((w) => w.ready)); // a worker that failed to start throws here
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (s: StopReason) => {
        if (finished) return;
        if (stop === null) stop = s;
        finished = true;
        if (timer) clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        for (const w of mine) {
          w.onResult = null;
          if (w.busy?.run === run) Atomics.store(w.flag, 0, 1); // stop its task at the next node
        }
        resolve();
      };
      const onAbort = () => finish('cancelled');
      o.signal?.addEventListener('abort', onAbort, { once: true });
      if (o.signal?.aborted) return finish('cancelled');
      if (o.deadline !== undefined) timer = setTimeout(() => finish('time'), Math.max(0, o.deadline - Date.now()) + 50);
      const running = new Map<number, Entry>();
      const schedule = () => {
        if (finished) return;
        if (stop !== null || (order.size === 0 && running.size === 0)) return finish(stop);
        const hk = holdKey();
        if (hk) {
          // cancel running tasks after the held key; they run again if the held pieces do not end the run
          for (const [seq, e] of running) {
            const w = e.running as PoolWorker;
            if (compareKeys(e.task.key, hk) > 0 && w.busy?.seq === seq) {
              Atomics.store(w.flag, 0, 1);
              running.delete(seq);
              e.running = null;
              ps.requeued++;
              ready.push(e);
            }
          }
        }
        for (const w of mine) {
          if (w.busy !== null) continue;
          const e = ready.peek();
          if (!e || (hk && compareKeys(e.task.key, hk) > 0)) break;
          ready.pop();
          if (!w.problems.has(run)) {
            w.problems.add(run);
            w.worker.postMessage({ type: 'problem', run, problem } satisfies ToWorker);
          }
          const seq = nextSeq++;
          e.seq = seq;
          e.started = performance.now();
          e.running = w;
          w.busy = { run, seq };
          running.set(seq, e);
          Atomics.store(w.flag, 0, 0);
          w.worker.postMessage({ type: 'task', run, seq, task: e.task, control } satisfies ToWorker);
        }
        if (running.size === 0 && ready.size === 0 && order.size === 0) finish(stop);
      };
      for (const w of mine) {
        w.onResult = (m) => {
          if (m.type === 'error') {
            if (w.busy?.seq === m.seq) w.busy = null;
            if (m.seq === -1 || running.has(m.seq)) {
              finished = true;
              for (const x of mine) x.onResult = null;
              o.signal?.removeEventListener('abort', onAbort);
              if (timer) clearTimeout(timer);
              reject(m.code ? new PreimageError(m.code as PreimageError['code'], m.message) : new Error(`worker thread: ${m.message}`));
            }
            return;
          }
          if (m.type !== 'done') return;
          if (w.busy?.seq === m.seq) w.busy = null;
          const e = running.get(m.seq);
          if (!e) return schedule(); // a cancelled task's late answer
          running.delete(m.seq);
          const m0 = performance.now();
          ps.busyMs += m0 - e.started;
          // the thread gets its next task before this one's pieces are decoded and released: it
          // waited for that otherwise (about 2 ms a task on ACAS Xu partitions). Not with `hold`,
          // whose scheduling depends on which finished tasks have pieces.
          const early = !o.hold;
          if (early) {
            adopt(m.result);
            schedule();
          }
          accept(e, { ...m.result, pieces: decodePieces(m.encoded) }, early);
          schedule();
          ps.mainMs += performance.now() - m0;
        };
      }
      schedule();
    });
  } finally {
    for (const w of mine) {
      // workers still stopping a cancelled task become idle when it answers
      if (w.busy?.run === run) {
        const busy = w.busy;
        w.onResult = (m) => {
          if (m.type === 'error' || (m.type === 'done' && m.seq === busy.seq)) w.busy = null;
          if (w.busy === null) w.onResult = null;
        };
      }
      if (w.problems.delete(run)) w.worker.postMessage({ type: 'drop', run } satisfies ToWorker);
      w.worker.unref();
    }
  }
  return end();

  function end(): TaskRunSummary {
    finished = true;
    if (stop === null && order.size > 0) stop = outOfTime() ?? 'cancelled';
    return { stop, stoppedByCaller, stats, geometry, volume, pool: ps };
  }
}

/**
 * Runs independent check jobs (src/analysis/check.ts) on the pool's threads and returns their
 * parts in job order (threads = 1, or no idle worker: in this thread).
 */
export async function runCheckJobs(threads: number, ctx: CheckContext, jobs: CheckJob[]): Promise<CheckPart[]> {
  const parts: (CheckPart | null)[] = jobs.map(() => null);
  if (threads <= 1 || jobs.length <= 1) return jobs.map((j) => runCheckJob(ctx, j));
  while (pool.length < threads) pool.push(startWorker());
  const mine = pool.slice(0, threads);
  for (const w of mine) w.worker.ref();
  try {
    await Promise.all(mine.map((w) => w.ready));
    const idle = mine.filter((w) => w.busy === null);
    if (idle.length === 0) return jobs.map((j) => runCheckJob(ctx, j));
    await new Promise<void>((resolve, reject) => {
      let next = 0, done = 0;
      const feed = (w: PoolWorker) => {
        if (next >= jobs.length) return;
        const i = next++;
        const seq = nextSeq++;
        w.busy = { run: 0, seq };
        w.onResult = (m) => {
          w.busy = null;
          w.onResult = null;
          if (m.type === 'error') return reject(new Error(`worker thread: ${m.message}`));
          if (m.type !== 'checked') return;
          parts[i] = m.part;
          if (++done === jobs.length) resolve();
          else feed(w);
        };
        w.worker.postMessage({ type: 'check', seq, ctx, job: jobs[i] } satisfies ToWorker);
      };
      for (const w of idle) feed(w);
    });
  } finally {
    for (const w of mine) w.worker.unref();
  }
  return parts as CheckPart[];
}

/** Threads from an option: a positive integer (default: the number of cores). */
export function threadCount(threads: number | undefined): number {
  if (threads === undefined) return availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new PreimageError('BAD_ARGUMENT', `expected threads to be a positive integer, found ${JSON.stringify(threads)}`);
  return threads;
}

/** computePreimage on threads (see the module doc): the same pieces, in the same order, for any number of threads. */
export async function computePreimageParallel(network: Network, target: Target, opts: ParallelOptions = {}): Promise<PreimageResult> {
  const threads = threadCount(opts.threads);
  const problem = preparePreimage(network, target, opts);
  // the backward search has no subtree tasks: it runs sequentially in this thread
  if (problem.direction === 'backward') return computePreimage(network, target, opts);
  const t0 = performance.now();
  const pieces: PieceJson[] = [];
  const s = await runTasks(problem, rootTasks(problem, opts.strategy), {
    threads,
    splitBudget: opts.splitBudget,
    deadline: opts.timeLimitMs !== undefined ? Date.now() + opts.timeLimitMs : undefined,
    signal: opts.signal,
    maxPieces: opts.maxPieces,
    maxNodes: opts.maxNodes,
    onPiece: (p) => {
      opts.onPiece?.(p);
      if (opts.keepPieces !== false) pieces.push(p);
    },
    onProgress: opts.onProgress,
  });
  opts.onPoolStats?.(s.pool);
  const summary = summarizeSearch(s.stats, s.stop, performance.now() - t0, s.geometry, s.volume);
  return assembleResult(network, problem, pieces, summary, 'forward'); // subtree tasks search forward
}

/**
 * checkResult (src/analysis/check.ts) on threads: the same jobs (everything random is drawn
 * first, in order) on the worker pool; the report is identical for any number of threads.
 */
export async function checkResultParallel(network: Network, result: PreimageResult, o: CheckOptions & { threads?: number } = {}): Promise<CheckReport> {
  let threads = threadCount(o.threads);
  // fresh workers cost about 1 s of CPU each: worth it for large results only (about 1 ms a piece)
  if (threads > 1 && result.pieces.length < 3000 && !(pool.length >= threads && pool.slice(0, threads).every((w) => w.isReady))) threads = 1;
  const plan = planCheck(network, result, o, threads === 1 ? 1 : 4 * threads);
  return mergeCheck(plan, await runCheckJobs(threads, plan.ctx, plan.jobs));
}
