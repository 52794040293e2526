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

/** Packs a JSON-like value (see the module doc). */
export function pack(value: unknown): Packed {
  let tags = new Int32Array(1024), nt = 0;
  let nums = new Float64Array(1024), nn = 0;
  const tag = (v: number) => {
    if (nt === tags.length) {
      const next = new Int32Array(2 * tags.length);
      next.set(tags);
      tags = next;
    }
    tags[nt++] = v;
  };
  const room = (k: number) => {
    if (nn + k > nums.length) {
      const next = new Float64Array(Math.max(2 * nums.length, nn + k));
      next.set(nums.subarray(0, nn));
      nums = next;
    }
  };
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
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
          let allNums = true;
          for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') { allNums = false; break; }
          if (allNums) {
            tag(T_NUMS);
            tag(v.length);
            room(v.length);
            for (let i = 0; i < v.length; i++) nums[nn++] = v[i];
            return;
          }
          tag(T_ARR);
          tag(v.length);
          for (let i = 0; i < v.length; i++) walk(v[i]);
          return;
        }
        const keys = Object.keys(v);
        const sig = keys.join('\u0000');
        let id = shapeIds.get(sig);
        if (id === undefined) {
          id = shapes.length;
          shapes.push(keys);
          shapeIds.set(sig, id);
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
