/**
 * The backward search (src/preimage/backward.ts, `direction: 'backward'`) against the forward
 * searches: the same pieces in the same order, on seeded random tiny networks with every kind of
 * target, box domains and all of R^n, hidden target layers and result layers above 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computePreimage, preparePreimage, searchPlan, type PreimageOptions } from '../../src/preimage/engine.js';
import { backwardSearchPieces } from '../../src/preimage/backward.js';
import { emptyStats } from '../../src/preimage/search.js';
import { computePreimageParallel } from '../../src/preimage/parallel.js';
import { createNetwork } from '../../src/network/create.js';
import { hpoly } from '../../src/polyhedra/hpoly.js';
import { evaluateLayers } from '../../src/network/evaluate.js';
import type { Network } from '../../src/network/types.js';
import { normalizeTarget, type Target } from '../../src/preimage/target.js';
import type { PreimageResult } from '../../src/preimage/result.js';
import { PreimageError } from '../../src/errors.js';
import { bruteForce, patternKey } from '../helpers/bruteforce.js';
import { randomNetwork, Rng } from '../helpers/networks.js';
import { validateResult } from '../helpers/validate.js';
import { runCli } from '../helpers/cli.js';

interface Case {
  what: string;
  net: Network;
  target: Target;
  opts: PreimageOptions;
}

/** A network whose hidden layer `k` (0-based) has rank 1 (every row a multiple of one row). */
function rankOne(rng: Rng, sizes: number[], k: number): Network {
  const base = randomNetwork(rng, sizes);
  return createNetwork(base.layers.map((l, i) => {
    const W: number[][] = [];
    for (let r = 0; r < l.outSize; r++) {
      const row = Array.from(l.weights.subarray(r * l.inSize, r * l.inSize + l.inSize));
      W.push(i === k ? Array.from(l.weights.subarray(0, l.inSize), (v) => v * (r % 2 ? -0.7 - r : 1 + r)) : row);
    }
    return { weights: W, bias: Array.from(l.bias), activation: l.activation };
  }));
}

/** Seeded cases: every target kind, boxes and R^n, hidden target layers, result layers above 0, rank-deficient and non-square layers. */
function cases(): Case[] {
  const out: Case[] = [];
  for (let seed = 1; seed <= 36; seed++) {
    const rng = new Rng(4242 + seed);
    const nin = 2 + rng.int(3);
    const hidden = Array.from({ length: 1 + rng.int(3) }, () => 1 + rng.int(6));
    const nout = 2 + rng.int(2);
    const sizes = [nin, ...hidden, nout];
    const net = seed % 5 === 0 && hidden.length > 1 ? rankOne(rng, sizes, 1) : randomNetwork(rng, sizes);
    const domain: PreimageOptions['domain'] = seed % 3 === 0 ? { kind: 'all' } : { kind: 'box', lo: Array(nin).fill(-1), hi: Array(nin).fill(1) };
    const hl = 1 + rng.int(hidden.length);
    const x = Array.from({ length: nin }, () => rng.uniform(-0.8, 0.8));
    const acts = evaluateLayers(net, x);
    let target: Target;
    let opts: PreimageOptions = { domain };
    switch (seed % 6) {
      case 0: target = { kind: 'class', index: seed % nout }; break;
      case 1: target = { kind: 'partition', rule: seed % 2 ? 'argmin' : 'argmax' }; break;
      case 2: target = { kind: 'union', parts: [{ T: [Array.from({ length: nout }, (_, i) => (i === 0 ? 1 : 0))], t: [0.1] }, { T: [Array.from({ length: nout }, (_, i) => (i === 1 ? -1 : 0))], t: [0.2] }] }; break;
      case 3: target = { kind: 'polytope', layer: hl, T: [Array.from({ length: sizes[hl] }, () => rng.normal()), Array.from({ length: sizes[hl] }, () => rng.normal())], t: [0.3, 0.2] }; break;
      case 4: target = { kind: 'point', layer: hl, activity: Array.from(acts.activities[hl]) }; break;
      default:
        if (hidden.length > 1) {
          target = { kind: 'class', index: 1 };
          opts = { resultLayer: 1 };
        } else target = { kind: 'point', layer: hl, activity: Array.from(acts.preActivations[hl - 1]), mode: 'preactivation' };
    }
    out.push({ what: `seed ${seed}: ${sizes.join('-')} ${target.kind}${'layer' in target && target.layer ? ` at layer ${target.layer}` : ''}, result layer ${opts.resultLayer ?? 0}, ${opts.domain ? (opts.domain as { kind: string }).kind : 'default domain'}`, net, target, opts });
  }
  return out;
}

const key = (r: PreimageResult) => r.pieces.map((p) => `${patternKey(p.pattern)}#${p.part}`);
const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * (1 + Math.abs(a) + Math.abs(b));

/** The same pieces up to floating-point noise: patterns, parts, classes, dims, boundedness, canonical rows, volumes. */
function assertSamePieces(f: PreimageResult, b: PreimageResult, what: string): void {
  assert.deepEqual(key(b), key(f), `${what}: same patterns and parts in the same order`);
  f.pieces.forEach((p, i) => {
    const q = b.pieces[i];
    assert.equal(q.dim, p.dim, `${what} piece ${i}: dim`);
    assert.equal(q.class, p.class, `${what} piece ${i}: class`);
    assert.equal(q.bounded, p.bounded, `${what} piece ${i}: bounded`);
    for (const [A, B, name] of [[p.A, q.A, 'A'], [p.Aeq, q.Aeq, 'Aeq']] as const) {
      assert.equal(B.length, A.length, `${what} piece ${i}: rows of ${name}`);
      A.forEach((row, r) => row.forEach((v, j) => assert.ok(close(v, B[r][j]), `${what} piece ${i}: ${name}[${r}][${j}] ${v} vs ${B[r][j]}`)));
    }
    p.b.forEach((v, r) => assert.ok(close(v, q.b[r]), `${what} piece ${i}: b[${r}]`));
    if (p.volume === null) assert.equal(q.volume, null, `${what} piece ${i}: volume`);
    else assert.ok(close(p.volume, q.volume as number), `${what} piece ${i}: volume ${p.volume} vs ${q.volume}`);
  });
}

test('backward equals the forward LP search: the same JSON pieces (patterns, parts, rows, witnesses, volumes, certificates) where no sliver occurs', () => {
  let pieces = 0, slivered = 0, hiddenTargets = 0, unbounded = 0;
  for (const c of cases()) {
    const f = computePreimage(c.net, c.target, { ...c.opts, strategy: 'lp', direction: 'forward' });
    const b = computePreimage(c.net, c.target, { ...c.opts, direction: 'backward' });
    assert.equal(b.status, 'complete', c.what);
    assert.equal(f.status, 'complete', c.what);
    assertSamePieces(f, b, c.what);
    if (f.stats.slivers === 0) assert.equal(JSON.stringify(b.pieces), JSON.stringify(f.pieces), `${c.what}: identical JSON pieces`);
    else slivered++;
    assert.equal(b.volume === null ? null : b.volume.toPrecision(10), f.volume === null ? null : f.volume.toPrecision(10), `${c.what}: volume`);
    assert.deepEqual(b.warnings, f.warnings, `${c.what}: warnings`);
    if (b.pieces.length > 0) validateResult(b, { net: c.net, target: c.target, samples: 400, seed: 7 });
    pieces += b.pieces.length;
    if (b.targetLayer < c.net.layers.length) hiddenTargets += b.pieces.length;
    unbounded += b.pieces.filter((p) => !p.bounded).length;
  }
  // the cases exercise what they claim to
  assert.ok(pieces > 300, `pieces compared: ${pieces}`);
  assert.ok(hiddenTargets > 10, `pieces of hidden-layer targets: ${hiddenTargets}`);
  assert.ok(unbounded > 10, `unbounded pieces: ${unbounded}`);
  assert.ok(slivered <= 2, `cases with slivers: ${slivered}`);
});

test('slivers: a unit side thinner than the margin is handled as by the forward search (same pieces, counted, warned)', () => {
  // unit 0's active side is the slab x0 > 1 - 5e-8 of the box: thinner than the margin
  const net = createNetwork([
    { weights: [[1, 0], [0.5, 1], [-1, 0.3]], bias: [-(1 - 5e-8), 0.1, 0.2], activation: 'relu' },
    { weights: [[1, -0.4, 0.7], [0.2, 0.9, -0.5], [-0.3, 0.1, 0.8]], bias: [0.05, -0.1, 0.3], activation: 'relu' },
    { weights: [[0.6, -1, 0.2], [-0.3, 0.4, 1]], bias: [0, 0.1], activation: 'identity' },
  ]);
  const domain = { kind: 'box' as const, lo: [-1, -1], hi: [1, 1] };
  const target: Target = { kind: 'partition' };
  const f = computePreimage(net, target, { domain, strategy: 'lp', direction: 'forward' });
  const b = computePreimage(net, target, { domain, direction: 'backward' });
  assert.ok(f.stats.slivers > 0 && b.stats.slivers > 0, 'both met the sliver');
  assert.ok(b.warnings.some((w) => /thinner than the margin/.test(w)));
  assert.ok(b.pieces.length > 0);
  assert.equal(JSON.stringify(b.pieces), JSON.stringify(f.pieces));
  validateResult(b, { net, target, samples: 500, seed: 3 });
});

test('backward equals forward on flat boxes, polyhedral domains and several boxes', () => {
  for (let seed = 1; seed <= 3; seed++) {
    const net = randomNetwork(new Rng(seed), [3, 5, 4, 3]);
    const acts = evaluateLayers(net, [0.1, 0.2, -0.3]).activities;
    const domains: [string, PreimageOptions['domain']][] = [
      ['flat box', { kind: 'box', lo: [-1, 0.2, -1], hi: [1, 0.2, 1] }],
      ['polyhedron', { kind: 'polyhedron', polyhedron: hpoly(3, [[1, 1, 0], [-1, 0, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1], [0.3, -0.5, 1]], [1, 1, 1, 1, 1, 0.8]) }],
      ['two boxes', [{ kind: 'box', lo: [-1, -1, -1], hi: [0, 1, 1] }, { kind: 'box', lo: [0, -1, -1], hi: [1, 1, 1] }]],
    ];
    for (const [name, domain] of domains) {
      for (const target of [{ kind: 'class', index: 0 }, { kind: 'point', layer: 2, activity: Array.from(acts[2]) }] as Target[]) {
        const f = computePreimage(net, target, { domain, direction: 'forward', strategy: 'lp' });
        const b = computePreimage(net, target, { domain, direction: 'backward' });
        assert.ok(f.pieces.length > 0, `seed ${seed}, ${name}, ${target.kind}: pieces to compare`);
        assert.equal(JSON.stringify(b.pieces), JSON.stringify(f.pieces), `seed ${seed}, ${name}, ${target.kind}`);
      }
    }
  }
});

test('backward equals the default forward search (vertex search on boxes) to 1e-9', () => {
  for (const c of cases().filter((k) => (k.opts.domain as { kind: string } | undefined)?.kind === 'box')) {
    const f = computePreimage(c.net, c.target, { ...c.opts, direction: 'forward' });
    const b = computePreimage(c.net, c.target, { ...c.opts, direction: 'backward' });
    assertSamePieces(f, b, c.what);
    b.pieces.forEach((q, i) => q.witness.forEach((v, j) => assert.ok(close(v, f.pieces[i].witness[j]), `${c.what} piece ${i}: witness`)));
  }
});

test('backward pruning ran: the stages drop patterns that cannot reach the target', () => {
  let stagePruned = 0;
  for (const c of cases()) {
    const b = computePreimage(c.net, c.target, { ...c.opts, direction: 'backward', volumes: false, certificates: false });
    stagePruned += b.stats.pruned;
  }
  assert.ok(stagePruned > 50, `pruned nodes: ${stagePruned}`);
});

test('backward equals brute-force enumeration of all patterns on tiny networks', () => {
  const kinds: { sizes: number[]; target: Target }[] = [
    { sizes: [2, 4, 3], target: { kind: 'class', index: 0 } },
    { sizes: [2, 3, 3, 2], target: { kind: 'class', index: 1, rule: 'argmin' } },
    { sizes: [3, 4, 2], target: { kind: 'box', lo: [-0.5, -Infinity], hi: [0.5, 0.3] } },
    { sizes: [2, 3, 3, 3, 2], target: { kind: 'polytope', T: [[1, 1], [-1, 2]], t: [0.2, 0.4] } },
    { sizes: [3, 4, 3, 2], target: { kind: 'box', layer: 2, lo: [0, 0, 0], hi: [0.5, Infinity, 0.5] } },
  ];
  for (const [ci, k] of kinds.entries()) {
    for (let seed = 1; seed <= 3; seed++) {
      const net = randomNetwork(new Rng(500 * ci + seed), k.sizes);
      const n = k.sizes[0];
      const lo = new Array(n).fill(-2), hi = new Array(n).fill(2);
      const r = computePreimage(net, k.target, { domain: { kind: 'box', lo, hi }, direction: 'backward' });
      assert.equal(r.status, 'complete');
      validateResult(r, { net, target: k.target, samples: 800, seed });
      const brute = bruteForce(net, normalizeTarget(net, k.target), lo, hi);
      const found = new Map(r.pieces.filter((p) => p.dim === n).map((p) => [`${patternKey(p.pattern)}#${p.part}`, p]));
      for (const bp of brute) if (bp.radius > 1e-5) assert.ok(found.has(`${bp.pattern}#${bp.part}`), `case ${ci} seed ${seed}: brute-force piece ${bp.pattern} missing`);
      const bruteKeys = new Set(brute.map((bp) => `${bp.pattern}#${bp.part}`));
      for (const kk of found.keys()) assert.ok(bruteKeys.has(kk), `case ${ci} seed ${seed}: piece ${kk} is not a brute-force piece`);
      const bv = brute.reduce((s, bp) => s + bp.volume, 0);
      assert.ok(r.volume !== null && Math.abs(r.volume - bv) <= 1e-7 * (1 + bv), `case ${ci} seed ${seed}: volume ${r.volume} vs ${bv}`);
    }
  }
});

test('backward is deterministic: two runs give identical results apart from times', () => {
  const strip = (r: PreimageResult) => JSON.stringify({ ...r, stats: { ...r.stats, milliseconds: 0, geometryMilliseconds: 0 } });
  for (const c of cases().slice(0, 12)) {
    const a = computePreimage(c.net, c.target, { ...c.opts, direction: 'backward' });
    const b = computePreimage(c.net, c.target, { ...c.opts, direction: 'backward' });
    assert.equal(strip(b), strip(a), c.what);
  }
});

/** A problem large enough that the limits below bite before it ends. */
function bigProblem(): { net: Network; target: Target; opts: PreimageOptions } {
  const net = randomNetwork(new Rng(99), [3, 8, 8, 8, 3]);
  return { net, target: { kind: 'class', index: 0 }, opts: { domain: { kind: 'box', lo: [-2, -2, -2], hi: [2, 2, 2] }, direction: 'backward', volumes: false, certificates: false } };
}

test('backward: cancellation, time, node and piece limits give the forward statuses; a piece budget gives the forward prefix', () => {
  const { net, target, opts } = bigProblem();
  const full = computePreimage(net, target, opts);
  assert.equal(full.status, 'complete');
  assert.ok(full.pieces.length > 20 && full.stats.nodes > 100, `a big enough problem (${full.pieces.length} pieces, ${full.stats.nodes} nodes)`);
  const ac = new AbortController();
  ac.abort();
  const cancelled = computePreimage(net, target, { ...opts, signal: ac.signal });
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.warnings.some((w) => /stopped early/.test(w)));
  assert.equal(computePreimage(net, target, { ...opts, timeLimitMs: 0 }).status, 'incomplete_time');
  const nodes = computePreimage(net, target, { ...opts, maxNodes: 20 });
  assert.equal(nodes.status, 'incomplete_budget');
  assert.ok(nodes.stats.nodes <= 22, `stopped near the node budget (${nodes.stats.nodes})`);
  const few = computePreimage(net, target, { ...opts, maxPieces: 5 });
  const fwd = computePreimage(net, target, { ...opts, direction: 'forward', strategy: 'lp', maxPieces: 5 });
  assert.equal(few.status, 'incomplete_budget');
  assert.equal(fwd.status, 'incomplete_budget');
  assert.deepEqual(key(few), key(fwd), 'the forward prefix');
  assert.deepEqual(key(few), key(full).slice(0, few.pieces.length));
  // cancellation from inside (onPiece) stops at the next node
  const ac2 = new AbortController();
  let seen = 0;
  const mid = computePreimage(net, target, { ...opts, signal: ac2.signal, onPiece: () => { if (++seen === 3) ac2.abort(); } });
  assert.equal(mid.status, 'cancelled');
  assert.ok(mid.pieces.length >= 3 && mid.pieces.length < full.pieces.length);
});

test('backward reports progress through the search control, in the stages and at the result layer', () => {
  const { net, target, opts } = bigProblem();
  const problem = preparePreimage(net, target, opts);
  const { scaling, searchDomain } = searchPlan(problem, problem.domains[0], 'lp');
  const stats = emptyStats();
  const seen: number[] = [];
  const it = backwardSearchPieces(scaling?.layers ?? problem.layers, searchDomain, problem.targetSet, stats, { onProgress: (s) => seen.push(s.nodes), progressEveryMs: 0 });
  let pieces = 0;
  for (let r = it.next(); !r.done; r = it.next()) pieces++;
  assert.equal(pieces, stats.pieces);
  assert.ok(seen.length > 10 && seen[0] < stats.nodes / 2, `progress reported during the run (${seen.length} times)`);
});

test('direction: bad values and backward with strategy vertex are refused with BAD_ARGUMENT; threads run backward in this thread', async () => {
  const net = randomNetwork(new Rng(5), [2, 3, 2]);
  const domain = { kind: 'box' as const, lo: [-1, -1], hi: [1, 1] };
  assert.throws(() => computePreimage(net, { kind: 'class', index: 0 }, { domain, direction: 'sideways' as 'auto' }), (e: unknown) => e instanceof PreimageError && e.code === 'BAD_ARGUMENT' && /direction/.test(e.message));
  assert.throws(() => computePreimage(net, { kind: 'class', index: 0 }, { domain, direction: 'backward', strategy: 'vertex' }), (e: unknown) => e instanceof PreimageError && e.code === 'BAD_ARGUMENT');
  const seq = computePreimage(net, { kind: 'class', index: 0 }, { domain, direction: 'backward' });
  const par = await computePreimageParallel(net, { kind: 'class', index: 0 }, { domain, direction: 'backward', threads: 2 });
  assert.equal(JSON.stringify(par.pieces), JSON.stringify(seq.pieces));
  const auto = computePreimage(net, { kind: 'class', index: 0 }, { domain, direction: 'auto', strategy: 'lp' });
  assert.equal(JSON.stringify(auto.pieces), JSON.stringify(seq.pieces));
});

test('auto: backward for point activity targets above a hidden layer over bounded domains, forward otherwise', () => {
  const net = randomNetwork(new Rng(8), [3, 5, 5, 2]);
  const box = { kind: 'box' as const, lo: [-1, -1, -1], hi: [1, 1, 1] };
  const acts = evaluateLayers(net, [0.1, -0.2, 0.3]).activities;
  const point2: Target = { kind: 'point', layer: 2, activity: Array.from(acts[2]) };
  const dir = (target: Target, opts: PreimageOptions) => preparePreimage(net, target, opts).direction;
  assert.equal(dir(point2, { domain: box }), 'backward');
  assert.equal(dir(point2, { domain: { kind: 'all' } }), 'forward', 'unbounded domain');
  assert.equal(dir(point2, { domain: box, strategy: 'lp' }), 'forward', 'a strategy chosen: forward');
  assert.equal(dir({ kind: 'point', layer: 1, activity: Array.from(acts[1]) }, { domain: box }), 'forward', 'no layer between');
  assert.equal(dir({ ...point2, mode: 'preactivation' } as Target, { domain: box }), 'forward', 'pre-activation point');
  assert.equal(dir({ kind: 'class', index: 0 }, { domain: box }), 'forward');
  assert.equal(dir(point2, { domain: box, direction: 'forward' }), 'forward');
  // auto runs backward there, with the forward pieces
  const a = computePreimage(net, point2, { domain: box });
  const f = computePreimage(net, point2, { domain: box, direction: 'forward' });
  assert.ok(a.pieces.length > 0);
  assert.equal(JSON.stringify(a.pieces), JSON.stringify(f.pieces));
  // the result says which search ran
  assert.equal(a.direction, 'backward');
  assert.equal(f.direction, 'forward');
  assert.equal(computePreimage(net, { kind: 'class', index: 0 }, { domain: box }).direction, 'forward');
});

test('CLI: compute --direction backward writes the forward result; a bad --direction is one error line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backward-'));
  const args = ['compute', 'examples/VertCAS_21_1.onnx', '--class', '0', '--domain=-0.5:0.5,-0.5:0.5,0.149:0.151,-0.5:0.5', '--quiet', '--threads', '1'];
  const rb = await runCli(...args, '--direction', 'backward', '--json', join(dir, 'b.json'));
  assert.equal(rb.status, 0, rb.stderr);
  const rf = await runCli(...args, '--direction', 'forward', '--json', join(dir, 'f.json'));
  assert.equal(rf.status, 0, rf.stderr);
  const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as PreimageResult;
  const f = JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')) as PreimageResult;
  assert.equal(b.status, 'complete');
  assertSamePieces(f, b, 'VertCAS_21_1 from the CLI');
  const bad = await runCli(...args, '--direction', 'sideways');
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr, 'error BAD_ARGUMENT: expected --direction forward, backward or auto, found "sideways"\n');
});
