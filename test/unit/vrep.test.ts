// H <-> V conversion by the double description method (src/polyhedra/vrep.ts, hrep.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toVRep, toVRepDetailed, type DDStats } from '../../src/polyhedra/vrep.js';
import { toHRep } from '../../src/polyhedra/hrep.js';
import type { HPolyhedron, VPolyhedron } from '../../src/polyhedra/types.js';
import { Rng } from '../../src/util/rng.js';

// ---------------------------------------------------------------- builders

function H(n: number, rows: number[][], b: number[], eq: number[][] = [], beq: number[] = []): HPolyhedron {
  return { n, m: rows.length, A: Float64Array.from(rows.flat()), b: Float64Array.from(b), meq: eq.length, Aeq: Float64Array.from(eq.flat()), beq: Float64Array.from(beq) };
}
function unit(d: number, i: number, s = 1): number[] {
  const r = new Array(d).fill(0);
  r[i] = s;
  return r;
}
/** [lo, hi]^d */
function box(d: number, lo = 0, hi = 1): { rows: number[][]; b: number[] } {
  const rows: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < d; i++) {
    rows.push(unit(d, i, 1), unit(d, i, -1));
    b.push(hi, -lo);
  }
  return { rows, b };
}
function cube(d: number, lo = 0, hi = 1): HPolyhedron {
  const { rows, b } = box(d, lo, hi);
  return H(d, rows, b);
}
function simplex(d: number): HPolyhedron {
  const rows = Array.from({ length: d }, (_, i) => unit(d, i, -1));
  rows.push(new Array(d).fill(1));
  return H(d, rows, [...new Array(d).fill(0), 1]);
}
function crossPolytope(d: number): HPolyhedron {
  const rows: number[][] = [];
  for (let s = 0; s < 1 << d; s++) rows.push(Array.from({ length: d }, (_, i) => ((s >> i) & 1 ? -1 : 1)));
  return H(d, rows, new Array(rows.length).fill(1));
}
/** [-1/2, 1/2]^d cut by `cuts` random half-spaces a·x <= beta with beta in [0.05, 0.4] (the origin stays inside). */
function randomPolytope(d: number, cuts: number, rng: Rng): HPolyhedron {
  const { rows, b } = box(d, -0.5, 0.5);
  for (let c = 0; c < cuts; c++) {
    const a = Array.from({ length: d }, () => rng.normal());
    rows.push(a);
    b.push(rng.uniform(0.05, 0.4) * Math.hypot(...a));
  }
  return H(d, rows, b);
}

// ---------------------------------------------------------------- checks

const EPS = 1e-9;
function slack(P: HPolyhedron, i: number, x: ArrayLike<number>): number {
  let s = P.b[i];
  for (let j = 0; j < P.n; j++) s -= P.A[i * P.n + j] * x[j];
  return s;
}
function dotRow(M: Float64Array, n: number, i: number, x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += M[i * n + j] * x[j];
  return s;
}
/** Numerical rank of a list of vectors, each normalised first (Gram–Schmidt with a 1e-9 cut). */
function rank(vecs: ArrayLike<number>[], n: number): number {
  const basis: Float64Array[] = [];
  for (const v of vecs) {
    const nv0 = Math.hypot(...Array.from(v));
    if (!(nv0 > 0)) continue;
    const w = Float64Array.from(v, (x) => x / nv0); // rows of any scale count alike
    for (let pass = 0; pass < 2; pass++)
      for (const q of basis) {
        let s = 0;
        for (let j = 0; j < n; j++) s += w[j] * q[j];
        for (let j = 0; j < n; j++) w[j] -= s * q[j];
      }
    const nw = Math.hypot(...w);
    if (nw > 1e-9) basis.push(w.map((x) => x / nw));
  }
  return basis.length;
}

/**
 * Re-checks every invariant of a V-representation of P: vertices feasible and extreme (active rows of
 * full rank within the affine hull of the equalities), rays in the recession cone and extreme, lines
 * in the lineality space, lines orthonormal, rays unit and orthogonal to the lines, no duplicates.
 */
function validate(P: HPolyhedron, V: VPolyhedron): void {
  const n = P.n;
  const eqRows: number[][] = [];
  for (let i = 0; i < P.meq; i++) eqRows.push(Array.from(P.Aeq.subarray(i * n, i * n + n)));
  const linesRank = rank(V.lines, n);
  assert.equal(linesRank, V.lines.length, 'lines independent');
  for (const l of V.lines) {
    assert.ok(Math.abs(Math.hypot(...l) - 1) < 1e-9, 'lines are unit');
    for (let i = 0; i < P.m; i++) assert.ok(Math.abs(dotRow(P.A, n, i, l)) < 1e-8, 'line in lineality space');
    for (let i = 0; i < P.meq; i++) assert.ok(Math.abs(dotRow(P.Aeq, n, i, l)) < 1e-8, 'line in equality null space');
  }
  for (const v of V.vertices) {
    const scale = Math.max(1, ...Array.from(v).map(Math.abs));
    for (let i = 0; i < P.m; i++) assert.ok(slack(P, i, v) > -EPS * scale * Math.max(1, Math.abs(P.b[i])), `vertex feasible (row ${i}: ${slack(P, i, v)})`);
    for (let i = 0; i < P.meq; i++) assert.ok(Math.abs(dotRow(P.Aeq, n, i, v) - P.beq[i]) < EPS * scale, 'vertex on equalities');
    const active: number[][] = [...eqRows];
    for (let i = 0; i < P.m; i++) if (Math.abs(slack(P, i, v)) < 1e-7 * scale) active.push(Array.from(P.A.subarray(i * n, i * n + n)));
    for (const l of V.lines) active.push(Array.from(l)); // a vertex of P ∩ (lineality)^⊥
    assert.equal(rank(active, n), n, 'vertex is extreme (active rows and lines of rank n)');
    for (const l of V.lines) assert.ok(Math.abs(l.reduce((s, x, j) => s + x * v[j], 0)) < 1e-9 * scale, 'vertex orthogonal to the lines');
  }
  for (const r of V.rays) {
    assert.ok(Math.abs(Math.hypot(...r) - 1) < 1e-9, 'rays are unit');
    for (const l of V.lines) assert.ok(Math.abs(l.reduce((s, x, j) => s + x * r[j], 0)) < 1e-8, 'ray orthogonal to lines');
    for (let i = 0; i < P.m; i++) assert.ok(dotRow(P.A, n, i, r) < 1e-8, 'ray in recession cone');
    const active: number[][] = [...eqRows];
    for (let i = 0; i < P.m; i++) if (Math.abs(dotRow(P.A, n, i, r)) < 1e-8) active.push(Array.from(P.A.subarray(i * n, i * n + n)));
    for (const l of V.lines) active.push(Array.from(l));
    assert.equal(rank(active, n), n - 1, 'ray is extreme');
  }
  for (let a = 0; a < V.vertices.length; a++)
    for (let b = a + 1; b < V.vertices.length; b++) assert.ok(V.vertices[a].some((x, j) => Math.abs(x - V.vertices[b][j]) > 1e-9), 'no duplicate vertices');
}

/** Vertices by brute force: every n-subset of rows (with the equalities) solved and kept when feasible. */
function bruteVertices(P: HPolyhedron): Float64Array[] {
  const n = P.n;
  const out: Float64Array[] = [];
  const rows: number[][] = [];
  const rhs: number[] = [];
  for (let i = 0; i < P.m; i++) {
    rows.push(Array.from(P.A.subarray(i * n, i * n + n)));
    rhs.push(P.b[i]);
  }
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === n) {
      const M = chosen.map((i) => [...rows[i], rhs[i]]);
      // Gaussian elimination with partial pivoting
      for (let c = 0; c < n; c++) {
        let p = c;
        for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
        if (Math.abs(M[p][c]) < 1e-10) return;
        [M[c], M[p]] = [M[p], M[c]];
        for (let r = 0; r < n; r++) {
          if (r === c) continue;
          const f = M[r][c] / M[c][c];
          for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
        }
      }
      const x = Float64Array.from(M.map((r, i) => r[n] / r[i]));
      for (let i = 0; i < P.m; i++) if (slack(P, i, x) < -1e-9) return;
      if (!out.some((y) => y.every((v, j) => Math.abs(v - x[j]) < 1e-8))) out.push(x);
      return;
    }
    for (let i = start; i < rows.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

function sameSets(a: Float64Array[], b: Float64Array[], tol = 1e-8): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => y.every((v, j) => Math.abs(v - x[j]) <= tol * Math.max(1, Math.abs(v)))));
}

// ---------------------------------------------------------------- tests

test('unit cubes in dimensions 1-8: 2^d vertices with 0/1 coordinates, no rays or lines', () => {
  for (let d = 1; d <= 8; d++) {
    const P = cube(d);
    const V = toVRep(P);
    assert.equal(V.vertices.length, 2 ** d, `d=${d}`);
    assert.equal(V.rays.length, 0);
    assert.equal(V.lines.length, 0);
    const seen = new Set<string>();
    for (const v of V.vertices) {
      assert.ok(v.every((x) => x === 0 || x === 1), `exact 0/1 coordinates: ${Array.from(v)}`);
      seen.add(Array.from(v).join(','));
    }
    assert.equal(seen.size, 2 ** d);
    if (d <= 6) validate(P, V);
  }
});

test('simplices and cross-polytopes (highly degenerate) have the right vertices', () => {
  for (let d = 1; d <= 8; d++) {
    const V = toVRep(simplex(d));
    const expected = [new Float64Array(d), ...Array.from({ length: d }, (_, i) => Float64Array.from(unit(d, i)))];
    assert.ok(sameSets(V.vertices, expected), `simplex d=${d}`);
  }
  for (let d = 1; d <= 7; d++) {
    const P = crossPolytope(d);
    const V = toVRep(P);
    const expected: Float64Array[] = [];
    for (let i = 0; i < d; i++) expected.push(Float64Array.from(unit(d, i, 1)), Float64Array.from(unit(d, i, -1)));
    assert.ok(sameSets(V.vertices, expected), `cross-polytope d=${d}: ${V.vertices.length} vertices`);
    if (d <= 5) validate(P, V);
  }
});

test('vertices agree with brute-force enumeration on random polytopes (dims 2-4)', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 40; trial++) {
    const d = 2 + (trial % 3);
    const P = randomPolytope(d, 2 + rng.int(5), rng);
    const V = toVRep(P);
    validate(P, V);
    assert.ok(sameSets(V.vertices, bruteVertices(P)), `trial ${trial}`);
  }
});

test('H -> V -> H -> V round trips give the same vertex set (dims 2-6)', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 25; trial++) {
    const d = 2 + (trial % 5);
    const P = randomPolytope(d, 3 + rng.int(6), rng);
    const V = toVRep(P);
    const H2 = toHRep(V);
    assert.equal(H2.meq, 0);
    // every facet row is tight at >= d vertices and valid for all
    for (let i = 0; i < H2.m; i++) {
      let tight = 0;
      for (const v of V.vertices) {
        const s = slack(H2, i, v);
        assert.ok(s > -1e-9, 'facet valid');
        if (Math.abs(s) < 1e-9) tight++;
      }
      assert.ok(tight >= d, `facet ${i} has ${tight} vertices`);
    }
    // the facets are a subset of the (normalised) input rows
    for (let i = 0; i < H2.m; i++) {
      const a = H2.A.subarray(i * d, i * d + d);
      const found = Array.from({ length: P.m }, (_, k) => k).some((k) => {
        const row = P.A.subarray(k * d, k * d + d);
        const nr = Math.hypot(...row);
        return row.every((x, j) => Math.abs(x / nr - a[j]) < 1e-8) && Math.abs(P.b[k] / nr - H2.b[i]) < 1e-8;
      });
      assert.ok(found, 'facet is one of the input constraints');
    }
    const V2 = toVRep(H2);
    assert.ok(sameSets(V.vertices, V2.vertices), `trial ${trial}`);
  }
});

test('V -> H -> V: the hull of random points keeps exactly its extreme points', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 15; trial++) {
    const d = 2 + (trial % 4);
    const pts = Array.from({ length: 3 * d + 5 }, () => Float64Array.from({ length: d }, () => rng.normal()));
    const Hh = toHRep({ n: d, vertices: pts, rays: [], lines: [] });
    assert.equal(Hh.meq, 0);
    for (const p of pts) for (let i = 0; i < Hh.m; i++) assert.ok(slack(Hh, i, p) > -1e-9, 'all points inside');
    const V = toVRep(Hh);
    for (const v of V.vertices) assert.ok(pts.some((p) => p.every((x, j) => Math.abs(x - v[j]) < 1e-8)), 'vertex is an input point');
    // a point is a vertex iff it is not a convex combination of the others: check via the H-rep of the rest
    for (const p of pts) {
      const isVertex = V.vertices.some((v) => v.every((x, j) => Math.abs(x - p[j]) < 1e-8));
      const rest = toHRep({ n: d, vertices: pts.filter((q) => q !== p), rays: [], lines: [] });
      const outside = Array.from({ length: rest.m }, (_, i) => slack(rest, i, p)).some((s) => s < -1e-9);
      assert.equal(isVertex, outside, 'extreme iff outside the hull of the others');
    }
  }
});

test('duplicate and redundant constraints change nothing', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 10; trial++) {
    const d = 2 + (trial % 4);
    const P = randomPolytope(d, 4, rng);
    const rows: number[][] = [];
    const b: number[] = [];
    for (let i = 0; i < P.m; i++) {
      rows.push(Array.from(P.A.subarray(i * d, i * d + d)));
      b.push(P.b[i]);
    }
    // duplicates (also scaled) and redundant rows (a looser copy, a far-away random cut)
    const rows2 = [...rows, rows[0], rows[1].map((x) => 3 * x), rows[2], ...rows.map((r) => r.map((x) => -x)).slice(0, 0)];
    const b2 = [...b, b[0], 3 * b[1], b[2] + 0.5];
    rows2.push(Array.from({ length: d }, () => rng.normal()));
    b2.push(100 * Math.hypot(...rows2[rows2.length - 1]));
    const P2 = H(d, rows2, b2);
    const V = toVRep(P);
    const V2 = toVRep(P2);
    validate(P2, V2);
    assert.ok(sameSets(V.vertices, V2.vertices), `trial ${trial}`);
  }
});

test('unbounded: a cone, a slab and a polyhedron with a line report rays and lines', () => {
  // the quadrant x >= 0, y >= 0
  let P = H(2, [[-1, 0], [0, -1]], [0, 0]);
  let V = toVRep(P);
  validate(P, V);
  assert.deepEqual(V.vertices.map((v) => Array.from(v)), [[0, 0]]);
  assert.ok(sameSets(V.rays, [Float64Array.of(1, 0), Float64Array.of(0, 1)]));
  assert.equal(V.lines.length, 0);
  // a pointed cone with apex (1, 1, 1): x_i >= 1 and x1 + x2 >= 3 ... (4 rows, 3-D)
  P = H(3, [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [-1, -1, 0]], [-1, -1, -1, -3]);
  V = toVRep(P);
  validate(P, V);
  assert.equal(V.rays.length, 3);
  assert.equal(V.vertices.length, 2);
  // the slab |x1| <= 1 in R^3: two vertices and two lines
  P = H(3, [[1, 0, 0], [-1, 0, 0]], [1, 1]);
  V = toVRep(P);
  validate(P, V);
  assert.ok(sameSets(V.vertices, [Float64Array.of(-1, 0, 0), Float64Array.of(1, 0, 0)]));
  assert.equal(V.rays.length, 0);
  assert.equal(V.lines.length, 2);
  // a half-plane x + y >= 1 in R^2: one vertex, one ray, one line
  P = H(2, [[-1, -1]], [-1]);
  V = toVRep(P);
  validate(P, V);
  assert.equal(V.vertices.length, 1);
  assert.equal(V.rays.length, 1);
  assert.equal(V.lines.length, 1);
  assert.ok(Math.abs(V.vertices[0][0] + V.vertices[0][1] - 1) < 1e-12);
  assert.ok(V.rays[0][0] + V.rays[0][1] > 0.5, 'ray points into the half-plane');
  // all of R^3: the origin and three lines
  V = toVRep(H(3, [], []));
  assert.equal(V.vertices.length, 1);
  assert.equal(V.lines.length, 3);
  // a wedge with a line: x >= |y| (any z)
  P = H(3, [[-1, 1, 0], [-1, -1, 0]], [0, 0]);
  V = toVRep(P);
  validate(P, V);
  assert.equal(V.lines.length, 1);
  assert.ok(Math.abs(Math.abs(V.lines[0][2]) - 1) < 1e-12);
  assert.equal(V.rays.length, 2);
});

test('empty polyhedra give no vertices, rays or lines', () => {
  const empties = [
    H(2, [[1, 0], [-1, 0]], [-1, -1]), // x <= -1, x >= 1
    H(3, [[1, 1, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1]], [-0.1, 0, 0, 0]),
    H(2, [], [], [[1, 0], [1, 0]], [0, 1]), // inconsistent equalities
    H(2, [[0, 0]], [-1]), // 0 <= -1
    H(3, [[1, 0, 0]], [0], [[1, 0, 0]], [1]), // x = 1, x <= 0
  ];
  for (const P of empties) {
    const V = toVRep(P);
    assert.deepEqual([V.vertices.length, V.rays.length, V.lines.length], [0, 0, 0]);
    assert.ok(toVRepDetailed(P).empty);
  }
});

test('lower-dimensional sets: a square in 3-D via equalities, and via implicit equalities', () => {
  const { rows, b } = box(2);
  const sq = H(3, rows.map((r) => [...r, 0]), b, [[0, 0, 1]], [2]);
  let V = toVRep(sq);
  validate(sq, V);
  assert.ok(sameSets(V.vertices, [[0, 0, 2], [0, 1, 2], [1, 0, 2], [1, 1, 2]].map((v) => Float64Array.from(v))));
  // the same square with z <= 2, z >= 2 as inequalities
  const sq2 = H(3, [...rows.map((r) => [...r, 0]), [0, 0, 1], [0, 0, -1]], [...b, 2, -2]);
  V = toVRep(sq2);
  validate(sq2, V);
  assert.equal(V.vertices.length, 4);
  // H of a lower-dimensional V: one equality
  const Hs = toHRep(V);
  assert.equal(Hs.meq, 1);
  assert.ok(Math.abs(Math.abs(Hs.Aeq[2]) - 1) < 1e-12 && Math.abs(Hs.beq[0] * Hs.Aeq[2] - 2) < 1e-12);
  assert.equal(Hs.m, 4);
  // a tilted triangle in 3-D through equalities x + y + z = 1 and x, y, z >= 0
  const tri = H(3, [[-1, 0, 0], [0, -1, 0], [0, 0, -1]], [0, 0, 0], [[1, 1, 1]], [1]);
  V = toVRep(tri);
  validate(tri, V);
  assert.ok(sameSets(V.vertices, [[1, 0, 0], [0, 1, 0], [0, 0, 1]].map((v) => Float64Array.from(v))));
  // a single point from equalities
  V = toVRep(H(2, [[1, 1]], [5], [[1, 0], [0, 1]], [1, 2]));
  assert.deepEqual(V.vertices.map((v) => Array.from(v)), [[1, 2]]);
});

test('badly placed and badly scaled polytopes: far from the origin, tiny, huge', () => {
  for (const [lo, hi] of [[1e4, 1e4 + 1], [-3e6, -3e6 + 2], [0, 1e-6], [5, 5 + 1e-5], [-1e5, 1e5]]) {
    for (const d of [2, 4]) {
      const P = cube(d, lo, hi);
      const V = toVRep(P);
      assert.equal(V.vertices.length, 2 ** d, `[${lo}, ${hi}]^${d}`);
      for (const v of V.vertices) for (const x of v) assert.ok(Math.abs(x - lo) <= 1e-12 * Math.abs(lo) + 1e-15 || Math.abs(x - hi) <= 1e-12 * Math.abs(hi) + 1e-15, `coordinate ${x} of [${lo}, ${hi}]`);
    }
  }
});

test('toHRep: rays, lines and the empty set', () => {
  // the quadrant shifted to (1, 2)
  let Hq = toHRep({ n: 2, vertices: [Float64Array.of(1, 2)], rays: [Float64Array.of(1, 0), Float64Array.of(0, 1)], lines: [] });
  assert.equal(Hq.m, 2);
  assert.ok(sameSets(toVRep(Hq).vertices, [Float64Array.of(1, 2)]));
  // a strip: segment [0,1] x R
  Hq = toHRep({ n: 2, vertices: [Float64Array.of(0, 0), Float64Array.of(1, 0)], rays: [], lines: [Float64Array.of(0, 1)] });
  assert.equal(Hq.m, 2);
  const V = toVRep(Hq);
  assert.equal(V.lines.length, 1);
  assert.equal(V.vertices.length, 2);
  // empty
  Hq = toHRep({ n: 3, vertices: [], rays: [], lines: [] });
  assert.equal(toVRep(Hq).vertices.length, 0);
  // one point in R^3: three equalities
  Hq = toHRep({ n: 3, vertices: [Float64Array.of(1, 2, 3)], rays: [], lines: [] });
  assert.equal(Hq.meq, 3);
  assert.deepEqual(Array.from(toVRep(Hq).vertices[0]).map((x) => Math.round(x * 1e12) / 1e12), [1, 2, 3]);
});

test('the indexed adjacency path gives the same result as the plain one', () => {
  const rng = new Rng(17);
  for (let trial = 0; trial < 12; trial++) {
    const d = 3 + (trial % 4);
    const P = randomPolytope(d, 6 + rng.int(6), rng);
    const a = toVRep(P, { indexFrom: 0 });
    const b = toVRep(P, { indexFrom: Infinity });
    assert.ok(sameSets(a.vertices, b.vertices), `trial ${trial}`);
  }
  const st: DDStats = { maxRays: 0, pairs: 0, created: 0 };
  assert.equal(toVRep(crossPolytope(6), { indexFrom: 0, stats: st }).vertices.length, 12);
  assert.ok((st.scanSteps ?? 0) > 0, 'the indexed path ran');
});

test('constraint orders all give the same vertices', () => {
  const rng = new Rng(23);
  for (let trial = 0; trial < 8; trial++) {
    const d = 2 + (trial % 5);
    const P = randomPolytope(d, 6, rng);
    const ref = toVRep(P).vertices;
    for (const order of ['lexmin', 'input', 'maxindex', 'lexmax', 'random'] as const) assert.ok(sameSets(ref, toVRep(P, { order }).vertices), `${order} trial ${trial}`);
  }
});

test('bad shapes and non-finite entries are rejected with a typed error', () => {
  assert.throws(() => toVRep({ n: 2, m: 1, A: new Float64Array(3), b: new Float64Array(1), meq: 0, Aeq: new Float64Array(0), beq: new Float64Array(0) }), { name: 'PreimageError', code: 'SHAPE_MISMATCH' });
  assert.throws(() => toHRep({ n: 2, vertices: [new Float64Array(3)], rays: [], lines: [] }), { name: 'PreimageError', code: 'SHAPE_MISMATCH' });
  assert.throws(() => toVRep(H(2, [[NaN, 0]], [1])), { name: 'PreimageError', code: 'NON_FINITE' });
  assert.throws(() => toVRep(H(2, [[1, 0]], [Infinity])), { name: 'PreimageError', code: 'NON_FINITE' });
  assert.throws(() => toHRep({ n: 1, vertices: [Float64Array.of(NaN)], rays: [], lines: [] }), { name: 'PreimageError', code: 'NON_FINITE' });
});

test('with lines and far from the origin (rescaled DD), vertices stay orthogonal to the lines', () => {
  // the slab 1e4 <= x1 + x2 <= 1e4 + 1 in R^3
  const P = H(3, [[1, 1, 0], [-1, -1, 0]], [1e4 + 1, -1e4]);
  const r = toVRepDetailed(P);
  validate(P, r.v);
  assert.equal(r.v.lines.length, 2);
  assert.equal(r.v.vertices.length, 2);
});

test('an interior point hint gives the same vertices', () => {
  const rng = new Rng(29);
  for (let trial = 0; trial < 8; trial++) {
    const d = 2 + (trial % 5);
    const P = randomPolytope(d, 8, rng);
    const ref = toVRep(P).vertices;
    const c = new Float64Array(d); // the origin is inside by construction
    c[0] = 0.01;
    assert.ok(sameSets(ref, toVRep(P, { interior: c }).vertices), `trial ${trial}`);
  }
});

test('regression: rows of very different scales (1e-6 .. 1e6) are all kept', () => {
  // a row of norm 5e-5 next to one of norm 8e5 was once treated as 0 <= 0 (dead) relative to the largest
  const rng = new Rng(41);
  for (let trial = 0; trial < 20; trial++) {
    const d = 2 + (trial % 3);
    const P = randomPolytope(d, 5, rng);
    const A = P.A.slice();
    const b = P.b.slice();
    for (let i = 0; i < P.m; i++) {
      const s = 10 ** rng.uniform(-6, 6);
      for (let j = 0; j < d; j++) A[i * d + j] *= s;
      b[i] *= s;
    }
    const scaled: HPolyhedron = { ...P, A, b };
    const V = toVRep(scaled);
    validate(scaled, V);
    assert.ok(sameSets(V.vertices, toVRep(P).vertices), `trial ${trial}`);
  }
});

test('regression: groups of nearly parallel constraints (tilted by 1e-7) give order-independent vertices', () => {
  const rng = new Rng(27);
  for (let trial = 0; trial < 6; trial++) {
    const d = 3 + (trial % 2);
    const { rows, b } = box(d, -2, 2);
    for (let g = 0; g < 3; g++) {
      const a = Array.from({ length: d }, () => rng.normal());
      for (let k = 0; k < 4; k++) {
        rows.push(a.map((x) => x + 1e-7 * rng.normal()));
        b.push(0.5 + 1e-7 * rng.normal());
      }
    }
    const P = H(d, rows, b);
    const ref = toVRep(P);
    validate(P, ref);
    for (const order of ['lexmin', 'input', 'maxindex', 'random'] as const) {
      const V = toVRep(P, { order });
      assert.equal(V.vertices.length, ref.vertices.length, `${order} trial ${trial}`);
      assert.ok(sameSets(V.vertices, ref.vertices, 1e-6), `${order} trial ${trial}`);
    }
  }
});
