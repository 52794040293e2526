/**
 * A small LP solver for the search's LPs in high dimension: few general rows over a box,
 *
 *   minimise c·x  subject to  a_i·x <= b_i (i < m),  lo <= x <= hi  (lo, hi finite),
 *
 * by the bounded dual simplex whose basis holds only the m rows (the box bounds are variable
 * bounds, never basis rows): an m x m basis inverse, O(m n) a pivot for the pivot row, O(m²) for
 * the update, where the general solver (core.ts) keeps an n x n inverse (784 dimensions: 10-60 ms
 * a solve against about 1 ms here with 20-40 rows).
 *
 * Requirements: finite box; inequality rows only (the caller falls back to the general solver
 * otherwise). Rows are scaled to unit 2-norm internally.
 * Method: starts at the objective's corner of the box with every row's slack basic (dual
 * feasible), then dual simplex pivots: the leaving row by dual steepest edge (violation² over the
 * squared norm of its row of the inverse, computed exactly: m is small), the entering variable by
 * the bound-flipping ("long-step") ratio test (boxed variables whose breakpoint is passed while the
 * dual slope stays positive move to their other bound instead of entering). The inverse is
 * updated by the product form and refactorised from scratch every REFACTOR pivots; primal values
 * and reduced costs are recomputed from the data then.
 * Guarantees: nothing is trusted from the pivots alone.
 * - `optimal`: x is clamped into the box and satisfies every row within 1e-9 (scaled rows);
 *   `bound` is a lower bound of the LP's minimum computed from the data alone (the Lagrangian
 *   min over the box of (c + Aᵀλ)·x − λ·b for the final multipliers λ >= 0, less an allowance for
 *   its rounding): valid for any λ, so it holds whatever the pivots' rounding was;
 * - `infeasible`: certified the same way (λ >= 0 with min over the box of (Aᵀλ)·x − λ·b > 0,
 *   beyond the rounding allowance), so the rows and the box have no common point;
 * - `above` (with `stopAbove`): the certified bound, computed the same way from the current
 *   multipliers, already exceeds `stopAbove` (the caller only needed that);
 * - `failed`: iteration limit, a singular basis, a certificate that did not check, or a gap
 *   between x's objective and the bound larger than 1e-7 (relative): the caller falls back.
 */

export interface BoxLpRow {
  a: Float64Array;
  b: number;
}

export interface BoxLpResult {
  /** `above`: stopped early, the certified bound exceeds the caller's `stopAbove` (no point). */
  status: 'optimal' | 'infeasible' | 'above' | 'failed';
  /** optimal: a point of the box satisfying the rows (within 1e-9 on the scaled rows). */
  x?: Float64Array;
  /** optimal: c·x. */
  objective?: number;
  /** A certified lower bound of the minimum (+Infinity when infeasible, −Infinity when failed). */
  bound: number;
  iterations: number;
  /** Why it failed. */
  reason?: string;
}

const PRIMAL_TOL = 1e-9;
const PIVOT_TOL = 1e-9;
const REFACTOR = 40;
const GAP_TOL = 1e-7;

/** Solves the LP of the module doc. Deterministic. */
/** Rows scaled to unit 2-norm once, for several LPs over the same rows ({@link solveBoxLp}). */
export interface ScaledRows {
  A: Float64Array[];
  b: number[];
  /** A zero row with a negative right-hand side: no point satisfies the rows. */
  empty: boolean;
}

/** Scales the rows (zero rows are checked and dropped). */
export function scaleRows(n: number, rows: readonly BoxLpRow[]): ScaledRows {
  const A: Float64Array[] = [];
  const b: number[] = [];
  let empty = false;
  for (const r of rows) {
    let s = 0;
    for (let j = 0; j < n; j++) s += r.a[j] * r.a[j];
    s = Math.sqrt(s);
    if (!(s > 1e-300) || !Number.isFinite(s)) {
      if (r.b < 0) empty = true;
      continue;
    }
    const a = new Float64Array(n);
    for (let j = 0; j < n; j++) a[j] = r.a[j] / s;
    A.push(a);
    b.push(r.b / s);
  }
  return { A, b, empty };
}

/** Solves the LP of the module doc (rows as given, or scaled once by {@link scaleRows}). Deterministic. */
export function solveBoxLp(n: number, rows: readonly BoxLpRow[] | ScaledRows, lo: Float64Array, hi: Float64Array, c: Float64Array, maxIterations?: number, stopAbove = Infinity): BoxLpResult {
  const scaled = Array.isArray(rows) ? scaleRows(n, rows as readonly BoxLpRow[]) : (rows as ScaledRows);
  if (scaled.empty) return { status: 'infeasible', bound: Infinity, iterations: 0 };
  const { A, b } = scaled;
  const m = A.length;
  const N = n + m;
  const lb = (k: number) => (k < n ? lo[k] : 0);
  const ub = (k: number) => (k < n ? hi[k] : Infinity);
  const x = new Float64Array(N);
  const d = new Float64Array(N);
  const pos = new Int32Array(N).fill(-1); // basis position, -1 when nonbasic
  const basis = new Int32Array(m);
  let Binv = new Float64Array(m * m);
  for (let j = 0; j < n; j++) {
    d[j] = c[j];
    x[j] = c[j] < 0 ? hi[j] : lo[j];
  }
  for (let i = 0; i < m; i++) {
    basis[i] = n + i;
    pos[n + i] = i;
    Binv[i * m + i] = 1;
  }
  const colInto = (k: number, out: Float64Array) => {
    // column of variable k in [A I]
    if (k >= n) { out.fill(0); out[k - n] = 1; return; }
    for (let i = 0; i < m; i++) out[i] = A[i][k];
  };
  const rhs = new Float64Array(m), col = new Float64Array(m), w = new Float64Array(m);
  const computeXB = () => {
    for (let i = 0; i < m; i++) {
      let s = b[i];
      const a = A[i];
      for (let j = 0; j < n; j++) if (pos[j] < 0) s -= a[j] * x[j];
      if (pos[n + i] < 0) s -= x[n + i];
      rhs[i] = s;
    }
    for (let r = 0; r < m; r++) {
      let s = 0;
      const o = r * m;
      for (let i = 0; i < m; i++) s += Binv[o + i] * rhs[i];
      x[basis[r]] = s;
    }
  };
  const pi = new Float64Array(m);
  const computePi = () => {
    pi.fill(0);
    for (let r = 0; r < m; r++) {
      const k = basis[r];
      const cb = k < n ? c[k] : 0;
      if (cb === 0) continue;
      const o = r * m;
      for (let i = 0; i < m; i++) pi[i] += cb * Binv[o + i];
    }
  };
  const computeD = () => {
    computePi();
    for (let j = 0; j < n; j++) {
      if (pos[j] >= 0) { d[j] = 0; continue; }
      let s = c[j];
      for (let i = 0; i < m; i++) s -= pi[i] * A[i][j];
      d[j] = s;
    }
    for (let i = 0; i < m; i++) d[n + i] = pos[n + i] >= 0 ? 0 : -pi[i];
  };
  /** Gauss-Jordan inverse of the basis with partial pivoting; false when singular. */
  const refactor = (): boolean => {
    const B = new Float64Array(m * m), I = new Float64Array(m * m);
    for (let r = 0; r < m; r++) {
      colInto(basis[r], col);
      for (let i = 0; i < m; i++) B[i * m + r] = col[i];
      I[r * m + r] = 1;
    }
    for (let p = 0; p < m; p++) {
      let best = p, bv = Math.abs(B[p * m + p]);
      for (let i = p + 1; i < m; i++) { const v = Math.abs(B[i * m + p]); if (v > bv) { bv = v; best = i; } }
      if (!(bv > 1e-12)) return false;
      if (best !== p) {
        for (let t = 0; t < m; t++) {
          let tmp = B[p * m + t]; B[p * m + t] = B[best * m + t]; B[best * m + t] = tmp;
          tmp = I[p * m + t]; I[p * m + t] = I[best * m + t]; I[best * m + t] = tmp;
        }
      }
      const piv = B[p * m + p];
      for (let t = 0; t < m; t++) { B[p * m + t] /= piv; I[p * m + t] /= piv; }
      for (let i = 0; i < m; i++) {
        if (i === p) continue;
        const f = B[i * m + p];
        if (f === 0) continue;
        for (let t = 0; t < m; t++) { B[i * m + t] -= f * B[p * m + t]; I[i * m + t] -= f * I[p * m + t]; }
      }
    }
    Binv = I;
    return true;
  };

  computeXB();
  const alpha = new Float64Array(n);
  const rho = new Float64Array(m);
  const candK = new Int32Array(N), candR = new Float64Array(N), candW = new Float64Array(N), candA = new Float64Array(N);
  const swapCand = (p: number, q: number) => {
    if (p === q) return;
    const k = candK[p], r = candR[p], w = candW[p], a = candA[p];
    candK[p] = candK[q]; candR[p] = candR[q]; candW[p] = candW[q]; candA[p] = candA[q];
    candK[q] = k; candR[q] = r; candW[q] = w; candA[q] = a;
  };
  const limit = maxIterations ?? 200 + 20 * m;
  let it = 0;
  let infeasibleRow = -1, infeasibleSign = 0;
  for (;;) {
    // leaving row: dual steepest edge with exact weights
    let r = -1, rScore = 0, below = false;
    for (let p = 0; p < m; p++) {
      const k = basis[p], v = x[k];
      const l = lb(k), u = ub(k);
      let viol = 0, isBelow = false;
      if (v < l - PRIMAL_TOL * (1 + Math.abs(l))) { viol = l - v; isBelow = true; }
      else if (v > u + PRIMAL_TOL * (1 + Math.abs(u))) viol = v - u;
      if (viol === 0) continue;
      let wn = 0;
      const o = p * m;
      for (let i = 0; i < m; i++) wn += Binv[o + i] * Binv[o + i];
      const score = (viol * viol) / (wn || 1);
      if (score > rScore) { rScore = score; r = p; below = isBelow; }
    }
    if (r < 0) break; // primal feasible: optimal
    if (++it > limit) return { status: 'failed', bound: -Infinity, iterations: it, reason: 'iteration limit' };
    if (stopAbove < Infinity && (it & 3) === 0) {
      // the dual objective (c·x at the current basic solution) only grows: once it passes the
      // caller's threshold, certify a bound from the current multipliers and stop
      let z = 0;
      for (let j = 0; j < n; j++) z += c[j] * x[j];
      if (z > stopAbove) {
        computePi();
        const lam = new Float64Array(m);
        for (let i = 0; i < m; i++) lam[i] = Math.max(0, -pi[i]);
        const bound = lagrangian(n, A, b, lo, hi, c, lam);
        if (bound > stopAbove) return { status: 'above', bound, iterations: it };
      }
    }
    const o = r * m;
    for (let i = 0; i < m; i++) rho[i] = Binv[o + i];
    alpha.fill(0);
    for (let i = 0; i < m; i++) {
      const f = rho[i];
      if (f === 0) continue;
      const a = A[i];
      for (let j = 0; j < n; j++) alpha[j] += f * a[j];
    }
    // eligible nonbasic variables (see the module doc): those whose move fixes the leaving row,
    // with their ratios |d_k| / |alpha_k| (a reduced cost of the wrong sign counts as 0)
    let nc = 0;
    for (let k = 0; k < N; k++) {
      if (pos[k] >= 0) continue;
      let a: number, up: boolean, range: number, dk = d[k];
      if (k < n) {
        a = alpha[k];
        range = hi[k] - lo[k];
        if (range === 0) continue; // a fixed variable never enters
        up = x[k] === hi[k];
      } else {
        a = rho[k - n];
        range = Infinity;
        up = false;
      }
      if (a <= PIVOT_TOL && a >= -PIVOT_TOL) continue;
      if (!(below ? (up ? a > 0 : a < 0) : up ? a < 0 : a > 0)) continue;
      if (up) dk = -dk;
      const aa = a < 0 ? -a : a;
      candK[nc] = k;
      candR[nc] = (dk > 0 ? dk : 0) / aa;
      candW[nc] = aa * range;
      candA[nc] = aa;
      nc++;
    }
    const kLeave = basis[r];
    const target = below ? lb(kLeave) : ub(kLeave);
    if (nc === 0) {
      infeasibleRow = r;
      infeasibleSign = below ? 1 : -1;
      break;
    }
    // bound flipping: take breakpoints in ratio order (ties: larger |alpha| first) while the dual
    // slope stays positive; the ones passed flip to their other bound, the last one enters
    let slope = Math.abs(x[kLeave] - target);
    let q = -1, qRatio = 0, passed = 0, end = nc;
    // selection (expected O(nc)): while the range [passed, end) is long, partition it at a pivot
    // ratio; the breakpoints below it are all passed when their weights leave the slope positive,
    // else the crossing lies among them
    while (end - passed > 24) {
      const a1 = candR[passed], a2 = candR[(passed + end) >> 1], a3 = candR[end - 1];
      const piv = a1 < a2 ? (a2 < a3 ? a2 : a1 < a3 ? a3 : a1) : a1 < a3 ? a1 : a2 < a3 ? a3 : a2;
      // [passed, i): ratio < piv; then [i, j): ratio == piv; [j, end): ratio > piv
      let i = passed;
      for (let t = passed; t < end; t++) if (candR[t] < piv) swapCand(t, i++);
      let j = i;
      for (let t = i; t < end; t++) if (candR[t] === piv) swapCand(t, j++);
      let wLess = 0;
      for (let t = passed; t < i; t++) wLess += candW[t];
      if (i > passed && !(slope - wLess > 0)) { end = i; continue; }
      let wEq = 0;
      for (let t = i; t < j; t++) wEq += candW[t];
      if (slope - wLess - wEq > 0 && j < end) { slope -= wLess + wEq; passed = j; continue; }
      // the crossing is among the ties at piv (or nothing lies above them): scan them
      slope -= wLess;
      passed = i;
      end = j;
      break;
    }
    for (;;) {
      let t = passed;
      for (let i = passed + 1; i < end; i++) {
        if (candR[i] < candR[t] || (candR[i] === candR[t] && (candA[i] > candA[t] || (candA[i] === candA[t] && candK[i] < candK[t])))) t = i;
      }
      swapCand(t, passed);
      const wt = candW[passed];
      if (!Number.isFinite(wt) || slope - wt <= 0 || passed === end - 1) { q = candK[passed]; qRatio = candR[passed]; break; }
      slope -= wt;
      passed++;
    }
    const alphaQ = q < n ? alpha[q] : rho[q - n];
    // dual step
    const theta = below ? -qRatio : qRatio;
    if (theta !== 0) {
      for (let k = 0; k < n; k++) if (pos[k] < 0) d[k] -= theta * alpha[k];
      for (let i = 0; i < m; i++) if (pos[n + i] < 0) d[n + i] -= theta * rho[i];
    }
    d[q] = 0;
    d[kLeave] = -theta;
    // flips
    if (passed > 0) {
      rhs.fill(0);
      for (let t = 0; t < passed; t++) {
        const k = candK[t]; // structural (slacks have no finite range)
        const nv = x[k] === lo[k] ? hi[k] : lo[k];
        const dx = nv - x[k];
        x[k] = nv;
        for (let i = 0; i < m; i++) rhs[i] += A[i][k] * dx;
      }
      for (let p = 0; p < m; p++) {
        let s = 0;
        const op = p * m;
        for (let i = 0; i < m; i++) s += Binv[op + i] * rhs[i];
        x[basis[p]] -= s;
      }
    }
    // primal step and pivot
    colInto(q, col);
    for (let p = 0; p < m; p++) {
      let s = 0;
      const op = p * m;
      for (let i = 0; i < m; i++) s += Binv[op + i] * col[i];
      w[p] = s;
    }
    const wr = w[r];
    if (!(Math.abs(wr) > PIVOT_TOL) || Math.abs(wr - alphaQ) > 1e-6 * (1 + Math.abs(wr))) {
      if (!refactor()) return { status: 'failed', bound: -Infinity, iterations: it, reason: 'singular basis' };
      computeXB();
      computeD();
      continue;
    }
    const step = (x[kLeave] - target) / wr;
    for (let p = 0; p < m; p++) x[basis[p]] -= step * w[p];
    x[q] += step;
    x[kLeave] = target;
    // product-form update of the inverse
    for (let t = 0; t < m; t++) Binv[o + t] /= wr;
    for (let p = 0; p < m; p++) {
      if (p === r) continue;
      const f = w[p];
      if (f === 0) continue;
      const op = p * m;
      for (let t = 0; t < m; t++) Binv[op + t] -= f * Binv[o + t];
    }
    pos[kLeave] = -1;
    pos[q] = r;
    basis[r] = q;
    if (it % REFACTOR === 0) {
      if (!refactor()) return { status: 'failed', bound: -Infinity, iterations: it, reason: 'singular basis' };
      computeXB();
      computeD();
    }
  }

  if (infeasibleRow >= 0) {
    // Farkas: λ = ±(row of the inverse), clipped at 0, checked from the data
    const lam = new Float64Array(m);
    const o = infeasibleRow * m;
    for (let i = 0; i < m; i++) lam[i] = Math.max(0, infeasibleSign * Binv[o + i]);
    const cert = lagrangian(n, A, b, lo, hi, new Float64Array(n), lam);
    if (cert > 0) return { status: 'infeasible', bound: Infinity, iterations: it };
    return { status: 'failed', bound: -Infinity, iterations: it, reason: 'Farkas certificate did not check' };
  }
  // optimal: the point (clamped into the box, rows checked) and the certified bound
  const xs = new Float64Array(n);
  let obj = 0;
  for (let j = 0; j < n; j++) {
    xs[j] = Math.min(hi[j], Math.max(lo[j], x[j]));
    obj += c[j] * xs[j];
  }
  for (let i = 0; i < m; i++) {
    let s = -b[i];
    const a = A[i];
    for (let j = 0; j < n; j++) s += a[j] * xs[j];
    if (s > PRIMAL_TOL * (1 + Math.abs(b[i]))) return { status: 'failed', bound: -Infinity, iterations: it, reason: `row ${i} violated by ${s}` };
  }
  computePi();
  const lam = new Float64Array(m);
  for (let i = 0; i < m; i++) lam[i] = Math.max(0, -pi[i]);
  const bound = lagrangian(n, A, b, lo, hi, c, lam);
  if (!(obj - bound <= GAP_TOL * (1 + Math.abs(obj)))) return { status: 'failed', bound, iterations: it, reason: `duality gap ${obj - bound}` };
  return { status: 'optimal', x: xs, objective: obj, bound: Math.min(bound, obj), iterations: it };
}

/**
 * min over the box of (c + Aᵀλ)·x − λ·b for λ >= 0: a lower bound of min c·x over the rows and
 * the box (weak duality), less a rounding allowance (a relative 1e-15 per term, times the term
 * count): a valid bound whatever λ is.
 */
function lagrangian(n: number, A: Float64Array[], b: number[], lo: Float64Array, hi: Float64Array, c: Float64Array, lam: Float64Array): number {
  const m = A.length;
  const g = Float64Array.from(c);
  const gAbs = c.map(Math.abs);
  let v = 0, mag = 0;
  for (let i = 0; i < m; i++) {
    const l = lam[i];
    if (l === 0) continue;
    const a = A[i];
    for (let j = 0; j < n; j++) {
      g[j] += l * a[j];
      gAbs[j] += Math.abs(l * a[j]);
    }
    v -= l * b[i];
    mag += Math.abs(l * b[i]);
  }
  for (let j = 0; j < n; j++) {
    v += g[j] > 0 ? g[j] * lo[j] : g[j] * hi[j];
    mag += gAbs[j] * Math.max(Math.abs(lo[j]), Math.abs(hi[j]));
  }
  return v - 1e-15 * (n + m + 10) * mag;
}
