/**
 * A private redis-server for one test file: a child process on a free loopback port, no
 * persistence, stopped (by its pid) when the file's tests end. Tests skip with REDIS_MISSING
 * when Debian's redis-server is not installed (.ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const REDIS_BIN = process.env.REDIS_SERVER ?? 'redis-server';
export const REDIS_MISSING = 'redis-server not found (apt-get install redis-server; .ci/run does): queue tests skipped';

/** True when redis-server can be run. */
export function haveRedis(): boolean {
  const r = spawnSync(REDIS_BIN, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts redis-server on a free port of 127.0.0.1 and waits until it accepts connections. */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const proc = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d) => { out += String(d); });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${out.slice(-500)}`)), 10_000);
    const check = () => {
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stdout?.on('data', check);
    proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)); });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    proc,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}
