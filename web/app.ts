/// <reference lib="dom" />
/**
 * The browser page (`web/index.html`): files chosen or dropped, or given as same-origin URLs in the
 * query (`?img=URL&maps=URL[&confounds=URL]` plus options named as the command line's flags), run
 * through {@link extractFiles}; shows progress, the time series, the report, and offers the TSV and
 * JSON outputs under the command line's names. The first subject's TSV goes into `#result-tsv`
 * when done (the others into `#result-tsv-1`, ...), an error into `#result-error`.
 *
 * @module
 */
import {
  extractFiles,
  type ExtractFilesInput,
  type ExtractFilesResult,
  FILE_PARAMS,
  flagsFromQuery,
  type NamedBlob,
} from "./extract_files.ts";
import { LINE_COLOURS, lineChartSvg } from "../report/plots_svg.ts";

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id} element`);
  return el as T;
};

/** Show an error on the page (never a blank page). */
function showError(err: unknown): void {
  const el = $("result-error");
  const e = err instanceof Error ? err : new Error(String(err));
  el.textContent = `${e.name}: ${e.message}`;
  el.hidden = false;
  setStatus("Failed.", 0);
}

function clearError(): void {
  const el = $("result-error");
  el.textContent = "";
  el.hidden = true;
}

function setStatus(text: string, fraction: number): void {
  $("status").textContent = text;
  ($("progress") as HTMLProgressElement).value = fraction;
}

/** The last path segment of a URL, decoded: the file's name. */
function urlFileName(url: URL): string {
  const last = url.pathname.split("/").filter((s) => s !== "").pop() ?? "";
  return decodeURIComponent(last) || url.href;
}

/** Fetch a same-origin URL given in the query as a named blob. */
async function fetchFile(param: string, value: string): Promise<NamedBlob> {
  let url: URL;
  try {
    url = new URL(value, location.href);
  } catch {
    throw new TypeError(`query parameter ${param}: "${value}" is not a URL`);
  }
  if (url.origin !== location.origin) {
    throw new RangeError(
      `query parameter ${param}: ${url.href} is not on this page's origin (${location.origin}); ` +
        "only same-origin files are read",
    );
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${param} ${url.href}: cannot fetch (${(e as Error).message})`);
  }
  if (!res.ok) throw new Error(`${param} ${url.href}: HTTP ${res.status} ${res.statusText}`);
  const name = urlFileName(url);
  return { name, blob: new File([await res.blob()], name) };
}

/** The inputs named by the query, or null when it names no image. */
async function inputsFromQuery(params: URLSearchParams): Promise<ExtractFilesInput | null> {
  const imgs = params.getAll("img");
  const maps = params.get("maps");
  if (imgs.length === 0 && maps === null) return null;
  if (imgs.length === 0) throw new RangeError("query: maps is given but no img");
  if (maps === null) throw new RangeError("query: img is given but no maps");
  const flags = flagsFromQuery(params);
  const one = (p: string) => params.get(p);
  const mask = one("mask");
  const labels = one("labels");
  showQueryOptions(params);
  setStatus("Fetching the files...", 0);
  const input = {
    imgs: await Promise.all(imgs.map((u) => fetchFile("img", u))),
    maps: await fetchFile("maps", maps),
    mask: mask === null ? null : await fetchFile("mask", mask),
    labels: labels === null ? null : await fetchFile("labels", labels),
    confounds: await Promise.all(params.getAll("confounds").map((u) => fetchFile("confounds", u))),
    flags,
  };
  const list = $("chosen");
  list.replaceChildren();
  const add = (role: string, f: NamedBlob | null | undefined) => {
    if (f === null || f === undefined) return;
    const li = document.createElement("li");
    li.textContent = `${role}: ${f.name} (${(f.blob.size / 1024).toFixed(0)} KiB, from the URL)`;
    list.append(li);
  };
  input.imgs.forEach((f) => add("image", f));
  add("maps", input.maps);
  add("mask", input.mask);
  input.confounds.forEach((f) => add("confounds", f));
  add("names", input.labels);
  return input;
}

/** Show the query's options in the form (fields named as the flags), so the page says what ran. */
function showQueryOptions(params: URLSearchParams): void {
  for (const [key, value] of params) {
    if (FILE_PARAMS.has(key)) continue;
    const el = document.getElementById(key);
    if (el instanceof HTMLInputElement && el.type === "checkbox") {
      el.checked = value !== "false";
    } else if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) {
      el.value = value;
    }
  }
}

// ---- interactive form -------------------------------------------------------------------------

/** Files chosen so far, by role. */
const chosen: {
  imgs: File[];
  maps: File | null;
  confounds: File[];
  labels: File | null;
} = { imgs: [], maps: null, confounds: [], labels: null };

function showChosen(): void {
  const list = $("chosen");
  list.replaceChildren();
  const add = (role: string, f: File) => {
    const li = document.createElement("li");
    li.textContent = `${role}: ${f.name} (${(f.size / 1024).toFixed(0)} KiB)`;
    list.append(li);
  };
  chosen.imgs.forEach((f) => add("image", f));
  if (chosen.maps !== null) add("maps", chosen.maps);
  chosen.confounds.forEach((f) => add("confounds", f));
  if (chosen.labels !== null) add("names", chosen.labels);
}

/**
 * Sort dropped files by role: tables are confounds (or map names when named like labels); of the
 * NIfTI files, one named like an atlas (`atlas`, `maps`, `prob`, `difumo`...) is the maps when
 * none is chosen yet, the others are images.
 */
function sortDropped(files: readonly File[]): void {
  for (const f of files) {
    const n = f.name.toLowerCase();
    if (/\.(tsv|csv|txt)$/.test(n)) {
      if (/label|names|lut/.test(n)) chosen.labels = f;
      else chosen.confounds.push(f);
    } else if (/atlas|maps|prob|difumo|ica|components/.test(n) && chosen.maps === null) {
      chosen.maps = f;
    } else {
      chosen.imgs.push(f);
    }
  }
}

/** The options of the form, as command-line flags. */
function formFlags(): string[] {
  const flags: string[] = [];
  const value = (id: string) => ($(id) as HTMLInputElement).value.trim();
  flags.push(`--standardize=${value("standardize")}`);
  if (($("detrend") as HTMLInputElement).checked) flags.push("--detrend");
  for (const id of ["t-r", "high-pass", "low-pass", "confound-columns", "jobs"]) {
    const v = value(id);
    if (v !== "") flags.push(`--${id}=${v}`);
  }
  // HOOK(fmriprep-strategy): when interfaces/ lands, map value("strategy") to confound columns
  // and a sample mask here.
  return flags;
}

function wireForm(): void {
  const input = (id: string) => $(id) as HTMLInputElement;
  input("img").addEventListener("change", () => {
    chosen.imgs = [...(input("img").files ?? [])];
    showChosen();
  });
  input("maps").addEventListener("change", () => {
    chosen.maps = input("maps").files?.[0] ?? null;
    showChosen();
  });
  input("confounds").addEventListener("change", () => {
    chosen.confounds = [...(input("confounds").files ?? [])];
    showChosen();
  });
  input("labels").addEventListener("change", () => {
    chosen.labels = input("labels").files?.[0] ?? null;
    showChosen();
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    sortDropped([...(e.dataTransfer?.files ?? [])]);
    showChosen();
  });
  $("inputs").addEventListener("submit", (e) => {
    e.preventDefault();
    if (chosen.maps === null || chosen.imgs.length === 0) {
      showError(new RangeError("choose at least one 4D image and the maps (atlas) first"));
      return;
    }
    const named = (f: File): NamedBlob => ({ name: f.name, blob: f });
    void run({
      imgs: chosen.imgs.map(named),
      maps: named(chosen.maps),
      labels: chosen.labels === null ? null : named(chosen.labels),
      confounds: chosen.confounds.map(named),
      flags: formFlags(),
    });
  });
}

// ---- results ----------------------------------------------------------------------------------

/** A download link for a text file. */
function downloadLink(name: string, text: string, type: string): HTMLLIElement {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.textContent = name;
  li.append(a);
  return li;
}

function showResults(r: ExtractFilesResult): void {
  const first = r.subjects[0]!;
  const [nT, nMaps] = first.signals.shape;
  const tR = r.fitted.params().tR;
  const step = typeof tR === "number" && tR > 0 ? tR : 1;
  const x = Float64Array.from({ length: nT }, (_, t) => t * step);
  const shown = Math.min(nMaps, 10);
  const series = Array.from({ length: shown }, (_, c) => ({
    y: Float64Array.from({ length: nT }, (_, t) => first.signals.data[t * nMaps + c]!),
    colour: LINE_COLOURS[c % LINE_COLOURS.length]!,
    label: first.columns[c] ?? `map ${c}`,
  }));
  $("plot").innerHTML = lineChartSvg(x, series, {
    width: 1000,
    height: 320,
    xLabel: step === 1 && tR == null ? "volume" : "time (s)",
    yLabel: "signal",
    title: `${first.subject}: ${shown} of ${nMaps} maps`,
  });
  const downloads = $("downloads");
  downloads.replaceChildren();
  for (const s of r.subjects) {
    downloads.append(downloadLink(s.tsv.name, s.tsv.text, "text/tab-separated-values"));
    downloads.append(downloadLink(s.json.name, s.json.text, "application/json"));
  }
  downloads.append(downloadLink("report.html", r.report.html, "text/html"));
  // HOOK(connectome): when connectome/ lands, show the first subject's connectivity matrix here
  // and offer it for download under the command line's name.
  ($("report") as HTMLIFrameElement).srcdoc = r.report.html;
  // Machine-readable results last: their presence means everything above is on the page.
  const results = $("results");
  results.querySelectorAll("pre[id^='result-tsv-']").forEach((el) => el.remove());
  r.subjects.forEach((s, i) => {
    if (i === 0) return;
    const pre = document.createElement("pre");
    pre.id = `result-tsv-${i}`;
    pre.hidden = true;
    pre.textContent = s.tsv.text;
    results.append(pre);
  });
  results.hidden = false;
  $("result-tsv").textContent = first.tsv.text;
}

let running = false;

async function run(input: ExtractFilesInput | Promise<ExtractFilesInput | null>): Promise<void> {
  if (running) return;
  running = true;
  const button = $("run") as HTMLButtonElement;
  button.disabled = true;
  clearError();
  $("result-tsv").textContent = "";
  try {
    const resolved = await input;
    if (resolved === null) {
      setStatus("Choose a 4D image and an atlas.", 0);
      return;
    }
    const t0 = performance.now();
    const result = await extractFiles(resolved, (stage, f) => setStatus(`${stage}...`, f));
    showResults(result);
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    const n = result.subjects.length;
    setStatus(`Done: ${n} image${n === 1 ? "" : "s"} in ${s} s.`, 1);
  } catch (err) {
    showError(err);
  } finally {
    running = false;
    button.disabled = false;
  }
}

function main(): void {
  wireForm();
  document.documentElement.dataset.niimask = "ready"; // the form is live (tests wait for it)
  const params = new URLSearchParams(location.search);
  if ([...params.keys()].some((k) => FILE_PARAMS.has(k))) {
    void run(inputsFromQuery(params));
  }
}

try {
  main();
} catch (err) {
  showError(err);
}
