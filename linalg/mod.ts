/**
 * Dense linear algebra on flat row-major `Float64Array`s (internal to niimask; no runtime APIs,
 * no dependencies): the symmetric eigendecomposition, Cholesky factorisation, and the
 * pseudo-inverse of a symmetric positive semi-definite matrix built on both.
 *
 * @module
 */
export { type SymEig, symEig, type SymEigOptions } from "./sym_eig.ts";
export {
  cholesky,
  choleskyInverse,
  choleskySolve,
  type Ldlt,
  ldlt,
  ldltInverse,
} from "./cholesky.ts";
export {
  CHOLESKY_MAX_CONDITION,
  CHOLESKY_MAX_EXACT_CONDITION,
  type PinvInfo,
  symmetricPinv,
} from "./sym_pinv.ts";
