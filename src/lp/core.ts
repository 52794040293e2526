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
 * Methods: dual simplex (dual steepest-edge pricing with exact weight updates, Harris ratio test
 * with bound flipping), primal simplex (steepest edge in x-space, Harris ratio test), cost
 * shifting to start the dual from any basis, Zobrist hashing of visited bases to detect
 * cycling (then Bland's rule), optional cost perturbation.
 */
import { TOL } from '../tolerance.js';
import { Rng } from '../util/rng.js';

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

/** Dual pricing rules. */
export const PRICE_DANTZIG = 0;
export const PRICE_DEVEX = 1;
export const PRICE_DSE = 2;

/** Row kinds. */
const K_INEQ = 0;
const K_EQ = 1;
/** A zero row whose right-hand side is consistent (0 <= b or 0 = 0): never active. */
const K_ZERO_OK = 2;
/** A zero row that is violated on its own (0 <= b < 0 or 0 = b != 0): proves infeasibility. */
const K_ZERO_BAD = 3;

const NONE = 0x7fffffff;
/** Pivots between two refactorisations of B⁻¹. */
const REFACTOR_EVERY = process.env.LPREF ? Number(process.env.LPREF) : 100;
/** |α_row − α_col| above this (relative) means B⁻¹ has drifted: refactorise before pivoting. */
const ALPHA_CHECK = 1e-8;

/** Knobs changed by the retry ladder. */
export interface EngineSettings {
  /** Pivot elements with |α| <= pivotTol are never used. */
  pivotTol: number;
  /** Dual pricing: PRICE_DSE (steepest edge), PRICE_DEVEX, or PRICE_DANTZIG (largest violation of unit rows). */
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
  pricing: process.env.LPPRICE ? Number(process.env.LPPRICE) : PRICE_DSE,
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
  // ---- scratch -------------------------------------------------------------------------------
  tau = new Float64Array(0);
  u = new Float64Array(0);
  z = new Float64Array(0);
  d = new Float64Array(0);
  w = new Float64Array(0);
  rho = new Float64Array(0);
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
  blandNow = false;
  hashLo = 0;
  hashHi = 0;
  visited = new Set<number>();
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
    this.Binv = new Float64Array(c * c);
    this.x = new Float64Array(c);
    this.lam = new Float64Array(c);
    this.wVar = new Float64Array(c);
    this.tau = new Float64Array(c);
    this.u = new Float64Array(c);
    this.z = new Float64Array(c);
    this.d = new Float64Array(c);
    this.w = new Float64Array(c);
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
  }

  /** Makes room for `rows` general rows of the current width n, keeping the first R rows. */
  ensureRows(rows: number): void {
    const n = this.n;
    if (rows * n > this.G.length) {
      const cap = Math.max(rows, this.R * 2, 16) * n;
      const G = new Float64Array(cap);
      G.set(this.G.subarray(0, this.R * n));
      this.G = G;
      const T = new Float64Array(cap);
      T.set(this.T.subarray(0, this.R * n));
      this.T = T;
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
      this.rho = new Float64Array(cap);
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

  /** Appends the inequality a·x <= b (a is not normalised by the caller). */
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
    if (this.set.pricing === PRICE_DSE) {
      this.loadTau(i);
      let tt = 1;
      for (let p = 0; p < n; p++) tt += this.tau[p] * this.tau[p];
      this.wRow[i] = tt;
    } else this.wRow[i] = 1;
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
        this.computeLambda();
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
    const w0 = this.set.pricing === PRICE_DSE ? 2 : 1;
    for (let i = 0; i < R; i++) {
      this.rowSlot[i] = -1;
      this.wRow[i] = w0;
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
      this.wVar[j] = w0;
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

  /** tau = g_id B⁻¹ (the row's coordinates in the slot rows). */
  loadTau(id: number): void {
    const n = this.n;
    const Binv = this.Binv;
    const tau = this.tau;
    if (id < 0) {
      const base = ~id * n;
      for (let p = 0; p < n; p++) tau[p] = Binv[base + p];
      return;
    }
    tau.fill(0, 0, n);
    const G = this.G;
    const gb = id * n;
    for (let j = 0; j < n; j++) {
      const gj = G[gb + j];
      if (gj === 0) continue;
      const bb = j * n;
      for (let p = 0; p < n; p++) tau[p] += gj * Binv[bb + p];
    }
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
    const h = (this.hashHi & 0x1fffff) * 4294967296 + (this.hashLo >>> 0);
    if (this.visited.has(h)) return true;
    this.visited.add(h);
    return false;
  }

  /**
   * Replaces slot q by row `id` at `side` with right-hand side `bound`; `tau` must hold g_id B⁻¹.
   * The first `nFlips` entries of flipK/flipD are slots whose rhsW already moved by flipD (bound
   * flips). Moves x to the new vertex, updates B⁻¹ (rank one), the activities of the rows
   * outside the basis and the pricing weights. λ is left to the caller.
   */
  pivot(q: number, id: number, side: number, bound: number, nFlips: number): void {
    const n = this.n;
    const Binv = this.Binv;
    const tau = this.tau;
    const u = this.u;
    const z = this.z;
    const w = this.w;
    const x = this.x;
    const alpha = tau[q];
    const pricing = this.set.pricing;
    for (let j = 0; j < n; j++) u[j] = Binv[j * n + q];
    // Step: flips move x by w = B⁻¹ δ, then θ along u brings row id to its bound.
    let actR = id >= 0 ? this.act[id] : x[~id];
    if (nFlips > 0) {
      w.fill(0, 0, n);
      for (let f = 0; f < nFlips; f++) {
        const k = this.flipK[f];
        const dl = this.flipD[f];
        for (let j = 0; j < n; j++) w[j] += Binv[j * n + k] * dl;
        actR += tau[k] * dl;
      }
    }
    const theta = (bound - actR) / alpha;
    if (nFlips > 0) for (let j = 0; j < n; j++) x[j] += w[j] + theta * u[j];
    else if (theta !== 0) for (let j = 0; j < n; j++) x[j] += theta * u[j];
    let tt = 0;
    for (let p = 0; p < n; p++) tt += tau[p] * tau[p];
    if (pricing === PRICE_DSE) {
      for (let j = 0; j < n; j++) {
        const bb = j * n;
        let s = 0;
        for (let p = 0; p < n; p++) s += Binv[bb + p] * tau[p];
        z[j] = s;
      }
    }
    const wEnter = pricing === PRICE_DEVEX ? (id >= 0 ? this.wRow[id] : this.wVar[~id]) : 0;
    // B⁻¹ ← B⁻¹ − u (τ − e_q)ᵀ / α
    const ia = 1 / alpha;
    for (let j = 0; j < n; j++) {
      const f = u[j] * ia;
      if (f === 0) continue;
      const bb = j * n;
      for (let p = 0; p < n; p++) Binv[bb + p] -= f * tau[p];
      Binv[bb + q] = f;
    }
    const old = this.slotId[q];
    this.toggleHash(old, this.slotSide[q]);
    if (old >= 0) this.rowSlot[old] = -1;
    else this.varSlot[~old] = -1;
    this.slotId[q] = id;
    this.slotSide[q] = side;
    this.rhsW[q] = bound;
    if (id >= 0) this.rowSlot[id] = q;
    else this.varSlot[~id] = q;
    this.toggleHash(id, side);
    // One pass over the rows outside the basis: activities and weights.
    const G = this.G;
    const act = this.act;
    const wRow = this.wRow;
    const c2 = tt - 2 * alpha + 1;
    const R = this.R;
    for (let i = 0; i < R; i++) {
      if (this.rowSlot[i] >= 0) continue;
      const base = i * n;
      let su = 0;
      if (pricing === PRICE_DSE) {
        let sz = 0;
        if (nFlips > 0) {
          let sw = 0;
          for (let j = 0; j < n; j++) {
            const g = G[base + j];
            su += g * u[j];
            sz += g * z[j];
            sw += g * w[j];
          }
          act[i] += sw;
        } else {
          for (let j = 0; j < n; j++) {
            const g = G[base + j];
            su += g * u[j];
            sz += g * z[j];
          }
        }
        const beta = su * ia;
        const wi = wRow[i] - 2 * beta * (sz - su) + beta * beta * c2;
        const wmin = 1 + beta * beta;
        wRow[i] = wi > wmin ? wi : wmin;
      } else {
        if (nFlips > 0) {
          let sw = 0;
          for (let j = 0; j < n; j++) {
            const g = G[base + j];
            su += g * u[j];
            sw += g * w[j];
          }
          act[i] += sw;
        } else {
          for (let j = 0; j < n; j++) su += G[base + j] * u[j];
        }
        if (pricing === PRICE_DEVEX) {
          const beta = su * ia;
          const wi = beta * beta * wEnter;
          if (wi > wRow[i]) wRow[i] = wi;
        }
      }
      act[i] += theta * su;
    }
    if (old >= 0) {
      // Rows in the basis are skipped above, so the leaving row's activity is refreshed here.
      const gb = old * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += G[gb + j] * x[j];
      act[old] = s;
    }
    if (pricing === PRICE_DSE) {
      const wVar = this.wVar;
      for (let j = 0; j < n; j++) {
        if (this.varSlot[j] >= 0) continue;
        const beta = u[j] * ia;
        const wi = wVar[j] - 2 * beta * (z[j] - u[j]) + beta * beta * c2;
        const wmin = 1 + beta * beta;
        wVar[j] = wi > wmin ? wi : wmin;
      }
      // The row that left: 1 + ||τ'||² with ||τ'||² = (||τ||² − α² + 1)/α².
      const wl = 1 + (tt - alpha * alpha + 1) * ia * ia;
      if (old >= 0) wRow[old] = wl;
      else wVar[~old] = wl;
    } else if (pricing === PRICE_DEVEX) {
      const wVar = this.wVar;
      for (let j = 0; j < n; j++) {
        if (this.varSlot[j] >= 0) continue;
        const beta = u[j] * ia;
        const wi = beta * beta * wEnter;
        if (wi > wVar[j]) wVar[j] = wi;
      }
      const wl = Math.max(wEnter * ia * ia, 1);
      if (old >= 0) wRow[old] = wl;
      else wVar[~old] = wl;
    }
    this.sincRefactor++;
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
    for (let i = 0; i < R; i++) {
      if (this.rowSlot[i] >= 0) continue;
      const a = act[i];
      const h = hi[i];
      let v: number;
      let s: number;
      if (a > h) {
        v = a - h;
        if (v <= P * (1 + Math.abs(h))) continue;
        s = 1;
      } else {
        const l = lo[i];
        if (!(a < l)) continue;
        v = l - a;
        if (v <= P * (1 + Math.abs(l))) continue;
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
        if (v <= P * (1 + Math.abs(h))) continue;
        s = 1;
      } else {
        const l = this.vlo[j];
        if (!(a < l)) continue;
        v = l - a;
        if (v <= P * (1 + Math.abs(l))) continue;
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
      if (lk < 0) lk = 0;
      candK[nc] = k;
      candT[nc] = tk;
      candR[nc] = lk / tk;
      candH[nc] = (lk + tolD) / tk;
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
    if (this.sincRefactor < REFACTOR_EVERY) return true;
    return this.refactor();
  }

  /** Dual simplex from a dual feasible basis (for the working cost). */
  dualSimplex(): number {
    this.visited.clear();
    this.blandNow = this.set.bland;
    let checked = false;
    for (;;) {
      const lim = this.limitHit();
      if (lim >= 0) return lim;
      if (!this.maybeRefactor()) return ST_NUMERIC;
      const r = this.priceDual();
      if (r === NONE) return ST_OPTIMAL;
      this.loadTau(r);
      const q = this.dualRatio();
      if (q < 0) {
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
      // λ update: λ_k += σ t τ_k, the entering row takes −σ t.
      const t = this.step;
      if (!this.cwZero && t !== 0) {
        const st = this.sigma * t;
        const n = this.n;
        for (let k = 0; k < n; k++) this.lam[k] += st * this.tau[k];
      }
      const side = this.rowLo(r) === this.rowHi(r) ? SIDE_FIX : this.sigma > 0 ? SIDE_HI : SIDE_LO;
      this.pivot(q, r, side, this.enterBound, this.nFlip);
      this.lam[q] = this.cwZero ? 0 : -this.sigma * t;
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

  /** Largest primal violation over rows and variable bounds, each relative to 1 + |bound|. */
  maxPrimalInf(): number {
    let m = 0;
    for (let i = 0; i < this.R; i++) {
      const a = this.act[i];
      if (a > this.hi[i]) m = Math.max(m, (a - this.hi[i]) / (1 + Math.abs(this.hi[i])));
      else if (a < this.lo[i]) m = Math.max(m, (this.lo[i] - a) / (1 + Math.abs(this.lo[i])));
    }
    for (let j = 0; j < this.n; j++) {
      const a = this.x[j];
      if (a > this.vhi[j]) m = Math.max(m, (a - this.vhi[j]) / (1 + Math.abs(this.vhi[j])));
      else if (a < this.vlo[j]) m = Math.max(m, (this.vlo[j] - a) / (1 + Math.abs(this.vlo[j])));
    }
    return m;
  }

  /** Primal simplex from a primal feasible basis. On ST_UNBOUNDED the ray is in `d`. */
  primalSimplex(): number {
    this.visited.clear();
    this.blandNow = this.set.bland;
    const n = this.n;
    const Binv = this.Binv;
    const tolD = this.tolD();
    const P = TOL.PRIMAL;
    for (;;) {
      const lim = this.limitHit();
      if (lim >= 0) return lim;
      if (!this.maybeRefactor()) return ST_NUMERIC;
      // Pricing: steepest edge in x-space, |λ_k| / ||B⁻¹ e_k||.
      let kBest = -1;
      let best = -1;
      let bestIdx = NONE;
      const colN = this.z;
      colN.fill(0, 0, n);
      for (let j = 0; j < n; j++) {
        const bb = j * n;
        for (let p = 0; p < n; p++) colN[p] += Binv[bb + p] * Binv[bb + p];
      }
      for (let k = 0; k < n; k++) {
        const di = this.dualInf(k);
        if (di <= tolD) continue;
        if (this.blandNow) {
          const id = this.slotId[k];
          const idx = id >= 0 ? id : this.R + ~id;
          if (idx < bestIdx) {
            bestIdx = idx;
            kBest = k;
          }
          continue;
        }
        const sc = (di * di) / colN[k];
        if (sc > best) {
          best = sc;
          kBest = k;
        }
      }
      if (kBest < 0) return ST_OPTIMAL;
      const k = kBest;
      const side = this.slotSide[k];
      const s = side === SIDE_HI ? -1 : side === SIDE_LO ? 1 : this.lam[k] > 0 ? -1 : 1;
      const d = this.d;
      for (let j = 0; j < n; j++) d[j] = s * Binv[j * n + k];
      // Ratio test over rows outside the basis (activity rate ρ = g·d).
      const G = this.G;
      const rho = this.rho;
      const pivTol = this.set.pivotTol;
      const harris = this.set.harris && !this.blandNow;
      let thetaMax = Infinity;
      for (let i = 0; i < this.R; i++) {
        if (this.rowSlot[i] >= 0) {
          rho[i] = 0;
          continue;
        }
        const base = i * n;
        let r = 0;
        for (let j = 0; j < n; j++) r += G[base + j] * d[j];
        rho[i] = r;
        if (r > pivTol) {
          const h = this.hi[i];
          if (h < Infinity) {
            const sl = h - this.act[i];
            const th = ((sl > 0 ? sl : 0) + (harris ? P * (1 + Math.abs(h)) : 0)) / r;
            if (th < thetaMax) thetaMax = th;
          }
        } else if (r < -pivTol) {
          const l = this.lo[i];
          if (l > -Infinity) {
            const sl = this.act[i] - l;
            const th = ((sl > 0 ? sl : 0) + (harris ? P * (1 + Math.abs(l)) : 0)) / -r;
            if (th < thetaMax) thetaMax = th;
          }
        }
      }
      for (let j = 0; j < n; j++) {
        const vs = this.varSlot[j];
        if (vs >= 0 && vs !== k) continue;
        // A variable outside the basis, or the leaving slot's own variable (flip / VIRT → bound).
        const r = vs === k ? s : d[j];
        if (r > pivTol) {
          const h = this.vhi[j];
          if (h < Infinity) {
            const sl = h - this.x[j];
            const th = ((sl > 0 ? sl : 0) + (harris ? P * (1 + Math.abs(h)) : 0)) / r;
            if (th < thetaMax) thetaMax = th;
          }
        } else if (r < -pivTol) {
          const l = this.vlo[j];
          if (l > -Infinity) {
            const sl = this.x[j] - l;
            const th = ((sl > 0 ? sl : 0) + (harris ? P * (1 + Math.abs(l)) : 0)) / -r;
            if (th < thetaMax) thetaMax = th;
          }
        }
      }
      // Own flip of a general row with a finite other side.
      const idk = this.slotId[k];
      let ownRange = Infinity;
      if (idk >= 0 && side !== SIDE_VIRT) {
        ownRange = this.hi[idk] - this.lo[idk];
        if (ownRange < thetaMax) thetaMax = ownRange;
      }
      if (!(thetaMax < Infinity)) return ST_UNBOUNDED;
      // Second pass: among blockers with exact ratio <= thetaMax, the largest |ρ|.
      let enter = NONE;
      let enterRho = 0;
      let enterTh = 0;
      let bestAbs = -1;
      let bestI = NONE;
      const consider = (id: number, r: number, th: number): void => {
        if (th > thetaMax) return;
        if (this.blandNow) {
          const idx = id >= 0 ? id : this.R + ~id;
          if (idx < bestI || (idx === bestI && th < enterTh)) {
            bestI = idx;
            enter = id;
            enterRho = r;
            enterTh = th;
          }
          return;
        }
        const a = Math.abs(r);
        if (a > bestAbs) {
          bestAbs = a;
          enter = id;
          enterRho = r;
          enterTh = th;
        }
      };
      for (let i = 0; i < this.R; i++) {
        if (this.rowSlot[i] >= 0) continue;
        const r = rho[i];
        if (r > pivTol && this.hi[i] < Infinity) {
          const sl = this.hi[i] - this.act[i];
          consider(i, r, (sl > 0 ? sl : 0) / r);
        } else if (r < -pivTol && this.lo[i] > -Infinity) {
          const sl = this.act[i] - this.lo[i];
          consider(i, r, (sl > 0 ? sl : 0) / -r);
        }
      }
      for (let j = 0; j < n; j++) {
        const vs = this.varSlot[j];
        if (vs >= 0 && vs !== k) continue;
        const r = vs === k ? s : d[j];
        if (r > pivTol && this.vhi[j] < Infinity) {
          const sl = this.vhi[j] - this.x[j];
          consider(~j, r, (sl > 0 ? sl : 0) / r);
        } else if (r < -pivTol && this.vlo[j] > -Infinity) {
          const sl = this.x[j] - this.vlo[j];
          consider(~j, r, (sl > 0 ? sl : 0) / -r);
        }
      }
      if (ownRange <= thetaMax && (enter === NONE || ownRange <= enterTh)) {
        // The leaving general row reaches its other bound first: flip, basis unchanged.
        this.toggleHash(idk, side);
        const ns = -side;
        this.slotSide[k] = ns;
        this.rhsW[k] = ns === SIDE_HI ? this.hi[idk] : this.lo[idk];
        this.toggleHash(idk, ns);
        this.computeX();
        this.computeAct();
        this.iterations++;
        continue;
      }
      if (enter === NONE) return ST_NUMERIC;
      const eSide = this.rowLo(enter) === this.rowHi(enter) ? SIDE_FIX : enterRho > 0 ? SIDE_HI : SIDE_LO;
      const eBound = enterRho > 0 ? this.rowHi(enter) : this.rowLo(enter);
      if (enter < 0 && this.varSlot[~enter] === k) {
        // The leaving VIRT/bound slot's own variable hits a bound: change side, basis unchanged.
        this.toggleHash(enter, side);
        this.slotSide[k] = eSide;
        this.rhsW[k] = eBound;
        this.toggleHash(enter, eSide);
        this.computeX();
        this.computeAct();
        this.iterations++;
        continue;
      }
      this.loadTau(enter);
      const alpha = this.tau[k];
      if (!(Math.abs(alpha) > pivTol) || Math.abs(alpha - enterRho * s) > ALPHA_CHECK * (1 + Math.abs(alpha))) {
        if (this.sincRefactor === 0 || !this.refactor()) return ST_NUMERIC;
        continue;
      }
      this.pivot(k, enter, eSide, eBound, 0);
      this.computeLambda();
      this.iterations++;
      if (!this.blandNow && enterTh === 0 && this.revisited()) {
        this.blandNow = true;
        this.note("cycling detected (basis revisited): switched to Bland's rule");
      }
    }
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
