/**
 * The constraint rows of a search node in result coordinates, kept as a stack so that the
 * depth-first search can backtrack, and mirrored into a warm-started LP.
 */
import { LpSession } from '../lp/index.js';
import type { LpOptions } from '../lp/ladder.js';
import type { LpResult } from '../lp/types.js';
import type { HPolyhedron } from '../polyhedra/types.js';

/** One row a·x <= b (kind `ineq`) or a·x = b (kind `eq`). */
export interface Row {
  a: Float64Array;
  b: number;
  kind: 'ineq' | 'eq';
}

/** Rows plus an LP over them; equalities enter the LP as two opposite inequalities. */
export class RowStack {
  readonly n: number;
  readonly rows: Row[] = [];
  private lpRows: number[] = []; // LP row count after each push
  private session: LpSession;
  /** LPs solved through this stack. */
  lps = 0;
  private lower?: Float64Array;
  private upper?: Float64Array;

  constructor(n: number, base: Row[], bounds?: { lower?: Float64Array; upper?: Float64Array }) {
    this.n = n;
    this.lower = bounds?.lower;
    this.upper = bounds?.upper;
    this.session = new LpSession({ n, c: new Float64Array(n), A: new Float64Array(0), b: new Float64Array(0), m: 0, lower: this.lower, upper: this.upper });
    for (const r of base) this.push(r);
  }

  get size(): number {
    return this.rows.length;
  }

  /** The variable bounds the stack was made with (the domain's box), if any. */
  get box(): { lower?: Float64Array; upper?: Float64Array } {
    return { lower: this.lower, upper: this.upper };
  }

  push(r: Row): void {
    this.rows.push(r);
    this.session.addRow(r.a, r.b);
    if (r.kind === 'eq') this.session.addRow(r.a.map((v) => -v), -r.b);
    this.lpRows.push(this.session.rowCount);
  }

  /** Drops rows until `size` rows remain. */
  truncate(size: number): void {
    if (size >= this.rows.length) return;
    this.rows.length = size;
    this.lpRows.length = size;
    const keep = size === 0 ? 0 : this.lpRows[size - 1];
    this.session.removeRows(this.session.rowCount - keep);
  }

  /** Minimises c·x over the rows (warm-started unless `opts` say otherwise). */
  minimize(c: Float64Array, opts?: LpOptions): LpResult {
    this.lps++;
    this.session.setObjective(c);
    return this.session.solve(opts);
  }

  /** The rows as an H-polyhedron (equalities as equalities), plus `extra` rows appended. */
  toPolyhedron(extra: Row[] = []): HPolyhedron {
    const all = extra.length ? this.rows.concat(extra) : this.rows;
    return rowsToPolyhedron(this.n, all, this.lower, this.upper);
  }
}

/** Builds an H-polyhedron from rows (and finite variable bounds as rows). */
export function rowsToPolyhedron(n: number, rows: Row[], lower?: Float64Array, upper?: Float64Array): HPolyhedron {
  const ineq = rows.filter((r) => r.kind === 'ineq');
  const eq = rows.filter((r) => r.kind === 'eq');
  const extra: Row[] = [];
  if (lower) for (let j = 0; j < n; j++) if (Number.isFinite(lower[j])) { const a = new Float64Array(n); a[j] = -1; extra.push({ a, b: -lower[j], kind: 'ineq' }); }
  if (upper) for (let j = 0; j < n; j++) if (Number.isFinite(upper[j])) { const a = new Float64Array(n); a[j] = 1; extra.push({ a, b: upper[j], kind: 'ineq' }); }
  const all = extra.concat(ineq);
  const A = new Float64Array(all.length * n), b = new Float64Array(all.length);
  all.forEach((r, i) => { A.set(r.a, i * n); b[i] = r.b; });
  const Aeq = new Float64Array(eq.length * n), beq = new Float64Array(eq.length);
  eq.forEach((r, i) => { Aeq.set(r.a, i * n); beq[i] = r.b; });
  return { n, m: all.length, A, b, meq: eq.length, Aeq, beq };
}
