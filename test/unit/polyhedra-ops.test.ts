/**
 * LP-based polyhedron operations on sets with known answers: Chebyshev centre and radius,
 * linear bounds, implicit equalities, affine hull and dimension, redundancy removal,
 * boundedness, recession cone and lineality space, the margin-rule classification.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { boxPolyhedron, hpoly, intersect } from '../../src/polyhedra/hpoly.js';
import { affineHull, chebyshevCenter, classify, dimension, feasibility, implicitEqualities, isBounded, linealitySpace, linearBounds, relativeInteriorPoint, removeRedundant } from '../../src/polyhedra/ops.js';
import { verifyFarkas } from '../../src/exact/index.js';
import { volume } from '../../src/polyhedra/volume.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

test('Chebyshev centre of boxes, a triangle and a lower-dimensional square', () => {
  const box = boxPolyhedron([0, 0, 0], [2, 4, 6]);
  const c = chebyshevCenter(box);
  close(c.radius, 1);
  close(c.center![0], 1);
  // right triangle x, y >= 0, x + y <= 1: inradius (2 - sqrt 2) / 2
  const tri = hpoly(2, [[-1, 0], [0, -1], [1, 1]], [0, 0, 1]);
  close(chebyshevCenter(tri).radius, (2 - Math.SQRT2) / 2);
  // the unit square in the plane z = 0.5 of R^3: radius measured inside the plane
  const sq = hpoly(3, [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]], [1, 0, 1, 0], [[0, 0, 1]], [0.5]);
  const cs = chebyshevCenter(sq);
  close(cs.radius, 0.5);
  close(cs.center![2], 0.5);
  // unbounded: a half-plane has an infinite radius; an empty set has none
  assert.equal(chebyshevCenter(hpoly(2, [[1, 0]], [0])).radius, Infinity);
  assert.ok(chebyshevCenter(hpoly(1, [[1], [-1]], [0, -1])).radius < 0, 'empty: negative radius');
  assert.equal(chebyshevCenter(hpoly(1, [[1], [-1]], [0, -5])).radius, -Infinity);
});

test('linear bounds, feasibility with an exactly verified Farkas certificate', () => {
  const box = boxPolyhedron([-1, -2], [3, 5]);
  const b = linearBounds(box, [2, -1]);
  close(b.min, -7);
  close(b.max, 8);
  assert.equal(linearBounds(hpoly(2, [[1, 0]], [0]), [1, 0]).min, -Infinity);
  const empty = intersect(box, hpoly(2, [[1, 1]], [-10]));
  const r = feasibility(empty);
  assert.equal(r.status, 'infeasible');
  const P = { n: 2, c: new Float64Array(2), A: empty.A, b: empty.b, m: empty.m };
  assert.equal(verifyFarkas(P, r.farkas!).ok, true);
});

test('implicit equalities, affine hull and dimension', () => {
  // x <= 1, -x <= -1 (so x = 1), 0 <= y <= 2: a segment of dimension 1
  const seg = hpoly(2, [[1, 0], [-1, 0], [0, 1], [0, -1]], [1, -1, 2, 0]);
  assert.deepEqual(implicitEqualities(seg), [0, 1]);
  const h = affineHull(seg)!;
  assert.equal(h.dim, 1);
  assert.equal(dimension(seg), 1);
  const w = relativeInteriorPoint(seg)!;
  close(w[0], 1);
  assert.ok(w[1] > 0.5 && w[1] < 1.5);
  const cls = classify(seg);
  assert.equal(cls.cls, 'lower');
  assert.equal(cls.dim, 1);
  // a point: x + y <= 0, -x <= 0, -y <= 0
  assert.equal(dimension(hpoly(2, [[1, 1], [-1, 0], [0, -1]], [0, 0, 0])), 0);
  assert.equal(dimension(hpoly(2, [[1, 0], [-1, 0]], [0, -1])), -1);
  assert.equal(classify(boxPolyhedron([0, 0], [1, 1])).cls, 'full');
  // thinner than the margin: a slab of width 1e-8
  assert.equal(classify(hpoly(2, [[1, 0], [-1, 0], [0, 1], [0, -1]], [1e-8, 0, 1, 0])).cls, 'thin');
});

test('redundancy removal keeps exactly the facets (duplicates, scaled copies, implied rows)', () => {
  const rows = [[1, 0], [-1, 0], [0, 1], [0, -1], [2, 0], [1, 1], [1, 0]];
  const rhs = [1, 0, 1, 0, 2, 5, 1];
  const r = removeRedundant(hpoly(2, rows, rhs));
  assert.equal(r.P.m, 4);
  assert.deepEqual(r.kept, [0, 1, 2, 3]);
  close(volume(r.P), 1);
});

test('boundedness, recession cone and lineality space', () => {
  assert.equal(isBounded(boxPolyhedron([0, 0], [1, 1])), true);
  assert.equal(isBounded(hpoly(2, [[-1, 0], [0, -1]], [0, 0])), false);
  // a strip {0 <= y <= 1} contains the lines along x
  const strip = hpoly(2, [[0, 1], [0, -1]], [1, 0]);
  const L = linealitySpace(strip);
  assert.equal(L.length, 1);
  close(Math.abs(L[0][0]), 1);
  assert.equal(linealitySpace(hpoly(2, [[-1, 0], [0, -1]], [0, 0])).length, 0);
});

test('metamorphic: duplicating, scaling and permuting rows changes no answer', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (seed, scale) => {
      const rng = new Rng(seed);
      const n = 3, m = 8;
      const rows = Array.from({ length: m }, () => Array.from({ length: n }, () => rng.normal()));
      const rhs = rows.map(() => rng.uniform(0.5, 2));
      const base = intersect(hpoly(n, rows, rhs), boxPolyhedron([-3, -3, -3], [3, 3, 3]));
      const r0 = chebyshevCenter(base).radius;
      const perm = rows.map((_, i) => i).reverse();
      const other = intersect(hpoly(n, [...perm.map((i) => rows[i].map((v) => v * scale)), rows[0]], [...perm.map((i) => rhs[i] * scale), rhs[0]]), boxPolyhedron([-3, -3, -3], [3, 3, 3]));
      close(chebyshevCenter(other).radius, r0, 1e-7);
      close(removeRedundant(other).P.m, removeRedundant(base).P.m, 0);
    }),
    { numRuns: 25, seed: 42 },
  );
});
