/**
 * Dyadic numbers m · 2^e and the integer kernels behind the fast exact paths.
 *
 * Doubles are dyadic, and so are their sums and products; an exact dot product of doubles
 * therefore needs no gcd at all: scale a vector to integers over one common power of two,
 * multiply-add BigInts, and keep the exponent aside. Values with other denominators (user
 * Rationals) enter through a single common denominator `den` carried next to the integers.
 */
import { ctz, gcd } from './bigint.js';
import { split, splitDouble } from './float.js';
import { Rational } from './rational.js';

/** The exact value m · 2^e. Not normalised: m may be even. */
export interface Dyadic {
  m: bigint;
  e: number;
}

export const DYADIC_ZERO: Dyadic = Object.freeze({ m: 0n, e: 0 }) as Dyadic;

/** A finite double as a dyadic (m odd or 0). */
export function dyadicFromNumber(x: number): Dyadic {
  splitDouble(x);
  return { m: BigInt(split.m), e: split.e };
}

export function dyadicSign(a: Dyadic): -1 | 0 | 1 {
  return a.m > 0n ? 1 : a.m < 0n ? -1 : 0;
}

export function dyadicNeg(a: Dyadic): Dyadic {
  return { m: -a.m, e: a.e };
}

export function dyadicAdd(a: Dyadic, b: Dyadic): Dyadic {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  if (a.e === b.e) return { m: a.m + b.m, e: a.e };
  if (a.e < b.e) return { m: a.m + (b.m << BigInt(b.e - a.e)), e: a.e };
  return { m: (a.m << BigInt(a.e - b.e)) + b.m, e: b.e };
}

export function dyadicSub(a: Dyadic, b: Dyadic): Dyadic {
  return dyadicAdd(a, dyadicNeg(b));
}

export function dyadicMul(a: Dyadic, b: Dyadic): Dyadic {
  if (a.m === 0n || b.m === 0n) return DYADIC_ZERO;
  return { m: a.m * b.m, e: a.e + b.e };
}

/** -1, 0, 1 as a <, =, > b. */
export function dyadicCmp(a: Dyadic, b: Dyadic): -1 | 0 | 1 {
  return dyadicSign(dyadicSub(a, b));
}

/** Strips trailing zero bits of m (m odd afterwards, or 0 with e = 0). */
export function dyadicNormalize(a: Dyadic): Dyadic {
  if (a.m === 0n) return DYADIC_ZERO;
  if ((a.m & 1n) === 1n) return a;
  const t = ctz(a.m);
  return { m: a.m >> BigInt(t), e: a.e + t };
}

export function dyadicToRational(a: Dyadic): Rational {
  return Rational.fromDyadic(a.m, a.e);
}

/**
 * A vector of exact values v_i = ints[i] · 2^exp / den with integer ints, integer den > 0.
 * `nonzero` lists the indices with ints[i] != 0 (for sparse loops).
 */
export interface ScaledVector {
  ints: bigint[];
  exp: number;
  den: bigint;
  nonzero: number[];
}

/** Doubles as integers over their smallest common power of two (den = 1). */
export function scaledFromNumbers(x: ArrayLike<number>): ScaledVector {
  const n = x.length;
  const ms = new Float64Array(n);
  const es = new Int32Array(n);
  let emin = Infinity;
  for (let i = 0; i < n; i++) {
    splitDouble(x[i]);
    ms[i] = split.m;
    es[i] = split.e;
    if (split.m !== 0 && split.e < emin) emin = split.e;
  }
  if (emin === Infinity) emin = 0;
  const ints: bigint[] = new Array(n);
  const nonzero: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ms[i] === 0) {
      ints[i] = 0n;
      continue;
    }
    const sh = es[i] - emin;
    ints[i] = sh === 0 ? BigInt(ms[i]) : BigInt(ms[i]) << BigInt(sh);
    nonzero.push(i);
  }
  return { ints, exp: emin, den: 1n, nonzero };
}

/** Dyadics (all over the same extra denominator `den`) as one scaled vector. */
export function scaledFromDyadics(x: readonly Dyadic[], den: bigint = 1n): ScaledVector {
  const n = x.length;
  const norm: Dyadic[] = new Array(n);
  let emin = Infinity;
  for (let i = 0; i < n; i++) {
    const d = dyadicNormalize(x[i]);
    norm[i] = d;
    if (d.m !== 0n && d.e < emin) emin = d.e;
  }
  if (emin === Infinity) emin = 0;
  const ints: bigint[] = new Array(n);
  const nonzero: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = norm[i];
    if (d.m === 0n) {
      ints[i] = 0n;
      continue;
    }
    const sh = d.e - emin;
    ints[i] = sh === 0 ? d.m : d.m << BigInt(sh);
    nonzero.push(i);
  }
  return { ints, exp: emin, den, nonzero };
}

/**
 * Rationals as one scaled vector: den = lcm of the odd parts of the denominators, the powers of
 * two go into the exponent. Exact.
 */
export function scaledFromRationals(x: readonly Rational[]): ScaledVector {
  let den = 1n;
  for (const r of x) {
    if (r.isDyadic()) continue;
    const odd = r.den >> BigInt(ctz(r.den));
    den = (den / gcd(den, odd)) * odd;
  }
  const ds: Dyadic[] = x.map((r) => {
    const t = ctz(r.den);
    const odd = r.den >> BigInt(t);
    return { m: r.num * (den / odd), e: -t };
  });
  return scaledFromDyadics(ds, den);
}

/** Numbers or Rationals as a scaled vector. */
export function scaledFrom(x: ArrayLike<number> | readonly Rational[]): ScaledVector {
  if (x.length > 0 && x[0] instanceof Rational) return scaledFromRationals(x as readonly Rational[]);
  return scaledFromNumbers(x as ArrayLike<number>);
}

/** Component i of a scaled vector as a Rational. */
export function scaledComponent(v: ScaledVector, i: number): Rational {
  const r = Rational.fromDyadic(v.ints[i], v.exp);
  return v.den === 1n ? r : r.div(Rational.fromBigInt(v.den));
}

// Scratch space for the row decomposition in dotRow (grown on demand).
let rowM = new Float64Array(64);
let rowE = new Int32Array(64);

/**
 * Exact Σ_j A[off + j·stride] · v_j over the indices in v.nonzero, as a dyadic NUMERATOR:
 * the true value is result / v.den. The doubles of the row are decomposed on the fly and
 * brought to the row's smallest exponent, so the loop is pure BigInt multiply-add.
 */
export function dotRow(A: ArrayLike<number>, off: number, stride: number, v: ScaledVector): Dyadic {
  const nz = v.nonzero;
  const len = nz.length;
  if (rowM.length < len) {
    rowM = new Float64Array(2 * len);
    rowE = new Int32Array(2 * len);
  }
  let emin = Infinity;
  for (let t = 0; t < len; t++) {
    splitDouble(A[off + nz[t] * stride]);
    rowM[t] = split.m;
    rowE[t] = split.e;
    if (split.m !== 0 && split.e < emin) emin = split.e;
  }
  if (emin === Infinity) return DYADIC_ZERO;
  const ints = v.ints;
  let acc = 0n;
  for (let t = 0; t < len; t++) {
    const mt = rowM[t];
    if (mt === 0) continue;
    const sh = rowE[t] - emin;
    const w = sh === 0 ? BigInt(mt) : BigInt(mt) << BigInt(sh);
    acc += w * ints[nz[t]];
  }
  return { m: acc, e: emin + v.exp };
}

/** The double x times the integer k, as a dyadic (exact). */
export function dyadicTimesInt(x: number, k: bigint): Dyadic {
  splitDouble(x);
  if (split.m === 0) return DYADIC_ZERO;
  const m = BigInt(split.m);
  return { m: k === 1n ? m : m * k, e: split.e };
}
