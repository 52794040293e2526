/**
 * Trains the playground's toy network: a 2 -> 16 -> 16 -> 2 ReLU network on the "two moons" data
 * set, with full-batch Adam on the softmax cross-entropy, written in plain TypeScript (no ML
 * dependency). Deterministic: the data and the initial weights come from the seeded Rng of
 * src/util/rng.ts and the training loop has a fixed order of operations, so the same seed gives
 * the same file byte for byte.
 *
 *   npx tsx scripts/train-toy.ts [--seed 7] [--out web/public/networks/moons.json]
 *
 * Prints the training accuracy and loss; see web/README.md.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createNetwork } from '../src/network/create.js';
import { evaluate } from '../src/network/evaluate.js';
import { writeJsonNetwork } from '../src/formats/json.js';
import { Rng } from '../src/util/rng.js';

interface Args { seed: number; out: string; points: number; epochs: number; hidden: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 7, out: 'web/public/networks/moons.json', points: 400, epochs: 3000, hidden: 16 };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i], v = argv[i + 1];
    if (v === undefined) throw new Error(`expected a value after ${k}`);
    if (k === '--seed') a.seed = Number(v);
    else if (k === '--out') a.out = v;
    else if (k === '--points') a.points = Number(v);
    else if (k === '--epochs') a.epochs = Number(v);
    else if (k === '--hidden') a.hidden = Number(v);
    else throw new Error(`unknown option ${k} (expected --seed, --out, --points, --epochs or --hidden)`);
  }
  return a;
}

/**
 * Two interleaved half circles (as scikit-learn's make_moons), centred on the origin:
 * class 0 on the upper moon, class 1 on the lower one, Gaussian noise of standard deviation `noise`.
 */
export function twoMoons(rng: Rng, count: number, noise = 0.12): { x: number[][]; y: number[] } {
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < count; i++) {
    const cls = i % 2;
    const t = Math.PI * rng.next();
    let u: number, v: number;
    if (cls === 0) { u = Math.cos(t); v = Math.sin(t); } else { u = 1 - Math.cos(t); v = 0.5 - Math.sin(t); }
    x.push([u - 0.5 + noise * rng.normal(), v - 0.25 + noise * rng.normal()]);
    y.push(cls);
  }
  return { x, y };
}

/** A dense layer's parameters and Adam moments (row-major weights, out × in). */
interface Dense { n: number; m: number; W: Float64Array; b: Float64Array; mW: Float64Array; vW: Float64Array; mb: Float64Array; vb: Float64Array; gW: Float64Array; gb: Float64Array }

function dense(rng: Rng, n: number, m: number): Dense {
  const W = new Float64Array(m * n);
  const s = Math.sqrt(2 / n); // He initialisation
  for (let i = 0; i < W.length; i++) W[i] = s * rng.normal();
  const z = () => new Float64Array(m * n);
  return { n, m, W, b: new Float64Array(m), mW: z(), vW: z(), mb: new Float64Array(m), vb: new Float64Array(m), gW: z(), gb: new Float64Array(m) };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const rng = new Rng(args.seed);
  const data = twoMoons(rng, args.points);
  const sizes = [2, args.hidden, args.hidden, 2];
  const layers: Dense[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) layers.push(dense(rng, sizes[k], sizes[k + 1]));
  const N = data.x.length;
  const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  // activations per layer per sample, reused
  const acts = sizes.map((s) => Array.from({ length: N }, () => new Float64Array(s)));
  const deltas = sizes.map((s) => Array.from({ length: N }, () => new Float64Array(s)));
  let loss = 0;
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    // forward
    loss = 0;
    for (let s = 0; s < N; s++) {
      acts[0][s].set(data.x[s]);
      for (let k = 0; k < layers.length; k++) {
        const L = layers[k], inp = acts[k][s], out = acts[k + 1][s];
        for (let j = 0; j < L.m; j++) {
          let z = L.b[j];
          for (let i = 0; i < L.n; i++) z += L.W[j * L.n + i] * inp[i];
          out[j] = k < layers.length - 1 && z < 0 ? 0 : z;
        }
      }
      // softmax cross-entropy on the logits
      const o = acts[layers.length][s];
      let mx = -Infinity;
      for (let j = 0; j < o.length; j++) mx = Math.max(mx, o[j]);
      let sum = 0;
      for (let j = 0; j < o.length; j++) sum += Math.exp(o[j] - mx);
      const d = deltas[layers.length][s];
      for (let j = 0; j < o.length; j++) {
        const p = Math.exp(o[j] - mx) / sum;
        d[j] = (p - (j === data.y[s] ? 1 : 0)) / N;
      }
      loss -= (o[data.y[s]] - mx - Math.log(sum)) / N;
    }
    // backward
    for (let k = layers.length - 1; k >= 0; k--) {
      const L = layers[k];
      L.gW.fill(0);
      L.gb.fill(0);
      for (let s = 0; s < N; s++) {
        const d = deltas[k + 1][s], inp = acts[k][s];
        for (let j = 0; j < L.m; j++) {
          if (d[j] === 0) continue;
          L.gb[j] += d[j];
          for (let i = 0; i < L.n; i++) L.gW[j * L.n + i] += d[j] * inp[i];
        }
        if (k > 0) {
          const dp = deltas[k][s];
          for (let i = 0; i < L.n; i++) {
            if (inp[i] <= 0) { dp[i] = 0; continue; } // ReLU derivative (0 at 0)
            let g = 0;
            for (let j = 0; j < L.m; j++) g += L.W[j * L.n + i] * d[j];
            dp[i] = g;
          }
        }
      }
    }
    // Adam step
    const c1 = 1 - Math.pow(b1, epoch), c2 = 1 - Math.pow(b2, epoch);
    for (const L of layers) {
      const upd = (P: Float64Array, G: Float64Array, M: Float64Array, V: Float64Array) => {
        for (let i = 0; i < P.length; i++) {
          M[i] = b1 * M[i] + (1 - b1) * G[i];
          V[i] = b2 * V[i] + (1 - b2) * G[i] * G[i];
          P[i] -= (lr * (M[i] / c1)) / (Math.sqrt(V[i] / c2) + eps);
        }
      };
      upd(L.W, L.gW, L.mW, L.vW);
      upd(L.b, L.gb, L.mb, L.vb);
    }
  }
  const net = createNetwork(
    layers.map((L, k) => ({ weights: L.W, inSize: L.n, bias: L.b, activation: k < layers.length - 1 ? 'relu' as const : 'identity' as const })),
    { source: { format: 'memory', name: `moons (2-${args.hidden}-${args.hidden}-2, seed ${args.seed})`, notes: [`scripts/train-toy.ts --seed ${args.seed} --points ${args.points} --epochs ${args.epochs} --hidden ${args.hidden}`] } },
  );
  // accuracy of the network as written (evaluated by the library, argmax of the two outputs)
  let correct = 0;
  for (let s = 0; s < N; s++) {
    const y = evaluate(net, data.x[s]);
    if ((y[1] > y[0] ? 1 : 0) === data.y[s]) correct++;
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, writeJsonNetwork(net));
  console.log(`two moons, ${N} points, seed ${args.seed}: ${args.epochs} epochs of full-batch Adam (lr ${lr}); final loss ${loss.toExponential(3)}, training accuracy ${((100 * correct) / N).toFixed(1)}% (${correct}/${N}); wrote ${args.out}`);
}

main();
