/**
 * Cross-check of niimask's own NIfTI header parser against an independent one,
 * `npm:nifti-reader-js`, on the real files in ../shared/data. niimask does not use
 * nifti-reader-js to read images (it picks the affine differently from nibabel, ignores
 * scl_slope/scl_inter and copies the whole file); it serves here as a second opinion on the raw
 * header fields.
 */
import assert from "node:assert/strict";
import * as niftiReader from "nifti-reader-js";
import { loadImg, parseNiftiHeader } from "../image/mod.ts";

const DATA = new URL("../../shared/data/", import.meta.url);
const FILES = [
  "nilearn_canica/canica_resting_state.nii.gz",
  "fsl_atlases_freeroi/HarvardOxford-sub-prob-2mm.nii.gz",
  "fsl_atlases_freeroi/MNI152_T1_2mm_brain.nii.gz",
  "gift_lowres_fmri/sub-007_lowres.nii",
  "nipy_testing/functional.nii.gz",
  "nipy_testing/anatomical.nii.gz",
  "pymvpa_haxby2001/mask.nii.gz",
];

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

for (const rel of FILES) {
  const url = new URL(rel, DATA);
  const present = exists(url);
  if (!present) console.warn(`SKIP ${rel}: ../shared/data is absent`);
  Deno.test({
    name: `header fields of ${rel} agree with nifti-reader-js`,
    ignore: !present,
    async fn() {
      let raw: ArrayBuffer = (await Deno.readFile(url)).buffer as ArrayBuffer;
      if (niftiReader.isCompressed(raw)) raw = niftiReader.decompress(raw) as ArrayBuffer;
      const theirs = niftiReader.readHeader(raw);
      assert.ok(theirs !== null, "nifti-reader-js read a header");
      const ours = parseNiftiHeader(new Uint8Array(raw), url.pathname);
      assert.equal(ours.littleEndian, theirs.littleEndian);
      assert.equal(ours.datatypeCode, theirs.datatypeCode);
      assert.deepEqual([...ours.dims], theirs.dims.slice(1, theirs.dims[0]! + 1));
      assert.equal(ours.voxOffset, theirs.vox_offset);
      assert.equal(ours.qformCode, theirs.qform_code);
      assert.equal(ours.sformCode, theirs.sform_code);
      for (let i = 1; i <= 3; i++) {
        assert.ok(Math.abs(ours.pixdim[i]! - Math.abs(theirs.pixDims[i]!)) < 1e-6, `pixdim[${i}]`);
      }
      // Scaling as nibabel applies it: none when the slope is 0 or not finite; (1, 0) is none too.
      const slope = theirs.scl_slope;
      const valid = Number.isFinite(slope) && slope !== 0;
      const expected = valid ? [slope, theirs.scl_inter] : [1, 0];
      const got = ours.scaling === null ? [1, 0] : [ours.scaling.slope, ours.scaling.inter];
      assert.deepEqual(got, expected);
      if (theirs.sform_code > 0) {
        // Both take the srow_* rows when sform_code > 0.
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < 4; c++) {
            assert.ok(Math.abs(ours.affine[4 * r + c]! - theirs.affine[r]![c]!) < 1e-6);
          }
        }
      }
      const img = await loadImg(url);
      const nd = theirs.dims[0]!;
      const dims = theirs.dims.slice(1, nd + 1);
      while (dims.length > 4 && dims[dims.length - 1] === 1) dims.pop();
      if (dims.length === 4 && dims[3] === 1) dims.pop();
      assert.deepEqual([...img.shape], dims.length < 3 ? [...dims, 1, 1].slice(0, 3) : dims);
    },
  });
}
