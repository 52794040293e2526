import { createNetwork } from '../../src/network/create.js';
import type { Network } from '../../src/network/types.js';
import { Rng } from '../../src/util/rng.js';

/** A seeded random network with the given sizes [input, hidden..., output]; hidden ReLU, identity output. */
export function randomNetwork(rng: Rng, sizes: number[], biasScale = 0.5): Network {
  const layers = [];
  for (let k = 1; k < sizes.length; k++) {
    const weights = Array.from({ length: sizes[k] }, () => Array.from({ length: sizes[k - 1] }, () => rng.normal() / Math.sqrt(sizes[k - 1])));
    const bias = Array.from({ length: sizes[k] }, () => rng.normal() * biasScale);
    layers.push({ weights, bias, activation: (k === sizes.length - 1 ? 'identity' : 'relu') as 'relu' | 'identity' });
  }
  return createNetwork(layers);
}

/** The 2-input network of the paper's Figure 1 (right): three levels of two ReLU units. */
export function paperFigureNetwork(): Network {
  return createNetwork([
    { weights: [[1, -0.5], [0.4, 1]], bias: [0.1, -0.2], activation: 'relu' },
    { weights: [[1, 0.8], [-0.6, 1]], bias: [-0.3, 0.1], activation: 'relu' },
    { weights: [[0.9, -0.4], [0.5, 0.7]], bias: [0.05, -0.25], activation: 'relu' },
  ]);
}

export { Rng };
