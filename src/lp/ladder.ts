/**
 * The retry ladder shared by {@link solveLp} and {@link LpSession}: each rung solves, then checks
 * the answer from scratch; a failed run or check moves to the next rung, and only when every rung
 * failed is the status `numerical_failure`. Internal.
 */
import { TOL } from '../tolerance.js';
import { Rng } from '../util/rng.js';
import {
  DEFAULT_SETTINGS,
  PRICE_DANTZIG,
  PRICE_DSE,
  ST_INFEASIBLE,
  ST_ITER_LIMIT,
  ST_OPTIMAL,
  ST_TIME_LIMIT,
  ST_UNBOUNDED,
  type EngineSettings,
  type SimplexCore,
} from './core.js';
import { buildFarkas, checkOptimal, checkRay, optimalResult } from './result.js';
import type { LpResult } from './types.js';

/** Options of {@link solveLp} and {@link LpSession.solve}. */
export interface LpOptions {
  /**
   * Pivot limit for each attempt of the retry ladder (default max(10000, 50 (n + rows))).
   * An attempt that hits it moves to the next rung.
   */
  maxIterations?: number;
  /** Wall-clock budget in ms for the whole call; when exceeded the status is `numerical_failure`. */
  timeLimitMs?: number;
  /**
   * Start from the objective's corner of the variable bounds (the cold basis: every variable at
   * the bound its cost favours, dual feasible) instead of the previous basis. For a new objective
   * over many bounded variables and few rows (the search's LPs in 784 dimensions) the dual simplex
   * then needs about as many pivots as rows end up active (measured 18 a solve), where the primal
   * simplex from the previous optimum walked the variables to their new bounds one pivot at a
   * time (about 100). Same answers; in degenerate problems possibly another optimal point.
   */
  cornerStart?: boolean;
}

interface Rung {
  note: string;
  cold: boolean;
  refactor: boolean;
  settings: EngineSettings;
}

const RUNGS: Rung[] = [
  { note: '', cold: false, refactor: false, settings: DEFAULT_SETTINGS },
  { note: 'retried after a fresh refactorisation of the basis', cold: false, refactor: true, settings: DEFAULT_SETTINGS },
  {
    note: 'retried from a slack basis with largest-violation pricing',
    cold: true,
    refactor: false,
    settings: { ...DEFAULT_SETTINGS, pricing: PRICE_DANTZIG },
  },
  {
    note: 'retried from a slack basis with perturbed costs',
    cold: true,
    refactor: false,
    settings: { ...DEFAULT_SETTINGS, perturb: true },
  },
  {
    note: "retried from a slack basis with pivot tolerance 1e-7, textbook ratio test and Bland's rule",
    cold: true,
    refactor: false,
    settings: { pivotTol: 1e-7, pricing: PRICE_DSE, harris: false, bland: true, perturb: false },
  },
];

/** Runs the ladder on a loaded core, starting from its current basis (a cold one if none). */
export function solveCore(core: SimplexCore, opts: LpOptions | undefined): LpResult {
  const warnings: string[] = [];
  core.warnings = warnings;
  core.deadline = opts?.timeLimitMs !== undefined ? performance.now() + opts.timeLimitMs : Infinity;
  const perAttempt = opts?.maxIterations ?? Math.max(10000, 50 * (core.n + core.R));
  let total = 0;
  let why = '';
  for (let r = 0; r < RUNGS.length; r++) {
    const rung = RUNGS[r];
    if (r > 0) warnings.push(`${rung.note} (${why})`);
    core.set = rung.settings;
    if (rung.cold || !core.hasBasis || (r === 0 && opts?.cornerStart)) core.coldBasis();
    else if (rung.refactor && !core.refactor()) core.coldBasis();
    core.iterations = 0;
    core.maxIterations = perAttempt;
    const st = core.run(rung.settings.perturb ? new Rng(0x5eed + r) : null);
    total += core.iterations;
    if (st === ST_TIME_LIMIT) {
      warnings.push(`time limit of ${opts?.timeLimitMs} ms reached`);
      core.hasBasis = false;
      return { status: 'numerical_failure', iterations: total, warnings };
    }
    if (st === ST_OPTIMAL) {
      const bad = checkOptimal(core);
      if (bad === null) return optimalResult(core, total, warnings);
      why = `verification failed: ${bad}`;
    } else if (st === ST_INFEASIBLE) {
      const farkas = buildFarkas(core);
      if (farkas) {
        const res: LpResult = { status: 'infeasible', farkas, iterations: total };
        if (warnings.length > 0) res.warnings = warnings;
        return res;
      }
      why = 'the Farkas certificate failed its check';
    } else if (st === ST_UNBOUNDED) {
      const n = core.n;
      const ray = Float64Array.from(core.d.subarray(0, n));
      let nrm = 0;
      for (let j = 0; j < n; j++) nrm = Math.max(nrm, Math.abs(ray[j]));
      for (let j = 0; j < n; j++) ray[j] /= nrm;
      core.computeX();
      core.computeAct();
      if (checkRay(core, ray) && core.maxPrimalInf(true) <= TOL.LP_VERIFY) {
        const x = Float64Array.from(core.x.subarray(0, n));
        let objective = 0;
        for (let j = 0; j < n; j++) objective += core.c[j] * x[j];
        const res: LpResult = { status: 'unbounded', ray, x, objective, iterations: total };
        if (warnings.length > 0) res.warnings = warnings;
        return res;
      }
      why = 'the unbounded ray failed its check';
    } else if (st === ST_ITER_LIMIT) {
      why = `iteration limit ${perAttempt} reached`;
    } else {
      why = 'singular or drifting basis';
    }
  }
  core.hasBasis = false;
  warnings.push(`gave up: ${why}`);
  return { status: 'numerical_failure', iterations: total, warnings };
}
