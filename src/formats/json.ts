/**
 * The relu-preimage JSON network format, version 1 (schema: schema/network.schema.json, described
 * in docs/formats.md):
 * ```json
 * { "format": "relu-preimage/network", "version": 1, "inputSize": 2,
 *   "layers": [ { "activation": "relu", "weights": [[1, -1], [0.5, 2]], "bias": [0, 0.1] },
 *               { "activation": "identity", "weights": [[1, 1]], "bias": [0] } ],
 *   "normalization": { ... }, "source": { ... } }
 * ```
 * Weights are out × in rows (row j holds unit j's weights). Numbers are written with the shortest
 * text that reads back to the same double, so reading what was written is the identity.
 */
import { PreimageError, describe } from '../errors.js';
import type { Issue } from '../errors.js';
import { createNetwork } from '../network/create.js';
import type { LayerInit } from '../network/create.js';
import type { Network, NetworkSource, Normalization } from '../network/types.js';

/** Value of the `format` field. */
export const JSON_NETWORK_FORMAT = 'relu-preimage/network';
/** The format version this library writes and reads. */
export const JSON_NETWORK_VERSION = 1;

const ACTIVATIONS = ['relu', 'identity'] as const;
const SOURCE_FORMATS = ['onnx', 'nnet', 'json', 'memory'] as const;
const TOP_KEYS = ['format', 'version', 'inputSize', 'layers', 'normalization', 'source'];
const LAYER_KEYS = ['activation', 'weights', 'bias'];
const NORM_VECTORS = ['inputMin', 'inputMax', 'inputMean', 'inputRange'] as const;
const NORM_KEYS = [...NORM_VECTORS, 'outputMean', 'outputRange'];
const SOURCE_KEYS = ['format', 'name', 'notes'];
/** Stop collecting schema issues after this many (a broken file can have millions). */
const MAX_ISSUES = 20;

function decode(input: string | Uint8Array): string {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads a JSON network (text or UTF-8 bytes). Every schema problem found is listed in the
 * error's `issues` (up to 20), each with the JSON path (`layers[1].weights[3]`) in `at`.
 * Without a `source` in the file, the network's source is `{ format: "json", name }`.
 * @throws PreimageError EMPTY_FILE | JSON_SYNTAX (at "line L, column C") | JSON_SCHEMA | NON_FINITE
 *   (numbers too large for a double) | SHAPE_MISMATCH (never for a file that passes the checks).
 */
export function readJsonNetwork(input: string | Uint8Array, name?: string): Network {
  const text = decode(input);
  if (text.trim() === '') throw new PreimageError('EMPTY_FILE', 'expected a JSON network, found an empty file');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const e = locateSyntaxError(text);
    const { line, column } = lineColumn(text, e.pos);
    throw new PreimageError('JSON_SYNTAX', `invalid JSON: ${e.message}`, `line ${line}, column ${column}`);
  }
  const issues: Issue[] = [];
  const v = new Validator(issues);
  const parsed = v.network(doc);
  if (issues.length > 0 || !parsed) {
    const [first, ...more] = issues;
    throw new PreimageError(first.code, first.message, first.at, more);
  }
  const source: NetworkSource = parsed.source ?? { format: 'json', ...(name !== undefined && { name }) };
  return createNetwork(parsed.layers, { normalization: parsed.normalization, source });
}

interface Parsed {
  layers: LayerInit[];
  normalization?: Normalization;
  source?: NetworkSource;
}

/** Hand-written checks mirroring schema/network.schema.json plus the shape rules JSON Schema cannot state. */
class Validator {
  constructor(private issues: Issue[]) {}

  /** Records "expected <expected>, found <description of found>" at a JSON path. */
  private fail(at: string, expected: string, found: unknown, code: Issue['code'] = 'JSON_SCHEMA'): void {
    this.report(`expected ${expected}, found ${describe(found)}`, at, code);
  }

  private report(message: string, at: string, code: Issue['code'] = 'JSON_SCHEMA'): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ code, message, at: at || '(root)' });
  }

  private full(): boolean {
    return this.issues.length >= MAX_ISSUES;
  }

  private isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }

  private object(v: unknown, at: string, keys: string[], required: string[]): v is Record<string, unknown> {
    if (!this.isObject(v)) {
      this.fail(at, 'an object', v);
      return false;
    }
    for (const k of Object.keys(v)) {
      if (!keys.includes(k)) this.report(`unknown property "${k}" (allowed: ${keys.join(', ')})`, join(at, k));
    }
    for (const k of required) if (!(k in v)) this.report(`missing required property "${k}"`, join(at, k));
    return true;
  }

  private numberArray(v: unknown, at: string, length: number | null): Float64Array | null {
    if (!Array.isArray(v)) {
      this.fail(at, `an array of ${length ?? 'some'} numbers`, v);
      return null;
    }
    if (length !== null && v.length !== length) {
      this.fail(at, `an array of ${length} numbers`, v);
      return null;
    }
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number') {
        this.fail(`${at}[${i}]`, 'a number', x);
        if (this.full()) return null;
      } else if (!Number.isFinite(x)) {
        this.fail(`${at}[${i}]`, 'a finite number (a JSON number too large for a double reads as infinity)', x, 'NON_FINITE');
      } else out[i] = x;
    }
    return out;
  }

  private finiteNumber(v: unknown, at: string, nonZero: boolean): number | null {
    if (typeof v !== 'number') {
      this.fail(at, 'a number', v);
      return null;
    }
    if (!Number.isFinite(v)) {
      this.fail(at, 'a finite number', v, 'NON_FINITE');
      return null;
    }
    if (nonZero && v === 0) {
      this.fail(at, 'a non-zero number (it divides)', v);
      return null;
    }
    return v;
  }

  network(doc: unknown): Parsed | null {
    if (!this.object(doc, '', TOP_KEYS, ['format', 'version', 'inputSize', 'layers'])) return null;
    if (doc.format !== undefined && doc.format !== JSON_NETWORK_FORMAT) this.fail('format', JSON.stringify(JSON_NETWORK_FORMAT), doc.format);
    if (doc.version !== undefined && doc.version !== JSON_NETWORK_VERSION) {
      const newer = typeof doc.version === 'number' && doc.version > JSON_NETWORK_VERSION ? ' (written by a newer version of relu-preimage?)' : '';
      this.report(`expected version ${JSON_NETWORK_VERSION}, found ${describe(doc.version)}${newer}`, 'version');
    }
    let inputSize: number | null = null;
    if (doc.inputSize !== undefined) {
      if (typeof doc.inputSize === 'number' && Number.isInteger(doc.inputSize) && doc.inputSize >= 1) inputSize = doc.inputSize;
      else this.fail('inputSize', 'a positive integer', doc.inputSize);
    }
    const layers: LayerInit[] = [];
    if (doc.layers !== undefined) {
      if (!Array.isArray(doc.layers) || doc.layers.length === 0) this.fail('layers', 'a non-empty array of layers', doc.layers);
      else {
        let inSize = inputSize;
        for (let i = 0; i < doc.layers.length && !this.full(); i++) {
          const l = this.layer(doc.layers[i], `layers[${i}]`, inSize);
          inSize = l ? l.bias.length : null;
          if (l) layers.push(l);
        }
      }
    }
    let normalization: Normalization | undefined;
    if (doc.normalization !== undefined) normalization = this.normalization(doc.normalization, inputSize) ?? undefined;
    let source: NetworkSource | undefined;
    if (doc.source !== undefined) source = this.source(doc.source) ?? undefined;
    return this.issues.length === 0 ? { layers, normalization, source } : null;
  }

  /** `inSize` null: unknown (an earlier problem), so row lengths are only checked for consistency. */
  private layer(v: unknown, at: string, inSize: number | null): (LayerInit & { bias: Float64Array }) | null {
    if (!this.object(v, at, LAYER_KEYS, LAYER_KEYS)) return null;
    let ok = true;
    if (v.activation !== undefined && !(ACTIVATIONS as readonly unknown[]).includes(v.activation)) {
      this.fail(`${at}.activation`, `one of ${ACTIVATIONS.map((a) => JSON.stringify(a)).join(', ')}`, v.activation);
      ok = false;
    }
    const bias = v.bias === undefined ? null : this.numberArray(v.bias, `${at}.bias`, null);
    if (bias && bias.length === 0) {
      this.fail(`${at}.bias`, 'a non-empty array of numbers', v.bias);
      ok = false;
    }
    const outSize = bias ? bias.length : null;
    let rows: Float64Array[] | null = null;
    if (v.weights !== undefined) {
      const w = v.weights;
      if (!Array.isArray(w)) this.fail(`${at}.weights`, 'an array of weight rows (one per output unit)', w);
      else if (outSize !== null && w.length !== outSize) {
        this.fail(`${at}.weights`, `${outSize} weight rows (one per bias entry)`, w);
      } else {
        rows = [];
        let width = inSize ?? (Array.isArray(w[0]) ? w[0].length : null);
        if (width === 0) {
          this.fail(`${at}.weights[0]`, 'a non-empty row', w[0]);
          width = null;
        }
        for (let r = 0; r < w.length && !this.full(); r++) {
          const row = this.numberArray(w[r], `${at}.weights[${r}]`, width);
          if (row) rows.push(row);
        }
        if (rows.length !== w.length) rows = null;
      }
    }
    if (!ok || !bias || !rows || outSize === 0) return null;
    return { activation: v.activation as LayerInit['activation'], weights: rows, bias };
  }

  private normalization(v: unknown, inputSize: number | null): Normalization | null {
    if (!this.object(v, 'normalization', NORM_KEYS, NORM_KEYS)) return null;
    const vecs: Partial<Record<(typeof NORM_VECTORS)[number], Float64Array>> = {};
    for (const k of NORM_VECTORS) {
      if (v[k] === undefined) continue;
      const a = this.numberArray(v[k], `normalization.${k}`, inputSize);
      if (!a) continue;
      if (k === 'inputRange') {
        const z = a.indexOf(0);
        if (z >= 0) this.fail(`normalization.inputRange[${z}]`, 'a non-zero number (it divides)', 0);
      }
      vecs[k] = a;
    }
    const outputMean = v.outputMean === undefined ? null : this.finiteNumber(v.outputMean, 'normalization.outputMean', false);
    const outputRange = v.outputRange === undefined ? null : this.finiteNumber(v.outputRange, 'normalization.outputRange', true);
    if (!vecs.inputMin || !vecs.inputMax || !vecs.inputMean || !vecs.inputRange || outputMean === null || outputRange === null) return null;
    return { inputMin: vecs.inputMin, inputMax: vecs.inputMax, inputMean: vecs.inputMean, inputRange: vecs.inputRange, outputMean, outputRange };
  }

  private source(v: unknown): NetworkSource | null {
    if (!this.object(v, 'source', SOURCE_KEYS, ['format'])) return null;
    let ok = true;
    if (v.format !== undefined && !(SOURCE_FORMATS as readonly unknown[]).includes(v.format)) {
      this.fail('source.format', `one of ${SOURCE_FORMATS.map((a) => JSON.stringify(a)).join(', ')}`, v.format);
      ok = false;
    }
    if (v.name !== undefined && typeof v.name !== 'string') {
      this.fail('source.name', 'a string', v.name);
      ok = false;
    }
    if (v.notes !== undefined) {
      if (!Array.isArray(v.notes)) {
        this.fail('source.notes', 'an array of strings', v.notes);
        ok = false;
      } else {
        v.notes.forEach((n, i) => {
          if (typeof n !== 'string') {
            this.fail(`source.notes[${i}]`, 'a string', n);
            ok = false;
          }
        });
      }
    }
    if (!ok) return null;
    const s: NetworkSource = { format: v.format as NetworkSource['format'] };
    if (v.name !== undefined) s.name = v.name as string;
    if (v.notes !== undefined) s.notes = [...(v.notes as string[])];
    return s;
  }
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

/** Shortest text that parses back to exactly `v`, keeping the sign of zero (JSON.stringify(-0) is "0"). */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new PreimageError('NON_FINITE', `expected finite numbers to write JSON, found ${v}`);
  return Object.is(v, -0) ? '-0' : String(v);
}

function numbers(a: ArrayLike<number>): string {
  let s = '[';
  for (let i = 0; i < a.length; i++) s += (i ? ', ' : '') + num(a[i]);
  return s + ']';
}

/**
 * Writes a network as JSON (format version 1), one weight row per line. Numbers use JavaScript's
 * shortest round-trip representation, so `readJsonNetwork(writeJsonNetwork(net))` has
 * bit-identical weights, biases and normalisation (including -0).
 */
export function writeJsonNetwork(net: Network): string {
  const out: string[] = [];
  out.push('{');
  out.push(`  "format": ${JSON.stringify(JSON_NETWORK_FORMAT)},`);
  out.push(`  "version": ${JSON_NETWORK_VERSION},`);
  out.push(`  "inputSize": ${net.inputSize},`);
  out.push('  "layers": [');
  net.layers.forEach((l, i) => {
    out.push('    {');
    out.push(`      "activation": ${JSON.stringify(l.activation)},`);
    out.push('      "weights": [');
    for (let r = 0; r < l.outSize; r++) {
      out.push(`        ${numbers(l.weights.subarray(r * l.inSize, (r + 1) * l.inSize))}${r < l.outSize - 1 ? ',' : ''}`);
    }
    out.push('      ],');
    out.push(`      "bias": ${numbers(l.bias)}`);
    out.push(`    }${i < net.layers.length - 1 ? ',' : ''}`);
  });
  const tail: string[] = [];
  const n = net.normalization;
  if (n) {
    tail.push(
      [
        '  "normalization": {',
        `    "inputMin": ${numbers(n.inputMin)},`,
        `    "inputMax": ${numbers(n.inputMax)},`,
        `    "inputMean": ${numbers(n.inputMean)},`,
        `    "inputRange": ${numbers(n.inputRange)},`,
        `    "outputMean": ${num(n.outputMean)},`,
        `    "outputRange": ${num(n.outputRange)}`,
        '  }',
      ].join('\n'),
    );
  }
  const s = net.source;
  if (s) {
    const parts = [`"format": ${JSON.stringify(s.format)}`];
    if (s.name !== undefined) parts.push(`"name": ${JSON.stringify(s.name)}`);
    if (s.notes !== undefined) parts.push(`"notes": ${JSON.stringify(s.notes)}`);
    tail.push(`  "source": { ${parts.join(', ')} }`);
  }
  out.push(tail.length > 0 ? '  ],' : '  ]');
  if (tail.length > 0) out.push(tail.join(',\n'));
  out.push('}');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Locating a JSON syntax error. JSON.parse's messages differ between engines and often carry no
// position, so on failure a small scanner re-reads the text to find the first offending offset.

interface SyntaxProblem {
  pos: number;
  message: string;
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: pos - start + 1 };
}

/** Finds the first syntax error of `text` (which JSON.parse rejected). */
export function locateSyntaxError(text: string): SyntaxProblem {
  let i = 0;
  const n = text.length;
  const show = (p: number): string => (p >= n ? 'end of input' : JSON.stringify(text[p]));
  const err = (p: number, expected: string): never => {
    throw { pos: p, message: `expected ${expected}, found ${show(p)}` } satisfies SyntaxProblem;
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const str = (): void => {
    i++; // opening quote
    while (true) {
      if (i >= n) err(i, 'a closing \'"\'');
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) err(i, 'no control characters inside a string (escape them)');
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) err(i, 'four hex digits after \\u');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else err(i + 1, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else i++;
    }
  };
  const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (depth: number): void => {
    if (depth > 1000) err(i, 'data nested at most 1000 levels deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      while (true) {
        ws();
        if (text[i] !== '"') err(i, text[i] === '}' ? 'another property after "," (trailing commas are not allowed)' : 'a property name in double quotes');
        str();
        ws();
        if (text[i] !== ':') err(i, "':' after a property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        err(i, "',' or '}' after a property value");
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      while (true) {
        ws();
        if (text[i] === ']') err(i, 'another element after "," (trailing commas are not allowed)');
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        err(i, "',' or ']' after an array element");
      }
    } else if (c === '"') str();
    else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else {
      numberRe.lastIndex = i;
      const m = numberRe.exec(text);
      if (!m) {
        const word = /^[A-Za-z]+/.exec(text.slice(i, i + 20));
        if (word && /^(NaN|Infinity|undefined)$/.test(word[0])) {
          throw { pos: i, message: `expected a JSON value, found ${word[0]} (not valid JSON)` } satisfies SyntaxProblem;
        }
        err(i, 'a JSON value (object, array, string, number, true, false or null)');
      } else i += m![0].length;
    }
  };
  try {
    value(0);
    ws();
    if (i < n) err(i, 'end of input after the top-level value');
    return { pos: n, message: 'JSON.parse rejected the text but no error was located' };
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'pos' in e) return e as SyntaxProblem;
    throw e;
  }
}
