/**
 * verifyProperty: answers a VNN-LIB property (VNN-COMP semantics) with the preimage engine.
 *
 * A VNN-LIB file describes an input set (a union of boxes) and an *unsafe* output set (a union
 * of polytopes). The property holds (`unsat`: no counterexample) exactly when the preimage of the
 * unsafe set inside the input set is empty; otherwise (`sat`) every point of that preimage is a
 * counterexample.
 *
 * Requirements: a fully connected ReLU network and a spec over its inputs and outputs.
 * Returns: `sat` with a counterexample {x, y}, `unsat`, `timeout`, `unknown` (with a reason) or
 * `error` (with the code and message of the failure).
 * Method: (1) falsification: seeded samples of the input boxes (centres, corners, uniform points
 * and points on faces), then signed-gradient descent
 * (PGD) from the best ones on the distance to the unsafe set (cheap; finds most violated
 * properties in milliseconds); (2) the complete search of the engine (src/preimage/engine.ts),
 * stopped at the first piece whose witness checks out.
 * Guarantees:
 * - `sat`: the counterexample x lies in one of the spec's input boxes (float comparison of
 *   doubles, exact) and the network's output at x, evaluated in exact rational arithmetic on the
 *   doubles of the weights, satisfies every inequality of one output polytope. A candidate that
 *   fails either check is never reported as `sat`.
 * - `unsat`: the search finished (status `complete`) with no piece and no sliver (no side of a
 *   hyperplane thinner than the margin was merged or cut off). When the search reports slivers,
 *   the search is repeated with the unsafe set enlarged by a small δ; only a sliver-free, empty
 *   answer to that larger question confirms `unsat` (it contains the original question).
 *   Otherwise the answer is `unknown`: a numerically doubtful branch never becomes `unsat`.
 *   The vertex search runs with sliver slack (src/preimage/sliver-slack.ts): a merged thin side
 *   relaxes the node's unsafe set by what it can change at the output, so those slivers
 *   (`stats.sliversBounded`) cannot hide a counterexample and need no second search.
 * - `timeout`: the time limit ran out before either answer.
 */
import { PreimageError } from '../errors.js';
import type { VnnlibSpec, OutputPolytope } from '../formats/vnnlib.js';
import type { Layer, Network } from '../network/types.js';
import { evaluate } from '../network/evaluate.js';
import { prepareExact, exactOutput, Rational, type ExactNetwork } from '../exact/index.js';
import { assembleResult, preimagePieces, preparePreimage, summarizeSearch, type PreimageOptions, type SearchSummary } from '../preimage/engine.js';
import { runTasks, threadCount } from '../preimage/parallel.js';
import { rootTasks } from '../preimage/subtree.js';
import type { PieceJson, PreimageResult, ResultStats, ResultStatus } from '../preimage/result.js';
import { Rng } from '../util/rng.js';
import { crownBounds, optimizedRowLowerBound, rowLowerBound, type UnitBounds } from '../preimage/bounds.js';
import { backward, forward, pgdSearch, polytopeLoss, rowsGradient } from './falsify.js';

/** The VNN-COMP answers. */
export type VerifyResult = 'unsat' | 'sat' | 'timeout' | 'unknown' | 'error';

/** Options of {@link verifyProperty}. */
export interface VerifyOptions {
  /** Time limit for the whole answer (falsification and search), in milliseconds. */
  timeLimitMs?: number;
  /** Cancels the search (answer `unknown`, reason cancelled). */
  signal?: AbortSignal;
  /**
   * A limit on the CPU time of this process (process.cpuUsage, user + system) instead of wall
   * time: on a shared machine the wall clock charges other processes' load to this answer.
   * Checked about once a second (from the engine's progress callback), so it may overshoot by
   * about that much; the answer is `timeout` when it runs out. Use with a generous timeLimitMs.
   */
  cpuTimeLimitMs?: number;
  /** Compute the whole counterexample set (the preimage) instead of stopping at the first counterexample. */
  all?: boolean;
  /** Try falsification (sampling and PGD) before the complete search (default true; never with `all`). */
  falsify?: boolean;
  /**
   * Bound the unsafe polytopes over the input boxes first (CROWN with optimised slopes): those
   * proved unreachable leave the question, and when none is left the answer is `unsat` without a
   * search (default: above 16 inputs; never with `all`). In low dimension the vertex search
   * prunes with exact vertex ranges and the step cost more than it saved (ACAS Xu: 0.1-0.5 s an
   * instance, 3 to 6 of 20 prop_1-4 instances settled, all of them cheap for the search too).
   */
  bounds?: boolean;
  /**
   * With the bounds, above 16 inputs: search a copy of the network whose hidden units are
   * reordered by their weight on the open rows' bounds ({@link orderUnitsForSearch}; default true).
   */
  orderUnits?: boolean;
  /** Time budget of falsification (default: min(1000 ms, 5% of the time limit); 2000 ms above 16 inputs). */
  falsifyMs?: number;
  /** Seed of the falsification samples (default 1). */
  seed?: number;
  /** Search strategy passed to the engine (default `auto`). */
  strategy?: PreimageOptions['strategy'];
  /** Confirm a sliver-affected empty answer by a search with the unsafe set enlarged by δ (default true). */
  confirmSlivers?: boolean;
  /** With `all`: compute volumes and vertices of the pieces (default false). */
  volumes?: boolean;
  /** Called about once a second with the engine's counters. */
  onProgress?: PreimageOptions['onProgress'];
  /**
   * verifyPropertyParallel only: threads of the search (default: the number of cores). The answer,
   * the counterexample included, is the same for any number (the first good piece in task-key order).
   */
  threads?: number;
}

/** A counterexample, checked before it is reported. */
export interface Counterexample {
  /** The input (network coordinates). */
  x: number[];
  /** The output at x: the exact rational output rounded to the nearest doubles. */
  y: number[];
  /** Index of an input box of the spec containing x. */
  box: number;
  /** Index of an output polytope of the spec containing y (exactly). */
  polytope: number;
  /**
   * Depth of y inside that polytope: min over its rows of (t − T y)/|T_r|, computed exactly and
   * rounded (>= 0). The float evaluation's depth is `floatMargin`.
   */
  margin: number;
  floatMargin: number;
  /** How it was found: by falsification (sampling/PGD) or as the witness of a preimage piece. */
  method: 'falsification' | 'search';
}

/** Counters of the falsification phase. */
export interface FalsificationStats {
  samples: number;
  gradientSteps: number;
  /** PGD restarts (falsify.ts). */
  restarts: number;
  exactChecks: number;
  milliseconds: number;
  found: boolean;
}

/** What {@link verifyProperty} returns. */
export interface VerifyReport {
  result: VerifyResult;
  /** Why the answer is `unknown`, `timeout` or `error` (one line). */
  reason?: string;
  /** For `error`: the PreimageError code (INTERNAL for a bug). */
  code?: string;
  counterexample?: Counterexample;
  /** The engine's status of the (last) search; absent when no search ran. */
  status?: ResultStatus;
  /** The engine's counters (zeros when no search ran). */
  stats: ResultStats;
  falsification?: FalsificationStats;
  /** The root-bound step (absent with `all` or `bounds: false`). */
  bounds?: BoundCheckStats;
  /** Set when slivers made a second search with the enlarged unsafe set necessary. */
  sliverCheck?: { delta: number; status: ResultStatus; pieces: number; slivers: number; milliseconds: number };
  warnings: string[];
  /** Wall time of the whole answer. */
  milliseconds: number;
  /** With `all`: the whole preimage, as `compute --json` writes it. */
  preimage?: PreimageResult;
}

/** The result of {@link checkCounterexample}. */
export interface CounterexampleCheck {
  ok: boolean;
  /** First box containing x, or -1. */
  box: number;
  /** First polytope containing the exact output, or -1. */
  polytope: number;
  /** Exact output rounded to doubles. */
  y: number[];
  /** Float (double) evaluation of the network. */
  yFloat: number[];
  /** Largest exact depth over the polytopes (negative: outside all of them). */
  margin: number;
  /** The same with the float output. */
  floatMargin: number;
  /** Why the check failed. */
  reason?: string;
}

const ZERO_STATS: ResultStats = {
  pieces: 0, nodes: 0, lps: 0, pruned: 0, boundDecided: 0, vertexDecided: 0, lpDecided: 0, splits: 0,
  slivers: 0, sliversBounded: 0, emptyLeaves: 0, thinPieces: 0, lpFailures: 0, milliseconds: 0, geometryMilliseconds: 0, geometryLps: 0,
};

/** Relative enlargement of the unsafe set for the sliver re-check. */
const SLIVER_DELTA = 1e-6;
/** Pieces whose witness fails the checks before the search gives up with `unknown`. */
const MAX_UNCONFIRMED_PIECES = 64;

// ---------------------------------------------------------------------------------------------
// counterexample checks

function inBox(spec: VnnlibSpec, x: ArrayLike<number>): number {
  for (let b = 0; b < spec.inputBoxes.length; b++) {
    const { lo, hi } = spec.inputBoxes[b];
    let ok = true;
    for (let i = 0; i < spec.inputSize && ok; i++) if (!(x[i] >= lo[i] && x[i] <= hi[i])) ok = false;
    if (ok) return b;
  }
  return -1;
}

/** min over rows of (t − T y)/|T_r| for one polytope (floats). */
function floatDepth(p: OutputPolytope, y: ArrayLike<number>): number {
  let m = Infinity;
  for (let r = 0; r < p.rows; r++) {
    let s = p.t[r], nn = 0;
    for (let j = 0; j < p.cols; j++) {
      const w = p.T[r * p.cols + j];
      s -= w * y[j];
      nn += w * w;
    }
    m = Math.min(m, s / (Math.sqrt(nn) || 1));
  }
  return m;
}

/** Exact (t − T y) per row, then min of the rounded, normalised values; `ok` when every exact slack is >= 0. */
function exactDepth(p: OutputPolytope, y: Rational[]): { ok: boolean; depth: number } {
  let ok = true, depth = Infinity;
  for (let r = 0; r < p.rows; r++) {
    let s = Rational.fromNumber(p.t[r]);
    let nn = 0;
    for (let j = 0; j < p.cols; j++) {
      const w = p.T[r * p.cols + j];
      if (w === 0) continue;
      s = s.sub(Rational.fromNumber(w).mul(y[j]));
      nn += w * w;
    }
    if (s.sign() < 0) ok = false;
    depth = Math.min(depth, s.toNumber() / (Math.sqrt(nn) || 1));
  }
  return { ok, depth };
}

/**
 * Re-evaluates a candidate counterexample: x must lie in an input box of `spec`, and the exact
 * output of `net` at x must satisfy every row of one output polytope. The float output is
 * reported beside it (the exact one decides).
 */
export function checkCounterexample(net: Network, spec: VnnlibSpec, x: ArrayLike<number>, exact?: ExactNetwork): CounterexampleCheck {
  const yFloat = Array.from(evaluate(net, x));
  const box = inBox(spec, x);
  const yEx = exactOutput(exact ?? net.layers, x);
  const y = yEx.map((v) => v.toNumber());
  let polytope = -1, margin = -Infinity, floatMargin = -Infinity;
  spec.output.forEach((p, k) => {
    const e = exactDepth(p, yEx);
    if (e.ok && polytope < 0) polytope = k;
    margin = Math.max(margin, e.depth);
    floatMargin = Math.max(floatMargin, floatDepth(p, yFloat));
  });
  // a polytope with no rows (the whole output space) has depth +Infinity
  const ok = box >= 0 && polytope >= 0;
  const reason = box < 0 ? 'the point lies outside every input box of the spec'
    : polytope < 0 ? `the exact output lies outside every unsafe polytope (largest depth ${margin})` : undefined;
  return { ok, box, polytope, y, yFloat, margin, floatMargin, reason };
}

// ---------------------------------------------------------------------------------------------
// VNN-COMP result text

/** Shortest decimal that reads back as the same double (full precision). */
function num(v: number): string {
  return Object.is(v, -0) ? '0' : String(v);
}

/**
 * The VNN-COMP result text: the answer on the first line; for `sat` the counterexample as an
 * S-expression `((X_0 v) (X_1 v) ... (Y_0 v) ...)`, one assignment per line.
 */
export function formatVnncompResult(report: Pick<VerifyReport, 'result' | 'counterexample'>): string {
  const cx = report.counterexample;
  if (report.result !== 'sat' || !cx) return `${report.result}\n`;
  const terms = [...cx.x.map((v, i) => `(X_${i} ${num(v)})`), ...cx.y.map((v, i) => `(Y_${i} ${num(v)})`)];
  return `sat\n(${terms.join('\n ')})\n`;
}

/** Reads a VNN-COMP result text back: the answer and, for `sat`, the X and Y values. */
export function parseVnncompResult(text: string): { result: string; x: number[]; y: number[] } {
  const lines = text.replace(/\r/g, '').split('\n');
  const result = (lines[0] ?? '').trim();
  const x: number[] = [], y: number[] = [];
  const re = /\(\s*([XY])_(\d+)\s+([^()\s]+)\s*\)/g;
  const body = lines.slice(1).join('\n');
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const v = Number(m[3]);
    if (!Number.isFinite(v)) throw new PreimageError('BAD_RESULT_FILE', `expected a number for ${m[1]}_${m[2]}, found ${JSON.stringify(m[3])}`);
    (m[1] === 'X' ? x : y)[Number(m[2])] = v;
  }
  return { result, x, y };
}

// ---------------------------------------------------------------------------------------------
// falsification: samples, then signed-gradient descent on the distance to the unsafe set

/**
 * Distance-like objective: min over polytopes of max over rows of (T_r y − t_r)/|T_r|, <= 0
 * inside the unsafe set; with the (polytope, row) attaining it.
 */
function objective(spec: VnnlibSpec, y: ArrayLike<number>): { v: number; p: number; r: number } {
  let best = Infinity, bp = -1, br = -1;
  spec.output.forEach((P, k) => {
    const o = P.rows === 0 ? { v: -Infinity, r: -1 } : polytopeLoss(P, y);
    if (o.v < best) {
      best = o.v;
      bp = k;
      br = o.r;
    }
  });
  return { v: best, p: bp, r: br };
}

/**
 * Falsification of `spec` (points checked against `checkSpec`, the whole spec: `spec` may leave out
 * polytopes the root bounds proved unreachable). Stages: samples, signed descent from the best
 * samples (dimension <= 16), then PGD restarts (falsify.ts) until the budget ends (in dimension
 * <= 16, a fixed number of restarts: there the first two stages find what there is to find in
 * milliseconds).
 */
function falsify(net: Network, spec: VnnlibSpec, checkSpec: VnnlibSpec, budgetMs: number, seed: number, exact: ExactNetwork, deadline: number): { cx?: Counterexample; stats: FalsificationStats } {
  const t0 = performance.now();
  const stop = Math.min(t0 + budgetMs, deadline);
  const stats: FalsificationStats = { samples: 0, gradientSteps: 0, restarts: 0, exactChecks: 0, milliseconds: 0, found: false };
  const layers = net.layers, n = net.inputSize;
  const rng = new Rng(seed);
  const boxes = spec.inputBoxes;
  if (boxes.length === 0 || spec.output.length === 0) return { stats };
  const tryPoint = (x: Float64Array): Counterexample | undefined => {
    stats.exactChecks++;
    const c = checkCounterexample(net, checkSpec, x, exact);
    if (!c.ok) return undefined;
    return { x: Array.from(x), y: c.y, box: c.box, polytope: c.polytope, margin: c.margin, floatMargin: c.floatMargin, method: 'falsification' };
  };
  // 1. samples: box centres, then uniform points; keep the best few as PGD starts
  const work = Math.max(1, layers.reduce((s, l) => s + l.inSize * l.outSize, 0));
  const maxSamples = Math.max(32, Math.min(512, Math.floor(2e7 / work)));
  const starts: { x: Float64Array; v: number; box: number }[] = [];
  const keep = 8;
  // box centres; when n <= 6 the corners and 4 points on each edge (counterexamples of ReLU
  // networks often sit on the box's boundary: ACAS Xu 1_9 prop_7's lie on edges); then points
  // alternately uniform and with each coordinate at its lower bound, upper bound or uniform
  const corners = n <= 6 ? 1 << n : 0;
  const edgePoints = n <= 6 ? 4 * n * (1 << (n - 1)) : 0;
  const special = 1 + corners + edgePoints;
  for (let s = 0; s < maxSamples + special * boxes.length && performance.now() < stop; s++) {
    const bi = s % boxes.length, b = boxes[bi];
    const x = new Float64Array(n);
    const k = Math.floor(s / boxes.length);
    for (let i = 0; i < n; i++) {
      if (k === 0) x[i] = (b.lo[i] + b.hi[i]) / 2;
      else if (k <= corners) x[i] = ((k - 1) >> i) & 1 ? b.hi[i] : b.lo[i];
      else if (k < special) {
        // edge e = (free coordinate f, corner bits of the others), point q of 4 along it
        const e = Math.floor((k - 1 - corners) / 4), q = (k - 1 - corners) % 4;
        const f = e % n, bits = Math.floor(e / n);
        const other = i < f ? i : i - 1;
        x[i] = i === f ? b.lo[i] + ((q + 0.5) / 4) * (b.hi[i] - b.lo[i]) : (bits >> other) & 1 ? b.hi[i] : b.lo[i];
      } else if (k % 2 === 0) x[i] = rng.uniform(b.lo[i], b.hi[i]);
      else {
        const u = rng.next();
        x[i] = u < 1 / 3 ? b.lo[i] : u < 2 / 3 ? b.hi[i] : rng.uniform(b.lo[i], b.hi[i]);
      }
    }
    stats.samples++;
    const o = objective(spec, forward(layers, x).y);
    if (o.v <= 0) {
      const cx = tryPoint(x);
      if (cx) return { cx, stats: { ...stats, found: true, milliseconds: performance.now() - t0 } };
    }
    starts.push({ x, v: o.v, box: bi });
    if (starts.length > 4 * keep) {
      starts.sort((a, c) => a.v - c.v);
      starts.length = keep;
    }
  }
  starts.sort((a, c) => a.v - c.v);
  starts.length = Math.min(starts.length, keep);
  // 2. signed-gradient descent from each start on the sum of the nearly violated rows of the
  //    closest polytope (a hinge), steps relative to the box widths, decaying (in dimension
  //    <= 16; above, the budget goes to the PGD restarts, which find more there)
  const steps = 40;
  for (const st of n <= 16 ? starts : []) {
    const b = boxes[st.box];
    const x = Float64Array.from(st.x);
    for (let k = 0; k < steps && performance.now() < stop; k++) {
      const f = forward(layers, x);
      const o = objective(spec, f.y);
      if (o.v <= 0) {
        const cx = tryPoint(x);
        if (cx) return { cx, stats: { ...stats, found: true, milliseconds: performance.now() - t0 } };
      }
      if (o.p < 0) break;
      const P = spec.output[o.p];
      const near = Math.max(0, o.v) + 1e-3;
      const g = rowsGradient(P, f.y, (_r, v) => v > -near);
      const grad = backward(layers, f, g);
      const alpha = 0.05 * Math.pow(0.92, k);
      stats.gradientSteps++;
      for (let i = 0; i < n; i++) {
        const w = b.hi[i] - b.lo[i];
        const d = grad[i] > 0 ? -1 : grad[i] < 0 ? 1 : 0;
        x[i] = Math.min(b.hi[i], Math.max(b.lo[i], x[i] + alpha * w * d));
      }
    }
    if (performance.now() >= stop) break;
  }
  // 3. PGD restarts on the exact piecewise-linear gradient, each polytope in turn
  let cx: Counterexample | undefined;
  const pgd = { restarts: 0, gradientSteps: 0 };
  pgdSearch(net, spec, { stopAt: stop, seed, maxRestarts: n <= 16 ? 2 * spec.output.length * boxes.length + 8 : undefined }, pgd, (x) => (cx = tryPoint(x)) !== undefined);
  stats.restarts += pgd.restarts;
  stats.gradientSteps += pgd.gradientSteps;
  stats.milliseconds = performance.now() - t0;
  if (cx) return { cx, stats: { ...stats, found: true } };
  return { stats };
}

// ---------------------------------------------------------------------------------------------
// root bounds: unsafe polytopes no point of the input boxes can reach

/** Counters of the root-bound step. */
export interface BoundCheckStats {
  /** Unsafe polytopes of the spec, and how many of them the bounds proved unreachable. */
  polytopes: number;
  proven: number;
  /** Rows bounded (optimised back-substitutions). */
  rows: number;
  milliseconds: number;
}

/**
 * Which unsafe polytopes might be reached: for every input box, CROWN bounds of every layer with
 * optimised slopes (src/preimage/bounds.ts), then for each polytope its rows' lower bounds over the box with
 * optimised ReLU slopes (alpha-CROWN); a polytope is unreachable from the box when one row's
 * lower bound exceeds its right-hand side by more than a relative 1e-7 (far above the rounding of
 * the bound's arithmetic). Sound: every bound holds for every point of the box, so an
 * unreachable polytope holds no output of any input point. Returns the indices of the polytopes
 * not proven unreachable from every box (all of them when the output layer has a ReLU, or when
 * `stopAt` passes).
 */
export function rootBoundCheck(net: Network, spec: VnnlibSpec, stopAt = Infinity): { open: number[]; stats: BoundCheckStats; bounds: UnitBounds[] } {
  const t0 = performance.now();
  const layers = net.layers, K = layers.length - 1;
  const stats: BoundCheckStats = { polytopes: spec.output.length, proven: 0, rows: 0, milliseconds: 0 };
  const all = spec.output.map((_, k) => k);
  const boxBounds: UnitBounds[] = [];
  const done = (open: number[]) => {
    stats.proven = spec.output.length - open.length;
    stats.milliseconds = performance.now() - t0;
    return { open, stats, bounds: boxBounds };
  };
  if (layers[K].activation === 'relu' || spec.inputBoxes.length === 0) return done(all);
  const reachable = new Uint8Array(spec.output.length);
  for (const box of spec.inputBoxes) {
    const lo = Float64Array.from(box.lo), hi = Float64Array.from(box.hi);
    if (!lo.every(Number.isFinite) || !hi.every(Number.isFinite)) return done(all);
    const b = crownBounds(layers, lo, hi, 6);
    boxBounds.push(b);
    for (let p = 0; p < spec.output.length; p++) {
      if (reachable[p]) continue;
      const P = spec.output[p];
      let proven = false;
      for (let r = 0; r < P.rows && !proven; r++) {
        if (performance.now() > stopAt) return done(all);
        const need = P.t[r] + 1e-7 * (1 + Math.abs(P.t[r]));
        const lb = optimizedRowLowerBound(layers, K, Float64Array.from(P.T.subarray(r * P.cols, (r + 1) * P.cols)), lo, hi, b, 40, need + 1e-3 * (1 + Math.abs(need)));
        stats.rows++;
        if (lb > need + 1e-7 * Math.abs(lb)) proven = true;
      }
      if (!proven) reachable[p] = 1;
    }
  }
  return done(all.filter((p) => reachable[p]));
}

/**
 * The network with the hidden units of each layer reordered for the search (the same function:
 * rows of a layer and the matching columns of the next one permuted). The search decides units
 * in index order, so the order is its branching order: crossing units (by `bounds`, over the
 * first box) first, by decreasing impact on the open rows' bounds, |μ_j| u_j (−l_j)/(u_j − l_j)
 * summed over the rows (μ_j: the row's back-substituted coefficient of the unit; the product
 * is the largest gap of the unit's triangle relaxation), then the stable units in their order.
 * For verification only: pieces of the reordered network carry patterns in the new order, but
 * their witnesses are input points, checked on the original network.
 */
export function orderUnitsForSearch(net: Network, spec: VnnlibSpec, bounds: UnitBounds): Network {
  const layers = net.layers, K = layers.length - 1;
  if (K === 0 || layers[K].activation === 'relu' || spec.inputBoxes.length === 0) return net;
  const lo = Float64Array.from(spec.inputBoxes[0].lo), hi = Float64Array.from(spec.inputBoxes[0].hi);
  const score = layers.map((l) => new Float64Array(l.outSize));
  for (const P of spec.output) {
    for (let r = 0; r < P.rows; r++) {
      const rb = rowLowerBound(layers, K, Float64Array.from(P.T.subarray(r * P.cols, (r + 1) * P.cols)), lo, hi, bounds);
      for (let q = 0; q < K; q++) {
        const mu = rb.mu[q], l = bounds.lo[q], u = bounds.hi[q];
        for (let j = 0; j < mu.length; j++) if (l[j] < 0 && u[j] > 0) score[q][j] += Math.abs(mu[j]) * (u[j] * -l[j]) / (u[j] - l[j]);
      }
    }
  }
  const perm = layers.map((l, q) => {
    const idx = Array.from({ length: l.outSize }, (_, j) => j);
    if (q === K || l.activation !== 'relu') return idx;
    const crossing = (j: number) => bounds.lo[q][j] < 0 && bounds.hi[q][j] > 0;
    return idx.sort((a, b) => (crossing(b) ? 1 : 0) - (crossing(a) ? 1 : 0) || score[q][b] - score[q][a] || a - b);
  });
  const out: Layer[] = layers.map((L, q) => {
    const rows = perm[q], cols = q === 0 ? null : perm[q - 1];
    const W = new Float64Array(L.outSize * L.inSize), bias = new Float64Array(L.outSize);
    for (let i = 0; i < L.outSize; i++) {
      const src = rows[i];
      bias[i] = L.bias[src];
      for (let j = 0; j < L.inSize; j++) W[i * L.inSize + j] = L.weights[src * L.inSize + (cols ? cols[j] : j)];
    }
    return { ...L, weights: W, bias };
  });
  return { ...net, layers: out };
}

// ---------------------------------------------------------------------------------------------
// the search

/** The spec with every output row relaxed by δ (|T_r| + |t_r|): a superset of the unsafe set. */
export function enlargeOutput(spec: VnnlibSpec, delta: number): VnnlibSpec {
  return {
    ...spec,
    output: spec.output.map((p) => {
      const t = Float64Array.from(p.t);
      for (let r = 0; r < p.rows; r++) {
        let s = 0;
        for (let j = 0; j < p.cols; j++) s += Math.abs(p.T[r * p.cols + j]);
        t[r] += delta * (s + Math.abs(p.t[r]));
      }
      return { ...p, t };
    }),
  };
}

/** Candidate points of a piece, best first: its witness, then the witness clamped into the boxes. */
export function pieceCandidates(spec: VnnlibSpec, piece: PieceJson): Float64Array[] {
  const w = Float64Array.from(piece.witness);
  const out = [w];
  for (const b of spec.inputBoxes) {
    const c = w.map((v, i) => Math.min(b.hi[i], Math.max(b.lo[i], v)));
    if (c.some((v, i) => v !== w[i])) out.push(c);
  }
  return out;
}

interface SearchOutcome {
  summary: SearchSummary;
  pieces: PieceJson[];
  cx?: Counterexample;
  unconfirmed: number;
  firstFailure?: string;
}

function runOnce(net: Network, searchNet: Network, spec: VnnlibSpec, opts: PreimageOptions, keepAll: boolean, exact: ExactNetwork, checkSpec: VnnlibSpec): SearchOutcome {
  const problem = preparePreimage(searchNet, { kind: 'vnnlib', spec }, opts);
  const it = preimagePieces(problem, opts);
  const pieces: PieceJson[] = [];
  let cx: Counterexample | undefined;
  let unconfirmed = 0;
  let firstFailure: string | undefined;
  for (;;) {
    const r = it.next();
    if (r.done) return { summary: r.value, pieces, cx, unconfirmed, firstFailure };
    const piece = r.value;
    if (keepAll) pieces.push(piece);
    if (cx) continue;
    for (const x of pieceCandidates(checkSpec, piece)) {
      const c = checkCounterexample(net, checkSpec, x, exact);
      if (c.ok) {
        cx = { x: Array.from(x), y: c.y, box: c.box, polytope: c.polytope, margin: c.margin, floatMargin: c.floatMargin, method: 'search' };
        break;
      }
      firstFailure ??= `piece ${piece.id}: ${c.reason}`;
    }
    if (!cx) unconfirmed++;
  }
}

/**
 * The search for `spec` (the engine's target), checking pieces against `checkSpec`. Without
 * `keepAll` it stops at the first piece (engine budget maxPieces 1, so the counters are the
 * engine's own); in the rare case that piece's witness fails the exact re-check, it searches
 * again for up to MAX_UNCONFIRMED_PIECES pieces and takes the first one that passes.
 */
function runSearch(net: Network, searchNet: Network, spec: VnnlibSpec, opts: PreimageOptions, keepAll: boolean, exact: ExactNetwork, checkSpec: VnnlibSpec): SearchOutcome {
  if (keepAll) return runOnce(net, searchNet, spec, opts, true, exact, checkSpec);
  const t0 = performance.now();
  const first = runOnce(net, searchNet, spec, { ...opts, maxPieces: 1 }, false, exact, checkSpec);
  if (first.cx || first.unconfirmed === 0 || first.summary.status !== 'incomplete_budget') return first;
  const left = opts.timeLimitMs !== undefined ? opts.timeLimitMs - (performance.now() - t0) : undefined;
  if (left !== undefined && left <= 0) return { ...first, summary: { ...first.summary, status: 'incomplete_time' } };
  return runOnce(net, searchNet, spec, { ...opts, maxPieces: MAX_UNCONFIRMED_PIECES, timeLimitMs: left }, false, exact, checkSpec);
}

/**
 * Answers the property `spec` for `net` (see the module doc). Never throws for bad input: a
 * failure is the answer `error` with its code and message.
 */
export function verifyProperty(net: Network, spec: VnnlibSpec, opts: VerifyOptions = {}): VerifyReport {
  const steps = answer(net, spec, opts);
  let r = steps.next();
  while (!r.done) {
    const q = r.value;
    let out: SearchOutcome;
    try {
      out = runSearch(net, q.searchNet, q.spec, q.opts, q.keepAll, q.exact, q.checkSpec);
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next(out);
  }
  return answerFirst(r.value);
}

/**
 * verifyProperty with the search on threads (src/preimage/parallel.ts). The search stops at the
 * first piece, in task-key order, whose witness passes the exact re-check; tasks after a task
 * that found a piece wait (or are cancelled) until the pieces before it are known, so the
 * answer and the counterexample are the same for any number of threads (`threads`).
 */
export async function verifyPropertyParallel(net: Network, spec: VnnlibSpec, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const threads = threadCount(opts.threads);
  const steps = answer(net, spec, opts);
  let r = steps.next();
  while (!r.done) {
    const q = r.value;
    let out: SearchOutcome;
    try {
      out = await runSearchParallel(net, q, threads);
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next(out);
  }
  return answerFirst(r.value);
}

/** The answer first, for people reading the JSON. */
function answerFirst(report: VerifyReport): VerifyReport {
  const { result, reason, code, counterexample, ...rest } = report;
  return { result, ...(reason !== undefined ? { reason } : {}), ...(code !== undefined ? { code } : {}), ...(counterexample ? { counterexample } : {}), ...rest };
}

/** A search the answer needs: the engine on `spec`, its pieces checked against `checkSpec`. */
interface SearchRequest {
  /** The network the search runs on (the same function as the answer's, units perhaps reordered). */
  searchNet: Network;
  spec: VnnlibSpec;
  opts: PreimageOptions;
  keepAll: boolean;
  exact: ExactNetwork;
  checkSpec: VnnlibSpec;
}

/**
 * The pool's version of runSearch: one run; tasks stop at their first piece (the rest goes on as
 * child tasks) and hold later keys, so pieces arrive in key order and the run stops at the first
 * one that checks out (or after MAX_UNCONFIRMED_PIECES that do not).
 */
async function runSearchParallel(net: Network, q: SearchRequest, threads: number): Promise<SearchOutcome> {
  const t0 = performance.now();
  const problem = preparePreimage(q.searchNet, { kind: 'vnnlib', spec: q.spec }, q.opts);
  const pieces: PieceJson[] = [];
  let cx: Counterexample | undefined;
  let unconfirmed = 0;
  let firstFailure: string | undefined;
  const s = await runTasks(problem, rootTasks(problem, q.opts.strategy), {
    threads,
    deadline: q.opts.timeLimitMs !== undefined ? Date.now() + q.opts.timeLimitMs : undefined,
    signal: q.opts.signal,
    taskMaxPieces: q.keepAll ? undefined : 1,
    hold: !q.keepAll,
    onProgress: q.opts.onProgress,
    onPiece: (piece) => {
      if (q.keepAll) pieces.push(piece);
      if (cx) return false;
      for (const x of pieceCandidates(q.checkSpec, piece)) {
        const c = checkCounterexample(net, q.checkSpec, x, q.exact);
        if (c.ok) {
          cx = { x: Array.from(x), y: c.y, box: c.box, polytope: c.polytope, margin: c.margin, floatMargin: c.floatMargin, method: 'search' };
          break;
        }
        firstFailure ??= `piece ${piece.id}: ${c.reason}`;
      }
      if (!cx) unconfirmed++;
      return !q.keepAll && (cx !== undefined || unconfirmed >= MAX_UNCONFIRMED_PIECES);
    },
  });
  const summary = summarizeSearch(s.stats, s.stop, performance.now() - t0, s.geometry, s.volume);
  return { summary, pieces, cx, unconfirmed, firstFailure };
}

function* answer(net: Network, spec: VnnlibSpec, opts: VerifyOptions): Generator<SearchRequest, VerifyReport, SearchOutcome> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : Infinity;
  const warnings: string[] = [];
  const ms = () => performance.now() - t0;
  try {
    if (spec.inputSize !== net.inputSize || spec.outputSize !== net.outputSize) {
      throw new PreimageError('VNNLIB_DIMENSION', `expected a spec over ${net.inputSize} inputs and ${net.outputSize} outputs, found ${spec.inputSize} and ${spec.outputSize}`);
    }
    const exact = prepareExact(net.layers);
    // an empty input set or an empty unsafe set: nothing can be a counterexample
    if (spec.inputBoxes.length === 0 || spec.output.length === 0) {
      return { result: 'unsat', stats: { ...ZERO_STATS }, warnings: ['the spec has an empty input set or an empty unsafe set'], milliseconds: ms() };
    }
    // falsification in two rounds around the root bounds: a quarter of the budget on the whole
    // spec (most violated properties fall in milliseconds, before the bounds' cost), the rest
    // on the polytopes the bounds leave open
    const doFalsify = !opts.all && opts.falsify !== false;
    const budget = opts.falsifyMs ?? Math.min(spec.inputSize > 16 ? 2000 : 1000, opts.timeLimitMs !== undefined ? 0.05 * opts.timeLimitMs : 1000);
    const useBounds = !opts.all && (opts.bounds ?? spec.inputSize > 16);
    let falsification: FalsificationStats | undefined;
    const falsifyRound = (target: VnnlibSpec, budgetMs: number, seed: number): Counterexample | undefined => {
      const f = falsify(net, target, spec, budgetMs, seed, exact, deadline);
      if (!falsification) falsification = f.stats;
      else {
        const a = falsification;
        falsification = { samples: a.samples + f.stats.samples, gradientSteps: a.gradientSteps + f.stats.gradientSteps, restarts: a.restarts + f.stats.restarts, exactChecks: a.exactChecks + f.stats.exactChecks, milliseconds: a.milliseconds + f.stats.milliseconds, found: f.stats.found };
      }
      return f.cx;
    };
    if (doFalsify) {
      const cx = falsifyRound(spec, useBounds ? budget / 4 : budget, opts.seed ?? 1);
      if (cx) return { result: 'sat', counterexample: cx, stats: { ...ZERO_STATS }, falsification, warnings, milliseconds: ms() };
    }
    // root bounds: polytopes no input can reach leave the question (all of them: unsat)
    let bounds: BoundCheckStats | undefined;
    let open = spec;
    let searchNet = net;
    if (useBounds) {
      const bc = rootBoundCheck(net, spec, deadline);
      bounds = bc.stats;
      if (bc.open.length === 0) {
        return { result: 'unsat', stats: { ...ZERO_STATS }, bounds, falsification, warnings: ['every unsafe polytope is out of reach of the root bounds (no search needed)'], milliseconds: ms() };
      }
      if (bc.open.length < spec.output.length) open = { ...spec, output: bc.open.map((k) => spec.output[k]) };
      // branch first on the units that weigh most on the open rows (the search's order is index order)
      if (bc.bounds.length > 0 && spec.inputSize > 16 && opts.orderUnits !== false) searchNet = orderUnitsForSearch(net, open, bc.bounds[0]);
      if (doFalsify) {
        const cx = falsifyRound(open, (3 * budget) / 4, (opts.seed ?? 1) + 1);
        if (cx) return { result: 'sat', counterexample: cx, stats: { ...ZERO_STATS }, bounds, falsification, warnings, milliseconds: ms() };
      }
    }
    const left = deadline - performance.now();
    if (left <= 0) return { result: 'timeout', reason: 'the time limit ran out during falsification or the root bounds', stats: { ...ZERO_STATS }, bounds, falsification, warnings, milliseconds: ms() };
    if (opts.cpuTimeLimitMs !== undefined) {
      const u = process.cpuUsage(cpu0);
      if ((u.user + u.system) / 1000 > opts.cpuTimeLimitMs) return { result: 'timeout', reason: 'the CPU-time limit ran out during falsification or the root bounds', stats: { ...ZERO_STATS }, bounds, falsification, warnings, milliseconds: ms() };
    }
    // the CPU-time limit: checked from the progress callback, it stops the search by its signal
    let signal = opts.signal, onProgress = opts.onProgress;
    const cpuOut = { hit: false };
    if (opts.cpuTimeLimitMs !== undefined) {
      const ac = new AbortController();
      const outer = opts.signal;
      if (outer?.aborted) ac.abort();
      outer?.addEventListener('abort', () => ac.abort(), { once: true });
      const limit = opts.cpuTimeLimitMs;
      onProgress = (st, elapsed) => {
        opts.onProgress?.(st, elapsed);
        const u = process.cpuUsage(cpu0);
        if ((u.user + u.system) / 1000 > limit) {
          cpuOut.hit = true;
          ac.abort();
        }
      };
      signal = ac.signal;
    }
    const engineOpts: PreimageOptions = {
      volumes: opts.all ? opts.volumes ?? false : false,
      // the first answer needs only witnesses: no redundancy-removal LPs (in 784-D they cost minutes)
      geometry: !!opts.all,
      // slivers of the vertex search are accounted for by slack (no point missed), so they do not
      // block an unsat; the whole counterexample set (--all) keeps the exact margin rule
      sliverSlack: !opts.all,
      certificates: true,
      timeLimitMs: Number.isFinite(left) ? left : undefined,
      signal,
      strategy: opts.strategy,
      onProgress,
    };
    const run: SearchOutcome = yield { searchNet, spec: open, opts: engineOpts, keepAll: !!opts.all, exact, checkSpec: spec };
    const { summary } = run;
    warnings.push(...summary.warnings.filter((w) => !w.startsWith('the search stopped early')));
    const base = { stats: summary.stats, status: summary.status, bounds, falsification, warnings };
    const preimage = () => (opts.all ? assembleResult(net, preparePreimage(net, { kind: 'vnnlib', spec }, engineOpts), run.pieces, summary, 'forward') : undefined);
    if (run.cx) return { ...base, result: 'sat', counterexample: run.cx, milliseconds: ms(), preimage: preimage() };
    if (run.unconfirmed > 0) {
      return { ...base, result: 'unknown', reason: `${run.unconfirmed} piece(s) found, but no witness passed the exact re-check (${run.firstFailure})`, milliseconds: ms(), preimage: preimage() };
    }
    if (summary.status === 'incomplete_time') return { ...base, result: 'timeout', reason: 'the time limit ran out during the search', milliseconds: ms(), preimage: preimage() };
    if (summary.status === 'cancelled' && cpuOut.hit) return { ...base, result: 'timeout', reason: 'the CPU-time limit ran out during the search', milliseconds: ms(), preimage: preimage() };
    if (summary.status !== 'complete') return { ...base, result: 'unknown', reason: `the search ended early (${summary.status})`, milliseconds: ms(), preimage: preimage() };
    if (summary.stats.slivers === 0) return { ...base, result: 'unsat', milliseconds: ms(), preimage: preimage() };
    // slivers: a side of a hyperplane thinner than the margin was merged or cut off. Repeat
    // the question with the unsafe set enlarged by δ: a sliver-free empty answer there settles it.
    const left2 = deadline - performance.now();
    if (opts.confirmSlivers === false || left2 <= 0) {
      return { ...base, result: left2 <= 0 ? 'timeout' : 'unknown', reason: `the search found no counterexample, but ${summary.stats.slivers} sliver(s) thinner than the margin were not searched separately`, milliseconds: ms(), preimage: preimage() };
    }
    const t1 = performance.now();
    const big = enlargeOutput(open, SLIVER_DELTA);
    const run2: SearchOutcome = yield { searchNet, spec: big, opts: { ...engineOpts, volumes: false, timeLimitMs: Number.isFinite(left2) ? left2 : undefined }, keepAll: false, exact, checkSpec: spec };
    const s2 = run2.summary;
    const sliverCheck = { delta: SLIVER_DELTA, status: s2.status, pieces: s2.stats.pieces, slivers: s2.stats.slivers, milliseconds: performance.now() - t1 };
    const base2 = { ...base, sliverCheck };
    if (run2.cx) return { ...base2, result: 'sat', counterexample: run2.cx, milliseconds: ms(), preimage: preimage() };
    if (s2.status === 'complete' && s2.stats.pieces === 0 && s2.stats.slivers === 0) {
      warnings.push(`${summary.stats.slivers} sliver(s) in the search; confirmed by a sliver-free empty search with the unsafe set enlarged by ${SLIVER_DELTA} (relative)`);
      return { ...base2, result: 'unsat', milliseconds: ms(), preimage: preimage() };
    }
    const why = s2.status === 'incomplete_time' || cpuOut.hit ? 'the time ran out' : s2.stats.pieces > 0 ? `${s2.stats.pieces} piece(s) within δ of the unsafe set, none a counterexample` : s2.status !== 'complete' ? `it ended early (${s2.status})` : `${s2.stats.slivers} sliver(s) again`;
    return {
      ...base2,
      result: s2.status === 'incomplete_time' || cpuOut.hit ? 'timeout' : 'unknown',
      reason: `no counterexample found, but ${summary.stats.slivers} sliver(s) were not searched separately and the check with the unsafe set enlarged by ${SLIVER_DELTA} did not settle it (${why})`,
      milliseconds: ms(),
      preimage: preimage(),
    };
  } catch (e) {
    const code = e instanceof PreimageError ? e.code : 'INTERNAL';
    const msg = e instanceof Error ? e.message : String(e);
    return { result: 'error', code, reason: msg.split('\n')[0], stats: { ...ZERO_STATS }, warnings, milliseconds: ms() };
  }
}
