/**
 * The simplex engine behind {@link solveLp} and {@link LpSession}. Internal: use those.
 *
 * Formulation (row/active-set form of the bounded simplex). Every constraint is a "row" with an
 * activity range lo <= g·x <= hi:
 *   - general rows i = 0..R-1: inequalities (lo = -∞) and equalities (lo = hi), each scaled to
 *     unit 2-norm on load (`scale[i]` keeps the norm to unscale duals and certificates);
 *   - variable rows j: g = e_j with the variable's bounds [vlo_j, vhi_j].
 * A basis W is n linearly independent rows ("slots"), each held at a side: LO, HI, FIX (an
 * equality or a fixed variable; multiplier free) or VIRT (a free variable's placeholder row
 * x_j = v_j whose multiplier must be 0). With B the matrix of slot rows, the vertex is
 * x = B⁻¹ rhs and the multipliers are λ = B⁻ᵀ c, i.e. c = Σ_k λ_k g_k. The basis is dual
 * feasible when λ_k <= 0 at HI, >= 0 at LO, = 0 at VIRT; primal feasible when every row's
 * activity lies in its range.
 *
 * This is the standard-form bounded dual simplex with the nonbasic set written as active
 * constraints. Storage is a dense tableau: T = G B⁻¹ (R x n, row i = the coordinates of row i in
 * the slot rows; unit vectors for rows in the basis) and B⁻¹ itself (n x n, the tableau rows of
 * the variable rows). A pivot is one rank-one update of both, O((R + n) n), which also yields
 * the exact dual steepest-edge weights 1 + ‖T_i‖²; adding a row costs O(n²). Everything is
 * refactorised from scratch (B⁻¹ from the slot rows, then T = G B⁻¹) periodically and whenever
 * a pivot-element check (α from the tableau row vs. α from G and B⁻¹) fails.
 *
 * Methods: dual simplex (dual steepest-edge pricing with exact weights, Harris ratio test with
 * bound flipping; in degenerate ties a VIRT slot leaves first), primal simplex (steepest edge in
 * x-space, Harris ratio test), cost shifting to start the dual from any basis, Zobrist hashing of
 * visited bases to detect cycling (then Bland's rule), optional cost perturbation. x and the
 * activities are updated incrementally and recomputed from scratch before any stop is believed;
 * an infeasibility proof is sanity-checked against G before it is returned.
 */
import { TOL } from '../tolerance.js';
import { Rng } from '../util/rng.js';
import { Arena, axpySqJs } from './kernel.js';

/** Slot sides. */
export const SIDE_VIRT = 0;
export const SIDE_LO = -1;
export const SIDE_HI = 1;
export const SIDE_FIX = 2;

/** Engine statuses. */
export const ST_OPTIMAL = 0;
export const ST_INFEASIBLE = 1;
export const ST_UNBOUNDED = 2;
export const ST_ITER_LIMIT = 3;
export const ST_NUMERIC = 4;
export const ST_TIME_LIMIT = 5;

/** Dual pricing rules: largest violation (rows are unit-norm) or dual steepest edge. */
export const PRICE_DANTZIG = 0;
export const PRICE_DSE = 2;

/** In the dual ratio test a VIRT slot may leave if its |α| is at least this fraction of the best. */
const VIRT_PREFERENCE = 0.1;

/**
 * Violations below ACT_RECHECK·(1 + |bound|) seen on incrementally updated activities are
 * confirmed from scratch before a pivot is spent on them (they may be drift).
 */
const ACT_RECHECK = 1e-7;

/** Relative rounding of an activity at x: violations below ACT_NOISE·√n·‖x‖∞ are ignored. */
const ACT_NOISE = 1e-14;

/** Bases are hashed for cycle detection after this many pivots of a phase. */
const CYCLE_WATCH_AFTER = 50;
/** Rows narrower than this use the JS loop: the call into WebAssembly costs more than it saves. */
const KERNEL_MIN_WIDTH = 12;

/** A primal edge-weight update whose result is below this fraction of its terms is redone exactly. */
const PW_CANCEL = 0.05;

/** Row kinds. */
const K_INEQ = 0;
const K_EQ = 1;
/** A zero row whose right-hand side is consistent (0 <= b or 0 = 0): never active. */
const K_ZERO_OK = 2;
/** A zero row that is violated on its own (0 <= b < 0 or 0 = b != 0): proves infeasibility. */
const K_ZERO_BAD = 3;

const NONE = 0x7fffffff;
/**
 * Pivots between two scheduled refactorisations: max(REFACTOR_MIN, REFACTOR_PER_N · n). A
 * refactorisation costs about n pivots (T = G B⁻¹ is O(R n²)), and the α check below catches
 * drift in between (measured: under 1e-11 after 1000+ pivots on 300 x 900 problems), so it is rare.
 */
const REFACTOR_MIN = 200;
const REFACTOR_PER_N = 8;
/** |α_row − α_col| above this (relative) means the tableau has drifted: refactorise first. */
const ALPHA_CHECK = 1e-9;

/** Knobs changed by the retry ladder. */
export interface EngineSettings {
  /** Pivot elements with |α| <= pivotTol are never used. */
  pivotTol: number;
  /** Dual pricing: PRICE_DSE (violation² / (1 + ‖T_i‖²)) or PRICE_DANTZIG (largest violation of unit rows). */
  pricing: number;
  /** Harris ratio tests and bound flipping (else the textbook ratio test). */
  harris: boolean;
  /** Bland's rule from the first pivot (else only after a revisited basis). */
  bland: boolean;
  /** Random cost perturbation during the dual phase, removed by a primal clean-up. */
  perturb: boolean;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  pivotTol: TOL.PIVOT,
  pricing: PRICE_DSE,
  harris: true,
  bland: false,
  perturb: false,
};

/** 32-bit mixer (murmur3 finaliser) for Zobrist keys. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export class SimplexCore {
  // ---- problem -------------------------------------------------------------------------------
  n = 0;
  /** Number of general rows (original inequalities, equalities, then added rows). */
  R = 0;
  /** Original inequality count and equality count: rows [0, m0) are inequalities, [m0, m0+meq) equalities. */
  m0 = 0;
  meq = 0;
  G = new Float64Array(0);
  /** Tableau rows of the general rows, T = G B⁻¹ (R x n, row-major). */
  T = new Float64Array(0);
  lo = new Float64Array(0);
  hi = new Float64Array(0);
  scale = new Float64Array(0);
  kind = new Uint8Array(0);
  /** Right-hand side of zero rows (their lo/hi are ±∞ so they never take part). */
  zrhs = new Float64Array(0);
  badZeroRows = 0;
  vlo = new Float64Array(0);
  vhi = new Float64Array(0);
  c = new Float64Array(0);
  /** Working cost (c, shifted or perturbed). */
  cw = new Float64Array(0);
  cwZero = true;
  cNorm = 0;
  // ---- basis ---------------------------------------------------------------------------------
  slotId = new Int32Array(0);
  slotSide = new Int8Array(0);
  rhsW = new Float64Array(0);
  rowSlot = new Int32Array(0);
  varSlot = new Int32Array(0);
  Binv = new Float64Array(0);
  x = new Float64Array(0);
  act = new Float64Array(0);
  lam = new Float64Array(0);
  wRow = new Float64Array(0);
  wVar = new Float64Array(0);
  /** True once a basis has been installed and factorised. */
  hasBasis = false;
  /** Where τ, B⁻¹ and T live (WebAssembly memory when available). */
  private readonly arena = new Arena();
  // ---- scratch -------------------------------------------------------------------------------
  tau = new Float64Array(0);
  d = new Float64Array(0);
  w = new Float64Array(0);
  /** Primal steepest-edge weights of the slots, ‖B⁻¹ e_k‖² (kept exact by updates). */
  pw = new Float64Array(0);
  /** The updated pw lost accuracy to cancellation: recompute before pricing. */
  pwStale = true;
  /** Scratch in the arena: v = B⁻ᵀ u for the weight update. */
  v = new Float64Array(0);
  candK = new Int32Array(0);
  candT = new Float64Array(0);
  candR = new Float64Array(0);
  candH = new Float64Array(0);
  flipK = new Int32Array(0);
  flipD = new Float64Array(0);
  M = new Float64Array(0);
  Minv = new Float64Array(0);
  colIdx = new Int32Array(0);
  genSlots = new Int32Array(0);
  private nCap = 0;
  private rowCap = 0;
  // ---- run state -----------------------------------------------------------------------------
  set: EngineSettings = DEFAULT_SETTINGS;
  iterations = 0;
  maxIterations = Infinity;
  deadline = Infinity;
  sincRefactor = 0;
  /** Pivots since x and the activities were last computed from scratch. */
  sincFresh = 0;
  blandNow = false;
  hashLo = 0;
  hashHi = 0;
  visited = new Set<number>();
  /** Pivots in the current phase (cycling is watched only after CYCLE_WATCH_AFTER). */
  phaseIters = 0;
  warnings: string[] = [];
  // selections of the current iteration
  sigma = 0;
  viol = 0;
  enterBound = 0;
  step = 0;
  nFlip = 0;
  /** Infeasibility evidence: the violated row (id) and its direction, τ in `tau`. */
  farkasId = NONE;
  farkasSigma = 0;
  /** Trivial infeasibility: a bad zero row (general id) or crossed bounds (~j). */
  trivialId = NONE;

  // ============================================================================================
  // storage
  // ============================================================================================

  private ensureN(n: number): void {
    this.n = n;
    if (n <= this.nCap) return;
    const c = Math.max(n, this.nCap * 2, 4);
    this.nCap = c;
    this.vlo = new Float64Array(c);
    this.vhi = new Float64Array(c);
    this.c = new Float64Array(c);
    this.cw = new Float64Array(c);
    this.slotId = new Int32Array(c);
    this.slotSide = new Int8Array(c);
    this.rhsW = new Float64Array(c);
    this.varSlot = new Int32Array(c);
    this.x = new Float64Array(c);
    this.lam = new Float64Array(c);
    this.wVar = new Float64Array(c);
    this.d = new Float64Array(c);
    this.w = new Float64Array(c);
    this.pw = new Float64Array(c);
    this.flipD = new Float64Array(c);
    this.candK = new Int32Array(c);
    this.candT = new Float64Array(c);
    this.candR = new Float64Array(c);
    this.candH = new Float64Array(c);
    this.flipK = new Int32Array(c);
    this.M = new Float64Array(c * c);
    this.Minv = new Float64Array(c * c);
    this.colIdx = new Int32Array(c);
    this.genSlots = new Int32Array(c);
    this.arena.reserve(c, this.rowCap * c, 0);
    this.views();
  }

  /** Re-reads the arena's views (they change when its memory grows). */
  private views(): void {
    this.tau = this.arena.tau;
    this.v = this.arena.v;
    this.Binv = this.arena.Binv;
    this.T = this.arena.T;
  }

  /** Makes room for `rows` general rows of the current width n, keeping the first R rows. */
  ensureRows(rows: number): void {
    const n = this.n;
    if (rows * n > this.G.length) {
      const cap = Math.max(rows, this.R * 2, 16) * n;
      const G = new Float64Array(cap);
      G.set(this.G.subarray(0, this.R * n));
      this.G = G;
    }
    if (rows * n > this.T.length) {
      this.arena.reserve(this.nCap, Math.max(rows, this.R * 2, 16) * n, this.R * n);
      this.views();
    }
    if (rows > this.rowCap) {
      const cap = Math.max(rows, this.rowCap * 2, 16);
      const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (k: number) => T): T => {
        const b = make(cap);
        b.set(a.subarray(0, this.R) as never);
        return b;
      };
      this.lo = grow(this.lo, (k) => new Float64Array(k));
      this.hi = grow(this.hi, (k) => new Float64Array(k));
      this.scale = grow(this.scale, (k) => new Float64Array(k));
      this.kind = grow(this.kind, (k) => new Uint8Array(k));
      this.zrhs = grow(this.zrhs, (k) => new Float64Array(k));
      this.rowSlot = grow(this.rowSlot, (k) => new Int32Array(k));
      this.act = grow(this.act, (k) => new Float64Array(k));
      this.wRow = grow(this.wRow, (k) => new Float64Array(k));
      this.rowCap = cap;
    }
  }

  /** Writes general row i from src[off..off+n) with rhs, normalised to unit 2-norm. */
  private setRow(i: number, src: Float64Array, off: number, rhs: number, isEq: boolean): void {
    const n = this.n;
    const G = this.G;
    const base = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) {
      const v = src[off + j];
      s += v * v;
    }
    s = Math.sqrt(s);
    this.rowSlot[i] = -1;
    if (s > 0 && s < Infinity) {
      const inv = 1 / s;
      for (let j = 0; j < n; j++) G[base + j] = src[off + j] * inv;
      this.scale[i] = s;
      this.hi[i] = rhs * inv;
      this.lo[i] = isEq ? rhs * inv : -Infinity;
      this.kind[i] = isEq ? K_EQ : K_INEQ;
    } else {
      for (let j = 0; j < n; j++) G[base + j] = 0;
      this.scale[i] = 1;
      this.hi[i] = Infinity;
      this.lo[i] = -Infinity;
      this.zrhs[i] = rhs;
      const ok = isEq ? Math.abs(rhs) <= TOL.PRIMAL : rhs >= -TOL.PRIMAL;
      this.kind[i] = ok ? K_ZERO_OK : K_ZERO_BAD;
      if (!ok) this.badZeroRows++;
    }
  }

  /** Loads a problem (rows normalised); the basis must be installed with {@link coldBasis}. */
  load(n: number, m: number, A: Float64Array, b: Float64Array, meq: number, Aeq: Float64Array | undefined,
    beq: Float64Array | undefined, lower: Float64Array | undefined, upper: Float64Array | undefined, c: Float64Array): void {
    this.ensureN(n);
    this.R = 0;
    this.ensureRows(m + meq);
    this.badZeroRows = 0;
    for (let i = 0; i < m; i++) this.setRow(i, A, i * n, b[i], false);
    for (let e = 0; e < meq; e++) this.setRow(m + e, Aeq as Float64Array, e * n, (beq as Float64Array)[e], true);
    this.R = m + meq;
    this.m0 = m;
    this.meq = meq;
    for (let j = 0; j < n; j++) {
      this.vlo[j] = lower ? lower[j] : -Infinity;
      this.vhi[j] = upper ? upper[j] : Infinity;
    }
    this.setCost(c);
    this.hasBasis = false;
  }

  setCost(c: Float64Array): void {
    let nrm = 0;
    for (let j = 0; j < this.n; j++) {
      this.c[j] = c[j];
      nrm = Math.max(nrm, Math.abs(c[j]));
    }
    this.cNorm = nrm;
  }

  /** Dual feasibility tolerance for the current objective. */
  tolD(): number {
    return TOL.DUAL * Math.max(1, this.cNorm);
  }

  /** Appends the inequality a·x <= b (a is not normalised by the caller). O(n²). */
  appendRow(a: Float64Array, b: number): void {
    const i = this.R;
    this.ensureRows(i + 1);
    this.setRow(i, a, 0, b, false);
    this.R = i + 1;
    if (!this.hasBasis) return;
    const n = this.n;
    const G = this.G;
    const base = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += G[base + j] * this.x[j];
    this.act[i] = s;
    this.tableauRow(i);
  }

  /** Removes the last general row (an inequality). If it is in the basis, a VIRT row replaces it. */
  popRow(): void {
    const i = this.R - 1;
    if (this.kind[i] === K_ZERO_BAD) this.badZeroRows--;
    const q = this.rowSlot[i];
    if (q >= 0 && this.hasBasis) {
      // Replace slot q by e_j, j free of slots with the largest |B⁻¹[j][q]| (nonzero: see docs).
      const n = this.n;
      const Binv = this.Binv;
      let best = -1;
      let bestV = 0;
      for (let j = 0; j < n; j++) {
        if (this.varSlot[j] >= 0) continue;
        const v = Math.abs(Binv[j * n + q]);
        if (v > bestV) {
          bestV = v;
          best = j;
        }
      }
      if (best < 0) {
        this.hasBasis = false;
      } else {
        const xj = Math.min(Math.max(this.x[best], this.vlo[best]), this.vhi[best]);
        this.loadTau(~best);
        this.pivot(q, ~best, SIDE_VIRT, xj, 0);
      }
    }
    this.rowSlot[i] = -1;
    this.R = i;
  }

  // ============================================================================================
  // basis set-up
  // ============================================================================================

  /** Slack-like starting basis: every variable row, at the bound its cost points to, else VIRT. */
  coldBasis(): void {
    const n = this.n;
    const R = this.R;
    const nR = R * n;
    for (let t = 0; t < nR; t++) this.T[t] = this.G[t];
    for (let i = 0; i < R; i++) {
      this.rowSlot[i] = -1;
      this.wRow[i] = this.kind[i] === K_INEQ || this.kind[i] === K_EQ ? 2 : 1;
    }
    this.Binv.fill(0, 0, n * n);
    for (let j = 0; j < n; j++) {
      const l = this.vlo[j];
      const h = this.vhi[j];
      const cj = this.c[j];
      let side: number;
      let v: number;
      if (l === h) {
        side = SIDE_FIX;
        v = l;
      } else if (cj > 0 && l > -Infinity) {
        side = SIDE_LO;
        v = l;
      } else if (cj < 0 && h < Infinity) {
        side = SIDE_HI;
        v = h;
      } else {
        side = SIDE_VIRT;
        v = Math.min(Math.max(0, l), h);
      }
      this.slotId[j] = ~j;
      this.slotSide[j] = side;
      this.rhsW[j] = v;
      this.varSlot[j] = j;
      this.wVar[j] = 2;
      this.Binv[j * n + j] = 1;
    }
    this.recomputeHash();
    this.sincRefactor = 0;
    this.hasBasis = true;
    this.computeX();
    this.computeAct();
  }

  // ============================================================================================
  // linear algebra on the basis
  // ============================================================================================

  /** tau = g_id B⁻¹, the row's tableau row (copied: the pivot overwrites T). */
  loadTau(id: number): void {
    const n = this.n;
    const src = id >= 0 ? this.T : this.Binv;
    const base = (id >= 0 ? id : ~id) * n;
    const tau = this.tau;
    for (let p = 0; p < n; p++) tau[p] = src[base + p];
  }

  /** Recomputes T_i = g_i B⁻¹ from G and B⁻¹, and its weight 1 + ‖T_i‖². O(n²). */
  tableauRow(i: number): void {
    const n = this.n;
    const Binv = this.Binv;
    const T = this.T;
    const G = this.G;
    const tb = i * n;
    const kernel = n >= KERNEL_MIN_WIDTH ? this.arena.kernel : null;
    const { binvOff, tOff } = this.arena;
    T.fill(0, tb, tb + n);
    let ss = 1;
    for (let j = 0; j < n; j++) {
      const gj = G[tb + j];
      if (gj === 0) continue;
      // T_i += g_ij B⁻¹_j (the kernel subtracts β·row: β = −g_ij)
      ss = kernel ? kernel(tOff + 8 * tb, -gj, binvOff + 8 * j * n, n) : axpySqJs(T, tb, -gj, Binv.subarray(j * n, j * n + n), n);
    }
    this.wRow[i] = ss;
  }

  computeX(): void {
    const n = this.n;
    const Binv = this.Binv;
    const rhs = this.rhsW;
    for (let j = 0; j < n; j++) {
      const bb = j * n;
      let s = 0;
      for (let p = 0; p < n; p++) s += Binv[bb + p] * rhs[p];
      this.x[j] = s;
    }
  }

  computeAct(): void {
    this.sincFresh = 0;
    const n = this.n;
    const G = this.G;
    const x = this.x;
    for (let i = 0; i < this.R; i++) {
      const base = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += G[base + j] * x[j];
      this.act[i] = s;
    }
  }

  computeLambda(): void {
    const n = this.n;
    const lam = this.lam;
    lam.fill(0, 0, n);
    if (this.cwZero) return;
    const Binv = this.Binv;
    const cw = this.cw;
    for (let j = 0; j < n; j++) {
      const cj = cw[j];
      if (cj === 0) continue;
      const bb = j * n;
      for (let p = 0; p < n; p++) lam[p] += cj * Binv[bb + p];
    }
  }

  /** Sets the working cost to c. */
  useTrueCost(): void {
    let zero = true;
    for (let j = 0; j < this.n; j++) {
      this.cw[j] = this.c[j];
      if (this.c[j] !== 0) zero = false;
    }
    this.cwZero = zero;
  }

  /** cw = Bᵀ λ' for the multipliers λ' in `d` (so that B⁻ᵀ cw = λ'). */
  setCostFromLambda(lamNew: Float64Array): void {
    const n = this.n;
    const cw = this.cw;
    cw.fill(0, 0, n);
    let zero = true;
    for (let k = 0; k < n; k++) {
      const l = lamNew[k];
      if (l === 0) continue;
      zero = false;
      const id = this.slotId[k];
      if (id < 0) cw[~id] += l;
      else {
        const gb = id * n;
        for (let j = 0; j < n; j++) cw[j] += l * this.G[gb + j];
      }
    }
    this.cwZero = zero;
    for (let k = 0; k < n; k++) this.lam[k] = lamNew[k];
  }

  /** Bounds of a row by id. */
  rowLo(id: number): number {
    return id >= 0 ? this.lo[id] : this.vlo[~id];
  }
  rowHi(id: number): number {
    return id >= 0 ? this.hi[id] : this.vhi[~id];
  }

  /**
   * Rebuilds B⁻¹ from the slot rows. Unit slot rows are eliminated directly, so only the
   * p x p block of general slot rows on the variables without a unit row is inverted
   * (Gauss-Jordan, partial pivoting). Returns false when that block is singular.
   */
  refactor(): boolean {
    const n = this.n;
    const G = this.G;
    let p = 0;
    for (let k = 0; k < n; k++) if (this.slotId[k] >= 0) this.genSlots[p++] = k;
    let c = 0;
    for (let j = 0; j < n; j++) if (this.varSlot[j] < 0) this.colIdx[c++] = j;
    if (c !== p) return false;
    const M = this.M;
    const Mi = this.Minv;
    for (let a = 0; a < p; a++) {
      const gb = this.slotId[this.genSlots[a]] * n;
      for (let b = 0; b < p; b++) {
        M[a * p + b] = G[gb + this.colIdx[b]];
        Mi[a * p + b] = a === b ? 1 : 0;
      }
    }
    // Gauss-Jordan on [M | I] with partial pivoting; rows of M are unit vectors restricted to columns.
    for (let col = 0; col < p; col++) {
      let piv = col;
      let best = Math.abs(M[col * p + col]);
      for (let r = col + 1; r < p; r++) {
        const v = Math.abs(M[r * p + col]);
        if (v > best) {
          best = v;
          piv = r;
        }
      }
      if (!(best > 1e-13)) return false;
      if (piv !== col) {
        for (let b = 0; b < p; b++) {
          let t = M[col * p + b];
          M[col * p + b] = M[piv * p + b];
          M[piv * p + b] = t;
          t = Mi[col * p + b];
          Mi[col * p + b] = Mi[piv * p + b];
          Mi[piv * p + b] = t;
        }
      }
      const inv = 1 / M[col * p + col];
      for (let b = 0; b < p; b++) {
        M[col * p + b] *= inv;
        Mi[col * p + b] *= inv;
      }
      for (let r = 0; r < p; r++) {
        if (r === col) continue;
        const f = M[r * p + col];
        if (f === 0) continue;
        for (let b = col; b < p; b++) M[r * p + b] -= f * M[col * p + b];
        for (let b = 0; b < p; b++) Mi[r * p + b] -= f * Mi[col * p + b];
      }
    }
    // Now Mi = M⁻¹ with M[a][b] = g_{genSlot a}[colIdx b]. Assemble B⁻¹ (rows: variables, cols: slots).
    // For x with B x = e_k: unit slot k of variable j -> x_j = 1, x_N = −M⁻¹ G_W[:, j];
    // general slot genSlots[a] -> x_N = M⁻¹ e_a; other unit variables 0.
    const Binv = this.Binv;
    Binv.fill(0, 0, n * n);
    for (let b = 0; b < p; b++) {
      const jb = this.colIdx[b];
      for (let a = 0; a < p; a++) Binv[jb * n + this.genSlots[a]] = Mi[b * p + a];
    }
    for (let k = 0; k < n; k++) {
      const id = this.slotId[k];
      if (id >= 0) continue;
      const j = ~id;
      Binv[j * n + k] = 1;
      if (p === 0) continue;
      for (let b = 0; b < p; b++) {
        let s = 0;
        for (let a = 0; a < p; a++) s += Mi[b * p + a] * G[this.slotId[this.genSlots[a]] * n + j];
        Binv[this.colIdx[b] * n + k] = -s;
      }
    }
    const T = this.T;
    for (let i = 0; i < this.R; i++) {
      const k = this.rowSlot[i];
      if (k >= 0) {
        T.fill(0, i * n, i * n + n);
        T[i * n + k] = 1;
      } else this.tableauRow(i);
    }
    for (let j = 0; j < n; j++) {
      let ss = 1;
      for (let p = 0; p < n; p++) ss += Binv[j * n + p] * Binv[j * n + p];
      this.wVar[j] = ss;
    }
    this.sincRefactor = 0;
    this.computeX();
    this.computeAct();
    this.computeLambda();
    return true;
  }

  // ============================================================================================
  // pivoting
  // ============================================================================================

  private zkey(id: number, side: number): number {
    return mix32((id * 4 + side + 1) ^ 0x5bd1e995);
  }

  recomputeHash(): void {
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < this.n; k++) {
      const key = this.zkey(this.slotId[k], this.slotSide[k]);
      lo ^= key;
      hi ^= mix32(key);
    }
    this.hashLo = lo;
    this.hashHi = hi;
  }

  private toggleHash(id: number, side: number): void {
    const key = this.zkey(id, side);
    this.hashLo ^= key;
    this.hashHi ^= mix32(key);
  }

  /** Records the current basis; true when it was visited before in this phase (cycling). */
  private revisited(): boolean {
    // Cycles repeat forever, so recording may start late: short solves skip the hashing.
    if (++this.phaseIters < CYCLE_WATCH_AFTER) return false;
    const h = (this.hashHi & 0x1fffff) * 4294967296 + (this.hashLo >>> 0);
    if (this.visited.has(h)) return true;
    this.visited.add(h);
    return false;
  }

  /**
   * Replaces slot q by row `id` at `side` with right-hand side `bound`; `tau` must hold the
   * entering row's tableau row. The first `nFlips` entries of flipK/flipD are slots whose rhsW
   * already moved by flipD (bound flips). One pass over T and B⁻¹: moves x and the activities to
   * the new vertex, applies the rank-one update, recomputes the weights of the rows it changes
   * and updates λ (the basis change: λ'_p = λ_p − λ_q τ_p/α, the entering row takes λ_q/α).
   */
  pivot(q: number, id: number, side: number, bound: number, nFlips: number): void {
    const n = this.n;
    const Binv = this.Binv;
    const T = this.T;
    const tau = this.tau;
    const x = this.x;
    const act = this.act;
    const flipK = this.flipK;
    const flipD = this.flipD;
    const alpha = tau[q];
    const ia = 1 / alpha;
    const kernel = n >= KERNEL_MIN_WIDTH ? this.arena.kernel : null;
    const { tauOff, binvOff, tOff } = this.arena;
    // Step: flips move x by B⁻¹ δ, then θ along B⁻¹ e_q brings row id to its bound.
    let actR = id >= 0 ? act[id] : x[~id];
    for (let f = 0; f < nFlips; f++) actR += tau[flipK[f]] * flipD[f];
    const theta = (bound - actR) * ia;
    for (let j = 0; j < n; j++) {
      const bb = j * n;
      const bq = Binv[bb + q];
      let dx = theta * bq;
      for (let f = 0; f < nFlips; f++) dx += Binv[bb + flipK[f]] * flipD[f];
      x[j] += dx;
      if (bq === 0) continue;
      const beta = bq * ia;
      const ss = kernel ? kernel(binvOff + 8 * bb, beta, tauOff, n) : axpySqJs(Binv, bb, beta, tau, n);
      Binv[bb + q] = beta;
      this.wVar[j] = ss - (bq - beta * alpha) * (bq - beta * alpha) + beta * beta;
    }
    const R = this.R;
    const wRow = this.wRow;
    for (let i = 0; i < R; i++) {
      const tb = i * n;
      const tq = T[tb + q];
      let da = theta * tq;
      for (let f = 0; f < nFlips; f++) da += T[tb + flipK[f]] * flipD[f];
      act[i] += da;
      if (tq === 0) continue;
      const beta = tq * ia;
      const ss = kernel ? kernel(tOff + 8 * tb, beta, tauOff, n) : axpySqJs(T, tb, beta, tau, n);
      T[tb + q] = beta;
      wRow[i] = ss - (tq - beta * alpha) * (tq - beta * alpha) + beta * beta;
    }
    if (!this.cwZero) {
      const lam = this.lam;
      const lq = lam[q] * ia;
      if (lq !== 0) for (let p = 0; p < n; p++) lam[p] -= lq * tau[p];
      lam[q] = lq;
    }
    const old = this.slotId[q];
    this.toggleHash(old, this.slotSide[q]);
    if (old >= 0) this.rowSlot[old] = -1;
    else this.varSlot[~old] = -1;
    this.slotId[q] = id;
    this.slotSide[q] = side;
    this.rhsW[q] = bound;
    // The entering row's tableau row is e_q and its activity the bound, exactly.
    const eb = (id >= 0 ? id : ~id) * n;
    const E = id >= 0 ? T : Binv;
    E.fill(0, eb, eb + n);
    E[eb + q] = 1;
    if (id >= 0) {
      this.rowSlot[id] = q;
      act[id] = bound;
    } else {
      this.varSlot[~id] = q;
      x[~id] = bound;
    }
    this.toggleHash(id, side);
    this.sincRefactor++;
    this.sincFresh++;
  }

  /** x = B⁻¹ rhs and all activities recomputed from scratch. */
  refresh(): void {
    this.computeX();
    this.computeAct();
  }

  // ============================================================================================
  // dual simplex
  // ============================================================================================

  /** Picks the violated row to enter (largest violation² / weight). Sets sigma, viol, enterBound. */
  private priceDual(): number {
    const bland = this.blandNow;
    const P = TOL.PRIMAL;
    let best = NONE;
    let bestScore = -1;
    const R = this.R;
    const act = this.act;
    const lo = this.lo;
    const hi = this.hi;
    const dse = this.set.pricing !== PRICE_DANTZIG;
    // Activities of unit rows at x carry rounding ~ √n ε ‖x‖: violations below that are noise.
    let xs = 0;
    for (let j = 0; j < this.n; j++) xs = Math.max(xs, Math.abs(this.x[j]));
    const noise = ACT_NOISE * Math.sqrt(this.n) * xs;
    for (let i = 0; i < R; i++) {
      if (this.rowSlot[i] >= 0) continue;
      const a = act[i];
      const h = hi[i];
      let v: number;
      let s: number;
      if (a > h) {
        v = a - h;
        if (v <= P * (1 + Math.abs(h)) + noise) continue;
        s = 1;
      } else {
        const l = lo[i];
        if (!(a < l)) continue;
        v = l - a;
        if (v <= P * (1 + Math.abs(l)) + noise) continue;
        s = -1;
      }
      const score = dse ? (v * v) / this.wRow[i] : v * v;
      if (score > bestScore) {
        bestScore = score;
        best = i;
        this.sigma = s;
        this.viol = v;
        this.enterBound = s > 0 ? h : lo[i];
        if (bland) return best;
      }
    }
    const n = this.n;
    for (let j = 0; j < n; j++) {
      if (this.varSlot[j] >= 0) continue;
      const a = this.x[j];
      const h = this.vhi[j];
      let v: number;
      let s: number;
      if (a > h) {
        v = a - h;
        if (v <= P * (1 + Math.abs(h)) + noise) continue;
        s = 1;
      } else {
        const l = this.vlo[j];
        if (!(a < l)) continue;
        v = l - a;
        if (v <= P * (1 + Math.abs(l)) + noise) continue;
        s = -1;
      }
      const score = dse ? (v * v) / this.wVar[j] : v * v;
      if (score > bestScore) {
        bestScore = score;
        best = ~j;
        this.sigma = s;
        this.viol = v;
        this.enterBound = s > 0 ? h : this.vlo[j];
        if (bland) return best;
      }
    }
    return best;
  }

  /**
   * Cheap consistency test of an infeasibility proof on row r before trusting it: g_r = Σ τ_k g_k
   * (to 1e-10 relative) and the proof's right-hand side σ(bound_r − Σ τ_k rhs_k) is negative by
   * at least half the violation tolerance. O(n²).
   */
  private proofSane(r: number): boolean {
    const n = this.n;
    const res = this.d;
    const tau = this.tau;
    if (r >= 0) for (let j = 0; j < n; j++) res[j] = this.G[r * n + j];
    else {
      res.fill(0, 0, n);
      res[~r] = 1;
    }
    let mass = 1;
    let rhs = this.enterBound;
    for (let k = 0; k < n; k++) {
      const t = tau[k];
      if (t === 0) continue;
      mass += Math.abs(t);
      rhs -= t * this.rhsW[k];
      const id = this.slotId[k];
      if (id < 0) res[~id] -= t;
      else for (let j = 0; j < n; j++) res[j] -= t * this.G[id * n + j];
    }
    let worst = 0;
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(res[j]));
    return worst <= 1e-10 * mass && this.sigma * rhs < -0.5 * TOL.PRIMAL * (1 + Math.abs(this.enterBound));
  }

  /** Width of the range of the row held in slot k (flip distance), ∞ if one-sided. */
  private slotRange(k: number): number {
    if (this.slotSide[k] === SIDE_VIRT) return Infinity;
    const id = this.slotId[k];
    return id >= 0 ? this.hi[id] - this.lo[id] : this.vhi[~id] - this.vlo[~id];
  }

  /**
   * Dual ratio test with Harris tolerances and bound flipping. Returns the leaving slot, or −1
   * when the dual ray is unbounded (primal infeasible). Flipped slots are listed in flipK.
   */
  private dualRatio(): number {
    const n = this.n;
    const sigma = this.sigma;
    const tau = this.tau;
    const lam = this.lam;
    const pivTol = this.set.pivotTol;
    const tolD = this.tolD();
    const bland = this.blandNow;
    const harris = this.set.harris && !bland;
    const candK = this.candK;
    const candT = this.candT;
    const candR = this.candR;
    const candH = this.candH;
    let nc = 0;
    for (let k = 0; k < n; k++) {
      const side = this.slotSide[k];
      if (side === SIDE_FIX) continue;
      let tk = sigma * tau[k];
      let lk: number;
      if (side === SIDE_HI) {
        if (tk <= pivTol) continue;
        lk = -lam[k];
      } else if (side === SIDE_LO) {
        if (tk >= -pivTol) continue;
        tk = -tk;
        lk = lam[k];
      } else {
        if (Math.abs(tk) <= pivTol) continue;
        tk = Math.abs(tk);
        lk = 0;
      }
      // Harris bound from the raw λ: an already wrong-signed λ must not drift further.
      const lh = lk + tolD;
      candK[nc] = k;
      candT[nc] = tk;
      candR[nc] = lk > 0 ? lk / tk : 0;
      candH[nc] = lh > 0 ? lh / tk : 0;
      nc++;
    }
    let slope = this.viol;
    const tolSlope = TOL.PRIMAL * (1 + Math.abs(this.enterBound));
    this.nFlip = 0;
    while (nc > 0) {
      let thetaMax = Infinity;
      const rel = harris ? candH : candR;
      for (let c = 0; c < nc; c++) if (rel[c] < thetaMax) thetaMax = rel[c];
      if (harris) {
        // Bound flipping: pass the whole group if the slope stays positive.
        let dec = 0;
        let ok = true;
        for (let c = 0; c < nc; c++) {
          if (candR[c] > thetaMax) continue;
          const range = this.slotRange(candK[c]);
          if (!(range < Infinity)) {
            ok = false;
            break;
          }
          dec += candT[c] * range;
        }
        if (ok && slope - dec > tolSlope) {
          let w = 0;
          for (let c = 0; c < nc; c++) {
            if (candR[c] <= thetaMax) {
              this.flipK[this.nFlip++] = candK[c];
            } else {
              candK[w] = candK[c];
              candT[w] = candT[c];
              candR[w] = candR[c];
              candH[w] = candH[c];
              w++;
            }
          }
          nc = w;
          slope -= dec;
          continue;
        }
      }
      // Choose within the group: largest |τ| (Harris), or smallest constraint index (Bland).
      let q = -1;
      let bestT = -1;
      let bestIdx = NONE;
      for (let c = 0; c < nc; c++) {
        if (candR[c] > thetaMax) continue;
        if (bland) {
          const id = this.slotId[candK[c]];
          const idx = id >= 0 ? id : this.R + ~id;
          if (idx < bestIdx) {
            bestIdx = idx;
            q = c;
          }
        } else if (candT[c] > bestT) {
          bestT = candT[c];
          q = c;
        }
      }
      if (!bland && VIRT_PREFERENCE > 0) {
        // A placeholder row leaving adds a real row to the vertex without dropping one: prefer it
        // unless its pivot is much smaller than the best.
        let qv = -1;
        let bv = VIRT_PREFERENCE * bestT;
        for (let c = 0; c < nc; c++) {
          if (candR[c] > thetaMax || this.slotSide[candK[c]] !== SIDE_VIRT) continue;
          if (candT[c] >= bv) {
            bv = candT[c];
            qv = c;
          }
        }
        if (qv >= 0) q = qv;
      }
      this.step = candR[q];
      return candK[q];
    }
    return -1;
  }

  private applyFlips(): void {
    for (let f = 0; f < this.nFlip; f++) {
      const k = this.flipK[f];
      const id = this.slotId[k];
      const side = this.slotSide[k];
      this.toggleHash(id, side);
      const ns = -side;
      this.slotSide[k] = ns;
      const v = ns === SIDE_HI ? this.rowHi(id) : this.rowLo(id);
      this.flipD[f] = v - this.rhsW[k];
      this.rhsW[k] = v;
      this.toggleHash(id, ns);
    }
  }

  /** α of slot q for the entering row computed from the column of B⁻¹ (drift check). */
  private alphaCol(id: number, q: number): number {
    const n = this.n;
    if (id < 0) return this.Binv[~id * n + q];
    const gb = id * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += this.G[gb + j] * this.Binv[j * n + q];
    return s;
  }

  private limitHit(): number {
    if (this.iterations >= this.maxIterations) return ST_ITER_LIMIT;
    if (this.deadline < Infinity && (this.iterations & 7) === 0 && performance.now() > this.deadline) return ST_TIME_LIMIT;
    return -1;
  }

  /** Refactorises when due. False when the basis is singular. */
  private maybeRefactor(): boolean {
    if (this.sincRefactor < Math.max(REFACTOR_MIN, REFACTOR_PER_N * this.n)) return true;
    return this.refactor();
  }

  /** Dual simplex from a dual feasible basis (for the working cost). */
  dualSimplex(): number {
    this.visited.clear();
    this.phaseIters = 0;
    this.blandNow = this.set.bland;
    let checked = false;
    for (;;) {
      const lim = this.limitHit();
      if (lim >= 0) return lim;
      if (!this.maybeRefactor()) return ST_NUMERIC;
      const r = this.priceDual();
      if (r === NONE || (this.sincFresh > 0 && this.viol <= ACT_RECHECK * (1 + Math.abs(this.enterBound)))) {
        // Stop (or a marginal violation) on incrementally updated activities: confirm from scratch.
        if (this.sincFresh > 0) {
          this.refresh();
          continue;
        }
        if (r === NONE) return ST_OPTIMAL;
      }
      this.loadTau(r);
      const q = this.dualRatio();
      if (q < 0) {
        if (this.sincFresh > 0) {
          this.refresh();
          continue;
        }
        if (this.sincRefactor > 0 && !this.proofSane(r)) {
          // τ or B⁻¹ has drifted: the proof would not check. Rebuild and look again.
          if (!this.refactor()) return ST_NUMERIC;
          continue;
        }
        this.applyFlips();
        if (this.nFlip > 0) {
          this.computeX();
          this.computeAct();
        }
        this.farkasId = r;
        this.farkasSigma = this.sigma;
        return ST_INFEASIBLE;
      }
      const alpha = this.tau[q];
      const ac = this.alphaCol(r, q);
      if (Math.abs(alpha - ac) > ALPHA_CHECK * (1 + Math.abs(alpha))) {
        if (checked || this.sincRefactor === 0) return ST_NUMERIC;
        if (!this.refactor()) return ST_NUMERIC;
        checked = true;
        continue;
      }
      checked = false;
      this.applyFlips();
      const side = this.rowLo(r) === this.rowHi(r) ? SIDE_FIX : this.sigma > 0 ? SIDE_HI : SIDE_LO;
      this.pivot(q, r, side, this.enterBound, this.nFlip);
      this.iterations++;
      if (!this.blandNow && this.revisited()) {
        this.blandNow = true;
        this.note("cycling detected (basis revisited): switched to Bland's rule");
      }
    }
  }

  note(msg: string): void {
    if (!this.warnings.includes(msg)) this.warnings.push(msg);
  }

  // ============================================================================================
  // primal simplex
  // ============================================================================================

  /** Dual infeasibility of slot k (>= 0). */
  private dualInf(k: number): number {
    const l = this.lam[k];
    switch (this.slotSide[k]) {
      case SIDE_HI:
        return l > 0 ? l : 0;
      case SIDE_LO:
        return l < 0 ? -l : 0;
      case SIDE_VIRT:
        return Math.abs(l);
      default:
        return 0;
    }
  }

  maxDualInf(): number {
    let m = 0;
    for (let k = 0; k < this.n; k++) m = Math.max(m, this.dualInf(k));
    return m;
  }

  /**
   * Largest primal violation over rows and variable bounds, each relative to 1 + |bound|, or with
   * `xScaled` to max(1 + |bound|, ‖x‖∞): evaluating a unit row at x costs rounding errors
   * proportional to ‖x‖, so far-away points (unbounded problems) are judged at their own scale.
   */
  maxPrimalInf(xScaled = false): number {
    let xs = 0;
    if (xScaled) for (let j = 0; j < this.n; j++) xs = Math.max(xs, Math.abs(this.x[j]));
    let m = 0;
    for (let i = 0; i < this.R; i++) {
      const a = this.act[i];
      if (a > this.hi[i]) m = Math.max(m, (a - this.hi[i]) / Math.max(1 + Math.abs(this.hi[i]), xs));
      else if (a < this.lo[i]) m = Math.max(m, (this.lo[i] - a) / Math.max(1 + Math.abs(this.lo[i]), xs));
    }
    for (let j = 0; j < this.n; j++) {
      const a = this.x[j];
      if (a > this.vhi[j]) m = Math.max(m, (a - this.vhi[j]) / Math.max(1 + Math.abs(this.vhi[j]), xs));
      else if (a < this.vlo[j]) m = Math.max(m, (this.vlo[j] - a) / Math.max(1 + Math.abs(this.vlo[j]), xs));
    }
    return m;
  }

  /** Primal simplex from a primal feasible basis. On ST_UNBOUNDED the ray is in `d`. */
  primalSimplex(): number {
    this.edgeWeights();
    this.visited.clear();
    this.phaseIters = 0;
    this.blandNow = this.set.bland;
    const n = this.n;
    const Binv = this.Binv;
    const T = this.T;
    const tolD = this.tolD();
    const P = TOL.PRIMAL;
    const pivTol = this.set.pivotTol;
    for (;;) {
      const lim = this.limitHit();
      if (lim >= 0) return lim;
      if (!this.maybeRefactor()) return ST_NUMERIC;
      // Pricing: steepest edge in x-space, λ_k² / ‖B⁻¹ e_k‖²; Bland: smallest constraint index.
      let k = -1;
      let best = -1;
      let bestIdx = NONE;
      if (this.pwStale) this.edgeWeights();
      const pw = this.pw;
      for (let kk = 0; kk < n; kk++) {
        const di = this.dualInf(kk);
        if (di <= tolD) continue;
        if (this.blandNow) {
          const id = this.slotId[kk];
          const idx = id >= 0 ? id : this.R + ~id;
          if (idx < bestIdx) {
            bestIdx = idx;
            k = kk;
          }
          continue;
        }
        const sc = (di * di) / pw[kk];
        if (sc > best) {
          best = sc;
          k = kk;
        }
      }
      if (k < 0) return ST_OPTIMAL;
      const side = this.slotSide[k];
      const s = side === SIDE_HI ? -1 : side === SIDE_LO ? 1 : this.lam[k] > 0 ? -1 : 1;
      // Moving along d = s B⁻¹ e_k: row i's activity changes at rate s T[i][k], variable j at s B⁻¹[j][k].
      const harris = this.set.harris && !this.blandNow;
      // Pass 1: the Harris bound on the step (or the exact minimum ratio).
      let thetaMax = Infinity;
      for (let i = 0; i < this.R; i++) {
        if (this.rowSlot[i] >= 0) continue;
        const r = s * T[i * n + k];
        const th = this.blockRatio(r, this.act[i], this.lo[i], this.hi[i], harris, pivTol, P);
        if (th < thetaMax) thetaMax = th;
      }
      for (let j = 0; j < n; j++) {
        const vs = this.varSlot[j];
        if (vs >= 0 && vs !== k) continue;
        // a variable outside the basis, or the leaving slot's own variable (bound flip / VIRT → bound)
        const r = vs === k ? s : s * Binv[j * n + k];
        const th = this.blockRatio(r, this.x[j], this.vlo[j], this.vhi[j], harris, pivTol, P);
        if (th < thetaMax) thetaMax = th;
      }
      const idk = this.slotId[k];
      let ownRange = Infinity;
      if (idk >= 0 && side !== SIDE_VIRT) {
        // a general row with a finite other side reaches it
        ownRange = this.hi[idk] - this.lo[idk];
        if (ownRange < thetaMax) thetaMax = ownRange;
      }
      if (!(thetaMax < Infinity)) {
        const d = this.d;
        for (let j = 0; j < n; j++) d[j] = s * Binv[j * n + k];
        return ST_UNBOUNDED;
      }
      // Pass 2: among blockers with exact ratio <= thetaMax, the largest |rate| (Bland: smallest index).
      let enter = NONE;
      let enterRate = 0;
      let enterTh = Infinity;
      let bestAbs = -1;
      let bestI = NONE;
      for (let t = 0; t < this.R + n; t++) {
        let id: number;
        let r: number;
        let a: number;
        let l: number;
        let h: number;
        if (t < this.R) {
          if (this.rowSlot[t] >= 0) continue;
          id = t;
          r = s * T[t * n + k];
          a = this.act[t];
          l = this.lo[t];
          h = this.hi[t];
        } else {
          const j = t - this.R;
          const vs = this.varSlot[j];
          if (vs >= 0 && vs !== k) continue;
          id = ~j;
          r = vs === k ? s : s * Binv[j * n + k];
          a = this.x[j];
          l = this.vlo[j];
          h = this.vhi[j];
        }
        const th = this.blockRatio(r, a, l, h, false, pivTol, P);
        if (th > thetaMax) continue;
        if (this.blandNow) {
          if (t < bestI) {
            bestI = t;
            enter = id;
            enterRate = r;
            enterTh = th;
          }
        } else if (Math.abs(r) > bestAbs) {
          bestAbs = Math.abs(r);
          enter = id;
          enterRate = r;
          enterTh = th;
        }
      }
      this.iterations++;
      if (ownRange <= thetaMax && (enter === NONE || ownRange <= enterTh)) {
        // The leaving general row reaches its other bound first: flip, basis unchanged.
        this.setSide(k, -side, -side === SIDE_HI ? this.hi[idk] : this.lo[idk]);
        continue;
      }
      if (enter === NONE) return ST_NUMERIC;
      const eSide = this.rowLo(enter) === this.rowHi(enter) ? SIDE_FIX : enterRate > 0 ? SIDE_HI : SIDE_LO;
      const eBound = enterRate > 0 ? this.rowHi(enter) : this.rowLo(enter);
      if (enter < 0 && this.varSlot[~enter] === k) {
        // The leaving slot's own variable reaches a bound: it stays, at that side.
        this.setSide(k, eSide, eBound);
        continue;
      }
      this.loadTau(enter);
      const alpha = this.tau[k];
      if (!(Math.abs(alpha) > pivTol) || Math.abs(alpha - this.alphaCol(enter, k)) > ALPHA_CHECK * (1 + Math.abs(alpha))) {
        this.iterations--;
        if (this.sincRefactor === 0 || !this.refactor()) return ST_NUMERIC;
        continue;
      }
      this.updateEdgeWeights(k, alpha);
      this.pivot(k, enter, eSide, eBound, 0);
      if (!this.blandNow && enterTh === 0 && this.revisited()) {
        this.blandNow = true;
        this.note("cycling detected (basis revisited): switched to Bland's rule");
      }
    }
  }

  /** pw_k = ‖B⁻¹ e_k‖² from scratch (one row-major sweep). */
  private edgeWeights(): void {
    this.pwStale = false;
    const n = this.n;
    const pw = this.pw;
    const Binv = this.Binv;
    pw.fill(0, 0, n);
    for (let j = 0; j < n; j++) {
      const bb = j * n;
      for (let p = 0; p < n; p++) {
        const b = Binv[bb + p];
        pw[p] += b * b;
      }
    }
  }

  /**
   * Updates pw for the pivot on slot k (before it): column p of B⁻¹ becomes
   * B⁻¹e_p − (τ_p/α) u with u = B⁻¹e_k, so pw_p += −2(τ_p/α)(u·B⁻¹e_p) + (τ_p/α)² pw_k and
   * pw_k /= α². v = B⁻ᵀu is accumulated row by row in the SIMD kernel: O(n²).
   */
  private updateEdgeWeights(k: number, alpha: number): void {
    const n = this.n;
    const Binv = this.Binv;
    const v = this.v;
    const tau = this.tau;
    const pw = this.pw;
    const kernel = n >= KERNEL_MIN_WIDTH ? this.arena.kernel : null;
    const { vOff, binvOff } = this.arena;
    v.fill(0, 0, n);
    for (let j = 0; j < n; j++) {
      const uj = Binv[j * n + k];
      if (uj === 0) continue;
      if (kernel) kernel(vOff, -uj, binvOff + 8 * j * n, n);
      else for (let p = 0; p < n; p++) v[p] += uj * Binv[j * n + p];
    }
    const gk = pw[k];
    for (let p = 0; p < n; p++) {
      if (p === k) continue;
      const r = tau[p] / alpha;
      if (r === 0) continue;
      const big = pw[p] + r * r * gk;
      const g = pw[p] - 2 * r * v[p] + r * r * gk;
      // Cancellation amplifies the error of the old weights: recompute them before the next use.
      if (!(g > PW_CANCEL * big)) this.pwStale = true;
      pw[p] = g > 1e-300 ? g : 1e-300;
    }
    pw[k] = gk / (alpha * alpha);
  }

  /**
   * Step after which a row with activity a, range [l, h] and activity rate r blocks (∞ if never):
   * the exact ratio, or with `relax` the Harris ratio that lets it overshoot by its tolerance.
   */
  private blockRatio(r: number, a: number, l: number, h: number, relax: boolean, pivTol: number, P: number): number {
    // (with `relax`, a row already violated gets a smaller bound, so violations cannot accumulate)
    if (r > pivTol) {
      if (!(h < Infinity)) return Infinity;
      const sl = h - a + (relax ? P * (1 + Math.abs(h)) : 0);
      return (sl > 0 ? sl : 0) / r;
    }
    if (r < -pivTol) {
      if (!(l > -Infinity)) return Infinity;
      const sl = a - l + (relax ? P * (1 + Math.abs(l)) : 0);
      return (sl > 0 ? sl : 0) / -r;
    }
    return Infinity;
  }

  /** Moves slot k to another side/right-hand side of the same row (no basis change). */
  private setSide(k: number, side: number, rhs: number): void {
    const id = this.slotId[k];
    this.toggleHash(id, this.slotSide[k]);
    const delta = rhs - this.rhsW[k];
    this.slotSide[k] = side;
    this.rhsW[k] = rhs;
    this.toggleHash(id, side);
    // x moves by δ B⁻¹ e_k, row i's activity by δ T[i][k]
    const n = this.n;
    for (let j = 0; j < n; j++) this.x[j] += delta * this.Binv[j * n + k];
    for (let i = 0; i < this.R; i++) this.act[i] += delta * this.T[i * n + k];
    if (id >= 0) this.act[id] = rhs;
    else this.x[~id] = rhs;
    this.sincFresh++;
  }

  // ============================================================================================
  // driver
  // ============================================================================================

  /**
   * Solves from the current basis: dual simplex when the basis is dual feasible, primal simplex
   * when it is primal feasible, otherwise dual simplex on shifted costs then primal clean-up.
   */
  run(rng: Rng | null): number {
    this.farkasId = NONE;
    this.trivialId = NONE;
    if (this.badZeroRows > 0) {
      for (let i = 0; i < this.R; i++) {
        if (this.kind[i] === K_ZERO_BAD) {
          this.trivialId = i;
          return ST_INFEASIBLE;
        }
      }
    }
    for (let j = 0; j < this.n; j++) {
      if (this.vlo[j] > this.vhi[j]) {
        this.trivialId = ~j;
        return ST_INFEASIBLE;
      }
    }
    if (!this.hasBasis) this.coldBasis();
    this.useTrueCost();
    this.computeLambda();
    const tolD = this.tolD();
    const dualOk = this.maxDualInf() <= tolD;
    let shifted = false;
    if (this.set.perturb && rng) {
      // Perturb every non-fixed multiplier into the strict interior of its sign range.
      const lamNew = this.d;
      const eps = 1e-7 * Math.max(1, this.cNorm);
      for (let k = 0; k < this.n; k++) {
        const l = this.lam[k];
        const e = eps * (1 + rng.next());
        switch (this.slotSide[k]) {
          case SIDE_HI:
            lamNew[k] = Math.min(l, 0) - e;
            break;
          case SIDE_LO:
            lamNew[k] = Math.max(l, 0) + e;
            break;
          case SIDE_VIRT:
            lamNew[k] = 0;
            break;
          default:
            lamNew[k] = l;
        }
      }
      this.setCostFromLambda(lamNew);
      shifted = true;
    } else if (!dualOk && this.maxPrimalInf() > TOL.PRIMAL) {
      // Cost shifting: zero the wrong-signed multipliers so the dual simplex can start.
      const lamNew = this.d;
      for (let k = 0; k < this.n; k++) lamNew[k] = this.dualInf(k) > 0 ? 0 : this.lam[k];
      this.setCostFromLambda(lamNew);
      shifted = true;
    }
    if (shifted || dualOk) {
      const st = this.dualSimplex();
      if (st !== ST_OPTIMAL) return st;
    }
    if (shifted) {
      this.useTrueCost();
      this.computeLambda();
    }
    if (this.maxDualInf() > tolD) {
      const st = this.primalSimplex();
      if (st !== ST_OPTIMAL) return st;
    }
    return ST_OPTIMAL;
  }
}
