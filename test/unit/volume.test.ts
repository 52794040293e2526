// Volumes (src/polyhedra/volume.ts): exact cases, Monte Carlo agreement, and metamorphic properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { volume, relativeVolume } from '../../src/polyhedra/volume.js';
import { toVRep } from '../../src/polyhedra/vrep.js';
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
function boxRows(lo: number[], hi: number[]): { rows: number[][]; b: number[] } {
  const d = lo.length;
  const rows: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < d; i++) {
    rows.push(unit(d, i, 1), unit(d, i, -1));
    b.push(hi[i], -lo[i]);
  }
  return { rows, b };
}
function cube(d: number): HPolyhedron {
  const { rows, b } = boxRows(new Array(d).fill(0), new Array(d).fill(1));
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
/** The box [0,1]^d intersected with `cuts` random half-spaces through points near its centre. */
function cutBox(d: number, cuts: number, rng: Rng): HPolyhedron {
  const { rows, b } = boxRows(new Array(d).fill(0), new Array(d).fill(1));
  for (let c = 0; c < cuts; c++) {
    const a = Array.from({ length: d }, () => rng.normal());
    const p = Array.from({ length: d }, () => rng.uniform(0.3, 0.7));
    rows.push(a);
    b.push(a.reduce((s, x, i) => s + x * p[i], 0) + rng.uniform(0, 0.2) * Math.hypot(...a));
  }
  return H(d, rows, b);
}
function inside(P: HPolyhedron, x: ArrayLike<number>): boolean {
  for (let i = 0; i < P.m; i++) {
    let s = 0;
    for (let j = 0; j < P.n; j++) s += P.A[i * P.n + j] * x[j];
    if (s > P.b[i]) return false;
  }
  return true;
}
function factorial(d: number): number {
  let f = 1;
  for (let i = 2; i <= d; i++) f *= i;
  return f;
}
function close(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
}
/** x -> s x + t applied to an H-polyhedron. */
function affineImage(P: HPolyhedron, s: number, t: number[]): HPolyhedron {
  const b = new Float64Array(P.m);
  for (let i = 0; i < P.m; i++) {
    let at = 0;
    for (let j = 0; j < P.n; j++) at += P.A[i * P.n + j] * t[j];
    b[i] = s * P.b[i] + at;
  }
  return { ...P, b };
}
function withRow(P: HPolyhedron, a: number[], beta: number): HPolyhedron {
  const A = new Float64Array((P.m + 1) * P.n);
  A.set(P.A);
  A.set(a, P.m * P.n);
  const b = new Float64Array(P.m + 1);
  b.set(P.b);
  b[P.m] = beta;
  return { ...P, m: P.m + 1, A, b };
}

// ---------------------------------------------------------------- tests

test('unit cubes (dims 1-8) have volume 1, from H and from V', () => {
  for (let d = 1; d <= 8; d++) {
    const P = cube(d);
    assert.ok(close(volume(P), 1), `H d=${d}: ${volume(P)}`);
    if (d <= 6) assert.ok(close(volume(toVRep(P)), 1), `V d=${d}`);
    assert.ok(close(volume(P, toVRep(P)), 1), `H+V d=${d}`);
  }
  // a box with unequal sides, off the origin
  const { rows, b } = boxRows([1, -2, 10], [3, 5, 10.5]);
  assert.ok(close(volume(H(3, rows, b)), 2 * 7 * 0.5));
});

test('simplices have volume 1/d! and cross-polytopes 2^d/d!', () => {
  for (let d = 1; d <= 8; d++) assert.ok(close(volume(simplex(d)), 1 / factorial(d)), `simplex d=${d}`);
  for (let d = 1; d <= 7; d++) {
    const P = crossPolytope(d);
    assert.ok(close(volume(P), 2 ** d / factorial(d), 1e-8), `cross-polytope d=${d}: ${volume(P)}`);
    if (d <= 5) assert.ok(close(volume(toVRep(P)), 2 ** d / factorial(d), 1e-8), `V cross-polytope d=${d}`);
  }
});

test('polygons: agrees with the shoelace formula', () => {
  const rng = new Rng(31);
  for (let trial = 0; trial < 20; trial++) {
    const P = cutBox(2, 1 + rng.int(5), rng);
    const V = toVRep(P).vertices;
    const c = V.reduce((s, v) => [s[0] + v[0] / V.length, s[1] + v[1] / V.length], [0, 0]);
    const ord = V.slice().sort((p, q) => Math.atan2(p[1] - c[1], p[0] - c[0]) - Math.atan2(q[1] - c[1], q[0] - c[0]));
    let area = 0;
    for (let i = 0; i < ord.length; i++) {
      const p = ord[i];
      const q = ord[(i + 1) % ord.length];
      area += p[0] * q[1] - q[0] * p[1];
    }
    assert.ok(close(volume(P), Math.abs(area) / 2, 1e-12), `trial ${trial}`);
  }
});

test('empty, unbounded and lower-dimensional sets', () => {
  assert.equal(volume(H(2, [[1, 0], [-1, 0]], [-1, -1])), 0, 'empty');
  assert.equal(volume(H(2, [[-1, 0], [0, -1]], [0, 0])), Infinity, 'quadrant');
  assert.equal(volume(H(3, [[1, 0, 0], [-1, 0, 0]], [1, 1])), Infinity, 'slab');
  assert.equal(volume({ n: 2, vertices: [Float64Array.of(0, 0)], rays: [Float64Array.of(1, 0), Float64Array.of(0, 1)], lines: [] }), Infinity);
  assert.equal(volume({ n: 2, vertices: [], rays: [], lines: [] }), 0);
  // a square in 3-D: volume 0, relative volume 1
  const { rows, b } = boxRows([0, 0], [1, 1]);
  const sq = H(3, rows.map((r) => [...r, 0]), b, [[0, 0, 1]], [2]);
  assert.equal(volume(sq), 0);
  const rv = relativeVolume(sq);
  assert.equal(rv.dim, 2);
  assert.ok(close(rv.volume, 1, 1e-12));
  assert.equal(rv.basis.length, 2);
  for (const u of rv.basis) {
    assert.ok(close(Math.hypot(...u), 1, 1e-12), 'basis is unit');
    assert.ok(Math.abs(u[2]) < 1e-12, 'basis lies in the plane z = 2');
  }
  assert.ok(Math.abs(rv.basis[0].reduce((s, x, j) => s + x * rv.basis[1][j], 0)) < 1e-12, 'basis is orthogonal');
  assert.ok(close(rv.origin[2], 2, 1e-12));
  // the same square through implicit equalities, and as a V-polyhedron
  const sq2 = H(3, [...rows.map((r) => [...r, 0]), [0, 0, 1], [0, 0, -1]], [...b, 2, -2]);
  assert.ok(close(relativeVolume(sq2).volume, 1, 1e-12));
  assert.ok(close(relativeVolume(toVRep(sq2)).volume, 1, 1e-12));
  // a tilted triangle x + y + z = 1, x, y, z >= 0: area sqrt(3)/2
  const tri = H(3, [[-1, 0, 0], [0, -1, 0], [0, 0, -1]], [0, 0, 0], [[1, 1, 1]], [1]);
  assert.ok(close(relativeVolume(tri).volume, Math.sqrt(3) / 2, 1e-12));
  assert.equal(volume(tri), 0);
  // a segment and a point
  const seg = relativeVolume({ n: 3, vertices: [Float64Array.of(1, 1, 1), Float64Array.of(2, 3, 3)], rays: [], lines: [] });
  assert.equal(seg.dim, 1);
  assert.ok(close(seg.volume, 3, 1e-12));
  const pt = relativeVolume({ n: 2, vertices: [Float64Array.of(1, 2)], rays: [], lines: [] });
  assert.deepEqual([pt.dim, pt.volume], [0, 1]);
  const none = relativeVolume(H(1, [[1], [-1]], [-1, -1]));
  assert.deepEqual([none.dim, none.volume], [-1, 0]);
  // unbounded relative: a ray in 3-D
  const ray = relativeVolume({ n: 3, vertices: [Float64Array.of(0, 0, 0)], rays: [Float64Array.of(1, 0, 0)], lines: [] });
  assert.deepEqual([ray.dim, ray.volume], [1, Infinity]);
  // a 4-D cross-polytope face placed in 6-D via equalities: 2^4/4!
  const cp = crossPolytope(4);
  const rows6 = [];
  for (let i = 0; i < cp.m; i++) rows6.push([...Array.from(cp.A.subarray(i * 4, i * 4 + 4)), 0, 0]);
  const emb = H(6, rows6, Array.from(cp.b), [unit(6, 4), unit(6, 5)], [3, -1]);
  const rv6 = relativeVolume(emb);
  assert.equal(rv6.dim, 4);
  assert.ok(close(rv6.volume, 16 / 24, 1e-10));
});

test('random polytopes agree with a seeded Monte Carlo estimate (4-sigma binomial bound, dims 2-6)', () => {
  const rng = new Rng(2024);
  const N = 20000;
  for (let d = 2; d <= 6; d++) {
    for (let trial = 0; trial < 3; trial++) {
      const P = cutBox(d, 2 + rng.int(4), rng);
      const v = volume(P);
      let hits = 0;
      const x = new Float64Array(d);
      for (let s = 0; s < N; s++) {
        for (let j = 0; j < d; j++) x[j] = rng.next();
        if (inside(P, x)) hits++;
      }
      const sigma = Math.sqrt((v * (1 - v)) / N);
      assert.ok(Math.abs(hits / N - v) <= 4 * sigma + 1 / N, `d=${d} trial ${trial}: exact ${v}, estimate ${hits / N} (sigma ${sigma})`);
      assert.ok(close(volume(toVRep(P)), v, 1e-9), 'V path agrees');
    }
  }
});

test('H, V and H+V inputs give the same volume; so does toHRep(toVRep(P))', () => {
  const rng = new Rng(8);
  for (let trial = 0; trial < 15; trial++) {
    const d = 2 + (trial % 5);
    const P = cutBox(d, 3 + rng.int(5), rng);
    const V = toVRep(P);
    const v = volume(P);
    assert.ok(v > 0);
    assert.ok(close(volume(V), v, 1e-9), 'V');
    assert.ok(close(volume(P, V), v, 1e-12), 'H+V');
    assert.ok(close(volume(toHRep(V)), v, 1e-9), 'H(V)');
    assert.ok(close(relativeVolume(P).volume, v, 1e-9), 'relative = full in full dimension');
  }
});

// ---------------------------------------------------------------- fast-check properties

const polytopeArb = fc.record({ d: fc.integer({ min: 2, max: 5 }), cuts: fc.integer({ min: 1, max: 6 }), seed: fc.integer({ min: 1, max: 1e9 }) });

test('property: translation invariance', () => {
  fc.assert(
    fc.property(polytopeArb, fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 5, maxLength: 5 }), ({ d, cuts, seed }, t) => {
      const P = cutBox(d, cuts, new Rng(seed));
      return close(volume(affineImage(P, 1, t.slice(0, d))), volume(P), 1e-8);
    }),
    { seed: 42, numRuns: 60 },
  );
});

test('property: scaling by s multiplies the volume by s^d', () => {
  fc.assert(
    fc.property(polytopeArb, fc.double({ min: 0.01, max: 100, noNaN: true }), ({ d, cuts, seed }, s) => {
      const P = cutBox(d, cuts, new Rng(seed));
      return close(volume(affineImage(P, s, new Array(d).fill(0))), s ** d * volume(P), 1e-8);
    }),
    { seed: 43, numRuns: 60 },
  );
});

test('property: a hyperplane splits a polytope into two halves whose volumes add up', () => {
  fc.assert(
    fc.property(polytopeArb, fc.integer({ min: 1, max: 1e9 }), ({ d, cuts, seed }, seed2) => {
      const P = cutBox(d, cuts, new Rng(seed));
      const r = new Rng(seed2);
      const a = Array.from({ length: d }, () => r.normal());
      const V = toVRep(P).vertices;
      if (V.length === 0) return volume(P) === 0; // the random cuts may leave nothing
      // a hyperplane through a random convex combination of two vertices
      const p = V[r.int(V.length)];
      const q = V[r.int(V.length)];
      const w = r.next();
      const beta = a.reduce((s, x, j) => s + x * (w * p[j] + (1 - w) * q[j]), 0);
      const lo = withRow(P, a, beta);
      const hi = withRow(P, a.map((x) => -x), -beta);
      return close(volume(lo) + volume(hi), volume(P), 1e-9);
    }),
    { seed: 44, numRuns: 60 },
  );
});

test('property: volume(V) of random point clouds equals volume of toHRep, and adding an interior point changes nothing', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 1e9 }), (d, seed) => {
      const r = new Rng(seed);
      const pts = Array.from({ length: d + 1 + r.int(8) }, () => Float64Array.from({ length: d }, () => r.normal()));
      const V: VPolyhedron = { n: d, vertices: pts, rays: [], lines: [] };
      const v = volume(V);
      const centroid = new Float64Array(d);
      for (const p of pts) for (let j = 0; j < d; j++) centroid[j] += p[j] / pts.length;
      const V2: VPolyhedron = { n: d, vertices: [centroid, ...pts, pts[0]], rays: [], lines: [] };
      return close(volume(toHRep(V)), v, 1e-9) && close(volume(V2), v, 1e-9);
    }),
    { seed: 45, numRuns: 40 },
  );
});

test('volume(P, V) tolerates duplicate, interior and boundary points in V', () => {
  const rng = new Rng(77);
  for (let trial = 0; trial < 10; trial++) {
    const d = 2 + (trial % 4);
    const P = cutBox(d, 3, rng);
    const V = toVRep(P);
    if (V.vertices.length === 0) continue;
    const v = volume(P);
    const c = new Float64Array(d);
    for (const p of V.vertices) for (let j = 0; j < d; j++) c[j] += p[j] / V.vertices.length;
    const mid = V.vertices[0].map((x, j) => (x + V.vertices[1][j]) / 2); // on the boundary when 0-1 is an edge, else inside
    const noisy: VPolyhedron = { n: d, vertices: [c, ...V.vertices, V.vertices[0].slice(), mid], rays: [], lines: [] };
    assert.ok(close(volume(P, noisy), v, 1e-12), `H+V trial ${trial}`);
    assert.ok(close(volume(noisy), v, 1e-9), `V trial ${trial}`);
  }
});

test('8-D: a random polytope has the same volume from H, V and H+V', () => {
  const P = cutBox(8, 3, new Rng(99));
  const V = toVRep(P);
  const v = volume(P);
  assert.ok(v > 0 && v < 1);
  assert.ok(close(volume(P, V), v, 1e-12));
  assert.ok(close(volume(V), v, 1e-9));
});

test('volume(toVRep(P)) reuses the DD; a V-polyhedron changed afterwards is measured afresh', () => {
  const P = cutBox(4, 4, new Rng(5));
  const V = toVRep(P);
  assert.ok(close(volume(V), volume(P), 1e-12));
  // move a vertex outwards in place: the provenance must not be used any more
  V.vertices[0][0] -= 0.5;
  const fresh: VPolyhedron = { n: 4, vertices: V.vertices.map((v) => v.slice()), rays: [], lines: [] };
  assert.ok(close(volume(V), volume(fresh), 1e-12));
  assert.ok(volume(V) > volume(P));
  // replace the vertex list: likewise
  const V2 = toVRep(P);
  V2.vertices = V2.vertices.slice(1);
  const fresh2: VPolyhedron = { n: 4, vertices: V2.vertices.map((v) => v.slice()), rays: [], lines: [] };
  assert.ok(close(volume(V2), volume(fresh2), 1e-12));
});

test('regression: nearly parallel constraint groups (tilted by 1e-7): volume independent of the DD order, matches Monte Carlo', () => {
  // with DD_ZERO = 1e-9 such groups merged vertices up to 1e-2 apart and volumes differed by 13% between orders
  const rng = new Rng(239);
  for (let trial = 0; trial < 4; trial++) {
    const d = 3 + (trial % 2);
    const { rows, b } = boxRows(new Array(d).fill(-2), new Array(d).fill(2));
    for (let g = 0; g < 3; g++) {
      const a = Array.from({ length: d }, () => rng.normal());
      for (let k = 0; k < 4; k++) {
        rows.push(a.map((x) => x + 1e-7 * rng.normal()));
        b.push(0.5 + 1e-7 * rng.normal());
      }
    }
    const P = H(d, rows, b);
    const v = volume(P);
    for (const order of ['lexmin', 'input', 'maxindex', 'random'] as const) assert.ok(close(volume(P, toVRep(P, { order })), v, 1e-6), `${order} trial ${trial}`);
    assert.ok(close(volume(toVRep(P).vertices.length ? { n: d, vertices: toVRep(P).vertices.map((x) => x.slice()), rays: [], lines: [] } : P), v, 1e-5), `V path trial ${trial}`);
    const N = 100000;
    let hits = 0;
    const x = new Float64Array(d);
    for (let s = 0; s < N; s++) {
      for (let j = 0; j < d; j++) x[j] = rng.uniform(-2, 2);
      if (inside(P, x)) hits++;
    }
    const box = 4 ** d;
    const p = v / box;
    assert.ok(Math.abs(hits / N - p) <= 4 * Math.sqrt((p * (1 - p)) / N) + 1 / N, `trial ${trial}: exact ${v}, Monte Carlo ${(hits / N) * box}`);
  }
});
