/**
 * Builds small ONNX models in tests, encoded with protobufjs through the vendored schema.
 *
 *   const bytes = buildModel({
 *     input: { name: 'x', dims: [1, 3] },
 *     output: { name: 'y' },
 *     nodes: [node('MatMul', ['x', 'W'], ['y'], [], 'mm')],
 *     initializers: [tensor('W', [3, 2], [1, 2, 3, 4, 5, 6])],
 *   });
 */
import { onnxTypes, type AttributeProtoMsg, type ModelProtoMsg, type NodeProtoMsg, type TensorProtoMsg } from '../../src/formats/onnx/schema.js';

export type ElemType = 'float' | 'double' | 'int64' | 'int32';

const DT: Record<ElemType, number> = { float: 1, double: 11, int64: 7, int32: 6 };

export interface TensorOptions {
  /** Element type (default 'float'). */
  type?: ElemType;
  /** Store the values in raw_data (little-endian) instead of float_data/double_data/int64_data/int32_data. */
  raw?: boolean;
}

/** A TensorProto. */
export function tensor(name: string, dims: number[], values: ArrayLike<number>, opts: TensorOptions = {}): TensorProtoMsg {
  const type = opts.type ?? 'float';
  const vals = Array.from(values);
  const t: TensorProtoMsg = { name, dims, dataType: DT[type] };
  if (opts.raw) {
    const w = type === 'float' || type === 'int32' ? 4 : 8;
    const raw = new Uint8Array(vals.length * w);
    const v = new DataView(raw.buffer);
    vals.forEach((x, i) => {
      if (type === 'float') v.setFloat32(4 * i, x, true);
      else if (type === 'double') v.setFloat64(8 * i, x, true);
      else if (type === 'int32') v.setInt32(4 * i, x, true);
      else v.setBigInt64(8 * i, BigInt(x), true);
    });
    t.rawData = raw;
  } else if (type === 'float') t.floatData = vals;
  else if (type === 'double') t.doubleData = vals;
  else if (type === 'int32') t.int32Data = vals;
  else t.int64Data = vals;
  return t;
}

/** Attribute constructors (the type field is set as ONNX writers do). */
export const attr = {
  int: (name: string, i: number): AttributeProtoMsg => ({ name, type: 2, i }),
  float: (name: string, f: number): AttributeProtoMsg => ({ name, type: 1, f }),
  ints: (name: string, ints: number[]): AttributeProtoMsg => ({ name, type: 7, ints }),
  floats: (name: string, floats: number[]): AttributeProtoMsg => ({ name, type: 6, floats }),
  tensor: (name: string, t: TensorProtoMsg): AttributeProtoMsg => ({ name, type: 4, t }),
  string: (name: string, s: string): AttributeProtoMsg => ({ name, type: 3, s: new TextEncoder().encode(s) }),
};

/** A NodeProto. */
export function node(opType: string, input: string[], output: string[], attribute: AttributeProtoMsg[] = [], name?: string): NodeProtoMsg {
  return { opType, input, output, attribute, ...(name !== undefined ? { name } : {}) };
}

export interface ValueSpec {
  name: string;
  /** Dimensions; a string is a symbolic dimension (dim_param). Omitted: no shape. */
  dims?: (number | string)[];
  type?: ElemType;
}

export interface ModelSpec {
  input?: ValueSpec;
  /** Several graph inputs (overrides `input`). */
  inputs?: ValueSpec[];
  output?: ValueSpec;
  outputs?: ValueSpec[];
  nodes: NodeProtoMsg[];
  initializers?: TensorProtoMsg[];
  /** List the initializers among the graph inputs too, as IR < 4 files do. */
  initializersAsInputs?: boolean;
  irVersion?: number;
  opset?: number;
  graphName?: string;
}

function valueInfo(v: ValueSpec) {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: DT[v.type ?? 'float'],
        ...(v.dims ? { shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } : {}),
      },
    },
  };
}

/** Encodes a ModelProto. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const inits = spec.initializers ?? [];
  const inputs = (spec.inputs ?? (spec.input ? [spec.input] : [])).map(valueInfo);
  if (spec.initializersAsInputs) {
    for (const t of inits) inputs.push(valueInfo({ name: t.name ?? '', dims: (t.dims ?? []) as number[] }));
  }
  const outputs = (spec.outputs ?? (spec.output ? [spec.output] : [])).map(valueInfo);
  const model: ModelProtoMsg = {
    irVersion: spec.irVersion ?? 8,
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    producerName: 'onnx-builder (test)',
    graph: {
      name: spec.graphName ?? 'test',
      node: spec.nodes,
      initializer: inits,
      input: inputs,
      output: outputs,
    },
  };
  const { ModelProto } = onnxTypes();
  return ModelProto.encode(ModelProto.fromObject(model as Record<string, unknown>)).finish();
}

/**
 * A small ACAS-Xu-like model (Sub of a zero image, Flatten, MatMul x·W, Add, Relu, ..., old IR with
 * initializers listed as inputs): 5 inputs -> 4 ReLU -> 3 outputs, float32 raw data.
 */
export function acasLikeModel(): Uint8Array {
  const W1 = [0.5, -0.25, 0.125, 1, -1, 0.75, 0.5, -0.5, 0.25, 0.1, -0.3, 0.2, 0.6, -0.7, 0.9, 0.05, -0.15, 0.35, 0.45, -0.55];
  const W2 = [1, -1, 0.5, 0.25, -0.5, 1.5, -0.75, 0.3, 0.2, 0.1, -0.2, 0.4];
  return buildModel({
    irVersion: 3,
    opset: 8,
    input: { name: 'input', dims: [1, 1, 1, 5] },
    output: { name: 'out_Add', dims: [1, 3] },
    initializersAsInputs: true,
    initializers: [
      tensor('input_AvgImg', [1, 1, 1, 5], [0, 0, 0, 0, 0], { raw: true }),
      tensor('W1', [5, 4], W1, { raw: true }),
      tensor('B1', [4], [0.1, -0.2, 0.3, -0.4], { raw: true }),
      tensor('W2', [4, 3], W2, { raw: true }),
      tensor('B2', [3], [0.01, 0.02, 0.03], { raw: true }),
    ],
    nodes: [
      node('Sub', ['input', 'input_AvgImg'], ['input_Sub'], [], 'input_Sub'),
      node('Flatten', ['input_Sub'], ['flat'], [attr.int('axis', 1)], 'Operation_1_Flatten'),
      node('MatMul', ['flat', 'W1'], ['mm1'], [], 'Operation_1_MatMul'),
      node('Add', ['mm1', 'B1'], ['add1'], [], 'Operation_1_Add'),
      node('Relu', ['add1'], ['relu1'], [], 'relu_1'),
      node('MatMul', ['relu1', 'W2'], ['mm2'], [], 'out_MatMul'),
      node('Add', ['mm2', 'B2'], ['out_Add'], [], 'out_Add'),
    ],
  });
}
