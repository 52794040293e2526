/**
 * Exact verification of LP infeasibility certificates (Farkas vectors) computed in floating point.
 */
import type { FarkasCertificate, LpProblem } from '../lp/types.js';
import { type Dyadic, DYADIC_ZERO, dotRow, dyadicAdd, dyadicFromNumber, dyadicMul, dyadicNeg, scaledComponent, scaledFromNumbers, type ScaledVector } from './dyadic.js';
import { split, splitDouble } from './float.js';
import { Rational } from './rational.js';

/** Result of {@link verifyFarkas}. `ok` is a proof: the problem has no feasible point (read exactly). */
export interface FarkasCheck {
  ok: boolean;
  /**
   * `bound`: the certificate as given passed the bound test; `repaired`: exact multipliers derived
   * from its support passed it; `failed`: neither (infeasibility not proved, which does not mean the
   * problem is feasible).
   */
  method: 'bound' | 'repaired' | 'failed';
  reason?: string;
  /** min over the box of g·x minus the combined right-hand side; > 0 proves infeasibility. */
  margin?: Rational;
  /** The exact multipliers used when `method` is `repaired` (inequalities >= 0, equalities free). */
  repaired?: { y: Rational[]; yEq: Rational[] };
  /** Observations, e.g. negative inequality multipliers that were clipped to 0. */
  notes?: string[];
}

/** Options of {@link verifyFarkas}. */
export interface VerifyFarkasOptions {
  /** Attempt the exact repair when the bound test fails (default true). */
  repair?: boolean;
  /**
   * Largest support (rows with nonzero multipliers) for which the repair is attempted (default 64).
   * The exact elimination costs O(support³) operations on integers that grow to about
   * support · 60 bits: about 0.1 s at 30, 0.5 s at 50, minutes at 200.
   */
  maxRepairSupport?: number;
}

interface Evaluation {
  /** margin numerator (over the multipliers' den); meaningful only when bad is empty. */
  margin: Dyadic;
  den: bigint;
  /** Variables j where g_j pushes against an infinite bound (the box minimum is -infinity). */
  bad: number[];
}

/**
 * Verifies exactly that `cert` proves `problem` infeasible.
 *
 * The problem is  A x <= b, Aeq x = beq, lower <= x <= upper  (src/lp/types.ts) with every double
 * read as the rational it denotes. With g = Aᵀy + Aeqᵀ yEq and β = yᵀb + yEqᵀ beq computed exactly
 * (y >= 0), every feasible x satisfies g·x <= β, while every x in the box satisfies
 * g·x >= min_box(g) = Σ_j (g_j > 0 ? g_j l_j : g_j < 0 ? g_j u_j : 0). So min_box(g) > β proves
 * infeasibility (Neumaier & Shcherbina 2004, "Safe bounds in linear and mixed-integer programming").
 * This test is at least as strong as the certificate's own form with the bound multipliers
 * (r = g + yUpper - yLower = 0, yᵀb + ... < 0): the box minimum takes the best bound multipliers
 * exactly, so `yUpper`/`yLower` are not needed and not trusted. A float certificate leaves tiny
 * nonzero g_j; that is harmless on bounded variables and fatal on free ones (min_box = -infinity).
 *
 * Repair (method `repaired`): on the support of the certificate (y_i > 0, yEq_k != 0), solve exactly
 * (fraction-free Gaussian elimination over the integers) for multipliers z whose combination g(z)
 * vanishes on the free variables (and on half-bounded ones pushing against their infinite side),
 * keeping z equal to the float y on the non-pivot coordinates. The result is re-tested exactly
 * with the bound test; z >= 0 on inequalities is required.
 *
 * Negative inequality multipliers are clipped to 0 (noted); non-finite entries fail.
 * Guarantees: `ok: true` is a proof independent of floating point; `ok: false` proves nothing.
 * A float certificate of a system that is only approximately degenerate (e.g. n + 1 rows in Rⁿ
 * whose dependency holds in floating point but not exactly) has no exact repair: then the
 * system, read exactly, may well be feasible. Cost: O((m + meq)·n) BigInt operations for the
 * bound test; the repair is cubic in the support size (see {@link VerifyFarkasOptions}).
 */
export function verifyFarkas(problem: LpProblem, cert: FarkasCertificate, options: VerifyFarkasOptions = {}): FarkasCheck {
  const repairAllowed = options.repair ?? true;
  const maxSupport = options.maxRepairSupport ?? 64;
  const { n, m } = problem;
  const meq = problem.meq ?? (problem.beq ? problem.beq.length : 0);
  const lower = problem.lower ?? new Float64Array(n).fill(-Infinity);
  const upper = problem.upper ?? new Float64Array(n).fill(Infinity);
  const notes: string[] = [];
  const fail = (reason: string): FarkasCheck => ({ ok: false, method: 'failed', reason, ...(notes.length ? { notes } : {}) });

  if (cert.y.length !== m) return fail(`expected ${m} inequality multipliers, found ${cert.y.length}`);
  const yEqIn = cert.yEq ?? new Float64Array(0);
  if (yEqIn.length !== meq) return fail(`expected ${meq} equality multipliers, found ${yEqIn.length}`);
  if (problem.A.length < m * n || problem.b.length < m) return fail('problem A or b is shorter than m x n');
  if (meq > 0 && (!problem.Aeq || !problem.beq || problem.Aeq.length < meq * n || problem.beq.length < meq)) return fail('problem Aeq or beq is shorter than meq x n');

  // Inputs must be finite where they are used as numbers.
  for (let i = 0; i < m * n; i++) if (!Number.isFinite(problem.A[i])) return fail(`A has a non-finite entry at ${i}`);
  for (let i = 0; i < meq * n; i++) if (!Number.isFinite(problem.Aeq![i])) return fail(`Aeq has a non-finite entry at ${i}`);
  for (let i = 0; i < m; i++) if (!Number.isFinite(problem.b[i])) return fail(`b has a non-finite entry at ${i}`);
  for (let i = 0; i < meq; i++) if (!Number.isFinite(problem.beq![i])) return fail(`beq has a non-finite entry at ${i}`);
  for (let j = 0; j < n; j++) {
    if (Number.isNaN(lower[j]) || Number.isNaN(upper[j]) || lower[j] === Infinity || upper[j] === -Infinity)
      return fail(`bounds of variable ${j} are invalid: [${lower[j]}, ${upper[j]}]`);
  }
  // An empty box is its own proof.
  for (let j = 0; j < n; j++) {
    if (lower[j] > upper[j]) return { ok: true, method: 'bound', reason: `empty box: lower[${j}] = ${lower[j]} > upper[${j}] = ${upper[j]}`, margin: Rational.fromNumber(lower[j]).sub(Rational.fromNumber(upper[j])) };
  }

  const y = new Float64Array(m + meq);
  let clipped = 0;
  for (let i = 0; i < m; i++) {
    const v = cert.y[i];
    if (!Number.isFinite(v)) return fail(`y[${i}] is not finite (${v})`);
    if (v < 0) clipped++;
    y[i] = v > 0 ? v : 0;
  }
  for (let k = 0; k < meq; k++) {
    const v = yEqIn[k];
    if (!Number.isFinite(v)) return fail(`yEq[${k}] is not finite (${v})`);
    y[m + k] = v === 0 ? 0 : v; // -0 -> 0
  }
  if (clipped > 0) notes.push(`${clipped} negative inequality multiplier(s) clipped to 0`);

  // Stacked rows [A; Aeq] and right-hand sides [b; beq].
  const rows = m + meq;
  const S = new Float64Array(rows * n);
  S.set(problem.A.subarray(0, m * n));
  if (meq > 0) S.set(problem.Aeq!.subarray(0, meq * n), m * n);
  const rhs = new Float64Array(rows);
  rhs.set(problem.b.subarray(0, m));
  if (meq > 0) rhs.set(problem.beq!.subarray(0, meq), m);

  const evaluate = (v: ScaledVector): Evaluation => {
    const bad: number[] = [];
    let boxMin: Dyadic = DYADIC_ZERO;
    for (let j = 0; j < n; j++) {
      const g = dotRow(S, j, n, v);
      if (g.m === 0n) continue;
      const bound = g.m > 0n ? lower[j] : upper[j];
      if (!Number.isFinite(bound)) {
        bad.push(j);
        continue;
      }
      boxMin = dyadicAdd(boxMin, dyadicMul(g, dyadicFromNumber(bound)));
    }
    const beta = dotRow(rhs, 0, 1, v);
    return { margin: dyadicAdd(boxMin, dyadicNeg(beta)), den: v.den, bad };
  };
  const marginOf = (e: Evaluation): Rational => {
    const r = Rational.fromDyadic(e.margin.m, e.margin.e);
    return e.den === 1n ? r : r.div(Rational.fromBigInt(e.den));
  };

  const first = evaluate(scaledFromNumbers(y));
  if (first.bad.length === 0 && first.margin.m > 0n) return { ok: true, method: 'bound', margin: marginOf(first), ...(notes.length ? { notes } : {}) };
  let why =
    first.bad.length > 0
      ? `the combination Aᵀy is not exactly 0 on ${first.bad.length} variable(s) without the needed bound (first: x${first.bad[0]})`
      : `the bound test gives margin ${marginOf(first).toNumber()} <= 0`;

  // ---- exact repair on the support ----
  const support: number[] = [];
  for (let i = 0; i < rows; i++) if (y[i] !== 0) support.push(i);
  if (support.length === 0) return fail(`${why}; the certificate is zero`);
  if (!repairAllowed) return fail(`${why}; repair disabled`);
  if (support.length > maxSupport) return fail(`${why}; repair not attempted: support of ${support.length} rows exceeds maxRepairSupport = ${maxSupport}`);
  const forced = new Set<number>();
  for (let j = 0; j < n; j++) if (lower[j] === -Infinity && upper[j] === Infinity) forced.add(j);
  for (const j of first.bad) forced.add(j);
  for (let round = 0; round < 4; round++) {
    const z = solveOnSupport(S, n, y, support, [...forced].sort((a, b) => a - b));
    if (z === null) return fail(`${why}; repair found no nonzero combination on the support`);
    for (let t = 0; t < support.length; t++) {
      if (support[t] < m && z.ints[t] < 0n) return fail(`${why}; repair needs a negative multiplier for inequality row ${support[t]}`);
    }
    // Spread over all rows (same exp and den).
    const ints: bigint[] = new Array(rows).fill(0n);
    support.forEach((i, t) => (ints[i] = z.ints[t]));
    const full: ScaledVector = { ints, exp: z.exp, den: z.den, nonzero: z.nonzero.map((t) => support[t]).sort((a, b) => a - b) };
    const e = evaluate(full);
    if (e.bad.length === 0) {
      if (e.margin.m > 0n) {
        const mult = Array.from({ length: rows }, (_, i) => scaledComponent(full, i));
        return { ok: true, method: 'repaired', margin: marginOf(e), repaired: { y: mult.slice(0, m), yEq: mult.slice(m) }, ...(notes.length ? { notes } : {}) };
      }
      return fail(`${why}; the repaired certificate gives margin ${marginOf(e).toNumber()} <= 0`);
    }
    let grew = false;
    for (const j of e.bad) if (!forced.has(j)) (forced.add(j), (grew = true));
    if (!grew) break;
    why += `; repair round ${round + 1} left x${e.bad[0]} unbounded`;
  }
  return fail(`${why}; repair did not converge`);
}

/**
 * Exact z over the support rows with Σ_t z_t S[support[t], j] = 0 for every j in `cols`, equal to
 * the float y on the non-pivot coordinates. Pivot columns are chosen in order of decreasing
 * |y_t|·‖row‖ so that the large multipliers absorb the correction. Returned as one scaled vector
 * z_t = ints[t] · 2^exp / den (no gcd anywhere); null if z would be 0.
 *
 * Method: fraction-free (Bareiss) elimination of the integer matrix (each constraint row scaled
 * by a power of two), then integer back-substitution: with D = |last Bareiss pivot| = |det| of
 * the pivot block, D·z is integral by Cramer's rule, so every division is exact.
 */
function solveOnSupport(S: Float64Array, n: number, y: Float64Array, support: number[], cols: number[]): ScaledVector | null {
  const C = support.length;
  // Integer matrix M: row f = variable cols[f], scaled by a power of two (null space unchanged).
  const M: bigint[][] = [];
  for (const j of cols) {
    const ms = new Float64Array(C);
    const es = new Int32Array(C);
    let emin = Infinity;
    for (let t = 0; t < C; t++) {
      splitDouble(S[support[t] * n + j]);
      ms[t] = split.m;
      es[t] = split.e;
      if (split.m !== 0 && split.e < emin) emin = split.e;
    }
    if (emin === Infinity) continue; // all zero: no constraint
    M.push(Array.from({ length: C }, (_, t) => (ms[t] === 0 ? 0n : BigInt(ms[t]) << BigInt(es[t] - emin))));
  }
  const weight = support.map((i, t) => {
    let w = 0;
    for (let j = 0; j < n; j++) w = Math.max(w, Math.abs(S[i * n + j]));
    return Math.abs(y[support[t]]) * w;
  });
  const order = Array.from({ length: C }, (_, t) => t).sort((a, b) => weight[b] - weight[a] || a - b);
  // Fraction-free (Bareiss) elimination with column priority `order`.
  const used = new Uint8Array(M.length);
  const pivots: { r: number; c: number }[] = [];
  let prev = 1n;
  for (const c of order) {
    if (pivots.length === M.length) break;
    let r = -1;
    for (let i = 0; i < M.length; i++) {
      if (!used[i] && M[i][c] !== 0n) {
        r = i;
        break;
      }
    }
    if (r < 0) continue;
    used[r] = 1;
    pivots.push({ r, c });
    const pr = M[r];
    const p = pr[c];
    for (let i = 0; i < M.length; i++) {
      if (used[i]) continue;
      const row = M[i];
      const f = row[c];
      if (f === 0n) {
        if (p !== prev) for (let j = 0; j < C; j++) if (row[j] !== 0n) row[j] = (p * row[j]) / prev;
        continue;
      }
      for (let j = 0; j < C; j++) row[j] = (p * row[j] - f * pr[j]) / prev;
    }
    prev = p; // the next step divides exactly by this pivot
  }
  const isPivot = new Uint8Array(C);
  for (const { c } of pivots) isPivot[c] = 1;
  // Free coordinates: the float y as integers over a common power of two.
  const freeIdx: number[] = [];
  for (let t = 0; t < C; t++) if (!isPivot[t]) freeIdx.push(t);
  const free = scaledFromNumbers(freeIdx.map((t) => y[support[t]]));
  if (free.nonzero.length === 0) return null;
  const D = prev < 0n ? -prev : prev;
  const Z: bigint[] = new Array(C).fill(0n);
  freeIdx.forEach((t, k) => (Z[t] = free.ints[k] * D));
  for (let k = pivots.length - 1; k >= 0; k--) {
    const { r, c } = pivots[k];
    const row = M[r];
    let acc = 0n;
    for (let j = 0; j < C; j++) if (j !== c && row[j] !== 0n) acc += row[j] * Z[j];
    Z[c] = -acc / row[c]; // exact (Cramer)
  }
  const nonzero: number[] = [];
  for (let t = 0; t < C; t++) if (Z[t] !== 0n) nonzero.push(t);
  return { ints: Z, exp: free.exp, den: D, nonzero };
}
