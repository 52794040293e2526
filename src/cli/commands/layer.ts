import type { Command } from 'commander';
import { layerPreimage } from '../../preimage/layer.js';
import { fmtVector, loadNetwork, parseVector, toJson } from '../io.js';

export function registerLayer(program: Command): void {
  program
    .command('layer')
    .description("the paper's construction: preimage of one layer's activity in the coordinates of the layer below")
    .argument('<model>', 'network file (.onnx, .nnet or .json)')
    .requiredOption('--layer <l>', 'layer l (1 = first dense layer)', (v) => Number(v))
    .requiredOption('--activity <values>', "comma-separated activity of layer l (post-ReLU, all >= 0)")
    .option('--preactivation', 'invert z = W x + b itself instead of ReLU(W x + b)')
    .option('--json', 'print JSON')
    .action((model: string, opts: { layer: number; activity: string; preactivation?: boolean; json?: boolean }) => {
      const net = loadNetwork(model);
      const y = parseVector(opts.activity, '--activity');
      const r = layerPreimage(net, opts.layer, y, { mode: opts.preactivation ? 'preactivation' : 'activity' });
      if (opts.json) {
        const P = r.polyhedron;
        const rowsOf = (M: Float64Array, m: number) => Array.from({ length: m }, (_, i) => Array.from(M.subarray(i * P.n, i * P.n + P.n)));
        process.stdout.write(
          toJson({
            layer: r.layer, mode: r.mode, coordinates: `layer ${r.layer - 1}`, n: r.n, case: r.case, rank: r.rank,
            active: r.active, inactive: r.inactive, empty: r.empty, emptyReason: r.emptyReason ?? null, residual: r.residual,
            dim: r.dim, witness: r.witness, A: rowsOf(P.A, P.m), b: P.b, Aeq: rowsOf(P.Aeq, P.meq), beq: P.beq, redundantRows: r.redundantRows,
            apex: r.apex ?? null, basis: r.basis ?? null, coneGenerators: r.coneGenerators ?? null, lines: r.lines, notes: r.notes,
          }) + '\n',
        );
        return;
      }
      const out: string[] = [];
      out.push(`preimage of layer ${r.layer} ${r.mode} in layer ${r.layer - 1} coordinates (${r.n} dimensions)`);
      out.push(`case: ${r.case} (rank ${r.rank}); active units ${r.active.length}, inactive units ${r.inactive.length}`);
      for (const note of r.notes) out.push(`  ${note}`);
      if (r.empty) {
        out.push('the preimage is EMPTY');
      } else {
        out.push(`dimension ${r.dim}`);
        if (r.apex) out.push(`apex x0 = W^-1 (y - b) = [${fmtVector(r.apex)}]`);
        if (r.coneGenerators) r.coneGenerators.forEach((g, i) => out.push(`cone generator -e_${r.inactive[i]} = [${fmtVector(g)}]`));
        r.lines.forEach((l, i) => out.push(`line ${i}: [${fmtVector(l)}]`));
        if (r.witness) out.push(`a point of the preimage: [${fmtVector(r.witness)}]`);
      }
      process.stdout.write(out.join('\n') + '\n');
    });
}
