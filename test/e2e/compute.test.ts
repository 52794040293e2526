import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { computePreimage, preimagePieces, preparePreimage } from '../../src/preimage/engine.js';
import { readNetwork } from '../../src/formats/detect.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
const VCAS = join(repoRoot, 'examples', 'VertCAS_21_1.onnx');
const ACAS = join(repoRoot, 'examples', 'ACASXU_run2a_1_1_batch_2000.nnet');
const DOMAIN = '--domain=-0.5:0.5,-0.5:0.5,0.149:0.151,-0.5:0.5';

test('compute --json writes a result that check re-verifies; --jsonl streams pieces then a summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rp-'));
  const out = join(dir, 'r.json');
  const r = cli('compute', VCAS, '--class', '0', DOMAIN, '--json', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /status\s+complete/);
  assert.match(r.stdout, /pieces\s+49 \(by dimension: 49 of dim 4\)/);
  assert.match(r.stdout, /94\.44% of the domain/);
  const res = JSON.parse(readFileSync(out, 'utf8'));
  for (const key of ['format', 'status', 'inputDim', 'layer', 'domain', 'target', 'pieces', 'volume', 'domainVolume', 'stats']) assert.ok(key in res, key);
  for (const key of ['pieces', 'nodes', 'lps', 'pruned', 'milliseconds', 'geometryMilliseconds']) assert.equal(typeof res.stats[key], 'number', key);
  for (const key of ['pattern', 'A', 'b', 'Aeq', 'beq', 'witness', 'dim', 'bounded', 'volume', 'certificate']) assert.ok(key in res.pieces[0], key);
  const c = cli('check', VCAS, out);
  assert.equal(c.status, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /^OK: 49 pieces/);
  assert.match(c.stdout, /49 of 49 verified exactly/);
  // a tampered result fails the check with status 1
  res.pieces[0].b = res.pieces[0].b.map((v: number) => v + 0.2);
  writeFileSync(out, JSON.stringify(res));
  const bad = cli('check', VCAS, out);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^FAILED/);
  // a result checked against another network is refused with a coded error
  const other = cli('check', ACAS, out);
  assert.equal(other.status, 2);
  assert.match(other.stderr, /^error BAD_RESULT_FILE: /);
  const jl = cli('compute', VCAS, '--class', '0', DOMAIN, '--jsonl', '--no-volumes');
  assert.equal(jl.status, 0, jl.stderr);
  const lines = jl.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 50);
  assert.ok(lines.slice(0, 49).every((l) => l.type === 'piece'));
  assert.equal(lines[49].type, 'summary');
  assert.equal(lines[49].pieceCount, 49);
});

test('layer: the paper construction on the CLI, and one-line errors', () => {
  const r = cli('layer', VCAS, '--layer', '1', '--activity', Array.from({ length: 21 }, (_, i) => (i % 3 === 0 ? 0.5 : 0)).join(','), '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.case, 'more_outputs');
  assert.equal(j.n, 4);
  const neg = cli('layer', VCAS, '--layer', '1', '--activity', '-1' + ',0'.repeat(20));
  assert.equal(neg.status, 2);
  assert.equal(neg.stderr.trim().split('\n').length, 1);
  assert.match(neg.stderr, /^error NOT_RELU_OUTPUT: /);
  const none = cli('compute', VCAS);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^error BAD_ARGUMENT: expected exactly one target/);
  const dom = cli('compute', VCAS, '--class', '0', '--domain', '1:0,0:1,0:1,0:1');
  assert.equal(dom.status, 2);
  assert.match(dom.stderr, /^error BAD_ARGUMENT: expected --domain as lo:hi pairs/);
  const cls = cli('compute', VCAS, '--class', '12', DOMAIN);
  assert.equal(cls.status, 2);
  assert.match(cls.stderr, /^error BAD_TARGET: expected a class index between 0 and 8, found 12/);
});

test('budgets and cancellation never let a partial answer pass for a complete one', () => {
  const net = readNetwork(new Uint8Array(readFileSync(VCAS)), 'VertCAS_21_1.onnx');
  const domain = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };
  const full = computePreimage(net, { kind: 'class', index: 0 }, { domain, volumes: false, certificates: false });
  const budget = computePreimage(net, { kind: 'class', index: 0 }, { domain, volumes: false, certificates: false, maxPieces: 10 });
  assert.equal(budget.status, 'incomplete_budget');
  assert.ok(budget.pieces.length >= 10 && budget.pieces.length < full.pieces.length);
  assert.ok(budget.warnings.some((w) => w.includes('only part of the preimage')));
  const nodes = computePreimage(net, { kind: 'class', index: 0 }, { domain, volumes: false, maxNodes: 20 });
  assert.equal(nodes.status, 'incomplete_budget');
  const time = computePreimage(net, { kind: 'class', index: 0 }, { domain, volumes: false, timeLimitMs: 0 });
  assert.equal(time.status, 'incomplete_time');
  // cancellation from the streaming API: abort after the third piece
  const ac = new AbortController();
  const problem = preparePreimage(net, { kind: 'class', index: 0 }, { domain });
  const it = preimagePieces(problem, { signal: ac.signal });
  let count = 0;
  let end;
  for (;;) {
    const r = it.next();
    if (r.done) { end = r.value; break; }
    if (++count === 3) ac.abort();
  }
  assert.equal(end.status, 'cancelled');
  assert.ok(count >= 3 && count < full.pieces.length);
  // the complete run is deterministic: same pieces, same order
  const again = computePreimage(net, { kind: 'class', index: 0 }, { domain, volumes: false, certificates: false });
  assert.deepEqual(again.pieces.map((p) => p.witness), full.pieces.map((p) => p.witness));
});

test('result files validate against schema/result.schema.json', async () => {
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'result.schema.json'), 'utf8'));
  const ajv = new (Ajv2020 as unknown as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } })({ strict: false });
  const validate = ajv.compile(schema);
  const net = readNetwork(new Uint8Array(readFileSync(VCAS)), 'VertCAS_21_1.onnx');
  const domain = { kind: 'box' as const, lo: [-0.5, -0.5, 0.149, -0.5], hi: [0.5, 0.5, 0.151, 0.5] };
  for (const r of [
    computePreimage(net, { kind: 'class', index: 0 }, { domain }),
    computePreimage(net, { kind: 'partition' }, { domain, volumes: false, maxPieces: 20 }),
    computePreimage(net, { kind: 'point', layer: 1, activity: Array.from({ length: 21 }, () => 0) }, { domain: { kind: 'all' } }),
  ]) {
    const data = JSON.parse(JSON.stringify(r));
    assert.ok(validate(data), JSON.stringify(validate.errors));
  }
  const bad = JSON.parse(JSON.stringify(computePreimage(net, { kind: 'class', index: 0 }, { domain, volumes: false })));
  delete bad.pieces[0].witness;
  assert.equal(validate(bad), false);
});
