/**
 * End to end in a real browser: the page (`web/index.html` and its bundle) and small real data are
 * served from 127.0.0.1, headless Chromium opens the page with query parameters, and the TSV the
 * page writes into `#result-tsv` is compared with `niimask extract`'s output on the same files.
 * A denoising-strategy run is compared with the library (`loadConfoundsStrategy` + the masker's
 * `transform` on the same files), a connectivity run's `#result-relmat` with the command line's
 * `_relmat.tsv`. Bad inputs must show an error in `#result-error`. Set
 * `NIIMASK_WEB_SCREENSHOT=docs/web_page.png` to save the page's screenshot (the connectivity run)
 * there.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildWeb } from "../web/build.ts";
import { serveStatic } from "../web/serve.ts";
import { decodePng } from "../report/png.ts";
import { chromiumPath, hasChromium } from "./report_fixtures.ts";
import { Chromium } from "./cdp.ts";
import {
  cliOutputs,
  cliOutputsWith,
  FMRIPREP,
  matrixTsvRelativeError,
  missingData,
  NAMES,
  tsvRelativeError,
  writeFixture,
  writeFmriprepFixture,
} from "./web_fixtures.ts";
import { loadConfoundsStrategy } from "../interfaces/mod.ts";
import type { LoadConfoundsStrategyOptions } from "../interfaces/mod.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { runConnectivityFiles } from "../cli/connectivity_files.ts";
import { SHARED_DATA } from "./real_data_fixtures.ts";

const LABELS = `${SHARED_DATA}/fsl_atlases_freeroi/Harvard-Oxford_Subcortical_Structural_Atlas.xml`;

const WEB = fileURLToPath(new URL("../web/", import.meta.url));
const missing = hasChromium() ? missingData() : `${chromiumPath()} not found`;
if (missing !== null) {
  console.log(`SKIP web_chromium_test: ${missing} (install Debian's chromium; CI does)`);
}

/** The query of the page for the fixture's subjects, with the fixture's options. */
function query(imgs: string[], confounds: string[], extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const i of imgs) q.append("img", `/data/${i}`);
  q.set("maps", `/data/${NAMES.maps}`);
  for (const c of confounds) q.append("confounds", `/data/${c}`);
  q.set("standardize", "zscore_sample");
  q.set("detrend", "true");
  q.set("t-r", "2");
  q.set("low-pass", "0.1");
  if (confounds.length > 0) q.set("confound-columns", "trans_?,rot_?");
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/** What the page shows once finished: its TSVs or its error (null while running). */
const RESULT = `(() => {
  const tsv = document.getElementById("result-tsv")?.textContent ?? "";
  const relmat = document.getElementById("result-relmat")?.textContent ?? "";
  const err = document.getElementById("result-error");
  const error = err !== null && !err.hidden && err.textContent !== "" ? err.textContent : null;
  if (tsv === "" && error === null) return null;
  const more = [...document.querySelectorAll("pre[id^='result-tsv-']")].map((e) => e.textContent);
  return { tsv: tsv === "" ? null : [tsv, ...more], error, relmat: relmat === "" ? null : relmat,
    status: document.getElementById("status")?.textContent ?? "" };
})()`;

interface PageResult {
  tsv: string[] | null;
  relmat: string | null;
  error: string | null;
  status: string;
}

Deno.test({
  name:
    "web e2e: headless Chromium runs the page on real data as the CLI does; bad files show errors",
  ignore: missing !== null,
  sanitizeResources: false, // the browser's WebSocket closes asynchronously
  async fn(t) {
    await buildWeb();
    const dir = await Deno.makeTempDir({ prefix: "niimask_web_e2e_" });
    const stop = new AbortController();
    // Bounded: the server stops by itself after 10 minutes even if the test is stuck.
    const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(600_000)]);
    let browser: Chromium | null = null;
    let server: Deno.HttpServer<Deno.NetAddr> | null = null;
    try {
      await writeFixture(dir);
      // In a folder of its own: nilearn's lookup must find one confounds file for the image.
      await Deno.mkdir(`${dir}/fmriprep`);
      await writeFmriprepFixture(`${dir}/fmriprep`);
      await Deno.copyFile(LABELS, `${dir}/labels.xml`);
      const cli = await cliOutputs(dir, ["sub-01", "sub-02"]);
      let port = 0;
      server = serveStatic({
        mounts: { "/": WEB, "/data/": dir },
        port: 0,
        signal,
        onListen: (p) => (port = p),
      });
      const origin = `http://127.0.0.1:${server.addr.port || port}`;
      browser = await Chromium.launch();
      const b = browser;

      const run = async (q: string): Promise<{ result: PageResult; session: string }> => {
        const session = await b.open(`${origin}/?${q}`);
        const result = await b.waitFor(session, RESULT, 240_000) as PageResult | null;
        assert.ok(result !== null, `the page finished (log: ${b.log.join(" | ")})`);
        return { result, session };
      };

      await t.step("one subject with confounds: the CLI's TSV within 1e-12", async () => {
        const { result, session } = await run(query([NAMES.bold], [NAMES.confounds]));
        assert.equal(result.error, null, `page error: ${result.error}`);
        const expected = await Deno.readTextFile(`${cli}/sub-01_timeseries.tsv`);
        const got = result.tsv![0]!;
        assert.equal(got.split("\n").length, expected.split("\n").length);
        const rel = tsvRelativeError(got, expected);
        assert.ok(rel <= 1e-12, `max relative difference ${rel}`);
        assert.match(result.status, /^Done: 1 image/);
        // The page shows the plot, the downloads (the CLI's names) and the report.
        const shown = await b.evaluate(
          session,
          `({ svg: document.querySelectorAll("#plot svg path").length,
              links: [...document.querySelectorAll("#downloads a")].map((a) => a.download),
              report: (document.getElementById("report").srcdoc ?? "").length })`,
        ) as { svg: number; links: string[]; report: number };
        assert.ok(shown.svg >= 1, "time-series plot drawn");
        assert.deepEqual(shown.links, [
          "sub-01_timeseries.tsv",
          "sub-01_timeseries.json",
          "report.html",
        ]);
        assert.ok(shown.report > 1000, "report in the frame");
        await b.evaluate(session, "new Promise((r) => setTimeout(r, 300))"); // let the frame paint
        const png = await b.screenshot(session);
        const shot = decodePng(png);
        assert.equal(shot.width, 1200);
        let min = 255;
        let max = 0;
        for (let i = 0; i < shot.rgba.length; i += 4) {
          min = Math.min(min, shot.rgba[i + 1]!);
          max = Math.max(max, shot.rgba[i + 1]!);
        }
        assert.ok(max - min > 100, "the screenshot is not blank");
      });

      await t.step(
        "fMRIPrep strategies from the query: the library's signals within 1e-12",
        async () => {
          const fitted = await multiMapsMasker({
            mapsImg: `${dir}/${NAMES.maps}`,
            standardize: "zscore_sample",
            detrend: true,
            tR: 2,
            lowPass: 0.1,
          }).fit();
          const cases: [Record<string, string>, LoadConfoundsStrategyOptions][] = [
            [
              {
                "denoise-strategy": "scrubbing",
                motion: "basic",
                "wm-csf": "basic",
                "fd-threshold": "3.5",
                "std-dvars-threshold": "4",
                scrub: "0",
              },
              {
                denoiseStrategy: "scrubbing",
                motion: "basic",
                wmCsf: "basic",
                fdThreshold: 3.5,
                stdDvarsThreshold: 4,
                scrub: 0,
              },
            ],
            // Anatomical CompCor reads the JSON sidecar: the page fetches it next to the TSV.
            [
              { "denoise-strategy": "compcor", motion: "basic", "n-compcor": "2" },
              { denoiseStrategy: "compcor", motion: "basic", nCompcor: 2 },
            ],
          ];
          const img = `${dir}/fmriprep/${FMRIPREP.bold}`;
          for (const [params, options] of cases) {
            const q = new URLSearchParams({
              img: `/data/fmriprep/${FMRIPREP.bold}`,
              maps: `/data/${NAMES.maps}`,
              confounds: `/data/fmriprep/${FMRIPREP.confounds}`,
              standardize: "zscore_sample",
              detrend: "true",
              "t-r": "2",
              "low-pass": "0.1",
              ...params,
            });
            const { result, session } = await run(q.toString());
            assert.equal(result.error, null, `page error: ${result.error}`);
            const lib = await loadConfoundsStrategy(img, { ...options, onWarning: () => {} });
            const expected = await fitted.transform(img, {
              confounds: lib.confounds,
              sampleMask: lib.sampleMask,
            });
            const rel = matrixTsvRelativeError(expected, result.tsv![0]!);
            assert.ok(rel <= 1e-12, `${options.denoiseStrategy}: max relative difference ${rel}`);
            const form = await b.evaluate(
              session,
              `({ strategy: document.getElementById("denoise-strategy").value,
                json: [...document.querySelectorAll("#chosen li")].some((li) =>
                  li.textContent.includes(${JSON.stringify(FMRIPREP.json)})) })`,
            ) as { strategy: string; json: boolean };
            assert.deepEqual(form, { strategy: options.denoiseStrategy, json: true });
          }
        },
      );

      await t.step(
        "connectivity from the query: the CLI's relmat TSV, heatmaps, downloads",
        async () => {
          const kinds = "correlation,partial_correlation,tangent";
          const cliConn = await cliOutputsWith(
            dir,
            ["sub-01", "sub-02"],
            [`--connectivity=${kinds}`, `--labels=${dir}/labels.xml`],
            "cli_conn",
          );
          const { result, session } = await run(
            query([NAMES.bold, NAMES.bold2], [NAMES.confounds, NAMES.confounds2], {
              connectivity: kinds,
              labels: "/data/labels.xml",
            }),
          );
          assert.equal(result.error, null, `page error: ${result.error}`);
          const expected = await Deno.readTextFile(`${cliConn}/sub-01_meas-Correlation_relmat.tsv`);
          assert.ok(result.relmat !== null, "#result-relmat written");
          const rel = tsvRelativeError(result.relmat, expected);
          assert.ok(rel <= 1e-12, `relmat: max relative difference ${rel}`);
          assert.match(result.relmat, /^Left Cerebral White Matter\t/);
          const shown = await b.evaluate(
            session,
            `({ heatmaps: [...document.querySelectorAll("#heatmaps figure")].map((f) => f.dataset.kind),
              links: [...document.querySelectorAll("#downloads a")].map((a) => a.download),
              report: document.getElementById("report").srcdoc ?? "",
              boxes: [...document.querySelectorAll("input[id^='conn-']")]
                .filter((b) => b.checked).map((b) => b.value) })`,
          ) as { heatmaps: string[]; links: string[]; report: string; boxes: string[] };
          assert.deepEqual(shown.heatmaps, ["correlation", "partial correlation", "tangent"]);
          assert.deepEqual(shown.boxes, ["correlation", "partial_correlation", "tangent"]);
          for (const s of ["sub-01", "sub-02"]) {
            for (const m of ["Correlation", "PartialCorrelation", "Tangent"]) {
              assert.ok(shown.links.includes(`${s}_meas-${m}_relmat.tsv`), `${s} ${m} download`);
              assert.ok(shown.links.includes(`${s}_meas-${m}_relmat.json`), `${s} ${m} sidecar`);
            }
          }
          assert.ok(shown.links.includes("atlas-maps_meas-Tangent_stat-mean_relmat.tsv"));
          assert.match(shown.report, /<h2>Connectivity<\/h2>/);
          assert.ok(shown.report.includes("Left Cerebral White Matter"), "map names in the report");
          await b.evaluate(session, "new Promise((r) => setTimeout(r, 300))"); // let the frame paint
          const png = await b.screenshot(session);
          const target = Deno.env.get("NIIMASK_WEB_SCREENSHOT");
          if (target !== undefined) {
            await Deno.writeFile(`${target}.tmp`, png);
            await Deno.rename(`${target}.tmp`, target);
          }
        },
      );

      await t.step("two subjects on two browser workers: each the CLI's TSV", async () => {
        const { result } = await run(
          query([NAMES.bold, NAMES.bold2], [NAMES.confounds, NAMES.confounds2], { jobs: "2" }),
        );
        assert.equal(result.error, null, `page error: ${result.error}`);
        assert.equal(result.tsv!.length, 2);
        for (const [i, s] of ["sub-01", "sub-02"].entries()) {
          const expected = await Deno.readTextFile(`${cli}/${s}_timeseries.tsv`);
          const rel = tsvRelativeError(result.tsv![i]!, expected);
          assert.ok(rel <= 1e-12, `${s}: max relative difference ${rel}`);
        }
        // The two subjects' confounds differ, so their signals do too.
        assert.notEqual(result.tsv![0], result.tsv![1]);
      });

      await t.step("files chosen in the form, options set there: the CLI's TSV", async () => {
        const session = await b.open(`${origin}/`);
        const ready = await b.waitFor(
          session,
          `document.documentElement.dataset.niimask ?? null`,
          60_000,
        );
        assert.equal(ready, "ready", `the page script ran (log: ${b.log.join(" | ")})`);
        await b.setFiles(session, "#img", [`${dir}/${NAMES.bold}`]);
        await b.setFiles(session, "#maps", [`${dir}/${NAMES.maps}`]);
        await b.setFiles(session, "#confounds", [`${dir}/${NAMES.confounds}`]);
        const listed = await b.evaluate(
          session,
          `document.getElementById("chosen").textContent`,
        ) as string;
        assert.match(listed, /sub-01_bold\.nii\.gz.*maps\.nii\.gz.*sub-01_desc-confounds/s);
        await b.evaluate(
          session,
          `(() => {
            const set = (id, v) => { document.getElementById(id).value = v; };
            set("standardize", "zscore_sample");
            document.getElementById("detrend").checked = true;
            set("t-r", "2");
            set("low-pass", "0.1");
            set("confound-columns", "trans_?,rot_?");
            document.getElementById("inputs").requestSubmit();
          })()`,
        );
        const result = await b.waitFor(session, RESULT, 240_000) as PageResult | null;
        assert.ok(result !== null, `the page finished (log: ${b.log.join(" | ")})`);
        assert.equal(result.error, null, `page error: ${result.error}`);
        const expected = await Deno.readTextFile(`${cli}/sub-01_timeseries.tsv`);
        const rel = tsvRelativeError(result.tsv![0]!, expected);
        assert.ok(rel <= 1e-12, `max relative difference ${rel}`);
      });

      await t.step(
        "strategy and connectome chosen in the form: the library's numbers",
        async () => {
          const session = await b.open(`${origin}/`);
          const ready = await b.waitFor(
            session,
            `document.documentElement.dataset.niimask ?? null`,
            60_000,
          );
          assert.equal(ready, "ready", `the page script ran (log: ${b.log.join(" | ")})`);
          const fdir = `${dir}/fmriprep`;
          await b.setFiles(session, "#img", [`${fdir}/${FMRIPREP.bold}`]);
          await b.setFiles(session, "#maps", [`${dir}/${NAMES.maps}`]);
          const before = await b.evaluate(
            session,
            `document.getElementById("denoise-strategy").disabled`,
          );
          assert.equal(before, true, "no strategy without fMRIPrep confounds");
          await b.setFiles(session, "#confounds", [
            `${fdir}/${FMRIPREP.confounds}`,
            `${fdir}/${FMRIPREP.json}`,
          ]);
          const shown = await b.evaluate(
            session,
            `(() => {
            const sel = document.getElementById("denoise-strategy");
            const enabled = !sel.disabled;
            sel.value = "compcor";
            sel.dispatchEvent(new Event("change"));
            const visible = [...document.querySelectorAll("#strategy-params label")]
              .filter((l) => !l.hidden).map((l) => l.querySelector("input, select").id);
            const set = (id, v) => { document.getElementById(id).value = v; };
            set("standardize", "zscore_sample");
            document.getElementById("detrend").checked = true;
            set("t-r", "2");
            set("low-pass", "0.1");
            set("motion", "basic");
            set("n-compcor", "2");
            document.getElementById("conn-correlation").checked = true;
            document.getElementById("inputs").requestSubmit();
            return { enabled, visible,
              columns: document.getElementById("confound-columns").disabled };
          })()`,
          ) as { enabled: boolean; visible: string[]; columns: boolean };
          assert.deepEqual(shown, {
            enabled: true,
            visible: ["motion", "global-signal", "compcor", "n-compcor", "demean"],
            columns: true,
          });
          const result = await b.waitFor(session, RESULT, 240_000) as PageResult | null;
          assert.ok(result !== null, `the page finished (log: ${b.log.join(" | ")})`);
          assert.equal(result.error, null, `page error: ${result.error}`);
          const img = `${fdir}/${FMRIPREP.bold}`;
          const lib = await loadConfoundsStrategy(img, {
            denoiseStrategy: "compcor",
            motion: "basic",
            nCompcor: 2,
            onWarning: () => {},
          });
          const fitted = await multiMapsMasker({
            mapsImg: `${dir}/${NAMES.maps}`,
            standardize: "zscore_sample",
            detrend: true,
            tR: 2,
            lowPass: 0.1,
          }).fit();
          const expected = await fitted.transform(img, {
            confounds: lib.confounds,
            sampleMask: lib.sampleMask,
          });
          const rel = matrixTsvRelativeError(expected, result.tsv![0]!);
          assert.ok(rel <= 1e-12, `signals: max relative difference ${rel}`);
          // The correlation matrix of the library's signals (nilearn's ConnectivityMeasure).
          const names = result.tsv![0]!.split("\n")[0]!.split("\t");
          const [[, relmat]] = runConnectivityFiles(
            { stem: "x", signals: expected, source: "x_timeseries.tsv" },
            names,
            { kinds: ["correlation"], estimator: "ledoit_wolf" },
            "0",
          ) as [[string, string]];
          assert.ok(result.relmat !== null, "#result-relmat written");
          const relC = tsvRelativeError(result.relmat, relmat);
          assert.ok(relC <= 1e-12, `relmat: max relative difference ${relC}`);
        },
      );

      await t.step("bad inputs: a clear error on the page, no TSV", async () => {
        const cases: [string, RegExp][] = [
          [query([NAMES.bad], []), /NiftiParseError: .*sub-bad_bold\.nii\.gz.*(gzip|truncated)/s],
          [query([NAMES.text], []), /NiftiParseError: .*sub-text_bold\.nii/s],
          [query([NAMES.confounds], []), /UsageError: input image .*expected a \.nii or \.nii\.gz/],
          [query(["missing.nii.gz"], []), /img .*missing\.nii\.gz: HTTP 404/],
          [
            `img=${encodeURIComponent("http://example.org/a.nii.gz")}&maps=/data/${NAMES.maps}`,
            /not on this page's origin/,
          ],
          [query([NAMES.bold], [], { "low-pass": "0.1", "t-r": "" }), /--t-r/],
          [query([NAMES.bold], [], { cache: "/tmp" }), /--cache is not available/],
          [
            query([NAMES.bold], [NAMES.confounds], { "denoise-strategy": "ica_aroma" }),
            /UsageError: --confound-columns does not apply with --denoise-strategy/,
          ],
          [
            `img=/data/fmriprep/${FMRIPREP.bold}&maps=/data/${NAMES.maps}` +
            `&confounds=/data/fmriprep/${FMRIPREP.confounds}` +
            "&denoise-strategy=ica_aroma",
            /smoothAROMAnonaggr/,
          ],
          [query([NAMES.bold], [], { connectivity: "tangent" }), /tangent needs at least two runs/],
        ];
        for (const [q, pattern] of cases) {
          const { result } = await run(q);
          assert.equal(result.tsv, null, `no TSV for ${q}`);
          assert.match(result.error ?? "", pattern, `error for ${q}: ${result.error}`);
        }
      });
    } finally {
      await browser?.close();
      stop.abort();
      await server?.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
