/**
 * Exact certificates of pieces. Every number involved (weights, rows, points) is a double and is
 * read as the exact rational it denotes; the checks then use exact rational arithmetic only, so
 * they do not depend on the floating-point search that produced the piece.
 */
import { exactForward, prepareExact, Rational, verifyPoint, type ExactNetwork } from '../exact/index.js';
import type { Layer } from '../network/types.js';
import type { PieceCertificate, PieceJson } from '../preimage/result.js';
import type { TargetSet } from '../preimage/target.js';

/** What a certificate is checked against: the layers from the result layer to the target layer, and the target. */
export interface CertificateContext {
  layers: Layer[];
  target: TargetSet;
  /** The layers prepared for exact evaluation (made once per context). */
  exact?: ExactNetwork;
}

/** Exact values at x: pre-activations of every layer and the target layer's values. */
function exactValues(ctx: CertificateContext, x: ArrayLike<number>): { pre: Rational[][]; y: Rational[] } {
  ctx.exact ??= prepareExact(ctx.layers);
  const pre = exactForward(ctx.exact, x);
  const last = pre[pre.length - 1];
  const lastLayer = ctx.layers[ctx.layers.length - 1];
  const y = ctx.target.on === 'preactivation' || lastLayer.activation !== 'relu' ? last : last.map((z: Rational) => (z.sign() > 0 ? z : Rational.ZERO));
  return { pre, y };
}

/** Largest violation (>= 0) of the pattern's signs at exact pre-activations; `strict` counts 0 on an active unit as a violation. */
function patternViolation(ctx: CertificateContext, pre: Rational[][], pattern: readonly (readonly number[])[]): { worst: number; strictOk: boolean } {
  let worst = 0;
  let strictOk = true;
  pre.forEach((z, l) => {
    const layer = ctx.layers[l];
    const relu = layer.activation === 'relu' && !(l === pre.length - 1 && ctx.target.on === 'preactivation');
    if (!relu) return;
    z.forEach((v, i) => {
      const s = v.sign();
      if (pattern[l][i] === 1) {
        if (s <= 0) strictOk = false;
        if (s < 0) worst = Math.max(worst, -v.toNumber());
      } else {
        if (s >= 0) strictOk = false;
        if (s > 0) worst = Math.max(worst, v.toNumber());
      }
    });
  });
  return { worst, strictOk };
}

/** Largest violation (>= 0) of target part `part` at exact y: inequality rows, and |E y − e| for equalities. */
function targetViolation(ts: TargetSet, part: number, y: Rational[]): number {
  const p = ts.parts[part];
  let worst = 0;
  const row = (R: Float64Array, r: number) => {
    let s = Rational.ZERO;
    for (let j = 0; j < ts.cols; j++) {
      const w = R[r * ts.cols + j];
      if (w !== 0) s = s.add(Rational.fromNumber(w).mul(y[j]));
    }
    return s;
  };
  for (let r = 0; r < p.rows; r++) worst = Math.max(worst, row(p.T, r).sub(Rational.fromNumber(p.t[r])).toNumber());
  for (let r = 0; r < p.eqRows; r++) worst = Math.max(worst, Math.abs(row(p.E, r).sub(Rational.fromNumber(p.e[r])).toNumber()));
  return worst;
}

/**
 * Builds the certificate of a finished piece (see {@link PieceCertificate}). `vertices`: also
 * evaluate every vertex exactly (one exact forward pass per vertex: about 1 ms each on ACAS Xu).
 */
export function certifyPiece(piece: PieceJson, ctx: CertificateContext, vertices = false): PieceCertificate {
  const n = piece.witness.length;
  const A = Float64Array.from(piece.A.flat()), b = Float64Array.from(piece.b);
  const inPiece = verifyPoint(A, b, piece.A.length, n, piece.witness, { strict: piece.class !== 'thin' });
  let eqResidual = 0;
  piece.Aeq.forEach((a, i) => {
    let s = Rational.fromNumber(-piece.beq[i]);
    a.forEach((w, j) => { if (w !== 0) s = s.add(Rational.fromNumber(w).mul(Rational.fromNumber(piece.witness[j]))); });
    eqResidual = Math.max(eqResidual, Math.abs(s.toNumber()));
  });
  const { pre, y } = exactValues(ctx, piece.witness);
  const pat = patternViolation(ctx, pre, piece.pattern);
  const eqTol = (v: number) => 1e-9 * (1 + Math.abs(v));
  const tv = targetViolation(ctx.target, piece.part, y);
  const tp = ctx.target.parts[piece.part];
  const targetOk = tv <= (tp.eqRows > 0 ? eqTol(Math.max(...Array.from(tp.e, Math.abs), 0)) : 0);
  let maxVertexViolation: number | null = null;
  let verticesChecked = 0;
  if (vertices && piece.bounded && piece.vertices && piece.vertices.length > 0) {
    maxVertexViolation = 0;
    for (const v of piece.vertices) {
      const ev = exactValues(ctx, v);
      const pv = patternViolation(ctx, ev.pre, piece.pattern).worst;
      maxVertexViolation = Math.max(maxVertexViolation, pv, targetViolation(ctx.target, piece.part, ev.y));
      verticesChecked++;
    }
  }
  return {
    witnessInPiece: inPiece.ok,
    equalityResidual: eqResidual,
    patternReproduced: piece.class === 'full' ? pat.strictOk : pat.worst === 0 || pat.worst <= 1e-9,
    targetAtWitness: targetOk,
    maxVertexViolation,
    verticesChecked,
    method: 'exact-rational',
  };
}
