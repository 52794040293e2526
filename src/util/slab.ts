/**
 * Small typed arrays carved out of large shared blocks.
 *
 * Why: every `new Float64Array(k)` above V8's on-heap limit (64 bytes) gets its own malloc'd
 * backing store, which each young-generation scavenge must sweep. The vertex search makes a few
 * such arrays per split; measured on VerticalCAS, their allocation and sweeping took about a
 * fifth of the search. A view into a shared block costs one small heap object instead.
 *
 * Rules for callers: a view keeps its whole block alive (use it for short-lived data, or copy
 * with `slice()` what outlives the search), and nothing may use a view's `.buffer` as if it were
 * the array (structured clone of a view copies the whole block).
 */
export class Slab {
  private f = new Float64Array(0);
  private fAt = 0;
  private u = new Uint32Array(0);
  private uAt = 0;

  /** @param block elements per block (a request larger than this gets a block of its own). */
  constructor(private readonly block = 8192) {}

  /** A zero-filled Float64Array view of length `len`. */
  f64(len: number): Float64Array {
    if (this.fAt + len > this.f.length) {
      this.f = new Float64Array(Math.max(this.block, len));
      this.fAt = 0;
    }
    const v = this.f.subarray(this.fAt, this.fAt + len);
    this.fAt += len;
    return v;
  }

  /** A zero-filled Uint32Array view of length `len`. */
  u32(len: number): Uint32Array {
    if (this.uAt + len > this.u.length) {
      this.u = new Uint32Array(Math.max(this.block, len));
      this.uAt = 0;
    }
    const v = this.u.subarray(this.uAt, this.uAt + len);
    this.uAt += len;
    return v;
  }
}
