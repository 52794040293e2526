/**
 * Dense linear algebra on row-major Float64Arrays (no dependencies). See basic.ts for the
 * layout and out-parameter conventions. Rank decisions are always relative to the largest
 * singular value or to the matrix norm (tolerances in src/tolerance.ts), never a pivot against 0.
 */
export { matVec, matTVec, matMul, transpose, dot, norm2, maxAbs, norm1, normFrobenius, identity, column, axpy } from './basic.js';
export { luFactor, luSolve, luSolveTransposed, luDeterminant, solve, inverse, type LuFactors } from './lu.js';
export { qrPivoted, type QrResult, type QrOptions } from './qr.js';
export { svd, jacobiSquare, type SvdResult } from './svd.js';
export { rank, rankOf, nullSpace, rowSpaceBasis, columnSpaceBasis, leastSquares, pseudoInverse, type LeastSquaresResult } from './subspace.js';
