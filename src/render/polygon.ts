/**
 * Convex polygons in the plane as flat coordinate lists [u0, v0, u1, v1, ...], counter-clockwise.
 * Plain number arrays, no allocation beyond the results: the slice module splits millions of
 * these, in Node and in Web Workers alike.
 */

/** The two sides of a polygon cut by the line h(u, v) = a u + b v + c = 0. */
export interface PolygonSplit {
  /** The side h <= 0, or null when it has no interior beyond the margin. */
  neg: number[] | null;
  /** The side h >= 0, or null when it has no interior beyond the margin. */
  pos: number[] | null;
  /** One side was thinner than the margin and was not created (the polygon went to the other side). */
  sliver: boolean;
}

let scratch = new Float64Array(64);

/**
 * Cuts `P` by h = a u + b v + c. A side whose vertices all lie within `eps` of the line (in h
 * units) is not created: the whole polygon goes to the other side and `sliver` says so when that
 * side had some vertex strictly beyond the line. When every vertex is within the margin of the line
 * (a polygon that is itself thinner than the margin across it, or h constant), the polygon goes to
 * the side h <= 0 unless every vertex is strictly positive.
 *
 * Intersection points are computed from the edge's endpoints in a canonical (lexicographic) order,
 * so two polygons that share an edge and are cut by the same line get bit-identical new vertices.
 */
export function splitPolygon(P: number[], a: number, b: number, c: number, eps: number): PolygonSplit {
  const nv = P.length >> 1;
  if (scratch.length < nv) scratch = new Float64Array(2 * nv);
  const h = scratch;
  let hmin = Infinity, hmax = -Infinity;
  for (let i = 0; i < nv; i++) {
    const v = a * P[2 * i] + b * P[2 * i + 1] + c;
    h[i] = v;
    if (v < hmin) hmin = v;
    if (v > hmax) hmax = v;
  }
  if (hmax <= eps) return { neg: P, pos: null, sliver: hmax > 0 };
  if (hmin >= -eps) return { neg: null, pos: P, sliver: hmin < 0 };
  const neg: number[] = [], pos: number[] = [];
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    const hi = h[i], hj = h[j];
    const ui = P[2 * i], vi = P[2 * i + 1];
    if (hi <= 0) neg.push(ui, vi);
    if (hi >= 0) pos.push(ui, vi);
    if ((hi < 0 && hj > 0) || (hi > 0 && hj < 0)) {
      const uj = P[2 * j], vj = P[2 * j + 1];
      // canonical order of the endpoints: the same edge gives the same point from either polygon
      const first = ui < uj || (ui === uj && vi < vj);
      const ua = first ? ui : uj, va = first ? vi : vj, ha = first ? hi : hj;
      const ub = first ? uj : ui, vb = first ? vj : vi, hb = first ? hj : hi;
      const t = ha / (ha - hb);
      const qu = ua + t * (ub - ua), qv = va + t * (vb - va);
      neg.push(qu, qv);
      pos.push(qu, qv);
    }
  }
  return { neg, pos, sliver: false };
}

/** Signed area (positive for counter-clockwise polygons). */
export function polygonArea(P: number[]): number {
  const nv = P.length >> 1;
  let s = 0;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    s += P[2 * i] * P[2 * j + 1] - P[2 * j] * P[2 * i + 1];
  }
  return s / 2;
}

/** Area centroid [u, v] (the vertex mean for degenerate polygons). */
export function polygonCentroid(P: number[]): [number, number] {
  const nv = P.length >> 1;
  // shift to the first vertex for accuracy far from the origin
  const u0 = P[0], v0 = P[1];
  let A = 0, cu = 0, cv = 0, mu = 0, mv = 0;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    const ui = P[2 * i] - u0, vi = P[2 * i + 1] - v0, uj = P[2 * j] - u0, vj = P[2 * j + 1] - v0;
    const cr = ui * vj - uj * vi;
    A += cr;
    cu += (ui + uj) * cr;
    cv += (vi + vj) * cr;
    mu += ui;
    mv += vi;
  }
  if (A === 0) return [u0 + mu / nv, v0 + mv / nv];
  return [u0 + cu / (3 * A), v0 + cv / (3 * A)];
}

/**
 * Upper bound of the inradius in coordinates scaled by 1/su, 1/sv: 2·area/perimeter (for a convex
 * polygon the inradius r satisfies area/perimeter <= r <= 2·area/perimeter).
 */
export function inradiusBound(P: number[], su = 1, sv = 1): number {
  const nv = P.length >> 1;
  let per = 0;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    per += Math.hypot((P[2 * j] - P[2 * i]) / su, (P[2 * j + 1] - P[2 * i + 1]) / sv);
  }
  if (per === 0) return 0;
  return (2 * Math.abs(polygonArea(P))) / (su * sv) / per;
}

/** Is (u, v) inside the counter-clockwise polygon, at distance > tol from every edge (in u, v units)? */
export function pointInPolygon(P: number[], u: number, v: number, tol = 0): boolean {
  return polygonDepth(P, u, v) > tol;
}

/** Signed distance from (u, v) to the nearest edge line: positive inside a counter-clockwise convex polygon. */
export function polygonDepth(P: number[], u: number, v: number): number {
  const nv = P.length >> 1;
  let d = Infinity;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    const eu = P[2 * j] - P[2 * i], ev = P[2 * j + 1] - P[2 * i + 1];
    const len = Math.hypot(eu, ev);
    if (len === 0) continue;
    const s = (eu * (v - P[2 * i + 1]) - ev * (u - P[2 * i])) / len;
    if (s < d) d = s;
  }
  return d;
}

/** Drops consecutive duplicate vertices (exactly equal coordinates). */
export function dedupePolygon(P: number[]): number[] {
  const nv = P.length >> 1;
  const out: number[] = [];
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    if (P[2 * i] === P[2 * j] && P[2 * i + 1] === P[2 * j + 1] && nv > 1) continue;
    out.push(P[2 * i], P[2 * i + 1]);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Flat versions on a vertex pool: polygon = nv vertices at V[off .. off + 2·nv − 1]. The same
// arithmetic, in the same order, as the array versions above (bit-identical results), without
// allocating: the slice stores its polygons in pools.

/** Signed area of the pooled polygon (as polygonArea). */
export function poolArea(V: Float64Array, off: number, nv: number): number {
  let s = 0;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    s += V[off + 2 * i] * V[off + 2 * j + 1] - V[off + 2 * j] * V[off + 2 * i + 1];
  }
  return s / 2;
}

/** Area centroid of the pooled polygon (as polygonCentroid), written to out[at], out[at + 1]. */
export function poolCentroid(V: Float64Array, off: number, nv: number, out: Float64Array, at: number): void {
  const u0 = V[off], v0 = V[off + 1];
  let A = 0, cu = 0, cv = 0, mu = 0, mv = 0;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    const ui = V[off + 2 * i] - u0, vi = V[off + 2 * i + 1] - v0, uj = V[off + 2 * j] - u0, vj = V[off + 2 * j + 1] - v0;
    const cr = ui * vj - uj * vi;
    A += cr;
    cu += (ui + uj) * cr;
    cv += (vi + vj) * cr;
    mu += ui;
    mv += vi;
  }
  if (A === 0) {
    out[at] = u0 + mu / nv;
    out[at + 1] = v0 + mv / nv;
  } else {
    out[at] = u0 + cu / (3 * A);
    out[at + 1] = v0 + cv / (3 * A);
  }
}

/**
 * Is inradiusBound(pooled polygon, su, sv) > delta? Decided with Math.sqrt (fast) unless the
 * bound is within a relative 1e-9 of delta, where the exact inradiusBound (Math.hypot) decides:
 * always the same answer as `inradiusBound(P, su, sv) > delta`.
 */
export function poolInradiusAbove(V: Float64Array, off: number, nv: number, su: number, sv: number, area: number, delta: number): boolean {
  let per = 0;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    const x = (V[off + 2 * j] - V[off + 2 * i]) / su, y = (V[off + 2 * j + 1] - V[off + 2 * i + 1]) / sv;
    per += Math.sqrt(x * x + y * y);
  }
  if (per === 0) return 0 > delta;
  const bound = (2 * Math.abs(area)) / (su * sv) / per;
  if (bound > delta * (1 + 1e-9)) return true;
  if (bound < delta * (1 - 1e-9)) return false;
  per = 0;
  for (let i = 0; i < nv; i++) {
    const j = i + 1 === nv ? 0 : i + 1;
    per += Math.hypot((V[off + 2 * j] - V[off + 2 * i]) / su, (V[off + 2 * j + 1] - V[off + 2 * i + 1]) / sv);
  }
  if (per === 0) return 0 > delta;
  return (2 * Math.abs(area)) / (su * sv) / per > delta;
}
