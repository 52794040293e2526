/** Linear programming: {@link solveLp} for one-off problems, {@link LpSession} for warm starts. */
export type { LpProblem, LpResult, LpStatus, FarkasCertificate } from './types.js';
export { solveLp, checkLpProblem } from './solve.js';
export type { LpOptions } from './solve.js';
export { LpSession } from './session.js';
