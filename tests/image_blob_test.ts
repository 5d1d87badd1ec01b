import assert from "node:assert/strict";
import { loadImg, openNifti } from "../image/load.ts";
import { NiftiParseError } from "../image/nifti_errors.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { SHARED_CONFORMANCE, SHARED_DATA } from "./real_data_fixtures.ts";

const DATA = SHARED_DATA;
const CONF = `${SHARED_CONFORMANCE}/functions`;
const BOLD = `${DATA}/nipy_testing/functional.nii.gz`; // int16, gzip, 20 volumes
const PLAIN = `${DATA}/gift_lowres_fmri/sub-007_lowres.nii`; // float32, uncompressed
const MAPS = `${DATA}/fsl_atlases_freeroi/HarvardOxford-sub-prob-2mm.nii.gz`;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const haveData = [BOLD, PLAIN, MAPS].every(exists);
if (!haveData) console.log(`SKIP image_blob_test (real data): ${DATA} is absent`);

const file = async (path: string) => new File([await Deno.readFile(path)], path.split("/").pop()!);

Deno.test({
  name: "loadImg(Blob/File) equals loadImg(path) for .nii.gz and .nii",
  ignore: !haveData,
  async fn() {
    for (const path of [BOLD, PLAIN]) {
      const fromPath = await loadImg(path);
      const fromFile = await loadImg(await file(path));
      const fromBlob = await loadImg(new Blob([await Deno.readFile(path)]));
      for (const img of [fromFile, fromBlob]) {
        assert.deepEqual(img.shape, fromPath.shape);
        assert.deepEqual(Array.from(img.affine), Array.from(fromPath.affine));
        assert.equal(img.dtype, fromPath.dtype);
        assert.equal(img.data.constructor, fromPath.data.constructor);
        assert.deepEqual(img.data, fromPath.data);
        assert.equal(img.source, undefined, "a Blob has no path");
      }
    }
  },
});

Deno.test({
  name: "openNifti(File) streams volume by volume",
  ignore: !haveData,
  async fn() {
    const ref = await loadImg(BOLD);
    const s = await openNifti(await file(BOLD));
    const nV = ref.shape[0]! * ref.shape[1]! * ref.shape[2]!;
    let t = 0;
    for await (const vol of s.volumes()) {
      assert.deepEqual(Array.from(vol), Array.from(ref.data.subarray(t * nV, (t + 1) * nV)));
      t++;
    }
    assert.equal(t, ref.shape[3]);
  },
});

Deno.test("loadImg(File): bad files are NiftiParseErrors naming the File", async () => {
  await assert.rejects(
    () => loadImg(new File([], "empty.nii")),
    (e: unknown) =>
      e instanceof NiftiParseError && e.code === "empty" && /empty\.nii/.test(e.message),
  );
  await assert.rejects(
    () => loadImg(new File([new TextEncoder().encode("not a nifti ".repeat(40))], "notes.nii")),
    (e: unknown) => e instanceof NiftiParseError && /notes\.nii/.test(e.message),
  );
  await assert.rejects(
    () => loadImg(new Blob([new Uint8Array(10)])),
    (e: unknown) => e instanceof NiftiParseError && /<blob>/.test(e.message),
  );
  const truncated = `${CONF}/io_bad_truncated_gzip/img.nii.gz`;
  if (exists(truncated)) {
    const cut = new File([await Deno.readFile(truncated)], "cut.nii.gz");
    await assert.rejects(
      () => loadImg(cut),
      (e: unknown) =>
        e instanceof NiftiParseError && /cut\.nii\.gz/.test(e.message) &&
        (e.code === "gzip" || e.code === "truncated"),
    );
  } else console.log(`SKIP: ${truncated} is absent`);
});

Deno.test({
  name: "masker: File maps and subjects give the paths' signals (1 and 2 jobs)",
  ignore: !haveData,
  async fn() {
    const params = { standardize: "zscore_sample" as const, detrend: true, tR: 2, lowPass: 0.1 };
    const byPath = await multiMapsMasker({ mapsImg: MAPS, ...params }).fit();
    const expected = await byPath.transform(BOLD);
    const byFile = await multiMapsMasker({ mapsImg: await file(MAPS), ...params }).fit();
    const got = await byFile.transform(await file(BOLD));
    assert.deepEqual(got.shape, expected.shape);
    assert.deepEqual(got.data, expected.data);
    const two = await byFile.transformImgs([await file(BOLD), await file(BOLD)], { nJobs: 2 });
    for (const m of two) assert.deepEqual(m.data, expected.data);
  },
});
