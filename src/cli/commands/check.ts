import type { Command } from 'commander';
import { PreimageError } from '../../errors.js';
import { assertResultShape } from '../../analysis/check.js';
import { checkResultParallel } from '../../preimage/parallel.js';
import { parseThreads } from './compute.js';
import { loadNetwork, readText, toJson } from '../io.js';

/** Exit status when a result file fails its re-check (bad input stays 2). */
export const EXIT_CHECK_FAILED = 1;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('re-verify a result file independently of the search: exact certificates, affine maps, overlaps, sampling both ways')
    .argument('<model>', 'the network the result was computed for')
    .argument('<result.json>', 'a result written by `preimage compute --json`')
    .option('--samples <n>', 'domain samples (default 2000)')
    .option('--seed <s>', 'sampling seed')
    .option('--no-exact', 'skip the exact rational certificates')
    .option('--vertex-checks <n>', 'pieces (seeded sample) whose every vertex is evaluated exactly (default 50; all for every piece)')
    .option('--json', 'print the report as JSON')
    .option('--threads <n>', 'threads (default: the number of cores); the report is the same for any number')
    .action(async (model: string, file: string, o: { samples?: string; seed?: string; exact?: boolean; json?: boolean; vertexChecks?: string; threads?: string }) => {
      const threads = parseThreads(o.threads);
      const net = loadNetwork(model);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readText(file));
      } catch (e) {
        if (e instanceof PreimageError) throw e;
        throw new PreimageError('BAD_RESULT_FILE', `expected a JSON result file, found invalid JSON (${(e as Error).message.split('\n')[0]})`);
      }
      assertResultShape(parsed);
      const rep = await checkResultParallel(net, parsed, { threads, samples: o.samples ? Number(o.samples) : undefined, seed: o.seed ? Number(o.seed) : undefined, exact: o.exact, vertexChecks: o.vertexChecks === 'all' ? Infinity : o.vertexChecks ? Number(o.vertexChecks) : undefined });
      if (o.json) process.stdout.write(toJson(rep) + '\n');
      else {
        const lines = [
          `${rep.ok ? 'OK' : 'FAILED'}: ${rep.pieces} pieces (status ${rep.status})`,
          `certificates  ${o.exact === false ? 'skipped' : `${rep.certified} of ${rep.pieces} verified exactly (witness, pattern, target); every vertex of ${rep.vertexCheckedPieces} pieces evaluated exactly`}`,
          `overlap       ${rep.pairsChecked} pairs of full-dimensional pieces checked`,
          `sampling      ${rep.samples} domain samples (${rep.samplesInTarget} in the target, ${rep.samplesJudged} away from boundaries judged), ${rep.piecePoints} piece points`,
          ...rep.notes.map((n) => `note          ${n}`),
          ...rep.failures.map((f) => `failure       ${f}`),
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (!rep.ok) process.exitCode = EXIT_CHECK_FAILED;
    });
}
