/**
 * A fast structured clone for JSON-like data (plain objects, arrays, numbers, strings, booleans,
 * null, undefined) between threads: a stream of Int32 tags and lengths plus one Float64Array of
 * all numbers (both transferred, not copied), and tables of object shapes and strings.
 *
 * Why: the pieces of the parallel search reach the main thread by the tens of thousands (about
 * 3 KB each on ACAS Xu); postMessage's structured clone boxes every number on arrival and the
 * main thread spent about a quarter of the run receiving them, competing with the workers for the
 * cores. Exact: every number keeps its bits (-0, NaN, infinities), objects keep their key order.
 */

const T_NUM = 0, T_ARR = 1, T_NUMS = 2, T_OBJ = 3, T_STR = 4, T_TRUE = 5, T_FALSE = 6, T_NULL = 7, T_UNDEF = 8;

export interface Packed {
  tags: Int32Array;
  nums: Float64Array;
  shapes: string[][];
  strings: string[];
  /** Number of values in the stream (1 for {@link pack}). */
  count: number;
}

/** Growable buffers shared by packers (a packer copies out what it wrote when it finishes): no doubling garbage per task. */
let tagBuf = new Int32Array(1 << 14);
let numBuf = new Float64Array(1 << 14);
/** The packer that owns the shared buffers (another one started meanwhile gets buffers of its own). */
let owner: Packer | null = null;

/** The index of `keys` among `shapes` (a linear scan: a result has a handful of object shapes), or -1. */
function shapeIndex(shapes: string[][], keys: string[]): number {
  outer: for (let s = 0; s < shapes.length; s++) {
    const k = shapes[s];
    if (k.length !== keys.length) continue;
    for (let i = 0; i < k.length; i++) if (k[i] !== keys[i]) continue outer;
    return s;
  }
  return -1;
}

/**
 * Packs values one at a time into one stream (see the module doc): a worker packs each piece as
 * it is finished, so the piece objects die young instead of waiting for the end of the task.
 * `finish()` gives the stream; {@link unpackAll} reads the values back in order.
 */
export class Packer {
  private tags: Int32Array;
  private nums: Float64Array;
  private nt = 0;
  private nn = 0;
  private count = 0;
  private readonly shapes: string[][] = [];
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();

  constructor() {
    if (owner === null) {
      owner = this;
      this.tags = tagBuf;
      this.nums = numBuf;
    } else {
      this.tags = new Int32Array(1024);
      this.nums = new Float64Array(1024);
    }
  }

  private tag(v: number): void {
    if (this.nt === this.tags.length) {
      const next = new Int32Array(2 * this.tags.length);
      next.set(this.tags);
      this.tags = next;
      if (owner === this) tagBuf = next;
    }
    this.tags[this.nt++] = v;
  }

  private room(k: number): void {
    if (this.nn + k > this.nums.length) {
      const next = new Float64Array(Math.max(2 * this.nums.length, this.nn + k));
      next.set(this.nums.subarray(0, this.nn));
      this.nums = next;
      if (owner === this) numBuf = next;
    }
  }

  /** Appends one JSON-like value. */
  add(value: unknown): void {
    this.walk(value);
    this.count++;
  }

  private walk(v: unknown): void {
    switch (typeof v) {
      case 'number':
        this.tag(T_NUM);
        this.room(1);
        this.nums[this.nn++] = v;
        return;
      case 'string': {
        let id = this.stringIds.get(v);
        if (id === undefined) {
          id = this.strings.length;
          this.strings.push(v);
          this.stringIds.set(v, id);
        }
        this.tag(T_STR);
        this.tag(id);
        return;
      }
      case 'boolean':
        this.tag(v ? T_TRUE : T_FALSE);
        return;
      case 'undefined':
        this.tag(T_UNDEF);
        return;
      case 'object': {
        if (v === null) {
          this.tag(T_NULL);
          return;
        }
        if (Array.isArray(v)) {
          // numbers written as they are checked; anything else rolls back to the generic form
          const n0 = this.nn, len = v.length;
          this.room(len);
          const nums = this.nums;
          let nn = this.nn;
          let i = 0;
          for (; i < len; i++) {
            const x = v[i];
            if (typeof x !== 'number') break;
            nums[nn++] = x;
          }
          if (i === len) {
            this.nn = nn;
            this.tag(T_NUMS);
            this.tag(len);
            return;
          }
          this.nn = n0;
          this.tag(T_ARR);
          this.tag(len);
          for (let j = 0; j < len; j++) this.walk(v[j]);
          return;
        }
        const keys = Object.keys(v);
        let id = shapeIndex(this.shapes, keys);
        if (id < 0) {
          id = this.shapes.length;
          this.shapes.push(keys);
        }
        this.tag(T_OBJ);
        this.tag(id);
        const o = v as Record<string, unknown>;
        for (const k of keys) this.walk(o[k]);
        return;
      }
      default:
        throw new TypeError(`pack: expected JSON-like data, found a ${typeof v}`);
    }
  }

  /** The stream of the values added so far (copied out: the packer may not be used after this). */
  finish(): Packed {
    const out: Packed = { tags: this.tags.slice(0, this.nt), nums: this.nums.slice(0, this.nn), shapes: this.shapes, strings: this.strings, count: this.count };
    this.release();
    return out;
  }

  /** Gives the shared buffers back without a stream (after a failure; finish() does it too). */
  release(): void {
    if (owner === this) owner = null;
  }
}

/** Packs a JSON-like value (see the module doc). */
export function pack(value: unknown): Packed {
  const p = new Packer();
  try {
    p.add(value);
  } catch (e) {
    p.release();
    throw e;
  }
  return p.finish();
}

/** The values a {@link Packer} received, in order. */
export function unpackAll(p: Packed): unknown[] {
  const r = reader(p);
  const out = new Array<unknown>(p.count);
  for (let i = 0; i < p.count; i++) out[i] = r();
  return out;
}

/** The value packed by {@link pack}. */
export function unpack(p: Packed): unknown {
  return reader(p)();
}

/** Reads the stream's values one per call. */
function reader(p: Packed): () => unknown {
  const { tags, nums, shapes, strings } = p;
  let t = 0, x = 0;
  const read = (): unknown => {
    const tg = tags[t++];
    switch (tg) {
      case T_NUM:
        return nums[x++];
      case T_NUMS: {
        const n = tags[t++];
        const out = new Array<number>(n);
        for (let i = 0; i < n; i++) out[i] = nums[x + i];
        x += n;
        return out;
      }
      case T_ARR: {
        const n = tags[t++];
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = read();
        return out;
      }
      case T_OBJ: {
        const keys = shapes[tags[t++]];
        const out: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) out[keys[i]] = read();
        return out;
      }
      case T_STR:
        return strings[tags[t++]];
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_NULL:
        return null;
      case T_UNDEF:
        return undefined;
      default:
        throw new Error(`unpack: bad tag ${tg} at ${t - 1}`);
    }
  };
  return read;
}
