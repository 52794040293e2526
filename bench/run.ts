/**
 * `npm run bench [-- suite ...]`: runs the benchmark suites and prints one JSON document.
 * Suites: lp, vcas, acas-partition, acas-props, slice, slice-browser (the playground in headless
 * Chromium), acasxu, mnistfc (the VNN-COMP instance lists; options --only <regex>, --limit N,
 * --timeout S, --process, --cpu-limit; see bench/vnncomp.ts). Default: all but acasxu, mnistfc
 * (many minutes), slice-browser (needs Chromium) and threads (1 vs 2 threads, a few minutes; see
 * bench/threads.ts) and direction (forward vs backward search, a few minutes; bench/direction.ts). Every suite checks its answers
 * before timing them. Suites that need ../shared/data (or $RELU_PREIMAGE_DATA) say so and skip.
 */
import { machine } from './common.js';

const suites: Record<string, () => Promise<unknown>> = {
  lp: async () => (await import('./lp.js')).runLpBench(),
  vcas: async () => (await import('./vcas.js')).runVcasBench(),
  'acas-partition': async () => (await import('./acas.js')).runAcasPartitionBench(),
  'acas-props': async () => (await import('./acas.js')).runAcasPropsBench(),
  slice: async () => (await import('./slice.js')).runSliceBench(),
  'slice-browser': async () => (await import('./slice.js')).runSliceBrowserBench(),
  acasxu: async () => (await import('./vnncomp.js')).runAcasxuBench(),
  mnistfc: async () => (await import('./vnncomp.js')).runMnistfcBench(),
  queue: async () => (await import('./queue.js')).runQueueBench(),
  threads: async () => (await import('./threads.js')).runThreadsBench(),
  direction: async () => (await import('./direction.js')).runDirectionBench(),
};

// options that take a value (--only <regex>, --limit N, --timeout S) are not suite names
const withValue = new Set(['--only', '--limit', '--timeout', '--repeat', '--warmup', '--threads']);
const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && !withValue.has(all[i - 1]));
for (const w of wanted) {
  if (!suites[w]) {
    process.stderr.write(`error BAD_ARGUMENT: expected a suite among ${Object.keys(suites).join(', ')}, found ${JSON.stringify(w)}\n`);
    process.exit(2);
  }
}
const out: Record<string, unknown> = { machine: machine(), date: new Date().toISOString() };
const long = new Set(['acasxu', 'mnistfc', 'slice-browser', 'threads', 'queue', 'direction']);
for (const name of wanted.length ? wanted : Object.keys(suites).filter((n) => !long.has(n))) {
  process.stderr.write(`bench ${name} ...\n`);
  out[name] = await suites[name]();
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
