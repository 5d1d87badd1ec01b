;; SIMD kernel of the batched projection c = Mᵀ Y (image/project_simd.ts; the plain JavaScript
;; kernel is projectBatch in image/maps_projection.ts). Regenerate the embedded bytes
;; (image/project_simd_wasm.ts) with `deno task build:wasm`.
;;
;; The memory is imported: shared (a SharedArrayBuffer that every worker sees, so the weights are
;; held once per process) or, where shared memory is unavailable, not (scripts/build_wasm.ts builds
;; both variants from this file).
;;
;; Memory layout (byte offsets given by the caller; c, batch and tile 16-byte aligned):
;;   c       k * 16 float64 accumulators, map j's 16 volumes at c + 128 j (zeroed here);
;;   batch   16 columns of `stride` float64 (one per volume, stride a multiple of 256): support
;;           voxel s of volume b at batch + 8 (b stride + s);
;;   tile    256 * 16 float64 of scratch: each tile of the batch is first laid out voxel by voxel
;;           there (voxel s's 16 volumes at tile + 128 s), so that the weights read them together;
;;   tilePtr nTiles + 1 int32: first segment of each tile of 256 support voxels;
;;   segMap  int32 per segment: its map j;
;;   segPtr  nSegments + 1 int32: first weight of each segment;
;;   offsets uint8 per weight: its voxel's position in the tile;
;;   values  float32 (project_f32) or float64 (project_f64) per weight.
;;
;; Every accumulator lane does what the JavaScript kernel does, in the same order: for each tile,
;; each of its segments (map j), each weight w of voxel s in it, c[j][b] = c[j][b] + (w * y[s][b]),
;; with w converted exactly to float64 (f64x2.mul then f64x2.add: two roundings, no fused
;; multiply-add), so the results are bit-identical. A segment's 16 sums stay in 8 registers.
;;
;; `solve` is the second step (solveBatch in image/maps_projection.ts): x = G⁺ c for the batch's 16
;; columns, G⁺ the k x k float64 pseudo-inverse (row-major, 8-byte aligned), x written as c is
;; laid out (row i's 16 volumes at x + 128 i). Row i's 16 sums run over j ascending, each term
;; G⁺[i][j] * c[j][b] then added, as the JavaScript loop does.
(module
  (import "env" "memory" (memory 1 32768 shared))

  (func (export "project_f32")
    (param $c i32) (param $batch i32) (param $stride i32) (param $tile i32) (param $tilePtr i32)
    (param $segMap i32) (param $segPtr i32) (param $offsets i32) (param $values i32)
    (param $nTiles i32) (param $k i32)
    (local $t i32) (local $seg i32) (local $segEnd i32) (local $j i32)
    (local $q i32) (local $e i32) (local $o i32) (local $w v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (memory.fill (local.get $c) (i32.const 0) (i32.mul (local.get $k) (i32.const 128)))
    (block $tilesDone
      (loop $tiles
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $nTiles)))
        (call $transpose (local.get $batch) (local.get $stride) (local.get $tile) (local.get $t))
        (local.set $seg (i32.load (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $segEnd
          (i32.load offset=4 (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (block $segsDone
          (loop $segs
            (br_if $segsDone (i32.ge_u (local.get $seg) (local.get $segEnd)))
            (local.set $j
              (i32.add (local.get $c)
                (i32.mul
                  (i32.load (i32.add (local.get $segMap) (i32.shl (local.get $seg) (i32.const 2))))
                  (i32.const 128))))
            (local.set $q
              (i32.load (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $e
              (i32.load offset=4 (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $a0 (v128.load offset=0 (local.get $j)))
            (local.set $a1 (v128.load offset=16 (local.get $j)))
            (local.set $a2 (v128.load offset=32 (local.get $j)))
            (local.set $a3 (v128.load offset=48 (local.get $j)))
            (local.set $a4 (v128.load offset=64 (local.get $j)))
            (local.set $a5 (v128.load offset=80 (local.get $j)))
            (local.set $a6 (v128.load offset=96 (local.get $j)))
            (local.set $a7 (v128.load offset=112 (local.get $j)))
            (block $wDone
              (loop $weights
                (br_if $wDone (i32.ge_u (local.get $q) (local.get $e)))
                (local.set $w
                  (f64x2.promote_low_f32x4
                    (v128.load32_splat
                      (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 2))))))
                (local.set $o
                  (i32.add (local.get $tile)
                    (i32.mul (i32.load8_u (i32.add (local.get $offsets) (local.get $q)))
                      (i32.const 128))))
                (local.set $a0
                  (f64x2.add (local.get $a0)
                    (f64x2.mul (local.get $w) (v128.load offset=0 (local.get $o)))))
                (local.set $a1
                  (f64x2.add (local.get $a1)
                    (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $o)))))
                (local.set $a2
                  (f64x2.add (local.get $a2)
                    (f64x2.mul (local.get $w) (v128.load offset=32 (local.get $o)))))
                (local.set $a3
                  (f64x2.add (local.get $a3)
                    (f64x2.mul (local.get $w) (v128.load offset=48 (local.get $o)))))
                (local.set $a4
                  (f64x2.add (local.get $a4)
                    (f64x2.mul (local.get $w) (v128.load offset=64 (local.get $o)))))
                (local.set $a5
                  (f64x2.add (local.get $a5)
                    (f64x2.mul (local.get $w) (v128.load offset=80 (local.get $o)))))
                (local.set $a6
                  (f64x2.add (local.get $a6)
                    (f64x2.mul (local.get $w) (v128.load offset=96 (local.get $o)))))
                (local.set $a7
                  (f64x2.add (local.get $a7)
                    (f64x2.mul (local.get $w) (v128.load offset=112 (local.get $o)))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $weights)))
            (v128.store offset=0 (local.get $j) (local.get $a0))
            (v128.store offset=16 (local.get $j) (local.get $a1))
            (v128.store offset=32 (local.get $j) (local.get $a2))
            (v128.store offset=48 (local.get $j) (local.get $a3))
            (v128.store offset=64 (local.get $j) (local.get $a4))
            (v128.store offset=80 (local.get $j) (local.get $a5))
            (v128.store offset=96 (local.get $j) (local.get $a6))
            (v128.store offset=112 (local.get $j) (local.get $a7))
            (local.set $seg (i32.add (local.get $seg) (i32.const 1)))
            (br $segs)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tiles))))

  ;; relaxed-simd begin (kept only in the variants built with relaxed SIMD: scripts/build_wasm.ts)
  ;; project_f32 with each multiply-add fused when the engine fuses relaxed_madd. Only for batches
  ;; whose values are all float32 values: a float32 weight times a float32 value is exact in
  ;; float64 (24 + 24 significant bits, no overflow or underflow), so fused or not, each step is
  ;; round(c + w y), the very number project_f32 computes.
  (func (export "project_f32_fused")
    (param $c i32) (param $batch i32) (param $stride i32) (param $tile i32) (param $tilePtr i32)
    (param $segMap i32) (param $segPtr i32) (param $offsets i32) (param $values i32)
    (param $nTiles i32) (param $k i32)
    (local $t i32) (local $seg i32) (local $segEnd i32) (local $j i32)
    (local $q i32) (local $e i32) (local $o i32) (local $w v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (memory.fill (local.get $c) (i32.const 0) (i32.mul (local.get $k) (i32.const 128)))
    (block $tilesDone
      (loop $tiles
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $nTiles)))
        (call $transpose (local.get $batch) (local.get $stride) (local.get $tile) (local.get $t))
        (local.set $seg (i32.load (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $segEnd
          (i32.load offset=4 (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (block $segsDone
          (loop $segs
            (br_if $segsDone (i32.ge_u (local.get $seg) (local.get $segEnd)))
            (local.set $j
              (i32.add (local.get $c)
                (i32.mul
                  (i32.load (i32.add (local.get $segMap) (i32.shl (local.get $seg) (i32.const 2))))
                  (i32.const 128))))
            (local.set $q
              (i32.load (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $e
              (i32.load offset=4 (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $a0 (v128.load offset=0 (local.get $j)))
            (local.set $a1 (v128.load offset=16 (local.get $j)))
            (local.set $a2 (v128.load offset=32 (local.get $j)))
            (local.set $a3 (v128.load offset=48 (local.get $j)))
            (local.set $a4 (v128.load offset=64 (local.get $j)))
            (local.set $a5 (v128.load offset=80 (local.get $j)))
            (local.set $a6 (v128.load offset=96 (local.get $j)))
            (local.set $a7 (v128.load offset=112 (local.get $j)))
            (block $wDone
              (loop $weights
                (br_if $wDone (i32.ge_u (local.get $q) (local.get $e)))
                (local.set $w
                  (f64x2.promote_low_f32x4
                    (v128.load32_splat
                      (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 2))))))
                (local.set $o
                  (i32.add (local.get $tile)
                    (i32.mul (i32.load8_u (i32.add (local.get $offsets) (local.get $q)))
                      (i32.const 128))))
                (local.set $a0
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=0 (local.get $o)) (local.get $a0)))
                (local.set $a1
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=16 (local.get $o)) (local.get $a1)))
                (local.set $a2
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=32 (local.get $o)) (local.get $a2)))
                (local.set $a3
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=48 (local.get $o)) (local.get $a3)))
                (local.set $a4
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=64 (local.get $o)) (local.get $a4)))
                (local.set $a5
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=80 (local.get $o)) (local.get $a5)))
                (local.set $a6
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=96 (local.get $o)) (local.get $a6)))
                (local.set $a7
                  (f64x2.relaxed_madd (local.get $w) (v128.load offset=112 (local.get $o)) (local.get $a7)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $weights)))
            (v128.store offset=0 (local.get $j) (local.get $a0))
            (v128.store offset=16 (local.get $j) (local.get $a1))
            (v128.store offset=32 (local.get $j) (local.get $a2))
            (v128.store offset=48 (local.get $j) (local.get $a3))
            (v128.store offset=64 (local.get $j) (local.get $a4))
            (v128.store offset=80 (local.get $j) (local.get $a5))
            (v128.store offset=96 (local.get $j) (local.get $a6))
            (v128.store offset=112 (local.get $j) (local.get $a7))
            (local.set $seg (i32.add (local.get $seg) (i32.const 1)))
            (br $segs)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tiles))))
  ;; relaxed-simd end

  (func (export "project_f64")
    (param $c i32) (param $batch i32) (param $stride i32) (param $tile i32) (param $tilePtr i32)
    (param $segMap i32) (param $segPtr i32) (param $offsets i32) (param $values i32)
    (param $nTiles i32) (param $k i32)
    (local $t i32) (local $seg i32) (local $segEnd i32) (local $j i32)
    (local $q i32) (local $e i32) (local $o i32) (local $w v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (memory.fill (local.get $c) (i32.const 0) (i32.mul (local.get $k) (i32.const 128)))
    (block $tilesDone
      (loop $tiles
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $nTiles)))
        (call $transpose (local.get $batch) (local.get $stride) (local.get $tile) (local.get $t))
        (local.set $seg (i32.load (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $segEnd
          (i32.load offset=4 (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (block $segsDone
          (loop $segs
            (br_if $segsDone (i32.ge_u (local.get $seg) (local.get $segEnd)))
            (local.set $j
              (i32.add (local.get $c)
                (i32.mul
                  (i32.load (i32.add (local.get $segMap) (i32.shl (local.get $seg) (i32.const 2))))
                  (i32.const 128))))
            (local.set $q
              (i32.load (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $e
              (i32.load offset=4 (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $a0 (v128.load offset=0 (local.get $j)))
            (local.set $a1 (v128.load offset=16 (local.get $j)))
            (local.set $a2 (v128.load offset=32 (local.get $j)))
            (local.set $a3 (v128.load offset=48 (local.get $j)))
            (local.set $a4 (v128.load offset=64 (local.get $j)))
            (local.set $a5 (v128.load offset=80 (local.get $j)))
            (local.set $a6 (v128.load offset=96 (local.get $j)))
            (local.set $a7 (v128.load offset=112 (local.get $j)))
            (block $wDone
              (loop $weights
                (br_if $wDone (i32.ge_u (local.get $q) (local.get $e)))
                (local.set $w
                  (v128.load64_splat
                    (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 3)))))
                (local.set $o
                  (i32.add (local.get $tile)
                    (i32.mul (i32.load8_u (i32.add (local.get $offsets) (local.get $q)))
                      (i32.const 128))))
                (local.set $a0
                  (f64x2.add (local.get $a0)
                    (f64x2.mul (local.get $w) (v128.load offset=0 (local.get $o)))))
                (local.set $a1
                  (f64x2.add (local.get $a1)
                    (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $o)))))
                (local.set $a2
                  (f64x2.add (local.get $a2)
                    (f64x2.mul (local.get $w) (v128.load offset=32 (local.get $o)))))
                (local.set $a3
                  (f64x2.add (local.get $a3)
                    (f64x2.mul (local.get $w) (v128.load offset=48 (local.get $o)))))
                (local.set $a4
                  (f64x2.add (local.get $a4)
                    (f64x2.mul (local.get $w) (v128.load offset=64 (local.get $o)))))
                (local.set $a5
                  (f64x2.add (local.get $a5)
                    (f64x2.mul (local.get $w) (v128.load offset=80 (local.get $o)))))
                (local.set $a6
                  (f64x2.add (local.get $a6)
                    (f64x2.mul (local.get $w) (v128.load offset=96 (local.get $o)))))
                (local.set $a7
                  (f64x2.add (local.get $a7)
                    (f64x2.mul (local.get $w) (v128.load offset=112 (local.get $o)))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $weights)))
            (v128.store offset=0 (local.get $j) (local.get $a0))
            (v128.store offset=16 (local.get $j) (local.get $a1))
            (v128.store offset=32 (local.get $j) (local.get $a2))
            (v128.store offset=48 (local.get $j) (local.get $a3))
            (v128.store offset=64 (local.get $j) (local.get $a4))
            (v128.store offset=80 (local.get $j) (local.get $a5))
            (v128.store offset=96 (local.get $j) (local.get $a6))
            (v128.store offset=112 (local.get $j) (local.get $a7))
            (local.set $seg (i32.add (local.get $seg) (i32.const 1)))
            (br $segs)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tiles))))

  ;; Tile t of the batch's columns (column b at batch + 8 b stride, tile t from voxel 256 t) into
  ;; tile: voxel s's 16 volumes at tile + 128 s.
  (func $transpose (param $batch i32) (param $stride i32) (param $tile i32) (param $t i32)
    (local $bp i32) (local $colA i32) (local $colB i32) (local $s i32) (local $dst i32)
    (local $x v128) (local $y v128)
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $bp) (i32.const 8)))
        (local.set $colA
          (i32.add (local.get $batch)
            (i32.shl
              (i32.add (i32.mul (i32.shl (local.get $bp) (i32.const 1)) (local.get $stride))
                (i32.shl (local.get $t) (i32.const 8)))
              (i32.const 3))))
        (local.set $colB (i32.add (local.get $colA) (i32.shl (local.get $stride) (i32.const 3))))
        (local.set $dst (i32.add (local.get $tile) (i32.shl (local.get $bp) (i32.const 4))))
        (local.set $s (i32.const 0))
        (block $voxDone
          (loop $vox
            (br_if $voxDone (i32.ge_u (local.get $s) (i32.const 2048)))
            (local.set $x (v128.load (i32.add (local.get $colA) (local.get $s))))
            (local.set $y (v128.load (i32.add (local.get $colB) (local.get $s))))
            (v128.store (local.get $dst)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
            (v128.store offset=128 (local.get $dst)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 256)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (br $vox)))
        (local.set $bp (i32.add (local.get $bp) (i32.const 1)))
        (br $pairs))))

  (func (export "solve")
    (param $g i32) (param $c i32) (param $x i32) (param $k i32)
    (local $i i32) (local $row i32) (local $rowEnd i32) (local $cj i32) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $row
          (i32.add (local.get $g) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 3))))
        (local.set $rowEnd (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $cj (local.get $c))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0)))
        (local.set $a2 (f64x2.splat (f64.const 0)))
        (local.set $a3 (f64x2.splat (f64.const 0)))
        (local.set $a4 (f64x2.splat (f64.const 0)))
        (local.set $a5 (f64x2.splat (f64.const 0)))
        (local.set $a6 (f64x2.splat (f64.const 0)))
        (local.set $a7 (f64x2.splat (f64.const 0)))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $row) (local.get $rowEnd)))
            (local.set $w (v128.load64_splat (local.get $row)))
            (local.set $a0
              (f64x2.add (local.get $a0)
                (f64x2.mul (local.get $w) (v128.load offset=0 (local.get $cj)))))
            (local.set $a1
              (f64x2.add (local.get $a1)
                (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $cj)))))
            (local.set $a2
              (f64x2.add (local.get $a2)
                (f64x2.mul (local.get $w) (v128.load offset=32 (local.get $cj)))))
            (local.set $a3
              (f64x2.add (local.get $a3)
                (f64x2.mul (local.get $w) (v128.load offset=48 (local.get $cj)))))
            (local.set $a4
              (f64x2.add (local.get $a4)
                (f64x2.mul (local.get $w) (v128.load offset=64 (local.get $cj)))))
            (local.set $a5
              (f64x2.add (local.get $a5)
                (f64x2.mul (local.get $w) (v128.load offset=80 (local.get $cj)))))
            (local.set $a6
              (f64x2.add (local.get $a6)
                (f64x2.mul (local.get $w) (v128.load offset=96 (local.get $cj)))))
            (local.set $a7
              (f64x2.add (local.get $a7)
                (f64x2.mul (local.get $w) (v128.load offset=112 (local.get $cj)))))
            (local.set $row (i32.add (local.get $row) (i32.const 8)))
            (local.set $cj (i32.add (local.get $cj) (i32.const 128)))
            (br $cols)))
        (v128.store offset=0 (local.get $x) (local.get $a0))
        (v128.store offset=16 (local.get $x) (local.get $a1))
        (v128.store offset=32 (local.get $x) (local.get $a2))
        (v128.store offset=48 (local.get $x) (local.get $a3))
        (v128.store offset=64 (local.get $x) (local.get $a4))
        (v128.store offset=80 (local.get $x) (local.get $a5))
        (v128.store offset=96 (local.get $x) (local.get $a6))
        (v128.store offset=112 (local.get $x) (local.get $a7))
        (local.set $x (i32.add (local.get $x) (i32.const 128)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))

