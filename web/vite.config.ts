/**
 * Vite configuration of the playground: `npm run playground` (dev server) and `npm run build:web`
 * (static files in web/dist). The app imports the library's sources (../src) and the bundled
 * example networks (../examples) directly, so the dev server may read the repository root.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  publicDir: 'public',
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
});
