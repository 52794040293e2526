/**
 * The pictures in docs/: the founding paper's Figure 1 (left and right) and an ACAS Xu slice,
 * computed with the engine (layerPreimage, computePreimage) and the slice module. Pure: networks
 * in, SVG strings and the numbers drawn out, so that `npm run figures` (scripts/figures.ts) and
 * the golden tests (test/golden/figures.test.ts) produce the same bytes. See docs/figures.md.
 */
import { createNetwork } from '../network/create.js';
import type { Network } from '../network/types.js';
import { computePreimage } from '../preimage/engine.js';
import { layerPreimage } from '../preimage/layer.js';
import type { PieceJson } from '../preimage/result.js';
import { classColoring } from './coloring.js';
import { computeSlice, coordinatePlane } from './slice.js';
import { esc, num, svgDocument, sliceSvg, type SliceOverlay } from './svg.js';

// ------------------------------------------------------------------------------------------------
// Figure 1, left: three units in R^3

/** The three-unit layer of Figure 1 (left): rows w_i and biases b_i (the values of test/unit/paper.test.ts). */
export const FIGURE1_LEFT_LAYER = { W: [[1, 0.2, -0.3], [0.1, 1, 0.4], [-0.2, 0.3, 1]], b: [0.1, -0.2, 0.05] };

/** The activities whose preimages Figure 1 (left) draws, one per octant the paper describes. */
export const FIGURE1_LEFT_ACTIVITIES: { y: number[]; text: string }[] = [
  { y: [0.5, 0.6, 0], text: '(1) unit 3 off: a ray along −e3 from a point of Π3' },
  { y: [0.5, 0, 0.6], text: '(2) unit 2 off: a ray along −e2 from a point of Π2' },
  { y: [0.5, 0, 0], text: '(3) units 2, 3 off: a face spanned by −e2, −e3' },
];

/** What Figure 1 (left) draws, as numbers (for tests). */
export interface Figure1Left {
  svg: string;
  /** The common point of the three planes, W⁻¹(−b). */
  center: number[];
  /** e_i: columns of W⁻¹ (from layerPreimage). */
  basis: number[][];
  /** Per activity: the engine's piece (apex = its vertex, its rays) and its dimension. */
  preimages: { y: number[]; apex: number[]; rays: number[][]; dim: number }[];
}

type V3 = [number, number, number];

/** A fixed camera: orthographic, azimuth −55°, elevation 22°; returns [x, y] on the page and depth. */
function camera(scale: number, cx: number, cy: number): (p: ArrayLike<number>) => [number, number, number] {
  const az = (-55 * Math.PI) / 180, el = (22 * Math.PI) / 180;
  return cameraAt(az, el, scale, cx, cy);
}

function cameraAt(az: number, el: number, scale: number, cx: number, cy: number): (p: ArrayLike<number>) => [number, number, number] {
  const ca = Math.cos(az), sa = Math.sin(az), ce = Math.cos(el), se = Math.sin(el);
  return (p) => {
    const X = ca * p[0] - sa * p[1];
    const Y = sa * p[0] + ca * p[1];
    const Z = p[2];
    const sx = X, sy = ce * Z - se * Y, depth = ce * Y + se * Z;
    return [cx + scale * sx, cy - scale * sy, depth];
  };
}

/** The polygon where the plane w·x + b = 0 meets the cube [lo, hi]^3 (vertices in order around it). */
function planeInCube(w: number[], b: number, lo: number, hi: number): V3[] {
  const corners: V3[] = [];
  for (let i = 0; i < 8; i++) corners.push([i & 1 ? hi : lo, i & 2 ? hi : lo, i & 4 ? hi : lo]);
  const pts: V3[] = [];
  for (let i = 0; i < 8; i++) {
    for (let d = 0; d < 3; d++) {
      const j = i | (1 << d);
      if (j === i) continue;
      const p = corners[i], q = corners[j];
      const hp = w[0] * p[0] + w[1] * p[1] + w[2] * p[2] + b, hq = w[0] * q[0] + w[1] * q[1] + w[2] * q[2] + b;
      if ((hp < 0 && hq > 0) || (hp > 0 && hq < 0)) {
        const t = hp / (hp - hq);
        pts.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]), p[2] + t * (q[2] - p[2])]);
      }
    }
  }
  // order around the centroid within the plane
  const c: V3 = [0, 0, 0];
  for (const p of pts) for (let k = 0; k < 3; k++) c[k] += p[k] / pts.length;
  const nrm = Math.hypot(w[0], w[1], w[2]);
  const nn: V3 = [w[0] / nrm, w[1] / nrm, w[2] / nrm];
  const a0: V3 = Math.abs(nn[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const e1 = cross(nn, a0), e1n = Math.hypot(...e1);
  const u: V3 = [e1[0] / e1n, e1[1] / e1n, e1[2] / e1n];
  const v = cross(nn, u);
  return pts
    .map((p) => ({ p, ang: Math.atan2(dot3(sub3(p, c), v), dot3(sub3(p, c), u)) }))
    .sort((x, y) => x.ang - y.ang)
    .map((x) => x.p);
}

/** Lexicographic order of number arrays. */
function lexCompare(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const cross = (a: ArrayLike<number>, b: ArrayLike<number>): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot3 = (a: ArrayLike<number>, b: ArrayLike<number>) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub3 = (a: ArrayLike<number>, b: ArrayLike<number>): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const addScaled = (a: ArrayLike<number>, s: number, d: ArrayLike<number>): V3 => [a[0] + s * d[0], a[1] + s * d[1], a[2] + s * d[2]];

/** Figure 1 (left): planes Π_i, vectors e_i and the preimages of three activities, as a projected 3-D drawing. */
export function figure1Left(digits = 2): Figure1Left {
  const { W, b } = FIGURE1_LEFT_LAYER;
  const net = createNetwork([{ weights: W, bias: b, activation: 'relu' }]);
  // the centre: all three planes meet at W⁻¹(−b), i.e. the apex of the all-zero pre-activation
  const all = layerPreimage(net, 1, [0, 0, 0], { mode: 'preactivation' });
  const center = Array.from(all.apex!);
  const basis = all.basis!.map((e) => Array.from(e));
  const preimages = FIGURE1_LEFT_ACTIVITIES.map(({ y }) => {
    const r = computePreimage(net, { kind: 'point', layer: 1, activity: y }, { domain: { kind: 'all' }, certificates: false });
    if (r.status !== 'complete' || r.pieces.length !== 1) throw new Error(`figure 1 left: expected one piece for y = ${y}, found ${r.pieces.length}`);
    const p = r.pieces[0];
    // rays in a fixed (lexicographic) order so that the picture does not depend on the engine's order
    return { y, apex: p.vertices![0], rays: p.rays!.map((d) => d.slice()).sort(lexCompare), dim: p.dim };
  });

  const Wpx = 720, Hpx = 600;
  const n = (x: number) => num(x, digits);
  const half = 1.2;
  const lo = Math.min(...center) - half, hi = Math.max(...center) + half;
  // fit the cube into the drawing area [20, 700] x [40, 480]
  const unit = camera(1, 0, 0);
  const cornersPx = Array.from({ length: 8 }, (_, i) => unit([i & 1 ? hi : lo, i & 2 ? hi : lo, i & 4 ? hi : lo]));
  const minX = Math.min(...cornersPx.map((q) => q[0])), maxX = Math.max(...cornersPx.map((q) => q[0]));
  const minY = Math.min(...cornersPx.map((q) => q[1])), maxY = Math.max(...cornersPx.map((q) => q[1]));
  const scale = Math.min(680 / (maxX - minX), 440 / (maxY - minY));
  const P = camera(scale, 360 - (scale * (minX + maxX)) / 2, 260 - (scale * (minY + maxY)) / 2);
  const body: string[] = [];
  const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';
  const pathOf = (pts: ArrayLike<number>[], close: boolean) => pts.map((q, i) => { const [x, y] = P(q); return `${i ? 'L' : 'M'}${n(x)} ${n(y)}`; }).join('') + (close ? 'Z' : '');
  // the cube's edges, faint
  const cubeEdges: string[] = [];
  for (let i = 0; i < 8; i++) for (let d = 0; d < 3; d++) {
    const j = i | (1 << d);
    if (j === i) continue;
    const c = (k: number): V3 => [k & 1 ? hi : lo, k & 2 ? hi : lo, k & 4 ? hi : lo];
    cubeEdges.push(pathOf([c(i), c(j)], false));
  }
  body.push(`<path d="${cubeEdges.join('')}" fill="none" stroke="#bbbbbb" stroke-width="0.8"/>`);
  // planes Π_i, far ones first
  const planeColors = ['#4e79a7', '#59a14f', '#e15759'];
  const planes = W.map((w, i) => ({ i, pts: planeInCube(w, b[i], lo, hi) }));
  const depthOf = (pts: V3[]) => pts.reduce((s, q) => s + P(q)[2], 0) / pts.length;
  planes.sort((x, y) => depthOf(x.pts) - depthOf(y.pts) || x.i - y.i);
  for (const { i, pts } of planes) {
    body.push(`<path d="${pathOf(pts, true)}" fill="${planeColors[i]}" fill-opacity="0.16" stroke="${planeColors[i]}" stroke-width="1"/>`);
    // label at the vertex highest on the page
    const top = pts.map((q) => P(q)).sort((x, y) => x[1] - y[1] || x[0] - y[0])[0];
    body.push(`<text x="${n(top[0] + 6)}" y="${n(top[1] - 4)}" font-size="14" fill="${planeColors[i]}" ${FONT}>Π${i + 1}</text>`);
  }
  // the shaded face of activity (3): apex + α(−e2) + β(−e3), drawn as the parallelogram α, β ∈ [0, L]
  const L = 1.1;
  const face = preimages[2];
  const [r1, r2] = face.rays.map((d) => { const s = Math.hypot(d[0], d[1], d[2]); return [d[0] / s, d[1] / s, d[2] / s]; });
  const facePts = [face.apex, addScaled(face.apex, L, r1), addScaled(addScaled(face.apex, L, r1), L, r2), addScaled(face.apex, L, r2)];
  body.push(`<path d="${pathOf(facePts, true)}" fill="#7f7f7f" fill-opacity="0.45" stroke="#555555" stroke-width="0.8"/>`);
  const arrow = (from: ArrayLike<number>, to: ArrayLike<number>, color: string, width: number): void => {
    const [x0, y0] = P(from), [x1, y1] = P(to);
    const len = Math.hypot(x1 - x0, y1 - y0) || 1;
    const ux = (x1 - x0) / len, uy = (y1 - y0) / len;
    const hx = x1 - 10 * ux, hy = y1 - 10 * uy;
    body.push(`<path d="M${n(x0)} ${n(y0)}L${n(hx)} ${n(hy)}" stroke="${color}" stroke-width="${width}" fill="none"/>`);
    body.push(`<path d="M${n(x1)} ${n(y1)}L${n(hx - 4 * uy)} ${n(hy + 4 * ux)}L${n(hx + 4 * uy)} ${n(hy - 4 * ux)}Z" fill="${color}"/>`);
  };
  // the rays of activities (1) and (2), and the face's two edges from its apex
  preimages.forEach((pre, k) => {
    for (const d of pre.rays) {
      const s = Math.hypot(d[0], d[1], d[2]);
      arrow(pre.apex, addScaled(pre.apex, (k === 2 ? L : 1.3) / s, d), k === 2 ? '#444444' : '#d62728', k === 2 ? 1.2 : 2.2);
    }
    const [ax, ay] = P(pre.apex);
    body.push(`<circle cx="${n(ax)}" cy="${n(ay)}" r="3.5" fill="#000000"/>`);
    body.push(`<text x="${n(ax + 7)}" y="${n(ay + 14)}" font-size="12" ${FONT}>(${k + 1})</text>`);
  });
  // e_i from the common point, positive directions by arrows
  basis.forEach((e, i) => {
    arrow(center, addScaled(center, 1, e), '#000000', 1.6);
    const [x, y] = P(addScaled(center, 1.12, e));
    body.push(`<text x="${n(x)}" y="${n(y + 4)}" font-size="14" text-anchor="middle" ${FONT}>e${i + 1}</text>`);
  });
  const [cx, cy] = P(center);
  body.push(`<circle cx="${n(cx)}" cy="${n(cy)}" r="2.5" fill="#000000"/>`);
  // caption
  const lines = [
    'w_i·x + b_i = 0 on Π_i; e_i = column i of W⁻¹ (w_j·e_i = δ_ij), drawn from Π1 ∩ Π2 ∩ Π3',
    ...FIGURE1_LEFT_ACTIVITIES.map((a, k) => `${a.text}; y = (${a.y.join(', ')}), dimension ${preimages[k].dim}`),
    'apexes and rays are the pieces computed by computePreimage (point targets, layer 1)',
  ];
  lines.forEach((t, i) => body.push(`<text x="20" y="${n(Hpx - 86 + 16 * i)}" font-size="11" ${FONT}>${esc(t)}</text>`));
  body.push(`<text x="${Wpx / 2}" y="22" font-size="15" text-anchor="middle" ${FONT}>Figure 1 (left): the preimages of one layer of three ReLU units in R³</text>`);
  const svg = svgDocument(Wpx, Hpx, 'Figure 1 (left): planes, basis vectors and preimages of three ReLU units', body);
  return { svg, center, basis, preimages };
}

// ------------------------------------------------------------------------------------------------
// Figure 1, right: a 2-input network with three levels of two units

/** The network of Figure 1 (right): input (x1, x2), three levels of two ReLU units (as test/helpers/networks.ts). */
export function figure1RightNetwork(): Network {
  return createNetwork([
    { weights: [[1, -0.5], [0.4, 1]], bias: [0.1, -0.2], activation: 'relu' },
    { weights: [[1, 0.8], [-0.6, 1]], bias: [-0.3, 0.1], activation: 'relu' },
    { weights: [[0.9, -0.4], [0.5, 0.7]], bias: [0.05, -0.25], activation: 'relu' },
  ]);
}

/** The activities whose preimages Figure 1 (right) draws, per level (layer). */
export const FIGURE1_RIGHT_ACTIVITIES: { layer: number; activity: number[] }[] = [
  { layer: 1, activity: [0.6, 0] },
  { layer: 1, activity: [0, 0.5] },
  { layer: 2, activity: [0.5, 0] },
  { layer: 2, activity: [0, 0.4] },
  { layer: 3, activity: [0.3, 0] },
  { layer: 3, activity: [0, 0.3] },
];

export interface Figure1Right {
  svg: string;
  /** The engine's pieces of the preimage of (0, 0) at level 3 (the shaded region), in order. */
  zeroPieces: PieceJson[];
  /** The shaded polygons drawn (one per piece). */
  shadedPolygons: number;
  /** Per activity: the engine's pieces. */
  preimages: { layer: number; activity: number[]; pieces: PieceJson[] }[];
  /** Linear regions of the slice drawn underneath. */
  regions: number;
}

/** Vertices of a 2-D piece in counter-clockwise order, flat. */
function ccw(unordered: number[][]): number[] {
  const vertices = unordered.slice().sort(lexCompare);
  const c = [0, 0];
  for (const v of vertices) { c[0] += v[0] / vertices.length; c[1] += v[1] / vertices.length; }
  return vertices
    .map((v) => ({ v, a: Math.atan2(v[1] - c[1], v[0] - c[0]) }))
    .sort((x, y) => x.a - y.a)
    .flatMap((x) => x.v);
}

const LEVEL_COLORS = ['#1f77b4', '#2ca02c', '#d62728'];

/** Figure 1 (right): preimages at each level of several activities; the region mapped to (0, 0) shaded. */
export function figure1Right(digits = 2): Figure1Right {
  const net = figure1RightNetwork();
  const lo = [-2, -2], hi = [2, 2];
  const domain = { kind: 'box' as const, lo, hi };
  const slice = computeSlice(net, coordinatePlane(2, [0, 1]), { u0: lo[0], u1: hi[0], v0: lo[1], v1: hi[1] });
  const zero = computePreimage(net, { kind: 'point', layer: 3, activity: [0, 0] }, { domain, certificates: false });
  const overlays: SliceOverlay[] = [];
  overlays.push({ color: '#7f7f7f', opacity: 0.75, label: `all map to (0, 0) at level 3: ${zero.pieces.length} pieces`, polygons: zero.pieces.filter((p) => p.dim === 2).map((p) => ccw(p.vertices!)).sort(lexCompare) });
  const preimages = FIGURE1_RIGHT_ACTIVITIES.map(({ layer, activity }) => ({
    layer, activity,
    pieces: computePreimage(net, { kind: 'point', layer, activity }, { domain, certificates: false }).pieces,
  }));
  for (let layer = 1; layer <= 3; layer++) {
    const here = preimages.filter((p) => p.layer === layer);
    const pieces = here.flatMap((p) => p.pieces);
    overlays.push({
      color: LEVEL_COLORS[layer - 1],
      label: `level ${layer}: ${here.map((p) => `(${p.activity.join(', ')})`).join(' and ')}`,
      // geometry in a fixed order, independent of the order the engine finds pieces in
      lines: pieces.filter((p) => p.dim === 1).map((p) => p.vertices!.slice().sort(lexCompare).flat()).sort(lexCompare),
      points: pieces.filter((p) => p.dim === 0).map((p) => p.vertices![0]).sort(lexCompare),
      polygons: pieces.filter((p) => p.dim === 2).map((p) => ccw(p.vertices!)).sort(lexCompare),
      opacity: 0.3,
    });
  }
  const svg = sliceSvg(slice, {
    color: 'pattern',
    digits,
    width: 720,
    height: 560,
    title: ['Figure 1 (right): preimages at three levels of a 2-input ReLU network', 'pieces from computePreimage (point targets); background: linear regions (colour: pattern)'],
    axisLabels: ['x1', 'x2'],
    overlays,
  });
  return { svg, zeroPieces: zero.pieces, shadedPolygons: overlays[0].polygons!.length, preimages, regions: slice.regions.length };
}

// ------------------------------------------------------------------------------------------------
// ACAS Xu slice

/** The ACAS Xu slice of docs/acasxu-slice.svg: ρ × θ in raw units, ψ = 0, v_own = 750, v_int = 400. */
export const ACAS_SLICE = { dims: [0, 1] as [number, number], fixed: [0, 750, 400], rect: { u0: 10000, u1: 30000, v0: -1, v1: 1 } };
export const ACAS_ADVISORIES = ['COC', 'weak left', 'weak right', 'strong left', 'strong right'];

export interface AcasFigure {
  svg: string;
  regions: number;
  polygons: number;
  classAreas: number[];
}

/** The ACAS Xu 1_1 slice coloured by advisory (argmin of the scores), raw units. */
export function acasSliceFigure(net: Network, digits = 2): AcasFigure {
  const slice = computeSlice(net, coordinatePlane(net.inputSize, ACAS_SLICE.dims, ACAS_SLICE.fixed), ACAS_SLICE.rect, { units: 'raw' });
  const cc = classColoring(slice, { rule: 'argmin' });
  const svg = sliceSvg(slice, {
    color: 'class',
    coloring: cc,
    digits,
    width: 720,
    height: 520,
    title: ['ACAS Xu 1_1: advisory (argmin of the scores) on an exact slice', 'raw units; ψ = 0 rad, v_own = 750 ft/s, v_int = 400 ft/s'],
    axisLabels: ['ρ, distance to intruder (ft)', 'θ, angle to intruder (rad)'],
    classNames: ACAS_ADVISORIES,
  });
  return { svg, regions: slice.regions.length, polygons: cc.polygons.length, classAreas: cc.classAreas };
}

