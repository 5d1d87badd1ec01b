/**
 * The browser page's pipeline (`web/extract_files.ts`) with fMRIPrep denoising strategies and
 * connectivity matrices, run in Deno on `File`s: the strategy's signals equal the library's
 * (`loadConfoundsStrategy` + the masker's `transform` on the same files on disk), and the
 * connectivity files equal `niimask extract --connectivity`'s.
 */
import assert from "node:assert/strict";
import { extractFiles } from "../web/extract_files.ts";
import { splitDenoiseFlags } from "../web/denoise_flags.ts";
import { loadConfoundsStrategy } from "../interfaces/mod.ts";
import type { LoadConfoundsStrategyOptions } from "../interfaces/mod.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { UsageError } from "../cli/errors.ts";
import { FmriprepFileError } from "../interfaces/fmriprep_errors.ts";
import {
  cliOutputsWith,
  FLAGS,
  FMRIPREP,
  matrixTsvRelativeError,
  missingData,
  NAMES,
  writeFixture,
  writeFmriprepFixture,
} from "./web_fixtures.ts";
import { SHARED_DATA } from "./real_data_fixtures.ts";

const LABELS = `${SHARED_DATA}/fsl_atlases_freeroi/Harvard-Oxford_Subcortical_Structural_Atlas.xml`;
const missing = missingData();
if (missing !== null) console.log(`SKIP web_extract_strategy_test (real data): ${missing}`);

async function file(dir: string, name: string, as = name): Promise<{ name: string; blob: Blob }> {
  return { name: as, blob: new File([await Deno.readFile(`${dir}/${name}`)], as) };
}

/** The masker options of the page's flags below, as the library takes them. */
const MASKER = { standardize: "zscore_sample", detrend: true, tR: 2, lowPass: 0.1 } as const;
const PAGE_FLAGS = ["--standardize=zscore_sample", "--detrend", "--t-r=2", "--low-pass=0.1"];

/** Strategy runs: the page's flags and the library's options for the same thing. */
const STRATEGIES: [string[], LoadConfoundsStrategyOptions][] = [
  [
    [
      "--denoise-strategy=scrubbing",
      "--motion=basic",
      "--wm-csf=basic",
      "--fd-threshold=3.5",
      "--std-dvars-threshold=4",
      "--scrub=0",
    ],
    {
      denoiseStrategy: "scrubbing",
      motion: "basic",
      wmCsf: "basic",
      fdThreshold: 3.5,
      stdDvarsThreshold: 4,
      scrub: 0,
    },
  ],
  [
    ["--denoise-strategy=compcor", "--motion=basic", "--n-compcor=2"],
    { denoiseStrategy: "compcor", motion: "basic", nCompcor: 2 },
  ],
  [
    ["--denoise-strategy=simple", "--motion=basic", "--global-signal=basic", "--no-demean"],
    { denoiseStrategy: "simple", motion: "basic", globalSignal: "basic", demean: false },
  ],
];

Deno.test({
  name: "extractFiles --denoise-strategy: the library's loadConfoundsStrategy + transform",
  ignore: missing !== null,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "niimask_web_strategy_" });
    try {
      await writeFmriprepFixture(dir);
      const img = `${dir}/${FMRIPREP.bold}`;
      const fitted = await multiMapsMasker({ mapsImg: `${dir}/${NAMES.maps}`, ...MASKER }).fit();
      for (const [flags, options] of STRATEGIES) {
        await t.step(flags.join(" "), async () => {
          const lib = await loadConfoundsStrategy(img, { ...options, onWarning: () => {} });
          const expected = await fitted.transform(img, {
            confounds: lib.confounds,
            sampleMask: lib.sampleMask,
          });
          const r = await extractFiles({
            imgs: [await file(dir, FMRIPREP.bold)],
            maps: await file(dir, NAMES.maps),
            // The sidecar listed first: it is paired with its TSV by name.
            confounds: [await file(dir, FMRIPREP.json), await file(dir, FMRIPREP.confounds)],
            flags: [...PAGE_FLAGS, ...flags],
          });
          const s = r.subjects[0]!;
          assert.deepEqual(s.signals.shape, expected.shape);
          const rel = matrixTsvRelativeError(expected, s.tsv.text);
          assert.ok(rel <= 1e-12, `max relative difference ${rel}`);
          const json = JSON.parse(s.json.text);
          assert.equal(json.Denoise.Strategy, options.denoiseStrategy);
          assert.equal(json.Confounds.File, FMRIPREP.confounds);
          assert.deepEqual(json.Confounds.Columns, lib.confounds?.columns);
          const kept = lib.sampleMask ?? [];
          const censored = lib.sampleMask === null
            ? []
            : Array.from({ length: 20 }, (_, v) => v).filter((v) => !kept.includes(v));
          assert.deepEqual(json.Confounds.CensoredVolumes, censored);
          if (options.denoiseStrategy === "scrubbing") {
            assert.ok(censored.length >= 4, `volumes censored: ${censored}`);
            assert.equal(s.signals.shape[0], 20 - censored.length);
          }
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "extractFiles --denoise-strategy: wrong inputs are errors naming the file or the flag",
  ignore: missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "niimask_web_strategy_" });
    try {
      await writeFmriprepFixture(dir);
      const imgs = [await file(dir, FMRIPREP.bold)];
      const maps = await file(dir, NAMES.maps);
      const tsv = await file(dir, FMRIPREP.confounds);
      const json = await file(dir, FMRIPREP.json);
      await assert.rejects(
        () => extractFiles({ imgs, maps, flags: ["--denoise-strategy=simple"] }),
        /--denoise-strategy simple needs the fMRIPrep confounds file/,
      );
      await assert.rejects(
        () =>
          extractFiles({
            imgs,
            maps,
            confounds: [tsv],
            flags: ["--denoise-strategy=simple", "--confound-columns=trans_x"],
          }),
        (e: unknown) =>
          e instanceof UsageError && /--confound-columns does not apply/.test(e.message),
      );
      await assert.rejects(
        () =>
          extractFiles({ imgs, maps, confounds: [tsv], flags: ["--denoise-strategy=ica_aroma"] }),
        (e: unknown) =>
          e instanceof FmriprepFileError && e.message.includes(FMRIPREP.bold) &&
          /smoothAROMAnonaggr/.test(e.message),
      );
      // Anatomical CompCor needs the sidecar: without it, nilearn's error.
      await assert.rejects(
        () => extractFiles({ imgs, maps, confounds: [tsv], flags: ["--denoise-strategy=compcor"] }),
        /json/i,
      );
      await assert.rejects(
        () =>
          extractFiles({
            imgs,
            maps,
            confounds: [tsv, { name: "other.json", blob: json.blob }],
            flags: ["--denoise-strategy=compcor"],
          }),
        /other\.json: a JSON sidecar must be named as its confounds TSV/,
      );
      // The default scrubbing thresholds censor every volume of this (high-motion) excerpt.
      await assert.rejects(
        () =>
          extractFiles({ imgs, maps, confounds: [tsv], flags: ["--denoise-strategy=scrubbing"] }),
        /every volume is censored by --denoise-strategy scrubbing/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("splitDenoiseFlags: the bids flags' names and checks, the rest left in order", () => {
  const { denoise, rest } = splitDenoiseFlags([
    "--detrend",
    "--denoise-strategy",
    "compcor",
    "--n-compcor=all",
    "--compcor=temporal",
    "--t-r=2",
  ]);
  assert.deepEqual(denoise, {
    strategy: "compcor",
    params: { compcor: "temporal", nCompcor: "all" },
  });
  assert.deepEqual(rest, ["--detrend", "--t-r=2"]);
  assert.deepEqual(splitDenoiseFlags(["--t-r=2"]), { denoise: null, rest: ["--t-r=2"] });
  assert.throws(() => splitDenoiseFlags(["--scrub=3"]), /needs --denoise-strategy/);
  assert.throws(
    () => splitDenoiseFlags(["--denoise-strategy=compcor", "--fd-threshold=1"]),
    /--fd-threshold does not apply to --denoise-strategy compcor/,
  );
  assert.throws(() => splitDenoiseFlags(["--denoise-strategy=aroma"]), /expected one of/);
});

Deno.test({
  name: "extractFiles --connectivity: the command line's relmat files (2 subjects, tangent)",
  ignore: missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "niimask_web_conn_" });
    try {
      await writeFixture(dir);
      await Deno.copyFile(LABELS, `${dir}/labels.xml`);
      const conn = ["--connectivity=correlation,partial_correlation,tangent"];
      const out = await cliOutputsWith(
        dir,
        ["sub-01", "sub-02"],
        [...conn, `--labels=${dir}/labels.xml`],
        "cli_conn",
      );
      const r = await extractFiles({
        imgs: [await file(dir, NAMES.bold), await file(dir, NAMES.bold2)],
        maps: await file(dir, NAMES.maps),
        labels: await file(dir, "labels.xml"),
        confounds: [await file(dir, NAMES.confounds), await file(dir, NAMES.confounds2)],
        flags: [...FLAGS, ...conn],
      });
      for (const s of r.subjects) {
        assert.deepEqual(s.relmats.map((m) => m.tsv.name), [
          `${s.subject}_meas-Correlation_relmat.tsv`,
          `${s.subject}_meas-PartialCorrelation_relmat.tsv`,
          `${s.subject}_meas-Tangent_relmat.tsv`,
        ]);
        for (const m of s.relmats) {
          // Same code on the same signals: the same bytes as the command line's files.
          assert.equal(m.tsv.text, await Deno.readTextFile(`${out}/${m.tsv.name}`));
          assert.equal(m.json.text, await Deno.readTextFile(`${out}/${m.json.name}`));
          assert.equal(matrixTsvRelativeError(m.matrix, m.tsv.text), 0);
        }
      }
      assert.deepEqual(r.groupFiles.map((f) => f.name), [
        "atlas-maps_meas-Tangent_stat-mean_relmat.tsv",
        "atlas-maps_meas-Tangent_stat-mean_relmat.json",
      ]);
      for (const f of r.groupFiles) {
        assert.equal(f.text, await Deno.readTextFile(`${out}/${f.name}`));
      }
      // The report names the maps and shows the first subject's matrices.
      const html = r.report.html;
      assert.match(html, /<h2>Connectivity<\/h2>/);
      assert.equal(html.match(/<figure class="heatmap-figure"/g)?.length ?? 0, 3, "3 heatmaps");
      assert.match(html, /Signals of sub-01/);
      assert.equal(r.subjects[0]!.columns[0], "Left Cerebral White Matter");
      assert.ok(html.includes("Left Cerebral White Matter"), "map names in the report");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
