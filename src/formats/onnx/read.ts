/**
 * ONNX ModelProto bytes -> Network. Runs anywhere (no file system): give it the bytes.
 *
 * Method: the graph is walked in topological order, tracking which tensors are constants
 * (initializers, Constant nodes, and anything computed from constants only) and which single tensor
 * carries the data. Every operator applied to the data is an affine map of it; these maps are
 * composed into the pending dense layer, and each Relu closes that layer. The data must flow as a
 * chain: each node takes at most one data tensor, and each data tensor feeds exactly one node (or
 * is the graph output). Anything else is refused with a coded error naming the node.
 */
import { PreimageError } from '../../errors.js';
import { createNetwork, type LayerInit } from '../../network/create.js';
import type { Network } from '../../network/types.js';
import { broadcastIndex, broadcastShapes, composeAffine, identity, isIdentity, toDense, type Affine } from './affine.js';
import {
  ATTR_TYPE_NAMES, AttrType, DATA_TYPE_NAMES, DataType, onnxTypes, toNum,
  type AttributeProtoMsg, type GraphProtoMsg, type ModelProtoMsg, type NodeProtoMsg, type TensorProtoMsg,
} from './schema.js';
import { flattenShape, reshapeShape, squeezeShape, unsqueezeShape } from './shapes.js';
import { decodeTensor, fmtShape, isIntegerType, sizeOf, type Const } from './tensor.js';

/** Operators the reader accepts (all in the default ai.onnx domain). */
export const SUPPORTED_ONNX_OPS = [
  'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze',
  'Identity', 'Dropout', 'Constant', 'Shape', 'Gather', 'Concat', 'Cast',
] as const;

const SUPPORTED = new Set<string>(SUPPORTED_ONNX_OPS);
const SUPPORTED_TEXT =
  'Gemm, MatMul, Add, Sub, Mul, Div (by constants), Relu, Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout, Constant, ' +
  'and Shape/Gather/Concat/Cast for shape constants';

type Value = { kind: 'const'; t: Const } | { kind: 'data'; shape: number[] };

interface Ctx {
  node: NodeProtoMsg;
  op: string;
  /** "node \"fc1\" (Gemm)" */
  label: string;
  /** "node fc1" for PreimageError.at */
  at: string;
}

/**
 * Reads an ONNX model of a fully connected ReLU network.
 * @param bytes the .onnx file contents
 * @param name a name for messages and `source.name` (e.g. the file name); defaults to the graph name
 * @throws PreimageError EMPTY_FILE | ONNX_DECODE | ONNX_UNSUPPORTED_OP | ONNX_NOT_A_CHAIN |
 *   ONNX_BAD_ATTRIBUTE | ONNX_MISSING_TENSOR | ONNX_BAD_TENSOR | SHAPE_MISMATCH | NON_FINITE
 */
export function readOnnx(bytes: Uint8Array, name?: string): Network {
  const model = decodeModel(bytes);
  const graph = model.graph as GraphProtoMsg;
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const head = [
    `ONNX IR ${toNum(model.irVersion)}, opset ${opset ? toNum(opset.version) : '?'}` +
      (model.producerName ? `, producer ${JSON.stringify(`${model.producerName} ${model.producerVersion ?? ''}`.trim())}` : ''),
  ];
  return new GraphReader(graph, head, name ?? (graph.name || undefined)).read();
}

function decodeModel(bytes: Uint8Array): ModelProtoMsg {
  if (!bytes || bytes.length === 0) {
    throw new PreimageError('EMPTY_FILE', 'expected an ONNX ModelProto, found an empty file (0 bytes)');
  }
  const { ModelProto } = onnxTypes();
  let model: ModelProtoMsg;
  try {
    model = ModelProto.decode(bytes) as unknown as ModelProtoMsg;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const hint = /index out of range/.test(msg) ? '; the data ends inside a field, so the file looks truncated' : '';
    throw new PreimageError(
      'ONNX_DECODE',
      `expected an ONNX ModelProto (protobuf), found ${bytes.length} bytes that do not decode (${msg})${hint}${textHint(bytes)}`,
    );
  }
  if (!model.graph) {
    throw new PreimageError(
      'ONNX_DECODE',
      `expected an ONNX ModelProto with a graph, found ${bytes.length} bytes that decode to no graph${textHint(bytes)}`,
    );
  }
  return model;
}

/** ", the file starts with text \"...\"" when the first bytes are printable. */
function textHint(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 40);
  for (const b of head) if (b !== 9 && b !== 10 && b !== 13 && (b < 32 || b > 126)) return '';
  let s = '';
  for (const b of head) s += String.fromCharCode(b);
  return `; the file starts with text ${JSON.stringify(s)}, not a binary ONNX model`;
}

function nodeLabel(n: NodeProtoMsg, i: number): { label: string; at: string } {
  const op = n.opType || '?';
  if (n.name) return { label: `node ${JSON.stringify(n.name)} (${op})`, at: `node ${n.name}` };
  const out = n.output?.[0];
  return {
    label: `node #${i + 1} (${op}${out ? `, output ${JSON.stringify(out)}` : ''})`,
    at: `node #${i + 1}`,
  };
}

class GraphReader {
  private readonly inits = new Map<string, TensorProtoMsg>();
  private readonly values = new Map<string, Value>();
  private layers: LayerInit[] = [];
  private layerOps: string[][] = [];
  private layerNodes: string[][] = [];
  private pending: Affine;
  private pendingOps: string[] = [];
  private pendingNodes: string[] = [];
  private readonly inputName: string;
  private readonly inputShape: number[];
  private readonly outputName: string;

  constructor(
    private readonly g: GraphProtoMsg,
    private readonly notes: string[],
    private readonly name: string | undefined,
  ) {
    for (const t of g.initializer ?? []) if (t.name) this.inits.set(t.name, t);
    const real = (g.input ?? []).filter((v) => !this.inits.has(v.name ?? ''));
    if (real.length === 0) {
      throw new PreimageError('ONNX_MISSING_TENSOR', 'expected one graph input that is not an initializer (the network input), found none');
    }
    if (real.length > 1) {
      throw new PreimageError(
        'ONNX_NOT_A_CHAIN',
        `expected one graph input that is not an initializer, found ${real.length}: ${real.map((v) => JSON.stringify(v.name)).join(', ')}`,
      );
    }
    const input = real[0];
    this.inputName = input.name ?? '';
    const tt = input.type?.tensorType;
    if (!tt) throw new PreimageError('ONNX_BAD_TENSOR', `expected graph input ${JSON.stringify(this.inputName)} to be a tensor, found another type`, 'graph input');
    const dims = tt.shape?.dim;
    if (!dims) {
      throw new PreimageError('ONNX_BAD_TENSOR', `expected graph input ${JSON.stringify(this.inputName)} to declare its shape, found none`, 'graph input');
    }
    this.inputShape = dims.map((d, i) => {
      const v = toNum(d.dimValue);
      if (!d.dimParam && v > 0) return v;
      if (i === 0) return 1; // a symbolic or unknown leading (batch) dimension: one input at a time
      const shown = dims.map((e) => (e.dimParam ? e.dimParam : toNum(e.dimValue) > 0 ? toNum(e.dimValue) : '?')).join(',');
      throw new PreimageError(
        'ONNX_BAD_TENSOR',
        `expected graph input ${JSON.stringify(this.inputName)} to have fixed dimensions after the batch dimension, found [${shown}]`,
        'graph input',
      );
    });
    if (tt.elemType && tt.elemType !== DataType.FLOAT && tt.elemType !== DataType.DOUBLE && tt.elemType !== DataType.FLOAT16) {
      throw new PreimageError(
        'ONNX_BAD_TENSOR',
        `expected graph input ${JSON.stringify(this.inputName)} of a floating-point type, found ${DATA_TYPE_NAMES[tt.elemType] ?? tt.elemType}`,
        'graph input',
      );
    }
    const outs = g.output ?? [];
    if (outs.length === 0) throw new PreimageError('ONNX_MISSING_TENSOR', 'expected one graph output, found none');
    if (outs.length > 1) {
      throw new PreimageError('ONNX_NOT_A_CHAIN', `expected one graph output, found ${outs.length}: ${outs.map((v) => JSON.stringify(v.name)).join(', ')}`);
    }
    this.outputName = outs[0].name ?? '';
    this.values.set(this.inputName, { kind: 'data', shape: this.inputShape });
    this.pending = identity(sizeOf(this.inputShape));
  }

  read(): Network {
    const nodes = this.g.node ?? [];
    const order = this.topologicalOrder(nodes);
    const consumers = this.dataConsumers(nodes);
    for (const i of order) this.visit(nodes[i], i, consumers);

    const out = this.values.get(this.outputName);
    if (!out) throw new PreimageError('ONNX_MISSING_TENSOR', `expected graph output ${JSON.stringify(this.outputName)} to be produced by a node, found no such tensor`);
    if (out.kind === 'const') {
      throw new PreimageError('ONNX_NOT_A_CHAIN', `expected graph output ${JSON.stringify(this.outputName)} to depend on the input ${JSON.stringify(this.inputName)}, found a constant`);
    }
    if (!isIdentity(this.pending) || this.layers.length === 0) this.closeLayer('identity');
    else if (this.pendingOps.length > 0) {
      this.layerOps[this.layerOps.length - 1].push(...this.pendingOps);
      this.layerNodes[this.layerNodes.length - 1].push(...this.pendingNodes);
    }

    const notes = [
      ...this.notes,
      `input ${JSON.stringify(this.inputName)} ${fmtShape(this.inputShape)}, output ${JSON.stringify(this.outputName)} ${fmtShape(out.shape)}`,
      ...this.layers.map((l, k) => `layer ${k + 1}: ${l.inSize} -> ${l.bias.length}, ${l.activation}: ${this.layerOps[k].join(', ')}`),
    ];
    try {
      return createNetwork(this.layers, { source: { format: 'onnx', ...(this.name ? { name: this.name } : {}), notes } });
    } catch (e) {
      // name the ONNX nodes behind "layer k" (e.g. NaN weights in an initializer)
      const m = e instanceof PreimageError ? /^layer (\d+)/.exec(e.issues[0].at ?? '') : null;
      if (!m || !(e instanceof PreimageError)) throw e;
      const nodes = this.layerNodes[Number(m[1]) - 1] ?? [];
      throw new PreimageError(e.code, `${e.issues[0].message}; layer ${m[1]} is built from ${nodes.join(', ')}`, e.issues[0].at);
    }
  }

  /** Kahn's order of the nodes; checks that every input exists. */
  private topologicalOrder(nodes: NodeProtoMsg[]): number[] {
    const producer = new Map<string, number>();
    nodes.forEach((n, i) => {
      for (const o of n.output ?? []) {
        if (!o) continue;
        if (producer.has(o) || o === this.inputName || this.inits.has(o)) {
          const { label } = nodeLabel(n, i);
          throw new PreimageError('ONNX_NOT_A_CHAIN', `expected each tensor to be defined once, found ${JSON.stringify(o)} defined again by ${label}`, nodeLabel(n, i).at);
        }
        producer.set(o, i);
      }
    });
    const indeg = new Array<number>(nodes.length).fill(0);
    const next: number[][] = nodes.map(() => []);
    nodes.forEach((n, i) => {
      for (const inp of n.input ?? []) {
        if (!inp || inp === this.inputName || this.inits.has(inp)) continue;
        const p = producer.get(inp);
        if (p === undefined) {
          const { label, at } = nodeLabel(n, i);
          throw new PreimageError(
            'ONNX_MISSING_TENSOR',
            `${label}: expected input ${JSON.stringify(inp)} to be an initializer, the graph input, or the output of a node, found no tensor of that name`,
            at,
          );
        }
        indeg[i]++;
        next[p].push(i);
      }
    });
    const order: number[] = [];
    const ready: number[] = [];
    for (let i = nodes.length - 1; i >= 0; i--) if (indeg[i] === 0) ready.push(i);
    while (ready.length > 0) {
      const i = ready.pop() as number;
      order.push(i);
      for (const j of next[i]) if (--indeg[j] === 0) ready.push(j);
      ready.sort((a, b) => b - a); // the earliest ready node in file order goes next
    }
    if (order.length < nodes.length) {
      const stuck = nodes.map((n, i) => (indeg[i] > 0 ? nodeLabel(n, i).label : '')).filter(Boolean);
      throw new PreimageError('ONNX_NOT_A_CHAIN', `expected an acyclic graph, found a cycle through ${stuck.slice(0, 5).join(', ')}`);
    }
    if (!producer.has(this.outputName) && this.outputName !== this.inputName && !this.inits.has(this.outputName)) {
      throw new PreimageError('ONNX_MISSING_TENSOR', `expected graph output ${JSON.stringify(this.outputName)} to be produced by a node, found no such node`);
    }
    return order;
  }

  /** For each tensor name, the nodes reading it (Shape nodes excluded: they read only the static shape). */
  private dataConsumers(nodes: NodeProtoMsg[]): Map<string, string[]> {
    const m = new Map<string, string[]>();
    nodes.forEach((n, i) => {
      if (n.opType === 'Shape') return;
      for (const inp of n.input ?? []) {
        if (!inp) continue;
        const list = m.get(inp) ?? [];
        list.push(nodeLabel(n, i).label);
        m.set(inp, list);
      }
    });
    const list = m.get(this.outputName) ?? [];
    list.push('the graph output');
    m.set(this.outputName, list);
    return m;
  }

  private value(name: string): Value | undefined {
    let v = this.values.get(name);
    if (!v) {
      const t = this.inits.get(name);
      if (!t) return undefined;
      v = { kind: 'const', t: decodeTensor(t, `initializer ${name}`) };
      this.values.set(name, v);
    }
    return v;
  }

  private visit(node: NodeProtoMsg, i: number, consumers: Map<string, string[]>): void {
    const op = node.opType ?? '';
    const { label, at } = nodeLabel(node, i);
    const ctx: Ctx = { node, op, label, at };
    if ((node.domain && node.domain !== 'ai.onnx') || !SUPPORTED.has(op)) {
      const domain = node.domain && node.domain !== 'ai.onnx' ? ` from domain ${JSON.stringify(node.domain)}` : '';
      throw new PreimageError(
        'ONNX_UNSUPPORTED_OP',
        `${label}: operator ${op || '(none)'}${domain} is not supported; expected one of ${SUPPORTED_TEXT}`,
        at,
      );
    }
    const inputs = node.input ?? [];
    const vals = inputs.map((n) => (n ? this.value(n) : undefined));
    const dataIdx: number[] = [];
    vals.forEach((v, k) => v?.kind === 'data' && dataIdx.push(k));
    const outputs = node.output ?? [];

    if (op === 'Shape') {
      const src = vals[0];
      if (!src) throw this.missing(ctx, 0);
      const dims = src.kind === 'data' ? src.shape : src.t.dims;
      this.setConst(outputs[0], this.shapeOf(ctx, dims));
      return;
    }
    if (dataIdx.length === 0) {
      const out = this.fold(ctx, vals);
      this.setConst(outputs[0], out);
      return;
    }
    if (dataIdx.length > 1) {
      const names = dataIdx.map((k) => JSON.stringify(inputs[k])).join(' and ');
      throw new PreimageError(
        'ONNX_NOT_A_CHAIN',
        `${label} combines two tensors that both depend on the input (${names}), as a residual connection or a product of activations does; expected a chain in which each node takes one data tensor and constants`,
        at,
      );
    }
    const k = dataIdx[0];
    const dataName = inputs[k];
    const users = consumers.get(dataName) ?? [];
    if (users.length > 1) {
      throw new PreimageError(
        'ONNX_NOT_A_CHAIN',
        `${label}: tensor ${JSON.stringify(dataName)} depends on the input and is used ${users.length} times (by ${users.join(', ')}); expected a chain in which each data tensor feeds one node`,
        at,
      );
    }
    for (let o = 1; o < outputs.length; o++) {
      if (outputs[o] && consumers.has(outputs[o])) {
        throw new PreimageError(
          'ONNX_UNSUPPORTED_OP',
          `${label}: output ${o + 1} (${JSON.stringify(outputs[o])}) is used; expected only the first output of ${op} to be used`,
          at,
        );
      }
    }
    const shape = (vals[k] as { shape: number[] }).shape;
    const res = this.applyData(ctx, k, shape, vals);
    if (res.op) this.pending = composeAffine(this.pending, res.op);
    this.pendingOps.push(res.desc);
    this.pendingNodes.push(label);
    if (res.relu) this.relu();
    this.values.set(outputs[0], { kind: 'data', shape: res.shape });
  }

  private setConst(name: string | undefined, t: Const): void {
    if (name) this.values.set(name, { kind: 'const', t });
  }

  private missing(ctx: Ctx, k: number): PreimageError {
    return new PreimageError('ONNX_MISSING_TENSOR', `${ctx.label}: expected input ${k + 1}, found none`, ctx.at);
  }

  private relu(): void {
    const last = this.layers[this.layers.length - 1];
    if (last && last.activation === 'relu' && isIdentity(this.pending)) {
      // Relu of a Relu output changes nothing
      this.layerOps[this.layerOps.length - 1].push(...this.pendingOps);
      this.layerNodes[this.layerNodes.length - 1].push(...this.pendingNodes);
      this.pendingOps = [];
      this.pendingNodes = [];
      return;
    }
    this.closeLayer('relu');
  }

  private closeLayer(activation: 'relu' | 'identity'): void {
    const { W, b } = toDense(this.pending);
    this.layers.push({ weights: W, bias: b, inSize: this.pending.inSize, activation });
    this.layerOps.push(this.pendingOps.length > 0 ? this.pendingOps : ['(input)']);
    this.layerNodes.push(this.pendingNodes);
    this.pending = identity(b.length);
    this.pendingOps = [];
    this.pendingNodes = [];
  }

  // ---------------------------------------------------------------- data operators

  private applyData(ctx: Ctx, k: number, shape: number[], vals: (Value | undefined)[]): { op?: Affine; shape: number[]; desc: string; relu?: boolean } {
    const { op, node } = ctx;
    switch (op) {
      case 'Identity':
        return { shape, desc: 'Identity' };
      case 'Dropout': {
        const training = vals[2];
        if (training?.kind === 'const' && training.t.data.some((v) => v !== 0)) {
          throw new PreimageError('ONNX_UNSUPPORTED_OP', `${ctx.label}: expected Dropout in inference mode, found training_mode = true`, ctx.at);
        }
        return { shape, desc: 'Dropout (inference: identity)' };
      }
      case 'Relu':
        return { shape, desc: 'Relu', relu: true };
      case 'Flatten': {
        const axis = intAttr(ctx, 'axis', 1);
        const s = flattenShape(shape, axis, ctx.at, ctx.label);
        return { shape: s, desc: `Flatten ${fmtShape(s)}` };
      }
      case 'Reshape': {
        const target = this.reshapeTarget(ctx, vals);
        const s = reshapeShape(shape, target, intAttr(ctx, 'allowzero', 0) !== 0, ctx.at, ctx.label);
        return { shape: s, desc: `Reshape ${fmtShape(s)}` };
      }
      case 'Squeeze': {
        const s = squeezeShape(shape, this.axes(ctx, vals, false), ctx.at, ctx.label);
        return { shape: s, desc: `Squeeze ${fmtShape(s)}` };
      }
      case 'Unsqueeze': {
        const s = unsqueezeShape(shape, this.axes(ctx, vals, true) as number[], ctx.at, ctx.label);
        return { shape: s, desc: `Unsqueeze ${fmtShape(s)}` };
      }
      case 'Add': case 'Sub': case 'Mul': case 'Div':
        return this.elementwise(ctx, k, shape, vals);
      case 'MatMul': {
        const c = this.constArg(ctx, vals, 1 - k);
        const r = matmul(ctx, shape, c, k === 0);
        return { op: r.op, shape: r.shape, desc: `MatMul ${k === 0 ? 'x·W' : 'W·x'} W${fmtShape(c.dims)}` };
      }
      case 'Gemm':
        return this.gemm(ctx, k, shape, vals);
      case 'Constant': case 'Gather': case 'Concat': case 'Cast':
      default:
        throw new PreimageError(
          'ONNX_UNSUPPORTED_OP',
          `${ctx.label}: ${op} is supported on constants only (shape computations), found it applied to the data tensor ${JSON.stringify(node.input?.[k])}`,
          ctx.at,
        );
    }
  }

  private constArg(ctx: Ctx, vals: (Value | undefined)[], k: number): Const {
    const v = vals[k];
    if (!v) throw this.missing(ctx, k);
    if (v.kind !== 'const') throw new PreimageError('ONNX_NOT_A_CHAIN', `${ctx.label}: expected input ${k + 1} to be a constant, found a data tensor`, ctx.at);
    return v.t;
  }

  private reshapeTarget(ctx: Ctx, vals: (Value | undefined)[]): ArrayLike<number> {
    if (ctx.node.input && ctx.node.input.length > 1 && ctx.node.input[1]) return this.constArg(ctx, vals, 1).data;
    const a = intsAttr(ctx, 'shape');
    if (!a) throw new PreimageError('ONNX_MISSING_TENSOR', `${ctx.label}: expected a target shape (input 2), found none`, ctx.at);
    return a;
  }

  private axes(ctx: Ctx, vals: (Value | undefined)[], required: boolean): number[] | undefined {
    let axes: number[] | undefined;
    if (ctx.node.input && ctx.node.input.length > 1 && ctx.node.input[1]) axes = Array.from(this.constArg(ctx, vals, 1).data);
    else axes = intsAttr(ctx, 'axes');
    if (required && !axes) throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected axes (attribute or input 2), found none`, ctx.at);
    return axes;
  }

  private elementwise(ctx: Ctx, k: number, shape: number[], vals: (Value | undefined)[]): { op: Affine; shape: number[]; desc: string } {
    const { op } = ctx;
    const c = this.constArg(ctx, vals, 1 - k);
    let cdims = c.dims;
    // opset < 7: `axis` aligns the second operand's dims starting at that axis of the first
    if (getAttr(ctx, 'axis') !== undefined) {
      if (k !== 0) throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: legacy broadcast with attribute axis broadcasts the data tensor itself; not supported`, ctx.at);
      const ax = intAttr(ctx, 'axis', 0);
      const a = ax < 0 ? ax + shape.length : ax;
      if (a < 0 || a + cdims.length > shape.length) {
        throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected a legacy broadcast axis in [0, ${shape.length - cdims.length}], found ${ax}`, ctx.at);
      }
      cdims = [...cdims, ...new Array<number>(shape.length - a - cdims.length).fill(1)];
    }
    const out = broadcastShapes(shape, cdims);
    if (!out) {
      throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: expected shapes that broadcast, found data ${fmtShape(shape)} and constant ${fmtShape(c.dims)}`, ctx.at);
    }
    const src = broadcastIndex(out, shape);
    const ci = broadcastIndex(out, cdims);
    const m = src.length;
    const scale = new Float64Array(m).fill(1);
    const shift = new Float64Array(m);
    let desc: string;
    const cs = `c${fmtShape(c.dims)}`;
    switch (op) {
      case 'Add':
        for (let o = 0; o < m; o++) shift[o] = c.data[ci[o]];
        desc = k === 0 ? `Add x + ${cs}` : `Add ${cs} + x`;
        break;
      case 'Sub':
        if (k === 0) for (let o = 0; o < m; o++) shift[o] = -c.data[ci[o]];
        else for (let o = 0; o < m; o++) { scale[o] = -1; shift[o] = c.data[ci[o]]; }
        desc = k === 0 ? `Sub x - ${cs}` : `Sub ${cs} - x`;
        break;
      case 'Mul':
        for (let o = 0; o < m; o++) scale[o] = c.data[ci[o]];
        desc = k === 0 ? `Mul x * ${cs}` : `Mul ${cs} * x`;
        break;
      default: // Div
        if (k !== 0) {
          throw new PreimageError('ONNX_UNSUPPORTED_OP', `${ctx.label}: Div with the data as divisor (c / x) is not affine; expected x / c`, ctx.at);
        }
        for (let o = 0; o < m; o++) {
          const d = c.data[ci[o]];
          if (d === 0) throw new PreimageError('ONNX_BAD_TENSOR', `${ctx.label}: expected a non-zero divisor, found 0 at index ${ci[o]} of ${cs}`, ctx.at);
          scale[o] = 1 / d;
        }
        desc = `Div x / ${cs}`;
    }
    return { op: { kind: 'gather', inSize: sizeOf(shape), src, scale, shift }, shape: out, desc };
  }

  private gemm(ctx: Ctx, k: number, shape: number[], vals: (Value | undefined)[]): { op: Affine; shape: number[]; desc: string } {
    const alpha = floatAttr(ctx, 'alpha', 1);
    const beta = floatAttr(ctx, 'beta', 1);
    const transA = boolAttr(ctx, 'transA');
    const transB = boolAttr(ctx, 'transB');
    const dimsOf = (j: number): number[] => (j === k ? shape : this.constArg(ctx, vals, j).dims);
    const aDims = dimsOf(0), bDims = dimsOf(1);
    for (const [nm, d] of [['A', aDims], ['B', bDims]] as const) {
      if (d.length !== 2) throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: expected a 2-D input ${nm}, found shape ${fmtShape(d)}`, ctx.at);
    }
    const [M, K] = transA ? [aDims[1], aDims[0]] : aDims;
    const [K2, N] = transB ? [bDims[1], bDims[0]] : bDims;
    if (K !== K2) {
      throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: expected A' [M,K] and B' [K,N] to agree on K, found A ${fmtShape(aDims)} (transA=${+transA}) and B ${fmtShape(bDims)} (transB=${+transB})`, ctx.at);
    }
    const hasC = (ctx.node.input?.length ?? 0) > 2 && !!ctx.node.input?.[2];
    const cDims = hasC ? dimsOf(2) : [];
    const outShape = [M, N];
    const bc = broadcastShapes(cDims, outShape);
    if (!bc || bc.length !== 2 || bc[0] !== M || bc[1] !== N) {
      throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: expected C to broadcast to [${M},${N}], found ${fmtShape(cDims)}`, ctx.at);
    }
    const idxA = (m: number, kk: number): number => (transA ? kk * M + m : m * K + kk);
    const idxB = (kk: number, n: number): number => (transB ? n * K + kk : kk * N + n);
    const flags = `${transA ? ', transA' : ''}${transB ? ', transB' : ''}${alpha !== 1 ? `, alpha=${alpha}` : ''}${beta !== 1 ? `, beta=${beta}` : ''}`;
    const rows = M * N;
    if (k === 2) {
      // data in C: y = alpha A'B' + beta C
      const A = this.constArg(ctx, vals, 0).data, B = this.constArg(ctx, vals, 1).data;
      const shift = new Float64Array(rows);
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        let s = 0;
        for (let kk = 0; kk < K; kk++) s += A[idxA(m, kk)] * B[idxB(kk, n)];
        shift[m * N + n] = alpha * s;
      }
      const src = broadcastIndex(outShape, shape);
      return { op: { kind: 'gather', inSize: sizeOf(shape), src, scale: new Float64Array(rows).fill(beta), shift }, shape: outShape, desc: `Gemm A·B + x${flags}` };
    }
    const b = new Float64Array(rows);
    if (hasC) {
      const C = this.constArg(ctx, vals, 2).data;
      const ci = broadcastIndex(outShape, cDims);
      for (let o = 0; o < rows; o++) b[o] = beta * C[ci[o]];
    }
    const cols = sizeOf(shape);
    const W = new Float64Array(rows * cols);
    if (k === 0) {
      const B = this.constArg(ctx, vals, 1).data;
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        const r = (m * N + n) * cols;
        for (let kk = 0; kk < K; kk++) W[r + idxA(m, kk)] = alpha * B[idxB(kk, n)];
      }
    } else {
      const A = this.constArg(ctx, vals, 0).data;
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        const r = (m * N + n) * cols;
        for (let kk = 0; kk < K; kk++) W[r + idxB(kk, n)] = alpha * A[idxA(m, kk)];
      }
    }
    const cw = k === 0 ? `B${fmtShape(bDims)}` : `A${fmtShape(aDims)}`;
    return { op: { kind: 'dense', inSize: cols, W, b }, shape: outShape, desc: `Gemm ${k === 0 ? `x·${cw}` : `${cw}·x`}${flags}` };
  }

  // ---------------------------------------------------------------- constant folding

  private shapeOf(ctx: Ctx, dims: number[]): Const {
    const r = dims.length;
    const clamp = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
    const start = clamp(intAttr(ctx, 'start', 0));
    const end = clamp(intAttr(ctx, 'end', r));
    const s = dims.slice(start, Math.max(start, end));
    return { dims: [s.length], data: Float64Array.from(s), dataType: DataType.INT64 };
  }

  /** Evaluates a node whose inputs are all constants. */
  private fold(ctx: Ctx, vals: (Value | undefined)[]): Const {
    const { op, node } = ctx;
    const c = (j: number): Const => this.constArg(ctx, vals, j);
    switch (op) {
      case 'Constant':
        return constantValue(ctx);
      case 'Identity': case 'Dropout':
        return c(0);
      case 'Relu': {
        const t = c(0);
        return { ...t, data: t.data.map((v) => (v > 0 ? v : 0)) };
      }
      case 'Flatten': {
        const t = c(0);
        return { ...t, dims: flattenShape(t.dims, intAttr(ctx, 'axis', 1), ctx.at, ctx.label) };
      }
      case 'Reshape': {
        const t = c(0);
        return { ...t, dims: reshapeShape(t.dims, this.reshapeTarget(ctx, vals), intAttr(ctx, 'allowzero', 0) !== 0, ctx.at, ctx.label) };
      }
      case 'Squeeze': {
        const t = c(0);
        return { ...t, dims: squeezeShape(t.dims, this.axes(ctx, vals, false), ctx.at, ctx.label) };
      }
      case 'Unsqueeze': {
        const t = c(0);
        return { ...t, dims: unsqueezeShape(t.dims, this.axes(ctx, vals, true) as number[], ctx.at, ctx.label) };
      }
      case 'Add': case 'Sub': case 'Mul': case 'Div': {
        const a = c(0), b = c(1);
        const out = broadcastShapes(a.dims, b.dims);
        if (!out) throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: expected shapes that broadcast, found ${fmtShape(a.dims)} and ${fmtShape(b.dims)}`, ctx.at);
        const ia = broadcastIndex(out, a.dims), ib = broadcastIndex(out, b.dims);
        const int = isIntegerType(a.dataType) && isIntegerType(b.dataType);
        const data = new Float64Array(ia.length);
        for (let o = 0; o < data.length; o++) {
          const x = a.data[ia[o]], y = b.data[ib[o]];
          let v = op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : x / y;
          if (int && op === 'Div') {
            if (y === 0) throw new PreimageError('ONNX_BAD_TENSOR', `${ctx.label}: integer division by zero`, ctx.at);
            v = Math.trunc(v);
          }
          data[o] = a.dataType === DataType.FLOAT ? Math.fround(v) : v;
        }
        return { dims: out, data, dataType: a.dataType };
      }
      case 'MatMul': case 'Gemm': {
        // evaluate through the same affine maps as the data path, with input 1 as the "data"
        const x = c(0);
        const fake = vals.map((v, j) => (j === 0 ? ({ kind: 'data', shape: x.dims } as Value) : v));
        const r = op === 'MatMul' ? matmul(ctx, x.dims, c(1), true) : this.gemm(ctx, 0, x.dims, fake);
        const d = toDense(r.op);
        const n = x.data.length;
        const data = new Float64Array(d.b.length);
        for (let o = 0; o < data.length; o++) {
          let s = d.b[o];
          for (let j = 0; j < n; j++) s += d.W[o * n + j] * x.data[j];
          data[o] = s;
        }
        return { dims: r.shape, data, dataType: x.dataType };
      }
      case 'Gather': {
        const t = c(0), ind = c(1);
        const r = t.dims.length;
        const ax0 = intAttr(ctx, 'axis', 0);
        if (ax0 < -r || ax0 >= r) throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected axis in [${-r}, ${r - 1}], found ${ax0}`, ctx.at);
        const ax = ax0 < 0 ? ax0 + r : ax0;
        const outer = sizeOf(t.dims.slice(0, ax)), dimAx = t.dims[ax], inner = sizeOf(t.dims.slice(ax + 1));
        const data: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (const i0 of ind.data) {
            const i = i0 < 0 ? i0 + dimAx : i0;
            if (!Number.isInteger(i) || i < 0 || i >= dimAx) {
              throw new PreimageError('ONNX_BAD_TENSOR', `${ctx.label}: expected indices in [${-dimAx}, ${dimAx - 1}], found ${i0}`, ctx.at);
            }
            for (let j = 0; j < inner; j++) data.push(t.data[(o * dimAx + i) * inner + j]);
          }
        }
        return { dims: [...t.dims.slice(0, ax), ...ind.dims, ...t.dims.slice(ax + 1)], data: Float64Array.from(data), dataType: t.dataType };
      }
      case 'Concat': {
        const ts = (node.input ?? []).map((_, j) => c(j));
        if (ts.length === 0) throw this.missing(ctx, 0);
        const r = ts[0].dims.length;
        const ax0 = intAttr(ctx, 'axis', 0);
        if (ax0 < -r || ax0 >= r) throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected axis in [${-r}, ${r - 1}], found ${ax0}`, ctx.at);
        const ax = ax0 < 0 ? ax0 + r : ax0;
        for (const t of ts) {
          if (t.dims.length !== r || t.dims.some((d, j) => j !== ax && d !== ts[0].dims[j])) {
            throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: expected inputs that agree except on axis ${ax}, found ${ts.map((u) => fmtShape(u.dims)).join(' and ')}`, ctx.at);
          }
        }
        const outer = sizeOf(ts[0].dims.slice(0, ax)), inner = sizeOf(ts[0].dims.slice(ax + 1));
        const data: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (const t of ts) {
            const len = t.dims[ax] * inner;
            for (let j = 0; j < len; j++) data.push(t.data[o * len + j]);
          }
        }
        const dims = [...ts[0].dims];
        dims[ax] = ts.reduce((s, t) => s + t.dims[ax], 0);
        return { dims, data: Float64Array.from(data), dataType: ts[0].dataType };
      }
      case 'Cast': {
        const t = c(0);
        const to = intAttr(ctx, 'to', -1);
        let data: Float64Array;
        if (to === DataType.FLOAT) data = t.data.map(Math.fround);
        else if (to === DataType.DOUBLE || to === DataType.FLOAT16) data = Float64Array.from(t.data);
        else if (to === DataType.BOOL) data = t.data.map((v) => (v !== 0 ? 1 : 0));
        else if (DATA_TYPE_NAMES[to] && isIntegerType(to) && to !== 8) data = t.data.map(Math.trunc);
        else throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected attribute to to be a numeric data type, found ${DATA_TYPE_NAMES[to] ?? to}`, ctx.at);
        return { dims: t.dims, data, dataType: to };
      }
      default:
        throw new PreimageError('ONNX_UNSUPPORTED_OP', `${ctx.label}: ${op} is not supported on constants`, ctx.at);
    }
  }
}

// ---------------------------------------------------------------- MatMul

/**
 * MatMul of the data tensor (shape `S`) with a constant, numpy semantics: the data on the left
 * (x·W, PyTorch and ACAS Xu) or on the right (W·x, VerticalCAS). The constant may have leading
 * batch dimensions of size 1 only. Returns the affine map on the flattened data.
 */
function matmul(ctx: Ctx, S: number[], C: Const, dataLeft: boolean): { op: Affine; shape: number[] } {
  const T = C.dims;
  if (S.length === 0 || T.length === 0) {
    throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: expected tensors of rank >= 1, found ${fmtShape(dataLeft ? S : T)} and ${fmtShape(dataLeft ? T : S)}`, ctx.at);
  }
  const cBatch = T.length > 2 ? T.slice(0, -2) : [];
  if (cBatch.some((d) => d !== 1)) {
    throw new PreimageError('ONNX_UNSUPPORTED_OP', `${ctx.label}: expected a constant of rank <= 2 (or with batch dimensions of size 1), found ${fmtShape(T)}`, ctx.at);
  }
  const cMat = T.length >= 2 ? T.slice(-2) : T;
  const cVec = cMat.length === 1, xVec = S.length === 1;
  const W = C.data;
  let X2: number[], rows: number, cols: number, out: number[];
  let Wd: Float64Array;
  if (dataLeft) {
    X2 = xVec ? [1, S[0]] : S;
    const C2 = cVec ? [cMat[0], 1] : cMat; // [q, r]
    const p = X2[X2.length - 2], q = X2[X2.length - 1], r = C2[1];
    if (C2[0] !== q) {
      throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: x·W needs W's first dimension to equal x's last, found x ${fmtShape(S)} and W ${fmtShape(T)}`, ctx.at);
    }
    const batch = X2.slice(0, -2), B = sizeOf(batch);
    rows = B * p * r; cols = B * p * q;
    Wd = new Float64Array(rows * cols);
    for (let bb = 0; bb < B; bb++) for (let i = 0; i < p; i++) for (let j = 0; j < r; j++) {
      const row = ((bb * p + i) * r + j) * cols, c0 = (bb * p + i) * q;
      for (let kk = 0; kk < q; kk++) Wd[row + c0 + kk] = W[kk * r + j];
    }
    out = [...padBatch(batch, cBatch), p, r];
    if (cVec) out.pop();
    if (xVec) out.splice(out.length - (cVec ? 1 : 2), 1);
  } else {
    X2 = xVec ? [S[0], 1] : S;
    const C2 = cVec ? [1, cMat[0]] : cMat; // [r, p]
    const p = X2[X2.length - 2], q = X2[X2.length - 1], r = C2[0];
    if (C2[1] !== p) {
      throw new PreimageError('SHAPE_MISMATCH', `${ctx.label}: W·x needs W's last dimension to equal x's second-to-last (or only) dimension, found W ${fmtShape(T)} and x ${fmtShape(S)}`, ctx.at);
    }
    const batch = X2.slice(0, -2), B = sizeOf(batch);
    rows = B * r * q; cols = B * p * q;
    Wd = new Float64Array(rows * cols);
    for (let bb = 0; bb < B; bb++) for (let i = 0; i < r; i++) for (let j = 0; j < q; j++) {
      const row = ((bb * r + i) * q + j) * cols;
      for (let kk = 0; kk < p; kk++) Wd[row + (bb * p + kk) * q + j] = W[i * p + kk];
    }
    out = [...padBatch(batch, cBatch), r, q];
    if (xVec) out.pop();
    if (cVec) out.splice(out.length - (xVec ? 1 : 2), 1);
  }
  return { op: { kind: 'dense', inSize: cols, W: Wd, b: new Float64Array(rows) }, shape: out };
}

/** Data batch dims broadcast with the constant's (all 1): padded with leading 1s. */
function padBatch(batch: number[], cBatch: number[]): number[] {
  return cBatch.length > batch.length ? [...new Array<number>(cBatch.length - batch.length).fill(1), ...batch] : batch;
}

// ---------------------------------------------------------------- attributes

function getAttr(ctx: Ctx, name: string): AttributeProtoMsg | undefined {
  return ctx.node.attribute?.find((a) => a.name === name);
}

/** The attribute's type; very old files leave it UNDEFINED, then it is inferred from the field set. */
function attrType(a: AttributeProtoMsg): number {
  if (a.type) return a.type;
  if (a.floats && a.floats.length) return AttrType.FLOATS;
  if (a.ints && a.ints.length) return AttrType.INTS;
  if (a.t) return AttrType.TENSOR;
  if (a.s && a.s.length) return AttrType.STRING;
  if (Object.prototype.hasOwnProperty.call(a, 'f')) return AttrType.FLOAT;
  return AttrType.INT;
}

function expectType(ctx: Ctx, a: AttributeProtoMsg, want: number): void {
  if (a.refAttrName) {
    throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected a value for attribute ${a.name}, found a reference to function attribute ${JSON.stringify(a.refAttrName)}`, ctx.at);
  }
  const t = attrType(a);
  if (t !== want) {
    throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected attribute ${a.name} to be ${ATTR_TYPE_NAMES[want]}, found ${ATTR_TYPE_NAMES[t] ?? t}`, ctx.at);
  }
}

function intAttr(ctx: Ctx, name: string, def: number): number {
  const a = getAttr(ctx, name);
  if (!a) return def;
  expectType(ctx, a, AttrType.INT);
  return toNum(a.i);
}

function boolAttr(ctx: Ctx, name: string): boolean {
  const v = intAttr(ctx, name, 0);
  if (v !== 0 && v !== 1) throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected attribute ${name} to be 0 or 1, found ${v}`, ctx.at);
  return v === 1;
}

function floatAttr(ctx: Ctx, name: string, def: number): number {
  const a = getAttr(ctx, name);
  if (!a) return def;
  expectType(ctx, a, AttrType.FLOAT);
  const v = a.f ?? 0;
  if (!Number.isFinite(v)) throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected a finite attribute ${name}, found ${v}`, ctx.at);
  return v;
}

function intsAttr(ctx: Ctx, name: string): number[] | undefined {
  const a = getAttr(ctx, name);
  if (!a) return undefined;
  expectType(ctx, a, AttrType.INTS);
  return (a.ints ?? []).map(toNum);
}

/** The tensor of a Constant node (value, value_float(s), value_int(s)). */
function constantValue(ctx: Ctx): Const {
  const attrs = ctx.node.attribute ?? [];
  if (attrs.length !== 1) {
    throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected exactly one value attribute, found ${attrs.length ? attrs.map((a) => a.name).join(', ') : 'none'}`, ctx.at);
  }
  const a = attrs[0];
  switch (a.name) {
    case 'value':
      expectType(ctx, a, AttrType.TENSOR);
      return decodeTensor(a.t as TensorProtoMsg, ctx.at);
    case 'value_float':
      expectType(ctx, a, AttrType.FLOAT);
      return { dims: [], data: Float64Array.of(a.f ?? 0), dataType: DataType.FLOAT };
    case 'value_floats':
      expectType(ctx, a, AttrType.FLOATS);
      return { dims: [a.floats?.length ?? 0], data: Float64Array.from(a.floats ?? [], Math.fround), dataType: DataType.FLOAT };
    case 'value_int':
      expectType(ctx, a, AttrType.INT);
      return { dims: [], data: Float64Array.of(toNum(a.i)), dataType: DataType.INT64 };
    case 'value_ints':
      expectType(ctx, a, AttrType.INTS);
      return { dims: [a.ints?.length ?? 0], data: Float64Array.from((a.ints ?? []).map(toNum)), dataType: DataType.INT64 };
    default:
      throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${ctx.label}: expected attribute value, value_float(s) or value_int(s), found ${a.name}`, ctx.at);
  }
}
