/**
 * One of the two worker threads of the threads bench's independent pair (bench/threads.ts): runs
 * its case on one thread, exactly as the bench's one-thread runs do, each time it is told to, and
 * answers with the result's digest and the wall time. Two of them running at once show what the
 * machine gives two independent copies of the work: the most any split of that work could get.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { computePreimageParallel, type ParallelOptions } from '../src/preimage/parallel.js';
import type { Target } from '../src/preimage/target.js';
import type { Network } from '../src/network/types.js';
import { collectGarbage, resultDigest } from './common.js';

const { net, target, opts } = workerData as { net: Network; target: Target; opts: ParallelOptions };

/** One timed run; the result is dropped when this returns. */
async function once(): Promise<{ ms: number; digest: string }> {
  const t0 = performance.now();
  const r = await computePreimageParallel(net, target, { ...opts, threads: 1 });
  const ms = performance.now() - t0;
  return { ms, digest: resultDigest(r) };
}

parentPort?.on('message', async () => {
  collectGarbage();
  const m = await once();
  // the result collected now: an idle worker's later collection would compete with the timed runs
  collectGarbage();
  parentPort?.postMessage(m);
});
parentPort?.postMessage('ready');
