import type { Command } from 'commander';
import { PreimageError } from '../../errors.js';
import { writeJsonNetwork } from '../../formats/json.js';
import { writeNnet } from '../../formats/nnet.js';
import { writeOnnx } from '../../formats/onnx/index.js';
import { loadNetwork, writeOut } from '../io.js';
import { writeFileSync } from 'node:fs';

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert any readable network to JSON (default), .nnet or ONNX')
    .argument('<model>', 'network file (.onnx, .nnet or .json)')
    .option('--to <format>', 'json, nnet or onnx (default: from --out\'s extension, else json)')
    .option('--out <file>', 'output file (default: stdout for json and nnet)')
    .action((model: string, opts: { to?: string; out?: string }) => {
      const net = loadNetwork(model);
      const to = opts.to ?? (opts.out?.match(/\.(json|nnet|onnx)$/i)?.[1].toLowerCase() ?? 'json');
      if (to === 'json' || to === 'nnet') {
        const text = to === 'json' ? writeJsonNetwork(net) : writeNnet(net);
        if (opts.out) writeOut(opts.out, text);
        else process.stdout.write(text);
      } else if (to === 'onnx') {
        if (!opts.out) throw new PreimageError('BAD_ARGUMENT', 'expected --out FILE for --to onnx (binary), found none');
        try {
          writeFileSync(opts.out, writeOnnx(net));
        } catch (e) {
          throw new PreimageError('IO', `expected a writable path ${opts.out}, found ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
      } else throw new PreimageError('BAD_ARGUMENT', `expected --to json, nnet or onnx, found ${JSON.stringify(to)}`);
    });
}
