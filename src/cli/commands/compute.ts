import type { Command } from 'commander';
import { PreimageError } from '../../errors.js';
import { parseVnnlib } from '../../formats/vnnlib.js';
import type { Network } from '../../network/types.js';
import type { Domain } from '../../preimage/domain.js';
import { availableParallelism } from 'node:os';
import { computePreimage, type PreimageOptions } from '../../preimage/engine.js';
import { computePreimageParallel } from '../../preimage/parallel.js';
import type { PreimageResult } from '../../preimage/result.js';
import type { Target } from '../../preimage/target.js';
import { hpoly } from '../../polyhedra/hpoly.js';
import { fmt, loadNetwork, parseVector, readText, toJson, writeOut } from '../io.js';
import { parseUnits } from './eval.js';
import { addQueueOptions, checkQueueOptions, computeOnQueueFromCli, type QueueCliOptions } from '../../queue/cli.js';

/** Options shared by compute-like commands. */
export interface TargetCliOptions {
  class?: string;
  argmin?: boolean;
  activity?: string;
  preactivation?: boolean;
  targetLayer?: string;
  box?: string;
  polytope?: string;
  domain?: string;
  domainFile?: string;
  domainAll?: boolean;
  units?: string;
  resultLayer?: string;
  volumes?: boolean;
  certificates?: boolean | string;
  maxVolumeDim?: string;
  timeout?: string;
  maxPieces?: string;
  maxNodes?: string;
  json?: string;
  jsonl?: boolean;
  threads?: string;
  direction?: string;
  progress?: boolean;
  quiet?: boolean;
}

/** Parses "lo:hi,lo:hi,..." into a box. */
export function parseBox(text: string, what: string, n?: number): { lo: Float64Array; hi: Float64Array } {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const lo = new Float64Array(parts.length), hi = new Float64Array(parts.length);
  parts.forEach((p, i) => {
    const m = p.split(':');
    const num = (s: string) => (s === 'inf' || s === '+inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));
    const a = m.length === 1 ? num(m[0]) : num(m[0]);
    const b = m.length === 1 ? num(m[0]) : num(m[1]);
    if (m.length > 2 || Number.isNaN(a) || Number.isNaN(b) || a > b) throw new PreimageError('BAD_ARGUMENT', `expected ${what} as lo:hi pairs separated by commas (lo <= hi), found ${JSON.stringify(p)} at position ${i + 1}`);
    lo[i] = a;
    hi[i] = b;
  });
  if (n !== undefined && parts.length !== n) throw new PreimageError('BAD_ARGUMENT', `expected ${what} with ${n} intervals, found ${parts.length}`);
  return { lo, hi };
}

/** The value of --direction: forward, backward or auto (default; the rule is engine.ts's searchDirection). */
export function parseDirection(v: string | undefined): 'auto' | 'forward' | 'backward' {
  if (v === undefined) return 'auto';
  if (v !== 'auto' && v !== 'forward' && v !== 'backward') throw new PreimageError('BAD_ARGUMENT', `expected --direction forward, backward or auto, found ${JSON.stringify(v)}`);
  return v;
}

function int(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new PreimageError('BAD_ARGUMENT', `expected ${what} to be a non-negative integer, found ${JSON.stringify(v)}`);
  return x;
}

/** The value of --threads: a positive integer (default: the number of cores). */
export function parseThreads(v: string | undefined): number {
  if (v === undefined) return availableParallelism();
  const threads = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(threads) || threads < 1 || threads > 1024) throw new PreimageError('BAD_ARGUMENT', `expected --threads to be a positive integer (at most 1024), found ${JSON.stringify(v)}`);
  return threads;
}

/** Builds the target and options of `compute`/`verify` from command-line options. */
export function targetFromCli(net: Network, spec: string | undefined, o: TargetCliOptions): { target: Target; options: PreimageOptions } {
  const chosen = [o.class !== undefined, o.activity !== undefined, o.box !== undefined, o.polytope !== undefined, spec !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new PreimageError('BAD_ARGUMENT', `expected exactly one target (a spec.vnnlib file, --class, --activity, --box or --polytope), found ${chosen}`);
  const targetLayer = int(o.targetLayer, '--target-layer');
  let target: Target;
  if (spec !== undefined) target = { kind: 'vnnlib', spec: parseVnnlib(readText(spec), { inputSize: net.inputSize, outputSize: net.outputSize }) };
  else if (o.class !== undefined) target = { kind: 'class', index: int(o.class, '--class') as number, rule: o.argmin ? 'argmin' : 'argmax' };
  else if (o.activity !== undefined) target = { kind: 'point', layer: targetLayer ?? net.layers.length, activity: parseVector(o.activity, '--activity'), mode: o.preactivation ? 'preactivation' : 'activity' };
  else if (o.box !== undefined) target = { kind: 'box', layer: targetLayer, ...parseBox(o.box, '--box') };
  else {
    let data: { T?: number[][]; t?: number[]; layer?: number };
    try {
      data = JSON.parse(readText(o.polytope as string));
    } catch (e) {
      if (e instanceof PreimageError) throw e;
      throw new PreimageError('BAD_ARGUMENT', `expected --polytope to name a JSON file {"T": [[...]], "t": [...]}, found invalid JSON`);
    }
    if (!Array.isArray(data.T) || !Array.isArray(data.t)) throw new PreimageError('BAD_ARGUMENT', 'expected --polytope JSON with arrays "T" (rows) and "t", found other fields');
    target = { kind: 'polytope', layer: targetLayer ?? data.layer, T: data.T, t: data.t };
  }
  const units = parseUnits(o.units, !!net.normalization);
  const resultLayer = int(o.resultLayer, '--result-layer') ?? 0;
  const n = resultLayer === 0 ? net.inputSize : net.layers[resultLayer - 1]?.outSize;
  let domain: Domain | undefined;
  const domainCount = [o.domain, o.domainFile, o.domainAll].filter((v) => v !== undefined && v !== false).length;
  if (domainCount > 1) throw new PreimageError('BAD_ARGUMENT', 'expected at most one of --domain, --domain-file, --domain-all');
  if (o.domain) domain = { kind: 'box', ...parseBox(o.domain, '--domain', n) };
  else if (o.domainAll) domain = { kind: 'all' };
  else if (o.domainFile) {
    const d = JSON.parse(readText(o.domainFile)) as { A?: number[][]; b?: number[]; Aeq?: number[][]; beq?: number[] };
    if (!Array.isArray(d.A) || !Array.isArray(d.b)) throw new PreimageError('BAD_ARGUMENT', 'expected --domain-file JSON {"A": [[...]], "b": [...], "Aeq"?, "beq"?}');
    domain = { kind: 'polyhedron', polyhedron: hpoly(n as number, d.A, d.b, d.Aeq ?? [], d.beq ?? []) };
  }
  const timeout = o.timeout !== undefined ? Number(o.timeout) : undefined;
  if (timeout !== undefined && !(timeout > 0)) throw new PreimageError('BAD_ARGUMENT', `expected --timeout in seconds (> 0), found ${JSON.stringify(o.timeout)}`);
  return {
    target,
    options: {
      domain,
      units,
      resultLayer,
      volumes: o.volumes !== false,
      certificates: certificateLevel(o.certificates),
      maxVolumeDim: int(o.maxVolumeDim, '--max-volume-dim'),
      timeLimitMs: timeout !== undefined ? timeout * 1000 : undefined,
      maxPieces: int(o.maxPieces, '--max-pieces'),
      maxNodes: int(o.maxNodes, '--max-nodes'),
    },
  };
}

function certificateLevel(v: boolean | string | undefined): boolean | 'full' {
  if (v === undefined || v === true || v === 'witness') return true;
  if (v === false) return false;
  if (v === 'full') return 'full';
  throw new PreimageError('BAD_ARGUMENT', `expected --certificates witness or full, found ${JSON.stringify(v)}`);
}

/** Adds the target, domain and budget options to a command. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--class <k>', 'target: the inputs classified as k (argmax of the outputs; see --argmin)')
    .option('--argmin', 'with --class: the class is the argmin (ACAS Xu advisories)')
    .option('--activity <values>', 'target: a point activity (post-ReLU) of --target-layer')
    .option('--preactivation', 'with --activity: the values are pre-activations z = W a + b')
    .option('--box <lo:hi,...>', 'target: a box on --target-layer')
    .option('--polytope <file.json>', 'target: {"T": [[...]], "t": [...], "layer"?} meaning T y <= t')
    .option('--target-layer <l>', 'layer of the target (default: the output layer)')
    .option('--domain <lo:hi,...>', 'domain box in result coordinates (default: the VNN-LIB box, else all of R^n)')
    .option('--domain-file <file.json>', 'domain polyhedron {"A", "b", "Aeq"?, "beq"?}')
    .option('--domain-all', 'domain: all of R^n')
    .option('--units <units>', 'for .nnet networks: raw or normalized (default) coordinates')
    .option('--result-layer <k>', 'coordinates of the pieces: layer k (default 0, the input)')
    .option('--no-volumes', 'skip vertices and volumes')
    .option('--certificates <level>', 'exact certificates: witness (default) or full (every vertex evaluated exactly)')
    .option('--no-certificates', 'skip exact certificates')
    .option('--max-volume-dim <d>', 'largest dimension for vertices and volumes (default 8)')
    .option('--timeout <seconds>', 'stop after this long (status incomplete_time)')
    .option('--max-pieces <n>', 'stop after this many pieces (status incomplete_budget)')
    .option('--max-nodes <n>', 'stop after this many tree nodes (status incomplete_budget)');
}

/** One-screen human summary. */
export function summarize(r: PreimageResult): string {
  const dims = new Map<number, number>();
  for (const p of r.pieces) dims.set(p.dim, (dims.get(p.dim) ?? 0) + 1);
  const lines = [
    `status      ${r.status}`,
    `pieces      ${r.pieces.length}${r.pieces.length ? ` (by dimension: ${[...dims.entries()].sort((a, b) => b[0] - a[0]).map(([d, c]) => `${c} of dim ${d}`).join(', ')})` : ''}`,
    `coordinates layer ${r.layer}${r.units === 'raw' ? ' (raw units)' : ''}, ${r.inputDim} dimensions; target layer ${r.targetLayer}`,
  ];
  if (r.volume !== null) {
    const frac = r.domainVolume ? ` = ${fmt((100 * r.volume) / r.domainVolume, 4)}% of the domain (volume ${fmt(r.domainVolume, 6)})` : '';
    lines.push(`volume      ${fmt(r.volume, 8)}${frac}`);
  }
  const s = r.stats;
  lines.push(`search      ${fmt(s.milliseconds, 4)} ms: ${s.nodes} tree nodes, ${s.lps} LPs, ${s.pruned} pruned, ${s.splits} splits, ${s.boundDecided} units fixed by bounds`);
  lines.push(`geometry    ${fmt(s.geometryMilliseconds, 4)} ms (redundancy, vertices, volumes, certificates)`);
  const certs = r.pieces.filter((p) => p.certificate);
  if (certs.length) {
    const ok = certs.filter((p) => p.certificate!.witnessInPiece && p.certificate!.patternReproduced && p.certificate!.targetAtWitness).length;
    lines.push(`certified   ${ok} of ${certs.length} pieces (exact re-check of witness, pattern and target)`);
  }
  for (const w of r.warnings) lines.push(`warning     ${w}`);
  return lines.join('\n') + '\n';
}

export function registerCompute(program: Command): void {
  const cmd = addTargetOptions(
    program
      .command('compute')
      .description('the exact preimage of a target (a VNN-LIB output set, a class, a point activity, a box or a polytope)')
      .argument('<model>', 'network file (.onnx, .nnet or .json)')
      .argument('[spec]', 'VNN-LIB property: its output set is the target and its input box the domain'),
  )
    .option('--json <file>', 'write the result as JSON (- for stdout)')
    .option('--jsonl', 'stream JSON Lines to stdout: one line per piece, then a summary line')
    .option('--threads <n>', 'worker threads (default: the number of cores); the result is the same for any number')
    .option('--direction <d>', 'search direction: forward from the domain, backward from the target, or auto (default: backward for a point --activity two or more layers above the result layer over a bounded domain, else forward); the same pieces either way; backward runs in one thread, also with --threads')
    .option('--progress', 'progress on stderr even when it is not a terminal')
    .option('--quiet', 'no progress');
  // the distributed search (src/queue/): --queue, --run-id, --queue-password, --queue-tls, --split-budget
  addQueueOptions(cmd)
    .action(async (model: string, spec: string | undefined, o: TargetCliOptions & QueueCliOptions) => {
      checkQueueOptions(o);
      const net = loadNetwork(model);
      const { target, options } = targetFromCli(net, spec, o);
      const ac = new AbortController();
      const onSig = () => ac.abort();
      process.once('SIGINT', onSig);
      const showProgress = !o.quiet && (o.progress || process.stderr.isTTY);
      options.signal = ac.signal;
      if (showProgress) {
        options.onProgress = (s, ms) => process.stderr.write(`\r${(ms / 1000).toFixed(1)} s: ${s.pieces} pieces, ${s.nodes} nodes, ${s.lps} LPs, ${s.pruned} pruned   `);
      }
      if (o.jsonl) {
        options.onPiece = (p) => process.stdout.write(JSON.stringify({ type: 'piece', ...p }) + '\n');
        options.keepPieces = false; // streamed: memory stays bounded
      }
      const threads = parseThreads(o.threads);
      options.direction = parseDirection(o.direction);
      // every thread count runs the same subtree tasks (threads = 1 in this thread): identical results;
      // the backward search has no tasks and runs in this thread
      const result = options.direction === 'backward' ? computePreimage(net, target, options)
        : o.queue !== undefined ? await computeOnQueueFromCli(net, target, options, o, showProgress)
        : await computePreimageParallel(net, target, { ...options, threads });
      process.removeListener('SIGINT', onSig);
      if (showProgress) process.stderr.write('\n');
      if (o.jsonl) {
        const { pieces: _p, ...rest } = result;
        process.stdout.write(JSON.stringify({ type: 'summary', ...rest, pieceCount: result.stats.pieces }) + '\n');
        return;
      }
      if (o.json === '-') process.stdout.write(toJson(result, 0) + '\n');
      else {
        if (o.json) writeOut(o.json, toJson(result, 0) + '\n');
        process.stdout.write(summarize(result));
      }
    });
}
