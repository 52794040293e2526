/**
 * `preimage check`: re-verifies a result file against its network, independently of the search
 * that produced it. For every piece: the exact certificate is recomputed from the weights
 * (src/analysis/certificate.ts) and the piece's affine map is compared with plain evaluation.
 * For the set as a whole: seeded sampling both ways (domain points that the network maps into
 * the target lie in a piece and points in a piece map into the target, away from boundaries),
 * and full-dimensional pieces are checked pairwise for overlap.
 */
import { PreimageError } from '../errors.js';
import { evaluateLayers } from '../network/evaluate.js';
import { networkFingerprint } from '../network/fingerprint.js';
import type { Layer, Network } from '../network/types.js';
import { chebyshevCenter } from '../polyhedra/ops.js';
import { intersect } from '../polyhedra/hpoly.js';
import type { HPolyhedron } from '../polyhedra/types.js';
import { normalizeDomain, type DomainSet } from '../preimage/domain.js';
import { RESULT_FORMAT, type PieceJson, type PreimageResult } from '../preimage/result.js';
import type { TargetPart, TargetSet } from '../preimage/target.js';
import { rawNetwork } from '../preimage/units.js';
import { Rng } from '../util/rng.js';
import { certifyPiece } from './certificate.js';

export interface CheckOptions {
  /** Domain samples (default 2000). */
  samples?: number;
  /** Points sampled inside each piece (default 5). */
  pointsPerPiece?: number;
  seed?: number;
  /** Distance from boundaries within which samples are not judged (default 1e-6). */
  margin?: number;
  /** Largest number of piece pairs checked for overlap (default 2000; a seeded subset beyond). */
  maxPairs?: number;
  /** Skip the exact certificates (faster). */
  exact?: boolean;
  /** Pieces (a seeded sample) whose every vertex is evaluated exactly too (default 50; Infinity for all). */
  vertexChecks?: number;
}

export interface CheckReport {
  ok: boolean;
  status: string;
  pieces: number;
  /** Every failed check, one line each. */
  failures: string[];
  /** Notes that are not failures (e.g. sampling skipped for an unbounded domain). */
  notes: string[];
  certified: number;
  /** Pieces whose vertices were all evaluated exactly. */
  vertexCheckedPieces: number;
  samples: number;
  samplesInTarget: number;
  samplesJudged: number;
  piecePoints: number;
  pairsChecked: number;
}

/** Reads the target's normal form back from a result file. */
export function targetFromResult(result: PreimageResult): TargetSet {
  const t = result.target as { layer?: number; on?: string; parts?: { T: number[][]; t: number[]; E: number[][]; e: number[] }[]; forcedPattern?: number[] };
  if (typeof t.layer !== 'number' || !Array.isArray(t.parts) || (t.on !== 'activity' && t.on !== 'preactivation')) {
    throw new PreimageError('BAD_RESULT_FILE', 'expected target.layer, target.on and target.parts in the result file, found them missing');
  }
  const cols = t.parts.find((p) => p.T.length)?.T[0]?.length ?? t.parts.find((p) => p.E.length)?.E[0]?.length ?? 0;
  const parts: TargetPart[] = t.parts.map((p) => ({ rows: p.T.length, T: Float64Array.from(p.T.flat()), t: Float64Array.from(p.t), eqRows: p.E.length, E: Float64Array.from(p.E.flat()), e: Float64Array.from(p.e) }));
  const ts: TargetSet = { layer: t.layer, cols, on: t.on, parts, description: result.target };
  if (t.forcedPattern) ts.forcedPattern = Uint8Array.from(t.forcedPattern);
  return ts;
}

function domainsFromResult(result: PreimageResult): DomainSet[] {
  const d = result.domain as { kind: string; parts?: unknown[]; lo?: number[]; hi?: number[]; A?: number[][]; b?: number[]; Aeq?: number[][]; beq?: number[] };
  const n = result.inputDim;
  const one = (x: typeof d): DomainSet => {
    if (x.kind === 'box') return normalizeDomain({ kind: 'box', lo: x.lo as number[], hi: x.hi as number[] }, n);
    if (x.kind === 'polyhedron') {
      const P: HPolyhedron = { n, m: (x.A ?? []).length, A: Float64Array.from((x.A ?? []).flat()), b: Float64Array.from(x.b ?? []), meq: (x.Aeq ?? []).length, Aeq: Float64Array.from((x.Aeq ?? []).flat()), beq: Float64Array.from(x.beq ?? []) };
      return normalizeDomain({ kind: 'polyhedron', polyhedron: P }, n);
    }
    if (x.kind === 'all' || x.kind === 'nonnegative') return normalizeDomain({ kind: x.kind }, n);
    throw new PreimageError('BAD_RESULT_FILE', `expected a domain kind box, polyhedron, all, nonnegative or union, found ${JSON.stringify(x.kind)}`);
  };
  if (d.kind === 'union') return (d.parts as (typeof d)[]).map(one);
  return [one(d)];
}

/** Structural validation of a parsed result file (throws BAD_RESULT_FILE). */
export function assertResultShape(r: unknown): asserts r is PreimageResult {
  const bad = (what: string, found: unknown) => {
    throw new PreimageError('BAD_RESULT_FILE', `expected ${what}, found ${found === undefined ? 'nothing' : JSON.stringify(found).slice(0, 60)}`);
  };
  if (typeof r !== 'object' || r === null) bad('a JSON object', r);
  const o = r as Record<string, unknown>;
  if (o.format !== RESULT_FORMAT) bad(`format "${RESULT_FORMAT}"`, o.format);
  if (typeof o.inputDim !== 'number') bad('inputDim (a number)', o.inputDim);
  if (typeof o.layer !== 'number') bad('layer (a number)', o.layer);
  if (!Array.isArray(o.pieces)) bad('pieces (an array)', o.pieces);
  (o.pieces as unknown[]).forEach((p, i) => {
    const q = p as Record<string, unknown>;
    for (const key of ['pattern', 'A', 'b', 'Aeq', 'beq', 'witness']) if (!Array.isArray(q?.[key])) bad(`pieces[${i}].${key} (an array)`, q?.[key]);
  });
}

function toH(p: PieceJson, n: number): HPolyhedron {
  return { n, m: p.A.length, A: Float64Array.from(p.A.flat()), b: Float64Array.from(p.b), meq: p.Aeq.length, Aeq: Float64Array.from(p.Aeq.flat()), beq: Float64Array.from(p.beq) };
}

/** min over rows of (b − a·x)/|a| (negative: outside). */
export function pieceSlack(p: PieceJson, x: ArrayLike<number>): number {
  let s = Infinity;
  for (let i = 0; i < p.A.length; i++) {
    const a = p.A[i];
    let v = p.b[i], nn = 0;
    for (let j = 0; j < a.length; j++) { v -= a[j] * x[j]; nn += a[j] * a[j]; }
    s = Math.min(s, v / (Math.sqrt(nn) || 1));
  }
  return s;
}

/** Values of the target layer at x (post-activation unless the target is on pre-activations). */
export function targetLayerValues(layers: Layer[], ts: TargetSet, x: ArrayLike<number>): Float64Array {
  const net: Network = { inputSize: x.length, outputSize: ts.cols, layers };
  const { activities, preActivations } = evaluateLayers(net, x);
  return ts.on === 'preactivation' ? preActivations[preActivations.length - 1] : activities[activities.length - 1];
}

/** max over parts of min over rows of the normalised slack t − T y (equalities as −|E y − e|). */
export function targetMargin(ts: TargetSet, y: ArrayLike<number>): number {
  let best = -Infinity;
  for (const p of ts.parts) {
    let m = Infinity;
    for (let r = 0; r < p.rows; r++) {
      let v = p.t[r], nn = 0;
      for (let j = 0; j < ts.cols; j++) { const w = p.T[r * ts.cols + j]; v -= w * y[j]; nn += w * w; }
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

/** A random point of a full-dimensional piece: a few hit-and-run steps from its witness. */
function pointInPiece(p: PieceJson, rng: Rng): Float64Array {
  const n = p.witness.length;
  const x = Float64Array.from(p.witness);
  for (let step = 0; step < 4; step++) {
    const d = Float64Array.from({ length: n }, () => rng.normal());
    let lo = -Infinity, hi = Infinity;
    for (let i = 0; i < p.A.length; i++) {
      let ad = 0, slack = p.b[i];
      for (let j = 0; j < n; j++) { ad += p.A[i][j] * d[j]; slack -= p.A[i][j] * x[j]; }
      if (ad > 1e-300) hi = Math.min(hi, slack / ad);
      else if (ad < -1e-300) lo = Math.max(lo, slack / ad);
    }
    if (!Number.isFinite(lo)) lo = -1;
    if (!Number.isFinite(hi)) hi = 1;
    const t = lo + (hi - lo) * (0.05 + 0.9 * rng.next());
    for (let j = 0; j < n; j++) x[j] += t * d[j];
  }
  return x;
}

/** Re-verifies `result` against `network` (the network as read from its file). */
export function checkResult(network: Network, result: PreimageResult, o: CheckOptions = {}): CheckReport {
  assertResultShape(result);
  const rep: CheckReport = { ok: true, status: result.status, pieces: result.pieces.length, failures: [], notes: [], certified: 0, vertexCheckedPieces: 0, samples: 0, samplesInTarget: 0, samplesJudged: 0, piecePoints: 0, pairsChecked: 0 };
  const fail = (msg: string) => {
    if (rep.failures.length < 200) rep.failures.push(msg);
    rep.ok = false;
  };
  if (result.network?.fingerprint && result.network.fingerprint !== networkFingerprint(network)) {
    throw new PreimageError('BAD_RESULT_FILE', `expected a result computed for this network (fingerprint ${networkFingerprint(network)}), found fingerprint ${result.network.fingerprint}`);
  }
  const net = result.units === 'raw' ? rawNetwork(network) : network;
  const ts = targetFromResult(result);
  const k = result.layer;
  const layers = net.layers.slice(k, ts.layer);
  const n = result.inputDim;
  const domains = domainsFromResult(result);
  const rng = new Rng(o.seed ?? 20261127);
  const certCtx = { layers, target: ts };
  const margin = o.margin ?? 1e-6;
  if (result.stats && result.stats.pieces !== result.pieces.length) fail(`stats.pieces is ${result.stats.pieces} but the file lists ${result.pieces.length} pieces`);

  const vertexBudget = o.vertexChecks ?? 50;
  const withVertices = new Set<number>();
  const candidates = result.pieces.filter((p) => p.bounded && p.vertices?.length).map((p) => p.id);
  if (candidates.length <= vertexBudget) candidates.forEach((id) => withVertices.add(id));
  else while (withVertices.size < vertexBudget) withVertices.add(candidates[rng.int(candidates.length)]);
  rep.vertexCheckedPieces = withVertices.size;
  for (const p of result.pieces) {
    if (p.witness.length !== n) {
      fail(`piece ${p.id}: witness has ${p.witness.length} coordinates, expected ${n}`);
      continue;
    }
    if (o.exact !== false) {
      const c = certifyPiece(p, certCtx, withVertices.has(p.id));
      const vertexTol = 1e-7;
      if (!c.witnessInPiece) fail(`piece ${p.id}: the witness is not inside the piece (exact check)`);
      if (!c.patternReproduced) fail(`piece ${p.id}: exact evaluation at the witness does not reproduce the pattern`);
      if (!c.targetAtWitness) fail(`piece ${p.id}: exact evaluation at the witness is not in the target`);
      if (c.maxVertexViolation !== null && c.maxVertexViolation > vertexTol) fail(`piece ${p.id}: a vertex violates the pattern or the target by ${c.maxVertexViolation}`);
      if (c.witnessInPiece && c.patternReproduced && c.targetAtWitness) rep.certified++;
    }
    const y = targetLayerValues(layers, ts, p.witness);
    for (let i = 0; i < y.length; i++) {
      const v = p.map.M[i].reduce((s, w, j) => s + w * p.witness[j], p.map.c[i]);
      if (!(Math.abs(v - y[i]) <= 1e-7 * (1 + Math.abs(y[i])))) {
        fail(`piece ${p.id}: its affine map gives ${v} at the witness for unit ${i}, the network ${y[i]}`);
        break;
      }
    }
    if (p.dim === n && p.class === 'full') {
      for (let s = 0; s < (o.pointsPerPiece ?? 5); s++) {
        const x = pointInPiece(p, rng);
        if (pieceSlack(p, x) <= margin) continue;
        rep.piecePoints++;
        const tm = targetMargin(ts, targetLayerValues(layers, ts, x));
        if (tm < -1e-7) fail(`piece ${p.id}: the point ${Array.from(x)} of the piece maps outside the target (margin ${tm})`);
      }
    }
  }

  const full = result.pieces.filter((p) => p.dim === n && p.class === 'full');
  const maxPairs = o.maxPairs ?? 2000;
  const totalPairs = (full.length * (full.length - 1)) / 2;
  const pairs: [number, number][] = [];
  if (totalPairs <= maxPairs) for (let i = 0; i < full.length; i++) for (let j = i + 1; j < full.length; j++) pairs.push([i, j]);
  else for (let s = 0; s < maxPairs; s++) { const i = rng.int(full.length); const j = rng.int(full.length); if (i !== j) pairs.push([i, j]); }
  for (const [i, j] of pairs) {
    const ch = chebyshevCenter(intersect(toH(full[i], n), toH(full[j], n)));
    rep.pairsChecked++;
    if (ch.radius > 1e-6) fail(`pieces ${full[i].id} and ${full[j].id} overlap (a common ball of radius ${ch.radius})`);
  }

  const boxes = domains.filter((d) => d.bounded && d.description.kind === 'box');
  if (boxes.length === 0) rep.notes.push('domain sampling skipped: the domain is not a bounded box');
  else if (ts.parts.some((p) => p.eqRows > 0)) rep.notes.push('domain sampling skipped: the target has equalities (measure zero)');
  else {
    const samples = o.samples ?? 2000;
    const lower = result.pieces.some((p) => p.Aeq.length > 0);
    for (let s = 0; s < samples; s++) {
      const d = boxes[s % boxes.length];
      const x = Float64Array.from({ length: n }, (_, i) => d.lo[i] + (d.hi[i] - d.lo[i]) * rng.next());
      rep.samples++;
      const tm = targetMargin(ts, targetLayerValues(layers, ts, x));
      if (tm > 0) rep.samplesInTarget++;
      let inPiece = false, near = Math.abs(tm) < margin;
      for (const p of result.pieces) {
        if (p.Aeq.length) continue;
        const sl = pieceSlack(p, x);
        if (sl > margin) inPiece = true;
        else if (sl > -margin) near = true;
      }
      if (near || lower) continue;
      rep.samplesJudged++;
      if (tm > 0 && !inPiece && result.status === 'complete') fail(`sample ${Array.from(x)} maps into the target but lies in no piece`);
      if (tm < 0 && inPiece) fail(`sample ${Array.from(x)} lies in a piece but maps outside the target`);
    }
  }
  return rep;
}
