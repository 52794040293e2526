/** Shared pieces of the benchmarks: the data directory, the machine, timing, JSON output. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readNetwork } from '../src/formats/detect.js';
import type { Network } from '../src/network/types.js';
import type { PreimageResult } from '../src/preimage/result.js';
import { createNetwork } from '../src/network/create.js';
import { Rng } from '../src/util/rng.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** $RELU_PREIMAGE_DATA, else ../shared/data beside the repository, else null. */
export function dataDir(): string | null {
  const env = process.env.RELU_PREIMAGE_DATA;
  if (env && existsSync(env)) return resolve(env);
  const sibling = resolve(repoRoot, '..', 'shared', 'data');
  return existsSync(sibling) ? sibling : null;
}

export function requireData(suite: string): string {
  const d = dataDir();
  if (!d) {
    process.stderr.write(`bench ${suite}: benchmark data not found (set RELU_PREIMAGE_DATA or place it at ../shared/data); skipped\n`);
    process.exit(0);
  }
  return d;
}

export function loadNet(path: string): Network {
  return readNetwork(new Uint8Array(readFileSync(path)), path.split('/').pop());
}

export function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${platform()} ${release()}` };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * A full garbage collection, run before a timed loop so that the loop does not pay for the
 * garbage of the checks done before it (the bench's own Monte Carlo samples and re-checks).
 * Uses V8's gc() without needing --expose-gc on the command line.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Digest of a result apart from its times (benches keep this, not the result: retained pieces slow every later run's garbage collections). */
export function resultDigest(r: PreimageResult): string {
  const { milliseconds: _m, geometryMilliseconds: _g, ...stats } = r.stats;
  return createHash('sha256').update(JSON.stringify({ ...r, stats })).digest('hex');
}

export function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

export { join };

/** A seeded random network (hidden ReLU layers, identity output), as the tests' randomNetwork. */
export function randomNet(seed: number, sizes: number[]): Network {
  const rng = new Rng(seed);
  const layers = [];
  for (let k = 1; k < sizes.length; k++) {
    const weights = Array.from({ length: sizes[k] }, () => Array.from({ length: sizes[k - 1] }, () => rng.normal() / Math.sqrt(sizes[k - 1])));
    const bias = Array.from({ length: sizes[k] }, () => rng.normal() * 0.5);
    layers.push({ weights, bias, activation: (k === sizes.length - 1 ? 'identity' : 'relu') as 'relu' | 'identity' });
  }
  return createNetwork(layers);
}

/**
 * How many cores the machine gives this process right now: the work two threads spinning for
 * `ms` get done, over the work one thread gets done alone (about 2 on an idle 2-core machine;
 * about 1 when the host or other jobs take the second core). The machine this project is measured
 * on is a VM whose second core the host sometimes withholds: wall-clock speed-ups of threads are
 * only meaningful when this is near 2.
 */
export async function probeCores(ms = 700): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    const end = Date.now() + workerData; let n = 0, s = 0;
    while (Date.now() < end) { for (let i = 0; i < 1e4; i++) s += Math.sqrt(i); n++; }
    parentPort.postMessage(n + (s < 0 ? 1 : 0));`;
  const spin = (k: number) => Promise.all(Array.from({ length: k }, () => new Promise<number>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: ms });
    w.once('message', (n: number) => { resolve(n); void w.terminate(); });
    w.once('error', reject);
  })));
  const one = (await spin(1))[0];
  const two = (await spin(2)).reduce((a, b) => a + b, 0);
  return one > 0 ? two / one : NaN;
}
