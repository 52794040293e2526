/**
 * Linear programs in the form used everywhere in relu-preimage:
 *
 *   minimise c·x  subject to  A x <= b,  Aeq x = beq,  lower <= x <= upper
 *
 * Matrices are row-major Float64Arrays. Bounds may be ±Infinity; variables without bounds are free.
 */
export interface LpProblem {
  /** Number of variables. */
  n: number;
  /** Objective (length n); minimised. All zeros for a pure feasibility problem. */
  c: Float64Array;
  /** Inequality rows (m x n, row-major) and right-hand sides (length m). */
  A: Float64Array;
  b: Float64Array;
  m: number;
  /** Equality rows (meq x n) and right-hand sides; optional. */
  Aeq?: Float64Array;
  beq?: Float64Array;
  meq?: number;
  /** Variable bounds (length n, ±Infinity allowed); default free. */
  lower?: Float64Array;
  upper?: Float64Array;
}

/** Outcome of an LP. Never thrown: trouble is a status. */
export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'numerical_failure';

/**
 * Infeasibility certificate (Farkas vector) over the problem's rows in this order:
 * inequalities (y >= 0), equalities (free), upper bounds x_j <= u_j (>= 0), lower bounds
 * -x_j <= -l_j (>= 0). It proves infeasibility when
 *   yA^T A + yEq^T Aeq + yUpper - yLower = 0  and  y^T b + yEq^T beq + yUpper·u - yLower·l < 0.
 * Entries for infinite bounds are 0.
 */
export interface FarkasCertificate {
  y: Float64Array;
  yEq: Float64Array;
  yUpper: Float64Array;
  yLower: Float64Array;
}

export interface LpResult {
  status: LpStatus;
  /** Primal point (optimal: the optimum). */
  x?: Float64Array;
  /** Objective value at x. */
  objective?: number;
  /** Dual values for inequality rows (>= 0 for a minimisation, c = -A^T dual + ...). */
  dual?: Float64Array;
  /** Dual values for equality rows. */
  dualEq?: Float64Array;
  /**
   * Multipliers of the variable bounds (optimal only; both >= 0, 0 for infinite bounds), completing
   * stationarity: c + Aᵀ dual + Aeqᵀ dualEq + dualUpper − dualLower = 0 (to TOL.DUAL).
   */
  dualUpper?: Float64Array;
  dualLower?: Float64Array;
  /** Present when status is `infeasible`. */
  farkas?: FarkasCertificate;
  /** Present when status is `unbounded`: a feasible direction d with c·d < 0. */
  ray?: Float64Array;
  /** Simplex iterations (pivots) used, summed over the retry ladder. */
  iterations: number;
  /** Human-readable notes of the retry ladder, e.g. "retried with Bland's rule". */
  warnings?: string[];
}
