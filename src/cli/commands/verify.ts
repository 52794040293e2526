import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { PreimageError } from '../../errors.js';
import { readNetwork } from '../../formats/detect.js';
import { parseVnnlib } from '../../formats/vnnlib.js';
import { formatVnncompResult, verifyPropertyParallel, type VerifyReport } from '../../analysis/verify.js';
import { parseThreads } from './compute.js';
import { fmt, readBytes, toJson, writeOut } from '../io.js';
import { addQueueOptions, checkQueueOptions, queueConnectionFromCli, queueProgressLine, splitBudgetFromCli, type QueueCliOptions } from '../../queue/cli.js';
import { verifyOnQueue } from '../../queue/verify.js';

/** Exit status of `verify` for an `error` answer caused by the input (as for every user error). */
const EXIT_BAD_INPUT = 2;

/** Reads a file, gunzipping it when it starts with the gzip magic bytes (VNN-COMP ships .onnx.gz / .vnnlib.gz). */
function readMaybeGz(path: string): Uint8Array {
  const bytes = readBytes(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new PreimageError('TRUNCATED_FILE', `expected a complete gzip stream in ${path}, found ${(e as Error).message}`);
    }
  }
  return bytes;
}

interface VerifyCliOptions {
  timeout?: string;
  out?: string;
  all?: boolean;
  json?: boolean;
  falsify?: boolean;
  seed?: string;
  strategy?: string;
  progress?: boolean;
  threads?: string;
}

function summaryLine(r: VerifyReport): string {
  const s = r.stats;
  const parts = [`${r.result} in ${fmt(r.milliseconds / 1000, 4)} s`];
  if (r.counterexample) parts.push(`counterexample by ${r.counterexample.method} (depth ${fmt(r.counterexample.margin, 3)})`);
  if (r.status) parts.push(`search ${r.status}: ${s.nodes} nodes, ${s.lps} LPs, ${s.pieces} pieces`);
  if (r.reason) parts.push(r.reason);
  return parts.join('; ');
}

/** A command registered this soon after process start is a real CLI run: its limit counts from process start. */
const STARTUP_MS = 5000;

export function registerVerify(program: Command): void {
  const registeredAt = performance.now();
  const cmd = program
    .command('verify')
    .description('answer a VNN-LIB property (VNN-COMP result: sat with a counterexample, unsat, timeout, unknown or error)')
    .argument('<model>', 'network file (.onnx, .nnet or .json; .gz accepted)')
    .argument('<spec>', 'VNN-LIB property (.vnnlib or .vnnlib.gz): input boxes and the unsafe output set')
    .option('--timeout <seconds>', 'time limit, counted from the start of the process')
    .option('--out <file>', 'write the result file (VNN-COMP format; with --all the result JSON)')
    .option('--all', 'the whole counterexample set (the preimage) as a result JSON, as compute --json writes it')
    .option('--json', 'print the verification report as JSON instead of the VNN-COMP text')
    .option('--no-falsify', 'skip the falsification phase (sampling and gradient steps) before the complete search')
    .option('--seed <s>', 'seed of the falsification samples (default 1)')
    .option('--strategy <s>', 'search strategy: auto (default), lp or vertex')
    .option('--progress', 'progress of the search on stderr')
    .option('--threads <n>', 'threads of the search (default: the number of cores); the answer and counterexample are the same for any number');
  // the complete search on a BullMQ job queue (src/queue/): --queue, --run-id, --queue-password, --queue-tls, --split-budget
  addQueueOptions(cmd)
    .action(async (model: string, spec: string, o: VerifyCliOptions & QueueCliOptions) => {
      checkQueueOptions(o);
      let timeoutS: number | undefined;
      if (o.timeout !== undefined) {
        timeoutS = Number(o.timeout);
        if (!(timeoutS > 0)) throw new PreimageError('BAD_ARGUMENT', `expected --timeout in seconds (> 0), found ${JSON.stringify(o.timeout)}`);
      }
      if (o.strategy !== undefined && !['auto', 'lp', 'vertex'].includes(o.strategy)) {
        throw new PreimageError('BAD_ARGUMENT', `expected --strategy auto, lp or vertex, found ${JSON.stringify(o.strategy)}`);
      }
      const threads = parseThreads(o.threads);
      const seed = o.seed !== undefined ? Number(o.seed) : undefined;
      if (seed !== undefined && !Number.isInteger(seed)) throw new PreimageError('BAD_ARGUMENT', `expected --seed to be an integer, found ${JSON.stringify(o.seed)}`);
      let report: VerifyReport;
      try {
        const net = readNetwork(readMaybeGz(model), basename(model).replace(/\.gz$/i, ''));
        const text = readMaybeGz(spec);
        const parsed = parseVnnlib(text, { inputSize: net.inputSize, outputSize: net.outputSize });
        // in a real CLI run the limit counts from process start (performance.now() is the time
        // since then), so that start-up and file reading are inside it, as a harness measures it;
        // when main() runs inside a longer-lived process, it counts from the command's start
        const since = registeredAt < STARTUP_MS ? 0 : registeredAt;
        const timeLimitMs = timeoutS !== undefined ? Math.max(1, timeoutS * 1000 - (performance.now() - since) - 50) : undefined;
        const onProgress = o.progress
          ? (s: { nodes: number; lps: number; pieces: number }, ms: number) => process.stderr.write(`\r${(ms / 1000).toFixed(1)} s: ${s.nodes} nodes, ${s.lps} LPs, ${s.pieces} pieces   `)
          : undefined;
        const strategy = o.strategy as 'auto' | 'lp' | 'vertex' | undefined;
        report = o.queue !== undefined
          ? await verifyOnQueue(net, parsed, {
            timeLimitMs, all: o.all, falsify: o.falsify, seed, strategy,
            queue: queueConnectionFromCli(o), runId: o.runId, splitBudget: splitBudgetFromCli(o),
            onQueueProgress: o.progress ? (p) => process.stderr.write(`\r${queueProgressLine(p)}   `) : undefined,
          })
          : await verifyPropertyParallel(net, parsed, { timeLimitMs, all: o.all, falsify: o.falsify, seed, onProgress, threads, strategy });
        if (o.progress) process.stderr.write('\n');
      } catch (e) {
        // bad input: the result file says error (VNN-COMP), the CLI prints one line and exits 2
        if (o.out) writeOut(o.out, 'error\n');
        throw e;
      }
      if (report.result === 'error') {
        if (o.out) writeOut(o.out, 'error\n');
        if (report.code === 'INTERNAL') throw new Error(report.reason);
        throw new PreimageError((report.code ?? 'BAD_ARGUMENT') as PreimageError['code'], report.reason ?? 'verification failed');
      }
      const vnncomp = formatVnncompResult(report);
      if (o.all) {
        const doc = toJson(report.preimage, 0) + '\n';
        if (o.out) {
          writeOut(o.out, doc);
          process.stdout.write(o.json ? toJson({ ...report, preimage: undefined }) + '\n' : vnncomp);
        } else process.stdout.write(doc);
      } else {
        if (o.out) writeOut(o.out, vnncomp);
        process.stdout.write(o.json ? toJson(report) + '\n' : vnncomp);
      }
      if (process.stderr.isTTY || o.progress) process.stderr.write(summaryLine(report) + '\n');
    });
}
