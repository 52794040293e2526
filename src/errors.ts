/**
 * Typed errors. Every failure a user can cause (a bad file, a wrong shape, an impossible spec)
 * becomes a {@link PreimageError} with a stable `code`, a message saying what was expected and
 * what was found, and where (line, node, layer). Broken invariants inside the library are
 * {@link InternalError}s: they mean a bug, never bad input.
 */

/** Stable error codes. The CLI prints `error <code>: <message>` and exits with status 2. */
export type ErrorCode =
  // reading files
  | 'EMPTY_FILE'
  | 'TRUNCATED_FILE'
  | 'UNKNOWN_FORMAT'
  | 'ONNX_DECODE'
  | 'ONNX_UNSUPPORTED_OP'
  | 'ONNX_NOT_A_CHAIN'
  | 'ONNX_BAD_ATTRIBUTE'
  | 'ONNX_MISSING_TENSOR'
  | 'ONNX_BAD_TENSOR'
  | 'NNET_HEADER'
  | 'NNET_ROW_LENGTH'
  | 'NNET_BAD_NUMBER'
  | 'NNET_TRUNCATED'
  | 'JSON_SYNTAX'
  | 'JSON_SCHEMA'
  | 'VNNLIB_SYNTAX'
  | 'VNNLIB_PARENTHESES'
  | 'VNNLIB_UNDECLARED'
  | 'VNNLIB_UNSUPPORTED'
  | 'VNNLIB_DIMENSION'
  // network model
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'BAD_ACTIVATION'
  // user arguments and specs
  | 'BAD_ARGUMENT'
  | 'BAD_INPUT'
  | 'BAD_TARGET'
  | 'BAD_DOMAIN'
  | 'NOT_RELU_OUTPUT'
  | 'BAD_RESULT_FILE'
  | 'IO'
  // the distributed search on a job queue (src/queue/)
  | 'BAD_QUEUE_URL'
  | 'QUEUE_UNREACHABLE'
  | 'BAD_JOB'
  | 'BAD_TASK'
  | 'RUN_MISMATCH';

/** One problem found in an input: a code, a message and an optional location. */
export interface Issue {
  code: ErrorCode;
  message: string;
  /** Where: "line 12", "node Gemm_3", "layer 2", "pieces[4].A[0]". */
  at?: string;
}

/** The error every user-facing failure throws. `issues[0]` is the first problem found. */
export class PreimageError extends Error {
  readonly code: ErrorCode;
  readonly issues: Issue[];
  constructor(code: ErrorCode, message: string, at?: string, more: Issue[] = []) {
    super(at ? `${message} (at ${at})` : message);
    this.name = 'PreimageError';
    this.code = code;
    this.issues = [{ code, message, at }, ...more];
  }
}

/** A broken invariant inside the library: a bug, not bad input. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'InternalError';
  }
}

/** Short description of a value for "found ..." messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return typeof v;
}
