/**
 * Command-line wiring of the queue: the `--queue` options shared by compute, verify and worker,
 * and the progress line. (The commands themselves stay in src/cli/commands/.)
 */
import type { Command } from 'commander';
import { PreimageError } from '../errors.js';
import { parseQueueUrl, type QueueConnection } from './connection.js';
import type { Network } from '../network/types.js';
import type { PreimageOptions } from '../preimage/engine.js';
import type { PreimageResult } from '../preimage/result.js';
import type { Target } from '../preimage/target.js';
import { runPreimageQueue, type QueueProgress } from './coordinator.js';

export interface QueueCliOptions {
  queue?: string;
  runId?: string;
  queuePassword?: string;
  queueTls?: boolean;
  splitBudget?: string;
}

/** Adds --queue, --run-id, --queue-password, --queue-tls (and, for coordinators, --split-budget). */
export function addQueueOptions(cmd: Command, coordinator = true): Command {
  cmd
    .option('--queue <url>', 'run the search on a BullMQ job queue: redis://[[user]:password@]host[:port][/db] or rediss:// (TLS); workers: preimage worker')
    .option('--run-id <id>', coordinator ? 'with --queue: name the run, or resume it after a restart' : 'only the jobs of this run')
    .option('--queue-password <password>', 'Redis password (default: from the URL, else $REDIS_PASSWORD)')
    .option('--queue-tls', 'TLS to Redis even for a redis:// URL');
  if (coordinator) cmd.option('--split-budget <n>', 'with --queue: work (nodes + LPs) before a subtree job hands out the rest as new jobs');
  return cmd;
}

/** The connection from the options. @throws PreimageError BAD_QUEUE_URL, BAD_ARGUMENT */
export function queueConnectionFromCli(o: QueueCliOptions): QueueConnection {
  if (o.queue === undefined) throw new PreimageError('BAD_ARGUMENT', 'expected --queue redis://host:port, found none');
  return parseQueueUrl(o.queue, { password: o.queuePassword, tls: o.queueTls });
}

/** Checks that queue-only options come with --queue. */
export function checkQueueOptions(o: QueueCliOptions): void {
  if (o.queue === undefined) {
    const stray = (['runId', 'queuePassword', 'queueTls', 'splitBudget'] as const).filter((k) => o[k] !== undefined);
    if (stray.length) throw new PreimageError('BAD_ARGUMENT', `expected --queue with ${stray.map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', ')}, found no --queue`);
  }
}

/** --split-budget as a positive integer. */
export function splitBudgetFromCli(o: QueueCliOptions): number | undefined {
  if (o.splitBudget === undefined) return undefined;
  const v = Number(o.splitBudget);
  if (!Number.isInteger(v) || v < 1) throw new PreimageError('BAD_ARGUMENT', `expected --split-budget to be a positive integer, found ${JSON.stringify(o.splitBudget)}`);
  return v;
}

/** One progress line (overwritten with \r on a terminal). */
export function queueProgressLine(p: QueueProgress): string {
  return `${(p.elapsedMs / 1000).toFixed(1)} s: run ${p.runId}: ${p.done}/${p.known} subtrees done, ${p.active} active, ${p.waiting} waiting${p.delayed ? `, ${p.delayed} retrying` : ''}${p.failed ? `, ${p.failed} failed` : ''}, ${p.workers} worker connection(s), ${p.pieces} pieces`;
}

/**
 * `compute --queue`: the coordinator with the CLI's options; the run id and the queue's progress
 * on stderr.
 */
export async function computeOnQueueFromCli(net: Network, target: Target, options: PreimageOptions, o: QueueCliOptions & { quiet?: boolean }, showProgress: boolean): Promise<PreimageResult> {
  const queue = queueConnectionFromCli(o);
  const tty = process.stderr.isTTY;
  const { result } = await runPreimageQueue(net, target, {
    ...options,
    onProgress: undefined,
    queue,
    runId: o.runId,
    splitBudget: splitBudgetFromCli(o),
    onRun: (id, resumed) => { if (!o.quiet) process.stderr.write(`queue run ${id} on ${queue.display}${resumed ? ' (resumed)' : ''}; after a crash, resume with --run-id ${id}\n`); },
    onQueueProgress: showProgress ? (p) => process.stderr.write(tty ? `\r${queueProgressLine(p)}   ` : `${queueProgressLine(p)}\n`) : undefined,
  });
  return result;
}
