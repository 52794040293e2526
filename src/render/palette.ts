/** Colours of the pictures (hex strings; deterministic). */

/** Categorical colours for classes (Tableau 10, light enough for black outlines on top). */
export const CLASS_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Fills of the parts of a target's preimage. */
export const PREIMAGE_COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];

/** Fill of the points outside a preimage. */
export const OUTSIDE_COLOR = '#eeeeee';

/** 32-bit FNV-1a hash of a string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** HSL (degrees, 0..1, 0..1) to #rrggbb. */
export function hslToHex(h: number, s: number, l: number): string {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (((h % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r1, g1, b1] = hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  const hex = (v: number) => Math.round((v + m) * 255).toString(16).padStart(2, '0');
  return `#${hex(r1)}${hex(g1)}${hex(b1)}`;
}

/** A pastel colour for an activation pattern key (the same pattern always gets the same colour). */
export function patternColor(key: string): string {
  const h = fnv1a(key);
  return hslToHex(h % 360, 0.35 + ((h >>> 9) % 30) / 100, 0.8 + ((h >>> 17) % 10) / 100);
}
