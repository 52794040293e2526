/**
 * The `preimage` command. Thin: argv -> public API -> output. Every user error prints one line
 * `error CODE: message` on stderr and exits with status 2; internal errors exit with status 3.
 */
import { Command, CommanderError } from 'commander';
import { PreimageError } from '../errors.js';
import { registerConvert } from './commands/convert.js';
import { registerEval } from './commands/eval.js';
import { registerInfo } from './commands/info.js';
import { registerLayer } from './commands/layer.js';
import { registerCompute } from './commands/compute.js';
import { registerCheck } from './commands/check.js';
import { registerVerify } from './commands/verify.js';
import { registerPlot } from './commands/plot.js';
import { registerWorker } from './commands/worker.js';

export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 3;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('preimage')
    .description('Exact, complete preimages of ReLU network activities, as unions of polyhedra')
    .version('0.1.0')
    .showHelpAfterError(false)
    // Errors are printed by main() as one line; help is never dumped on stderr after an error.
    .configureOutput({ outputError: () => {}, writeErr: () => {} })
    .exitOverride();
  registerInfo(program);
  registerEval(program);
  registerConvert(program);
  registerLayer(program);
  registerCompute(program);
  registerCheck(program);
  registerVerify(program);
  registerPlot(program);
  registerWorker(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

function commandNames(): string[] {
  return buildProgram().commands.map((c) => c.name()).filter((n) => n !== 'help');
}

/**
 * Joins a multi-line message into one line (commander appends "(Did you mean ...?)" on a second
 * line; the CLI promises exactly one line per error).
 */
function oneLine(msg: string): string {
  return msg.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Runs the CLI; returns the exit status instead of exiting (for tests). */
export async function main(argv: string[]): Promise<number> {
  try {
    process.exitCode = undefined;
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      // 'commander.help' with a non-zero status: no command given (or `help <unknown>`).
      const msg = e.code === 'commander.help'
        ? `expected a command (${commandNames().join(', ')}; see preimage --help), found ${argv.length ? JSON.stringify(argv.join(' ')) : 'none'}`
        : e.message.replace(/^error: /, '');
      process.stderr.write(`error BAD_ARGUMENT: ${oneLine(msg)}\n`);
      return EXIT_USER_ERROR;
    }
    if (e instanceof PreimageError) {
      process.stderr.write(`error ${e.code}: ${oneLine(e.message)}\n`);
      return EXIT_USER_ERROR;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`internal error: ${msg.split('\n')[0]} (please report this with the command line)\n`);
    if (process.env.PREIMAGE_DEBUG) console.error(e);
    return EXIT_INTERNAL_ERROR;
  }
}
