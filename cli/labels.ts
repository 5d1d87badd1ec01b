/**
 * Map names from a `--labels` file: a TSV with a `name` or `label` column (a BIDS `dseg.tsv`
 * too), a plain list, or an FSL atlas `.xml` (`<label index="i">name</label>`, ISO-8859-1 or
 * UTF-8). The parsers are pure; {@link readLabelsFile} reads the file.
 *
 * @module
 */
import { parseLabels } from "./tsv.ts";

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

/**
 * The region names of an FSL atlas XML file, in volume order (`index` 0, 1, ...).
 *
 * @param text the XML text.
 * @param path the file, for error messages.
 * @param nMaps number of maps the names must match, when known.
 * @returns the names.
 * @throws RangeError when there is no `<label>`, an index is missing, repeated or leaves a gap,
 *   a name is empty or holds a tab, or the count differs from `nMaps`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFslAtlasXml } from "./labels.ts";
 * const xml = '<atlas><data><label index="1" x="0">B &amp; C</label>' +
 *   '<label index="0" x="0">A</label></data></atlas>';
 * assert.deepEqual(parseFslAtlasXml(xml, "atlas.xml"), ["A", "B & C"]);
 * ```
 */
export function parseFslAtlasXml(text: string, path: string, nMaps?: number): string[] {
  const byIndex = new Map<number, string>();
  for (const m of text.matchAll(/<label\b([^>]*)>([\s\S]*?)<\/label>/g)) {
    const idx = /\bindex\s*=\s*["']\s*(-?[0-9]+)\s*["']/.exec(m[1]!);
    if (idx === null) throw new RangeError(`--labels ${path}: a <label> has no index attribute`);
    const i = Number(idx[1]);
    const name = decodeEntities(m[2]!).trim();
    if (name === "" || name.includes("\t")) {
      throw new RangeError(`--labels ${path}: label ${i} has an empty name or holds a tab`);
    }
    if (byIndex.has(i)) throw new RangeError(`--labels ${path}: index ${i} appears twice`);
    byIndex.set(i, name);
  }
  if (byIndex.size === 0) {
    throw new RangeError(`--labels ${path}: no <label index="..."> element (not an FSL atlas XML)`);
  }
  const names: string[] = [];
  for (let i = 0; i < byIndex.size; i++) {
    const name = byIndex.get(i);
    if (name === undefined) {
      throw new RangeError(
        `--labels ${path}: expected indices 0 to ${byIndex.size - 1}, but ${i} is missing`,
      );
    }
    names.push(name);
  }
  if (nMaps !== undefined && names.length !== nMaps) {
    throw new RangeError(
      `--labels ${path}: ${names.length} labels for ${nMaps} maps (expected one per map)`,
    );
  }
  return names;
}

/**
 * Decode a labels file: UTF-8, or ISO-8859-1 when an XML declaration says so.
 *
 * @param bytes the file's bytes.
 * @returns the text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLabelsText } from "./labels.ts";
 * const bytes = Uint8Array.from([...new TextEncoder().encode('<?xml encoding="ISO-8859-1"?>'), 0xe9]);
 * assert.ok(decodeLabelsText(bytes).endsWith("é"));
 * ```
 */
export function decodeLabelsText(bytes: Uint8Array): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  const m = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head);
  const label = m?.[1]?.toLowerCase();
  if (label === "iso-8859-1" || label === "latin1" || label === "windows-1252") {
    return new TextDecoder("windows-1252").decode(bytes);
  }
  return new TextDecoder("utf-8").decode(bytes);
}

/**
 * Parse labels text of any supported kind: FSL XML (a `.xml` name or a text starting with `<`),
 * else TSV/list as {@link parseLabels}.
 *
 * @param text the file's text.
 * @param path the file, for error messages and its extension.
 * @param nMaps number of maps, when known.
 * @returns the names, in map order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabelsText } from "./labels.ts";
 * assert.deepEqual(parseLabelsText("index\tlabel\n1\tA\n2\tB\n", "x.tsv", 2), ["A", "B"]);
 * ```
 */
export function parseLabelsText(text: string, path: string, nMaps?: number): string[] {
  const t = text.replace(/^\uFEFF/, "");
  if (/\.xml$/i.test(path) || /^\s*</.test(t)) return parseFslAtlasXml(t, path, nMaps);
  return parseLabels(t, path, nMaps);
}

/**
 * Read a `--labels` file (edge).
 *
 * @param path the file.
 * @param nMaps number of maps.
 * @returns the names.
 * @throws Error naming the file when it cannot be read; RangeError when it does not fit.
 * @example
 * ```ts ignore
 * const names = await readLabelsFile("Juelich_Histological_Atlas.xml", 121);
 * ```
 */
export async function readLabelsFile(path: string, nMaps: number): Promise<string[]> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(
      `--labels ${path}: cannot read the file (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return parseLabelsText(decodeLabelsText(bytes), path, nMaps);
}
