/**
 * ONNX tensors <-> plain numbers. A constant tensor is held as its shape and its values widened to
 * float64 (FLOAT widens exactly; INT64 is exact up to 2^53, which covers every shape and index).
 */
import { PreimageError } from '../../errors.js';
import { DATA_TYPE_NAMES, DataType, toNum, type TensorProtoMsg } from './schema.js';

/** A constant tensor: row-major values and dims ([] for a scalar). */
export interface Const {
  dims: number[];
  data: Float64Array;
  /** ONNX data type of the source (FLOAT, DOUBLE, INT64, ...): integer types keep integer semantics in Div and Cast. */
  dataType: number;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** "[1,784]" for messages. */
export function fmtShape(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}

/** Whether an ONNX data type is an integer (or boolean) type. */
export function isIntegerType(dt: number): boolean {
  return dt !== DataType.FLOAT && dt !== DataType.DOUBLE && dt !== DataType.FLOAT16 && dt !== 16;
}

/** Bytes per element of the types that can be read from raw_data. */
const RAW_WIDTH: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.DOUBLE]: 8,
  [DataType.INT64]: 8,
  [DataType.INT32]: 4,
  [DataType.UINT64]: 8,
  [DataType.UINT32]: 4,
  [DataType.INT16]: 2,
  [DataType.UINT16]: 2,
  [DataType.INT8]: 1,
  [DataType.UINT8]: 1,
  [DataType.BOOL]: 1,
};

/**
 * Decodes a TensorProto. Reads float_data, double_data, int64_data, int32_data (also used for the
 * 8/16-bit and bool types), uint64_data, or little-endian raw_data.
 * @param at where the tensor is used, for messages ("initializer W0", "node Constant_3").
 * @throws PreimageError ONNX_BAD_TENSOR
 */
export function decodeTensor(t: TensorProtoMsg, at: string): Const {
  const name = t.name ? `tensor ${JSON.stringify(t.name)}` : 'tensor';
  const dims = (t.dims ?? []).map(toNum);
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new PreimageError('ONNX_BAD_TENSOR', `expected non-negative dimensions for ${name}, found ${fmtShape(dims)}`, at);
    }
  }
  const dt = t.dataType ?? 0;
  const typeName = DATA_TYPE_NAMES[dt] ?? `data type ${dt}`;
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
    throw new PreimageError(
      'ONNX_BAD_TENSOR',
      `expected ${name} to be stored inside the model, found external data (a separate weights file); save the model with all tensors embedded`,
      at,
    );
  }
  if (t.segment) {
    throw new PreimageError('ONNX_BAD_TENSOR', `expected ${name} to be whole, found a segmented tensor`, at);
  }
  const n = sizeOf(dims);
  const raw = t.rawData;
  let data: Float64Array;
  if (raw && raw.length > 0) {
    const w = RAW_WIDTH[dt];
    if (w === undefined) {
      throw new PreimageError('ONNX_BAD_TENSOR', `expected ${name} of type FLOAT, DOUBLE, INT64 or INT32, found ${typeName}`, at);
    }
    if (raw.length !== n * w) {
      throw new PreimageError(
        'ONNX_BAD_TENSOR',
        `expected ${n * w} bytes of raw data for ${name} (${typeName}, shape ${fmtShape(dims)}), found ${raw.length}`,
        at,
      );
    }
    // A DataView reads at any byte offset, so raw data that is not aligned inside the file needs no copy.
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    data = new Float64Array(n);
    switch (dt) {
      case DataType.FLOAT: for (let i = 0; i < n; i++) data[i] = v.getFloat32(4 * i, true); break;
      case DataType.DOUBLE: for (let i = 0; i < n; i++) data[i] = v.getFloat64(8 * i, true); break;
      case DataType.INT64: for (let i = 0; i < n; i++) data[i] = Number(v.getBigInt64(8 * i, true)); break;
      case DataType.UINT64: for (let i = 0; i < n; i++) data[i] = Number(v.getBigUint64(8 * i, true)); break;
      case DataType.INT32: for (let i = 0; i < n; i++) data[i] = v.getInt32(4 * i, true); break;
      case DataType.UINT32: for (let i = 0; i < n; i++) data[i] = v.getUint32(4 * i, true); break;
      case DataType.INT16: for (let i = 0; i < n; i++) data[i] = v.getInt16(2 * i, true); break;
      case DataType.UINT16: for (let i = 0; i < n; i++) data[i] = v.getUint16(2 * i, true); break;
      case DataType.INT8: for (let i = 0; i < n; i++) data[i] = v.getInt8(i); break;
      default: for (let i = 0; i < n; i++) data[i] = v.getUint8(i); break; // UINT8, BOOL
    }
    return { dims, data, dataType: dt };
  }
  let src: ArrayLike<number> | undefined;
  let field = '';
  switch (dt) {
    case DataType.FLOAT: src = t.floatData; field = 'float_data'; break;
    case DataType.DOUBLE: src = t.doubleData; field = 'double_data'; break;
    case DataType.INT64: src = (t.int64Data ?? []).map(toNum); field = 'int64_data'; break;
    case DataType.UINT64: src = (t.uint64Data ?? []).map(toNum); field = 'uint64_data'; break;
    case DataType.INT32: case DataType.INT16: case DataType.INT8: case DataType.UINT16:
    case DataType.UINT8: case DataType.BOOL:
      src = t.int32Data; field = 'int32_data'; break;
    case DataType.UINT32: src = (t.uint64Data ?? []).map(toNum); field = 'uint64_data'; break;
    default:
      throw new PreimageError('ONNX_BAD_TENSOR', `expected ${name} of type FLOAT, DOUBLE, INT64 or INT32, found ${typeName}`, at);
  }
  const len = src?.length ?? 0;
  if (len !== n) {
    throw new PreimageError(
      'ONNX_BAD_TENSOR',
      `expected ${n} values for ${name} (${typeName}, shape ${fmtShape(dims)}) in ${field} or raw_data, found ${len}`,
      at,
    );
  }
  data = Float64Array.from(src ?? []);
  if (dt === DataType.FLOAT) for (let i = 0; i < n; i++) data[i] = Math.fround(data[i]);
  return { dims, data, dataType: dt };
}

/**
 * Encodes numbers as a TensorProto with little-endian raw_data. DOUBLE keeps float64 values
 * exactly; FLOAT rounds each value to the nearest float32.
 */
export function encodeTensor(name: string, dims: readonly number[], values: ArrayLike<number>, dataType: 1 | 11 | 7 = DataType.DOUBLE): TensorProtoMsg {
  const n = values.length;
  const w = dataType === DataType.FLOAT ? 4 : 8;
  const raw = new Uint8Array(n * w);
  const v = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    if (dataType === DataType.FLOAT) v.setFloat32(4 * i, values[i], true);
    else if (dataType === DataType.DOUBLE) v.setFloat64(8 * i, values[i], true);
    else v.setBigInt64(8 * i, BigInt(values[i]), true);
  }
  return { name, dims: [...dims], dataType, rawData: raw };
}
