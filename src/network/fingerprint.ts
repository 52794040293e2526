import type { Network } from './types.js';

/**
 * A 64-bit FNV-1a fingerprint of a network's layer sizes, activations and every weight's bits,
 * written as 16 hex digits. Not cryptographic: it tells a result file which network it belongs
 * to, so that `preimage check` refuses a mismatched model.
 */
export function networkFingerprint(net: Network): string {
  let h1 = 0x811c9dc5 | 0, h2 = 0x01000193 | 0;
  const mix = (byte: number) => {
    h1 = Math.imul(h1 ^ byte, 0x01000193);
    h2 = Math.imul(h2 ^ byte ^ (h1 >>> 16), 0x5bd1e995);
  };
  const bytes = (a: Float64Array) => {
    const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < u.length; i++) mix(u[i]);
  };
  mix(net.inputSize & 255);
  for (const l of net.layers) {
    mix(l.outSize & 255);
    mix((l.outSize >> 8) & 255);
    mix(l.activation === 'relu' ? 1 : 2);
    bytes(l.weights);
    bytes(l.bias);
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
  return hex(h1) + hex(h2);
}
