/**
 * Kyle Julian's NNet text format (Stanford, 2016), as used by the ACAS Xu networks of Reluplex.
 *
 * Layout (after any number of `//` comment lines; every row may end with a trailing comma):
 * ```
 * numLayers,inputSize,outputSize,maxLayerSize
 * size_0,size_1,...,size_numLayers          (size_0 = inputSize, last = outputSize)
 * 0                                         (unused flag)
 * inputMin_0,...                            (inputSize numbers, raw units)
 * inputMax_0,...                            (inputSize numbers)
 * mean_0,...,mean_{n-1},outputMean          (inputSize + 1 numbers)
 * range_0,...,range_{n-1},outputRange       (inputSize + 1 numbers)
 * then for each layer k = 1..numLayers:
 *   size_k weight rows of size_{k-1} numbers (row j = unit j's weights)
 *   size_k bias lines of one number each
 * ```
 * Hidden layers are ReLU, the last layer is linear. The network computes in normalised
 * coordinates; the normalisation is kept on {@link Network.normalization} (see docs/formats.md).
 */
import { PreimageError } from '../errors.js';
import { createNetwork } from '../network/create.js';
import type { LayerInit } from '../network/create.js';
import type { Network, Normalization } from '../network/types.js';

/**
 * The bounds {@link writeNnet} writes for a network without normalisation: ∓Number.MAX_VALUE, so
 * clipping is a no-op for every finite input (±Infinity is not portable across .nnet readers).
 * {@link readNnet} reads exactly this identity normalisation (these bounds, means 0, ranges 1)
 * back as "no normalisation", so that a network without one survives a round trip unchanged.
 */
export const NNET_UNBOUNDED = Number.MAX_VALUE;

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;

interface Row {
  line: number;
  cells: string[];
}

function decode(input: string | Uint8Array): string {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads a .nnet file (text or UTF-8 bytes) into a {@link Network} with its normalisation.
 * @param name recorded in `source.name` (e.g. the file name).
 * @throws PreimageError EMPTY_FILE | NNET_HEADER | NNET_ROW_LENGTH | NNET_BAD_NUMBER |
 *   NNET_TRUNCATED | NON_FINITE, each with `at: "line N"`.
 */
export function readNnet(input: string | Uint8Array, name?: string): Network {
  const text = decode(input);
  if (text.trim() === '') throw new PreimageError('EMPTY_FILE', 'expected a .nnet file, found an empty file');

  // Data rows: skip `//` comments and blank lines, keep 1-based line numbers.
  const rows: Row[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].trim();
    if (s === '' || s.startsWith('//')) continue;
    const cells = s.split(',').map((c) => c.trim());
    if (cells.length > 1 && cells[cells.length - 1] === '') cells.pop(); // trailing comma
    rows.push({ line: i + 1, cells });
  }
  const lastLine = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  let next = 0;
  const take = (what: string): Row => {
    if (next >= rows.length) {
      throw new PreimageError('NNET_TRUNCATED', `expected ${what}, found end of file`, `line ${lastLine}`);
    }
    return rows[next++];
  };

  // Header: numLayers,inputSize,outputSize,maxLayerSize
  const head = take('the header line numLayers,inputSize,outputSize,maxLayerSize');
  if (head.cells.length !== 4 || !head.cells.every((c) => /^\d+$/.test(c) && Number(c) > 0)) {
    throw new PreimageError(
      'NNET_HEADER',
      `expected the header "numLayers,inputSize,outputSize,maxLayerSize" (4 positive integers), found "${clip(head.cells.join(','))}"`,
      `line ${head.line}`,
    );
  }
  const [numLayers, inputSize, outputSize, maxLayerSize] = head.cells.map(Number);
  const sizesRow = take(`the ${numLayers + 1} layer sizes`);
  if (sizesRow.cells.length !== numLayers + 1 || !sizesRow.cells.every((c) => /^\d+$/.test(c) && Number(c) > 0)) {
    throw new PreimageError(
      'NNET_HEADER',
      `expected ${numLayers + 1} positive layer sizes (numLayers + 1), found "${clip(sizesRow.cells.join(','))}"`,
      `line ${sizesRow.line}`,
    );
  }
  const sizes = sizesRow.cells.map(Number);
  if (sizes[0] !== inputSize || sizes[numLayers] !== outputSize) {
    throw new PreimageError(
      'NNET_HEADER',
      `expected layer sizes to start with inputSize ${inputSize} and end with outputSize ${outputSize}, found ${sizes[0]} and ${sizes[numLayers]}`,
      `line ${sizesRow.line}`,
    );
  }
  const largest = Math.max(...sizes);
  if (maxLayerSize < largest) {
    throw new PreimageError(
      'NNET_HEADER',
      `expected maxLayerSize of at least ${largest} (the largest layer size), found ${maxLayerSize}`,
      `line ${head.line}`,
    );
  }

  const numbers = (what: string, count: number, finite: boolean): { values: Float64Array; line: number } => {
    const row = take(what);
    if (row.cells.length !== count) {
      throw new PreimageError(
        'NNET_ROW_LENGTH',
        `expected ${count} number${count === 1 ? '' : 's'} (${what}), found ${row.cells.length}`,
        `line ${row.line}`,
      );
    }
    const values = new Float64Array(count);
    for (let k = 0; k < count; k++) values[k] = parseCell(row.cells[k], row.line, k, finite);
    return { values, line: row.line };
  };

  take('the unused flag line'); // its content is ignored by every .nnet reader
  const mins = numbers('input minimums', inputSize, true);
  const maxs = numbers('input maximums', inputSize, true);
  const means = numbers('input means and the output mean', inputSize + 1, true);
  const ranges = numbers('input ranges and the output range', inputSize + 1, true);
  for (let k = 0; k <= inputSize; k++) {
    if (ranges.values[k] === 0) {
      throw new PreimageError('NON_FINITE', `expected non-zero ranges (they divide), found 0 at entry ${k + 1}`, `line ${ranges.line}`);
    }
  }

  const layers: LayerInit[] = [];
  for (let l = 1; l <= numLayers; l++) {
    const inSize = sizes[l - 1], outSize = sizes[l];
    const weights = new Float64Array(outSize * inSize);
    for (let j = 0; j < outSize; j++) {
      weights.set(numbers(`weight row ${j + 1} of ${outSize} of layer ${l}`, inSize, false).values, j * inSize);
    }
    const bias = new Float64Array(outSize);
    for (let j = 0; j < outSize; j++) bias[j] = numbers(`bias ${j + 1} of ${outSize} of layer ${l}`, 1, false).values[0];
    layers.push({ weights, bias, inSize, activation: l === numLayers ? 'identity' : 'relu' });
  }
  if (next < rows.length) {
    const extra = rows[next];
    throw new PreimageError(
      'NNET_HEADER',
      `expected end of file after the ${numLayers} layers the header declares, found more data "${clip(extra.cells.join(','))}"`,
      `line ${extra.line}`,
    );
  }

  const normalization: Normalization = {
    inputMin: mins.values,
    inputMax: maxs.values,
    inputMean: means.values.slice(0, inputSize),
    inputRange: ranges.values.slice(0, inputSize),
    outputMean: means.values[inputSize],
    outputRange: ranges.values[inputSize],
  };
  const notes: string[] = [];
  if (maxLayerSize > largest) notes.push(`header maxLayerSize ${maxLayerSize} exceeds the largest layer size ${largest}`);
  const identity = isUnboundedIdentity(normalization);
  if (identity) notes.push('identity normalisation with unbounded inputs (as written by writeNnet): read as none');
  return createNetwork(layers, {
    normalization: identity ? undefined : normalization,
    source: { format: 'nnet', ...(name !== undefined && { name }), ...(notes.length > 0 && { notes }) },
  });
}

function parseCell(cell: string, line: number, index: number, normalisationRow: boolean): number {
  if (NUMBER_RE.test(cell)) {
    const v = Number(cell);
    if (Number.isFinite(v)) return v;
    throw new PreimageError('NON_FINITE', `expected a finite number, found "${clip(cell)}" (overflows to ${v}) in entry ${index + 1}`, `line ${line}`);
  }
  if (NON_FINITE_RE.test(cell)) {
    const what = normalisationRow ? 'normalisation constants' : 'weights and biases';
    throw new PreimageError('NON_FINITE', `expected finite ${what}, found "${clip(cell)}" in entry ${index + 1}`, `line ${line}`);
  }
  throw new PreimageError(
    'NNET_BAD_NUMBER',
    cell === '' ? `expected a number, found an empty entry ${index + 1}` : `expected a number, found "${clip(cell)}" in entry ${index + 1}`,
    `line ${line}`,
  );
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 60) + '…' : s;
}

function isUnboundedIdentity(n: Normalization): boolean {
  if (n.outputMean !== 0 || n.outputRange !== 1) return false;
  for (let i = 0; i < n.inputMin.length; i++) {
    if (n.inputMin[i] !== -NNET_UNBOUNDED || n.inputMax[i] !== NNET_UNBOUNDED || n.inputMean[i] !== 0 || n.inputRange[i] !== 1) return false;
  }
  return true;
}

/** Shortest text that parses back to exactly `v` (JS number printing is round-trip exact), keeping -0. */
function num(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * Writes a network as .nnet text with round-trip exact numbers: `readNnet(writeNnet(net))` has
 * bit-identical weights, biases and normalisation. Requires ReLU hidden layers and a linear
 * (identity) output layer. A network without normalisation is written with the identity
 * normalisation and input bounds ∓{@link NNET_UNBOUNDED}, which {@link readNnet} reads back as none.
 * @throws PreimageError BAD_ACTIVATION when the activations do not fit the format.
 */
export function writeNnet(net: Network): string {
  const L = net.layers.length;
  net.layers.forEach((l, i) => {
    const want = i === L - 1 ? 'identity' : 'relu';
    if (l.activation !== want) {
      throw new PreimageError(
        'BAD_ACTIVATION',
        `expected ${i === L - 1 ? 'a linear (identity) output layer' : 'ReLU hidden layers'} for .nnet, found ${l.activation}`,
        `layer ${i + 1}`,
      );
    }
  });
  const n = net.inputSize;
  const sizes = [n, ...net.layers.map((l) => l.outSize)];
  const row = (vs: ArrayLike<number>): string => {
    let s = '';
    for (let k = 0; k < vs.length; k++) s += num(vs[k]) + ',';
    return s;
  };
  const norm = net.normalization;
  const out: string[] = [
    '// Neural Network File Format by Kyle Julian, Stanford 2016',
    `// Written by relu-preimage${net.source?.name ? ` from ${net.source.name.replace(/[\r\n]/g, ' ')}` : ''}`,
    `${L},${n},${net.outputSize},${Math.max(...sizes)},`,
    row(sizes),
    '0,',
  ];
  if (norm) {
    out.push(row(norm.inputMin), row(norm.inputMax));
    out.push(row([...norm.inputMean, norm.outputMean]), row([...norm.inputRange, norm.outputRange]));
  } else {
    out.push(row(new Array(n).fill(-NNET_UNBOUNDED)), row(new Array(n).fill(NNET_UNBOUNDED)));
    out.push(row(new Array(n + 1).fill(0)), row(new Array(n + 1).fill(1)));
  }
  for (const l of net.layers) {
    for (let j = 0; j < l.outSize; j++) out.push(row(l.weights.subarray(j * l.inSize, (j + 1) * l.inSize)));
    for (let j = 0; j < l.outSize; j++) out.push(num(l.bias[j]) + ',');
  }
  return out.join('\n') + '\n';
}
