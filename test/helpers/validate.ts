/**
 * The shared validator: every test that produces a preimage result runs it. It calls the same
 * independent re-verification as `preimage check` (src/analysis/check.ts: exact certificates
 * recomputed from the weights, affine maps against plain evaluation, no overlap between
 * full-dimensional pieces, seeded sampling both ways) and fails the test on any finding. It also
 * asserts that the checks had something to check, so that a silent skip cannot pass.
 */
import assert from 'node:assert/strict';
import { checkResult, type CheckOptions, type CheckReport } from '../../src/analysis/check.js';
import type { Network } from '../../src/network/types.js';
import type { PreimageResult } from '../../src/preimage/result.js';
import type { Target } from '../../src/preimage/target.js';

export interface ValidateOptions extends CheckOptions {
  /** The network as read (normalised coordinates for .nnet; the result says if it is raw). */
  net: Network;
  /** Kept for the call sites' readability; the target is read back from the result itself. */
  target?: Target;
}

export function validateResult(result: PreimageResult, o: ValidateOptions): CheckReport {
  assert.equal(result.format, 'relu-preimage/result@1');
  const rep = checkResult(o.net, result, o);
  assert.deepEqual(rep.failures, [], `validator findings:\n${rep.failures.slice(0, 10).join('\n')}`);
  assert.equal(rep.certified + (o.exact === false ? rep.pieces : 0), rep.pieces, 'every piece carries a verified certificate');
  if (result.domain.kind === 'box' && rep.samples > 0) assert.ok(rep.samplesJudged >= rep.samples / 20 || result.pieces.some((p) => p.Aeq.length > 0), `enough samples were judged (${rep.samplesJudged} of ${rep.samples})`);
  return rep;
}
