import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { DelimitedSyntaxError, parseDelimited } from "../signal/delimited_text.ts";
import { parseConfoundsTable } from "../signal/mod.ts";
import { SHARED_DATA } from "./real_data_fixtures.ts";

// csv-parse (the parser niimask used before) is the independent reference: same options as the
// confounds reader gave it.
function reference(text: string, delimiter: string): string[][] {
  return parse(text, {
    delimiter,
    skip_empty_lines: true,
    relax_quotes: true,
    trim: delimiter !== "\t",
  }) as string[][];
}

const ours = (text: string, delimiter: string) =>
  parseDelimited(text, { delimiter, trim: delimiter !== "\t" });

Deno.test("parseDelimited agrees with csv-parse on hand-picked cases", () => {
  const cases: [string, string][] = [
    ["a,b\n1,2\n", ","],
    ["a,b\r\n1,2\r\n", ","],
    ["a\tb\n1\t2", "\t"],
    [" a , b \n 1 ,2\n", ","],
    ['"x,y",z\n"1""2",3\n', ","],
    ['"multi\nline",2\n3,4\n', ","],
    ['ab"c,d\n1,2\n', ","],
    ["a,,b\n,,\n", ","],
    ["a;b\n1;2\n\n\n3;4\n", ";"],
    ["x\t\ty\n1\t\t2\n", "\t"],
    [' "q" ,w\n', ","],
  ];
  for (const [text, d] of cases) {
    assert.deepEqual(ours(text, d), reference(text, d), JSON.stringify(text));
  }
});

Deno.test("parseDelimited agrees with csv-parse on random numeric tables", () => {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const tokens = ["1", "-2.5e-3", "n/a", "", "NaN", "0.125", "x_y", '"7"', " 3 "];
  for (let trial = 0; trial < 200; trial++) {
    const d = [",", "\t", ";"][Math.floor(rand() * 3)]!;
    const eol = rand() < 0.5 ? "\n" : "\r\n";
    const cols = 1 + Math.floor(rand() * 5);
    const rows = 1 + Math.floor(rand() * 6);
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const f: string[] = [];
      for (let c = 0; c < cols; c++) f.push(tokens[Math.floor(rand() * tokens.length)]!);
      lines.push(f.join(d));
    }
    const text = lines.join(eol) + (rand() < 0.5 ? eol : "");
    assert.deepEqual(ours(text, d), reference(text, d), JSON.stringify(text));
  }
});

Deno.test("parseDelimited: an unclosed quote is an error naming its line", () => {
  assert.throws(
    () => parseDelimited('a,b\n1,"2\n3,4\n', { delimiter: "," }),
    (e: unknown) =>
      e instanceof DelimitedSyntaxError && e.line === 2 && /never closed/.test(e.message),
  );
  assert.throws(
    () => parseDelimited('"a"b,c\n', { delimiter: "," }),
    /line 1: unexpected "b" after a closing quote/,
  );
  assert.throws(() => parseDelimited("a", { delimiter: ",," }), TypeError);
  assert.throws(
    () => parseConfoundsTable('a,b\n1,"2\n', "bad_quote.csv"),
    /bad_quote\.csv: cannot parse as a delimited table: line 2: quoted field is never closed/,
  );
});

const FMRIPREP = `${SHARED_DATA}/fmriprep_confounds_nilearn/test-v21_desc-confounds_timeseries.tsv`;
const REGRESSORS =
  `${SHARED_DATA}/fmriprep_confounds_load_confounds/test_desc-confounds_regressors.tsv`;

for (const path of [FMRIPREP, REGRESSORS]) {
  let text: string | null = null;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    console.log(`SKIP signal_delimited_text_test: ${path} is absent`);
  }
  Deno.test({
    name: `parseDelimited agrees with csv-parse on a real fMRIPrep file (${path.split("/").pop()})`,
    ignore: text === null,
    fn() {
      const rows = ours(text!, "\t");
      assert.ok(rows.length > 10 && rows[0]!.length > 10, `${rows.length} rows`);
      assert.deepEqual(rows, reference(text!, "\t"));
    },
  });
}
