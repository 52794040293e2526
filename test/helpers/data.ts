import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (two levels above this file). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared benchmark data directory (ACAS Xu, mnistfc, vcas), or null when absent.
 * Looks at $RELU_PREIMAGE_DATA, then ../shared/data beside the repository.
 */
export function dataDir(): string | null {
  const env = process.env.RELU_PREIMAGE_DATA;
  if (env && existsSync(env)) return resolve(env);
  const sibling = resolve(repoRoot, '..', 'shared', 'data');
  return existsSync(sibling) ? sibling : null;
}

/** Skip reason for node:test when the data directory is absent (said plainly). */
export const NO_DATA = 'benchmark data not found: set RELU_PREIMAGE_DATA or place it at ../shared/data';

/** Path inside the data directory; throws if absent (call only when dataDir() is non-null). */
export function dataPath(...parts: string[]): string {
  const d = dataDir();
  if (!d) throw new Error(NO_DATA);
  return join(d, ...parts);
}
