import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type FmriprepCase, runFmriprepCase } from "./conformance/fmriprep.ts";

const CASES = fileURLToPath(new URL("../../shared/conformance/fmriprep/", import.meta.url));

/** Copy a golden case to a temp folder, let `edit` change its case.json, run it. */
async function runEdited(
  name: string,
  edit: (c: Record<string, unknown>) => void,
): Promise<{ ok: boolean; reason?: string } | null> {
  try {
    await Deno.stat(`${CASES}/${name}/case.json`);
  } catch {
    console.log(`skipped: ${CASES} is absent`);
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "niimask_fmriprep_case_" });
  try {
    for await (const e of Deno.readDir(`${CASES}/${name}`)) {
      await Deno.copyFile(`${CASES}/${name}/${e.name}`, `${dir}/${e.name}`);
    }
    const c = JSON.parse(await Deno.readTextFile(`${dir}/case.json`));
    edit(c);
    return await runFmriprepCase(dir, c as FmriprepCase);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

type Run = { columns: string[]; confounds: { data: number[] }; sample_mask: number[] | null };

Deno.test("fmriprep runner: an unchanged golden case passes", async () => {
  const r = await runEdited("motion_basic", () => {});
  if (r) assert.equal(r.ok, true, r.reason);
});

Deno.test("fmriprep runner: a value off by more than the column's tolerance fails", async () => {
  const r = await runEdited("motion_basic", (c) => {
    (c.expect as Run).confounds.data[7]! += 1e-6;
  });
  if (r) {
    assert.equal(r.ok, false);
    assert.match(r.reason ?? "", /column rot_y: max\|A-E\|/);
  }
});

Deno.test("fmriprep runner: columns, sample mask and NaN positions are compared exactly", async () => {
  const swapped = await runEdited("motion_basic", (c) => {
    const cols = (c.expect as Run).columns;
    [cols[0], cols[1]] = [cols[1]!, cols[0]!];
  });
  if (swapped) assert.equal(swapped.ok, false);
  const mask = await runEdited("scrub_short_segments", (c) => {
    (c.expect as Run).sample_mask!.shift();
  });
  if (mask) assert.match(mask.reason ?? "", /sample_mask/);
  const nan = await runEdited("nan_beyond_first_row", (c) => {
    const e = c.expect as { confounds: { nonfinite: unknown[] } };
    e.confounds.nonfinite.pop();
  });
  if (nan) assert.match(nan.reason ?? "", /unexpected NaN/);
});

Deno.test("fmriprep runner: an expected error needs the names nilearn's message quotes", async () => {
  const r = await runEdited("error_missing_columns", (c) => {
    const e = c.expect as { message: string };
    e.message = e.message.replace("'trans_y'", "'trans_q'");
  });
  if (r) assert.match(r.reason ?? "", /does not name trans_q/);
});

Deno.test("fmriprep runner: a warning nilearn gives must be given", async () => {
  const r = await runEdited("empty_strategy", (c) => {
    c.warnings = [{ category: "UserWarning", message: "Something nilearn never said" }];
  });
  if (r) assert.match(r.reason ?? "", /missing warning/);
});
