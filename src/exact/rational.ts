import { PreimageError } from '../errors.js';
import { bitLength, ctz, gcd, isPow2 } from './bigint.js';
import { pow2, split, splitDouble } from './float.js';

const TWO53 = 9007199254740992n;

/**
 * An exact rational number num/den with BigInt parts, always normalised: den > 0,
 * gcd(|num|, den) = 1, and 0 is 0/1. Immutable.
 *
 * Every finite double is a dyadic rational m/2^k, and sums and products of dyadics are dyadic,
 * so the class keeps k = log2(den) when den is a power of two and then adds and multiplies without
 * any gcd: a sum of two reduced dyadics with different k is already reduced (odd + even), and
 * a product of two reduced non-integer dyadics is too (odd · odd). Only division, or inputs with
 * other denominators, take the general gcd path.
 */
export class Rational {
  /** Numerator (carries the sign). */
  readonly num: bigint;
  /** Denominator, > 0. */
  readonly den: bigint;
  /** log2(den) when den is a power of two, else -1. */
  private readonly k: number;

  private constructor(num: bigint, den: bigint, k: number) {
    this.num = num;
    this.den = den;
    this.k = k;
  }

  static readonly ZERO = new Rational(0n, 1n, 0);
  static readonly ONE = new Rational(1n, 1n, 0);

  /** num/den normalised; throws on a zero denominator. */
  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    let n = typeof num === 'bigint' ? num : toBigIntStrict(num);
    let d = typeof den === 'bigint' ? den : toBigIntStrict(den);
    if (d === 0n) throw new PreimageError('BAD_ARGUMENT', 'expected a nonzero denominator, found 0');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    return Rational.reduce(n, d);
  }

  /** An integer. */
  static fromBigInt(n: bigint): Rational {
    return n === 0n ? Rational.ZERO : new Rational(n, 1n, 0);
  }

  /**
   * The exact value of a finite double, read from its IEEE-754 bits (mantissa · 2^exponent):
   * 0.1 becomes 3602879701896397/36028797018963968; -0 becomes 0; subnormals are exact.
   * Throws a PreimageError (NON_FINITE) for NaN and ±Infinity.
   */
  static fromNumber(x: number): Rational {
    splitDouble(x);
    return Rational.fromDyadic(BigInt(split.m), split.e);
  }

  /** The value m · 2^e (m any integer, e any integer). */
  static fromDyadic(m: bigint, e: number): Rational {
    if (m === 0n) return Rational.ZERO;
    if ((m & 1n) === 0n) {
      const t = ctz(m);
      m >>= BigInt(t);
      e += t;
    }
    if (e >= 0) return new Rational(e === 0 ? m : m << BigInt(e), 1n, 0);
    return new Rational(m, 1n << BigInt(-e), -e);
  }

  /** Parses "p", "p/q" or "-p/q" (decimal integers). */
  static parse(s: string): Rational {
    const t = s.trim();
    const match = /^([+-]?\d+)(?:\/([+-]?\d+))?$/.exec(t);
    if (!match) throw new PreimageError('BAD_ARGUMENT', `expected a rational "p/q", found ${JSON.stringify(s)}`);
    return Rational.of(BigInt(match[1]), match[2] === undefined ? 1n : BigInt(match[2]));
  }

  /** Normalises n/d for d > 0. */
  private static reduce(n: bigint, d: bigint): Rational {
    if (n === 0n) return Rational.ZERO;
    if (d === 1n) return new Rational(n, 1n, 0);
    const g = gcd(n, d);
    if (g !== 1n) {
      n /= g;
      d /= g;
    }
    return new Rational(n, d, isPow2(d) ? ctz(d) : -1);
  }

  /** n / 2^k reduced (k >= 0). */
  private static dyadic(n: bigint, k: number): Rational {
    if (n === 0n) return Rational.ZERO;
    if (k === 0) return new Rational(n, 1n, 0);
    if ((n & 1n) === 1n) return new Rational(n, 1n << BigInt(k), k);
    const t = Math.min(ctz(n), k);
    n >>= BigInt(t);
    k -= t;
    return k === 0 ? new Rational(n, 1n, 0) : new Rational(n, 1n << BigInt(k), k);
  }

  /** True when the denominator is a power of two (every double, and sums/products of them). */
  isDyadic(): boolean {
    return this.k >= 0;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isInteger(): boolean {
    return this.den === 1n;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.num > 0n ? 1 : this.num < 0n ? -1 : 0;
  }

  neg(): Rational {
    return this.num === 0n ? this : new Rational(-this.num, this.den, this.k);
  }

  abs(): Rational {
    return this.num < 0n ? new Rational(-this.num, this.den, this.k) : this;
  }

  add(o: Rational): Rational {
    const a = this.num, b = o.num;
    if (b === 0n) return this;
    if (a === 0n) return o;
    const ka = this.k, kb = o.k;
    if (ka >= 0 && kb >= 0) {
      if (ka === kb) return Rational.dyadic(a + b, ka);
      // Different k: the one with the larger k has an odd numerator, so the sum stays reduced.
      if (ka > kb) return new Rational(a + (b << BigInt(ka - kb)), this.den, ka);
      return new Rational((a << BigInt(kb - ka)) + b, o.den, kb);
    }
    // Knuth, TAOCP 4.5.1: add with gcd of the denominators.
    const d1 = this.den, d2 = o.den;
    const g = gcd(d1, d2);
    if (g === 1n) return new Rational(a * d2 + b * d1, d1 * d2, -1);
    const t = a * (d2 / g) + b * (d1 / g);
    if (t === 0n) return Rational.ZERO;
    const g2 = gcd(t, g);
    const num = g2 === 1n ? t : t / g2;
    const den = (d1 / g) * (g2 === 1n ? d2 : d2 / g2);
    return new Rational(num, den, isPow2(den) ? ctz(den) : -1);
  }

  sub(o: Rational): Rational {
    return this.add(o.neg());
  }

  mul(o: Rational): Rational {
    const a = this.num, b = o.num;
    if (a === 0n || b === 0n) return Rational.ZERO;
    const ka = this.k, kb = o.k;
    if (ka >= 0 && kb >= 0) return Rational.dyadic(a * b, ka + kb);
    // Cross-cancel: (a/d1)(b/d2) = (a/g1)(b/g2) / ((d2/g1)(d1/g2)).
    const g1 = gcd(a, o.den);
    const g2 = gcd(b, this.den);
    const num = (g1 === 1n ? a : a / g1) * (g2 === 1n ? b : b / g2);
    const den = (g2 === 1n ? this.den : this.den / g2) * (g1 === 1n ? o.den : o.den / g1);
    return new Rational(num, den, den === 1n ? 0 : isPow2(den) ? ctz(den) : -1);
  }

  /** 1 / this; throws on 0. */
  inv(): Rational {
    const n = this.num;
    if (n === 0n) throw new PreimageError('BAD_ARGUMENT', 'division by zero');
    const neg = n < 0n;
    const d = neg ? -n : n;
    const num = neg ? -this.den : this.den;
    return new Rational(num, d, d === 1n ? 0 : isPow2(d) ? ctz(d) : -1);
  }

  div(o: Rational): Rational {
    return this.mul(o.inv());
  }

  /** -1, 0, 1 as this <, =, > o. */
  cmp(o: Rational): -1 | 0 | 1 {
    const sa = this.sign(), sb = o.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    let l: bigint, r: bigint;
    if (this.k >= 0 && o.k >= 0) {
      l = this.k < o.k ? this.num << BigInt(o.k - this.k) : this.num;
      r = o.k < this.k ? o.num << BigInt(this.k - o.k) : o.num;
    } else {
      l = this.num * o.den;
      r = o.num * this.den;
    }
    return l < r ? -1 : l > r ? 1 : 0;
  }

  eq(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }

  lt(o: Rational): boolean {
    return this.cmp(o) < 0;
  }

  le(o: Rational): boolean {
    return this.cmp(o) <= 0;
  }

  static min(a: Rational, b: Rational): Rational {
    return a.cmp(b) <= 0 ? a : b;
  }

  static max(a: Rational, b: Rational): Rational {
    return a.cmp(b) >= 0 ? a : b;
  }

  /**
   * The double nearest to this value (round half to even), ±Infinity beyond the double range,
   * subnormals rounded correctly (no double rounding).
   */
  toNumber(): number {
    const n = this.num, d = this.den;
    if (n === 0n) return 0;
    const neg = n < 0n;
    const a = neg ? -n : n;
    if (a <= TWO53 && d <= TWO53) {
      // Both exact as doubles: one IEEE division is correctly rounded.
      const v = Number(a) / Number(d);
      return neg ? -v : v;
    }
    // floor(log2(a/d)) is L or L - 1.
    const L = bitLength(a) - bitLength(d);
    const geq = L >= 0 ? a >= d << BigInt(L) : a << BigInt(-L) >= d;
    const fl = geq ? L : L - 1;
    if (fl > 1023) return neg ? -Infinity : Infinity;
    // Scale so that the integer part q has 53 bits (or sits on the subnormal grid 2^-1074).
    const s = fl >= -1022 ? 52 - fl : 1074;
    if (s < -1100) return neg ? -Infinity : Infinity;
    const num2 = s >= 0 ? a << BigInt(s) : a;
    const den2 = s >= 0 ? d : d << BigInt(-s);
    let q = num2 / den2;
    const r2 = (num2 - q * den2) << 1n;
    if (r2 > den2 || (r2 === den2 && (q & 1n) === 1n)) q += 1n;
    // q <= 2^53 is exact as a double; q · 2^-s is representable (or overflows to Infinity).
    const v = s > 1022 ? Number(q) * pow2(-1022) * pow2(1022 - s) : Number(q) * pow2(-s);
    return neg ? -v : v;
  }

  /** "p/q" in decimal, always with the denominator ("3/1", "0/1"). Parse back with {@link Rational.parse}. */
  toString(): string {
    return `${this.num}/${this.den}`;
  }

  /** JSON form: the "p/q" string. */
  toJSON(): string {
    return this.toString();
  }
}

function toBigIntStrict(x: number): bigint {
  if (!Number.isInteger(x)) throw new PreimageError('BAD_ARGUMENT', `expected an integer, found ${x} (use Rational.fromNumber for doubles)`);
  return BigInt(x);
}
