;; SIMD kernel of the batched projection c = Mᵀ Y (image/project_simd.ts; the plain JavaScript
;; kernel is projectBatch in image/maps_projection.ts). Regenerate the embedded bytes
;; (image/project_simd_wasm.ts) with `deno task build:wasm`.
;;
;; Memory layout (byte offsets given by the caller, 16-byte aligned):
;;   c      k * 8 float64 accumulators, map j's 8 volumes at c + 64 j (zeroed here);
;;   batch  nS * 8 float64, support voxel s's 8 volumes at batch + 64 s;
;;   rowPtr nS + 1 int32 (CSR row pointers by support voxel);
;;   col    nnz uint16 (map index of each weight);
;;   val    nnz float32 (project_f32) or float64 (project_f64) weights.
;;
;; Every accumulator lane does what the JavaScript kernel does, in the same order: for each
;; support voxel in ascending order and each of its weights in CSR order,
;; c[j][b] = c[j][b] + (w * y[s][b]), with w converted exactly to float64 (f64x2.mul then
;; f64x2.add: two roundings, no fused multiply-add), so the results are bit-identical.
(module
  (memory (export "memory") 1)

  (func (export "project_f32")
    (param $c i32) (param $batch i32) (param $rowPtr i32) (param $col i32) (param $val i32)
    (param $nS i32) (param $k i32)
    (local $rp i32) (local $rpEnd i32) (local $vp i32) (local $vEnd i32) (local $cp i32)
    (local $o i32) (local $j i32) (local $w v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (memory.fill (local.get $c) (i32.const 0) (i32.shl (local.get $k) (i32.const 6)))
    (local.set $rp (local.get $rowPtr))
    (local.set $rpEnd (i32.add (local.get $rowPtr) (i32.shl (local.get $nS) (i32.const 2))))
    (local.set $o (local.get $batch))
    ;; vp/cp: pointers to the weight and index of CSR entry rowPtr[0].
    (local.set $vp (i32.add (local.get $val) (i32.shl (i32.load (local.get $rowPtr)) (i32.const 2))))
    (local.set $cp (i32.add (local.get $col) (i32.shl (i32.load (local.get $rowPtr)) (i32.const 1))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rpEnd)))
        (local.set $vEnd
          (i32.add (local.get $val) (i32.shl (i32.load offset=4 (local.get $rp)) (i32.const 2))))
        (if (i32.lt_u (local.get $vp) (local.get $vEnd))
          (then
            (local.set $y0 (v128.load (local.get $o)))
            (local.set $y1 (v128.load offset=16 (local.get $o)))
            (local.set $y2 (v128.load offset=32 (local.get $o)))
            (local.set $y3 (v128.load offset=48 (local.get $o)))
            (loop $weights
              (local.set $w (f64x2.promote_low_f32x4 (v128.load32_splat (local.get $vp))))
              (local.set $j
                (i32.add (local.get $c) (i32.shl (i32.load16_u (local.get $cp)) (i32.const 6))))
              (v128.store (local.get $j)
                (f64x2.add (v128.load (local.get $j)) (f64x2.mul (local.get $w) (local.get $y0))))
              (v128.store offset=16 (local.get $j)
                (f64x2.add (v128.load offset=16 (local.get $j))
                  (f64x2.mul (local.get $w) (local.get $y1))))
              (v128.store offset=32 (local.get $j)
                (f64x2.add (v128.load offset=32 (local.get $j))
                  (f64x2.mul (local.get $w) (local.get $y2))))
              (v128.store offset=48 (local.get $j)
                (f64x2.add (v128.load offset=48 (local.get $j))
                  (f64x2.mul (local.get $w) (local.get $y3))))
              (local.set $vp (i32.add (local.get $vp) (i32.const 4)))
              (local.set $cp (i32.add (local.get $cp) (i32.const 2)))
              (br_if $weights (i32.lt_u (local.get $vp) (local.get $vEnd))))))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (br $rows))))

  (func (export "project_f64")
    (param $c i32) (param $batch i32) (param $rowPtr i32) (param $col i32) (param $val i32)
    (param $nS i32) (param $k i32)
    (local $rp i32) (local $rpEnd i32) (local $vp i32) (local $vEnd i32) (local $cp i32)
    (local $o i32) (local $j i32) (local $w v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (memory.fill (local.get $c) (i32.const 0) (i32.shl (local.get $k) (i32.const 6)))
    (local.set $rp (local.get $rowPtr))
    (local.set $rpEnd (i32.add (local.get $rowPtr) (i32.shl (local.get $nS) (i32.const 2))))
    (local.set $o (local.get $batch))
    (local.set $vp (i32.add (local.get $val) (i32.shl (i32.load (local.get $rowPtr)) (i32.const 3))))
    (local.set $cp (i32.add (local.get $col) (i32.shl (i32.load (local.get $rowPtr)) (i32.const 1))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rpEnd)))
        (local.set $vEnd
          (i32.add (local.get $val) (i32.shl (i32.load offset=4 (local.get $rp)) (i32.const 3))))
        (if (i32.lt_u (local.get $vp) (local.get $vEnd))
          (then
            (local.set $y0 (v128.load (local.get $o)))
            (local.set $y1 (v128.load offset=16 (local.get $o)))
            (local.set $y2 (v128.load offset=32 (local.get $o)))
            (local.set $y3 (v128.load offset=48 (local.get $o)))
            (loop $weights
              (local.set $w (v128.load64_splat (local.get $vp)))
              (local.set $j
                (i32.add (local.get $c) (i32.shl (i32.load16_u (local.get $cp)) (i32.const 6))))
              (v128.store (local.get $j)
                (f64x2.add (v128.load (local.get $j)) (f64x2.mul (local.get $w) (local.get $y0))))
              (v128.store offset=16 (local.get $j)
                (f64x2.add (v128.load offset=16 (local.get $j))
                  (f64x2.mul (local.get $w) (local.get $y1))))
              (v128.store offset=32 (local.get $j)
                (f64x2.add (v128.load offset=32 (local.get $j))
                  (f64x2.mul (local.get $w) (local.get $y2))))
              (v128.store offset=48 (local.get $j)
                (f64x2.add (v128.load offset=48 (local.get $j))
                  (f64x2.mul (local.get $w) (local.get $y3))))
              (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
              (local.set $cp (i32.add (local.get $cp) (i32.const 2)))
              (br_if $weights (i32.lt_u (local.get $vp) (local.get $vEnd))))))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (br $rows)))))
