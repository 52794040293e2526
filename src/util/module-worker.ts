/**
 * A worker thread running a module of this package. Under tsx (tests, benchmarks: the module is a
 * `.ts` file) the worker registers tsx's loader first, since a worker does not inherit it.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker running the module at `url` (a `.js` file, or a `.ts` file under tsx). */
export function moduleWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
