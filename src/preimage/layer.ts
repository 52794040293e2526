/**
 * The founding paper's construction (Carlsson et al., ICLR 2017 workshop): the preimage of one
 * layer's activity y = ReLU(W x + b) in the coordinates x of the layer below.
 *
 *   active units j (y_j > 0):   w_j·x + b_j = y_j   (equalities)
 *   inactive units i (y_i = 0): w_i·x + b_i <= 0    (half-spaces)
 *
 * For square invertible W the set is the apex x0 = W⁻¹(y − b) (inactive y_i set to 0) plus the
 * cone spanned by −e_i over the inactive units, e_i being the columns of W⁻¹ (w_j·e_i = δ_ij).
 * Every other shape is handled and named: more outputs than inputs (y may lie outside the
 * image; equalities may be redundant), fewer outputs than inputs or rank-deficient W (the null
 * space adds lines).
 */
import { PreimageError } from '../errors.js';
import { inverse, leastSquares, rank } from '../linalg/index.js';
import { classify, linealitySpace, removeRedundant } from '../polyhedra/ops.js';
import type { HPolyhedron } from '../polyhedra/types.js';
import type { Network } from '../network/types.js';
import { TOL } from '../tolerance.js';

/** Which shape of W occurred; see the module doc. */
export type LayerCase = 'square_invertible' | 'more_outputs' | 'fewer_outputs' | 'rank_deficient';

/** The preimage of one layer's activity, in the coordinates of the layer below. */
export interface LayerPreimage {
  /** Layer l whose activity was inverted (1-based); coordinates are those of layer l-1. */
  layer: number;
  /** `activity`: y is a post-ReLU activity; `preactivation`: y is z = W x + b itself. */
  mode: 'activity' | 'preactivation';
  /** Dimension of layer l-1. */
  n: number;
  /** The activity (or pre-activation) that was inverted. */
  activity: Float64Array;
  active: number[];
  inactive: number[];
  case: LayerCase;
  /** Rank of W (numerical, relative to its largest singular value). */
  rank: number;
  /** The preimage as {x : A x <= b, Aeq x = beq} (all rows, before redundancy removal). */
  polyhedron: HPolyhedron;
  /** Rows of `polyhedron.A` that are redundant (implied by the others). */
  redundantRows: number[];
  /** Is the preimage empty? */
  empty: boolean;
  /** Why it is empty, when it is. */
  emptyReason?: string;
  /** Least-squares residual |W_act x − (y − b)_act| of the equalities (0 up to rounding when y is in the image). */
  residual: number;
  /** Dimension of the preimage (-1 when empty). */
  dim: number;
  /** A point of the preimage (relative interior), null when empty. */
  witness: Float64Array | null;
  /** Square invertible W only: the apex W⁻¹(y − b) with inactive entries of y set to 0. */
  apex?: Float64Array;
  /** Square invertible W only: e_i, the columns of W⁻¹ (w_j·e_i = δ_ij). */
  basis?: Float64Array[];
  /** Square invertible W only: the cone generators −e_i of the inactive units. */
  coneGenerators?: Float64Array[];
  /** Orthonormal basis of the lineality space (lines contained in the preimage). */
  lines: Float64Array[];
  /** Plain-language notes on the case that occurred. */
  notes: string[];
}

/**
 * Preimage of activity `y` of layer `layer` (1-based) in layer `layer-1` coordinates.
 * @throws PreimageError NOT_RELU_OUTPUT when y has negative entries in `activity` mode of a ReLU layer,
 * BAD_ARGUMENT for a wrong layer index or length.
 */
export function layerPreimage(net: Network, layer: number, y: ArrayLike<number>, opts: { mode?: 'activity' | 'preactivation' } = {}): LayerPreimage {
  if (!Number.isInteger(layer) || layer < 1 || layer > net.layers.length) {
    throw new PreimageError('BAD_ARGUMENT', `expected --layer between 1 and ${net.layers.length}, found ${layer}`);
  }
  const L = net.layers[layer - 1];
  const mode = opts.mode ?? (L.activation === 'relu' ? 'activity' : 'preactivation');
  if (y.length !== L.outSize) throw new PreimageError('BAD_ARGUMENT', `expected an activity of ${L.outSize} numbers for layer ${layer}, found ${y.length}`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new PreimageError('BAD_ARGUMENT', `expected finite activity values, found ${y[i]} at unit ${i}`);
    if (mode === 'activity' && L.activation === 'relu' && y[i] < 0) {
      throw new PreimageError('NOT_RELU_OUTPUT', `expected a ReLU output (all entries >= 0) for layer ${layer}, found ${y[i]} at unit ${i}; use --preactivation to invert z = W x + b`);
    }
  }
  const n = L.inSize, m = L.outSize, W = L.weights;
  const relu = mode === 'activity' && L.activation === 'relu';
  const active: number[] = [], inactive: number[] = [];
  for (let i = 0; i < m; i++) (relu && y[i] === 0 ? inactive : active).push(i);

  // polyhedron rows: inactive half-spaces and active equalities
  const A = new Float64Array(inactive.length * n), b = new Float64Array(inactive.length);
  inactive.forEach((i, r) => {
    A.set(W.subarray(i * n, i * n + n), r * n);
    b[r] = -L.bias[i];
  });
  const Aeq = new Float64Array(active.length * n), beq = new Float64Array(active.length);
  active.forEach((j, r) => {
    Aeq.set(W.subarray(j * n, j * n + n), r * n);
    beq[r] = y[j] - L.bias[j];
  });
  const P: HPolyhedron = { n, m: inactive.length, A, b, meq: active.length, Aeq, beq };

  const rk = rank(W, m, n);
  const kase: LayerCase = m === n && rk === n ? 'square_invertible' : rk < Math.min(m, n) ? 'rank_deficient' : m > n ? 'more_outputs' : 'fewer_outputs';
  const notes: string[] = [];
  const activity = Float64Array.from(y);
  const lines = linealitySpace(P);

  // consistency of the equalities (y in the image of the active rows)
  let residual = 0;
  if (active.length > 0) {
    const ls = leastSquares(Aeq, active.length, n, beq);
    residual = ls.residual;
  }
  const scale = Math.max(1, ...Array.from(beq, Math.abs));
  const inconsistent = residual > 1e-9 * scale;

  const res: LayerPreimage = {
    layer, mode, n, activity, active, inactive, case: kase, rank: rk, polyhedron: P, redundantRows: [],
    empty: false, residual, dim: -1, witness: null, lines, notes,
  };

  if (kase === 'square_invertible') {
    const inv = inverse(W, n) as Float64Array;
    const basis: Float64Array[] = [];
    for (let i = 0; i < n; i++) basis.push(Float64Array.from({ length: n }, (_, r) => inv[r * n + i]));
    const yz = Float64Array.from({ length: n }, (_, i) => (relu && y[i] === 0 ? 0 : y[i]) - L.bias[i]);
    const apex = new Float64Array(n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) apex[r] += inv[r * n + c] * yz[c];
    res.apex = apex;
    res.basis = basis;
    res.coneGenerators = inactive.map((i) => basis[i].map((v) => -v));
    notes.push(`square invertible W: preimage = apex + cone{-e_i : i inactive}, dimension ${inactive.length} (the number of inactive units)`);
  } else if (kase === 'more_outputs') {
    notes.push(`more outputs (${m}) than inputs (${n}): the ${active.length} equalities ${active.length > n ? 'over-determine x, so some are redundant and ' : ''}may have no solution when y is outside the image of W`);
  } else if (kase === 'fewer_outputs') {
    notes.push(`fewer outputs (${m}) than inputs (${n}): the null space of W (dimension ${n - rk}) adds whole lines to the preimage`);
  } else {
    notes.push(`rank-deficient W (rank ${rk} of ${Math.min(m, n)}): the null space (dimension ${n - rk}) adds whole lines, and equalities on dependent rows must agree`);
  }
  if (inconsistent) {
    res.empty = true;
    res.emptyReason = `y is outside the image of the active rows of W: least-squares residual ${residual.toExponential(3)}`;
    notes.push(res.emptyReason);
    return res;
  }
  const cls = classify(P);
  if (cls.cls === 'empty') {
    res.empty = true;
    res.emptyReason = 'the equalities of the active units and the half-spaces of the inactive units have no common point';
    notes.push(res.emptyReason);
    return res;
  }
  res.dim = cls.dim;
  res.witness = cls.witness;
  if (cls.cls === 'thin') notes.push(`the preimage is thinner than ${TOL.FULL_DIM_RADIUS} (Chebyshev radius ${cls.radius.toExponential(2)}): reported as thin, its dimension is uncertain`);
  if (P.m > 0) {
    const kept = new Set(removeRedundant(P).kept);
    res.redundantRows = Array.from({ length: P.m }, (_, i) => i).filter((i) => !kept.has(i));
  }
  if (kase !== 'square_invertible' && lines.length > 0) notes.push(`lineality space of dimension ${lines.length}`);
  if (active.length > rk && kase !== 'square_invertible') notes.push(`${active.length - Math.min(active.length, rank(Aeq, active.length, n))} of the ${active.length} equalities are redundant (implied by the others)`);
  return res;
}

