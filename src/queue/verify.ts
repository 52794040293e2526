/**
 * `preimage verify ... --queue URL`: the VNN-COMP answer with the complete search on the queue.
 * Falsification runs here first (as in verifyProperty); then the search runs on the workers and
 * its pieces arrive in key order, i.e. the one-process search's depth-first order, so the first
 * piece whose witness passes the exact re-check is the counterexample the one-process `verify`
 * reports; the run stops there. `unsat` needs a complete search without slivers; with slivers,
 * the question with the unsafe set enlarged by δ is asked on the queue as well (as verifyProperty
 * does).
 */
import type { VnnlibSpec } from '../formats/vnnlib.js';
import type { Network } from '../network/types.js';
import { checkCounterexample, enlargeOutput, pieceCandidates, verifyProperty, type Counterexample, type VerifyOptions, type VerifyReport } from '../analysis/verify.js';
import { prepareExact } from '../exact/index.js';
import type { PieceJson } from '../preimage/result.js';
import { runPreimageQueue, type QueueRunOptions } from './coordinator.js';

/** Same constants as src/analysis/verify.ts. */
const SLIVER_DELTA = 1e-6;
const MAX_UNCONFIRMED_PIECES = 64;

export type QueueVerifyOptions = VerifyOptions & Pick<QueueRunOptions, 'queue' | 'runId' | 'splitBudget' | 'onQueueProgress' | 'onRun'>;

/** verifyProperty with the search on the queue (see the module doc). */
export async function verifyOnQueue(net: Network, spec: VnnlibSpec, opts: QueueVerifyOptions): Promise<VerifyReport> {
  const t0 = performance.now();
  const deadline = opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : Infinity;
  // falsification (and the input checks) exactly as verifyProperty does them: its search is
  // skipped by a signal that is already aborted
  const pre = new AbortController();
  pre.abort();
  const first = verifyProperty(net, spec, { ...opts, all: false, signal: pre.signal, confirmSlivers: false });
  if (first.result === 'sat' || first.result === 'error' || first.result === 'timeout' || (first.result === 'unsat' && !first.status)) return first;
  const warnings = [...first.warnings];
  const exact = prepareExact(net.layers);
  const ms = () => performance.now() - t0;
  const search = async (s: VnnlibSpec) => {
    let cx: Counterexample | undefined;
    let unconfirmed = 0;
    let firstFailure: string | undefined;
    const left = deadline - performance.now();
    const run = await runPreimageQueue(net, { kind: 'vnnlib', spec: s }, {
      queue: opts.queue, runId: opts.runId !== undefined && s !== spec ? `${opts.runId}-delta` : opts.runId, splitBudget: opts.splitBudget, onQueueProgress: opts.onQueueProgress, onRun: opts.onRun,
      // as verifyProperty's search: witnesses only and sliver slack for the first answer
      volumes: opts.all ? opts.volumes ?? false : false, geometry: !!opts.all, sliverSlack: !opts.all,
      certificates: true, strategy: opts.strategy, signal: opts.signal,
      timeLimitMs: Number.isFinite(left) ? Math.max(1, left) : undefined,
      stopAt: opts.all ? undefined : (piece) => {
        for (const x of pieceCandidates(spec, piece)) {
          const c = checkCounterexample(net, spec, x, exact);
          if (c.ok) {
            cx = { x: Array.from(x), y: c.y, box: c.box, polytope: c.polytope, margin: c.margin, floatMargin: c.floatMargin, method: 'search' };
            return true;
          }
          firstFailure ??= `piece ${piece.id}: ${c.reason}`;
        }
        return ++unconfirmed >= MAX_UNCONFIRMED_PIECES;
      },
    });
    if (opts.all) {
      for (const piece of run.result.pieces) {
        if (cx) break;
        for (const x of pieceCandidates(spec, piece)) {
          const c = checkCounterexample(net, spec, x, exact);
          if (c.ok) { cx = { x: Array.from(x), y: c.y, box: c.box, polytope: c.polytope, margin: c.margin, floatMargin: c.floatMargin, method: 'search' }; break; }
          firstFailure ??= `piece ${piece.id}: ${c.reason}`;
        }
        if (!cx) unconfirmed++;
      }
    }
    return { run, cx: cx as Counterexample | undefined, unconfirmed, firstFailure };
  };
  const a = await search(spec);
  const r = a.run.result;
  warnings.push(...r.warnings.filter((w) => !w.startsWith('the search stopped early')));
  const base = { stats: r.stats, status: r.status, falsification: first.falsification, warnings, ...(opts.all ? { preimage: r } : {}) };
  if (a.cx) return { ...base, result: 'sat', counterexample: a.cx, milliseconds: ms() };
  if (a.unconfirmed > 0) return { ...base, result: 'unknown', reason: `${a.unconfirmed} piece(s) found, but no witness passed the exact re-check (${a.firstFailure})`, milliseconds: ms() };
  if (r.status === 'incomplete_time') return { ...base, result: 'timeout', reason: 'the time limit ran out during the search', milliseconds: ms() };
  if (r.status !== 'complete') return { ...base, result: 'unknown', reason: `the search ended early (${r.status})${a.run.failedSubtrees.length ? `: ${a.run.failedSubtrees.length} subtree(s) failed on the queue` : ''}`, milliseconds: ms() };
  if (r.stats.slivers === 0) return { ...base, result: 'unsat', milliseconds: ms() };
  if (opts.confirmSlivers === false || deadline - performance.now() <= 0) {
    return { ...base, result: deadline - performance.now() <= 0 ? 'timeout' : 'unknown', reason: `the search found no counterexample, but ${r.stats.slivers} sliver(s) thinner than the margin were not searched separately`, milliseconds: ms() };
  }
  const t1 = performance.now();
  const b = await search(enlargeOutput(spec, SLIVER_DELTA));
  const s2 = b.run.result;
  const sliverCheck = { delta: SLIVER_DELTA, status: s2.status, pieces: s2.stats.pieces, slivers: s2.stats.slivers, milliseconds: performance.now() - t1 };
  if (b.cx) return { ...base, sliverCheck, result: 'sat', counterexample: b.cx, milliseconds: ms() };
  if (s2.status === 'complete' && s2.stats.pieces === 0 && s2.stats.slivers === 0) {
    warnings.push(`${r.stats.slivers} sliver(s) in the search; confirmed by a sliver-free empty search with the unsafe set enlarged by ${SLIVER_DELTA} (relative)`);
    return { ...base, sliverCheck, result: 'unsat', milliseconds: ms() };
  }
  return { ...base, sliverCheck, result: s2.status === 'incomplete_time' ? 'timeout' : 'unknown', reason: `no counterexample found, but ${r.stats.slivers} sliver(s) were not searched separately and the check with the unsafe set enlarged by ${SLIVER_DELTA} did not settle it`, milliseconds: ms() };
}
