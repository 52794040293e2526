/**
 * The `preimage` command. Thin: argv -> public API -> output. Every user error prints one line
 * `error CODE: message` on stderr and exits with status 2; internal errors exit with status 3.
 */
import { Command, CommanderError } from 'commander';
import { PreimageError } from '../errors.js';
import { registerConvert } from './commands/convert.js';
import { registerEval } from './commands/eval.js';
import { registerInfo } from './commands/info.js';

export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 3;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('preimage')
    .description('Exact, complete preimages of ReLU network activities, as unions of polyhedra')
    .version('0.1.0')
    .showHelpAfterError(false)
    .configureOutput({ outputError: () => {} })
    .exitOverride();
  registerInfo(program);
  registerEval(program);
  registerConvert(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

/** Runs the CLI; returns the exit status instead of exiting (for tests). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      process.stderr.write(`error BAD_ARGUMENT: ${e.message.replace(/^error: /, '')}\n`);
      return EXIT_USER_ERROR;
    }
    if (e instanceof PreimageError) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      return EXIT_USER_ERROR;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`internal error: ${msg.split('\n')[0]} (please report this with the command line)\n`);
    if (process.env.PREIMAGE_DEBUG) console.error(e);
    return EXIT_INTERNAL_ERROR;
  }
}
