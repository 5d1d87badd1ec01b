import assert from "node:assert/strict";
import { EXTRACT_FLAGS, type ExtractOptions, parseExtractArgs } from "../cli/extract_args.ts";
import { formatFlagHelp, parseFlags } from "../cli/flags.ts";
import { UsageError } from "../cli/errors.ts";
import { extractHelp, mainHelp } from "../cli/help.ts";

const BASE = ["--maps", "maps.nii.gz", "--out", "out"];

function parse(...args: string[]): ExtractOptions {
  const r = parseExtractArgs([...BASE, ...args]);
  assert.ok(!("help" in r));
  return r as ExtractOptions;
}

function usageError(args: string[], pattern: RegExp): void {
  assert.throws(() => parseExtractArgs(args), (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("cli args: minimal command line gives nilearn defaults (nothing set)", () => {
  const o = parse("sub-01_bold.nii.gz", "sub-02.nii");
  assert.equal(o.maps, "maps.nii.gz");
  assert.equal(o.out, "out");
  assert.deepEqual(o.imgs, ["sub-01_bold.nii.gz", "sub-02.nii"]);
  assert.equal(o.mask, null);
  assert.equal(o.confounds, null);
  assert.equal(o.jobs, 1);
  assert.equal(o.skipExisting, false);
  assert.deepEqual(o.masker, { reports: false });
});

Deno.test("cli args: every masker parameter is reachable", () => {
  const o = parse(
    "--mask=mask.nii",
    "--standardize",
    "zscore_sample",
    "--no-standardize-confounds",
    "--high-variance-confounds",
    "--detrend",
    "--low-pass",
    "0.1",
    "--high-pass=0.01",
    "--t-r",
    "2.5",
    "--smoothing-fwhm",
    "6,6,8",
    "--dtype",
    "float32",
    "--resampling-target",
    "none",
    "--no-allow-overlap",
    "--no-keep-masked-maps",
    "--cache",
    "/tmp/c",
    "--memory-level",
    "2",
    "--verbose=3",
    "--jobs",
    "-1",
    "--report",
    "r.html",
    "--filter",
    "cosine",
    "--no-extrapolate",
    "--ensure-finite",
    "--butterworth-order",
    "3",
    "--butterworth-padtype",
    "even",
    "--butterworth-padlen",
    "10",
    "a.nii.gz",
  );
  assert.equal(o.mask, "mask.nii");
  assert.equal(o.jobs, -1);
  assert.equal(o.report, "r.html");
  assert.deepEqual(o.masker, {
    standardize: "zscore_sample",
    standardizeConfounds: false,
    highVarianceConfounds: true,
    detrend: true,
    lowPass: 0.1,
    highPass: 0.01,
    tR: 2.5,
    smoothingFwhm: [6, 6, 8],
    dtype: "float32",
    resamplingTarget: null,
    allowOverlap: false,
    keepMaskedMaps: false,
    memory: "/tmp/c",
    memoryLevel: 2,
    verbose: 3,
    nJobs: -1,
    reports: true,
    clean: {
      filter: "cosine",
      extrapolate: false,
      ensureFinite: true,
      butterworthOrder: 3,
      butterworthPadtype: "even",
      butterworthPadlen: 10,
    },
  });
});

Deno.test("cli args: standardize true/false, single fwhm, bare --verbose, filter false", () => {
  assert.equal(parse("--standardize", "true", "a.nii").masker.standardize, true);
  assert.equal(parse("--standardize", "false", "a.nii").masker.standardize, false);
  assert.equal(parse("--smoothing-fwhm", "4", "a.nii").masker.smoothingFwhm, 4);
  assert.equal(parse("--verbose", "a.nii").masker.verbose, 1);
  assert.deepEqual(parse("--filter", "false", "a.nii").masker.clean, { filter: false });
  assert.equal(parse("--resampling-target", "maps", "a.nii").masker.resamplingTarget, "maps");
});

Deno.test("cli args: confounds, columns and censoring patterns", () => {
  const o = parse(
    "--confounds",
    "c/{subject}_desc-confounds_timeseries.tsv",
    "--confound-columns",
    "trans_x,trans_y, rot_*",
    "--sample-mask-from-confounds",
    "motion_outlier*",
    "a.nii",
    "b.nii",
  );
  assert.equal(o.confounds, "c/{subject}_desc-confounds_timeseries.tsv");
  assert.deepEqual(o.confoundColumns, ["trans_x", "trans_y", "rot_*"]);
  assert.deepEqual(o.sampleMaskColumns, ["motion_outlier*"]);
});

Deno.test("cli args: -- ends flags; --help anywhere before it asks for help", () => {
  assert.deepEqual(parse("--", "--weird.nii").imgs, ["--weird.nii"]);
  assert.deepEqual(parseExtractArgs(["--help"]), { help: true });
  assert.deepEqual(parseExtractArgs(["--maps", "m", "--bogus", "--help"]), { help: true });
});

Deno.test("cli args: unknown flags and bad values are UsageErrors naming the flag", () => {
  usageError([...BASE, "--low-pas", "0.1", "a.nii"], /unknown flag "--low-pas".*--low-pass/);
  usageError([...BASE, "-x", "a.nii"], /unknown flag "-x"/);
  usageError(
    [...BASE, "--low-pass", "abc", "a.nii"],
    /--low-pass: expected a positive number.*"abc"/,
  );
  usageError([...BASE, "--t-r", "0", "a.nii"], /--t-r: expected a positive number/);
  usageError([...BASE, "--t-r", "-2", "a.nii"], /--t-r/);
  usageError([...BASE, "--jobs", "0", "a.nii"], /--jobs: expected an integer >= 1 \(or -1\)/);
  usageError([...BASE, "--jobs", "1.5", "a.nii"], /--jobs/);
  usageError([...BASE, "--standardize", "yes", "a.nii"], /--standardize: expected one of/);
  usageError([...BASE, "--resampling-target", "img", "a.nii"], /--resampling-target/);
  usageError([...BASE, "--butterworth-padtype", "zero", "a.nii"], /--butterworth-padtype/);
  usageError([...BASE, "--butterworth-order", "0", "a.nii"], /--butterworth-order/);
  usageError([...BASE, "--detrend=maybe", "a.nii"], /--detrend/);
  usageError([...BASE, "--no-detrend", "a.nii"], /unknown flag "--no-detrend"/);
  usageError([...BASE, "a.nii", "--t-r"], /--t-r: missing value/);
  // A flag where a value belongs is not taken as the value (`--report --out o` used to lose --out).
  usageError(
    ["--maps", "m.nii", "--report", "--out", "o", "a.nii"],
    /--report: missing value \(expected FILE\.html\), found the flag --out/,
  );
  assert.equal(parse("--report=--odd.html", "a.nii").report, "--odd.html");
  usageError([...BASE, "--smoothing-fwhm", "4,4", "a.nii"], /--smoothing-fwhm.*three/);
  usageError([...BASE, "--confound-columns", "a,,b", "a.nii"], /--confound-columns/);
});

Deno.test("cli args: missing and inconsistent flags", () => {
  usageError(["--out", "o", "a.nii"], /--maps is required/);
  usageError(["--maps", "m.nii", "a.nii"], /--out is required/);
  usageError(BASE, /no input images/);
  usageError([...BASE, "a.txt"], /"a.txt": expected a .nii or .nii.gz/);
  usageError([...BASE, "--low-pass", "0.1", "a.nii"], /--low-pass needs --t-r/);
  usageError(
    [...BASE, "--t-r", "2", "--low-pass", "0.01", "--high-pass", "0.1", "a.nii"],
    /--high-pass.*below --low-pass/,
  );
  usageError([...BASE, "--confound-columns", "a", "a.nii"], /needs --confounds/);
  usageError([...BASE, "--sample-mask-from-confounds", "m*", "a.nii"], /needs --confounds/);
  usageError([...BASE, "--confounds", "c.tsv", "a.nii", "b.nii"], /no \{subject\} placeholder/);
  usageError([...BASE, "--report", "r.txt", "a.nii"], /--report: expected an .html/);
});

Deno.test("cli flags: repeated flag keeps the last value; negatable booleans", () => {
  const specs = EXTRACT_FLAGS;
  const { values } = parseFlags([
    ...BASE,
    "--t-r",
    "1",
    "--t-r",
    "2",
    "--allow-overlap",
    "--no-allow-overlap",
  ], specs);
  assert.equal(values.get("t-r"), 2);
  assert.equal(values.get("allow-overlap"), false);
});

Deno.test("cli help: documents every flag with its default and units", () => {
  const help = extractHelp();
  for (const spec of EXTRACT_FLAGS) {
    assert.ok(help.includes(`--${spec.name}`) || help.includes(`--[no-]${spec.name}`), spec.name);
    if (spec.name !== "help" && !spec.required) {
      assert.ok(spec.defaultText !== undefined, `${spec.name} has no default in help`);
    }
  }
  for (const unit of ["(Hz)", "(s)", "(mm)"]) assert.ok(help.includes(unit), unit);
  assert.match(help, /--low-pass HZ/);
  assert.match(help, /--\[no-\]standardize-confounds/);
  assert.match(help, /--sample-mask-from-confounds COLUMN-PATTERN/);
  assert.match(help, /X_timeseries\.tsv/);
  assert.match(formatFlagHelp(EXTRACT_FLAGS), /Default: butterworth\./);
  assert.match(mainHelp("9.9.9", [{ name: "extract", summary: "x" }]), /niimask 9\.9\.9/);
});
