/**
 * Connectivity matrices of region time series, as nilearn 0.11.1's `nilearn.connectome`:
 * `connectivityMeasure` (`ConnectivityMeasure`: covariance, correlation, partial correlation,
 * precision, tangent), the covariance estimators (Ledoit-Wolf, empirical) and the matrix helpers
 * (`symMatrixToVec`, `vecToSymMatrix`, `covToCorr`, `precToPartial`, `geometricMean`).
 *
 * Symmetric eigendecompositions (matrix logarithm, square root, inverse square root of the
 * tangent kind) use `linalg/`'s eigensolver (Householder tridiagonalisation, implicit QL) behind
 * one internal wrapper; covariances are inverted by `linalg/`'s Cholesky factorisation (LU with
 * partial pivoting for matrices that are not positive definite); the Ledoit-Wolf shrinkage and
 * all products run on flat Float64Arrays.
 *
 * @example
 * ```ts
 * import { connectivityMeasure } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const run = { data: Float64Array.from([1, 2, 2, 4, 3, 7, 4, 7]), shape: [4, 2] as [number, number] };
 * const { connectivities } = connectivityMeasure({ kind: "correlation", vectorize: true, discardDiagonal: true })
 *   .fitTransform([run]);
 * deepStrictEqual(connectivities.shape, [1, 1]); // one row per subject, one column per pair
 * ```
 *
 * @module
 */
export type { Matrix } from "../types.ts";
export type { Standardize } from "../signal/standardize.ts";
export type { WarningSink } from "../signal/warnings.ts";
export {
  CONNECTIVITY_KINDS,
  type ConnectivityConfig,
  type ConnectivityKind,
  type ConnectivityMeasure,
  connectivityMeasure,
  type ConnectivityOutput,
  type ConnectivityTransformOptions,
  type CovEstimator,
  estimateCovariance,
  type FittedConnectivityMeasure,
  type ResolvedConnectivityConfig,
  subjectCovariance,
} from "./connectivity_measure.ts";
export { type CovarianceFit, empiricalCovariance, ledoitWolf } from "./covariance.ts";
export { covToCorr, precToPartial } from "./cov_to_corr.ts";
export { geometricMean, type GeometricMeanOptions } from "./geometric_mean.ts";
export {
  symMatricesToVecs,
  symMatrixToVec,
  type SymMatrixToVecOptions,
  vecLength,
  vecsToSymMatrices,
  vecToSymMatrix,
} from "./sym_matrix_vec.ts";
