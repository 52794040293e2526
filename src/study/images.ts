/**
 * The MNIST images behind the VNN-COMP 2021 mnistfc properties, recovered from the specs' input
 * boxes. Each box is an L-inf ball of radius eps around a float32 image, computed in float32 and
 * clipped to [0, 1]: lo = max(0, f32(x - eps)), hi = min(1, f32(x + eps)).
 */
import { parseVnnlib, type OutputPolytope } from '../formats/vnnlib.js';

/** One recovered image. */
export interface SpecImage {
  /** Property index (prop_<index>_<eps>.vnnlib). */
  index: number;
  /** The label the spec protects (from its header comment and its output constraints). */
  label: number;
  /** Pixels in [0, 1] (each exactly the float32 value of k/255). */
  pixels: Float64Array;
  /** Grey levels k (pixel = f32(k / 255)). */
  levels: Uint8Array;
  /** The eps values whose specs were read and reproduced bit for bit. */
  eps: number[];
  /** Pixels whose box was clipped at 0 or at 1 in some spec (their centre is not (lo + hi) / 2). */
  clipped: number;
}

/** A spec file's text with its eps (from the file name, e.g. prop_3_0.03.vnnlib). */
export interface SpecFile {
  name: string;
  text: string;
}

const f32 = Math.fround;

/** Parses `prop_<i>_<eps>.vnnlib`; null for other names. */
export function parseSpecName(name: string): { index: number; eps: number } | null {
  const m = /prop_(\d+)_([0-9.]+)\.vnnlib$/.exec(name);
  return m ? { index: Number(m[1]), eps: Number(m[2]) } : null;
}

/**
 * Recovers the image of one property from all its spec files (one per eps).
 *
 * Method: per pixel, the centre is (lo + hi) / 2 when neither side is clipped, hi - eps when
 * lo = 0 (clipped below), lo + eps when hi = 1 (clipped above); it is rounded to the grey level
 * k = round(255 c) and accepted only if re-creating every spec's box in float32 from f32(k/255)
 * reproduces lo and hi exactly, and all specs agree on k. Throws otherwise (never guesses).
 * The label is read from the spec's header comment and checked against its output constraints
 * (every disjunct says some Y_j >= Y_label).
 */
export function recoverImage(files: SpecFile[]): SpecImage {
  if (files.length === 0) throw new Error('expected at least one spec file');
  let levels: Uint8Array | null = null;
  let label = -1;
  let index = -1;
  let clipped = 0;
  const epsList: number[] = [];
  for (const file of files) {
    const meta = parseSpecName(file.name);
    if (!meta) throw new Error(`expected a file named prop_<i>_<eps>.vnnlib, found ${file.name}`);
    if (index >= 0 && meta.index !== index) throw new Error(`expected specs of one property, found ${index} and ${meta.index}`);
    index = meta.index;
    const spec = parseVnnlib(file.text);
    if (spec.inputBoxes.length !== 1) throw new Error(`${file.name}: expected one input box, found ${spec.inputBoxes.length}`);
    const head = /label:\s*(\d+)/.exec(file.text);
    const lab = head ? Number(head[1]) : -1;
    if (lab < 0) throw new Error(`${file.name}: no "label: k" comment`);
    checkLabelConstraints(spec.output, lab, file.name);
    if (label >= 0 && lab !== label) throw new Error(`${file.name}: label ${lab} differs from ${label}`);
    label = lab;
    const eps = f32(meta.eps);
    const { lo, hi } = spec.inputBoxes[0];
    const ks = new Uint8Array(lo.length);
    let clippedHere = 0;
    for (let i = 0; i < lo.length; i++) {
      let c: number;
      if (lo[i] > 0 && hi[i] < 1) c = (lo[i] + hi[i]) / 2;
      else if (lo[i] === 0 && hi[i] < 1) { c = hi[i] - eps; clippedHere++; }
      else if (hi[i] === 1 && lo[i] > 0) { c = lo[i] + eps; clippedHere++; }
      else throw new Error(`${file.name}: pixel ${i} box [${lo[i]}, ${hi[i]}] is clipped on both sides`);
      const k = Math.round(c * 255);
      if (k < 0 || k > 255) throw new Error(`${file.name}: pixel ${i} centre ${c} outside [0, 1]`);
      const x = f32(k / 255);
      const elo = Math.max(0, f32(x - eps)), ehi = Math.min(1, f32(x + eps));
      if (elo !== lo[i] || ehi !== hi[i]) throw new Error(`${file.name}: pixel ${i}: grey level ${k} does not reproduce [${lo[i]}, ${hi[i]}] (gives [${elo}, ${ehi}])`);
      ks[i] = k;
    }
    if (levels) {
      for (let i = 0; i < ks.length; i++) if (ks[i] !== levels[i]) throw new Error(`${file.name}: pixel ${i} is ${ks[i]}/255, other eps gave ${levels[i]}/255`);
    }
    levels = ks;
    clipped = Math.max(clipped, clippedHere);
    epsList.push(meta.eps);
  }
  const pixels = Float64Array.from(levels!, (k) => f32(k / 255));
  return { index, label, pixels, levels: levels!, eps: epsList.sort((a, b) => a - b), clipped };
}

function checkLabelConstraints(output: OutputPolytope[], label: number, name: string): void {
  // every disjunct is one row Y_label - Y_j <= 0 (the unsafe set: some other class reaches the label's score)
  for (const p of output) {
    if (p.rows !== 1 || !(p.T[label] > 0)) throw new Error(`${name}: expected disjuncts "Y_j >= Y_${label}", found another output constraint`);
  }
}
