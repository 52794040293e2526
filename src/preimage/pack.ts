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
}

/** Growable buffers kept between calls (each call copies out what it wrote): no doubling garbage per call. */
let tagBuf = new Int32Array(1 << 14);
let numBuf = new Float64Array(1 << 14);

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

/** Packs a JSON-like value (see the module doc). */
export function pack(value: unknown): Packed {
  let tags = tagBuf, nt = 0;
  let nums = numBuf, nn = 0;
  const tag = (v: number) => {
    if (nt === tags.length) {
      const next = new Int32Array(2 * tags.length);
      next.set(tags);
      tags = tagBuf = next;
    }
    tags[nt++] = v;
  };
  const room = (k: number) => {
    if (nn + k > nums.length) {
      const next = new Float64Array(Math.max(2 * nums.length, nn + k));
      next.set(nums.subarray(0, nn));
      nums = numBuf = next;
    }
  };
  const shapes: string[][] = [];
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const walk = (v: unknown): void => {
    switch (typeof v) {
      case 'number':
        tag(T_NUM);
        room(1);
        nums[nn++] = v;
        return;
      case 'string': {
        let id = stringIds.get(v);
        if (id === undefined) {
          id = strings.length;
          strings.push(v);
          stringIds.set(v, id);
        }
        tag(T_STR);
        tag(id);
        return;
      }
      case 'boolean':
        tag(v ? T_TRUE : T_FALSE);
        return;
      case 'undefined':
        tag(T_UNDEF);
        return;
      case 'object': {
        if (v === null) {
          tag(T_NULL);
          return;
        }
        if (Array.isArray(v)) {
          // numbers written as they are checked; anything else rolls back to the generic form
          const n0 = nn, len = v.length;
          room(len);
          let i = 0;
          for (; i < len; i++) {
            const x = v[i];
            if (typeof x !== 'number') break;
            nums[nn++] = x;
          }
          if (i === len) {
            tag(T_NUMS);
            tag(len);
            return;
          }
          nn = n0;
          tag(T_ARR);
          tag(v.length);
          for (let i = 0; i < v.length; i++) walk(v[i]);
          return;
        }
        const keys = Object.keys(v);
        let id = shapeIndex(shapes, keys);
        if (id < 0) {
          id = shapes.length;
          shapes.push(keys);
        }
        tag(T_OBJ);
        tag(id);
        const o = v as Record<string, unknown>;
        for (const k of keys) walk(o[k]);
        return;
      }
      default:
        throw new TypeError(`pack: expected JSON-like data, found a ${typeof v}`);
    }
  };
  walk(value);
  return { tags: tags.slice(0, nt), nums: nums.slice(0, nn), shapes, strings };
}

/** The value packed by {@link pack}. */
export function unpack(p: Packed): unknown {
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
  return read();
}
