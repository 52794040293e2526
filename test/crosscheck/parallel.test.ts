/**
 * The search on threads (src/preimage/parallel.ts over the subtree tasks of subtree.ts): the same
 * result for any number of threads — and, for the vertex search, the same as the sequential
 * computePreimage — with pieces streamed in order, budgets, time limits and cancellation, a
 * deterministic counterexample from verify, and task (de)serialisation with clear errors.
 * Small split budgets make even small problems run as dozens of tasks.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNetwork } from '../../src/formats/detect.js';
import { parseVnnlib } from '../../src/formats/vnnlib.js';
import { verifyProperty, verifyPropertyParallel } from '../../src/analysis/verify.js';
import { checkResult } from '../../src/analysis/check.js';
import { computePreimage, preparePreimage, type PreimageOptions } from '../../src/preimage/engine.js';
import { checkResultParallel, closeWorkerPool, computePreimageParallel, warmWorkerPool, type PoolStats } from '../../src/preimage/parallel.js';
import type { PieceJson, PreimageResult } from '../../src/preimage/result.js';
import { compareKeys, decodeResult, decodeTask, encodeResult, encodeTask, rootTasks, runSubtree, type SubtreeResult, type SubtreeTask } from '../../src/preimage/subtree.js';
import type { Target } from '../../src/preimage/target.js';
import { PreimageError } from '../../src/errors.js';
import { repoRoot } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { validateResult } from '../helpers/validate.js';

// workers ready before the runs: otherwise small runs finish in the calling thread while they start
before(() => warmWorkerPool(3));
after(() => closeWorkerPool());

/** The result without its times. */
function comparable(r: PreimageResult): string {
  const { milliseconds: _m, geometryMilliseconds: _g, ...stats } = r.stats;
  return JSON.stringify({ ...r, stats });
}

const load = (name: string) => readNetwork(new Uint8Array(readFileSync(join(repoRoot, 'examples', name))), name);
const vcas = load('VertCAS_21_1.onnx');
const acas = load('ACASXU_run2a_1_1_batch_2000.nnet');
const vcasDomain = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };
const acasBox = { kind: 'box' as const, lo: [0.6, -0.05, -0.05, 0.45, -0.5], hi: [0.61, 0.0, 0.0, 0.5, -0.45] };
const partition: Target = { kind: 'partition', rule: 'argmin' };
const lpNet = randomNetwork(new Rng(5), [7, 6, 5, 3]);
const n7 = 7;
const lpBox = { kind: 'box' as const, lo: Array(n7).fill(-1), hi: Array(n7).fill(1) };
/** The cross-polytope-like simplex {x >= -1, sum x <= 1}: a polyhedral domain (LP search). */
const lpPoly = {
  kind: 'polyhedron' as const,
  polyhedron: {
    n: n7, m: n7 + 1,
    A: Float64Array.from([...Array.from({ length: n7 * n7 }, (_, k) => (k % (n7 + 1) === 0 ? -1 : 0)), ...Array(n7).fill(1)]),
    b: Float64Array.from([...Array(n7).fill(1), 1]),
    meq: 0, Aeq: new Float64Array(0), beq: new Float64Array(0),
  },
};

async function threads(net: typeof acas, target: Target, opts: PreimageOptions & { splitBudget?: number }, counts: number[]) {
  const out: { threads: number; result: PreimageResult; pool: PoolStats }[] = [];
  for (const t of counts) {
    let pool: PoolStats | undefined;
    const result = await computePreimageParallel(net, target, { ...opts, threads: t, onPoolStats: (s) => (pool = s) });
    out.push({ threads: t, result, pool: pool as PoolStats });
  }
  return out;
}

test('vertex search: 1, 2 and 3 threads equal the sequential computePreimage piece for piece (VerticalCAS, ACAS Xu advisory partition)', async () => {
  const seq = computePreimage(vcas, { kind: 'class', index: 0 }, { domain: vcasDomain });
  for (const r of await threads(vcas, { kind: 'class', index: 0 }, { domain: vcasDomain, splitBudget: 20 }, [1, 2, 3])) {
    assert.equal(comparable(r.result), comparable(seq), `${r.threads} threads`);
    assert.ok(r.pool.tasks > 5, `many tasks (${r.pool.tasks})`);
  }
  validateResult(seq, { net: vcas, samples: 500 });
  const opts = { domain: acasBox, certificates: false as const, volumes: false };
  const a = computePreimage(acas, partition, opts);
  assert.ok(a.pieces.length > 50, `a real partition (${a.pieces.length} pieces)`);
  for (const r of await threads(acas, partition, { ...opts, splitBudget: 100 }, [1, 2, 3])) {
    assert.equal(comparable(r.result), comparable(a), `${r.threads} threads`);
    if (r.threads > 1) assert.ok(r.pool.inThread === 0 && r.pool.tasks > 5, `tasks ran on worker threads (${r.pool.inThread} of ${r.pool.tasks} here)`);
  }
  validateResult(a, { net: acas, samples: 1000, exact: false });
});

test('LP search (7-D box and polyhedral domain): 1, 2 and 3 threads give identical results, which pass the validator', async () => {
  for (const domain of [lpBox, lpPoly]) {
    const opts = { domain, volumes: false, splitBudget: 60 };
    const runs = await threads(lpNet, { kind: 'class', index: 0 }, opts, domain === lpBox ? [1, 2, 3] : [1, 2]);
    const one = comparable(runs[0].result);
    assert.ok(runs[0].result.pieces.length > 100, `${runs[0].result.pieces.length} pieces`);
    assert.ok(runs[0].pool.tasks > 20, `${runs[0].pool.tasks} tasks`);
    for (const r of runs.slice(1)) {
      assert.equal(comparable(r.result), one, `${domain.kind}: ${r.threads} threads`);
      assert.equal(r.pool.inThread, 0, 'LP tasks ran on worker threads');
    }
    validateResult(runs[1].result, { net: lpNet, samples: 1000 });
    // the same pieces as the sequential LP search, up to LP warm starts (counts and patterns equal)
    const seq = computePreimage(lpNet, { kind: 'class', index: 0 }, { domain, volumes: false });
    assert.equal(runs[0].result.pieces.length, seq.pieces.length);
    assert.deepEqual(runs[0].result.pieces.map((p) => p.pattern.join('|')), seq.pieces.map((p) => p.pattern.join('|')));
  }
});

test('pieces stream to onPiece in order (ids 0, 1, ...) while the search runs, with buffering bounded', async () => {
  const seen: PieceJson[] = [];
  let pool: PoolStats | undefined;
  const r = await computePreimageParallel(acas, partition, {
    domain: acasBox, certificates: false, volumes: false, threads: 2, splitBudget: 50, keepPieces: false,
    onPiece: (p) => seen.push(p), onPoolStats: (s) => (pool = s),
  });
  assert.equal(r.pieces.length, 0, 'keepPieces: false keeps none');
  assert.equal(seen.length, r.stats.pieces);
  seen.forEach((p, i) => assert.equal(p.id, i));
  const seq = computePreimage(acas, partition, { domain: acasBox, certificates: false, volumes: false });
  assert.deepEqual(seen.map((p) => JSON.stringify(p)), seq.pieces.map((p) => JSON.stringify(p)));
  assert.ok((pool as PoolStats).maxBuffered < seen.length, `buffered ${(pool as PoolStats).maxBuffered} of ${seen.length}`);
});

test('budgets, time limit and cancellation: statuses, and the pieces are a prefix of the complete result', async () => {
  const opts = { domain: acasBox, certificates: false as const, volumes: false, splitBudget: 50 };
  const full = computePreimage(acas, partition, opts);
  const isPrefix = (r: PreimageResult) => r.pieces.every((p, i) => JSON.stringify(p) === JSON.stringify(full.pieces[i]));
  // budget: the same cut-off for any number of threads (the first task boundary in key order)
  const b = await threads(acas, partition, { ...opts, maxPieces: 100 }, [1, 2]);
  for (const r of b) {
    assert.equal(r.result.status, 'incomplete_budget');
    assert.ok(r.result.pieces.length >= 100 && r.result.pieces.length < full.pieces.length);
    assert.equal(r.result.stats.pieces, r.result.pieces.length);
    assert.ok(isPrefix(r.result));
  }
  assert.equal(comparable(b[1].result), comparable(b[0].result));
  const nb = await threads(acas, partition, { ...opts, maxNodes: 200 }, [1, 3]);
  assert.equal(nb[0].result.status, 'incomplete_budget');
  assert.equal(comparable(nb[1].result), comparable(nb[0].result));
  // time limit
  for (const t of [1, 2]) {
    const r = await computePreimageParallel(acas, partition, { ...opts, threads: t, timeLimitMs: 1 });
    assert.equal(r.status, 'incomplete_time', `${t} threads`);
    assert.ok(isPrefix(r));
    assert.ok(r.warnings.some((w) => w.includes('stopped early')));
  }
  // cancellation: before the start, and from onPiece while workers run
  for (const t of [1, 2]) {
    const pre = new AbortController();
    pre.abort();
    const r0 = await computePreimageParallel(acas, partition, { ...opts, threads: t, signal: pre.signal });
    assert.equal(r0.status, 'cancelled');
    assert.equal(r0.pieces.length, 0);
    const ac = new AbortController();
    const r = await computePreimageParallel(acas, partition, { ...opts, threads: t, signal: ac.signal, onPiece: (p) => { if (p.id === 20) ac.abort(); } });
    assert.equal(r.status, 'cancelled', `${t} threads`);
    assert.ok(r.pieces.length < full.pieces.length && isPrefix(r));
  }
  // the pool still works after cancelled runs
  const again = await threads(acas, partition, opts, [2]);
  assert.equal(again[0].result.pieces.length, full.pieces.length);
});

test('verify: the same counterexample (the first good piece in key order) for 1, 2 and 3 threads', async () => {
  // unsafe set: the COC score above a threshold reached in a small part of the box
  const text = [
    ...[0, 1, 2, 3, 4].map((i) => `(declare-const X_${i} Real)`),
    ...[0, 1, 2, 3, 4].map((i) => `(declare-const Y_${i} Real)`),
    ...acasBox.lo.map((v, i) => `(assert (>= X_${i} ${v}))`),
    ...acasBox.hi.map((v, i) => `(assert (<= X_${i} ${v}))`),
    '(assert (>= Y_0 -0.0212))',
  ].join('\n');
  const spec = parseVnnlib(text, { inputSize: 5, outputSize: 5 });
  const reports = [];
  for (const t of [1, 2, 3]) reports.push(await verifyPropertyParallel(acas, spec, { threads: t, falsify: false, strategy: 'vertex' }));
  assert.equal(reports[0].result, 'sat');
  assert.equal(reports[0].counterexample?.method, 'search');
  for (const r of reports.slice(1)) assert.deepEqual(r.counterexample, reports[0].counterexample);
  // the sequential verify (engine order) finds the same first piece for the vertex search
  assert.deepEqual(verifyProperty(acas, spec, { falsify: false, strategy: 'vertex' }).counterexample, reports[0].counterexample);
  // and a property that holds: unsat for any thread count
  const holds = parseVnnlib(readFileSync(join(repoRoot, 'examples', 'prop_1.vnnlib'), 'utf8'), { inputSize: 5, outputSize: 5 });
  const small = { ...holds, inputBoxes: [{ lo: Float64Array.from(acasBox.lo), hi: Float64Array.from(acasBox.hi) }] };
  for (const t of [1, 2]) assert.equal((await verifyPropertyParallel(acas, small, { threads: t, falsify: false })).result, 'unsat');
});

test('subtree tasks: JSON round trips are exact, a queue-like driver reproduces computePreimage', () => {
  const problem = preparePreimage(acas, partition, { domain: acasBox, certificates: false, volumes: false });
  const queue: SubtreeTask[] = rootTasks(problem);
  assert.deepEqual(queue.map((t) => t.key), [[0]]);
  const results: SubtreeResult[] = [];
  while (queue.length > 0) {
    queue.sort((a, b) => compareKeys(b.key, a.key));
    const json = JSON.parse(JSON.stringify(encodeTask(queue.pop() as SubtreeTask)));
    const task = decodeTask(json, problem);
    assert.deepEqual(encodeTask(task), json, 'encode(decode(json)) = json');
    const r = decodeResult(JSON.parse(JSON.stringify(encodeResult(runSubtree(problem, task, { splitBudget: 40 })))), problem);
    results.push(r);
    queue.push(...r.children);
  }
  assert.ok(results.length > 10);
  results.sort((a, b) => compareKeys(a.key, b.key));
  const pieces = results.flatMap((r) => r.pieces).map((p, i) => ({ ...p, id: i }));
  const seq = computePreimage(acas, partition, { domain: acasBox, certificates: false, volumes: false });
  assert.deepEqual(pieces, seq.pieces);
  assert.equal(results.reduce((s, r) => s + r.stats.nodes, 0), seq.stats.nodes, 'the root node is counted once, in the root task');
  // LP tasks carry their rows, patterns and witness; -0 and infinite bounds survive JSON
  const lpProblem = preparePreimage(lpNet, { kind: 'class', index: 0 }, { domain: { kind: 'all' }, volumes: false });
  const [root] = rootTasks(lpProblem);
  assert.equal(root.kind, 'lp');
  const first = runSubtree(lpProblem, root, { splitBudget: 30 });
  assert.ok(first.children.length === 2);
  for (const c of first.children) {
    const back = decodeTask(JSON.parse(JSON.stringify(encodeTask(c))), lpProblem);
    assert.deepEqual(back, c);
    const noTime = (r: SubtreeResult) => ({ ...r, geometryMs: 0 });
    assert.deepEqual(noTime(runSubtree(lpProblem, back, {})), noTime(runSubtree(lpProblem, c, {})));
  }
  assert.ok(JSON.stringify(encodeTask(first.children[0])).includes('"-Infinity"'), 'infinite bounds as strings');
});

test('BAD_TASK: malformed or mis-sized tasks and results are refused with what was expected and where', () => {
  const problem = preparePreimage(acas, partition, { domain: acasBox, certificates: false, volumes: false });
  const good = encodeTask(rootTasks(problem)[0]) as Record<string, unknown>;
  const frame = (good.frames as Record<string, unknown>[])[0];
  const bad = (json: unknown, withProblem = true): PreimageError => {
    try {
      decodeTask(json, withProblem ? problem : undefined);
    } catch (e) {
      assert.ok(e instanceof PreimageError, String(e));
      assert.equal(e.code, 'BAD_TASK');
      return e;
    }
    assert.fail('expected BAD_TASK');
  };
  assert.match(bad(null).message, /expected an object in a subtree task, found null/);
  assert.match(bad({ ...good, format: 'x' }).message, /expected format "relu-preimage\/task@1"/);
  assert.match(bad({ ...good, key: [] }).message, /non-empty key/);
  assert.match(bad({ ...good, key: [0, 3] }).message, /at task\.key\[1\]/);
  assert.match(bad({ ...good, domain: 4 }).message, /integer in \[0, 0\].*task\.domain/);
  assert.match(bad({ ...good, kind: 'dfs' }).message, /kind "vertex" or "lp"/);
  assert.match(bad({ ...good, frames: [] }).message, /at least one frame/);
  assert.match(bad({ ...good, frames: [{ ...frame, layer: 9 }] }).message, /task\.frames\[0\]\.layer/);
  assert.match(bad({ ...good, frames: [{ ...frame, c: [1, 2] }] }).message, /array of 50 entries.*task\.frames\[0\]\.c/);
  assert.match(bad({ ...good, frames: [{ ...frame, M: (frame.M as unknown[]).map(() => 'x') }] }).message, /a number/);
  const poly = frame.poly as Record<string, unknown>;
  assert.match(bad({ ...good, frames: [{ ...frame, poly: { ...poly, n: 4 } }] }).message, /polytope of dimension 5/);
  assert.match(bad({ ...good, frames: [{ ...frame, poly: { ...poly, X: (poly.X as number[]).slice(1) } }] }).message, /poly\.X/);
  assert.match(bad({ ...good, frames: [{ ...frame, patterns: [[2]] }] }, false).message, /task\.frames\[0\]\.patterns\[0\]\[0\]/);
  // results
  const r = encodeResult(runSubtree(problem, rootTasks(problem)[0], { splitBudget: 20 })) as Record<string, unknown>;
  const badResult = (json: unknown) => assert.throws(() => decodeResult(json, problem), (e: unknown) => e instanceof PreimageError && e.code === 'BAD_TASK');
  badResult({ ...r, stop: 'tired' });
  badResult({ ...r, stats: { nodes: 1 } });
  badResult({ ...r, children: [{ ...(r.children as Record<string, unknown>[])[0], key: [0, 1, 1] }] });
  badResult({ ...r, pieces: [{ witness: [0] }] });
});

test('check on threads: the same report as checkResult for 1, 2 and 3 threads, failures included', async () => {
  const r = computePreimage(vcas, { kind: 'class', index: 0 }, { domain: vcasDomain });
  const seq = checkResult(vcas, r, { samples: 300 });
  assert.ok(seq.ok && seq.certified === r.pieces.length && seq.pairsChecked > 0 && seq.samplesJudged > 0);
  for (const t of [1, 2, 3]) assert.deepEqual(await checkResultParallel(vcas, r, { samples: 300, threads: t }), seq, `${t} threads`);
  // a broken piece is reported at the same place whatever the threads
  const broken = structuredClone(r);
  broken.pieces[7].witness = broken.pieces[7].witness.map((v) => v + 1);
  const bad = checkResult(vcas, broken, { samples: 300 });
  assert.equal(bad.ok, false);
  assert.deepEqual(await checkResultParallel(vcas, broken, { samples: 300, threads: 2 }), bad);
});

test('CLI: compute --threads 1 and --threads 2 write the same JSON apart from times; --threads is validated', async () => {
  const hi = [...acasBox.hi.slice(0, 3), 0.47, acasBox.hi[4]];
  const args = ['compute', 'examples/ACASXU_run2a_1_1_batch_2000.nnet', '--class', '0', '--argmin', `--domain=${acasBox.lo.map((v, i) => `${v}:${hi[i]}`).join(',')}`, '--json', '-', '--quiet'];
  const one = await runCli(...args, '--threads', '1');
  const two = await runCli(...args, '--threads', '2');
  assert.equal(one.status, 0, one.stderr);
  const strip = (s: string) => s.replace(/"(milliseconds|geometryMilliseconds)":[0-9.e+-]+/g, '"$1":0');
  assert.equal(strip(two.stdout), strip(one.stdout));
  assert.ok(JSON.parse(one.stdout).pieces.length > 10);
  for (const v of ['0', '-1', '1.5', 'many']) {
    const r = await runCli(...args, '--threads', v);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error BAD_ARGUMENT: expected --threads to be a positive integer/);
  }
});
