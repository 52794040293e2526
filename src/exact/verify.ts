/**
 * Exact checks of points against linear constraints given as doubles. The doubles are read as
 * the exact rationals they denote; nothing is rounded.
 */
import { PreimageError } from '../errors.js';
import type { HPolyhedron } from '../polyhedra/types.js';
import { type Dyadic, DYADIC_ZERO, dotRow, dyadicAdd, dyadicNeg, dyadicTimesInt, scaledFrom, type ScaledVector } from './dyadic.js';
import type { ExactInput } from './forward.js';
import { Rational } from './rational.js';

/** Options of {@link verifyPoint}. */
export interface VerifyPointOptions {
  /** Require A x < b strictly (the interior). Equalities are always exact. Default false. */
  strict?: boolean;
  /** Equality rows (meq x n, row-major) and right-hand sides. */
  Aeq?: Float64Array;
  beq?: Float64Array;
  meq?: number;
}

/** Result of {@link verifyPoint}. */
export interface PointCheck {
  /** A x <= b (< b when strict) and Aeq x = beq hold exactly. */
  ok: boolean;
  /**
   * The row with the smallest slack: inequality rows are numbered 0..m-1 (slack b_i - a_i·x),
   * equality rows m..m+meq-1 (slack -|a_k·x - beq_k|, so 0 when satisfied). Absent with no rows.
   */
  worstRow?: number;
  /** That smallest slack, exactly. Negative means violated. */
  slack?: Rational;
}

function toRational(d: Dyadic, den: bigint): Rational {
  const r = Rational.fromDyadic(d.m, d.e);
  return den === 1n ? r : r.div(Rational.fromBigInt(den));
}

/** Exact numerators (over v.den) of b_i - a_i·x for the rows of A (m x n). */
function slacks(A: Float64Array, b: Float64Array, m: number, n: number, v: ScaledVector): Dyadic[] {
  const out: Dyadic[] = new Array(m);
  for (let i = 0; i < m; i++) out[i] = dyadicAdd(dyadicTimesInt(b[i], v.den), dyadicNeg(dotRow(A, i * n, 1, v)));
  return out;
}

function cmpNumerators(a: Dyadic, b: Dyadic): number {
  const d = dyadicAdd(a, dyadicNeg(b));
  return d.m > 0n ? 1 : d.m < 0n ? -1 : 0;
}

/**
 * Checks exactly that x satisfies A x <= b (A x < b with `strict`) and Aeq x = beq, where the
 * float inputs are read as the rationals they denote. A (m x n) and Aeq (meq x n) are row-major;
 * x is doubles or Rationals (length n).
 *
 * Method: each row is one exact dyadic dot product (BigInt, no gcd); all slacks share the
 * denominator of x, so comparing them needs no division.
 */
export function verifyPoint(A: Float64Array, b: Float64Array, m: number, n: number, x: ExactInput, options: VerifyPointOptions = {}): PointCheck {
  if (x.length !== n) throw new PreimageError('BAD_INPUT', `expected a point of ${n} numbers, found ${x.length}`);
  if (A.length < m * n || b.length < m) throw new PreimageError('SHAPE_MISMATCH', `expected A with ${m * n} entries and b with ${m}, found ${A.length} and ${b.length}`);
  const meq = options.meq ?? (options.beq ? options.beq.length : 0);
  const Aeq = options.Aeq ?? new Float64Array(0);
  const beq = options.beq ?? new Float64Array(0);
  if (Aeq.length < meq * n || beq.length < meq) throw new PreimageError('SHAPE_MISMATCH', `expected Aeq with ${meq * n} entries and beq with ${meq}, found ${Aeq.length} and ${beq.length}`);
  const v = scaledFrom(x);
  const strict = options.strict ?? false;
  let ok = true;
  let worst = -1;
  let worstVal: Dyadic = DYADIC_ZERO;
  const s = slacks(A, b, m, n, v);
  for (let i = 0; i < m; i++) {
    const sg = s[i].m > 0n ? 1 : s[i].m < 0n ? -1 : 0;
    if (sg < 0 || (strict && sg === 0)) ok = false;
    if (worst < 0 || cmpNumerators(s[i], worstVal) < 0) {
      worst = i;
      worstVal = s[i];
    }
  }
  const r = slacks(Aeq, beq, meq, n, v);
  for (let k = 0; k < meq; k++) {
    const negAbs: Dyadic = r[k].m > 0n ? dyadicNeg(r[k]) : r[k];
    if (negAbs.m !== 0n) ok = false;
    if (worst < 0 || cmpNumerators(negAbs, worstVal) < 0) {
      worst = m + k;
      worstVal = negAbs;
    }
  }
  if (worst < 0) return { ok };
  return { ok, worstRow: worst, slack: toRational(worstVal, v.den) };
}

/** {@link verifyPoint} for an H-polyhedron (src/polyhedra/types.ts). */
export function verifyPointInPolyhedron(P: HPolyhedron, x: ExactInput, options: { strict?: boolean } = {}): PointCheck {
  return verifyPoint(P.A, P.b, P.m, P.n, x, { strict: options.strict, Aeq: P.Aeq, beq: P.beq, meq: P.meq });
}

/** Exact W x + b (W m x n row-major doubles, b length m) as Rationals; x doubles or Rationals. */
export function exactAffine(W: Float64Array, b: Float64Array, m: number, n: number, x: ExactInput): Rational[] {
  if (x.length !== n) throw new PreimageError('BAD_INPUT', `expected a point of ${n} numbers, found ${x.length}`);
  const v = scaledFrom(x);
  const out: Rational[] = new Array(m);
  for (let i = 0; i < m; i++) out[i] = toRational(dyadicAdd(dotRow(W, i * n, 1, v), dyadicTimesInt(b[i], v.den)), v.den);
  return out;
}

/** Exact signs (-1, 0, 1) of W x + b, without building Rationals. */
export function exactAffineSigns(W: Float64Array, b: Float64Array, m: number, n: number, x: ExactInput): Int8Array {
  if (x.length !== n) throw new PreimageError('BAD_INPUT', `expected a point of ${n} numbers, found ${x.length}`);
  const v = scaledFrom(x);
  const out = new Int8Array(m);
  for (let i = 0; i < m; i++) {
    const d = dyadicAdd(dotRow(W, i * n, 1, v), dyadicTimesInt(b[i], v.den));
    out[i] = d.m > 0n ? 1 : d.m < 0n ? -1 : 0;
  }
  return out;
}

/**
 * Checks exactly that W x + b = y for doubles W, b, y and x (doubles or Rationals), e.g. that a
 * witness maps onto a point target. Returns the first differing row, if any.
 */
export function verifyAffineEquality(W: Float64Array, b: Float64Array, m: number, n: number, x: ExactInput, y: ArrayLike<number>): { ok: boolean; row?: number; difference?: Rational } {
  const z = exactAffine(W, b, m, n, x);
  for (let i = 0; i < m; i++) {
    const d = z[i].sub(Rational.fromNumber(y[i]));
    if (!d.isZero()) return { ok: false, row: i, difference: d };
  }
  return { ok: true };
}
