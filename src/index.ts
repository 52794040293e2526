/**
 * relu-preimage: exact, complete preimages of ReLU network activities as unions of polyhedra.
 * Public API (re-exports only).
 */
export { PreimageError, InternalError, type ErrorCode, type Issue } from './errors.js';
export { TOL } from './tolerance.js';

// networks
export type { Network, Layer, Activation, Normalization, Box, NetworkSource } from './network/types.js';
export { createNetwork, foldAffine, parameterCount, type LayerInit } from './network/create.js';
export { evaluate, evaluateBatch, evaluateLayers, activationPattern, localAffineMap, affineMapForPattern } from './network/evaluate.js';
export { normalizeInput, denormalizeInput, normalizeOutput, denormalizeOutput, normalizeBox, denormalizeBox, rawInputBox, clipRaw, type Units } from './network/normalization.js';

// formats
export { readNetwork, detectFormat, type NetworkFormat } from './formats/detect.js';
export { readOnnx, writeOnnx } from './formats/onnx/index.js';
export { readNnet, writeNnet } from './formats/nnet.js';
export { readJsonNetwork, writeJsonNetwork } from './formats/json.js';
export { parseVnnlib, type VnnlibSpec, type OutputPolytope } from './formats/vnnlib.js';

// linear programming and polyhedra
export type { LpProblem, LpResult, LpStatus, FarkasCertificate } from './lp/types.js';
export { solveLp, LpSession } from './lp/index.js';
export type { HPolyhedron, VPolyhedron, DimensionClass } from './polyhedra/types.js';
export { hpoly, boxPolyhedron, intersect } from './polyhedra/hpoly.js';
export { feasibility, chebyshevCenter, linearBounds, implicitEqualities, affineHull, dimension, classify, relativeInteriorPoint, removeRedundant, recessionCone, linealitySpace, isBounded } from './polyhedra/ops.js';
export { toVRep } from './polyhedra/vrep.js';
export { toHRep } from './polyhedra/hrep.js';
export { volume, relativeVolume } from './polyhedra/volume.js';

// preimages
export { layerPreimage, type LayerPreimage, type LayerCase } from './preimage/layer.js';
export { computePreimage, preimagePieces, preparePreimage, assembleResult, type PreimageOptions, type PreparedProblem, type SearchSummary } from './preimage/engine.js';
export type { Target, PointTarget, PolytopeTarget, UnionTarget, BoxTarget, ClassTarget, VnnlibTarget, PartitionTarget } from './preimage/target.js';
export type { Domain } from './preimage/domain.js';
export { RESULT_FORMAT, type PreimageResult, type PieceJson, type PieceCertificate, type ResultStatus, type ResultStats } from './preimage/result.js';
export { checkResult, type CheckOptions, type CheckReport } from './analysis/check.js';
export { networkFingerprint } from './network/fingerprint.js';

// pictures (browser-safe; PNG output lives in src/render/png.ts, Node only)
export { computeSlice, coordinatePlane, sliceLayerMap, slicePoint, regionAt, regionOutput, type Slice, type SliceRegion, type SlicePlane, type SliceRect, type SliceOptions, type SliceStats, type CoordinatePlane } from './render/slice.js';
export { classColoring, targetColoring, patternKey, type ClassColoring, type TargetColoring, type LabelledPolygon, type LabelledSegment, type LabelledPoint, type ColoringStats } from './render/coloring.js';
export { sliceSvg, type SlicePlotOptions, type SliceOverlay } from './render/svg.js';
