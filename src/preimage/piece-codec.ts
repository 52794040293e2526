/**
 * How finished pieces cross threads: each piece written field by field (the layout of PieceJson)
 * into one Int32Array (counts, flags, the 0/1 patterns) and one Float64Array (every other number),
 * both transferred, not copied, and read back into pieces equal to the originals: every number
 * keeps its bits (-0, NaN, infinities) and the keys their order.
 *
 * Why not a generic clone: postMessage's structured clone boxes every number on arrival, and a
 * generic packer (one tag per value, object shapes looked up by their keys) cost the workers about
 * 20 µs a piece on ACAS Xu, a tenth of the work of finding and measuring the piece. A pattern row
 * equal to the previous piece's row of the same layer is sent as a reference (most rows are) and
 * read back as the same shared row (pattern-rows.ts).
 */
import { InternalError } from '../errors.js';
import { patternRow } from './pattern-rows.js';
import type { PieceCertificate, PieceJson } from './result.js';

/** The pieces a {@link PieceEncoder} received. */
export interface EncodedPieces {
  ints: Int32Array;
  nums: Float64Array;
  count: number;
}

const BOUNDED = 1, HAS_VOLUME = 2, HAS_VERTICES = 4, HAS_RAYS = 8, HAS_LINES = 16, HAS_CERT = 32;
const CERT_WITNESS = 64, CERT_PATTERN = 128, CERT_TARGET = 256, CERT_HAS_MAX = 512;
const CLASS_SHIFT = 10;
const CLASSES: PieceJson['class'][] = ['full', 'lower', 'thin'];
/** A pattern row the same as the previous piece's row of its layer. */
const SAME_ROW = -1;

/** Growable buffers shared by encoders (an encoder copies out what it wrote when it finishes): no doubling garbage per task. */
let intBuf = new Int32Array(1 << 14);
let numBuf = new Float64Array(1 << 15);
/** The encoder that owns the shared buffers (another one started meanwhile gets buffers of its own). */
let owner: PieceEncoder | null = null;

/** Encodes pieces one at a time into one stream: a worker adds each piece as it is finished. */
export class PieceEncoder {
  private ints: Int32Array;
  private nums: Float64Array;
  private ni = 0;
  private nn = 0;
  private count = 0;
  /** The previous piece's pattern rows (the same array object means the same row). */
  private lastRows: (readonly number[])[] = [];

  constructor() {
    if (owner === null) {
      owner = this;
      this.ints = intBuf;
      this.nums = numBuf;
    } else {
      this.ints = new Int32Array(1024);
      this.nums = new Float64Array(1024);
    }
  }

  private intRoom(k: number): void {
    if (this.ni + k <= this.ints.length) return;
    const next = new Int32Array(Math.max(2 * this.ints.length, this.ni + k));
    next.set(this.ints.subarray(0, this.ni));
    this.ints = next;
    if (owner === this) intBuf = next;
  }

  private numRoom(k: number): void {
    if (this.nn + k <= this.nums.length) return;
    const next = new Float64Array(Math.max(2 * this.nums.length, this.nn + k));
    next.set(this.nums.subarray(0, this.nn));
    this.nums = next;
    if (owner === this) numBuf = next;
  }

  private int(v: number): void {
    this.intRoom(1);
    this.ints[this.ni++] = v;
  }

  private num(v: number): void {
    this.numRoom(1);
    this.nums[this.nn++] = v;
  }

  private vector(v: readonly number[]): void {
    const k = v.length;
    this.int(k);
    this.numRoom(k);
    const nums = this.nums;
    let nn = this.nn;
    for (let j = 0; j < k; j++) nums[nn++] = v[j];
    this.nn = nn;
  }

  /** A matrix as its row count, column count and entries (every row must have the columns of the first). */
  private matrix(rows: readonly (readonly number[])[]): void {
    const m = rows.length;
    const k = m > 0 ? rows[0].length : 0;
    this.int(m);
    this.int(k);
    this.numRoom(m * k);
    const nums = this.nums;
    let nn = this.nn;
    for (let i = 0; i < m; i++) {
      const r = rows[i];
      if (r.length !== k) throw new InternalError(`piece codec: a matrix row of ${r.length} entries after rows of ${k}`);
      for (let j = 0; j < k; j++) nums[nn++] = r[j];
    }
    this.nn = nn;
  }

  /** Appends one piece. */
  add(p: PieceJson): void {
    const cert = p.certificate;
    const cls = CLASSES.indexOf(p.class);
    if (cls < 0) throw new InternalError(`piece codec: class ${String(p.class)}`);
    let flags = cls << CLASS_SHIFT;
    if (p.bounded) flags |= BOUNDED;
    if (p.volume !== null) flags |= HAS_VOLUME;
    if (p.vertices) flags |= HAS_VERTICES;
    if (p.rays) flags |= HAS_RAYS;
    if (p.lines) flags |= HAS_LINES;
    if (cert) {
      flags |= HAS_CERT;
      if (cert.witnessInPiece) flags |= CERT_WITNESS;
      if (cert.patternReproduced) flags |= CERT_PATTERN;
      if (cert.targetAtWitness) flags |= CERT_TARGET;
      if (cert.maxVertexViolation !== null) flags |= CERT_HAS_MAX;
    }
    this.int(flags);
    this.int(p.id);
    this.int(p.part);
    this.int(p.dim);
    const L = p.pattern.length;
    this.int(L);
    for (let l = 0; l < L; l++) {
      const row = p.pattern[l];
      if (row === this.lastRows[l]) {
        this.int(SAME_ROW);
        continue;
      }
      this.lastRows[l] = row;
      const k = row.length;
      this.intRoom(k + 1);
      const ints = this.ints;
      let ni = this.ni;
      ints[ni++] = k;
      for (let j = 0; j < k; j++) {
        const v = row[j];
        if (v !== (v | 0)) throw new InternalError(`piece codec: pattern entry ${v}`);
        ints[ni++] = v;
      }
      this.ni = ni;
    }
    this.matrix(p.A);
    this.vector(p.b);
    this.matrix(p.Aeq);
    this.vector(p.beq);
    this.vector(p.witness);
    this.num(p.radius);
    if (p.volume !== null) this.num(p.volume);
    this.matrix(p.map.M);
    this.vector(p.map.c);
    if (p.vertices) this.matrix(p.vertices);
    if (p.rays) this.matrix(p.rays);
    if (p.lines) this.matrix(p.lines);
    if (cert) {
      if (cert.method !== 'exact-rational') throw new InternalError(`piece codec: certificate method ${String(cert.method)}`);
      this.num(cert.equalityResidual);
      if (cert.maxVertexViolation !== null) this.num(cert.maxVertexViolation);
      this.int(cert.verticesChecked);
    }
    this.count++;
  }

  /** The stream of the pieces added so far (copied out: the encoder may not be used after this). */
  finish(): EncodedPieces {
    const out: EncodedPieces = { ints: this.ints.slice(0, this.ni), nums: this.nums.slice(0, this.nn), count: this.count };
    this.release();
    return out;
  }

  /** Gives the shared buffers back without a stream (after a failure; finish() does it too). */
  release(): void {
    if (owner === this) owner = null;
  }
}

/** The pieces of a stream, in order, equal to those added (pattern rows shared, see pattern-rows.ts). */
export function decodePieces(e: EncodedPieces): PieceJson[] {
  const { ints, nums } = e;
  let t = 0, x = 0;
  const vector = (): number[] => {
    const k = ints[t++];
    const out: number[] = new Array(k);
    for (let j = 0; j < k; j++) out[j] = nums[x + j];
    x += k;
    return out;
  };
  const matrix = (): number[][] => {
    const m = ints[t++], k = ints[t++];
    const out: number[][] = new Array(m);
    for (let i = 0; i < m; i++) {
      const r: number[] = new Array(k);
      for (let j = 0; j < k; j++) r[j] = nums[x + j];
      x += k;
      out[i] = r;
    }
    return out;
  };
  const pieces: PieceJson[] = new Array(e.count);
  let prev: (readonly number[])[] = [];
  for (let q = 0; q < e.count; q++) {
    const flags = ints[t++];
    const id = ints[t++], part = ints[t++], dim = ints[t++];
    const L = ints[t++];
    const pattern: (readonly number[])[] = new Array(L);
    for (let l = 0; l < L; l++) {
      const k = ints[t++];
      if (k === SAME_ROW) {
        pattern[l] = prev[l];
        continue;
      }
      pattern[l] = patternRow(l, ints.subarray(t, t + k));
      t += k;
    }
    prev = pattern;
    const A = matrix(), b = vector(), Aeq = matrix(), beq = vector(), witness = vector();
    const radius = nums[x++];
    const volume = flags & HAS_VOLUME ? nums[x++] : null;
    const M = matrix(), c = vector();
    const piece: PieceJson = {
      id, pattern, part, A, b, Aeq, beq, witness, radius, dim,
      class: CLASSES[flags >>> CLASS_SHIFT], bounded: (flags & BOUNDED) !== 0, volume, map: { M, c },
    };
    if (flags & HAS_VERTICES) piece.vertices = matrix();
    if (flags & HAS_RAYS) piece.rays = matrix();
    if (flags & HAS_LINES) piece.lines = matrix();
    if (flags & HAS_CERT) {
      const equalityResidual = nums[x++];
      const maxVertexViolation = flags & CERT_HAS_MAX ? nums[x++] : null;
      const cert: PieceCertificate = {
        witnessInPiece: (flags & CERT_WITNESS) !== 0,
        equalityResidual,
        patternReproduced: (flags & CERT_PATTERN) !== 0,
        targetAtWitness: (flags & CERT_TARGET) !== 0,
        maxVertexViolation,
        verticesChecked: ints[t++],
        method: 'exact-rational',
      };
      piece.certificate = cert;
    }
    pieces[q] = piece;
  }
  if (t !== ints.length || x !== nums.length) throw new InternalError(`piece codec: ${ints.length - t} ints and ${nums.length - x} numbers left after ${e.count} pieces`);
  return pieces;
}
