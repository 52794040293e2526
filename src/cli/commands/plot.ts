import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { PreimageError } from '../../errors.js';
import type { Network } from '../../network/types.js';
import type { Target } from '../../preimage/target.js';
import { classColoring, targetColoring, type ClassColoring, type TargetColoring } from '../../render/coloring.js';
import { svgToPng } from '../../render/png.js';
import { computeSlice, coordinatePlane, type SlicePlane, type SliceRect } from '../../render/slice.js';
import { sliceSvg } from '../../render/svg.js';
import { fmt, fmtVector, loadNetwork, parseVector } from '../io.js';
import { parseBox, targetFromCli, type TargetCliOptions } from './compute.js';
import { parseUnits } from './eval.js';
import { writeFileSync } from 'node:fs';

interface PlotOptions extends TargetCliOptions {
  out: string;
  dims?: string;
  fix?: string;
  origin?: string;
  dir1?: string;
  dir2?: string;
  range?: string;
  color?: string;
  digits?: string;
  width?: string;
  height?: string;
  labels?: string;
  title?: string;
  classNames?: string;
  boundaries?: boolean;
  maxRegions?: string;
}

function posInt(v: string | undefined, what: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(x) || x < min) throw new PreimageError('BAD_ARGUMENT', `expected ${what} to be an integer >= ${min}, found ${JSON.stringify(v)}`);
  return x;
}

/** The plane and rectangle of a plot from the command-line options. */
export function planeFromCli(net: Network, o: PlotOptions, units: 'raw' | 'normalized'): { plane: SlicePlane; rect: SliceRect; labels: [string, string]; fixedText: string } {
  const n = net.inputSize;
  if (n < 2) throw new PreimageError('BAD_ARGUMENT', `expected a network with at least 2 inputs to plot a plane, found ${n}`);
  const general = o.origin !== undefined || o.dir1 !== undefined || o.dir2 !== undefined;
  const nz = net.normalization;
  let plane: SlicePlane, labels: [string, string], fixedText: string, dims: [number, number] | null = null;
  if (general) {
    if (o.dims !== undefined || o.fix !== undefined) throw new PreimageError('BAD_ARGUMENT', 'expected either --dims/--fix or --origin/--dir1/--dir2, found both');
    if (o.origin === undefined || o.dir1 === undefined || o.dir2 === undefined) throw new PreimageError('BAD_ARGUMENT', 'expected all of --origin, --dir1 and --dir2 for a general plane');
    plane = { origin: parseVector(o.origin, '--origin', n), dir1: parseVector(o.dir1, '--dir1', n), dir2: parseVector(o.dir2, '--dir2', n) };
    labels = ['u (along dir1)', 'v (along dir2)'];
    fixedText = `x = [${fmtVector(plane.origin, 4)}] + u [${fmtVector(plane.dir1, 4)}] + v [${fmtVector(plane.dir2, 4)}]`;
  } else {
    const d = o.dims !== undefined ? parseVector(o.dims, '--dims', 2) : Float64Array.from([0, 1]);
    dims = [d[0], d[1]];
    let fixed: ArrayLike<number> | undefined;
    if (o.fix !== undefined) fixed = parseVector(o.fix, '--fix');
    else if (units === 'raw' && nz) fixed = Array.from(nz.inputMin, (lo, i) => (lo + nz.inputMax[i]) / 2);
    const cp = coordinatePlane(n, dims, fixed);
    plane = cp;
    labels = [`x${dims[0]}`, `x${dims[1]}`];
    const others = Array.from({ length: n }, (_, k) => k).filter((k) => k !== dims![0] && k !== dims![1]);
    fixedText = others.length ? others.map((k) => `x${k} = ${fmt(cp.origin[k] as number, 6)}`).join(', ') : '';
  }
  let rect: SliceRect;
  if (o.range !== undefined) {
    const b = parseBox(o.range, '--range', 2);
    if (!(b.lo[0] < b.hi[0]) || !(b.lo[1] < b.hi[1]) || ![...b.lo, ...b.hi].every(Number.isFinite)) throw new PreimageError('BAD_ARGUMENT', `expected --range as two finite intervals u0:u1,v0:v1 with u0 < u1 and v0 < v1, found ${JSON.stringify(o.range)}`);
    rect = { u0: b.lo[0], u1: b.hi[0], v0: b.lo[1], v1: b.hi[1] };
  } else if (dims && nz) {
    // the .nnet file's input range, in the requested units
    const lo = (i: number) => (units === 'raw' ? nz.inputMin[i] : (nz.inputMin[i] - nz.inputMean[i]) / nz.inputRange[i]);
    const hi = (i: number) => (units === 'raw' ? nz.inputMax[i] : (nz.inputMax[i] - nz.inputMean[i]) / nz.inputRange[i]);
    rect = { u0: lo(dims[0]), u1: hi(dims[0]), v0: lo(dims[1]), v1: hi(dims[1]) };
    if (!(rect.u0 < rect.u1) || !(rect.v0 < rect.v1)) throw new PreimageError('BAD_ARGUMENT', 'expected --range: the file gives an empty input range for a chosen input');
  } else rect = { u0: -1, u1: 1, v0: -1, v1: 1 };
  if (o.labels !== undefined) {
    const parts = o.labels.split(',').map((s) => s.trim());
    if (parts.length !== 2 || parts.some((p) => p === '')) throw new PreimageError('BAD_ARGUMENT', `expected --labels as two names separated by a comma, found ${JSON.stringify(o.labels)}`);
    labels = [parts[0], parts[1]];
  }
  return { plane, rect, labels, fixedText };
}

/** ", 3 segments" (empty for 0). */
const plural = (k: number, what: string): string => (k ? `, ${k} ${what}${k > 1 ? 's' : ''}` : '');

/** Words for a target in a title. */
export function describeTarget(t: Target, specName?: string): string {
  switch (t.kind) {
    case 'class': return `class ${t.index} (${t.rule ?? 'argmax'})`;
    case 'partition': return `the class partition (${t.rule ?? 'argmax'})`;
    case 'point': return `the ${t.mode === 'preactivation' ? 'pre-activation' : 'activity'} [${fmtVector(t.activity, 4)}] of layer ${t.layer}`;
    case 'box': return `a box${t.layer !== undefined ? ` on layer ${t.layer}` : ' on the outputs'}`;
    case 'polytope': return `a polytope${t.layer !== undefined ? ` on layer ${t.layer}` : ' on the outputs'}`;
    case 'union': return 'a union of polytopes';
    case 'vnnlib': return `the output set of ${specName ?? 'a VNN-LIB spec'}`;
  }
}

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description('draw an exact 2-D slice: linear regions coloured by class, by a preimage or by pattern (SVG or PNG)')
    .argument('<model>', 'network file (.onnx, .nnet or .json)')
    .argument('[spec]', 'VNN-LIB property: colour its preimage (its output set, within its input boxes)')
    .requiredOption('--out <file>', 'output picture, .svg or .png')
    .option('--dims <i,j>', 'the two input coordinates spanning the plane (default 0,1)')
    .option('--fix <values>', 'values of the other inputs, in order (n-2 values, or all n); default 0, or the middle of the .nnet range with --units raw')
    .option('--origin <values>', 'general plane: x = origin + u dir1 + v dir2')
    .option('--dir1 <values>', 'general plane: first direction')
    .option('--dir2 <values>', 'general plane: second direction')
    .option('--range <u0:u1,v0:v1>', 'rectangle in plane coordinates (default: the .nnet input range, else -1:1,-1:1)')
    .option('--color <what>', 'class, preimage or pattern (default: preimage with a target, else class)')
    .option('--class <k>', 'target: the inputs classified as k')
    .option('--argmin', 'classes are the argmin of the outputs (ACAS Xu advisories)')
    .option('--activity <values>', 'target: a point activity of --target-layer')
    .option('--preactivation', 'with --activity: the values are pre-activations')
    .option('--box <lo:hi,...>', 'target: a box on --target-layer')
    .option('--polytope <file.json>', 'target: {"T": [[...]], "t": [...], "layer"?} meaning T y <= t')
    .option('--target-layer <l>', 'layer of the target (default: the output layer)')
    .option('--units <units>', 'for .nnet networks: raw (plane, axes and output targets in physical units) or normalized (default)')
    .option('--digits <d>', 'decimals of the coordinates written in the SVG (default 3)')
    .option('--width <px>', 'picture width (default 640)')
    .option('--height <px>', 'picture height (default 480)')
    .option('--labels <a,b>', 'axis titles')
    .option('--class-names <names>', 'legend names of the classes, comma-separated')
    .option('--title <text>', 'title (default: says what is shown)')
    .option('--no-boundaries', 'do not outline the linear regions')
    .option('--max-regions <n>', 'stop after this many regions (the picture says it is incomplete)')
    .action(async (model: string, spec: string | undefined, o: PlotOptions) => {
      const ext = extname(o.out).toLowerCase();
      if (ext !== '.svg' && ext !== '.png') throw new PreimageError('BAD_ARGUMENT', `expected --out to end in .svg or .png, found ${JSON.stringify(o.out)}`);
      const net = loadNetwork(model);
      const units = parseUnits(o.units, !!net.normalization);
      const digits = posInt(o.digits, '--digits', 3, 0);
      if (digits > 10) throw new PreimageError('BAD_ARGUMENT', `expected --digits between 0 and 10, found ${digits}`);
      const width = posInt(o.width, '--width', 640, 200), height = posInt(o.height, '--height', 480, 150);
      const hasTarget = [o.class, o.activity, o.box, o.polytope, spec].some((v) => v !== undefined);
      const color = o.color ?? (hasTarget ? 'preimage' : 'class');
      if (color !== 'class' && color !== 'preimage' && color !== 'pattern') throw new PreimageError('BAD_ARGUMENT', `expected --color class, preimage or pattern, found ${JSON.stringify(color)}`);
      if (color === 'preimage' && !hasTarget) throw new PreimageError('BAD_ARGUMENT', 'expected a target for --color preimage (a spec.vnnlib file, --class, --activity, --box or --polytope), found none');
      if (color !== 'preimage' && hasTarget) throw new PreimageError('BAD_ARGUMENT', `expected no target with --color ${color} (a target is drawn with --color preimage)`);
      const { plane, rect, labels, fixedText } = planeFromCli(net, o, units);
      const slice = computeSlice(net, plane, rect, { units, maxRegions: o.maxRegions !== undefined ? posInt(o.maxRegions, '--max-regions', 1) : undefined });
      const name = net.source?.name ?? basename(model);
      let coloring: ClassColoring | TargetColoring | undefined;
      let what: string;
      const rule = o.argmin ? 'argmin' : 'argmax';
      if (color === 'class') {
        coloring = classColoring(slice, { rule });
        what = `predicted class (${rule} of the outputs)`;
      } else if (color === 'preimage') {
        const { target } = targetFromCli(net, spec, { ...o, units: undefined });
        coloring = targetColoring(net, slice, target);
        what = `preimage of ${describeTarget(target, spec ? basename(spec) : undefined)}`;
      } else what = 'linear regions (colour: activation pattern)';
      const title = o.title !== undefined ? [o.title] : [`${name}: ${what}`, `${units === 'raw' ? 'raw units; ' : ''}${fixedText}`.replace(/; $/, '')].filter((s) => s !== '');
      const classNames = o.classNames?.split(',').map((s) => s.trim());
      const svg = sliceSvg(slice, { color, coloring, digits, width, height, title, axisLabels: labels, classNames, boundaries: o.boundaries !== false });
      let bytes: Uint8Array | string = svg;
      if (ext === '.png') bytes = await svgToPng(svg);
      try {
        writeFileSync(o.out, bytes);
      } catch (e) {
        throw new PreimageError('IO', `expected a writable path ${o.out}, found ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      const extra = coloring?.kind === 'class'
        ? `, ${coloring.polygons.length} polygons in ${coloring.classAreas.filter((a) => a > 0).length} classes`
        : coloring?.kind === 'target'
          ? `, preimage ${fmt((100 * coloring.insideArea) / ((rect.u1 - rect.u0) * (rect.v1 - rect.v0)), 4)}% of the rectangle${plural(coloring.segments.length, 'segment')}${plural(coloring.points.length, 'point')}`
          : '';
      const slivers = slice.stats.slivers + (coloring?.stats.slivers ?? 0);
      const status = slice.status === 'complete' ? '' : ` (${slice.status}: the picture is partial)`;
      process.stdout.write(`plot: ${slice.regions.length} linear regions${extra}${slivers ? `, ${slivers} slivers below the margin skipped` : ''}, ${fmt(slice.stats.milliseconds, 3)} ms; wrote ${o.out}${status}\n`);
    });
}
