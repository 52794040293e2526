/**
 * The piece codec (src/preimage/piece-codec.ts: how pieces cross threads) and the shared pattern
 * rows (pattern-rows.ts): pieces of every kind read back equal to the originals bit for bit with
 * their keys in order, rows shared and frozen, buffers grow and are reused, bad pieces refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNetwork } from '../../src/formats/detect.js';
import { computePreimage } from '../../src/preimage/engine.js';
import { decodePieces, PieceEncoder } from '../../src/preimage/piece-codec.js';
import { patternRows } from '../../src/preimage/pattern-rows.js';
import type { PieceJson } from '../../src/preimage/result.js';
import { InternalError } from '../../src/errors.js';
import { createNetwork } from '../../src/network/create.js';
import { repoRoot } from '../helpers/data.js';
import { randomNetwork, Rng } from '../helpers/networks.js';

const load = (name: string) => readNetwork(new Uint8Array(readFileSync(join(repoRoot, 'examples', name))), name);
const vcas = load('VertCAS_21_1.onnx');
const acas = load('ACASXU_run2a_1_1_batch_2000.nnet');

/** a and b are equal with every number's bits (-0, NaN) and every object's keys in the same order. */
function assertSame(a: unknown, b: unknown, at = 'piece'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Object.is(a, b), `${at}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(b.length, a.length, `${at}: length`);
    a.forEach((v, i) => assertSame(v, b[i], `${at}[${i}]`));
    return;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    assert.deepEqual(Object.keys(b), Object.keys(a), `${at}: keys`);
    for (const k of Object.keys(a)) assertSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    return;
  }
  assert.equal(b, a, at);
}

function roundTrip(pieces: PieceJson[]): PieceJson[] {
  const enc = new PieceEncoder();
  for (const p of pieces) enc.add(p);
  const e = enc.finish();
  assert.equal(e.count, pieces.length);
  return decodePieces(e);
}

test('pieces of every kind read back bit for bit, keys in order', () => {
  const kinds: [string, PieceJson[]][] = [];
  // vertices, volumes and full certificates (every vertex checked)
  const vcasDomain = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };
  kinds.push(['vertices, full certificates', computePreimage(vcas, { kind: 'class', index: 0 }, { domain: vcasDomain, certificates: 'full' }).pieces]);
  // no volumes: volume null, witness-only certificates (maxVertexViolation null)
  kinds.push(['no volumes', computePreimage(vcas, { kind: 'class', index: 1 }, { domain: vcasDomain, volumes: false }).pieces]);
  // a flat box (one coordinate fixed): lower-dimensional pieces with equalities
  const flat = { kind: 'box' as const, lo: [0.6, -0.05, -0.05, 0.45, -0.5], hi: [0.61, 0.0, -0.05, 0.5, -0.45] };
  kinds.push(['lower-dimensional', computePreimage(acas, { kind: 'partition', rule: 'argmin' }, { domain: flat }).pieces]);
  // all of R^n: unbounded pieces with rays and lines (a 3-input network whose first layer has 2 units)
  const wide = createNetwork([
    { weights: Float64Array.from([1, -1, 0.5, 0.3, 1, -2]), bias: Float64Array.from([0.1, -0.2]), inSize: 3, activation: 'relu' },
    { weights: Float64Array.from([1, -1, 0.5, 2]), bias: Float64Array.from([0, 0.1]), inSize: 2, activation: 'identity' },
  ]);
  kinds.push(['unbounded, vertices/rays/lines', computePreimage(wide, { kind: 'class', index: 0 }, {}).pieces]);
  kinds.push(['unbounded, lines only', computePreimage(wide, { kind: 'class', index: 0 }, { volumes: false }).pieces]);
  kinds.push(['LP search', computePreimage(randomNetwork(new Rng(3), [7, 6, 3]), { kind: 'class', index: 0 }, { domain: { kind: 'box', lo: Array(7).fill(-1), hi: Array(7).fill(1) } }).pieces]);
  const seen = { cert: 0, certNull: 0, lower: 0, lines: 0, linesOnly: 0, volNull: 0, eq: 0 };
  for (const [name, pieces] of kinds) {
    assert.ok(pieces.length > 0, name);
    const back = roundTrip(pieces);
    pieces.forEach((p, i) => assertSame(p, back[i], `${name} ${i}`));
    for (const p of pieces) {
      if (p.certificate?.maxVertexViolation !== undefined) seen[p.certificate.maxVertexViolation === null ? 'certNull' : 'cert']++;
      if (p.class === 'lower') seen.lower++;
      if (p.Aeq.length > 0) seen.eq++;
      if (p.lines && p.lines.length > 0) seen[p.vertices ? 'lines' : 'linesOnly']++;
      if (p.volume === null) seen.volNull++;
    }
  }
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 0, `no piece with ${k}`);
  // special numbers anywhere a number goes
  const p = structuredClone(kinds[0][1][0]);
  p.radius = -0;
  p.volume = NaN;
  p.A[0][1] = Infinity;
  p.b[0] = -Infinity;
  p.witness[0] = 1e-310;
  p.map.c[0] = -0;
  (p.certificate as { equalityResidual: number }).equalityResidual = NaN;
  assertSame(p, roundTrip([p])[0], 'special numbers');
});

test('pattern rows are shared between consecutive pieces and frozen', () => {
  const r = computePreimage(acas, { kind: 'partition', rule: 'argmin' }, { domain: { kind: 'box', lo: [0.6, -0.05, -0.05, 0.45, -0.5], hi: [0.61, 0.0, 0.0, 0.5, -0.45] }, volumes: false });
  const rows = new Set(r.pieces.flatMap((p) => p.pattern));
  const distinct = new Set(r.pieces.flatMap((p) => p.pattern.map((row, l) => `${l}:${row.join('')}`)));
  // every piece's 7 rows, but far fewer arrays: one per run of equal rows
  assert.ok(r.pieces.length > 500 && rows.size < (r.pieces.length * 7) / 4, `${rows.size} row arrays for ${r.pieces.length} pieces`);
  assert.ok(rows.size >= distinct.size);
  for (const row of rows) assert.ok(Object.isFrozen(row));
  assert.throws(() => {
    (r.pieces[0].pattern[0] as number[])[0] = 7;
  }, TypeError);
  // decoded pieces share rows too, with the sender's rows where they are equal
  const back = roundTrip(r.pieces);
  assert.ok(new Set(back.flatMap((p) => p.pattern)).size <= rows.size);
  assert.deepEqual(back.map((p) => p.pattern), r.pieces.map((p) => p.pattern));
  // equal rows of the search are the same array only when consecutive; values are what was given
  const a = patternRows([Uint8Array.from([1, 0, 1])]), b = patternRows([Uint8Array.from([1, 0, 1])]), c = patternRows([[0, 0, 1]]);
  assert.equal(a[0], b[0]);
  assert.notEqual(a[0], c[0]);
  assert.deepEqual(c[0], [0, 0, 1]);
});

test('encoders: buffers grow and are reused, two at once, bad pieces refused', () => {
  const pieces = computePreimage(vcas, { kind: 'class', index: 0 }, { domain: { kind: 'box', lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] } }).pieces;
  // enough pieces to grow both shared buffers past their first sizes (16,384 ints, 32,768 numbers)
  const many: PieceJson[] = [];
  while (many.length < 40 * pieces.length) many.push(...pieces);
  const first = new PieceEncoder();
  const second = new PieceEncoder(); // started while the first holds the shared buffers
  for (const p of many) first.add(p);
  for (const p of pieces) second.add(p);
  const e1 = first.finish(), e2 = second.finish();
  assert.ok(e1.nums.length > 32768 && e1.ints.length > 16384, `${e1.nums.length} numbers, ${e1.ints.length} ints`);
  decodePieces(e1).forEach((p, i) => assertSame(many[i], p, `many ${i}`));
  decodePieces(e2).forEach((p, i) => assertSame(pieces[i], p, `second ${i}`));
  // the grown shared buffers serve the next encoder
  assertSame(pieces, roundTrip(pieces), 'after growth');
  // refused: a ragged matrix, a pattern entry that is not an integer, an unknown class
  const bad = (edit: (p: PieceJson) => void) => {
    const p = structuredClone(pieces[0]);
    edit(p);
    const enc = new PieceEncoder();
    assert.throws(() => enc.add(p), InternalError);
    enc.release();
  };
  bad((p) => p.A[1].pop());
  bad((p) => {
    p.pattern = [[0.5, ...p.pattern[0].slice(1)], ...p.pattern.slice(1)];
  });
  bad((p) => {
    (p as { class: string }).class = 'round';
  });
  // a stream whose count disagrees with its content is an error, not fewer pieces
  const enc = new PieceEncoder();
  enc.add(pieces[0]);
  enc.add(pieces[1]);
  const e = enc.finish();
  assert.throws(() => decodePieces({ ...e, count: 1 }), InternalError);
});
