import { main } from '../../src/cli/main.js';
import { repoRoot } from './data.js';

/** What a CLI run printed and its exit status. */
export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `main(argv)` in this process, capturing what it writes. Only string chunks are captured:
 * the CLI writes strings, while the test runner's own reporting (Buffers) passes through.
 * Paths in argv are relative to the repository root.
 */
export async function runCli(...args: string[]): Promise<Run> {
  let stdout = '', stderr = '';
  const out = process.stdout.write, err = process.stderr.write;
  const capture = (orig: typeof out, stream: NodeJS.WriteStream, add: (s: string) => void) =>
    function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      if (typeof chunk !== 'string') return (orig as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      add(chunk);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    } as typeof out;
  process.stdout.write = capture(out, process.stdout, (s) => (stdout += s));
  process.stderr.write = capture(err, process.stderr, (s) => (stderr += s));
  const cwd = process.cwd();
  let status: number;
  try {
    process.chdir(repoRoot);
    status = await main(args);
  } finally {
    process.chdir(cwd);
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined; // main() may set it (e.g. `check`); it must not fail this test process
  }
  return { status, stdout, stderr };
}
