/**
 * Reading IEEE-754 doubles exactly: every finite double is m · 2^e with an integer m, |m| < 2^53.
 * The bits are read directly (never through decimal strings).
 */
import { PreimageError } from '../errors.js';

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;
const TWO32 = 4294967296;
const TWO52 = 4503599627370496;

/** Scratch outputs of {@link splitDouble} (avoids allocating in hot loops). */
export const split = { m: 0, e: 0 };

function ctz32(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/**
 * Writes the exact value of the finite double x as `split.m · 2^split.e` with `split.m` an odd
 * integer (|m| < 2^53, carrying the sign), or m = 0, e = 0 for ±0. Throws on NaN and ±Infinity.
 */
export function splitDouble(x: number): void {
  F64[0] = x;
  const hi = U32[HI];
  const lo = U32[LO];
  const bexp = (hi >>> 20) & 0x7ff;
  if (bexp === 0x7ff) throw new PreimageError('NON_FINITE', `expected a finite number, found ${x}`);
  let m = (hi & 0xfffff) * TWO32 + lo;
  let e: number;
  if (bexp === 0) {
    if (m === 0) {
      split.m = 0;
      split.e = 0;
      return;
    }
    e = -1074; // subnormal: no implicit bit
  } else {
    m += TWO52;
    e = bexp - 1075;
  }
  const low = m % TWO32;
  const tz = low !== 0 ? ctz32(low) : 32 + ctz32(Math.floor(m / TWO32));
  if (tz > 0) {
    m /= 2 ** tz; // exact: removes trailing zero bits
    e += tz;
  }
  split.m = hi >>> 31 ? -m : m;
  split.e = e;
}

/** Exactly 2^e as a double for integer e in [-1074, 1023] (0 below, Infinity above). */
export function pow2(e: number): number {
  if (e > 1023) return Infinity;
  if (e < -1074) return 0;
  if (e >= -1022) {
    U32[HI] = (e + 1023) << 20;
    U32[LO] = 0;
    return F64[0];
  }
  // Subnormal: a single mantissa bit.
  const bit = e + 1074; // 0..51
  if (bit >= 32) {
    U32[HI] = 2 ** (bit - 32);
    U32[LO] = 0;
  } else {
    U32[HI] = 0;
    U32[LO] = 2 ** bit;
  }
  return F64[0];
}
