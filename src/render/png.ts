/**
 * SVG → PNG with @resvg/resvg-js (Node only: a native binding shipped inside the npm package).
 * Kept out of svg.ts so that the rest of src/render stays free of native code for browsers and
 * Web Workers. Text uses the system fonts (DejaVu Sans where present).
 */
import { PreimageError } from '../errors.js';

/** Renders an SVG document to PNG bytes at `scale` times its size (default 2 for sharp text). */
export async function svgToPng(svg: string, opts: { scale?: number } = {}): Promise<Uint8Array> {
  let mod: typeof import('@resvg/resvg-js');
  try {
    mod = await import('@resvg/resvg-js');
  } catch (e) {
    throw new PreimageError('IO', `expected the @resvg/resvg-js package for PNG output, found it missing (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); write an .svg instead`);
  }
  const scale = opts.scale ?? 2;
  const r = new mod.Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return new Uint8Array(r.render().asPng());
}
