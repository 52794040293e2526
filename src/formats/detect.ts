import { PreimageError } from '../errors.js';
import type { Network } from '../network/types.js';
import { readOnnx } from './onnx/index.js';
import { readNnet } from './nnet.js';
import { readJsonNetwork } from './json.js';

/** Network file formats relu-preimage reads. */
export type NetworkFormat = 'onnx' | 'nnet' | 'json';

/**
 * Guesses a network file's format from its name, then from its first bytes:
 * `{` starts JSON, `//` or a digit starts .nnet, anything else is tried as ONNX (binary protobuf).
 */
export function detectFormat(bytes: Uint8Array, name = ''): NetworkFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.nnet')) return 'nnet';
  if (lower.endsWith('.json')) return 'json';
  // a UTF-8 byte order mark (the JSON and .nnet readers accept one) is not content
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (i < bytes.length) {
    const c = bytes[i];
    if (c === 0x7b /* { */) return 'json';
    if ((c === 0x2f && bytes[i + 1] === 0x2f) || (c >= 0x30 && c <= 0x39)) return 'nnet';
  }
  return 'onnx';
}

/**
 * Reads a network from the bytes of an ONNX, .nnet or JSON file (format from the name or the
 * content). Runs unchanged in Node and browsers.
 * @throws PreimageError with a format-specific code (see src/errors.ts) when the file is unreadable.
 */
export function readNetwork(bytes: Uint8Array, name = '', format?: NetworkFormat): Network {
  if (bytes.length === 0) throw new PreimageError('EMPTY_FILE', `expected a network file, found an empty file${name ? ` (${name})` : ''}`);
  if (format === undefined && /\.vnnlib$/i.test(name)) {
    // Without this a property file would be tried as binary ONNX and fail as ONNX_DECODE.
    throw new PreimageError('UNKNOWN_FORMAT', `expected a network file (.onnx, .nnet or .json), found a VNN-LIB property (${name}); properties are the spec argument of preimage compute`);
  }
  const f = format ?? detectFormat(bytes, name);
  switch (f) {
    case 'onnx':
      return readOnnx(bytes, name);
    case 'nnet':
      return readNnet(bytes, name);
    case 'json':
      return readJsonNetwork(bytes, name);
    default:
      throw new PreimageError('UNKNOWN_FORMAT', `expected format onnx, nnet or json, found ${JSON.stringify(f)}`);
  }
}
