import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import {
  matVec, matTVec, matMul, transpose, dot, norm2, identity, maxAbs,
  luFactor, luSolve, luSolveTransposed, solve, inverse,
  qrPivoted, svd, rank, nullSpace, rowSpaceBasis, columnSpaceBasis, leastSquares, pseudoInverse,
} from '../../src/linalg/index.js';

// ---------- helpers ----------

function randMat(rng: Rng, m: number, n: number): Float64Array {
  const A = new Float64Array(m * n);
  for (let i = 0; i < A.length; i++) A[i] = rng.normal();
  return A;
}

/** A random m x n matrix of rank exactly r (generic): product of m x r and r x n factors. */
function randRank(rng: Rng, m: number, n: number, r: number): Float64Array {
  return matMul(randMat(rng, m, r), randMat(rng, r, n), m, r, n);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what = 'values'): void {
  const d = maxDiff(a, b);
  assert.ok(d <= tol, `${what}: max difference ${d} > ${tol}`);
}

/** ‖QᵀQ - I‖max for Q (rows x cols) row-major. */
function orthoError(Q: Float64Array, rows: number, cols: number): number {
  const QtQ = matMul(transpose(Q, rows, cols), Q, cols, rows, cols);
  return maxDiff(QtQ, identity(cols));
}

function reconstruct(U: Float64Array, s: Float64Array, V: Float64Array, m: number, n: number): Float64Array {
  const k = s.length;
  const A = new Float64Array(m * n);
  for (let c = 0; c < k; c++)
    for (let i = 0; i < m; i++) {
      const u = U[i * k + c] * s[c];
      if (u === 0) continue;
      for (let j = 0; j < n; j++) A[i * n + j] += u * V[j * n + c];
    }
  return A;
}

const SHAPES: [number, number][] = [[1, 1], [3, 3], [7, 7], [10, 4], [4, 10], [25, 25], [40, 12], [12, 40], [60, 60]];

// ---------- basic kernels ----------

describe('basic kernels', () => {
  it('matVec / matTVec / matMul / transpose agree with definitions', () => {
    const A = Float64Array.from([1, 2, 3, 4, 5, 6]); // 2 x 3
    assert.deepEqual([...matVec(A, 2, 3, [1, 0, -1])], [-2, -2]);
    assert.deepEqual([...matTVec(A, 2, 3, [1, -1])], [-3, -3, -3]);
    assert.deepEqual([...transpose(A, 2, 3)], [1, 4, 2, 5, 3, 6]);
    const B = Float64Array.from([1, 0, 0, 1, 1, 1]); // 3 x 2
    assert.deepEqual([...matMul(A, B, 2, 3, 2)], [4, 5, 10, 11]);
    const out = new Float64Array(2);
    assert.equal(matVec(A, 2, 3, [1, 1, 1], out), out);
  });

  it('dot and norm2 (no overflow / underflow)', () => {
    assert.equal(dot([1, 2, 3], [4, 5, 6]), 32);
    assert.equal(norm2([3, 4]), 5);
    assert.ok(Math.abs(norm2([3e200, 4e200]) / 5e200 - 1) < 1e-15);
    assert.ok(Math.abs(norm2([3e-200, 4e-200]) / 5e-200 - 1) < 1e-15);
    assert.equal(norm2([]), 0);
  });

  it('matMul is associative (fast-check, small integer matrices)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (m, k, l, n, seed) => {
        const rng = new Rng(seed);
        const int = (len: number) => Float64Array.from({ length: len }, () => rng.int(11) - 5);
        const A = int(m * k), B = int(k * l), C = int(l * n);
        const left = matMul(matMul(A, B, m, k, l), C, m, l, n);
        const right = matMul(A, matMul(B, C, k, l, n), m, k, n);
        assert.deepEqual([...left], [...right]);
      }),
    );
  });
});

// ---------- LU ----------

describe('LU, solve, inverse', () => {
  it('A·A⁻¹ = I and A x = b on seeded random matrices', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 5, 20, 80]) {
      const A = randMat(rng, n, n);
      const inv = inverse(A, n);
      assert.ok(inv, `n=${n}: random matrix should be invertible`);
      assertClose(matMul(A, inv!, n, n, n), identity(n), 1e-10 * n, `A·A⁻¹ (n=${n})`);
      assertClose(matMul(inv!, A, n, n, n), identity(n), 1e-10 * n, `A⁻¹·A (n=${n})`);
      const xTrue = randMat(rng, n, 1);
      const b = matVec(A, n, n, xTrue);
      const x = solve(A, n, b);
      assert.ok(x);
      assertClose(x!, xTrue, 1e-9, `solve (n=${n})`);
    }
  });

  it('luSolveTransposed solves Aᵀ x = b', () => {
    const rng = new Rng(2);
    const n = 9;
    const A = randMat(rng, n, n);
    const f = luFactor(A, n);
    const b = randMat(rng, n, 1);
    const x = luSolveTransposed(f, b);
    assertClose(matTVec(A, n, n, x), b, 1e-10);
    assertClose(matVec(A, n, n, luSolve(f, b)), b, 1e-10);
  });

  it('singular and nearly singular matrices give null (relative to the norm, any scale)', () => {
    const rng = new Rng(3);
    for (const scale of [1e-200, 1e-8, 1, 1e8, 1e200]) {
      const n = 6;
      const A = randRank(rng, n, n, 4).map((v) => v * scale);
      assert.equal(solve(A, n, new Float64Array(n)), null, `rank-4 matrix at scale ${scale}`);
      assert.equal(inverse(A, n), null);
      assert.equal(luFactor(A, n).singular, true);
      // A well-conditioned matrix at the same scale is fine: no absolute pivot threshold.
      const B = identity(n).map((v) => v * scale);
      assert.ok(solve(B, n, new Float64Array(n).fill(scale)), `identity at scale ${scale}`);
    }
    // Exactly singular integer matrix (duplicate rows) and the zero matrix.
    assert.equal(solve(Float64Array.from([1, 2, 2, 4]), 2, [1, 1]), null);
    assert.equal(inverse(new Float64Array(9), 3), null);
    // Condition number 1e12 > 1 / TOL.RANK.
    const ill = Float64Array.from([1, 0, 0, 1e-12]);
    assert.equal(solve(ill, 2, [1, 1]), null);
    assert.ok(solve(ill, 2, [1, 1], 1e-14));
  });

  it('rcond estimate is within a small factor of the true 1-norm condition number', () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 10; trial++) {
      const n = 2 + rng.int(15);
      const A = randMat(rng, n, n);
      const f = luFactor(A, n);
      const inv = inverse(A, n)!;
      const norm1 = (M: Float64Array) => {
        let best = 0;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += Math.abs(M[i * n + j]);
          best = Math.max(best, s);
        }
        return best;
      };
      const trueR = 1 / (norm1(A) * norm1(inv));
      assert.ok(f.rcond >= trueR * (1 - 1e-9) && f.rcond <= trueR * 10, `rcond ${f.rcond} vs ${trueR}`);
    }
  });
});

// ---------- QR ----------

describe('qrPivoted', () => {
  it('Q R = A[:, perm], Q orthonormal, R upper trapezoidal with non-increasing diagonal', () => {
    const rng = new Rng(5);
    for (const [m, n] of SHAPES) {
      const A = randMat(rng, m, n);
      const { Q, R, perm, rank: r, qCols } = qrPivoted(A, m, n);
      const k = Math.min(m, n);
      assert.equal(qCols, k);
      assert.equal(r, k);
      const AP = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) AP[i * n + j] = A[i * n + perm[j]];
      assertClose(matMul(Q!, R, m, k, n), AP, 1e-12 * Math.max(m, n), `QR=AP ${m}x${n}`);
      assert.ok(orthoError(Q!, m, k) < 1e-13 * Math.max(m, n));
      for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) assert.equal(R[i * n + j], 0);
      for (let i = 1; i < k; i++) assert.ok(Math.abs(R[i * n + i]) <= Math.abs(R[(i - 1) * n + i - 1]) * (1 + 1e-12));
    }
  });

  it('reveals the rank of rank-deficient matrices; full Q completes the basis', () => {
    const rng = new Rng(6);
    for (const [m, n, r] of [[8, 8, 3], [20, 6, 2], [5, 12, 4], [30, 30, 29], [4, 4, 0]]) {
      const A = r === 0 ? new Float64Array(m * n) : randRank(rng, m, n, r);
      const res = qrPivoted(A, m, n, { fullQ: true });
      assert.equal(res.rank, r, `${m}x${n} rank ${r}`);
      assert.equal(res.qCols, m);
      assert.ok(orthoError(res.Q!, m, m) < 1e-13 * m);
    }
  });
});

// ---------- SVD ----------

describe('svd', () => {
  it('reconstructs A with orthonormal U and orthogonal V (tall, wide, square)', () => {
    const rng = new Rng(7);
    for (const [m, n] of [...SHAPES, [100, 3], [3, 100], [150, 150]] as [number, number][]) {
      const A = randMat(rng, m, n);
      const { U, s, V, k } = svd(A, m, n);
      assert.equal(s.length, Math.min(m, n));
      assert.equal(V.length, n * n);
      const scale = s[0];
      assertClose(reconstruct(U, s, V, m, n), A, 1e-13 * scale * Math.max(m, n), `U S Vᵀ = A (${m}x${n})`);
      assert.ok(orthoError(U, m, k) < 1e-13 * Math.max(m, n), `U orthonormal (${m}x${n})`);
      assert.ok(orthoError(V, n, n) < 1e-13 * Math.max(m, n), `V orthogonal (${m}x${n})`);
      for (let i = 1; i < s.length; i++) assert.ok(s[i] <= s[i - 1]);
    }
  });

  it('known singular values', () => {
    // diag(3, 2, 1) permuted and sign-flipped
    const A = Float64Array.from([0, -2, 0, 0, 0, 1, 3, 0, 0]);
    assertClose(svd(A, 3, 3).s, [3, 2, 1], 1e-15);
    // [[1,1],[1,1]] has singular values 2, 0
    assertClose(svd(Float64Array.from([1, 1, 1, 1]), 2, 2).s, [2, 0], 1e-15);
    // A row vector: one singular value, V has all n columns.
    const row = svd(Float64Array.from([3, 4, 0]), 1, 3);
    assertClose(row.s, [5], 1e-15);
    assert.ok(orthoError(row.V, 3, 3) < 1e-15);
  });

  it('handles rank-deficient, zero and badly scaled matrices', () => {
    const rng = new Rng(8);
    for (const [m, n, r] of [[10, 10, 3], [30, 10, 1], [10, 30, 7], [50, 50, 25]]) {
      for (const scale of [1e-150, 1, 1e150]) {
        const A = randRank(rng, m, n, r).map((v) => v * scale);
        const { U, s, V, k } = svd(A, m, n);
        assertClose(reconstruct(U, s, V, m, n), A, 1e-12 * s[0] * Math.max(m, n));
        assert.ok(orthoError(U, m, k) < 1e-12 * Math.max(m, n));
        assert.ok(orthoError(V, n, n) < 1e-12 * Math.max(m, n));
        assert.ok(s[r] <= 1e-13 * s[0], `s[r]/s[0] = ${s[r] / s[0]}`);
      }
    }
    const Z = svd(new Float64Array(12), 3, 4);
    assert.deepEqual([...Z.s], [0, 0, 0]);
    assert.ok(orthoError(Z.U, 3, 3) < 1e-15 && orthoError(Z.V, 4, 4) < 1e-15);
    const empty = svd(new Float64Array(0), 0, 3);
    assert.equal(empty.s.length, 0);
    assert.deepEqual([...empty.V], [...identity(3)]);
    assert.throws(() => svd(Float64Array.from([1, NaN]), 1, 2), /finite/);
  });

  it('property: s are the square roots of the eigenvalues of AᵀA (trace and Frobenius norm)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer(), (m, n, seed) => {
        const A = randMat(new Rng(seed), m, n);
        const { s } = svd(A, m, n);
        let fro = 0;
        for (const v of A) fro += v * v;
        let ss = 0;
        for (const v of s) ss += v * v;
        assert.ok(Math.abs(fro - ss) <= 1e-12 * fro);
      }),
    );
  });
});

// ---------- rank, null space, row space, least squares ----------

describe('rank and subspaces', () => {
  it('rank of seeded rank-r products, wide and tall; rank(A) = rank(Aᵀ)', () => {
    const rng = new Rng(9);
    for (const [m, n, r] of [[5, 5, 5], [5, 5, 2], [12, 3, 3], [3, 12, 2], [40, 30, 17], [30, 40, 30], [6, 6, 0]]) {
      const A = r === 0 ? new Float64Array(m * n) : randRank(rng, m, n, r);
      assert.equal(rank(A, m, n), r, `${m}x${n}`);
      assert.equal(rank(transpose(A, m, n), n, m), r);
    }
  });

  it("Kahan's matrix (a trap for rank decisions from R's diagonal): the SVD rank is right", () => {
    const n = 90, c = 0.285, sn = Math.sqrt(1 - c * c);
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const si = sn ** i;
      K[i * n + i] = si;
      for (let j = i + 1; j < n; j++) K[i * n + j] = -c * si;
    }
    const { s } = svd(K, n, n);
    assert.ok(s[n - 1] / s[0] < 1e-11 && s[n - 2] / s[0] > 1e-4, `smallest singular values ${s[n - 2]}, ${s[n - 1]}`);
    assert.equal(rank(K, n, n), n - 1);
    const N = nullSpace(K, n, n);
    assert.equal(N.length, 1);
    assert.ok(maxAbs(matVec(K, n, n, N[0])) < 1e-10);
  });

  it('Hilbert matrix of order 8: smallest singular value 1.1e-10 (known), rank 7 at TOL.RANK', () => {
    const n = 8;
    const H = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] = 1 / (i + j + 1);
    const { s } = svd(H, n, n);
    assert.ok(Math.abs(s[n - 1] / 1.1115e-10 - 1) < 1e-3, `s_min = ${s[n - 1]}`);
    assert.equal(rank(H, n, n), 7);
    assert.equal(rank(H, n, n, 1e-12), 8);
  });

  it('rank is scale-invariant (relative tolerance) and honours relTol', () => {
    const A = Float64Array.from([1, 0, 0, 1e-12]);
    assert.equal(rank(A, 2, 2), 1);
    assert.equal(rank(A, 2, 2, 1e-14), 2);
    for (const scale of [1e-300, 1e-100, 1e100, 1e300]) assert.equal(rank(A.map((v) => v * scale), 2, 2), 1);
  });

  it('A·null = 0, null space orthonormal, dimension n - rank, orthogonal to the row space', () => {
    const rng = new Rng(10);
    for (const [m, n, r] of [[3, 5, 3], [5, 3, 2], [8, 8, 5], [20, 50, 20], [50, 20, 12], [1, 4, 1], [4, 4, 0]]) {
      const A = r === 0 ? new Float64Array(m * n) : randRank(rng, m, n, r);
      const N = nullSpace(A, m, n);
      const Rw = rowSpaceBasis(A, m, n);
      assert.equal(N.length, n - r);
      assert.equal(Rw.length, r);
      const scale = Math.max(1, maxAbs(A));
      for (const v of N) {
        assert.equal(v.length, n);
        assert.ok(maxAbs(matVec(A, m, n, v)) < 1e-12 * scale * n, 'A·v = 0');
      }
      const all = [...N, ...Rw];
      for (let i = 0; i < all.length; i++)
        for (let j = 0; j < all.length; j++) assert.ok(Math.abs(dot(all[i], all[j]) - (i === j ? 1 : 0)) < 1e-12);
      const C = columnSpaceBasis(A, m, n);
      assert.equal(C.length, r);
    }
  });

  it('property: every null-space vector is annihilated and dim = n - rank', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer(), (m, n, r0, seed) => {
        const r = Math.min(r0, m, n);
        const rng = new Rng(seed);
        const A = r === 0 ? new Float64Array(m * n) : randRank(rng, m, n, r);
        const N = nullSpace(A, m, n);
        assert.equal(N.length, n - r);
        for (const v of N) assert.ok(maxAbs(matVec(A, m, n, v)) < 1e-11 * Math.max(1, maxAbs(A)));
      }),
    );
  });

  it('leastSquares: exact systems, overdetermined residual, min-norm for rank-deficient', () => {
    const rng = new Rng(11);
    // Square invertible.
    const A = randMat(rng, 6, 6);
    const xt = randMat(rng, 6, 1);
    const ls = leastSquares(A, 6, 6, matVec(A, 6, 6, xt));
    assertClose(ls.x, xt, 1e-10);
    assert.ok(ls.residual < 1e-12);
    // Overdetermined: the residual is orthogonal to the columns.
    const B = randMat(rng, 20, 4);
    const b = randMat(rng, 20, 1);
    const o = leastSquares(B, 20, 4, b);
    const r = matVec(B, 20, 4, o.x).map((v, i) => v - b[i]);
    assert.ok(maxAbs(matTVec(B, 20, 4, r)) < 1e-12);
    assert.ok(Math.abs(norm2(r) - o.residual) < 1e-12);
    // Rank-deficient underdetermined: the solution lies in the row space (minimum norm).
    const C = randRank(rng, 4, 9, 2);
    const y = matVec(C, 4, 9, randMat(rng, 9, 1));
    const u = leastSquares(C, 4, 9, y);
    assert.equal(u.rank, 2);
    assert.ok(u.residual < 1e-10);
    for (const v of nullSpace(C, 4, 9)) assert.ok(Math.abs(dot(v, u.x)) < 1e-10);
    // Pseudo-inverse agrees.
    assertClose(matVec(pseudoInverse(C, 4, 9), 9, 4, y), u.x, 1e-10);
  });
});
