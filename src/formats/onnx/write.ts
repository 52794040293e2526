/**
 * Network -> ONNX ModelProto bytes: a plain chain of Gemm (transB = 1, weights stored [out, in])
 * and Relu nodes, IR version 8, opset 13. Tensors are DOUBLE by default, so that
 * `readOnnx(writeOnnx(net))` returns exactly the same weights; FLOAT rounds them to float32.
 *
 * The model computes the network in its own coordinates: a .nnet normalisation is not written
 * (ONNX has no field for it), just as the VNN-COMP ACAS Xu ONNX files take normalised inputs.
 */
import type { Network } from '../../network/types.js';
import { AttrType, DataType, onnxTypes, type ModelProtoMsg, type NodeProtoMsg, type TensorProtoMsg } from './schema.js';
import { encodeTensor } from './tensor.js';

export interface WriteOnnxOptions {
  /** Tensor element type: 'double' (default, exact) or 'float' (float32, rounds). */
  dataType?: 'double' | 'float';
  /** Name of the graph input (default "input"). */
  inputName?: string;
  /** Name of the graph output (default "output"). */
  outputName?: string;
  /** Graph name (default: the network's source name, else "relu-network"). */
  graphName?: string;
}

/** Serialises a network as an ONNX model (see the module comment for the layout). */
export function writeOnnx(net: Network, opts: WriteOnnxOptions = {}): Uint8Array {
  const dt = opts.dataType === 'float' ? DataType.FLOAT : DataType.DOUBLE;
  const inputName = opts.inputName ?? 'input';
  const outputName = opts.outputName ?? 'output';
  const nodes: NodeProtoMsg[] = [];
  const inits: TensorProtoMsg[] = [];
  let cur = inputName;
  net.layers.forEach((l, i) => {
    const k = i + 1;
    const last = i === net.layers.length - 1;
    const relu = l.activation === 'relu';
    inits.push(encodeTensor(`W${k}`, [l.outSize, l.inSize], l.weights, dt));
    inits.push(encodeTensor(`b${k}`, [l.outSize], l.bias, dt));
    const z = last && !relu ? outputName : `gemm_${k}`;
    nodes.push({
      name: `Gemm_${k}`,
      opType: 'Gemm',
      input: [cur, `W${k}`, `b${k}`],
      output: [z],
      attribute: [{ name: 'transB', type: AttrType.INT, i: 1 }],
    });
    cur = z;
    if (relu) {
      const a = last ? outputName : `relu_${k}`;
      nodes.push({ name: `Relu_${k}`, opType: 'Relu', input: [cur], output: [a] });
      cur = a;
    }
  });
  const tensorType = (n: number) => ({
    tensorType: { elemType: dt, shape: { dim: [{ dimValue: 1 }, { dimValue: n }] } },
  });
  const model: ModelProtoMsg = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'relu-preimage',
    graph: {
      name: opts.graphName ?? net.source?.name ?? 'relu-network',
      node: nodes,
      initializer: inits,
      input: [{ name: inputName, type: tensorType(net.inputSize) }],
      output: [{ name: outputName, type: tensorType(net.outputSize) }],
    },
  };
  const { ModelProto } = onnxTypes();
  return ModelProto.encode(ModelProto.fromObject(model as Record<string, unknown>)).finish();
}
