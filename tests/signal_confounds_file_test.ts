import assert from "node:assert/strict";
import { ConfoundsParseError, parseConfoundsTable, readConfoundsFile } from "../signal/mod.ts";

Deno.test("TSV with a header row (fMRIPrep), n/a read as NaN", () => {
  const m = parseConfoundsTable(
    "trans_x\ttrans_y\tcsf_derivative1\n0.1\t-2e-3\tn/a\n0.2\t1.5E+1\t0.5\n",
    "c.tsv",
  );
  assert.deepEqual(m.columns, ["trans_x", "trans_y", "csf_derivative1"]);
  assert.deepEqual(m.shape, [2, 3]);
  assert.deepEqual(Array.from(m.data.slice(0, 2)), [0.1, -0.002]);
  assert.ok(Number.isNaN(m.data[2] as number));
  assert.deepEqual(Array.from(m.data.slice(3)), [0.2, 15, 0.5]);
});

Deno.test("CSV without header, CRLF line ends, trailing newline", () => {
  const m = parseConfoundsTable("1,2\r\n3,4\r\n5,6\r\n", "c.csv");
  assert.equal(m.columns, null);
  assert.deepEqual(m.shape, [3, 2]);
  assert.deepEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
});

Deno.test("space-separated and single-column files", () => {
  const m = parseConfoundsTable("  1.0  2.0 3\n4 5 6\n", "motion.par");
  assert.deepEqual(m.shape, [2, 3]);
  const one = parseConfoundsTable("fd\n0\n0.3\n", "fd.tsv");
  assert.deepEqual(one.columns, ["fd"]);
  assert.deepEqual(Array.from(one.data), [0, 0.3]);
});

Deno.test("errors name the file, row and value", () => {
  assert.throws(
    () => parseConfoundsTable("a,b\n1,2\n3,oops\n", "bad.csv"),
    (e: Error) =>
      e instanceof ConfoundsParseError && e.message.includes("bad.csv") &&
      e.message.includes("row 3") && e.message.includes('"oops"'),
  );
  assert.throws(() => parseConfoundsTable("1,2\n3\n", "ragged.csv"), /ragged\.csv/);
  assert.throws(() => parseConfoundsTable("\n\n", "empty.tsv"), /empty\.tsv.*empty/);
});

Deno.test("readConfoundsFile reads a file and names it when missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/conf.tsv`;
    await Deno.writeTextFile(path, "x\ty\n1\t2\n");
    const m = await readConfoundsFile(path);
    assert.deepEqual(m.columns, ["x", "y"]);
    await assert.rejects(() => readConfoundsFile(`${dir}/missing.tsv`), /missing\.tsv/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
