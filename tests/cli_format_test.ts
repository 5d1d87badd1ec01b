import assert from "node:assert/strict";
import { confoundsPath, outputPaths, subjectName, subjectNames } from "../cli/naming.ts";
import { defaultMapNames, formatCell, formatTimeseriesTsv, parseLabels } from "../cli/tsv.ts";
import { buildSidecar, formatSidecar, jsonSafe } from "../cli/sidecar.ts";
import { globToRegExp, selectConfounds } from "../cli/confounds_select.ts";

Deno.test("cli naming: subject names strip _bold.nii.gz, _bold.nii, .nii.gz or .nii", () => {
  assert.equal(subjectName("/d/sub-01_task-rest_bold.nii.gz"), "sub-01_task-rest");
  assert.equal(subjectName("sub-02.nii.gz"), "sub-02");
  assert.equal(subjectName("rel/sub-03.nii"), "sub-03");
  assert.equal(subjectName("sub-04_bold.nii"), "sub-04");
  assert.equal(subjectName("C:\\data\\sub-05_bold.NII.GZ"), "sub-05");
  assert.throws(() => subjectName("d/_bold.nii.gz"), RangeError);
  assert.deepEqual(outputPaths("out", "sub-01"), {
    tsv: "out/sub-01_timeseries.tsv",
    json: "out/sub-01_timeseries.json",
  });
  assert.equal(outputPaths("out/", "x").tsv, "out/x_timeseries.tsv");
  assert.equal(
    confoundsPath("c/{subject}/{subject}_desc-confounds_timeseries.tsv", "sub-01"),
    "c/sub-01/sub-01_desc-confounds_timeseries.tsv",
  );
  assert.throws(
    () => subjectNames(["a/sub-01_bold.nii.gz", "b/sub-01.nii"]),
    /"a\/sub-01_bold.nii.gz" and "b\/sub-01.nii" both give the subject name "sub-01"/,
  );
});

Deno.test("cli tsv: shortest round-trip numbers, header, one row per volume", () => {
  const data = Float64Array.from([0.1 + 0.2, -1e-300, 1 / 3, 2, NaN, 123456789.125]);
  const text = formatTimeseriesTsv({ data, shape: [3, 2] }, ["a", "b"]);
  assert.equal(
    text,
    "a\tb\n0.30000000000000004\t-1e-300\n0.3333333333333333\t2\nn/a\t123456789.125\n",
  );
  const rows = text.trim().split("\n").slice(1).map((l) => l.split("\t"));
  for (let i = 0; i < 6; i++) {
    const cell = rows[Math.floor(i / 2)]![i % 2]!;
    if (cell !== "n/a") assert.equal(Number(cell), data[i]);
  }
  assert.equal(formatCell(-0), "-0");
  assert.equal(formatCell(Infinity), "inf");
  assert.throws(() => formatTimeseriesTsv({ data, shape: [3, 2] }, ["a"]), RangeError);
  assert.equal(formatTimeseriesTsv({ data: new Float64Array(0), shape: [0, 1] }, ["a"]), "a\n");
});

Deno.test("cli labels: TSV name column, plain list, count check", () => {
  assert.deepEqual(defaultMapNames(3), ["map-000", "map-001", "map-002"]);
  assert.equal(defaultMapNames(1001)[1000], "map-1000");
  assert.deepEqual(parseLabels("index\tname\tnetwork\n1\tDMN\tx\n2\tVis\ty\n", "l.tsv", 2), [
    "DMN",
    "Vis",
  ]);
  assert.deepEqual(parseLabels("DMN\r\nVis\r\n\r\n", "l.txt", 2), ["DMN", "Vis"]);
  assert.deepEqual(parseLabels("name\nDMN\nVis\n", "l.tsv", 2), ["DMN", "Vis"]);
  assert.throws(() => parseLabels("a\nb\n", "l.txt", 3), /2 names for 3 maps/);
  assert.deepEqual(parseLabels("index\tlabel\n0\ta\n", "l.tsv", 1), ["a"]);
  assert.throws(
    () => parseLabels("index\tregion\n0\ta\n", "l.tsv", 1),
    /needs a 'name' or 'label' column/,
  );
  assert.throws(() => parseLabels("\n\n", "l.txt", 1), /empty/);
});

Deno.test("cli confounds: glob patterns", () => {
  assert.ok(globToRegExp("motion_outlier*").test("motion_outlier00"));
  assert.ok(!globToRegExp("motion_outlier*").test("xmotion_outlier00"));
  assert.ok(globToRegExp("trans_?").test("trans_x"));
  assert.ok(!globToRegExp("trans_?").test("trans_x_derivative1"));
  assert.ok(globToRegExp("a.b").test("a.b"));
  assert.ok(!globToRegExp("a.b").test("axb"));
});

const TABLE = {
  // columns: trans_x, trans_y, motion_outlier00, non_steady_state_outlier00, csf
  columns: ["trans_x", "trans_y", "motion_outlier00", "non_steady_state_outlier00", "csf"],
  shape: [4, 5] as [number, number],
  data: Float64Array.from([
    ...[0.1, 0.2, 0, 1, 5],
    ...[0.3, 0.4, 0, 0, 6],
    ...[0.5, 0.6, 1, 0, 7],
    ...[0.7, 0.8, 0, 0, 8],
  ]),
};

Deno.test("cli confounds: censoring columns give the sample mask and are not confounds", () => {
  const s = selectConfounds(TABLE, "c.tsv", null, ["motion_outlier*", "non_steady_state_*"]);
  assert.deepEqual(s.sampleMask, [1, 3]);
  assert.deepEqual(s.censored, [0, 2]);
  assert.deepEqual(s.censorColumns, ["motion_outlier00", "non_steady_state_outlier00"]);
  assert.deepEqual(s.columns, ["trans_x", "trans_y", "csf"]);
  assert.deepEqual(s.confounds?.shape, [4, 3]);
  assert.deepEqual(Array.from(s.confounds!.data), [
    0.1,
    0.2,
    5,
    0.3,
    0.4,
    6,
    0.5,
    0.6,
    7,
    0.7,
    0.8,
    8,
  ]);
});

Deno.test("cli confounds: named and wildcard columns in the order given", () => {
  const s = selectConfounds(TABLE, "c.tsv", ["csf", "trans_*", "trans_x"], null);
  assert.deepEqual(s.columns, ["csf", "trans_x", "trans_y"]);
  assert.deepEqual(Array.from(s.confounds!.data.slice(0, 3)), [5, 0.1, 0.2]);
  assert.equal(s.sampleMask, null);
  assert.deepEqual(s.censored, []);
  const none = selectConfounds(TABLE, "c.tsv", [], ["motion_*"]);
  assert.equal(none.confounds, null);
  assert.deepEqual(none.sampleMask, [0, 1, 3]);
  // A wildcard matching no column is an error (it used to regress nothing, silently).
  assert.throws(
    () => selectConfounds(TABLE, "c.tsv", ["nothing_*"], ["motion_*"]),
    /c\.tsv: the pattern 'nothing_\*' \(--confound-columns\) matches no column; the file has 5 columns: trans_x, /,
  );
  assert.throws(
    () => selectConfounds(TABLE, "c.tsv", null, ["motion_param_*", "scrub*"]),
    /c\.tsv: no column matches --sample-mask-from-confounds motion_param_\*,scrub\*/,
  );
});

Deno.test("cli confounds: errors name the file and the column", () => {
  assert.throws(
    () => selectConfounds(TABLE, "c.tsv", ["rot_x"], null),
    /c\.tsv: no column 'rot_x'/,
  );
  assert.throws(
    () => selectConfounds(TABLE, "c.tsv", null, ["trans_x"]),
    /column 'trans_x' matches --sample-mask-from-confounds but is not a 0\/1/,
  );
  assert.throws(
    () => selectConfounds(TABLE, "c.tsv", ["motion_outlier00"], ["motion_*"]),
    /both a confound/,
  );
  const all = { ...TABLE, data: TABLE.data.map((v, i) => (i % 5 === 2 ? 1 : v)) };
  assert.throws(() => selectConfounds(all, "c.tsv", null, ["motion_*"]), /every one of the 4/);
  const noHeader = { ...TABLE, columns: null };
  assert.throws(() => selectConfounds(noHeader, "c.tsv", ["csf"], null), /no header row/);
  assert.deepEqual(selectConfounds(noHeader, "c.tsv", null, null).confounds?.shape, [4, 5]);
});

Deno.test("cli sidecar: BIDS keys, checksum, version, sampling frequency, parameters", () => {
  const sidecar = buildSidecar({
    version: "1.2.3",
    image: "in/sub-01_bold.nii.gz",
    maps: { path: "maps.nii.gz", sha256: "abc" },
    mask: { path: "mask.nii", sha256: "def" },
    labels: "labels.tsv",
    columns: ["A", "B"],
    volumes: 98,
    tR: 2,
    params: {
      mapsImg: "maps.nii.gz",
      maskImg: "mask.nii",
      detrend: true,
      smoothingFwhm: Float64Array.from([4, 4, 6]),
      nJobs: 4,
      verbose: 1,
      memory: "/cache",
      lowPass: null,
      clean: { filter: "butterworth", butterworthPadlen: undefined },
    },
    confounds: {
      path: "c/sub-01.tsv",
      columns: ["trans_x"],
      censorColumns: ["motion_outlier00"],
      censoredVolumes: [3, 4],
    },
  });
  const parsed = JSON.parse(formatSidecar(sidecar));
  assert.equal(parsed.SamplingFrequency, 0.5);
  assert.deepEqual(parsed.GeneratedBy[0], {
    Name: "niimask",
    Version: "1.2.3",
    Description: "niimask extract",
  });
  assert.deepEqual(parsed.Sources, ["in/sub-01_bold.nii.gz"]);
  assert.deepEqual(parsed.Maps, { File: "maps.nii.gz", Sha256: "abc", Count: 2 });
  assert.deepEqual(parsed.Mask, { File: "mask.nii", Sha256: "def" });
  assert.deepEqual(parsed.Columns, ["A", "B"]);
  assert.equal(parsed.NumberOfVolumes, 98);
  assert.deepEqual(parsed.Confounds.CensoredVolumes, [3, 4]);
  assert.deepEqual(parsed.Parameters, {
    clean: { filter: "butterworth" },
    detrend: true,
    lowPass: null,
    maskImg: "mask.nii",
    smoothingFwhm: [4, 4, 6],
  });
  const noTr = buildSidecar({
    version: "1",
    image: "a.nii",
    maps: { path: "m", sha256: "x" },
    mask: null,
    labels: null,
    columns: ["map-000"],
    volumes: 1,
    tR: null,
    params: {},
    confounds: null,
  });
  assert.ok(!("SamplingFrequency" in noTr));
  assert.equal(noTr.Mask, null);
  assert.deepEqual(jsonSafe({ a: [1, NaN] }), { a: [1, "NaN"] });
});
