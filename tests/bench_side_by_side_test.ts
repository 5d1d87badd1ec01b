import assert from "node:assert/strict";
import { confoundsTsv, parseConfoundsTsv } from "../bench/whole_process.ts";
import { synthConfounds } from "../bench/workloads.ts";
import type { Matrix } from "../types.ts";

/** A Python 3 that runs, or null (the tests that need one skip with a message). */
async function python(withNumpy: boolean): Promise<string | null> {
  for (const exe of [Deno.env.get("NILEARN_PYTHON"), "/usr/bin/python3", "python3"]) {
    if (exe === undefined) continue;
    try {
      const out = await new Deno.Command(exe, {
        args: ["-c", withNumpy ? "import numpy" : "pass"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (out.success) return exe;
    } catch {
      // not installed
    }
  }
  return null;
}

Deno.test("bench confounds TSV: written and parsed back bit for bit", () => {
  const m = synthConfounds(200, 77);
  const back = parseConfoundsTsv(confoundsTsv(m), "c.tsv");
  assert.deepEqual(back.shape, [200, 8]);
  assert.deepEqual(back.data, m.data);
  const extreme: Matrix = {
    data: Float64Array.from([5e-324, 1.7976931348623157e308, -1e-300, 0.1 + 0.2, 1 / 3, -7]),
    shape: [3, 2],
  };
  const text = confoundsTsv(extreme);
  assert.equal(text.split("\n")[0], "c0\tc1");
  assert.deepEqual(parseConfoundsTsv(text, "x.tsv"), extreme);
});

Deno.test("bench confounds TSV: ragged rows and non-numbers name the file and row", () => {
  assert.throws(
    () => parseConfoundsTsv("a\tb\n1\t2\n3\n", "bad.tsv"),
    (e: unknown) =>
      e instanceof SyntaxError && /bad\.tsv: row 3: expected 2 columns, found 1/.test(e.message),
  );
  assert.throws(
    () => parseConfoundsTsv("a\tb\n1\tx\n", "bad.tsv"),
    (e: unknown) =>
      e instanceof SyntaxError && /bad\.tsv: row 2: expected a number, found 'x'/.test(e.message),
  );
});

Deno.test("bench confounds TSV: numpy reads the same numbers", async () => {
  const exe = await python(true);
  if (exe === null) {
    console.log("skipped: no Python 3 with numpy");
    return;
  }
  const m = synthConfounds(50, 78);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/c.tsv`;
    await Deno.writeTextFile(path, confoundsTsv(m));
    // numpy parses the file and writes the float64 bytes back.
    const code = "import numpy as np, sys\n" +
      "a = np.loadtxt(sys.argv[1], delimiter='\\t', skiprows=1, ndmin=2)\n" +
      "np.ascontiguousarray(a, dtype='<f8').tofile(sys.argv[2])\n";
    const out = await new Deno.Command(exe, { args: ["-c", code, path, `${dir}/c.f64`] }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const bytes = await Deno.readFile(`${dir}/c.f64`);
    assert.deepEqual(new Float64Array(bytes.buffer, 0, bytes.byteLength / 8), m.data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nilearn side-by-side script: skips with a message when nilearn does not import", async () => {
  const exe = await python(false);
  if (exe === null) {
    console.log("skipped: no Python 3");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    // A nilearn on NILEARN_PATH that fails at import (it comes first on sys.path).
    await Deno.mkdir(`${dir}/nilearn`);
    await Deno.writeTextFile(
      `${dir}/nilearn/__init__.py`,
      "raise ImportError('deliberately broken for the test')\n",
    );
    const script = new URL("../bench/nilearn_side_by_side.py", import.meta.url).pathname;
    const out = await new Deno.Command(exe, {
      args: [script, "--maps", "maps.nii.gz", "sub-01.nii.gz"],
      env: { NILEARN_PATH: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0);
    const report = JSON.parse(new TextDecoder().decode(out.stdout).trim()) as { skipped?: string };
    assert.match(report.skipped ?? "", /deliberately broken for the test/);
    assert.match(report.skipped ?? "", /NILEARN_PATH/);
    assert.match(new TextDecoder().decode(out.stderr), /nilearn_side_by_side: skipped/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
