import type { Command } from 'commander';
import { PreimageError } from '../../errors.js';
import { evaluateLayers } from '../../network/evaluate.js';
import { denormalizeOutput, normalizeInput, type Units } from '../../network/normalization.js';
import { fmtVector, loadNetwork, parseVector, toJson } from '../io.js';

export function parseUnits(v: string | undefined, hasNormalization: boolean): Units {
  if (v === undefined) return 'normalized';
  if (v !== 'raw' && v !== 'normalized') throw new PreimageError('BAD_ARGUMENT', `expected --units raw or normalized, found ${JSON.stringify(v)}`);
  if (v === 'raw' && !hasNormalization) throw new PreimageError('BAD_ARGUMENT', 'expected a .nnet network (with normalisation) for --units raw, found a network without normalisation');
  return v;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate the network at one input')
    .argument('<model>', 'network file (.onnx, .nnet or .json)')
    .requiredOption('--input <values>', 'comma-separated input values')
    .option('--layers', 'print every layer\'s activity, not only the outputs')
    .option('--units <units>', 'for .nnet networks: raw (physical units, normalised before evaluation) or normalized (default)')
    .option('--json', 'print JSON')
    .action((model: string, opts: { input: string; layers?: boolean; units?: string; json?: boolean }) => {
      const net = loadNetwork(model);
      const units = parseUnits(opts.units, !!net.normalization);
      const given = parseVector(opts.input, '--input', net.inputSize);
      const x = units === 'raw' ? normalizeInput(net, given) : given;
      const warnings: string[] = [];
      if (units === 'raw' && net.normalization) {
        const n = net.normalization;
        given.forEach((v, i) => {
          if (v < n.inputMin[i] || v > n.inputMax[i]) warnings.push(`input ${i} = ${v} is outside the file's range [${n.inputMin[i]}, ${n.inputMax[i]}] (not clipped)`);
        });
      }
      const { activities } = evaluateLayers(net, x);
      const out = activities[activities.length - 1];
      const output = units === 'raw' ? denormalizeOutput(net, out) : out;
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.json) {
        const res: Record<string, unknown> = { units, input: Array.from(given), output: Array.from(output) };
        if (units === 'raw') res.normalizedInput = Array.from(x);
        if (units === 'raw') res.normalizedOutput = Array.from(out);
        if (opts.layers) res.layers = activities.map((a) => Array.from(a));
        process.stdout.write(toJson(res) + '\n');
        return;
      }
      if (opts.layers) activities.slice(0, -1).forEach((a, l) => process.stdout.write(`layer ${l}: ${fmtVector(a, 10)}\n`));
      process.stdout.write(`${opts.layers ? `layer ${activities.length - 1} (output)` : 'output'}${units === 'raw' ? ' (raw units)' : ''}: ${fmtVector(output, 10)}\n`);
    });
}
