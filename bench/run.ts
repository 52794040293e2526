/**
 * `npm run bench [-- suite ...]`: runs the benchmark suites and prints one JSON document.
 * Suites: lp, vcas, acas-partition, acas-props. Default: all. Every suite checks its answers
 * before timing them. Suites that need ../shared/data (or $RELU_PREIMAGE_DATA) say so and skip.
 */
import { machine } from './common.js';

const suites: Record<string, () => Promise<unknown>> = {
  lp: async () => (await import('./lp.js')).runLpBench(),
  vcas: async () => (await import('./vcas.js')).runVcasBench(),
  'acas-partition': async () => (await import('./acas.js')).runAcasPartitionBench(),
  'acas-props': async () => (await import('./acas.js')).runAcasPropsBench(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const w of wanted) {
  if (!suites[w]) {
    process.stderr.write(`error BAD_ARGUMENT: expected a suite among ${Object.keys(suites).join(', ')}, found ${JSON.stringify(w)}\n`);
    process.exit(2);
  }
}
const out: Record<string, unknown> = { machine: machine(), date: new Date().toISOString() };
for (const name of wanted.length ? wanted : Object.keys(suites)) {
  process.stderr.write(`bench ${name} ...\n`);
  out[name] = await suites[name]();
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
