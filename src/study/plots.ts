/**
 * Figures of the study as deterministic SVG strings: line charts with optional bands, and
 * galleries of 28 x 28 digit images with captions (rendered to PNG by the runner).
 */
import { esc, niceTicks, num, svgDocument, tickLabel } from '../render/svg.js';

const FONT = 'font-family="DejaVu Sans, sans-serif"';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  /** Optional band [x, lo, hi] drawn under the line. */
  band?: [number, number, number][];
  /** Draw markers only (no line). */
  markersOnly?: boolean;
}

export interface PanelSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xTicks?: number[];
  yMin?: number;
  yMax?: number;
  /** log10 y axis (values <= 0 are clamped to yMin). */
  logY?: boolean;
}

/** Several line-chart panels side by side, with one shared legend below. */
export function panelsSvg(title: string, panels: PanelSpec[], opts: { panelW?: number; panelH?: number; note?: string } = {}): string {
  const PW = opts.panelW ?? 300, PH = opts.panelH ?? 230;
  const ml = 58, mr = 14, mt = 44, mb = 44;
  const legendNames: { name: string; color: string; dashed?: boolean }[] = [];
  for (const p of panels) for (const s of p.series) if (!legendNames.some((l) => l.name === s.name)) legendNames.push({ name: s.name, color: s.color, dashed: s.dashed });
  const itemW = Math.max(...legendNames.map((l) => l.name.length * 6.2 + 40));
  const W = Math.ceil(Math.max(panels.length * (PW + ml + mr), title.length * 7.8 + 20, (opts.note ?? '').length * 5.6 + 20, itemW + 20));
  const legendCols = Math.max(1, Math.floor((W - 20) / itemW));
  const legendRows = Math.ceil(legendNames.length / legendCols);
  const H = mt + PH + mb + 18 * legendRows + (opts.note ? 22 : 8);
  const body: string[] = [`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" ${FONT}>${esc(title)}</text>`];
  panels.forEach((p, k) => {
    const x0 = k * (PW + ml + mr) + ml, y0 = mt;
    const xs = p.series.flatMap((s) => s.points.map((q) => q[0]));
    const ysRaw = p.series.flatMap((s) => [...s.points.map((q) => q[1]), ...(s.band ?? []).flatMap((b) => [b[1], b[2]])]);
    const tr = (v: number) => (p.logY ? Math.log10(Math.max(v, p.yMin ?? 1)) : v);
    const ys = ysRaw.map(tr);
    const xmin = Math.min(...(p.xTicks ?? xs)), xmax = Math.max(...(p.xTicks ?? xs));
    let ymin = p.yMin !== undefined ? tr(p.yMin) : Math.min(0, ...ys), ymax = p.yMax !== undefined ? tr(p.yMax) : Math.max(...ys);
    if (!(ymax > ymin)) ymax = ymin + 1;
    const pad = (xmax - xmin) * 0.06 || 0.5;
    const X = (v: number) => x0 + ((v - (xmin - pad)) / (xmax - xmin + 2 * pad)) * PW;
    const Y = (v: number) => y0 + PH - ((tr(v) - ymin) / (ymax - ymin)) * PH;
    body.push(`<text x="${num(x0 + PW / 2)}" y="${y0 - 10}" text-anchor="middle" font-size="12" ${FONT}>${esc(p.title)}</text>`);
    body.push(`<rect x="${x0}" y="${y0}" width="${PW}" height="${PH}" fill="none" stroke="#999"/>`);
    const yt = p.logY ? { values: Array.from({ length: Math.floor(ymax) - Math.ceil(ymin) + 1 }, (_, i) => Math.ceil(ymin) + i), decimals: 0 } : niceTicks(ymin, ymax, 5);
    for (const v of yt.values) {
      const yy = y0 + PH - ((v - ymin) / (ymax - ymin)) * PH;
      body.push(`<line x1="${x0}" x2="${x0 + PW}" y1="${num(yy)}" y2="${num(yy)}" stroke="#e5e5e5"/>`);
      body.push(`<text x="${x0 - 5}" y="${num(yy + 4)}" text-anchor="end" font-size="10" ${FONT}>${p.logY ? esc(String(10 ** v)) : tickLabel(v, yt.decimals)}</text>`);
    }
    const xt = p.xTicks ?? niceTicks(xmin, xmax, 5).values;
    for (const v of xt) body.push(`<text x="${num(X(v))}" y="${y0 + PH + 14}" text-anchor="middle" font-size="10" ${FONT}>${esc(String(v))}</text>`);
    body.push(`<text x="${num(x0 + PW / 2)}" y="${y0 + PH + 32}" text-anchor="middle" font-size="11" ${FONT}>${esc(p.xLabel)}</text>`);
    body.push(`<text transform="translate(${x0 - 44} ${num(y0 + PH / 2)}) rotate(-90)" text-anchor="middle" font-size="11" ${FONT}>${esc(p.yLabel)}</text>`);
    for (const s of p.series) {
      if (s.band && s.band.length > 1) {
        const up = s.band.map((b) => `${num(X(b[0]))},${num(Y(b[2]))}`), dn = s.band.slice().reverse().map((b) => `${num(X(b[0]))},${num(Y(b[1]))}`);
        body.push(`<polygon points="${[...up, ...dn].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
      }
      if (!s.markersOnly && s.points.length > 1) body.push(`<polyline points="${s.points.map((q) => `${num(X(q[0]))},${num(Y(q[1]))}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
      for (const q of s.points) body.push(`<circle cx="${num(X(q[0]))}" cy="${num(Y(q[1]))}" r="2.6" fill="${s.color}"/>`);
    }
  });
  legendNames.forEach((l, i) => {
    const lx = 20 + (i % legendCols) * itemW, ly = mt + PH + mb + 6 + 18 * Math.floor(i / legendCols);
    body.push(`<line x1="${num(lx)}" x2="${num(lx + 22)}" y1="${ly}" y2="${ly}" stroke="${l.color}" stroke-width="2.5"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    body.push(`<text x="${num(lx + 28)}" y="${ly + 4}" font-size="11" ${FONT}>${esc(l.name)}</text>`);
  });
  if (opts.note) body.push(`<text x="10" y="${H - 8}" font-size="10" fill="#555" ${FONT}>${esc(opts.note)}</text>`);
  return svgDocument(W, H, title, body);
}

/** One cell of a gallery: a 28 x 28 picture (values in [0, 1], white background, black ink) with a caption. */
export interface GalleryCell {
  pixels: ArrayLike<number>;
  caption: string[];
  /** Optional second picture drawn as a difference map (red: brighter, blue: darker than `pixels`). */
}

/** A grid of digit pictures with row labels and captions. */
export function gallerySvg(title: string, rows: { label: string; cells: GalleryCell[] }[], opts: { cell?: number; captionLines?: number; note?: string[] } = {}): string {
  const S = opts.cell ?? 112, px = S / 28;
  const cols = Math.max(...rows.map((r) => r.cells.length));
  const capL = opts.captionLines ?? 2;
  const lw = 90, gap = 16, capH = 13 * capL + 6;
  const noteLines = opts.note ?? [];
  const W = Math.ceil(Math.max(lw + cols * (S + gap) + 10, title.length * 7.6 + 20, ...noteLines.map((t) => t.length * 5.6 + 12)));
  const H = 30 + rows.length * (S + capH + gap) + 14 * noteLines.length + 6;
  const body: string[] = [`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" ${FONT}>${esc(title)}</text>`];
  rows.forEach((r, i) => {
    const y = 30 + i * (S + capH + gap);
    r.label.split('\n').forEach((t, k) => body.push(`<text x="6" y="${y + 16 + 14 * k}" font-size="11" ${FONT}>${esc(t)}</text>`));
    r.cells.forEach((c, j) => {
      const x = lw + j * (S + gap);
      body.push(`<rect x="${x - 1}" y="${y - 1}" width="${S + 2}" height="${S + 2}" fill="none" stroke="#888"/>`);
      for (let p = 0; p < 784; p++) {
        const v = Math.min(1, Math.max(0, c.pixels[p]));
        if (v < 0.5 / 255) continue;
        const g = Math.round(255 * (1 - v));
        body.push(`<rect x="${num(x + (p % 28) * px, 2)}" y="${num(y + Math.floor(p / 28) * px, 2)}" width="${num(px + 0.05, 2)}" height="${num(px + 0.05, 2)}" fill="rgb(${g},${g},${g})"/>`);
      }
      c.caption.slice(0, capL).forEach((t, k) => body.push(`<text x="${num(x + S / 2)}" y="${y + S + 13 + 13 * k}" text-anchor="middle" font-size="9.5" ${FONT}>${esc(t)}</text>`));
    });
  });
  noteLines.forEach((t, k) => body.push(`<text x="6" y="${H - 8 - 14 * (noteLines.length - 1 - k)}" font-size="10" fill="#555" ${FONT}>${esc(t)}</text>`));
  return svgDocument(W, H, title, body);
}

/** Bar chart of an activity vector (one bar per unit), e.g. the shared activity of a pair. */
export function activityBarsSvg(title: string, activity: ArrayLike<number>, opts: { width?: number; height?: number; note?: string } = {}): string {
  const W = opts.width ?? 560, H = opts.height ?? 120;
  const ml = 40, mr = 10, mt = 24, mb = 22;
  const m = activity.length;
  let top = 0;
  for (let i = 0; i < m; i++) top = Math.max(top, activity[i]);
  if (!(top > 0)) top = 1;
  const bw = (W - ml - mr) / m;
  const body: string[] = [`<text x="${W / 2}" y="15" text-anchor="middle" font-size="12" ${FONT}>${esc(title)}</text>`];
  body.push(`<line x1="${ml}" x2="${W - mr}" y1="${H - mb}" y2="${H - mb}" stroke="#999"/>`);
  body.push(`<text x="${ml - 4}" y="${mt + 8}" text-anchor="end" font-size="10" ${FONT}>${num(top, 2)}</text>`);
  body.push(`<text x="${ml - 4}" y="${H - mb}" text-anchor="end" font-size="10" ${FONT}>0</text>`);
  for (let i = 0; i < m; i++) {
    if (!(activity[i] > 0)) continue;
    const h = (activity[i] / top) * (H - mt - mb);
    body.push(`<rect x="${num(ml + i * bw, 2)}" y="${num(H - mb - h, 2)}" width="${num(Math.max(bw, 1.2), 2)}" height="${num(h, 2)}" fill="#4e79a7"/>`);
  }
  body.push(`<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="10" ${FONT}>${esc(opts.note ?? `unit 0 .. ${m - 1}`)}</text>`);
  return svgDocument(W, H, title, body);
}
