/**
 * Connectivity outputs of the commands that write time series (`niimask extract`, and any other
 * command writing `<stem>_timeseries.tsv`), as texts: per run,
 * `<stem>_meas-<Measure>_relmat.tsv` (square matrix, region names as header) with a JSON sidecar,
 * and for the tangent kind the group's files (every run fitted at once, and the group geometric
 * mean). Pure: they return `[path, text]` pairs and run in any JS runtime (the browser page uses
 * them); `connectivity_outputs.ts` writes them to disk.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import {
  type ConnectivityKind,
  connectivityMeasure,
  subjectCovariance,
} from "../connectome/connectivity_measure.ts";
import type { CliCovEstimator, ConnectivityRequest } from "./connectivity_args.ts";
import { formatTimeseriesTsv } from "./tsv.ts";
import { formatSidecar } from "./sidecar.ts";
import { baseName } from "./naming.ts";

export type { CliCovEstimator, ConnectivityKind, ConnectivityRequest, Matrix };

/** The BIDS `meas-` label of each kind. */
export const MEASURE_LABELS: Readonly<Record<ConnectivityKind, string>> = {
  "correlation": "Correlation",
  "partial correlation": "PartialCorrelation",
  "covariance": "Covariance",
  "precision": "Precision",
  "tangent": "Tangent",
};

/** scikit-learn's name of each estimator (as recorded in the sidecars). */
const ESTIMATOR_NAMES: Readonly<Record<CliCovEstimator, string>> = {
  ledoit_wolf: "LedoitWolf",
  empirical: "EmpiricalCovariance",
};

/** Paths of one connectivity matrix and its sidecar. */
export interface RelmatPaths {
  /** `<stem>_meas-<Measure>_relmat.tsv`. */
  readonly tsv: string;
  /** `<stem>_meas-<Measure>_relmat.json`. */
  readonly json: string;
}

/**
 * Paths of a run's matrix of one kind.
 *
 * @param stem the time series' path without `_timeseries.tsv` (e.g. `out/sub-01_task-rest`).
 * @param kind the kind.
 * @returns the TSV and JSON paths.
 * @example
 * ```ts
 * import { relmatPaths } from "./connectivity_files.ts";
 * relmatPaths("out/sub-01", "partial correlation").tsv;
 * // "out/sub-01_meas-PartialCorrelation_relmat.tsv"
 * ```
 */
export function relmatPaths(stem: string, kind: ConnectivityKind): RelmatPaths {
  const base = `${stem}_meas-${MEASURE_LABELS[kind]}_relmat`;
  return { tsv: `${base}.tsv`, json: `${base}.json` };
}

/** A BIDS label: letters and digits only. */
function bidsLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, "");
}

/**
 * The stem of the group tangent mean:
 * `DIR/atlas-<atlas>_desc-<desc>_meas-Tangent_stat-mean_relmat`, each entity present only when
 * its label is given (labels reduced to letters and digits, as BIDS requires). `niimask extract`
 * uses the maps file name without extension as atlas label and no desc.
 *
 * @param outDir output directory.
 * @param entities `atlas` and `desc` labels, when known.
 * @returns the stem (add `.tsv` / `.json`).
 * @example
 * ```ts
 * import { groupTangentStem } from "./connectivity_files.ts";
 * groupTangentStem("out", { atlas: "difumo_64", desc: "simple" });
 * // "out/atlas-difumo64_desc-simple_meas-Tangent_stat-mean_relmat"
 * ```
 */
export function groupTangentStem(
  outDir: string,
  entities: { atlas?: string | null; desc?: string | null } = {},
): string {
  const parts: string[] = [];
  const atlas = entities.atlas ? bidsLabel(entities.atlas) : "";
  const desc = entities.desc ? bidsLabel(entities.desc) : "";
  if (atlas !== "") parts.push(`atlas-${atlas}`);
  if (desc !== "") parts.push(`desc-${desc}`);
  parts.push("meas-Tangent", "stat-mean", "relmat");
  const dir = outDir.endsWith("/") || outDir.endsWith("\\") ? outDir : `${outDir}/`;
  return `${dir}${parts.join("_")}`;
}

/**
 * The atlas label `niimask extract` derives from a maps path: its file name without
 * `.nii`/`.nii.gz`, letters and digits only (e.g. `difumo_64.nii.gz` → `difumo64`).
 *
 * @param mapsPath maps file path.
 * @returns the label ("" when nothing is left).
 * @example
 * ```ts
 * import { atlasLabelOfMaps } from "./connectivity_files.ts";
 * atlasLabelOfMaps("atlases/difumo_64.nii.gz"); // "difumo64"
 * ```
 */
export function atlasLabelOfMaps(mapsPath: string): string {
  return bidsLabel(baseName(mapsPath).replace(/\.nii(\.gz)?$/i, ""));
}

/** One run: where its outputs go, its region names' signals and what it came from. */
export interface ConnectivityRun {
  /** Output stem (the time series' path without `_timeseries.tsv`). */
  readonly stem: string;
  /** (volumes x regions) signals, as written to the time series TSV. */
  readonly signals: Matrix;
  /** The time series file name recorded as the source (e.g. `sub-01_timeseries.tsv`). */
  readonly source: string;
}

function sidecar(
  kind: ConnectivityKind,
  estimator: CliCovEstimator,
  fields: Record<string, unknown>,
  names: readonly string[],
  version: string,
): string {
  return formatSidecar({
    Description: `${MEASURE_LABELS[kind]} matrix between regions (nilearn 0.11.1 ` +
      `ConnectivityMeasure(kind="${kind}") semantics); rows and columns in the header's order.`,
    GeneratedBy: [{ Name: "niimask", Version: version }],
    Measure: MEASURE_LABELS[kind],
    Kind: kind,
    CovarianceEstimator: ESTIMATOR_NAMES[estimator],
    ...(kind === "correlation" ? { Standardize: "zscore" } : {}),
    ...fields,
    NumberOfRegions: names.length,
    Columns: [...names],
  });
}

/**
 * The files of one run's per-run kinds (every requested kind but tangent): each matrix as a TSV
 * with the region names as header, and its sidecar (kind, estimator, shrinkage, volumes used).
 *
 * @param run the run.
 * @param names region names (one per column of the signals).
 * @param request requested kinds and estimator.
 * @param version niimask version for the sidecars.
 * @returns `[path, text]` pairs (none when only tangent is requested).
 * @throws RangeError when the names do not match the signals, or a kind fails (e.g. a singular
 *   empirical covariance for precision), naming the kind.
 * @example
 * ```ts
 * import { runConnectivityFiles } from "./connectivity_files.ts";
 * const signals = { data: Float64Array.from([1, 2, 2, 5, 3, 5, 4, 9]), shape: [4, 2] as [number, number] };
 * const files = runConnectivityFiles({ stem: "out/sub-01", signals, source: "sub-01_timeseries.tsv" },
 *   ["A", "B"], { kinds: ["correlation"], estimator: "empirical" }, "0.1.0");
 * console.log(files.map(([p]) => p)); // [".../sub-01_meas-Correlation_relmat.tsv", "....json"]
 * ```
 */
export function runConnectivityFiles(
  run: ConnectivityRun,
  names: readonly string[],
  request: ConnectivityRequest,
  version: string,
): [string, string][] {
  checkNames(run, names);
  const files: [string, string][] = [];
  for (const kind of request.kinds) {
    if (kind === "tangent") continue;
    const config = { kind, covEstimator: request.estimator, onWarning: () => {} } as const;
    let matrix: Matrix;
    let shrinkage: number;
    try {
      [matrix] = connectivityMeasure(config).fitTransform([run.signals]).connectivities as [Matrix];
      shrinkage = subjectCovariance(run.signals, config).shrinkage;
    } catch (e) {
      throw new RangeError(
        `--connectivity ${kind.replace(" ", "_")}: ${(e as Error).message ?? String(e)}`,
      );
    }
    const paths = relmatPaths(run.stem, kind);
    files.push([paths.tsv, formatTimeseriesTsv(matrix, names)]);
    files.push([
      paths.json,
      sidecar(
        kind,
        request.estimator,
        {
          Sources: [run.source],
          Shrinkage: shrinkage,
          NumberOfVolumes: run.signals.shape[0],
        },
        names,
        version,
      ),
    ]);
  }
  return files;
}

function checkNames(run: ConnectivityRun, names: readonly string[]): void {
  if (names.length !== run.signals.shape[1]) {
    throw new RangeError(
      `${run.source}: ${names.length} region names for ${run.signals.shape[1]} time series`,
    );
  }
}

/**
 * The tangent files of a group of runs: the measure is fitted on every run (sorted by stem, so
 * the result does not depend on the order the runs finished in), each run's tangent matrix is
 * written next to its time series, and the group geometric mean to `groupStem`.
 *
 * @param runs every run of the group (at least two, same regions).
 * @param names region names.
 * @param estimator covariance estimator.
 * @param groupStem stem of the group mean ({@link groupTangentStem}).
 * @param version niimask version for the sidecars.
 * @returns `[path, text]` pairs: two per run, then the group mean's two.
 * @throws RangeError with fewer than two runs or when the fit fails (e.g. a covariance that is
 *   not positive definite).
 * @example
 * ```ts
 * import { groupTangentFiles } from "./connectivity_files.ts";
 * const a = { data: Float64Array.from([1, 2, 2, 5, 3, 5, 4, 9]), shape: [4, 2] as [number, number] };
 * const b = { data: Float64Array.from([1, 0, 2, 3, 3, 1, 5, 2]), shape: [4, 2] as [number, number] };
 * const files = groupTangentFiles([
 *   { stem: "out/sub-01", signals: a, source: "sub-01_timeseries.tsv" },
 *   { stem: "out/sub-02", signals: b, source: "sub-02_timeseries.tsv" },
 * ], ["A", "B"], "ledoit_wolf", "out/meas-Tangent_stat-mean_relmat", "0.1.0");
 * console.log(files.length); // 6
 * ```
 */
export function groupTangentFiles(
  runs: readonly ConnectivityRun[],
  names: readonly string[],
  estimator: CliCovEstimator,
  groupStem: string,
  version: string,
): [string, string][] {
  if (runs.length < 2) {
    throw new RangeError(
      `--connectivity tangent: the group has ${runs.length} run(s) with time series; the ` +
        `tangent space needs at least two`,
    );
  }
  const sorted = [...runs].sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0));
  for (const r of sorted) checkNames(r, names);
  const config = { kind: "tangent", covEstimator: estimator, onWarning: () => {} } as const;
  let fitted;
  let mats: Matrix[];
  try {
    const out = connectivityMeasure(config).fitTransform(sorted.map((r) => r.signals));
    fitted = out.fitted;
    mats = out.connectivities;
  } catch (e) {
    throw new RangeError(`--connectivity tangent: ${(e as Error).message ?? String(e)}`);
  }
  const shrinkages = sorted.map((r) => subjectCovariance(r.signals, config).shrinkage);
  const files: [string, string][] = [];
  const groupName = baseName(groupStem) + ".tsv";
  sorted.forEach((r, i) => {
    const paths = relmatPaths(r.stem, "tangent");
    files.push([paths.tsv, formatTimeseriesTsv(mats[i]!, names)]);
    files.push([
      paths.json,
      sidecar(
        "tangent",
        estimator,
        {
          Sources: [r.source],
          Shrinkage: shrinkages[i],
          NumberOfVolumes: r.signals.shape[0],
          GroupMean: groupName,
          NumberOfRunsInGroup: sorted.length,
        },
        names,
        version,
      ),
    ]);
  });
  files.push([`${groupStem}.tsv`, formatTimeseriesTsv(fitted.mean, names)]);
  files.push([
    `${groupStem}.json`,
    sidecar(
      "tangent",
      estimator,
      {
        Statistic: "geometric mean of the runs' covariance matrices (the tangent space's " +
          "reference point)",
        Sources: sorted.map((r) => r.source),
        NumberOfRuns: sorted.length,
        Shrinkage: shrinkages,
        NumberOfVolumes: sorted.map((r) => r.signals.shape[0]),
      },
      names,
      version,
    ),
  ]);
  return files;
}
