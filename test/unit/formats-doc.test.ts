// docs/formats.md must keep up with the code: every error code of src/errors.ts has a row in the
// error table, and every operator of SUPPORTED_ONNX_OPS appears in the ONNX operator table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_ONNX_OPS } from '../../src/formats/onnx/index.js';
import { repoRoot } from '../helpers/data.js';

const doc = readFileSync(join(repoRoot, 'docs', 'formats.md'), 'utf8');

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}`);
  assert.ok(start >= 0, `docs/formats.md has a section "## ${title}"`);
  const end = doc.indexOf('\n## ', start + 4);
  return doc.slice(start, end < 0 ? undefined : end);
}

test('docs/formats.md lists every error code of src/errors.ts, once, in its error table', () => {
  const src = readFileSync(join(repoRoot, 'src', 'errors.ts'), 'utf8');
  const union = /export type ErrorCode =([\s\S]*?);/.exec(src);
  assert.ok(union, 'ErrorCode union found');
  const codes = [...union[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
  assert.ok(codes.length >= 25);
  const rows = [...section('Error codes').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...rows].sort(), [...codes].sort());
});

test('docs/formats.md names every supported ONNX operator in the ONNX section', () => {
  const onnx = section('ONNX');
  for (const op of SUPPORTED_ONNX_OPS) assert.ok(onnx.includes(`\`${op}\``), `${op} is documented`);
});
