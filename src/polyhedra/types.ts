/**
 * An H-polyhedron {x in R^n : A x <= b, Aeq x = beq}. Row-major Float64Arrays.
 * An empty `A` (m = 0) with no equalities is all of R^n.
 */
export interface HPolyhedron {
  n: number;
  m: number;
  A: Float64Array;
  b: Float64Array;
  meq: number;
  Aeq: Float64Array;
  beq: Float64Array;
}

/** V-representation: conv(vertices) + cone(rays) + span(lines). Each entry has length n. */
export interface VPolyhedron {
  n: number;
  vertices: Float64Array[];
  rays: Float64Array[];
  lines: Float64Array[];
}

/** Classification of a polyhedron under the margin rule of src/tolerance.ts. */
export type DimensionClass = 'full' | 'lower' | 'thin' | 'empty';
