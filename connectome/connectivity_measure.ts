/**
 * nilearn 0.11.1's `ConnectivityMeasure` as an immutable value: `connectivityMeasure(config)`
 * returns an unfitted measure whose `fit` returns a new, fitted one.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { clean } from "../signal/clean.ts";
import { checkStandardize, type Standardize, standardize } from "../signal/standardize.ts";
import type { WarningSink } from "../signal/warnings.ts";
import { congruence, symmetrize } from "./_dense.ts";
import { mapEigenvalues } from "./_eigh.ts";
import { invertSymmetric } from "./_inv.ts";
import { type CovarianceFit, empiricalCovariance, ledoitWolf } from "./covariance.ts";
import { covToCorr, precToPartial } from "./cov_to_corr.ts";
import { geometricMean } from "./geometric_mean.ts";
import { symMatricesToVecs } from "./sym_matrix_vec.ts";

/** The connectivity kinds, nilearn's spelling. */
export const CONNECTIVITY_KINDS = [
  "correlation",
  "partial correlation",
  "tangent",
  "covariance",
  "precision",
] as const;

/** A connectivity kind: "covariance", "correlation", "partial correlation", "tangent", "precision". */
export type ConnectivityKind = typeof CONNECTIVITY_KINDS[number];

/**
 * A covariance estimator: "ledoit_wolf" (scikit-learn's `LedoitWolf`, nilearn's default),
 * "empirical" (`EmpiricalCovariance`), or a function of (time x regions) signals.
 */
export type CovEstimator = "ledoit_wolf" | "empirical" | ((signals: Matrix) => CovarianceFit);

/** Parameters of {@link connectivityMeasure} (nilearn's, in camelCase). */
export interface ConnectivityConfig {
  /** The kind of matrix. Default "covariance" (nilearn's default). */
  kind?: ConnectivityKind;
  /** Output one vector per subject (lower triangle, {@link symMatricesToVecs}). Default false. */
  vectorize?: boolean;
  /** With `vectorize`: leave the diagonal out. Without `vectorize` it does nothing. Default false. */
  discardDiagonal?: boolean;
  /**
   * How each subject's signals are standardized before the estimator, for kind "correlation"
   * only (nilearn uses the raw signals for the other kinds). Default true (population z-score).
   */
  standardize?: Standardize;
  /** The covariance estimator. Default "ledoit_wolf". */
  covEstimator?: CovEstimator;
  /** Receives nilearn's warnings (standardize deprecation, iterations). Default console.warn once. */
  onWarning?: WarningSink;
}

/** Options of `fitTransform` and `transform`. */
export interface ConnectivityTransformOptions {
  /**
   * Second-level confounds, (subjects x k): with `vectorize` only, the vectors are cleaned by
   * `clean(vectors, { confounds })` with its defaults (detrend, z-score, confounds standardized).
   */
  confounds?: Matrix | null;
}

/**
 * What `transform` returns: one (regions x regions) matrix per subject, or, when vectorized
 * (`V` true), one (subjects x vector length) matrix with a row per subject.
 */
export type ConnectivityOutput<V extends boolean = boolean> = V extends true ? Matrix : Matrix[];

/** The configuration with every default filled in. */
export interface ResolvedConnectivityConfig {
  /** The kind of matrix. */
  readonly kind: ConnectivityKind;
  /** One vector per subject instead of a matrix. */
  readonly vectorize: boolean;
  /** With `vectorize`: the diagonal is left out. */
  readonly discardDiagonal: boolean;
  /** Standardization of the signals for kind "correlation". */
  readonly standardize: Standardize;
  /** The covariance estimator. */
  readonly covEstimator: CovEstimator;
  /** Warnings sink, or undefined for the default. */
  readonly onWarning?: WarningSink;
}

/** A fitted connectivity measure (nilearn's attributes `mean_`, `whitening_` in camelCase). */
export interface FittedConnectivityMeasure<V extends boolean = boolean> {
  /** The parameters. */
  readonly config: ResolvedConnectivityConfig;
  /**
   * The group mean: for "tangent" the geometric mean of the covariances, otherwise the symmetrized
   * arithmetic mean of the subjects' matrices (nilearn's `mean_`).
   */
  readonly mean: Matrix;
  /** For "tangent": `mean^(-1/2)` (nilearn's `whitening_`); null otherwise. */
  readonly whitening: Matrix | null;
  /** Number of regions. */
  readonly nRegions: number;
  /**
   * The connectivity of (new) subjects. For "tangent": `logm(W C W)` with W = `whitening`; other
   * kinds do not depend on the fit (the estimator is re-run on each subject).
   */
  transform(
    subjects: readonly Matrix[],
    options?: ConnectivityTransformOptions,
  ): ConnectivityOutput<V>;
}

/** An unfitted connectivity measure. */
export interface ConnectivityMeasure<V extends boolean = boolean> {
  /** The parameters. */
  readonly config: ResolvedConnectivityConfig;
  /** Fit on (time x regions) signals, one matrix per subject; returns the fitted measure. */
  fit(subjects: readonly Matrix[]): FittedConnectivityMeasure<V>;
  /** Fit, then the connectivity of the same subjects (tangent needs at least two). */
  fitTransform(
    subjects: readonly Matrix[],
    options?: ConnectivityTransformOptions,
  ): { fitted: FittedConnectivityMeasure<V>; connectivities: ConnectivityOutput<V> };
}

function resolveConfig(config: ConnectivityConfig): ResolvedConnectivityConfig {
  if (typeof config !== "object" || config === null) {
    throw new TypeError(`connectivityMeasure: expected a config object, found ${String(config)}`);
  }
  const known = [
    "kind",
    "vectorize",
    "discardDiagonal",
    "standardize",
    "covEstimator",
    "onWarning",
  ];
  const unknown = Object.keys(config).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new TypeError(
      `connectivityMeasure: unknown option(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  }
  const kind = config.kind ?? "covariance";
  if (!(CONNECTIVITY_KINDS as readonly string[]).includes(kind)) {
    throw new RangeError(
      `kind: allowed connectivity kinds are ${
        CONNECTIVITY_KINDS.map((k) => `"${k}"`).join(", ")
      }; found ${JSON.stringify(kind)}`,
    );
  }
  for (const flag of ["vectorize", "discardDiagonal"] as const) {
    const v = config[flag];
    if (v !== undefined && typeof v !== "boolean") {
      throw new TypeError(`${flag}: expected a boolean, found ${JSON.stringify(v)}`);
    }
  }
  const est = config.covEstimator ?? "ledoit_wolf";
  if (est !== "ledoit_wolf" && est !== "empirical" && typeof est !== "function") {
    throw new RangeError(
      `covEstimator: expected "ledoit_wolf", "empirical" or a function, found ${
        JSON.stringify(est)
      }`,
    );
  }
  return {
    kind,
    vectorize: config.vectorize ?? false,
    discardDiagonal: config.discardDiagonal ?? false,
    standardize: checkStandardize(config.standardize ?? true, "standardize"),
    covEstimator: est,
    onWarning: config.onWarning,
  };
}

function checkSubjects(subjects: readonly Matrix[]): number {
  if (!Array.isArray(subjects)) {
    throw new TypeError(
      "subjects: expected an array of (time x regions) matrices, one per subject",
    );
  }
  if (subjects.length === 0) throw new TypeError("subjects: expected at least one subject");
  const dims = subjects.map((s) => (Array.isArray(s?.shape) ? s.shape.length : 0));
  if (dims.some((d) => d !== 2)) {
    throw new TypeError(
      `subjects: each subject must be a 2D (time x regions) matrix; found dimensions ` +
        `[${dims.join(", ")}]`,
    );
  }
  subjects.forEach((s, i) => {
    if (!(s.data instanceof Float64Array) || s.data.length !== s.shape[0] * s.shape[1]) {
      throw new TypeError(
        `subjects[${i}]: expected a Float64Array of ${s.shape[0] * s.shape[1]} values for shape [${
          s.shape.join(", ")
        }], found ${s.data?.length}`,
      );
    }
  });
  const features = subjects.map((s) => s.shape[1]);
  if (new Set(features).size > 1) {
    throw new TypeError(
      `subjects: all subjects must have the same number of regions; found [${features.join(", ")}]`,
    );
  }
  return features[0]!;
}

/** Run the configured estimator. */
export function estimateCovariance(estimator: CovEstimator, signals: Matrix): CovarianceFit {
  if (estimator === "ledoit_wolf") return ledoitWolf(signals);
  if (estimator === "empirical") return empiricalCovariance(signals);
  const fit = estimator(signals);
  const n = signals.shape[1];
  const c = fit?.covariance;
  if (!c || c.shape?.[0] !== n || c.shape?.[1] !== n || c.data?.length !== n * n) {
    throw new TypeError(
      `covEstimator: the estimator function must return { covariance: (${n} x ${n}) matrix, ` +
        `shrinkage }, found covariance of shape ${JSON.stringify(c?.shape)}`,
    );
  }
  return fit;
}

/**
 * The covariance the measure estimates for one subject (for "correlation", of the standardized
 * signals), with the estimator's shrinkage: what a sidecar reports.
 *
 * @param signals (time x regions) signals.
 * @param config the measure's parameters.
 * @returns the covariance and shrinkage.
 * @example
 * ```ts
 * import { subjectCovariance } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const x = { data: Float64Array.from([1, 2, 3, 6]), shape: [2, 2] as [number, number] };
 * const fit = subjectCovariance(x, { kind: "covariance", covEstimator: "empirical" });
 * deepStrictEqual(Array.from(fit.covariance.data), [1, 2, 2, 4]);
 * ```
 */
export function subjectCovariance(signals: Matrix, config: ConnectivityConfig): CovarianceFit {
  const cfg = resolveConfig(config);
  checkSubjects([signals]);
  return covarianceOf(signals, cfg);
}

function covarianceOf(signals: Matrix, cfg: ResolvedConnectivityConfig): CovarianceFit {
  if (cfg.kind === "correlation") {
    const z = standardize(signals, cfg.standardize, cfg.onWarning);
    return estimateCovariance(cfg.covEstimator, z);
  }
  return estimateCovariance(cfg.covEstimator, signals);
}

/** Per-subject matrices before the tangent step: covariances and the kind's matrices. */
function subjectMatrices(
  subjects: readonly Matrix[],
  cfg: ResolvedConnectivityConfig,
): { covariances: Matrix[]; connectivities: Matrix[] } {
  const covariances = subjects.map((s) => covarianceOf(s, cfg).covariance);
  const connectivities = covariances.map((c) => {
    const n = c.shape[0];
    switch (cfg.kind) {
      case "correlation":
        return covToCorr(c);
      case "covariance":
      case "tangent":
        return c;
      case "precision":
        return { data: invertSymmetric(c.data, n, "covariance"), shape: [n, n] } as Matrix;
      case "partial correlation":
        return precToPartial({ data: invertSymmetric(c.data, n, "covariance"), shape: [n, n] });
    }
  });
  return { covariances, connectivities };
}

function tangentOf(whitening: Matrix, covariances: readonly Matrix[]): Matrix[] {
  const n = whitening.shape[0];
  const w = whitening.data;
  return covariances.map((c) => ({
    data: mapEigenvalues(Math.log, congruence(w, c.data, n), n),
    shape: [n, n],
  }));
}

function output<V extends boolean>(
  matrices: Matrix[],
  cfg: ResolvedConnectivityConfig,
  options: ConnectivityTransformOptions,
): ConnectivityOutput<V> {
  const confounds = options.confounds ?? null;
  if (confounds !== null && !cfg.vectorize) {
    throw new TypeError(
      "confounds: 'confounds' are provided but vectorize=false. Confounds are only cleaned on " +
        "vectorized matrices as second level connectome regression but not on symmetric matrices.",
    );
  }
  if (!cfg.vectorize) return matrices as ConnectivityOutput<V>;
  const vecs = symMatricesToVecs(matrices, { discardDiagonal: cfg.discardDiagonal });
  if (confounds === null) return vecs as ConnectivityOutput<V>;
  return clean(vecs, { confounds, onWarning: cfg.onWarning }) as ConnectivityOutput<V>;
}

function fitFrom<V extends boolean>(
  cfg: ResolvedConnectivityConfig,
  nRegions: number,
  covariances: Matrix[],
  connectivities: Matrix[],
): FittedConnectivityMeasure<V> {
  let mean: Matrix;
  let whitening: Matrix | null = null;
  const n = nRegions;
  if (cfg.kind === "tangent") {
    mean = geometricMean(covariances, { maxIter: 30, tol: 1e-7, onWarning: cfg.onWarning });
    whitening = { data: mapEigenvalues((x) => 1 / Math.sqrt(x), mean.data, n), shape: [n, n] };
  } else {
    const sum = new Float64Array(n * n);
    for (const c of connectivities) {
      for (let i = 0; i < n * n; i++) sum[i] = (sum[i] as number) + (c.data[i] as number);
    }
    for (let i = 0; i < n * n; i++) sum[i] = (sum[i] as number) / connectivities.length;
    mean = { data: symmetrize(sum, n), shape: [n, n] };
  }
  const w = whitening;
  return Object.freeze({
    config: cfg,
    mean,
    whitening: w,
    nRegions,
    transform(subjects: readonly Matrix[], options: ConnectivityTransformOptions = {}) {
      const regions = checkSubjects(subjects);
      if (regions !== nRegions) {
        throw new TypeError(
          `subjects: the measure was fitted on ${nRegions} regions, found ${regions}`,
        );
      }
      const m = subjectMatrices(subjects, cfg);
      const mats = cfg.kind === "tangent" ? tangentOf(w!, m.covariances) : m.connectivities;
      return output<V>(mats, cfg, options);
    },
  });
}

/**
 * nilearn 0.11.1's `ConnectivityMeasure`: connectivity matrices of (time x regions) signals, one
 * per subject.
 *
 * - "covariance": the estimator's covariance; "precision": its inverse;
 * - "correlation": the estimator on the standardized signals, then {@link covToCorr};
 * - "partial correlation": {@link precToPartial} of the precision;
 * - "tangent": `logm(W C W)` with `W = mean^(-1/2)` and `mean` the geometric mean of the
 *   subjects' covariances (a group measure: fit on a group, at least two subjects).
 *
 * @param config kind, vectorization, standardization, estimator.
 * @returns an immutable measure; `fit` returns a new fitted measure.
 * @throws {RangeError} for an unknown kind or estimator.
 * @example
 * ```ts
 * import { connectivityMeasure } from "@niimask/niimask/connectome";
 * import { deepStrictEqual, ok } from "node:assert/strict";
 * const a = { data: Float64Array.from([1, 2, 2, 1, 3, 5, 4, 3]), shape: [4, 2] as [number, number] };
 * const b = { data: Float64Array.from([1, 1, 2, 3, 3, 2, 5, 6]), shape: [4, 2] as [number, number] };
 * const { fitted, connectivities } = connectivityMeasure({ kind: "correlation" })
 *   .fitTransform([a, b]);
 * deepStrictEqual(connectivities.length, 2); // one (2 x 2) matrix per subject
 * deepStrictEqual(connectivities[0]!.data[0], 1);
 * ok(fitted.mean.data[1]! > 0);
 * ```
 */
export function connectivityMeasure<V extends boolean = false>(
  config: ConnectivityConfig & { vectorize?: V } = {},
): ConnectivityMeasure<V> {
  const cfg = resolveConfig(config);
  return Object.freeze({
    config: cfg,
    fit(subjects: readonly Matrix[]): FittedConnectivityMeasure<V> {
      const n = checkSubjects(subjects);
      const m = subjectMatrices(subjects, cfg);
      return fitFrom<V>(cfg, n, m.covariances, m.connectivities);
    },
    fitTransform(subjects: readonly Matrix[], options: ConnectivityTransformOptions = {}) {
      if (cfg.kind === "tangent" && Array.isArray(subjects) && subjects.length <= 1) {
        throw new RangeError(
          "subjects: tangent space parametrization can only be applied to a group of subjects, " +
            `as it returns deviations to the mean; found ${subjects.length} subject(s)`,
        );
      }
      const n = checkSubjects(subjects);
      const m = subjectMatrices(subjects, cfg);
      const fitted = fitFrom<V>(cfg, n, m.covariances, m.connectivities);
      const mats = cfg.kind === "tangent"
        ? tangentOf(fitted.whitening!, m.covariances)
        : m.connectivities;
      return { fitted, connectivities: output<V>(mats, cfg, options) };
    },
  });
}
