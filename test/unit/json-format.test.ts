import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readJsonNetwork, writeJsonNetwork, JSON_NETWORK_FORMAT, JSON_NETWORK_VERSION, locateSyntaxError } from '../../src/formats/json.js';
import { readNnet } from '../../src/formats/nnet.js';
import { createNetwork } from '../../src/network/create.js';
import { repoRoot } from '../helpers/data.js';
import { assertSameNetwork, errorOf } from '../helpers/asserts.js';

const badDir = join(repoRoot, 'test', 'fixtures', 'bad', 'json');
const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'network.schema.json'), 'utf8'));

/** The valid base file of test/fixtures/bad/json/README.md. */
const TINY = JSON.stringify({
  format: 'relu-preimage/network',
  version: 1,
  inputSize: 2,
  layers: [
    { activation: 'relu', weights: [[0.5, -1], [1, 1], [-2, 0.25]], bias: [0.1, 0, -0.3] },
    { activation: 'identity', weights: [[1, -1, 2]], bias: [0.5] },
  ],
});

/**
 * A minimal JSON Schema checker for exactly the keywords schema/network.schema.json uses
 * (type, const, enum, required, properties, additionalProperties: false, items, minItems, minimum,
 * not, $ref to #/$defs). Returns the paths that fail. Any other keyword makes it throw, so the
 * schema cannot silently grow beyond what this test checks.
 */
function schemaErrors(s: any, v: unknown, at = '$'): string[] {
  const known = new Set(['$schema', '$id', 'title', 'description', '$defs', 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'minimum', 'not', '$ref']);
  for (const k of Object.keys(s)) if (!known.has(k)) throw new Error(`schema keyword ${k} not handled by the test checker`);
  if (s.$ref) return schemaErrors(schema.$defs[s.$ref.replace('#/$defs/', '')], v, at);
  const errs: string[] = [];
  const isObj = typeof v === 'object' && v !== null && !Array.isArray(v);
  if (s.type) {
    const ok =
      s.type === 'object' ? isObj
      : s.type === 'array' ? Array.isArray(v)
      : s.type === 'integer' ? Number.isInteger(v)
      : typeof v === s.type;
    if (!ok) return [`${at}: type ${s.type}`];
  }
  if ('const' in s && v !== s.const) errs.push(`${at}: const`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${at}: enum`);
  if (s.minimum !== undefined && (v as number) < s.minimum) errs.push(`${at}: minimum`);
  if (s.not && schemaErrors(s.not, v, at).length === 0) errs.push(`${at}: not`);
  if (isObj) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}.${r}: required`);
    for (const [k, val] of Object.entries(o)) {
      if (s.properties?.[k]) errs.push(...schemaErrors(s.properties[k], val, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}.${k}: additional`);
    }
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${at}: minItems`);
    if (s.items) v.forEach((x, i) => errs.push(...schemaErrors(s.items, x, `${at}[${i}]`)));
  }
  return errs;
}

test('the tiny base JSON network parses', () => {
  const net = readJsonNetwork(TINY, 'tiny.json');
  assert.deepEqual(net.layers.map((l) => [l.inSize, l.outSize, l.activation]), [[2, 3, 'relu'], [3, 1, 'identity']]);
  assert.deepEqual([...net.layers[0].weights], [0.5, -1, 1, 1, -2, 0.25]);
  assert.deepEqual(net.source, { format: 'json', name: 'tiny.json' });
  assert.deepEqual(schemaErrors(schema, JSON.parse(TINY)), []);
  // bytes with a BOM
  assertSameNetwork(net, readJsonNetwork(new TextEncoder().encode('\ufeff' + TINY)));
});

test('the schema and the reader agree on the format name, version and activations', () => {
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.properties.format.const, JSON_NETWORK_FORMAT);
  assert.equal(schema.properties.version.const, JSON_NETWORK_VERSION);
  assert.deepEqual(schema.$defs.layer.properties.activation.enum, ['relu', 'identity']);
});

test('bad JSON corpus: every file fails with its expected code', () => {
  const expected = JSON.parse(readFileSync(join(badDir, 'expected.json'), 'utf8')) as Record<string, string>;
  const files = readdirSync(badDir).filter((f) => f.endsWith('.json') && f !== 'expected.json').sort();
  assert.deepEqual(files, Object.keys(expected).sort(), 'expected.json lists exactly the bad files');
  const codes = new Set<string>();
  for (const f of files) {
    const e = errorOf(() => readJsonNetwork(readFileSync(join(badDir, f)), f));
    assert.equal(e.code, expected[f], `${f}: ${e.message}`);
    codes.add(e.code);
  }
  for (const c of ['EMPTY_FILE', 'JSON_SYNTAX', 'JSON_SCHEMA', 'NON_FINITE']) assert.ok(codes.has(c), `corpus covers ${c}`);
});

test('the schema rejects the bad files it can express, and only the shape rules are left to the reader', () => {
  const readerOnly = new Set(['row-length.json', 'bias-length.json', 'normalization-length.json']);
  const expected = JSON.parse(readFileSync(join(badDir, 'expected.json'), 'utf8')) as Record<string, string>;
  for (const [f, code] of Object.entries(expected)) {
    if (code !== 'JSON_SCHEMA') continue;
    const errs = schemaErrors(schema, JSON.parse(readFileSync(join(badDir, f), 'utf8')));
    if (readerOnly.has(f)) assert.deepEqual(errs, [], `${f} is valid for JSON Schema (shape rule)`);
    else assert.ok(errs.length > 0, `${f} fails the schema`);
  }
});

test('JSON_SYNTAX gives line and column of the first problem', () => {
  const e = errorOf(() => readJsonNetwork(readFileSync(join(badDir, 'trailing-comma.json'))));
  const text = readFileSync(join(badDir, 'trailing-comma.json'), 'utf8');
  const pos = text.indexOf(']', text.lastIndexOf('0.5,')); // the ']' right after the trailing comma
  const before = text.slice(0, pos).split('\n');
  const lineNo = before.length, col = before[before.length - 1].length + 1;
  assert.equal(lineNo, 39);
  assert.equal(e.issues[0].at, `line ${lineNo}, column ${col}`);
  assert.match(e.message, /trailing commas are not allowed/);
  assert.equal(errorOf(() => readJsonNetwork('{\n  "a": 1\n  "b": 2\n}')).issues[0].at, 'line 3, column 3');
  assert.match(errorOf(() => readJsonNetwork(readFileSync(join(badDir, 'nan.json')))).message, /NaN \(not valid JSON\)/);
  assert.match(errorOf(() => readJsonNetwork(readFileSync(join(badDir, 'unclosed.json')))).message, /end of input/);
});

test('the syntax scanner agrees with JSON.parse on valid and invalid snippets', () => {
  const valid = ['0', '-0.5e-3', '"a\\u00e9\\n"', '[]', '{}', '[1, [2, {"a": null}], true, false]', ' {"x" : [ 1 ,2 ] } '];
  const invalid = ['01', '[1,]', '{"a":1,}', "{'a':1}", '[1 2]', '"abc', '-', '1.', '.5', '[1]]', '{"a"}', 'nul', '"\t"', '"\\x"'];
  for (const s of valid) assert.doesNotThrow(() => JSON.parse(s), s);
  for (const s of invalid) {
    assert.throws(() => JSON.parse(s), s);
    const p = locateSyntaxError(s);
    assert.ok(p.pos <= s.length && !p.message.includes('no error was located'), `${s}: ${p.message}`);
  }
});

test('JSON_SCHEMA lists every problem with its JSON path and expected/found', () => {
  const e = errorOf(() => readJsonNetwork(readFileSync(join(badDir, 'row-length.json'))));
  assert.equal(e.issues[0].at, 'layers[1].weights[0]');
  assert.equal(e.issues[0].message, 'expected an array of 3 numbers, found an array of length 2');
  const s = errorOf(() => readJsonNetwork(readFileSync(join(badDir, 'string-weight.json'))));
  assert.equal(s.issues[0].at, 'layers[0].weights[2][1]');
  assert.equal(s.issues[0].message, 'expected a number, found "0.25"');
  const many = errorOf(() =>
    readJsonNetwork(JSON.stringify({ format: 'x', version: 2, inputSize: 2, layers: [{ activation: 'tanh', weights: [[1, 2]], bias: [1] }], extra: 1 })),
  );
  assert.deepEqual(
    many.issues.map((i) => i.at),
    ['extra', 'format', 'version', 'layers[0].activation'],
  );
  assert.match(many.issues[2].message, /newer version/);
  assert.equal(errorOf(() => readJsonNetwork(readFileSync(join(badDir, 'huge-number.json')))).issues[0].at, 'layers[0].weights[2][1]');
});

test('ACAS Xu 1_1 (bundled) survives .nnet -> JSON -> network bit-identically, with normalisation and source', () => {
  const net = readNnet(readFileSync(join(repoRoot, 'examples', 'ACASXU_run2a_1_1_batch_2000.nnet')), 'acas');
  const text = writeJsonNetwork(net);
  assert.deepEqual(schemaErrors(schema, JSON.parse(text)), []);
  const back = readJsonNetwork(text);
  assertSameNetwork(net, back);
  assert.deepEqual(back.source, { format: 'nnet', name: 'acas' });
  assert.equal(writeJsonNetwork(back), text, 'writing is a fixed point');
});

/** Any finite double, including -0, subnormals and ±MAX_VALUE. */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

const randomNetwork = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 5 }),
    values: fc.array(finite, { minLength: 1, maxLength: 80 }),
    reluOut: fc.boolean(),
    norm: fc.option(fc.record({ mean: finite, range: finite.filter((r) => r !== 0) }), { nil: undefined }),
    name: fc.option(fc.string(), { nil: undefined }),
  })
  .map(({ sizes, values, reluOut, norm, name }) => {
    let k = 0;
    const v = () => values[k++ % values.length];
    const layers = sizes.slice(1).map((out, i) => ({
      weights: Array.from({ length: out }, () => Array.from({ length: sizes[i] }, v)),
      bias: Array.from({ length: out }, v),
      activation: (i === sizes.length - 2 && !reluOut ? 'identity' : 'relu') as 'relu' | 'identity',
    }));
    const n = sizes[0];
    const normalization = norm && {
      inputMin: Float64Array.from({ length: n }, v),
      inputMax: Float64Array.from({ length: n }, v),
      inputMean: Float64Array.from({ length: n }, () => norm.mean),
      inputRange: Float64Array.from({ length: n }, () => norm.range),
      outputMean: norm.mean,
      outputRange: norm.range,
    };
    return createNetwork(layers, { normalization, source: name === undefined ? undefined : { format: 'memory', name } });
  });

test('property: random small networks survive JSON round trips (bit-identical, schema-valid, fixed point)', () => {
  fc.assert(
    fc.property(randomNetwork, (net) => {
      const text = writeJsonNetwork(net);
      const back = readJsonNetwork(text);
      assertSameNetwork(net, back);
      const again = writeJsonNetwork(back);
      if (net.source) {
        assert.deepEqual(back.source, net.source);
        assert.equal(again, text, 'writing is a fixed point');
      } else {
        assert.deepEqual(back.source, { format: 'json' }, 'a file without source reads as source json');
        assert.equal(writeJsonNetwork(readJsonNetwork(again)), again, 'writing is a fixed point');
      }
      assert.deepEqual(schemaErrors(schema, JSON.parse(text)), []);
    }),
    { numRuns: 300, seed: 7 },
  );
});
