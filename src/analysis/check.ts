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

/** Random numbers of one point of pointInPiece: 4 steps of (n normals, one uniform), drawn in that order. */
function drawPoint(rng: Rng, n: number): Float64Array {
  const d = new Float64Array(4 * (n + 1));
  for (let step = 0; step < 4; step++) {
    for (let j = 0; j < n; j++) d[step * (n + 1) + j] = rng.normal();
    d[step * (n + 1) + n] = rng.next();
  }
  return d;
}

/** A random point of a full-dimensional piece: a few hit-and-run steps from its witness (random numbers from drawPoint). */
function pointInPiece(p: PieceJson, draws: Float64Array, offset: number): Float64Array {
  const n = p.witness.length;
  const x = Float64Array.from(p.witness);
  for (let step = 0; step < 4; step++) {
    const o = offset + step * (n + 1);
    const d = draws.subarray(o, o + n);
    let lo = -Infinity, hi = Infinity;
    for (let i = 0; i < p.A.length; i++) {
      let ad = 0, slack = p.b[i];
      for (let j = 0; j < n; j++) { ad += p.A[i][j] * d[j]; slack -= p.A[i][j] * x[j]; }
      if (ad > 1e-300) hi = Math.min(hi, slack / ad);
      else if (ad < -1e-300) lo = Math.max(lo, slack / ad);
    }
    if (!Number.isFinite(lo)) lo = -1;
    if (!Number.isFinite(hi)) hi = 1;
    const t = lo + (hi - lo) * (0.05 + 0.9 * draws[o + n]);
    for (let j = 0; j < n; j++) x[j] += t * d[j];
  }
  return x;
}

/** What every check job needs (plain data: jobs run on worker threads too). */
export interface CheckContext {
  layers: Layer[];
  ts: TargetSet;
  n: number;
  margin: number;
  exact: boolean;
  complete: boolean;
  /** Some piece has equalities: domain samples are not judged. */
  lower: boolean;
}

/** The inequality rows of the pieces without equalities, packed (for the domain-sample scan). */
export interface PackedPieces {
  n: number;
  /** Row offsets: piece q has rows start[q] .. start[q+1]-1. */
  start: Int32Array;
  A: Float64Array;
  b: Float64Array;
  /** sqrt(|a|^2) || 1 per row. */
  norm: Float64Array;
}

/** Independent pieces of the check; their findings are merged in job order (the sequential order). */
export type CheckJob =
  | { kind: 'pieces'; pieces: PieceJson[]; withVertices: boolean[]; draws: (Float64Array | null)[] }
  | { kind: 'pairs'; pairs: [PieceJson, PieceJson][] }
  | { kind: 'samples'; xs: Float64Array[]; packed: PackedPieces };

export interface CheckPart {
  failures: string[];
  failed: number;
  certified: number;
  piecePoints: number;
  pairsChecked: number;
  samples: number;
  samplesInTarget: number;
  samplesJudged: number;
}

const MAX_FAILURES = 200;

function packPieces(pieces: PieceJson[], n: number): PackedPieces {
  const list = pieces.filter((p) => p.Aeq.length === 0);
  let rows = 0;
  for (const p of list) rows += p.A.length;
  const start = new Int32Array(list.length + 1), A = new Float64Array(rows * n), b = new Float64Array(rows), norm = new Float64Array(rows);
  let r = 0;
  list.forEach((p, q) => {
    start[q] = r;
    for (let i = 0; i < p.A.length; i++, r++) {
      let nn = 0;
      for (let j = 0; j < n; j++) { A[r * n + j] = p.A[i][j]; nn += p.A[i][j] * p.A[i][j]; }
      b[r] = p.b[i];
      norm[r] = Math.sqrt(nn) || 1;
    }
  });
  start[list.length] = r;
  return { n, start, A, b, norm };
}

/** Runs one check job (in this thread or a worker). */
export function runCheckJob(ctx: CheckContext, job: CheckJob): CheckPart {
  const part: CheckPart = { failures: [], failed: 0, certified: 0, piecePoints: 0, pairsChecked: 0, samples: 0, samplesInTarget: 0, samplesJudged: 0 };
  const fail = (msg: string) => {
    if (part.failures.length < MAX_FAILURES) part.failures.push(msg);
    part.failed++;
  };
  const { layers, ts, n, margin } = ctx;
  if (job.kind === 'pieces') {
    const certCtx = { layers, target: ts };
    job.pieces.forEach((p, q) => {
      if (p.witness.length !== n) {
        fail(`piece ${p.id}: witness has ${p.witness.length} coordinates, expected ${n}`);
        return;
      }
      if (ctx.exact) {
        const c = certifyPiece(p, certCtx, job.withVertices[q]);
        const vertexTol = 1e-7;
        if (!c.witnessInPiece) fail(`piece ${p.id}: the witness is not inside the piece (exact check)`);
        if (!c.patternReproduced) fail(`piece ${p.id}: exact evaluation at the witness does not reproduce the pattern`);
        if (!c.targetAtWitness) fail(`piece ${p.id}: exact evaluation at the witness is not in the target`);
        if (c.maxVertexViolation !== null && c.maxVertexViolation > vertexTol) fail(`piece ${p.id}: a vertex violates the pattern or the target by ${c.maxVertexViolation}`);
        if (c.witnessInPiece && c.patternReproduced && c.targetAtWitness) part.certified++;
      }
      const y = targetLayerValues(layers, ts, p.witness);
      for (let i = 0; i < y.length; i++) {
        const v = p.map.M[i].reduce((s, w, j) => s + w * p.witness[j], p.map.c[i]);
        if (!(Math.abs(v - y[i]) <= 1e-7 * (1 + Math.abs(y[i])))) {
          fail(`piece ${p.id}: its affine map gives ${v} at the witness for unit ${i}, the network ${y[i]}`);
          break;
        }
      }
      const draws = job.draws[q];
      if (draws) {
        for (let o = 0; o < draws.length; o += 4 * (n + 1)) {
          const x = pointInPiece(p, draws, o);
          if (pieceSlack(p, x) <= margin) continue;
          part.piecePoints++;
          const tm = targetMargin(ts, targetLayerValues(layers, ts, x));
          if (tm < -1e-7) fail(`piece ${p.id}: the point ${Array.from(x)} of the piece maps outside the target (margin ${tm})`);
        }
      }
    });
  } else if (job.kind === 'pairs') {
    for (const [a, b] of job.pairs) {
      const ch = chebyshevCenter(intersect(toH(a, n), toH(b, n)));
      part.pairsChecked++;
      if (ch.radius > 1e-6) fail(`pieces ${a.id} and ${b.id} overlap (a common ball of radius ${ch.radius})`);
    }
  } else {
    const { start, A, b, norm } = job.packed;
    const pieces = start.length - 1;
    for (const x of job.xs) {
      part.samples++;
      const tm = targetMargin(ts, targetLayerValues(layers, ts, x));
      if (tm > 0) part.samplesInTarget++;
      let inPiece = false, near = Math.abs(tm) < margin;
      for (let q = 0; q < pieces; q++) {
        // the piece's slack min_r (b_r - a_r x)/|a_r|, stopped once it is below -margin (then it neither holds x nor is near it)
        let sl = Infinity;
        for (let r = start[q]; r < start[q + 1] && sl > -margin; r++) {
          let v = b[r];
          const o = r * n;
          for (let j = 0; j < n; j++) v -= A[o + j] * x[j];
          sl = Math.min(sl, v / norm[r]);
        }
        if (sl > margin) inPiece = true;
        else if (sl > -margin) near = true;
      }
      if (near || ctx.lower) continue;
      part.samplesJudged++;
      if (tm > 0 && !inPiece && ctx.complete) fail(`sample ${Array.from(x)} maps into the target but lies in no piece`);
      if (tm < 0 && inPiece) fail(`sample ${Array.from(x)} lies in a piece but maps outside the target`);
    }
  }
  return part;
}

/** A check split into jobs: the report's start, the context and the jobs (see runCheckJob). */
export interface CheckPlan {
  rep: CheckReport;
  ctx: CheckContext;
  jobs: CheckJob[];
}

/**
 * Everything random is drawn here, in one thread and in a fixed order, so the jobs (and the
 * report) do not depend on how they are run. `chunks` is the number of jobs per kind of work.
 */
export function planCheck(network: Network, result: PreimageResult, o: CheckOptions = {}, chunks = 1): CheckPlan {
  assertResultShape(result);
  const rep: CheckReport = { ok: true, status: result.status, pieces: result.pieces.length, failures: [], notes: [], certified: 0, vertexCheckedPieces: 0, samples: 0, samplesInTarget: 0, samplesJudged: 0, piecePoints: 0, pairsChecked: 0 };
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
  const margin = o.margin ?? 1e-6;
  if (result.stats && result.stats.pieces !== result.pieces.length) {
    rep.failures.push(`stats.pieces is ${result.stats.pieces} but the file lists ${result.pieces.length} pieces`);
    rep.ok = false;
  }
  const ctx: CheckContext = { layers, ts, n, margin, exact: o.exact !== false, complete: result.status === 'complete', lower: result.pieces.some((p) => p.Aeq.length > 0) };
  const chunk = <T>(xs: T[]): T[][] => {
    const size = Math.max(1, Math.ceil(xs.length / Math.max(1, chunks)));
    const out: T[][] = [];
    for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
    return out;
  };
  const jobs: CheckJob[] = [];

  const vertexBudget = o.vertexChecks ?? 50;
  const withVertices = new Set<number>();
  const candidates = result.pieces.filter((p) => p.bounded && p.vertices?.length).map((p) => p.id);
  if (candidates.length <= vertexBudget) candidates.forEach((id) => withVertices.add(id));
  else while (withVertices.size < vertexBudget) withVertices.add(candidates[rng.int(candidates.length)]);
  rep.vertexCheckedPieces = withVertices.size;
  const points = o.pointsPerPiece ?? 5;
  const draws = result.pieces.map((p) => {
    if (p.witness.length !== n || !(p.dim === n && p.class === 'full') || points <= 0) return null;
    const d = new Float64Array(points * 4 * (n + 1));
    for (let s = 0; s < points; s++) d.set(drawPoint(rng, n), s * 4 * (n + 1));
    return d;
  });
  const idx = result.pieces.map((_, i) => i);
  for (const c of chunk(idx)) jobs.push({ kind: 'pieces', pieces: c.map((i) => result.pieces[i]), withVertices: c.map((i) => withVertices.has(result.pieces[i].id)), draws: c.map((i) => draws[i]) });

  const full = result.pieces.filter((p) => p.dim === n && p.class === 'full');
  const maxPairs = o.maxPairs ?? 2000;
  const totalPairs = (full.length * (full.length - 1)) / 2;
  const pairs: [PieceJson, PieceJson][] = [];
  if (totalPairs <= maxPairs) for (let i = 0; i < full.length; i++) for (let j = i + 1; j < full.length; j++) pairs.push([full[i], full[j]]);
  else for (let s = 0; s < maxPairs; s++) { const i = rng.int(full.length); const j = rng.int(full.length); if (i !== j) pairs.push([full[i], full[j]]); }
  for (const c of chunk(pairs)) jobs.push({ kind: 'pairs', pairs: c });

  const boxes = domains.filter((d) => d.bounded && d.description.kind === 'box');
  if (boxes.length === 0) rep.notes.push('domain sampling skipped: the domain is not a bounded box');
  else if (ts.parts.some((p) => p.eqRows > 0)) rep.notes.push('domain sampling skipped: the target has equalities (measure zero)');
  else {
    const samples = o.samples ?? 2000;
    const xs: Float64Array[] = [];
    for (let s = 0; s < samples; s++) {
      const d = boxes[s % boxes.length];
      xs.push(Float64Array.from({ length: n }, (_, i) => d.lo[i] + (d.hi[i] - d.lo[i]) * rng.next()));
    }
    if (xs.length > 0) {
      const packed = packPieces(result.pieces, n);
      for (const c of chunk(xs)) jobs.push({ kind: 'samples', xs: c, packed });
    }
  }
  return { rep, ctx, jobs };
}

/** Adds the parts (in job order) to the plan's report. */
export function mergeCheck(plan: CheckPlan, parts: CheckPart[]): CheckReport {
  const rep = plan.rep;
  for (const p of parts) {
    for (const f of p.failures) if (rep.failures.length < MAX_FAILURES) rep.failures.push(f);
    if (p.failed > 0) rep.ok = false;
    rep.certified += p.certified;
    rep.piecePoints += p.piecePoints;
    rep.pairsChecked += p.pairsChecked;
    rep.samples += p.samples;
    rep.samplesInTarget += p.samplesInTarget;
    rep.samplesJudged += p.samplesJudged;
  }
  return rep;
}

/** Re-verifies `result` against `network` (the network as read from its file). */
export function checkResult(network: Network, result: PreimageResult, o: CheckOptions = {}): CheckReport {
  const plan = planCheck(network, result, o);
  return mergeCheck(plan, plan.jobs.map((j) => runCheckJob(plan.ctx, j)));
}

