/**
 * Redis key names. Everything of run R lives under `relu-preimage:R:` — BullMQ's keys (prefix
 * `relu-preimage:R`, queue `jobs`) and the run's own (problem record, results, failures) — so two
 * runs on one Redis never touch each other's keys, a Redis ACL can confine a user to
 * `~relu-preimage:R:*`, and cleaning up is deleting that namespace. Workers find runs in the set
 * `relu-preimage:runs`.
 */
export const KEY_ROOT = 'relu-preimage';
/** BullMQ queue name inside a run's prefix. */
export const QUEUE_NAME = 'jobs';

export const runsKey = (): string => `${KEY_ROOT}:runs`;
/** BullMQ `prefix` of a run. */
export const bullPrefix = (run: string): string => `${KEY_ROOT}:${run}`;
export const problemKey = (run: string): string => `${KEY_ROOT}:${run}:problem`;
/** Hash: task key ("0.3.1") -> encoded SubtreeResult JSON. */
export const resultsKey = (run: string): string => `${KEY_ROOT}:${run}:results`;
/** Hash: task key -> the last failure of its job (for the report of a failed subtree). */
export const failuresKey = (run: string): string => `${KEY_ROOT}:${run}:failures`;

/** A task key as text: "0.3.1" (also the Redis hash field). */
export const keyText = (key: readonly number[]): string => key.join('.');
/** BullMQ job id of a task: deterministic, so that adding a task twice adds one job. */
export const jobId = (key: readonly number[]): string => `t${key.join('.')}`;
