/**
 * The parameter table (`maskers/param_table.ts`) is the one declaration of each masker
 * parameter: every entry reaches the config defaults, the creation-time checks, the extraction
 * parameters (when marked) and a command-line flag of `extract` and `bids` (unless the commands
 * set it otherwise).
 */
import assert from "node:assert/strict";
import { MASKER_PARAMS } from "../maskers/param_table.ts";
import { DEFAULTS, type MultiMapsMaskerParams, resolveParams } from "../maskers/config.ts";
import { EXTRACTION_PARAM_NAMES, extractionParams } from "../maskers/fitted_state.ts";
import type { MultiMapsMaskerConfig } from "../maskers/types.ts";
import { EXTRACT_FLAGS, maskerConfigFromFlags } from "../cli/extract_args.ts";
import { BIDS_FLAGS } from "../cli/bids_args.ts";
import { type FlagSpec, parseFlags } from "../cli/flags.ts";
import { withFlagNames } from "../cli/flag_names.ts";

type TableName = typeof MASKER_PARAMS[number]["name"];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to type-check when the table and the interface list different names.
const namesMatch: Same<TableName, keyof MultiMapsMaskerConfig> = true;

/** The parameters the commands set from their own inputs, not from a masker flag. */
const NO_FLAG = ["mapsImg", "maskImg", "output", "labels"];

/** Command-line arguments giving `spec` a value of its kind. */
function sampleArgs(spec: FlagSpec): string[] {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case "boolean":
      return [flag];
    case "number":
      return [flag, "0.25"];
    case "integer":
      return spec.optionalValue ? [`${flag}=2`] : [flag, "2"];
    case "numbers":
      return [flag, "4"];
    case "choice":
      return [flag, spec.choices!.at(-1)!];
    case "string":
      return [flag, spec.name === "report" ? "r.html" : "cache_dir"];
    case "list":
      return [flag, "a"];
  }
}

Deno.test("the table lists exactly the names of MultiMapsMaskerConfig, each documented", () => {
  assert.equal(namesMatch, true);
  const names = MASKER_PARAMS.map((p) => p.name);
  assert.equal(new Set(names).size, names.length);
  for (const p of MASKER_PARAMS) {
    assert.ok(p.nilearn.length > 0, p.name);
    assert.ok(p.checkedAt.length > 0, p.name);
  }
});

Deno.test("every entry with a default reaches DEFAULTS and the resolved parameters", () => {
  const resolved = resolveParams({ mapsImg: "maps.nii.gz" }) as unknown as Record<
    string,
    unknown
  >;
  const defaults = DEFAULTS as unknown as Record<string, unknown>;
  for (const p of MASKER_PARAMS) {
    if (p.name === "mapsImg") {
      assert.ok(!("default" in p) && !(p.name in defaults), "mapsImg is required");
      continue;
    }
    assert.ok("default" in p, p.name);
    assert.deepEqual(defaults[p.name], p.default, p.name);
    assert.deepEqual(resolved[p.name], p.default, p.name);
  }
  assert.deepEqual(Object.keys(defaults), MASKER_PARAMS.slice(1).map((p) => p.name));
});

Deno.test("every entry's type check runs at creation, naming the parameter", () => {
  for (const p of MASKER_PARAMS) {
    const config = { mapsImg: "maps.nii.gz", [p.name]: Symbol("bad") };
    assert.throws(
      () => resolveParams(config as unknown as MultiMapsMaskerConfig),
      (e: Error) =>
        (e instanceof TypeError || e instanceof RangeError) &&
        e.message.startsWith(`${p.name}: expected`),
      p.name,
    );
  }
});

Deno.test("entries marked extraction, and only those, reach the extraction parameters", () => {
  const marked = MASKER_PARAMS.filter((p) => p.extraction).map((p) => p.name);
  assert.deepEqual([...EXTRACTION_PARAM_NAMES], marked);
  const params = resolveParams({
    mapsImg: "maps.nii.gz",
    allowOverlap: false,
    smoothingFwhm: 5,
    standardize: "zscore_sample",
    standardizeConfounds: false,
    highVarianceConfounds: true,
    detrend: true,
    lowPass: 0.1,
    highPass: 0.01,
    tR: 2,
    dtype: "float32",
    resamplingTarget: "maps",
    keepMaskedMaps: false,
    clean: { butterworthOrder: 3 },
    nJobs: 2,
  });
  const picked = extractionParams(params) as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(picked), marked);
  for (const name of marked) {
    assert.deepEqual(picked[name], params[name as keyof MultiMapsMaskerParams], name);
    assert.notDeepEqual(picked[name], (DEFAULTS as unknown as Record<string, unknown>)[name]);
  }
});

Deno.test("every flag of the table is a flag of extract and bids and sets its parameter", () => {
  const withFlags = MASKER_PARAMS.filter((p) => p.flags.length > 0);
  assert.deepEqual(
    MASKER_PARAMS.filter((p) => p.flags.length === 0).map((p) => p.name),
    NO_FLAG,
  );
  for (const p of withFlags) {
    for (
      const flag of p.flags as readonly {
        spec: FlagSpec;
        cleanKey?: string;
      }[]
    ) {
      const name = flag.spec.name;
      const spec = EXTRACT_FLAGS.find((s) => s.name === name);
      assert.ok(spec, `extract has --${name}`);
      const { group: _g, ...own } = flag.spec;
      const { group: _h, ...listed } = spec;
      assert.deepEqual(listed, own, name);
      // `bids` writes one report per participant with its own --report flag.
      if (name !== "report") assert.ok(BIDS_FLAGS.some((s) => s.name === name), `bids --${name}`);

      const { values } = parseFlags(
        ["--maps", "m.nii", "--out", "o", ...sampleArgs(spec)],
        EXTRACT_FLAGS,
      );
      const config = maskerConfigFromFlags(values) as Record<string, unknown>;
      const set = flag.cleanKey === undefined
        ? config[p.name]
        : (config.clean as Record<string, unknown>)[flag.cleanKey];
      assert.notEqual(set, undefined, `--${name} sets ${p.name}`);
      // The value passes the parameter's creation-time check.
      const params = resolveParams({ mapsImg: "maps.nii.gz", ...config }) as unknown as Record<
        string,
        unknown
      >;
      const got = flag.cleanKey === undefined
        ? params[p.name]
        : (params.clean as Record<string, unknown>)[flag.cleanKey];
      assert.deepEqual(got, set, name);
      // Messages about a camelCase field name its flag.
      const field = flag.cleanKey ?? p.name;
      if (/[A-Z]/.test(field)) assert.equal(withFlagNames(`${field}: bad`), `--${name}: bad`);
    }
  }
});
