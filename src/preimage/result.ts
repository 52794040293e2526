/**
 * The result of a preimage computation, as written to JSON (`--json`) and JSON Lines (`--jsonl`).
 * Versioned: `format` is RESULT_FORMAT; docs/result-schema.md and schema/result.schema.json
 * describe every field.
 */

import type { SearchStats } from './search.js';

export const RESULT_FORMAT = 'relu-preimage/result@1';

/** How a search ended. Only `complete` means the pieces are the whole preimage. */
export type ResultStatus = 'complete' | 'incomplete_time' | 'incomplete_budget' | 'cancelled';

/**
 * Exact re-checks attached to each piece (src/analysis/certificate.ts). All arithmetic is on
 * exact rationals read from the doubles of the weights, the rows and the points.
 */
export interface PieceCertificate {
  /** The witness satisfies every inequality row strictly (weakly for thin pieces). */
  witnessInPiece: boolean;
  /** Largest |Aeq x − beq| at the witness (exact; 0 for full-dimensional pieces). */
  equalityResidual: number;
  /** Exact evaluation at the witness reproduces the piece's pattern with strict signs. */
  patternReproduced: boolean;
  /** Exact evaluation at the witness lands in the piece's target part (equalities within 1e-9 relative). */
  targetAtWitness: boolean;
  /**
   * For bounded pieces with vertices: the largest violation, over all vertices, of the pattern's
   * sign conditions and the target rows, by exact evaluation. A polytope is the hull of its
   * vertices and the network is affine on it, so this bounds how far any point of the piece is
   * from the preimage. null when vertices were not computed.
   */
  maxVertexViolation: number | null;
  verticesChecked: number;
  method: 'exact-rational';
}

/** One convex piece of the preimage. */
export interface PieceJson {
  id: number;
  /**
   * Activation pattern of each layer passed (1 active, 0 inactive). Read-only: a computed result's
   * rows are frozen and shared by consecutive pieces with the same row (pattern-rows.ts).
   */
  pattern: (readonly number[])[];
  /** Index of the target part (for unions: parts are made disjoint in order). */
  part: number;
  /** Inequalities A x <= b (redundant rows removed) and equalities Aeq x = beq, in result coordinates. */
  A: number[][];
  b: number[];
  Aeq: number[][];
  beq: number[];
  /** A point in the relative interior. */
  witness: number[];
  /** Chebyshev radius of the piece within its affine hull. */
  radius: number;
  dim: number;
  /** Margin-rule class: full-dimensional, lower-dimensional, or thinner than the margin. */
  class: 'full' | 'lower' | 'thin';
  bounded: boolean;
  /** Volume (relative volume for lower-dimensional pieces); null when not computed or infinite. */
  volume: number | null;
  vertices?: number[][];
  rays?: number[][];
  lines?: number[][];
  /** Affine map from result coordinates to the target layer's values on this piece. */
  map: { M: number[][]; c: number[] };
  certificate?: PieceCertificate;
}

/** The search's counters (see SearchStats in search.ts) plus times. */
export interface ResultStats extends SearchStats {
  /** Search time (no start-up, file reading or geometry). */
  milliseconds: number;
  /** Redundancy removal, vertices, volumes and certificates. */
  geometryMilliseconds: number;
  geometryLps: number;
}

export interface PreimageResult {
  format: typeof RESULT_FORMAT;
  status: ResultStatus;
  /** Dimension of the result coordinates. */
  inputDim: number;
  /** The layer whose coordinates the pieces are in (0 = input). */
  layer: number;
  /** `raw` for .nnet physical units, else `normalized` (the network's own coordinates). */
  units: 'raw' | 'normalized';
  domain: Record<string, unknown>;
  /** The target as given, plus its normal form: `layer`, `on` and `parts` [{T, t, E, e}] (T y <= t, E y = e). */
  target: Record<string, unknown>;
  /** Target layer (1-based). */
  targetLayer: number;
  pieces: PieceJson[];
  /** Sum of the full-dimensional pieces' volumes; null when any volume is unknown. */
  volume: number | null;
  domainVolume: number | null;
  stats: ResultStats;
  /** The search that ran: `forward` from the domain or `backward` from the target (the pieces are the same; the counters differ). */
  direction: 'forward' | 'backward';
  warnings: string[];
  network: { name: string | null; format: string; inputSize: number; outputSize: number; widths: number[]; fingerprint: string };
}
