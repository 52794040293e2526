/**
 * The bundled networks and their default planes. The example files are imported as asset URLs
 * (Vite copies them into the build), the toy network is served from public/networks/.
 */
import vcasUrl from '../../examples/VertCAS_21_1.onnx?url';
import acasUrl from '../../examples/ACASXU_run2a_1_1_batch_2000.nnet?url';

export interface Preset {
  key: string;
  label: string;
  url: string;
  /** File name given to the reader (its extension picks the format). */
  fileName: string;
  dims: [number, number];
  /** All n inputs (entries `dims` are ignored); null: the middle of the .nnet range or 0. */
  fixed: number[] | null;
  /** Rectangle; null: the .nnet input range of the two dims, else [-1, 1]². */
  rect: { u0: number; u1: number; v0: number; v1: number } | null;
  units: 'raw' | 'normalized';
  rule: 'argmax' | 'argmin';
  classNames?: string[];
  inputNames?: string[];
  /** Default layer of the clicked point's preimage (1-based); null: the last hidden layer. */
  layer: number | null;
  about: string;
}

export const PRESETS: Preset[] = [
  {
    key: 'moons',
    label: 'Two moons (2-16-16-2, trained by scripts/train-toy.ts)',
    url: `${import.meta.env.BASE_URL}networks/moons.json`,
    fileName: 'moons.json',
    dims: [0, 1],
    fixed: null,
    rect: { u0: -2, u1: 2, v0: -1.5, v1: 1.5 },
    units: 'normalized',
    rule: 'argmax',
    classNames: ['upper moon', 'lower moon'],
    layer: 3,
    about: 'A 2-input network trained on two moons: the plane is its whole input space, so the clicked point’s preimage is computed by the engine (computePreimage) and drawn piece by piece. At the output layer it shows every input that the network maps to exactly the clicked point’s outputs.',
  },
  {
    key: 'vcas',
    label: 'VerticalCAS 21_1 (ONNX, 4-21-9)',
    url: vcasUrl,
    fileName: 'VertCAS_21_1.onnx',
    dims: [0, 1],
    fixed: [0, 0, 0.15, 0],
    rect: { u0: -0.5, u1: 0.5, v0: -0.5, v1: 0.5 },
    units: 'normalized',
    rule: 'argmax',
    layer: 1,
    about: 'examples/VertCAS_21_1.onnx: 4 normalised inputs, 21 ReLU units, 9 advisory scores. The plane x0 × x1 with x2 = 0.15, x3 = 0.',
  },
  {
    key: 'acas',
    label: 'ACAS Xu 1_1 (.nnet, 5-50×6-5, raw units)',
    url: acasUrl,
    fileName: 'ACASXU_run2a_1_1_batch_2000.nnet',
    dims: [0, 1],
    fixed: [0, 0, 0, 750, 400],
    rect: null,
    units: 'raw',
    rule: 'argmin',
    classNames: ['COC', 'WL', 'WR', 'SL', 'SR'],
    inputNames: ['ρ (ft)', 'θ (rad)', 'ψ (rad)', 'v_own (ft/s)', 'v_int (ft/s)'],
    layer: null,
    about: 'examples/ACASXU_run2a_1_1_batch_2000.nnet in raw units (the file’s normalisation applied): ρ × θ over their whole range, ψ = 0, v_own = 750, v_int = 400. The advisory is the argmin of the five scores.',
  },
];
