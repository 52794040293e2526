/**
 * Worker thread of the parallel search (parallel.ts): receives the prepared problem once, then
 * searches subtrees (frames of the vertex search) and returns their finished pieces.
 */
import { parentPort } from 'node:worker_threads';
import type { CertificateContext } from '../analysis/certificate.js';
import { excludeEarlier, finishPiece, searchPlan, type PreparedProblem } from './engine.js';
import type { PieceJson } from './result.js';
import { emptyStats, type StopReason } from './search.js';
import { vertexSearchFrom, type VFrame } from './vertex-search.js';

/** A subtree to search. `deadlineEpoch` is a Date.now() time (performance.now() differs between threads). */
export interface TaskMessage {
  type: 'task';
  task: number;
  domain: number;
  frame: VFrame;
  deadlineEpoch?: number;
  strategy?: 'auto' | 'lp' | 'vertex';
}

export interface DoneMessage {
  type: 'done';
  task: number;
  pieces: PieceJson[];
  stats: ReturnType<typeof emptyStats>;
  stop: StopReason;
  geometryMs: number;
  geometryLps: number;
}

let problem: PreparedProblem | null = null;
let ctx: CertificateContext | null = null;

parentPort?.on('message', (msg: { type: 'init'; problem: PreparedProblem } | TaskMessage) => {
  if (msg.type === 'init') {
    problem = msg.problem;
    ctx = { layers: problem.layers, target: problem.targetSet };
    return;
  }
  const p = problem as PreparedProblem;
  const domain = excludeEarlier(p.domains, msg.domain);
  const { scaling, searchDomain } = searchPlan(p, domain, msg.strategy);
  const stats = emptyStats();
  const geometry = { lps: 0, ms: 0 };
  const deadline = msg.deadlineEpoch !== undefined ? performance.now() + (msg.deadlineEpoch - Date.now()) : undefined;
  const it = vertexSearchFrom([msg.frame], scaling?.layers ?? p.layers, searchDomain.n, p.targetSet, stats, { deadline });
  const pieces: PieceJson[] = [];
  let stop: StopReason = null;
  for (;;) {
    const r = it.next();
    if (r.done) {
      stop = r.value === 'split' ? null : r.value;
      break;
    }
    const g0 = performance.now();
    pieces.push(finishPiece(r.value, 0, p, p.domains[msg.domain], geometry, ctx as CertificateContext, scaling));
    geometry.ms += performance.now() - g0;
  }
  const done: DoneMessage = { type: 'done', task: msg.task, pieces, stats, stop, geometryMs: geometry.ms, geometryLps: geometry.lps };
  parentPort?.postMessage(done);
});
