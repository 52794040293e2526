import type { Command } from 'commander';
import { PreimageError } from '../../errors.js';
import { addQueueOptions, queueConnectionFromCli, type QueueCliOptions } from '../../queue/cli.js';
import { runQueueWorker } from '../../queue/worker.js';

interface WorkerCliOptions extends QueueCliOptions {
  concurrency?: string;
  quiet?: boolean;
}

export function registerWorker(program: Command): void {
  addQueueOptions(
    program
      .command('worker')
      .description('process subtree jobs of queue runs (preimage compute|verify --queue) until stopped (SIGINT/SIGTERM)'),
    false,
  )
    .option('--concurrency <n>', 'jobs at once, each on its own thread (default 1)')
    .option('--quiet', 'no log lines on stderr')
    .action(async (o: WorkerCliOptions) => {
      if (o.queue === undefined) throw new PreimageError('BAD_ARGUMENT', 'expected --queue redis://host:port, found none');
      const connection = queueConnectionFromCli(o);
      const concurrency = o.concurrency === undefined ? 1 : Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new PreimageError('BAD_ARGUMENT', `expected --concurrency to be a positive integer, found ${JSON.stringify(o.concurrency)}`);
      const ac = new AbortController();
      const stop = () => {
        ac.abort();
        // a worker asked to stop exits even when Redis has gone away (reconnect timers keep a process alive)
        setTimeout(() => process.exit(process.exitCode ?? 0), 5000).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const log = o.quiet ? undefined : (line: string) => process.stderr.write(`worker ${process.pid}: ${line}\n`);
      try {
        log?.(`queue ${connection.display}`);
        const s = await runQueueWorker({ connection, concurrency, runId: o.runId, signal: ac.signal, log });
        log?.(`stopped: ${s.jobs} job(s) done, ${s.failed} failed, ${s.runs} run(s)`);
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
    });
}
