/** H-polyhedra: construction, LP-based operations, V-representations and volumes. */
export * from './types.js';
export * from './hpoly.js';
export * from './ops.js';
export { toVRep, toVRepDetailed } from './vrep.js';
export { toHRep } from './hrep.js';
export { volume, relativeVolume } from './volume.js';
