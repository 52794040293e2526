/**
 * What travels through Redis, and its validation. A worker takes only data from the queue: the
 * run's problem record (network JSON, target, options) and small job payloads (a run id and a
 * subtree task). Everything is checked against the shapes below before use; nothing is ever
 * evaluated. A record or job that fails is a PreimageError BAD_JOB listing what was expected
 * and what was found (the task inside a job is checked by decodeTask: BAD_TASK).
 *
 * Hand-written rather than zod: the shapes are few and flat (about 150 lines here), the network
 * itself is checked by the JSON network reader (src/formats/json.ts) with located messages, and
 * the task by the subtree module; zod would be a fourth runtime dependency for the CLI and the
 * library (several MB unpacked) to save perhaps 80 lines.
 */
import { createHash } from 'node:crypto';
import { PreimageError, describe } from '../errors.js';
import { readJsonNetwork, writeJsonNetwork } from '../formats/json.js';
import type { Network } from '../network/types.js';
import type { Domain } from '../preimage/domain.js';
import type { PreimageOptions } from '../preimage/engine.js';
import type { Target } from '../preimage/target.js';

/** Value of a problem record's `format`. */
export const RUN_FORMAT = 'relu-preimage/queue-run';
export const RUN_VERSION = 1;
/** Run ids: letters, digits, `_` and `-` (they become part of Redis key names). */
export const RUN_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Largest problem record accepted (bytes of JSON). */
export const MAX_RECORD_BYTES = 256 * 2 ** 20;

/** Worker settings that belong to a run (every worker of the run uses the same). */
export interface RunWorkerSettings {
  /** BullMQ lockDuration: a job whose worker stops renewing its lock for this long is stalled. */
  lockMs: number;
  /** BullMQ stalledInterval: how often workers look for stalled jobs. */
  stalledMs: number;
  /** BullMQ maxStalledCount: stalls before a job fails. */
  maxStalled: number;
}

/** The options of a run that change its pieces (the rest stays with the coordinator). */
export interface RunOptions {
  domain?: unknown;
  units: 'raw' | 'normalized';
  resultLayer: number;
  volumes: boolean;
  maxVolumeDim: number;
  certificates: boolean | 'full';
  strategy: 'auto' | 'lp' | 'vertex';
  /** PreimageOptions.geometry and .sliverSlack (verification sets them); absent: the defaults. */
  geometry?: boolean;
  sliverSlack?: boolean;
  /** runSubtree's split budget (work units before a task hands out children); absent: its default. */
  splitBudget?: number;
}

/** What a run stores once in Redis: the problem every job of the run refers to. */
export interface ProblemRecord {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  /** The network in the JSON network format (src/formats/json.ts), parsed. */
  network: unknown;
  target: unknown;
  options: RunOptions;
  worker: RunWorkerSettings;
  /** sha256 of network, target and options: a resumed run must ask the same question. */
  digest: string;
}

/** A job's data: the run and one subtree task (encodeTask's JSON). */
export interface JobData {
  v: 1;
  run: string;
  task: unknown;
  /** Date.now() time at which the search stops (status incomplete_time). */
  deadline?: number;
}

// ---------------------------------------------------------------------------------------------
// numbers: ±Infinity (unbounded boxes) are not JSON, so they travel as the strings "inf"/"-inf"

function encNum(v: number): number | string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}
const encArr = (a: ArrayLike<number>): (number | string)[] => Array.from(a, encNum);

function bad(what: string, expected: string, found: unknown): PreimageError {
  return new PreimageError('BAD_JOB', `expected ${expected}, found ${describe(found)}`, what);
}

function obj(v: unknown, what: string, keys: string[], optional: string[] = []): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(what, 'an object', v);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) throw bad(`${what}.${k}`, `no field ${JSON.stringify(k)} (known: ${[...keys, ...optional].join(', ')})`, o[k]);
  for (const k of keys) if (!(k in o)) throw bad(`${what}.${k}`, 'the field to be present', undefined);
  return o;
}

function num(v: unknown, what: string): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(what, 'a finite number, "inf" or "-inf"', v);
  return v;
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(what, 'a finite number', v);
  return v;
}

function int(v: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(what, `an integer in ${min}..${max}`, v);
  return v;
}

function vec(v: unknown, what: string, len?: number, finiteOnly = false): Float64Array {
  if (!Array.isArray(v)) throw bad(what, 'an array of numbers', v);
  if (len !== undefined && v.length !== len) throw bad(what, `${len} numbers`, v);
  if (v.length > 1e7) throw bad(what, 'at most 10^7 numbers', v);
  return Float64Array.from(v, (x, i) => (finiteOnly ? finite(x, `${what}[${i}]`) : num(x, `${what}[${i}]`)));
}

function matrix(v: unknown, what: string): Float64Array[] {
  if (!Array.isArray(v)) throw bad(what, 'an array of rows', v);
  return v.map((r, i) => vec(r, `${what}[${i}]`, undefined, true));
}

function oneOf<T extends string>(v: unknown, what: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) throw bad(what, `one of ${values.join(', ')}`, v);
  return v as T;
}

function optLayer(o: Record<string, unknown>, what: string): { layer?: number } {
  return o.layer === undefined ? {} : { layer: int(o.layer, `${what}.layer`, 1, 10_000) };
}

// ---------------------------------------------------------------------------------------------
// targets and domains

/** A target as plain JSON. */
export function encodeTarget(t: Target): unknown {
  switch (t.kind) {
    case 'point': return { kind: 'point', layer: t.layer, activity: encArr(t.activity), mode: t.mode ?? 'activity' };
    case 'polytope': return { kind: 'polytope', ...(t.layer !== undefined ? { layer: t.layer } : {}), T: t.T.map(encArr), t: encArr(t.t) };
    case 'union': return { kind: 'union', ...(t.layer !== undefined ? { layer: t.layer } : {}), parts: t.parts.map((p) => ({ T: p.T.map(encArr), t: encArr(p.t) })) };
    case 'box': return { kind: 'box', ...(t.layer !== undefined ? { layer: t.layer } : {}), lo: encArr(t.lo), hi: encArr(t.hi) };
    case 'class': return { kind: 'class', index: t.index, rule: t.rule ?? 'argmax' };
    case 'partition': return { kind: 'partition', rule: t.rule ?? 'argmax' };
    case 'vnnlib': return {
      kind: 'vnnlib',
      spec: {
        inputSize: t.spec.inputSize,
        outputSize: t.spec.outputSize,
        inputBoxes: t.spec.inputBoxes.map((b) => ({ lo: encArr(b.lo), hi: encArr(b.hi) })),
        output: t.spec.output.map((p) => ({ rows: p.rows, cols: p.cols, T: encArr(p.T), t: encArr(p.t) })),
      },
    };
  }
}

/** Reads a target back. @throws PreimageError BAD_JOB */
export function decodeTarget(v: unknown, what = 'target'): Target {
  const kind = oneOf(obj(v, what, ['kind'], ['layer', 'activity', 'mode', 'T', 't', 'parts', 'lo', 'hi', 'index', 'rule', 'spec']).kind, `${what}.kind`, ['point', 'polytope', 'union', 'box', 'class', 'partition', 'vnnlib'] as const);
  switch (kind) {
    case 'point': {
      const o = obj(v, what, ['kind', 'layer', 'activity', 'mode']);
      return { kind, layer: int(o.layer, `${what}.layer`, 1, 10_000), activity: vec(o.activity, `${what}.activity`, undefined, true), mode: oneOf(o.mode, `${what}.mode`, ['activity', 'preactivation'] as const) };
    }
    case 'polytope': {
      const o = obj(v, what, ['kind', 'T', 't'], ['layer']);
      return { kind, ...optLayer(o, what), T: matrix(o.T, `${what}.T`), t: vec(o.t, `${what}.t`) };
    }
    case 'union': {
      const o = obj(v, what, ['kind', 'parts'], ['layer']);
      if (!Array.isArray(o.parts)) throw bad(`${what}.parts`, 'an array', o.parts);
      return { kind, ...optLayer(o, what), parts: o.parts.map((p, i) => { const q = obj(p, `${what}.parts[${i}]`, ['T', 't']); return { T: matrix(q.T, `${what}.parts[${i}].T`), t: vec(q.t, `${what}.parts[${i}].t`) }; }) };
    }
    case 'box': {
      const o = obj(v, what, ['kind', 'lo', 'hi'], ['layer']);
      return { kind, ...optLayer(o, what), lo: vec(o.lo, `${what}.lo`), hi: vec(o.hi, `${what}.hi`) };
    }
    case 'class': {
      const o = obj(v, what, ['kind', 'index', 'rule']);
      return { kind, index: int(o.index, `${what}.index`), rule: oneOf(o.rule, `${what}.rule`, ['argmax', 'argmin'] as const) };
    }
    case 'partition': {
      const o = obj(v, what, ['kind', 'rule']);
      return { kind, rule: oneOf(o.rule, `${what}.rule`, ['argmax', 'argmin'] as const) };
    }
    case 'vnnlib': {
      const o = obj(v, what, ['kind', 'spec']);
      const s = obj(o.spec, `${what}.spec`, ['inputSize', 'outputSize', 'inputBoxes', 'output']);
      const n = int(s.inputSize, `${what}.spec.inputSize`, 1, 1e7), m = int(s.outputSize, `${what}.spec.outputSize`, 1, 1e7);
      if (!Array.isArray(s.inputBoxes)) throw bad(`${what}.spec.inputBoxes`, 'an array', s.inputBoxes);
      if (!Array.isArray(s.output)) throw bad(`${what}.spec.output`, 'an array', s.output);
      return {
        kind,
        spec: {
          inputSize: n,
          outputSize: m,
          inputBoxes: s.inputBoxes.map((b, i) => { const q = obj(b, `${what}.spec.inputBoxes[${i}]`, ['lo', 'hi']); return { lo: vec(q.lo, `${what}.spec.inputBoxes[${i}].lo`, n), hi: vec(q.hi, `${what}.spec.inputBoxes[${i}].hi`, n) }; }),
          output: s.output.map((p, i) => {
            const w = `${what}.spec.output[${i}]`;
            const q = obj(p, w, ['rows', 'cols', 'T', 't']);
            const rows = int(q.rows, `${w}.rows`), cols = int(q.cols, `${w}.cols`, m, m);
            return { rows, cols, T: vec(q.T, `${w}.T`, rows * cols, true), t: vec(q.t, `${w}.t`, rows) };
          }),
        },
      };
    }
  }
}

function encodeOneDomain(d: Domain): unknown {
  switch (d.kind) {
    case 'box': return { kind: 'box', lo: encArr(d.lo), hi: encArr(d.hi) };
    case 'polyhedron': {
      const P = d.polyhedron;
      return { kind: 'polyhedron', n: P.n, A: Array.from(P.A), b: Array.from(P.b), Aeq: Array.from(P.Aeq), beq: Array.from(P.beq) };
    }
    default: return { kind: d.kind };
  }
}

/** Domain option(s) as plain JSON. */
export function encodeDomain(d: PreimageOptions['domain']): unknown {
  if (d === undefined) return undefined;
  return Array.isArray(d) ? d.map(encodeOneDomain) : encodeOneDomain(d);
}

function decodeOneDomain(v: unknown, what: string): Domain {
  const kind = oneOf(obj(v, what, ['kind'], ['lo', 'hi', 'n', 'A', 'b', 'Aeq', 'beq']).kind, `${what}.kind`, ['box', 'polyhedron', 'all', 'nonnegative'] as const);
  if (kind === 'box') {
    const o = obj(v, what, ['kind', 'lo', 'hi']);
    return { kind, lo: vec(o.lo, `${what}.lo`), hi: vec(o.hi, `${what}.hi`) };
  }
  if (kind === 'polyhedron') {
    const o = obj(v, what, ['kind', 'n', 'A', 'b', 'Aeq', 'beq']);
    const n = int(o.n, `${what}.n`, 1, 1e7);
    const b = vec(o.b, `${what}.b`, undefined, true), beq = vec(o.beq, `${what}.beq`, undefined, true);
    const A = vec(o.A, `${what}.A`, b.length * n, true), Aeq = vec(o.Aeq, `${what}.Aeq`, beq.length * n, true);
    return { kind, polyhedron: { n, m: b.length, A, b, meq: beq.length, Aeq, beq } };
  }
  obj(v, what, ['kind']);
  return { kind };
}

/** Reads domain option(s) back. @throws PreimageError BAD_JOB */
export function decodeDomain(v: unknown, what = 'options.domain'): PreimageOptions['domain'] {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.map((d, i) => decodeOneDomain(d, `${what}[${i}]`)) : decodeOneDomain(v, what);
}

// ---------------------------------------------------------------------------------------------
// records and jobs

/** Builds the record a run stores in Redis. */
export function makeProblemRecord(network: Network, target: Target, opts: PreimageOptions, splitBudget: number | undefined, worker: RunWorkerSettings): ProblemRecord {
  const options: RunOptions = {
    ...(opts.domain !== undefined ? { domain: encodeDomain(opts.domain) } : {}),
    units: opts.units ?? 'normalized',
    resultLayer: opts.resultLayer ?? 0,
    volumes: opts.volumes ?? true,
    maxVolumeDim: opts.maxVolumeDim ?? 8,
    certificates: opts.certificates ?? true,
    strategy: opts.strategy ?? 'auto',
    ...(opts.geometry !== undefined ? { geometry: opts.geometry } : {}),
    ...(opts.sliverSlack !== undefined ? { sliverSlack: opts.sliverSlack } : {}),
    ...(splitBudget !== undefined ? { splitBudget } : {}),
  };
  const net = JSON.parse(writeJsonNetwork(network)) as unknown;
  const tgt = encodeTarget(target);
  return { format: RUN_FORMAT, version: RUN_VERSION, network: net, target: tgt, options, worker, digest: digestOf(net, tgt, options) };
}

/** sha256 of what determines the pieces: weights and normalisation (not the source's name), target, options. */
function digestOf(network: unknown, target: unknown, options: unknown): string {
  const { source: _source, ...net } = (network && typeof network === 'object' ? network : {}) as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify([net, target, options])).digest('hex');
}

/** A validated record, with the network, target and options ready for preparePreimage. */
export interface DecodedRecord {
  record: ProblemRecord;
  network: Network;
  target: Target;
  options: PreimageOptions;
  splitBudget?: number;
}

/**
 * Parses and validates a problem record (JSON text from Redis).
 * @throws PreimageError BAD_JOB (or the network reader's JSON_SCHEMA etc. for a bad network)
 */
export function decodeProblemRecord(text: string): DecodedRecord {
  if (text.length > MAX_RECORD_BYTES) throw bad('problem', `at most ${MAX_RECORD_BYTES} bytes`, text.length);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('problem', 'a JSON problem record', 'invalid JSON');
  }
  const o = obj(v, 'problem', ['format', 'version', 'network', 'target', 'options', 'worker', 'digest']);
  if (o.format !== RUN_FORMAT) throw bad('problem.format', JSON.stringify(RUN_FORMAT), o.format);
  if (o.version !== RUN_VERSION) throw bad('problem.version', String(RUN_VERSION), o.version);
  const op = obj(o.options, 'problem.options', ['units', 'resultLayer', 'volumes', 'maxVolumeDim', 'certificates', 'strategy'], ['domain', 'splitBudget', 'geometry', 'sliverSlack']);
  const w = obj(o.worker, 'problem.worker', ['lockMs', 'stalledMs', 'maxStalled']);
  if (typeof op.volumes !== 'boolean') throw bad('problem.options.volumes', 'true or false', op.volumes);
  if (op.certificates !== true && op.certificates !== false && op.certificates !== 'full') throw bad('problem.options.certificates', 'true, false or "full"', op.certificates);
  const options: PreimageOptions = {
    domain: decodeDomain(op.domain),
    units: oneOf(op.units, 'problem.options.units', ['raw', 'normalized'] as const),
    resultLayer: int(op.resultLayer, 'problem.options.resultLayer', 0, 10_000),
    volumes: op.volumes,
    maxVolumeDim: int(op.maxVolumeDim, 'problem.options.maxVolumeDim', 0, 64),
    certificates: op.certificates as boolean | 'full',
    strategy: oneOf(op.strategy, 'problem.options.strategy', ['auto', 'lp', 'vertex'] as const),
  };
  for (const k of ['geometry', 'sliverSlack'] as const) {
    if (op[k] === undefined) continue;
    if (typeof op[k] !== 'boolean') throw bad(`problem.options.${k}`, 'true or false', op[k]);
    options[k] = op[k] as boolean;
  }
  const splitBudget = op.splitBudget === undefined ? undefined : int(op.splitBudget, 'problem.options.splitBudget', 1);
  const worker: RunWorkerSettings = { lockMs: int(w.lockMs, 'problem.worker.lockMs', 100, 3_600_000), stalledMs: int(w.stalledMs, 'problem.worker.stalledMs', 100, 3_600_000), maxStalled: int(w.maxStalled, 'problem.worker.maxStalled', 0, 100) };
  if (typeof o.digest !== 'string' || o.digest !== digestOf(o.network, o.target, o.options)) throw bad('problem.digest', 'the sha256 of network, target and options', o.digest);
  const network = readJsonNetwork(JSON.stringify(o.network), 'queue');
  const target = decodeTarget(o.target, 'problem.target');
  return { record: { ...(o as unknown as ProblemRecord), worker }, network, target, options, splitBudget };
}

/** Validates a job's data (not the task inside: decodeTask does that). @throws PreimageError BAD_JOB */
export function validateJobData(v: unknown): JobData {
  const o = obj(v, 'job', ['v', 'run', 'task'], ['deadline']);
  if (o.v !== 1) throw bad('job.v', '1', o.v);
  if (typeof o.run !== 'string' || !RUN_ID_RE.test(o.run)) throw bad('job.run', 'a run id of letters, digits, _ and - (1..64)', o.run);
  if (typeof o.task !== 'object' || o.task === null) throw bad('job.task', 'an encoded subtree task', o.task);
  const deadline = o.deadline === undefined ? undefined : finite(o.deadline, 'job.deadline');
  return { v: 1, run: o.run, task: o.task, ...(deadline !== undefined ? { deadline } : {}) };
}
