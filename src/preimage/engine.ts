/**
 * computePreimage: the exact preimage of a target set under a ReLU network, as a union of convex
 * pieces, one per activation pattern (and target part).
 *
 * Requirements: a fully connected ReLU network (any widths, ranks, identity output layer).
 * Returns: the pieces with their patterns, H-representations, interior witnesses, dimensions,
 * boundedness, V-representations and volumes (dimension <= maxVolumeDim), affine maps and exact
 * certificates; a status that says whether the list is complete.
 * Method: depth-first search over activation patterns, forward from the domain (src/preimage/search.ts,
 * vertex-search.ts) or, with `direction: 'backward'`, from the target down (src/preimage/backward.ts).
 * Guarantees: when `status` is `complete`, every input of the preimage lies in some piece except
 * within the margin (TOL.FULL_DIM_RADIUS) of a hyperplane, every piece lies in the preimage, and
 * full-dimensional pieces have disjoint interiors. Slivers thinner than the margin are counted in
 * `stats.slivers` and reported in `warnings`, never silently dropped.
 */
import { PreimageError } from '../errors.js';
import type { Network, Layer } from '../network/types.js';
import { isBounded, linealitySpace, removeRedundant, type LpCounter } from '../polyhedra/ops.js';
import type { HPolyhedron, VPolyhedron } from '../polyhedra/types.js';
import { toVRep } from '../polyhedra/vrep.js';
import { vpolyVertices, type VPoly } from '../polyhedra/vpoly.js';
import { relativeVolume, volume as polytopeVolume, volumeWithVertices } from '../polyhedra/volume.js';
import { normalizeDomain, rows, type Domain, type DomainSet } from './domain.js';
import { patternRows } from './pattern-rows.js';
import { RESULT_FORMAT, type PieceJson, type PreimageResult, type ResultStats, type ResultStatus } from './result.js';
import { vertexSearchApplies, vertexSearchPieces } from './vertex-search.js';
import { boxScaling, type BoxScaling } from './box-scaling.js';
import { backwardSearchPieces } from './backward.js';
import { emptyStats, searchPieces, type RawPiece, type SearchStats, type StopReason } from './search.js';
import { normalizeTarget, type Target, type TargetSet } from './target.js';
import { rawNetwork, rawVnnlib } from './units.js';
import { networkFingerprint } from '../network/fingerprint.js';
import { certifyPiece, type CertificateContext } from '../analysis/certificate.js';

/** Options of {@link computePreimage}. */
export interface PreimageOptions {
  /**
   * Where to look, in result coordinates. Several domains (e.g. VNN-LIB input boxes joined by
   * `or`) are searched in turn. Default: a VNN-LIB target's input boxes; all of R^n at the input
   * layer; the non-negative orthant at a hidden layer.
   */
  domain?: Domain | Domain[];
  /** For .nnet networks: `raw` physical units or `normalized` (default) coordinates. */
  units?: 'raw' | 'normalized';
  /** Layer whose coordinates the pieces are in (default 0, the input). Must be below the target layer. */
  resultLayer?: number;
  /** Compute V-representations and volumes for pieces of dimension <= maxVolumeDim (default true). */
  volumes?: boolean;
  /**
   * Reduce each piece's rows (redundancy removal), decide boundedness and lines (default true).
   * False keeps the rows as the search found them and skips every geometry LP: for answers that
   * need only witnesses (verification), where in high dimension this step costs more than the search.
   */
  geometry?: boolean;
  /**
   * Account for slivers by slack instead of counting them as doubtful (see SearchControl.sliverSlack):
   * for answers that must not miss a point, such as verification. Pieces may then reach slightly
   * beyond the target; their certificates say whether the witness meets it. Default false.
   */
  sliverSlack?: boolean;
  /** Largest dimension for V-representations and volumes (default 8). */
  maxVolumeDim?: number;
  /**
   * Exact certificates on pieces: true (default) checks each witness (inside the piece, its
   * pattern, the target); 'full' also evaluates every vertex exactly; false skips them.
   */
  certificates?: boolean | 'full';
  /** Stop after this long (status `incomplete_time`). */
  timeLimitMs?: number;
  /** Stop after this many pieces (status `incomplete_budget`). */
  maxPieces?: number;
  /** Stop after this many tree nodes (status `incomplete_budget`). */
  maxNodes?: number;
  /** Cancels the search (status `cancelled`). */
  signal?: AbortSignal;
  /**
   * Search strategy: `vertex` keeps nodes as vertex sets (no LPs; bounded boxes in dimension <= 6,
   * no equality targets), `lp` uses warm-started LPs (any problem). `auto` (default) picks vertex
   * when it applies.
   */
  strategy?: 'auto' | 'lp' | 'vertex';
  /**
   * Direction of the search: `forward` from the domain (the tree above), `backward` from the
   * target down, layer by layer (src/preimage/backward.ts: LP-based, so `strategy` applies to
   * forward only). Both give the same pieces in the same order. `auto` (default) picks backward
   * for a point activity target of a ReLU layer with at least one layer between it and the result
   * layer, over bounded domains (measured faster on 10 of 13 such problems, up to 5x), and forward otherwise
   * (docs/algorithms.md, `npm run bench -- direction`). With threads or a queue, backward runs
   * sequentially in the calling thread.
   */
  direction?: 'auto' | 'forward' | 'backward';
  /** Called with each piece as it is found (streaming); with `keepPieces: false` the result's list stays empty. */
  onPiece?: (piece: PieceJson) => void;
  /** Keep the pieces in the result (default true). */
  keepPieces?: boolean;
  /** Called about once a second with the running counters. */
  onProgress?: (stats: SearchStats, elapsedMs: number) => void;
}

/** A prepared problem: the sub-network, domains and target in normal form. */
export interface PreparedProblem {
  net: Network;
  layers: Layer[];
  resultLayer: number;
  targetSet: TargetSet;
  domains: DomainSet[];
  units: 'raw' | 'normalized';
  volumes: boolean;
  geometry: boolean;
  sliverSlack: boolean;
  maxVolumeDim: number;
  certificates: boolean | 'full';
  /** The search direction, `auto` resolved (see {@link searchDirection}). */
  direction: 'forward' | 'backward';
}

/**
 * The direction a problem is searched in. `auto`: backward for a point activity target of a
 * ReLU layer (its pattern is forced) with at least one layer between the result layer and the
 * target layer, when every domain is bounded and no strategy is forced; forward otherwise. The
 * rule follows `npm run bench -- direction` (docs/algorithms.md): there the backward search was
 * faster on 10 of 13 such problems, up to 5x (the forced pattern and the equalities prune the
 * stages at once, while the forward search bounds the target's equalities with LPs at every
 * node), even on two and slower by 0.5 ms on one (ACAS Xu); on class and output-set targets it was
 * slower (1.6-4.6x on VerticalCAS, up to 34x on deeper networks, over a 20 s budget on the ACAS Xu
 * prop_3 box), and over all of R^n the two were about even.
 */
export function searchDirection(direction: PreimageOptions['direction'] = 'auto', problem?: { layers: Layer[]; targetSet: TargetSet; domains: DomainSet[] }, strategy?: PreimageOptions['strategy']): 'forward' | 'backward' {
  if (direction !== 'auto' && direction !== 'forward' && direction !== 'backward') {
    throw new PreimageError('BAD_ARGUMENT', `expected direction auto, forward or backward, found ${JSON.stringify(direction)}`);
  }
  if (direction !== 'auto') return direction;
  if (!problem || (strategy !== undefined && strategy !== 'auto')) return 'forward';
  const pointTarget = problem.targetSet.forcedPattern !== undefined && problem.layers.length >= 2;
  return pointTarget && problem.domains.every((d) => d.bounded) ? 'backward' : 'forward';
}

/** Normalises a problem (validates everything a user can get wrong). */
export function preparePreimage(network: Network, target: Target, opts: PreimageOptions = {}): PreparedProblem {
  const units = opts.units ?? 'normalized';
  if (units !== 'raw' && units !== 'normalized') throw new PreimageError('BAD_ARGUMENT', `expected units raw or normalized, found ${JSON.stringify(units)}`);
  const k = opts.resultLayer ?? 0;
  if (searchDirection(opts.direction) === 'backward' && opts.strategy === 'vertex') throw new PreimageError('BAD_ARGUMENT', 'expected strategy auto or lp with direction backward (the backward search is LP-based), found vertex');
  let net = network;
  let tgt = target;
  if (units === 'raw') {
    if (k !== 0) throw new PreimageError('BAD_ARGUMENT', 'expected raw units only with results at the input layer (layer 0)');
    net = rawNetwork(network);
    if (tgt.kind === 'vnnlib') tgt = { kind: 'vnnlib', spec: rawVnnlib(network, tgt.spec) };
  }
  const targetSet = normalizeTarget(net, tgt);
  if (!Number.isInteger(k) || k < 0 || k >= targetSet.layer) {
    throw new PreimageError('BAD_ARGUMENT', `expected a result layer between 0 and ${targetSet.layer - 1} (below the target layer ${targetSet.layer}), found ${k}`);
  }
  const layers = net.layers.slice(k, targetSet.layer);
  const n = k === 0 ? net.inputSize : net.layers[k - 1].outSize;
  let domainList: Domain[];
  if (opts.domain) domainList = Array.isArray(opts.domain) ? opts.domain : [opts.domain];
  else if (tgt.kind === 'vnnlib') {
    if (k !== 0) throw new PreimageError('BAD_ARGUMENT', 'expected a domain in layer coordinates for a VNN-LIB target with a result layer above 0');
    domainList = tgt.spec.inputBoxes.map((b) => ({ kind: 'box', lo: b.lo, hi: b.hi }) as Domain);
  } else if (k > 0 && net.layers[k - 1].activation === 'relu') domainList = [{ kind: 'nonnegative' }];
  else domainList = [{ kind: 'all' }];
  if (domainList.length === 0) throw new PreimageError('BAD_DOMAIN', 'expected at least one domain, found none');
  const domains = domainList.map((d) => normalizeDomain(d, n));
  const direction = searchDirection(opts.direction, { layers, targetSet, domains }, opts.strategy);
  return {
    net, layers, resultLayer: k, targetSet, domains, units,
    volumes: (opts.volumes ?? true) && opts.geometry !== false,
    geometry: opts.geometry ?? true,
    sliverSlack: opts.sliverSlack ?? false,
    maxVolumeDim: opts.maxVolumeDim ?? 8,
    certificates: opts.certificates ?? true,
    direction,
  };
}

/** What {@link preimagePieces} returns when it ends. */
export interface SearchSummary {
  status: ResultStatus;
  /** Sum of the full-dimensional pieces' volumes (null when one is unknown). */
  volume: number | null;
  stats: ResultStats;
  warnings: string[];
}

/**
 * Streaming variant: yields finished pieces (with geometry and certificates) as they are found,
 * in the same deterministic order as {@link computePreimage}; returns the status and counters.
 */
export function* preimagePieces(problem: PreparedProblem, opts: PreimageOptions = {}): Generator<PieceJson, SearchSummary> {
  const stats = emptyStats();
  const geometry: LpCounter & { ms: number } = { lps: 0, ms: 0 };
  const t0 = performance.now();
  const deadline = opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : undefined;
  let stop: StopReason = null;
  let id = 0;
  const warnings: string[] = [];
  let volume: number | null = problem.volumes ? 0 : null;
  const ctx: CertificateContext = { layers: problem.layers, target: problem.targetSet };
  for (let d = 0; d < problem.domains.length && stop === null; d++) {
    const domain = excludeEarlier(problem.domains, d);
    const { scaling, searchDomain, useVertex } = searchPlan(problem, domain, problem.direction === 'backward' ? 'lp' : opts.strategy);
    const it = (problem.direction === 'backward' ? backwardSearchPieces : useVertex ? vertexSearchPieces : searchPieces)(scaling?.layers ?? problem.layers, searchDomain, problem.targetSet, stats, {
      signal: opts.signal,
      deadline,
      maxPieces: opts.maxPieces,
      maxNodes: opts.maxNodes,
      sliverSlack: problem.sliverSlack,
      onProgress: opts.onProgress ? (s) => opts.onProgress?.(s, performance.now() - t0) : undefined,
    });
    for (;;) {
      const r = it.next();
      if (r.done) {
        stop = r.value;
        break;
      }
      const g0 = performance.now();
      const piece = finishPiece(r.value, id++, problem, problem.domains[d], geometry, ctx, scaling);
      if (piece.dim === piece.witness.length) volume = piece.volume === null || volume === null ? null : volume + piece.volume;
      geometry.ms += performance.now() - g0;
      yield piece;
    }
  }
  return summarizeSearch(stats, stop, performance.now() - t0, geometry, volume, warnings);
}

/** How a domain is searched: box domains in unit coordinates (box-scaling.ts), by the vertex or the LP search. */
export function searchPlan(problem: PreparedProblem, domain: DomainSet, strategy: PreimageOptions['strategy'] = 'auto'): { scaling: BoxScaling | null; searchDomain: DomainSet; useVertex: boolean } {
  const scaling = boxScaling(problem.layers, domain);
  const searchDomain = scaling?.domain ?? domain;
  const useVertex = strategy === 'vertex' || (strategy === 'auto' && vertexSearchApplies(searchDomain, problem.targetSet));
  if (strategy === 'vertex' && !vertexSearchApplies(searchDomain, problem.targetSet, 12)) {
    throw new PreimageError('BAD_ARGUMENT', 'expected a problem the vertex search handles (a bounded box domain, dimension <= 12, no equality targets), found another; use strategy lp or auto');
  }
  return { scaling, searchDomain, useVertex };
}

/** The summary of a finished search: status, counters with times, and the margin-rule warnings. */
export function summarizeSearch(stats: SearchStats, stop: StopReason, totalMs: number, geometry: { ms: number; lps: number }, volume: number | null, warnings: string[] = []): SearchSummary {
  const status: ResultStatus = stop === null ? 'complete' : stop === 'time' ? 'incomplete_time' : stop === 'budget' ? 'incomplete_budget' : 'cancelled';
  if (stats.slivers > 0) warnings.push(`${stats.slivers} side(s) of unit hyperplanes thinner than the margin (1e-7) were not enumerated as separate pieces`);
  if (stats.thinPieces > 0) warnings.push(`${stats.thinPieces} piece(s) are thinner than the margin (class "thin"): their dimension is uncertain`);
  if (stats.lpFailures > 0) warnings.push(`${stats.lpFailures} LP(s) failed numerically; both branches were explored there, so no piece was lost`);
  if (status !== 'complete') warnings.push(`the search stopped early (${status}): the pieces are only part of the preimage`);
  return {
    status,
    volume,
    stats: { ...stats, milliseconds: totalMs - geometry.ms, geometryMilliseconds: geometry.ms, geometryLps: geometry.lps },
    warnings,
  };
}

/** Domain d without the earlier domains (so that overlapping input boxes give no duplicate pieces). */
export function excludeEarlier(domains: DomainSet[], d: number): DomainSet {
  // Boxes of VNN-LIB disjunctions in practice touch only on faces; a measure-zero overlap is harmless.
  // Overlapping interiors are refused rather than silently double counted.
  for (let e = 0; e < d; e++) {
    const a = domains[e], b = domains[d];
    let overlap = true;
    for (let i = 0; i < a.n; i++) if (Math.min(a.hi[i], b.hi[i]) - Math.max(a.lo[i], b.lo[i]) <= 0) overlap = false;
    if (overlap && a.description.kind === 'box' && b.description.kind === 'box') {
      throw new PreimageError('BAD_DOMAIN', `expected input boxes with disjoint interiors, found boxes ${e} and ${d} overlapping`);
    }
  }
  return domains[d];
}

/** Computes the whole preimage (see the module doc). */
export function computePreimage(network: Network, target: Target, opts: PreimageOptions = {}): PreimageResult {
  const problem = preparePreimage(network, target, opts);
  const pieces: PieceJson[] = [];
  const it = preimagePieces(problem, opts);
  let summary: SearchSummary;
  for (;;) {
    const r = it.next();
    if (r.done) {
      summary = r.value;
      break;
    }
    opts.onPiece?.(r.value);
    if (opts.keepPieces !== false) pieces.push(r.value);
  }
  return assembleResult(network, problem, pieces, summary);
}

/** Builds the result object from pieces and the search summary; `direction` is the search that ran. */
export function assembleResult(network: Network, problem: PreparedProblem, pieces: PieceJson[], summary: SearchSummary, direction: 'forward' | 'backward' = problem.direction): PreimageResult {
  const n = problem.domains[0].n;
  return {
    format: RESULT_FORMAT,
    status: summary.status,
    inputDim: n,
    layer: problem.resultLayer,
    units: problem.units,
    domain: problem.domains.length === 1 ? problem.domains[0].description : { kind: 'union', parts: problem.domains.map((d) => d.description) },
    target: targetJson(problem.targetSet),
    targetLayer: problem.targetSet.layer,
    pieces,
    volume: summary.volume,
    domainVolume: domainVolume(problem.domains, problem.maxVolumeDim),
    stats: summary.stats,
    direction,
    warnings: summary.warnings,
    network: {
      name: network.source?.name ?? null,
      format: network.source?.format ?? 'memory',
      inputSize: network.inputSize,
      outputSize: network.outputSize,
      widths: network.layers.map((l) => l.outSize),
      fingerprint: networkFingerprint(network),
    },
  };
}

/** The target's description plus its normal form, so that a result file is self-contained. */
export function targetJson(ts: TargetSet): Record<string, unknown> {
  return {
    ...ts.description,
    layer: ts.layer,
    on: ts.on,
    parts: ts.parts.map((p) => ({ T: rows(p.T, p.rows, ts.cols), t: Array.from(p.t), E: rows(p.E, p.eqRows, ts.cols), e: Array.from(p.e) })),
    ...(ts.forcedPattern ? { forcedPattern: Array.from(ts.forcedPattern) } : {}),
  };
}

function domainVolume(domains: DomainSet[], maxDim: number): number | null {
  let total = 0;
  for (const d of domains) {
    if (!d.bounded) return null;
    if (d.description.kind === 'box') {
      let v = 1;
      for (let i = 0; i < d.n; i++) v *= d.hi[i] - d.lo[i];
      total += v;
    } else if (d.n <= maxDim) total += polytopeVolume(d.P);
    else return null;
  }
  return total;
}

/** Rows scaled to unit length and sorted, so that both searches write the same H-representation. */
function canonicalRows(P: HPolyhedron): HPolyhedron {
  const n = P.n;
  const norm = (M: Float64Array, b: Float64Array, m: number) => {
    const len = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += M[i * n + j] ** 2;
      len[i] = Math.sqrt(s) || 1;
    }
    // sort row indices lexicographically by the scaled (a, b), scaling on the fly (the same
    // divisions as the output's, so the same order) instead of writing a scaled copy first
    const order: number[] = new Array(m);
    for (let i = 0; i < m; i++) order[i] = i;
    order.sort((x, y) => {
      const sx = len[x], sy = len[y];
      for (let j = 0; j < n; j++) { const d = M[x * n + j] / sx - M[y * n + j] / sy; if (d !== 0) return d; }
      return b[x] / sx - b[y] / sy;
    });
    const Mo = new Float64Array(m * n), bo = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const i = order[r], s = len[i];
      for (let j = 0; j < n; j++) Mo[r * n + j] = M[i * n + j] / s;
      bo[r] = b[i] / s;
    }
    return { M: Mo, b: bo };
  };
  const ineq = norm(P.A, P.b, P.m), eq = norm(P.Aeq, P.beq, P.meq);
  return { n, m: P.m, A: ineq.M, b: ineq.b, meq: P.meq, Aeq: eq.M, beq: eq.b };
}

/** Distance from x to the nearest inequality row of P (a ball of that radius around x lies in P's hull). */
function innerRadius(P: HPolyhedron, x: Float64Array): number {
  let r = Infinity;
  for (let i = 0; i < P.m; i++) {
    let s = P.b[i], nn = 0;
    for (let j = 0; j < P.n; j++) { s -= P.A[i * P.n + j] * x[j]; nn += P.A[i * P.n + j] ** 2; }
    r = Math.min(r, s / Math.sqrt(nn));
  }
  return r;
}

/** A typed array as a plain array (a loop: Array.from iterates slowly). */
function plainArray(v: ArrayLike<number>): number[] {
  const out: number[] = new Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j];
  return out;
}

/** Geometry and certificate of one raw piece. */
export function finishPiece(raw: RawPiece, id: number, problem: PreparedProblem, domain: DomainSet, counter: LpCounter, ctx: CertificateContext, scaling: BoxScaling | null): PieceJson {
  // geometry runs in the search's coordinates (unit box coordinates for boxes), then maps back
  let P: HPolyhedron = raw.P;
  // vertex-search pieces carry their polytope (irredundant facets, vertices): no LP needed
  const known = raw.vertices !== undefined || raw.vpoly !== undefined;
  if (P.m > 0 && !known && problem.geometry) P = removeRedundant(P, counter).P;
  const k = P.n;
  // without geometry an unbounded domain's piece is reported unbounded unless the domain bounds it (conservative)
  const bounded = domain.bounded || (problem.geometry && isBounded(P, counter));
  let witness: Float64Array = raw.witness;
  let vertices: Float64Array[] | undefined, rays: Float64Array[] | undefined, vlines: Float64Array[] | undefined;
  // a vertex-search polytope's vertices stay in its flat array until they are output (no copy per vertex)
  let flat: VPoly | undefined;
  let volume: number | null = null;
  if (problem.volumes && raw.dim <= problem.maxVolumeDim && k <= Math.max(problem.maxVolumeDim, 12)) {
    if (raw.vpoly && !raw.vertices && raw.dim === k) flat = raw.vpoly;
    const V = flat ? null : known ? { n: k, vertices: raw.vertices?.slice() ?? vpolyVertices(raw.vpoly as VPoly), rays: [], lines: [] } : toVRep(P);
    if (V) {
      vertices = V.vertices;
      rays = V.rays;
      vlines = V.lines;
    }
    if (bounded) {
      volume = raw.volumeU !== undefined ? raw.volumeU : flat ? volumeWithVertices(P, flat.X, flat.nv) : raw.dim === k ? polytopeVolume(P, V as VPolyhedron) : relativeVolume(P, V as VPolyhedron).volume;
      if (scaling) volume *= scaling.jacobian;
      // one witness whichever search ran: the vertex centroid (relative interior of a polytope)
      if (flat && flat.nv > 0) {
        witness = new Float64Array(k);
        const X = flat.X, nv = flat.nv;
        for (let q = 0; q < nv; q++) for (let j = 0; j < k; j++) witness[j] += X[q * k + j] / nv;
      } else if (V && V.vertices.length > 0) {
        witness = new Float64Array(k);
        for (const v of V.vertices) for (let j = 0; j < k; j++) witness[j] += v[j] / V.vertices.length;
      }
    }
  }
  const lines = bounded || !problem.geometry ? [] : linealitySpace(P);
  let M = raw.M, c = raw.c;
  // the output vertices (plain arrays, in x) of a flat polytope
  let plainVertices: number[][] | undefined;
  if (flat) {
    const X = flat.X;
    plainVertices = new Array(flat.nv);
    for (let q = 0; q < flat.nv; q++) plainVertices[q] = scaling ? scaling.pointBackPlain(X, q * k) : plainArray(X.subarray(q * k, q * k + k));
  }
  if (scaling) {
    const back = scaling.back({ ...raw, P, witness, vertices });
    P = back.P;
    witness = back.witness;
    vertices = back.vertices;
    M = back.M;
    c = back.c;
    rays = rays?.map(scaling.directionBack);
    vlines = vlines?.map(scaling.directionBack);
  }
  P = canonicalRows(P);
  const n = P.n;
  const lex = (a: ArrayLike<number>, b: ArrayLike<number>) => { for (let j = 0; j < n; j++) if (a[j] !== b[j]) return a[j] - b[j]; return 0; };
  const piece: PieceJson = {
    id,
    pattern: patternRows(raw.pattern),
    part: raw.part,
    A: rows(P.A, P.m, n),
    b: plainArray(P.b),
    Aeq: rows(P.Aeq, P.meq, n),
    beq: plainArray(P.beq),
    witness: plainArray(witness),
    radius: (vertices || plainVertices) && bounded ? innerRadius(P, witness) : raw.radius,
    dim: raw.dim,
    class: scaling && scaling.free.length < n && raw.cls === 'full' ? 'lower' : raw.cls,
    bounded,
    volume,
    map: { M: rows(M, raw.rows, n), c: plainArray(c) },
  };
  if (plainVertices) {
    piece.vertices = plainVertices.sort(lex);
    piece.rays = [];
    piece.lines = [];
  } else if (vertices) {
    piece.vertices = vertices.sort(lex).map(plainArray);
    piece.rays = (rays ?? []).map(plainArray);
    piece.lines = (vlines ?? []).map(plainArray);
  } else if (lines.length > 0) piece.lines = lines.map((v) => plainArray(scaling ? scaling.directionBack(v) : v));
  if (problem.certificates) piece.certificate = certifyPiece(piece, ctx, problem.certificates === 'full');
  return piece;
}
