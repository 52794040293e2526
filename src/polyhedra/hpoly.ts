import type { HPolyhedron } from './types.js';

/** Builds an H-polyhedron from plain arrays (copies). */
export function hpoly(n: number, A: ArrayLike<number>[] = [], b: ArrayLike<number> = [], Aeq: ArrayLike<number>[] = [], beq: ArrayLike<number> = []): HPolyhedron {
  const flat = (rows: ArrayLike<number>[]) => {
    const out = new Float64Array(rows.length * n);
    rows.forEach((r, i) => out.set(Array.from(r), i * n));
    return out;
  };
  return { n, m: A.length, A: flat(A), b: Float64Array.from(b), meq: Aeq.length, Aeq: flat(Aeq), beq: Float64Array.from(beq) };
}

/** The box lo <= x <= hi as 2n inequality rows. Infinite sides are skipped. */
export function boxPolyhedron(lo: ArrayLike<number>, hi: ArrayLike<number>): HPolyhedron {
  const n = lo.length;
  const rows: number[][] = [];
  const rhs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(hi[i])) {
      const r = new Array(n).fill(0);
      r[i] = 1;
      rows.push(r);
      rhs.push(hi[i]);
    }
    if (Number.isFinite(lo[i])) {
      const r = new Array(n).fill(0);
      r[i] = -1;
      rows.push(r);
      rhs.push(-lo[i]);
    }
  }
  return hpoly(n, rows, rhs);
}

/** All of R^n. */
export function wholeSpace(n: number): HPolyhedron {
  return hpoly(n);
}

/** Intersection (rows stacked). */
export function intersect(P: HPolyhedron, Q: HPolyhedron): HPolyhedron {
  const A = new Float64Array((P.m + Q.m) * P.n);
  A.set(P.A);
  A.set(Q.A, P.m * P.n);
  const Aeq = new Float64Array((P.meq + Q.meq) * P.n);
  Aeq.set(P.Aeq);
  Aeq.set(Q.Aeq, P.meq * P.n);
  const b = new Float64Array(P.m + Q.m);
  b.set(P.b);
  b.set(Q.b, P.m);
  const beq = new Float64Array(P.meq + Q.meq);
  beq.set(P.beq);
  beq.set(Q.beq, P.meq);
  return { n: P.n, m: P.m + Q.m, A, b, meq: P.meq + Q.meq, Aeq, beq };
}

/** Keeps the inequality rows listed in `keep`. */
export function selectRows(P: HPolyhedron, keep: number[]): HPolyhedron {
  const n = P.n;
  const A = new Float64Array(keep.length * n);
  const b = new Float64Array(keep.length);
  keep.forEach((r, i) => {
    A.set(P.A.subarray(r * n, r * n + n), i * n);
    b[i] = P.b[r];
  });
  return { ...P, m: keep.length, A, b };
}

/** Row i of a row-major matrix with n columns (a view). */
export function row(M: Float64Array, i: number, n: number): Float64Array {
  return M.subarray(i * n, i * n + n);
}

/** Largest violation of the system at x: max_i (a_i x - b_i) / |a_i| and |Aeq x - beq| / |aeq|. */
export function maxViolation(P: HPolyhedron, x: ArrayLike<number>): number {
  const n = P.n;
  let worst = -Infinity;
  for (let i = 0; i < P.m; i++) {
    let s = -P.b[i], nn = 0;
    for (let j = 0; j < n; j++) {
      s += P.A[i * n + j] * x[j];
      nn += P.A[i * n + j] ** 2;
    }
    if (nn > 0) worst = Math.max(worst, s / Math.sqrt(nn));
    else worst = Math.max(worst, s);
  }
  for (let i = 0; i < P.meq; i++) {
    let s = -P.beq[i], nn = 0;
    for (let j = 0; j < n; j++) {
      s += P.Aeq[i * n + j] * x[j];
      nn += P.Aeq[i * n + j] ** 2;
    }
    worst = Math.max(worst, Math.abs(s) / (nn > 0 ? Math.sqrt(nn) : 1));
  }
  return worst;
}
