/**
 * Deterministic SVG: numbers written with a fixed number of decimals (`digits`, default 3), stable
 * element order, no timestamps or random ids, so that pictures can be golden-tested byte for byte.
 * Strings only: no DOM, runs in Node, browsers and Web Workers.
 */
import type { ClassColoring, LabelledPolygon, TargetColoring } from './coloring.js';
import { patternKey } from './coloring.js';
import { CLASS_COLORS, OUTSIDE_COLOR, PREIMAGE_COLORS, patternColor } from './palette.js';
import type { Slice } from './slice.js';

/** A number with at most `digits` decimals, trailing zeros dropped, never "-0". */
export function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} into an SVG`);
  let s = x.toFixed(digits);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** Escapes text for XML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Path data of closed polygons given as flat pixel coordinates. */
export function polygonPath(polys: number[][], digits = 3): string {
  const parts: string[] = [];
  for (const P of polys) {
    if (P.length < 6) continue;
    let d = `M${num(P[0], digits)} ${num(P[1], digits)}`;
    for (let i = 2; i < P.length; i += 2) d += `L${num(P[i], digits)} ${num(P[i + 1], digits)}`;
    parts.push(d + 'Z');
  }
  return parts.join('');
}

/**
 * "Nice" tick values covering [lo, hi] (steps 1, 2 or 5 × 10^k), about `count` of them, and the
 * number of decimals their labels need.
 */
export function niceTicks(lo: number, hi: number, count = 6): { values: number[]; decimals: number } {
  const span = hi - lo;
  if (!(span > 0)) return { values: [lo], decimals: 0 };
  const raw = span / Math.max(1, count);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let k = first; k * step <= hi + step * 1e-9; k++) values.push(Number((k * step).toFixed(decimals)));
  return { values, decimals };
}

/** Formats a tick value with the given decimals ("-0" written as "0"). */
export function tickLabel(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

export interface SlicePlotOptions {
  /** What the fills show. `class` and `preimage` need the matching colouring. */
  color: 'class' | 'preimage' | 'pattern';
  coloring?: ClassColoring | TargetColoring;
  /** Decimals of every coordinate written (default 3). */
  digits?: number;
  /** Picture size in pixels (default 640 × 480). */
  width?: number;
  height?: number;
  /** Title line(s) saying what is shown. */
  title?: string | string[];
  /** Axis titles (default "u" and "v"). */
  axisLabels?: [string, string];
  /** Names of the classes (default "class k"). */
  classNames?: string[];
  /** Draw the linear regions' outlines (default true). */
  boundaries?: boolean;
  /** Extra geometry drawn above the fills, in plane coordinates (e.g. engine pieces). */
  overlays?: SliceOverlay[];
}

/** Extra geometry for {@link sliceSvg}: polygons, polylines and points in plane coordinates, one colour. */
export interface SliceOverlay {
  color: string;
  /** Legend text (no legend entry when absent). */
  label?: string;
  /** Closed polygons, flat [u0, v0, u1, v1, ...]. */
  polygons?: number[][];
  /** Open polylines, flat. */
  lines?: number[][];
  /** Points [u, v]. */
  points?: number[][];
  /** Fill opacity of the polygons (default 0.6). */
  opacity?: number;
  /** Line width in pixels (default 2.5). */
  width?: number;
}

const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';

/** Groups polygons by colour: one path per colour, in first-appearance order of a stable label order. */
function fillPaths(groups: Map<string, number[][]>, digits: number, order: string[]): string[] {
  const out: string[] = [];
  for (const color of order) {
    const polys = groups.get(color);
    if (!polys || polys.length === 0) continue;
    // a thin stroke of the fill colour hides anti-aliasing seams between neighbours
    out.push(`<path d="${polygonPath(polys, digits)}" fill="${color}" stroke="${color}" stroke-width="0.5" stroke-linejoin="round"/>`);
  }
  return out;
}

/**
 * The picture of a slice: filled polygons (class, preimage or pattern colouring), region
 * outlines, preimage segments and points, axes with ticks in the plane's units, a legend and a
 * title. Deterministic for given inputs.
 */
export function sliceSvg(slice: Slice, opts: SlicePlotOptions): string {
  const digits = opts.digits ?? 3;
  if (!Number.isInteger(digits) || digits < 0 || digits > 10) throw new RangeError(`expected digits between 0 and 10, found ${digits}`);
  const W = opts.width ?? 640, H = opts.height ?? 480;
  const titleLines = opts.title === undefined ? ['Linear regions of an exact 2-D slice'] : Array.isArray(opts.title) ? opts.title : [opts.title];
  const left = 72, right = 190, top = 22 + 16 * titleLines.length, bottom = 52;
  const pw = W - left - right, ph = H - top - bottom;
  const { u0, u1, v0, v1 } = slice.rect;
  const X = (u: number) => left + ((u - u0) / (u1 - u0)) * pw;
  const Y = (v: number) => top + ((v1 - v) / (v1 - v0)) * ph;
  const toPx = (P: number[]): number[] => {
    const out = new Array<number>(P.length);
    for (let i = 0; i < P.length; i += 2) { out[i] = X(P[i]); out[i + 1] = Y(P[i + 1]); }
    return out;
  };
  const n = (x: number) => num(x, digits);
  const body: string[] = [];
  const legend: { color: string; label: string; kind: 'box' | 'line' | 'dot' }[] = [];

  // fills
  const groups = new Map<string, number[][]>();
  const order: string[] = [];
  const add = (color: string, P: number[]) => {
    let g = groups.get(color);
    if (!g) { g = []; groups.set(color, g); order.push(color); }
    g.push(toPx(P));
  };
  const pct = (a: number) => `${((100 * a) / ((u1 - u0) * (v1 - v0))).toFixed(1)}%`;
  let segments: TargetColoring['segments'] = [], points: TargetColoring['points'] = [];
  if (opts.color === 'class') {
    const cc = opts.coloring;
    if (!cc || cc.kind !== 'class') throw new TypeError('class colouring needs a ClassColoring (classColoring(slice))');
    const sorted = stableByLabel(cc.polygons);
    for (const p of sorted) add(CLASS_COLORS[p.label % CLASS_COLORS.length], p.vertices);
    order.sort((a, b) => CLASS_COLORS.indexOf(a) - CLASS_COLORS.indexOf(b));
    for (let k = 0; k < cc.classes; k++) {
      if (!(cc.classAreas[k] > 0)) continue;
      legend.push({ color: CLASS_COLORS[k % CLASS_COLORS.length], label: `${opts.classNames?.[k] ?? `class ${k}`} (${pct(cc.classAreas[k])})`, kind: 'box' });
    }
  } else if (opts.color === 'preimage') {
    const tc = opts.coloring;
    if (!tc || tc.kind !== 'target') throw new TypeError('preimage colouring needs a TargetColoring (targetColoring(net, slice, target))');
    const colorOf = (label: number) => (label < 0 ? OUTSIDE_COLOR : PREIMAGE_COLORS[label % PREIMAGE_COLORS.length]);
    for (const p of stableByLabel(tc.polygons)) add(colorOf(p.label), p.vertices);
    order.sort((a, b) => (a === OUTSIDE_COLOR ? -1 : b === OUTSIDE_COLOR ? 1 : PREIMAGE_COLORS.indexOf(a) - PREIMAGE_COLORS.indexOf(b)));
    segments = tc.segments;
    points = tc.points;
    const areaByPart = new Array<number>(tc.parts).fill(0);
    for (const p of tc.polygons) if (p.label >= 0) areaByPart[p.label] += p.area;
    for (let j = 0; j < tc.parts; j++) {
      if (areaByPart[j] > 0) legend.push({ color: colorOf(j), label: `${tc.parts > 1 ? `part ${j}` : 'in the preimage'} (${pct(areaByPart[j])})`, kind: 'box' });
    }
    if (segments.length) legend.push({ color: PREIMAGE_COLORS[0], label: `preimage: ${segments.length} segment${segments.length > 1 ? 's' : ''}`, kind: 'line' });
    if (points.length) legend.push({ color: PREIMAGE_COLORS[0], label: `preimage: ${points.length} point${points.length > 1 ? 's' : ''}`, kind: 'dot' });
    legend.push({ color: OUTSIDE_COLOR, label: `outside (${pct(tc.outsideArea)})`, kind: 'box' });
  } else if (opts.color === 'pattern') {
    for (const r of slice.regions) add(patternColor(patternKey(r.pattern)), r.vertices);
    legend.push({ color: patternColor(''), label: 'linear regions, coloured by activation pattern', kind: 'box' });
  } else throw new TypeError(`expected color class, preimage or pattern, found ${String((opts as { color: unknown }).color)}`);

  body.push(`<clipPath id="plot-area"><rect x="${n(left)}" y="${n(top)}" width="${n(pw)}" height="${n(ph)}"/></clipPath>`);
  body.push('<g clip-path="url(#plot-area)">');
  body.push(...fillPaths(groups, digits, order));
  if (opts.boundaries !== false) {
    body.push(`<path d="${polygonPath(slice.regions.map((r) => toPx(r.vertices)), digits)}" fill="none" stroke="#222222" stroke-opacity="0.45" stroke-width="0.4" stroke-linejoin="round"/>`);
  }
  if (segments.length) {
    const d = segments.map((s) => `M${n(X(s.a[0]))} ${n(Y(s.a[1]))}L${n(X(s.b[0]))} ${n(Y(s.b[1]))}`).join('');
    body.push(`<path d="${d}" fill="none" stroke="${PREIMAGE_COLORS[0]}" stroke-width="2.5" stroke-linecap="round"/>`);
  }
  for (const p of points) body.push(`<circle cx="${n(X(p.p[0]))}" cy="${n(Y(p.p[1]))}" r="3.5" fill="${PREIMAGE_COLORS[0]}" stroke="#000000" stroke-width="0.6"/>`);
  for (const o of opts.overlays ?? []) {
    if (o.polygons?.length) body.push(`<path d="${polygonPath(o.polygons.map(toPx), digits)}" fill="${o.color}" fill-opacity="${num(o.opacity ?? 0.6, 3)}" stroke="${o.color}" stroke-width="0.8" stroke-linejoin="round"/>`);
    if (o.lines?.length) {
      const d = o.lines.map((L) => {
        const P = toPx(L);
        let t = `M${n(P[0])} ${n(P[1])}`;
        for (let i = 2; i < P.length; i += 2) t += `L${n(P[i])} ${n(P[i + 1])}`;
        return t;
      }).join('');
      body.push(`<path d="${d}" fill="none" stroke="${o.color}" stroke-width="${num(o.width ?? 2.5, 3)}" stroke-linecap="round" stroke-linejoin="round"/>`);
    }
    for (const p of o.points ?? []) body.push(`<circle cx="${n(X(p[0]))}" cy="${n(Y(p[1]))}" r="3.5" fill="${o.color}" stroke="#000000" stroke-width="0.6"/>`);
    if (o.label) legend.push({ color: o.color, label: o.label, kind: o.polygons?.length ? 'box' : o.lines?.length ? 'line' : 'dot' });
  }
  body.push('</g>');

  // axes
  body.push(`<rect x="${n(left)}" y="${n(top)}" width="${n(pw)}" height="${n(ph)}" fill="none" stroke="#000000" stroke-width="1"/>`);
  const tx = niceTicks(u0, u1, Math.max(2, Math.round(pw / 90)));
  const ty = niceTicks(v0, v1, Math.max(2, Math.round(ph / 70)));
  const tickPath: string[] = [];
  for (const t of tx.values) {
    const x = X(t);
    tickPath.push(`M${n(x)} ${n(top + ph)}L${n(x)} ${n(top + ph + 5)}`);
    body.push(`<text x="${n(x)}" y="${n(top + ph + 18)}" text-anchor="middle" font-size="11" ${FONT}>${esc(tickLabel(t, tx.decimals))}</text>`);
  }
  for (const t of ty.values) {
    const y = Y(t);
    tickPath.push(`M${n(left - 5)} ${n(y)}L${n(left)} ${n(y)}`);
    body.push(`<text x="${n(left - 8)}" y="${n(y + 4)}" text-anchor="end" font-size="11" ${FONT}>${esc(tickLabel(t, ty.decimals))}</text>`);
  }
  body.push(`<path d="${tickPath.join('')}" stroke="#000000" stroke-width="1"/>`);
  const [lu, lv] = opts.axisLabels ?? ['u', 'v'];
  body.push(`<text x="${n(left + pw / 2)}" y="${n(H - 12)}" text-anchor="middle" font-size="12" ${FONT}>${esc(lu)}</text>`);
  body.push(`<text x="${n(16)}" y="${n(top + ph / 2)}" text-anchor="middle" font-size="12" ${FONT} transform="rotate(-90 ${n(16)} ${n(top + ph / 2)})">${esc(lv)}</text>`);

  // legend (labels wrapped to the column's width)
  const lx = left + pw + 16;
  let ly = top + 8;
  for (const e of legend) {
    const y = ly;
    if (e.kind === 'box') body.push(`<rect x="${n(lx)}" y="${n(y)}" width="14" height="14" fill="${e.color}" stroke="#555555" stroke-width="0.5"/>`);
    else if (e.kind === 'line') body.push(`<path d="M${n(lx)} ${n(y + 7)}L${n(lx + 14)} ${n(y + 7)}" stroke="${e.color}" stroke-width="2.5"/>`);
    else body.push(`<circle cx="${n(lx + 7)}" cy="${n(y + 7)}" r="3.5" fill="${e.color}" stroke="#000000" stroke-width="0.6"/>`);
    const lines = wrap(e.label, Math.max(10, Math.floor((right - 40) / 6.2)));
    lines.forEach((t, i) => body.push(`<text x="${n(lx + 20)}" y="${n(y + 11 + 13 * i)}" font-size="11" ${FONT}>${esc(t)}</text>`));
    ly += 7 + 13 * Math.max(1, lines.length) + (lines.length > 1 ? 2 : 0);
  }
  const foot = [`${slice.regions.length} linear regions`];
  if (slice.stats.slivers) foot.push(`${slice.stats.slivers} slivers below the margin`);
  if (slice.status !== 'complete') foot.push(`stopped early: ${slice.status}`);
  foot.forEach((t, i) => body.push(`<text x="${n(lx)}" y="${n(top + ph - 14 * (foot.length - 1 - i))}" font-size="10" fill="#444444" ${FONT}>${esc(t)}</text>`));

  // title
  titleLines.forEach((t, i) => body.push(`<text x="${n(W / 2)}" y="${n(18 + 16 * i)}" text-anchor="middle" font-size="${i === 0 ? 14 : 12}" ${FONT}>${esc(t)}</text>`));
  return svgDocument(W, H, titleLines.join(' — '), body);
}

/** Wraps body elements into a standalone SVG document with a white background. */
export function svgDocument(W: number, H: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Greedy word wrap to lines of at most `width` characters (a longer word gets its own line). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) { out.push(cur); cur = w; } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  return out;
}

/** Polygons ordered by label (stable: ties keep their order). */
function stableByLabel(polys: LabelledPolygon[]): LabelledPolygon[] {
  return polys.map((p, i) => ({ p, i })).sort((a, b) => a.p.label - b.p.label || a.i - b.i).map((x) => x.p);
}
