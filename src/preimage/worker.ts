/**
 * Worker thread of the parallel search (parallel.ts): keeps the prepared problems of the runs
 * it serves, runs subtree tasks (subtree.ts) and jobs of `preimage check` (check.ts), and answers
 * with their results. A shared Int32 flag
 * (workerData.flag) set by the main thread cancels the current task at its next node.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PreimageError } from '../errors.js';
import { PieceEncoder, type EncodedPieces } from './piece-codec.js';
import { runCheckJob, type CheckContext, type CheckJob, type CheckPart } from '../analysis/check.js';
import type { PreparedProblem } from './engine.js';
import { runSubtree, type SubtreeControl, type SubtreeResult, type SubtreeTask } from './subtree.js';

export type ToWorker =
  | { type: 'problem'; run: number; problem: PreparedProblem }
  | { type: 'task'; run: number; seq: number; task: SubtreeTask; control: SubtreeControl }
  | { type: 'drop'; run: number }
  | { type: 'check'; seq: number; ctx: CheckContext; job: CheckJob };

export type FromWorker =
  | { type: 'ready' }
  /** `result.pieces` is empty: `encoded` holds them (piece-codec.ts: transferred, not cloned). */
  | { type: 'done'; seq: number; result: SubtreeResult; encoded: EncodedPieces }
  | { type: 'checked'; seq: number; part: CheckPart }
  | { type: 'error'; seq: number; message: string; code: string | undefined };

const problems = new Map<number, PreparedProblem>();
const flag = new Int32Array((workerData as { flag: SharedArrayBuffer }).flag);
const cancelled = () => Atomics.load(flag, 0) !== 0;

parentPort?.on('message', (msg: ToWorker) => {
  if (msg.type === 'problem') problems.set(msg.run, msg.problem);
  else if (msg.type === 'drop') problems.delete(msg.run);
  else if (msg.type === 'check') {
    try {
      parentPort?.postMessage({ type: 'checked', seq: msg.seq, part: runCheckJob(msg.ctx, msg.job) } satisfies FromWorker);
    } catch (e) {
      parentPort?.postMessage({ type: 'error', seq: msg.seq, message: e instanceof Error ? e.stack ?? e.message : String(e), code: undefined } satisfies FromWorker);
    }
  } else {
    try {
      const p = problems.get(msg.run);
      if (!p) throw new Error(`no problem for run ${msg.run}`);
      // each piece encoded as it is made: the objects die young instead of living until the task ends
      const encoder = new PieceEncoder();
      try {
        const result = runSubtree(p, msg.task, { ...msg.control, cancelled, onPiece: (piece) => encoder.add(piece) });
        const encoded = encoder.finish();
        parentPort?.postMessage({ type: 'done', seq: msg.seq, result, encoded } satisfies FromWorker, [encoded.ints.buffer as ArrayBuffer, encoded.nums.buffer as ArrayBuffer]);
      } finally {
        encoder.release(); // after a failure: the next task's encoder gets the shared buffers
      }
    } catch (e) {
      const code = e instanceof PreimageError ? e.code : undefined;
      parentPort?.postMessage({ type: 'error', seq: msg.seq, message: e instanceof Error ? e.stack ?? e.message : String(e), code } satisfies FromWorker);
    }
  }
});
parentPort?.postMessage({ type: 'ready' } satisfies FromWorker);
