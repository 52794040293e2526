/**
 * Exact evaluation of a ReLU network whose weights are doubles, at a point given as doubles or
 * Rationals. No floating-point arithmetic is involved: every pre-activation is computed exactly
 * (dyadic BigInt arithmetic), so its sign is certain. Used to check that a witness reproduces an
 * activation pattern without trusting floats.
 */
import { PreimageError } from '../errors.js';
import type { Layer } from '../network/types.js';
import { split, splitDouble } from './float.js';
import { type Dyadic, DYADIC_ZERO, dotRow, dyadicAdd, dyadicTimesInt, scaledFrom, scaledFromDyadics, type ScaledVector } from './dyadic.js';
import { Rational } from './rational.js';

/** A layer with its weights converted once to integers (per row, over the row's smallest power of two). */
interface ExactLayer {
  inSize: number;
  outSize: number;
  relu: boolean;
  /** Row-major integer weights: W[i][j] = ints[i*inSize + j] · 2^rowExp[i]. */
  ints: bigint[];
  rowExp: Int32Array;
  /** Bias as dyadics. */
  bias: Dyadic[];
}

/**
 * A network prepared for repeated exact evaluation ({@link prepareExact}). Preparing costs about
 * as much as one evaluation; reuse it when checking many points. It is a snapshot: later changes
 * to the source Float64Arrays are not seen.
 */
export interface ExactNetwork {
  readonly inputSize: number;
  readonly layers: readonly ExactLayer[];
}

/** Input point: doubles (read exactly) or Rationals. */
export type ExactInput = ArrayLike<number> | readonly Rational[];

/** Converts the layers' doubles to integer form once. Throws PreimageError on bad shapes or non-finite values. */
export function prepareExact(layers: readonly Layer[]): ExactNetwork {
  if (layers.length === 0) throw new PreimageError('SHAPE_MISMATCH', 'expected at least one layer, found none');
  const out: ExactLayer[] = [];
  let prev = layers[0].inSize;
  layers.forEach((l, k) => {
    const at = `layer ${k + 1}`;
    if (l.inSize !== prev) throw new PreimageError('SHAPE_MISMATCH', `expected ${prev} inputs, found ${l.inSize}`, at);
    if (l.weights.length !== l.inSize * l.outSize)
      throw new PreimageError('SHAPE_MISMATCH', `expected ${l.inSize * l.outSize} weights (${l.outSize} x ${l.inSize}), found ${l.weights.length}`, at);
    if (l.bias.length !== l.outSize) throw new PreimageError('SHAPE_MISMATCH', `expected ${l.outSize} biases, found ${l.bias.length}`, at);
    const n = l.inSize, m = l.outSize;
    const ints: bigint[] = new Array(m * n);
    const rowExp = new Int32Array(m);
    const ms = new Float64Array(n);
    const es = new Int32Array(n);
    for (let i = 0; i < m; i++) {
      let emin = Infinity;
      for (let j = 0; j < n; j++) {
        splitDouble(l.weights[i * n + j]);
        ms[j] = split.m;
        es[j] = split.e;
        if (split.m !== 0 && split.e < emin) emin = split.e;
      }
      if (emin === Infinity) emin = 0;
      rowExp[i] = emin;
      for (let j = 0; j < n; j++) {
        const sh = es[j] - emin;
        ints[i * n + j] = ms[j] === 0 ? 0n : sh === 0 ? BigInt(ms[j]) : BigInt(ms[j]) << BigInt(sh);
      }
    }
    const bias: Dyadic[] = new Array(m);
    for (let i = 0; i < m; i++) {
      splitDouble(l.bias[i]);
      bias[i] = { m: BigInt(split.m), e: split.e };
    }
    out.push({ inSize: n, outSize: m, relu: l.activation === 'relu', ints, rowExp, bias });
    prev = m;
  });
  return { inputSize: layers[0].inSize, layers: out };
}

function isRelu(net: ExactNetwork | readonly Layer[], l: number): boolean {
  return Array.isArray(net) ? (net as readonly Layer[])[l].activation === 'relu' : (net as ExactNetwork).layers[l].relu;
}

/**
 * Exact pre-activations as dyadic numerators over one common denominator `den` (1 when the input
 * is doubles; the lcm of the odd parts of the input denominators otherwise): z[l][i] = pre[l][i] / den.
 * The cheapest form: signs can be read without any division.
 */
export function exactForwardDyadic(net: ExactNetwork | readonly Layer[], x: ExactInput): { pre: Dyadic[][]; den: bigint } {
  if (Array.isArray(net)) return forwardRaw(net as readonly Layer[], x);
  const N = net as ExactNetwork;
  if (x.length !== N.inputSize) throw new PreimageError('BAD_INPUT', `expected an input of ${N.inputSize} numbers, found ${x.length}`);
  let v: ScaledVector = scaledFrom(x);
  const den = v.den;
  const pre: Dyadic[][] = [];
  for (const L of N.layers) {
    const { inSize: n, outSize: m, ints: W, rowExp, bias } = L;
    const X = v.ints;
    const nz = v.nonzero;
    const len = nz.length;
    const z: Dyadic[] = new Array(m);
    for (let i = 0; i < m; i++) {
      const base = i * n;
      let acc = 0n;
      for (let t = 0; t < len; t++) {
        const j = nz[t];
        acc += W[base + j] * X[j];
      }
      const b = bias[i];
      const bd: Dyadic = den === 1n || b.m === 0n ? b : { m: b.m * den, e: b.e };
      z[i] = dyadicAdd(acc === 0n ? DYADIC_ZERO : { m: acc, e: rowExp[i] + v.exp }, bd);
    }
    pre.push(z);
    const act = L.relu ? z.map((d) => (d.m > 0n ? d : DYADIC_ZERO)) : z;
    v = scaledFromDyadics(act, den);
  }
  return { pre, den };
}

/**
 * The same on unprepared layers: each row's doubles are decomposed on the fly, and only for the
 * inputs that are nonzero (after ReLU typically half of them, and most pixels of an image), so a
 * single evaluation costs less than preparing.
 */
function forwardRaw(layers: readonly Layer[], x: ExactInput): { pre: Dyadic[][]; den: bigint } {
  if (layers.length === 0) throw new PreimageError('SHAPE_MISMATCH', 'expected at least one layer, found none');
  const n0 = layers[0].inSize;
  if (x.length !== n0) throw new PreimageError('BAD_INPUT', `expected an input of ${n0} numbers, found ${x.length}`);
  let v: ScaledVector = scaledFrom(x);
  const den = v.den;
  const pre: Dyadic[][] = [];
  let prev = n0;
  layers.forEach((l, k) => {
    const at = `layer ${k + 1}`;
    const n = l.inSize, m = l.outSize;
    if (n !== prev) throw new PreimageError('SHAPE_MISMATCH', `expected ${prev} inputs, found ${n}`, at);
    if (l.weights.length !== n * m) throw new PreimageError('SHAPE_MISMATCH', `expected ${n * m} weights (${m} x ${n}), found ${l.weights.length}`, at);
    if (l.bias.length !== m) throw new PreimageError('SHAPE_MISMATCH', `expected ${m} biases, found ${l.bias.length}`, at);
    const z: Dyadic[] = new Array(m);
    for (let i = 0; i < m; i++) z[i] = dyadicAdd(dotRow(l.weights, i * n, 1, v), dyadicTimesInt(l.bias[i], den));
    pre.push(z);
    v = scaledFromDyadics(l.activation === 'relu' ? z.map((d) => (d.m > 0n ? d : DYADIC_ZERO)) : z, den);
    prev = m;
  });
  return { pre, den };
}

function toRationals(ds: readonly Dyadic[], den: bigint): Rational[] {
  const D = den === 1n ? null : Rational.fromBigInt(den);
  return ds.map((d) => {
    const r = Rational.fromDyadic(d.m, d.e);
    return D ? r.div(D) : r;
  });
}

/**
 * Exact pre-activations z_l = W_l a_{l-1} + b_l of every layer (l = 1..L), a_0 = x, a_l = ReLU(z_l)
 * (or z_l for identity layers), as Rationals. `net` is a list of layers (see src/network/types.ts)
 * or the result of {@link prepareExact}.
 */
export function exactForward(net: ExactNetwork | readonly Layer[], x: ExactInput): Rational[][] {
  const { pre, den } = exactForwardDyadic(net, x);
  return pre.map((z) => toRationals(z, den));
}

/** Exact network output (post-activation of the last layer) as Rationals. */
export function exactOutput(net: ExactNetwork | readonly Layer[], x: ExactInput): Rational[] {
  const { pre, den } = exactForwardDyadic(net, x);
  const last = pre[pre.length - 1];
  const relu = isRelu(net, pre.length - 1);
  return toRationals(relu ? last.map((d) => (d.m > 0n ? d : DYADIC_ZERO)) : last, den);
}

/** Exact signs (-1, 0, 1) of every pre-activation, per layer. */
export function exactSigns(net: ExactNetwork | readonly Layer[], x: ExactInput): Int8Array[] {
  const { pre } = exactForwardDyadic(net, x);
  return pre.map((z) => Int8Array.from(z, (d) => (d.m > 0n ? 1 : d.m < 0n ? -1 : 0)));
}

/** Result of {@link checkPattern}: ok, or the first unit (layer index from 0, unit index) that disagrees. */
export interface PatternCheck {
  ok: boolean;
  layer?: number;
  unit?: number;
  /** Exact sign of the disagreeing pre-activation. */
  sign?: -1 | 0 | 1;
}

/**
 * Checks exactly that x reproduces an activation pattern (as from `activationPattern` in
 * src/network/evaluate.ts: per layer, 1 = active, 0 = inactive; identity layers are not checked).
 * With `strict` (default) x must lie in the interior of the pattern's region: active units need
 * z > 0 and inactive ones z < 0. Without it, the closed region: z >= 0 and z <= 0.
 */
export function checkPattern(net: ExactNetwork | readonly Layer[], x: ExactInput, pattern: readonly ArrayLike<number>[], options: { strict?: boolean } = {}): PatternCheck {
  const strict = options.strict ?? true;
  const count = Array.isArray(net) ? net.length : (net as ExactNetwork).layers.length;
  if (pattern.length !== count) throw new PreimageError('BAD_ARGUMENT', `expected a pattern for ${count} layers, found ${pattern.length}`);
  const { pre } = exactForwardDyadic(net, x);
  for (let l = 0; l < pre.length; l++) {
    if (!isRelu(net, l)) continue;
    const p = pattern[l];
    if (p.length !== pre[l].length) throw new PreimageError('BAD_ARGUMENT', `expected ${pre[l].length} pattern entries, found ${p.length}`, `layer ${l + 1}`);
    for (let i = 0; i < p.length; i++) {
      const s = pre[l][i].m > 0n ? 1 : pre[l][i].m < 0n ? -1 : 0;
      const active = p[i] === 1;
      const good = strict ? (active ? s > 0 : s < 0) : active ? s >= 0 : s <= 0;
      if (!good) return { ok: false, layer: l, unit: i, sign: s };
    }
  }
  return { ok: true };
}
