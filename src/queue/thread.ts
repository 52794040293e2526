/**
 * A worker thread of `preimage worker`: searches subtree tasks of queue runs off the main
 * thread, so that the main thread's event loop keeps renewing BullMQ's job locks (a job whose
 * lock lapses would be taken as stalled and run twice). Receives a run's problem record once,
 * rebuilds the PreparedProblem with preparePreimage, then answers tasks with the encoded result.
 */
import { parentPort } from 'node:worker_threads';
import { PreimageError } from '../errors.js';
import { preparePreimage, type PreparedProblem } from '../preimage/engine.js';
import { decodeProblemRecord } from './payload.js';
import { decodeTask, encodeResult, runSubtree } from './tasks.js';

export type ToThread =
  | { type: 'run'; run: string; record: string }
  | { type: 'drop'; run: string }
  | { type: 'task'; id: number; run: string; task: unknown; deadline?: number };

export type FromThread =
  | { type: 'done'; id: number; key: number[]; result: string; pieces: number }
  | { type: 'error'; id: number; code?: string; message: string };

const runs = new Map<string, { problem?: PreparedProblem; error?: string; splitBudget?: number }>();

parentPort?.on('message', (m: ToThread) => {
  if (m.type === 'run') {
    if (runs.has(m.run)) return;
    try {
      const rec = decodeProblemRecord(m.record);
      runs.set(m.run, { problem: preparePreimage(rec.network, rec.target, rec.options), splitBudget: rec.splitBudget });
    } catch (e) {
      runs.set(m.run, { error: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (m.type === 'drop') {
    runs.delete(m.run);
    return;
  }
  try {
    const r = runs.get(m.run);
    if (!r) throw new PreimageError('BAD_JOB', `expected a known run, found ${JSON.stringify(m.run)}`);
    if (!r.problem) throw new PreimageError('BAD_JOB', `expected a valid problem record of run ${m.run}, found one that fails (${r.error})`);
    const task = decodeTask(m.task, r.problem);
    const res = runSubtree(r.problem, task, { deadline: m.deadline, splitBudget: r.splitBudget });
    const msg: FromThread = { type: 'done', id: m.id, key: Array.from(task.key), result: JSON.stringify(encodeResult(res)), pieces: res.pieces.length };
    parentPort?.postMessage(msg);
  } catch (e) {
    const msg: FromThread = { type: 'error', id: m.id, code: e instanceof PreimageError ? e.code : undefined, message: e instanceof Error ? e.message : String(e) };
    parentPort?.postMessage(msg);
  }
});
