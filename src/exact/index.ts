/**
 * Exact rational arithmetic (BigInt) and the checks built on it: points against constraints,
 * Farkas certificates, exact network evaluation. Independent of the floating-point code: doubles
 * enter only as the exact rationals they denote.
 */
export { Rational } from './rational.js';
export {
  type Dyadic, dyadicFromNumber, dyadicAdd, dyadicSub, dyadicMul, dyadicNeg, dyadicSign, dyadicCmp, dyadicNormalize, dyadicToRational,
  type ScaledVector, scaledFrom, scaledFromNumbers, scaledFromRationals, scaledFromDyadics,
} from './dyadic.js';
export { verifyPoint, verifyPointInPolyhedron, exactAffine, exactAffineSigns, verifyAffineEquality, type VerifyPointOptions, type PointCheck } from './verify.js';
export { verifyFarkas, type FarkasCheck, type VerifyFarkasOptions } from './farkas.js';
export { prepareExact, exactForward, exactForwardDyadic, exactOutput, exactSigns, checkPattern, type ExactNetwork, type ExactInput, type PatternCheck } from './forward.js';
