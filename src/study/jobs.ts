/**
 * The study as a list of independent, deterministic jobs (so that they can run on several
 * processes in any order and still give the same numbers), and the function that runs one.
 * Files are read through a callback: src/ never sees paths.
 */
import { readNetwork } from '../formats/detect.js';
import type { Network } from '../network/types.js';
import { normalizeBox, rawInputBox } from '../network/normalization.js';
import { evaluate } from '../network/evaluate.js';
import { recoverImage, type SpecImage } from './images.js';
import { analyseImage, type ImageAnalysis } from './analyse-image.js';
import { countBranches, type BranchCount } from './branches.js';
import { lowDimStudy, type LowDimPoint } from './lowdim.js';
import { sliceBranches, strokePixels, type SliceBranches } from './slice-branches.js';

/** Reads a file of the data directory (path relative to it, e.g. "mnistfc/onnx/mnist-net_256x2.onnx"). */
export type DataReader = (relPath: string) => Uint8Array;

export const MNIST_NETS = ['256x2', '256x4', '256x6'] as const;
export const MNIST_EPS = ['0.03', '0.05'] as const;
export const RADII = [0.01, 0.03, 0.05];
export const VCAS_BOX = { lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };

export type Job =
  | { kind: 'image'; net: string; index: number; other: number | null; layers?: number[] }
  | { kind: 'branches'; net: string; index: number; layer: number; radius: number; maxNodes: number; timeLimitMs: number }
  | { kind: 'slice'; net: string; index: number; pixels: number; seed: number; maxNodes: number; timeLimitMs: number }
  | { kind: 'acas'; point: number; seed: number; maxNodes: number; timeLimitMs: number }
  | { kind: 'vcas'; k: number; points: number; seed: number; maxNodes: number; timeLimitMs: number };

export type JobResult =
  | { kind: 'image'; job: Job; analysis: ImageAnalysis }
  | { kind: 'branches'; job: Job; count: BranchCount }
  | { kind: 'lowdim'; job: Job; points: LowDimPoint[] }
  | { kind: 'slice'; job: Job; slice: SliceBranches };

/** Images and networks, loaded once per process. */
export class StudyData {
  private nets = new Map<string, Network>();
  private imgs = new Map<number, SpecImage>();
  constructor(private readonly read: DataReader) {}

  mnist(name: string): Network {
    let n = this.nets.get(name);
    if (!n) {
      n = readNetwork(this.read(`mnistfc/onnx/mnist-net_${name}.onnx`), `mnist-net_${name}.onnx`);
      this.nets.set(name, n);
    }
    return n;
  }

  image(index: number): SpecImage {
    let im = this.imgs.get(index);
    if (!im) {
      im = recoverImage(MNIST_EPS.map((e) => {
        const name = `prop_${index}_${e}.vnnlib`;
        return { name, text: new TextDecoder().decode(this.read(`mnistfc/vnnlib/${name}`)) };
      }));
      this.imgs.set(index, im);
    }
    return im;
  }

  acas(): Network {
    let n = this.nets.get('acas');
    if (!n) {
      n = readNetwork(this.read('acasxu/nnet/ACASXU_run2a_1_1_batch_2000.nnet'), 'ACASXU_run2a_1_1_batch_2000.nnet');
      this.nets.set('acas', n);
    }
    return n;
  }

  vcas(k: number): Network {
    const key = `vcas${k}`;
    let n = this.nets.get(key);
    if (!n) {
      n = readNetwork(this.read(`vcas/VertCAS_21_${k}.onnx`), `VertCAS_21_${k}.onnx`);
      this.nets.set(key, n);
    }
    return n;
  }
}

/** The network's class at an image (argmax). */
export function classify(net: Network, x: ArrayLike<number>): number {
  const y = evaluate(net, x);
  let k = 0;
  for (let j = 1; j < y.length; j++) if (y[j] > y[k]) k = j;
  return k;
}

/** Runs one job. */
export function runJob(job: Job, data: StudyData): JobResult {
  switch (job.kind) {
    case 'image': {
      const net = data.mnist(job.net);
      const im = data.image(job.index);
      const other = job.other === null ? null : data.image(job.other);
      const analysis = analyseImage(net, job.net, im, { other, seed: job.index + 1, layers: job.layers });
      return { kind: 'image', job, analysis };
    }
    case 'branches': {
      const net = data.mnist(job.net);
      const im = data.image(job.index);
      const lo = new Float64Array(784), hi = new Float64Array(784).fill(1);
      const count = countBranches(net, im.pixels, job.layer, job.radius, lo, hi, { maxNodes: job.maxNodes, timeLimitMs: job.timeLimitMs });
      return { kind: 'branches', job, count };
    }
    case 'slice': {
      const im = data.image(job.index);
      const free = strokePixels(im.pixels, job.pixels, job.seed);
      return { kind: 'slice', job, slice: sliceBranches(data.mnist(job.net), im.pixels, free, RADII, { maxNodes: job.maxNodes, timeLimitMs: job.timeLimitMs }) };
    }
    case 'acas': {
      const net = data.acas();
      const box = normalizeBox(net, rawInputBox(net));
      const all = lowDimStudy(net, 'ACAS Xu 1_1', box.lo, box.hi, { points: job.point + 1, seed: job.seed, radii: RADII, maxNodes: job.maxNodes, timeLimitMs: job.timeLimitMs, only: job.point });
      return { kind: 'lowdim', job, points: all };
    }
    case 'vcas': {
      const net = data.vcas(job.k);
      const points = lowDimStudy(net, `VertCAS_21_${job.k}`, Float64Array.from(VCAS_BOX.lo), Float64Array.from(VCAS_BOX.hi), { points: job.points, seed: job.seed, radii: RADII, maxNodes: job.maxNodes, timeLimitMs: job.timeLimitMs });
      return { kind: 'lowdim', job, points };
    }
  }
}

/** The image every image is compared with in L1: the next one (cyclically) with another label. */
export function otherImage(index: number, labels: number[]): number {
  for (let k = 1; k < labels.length; k++) {
    const j = (index + k) % labels.length;
    if (labels[j] !== labels[index]) return j;
  }
  throw new Error('expected images of at least two labels');
}
