/**
 * Targets: what set of activities a preimage is asked for. Every target is normalised to a
 * {@link TargetSet}: a layer l and a union of polyhedra on that layer's activity (post-activation
 * for ReLU layers, the outputs for the last layer), optionally with equalities.
 */
import { PreimageError } from '../errors.js';
import type { Network } from '../network/types.js';
import type { VnnlibSpec } from '../formats/vnnlib.js';

/** A point activity of layer `layer` (1..L). `mode: 'preactivation'` targets z = W a + b itself. */
export interface PointTarget {
  kind: 'point';
  layer: number;
  activity: ArrayLike<number>;
  mode?: 'activity' | 'preactivation';
}
/** {y : T y <= t} on layer `layer` (default: the output layer). */
export interface PolytopeTarget {
  kind: 'polytope';
  layer?: number;
  T: ArrayLike<number>[];
  t: ArrayLike<number>;
}
/** A union of polytopes {y : T_i y <= t_i} on one layer. */
export interface UnionTarget {
  kind: 'union';
  layer?: number;
  parts: { T: ArrayLike<number>[]; t: ArrayLike<number> }[];
}
/** A box lo <= y <= hi (±Infinity allowed) on one layer. */
export interface BoxTarget {
  kind: 'box';
  layer?: number;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}
/** The class region: argmax (or argmin) of the outputs equals `index` (ties included, a closed set). */
export interface ClassTarget {
  kind: 'class';
  index: number;
  rule?: 'argmax' | 'argmin';
}
/** The output set of a VNN-LIB spec (a union of polytopes on the outputs). */
export interface VnnlibTarget {
  kind: 'vnnlib';
  spec: VnnlibSpec;
}

/**
 * Every class at once: one part per class (argmax or argmin = k). The parts' interiors are
 * disjoint, so pieces are labelled by class without splitting; a region is cut only where two
 * classes tie. This is the advisory partition of ACAS Xu when `rule` is argmin.
 */
export interface PartitionTarget {
  kind: 'partition';
  rule?: 'argmax' | 'argmin';
}

export type Target = PointTarget | PolytopeTarget | UnionTarget | BoxTarget | ClassTarget | VnnlibTarget | PartitionTarget;

/** One polyhedron {y : T y <= t, E y = e} on the target layer (row-major, `cols` = layer width). */
export interface TargetPart {
  rows: number;
  T: Float64Array;
  t: Float64Array;
  eqRows: number;
  E: Float64Array;
  e: Float64Array;
}

/** A target in normal form. */
export interface TargetSet {
  /** Target layer l (1..L). */
  layer: number;
  /** Width of layer l. */
  cols: number;
  /** `activity`: parts constrain the post-activation of layer l; `preactivation`: its z. */
  on: 'activity' | 'preactivation';
  /** The target is the union of these parts. */
  parts: TargetPart[];
  /**
   * For point targets of ReLU layers: the pattern of layer l is forced (1 where the activity is
   * positive). The search then adds z_j = y_j or z_j <= 0 directly instead of branching.
   */
  forcedPattern?: Uint8Array;
  /** The parts' interiors are known to be disjoint (class partitions): no disjoint decomposition is needed. */
  interiorDisjoint?: boolean;
  /** The original target, as plain JSON, for result files. */
  description: Record<string, unknown>;
}

function flat(rows: ArrayLike<number>[], cols: number, what: string): Float64Array {
  const out = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new PreimageError('BAD_TARGET', `expected ${what} row ${i} to have ${cols} entries (the layer width), found ${r.length}`);
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(r[j])) throw new PreimageError('BAD_TARGET', `expected finite numbers in ${what}, found ${r[j]} at row ${i}, column ${j}`);
      out[i * cols + j] = r[j];
    }
  });
  return out;
}

function checkLayer(net: Network, layer: number | undefined): number {
  const l = layer ?? net.layers.length;
  if (!Number.isInteger(l) || l < 1 || l > net.layers.length) {
    throw new PreimageError('BAD_TARGET', `expected a target layer between 1 and ${net.layers.length}, found ${layer}`);
  }
  return l;
}

const empty = () => new Float64Array(0);

/** Normalises any {@link Target} for `net`. */
export function normalizeTarget(net: Network, target: Target): TargetSet {
  switch (target.kind) {
    case 'point': {
      const l = checkLayer(net, target.layer);
      const L = net.layers[l - 1];
      const y = target.activity;
      if (y.length !== L.outSize) throw new PreimageError('BAD_TARGET', `expected an activity of ${L.outSize} numbers for layer ${l}, found ${y.length}`);
      const mode = target.mode ?? 'activity';
      const relu = L.activation === 'relu' && mode === 'activity';
      for (let i = 0; i < y.length; i++) {
        if (!Number.isFinite(y[i])) throw new PreimageError('BAD_TARGET', `expected finite activity values, found ${y[i]} at unit ${i}`);
        if (relu && y[i] < 0) throw new PreimageError('NOT_RELU_OUTPUT', `expected a ReLU output (all entries >= 0) at layer ${l}, found ${y[i]} at unit ${i}`);
      }
      const n = L.outSize;
      const E = new Float64Array(n * n);
      for (let i = 0; i < n; i++) E[i * n + i] = 1;
      const part: TargetPart = { rows: 0, T: empty(), t: empty(), eqRows: n, E, e: Float64Array.from(y) };
      const ts: TargetSet = { layer: l, cols: n, on: relu ? 'activity' : 'preactivation', parts: [part], description: { kind: 'point', layer: l, activity: Array.from(y), mode } };
      if (relu) ts.forcedPattern = Uint8Array.from(y, (v) => (v > 0 ? 1 : 0));
      return ts;
    }
    case 'polytope': {
      const l = checkLayer(net, target.layer);
      const cols = net.layers[l - 1].outSize;
      if (target.T.length !== target.t.length) throw new PreimageError('BAD_TARGET', `expected as many right-hand sides as rows (${target.T.length}), found ${target.t.length}`);
      const part: TargetPart = { rows: target.T.length, T: flat(target.T, cols, 'T'), t: Float64Array.from(target.t), eqRows: 0, E: empty(), e: empty() };
      return { layer: l, cols, on: 'activity', parts: [part], description: { kind: 'polytope', layer: l, T: target.T.map((r) => Array.from(r)), t: Array.from(target.t) } };
    }
    case 'union': {
      const l = checkLayer(net, target.layer);
      const cols = net.layers[l - 1].outSize;
      if (target.parts.length === 0) throw new PreimageError('BAD_TARGET', 'expected at least one polytope in the union, found none');
      const parts = target.parts.map((p) => ({ rows: p.T.length, T: flat(p.T, cols, 'T'), t: Float64Array.from(p.t), eqRows: 0, E: empty(), e: empty() }));
      return { layer: l, cols, on: 'activity', parts, description: { kind: 'union', layer: l, parts: target.parts.map((p) => ({ T: p.T.map((r) => Array.from(r)), t: Array.from(p.t) })) } };
    }
    case 'box': {
      const l = checkLayer(net, target.layer);
      const cols = net.layers[l - 1].outSize;
      if (target.lo.length !== cols || target.hi.length !== cols) throw new PreimageError('BAD_TARGET', `expected box bounds of ${cols} numbers for layer ${l}, found ${target.lo.length} and ${target.hi.length}`);
      const T: number[][] = [], t: number[] = [];
      for (let i = 0; i < cols; i++) {
        if (Number.isNaN(target.lo[i]) || Number.isNaN(target.hi[i]) || target.lo[i] > target.hi[i]) throw new PreimageError('BAD_TARGET', `expected lo <= hi for unit ${i}, found [${target.lo[i]}, ${target.hi[i]}]`);
        if (Number.isFinite(target.hi[i])) {
          const r = new Array(cols).fill(0);
          r[i] = 1;
          T.push(r);
          t.push(target.hi[i]);
        }
        if (Number.isFinite(target.lo[i])) {
          const r = new Array(cols).fill(0);
          r[i] = -1;
          T.push(r);
          t.push(-target.lo[i]);
        }
      }
      const part: TargetPart = { rows: T.length, T: flat(T, cols, 'T'), t: Float64Array.from(t), eqRows: 0, E: empty(), e: empty() };
      return { layer: l, cols, on: 'activity', parts: [part], description: { kind: 'box', layer: l, lo: Array.from(target.lo), hi: Array.from(target.hi) } };
    }
    case 'class': {
      const cols = net.outputSize;
      const k = target.index;
      const rule = target.rule ?? 'argmax';
      if (!Number.isInteger(k) || k < 0 || k >= cols) throw new PreimageError('BAD_TARGET', `expected a class index between 0 and ${cols - 1}, found ${k}`);
      if (rule !== 'argmax' && rule !== 'argmin') throw new PreimageError('BAD_TARGET', `expected rule argmax or argmin, found ${JSON.stringify(rule)}`);
      // argmax = k: y_i - y_k <= 0 for i != k; argmin: y_k - y_i <= 0
      const rows = cols - 1;
      const T = new Float64Array(rows * cols);
      let r = 0;
      for (let i = 0; i < cols; i++) {
        if (i === k) continue;
        T[r * cols + i] = rule === 'argmax' ? 1 : -1;
        T[r * cols + k] = rule === 'argmax' ? -1 : 1;
        r++;
      }
      return { layer: net.layers.length, cols, on: 'activity', parts: [{ rows, T, t: new Float64Array(rows), eqRows: 0, E: empty(), e: empty() }], description: { kind: 'class', index: k, rule } };
    }
    case 'partition': {
      const cols = net.outputSize;
      const rule = target.rule ?? 'argmax';
      if (rule !== 'argmax' && rule !== 'argmin') throw new PreimageError('BAD_TARGET', `expected rule argmax or argmin, found ${JSON.stringify(rule)}`);
      const parts = Array.from({ length: cols }, (_, k) => normalizeTarget(net, { kind: 'class', index: k, rule }).parts[0]);
      return { layer: net.layers.length, cols, on: 'activity', parts, interiorDisjoint: true, description: { kind: 'partition', rule } };
    }
    case 'vnnlib': {
      const s = target.spec;
      if (s.outputSize !== net.outputSize) throw new PreimageError('BAD_TARGET', `expected a VNN-LIB spec over ${net.outputSize} outputs, found ${s.outputSize}`);
      const parts = s.output.map((p) => ({ rows: p.rows, T: Float64Array.from(p.T), t: Float64Array.from(p.t), eqRows: 0, E: empty(), e: empty() }));
      return { layer: net.layers.length, cols: net.outputSize, on: 'activity', parts, description: { kind: 'vnnlib', polytopes: parts.length } };
    }
    default:
      throw new PreimageError('BAD_TARGET', `expected a target kind point, polytope, union, box, class or vnnlib, found ${JSON.stringify((target as { kind: unknown }).kind)}`);
  }
}
