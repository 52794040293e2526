/**
 * Sliver slack: a sound account of the slivers of the search, for answers that must not miss a
 * point (verification).
 *
 * The margin rule (src/tolerance.ts) decides a unit whose hyperplane cuts a node within the margin
 * as if the thin side were absent: on that slab the search's piecewise-affine map F uses activity 0
 * for a unit whose true value is in (0, s], or the value z in [−s, 0) for a unit that is truly 0.
 * Either way the activity of that unit is off by at most s (the slab's largest |z|), and because
 * ReLU is 1-Lipschitz and monotone the error reaches the target layer at most through the products
 * of absolute weights: |N(x) − F(x)| <= s · (|W_L| ⋯ |W_{l+1}|) e_u componentwise, whatever the
 * patterns of later layers on the slab. Errors of several slivers on one path add up.
 *
 * So a node carries a slack vector σ (one entry per target coordinate), and its target rows
 * T y <= t are relaxed to T y <= t + |T| σ: every slab point the true network maps into the target
 * is then covered by a piece of the relaxed target. A search with slack that finds no piece proves
 * the (unrelaxed) preimage empty although slivers occurred; pieces it finds are candidates whose
 * witnesses must still be checked exactly.
 */
import type { Layer } from '../network/types.js';
import type { TargetSet } from './target.js';

/**
 * For each layer l (index into `layers`) and unit u, the column (|W_last| ⋯ |W_{l+1}|) e_u: how far
 * an error of 1 in unit u's activity can move each target-layer coordinate. Row-major, cols × width.
 */
export function sliverGains(layers: Layer[]): Float64Array[] {
  const last = layers.length - 1;
  const gains: Float64Array[] = new Array(layers.length);
  const cols = layers[last].outSize;
  // the target layer's own units: an activity error goes straight to that coordinate
  const id = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) id[i * cols + i] = 1;
  gains[last] = id;
  for (let l = last - 1; l >= 0; l--) {
    const next = layers[l + 1], above = gains[l + 1];
    const w = layers[l].outSize, m = next.outSize;
    const g = new Float64Array(cols * w);
    for (let i = 0; i < cols; i++) {
      for (let k = 0; k < m; k++) {
        const a = above[i * m + k];
        if (a === 0) continue;
        for (let u = 0; u < w; u++) g[i * w + u] += a * Math.abs(next.weights[k * w + u]);
      }
    }
    gains[l] = g;
  }
  return gains;
}

/** σ + s · gains[l] e_u (a new vector: frames share their parent's). */
export function addSlack(slack: Float64Array | undefined, gains: Float64Array[], l: number, u: number, s: number, cols: number): Float64Array {
  const g = gains[l];
  const w = g.length / cols;
  const out = slack ? slack.slice() : new Float64Array(cols);
  for (let i = 0; i < cols; i++) out[i] += s * g[i * w + u];
  return out;
}

/** The target with every inequality row relaxed by |T| σ (equality parts are left as they are: the slack search applies to inequality targets). */
export function relaxTarget(target: TargetSet, slack: Float64Array): TargetSet {
  const cols = target.cols;
  return {
    ...target,
    parts: target.parts.map((p) => {
      const t = p.t.slice();
      for (let r = 0; r < p.rows; r++) {
        let s = 0;
        for (let i = 0; i < cols; i++) s += Math.abs(p.T[r * cols + i]) * slack[i];
        // a hair more than the bound: its own rounding must not cut a point off
        t[r] += s * (1 + 1e-9);
      }
      return { ...p, t };
    }),
  };
}
