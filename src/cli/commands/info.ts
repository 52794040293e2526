import type { Command } from 'commander';
import { parameterCount } from '../../network/create.js';
import type { Network } from '../../network/types.js';
import { loadNetwork, toJson } from '../io.js';
import { fmtVector } from '../io.js';

/** Plain-data description of a network, as printed by `preimage info`. */
export function networkInfo(net: Network) {
  return {
    format: net.source?.format ?? 'memory',
    name: net.source?.name ?? null,
    inputSize: net.inputSize,
    outputSize: net.outputSize,
    layers: net.layers.map((l) => ({ inSize: l.inSize, outSize: l.outSize, activation: l.activation })),
    hiddenWidths: net.layers.filter((l) => l.activation === 'relu').map((l) => l.outSize),
    reluUnits: net.layers.reduce((s, l) => s + (l.activation === 'relu' ? l.outSize : 0), 0),
    parameters: parameterCount(net),
    normalization: net.normalization
      ? {
          inputMin: Array.from(net.normalization.inputMin),
          inputMax: Array.from(net.normalization.inputMax),
          inputMean: Array.from(net.normalization.inputMean),
          inputRange: Array.from(net.normalization.inputRange),
          outputMean: net.normalization.outputMean,
          outputRange: net.normalization.outputRange,
        }
      : null,
    notes: net.source?.notes ?? [],
  };
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('format, input and output sizes, layer widths, parameter count, normalisation')
    .argument('<model>', 'network file (.onnx, .nnet or .json)')
    .option('--json', 'print JSON')
    .action((model: string, opts: { json?: boolean }) => {
      const info = networkInfo(loadNetwork(model));
      if (opts.json) {
        process.stdout.write(toJson(info) + '\n');
        return;
      }
      const lines = [
        `${info.name ?? model} (${info.format})`,
        `input size      ${info.inputSize}`,
        `output size     ${info.outputSize}`,
        `layers          ${info.layers.map((l) => `${l.outSize}${l.activation === 'relu' ? ' relu' : ' linear'}`).join(' -> ')}`,
        `ReLU units      ${info.reluUnits}`,
        `parameters      ${info.parameters}`,
      ];
      if (info.normalization) {
        const n = info.normalization;
        lines.push(
          'normalisation   x_norm = (x_raw - mean) / range;  y_raw = y_norm * outputRange + outputMean',
          `  input min     ${fmtVector(n.inputMin)}`,
          `  input max     ${fmtVector(n.inputMax)}`,
          `  input mean    ${fmtVector(n.inputMean)}`,
          `  input range   ${fmtVector(n.inputRange)}`,
          `  output mean   ${n.outputMean}   output range ${n.outputRange}`,
        );
      } else lines.push('normalisation   none');
      process.stdout.write(lines.join('\n') + '\n');
    });
}
