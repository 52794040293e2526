/**
 * The shared validator: every test that produces a preimage result runs it. It re-checks the
 * result independently of the search, with plain floating-point evaluation and LPs:
 *  1. each witness lies inside its piece (strictly, for inequality rows) and reproduces its pattern;
 *  2. on each piece the piece's affine map equals the network at the witness and at interior points;
 *  3. full-dimensional pieces do not overlap (pairwise LP: the intersection has no interior);
 *  4. sampling both ways: sampled domain points mapped into the target lie in some piece and
 *     points in no piece are not mapped into the target (away from boundaries); sampled piece
 *     points map into the target.
 * Throws an AssertionError describing the first failure; returns counters for assertions.
 */
import assert from 'node:assert/strict';
import { evaluateLayers } from '../../src/network/evaluate.js';
import type { Network } from '../../src/network/types.js';
import { chebyshevCenter, intersect } from '../../src/polyhedra/index.js';
import type { HPolyhedron } from '../../src/polyhedra/types.js';
import type { PieceJson, PreimageResult } from '../../src/preimage/result.js';
import { normalizeTarget, type Target, type TargetSet } from '../../src/preimage/target.js';
import { Rng } from '../../src/util/rng.js';

export interface ValidateOptions {
  /** The network in the result's coordinates (already raw if the result is raw). */
  net: Network;
  target: Target;
  /** Domain box for sampling (result coordinates); default: the result's domain box. */
  box?: { lo: ArrayLike<number>; hi: ArrayLike<number> };
  samples?: number;
  seed?: number;
  /** Skip the pairwise overlap check above this many pieces (a random subset of pairs is checked). */
  maxPairs?: number;
  /** Distance from boundaries within which samples are not judged. */
  margin?: number;
}

export interface ValidateReport {
  pieces: number;
  samples: number;
  samplesInTarget: number;
  samplesJudged: number;
  pairsChecked: number;
  piecePointsChecked: number;
}

function toH(p: PieceJson, n: number): HPolyhedron {
  const flat = (rows: number[][]) => Float64Array.from(rows.flat());
  return { n, m: p.A.length, A: flat(p.A), b: Float64Array.from(p.b), meq: p.Aeq.length, Aeq: flat(p.Aeq), beq: Float64Array.from(p.beq) };
}

/** Signed slack of the piece at x: min over rows of (b - a·x)/|a| (negative = outside). */
function slack(p: PieceJson, x: ArrayLike<number>): number {
  let s = Infinity;
  p.A.forEach((a, i) => {
    let v = p.b[i], nn = 0;
    a.forEach((w, j) => { v -= w * x[j]; nn += w * w; });
    s = Math.min(s, v / (Math.sqrt(nn) || 1));
  });
  return s;
}

function eqResidual(p: PieceJson, x: ArrayLike<number>): number {
  let r = 0;
  p.Aeq.forEach((a, i) => {
    let v = -p.beq[i], nn = 0;
    a.forEach((w, j) => { v += w * x[j]; nn += w * w; });
    r = Math.max(r, Math.abs(v) / (Math.sqrt(nn) || 1));
  });
  return r;
}

/** Value of the target layer at x (post-activation unless the target is on pre-activations). */
function targetValues(net: Network, ts: TargetSet, x: ArrayLike<number>, firstLayer: number): Float64Array {
  const sub: Network = { ...net, layers: net.layers.slice(firstLayer, ts.layer), inputSize: x.length, outputSize: ts.cols };
  const { activities, preActivations } = evaluateLayers(sub, x);
  return ts.on === 'preactivation' ? preActivations[preActivations.length - 1] : activities[activities.length - 1];
}

/** Signed distance-like margin of y in the target (max over parts of min over rows of t - T y); equalities count as |.|. */
function targetMargin(ts: TargetSet, y: Float64Array): number {
  let best = -Infinity;
  for (const p of ts.parts) {
    let m = Infinity;
    for (let r = 0; r < p.rows; r++) {
      let v = p.t[r], nn = 0;
      for (let j = 0; j < ts.cols; j++) { v -= p.T[r * ts.cols + j] * y[j]; nn += p.T[r * ts.cols + j] ** 2; }
      m = Math.min(m, v / (Math.sqrt(nn) || 1));
    }
    for (let r = 0; r < p.eqRows; r++) {
      let v = p.e[r];
      for (let j = 0; j < ts.cols; j++) v -= p.E[r * ts.cols + j] * y[j];
      m = Math.min(m, -Math.abs(v));
    }
    best = Math.max(best, m);
  }
  return best;
}

export function validateResult(result: PreimageResult, o: ValidateOptions): ValidateReport {
  const rng = new Rng(o.seed ?? 12345);
  const n = result.inputDim;
  const k = result.layer;
  const ts = normalizeTarget(o.net, o.target);
  const report: ValidateReport = { pieces: result.pieces.length, samples: 0, samplesInTarget: 0, samplesJudged: 0, pairsChecked: 0, piecePointsChecked: 0 };
  assert.equal(result.format, 'relu-preimage/result@1');
  assert.equal(result.stats.pieces, result.pieces.length, 'stats.pieces equals the number of pieces');

  // 1 + 2: witnesses, patterns, maps
  for (const p of result.pieces) {
    const w = p.witness;
    assert.equal(w.length, n);
    if (p.class !== 'thin') assert.ok(slack(p, w) > 0, `piece ${p.id}: witness strictly inside (slack ${slack(p, w)})`);
    assert.ok(eqResidual(p, w) < 1e-7, `piece ${p.id}: witness satisfies the equalities (residual ${eqResidual(p, w)})`);
    const sub: Network = { ...o.net, layers: o.net.layers.slice(k, ts.layer), inputSize: n, outputSize: ts.cols };
    const { preActivations } = evaluateLayers(sub, w);
    preActivations.forEach((z, l) => {
      const relu = sub.layers[l].activation === 'relu' && !(l === preActivations.length - 1 && ts.on === 'preactivation');
      if (!relu) return;
      z.forEach((v, i) => {
        if (p.class === 'full') assert.equal(v > 0 ? 1 : 0, p.pattern[l][i], `piece ${p.id}: pattern of layer ${k + l + 1} unit ${i} at the witness (z = ${v})`);
      });
    });
    const y = targetValues(o.net, ts, w, k);
    const mapped = p.map.M.map((row, i) => row.reduce((s, v, j) => s + v * w[j], p.map.c[i]));
    mapped.forEach((v, i) => assert.ok(Math.abs(v - y[i]) <= 1e-7 * (1 + Math.abs(y[i])), `piece ${p.id}: affine map equals the network at the witness (output ${i}: ${v} vs ${y[i]})`));
    assert.ok(targetMargin(ts, y) > -1e-7, `piece ${p.id}: the witness maps into the target (margin ${targetMargin(ts, y)})`);
    if (p.vertices && p.bounded) {
      for (const v of p.vertices) {
        const yv = targetValues(o.net, ts, v, k);
        assert.ok(targetMargin(ts, yv) > -1e-6, `piece ${p.id}: vertex maps into the target (margin ${targetMargin(ts, yv)})`);
        report.piecePointsChecked++;
      }
      // random convex combinations of vertices map into the target
      for (let s = 0; s < 5 && p.vertices.length > 0; s++) {
        const wts = p.vertices.map(() => rng.next());
        const tot = wts.reduce((a, b) => a + b, 0);
        const x = new Float64Array(n);
        p.vertices.forEach((v, i) => v.forEach((c, j) => { x[j] += (wts[i] / tot) * c; }));
        const yx = targetValues(o.net, ts, x, k);
        assert.ok(targetMargin(ts, yx) > -1e-6, `piece ${p.id}: a point of the piece maps into the target`);
        report.piecePointsChecked++;
      }
    }
  }

  // 3: no overlap between full-dimensional pieces
  const full = result.pieces.filter((p) => p.dim === n && p.class === 'full');
  const pairs: [number, number][] = [];
  for (let i = 0; i < full.length; i++) for (let j = i + 1; j < full.length; j++) pairs.push([i, j]);
  const maxPairs = o.maxPairs ?? 2000;
  const chosen = pairs.length <= maxPairs ? pairs : Array.from({ length: maxPairs }, () => pairs[rng.int(pairs.length)]);
  for (const [i, j] of chosen) {
    const ch = chebyshevCenter(intersect(toH(full[i], n), toH(full[j], n)));
    assert.ok(!(ch.radius > 1e-6), `pieces ${full[i].id} and ${full[j].id} overlap (common ball of radius ${ch.radius})`);
    report.pairsChecked++;
  }

  // 4: sampling the domain both ways
  const box = o.box ?? (result.domain.kind === 'box' ? (result.domain as { lo: number[]; hi: number[] }) : undefined);
  if (box && ts.parts.every((p) => p.eqRows === 0)) {
    const margin = o.margin ?? 1e-6;
    const samples = o.samples ?? 2000;
    for (let s = 0; s < samples; s++) {
      const x = Float64Array.from({ length: n }, (_, i) => rng.uniform(box.lo[i], box.hi[i]));
      report.samples++;
      const y = targetValues(o.net, ts, x, k);
      const tm = targetMargin(ts, y);
      const slacks = result.pieces.map((p) => (p.Aeq.length ? -Infinity : slack(p, x)));
      const inPiece = slacks.some((v) => v > margin);
      const nearBoundary = Math.abs(tm) < margin || slacks.some((v) => Math.abs(v) <= margin);
      if (tm > 0) report.samplesInTarget++;
      if (nearBoundary) continue;
      report.samplesJudged++;
      if (result.status === 'complete') assert.equal(inPiece, tm > 0, `sample ${Array.from(x)}: network maps it ${tm > 0 ? 'into' : 'outside'} the target but it is ${inPiece ? '' : 'not '}in a piece`);
      else if (inPiece) assert.ok(tm > 0, `sample in a piece maps outside the target`);
    }
  }
  return report;
}
