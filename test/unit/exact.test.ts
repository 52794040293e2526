import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import type { Layer } from '../../src/network/types.js';
import type { LpProblem, FarkasCertificate } from '../../src/lp/types.js';
import { evaluateLayers, activationPattern } from '../../src/network/evaluate.js';
import {
  Rational, verifyPoint, verifyFarkas, exactAffine, exactAffineSigns, verifyAffineEquality,
  exactForward, exactOutput, exactSigns, checkPattern, prepareExact, dyadicFromNumber, dyadicAdd, dyadicMul, dyadicToRational,
} from '../../src/exact/index.js';

const R = (s: string) => Rational.parse(s);
const F = (x: number) => Rational.fromNumber(x);

// ---------- Rational ----------

describe('Rational.fromNumber is exact (IEEE-754 bits, no decimal strings)', () => {
  it('known values', () => {
    assert.equal(F(0.1).toString(), '3602879701896397/36028797018963968');
    assert.equal(F(-0.1).toString(), '-3602879701896397/36028797018963968');
    assert.equal(F(0.5).toString(), '1/2');
    assert.equal(F(3).toString(), '3/1');
    assert.equal(F(-6).toString(), '-6/1');
    assert.equal(F(2 ** 60).toString(), `${2n ** 60n}/1`);
    assert.equal(F(Number.MAX_VALUE).toString(), `${(2n ** 53n - 1n) * 2n ** 971n}/1`);
    assert.equal(F(1 / 3).toString(), '6004799503160661/18014398509481984');
  });

  it('zero and negative zero are 0/1', () => {
    assert.equal(F(0).toString(), '0/1');
    assert.equal(F(-0).toString(), '0/1');
    assert.ok(F(-0).isZero());
    assert.equal(F(-0).sign(), 0);
  });

  it('subnormals', () => {
    assert.equal(F(5e-324).toString(), `1/${2n ** 1074n}`);
    assert.equal(F(-5e-324).toString(), `-1/${2n ** 1074n}`);
    const minNormal = 2.2250738585072014e-308;
    assert.equal(F(minNormal).toString(), `1/${2n ** 1022n}`);
    const sub = minNormal - 5e-324; // largest subnormal: (2^52 - 1) / 2^1074
    assert.equal(F(sub).toString(), `${2n ** 52n - 1n}/${2n ** 1074n}`);
    for (const v of [5e-324, 1e-310, sub, 3 * 5e-324]) assert.equal(F(v).toNumber(), v);
  });

  it('rejects NaN and infinities', () => {
    assert.throws(() => F(NaN), /finite/);
    assert.throws(() => F(Infinity), /finite/);
    assert.throws(() => F(-Infinity), /finite/);
  });

  it('property: fromNumber(x).toNumber() === x and the value matches x·2^k exactly', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const r = F(x);
        assert.ok(Object.is(r.toNumber(), x === 0 ? 0 : x));
        // den is a power of two and num/den reproduces x exactly: check via the bits of x·den.
        assert.ok(r.isDyadic());
        assert.equal(r.den & (r.den - 1n), 0n);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Rational arithmetic', () => {
  it('normalises and parses', () => {
    assert.equal(Rational.of(6n, -4n).toString(), '-3/2');
    assert.equal(Rational.of(0n, -7n).toString(), '0/1');
    assert.equal(R('10/4').toString(), '5/2');
    assert.equal(R('-3').toString(), '-3/1');
    assert.throws(() => Rational.of(1n, 0n));
    assert.throws(() => R('1.5'));
    assert.throws(() => R('1/3').div(Rational.ZERO));
    assert.equal(JSON.stringify({ v: R('1/3') }), '{"v":"1/3"}');
  });

  it('known results, including the dyadic fast paths', () => {
    assert.equal(R('1/2').add(R('1/2')).toString(), '1/1');
    assert.equal(R('3/4').add(R('1/4')).toString(), '1/1');
    assert.equal(R('3/8').add(R('1/8')).toString(), '1/2');
    assert.equal(R('1/2').add(R('1/4')).toString(), '3/4');
    assert.equal(R('1/3').add(R('1/6')).toString(), '1/2');
    assert.equal(R('2').mul(R('1/4')).toString(), '1/2');
    assert.equal(R('1/2').mul(R('4')).toString(), '2/1');
    assert.equal(R('3/4').mul(R('4/3')).toString(), '1/1');
    assert.equal(R('1/3').div(R('1/6')).toString(), '2/1');
    assert.equal(R('-1/2').div(R('-1/4')).toString(), '2/1');
    assert.equal(R('1/2').sub(R('1/2')).toString(), '0/1');
    // 0.1 + 0.2 exactly differs from 0.3 (the doubles), and from the rounded sum.
    const s = F(0.1).add(F(0.2));
    assert.equal(s.cmp(F(0.3)), 1);
    assert.equal(s.cmp(F(0.1 + 0.2)), -1);
  });

  const small = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 12n })).map(([p, q]) => Rational.of(p, q));
  const dyadic = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }).map(F);
  const any = fc.oneof(small, dyadic);

  it('property: field identities (commutativity, associativity, distributivity, inverses)', () => {
    fc.assert(
      fc.property(any, any, any, (a, b, c) => {
        assert.ok(a.add(b).eq(b.add(a)));
        assert.ok(a.mul(b).eq(b.mul(a)));
        assert.ok(a.add(b).add(c).eq(a.add(b.add(c))));
        assert.ok(a.mul(b).mul(c).eq(a.mul(b.mul(c))));
        assert.ok(a.mul(b.add(c)).eq(a.mul(b).add(a.mul(c))));
        assert.ok(a.sub(a).isZero());
        assert.ok(a.add(b).sub(b).eq(a));
        if (!b.isZero()) assert.ok(a.div(b).mul(b).eq(a));
        assert.ok(a.neg().neg().eq(a));
      }),
      { numRuns: 500 },
    );
  });

  it('property: results are always normalised (gcd 1, den > 0, canonical zero)', () => {
    const gcd = (x: bigint, y: bigint): bigint => (y === 0n ? (x < 0n ? -x : x) : gcd(y, x % y));
    fc.assert(
      fc.property(any, any, (a, b) => {
        const outs = [a.add(b), a.sub(b), a.mul(b), ...(b.isZero() ? [] : [a.div(b)])];
        for (const r of outs) {
          assert.ok(r.den > 0n);
          assert.equal(gcd(r.num, r.den), 1n);
          if (r.num === 0n) assert.equal(r.den, 1n);
          assert.ok(Rational.parse(r.toString()).eq(r));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: cmp is consistent with subtraction and with doubles', () => {
    fc.assert(
      fc.property(any, any, (a, b) => {
        assert.equal(a.cmp(b), a.sub(b).sign());
        assert.equal(b.cmp(a), 0 - a.cmp(b) || 0);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (x, y) => {
        assert.equal(F(x).cmp(F(y)), x < y ? -1 : x > y ? 1 : 0);
      }),
    );
  });

  it('toNumber rounds correctly (half to even), including huge, tiny and subnormal results', () => {
    assert.equal(R('1/3').toNumber(), 1 / 3);
    assert.equal(R('2/3').toNumber(), 2 / 3);
    assert.equal(Rational.of(10n ** 400n, 3n).toNumber(), Infinity);
    assert.equal(Rational.of(-(10n ** 400n)).toNumber(), -Infinity);
    assert.equal(Rational.of(1n, 10n ** 400n).toNumber(), 0);
    assert.equal(Rational.of(1n, 3n * 2n ** 1074n).toNumber(), 0); // 1/3 ulp rounds down
    assert.equal(Rational.of(2n, 3n * 2n ** 1074n).toNumber(), 5e-324); // 2/3 ulp rounds up
    assert.equal(Rational.of(1n, 2n * 2n ** 1074n).toNumber(), 0); // tie to even (0)
    assert.equal(Rational.of(3n, 2n * 2n ** 1074n).toNumber(), 2 * 5e-324); // tie to even (2 ulp)
    // 1 + 2^-53 is a tie between 1 and 1 + 2^-52: to even, i.e. 1; a hair above rounds up.
    assert.equal(Rational.of(2n ** 53n + 1n, 2n ** 53n).toNumber(), 1);
    assert.equal(Rational.of(2n ** 54n + 3n, 2n ** 54n).toNumber(), 1 + 2 ** -52);
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 30n }), (p, q) => {
        const r = Rational.of(p, q);
        const v = r.toNumber();
        // v is the nearest double: the neighbours of v are no closer.
        const ev = F(v);
        const d = r.sub(ev).abs();
        for (const w of [nextUp(v), nextDown(v)]) assert.ok(r.sub(F(w)).abs().cmp(d) >= 0);
      }),
      { numRuns: 300 },
    );
  });
});

function nextUp(x: number): number {
  const b = new Float64Array([x]);
  const u = new BigInt64Array(b.buffer);
  if (x === 0) return 5e-324;
  u[0] += x > 0 ? 1n : -1n;
  return b[0];
}
function nextDown(x: number): number {
  return -nextUp(-x);
}

describe('dyadic helpers', () => {
  it('add and mul agree with Rational', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (x, y) => {
        const a = dyadicFromNumber(x), b = dyadicFromNumber(y);
        assert.ok(dyadicToRational(dyadicAdd(a, b)).eq(F(x).add(F(y))));
        assert.ok(dyadicToRational(dyadicMul(a, b)).eq(F(x).mul(F(y))));
      }),
    );
  });
});

// ---------- verifyPoint ----------

describe('verifyPoint', () => {
  it('catches a violation that float evaluation misses (1 + 2^-60 > 1)', () => {
    const A = Float64Array.from([1, 2 ** -60]);
    const b = Float64Array.from([1]);
    assert.equal(1 * 1 + 2 ** -60 * 1 <= 1, true); // floats say feasible
    const r = verifyPoint(A, b, 1, 2, [1, 1]);
    assert.equal(r.ok, false);
    assert.equal(r.worstRow, 0);
    assert.equal(r.slack!.toString(), `-1/${2n ** 60n}`);
  });

  it('accepts a strict interior point that floats put on the boundary (1 - 2^-60 < 1)', () => {
    const A = Float64Array.from([1, -(2 ** -60)]);
    const b = Float64Array.from([1]);
    assert.equal(1 - 2 ** -60 < 1, false); // floats say on the boundary
    const r = verifyPoint(A, b, 1, 2, [1, 1], { strict: true });
    assert.equal(r.ok, true);
    assert.equal(r.slack!.toString(), `1/${2n ** 60n}`);
  });

  it('0.1·x + 0.2·y <= 0.3 at (1, 1): exactly violated (by 2^-54 + ...), as the doubles denote', () => {
    const r = verifyPoint(Float64Array.from([0.1, 0.2]), Float64Array.from([0.3]), 1, 2, [1, 1]);
    assert.equal(r.ok, false);
    assert.ok(r.slack!.eq(F(0.3).sub(F(0.1)).sub(F(0.2))));
  });

  it('boundary points: non-strict ok, strict not; equalities exact', () => {
    const A = Float64Array.from([1, 1, -1, 0, 0, -1]); // x + y <= 1, x >= 0, y >= 0
    const b = Float64Array.from([1, 0, 0]);
    assert.equal(verifyPoint(A, b, 3, 2, [0.5, 0.5]).ok, true);
    const s = verifyPoint(A, b, 3, 2, [0.5, 0.5], { strict: true });
    assert.equal(s.ok, false);
    assert.equal(s.worstRow, 0);
    assert.ok(s.slack!.isZero());
    // Equality x - 3y = 0 at (1, 1/3): the double 1/3 is not exactly a third, a Rational is.
    const Aeq = Float64Array.from([1, -3]);
    const beq = Float64Array.from([0]);
    const bad = verifyPoint(A, b, 3, 2, [0.5, 1 / 6], { Aeq, beq });
    assert.equal(bad.ok, false);
    assert.equal(bad.worstRow, 3);
    assert.ok(bad.slack!.sign() < 0);
    const good = verifyPoint(new Float64Array(0), new Float64Array(0), 0, 2, [R('3/4'), R('1/4')], { Aeq, beq, meq: 1 });
    assert.equal(good.ok, true);
    assert.equal(good.worstRow, 0);
    assert.ok(good.slack!.isZero());
    assert.deepEqual(verifyPoint(new Float64Array(0), new Float64Array(0), 0, 2, [1, 2]), { ok: true });
  });

  it('rational points and slack values agree with a direct Rational computation', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 50; trial++) {
      const m = 1 + rng.int(6), n = 1 + rng.int(5);
      const A = Float64Array.from({ length: m * n }, () => (rng.next() < 0.2 ? 0 : rng.normal() * 10 ** rng.int(6)));
      const b = Float64Array.from({ length: m }, () => rng.normal());
      const x = Array.from({ length: n }, () => (rng.next() < 0.5 ? F(rng.normal()) : Rational.of(BigInt(rng.int(100) - 50), BigInt(1 + rng.int(30)))));
      const slacks = Array.from({ length: m }, (_, i) => {
        let s = F(b[i]);
        for (let j = 0; j < n; j++) s = s.sub(F(A[i * n + j]).mul(x[j]));
        return s;
      });
      let worst = 0;
      for (let i = 1; i < m; i++) if (slacks[i].cmp(slacks[worst]) < 0) worst = i;
      const r = verifyPoint(A, b, m, n, x);
      assert.equal(r.ok, slacks.every((s) => s.sign() >= 0));
      assert.equal(r.worstRow, worst);
      assert.ok(r.slack!.eq(slacks[worst]));
      const z = exactAffine(A, b, m, n, x);
      z.forEach((zi, i) => assert.ok(zi.eq(F(b[i]).sub(slacks[i]).add(F(b[i])))));
      assert.deepEqual([...exactAffineSigns(A, b, m, n, x)], z.map((q) => q.sign()));
    }
  });

  it('verifyAffineEquality', () => {
    const W = Float64Array.from([0.1, 0.2]);
    assert.equal(verifyAffineEquality(W, Float64Array.from([0]), 1, 2, [1, 1], [0.30000000000000004]).ok, false);
    assert.equal(verifyAffineEquality(Float64Array.from([0.5, 0.25]), Float64Array.from([1]), 1, 2, [2, 4], [3]).ok, true);
  });
});

// ---------- verifyFarkas ----------

function lp(p: Omit<Partial<LpProblem>, 'A' | 'b'> & { n: number; m: number; A: number[]; b: number[] }): LpProblem {
  return {
    n: p.n, m: p.m, c: new Float64Array(p.n), A: Float64Array.from(p.A), b: Float64Array.from(p.b),
    Aeq: p.Aeq, beq: p.beq, meq: p.meq, lower: p.lower, upper: p.upper,
  };
}
function cert(y: number[], yEq: number[] = [], n = 0): FarkasCertificate {
  return { y: Float64Array.from(y), yEq: Float64Array.from(yEq), yUpper: new Float64Array(n), yLower: new Float64Array(n) };
}

describe('verifyFarkas', () => {
  it('box: x in [0, 1] and x >= 2', () => {
    const P = lp({ n: 1, m: 1, A: [-1], b: [-2], lower: Float64Array.from([0]), upper: Float64Array.from([1]) });
    const r = verifyFarkas(P, cert([1], [], 1));
    assert.equal(r.ok, true);
    assert.equal(r.method, 'bound');
    assert.equal(r.margin!.toString(), '1/1'); // min over box of -x is -1; rhs -2
    // The same box made feasible: x >= 0.5 can not be refuted by any multiplier.
    const Q = lp({ n: 1, m: 1, A: [-1], b: [-0.5], lower: Float64Array.from([0]), upper: Float64Array.from([1]) });
    assert.equal(verifyFarkas(Q, cert([1], [], 1)).ok, false);
    assert.equal(verifyFarkas(Q, cert([1e300], [], 1)).ok, false);
  });

  it('an empty box is its own proof', () => {
    const P = lp({ n: 2, m: 0, A: [], b: [], lower: Float64Array.from([0, 1]), upper: Float64Array.from([1, 0.5]) });
    const r = verifyFarkas(P, cert([], [], 2));
    assert.equal(r.ok, true);
  });

  it('free variables: exact combination passes the bound test directly', () => {
    // x <= -1 and -x <= 0: y = (1, 1), g = 0 exactly, beta = -1 < 0.
    const P = lp({ n: 1, m: 2, A: [1, -1], b: [-1, 0] });
    const r = verifyFarkas(P, cert([1, 1]));
    assert.deepEqual([r.ok, r.method], [true, 'bound']);
  });

  it('free variables needing repair: 0.1·x <= -1, -0.3·x <= 0 with y = (3, 1)', () => {
    const P = lp({ n: 1, m: 2, A: [0.1, -0.3], b: [-1, 0] });
    // 3·0.1 - 0.3 is not exactly 0 for the doubles: the bound test fails on the free x.
    assert.ok(!F(0.1).mul(R('3')).sub(F(0.3)).isZero());
    const r = verifyFarkas(P, cert([3, 1]));
    assert.equal(r.ok, true, r.reason);
    assert.equal(r.method, 'repaired');
    // The repaired multipliers combine to exactly 0.
    const [y0, y1] = r.repaired!.y;
    assert.ok(y0.mul(F(0.1)).add(y1.mul(F(-0.3))).isZero());
    assert.ok(y0.sign() > 0 && y1.sign() > 0);
  });

  it('repair can be disabled or limited by support size', () => {
    const P = lp({ n: 1, m: 2, A: [0.1, -0.3], b: [-1, 0] });
    const off = verifyFarkas(P, cert([3, 1]), { repair: false });
    assert.deepEqual([off.ok, off.method], [false, 'failed']);
    assert.match(off.reason!, /repair disabled/);
    const small = verifyFarkas(P, cert([3, 1]), { maxRepairSupport: 1 });
    assert.match(small.reason!, /maxRepairSupport/);
    // A finite box (however large) makes the bound test succeed without repair.
    const boxed = { ...P, lower: Float64Array.from([-1e12]), upper: Float64Array.from([1e12]) };
    assert.deepEqual(verifyFarkas(boxed, cert([3, 1]), { repair: false }).method, 'bound');
  });

  it('repair with equalities and several free variables (seeded random infeasible systems)', () => {
    const rng = new Rng(31);
    let repaired = 0;
    for (let trial = 0; trial < 30; trial++) {
      // Rows a_1..a_k random, a_0 = -Σ c_i a_i (float, so inexact): Σ c_i a_i + a_0 ≈ 0 with
      // rhs Σ c_i b_i + b_0 < 0: infeasible for free x.
      const n = 2 + rng.int(4);
      const k = n; // n + 1 rows in R^n: exactly dependent (fewer would be exactly independent, hence feasible)
      const rows: number[][] = [];
      const coef: number[] = [];
      for (let i = 0; i < k; i++) {
        rows.push(Array.from({ length: n }, () => rng.normal()));
        coef.push(0.1 + rng.next());
      }
      const last = Array.from({ length: n }, (_, j) => -rows.reduce((s, r, i) => s + coef[i] * r[j], 0));
      rows.push(last);
      coef.push(1);
      const b = rows.map(() => rng.normal());
      const tot = b.reduce((s, bi, i) => s + coef[i] * bi, 0);
      b[k] -= tot + 1; // make Σ coef·b = -1 (roughly)
      // Move one row into an equality to exercise yEq (negated multiplier allowed).
      const eqRow = rows.pop()!;
      const eqB = b.pop()!;
      const P = lp({ n, m: k, A: rows.flat(), b, Aeq: Float64Array.from(eqRow.map((v) => -v)), beq: Float64Array.from([-eqB]), meq: 1 });
      const r = verifyFarkas(P, cert(coef.slice(0, k), [-1]));
      assert.equal(r.ok, true, `trial ${trial}: ${r.reason}`);
      if (r.method === 'repaired') repaired++;
    }
    assert.ok(repaired > 0, 'the repair path must have run');
  });

  it('half-bounded variables: the bound side is used, the infinite side forces repair', () => {
    // x >= 0 (bound), x + y <= -1, -y <= 0 (y free): y = (1, 1) gives g = (1, 0), beta = -1,
    // min over box of x is 0 > -1.
    const P = lp({ n: 2, m: 2, A: [1, 1, 0, -1], b: [-1, 0], lower: Float64Array.from([0, -Infinity]), upper: Float64Array.from([Infinity, Infinity]) });
    assert.deepEqual(verifyFarkas(P, cert([1, 1], [], 2)).method, 'bound');
  });

  it('rejects forged certificates', () => {
    // Feasible problem: x in [0,1], x <= 0.5. No certificate may pass.
    const P = lp({ n: 1, m: 1, A: [1], b: [0.5], lower: Float64Array.from([0]), upper: Float64Array.from([1]) });
    for (const y of [[1], [0], [-1], [1e-300], [1e300]]) assert.equal(verifyFarkas(P, cert(y, [], 1)).ok, false, `y = ${y}`);
    assert.equal(verifyFarkas(P, { y: Float64Array.from([1]), yEq: new Float64Array(0), yUpper: Float64Array.from([5]), yLower: Float64Array.from([0]) }).ok, false);
    assert.equal(verifyFarkas(P, cert([NaN], [], 1)).ok, false);
    assert.equal(verifyFarkas(P, cert([1, 2], [], 1)).ok, false); // wrong length
    // Random feasible problems (a known interior point) with random certificates: never ok.
    const rng = new Rng(41);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.int(4), m = 1 + rng.int(6);
      const x0 = Array.from({ length: n }, () => rng.normal());
      const A = Array.from({ length: m * n }, () => rng.normal());
      const b = Array.from({ length: m }, (_, i) => x0.reduce((s, xj, j) => s + A[i * n + j] * xj, 0) + rng.next() * 1e-12);
      const hasBox = rng.next() < 0.5;
      const Pr = lp({ n, m, A, b, lower: hasBox ? Float64Array.from(x0, (v) => v - 1) : undefined, upper: hasBox ? Float64Array.from(x0, (v) => v + 1) : undefined });
      // The float b may round below A x0 by an ulp: skip problems that are not feasible at x0 exactly.
      if (!verifyPoint(Pr.A, Pr.b, m, n, x0).ok) continue;
      const y = Array.from({ length: m }, () => (rng.next() < 0.3 ? 0 : rng.next() * 10 ** (rng.int(10) - 5)));
      assert.equal(verifyFarkas(Pr, cert(y, [], n)).ok, false);
    }
  });

  it('a certificate with tiny negative entries is clipped (sound) and noted', () => {
    const P = lp({ n: 1, m: 3, A: [1, -1, 1], b: [-1, 0, 5] });
    const r = verifyFarkas(P, cert([1, 1, -1e-20]));
    assert.equal(r.ok, true);
    assert.ok(r.notes?.some((s) => s.includes('clipped')));
  });
});

// ---------- exact network evaluation ----------

function randomNet(rng: Rng, sizes: number[]): Layer[] {
  const layers: Layer[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    const n = sizes[k], m = sizes[k + 1];
    layers.push({
      inSize: n, outSize: m,
      weights: Float64Array.from({ length: m * n }, () => rng.normal() / Math.sqrt(n)),
      bias: Float64Array.from({ length: m }, () => rng.normal() * 0.1),
      activation: k + 2 < sizes.length ? 'relu' : 'identity',
    });
  }
  return layers;
}

describe('exactForward', () => {
  it('agrees with float evaluation to 1e-12 on random networks', () => {
    const rng = new Rng(51);
    for (let trial = 0; trial < 20; trial++) {
      const depth = 1 + rng.int(4);
      const sizes = [1 + rng.int(6), ...Array.from({ length: depth }, () => 1 + rng.int(12)), 1 + rng.int(4)];
      const layers = randomNet(rng, sizes);
      const net = { inputSize: sizes[0], outputSize: sizes[sizes.length - 1], layers };
      const x = Float64Array.from({ length: sizes[0] }, () => rng.normal());
      const exact = exactForward(layers, x);
      const { preActivations } = evaluateLayers(net, x);
      exact.forEach((zl, l) => zl.forEach((z, i) => assert.ok(Math.abs(z.toNumber() - preActivations[l][i]) <= 1e-12 * Math.max(1, Math.abs(preActivations[l][i])))));
      // Output = last pre-activation (identity), and signs match wherever floats are clear.
      exactOutput(layers, x).forEach((o, i) => assert.ok(o.eq(exact[exact.length - 1][i])));
      exactSigns(layers, x).forEach((sl, l) => sl.forEach((s, i) => {
        if (Math.abs(preActivations[l][i]) > 1e-9) assert.equal(s, Math.sign(preActivations[l][i]));
      }));
      assert.equal(checkPattern(layers, x, activationPattern(net, x)).ok, true);
    }
  });

  it('is exact: a crafted unit whose float pre-activation rounds to 0 has its true sign', () => {
    // z = x1 + x2 - 1 with x = (1, 2^-60): float z = 0, exact z = 2^-60 > 0.
    const layers: Layer[] = [
      { inSize: 2, outSize: 1, weights: Float64Array.from([1, 1]), bias: Float64Array.from([-1]), activation: 'relu' },
      { inSize: 1, outSize: 1, weights: Float64Array.from([2 ** 70]), bias: Float64Array.from([0]), activation: 'identity' },
    ];
    const x = [1, 2 ** -60];
    assert.equal(1 + 2 ** -60 - 1, 0);
    const z = exactForward(layers, x);
    assert.equal(z[0][0].toString(), `1/${2n ** 60n}`);
    assert.equal(z[1][0].toString(), '1024/1');
    assert.deepEqual([...exactSigns(layers, x)[0]], [1]);
    assert.equal(checkPattern(layers, x, [[1], [1]]).ok, true);
    const off = checkPattern(layers, x, [[0], [1]]);
    assert.deepEqual(off, { ok: false, layer: 0, unit: 0, sign: 1 });
    // On the boundary (x2 = 0): strict fails both ways, non-strict accepts both.
    assert.equal(checkPattern(layers, [1, 0], [[1], [1]]).ok, false);
    assert.equal(checkPattern(layers, [1, 0], [[0], [1]]).ok, false);
    assert.equal(checkPattern(layers, [1, 0], [[1], [1]], { strict: false }).ok, true);
    assert.equal(checkPattern(layers, [1, 0], [[0], [1]], { strict: false }).ok, true);
  });

  it('rational inputs (non-dyadic) and prepared networks', () => {
    const rng = new Rng(61);
    const layers = randomNet(rng, [3, 7, 5, 2]);
    const P = prepareExact(layers);
    const x = [R('1/3'), R('-2/7'), F(0.25)];
    // Direct Rational evaluation for comparison.
    let a: Rational[] = x;
    const direct: Rational[][] = [];
    for (const l of layers) {
      const z = Array.from({ length: l.outSize }, (_, i) => {
        let s = F(l.bias[i]);
        for (let j = 0; j < l.inSize; j++) s = s.add(F(l.weights[i * l.inSize + j]).mul(a[j]));
        return s;
      });
      direct.push(z);
      a = l.activation === 'relu' ? z.map((v) => (v.sign() > 0 ? v : Rational.ZERO)) : z;
    }
    for (const res of [exactForward(layers, x), exactForward(P, x)]) res.forEach((zl, l) => zl.forEach((z, i) => assert.ok(z.eq(direct[l][i]), `layer ${l} unit ${i}`)));
  });

  it('checks shapes', () => {
    const layers = randomNet(new Rng(1), [2, 3, 1]);
    assert.throws(() => exactForward(layers, [1]), /expected an input of 2/);
    assert.throws(() => exactForward(layers, [1, NaN]), /finite/);
    assert.throws(() => prepareExact([layers[1], layers[0]]), /expected/);
  });

  it('speed on 5→50x6→5 and 784→256→256→10 (reported, loosely bounded)', () => {
    const rng = new Rng(71);
    for (const [sizes, budgetMs] of [[[5, 50, 50, 50, 50, 50, 50, 5], 500], [[784, 256, 256, 10], 5000]] as [number[], number][]) {
      const layers = randomNet(rng, sizes);
      const x = Float64Array.from({ length: sizes[0] }, () => rng.next());
      let t = performance.now();
      const P = prepareExact(layers);
      const prep = performance.now() - t;
      t = performance.now();
      const reps = 5;
      for (let i = 0; i < reps; i++) exactSigns(P, x);
      const each = (performance.now() - t) / reps;
      console.log(`# exactForward ${sizes.join('-')}: prepare ${prep.toFixed(1)} ms, evaluate ${each.toFixed(1)} ms`);
      assert.ok(prep + each < budgetMs);
    }
  });
});
