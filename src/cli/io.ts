import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PreimageError } from '../errors.js';
import { readNetwork } from '../formats/detect.js';
import type { Network } from '../network/types.js';

/** Reads a file's bytes, turning file-system failures into one-line IO errors. */
export function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? String(e));
    throw new PreimageError('IO', `expected a readable file at ${path}, found ${why}`);
  }
}

export function readText(path: string): string {
  return new TextDecoder().decode(readBytes(path));
}

/** Loads a network file of any supported format. */
export function loadNetwork(path: string): Network {
  return readNetwork(readBytes(path), basename(path));
}

export function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new PreimageError('IO', `expected a writable path ${path}, found ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** A decimal number as people type it: 3, -0.5, .5, 1e-3, +2. (Number() would also take "0x10", "0b1", "".) */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses "0.1,0.2,-3" (commas or spaces) into numbers; `what` names the option in messages.
 * An empty entry ("1,,2") is an error, not skipped: skipping it would shift every later value.
 * One trailing comma is allowed.
 */
export function parseVector(text: string, what: string, expectedLength?: number): Float64Array {
  const trimmed = text.trim().replace(/\s*,$/, ''); // one trailing comma, as in .nnet rows, is fine
  const parts = trimmed === '' ? [] : trimmed.split(/\s*,\s*|\s+/);
  const v = new Float64Array(parts.length);
  parts.forEach((p, i) => {
    const x = DECIMAL.test(p) ? Number(p) : NaN;
    if (!Number.isFinite(x)) {
      const found = p === '' ? 'an empty entry' : JSON.stringify(p);
      throw new PreimageError('BAD_ARGUMENT', `expected ${what} to be finite decimal numbers separated by commas, found ${found} at position ${i + 1}`);
    }
    v[i] = x;
  });
  if (expectedLength !== undefined && v.length !== expectedLength) {
    throw new PreimageError('BAD_ARGUMENT', `expected ${what} to have ${expectedLength} numbers, found ${v.length}`);
  }
  return v;
}

/** Formats numbers compactly but exactly enough to round-trip. */
export function fmt(x: number, digits = 6): string {
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(digits)).toString();
}

export function fmtVector(v: ArrayLike<number>, digits = 6): string {
  return Array.from(v, (x) => fmt(x, digits)).join(', ');
}

/** JSON.stringify that writes typed arrays as plain arrays. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v), indent);
}
