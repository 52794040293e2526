/**
 * Turning the engine's state into an {@link LpResult}, and the cheap from-scratch checks every
 * answer passes before it is returned. Internal.
 */
import { TOL } from '../tolerance.js';
import type { FarkasCertificate, LpResult } from './types.js';
import { SIDE_FIX, SIDE_HI, SIDE_LO, SIDE_VIRT, type SimplexCore } from './core.js';

/** Multipliers below this fraction of the largest are rounding noise of exact zeros. */
const FARKAS_DROP = 1e-12;

/** Whether general row i is an equality, and its position among the caller's rows of its kind. */
function isEqRow(core: SimplexCore, i: number): boolean {
  return i >= core.m0 && i < core.m0 + core.meq;
}
function outIndex(core: SimplexCore, i: number): number {
  return i < core.m0 ? i : i < core.m0 + core.meq ? i - core.m0 : i - core.meq;
}

/** Number of inequality rows as seen by the caller (original and added). */
export function ineqCount(core: SimplexCore): number {
  return core.R - core.meq;
}

/**
 * Checks the current basis as an optimum from scratch: x = B⁻¹ rhs reproduces the slot rows,
 * every row and bound holds, λ = B⁻ᵀ c has the right signs and c = Σ λ_k g_k. Recomputes x,
 * activities and λ for the true cost. Returns a failure description or null.
 */
export function checkOptimal(core: SimplexCore): string | null {
  const n = core.n;
  const V = TOL.LP_VERIFY;
  core.computeX();
  core.computeAct();
  core.useTrueCost();
  core.computeLambda();
  for (let k = 0; k < n; k++) {
    const id = core.slotId[k];
    const a = id >= 0 ? core.act[id] : core.x[~id];
    if (!(Math.abs(a - core.rhsW[k]) <= V * (1 + Math.abs(core.rhsW[k])))) return 'basis rows not reproduced by x';
  }
  const pinf = core.maxPrimalInf(true);
  if (!(pinf <= V)) return `primal residual ${pinf.toExponential(2)}`;
  const dscale = Math.max(1, core.cNorm);
  const dinf = core.maxDualInf();
  if (!(dinf <= V * dscale)) return `dual infeasibility ${dinf.toExponential(2)}`;
  const r = core.d;
  for (let j = 0; j < n; j++) r[j] = core.c[j];
  for (let k = 0; k < n; k++) {
    const l = core.lam[k];
    if (l === 0) continue;
    const id = core.slotId[k];
    if (id < 0) r[~id] -= l;
    else {
      const gb = id * n;
      for (let j = 0; j < n; j++) r[j] -= l * core.G[gb + j];
    }
  }
  for (let j = 0; j < n; j++) if (!(Math.abs(r[j]) <= V * dscale)) return 'stationarity residual';
  return null;
}

/** Multipliers (coefficient κ on each unit row) of the infeasibility proof; see buildFarkas. */
interface FarkasRaw {
  /** κ on general rows (length R) and on variable rows (length n). */
  rows: Float64Array;
  vars: Float64Array;
  rhs: number;
  residual: number;
  mass: number;
  /** Largest |bound| used: with the residual it bounds the rounding in rhs. */
  bmax: number;
}

/** The certificate proves infeasibility in floating point: tiny residual, clearly negative rhs. */
function farkasOk(f: FarkasRaw): boolean {
  return f.residual <= TOL.FARKAS * f.mass && f.rhs < -TOL.FARKAS * f.mass * (1 + f.bmax);
}

/**
 * The dual simplex stopped on row r (violated in direction σ) with no slot able to leave:
 * σ g_r − Σ_k σ τ_k g_k = 0 with every κ_k = −σ τ_k of the sign its slot's side allows.
 * Tiny wrong-signed κ (below the pivot tolerance, ignored by the ratio test) are zeroed.
 */
function farkasRaw(core: SimplexCore): FarkasRaw {
  const n = core.n;
  const rows = new Float64Array(core.R);
  const vars = new Float64Array(n);
  let rhs = 0;
  let bmax = 0;
  const put = (id: number, kappa: number, bound: number): void => {
    if (kappa === 0) return;
    if (id >= 0) rows[id] += kappa;
    else vars[~id] += kappa;
    rhs += kappa * bound;
    bmax = Math.max(bmax, Math.abs(bound));
  };
  const tid = core.trivialId;
  if (tid !== 0x7fffffff) {
    if (tid >= 0) {
      // 0·x <= b < 0 (κ = 1) or 0·x = b != 0 (κ = −sign b): stored hi is +∞ for zero rows.
      const isEq = isEqRow(core, tid);
      const b = core.zrhs[tid];
      const kappa = isEq ? -Math.sign(b) : 1;
      rows[tid] = kappa;
      rhs = kappa * b;
    } else {
      // x_j <= u_j and −x_j <= −l_j with u_j < l_j.
      const j = ~tid;
      vars[j] = 0;
      rhs = core.vhi[j] - core.vlo[j];
    }
    return { rows, vars, rhs, residual: 0, mass: 0, bmax: 0 };
  }
  const r = core.farkasId;
  const sigma = core.farkasSigma;
  // κ of the slots (clipped to their sign); exact zeros that rounding turned into ~1e-16 are
  // dropped when the residual allows it, so an exact checker sees the true support.
  const kap = core.w;
  for (let k = 0; k < n; k++) {
    let kappa = -sigma * core.tau[k];
    const side = core.slotSide[k];
    if ((side === SIDE_HI && kappa < 0) || (side === SIDE_LO && kappa > 0) || side === SIDE_VIRT) kappa = 0;
    kap[k] = kappa;
  }
  const assemble = (dropBelow: number): FarkasRaw => {
    rows.fill(0);
    vars.fill(0);
    rhs = 0;
    bmax = 0;
    put(r, sigma, sigma > 0 ? core.rowHi(r) : core.rowLo(r));
    for (let k = 0; k < n; k++) if (Math.abs(kap[k]) > dropBelow) put(core.slotId[k], kap[k], core.rhsW[k]);
    // Residual Σ κ g over unit rows (the same vector in original units, since y_i = κ_i / ‖a_i‖).
    const res = core.d;
    res.fill(0, 0, n);
    let mass = 0;
    for (let i = 0; i < core.R; i++) {
      const kappa = rows[i];
      if (kappa === 0) continue;
      mass += Math.abs(kappa);
      const gb = i * n;
      for (let j = 0; j < n; j++) res[j] += kappa * core.G[gb + j];
    }
    for (let j = 0; j < n; j++) {
      res[j] += vars[j];
      mass += Math.abs(vars[j]);
    }
    let residual = 0;
    for (let j = 0; j < n; j++) residual = Math.max(residual, Math.abs(res[j]));
    return { rows, vars, rhs, residual, mass, bmax };
  };
  let big = 1;
  for (let k = 0; k < n; k++) big = Math.max(big, Math.abs(kap[k]));
  const clean = assemble(FARKAS_DROP * big);
  if (farkasOk(clean)) return clean;
  return assemble(0);
}

/** Builds and checks the certificate; null when it does not prove infeasibility. */
export function buildFarkas(core: SimplexCore): FarkasCertificate | null {
  const raw = farkasRaw(core);
  if (!farkasOk(raw)) return null;
  const mOut = ineqCount(core);
  const y = new Float64Array(mOut);
  const yEq = new Float64Array(core.meq);
  const yUpper = new Float64Array(core.n);
  const yLower = new Float64Array(core.n);
  for (let i = 0; i < core.R; i++) {
    const kappa = raw.rows[i];
    if (kappa === 0) continue;
    const isEq = isEqRow(core, i);
    const idx = outIndex(core, i);
    if (isEq) yEq[idx] = kappa / core.scale[i];
    else y[idx] = kappa / core.scale[i];
  }
  if (core.trivialId !== 0x7fffffff && core.trivialId < 0) {
    const j = ~core.trivialId;
    yUpper[j] = 1;
    yLower[j] = 1;
  } else {
    for (let j = 0; j < core.n; j++) {
      const kappa = raw.vars[j];
      if (kappa > 0) yUpper[j] = kappa;
      else if (kappa < 0) yLower[j] = -kappa;
    }
  }
  return { y, yEq, yUpper, yLower };
}

/** Checks the ray in core.d (x-space) against every row and bound, and c·d < 0. */
export function checkRay(core: SimplexCore, ray: Float64Array): boolean {
  const n = core.n;
  let nrm = 0;
  for (let j = 0; j < n; j++) nrm = Math.max(nrm, Math.abs(ray[j]));
  if (!(nrm > 0)) return false;
  const tol = TOL.FARKAS * nrm;
  for (let i = 0; i < core.R; i++) {
    const gb = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += core.G[gb + j] * ray[j];
    if (core.hi[i] < Infinity && s > tol) return false;
    if (core.lo[i] > -Infinity && s < -tol) return false;
  }
  let cd = 0;
  for (let j = 0; j < n; j++) {
    if (core.vhi[j] < Infinity && ray[j] > tol) return false;
    if (core.vlo[j] > -Infinity && ray[j] < -tol) return false;
    cd += core.c[j] * ray[j];
  }
  return cd < -TOL.DUAL * Math.max(1, core.cNorm) * nrm;
}

/** Objective c·x, duals unscaled to the caller's rows, bound multipliers. */
export function optimalResult(core: SimplexCore, iterations: number, warnings: string[]): LpResult {
  const n = core.n;
  const x = core.x.slice(0, n);
  let objective = 0;
  for (let j = 0; j < n; j++) objective += core.c[j] * x[j];
  const dual = new Float64Array(ineqCount(core));
  const dualEq = new Float64Array(core.meq);
  const dualUpper = new Float64Array(n);
  const dualLower = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const l = core.lam[k];
    const id = core.slotId[k];
    const side = core.slotSide[k];
    if (id >= 0) {
      const isEq = isEqRow(core, id);
      const idx = outIndex(core, id);
      // c = Σ λ g = Σ (λ/s) a, and the caller's convention is c = −Aᵀ dual − ...
      if (isEq) dualEq[idx] = -l / core.scale[id];
      else dual[idx] = side === SIDE_HI && l < 0 ? -l / core.scale[id] : 0;
    } else {
      const j = ~id;
      if (side === SIDE_HI || (side === SIDE_FIX && l < 0)) dualUpper[j] = l < 0 ? -l : 0;
      else if (side === SIDE_LO || (side === SIDE_FIX && l > 0)) dualLower[j] = l > 0 ? l : 0;
    }
  }
  const res: LpResult = { status: 'optimal', x, objective, dual, dualEq, dualUpper, dualLower, iterations };
  if (warnings.length > 0) res.warnings = warnings.slice();
  return res;
}
