/**
 * The search on the BullMQ queue (src/queue/) against a private redis-server: the same result as
 * one process and as 2 threads, with 2 worker processes (the CLI's `preimage worker`); a worker
 * killed mid-run; a coordinator killed and restarted with its run id; bad jobs rejected; failing
 * subtrees reported; two runs on one Redis kept apart; nothing left in Redis afterwards.
 * Skips (with a message) when redis-server is not installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { readNetwork } from '../../src/formats/detect.js';
import type { Network } from '../../src/network/types.js';
import { computePreimage, preparePreimage, type PreimageOptions } from '../../src/preimage/engine.js';
import { computePreimageParallel } from '../../src/preimage/parallel.js';
import type { PreimageResult } from '../../src/preimage/result.js';
import type { Target } from '../../src/preimage/target.js';
import { parseQueueUrl } from '../../src/queue/connection.js';
import { removeRun, runPreimageQueue, type QueueRunOptions } from '../../src/queue/coordinator.js';
import { bullPrefix, problemKey, QUEUE_NAME, resultsKey, runsKey } from '../../src/queue/keys.js';
import { makeProblemRecord } from '../../src/queue/payload.js';
import { encodeTask, rootTasks } from '../../src/queue/tasks.js';
import { runQueueWorker } from '../../src/queue/worker.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/data.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { haveRedis, REDIS_MISSING, startRedis, type RedisServer } from '../helpers/redis.js';

const skip = haveRedis() ? false : REDIS_MISSING;

const ACAS_FILE = join('examples', 'ACASXU_run2a_1_1_batch_2000.nnet');
const acas = (): Network => readNetwork(new Uint8Array(readFileSync(join(repoRoot, ACAS_FILE))), 'ACASXU_run2a_1_1_batch_2000.nnet');
const ACAS_BOX = { kind: 'box' as const, lo: [0.6, -0.05, -0.05, 0.45, -0.5], hi: [0.61, 0.0, 0.0, 0.5, -0.45] };
const PARTITION: Target = { kind: 'partition', rule: 'argmin' };
const ACAS_OPTS: PreimageOptions = { domain: ACAS_BOX, certificates: false, volumes: false };

/** The result without its times. */
function comparable(r: PreimageResult): string {
  const { milliseconds: _m, geometryMilliseconds: _g, ...stats } = r.stats;
  return JSON.stringify({ ...r, stats });
}

let redis: RedisServer;
let client: Redis;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const w = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts'), 'worker', '--queue', redis.url, '--quiet'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  workers.push(w);
  return w;
}

/** Fast stall detection for the fault tests (a killed worker's job is back after about 2 s). */
const FAST: Partial<QueueRunOptions> = { lockMs: 1500, stalledMs: 500, backoffMs: 100 };

function q(extra: Partial<QueueRunOptions> = {}): QueueRunOptions {
  return { queue: parseQueueUrl(redis.url), splitBudget: 32, ...FAST, ...extra };
}

async function keysLeft(timeoutMs = 4000): Promise<string[]> {
  const t = Date.now();
  for (;;) {
    const keys = await client.keys('*');
    if (keys.length === 0 || Date.now() - t > timeoutMs) return keys;
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  if (skip) return;
  redis = await startRedis();
  client = new Redis(redis.url);
  startWorker();
  startWorker();
});

after(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGTERM');
  client?.disconnect();
  await redis?.stop();
});

test('queue: 2 worker processes give the result of one process and of 2 threads (ACAS Xu partition of a sub-box, random 3-8-8-3 net by LP and vertex search); cleanup leaves no keys', { skip }, async () => {
  const net = acas();
  const seq = computePreimage(net, PARTITION, ACAS_OPTS);
  const thr = await computePreimageParallel(net, PARTITION, { ...ACAS_OPTS, threads: 2 });
  const run = await runPreimageQueue(net, PARTITION, { ...ACAS_OPTS, ...q() });
  assert.ok(seq.pieces.length > 50, `a real partition (${seq.pieces.length} pieces)`);
  assert.ok(run.tasks > 20, `many jobs (${run.tasks})`);
  assert.equal(comparable(thr), comparable(seq));
  assert.equal(comparable(run.result), comparable(seq));
  for (const strategy of ['vertex', 'lp'] as const) {
    const small = randomNetwork(new Rng(7), [3, 8, 8, 3]);
    const opts: PreimageOptions = { domain: { kind: 'box', lo: [-1, -1, -1], hi: [1, 1, 1] }, strategy };
    const a = computePreimage(small, { kind: 'class', index: 1 }, opts);
    const b = await runPreimageQueue(small, { kind: 'class', index: 1 }, { ...opts, ...q({ splitBudget: 4 }) });
    assert.ok(a.pieces.length > 5 && b.tasks > 5, `${strategy}: ${a.pieces.length} pieces, ${b.tasks} tasks`);
    assert.equal(comparable(b.result), comparable(a), strategy);
  }
  assert.deepEqual(await keysLeft(), []);
});

test('queue: compute --queue on the CLI writes the file of compute --threads 1', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpq-'));
  const args = ['compute', ACAS_FILE, '--class', '0', '--argmin', '--domain=0.6:0.61,-0.05:0,-0.05:0,0.45:0.5,-0.5:-0.45', '--no-volumes'];
  const one = await runCli(...args, '--threads', '1', '--json', join(dir, 'one.json'));
  assert.equal(one.status, 0, one.stderr);
  const viaQueue = await runCli(...args, '--queue', redis.url, '--split-budget', '32', '--json', join(dir, 'q.json'));
  assert.equal(viaQueue.status, 0, viaQueue.stderr);
  assert.match(viaQueue.stderr, /queue run \S+ on redis:\/\/127\.0\.0\.1:\d+\/0/);
  const read = (f: string) => comparable(JSON.parse(readFileSync(join(dir, f), 'utf8')) as PreimageResult);
  assert.equal(read('q.json'), read('one.json'));
});

test('queue: a worker killed (SIGKILL) mid-run: its job is retried, the result is complete and identical', { skip }, async () => {
  const net = acas();
  const seq = computePreimage(net, PARTITION, ACAS_OPTS);
  let killed: ChildProcess | undefined;
  const running = runPreimageQueue(net, PARTITION, { ...ACAS_OPTS, ...q({ splitBudget: 16 }) });
  // kill a worker once a few results are stored (both workers are busy then: there are many jobs)
  const runs = async () => (await client.keys('relu-preimage:*:results'))[0];
  const t = Date.now();
  for (;;) {
    const k = await runs();
    if (k && (await client.hlen(k)) >= 4) break;
    if (Date.now() - t > 30_000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  killed = workers.find((w) => w.exitCode === null && w.signalCode === null);
  killed?.kill('SIGKILL');
  const run = await running;
  assert.ok(killed, 'a worker was killed');
  assert.equal(run.result.status, 'complete');
  assert.equal(comparable(run.result), comparable(seq));
  startWorker(); // two workers again for the next tests
});

test('queue: a coordinator killed mid-run and restarted with its run id reuses the stored results (a damaged one is recomputed); another question under that id is refused', { skip }, async () => {
  const net = acas();
  const runId = 'restart-test';
  const coord = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts'), 'compute', ACAS_FILE, '--argmin', '--class', '0',
    '--domain=0.6:0.61,-0.05:0,-0.05:0,0.45:0.5,-0.5:-0.45', '--no-certificates', '--no-volumes', '--queue', redis.url, '--run-id', runId, '--split-budget', '16', '--quiet'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let coordErr = '';
  coord.stderr?.on('data', (d) => { coordErr += String(d); });
  const exited = new Promise((r) => coord.once('exit', r));
  // wait for some stored results, then kill the coordinator
  const key = `relu-preimage:${runId}:results`;
  const t = Date.now();
  while ((await client.hlen(key)) < 5 && Date.now() - t < 30_000 && coord.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  coord.kill('SIGKILL');
  await exited;
  assert.equal(coord.signalCode, 'SIGKILL', `the coordinator was still running (${coordErr})`);
  assert.ok((await client.hlen(key)) >= 5, 'results stored before the kill');
  // the class-0 question under a partition run's id... is a different question: refused
  await assert.rejects(runPreimageQueue(net, PARTITION, { ...ACAS_OPTS, ...q({ runId, splitBudget: 16 }) }), (e: Error & { code?: string }) => e.code === 'RUN_MISMATCH');
  // a damaged stored result (the root's) is dropped and its task run again
  await client.hset(key, '0', '{"format": "broken"');
  const target: Target = { kind: 'class', index: 0, rule: 'argmin' };
  const seq0 = computePreimage(net, target, ACAS_OPTS);
  const run = await runPreimageQueue(net, target, { ...ACAS_OPTS, ...q({ runId, splitBudget: 16 }) });
  assert.ok(run.resumed && run.reused >= 5, `resumed with ${run.reused} stored results`);
  assert.equal(comparable(run.result), comparable(seq0));
  assert.deepEqual(await keysLeft(), []);
});

test('queue: bad jobs fail at once without retries, and the workers go on with good ones', { skip }, async () => {
  const runId = 'bad-jobs';
  const small = randomNetwork(new Rng(3), [2, 6, 6, 2]);
  const opts: PreimageOptions = { domain: { kind: 'box', lo: [-1, -1], hi: [1, 1] } };
  const record = makeProblemRecord(small, { kind: 'class', index: 0 }, opts, undefined, { lockMs: 1500, stalledMs: 500, maxStalled: 1 });
  await client.set(problemKey(runId), JSON.stringify(record));
  await client.sadd(runsKey(), runId);
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port }, prefix: bullPrefix(runId) });
  const root = rootTasks(preparePreimage(small, { kind: 'class', index: 0 }, opts))[0];
  await queue.add('subtree', { v: 1, run: runId, task: { format: 'evil', code: 'process.exit(1)' } }, { jobId: 'bad1', attempts: 3 });
  await queue.add('subtree', { run: runId, task: 'x', extra: 1 }, { jobId: 'bad2', attempts: 3 });
  await queue.add('subtree', { v: 1, run: 'other-run', task: encodeTask(root) }, { jobId: 'bad3', attempts: 3 });
  await queue.add('subtree', { v: 1, run: runId, task: encodeTask(root) }, { jobId: 'good', attempts: 3 });
  const t = Date.now();
  for (;;) {
    const states = await Promise.all(['bad1', 'bad2', 'bad3'].map(async (id) => (await queue.getJob(id))?.getState()));
    if (states.every((s) => s === 'failed') && (await client.hexists(resultsKey(runId), '0'))) break;
    if (Date.now() - t > 15_000) assert.fail(`bad jobs did not fail or the good one was not done (${states})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const [j1, j2, j3] = await Promise.all(['bad1', 'bad2', 'bad3'].map((id) => queue.getJob(id)));
  for (const j of [j1, j2, j3]) assert.equal(j?.attemptsMade, 1, `${j?.id}: no retry of a bad job`);
  assert.match(j1?.failedReason ?? '', /BAD_TASK/);
  assert.match(j2?.failedReason ?? '', /expected/);
  assert.match(j3?.failedReason ?? '', /expected a job of run bad-jobs/);
  const stored = JSON.parse((await client.hget(resultsKey(runId), '0')) as string) as { key: number[] };
  assert.deepEqual(stored.key, [0]);
  await removeRun(client, queue, runId);
  await queue.close();
  assert.deepEqual(await keysLeft(), []);
});

test('queue: two runs on one Redis at once do not mix', { skip }, async () => {
  const net = acas();
  const small = randomNetwork(new Rng(11), [4, 10, 10, 3]);
  const smallOpts: PreimageOptions = { domain: { kind: 'box', lo: [-1, -1, -1, -1], hi: [1, 1, 1, 1] } };
  const [a, b] = await Promise.all([
    runPreimageQueue(net, PARTITION, { ...ACAS_OPTS, ...q() }),
    runPreimageQueue(small, { kind: 'class', index: 2 }, { ...smallOpts, ...q({ splitBudget: 8 }) }),
  ]);
  assert.notEqual(a.runId, b.runId);
  assert.equal(comparable(a.result), comparable(computePreimage(net, PARTITION, ACAS_OPTS)));
  assert.equal(comparable(b.result), comparable(computePreimage(small, { kind: 'class', index: 2 }, smallOpts)));
  assert.deepEqual(await keysLeft(), []);
});

test('queue: verify --queue gives the answer and counterexample of verify in one process (a sat and an unsat property on an ACAS Xu sub-box)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpq-'));
  const box = ['(declare-const X_0 Real)', '(declare-const X_1 Real)', '(declare-const X_2 Real)', '(declare-const X_3 Real)', '(declare-const X_4 Real)',
    '(declare-const Y_0 Real)', '(declare-const Y_1 Real)', '(declare-const Y_2 Real)', '(declare-const Y_3 Real)', '(declare-const Y_4 Real)',
    ...ACAS_BOX.lo.map((v, i) => `(assert (>= X_${i} ${v}))`), ...ACAS_BOX.hi.map((v, i) => `(assert (<= X_${i} ${v}))`)].join('\n');
  // sat: the advisory 0 score at most advisory 1's (the first piece in depth-first order holds the
  // counterexample); unsat: Y_0 above a bound it never reaches
  writeFileSync(join(dir, 'sat.vnnlib'), `${box}\n(assert (<= Y_0 Y_1))\n`);
  writeFileSync(join(dir, 'unsat.vnnlib'), `${box}\n(assert (>= Y_0 1000))\n`);
  for (const f of ['sat.vnnlib', 'unsat.vnnlib']) {
    const one = await runCli('verify', ACAS_FILE, join(dir, f), '--no-falsify', '--threads', '1');
    const viaQueue = await runCli('verify', ACAS_FILE, join(dir, f), '--no-falsify', '--queue', redis.url, '--split-budget', '16');
    assert.equal(viaQueue.status, 0, viaQueue.stderr);
    assert.equal(viaQueue.stdout, one.stdout, f);
    assert.match(one.stdout, f === 'sat.vnnlib' ? /^sat\n/ : /^unsat\n/);
  }
});

test('queue: a time limit ends the run with status incomplete_time and the pieces found, and removes the run', { skip }, async () => {
  const run = await runPreimageQueue(acas(), PARTITION, { ...ACAS_OPTS, ...q({ splitBudget: 16 }), timeLimitMs: 400 });
  assert.equal(run.result.status, 'incomplete_time');
  assert.match(run.result.warnings.join('\n'), /stopped early \(incomplete_time\)/);
  assert.deepEqual(await keysLeft(), []);
});

test('queue CLI errors: one line, exit 2, no password in messages', { skip }, async () => {
  const base = ['compute', ACAS_FILE, '--class', '0', '--domain=0.6:0.61,-0.05:0,-0.05:0,0.45:0.5,-0.5:-0.45'];
  const down = await runCli(...base, '--queue', 'redis://:s3cret@127.0.0.1:1/2');
  assert.equal(down.status, 2);
  assert.match(down.stderr, /^error QUEUE_UNREACHABLE: expected a Redis server at redis:\/\/127\.0\.0\.1:1\/2, found none/);
  assert.equal(down.stderr.trim().split('\n').length, 1);
  assert.doesNotMatch(down.stderr, /s3cret/);
  const url = await runCli(...base, '--queue', 'http://:s3cret@host:1');
  assert.match(url.stderr, /^error BAD_QUEUE_URL: /);
  assert.doesNotMatch(url.stderr, /s3cret/);
  const stray = await runCli(...base, '--run-id', 'x');
  assert.match(stray.stderr, /^error BAD_ARGUMENT: expected --queue with --run-id/);
  const budget = await runCli(...base, '--queue', redis.url, '--max-pieces', '3');
  assert.match(budget.stderr, /^error BAD_ARGUMENT: expected no --max-pieces/);
  const worker = await runCli('worker', '--queue', 'redis://127.0.0.1:1');
  assert.equal(worker.status, 2);
  assert.match(worker.stderr, /error QUEUE_UNREACHABLE/);
});

test('queue: a subtree that keeps failing is reported by key and the status is incomplete', { skip }, async () => {
  // only the in-process worker (with a fault hook: every attempt at subtree 0.1 throws) takes jobs
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => (w.exitCode === null && w.signalCode === null ? new Promise((r) => w.once('exit', r)) : null)));
  const ac = new AbortController();
  const small = randomNetwork(new Rng(7), [3, 8, 8, 3]);
  const opts: PreimageOptions = { domain: { kind: 'box', lo: [-1, -1, -1], hi: [1, 1, 1] }, strategy: 'vertex' };
  const inProcess = runQueueWorker({ connection: parseQueueUrl(redis.url), pollMs: 100, signal: ac.signal, beforeTask: (_run, key) => { if (key.join('.') === '0.1') throw new Error('injected fault'); } });
  const run = await runPreimageQueue(small, { kind: 'class', index: 1 }, { ...opts, ...q({ splitBudget: 4, attempts: 2 }) });
  ac.abort();
  const summary = await inProcess;
  assert.equal(summary.failed, 2, 'two attempts');
  assert.equal(run.result.status, 'incomplete_budget');
  assert.deepEqual(run.failedSubtrees.map((f) => f.key), ['0.1']);
  assert.match(run.result.warnings.join('\n'), /1 subtree\(s\) failed on every attempt and are missing from the result: 0\.1 \(.*injected fault/);
  const full = computePreimage(small, { kind: 'class', index: 1 }, opts);
  assert.ok(run.result.pieces.length < full.pieces.length);
  assert.deepEqual(await keysLeft(), []);
});
