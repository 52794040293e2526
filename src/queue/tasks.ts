/**
 * The one place the queue touches the subtree abstraction (src/preimage/subtree.ts): tasks with
 * keys, deterministic splitting, JSON encodings. Keeping it here means an API change there is a
 * change of this file only.
 */
export {
  rootTasks,
  runSubtree,
  compareKeys,
  encodeTask,
  decodeTask,
  encodeResult,
  decodeResult,
  type SubtreeTask,
  type SubtreeResult,
  type TaskKey,
} from '../preimage/subtree.js';
