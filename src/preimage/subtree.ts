/**
 * Subtree tasks: the search tree cut into deterministic, splittable pieces of work, for the
 * thread pool (parallel.ts) and the distributed queue (src/queue/).
 *
 * A task is a stack of self-contained search frames (processed last to first, like the search's
 * own stack) plus a key giving its place in the depth-first order. `runSubtree` searches below the
 * frames and returns the finished pieces (geometry and certificates included) and, when it ends
 * early, the remaining stack as children: key++[1] holds the top of the stack (earlier in
 * depth-first order), key++[2] its bottom frame (the shallowest subtree: about half the remaining
 * work, see runSubtree). A task ends early when
 *   - its work (tree nodes + LPs counted in the task) reaches its split budget,
 *     min(splitBudget, 8 · 2^key.length), and two frames or more remain (`stop` null): the
 *     budget depends on counters and the key only, never on time, so the decomposition, and with
 *     it every LP warm start, witness and counter, is the same for any number of threads or
 *     workers;
 *   - it found `maxPieces` pieces or spent `maxNodes` nodes (`stop` 'budget'), the deadline
 *     passed ('time') or it was cancelled ('cancelled'): the remaining work is still in
 *     `children`, so it can be resumed.
 * Ordering: pieces of task K come before those of K++[1], which come before those of K++[2];
 * keys compare lexicographically, a prefix first (compareKeys). Concatenating the pieces of all
 * tasks in key order gives the search's depth-first order; for the vertex search (no LP state)
 * the pieces and counters equal the sequential search's exactly. The counters of a root task
 * (key [d]) include the root node, so the sum over all tasks equals the sequential totals.
 *
 * encodeTask/decodeTask and encodeResult/decodeResult convert to and from plain JSON (numbers,
 * strings, arrays, objects; non-finite numbers and -0 as the strings "Infinity", "-Infinity",
 * "NaN", "-0"), bit-exact, for queues and files; decoding validates shapes and, given the
 * problem, sizes, and throws PreimageError('BAD_TASK') with what was expected and where.
 */
import { PreimageError } from '../errors.js';
import type { CertificateContext } from '../analysis/certificate.js';
import type { VPoly } from '../polyhedra/vpoly.js';
import type { BoxScaling } from './box-scaling.js';
import type { DomainSet } from './domain.js';
import { excludeEarlier, finishPiece, searchPlan, type PreimageOptions, type PreparedProblem } from './engine.js';
import type { PieceJson } from './result.js';
import { RowStack, type Row } from './rows.js';
import { emptyStats, lpBaseRows, lpRootFrame, lpSearchFrom, type Frame, type RawPiece, type SearchControl, type SearchEnd, type SearchStats, type StopReason } from './search.js';
import { rootVertexFrame, vertexNodesCostBounds, vertexSearchApplies, vertexSearchFrom, type VFrame } from './vertex-search.js';

/** Position of a task's output in the depth-first order: pieces of task K come before those of its children K++[1], K++[2]. Compare lexicographically, a prefix first. */
export type TaskKey = number[];

/**
 * A self-contained frame of the LP search: `rows` are all the rows of the node beyond the
 * domain's own (the path from the root: split sides, sliver cuts, forced-pattern rows).
 */
export interface LpTaskFrame {
  layer: number;
  unit: number;
  rows: Row[];
  patterns: Uint8Array[];
  M: Float64Array;
  c: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  witness: Float64Array | null;
}

interface TaskBase {
  key: TaskKey;
  /** Index of the problem's domain (the search runs in its box-scaled coordinates). */
  domain: number;
}
export interface VertexTask extends TaskBase { kind: 'vertex'; frames: VFrame[] }
export interface LpTask extends TaskBase { kind: 'lp'; frames: LpTaskFrame[] }
/** A subtree of the search: a STACK of self-contained frames, processed last to first. */
export type SubtreeTask = VertexTask | LpTask;

/** What ends a task early (see the module doc). */
export interface SubtreeControl {
  /** Wall-clock deadline, a Date.now() value (epoch ms: comparable across threads and machines). */
  deadline?: number;
  signal?: AbortSignal;
  /** Polled once per node: true cancels (threads poll a shared flag here). */
  cancelled?: () => boolean;
  /** Cap B of the split budget min(B, 8 · 2^key.length); default defaultSplitCap (DEFAULT_SPLIT_BUDGET); Infinity never splits. */
  splitBudget?: number;
  /** Stop (status 'budget') after this many pieces in this task. */
  maxPieces?: number;
  /** Stop (status 'budget') after this many tree nodes in this task. */
  maxNodes?: number;
  /** Receives each finished piece as it is made, instead of the result's `pieces` (which stays empty). */
  onPiece?: (piece: PieceJson) => void;
}

export interface SubtreeResult {
  key: TaskKey;
  /** Finished pieces in depth-first order; `id` is the index within the task (renumber when concatenating). Empty with `control.onPiece`. */
  pieces: PieceJson[];
  /** Counters of this task only. */
  stats: SearchStats;
  /** null: the subtree was searched, or split (the rest is in children); else why it ended early. */
  stop: StopReason;
  geometryMs: number;
  geometryLps: number;
  /** Remaining work, keys key++[1] (top of the stack: earlier) and key++[2]; empty when none is left. */
  children: SubtreeTask[];
}

/**
 * Default split budget caps (nodes + LPs per task). A node costs from about 0.1 ms (vertex search,
 * class partition: no pruning) to 3 ms (vertex search with symbolic-bound pruning, ACAS Xu prop_3)
 * and an LP 0.05-1 ms, so tasks take roughly 10 ms to 100 ms: small enough that two threads stay
 * busy on runs of a second, large enough that the cost of a task stays small. On a worker thread a
 * task costs about 2 ms besides its search (measured with the thread's own CPU clock: posting
 * the result with its children's frames about 1 ms, receiving the next task about 1 ms; run one
 * after the other in one thread, tasks cost about 0.25 ms each). `vertex`: with 300, the ACAS Xu
 * prop_1 partition (80,000 nodes, 0.09 ms each with volumes) made 425 tasks and its workers
 * needed 12-25 % more CPU than one thread; with 1,000 (169 tasks), 8-16 %, and the 2-thread run was
 * 1.45-1.59x faster instead of 1.25-1.32x (alternating runs, 27 November 2026). `pruningVertex`:
 * vertex searches whose every node evaluates symbolic bounds (vertexNodesCostBounds): with 300,
 * ACAS Xu 1_2 prop_3 (981 nodes, 1.3 s) made 15 tasks of up to 200 ms and even a perfect 2-thread
 * schedule of them was only 1.55-1.74x faster than one thread (replayed task times); with 32, 45
 * tasks and 1.75-1.84x. `lp`: 300 and 1,000 measured alike on the LP bench cases.
 */
export const DEFAULT_SPLIT_BUDGET = { vertex: 1000, lp: 300, pruningVertex: 32 } as const;

/** The default cap of a problem's tasks (DEFAULT_SPLIT_BUDGET by the kind of search and its node cost). */
export function defaultSplitCap(problem: PreparedProblem, task: Pick<SubtreeTask, 'kind' | 'domain'>): number {
  if (task.kind === 'lp') return DEFAULT_SPLIT_BUDGET.lp;
  return vertexNodesCostBounds(layersOf(problem, planOf(problem, task.domain)), problem.targetSet) ? DEFAULT_SPLIT_BUDGET.pruningVertex : DEFAULT_SPLIT_BUDGET.vertex;
}

/**
 * The split budget of a task: min(cap, 8 · 2^key length), so the tree fans out quickly at first.
 * With 16 · 2^length, ACAS Xu 1_2 prop_3 (981 nodes, 950 ms) ended with one 244 ms task running
 * alone (11 tasks; replaying their CPU times, the best 2-thread schedule was 1.6x faster than one
 * thread); with 8 · 2^length 15 tasks and 1.7-1.8x, and a handful more tasks on long runs.
 */
export function splitBudgetOf(task: Pick<SubtreeTask, 'key' | 'kind'>, cap: number = DEFAULT_SPLIT_BUDGET[task.kind]): number {
  return Math.min(cap, 8 * 2 ** Math.min(task.key.length, 60));
}

/** Lexicographic order of keys, a prefix before its extensions. */
export function compareKeys(a: TaskKey, b: TaskKey): number {
  const m = Math.min(a.length, b.length);
  for (let i = 0; i < m; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// plans: how a domain is searched (cached per problem object)

interface DomainPlan {
  scaling: BoxScaling | null;
  searchDomain: DomainSet;
  useVertex: boolean;
  baseRows: Row[] | null;
}

const planCache = new WeakMap<PreparedProblem, Map<number, DomainPlan>>();

function planOf(problem: PreparedProblem, d: number): DomainPlan {
  let m = planCache.get(problem);
  if (!m) planCache.set(problem, (m = new Map()));
  let p = m.get(d);
  if (!p) {
    const { scaling, searchDomain, useVertex } = searchPlan(problem, excludeEarlier(problem.domains, d), 'auto');
    p = { scaling, searchDomain, useVertex, baseRows: null };
    m.set(d, p);
  }
  return p;
}

function layersOf(problem: PreparedProblem, plan: DomainPlan) {
  return plan.scaling?.layers ?? problem.layers;
}

/**
 * One task per domain, key [d], holding the root of that domain's search. `strategy` as in
 * PreimageOptions (auto: the vertex search where it applies).
 */
export function rootTasks(problem: PreparedProblem, strategy: PreimageOptions['strategy'] = 'auto'): SubtreeTask[] {
  return problem.domains.map((_, d): SubtreeTask => {
    const { searchDomain, useVertex } = searchPlan(problem, excludeEarlier(problem.domains, d), strategy);
    const layers = layersOf(problem, planOf(problem, d));
    if (useVertex) return { key: [d], domain: d, kind: 'vertex', frames: [rootVertexFrame(layers, searchDomain)] };
    return { key: [d], domain: d, kind: 'lp', frames: [{ ...lpRootFrame(layers, searchDomain), rows: [] }] };
  });
}

// ---------------------------------------------------------------------------------------------
// running a task

/** A frame's copy that the search may change (it writes the current layer's pattern in place). */
function ownVFrame(f: VFrame): VFrame {
  const own: VFrame = { layer: f.layer, unit: f.unit, poly: f.poly, patterns: f.patterns.map((p) => p.slice()), M: f.M, c: f.c };
  if (f.slack) own.slack = f.slack;
  return own;
}

/** Searches below the task's frames (see the module doc). Never throws for a valid task. */
export function runSubtree(problem: PreparedProblem, task: SubtreeTask, control: SubtreeControl = {}): SubtreeResult {
  const plan = planOf(problem, task.domain);
  const layers = layersOf(problem, plan);
  const n = plan.searchDomain.n;
  const stats = emptyStats();
  if (task.key.length === 1) stats.nodes++; // the root node, as the sequential search counts it
  const sc: SearchControl = {
    signal: control.signal,
    cancelled: control.cancelled,
    deadline: control.deadline !== undefined ? performance.now() + (control.deadline - Date.now()) : undefined,
    maxPieces: control.maxPieces,
    maxNodes: control.maxNodes,
    sliverSlack: problem.sliverSlack,
  };
  const budget = splitBudgetOf(task, control.splitBudget ?? defaultSplitCap(problem, task));
  if (Number.isFinite(budget)) sc.splitAfter = budget;
  let it: Generator<RawPiece, SearchEnd>;
  let rest: () => SubtreeTask['frames'];
  if (task.kind === 'vertex') {
    const frames = task.frames.map(ownVFrame);
    it = vertexSearchFrom(frames, layers, n, problem.targetSet, stats, sc);
    rest = () => frames;
  } else {
    plan.baseRows ??= lpBaseRows(plan.searchDomain);
    const stack = new RowStack(n, plan.baseRows, { lower: plan.searchDomain.lo, upper: plan.searchDomain.hi });
    const base = stack.size;
    const frames: Frame[] = task.frames.map((f) => ({
      layer: f.layer, unit: f.unit, rowCount: base, pending: f.rows.slice(), patterns: f.patterns.map((p) => p.slice()),
      M: f.M, c: f.c, lo: f.lo.slice(), hi: f.hi.slice(), witness: f.witness,
    }));
    it = lpSearchFrom(frames, stack, layers, problem.targetSet, stats, sc);
    // a frame's rows: the stack's rows below its count (its ancestors', still in place) plus its pending rows
    rest = () => frames.map((f) => ({
      layer: f.layer, unit: f.unit, rows: stack.rows.slice(base, f.rowCount).concat(f.pending), patterns: f.patterns,
      M: f.M, c: f.c, lo: f.lo, hi: f.hi, witness: f.witness,
    }));
  }
  const ctx: CertificateContext = { layers: problem.layers, target: problem.targetSet };
  const geometry = { lps: 0, ms: 0 };
  const pieces: PieceJson[] = [];
  let made = 0;
  let end: SearchEnd;
  for (;;) {
    const r = it.next();
    if (r.done) {
      end = r.value;
      break;
    }
    const g0 = performance.now();
    const piece = finishPiece(r.value, made++, problem, problem.domains[task.domain], geometry, ctx, plan.scaling);
    if (control.onPiece) control.onPiece(piece);
    else pieces.push(piece);
    geometry.ms += performance.now() - g0;
  }
  const left = rest();
  const children: SubtreeTask[] = [];
  const child = (i: number, frames: SubtreeTask['frames']) => children.push({ key: task.key.concat([i]), domain: task.domain, kind: task.kind, frames } as SubtreeTask);
  if (left.length >= 2) {
    // the bottom frame is the shallowest subtree, the sibling of the first node on the task's
    // path: about half the remaining work (the frames above it hold geometrically smaller ones).
    // Halving the stack by count instead left the bottom child with nearly all of it, and the
    // run degenerated into a chain of tasks with one thread idle (measured on ACAS Xu).
    child(1, left.slice(1));
    child(2, left.slice(0, 1));
  } else if (left.length === 1) child(1, left);
  const stop: StopReason = end === 'split' || left.length === 0 ? null : end;
  return { key: task.key, pieces, stats, stop, geometryMs: geometry.ms, geometryLps: geometry.lps, children };
}

// ---------------------------------------------------------------------------------------------
// JSON encoding

/** Format tags of encoded tasks and results. */
export const TASK_FORMAT = 'relu-preimage/task@1';
export const TASK_RESULT_FORMAT = 'relu-preimage/task-result@1';

type Num = number | string;

function encNum(v: number): Num {
  if (Object.is(v, -0)) return '-0';
  return Number.isFinite(v) ? v : String(v);
}
function encNums(a: ArrayLike<number>): Num[] {
  const out = new Array<Num>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = encNum(a[i]);
  return out;
}

function encodeRow(r: Row) {
  return { a: encNums(r.a), b: encNum(r.b), kind: r.kind };
}

function encodePoly(P: VPoly) {
  return { n: P.n, nv: P.nv, X: encNums(P.X), facetA: P.facetA.slice(0, P.nf).map(encNums), facetB: encNums(P.facetB.slice(0, P.nf)), words: P.words, inc: Array.from(P.inc) };
}

/** The task as plain JSON (see the module doc). */
export function encodeTask(t: SubtreeTask): unknown {
  const common = { format: TASK_FORMAT, key: t.key.slice(), domain: t.domain, kind: t.kind };
  if (t.kind === 'vertex') {
    return { ...common, frames: t.frames.map((f) => ({ layer: f.layer, unit: f.unit, patterns: f.patterns.map((p) => Array.from(p)), M: encNums(f.M), c: encNums(f.c), poly: encodePoly(f.poly), ...(f.slack ? { slack: encNums(f.slack) } : {}) })) };
  }
  return {
    ...common,
    frames: t.frames.map((f) => ({
      layer: f.layer, unit: f.unit, rows: f.rows.map(encodeRow), patterns: f.patterns.map((p) => Array.from(p)),
      M: encNums(f.M), c: encNums(f.c), lo: encNums(f.lo), hi: encNums(f.hi), witness: f.witness ? encNums(f.witness) : null,
    })),
  };
}

/** Validation helpers: each throws BAD_TASK with the expectation, the finding and the path. */
class Reader {
  constructor(private readonly what: string) {}
  fail(expected: string, found: unknown, at: string): never {
    let shown: string;
    try {
      shown = found === undefined ? 'nothing' : JSON.stringify(found)?.slice(0, 60) ?? String(found);
    } catch {
      shown = String(found);
    }
    throw new PreimageError('BAD_TASK', `expected ${expected} in a ${this.what}, found ${shown}`, at);
  }
  obj(v: unknown, at: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail('an object', v, at);
    return v as Record<string, unknown>;
  }
  arr(v: unknown, at: string, length?: number): unknown[] {
    if (!Array.isArray(v)) this.fail('an array', v, at);
    if (length !== undefined && v.length !== length) this.fail(`an array of ${length} entries`, `${v.length} entries`, at);
    return v;
  }
  int(v: unknown, at: string, lo = 0, hi = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) this.fail(`an integer in [${lo}, ${hi}]`, v, at);
    return v;
  }
  num(v: unknown, at: string): number {
    if (typeof v === 'number') return v;
    if (v === '-0') return -0;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (v === 'NaN') return NaN;
    return this.fail('a number (or "Infinity", "-Infinity", "NaN", "-0")', v, at);
  }
  nums(v: unknown, at: string, length?: number): Float64Array {
    const a = this.arr(v, at, length);
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = this.num(a[i], `${at}[${i}]`);
    return out;
  }
  finite(v: unknown, at: string, length?: number): Float64Array {
    const out = this.nums(v, at, length);
    for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) this.fail('a finite number', encNum(out[i]), `${at}[${i}]`);
    return out;
  }
}

interface Sizes {
  layers: { outSize: number }[];
  n: number;
  domains: number;
  vertexOk: boolean;
}

function sizesOf(problem: PreparedProblem, d: number): Sizes {
  const plan = planOf(problem, d);
  return {
    layers: layersOf(problem, plan),
    n: plan.searchDomain.n,
    domains: problem.domains.length,
    vertexOk: vertexSearchApplies(plan.searchDomain, problem.targetSet, 12),
  };
}

function readPatterns(R: Reader, v: unknown, at: string, layer: number, sz: Sizes | null): Uint8Array[] {
  const a = R.arr(v, at, layer + 1);
  return a.map((p, i) => {
    const q = R.arr(p, `${at}[${i}]`, sz ? sz.layers[i].outSize : undefined);
    const out = new Uint8Array(q.length);
    q.forEach((x, j) => { out[j] = R.int(x, `${at}[${i}][${j}]`, 0, 1); });
    return out;
  });
}

function readPoly(R: Reader, v: unknown, at: string, n: number | undefined): VPoly {
  const o = R.obj(v, at);
  const pn = R.int(o.n, `${at}.n`, 1, 64);
  if (n !== undefined && pn !== n) R.fail(`a polytope of dimension ${n}`, pn, `${at}.n`);
  const nv = R.int(o.nv, `${at}.nv`, 1, 1 << 24);
  const X = R.finite(o.X, `${at}.X`, nv * pn);
  const fa = R.arr(o.facetA, `${at}.facetA`);
  const facetA = fa.map((r, i) => R.finite(r, `${at}.facetA[${i}]`, pn));
  const facetB = Array.from(R.finite(o.facetB, `${at}.facetB`, facetA.length));
  const words = R.int(o.words, `${at}.words`, Math.max(1, Math.ceil(facetA.length / 32)), 1 << 20);
  const incA = R.arr(o.inc, `${at}.inc`, nv * words);
  const inc = new Uint32Array(incA.length);
  incA.forEach((x, i) => { inc[i] = R.int(x, `${at}.inc[${i}]`, 0, 0xffffffff); });
  return { n: pn, nv, X, facetA, facetB, nf: facetA.length, words, inc };
}

/**
 * Reads a task from JSON. Checks the shape always; given the problem, also the sizes (domain
 * index, layers, units, pattern lengths, dimensions). Throws PreimageError('BAD_TASK').
 */
export function decodeTask(json: unknown, problem?: PreparedProblem): SubtreeTask {
  return readTask(new Reader('subtree task'), json, 'task', problem);
}

function readTask(R: Reader, json: unknown, at: string, problem?: PreparedProblem): SubtreeTask {
  const o = R.obj(json, at);
  if (o.format !== TASK_FORMAT) R.fail(`format "${TASK_FORMAT}"`, o.format, `${at}.format`);
  const domain = R.int(o.domain, `${at}.domain`, 0, problem ? problem.domains.length - 1 : Number.MAX_SAFE_INTEGER);
  const keyA = R.arr(o.key, `${at}.key`);
  if (keyA.length === 0) R.fail('a non-empty key', keyA, `${at}.key`);
  const key = keyA.map((k, i) => R.int(k, `${at}.key[${i}]`, i === 0 ? 0 : 1, i === 0 ? Number.MAX_SAFE_INTEGER : 2));
  if (key[0] !== domain) R.fail(`a key starting with the domain index ${domain}`, key[0], `${at}.key[0]`);
  const kind = o.kind;
  if (kind !== 'vertex' && kind !== 'lp') R.fail('kind "vertex" or "lp"', kind, `${at}.kind`);
  const sz = problem ? sizesOf(problem, domain) : null;
  if (sz && kind === 'vertex' && !sz.vertexOk) R.fail('kind "lp" (the vertex search does not apply to this domain and target)', kind, `${at}.kind`);
  const fr = R.arr(o.frames, `${at}.frames`);
  if (fr.length === 0) R.fail('at least one frame', fr, `${at}.frames`);
  const nLayers = sz ? sz.layers.length : Number.MAX_SAFE_INTEGER;
  const frames = fr.map((fv, i) => {
    const p = `${at}.frames[${i}]`;
    const f = R.obj(fv, p);
    const layer = R.int(f.layer, `${p}.layer`, 0, nLayers - 1);
    const width = sz ? sz.layers[layer].outSize : undefined;
    const unit = R.int(f.unit, `${p}.unit`, 0, width ?? Number.MAX_SAFE_INTEGER);
    const patterns = readPatterns(R, f.patterns, `${p}.patterns`, layer, sz);
    if (kind === 'vertex') {
      const poly = readPoly(R, f.poly, `${p}.poly`, sz?.n);
      const n = poly.n;
      const c = R.finite(f.c, `${p}.c`, width);
      const M = R.finite(f.M, `${p}.M`, c.length * n);
      if (width === undefined && patterns[layer].length !== c.length) R.fail(`a pattern of ${c.length} units (the rows of c)`, patterns[layer].length, `${p}.patterns[${layer}]`);
      const vf: VFrame = { layer, unit, poly, patterns, M, c };
      if (f.slack !== undefined) {
        vf.slack = R.finite(f.slack, `${p}.slack`, sz ? sz.layers[sz.layers.length - 1].outSize : undefined);
        if (vf.slack.some((v) => v < 0)) R.fail('non-negative slack', Array.from(vf.slack), `${p}.slack`);
      }
      return vf;
    }
    const lo = R.nums(f.lo, `${p}.lo`, sz?.n);
    const n = lo.length;
    const hi = R.nums(f.hi, `${p}.hi`, n);
    const c = R.finite(f.c, `${p}.c`, width);
    const M = R.finite(f.M, `${p}.M`, c.length * n);
    const rows = R.arr(f.rows, `${p}.rows`).map((rv, j) => {
      const r = R.obj(rv, `${p}.rows[${j}]`);
      if (r.kind !== 'ineq' && r.kind !== 'eq') R.fail('kind "ineq" or "eq"', r.kind, `${p}.rows[${j}].kind`);
      return { a: R.finite(r.a, `${p}.rows[${j}].a`, n), b: R.num(r.b, `${p}.rows[${j}].b`), kind: r.kind } as Row;
    });
    const witness = f.witness === null ? null : R.finite(f.witness, `${p}.witness`, n);
    return { layer, unit, rows, patterns, M, c, lo, hi, witness } as LpTaskFrame;
  });
  return { key, domain, kind, frames } as SubtreeTask;
}

/** Non-finite numbers and -0 inside pieces, as strings (the strings of PieceJson are never these). */
function encDeep(v: unknown): unknown {
  if (typeof v === 'number') return encNum(v);
  if (Array.isArray(v)) return v.map(encDeep);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encDeep(x);
    return out;
  }
  return v;
}
const SPECIAL = new Set(['Infinity', '-Infinity', 'NaN', '-0']);
function decDeep(v: unknown): unknown {
  if (typeof v === 'string' && SPECIAL.has(v)) return v === '-0' ? -0 : Number(v);
  if (Array.isArray(v)) return v.map(decDeep);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decDeep(x);
    return out;
  }
  return v;
}

const STAT_KEYS = Object.keys(emptyStats()) as (keyof SearchStats)[];

/** The result as plain JSON (see the module doc). */
export function encodeResult(r: SubtreeResult): unknown {
  return {
    format: TASK_RESULT_FORMAT,
    key: r.key.slice(),
    pieces: r.pieces.map(encDeep),
    stats: { ...r.stats },
    stop: r.stop,
    geometryMs: r.geometryMs,
    geometryLps: r.geometryLps,
    children: r.children.map(encodeTask),
  };
}

/** Reads a result from JSON (shape always; sizes of the pieces and children given the problem). Throws BAD_TASK. */
export function decodeResult(json: unknown, problem?: PreparedProblem): SubtreeResult {
  const R = new Reader('subtree task result');
  const o = R.obj(json, 'result');
  if (o.format !== TASK_RESULT_FORMAT) R.fail(`format "${TASK_RESULT_FORMAT}"`, o.format, 'result.format');
  const key = R.arr(o.key, 'result.key').map((k, i) => R.int(k, `result.key[${i}]`, i === 0 ? 0 : 1, i === 0 ? Number.MAX_SAFE_INTEGER : 2));
  if (key.length === 0) R.fail('a non-empty key', [], 'result.key');
  const s = R.obj(o.stats, 'result.stats');
  const stats = emptyStats();
  for (const k of STAT_KEYS) stats[k] = R.int(s[k], `result.stats.${k}`);
  const stop = o.stop;
  if (stop !== null && stop !== 'budget' && stop !== 'time' && stop !== 'cancelled') R.fail('stop null, "budget", "time" or "cancelled"', stop, 'result.stop');
  const geometryMs = R.num(o.geometryMs, 'result.geometryMs');
  const geometryLps = R.int(o.geometryLps, 'result.geometryLps');
  const n = problem ? problem.domains[0].n : undefined;
  const pieces = R.arr(o.pieces, 'result.pieces').map((pv, i) => {
    const p = R.obj(decDeep(pv), `result.pieces[${i}]`);
    for (const f of ['pattern', 'A', 'b', 'Aeq', 'beq', 'witness']) R.arr(p[f], `result.pieces[${i}].${f}`);
    if (n !== undefined) R.arr(p.witness, `result.pieces[${i}].witness`, n);
    R.int(p.dim, `result.pieces[${i}].dim`);
    R.obj(p.map, `result.pieces[${i}].map`);
    return p as unknown as PieceJson;
  });
  const children = R.arr(o.children, 'result.children').map((c, i) => {
    const t = readTask(R, c, `result.children[${i}]`, problem);
    if (t.key.length !== key.length + 1 || compareKeys(t.key.slice(0, key.length), key) !== 0) R.fail(`a child key extending ${JSON.stringify(key)}`, t.key, `result.children[${i}].key`);
    return t;
  });
  return { key, pieces, stats, stop: stop as StopReason, geometryMs, geometryLps, children };
}
