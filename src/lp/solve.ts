import { PreimageError } from '../errors.js';
import { SimplexCore } from './core.js';
import { solveCore, type LpOptions } from './ladder.js';
import type { LpProblem, LpResult } from './types.js';

export type { LpOptions } from './ladder.js';

/** One engine reused by every {@link solveLp} call, so its scratch buffers are allocated once. */
let shared: SimplexCore | null = null;

/** Throws a PreimageError('BAD_ARGUMENT') unless `p` has consistent shapes and usable numbers. */
export function checkLpProblem(p: LpProblem): void {
  const bad = (msg: string): never => {
    throw new PreimageError('BAD_ARGUMENT', msg, 'LpProblem');
  };
  const { n, m } = p;
  const meq = p.meq ?? 0;
  if (!Number.isInteger(n) || n < 1) bad(`expected n to be a positive integer, found ${n}`);
  if (!Number.isInteger(m) || m < 0) bad(`expected m to be a non-negative integer, found ${m}`);
  if (!Number.isInteger(meq) || meq < 0) bad(`expected meq to be a non-negative integer, found ${meq}`);
  if (p.c.length < n) bad(`expected c of length ${n}, found ${p.c.length}`);
  if (p.A.length < m * n) bad(`expected A of length m*n = ${m * n}, found ${p.A.length}`);
  if (p.b.length < m) bad(`expected b of length ${m}, found ${p.b.length}`);
  for (let j = 0; j < n; j++) if (!Number.isFinite(p.c[j])) bad(`c[${j}] is ${p.c[j]}, expected a finite number`);
  for (let i = 0; i < m * n; i++) if (!Number.isFinite(p.A[i])) bad(`A[${i}] is ${p.A[i]}, expected a finite number`);
  for (let i = 0; i < m; i++) if (Number.isNaN(p.b[i]) || p.b[i] === -Infinity) bad(`b[${i}] is ${p.b[i]}`);
  if (meq > 0) {
    if (!p.Aeq || p.Aeq.length < meq * n) bad(`expected Aeq of length meq*n = ${meq * n}`);
    if (!p.beq || p.beq.length < meq) bad(`expected beq of length ${meq}`);
    for (let i = 0; i < meq * n; i++) if (!Number.isFinite(p.Aeq![i])) bad(`Aeq[${i}] is ${p.Aeq![i]}`);
    for (let i = 0; i < meq; i++) if (!Number.isFinite(p.beq![i])) bad(`beq[${i}] is ${p.beq![i]}`);
  }
  if (p.lower) {
    if (p.lower.length < n) bad(`expected lower of length ${n}`);
    for (let j = 0; j < n; j++) if (Number.isNaN(p.lower[j]) || p.lower[j] === Infinity) bad(`lower[${j}] is ${p.lower[j]}`);
  }
  if (p.upper) {
    if (p.upper.length < n) bad(`expected upper of length ${n}`);
    for (let j = 0; j < n; j++) if (Number.isNaN(p.upper[j]) || p.upper[j] === -Infinity) bad(`upper[${j}] is ${p.upper[j]}`);
  }
}

/** Loads `p` into `core` (rows normalised) and installs the slack basis. */
export function loadProblem(core: SimplexCore, p: LpProblem): void {
  core.load(p.n, p.m, p.A, p.b, p.meq ?? 0, p.Aeq, p.beq, p.lower, p.upper, p.c);
  core.coldBasis();
}

/**
 * Solves  minimise c·x  s.t.  A x <= b,  Aeq x = beq,  lower <= x <= upper.
 *
 * Method: bounded dual simplex in active-set form on a dense tableau (rows x n, plus the n x n
 * basis inverse), with every row scaled to unit 2-norm first. Dual steepest-edge pricing,
 * Harris ratio test with bound flipping; free variables start as placeholder rows and costs
 * that are not dual feasible are shifted, then removed by a primal simplex (which also finds
 * unbounded rays). Cycling is detected by hashing visited bases (then Bland's rule). A retry
 * ladder (fresh refactorisation; slack basis with largest-violation pricing; cost perturbation;
 * pivot tolerance 1e-7 with Bland's rule) runs when an attempt fails or its answer fails the
 * check; each retry is recorded in `warnings`. Buffers are reused across calls.
 *
 * Guarantees (never a silent wrong answer: every status is checked from scratch before return):
 * - `optimal`: x satisfies every row to TOL.LP_VERIFY relative to max(1 + |b_i|/‖a_i‖, ‖x‖∞)
 *   after scaling rows to unit norm (bounds likewise); `dual`, `dualLower`, `dualUpper` >= 0 and
 *   c + Aᵀ dual + Aeqᵀ dualEq + dualUpper − dualLower = 0 to TOL.LP_VERIFY·max(1, ‖c‖∞);
 *   `objective` = c·x. Duals are clamped to their sign (a Harris step can leave −1e-9).
 * - `infeasible`: `farkas` as documented in FarkasCertificate (y >= 0 on inequalities, yEq free,
 *   yUpper/yLower >= 0 on finite bounds), with ‖yᵀA + yEqᵀAeq + yUpper − yLower‖∞ <=
 *   TOL.FARKAS·Σ|multiplier|·‖row‖ and combined right-hand side < −TOL.FARKAS·Σ|multiplier|·‖row‖·
 *   (1 + max|bound|). Multipliers are a basis' coordinates (at most n + 1 nonzero); rounding
 *   noise below 1e-12 of the largest is dropped so exact checkers see the true support.
 * - `unbounded`: a feasible `x` (same test as optimal) and a `ray` d, ‖d‖∞ = 1, with
 *   a_i·d <= TOL.FARKAS·‖a_i‖ on inequalities, |a·d| likewise on equalities, d_j >= 0 (<= 0)
 *   where x_j has a finite lower (upper) bound, and c·d < 0.
 * - `numerical_failure`: every rung failed (or `timeLimitMs` passed); `warnings` say why.
 * Tolerances: during the solve a row counts as satisfied within TOL.PRIMAL·(1 + |b_i|/‖a_i‖) on
 * unit-norm rows (plus rounding noise 1e-14·√n·‖x‖∞), so a slab thinner than about 1e-9 is
 * feasible (see the margin rule in src/tolerance.ts). Reduced costs use TOL.DUAL·max(1, ‖c‖∞),
 * pivots |α| > TOL.PIVOT.
 * Cost: O((m + meq + n) n) per pivot (the row update runs in a WebAssembly SIMD kernel when
 * available), O((m + meq) n²) per refactorisation, memory 2 (m + meq) n + n² doubles.
 * @throws PreimageError('BAD_ARGUMENT') on inconsistent shapes, NaN, or non-finite matrix entries.
 */
export function solveLp(p: LpProblem, opts?: LpOptions): LpResult {
  checkLpProblem(p);
  const core = (shared ??= new SimplexCore());
  loadProblem(core, p);
  return solveCore(core, opts);
}
