/**
 * Everything the study computes by LP for one image on one network: per hidden layer, the
 * active units, the dimension of the activity preimage at the image (in R^n and in the pixel box),
 * its extent (L-inf exact, L2 bounds), the attaining inputs, and the "indistinguishable" input
 * nearest in L1 to another image — each shown input certified by evaluation.
 */
import type { Network } from '../network/types.js';
import { activityPiece } from './piece.js';
import { pieceDimension } from './dimension.js';
import { pieceExtent } from './extent.js';
import { nearestInPiece } from './nearest.js';
import { certifyActivity, type ActivityCertificate } from './certify.js';
import type { DualCheck } from './lp-dual.js';

/** A certified input of the report (pixels rounded to 1e-12 for the files; the certificate is on the unrounded point). */
export interface ShownInput {
  x: number[];
  certificate: ActivityCertificate;
  what: string;
}

export interface LayerAnalysis {
  layer: number;
  width: number;
  active: number;
  /** Active units of every layer up to this one. */
  activeCounts: number[];
  dimAll: number;
  rankEq: number;
  dimBox: number;
  pinned: number;
  atBound: number;
  tightRows: number;
  pointReason: string | null;
  linf: number;
  linfUpper: number;
  linfExact: boolean;
  linfLps: number;
  linfPixel: number;
  linfSign: number;
  l2Lower: number;
  l2Upper: number;
  l2How: string;
  linfInput: ShownInput;
  l2Input: ShownInput;
  /** The input nearest in L1 to `nearest.otherIndex`'s image with this layer's activity. */
  nearest: { otherIndex: number; otherLabel: number; l1: number; linf: number; l1Original: number; l1LowerBound: number; input: ShownInput } | null;
  /** Layer activity of the image (for the galleries). */
  activity: number[];
  lps: number;
  /** Largest relative duality gap over this layer's LPs, and whether every dual check passed. */
  maxGap: number;
  dualOk: boolean;
  ms: number;
}

export interface ImageAnalysis {
  network: string;
  index: number;
  label: number;
  predicted: number;
  layers: LayerAnalysis[];
}

export interface AnalyseOptions {
  /** Image to approach in L1 (per layer); null to skip. */
  other?: { index: number; label: number; pixels: ArrayLike<number> } | null;
  randomDirections?: number;
  seed?: number;
  /** Only these layers (default all hidden layers). */
  layers?: number[];
}

function relGap(c: DualCheck): number {
  return Math.abs(c.gap) / (1 + Math.abs(c.primal));
}

/** Runs the per-layer analysis of the module doc for one image (pixels in [0, 1]). */
export function analyseImage(net: Network, name: string, image: { index: number; label: number; pixels: ArrayLike<number> }, opts: AnalyseOptions = {}): ImageAnalysis {
  const n = net.inputSize;
  const lo = new Float64Array(n), hi = new Float64Array(n).fill(1);
  const x0 = image.pixels;
  const hidden = net.layers.length - 1;
  const layers: LayerAnalysis[] = [];
  let predicted = -1;
  for (const l of opts.layers ?? Array.from({ length: hidden }, (_, i) => i + 1)) {
    const t0 = performance.now();
    const P = activityPiece(net, x0, l);
    const dim = pieceDimension(P, x0, lo, hi);
    const ext = pieceExtent(P, x0, lo, hi, { randomDirections: opts.randomDirections ?? 3, seed: (opts.seed ?? 1) * 1000 + l });
    const checks: DualCheck[] = [...dim.checks, ...ext.points.map((p) => p.check)];
    const show = (x: Float64Array, what: string): ShownInput => {
      const certificate = certifyActivity(net, x, l, P.activity, lo, hi);
      if (!certificate.ok) throw new Error(`${name} image ${image.index} layer ${l}: ${what} fails its certificate (relative error ${certificate.relError})`);
      return { x: Array.from(x, (v) => Math.round(v * 1e12) / 1e12), certificate, what };
    };
    const linfInput = show(ext.linfPoint.x, ext.linfPoint.how);
    const l2Input = show(ext.l2Point.x, ext.l2Point.how);
    let nearest: LayerAnalysis['nearest'] = null;
    let lps = dim.lps + ext.lps;
    if (opts.other) {
      const r = nearestInPiece(P, opts.other.pixels, x0, lo, hi);
      checks.push(r.check);
      lps++;
      nearest = { otherIndex: opts.other.index, otherLabel: opts.other.label, l1: r.l1, linf: r.linf, l1Original: r.l1Original, l1LowerBound: r.check.dualBound, input: show(r.x, `nearest in L1 to image ${opts.other.index}`) };
    }
    predicted = linfInput.certificate.predicted;
    layers.push({
      layer: l, width: net.layers[l - 1].outSize, active: P.activeCounts[l - 1], activeCounts: P.activeCounts,
      dimAll: dim.dimAll, rankEq: dim.rankEq, dimBox: dim.dimBox, pinned: dim.pinned, atBound: dim.atBound, tightRows: dim.tightRows, pointReason: dim.pointReason,
      linf: ext.linf, linfUpper: ext.linfUpper, linfExact: ext.linfExact, linfLps: ext.linfLps, linfPixel: ext.linfPixel, linfSign: ext.linfSign,
      l2Lower: ext.l2Lower, l2Upper: ext.l2Upper, l2How: ext.l2Point.how, linfInput, l2Input, nearest,
      activity: Array.from(P.activity), lps,
      maxGap: Math.max(...checks.map(relGap)), dualOk: checks.every((c) => c.ok),
      ms: performance.now() - t0,
    });
  }
  return { network: name, index: image.index, label: image.label, predicted, layers };
}
