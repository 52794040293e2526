/**
 * The one place tolerances live. Each constant says what it guards. Change them here only.
 *
 * Margin rule (see docs/algorithms.md): every floating-point LP calls a slab feasible when its
 * true thickness is below about 1e-7. A piece is therefore classified by its Chebyshev radius r
 * (radius of the largest ball inside it, constraints row-normalised):
 *   - r >  FULL_DIM_RADIUS: full-dimensional;
 *   - otherwise, if the system with its implicit equalities made explicit is feasible, it is
 *     lower-dimensional (its dimension is that of the affine hull) and reported as such;
 *   - thin: FEASIBILITY_TOL < r <= FULL_DIM_RADIUS and not provably lower-dimensional: reported
 *     with status `thin`, never silently dropped or kept;
 *   - empty: the LP is infeasible beyond FEASIBILITY_TOL (a Farkas certificate is attached).
 */
export const TOL = {
  /** Primal feasibility of an LP row after row normalisation (|a|=1): violation allowed. */
  PRIMAL: 1e-9,
  /** Dual feasibility (reduced cost sign) in the simplex. */
  DUAL: 1e-9,
  /** Smallest pivot magnitude accepted relative to the row/column scale. */
  PIVOT: 1e-9,
  /**
   * LP answers are re-verified from scratch before they are returned: primal residuals (relative
   * to 1 + |rhs| on unit-norm rows), dual signs and stationarity (relative to max(1, ‖c‖∞)) must
   * be within this. Looser than PRIMAL/DUAL because the check recomputes what pivots updated.
   */
  LP_VERIFY: 1e-8,
  /**
   * A Farkas certificate y must satisfy ‖Σ y_i a_i‖∞ <= FARKAS · Σ |y_i| ‖a_i‖ (bounds included)
   * with a negative combined right-hand side; an unbounded ray d must satisfy a_i·d <= FARKAS ‖d‖.
   */
  FARKAS: 1e-9,
  /** A piece is full-dimensional when its Chebyshev radius exceeds this (in result units). */
  FULL_DIM_RADIUS: 1e-7,
  /** A row is an implicit equality (lower-dimensional set) when its largest slack over the set is at most this; up to FULL_DIM_RADIUS the set is `thin`. */
  IMPLICIT_EQUALITY: 1e-11,
  /** Below this a slab is indistinguishable from empty for any float LP. */
  FEASIBILITY: 1e-9,
  /** Relative singular-value cutoff for numerical rank. */
  RANK: 1e-10,
  /** A vertex lies on a hyperplane a·x + c = 0 when |a·v + c| <= VERTEX_ZERO · |a| · (1 + max|v|) (vertex search). */
  VERTEX_ZERO: 1e-10,
  /** Relative agreement of the local affine map with the network at interior points. */
  AFFINE_CHECK: 1e-7,
  /**
   * Double description, H -> V (src/polyhedra/vrep.ts): a unit ray y lies on the hyperplane of a
   * unit homogeneous row g when |g·y| <= DD_ZERO. Guards the zero sets that decide adjacency and
   * incidence; the slack is a distance in units where the polytope is O(1) (vrep.ts rescales when
   * not). Measured: with 1e-9, groups of constraints tilted by 1e-7 had vertices up to 1e-2 apart
   * merged and volumes off by up to 13% depending on the constraint order; 1e-11 removed that, while
   * slacks of exactly degenerate vertices (cross-polytopes, integer data) come out below 1e-14.
   */
  DD_ZERO: 1e-11,
  /** Two vertices (or unit rays) closer than MERGE * max(1, |v|) are reported as one. */
  MERGE: 1e-9,
  /**
   * toHRep (V -> H, a DD on the polar): a generator within this distance (relative to the set's size)
   * of a facet hyperplane lies on it. Looser than DD_ZERO because generators are often computed
   * points whose rounding noise (vertices of nearly parallel constraints) DD_ZERO would resolve
   * into spurious or missing facets (see hrep.ts). Redone at 10x when a facet cuts off a generator.
   */
  DD_ZERO_POLAR: 1e-7,
  /** volume(P, V): a given vertex v lies on row a·x <= b when |a·v − b| <= INCIDENCE · |a| · max(1, |v|∞). */
  INCIDENCE: 1e-9,
} as const;
