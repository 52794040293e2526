/**
 * HiGHS (npm `highs`, WebAssembly) as a second LP solver for cross-checks and benchmarks.
 * Used as the shared guide advises: one persistent model, presolve off, a time limit with
 * zeroAllClocks() before every run(), and clearSolver() so no run warm-starts from the last.
 */
import loadHighs, { type Highs } from 'highs';
import type { LpProblem } from '../../src/lp/types.js';

type HighsRuntime = Highs;
type HighsModel = ReturnType<Highs['createModel']>;

export type HighsStatus = 'optimal' | 'infeasible' | 'unbounded' | 'infeasible_or_unbounded' | 'other';

export interface HighsAnswer {
  status: HighsStatus;
  /** Raw model status code (highs.constants.modelStatus). */
  code: number;
  objective: number;
  x: Float64Array;
  iterations: number;
}

let runtime: HighsRuntime | null = null;

/** Loads the WebAssembly module once per process. */
export async function highsRuntime(): Promise<HighsRuntime> {
  // The package's types describe a CommonJS module while Node loads its ESM build: take
  // whichever of the default export and its `.default` is the loader.
  type Loader = () => Promise<HighsRuntime>;
  const mod = loadHighs as unknown as Loader | { default: Loader };
  const load: Loader = typeof mod === 'function' ? mod : mod.default;
  if (!runtime) runtime = await load();
  return runtime;
}

/**
 * Row-normalised copy of p: the same feasible set and objective. HiGHS gets this form, because
 * on rows scaled by 1e±6 it has been seen to call bounded problems unbounded (the status is
 * invariant under positive row scaling, so the comparison stays exact).
 */
export function normaliseRows(p: LpProblem): LpProblem {
  const n = p.n;
  const scale = (M: Float64Array, v: Float64Array, rows: number) => {
    const A = Float64Array.from(M.subarray(0, rows * n));
    const b = Float64Array.from(v.subarray(0, rows));
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * A[i * n + j];
      s = Math.sqrt(s);
      if (!(s > 0)) continue;
      for (let j = 0; j < n; j++) A[i * n + j] /= s;
      b[i] /= s;
    }
    return { A, b };
  };
  const ineq = scale(p.A, p.b, p.m);
  const meq = p.meq ?? 0;
  const eq = meq > 0 ? scale(p.Aeq!, p.beq!, meq) : { A: new Float64Array(0), b: new Float64Array(0) };
  return { ...p, A: ineq.A, b: ineq.b, Aeq: eq.A, beq: eq.b, meq };
}

/** A persistent HiGHS model holding one LP; `solve()` re-runs it from scratch. */
export class HighsLp {
  private readonly model: HighsModel;
  constructor(
    private readonly highs: HighsRuntime,
    p: LpProblem,
    timeLimitSec = 60,
  ) {
    const { n, m } = p;
    const meq = p.meq ?? 0;
    const R = m + meq;
    const starts = new Int32Array(R + 1);
    const indices = new Int32Array(R * n);
    const values = new Float64Array(R * n);
    let nz = 0;
    for (let i = 0; i < R; i++) {
      starts[i] = nz;
      for (let j = 0; j < n; j++) {
        const v = i < m ? p.A[i * n + j] : p.Aeq![(i - m) * n + j];
        if (v === 0) continue;
        indices[nz] = j;
        values[nz] = v;
        nz++;
      }
    }
    starts[R] = nz;
    const rowLower = new Float64Array(R);
    const rowUpper = new Float64Array(R);
    for (let i = 0; i < R; i++) {
      rowLower[i] = i < m ? -Infinity : p.beq![i - m];
      rowUpper[i] = i < m ? p.b[i] : p.beq![i - m];
    }
    this.model = highs.createModel({
      numCols: n,
      numRows: R,
      colCost: p.c,
      colLower: p.lower ?? new Float64Array(n).fill(-Infinity),
      colUpper: p.upper ?? new Float64Array(n).fill(Infinity),
      rowLower,
      rowUpper,
      matrix: { format: 'csr', numRows: R, numCols: n, starts, indices: indices.subarray(0, nz), values: values.subarray(0, nz) },
    });
    this.model.options.set({ output_flag: false, presolve: 'off', time_limit: timeLimitSec });
  }

  /** Solves from scratch (clearSolver + zeroAllClocks + run). */
  solve(): HighsAnswer {
    const model = this.model;
    model.clearSolver();
    model.zeroAllClocks();
    let code: number;
    try {
      model.run();
      code = model.getModelStatus();
    } catch {
      code = -1;
    }
    const C = this.highs.constants.modelStatus;
    const status: HighsStatus =
      code === C.optimal
        ? 'optimal'
        : code === C.infeasible
          ? 'infeasible'
          : code === C.unbounded
            ? 'unbounded'
            : code === C.unboundedOrInfeasible
              ? 'infeasible_or_unbounded'
              : 'other';
    const ok = status === 'optimal';
    return {
      status,
      code,
      objective: ok ? model.getObjectiveValue() : NaN,
      x: ok ? Float64Array.from(model.getSolution().colValue) : new Float64Array(0),
      iterations: Number(model.info.get('simplex_iteration_count')),
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** One-shot: builds a model for the row-normalised p, solves, disposes. */
export function highsSolve(highs: HighsRuntime, p: LpProblem, timeLimitSec = 60): HighsAnswer {
  const h = new HighsLp(highs, normaliseRows(p), timeLimitSec);
  try {
    return h.solve();
  } finally {
    h.dispose();
  }
}
