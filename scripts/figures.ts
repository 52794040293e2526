/**
 * npm run figures: regenerates the pictures in docs/ (SVG, the golden files of
 * test/golden/figures.test.ts, and PNG). Run it after a deliberate change to the pictures and
 * commit the SVGs; the tests never rewrite them.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readNetwork } from '../src/formats/detect.js';
import { acasSliceFigure, figure1Left, figure1Right } from '../src/render/figures.js';
import { svgToPng } from '../src/render/png.js';

const root = new URL('..', import.meta.url);
const docs = new URL('docs/', root);
mkdirSync(docs, { recursive: true });
const acasName = 'ACASXU_run2a_1_1_batch_2000.nnet';
const acas = readNetwork(new Uint8Array(readFileSync(new URL(`examples/${acasName}`, root))), acasName);

const figures: [string, () => { svg: string }][] = [
  ['figure1-left', () => figure1Left()],
  ['figure1-right', () => figure1Right()],
  ['acasxu-slice', () => acasSliceFigure(acas)],
];
for (const [name, make] of figures) {
  const t0 = performance.now();
  const { svg } = make();
  const svgUrl = new URL(`${name}.svg`, docs);
  writeFileSync(svgUrl, svg);
  writeFileSync(new URL(`${name}.png`, docs), await svgToPng(svg, { scale: 1.5 }));
  const rel = fileURLToPath(svgUrl).slice(fileURLToPath(root).length);
  console.log(`${rel}: ${Buffer.byteLength(svg)} bytes (+ .png), ${(performance.now() - t0).toFixed(0)} ms`);
}
