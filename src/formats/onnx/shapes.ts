/**
 * Shape rules of the ONNX reshaping operators (Flatten, Reshape, Squeeze, Unsqueeze), shared by the
 * data path and constant folding. None of them moves numbers: a row-major tensor keeps its order.
 */
import { PreimageError } from '../../errors.js';
import { fmtShape, sizeOf } from './tensor.js';

/** Flatten(axis): [prod(dims[:axis]), prod(dims[axis:])]; axis in [-r, r]. */
export function flattenShape(dims: readonly number[], axis: number, at: string, label: string): number[] {
  const r = dims.length;
  if (!Number.isInteger(axis) || axis < -r || axis > r) {
    throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${label}: expected attribute axis in [${-r}, ${r}] for an input of shape ${fmtShape(dims)}, found ${axis}`, at);
  }
  const a = axis < 0 ? axis + r : axis;
  return [sizeOf(dims.slice(0, a)), sizeOf(dims.slice(a))];
}

/** Reshape to `target` (0 copies the input dim unless allowzero, -1 is inferred). */
export function reshapeShape(dims: readonly number[], target: ArrayLike<number>, allowZero: boolean, at: string, label: string): number[] {
  const out: number[] = [];
  let infer = -1;
  for (let i = 0; i < target.length; i++) {
    const v = target[i];
    if (v === -1) {
      if (infer >= 0) throw new PreimageError('ONNX_BAD_TENSOR', `${label}: expected at most one -1 in the target shape, found ${fmtShape(Array.from(target))}`, at);
      infer = i;
      out.push(1);
    } else if (v === 0 && !allowZero) {
      if (i >= dims.length) {
        throw new PreimageError('ONNX_BAD_TENSOR', `${label}: target shape ${fmtShape(Array.from(target))} copies dimension ${i} (0), but the input ${fmtShape(dims)} has only ${dims.length}`, at);
      }
      out.push(dims[i]);
    } else if (Number.isInteger(v) && v >= 0) {
      out.push(v);
    } else {
      throw new PreimageError('ONNX_BAD_TENSOR', `${label}: expected target dimensions >= -1, found ${fmtShape(Array.from(target))}`, at);
    }
  }
  const total = sizeOf(dims);
  if (infer >= 0) {
    const rest = sizeOf(out);
    if (rest === 0 || total % rest !== 0) {
      throw new PreimageError('SHAPE_MISMATCH', `${label}: cannot reshape ${total} numbers ${fmtShape(dims)} to ${fmtShape(Array.from(target))}`, at);
    }
    out[infer] = total / rest;
  }
  if (sizeOf(out) !== total) {
    throw new PreimageError('SHAPE_MISMATCH', `${label}: expected a target shape of ${total} numbers (input ${fmtShape(dims)}), found ${fmtShape(out)} (${sizeOf(out)} numbers)`, at);
  }
  return out;
}

function normAxes(axes: readonly number[], rank: number, at: string, label: string): number[] {
  const seen = new Set<number>();
  return axes.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${label}: expected axes in [${-rank}, ${rank - 1}], found ${fmtShape(axes)}`, at);
    }
    const n = a < 0 ? a + rank : a;
    if (seen.has(n)) throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${label}: expected distinct axes, found ${fmtShape(axes)}`, at);
    seen.add(n);
    return n;
  });
}

/** Squeeze: removes the listed axes (which must have size 1), or every axis of size 1. */
export function squeezeShape(dims: readonly number[], axes: readonly number[] | undefined, at: string, label: string): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const ax = new Set(normAxes(axes, dims.length, at, label));
  for (const a of ax) {
    if (dims[a] !== 1) {
      throw new PreimageError('ONNX_BAD_ATTRIBUTE', `${label}: expected axis ${a} to have size 1 to squeeze it, found size ${dims[a]} in shape ${fmtShape(dims)}`, at);
    }
  }
  return dims.filter((_, i) => !ax.has(i));
}

/** Unsqueeze: inserts axes of size 1 at the listed positions of the output. */
export function unsqueezeShape(dims: readonly number[], axes: readonly number[], at: string, label: string): number[] {
  const rank = dims.length + axes.length;
  const ax = new Set(normAxes(axes, rank, at, label));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ax.has(i) ? 1 : dims[k++]);
  return out;
}
