;; SIMD kernel of the batched projection c = Mᵀ Y (image/project_simd.ts; the plain JavaScript
;; kernel is projectBatch in image/maps_projection.ts). Regenerate the embedded bytes
;; (image/project_simd_wasm.ts) with `deno task build:wasm`.
;;
;; The memory is imported: shared (a SharedArrayBuffer that every worker sees, so the weights are
;; held once per process) or, where shared memory is unavailable, not (scripts/build_wasm.ts builds
;; both variants from this file).
;;
;; Memory layout (byte offsets given by the caller; c and batch 16-byte aligned):
;;   c       k * 8 float64 accumulators, map j's 8 volumes at c + 64 j (zeroed here);
;;   batch   8 float64 per support voxel, voxel s's 8 volumes at batch + 64 s;
;;   tilePtr nTiles + 1 int32: first segment of each tile of 256 support voxels;
;;   segMap  int32 per segment: its map j;
;;   segPtr  nSegments + 1 int32: first weight of each segment;
;;   offsets uint8 per weight: its voxel's position in the tile;
;;   values  float32 (project_f32) or float64 (project_f64) per weight.
;;
;; Every accumulator lane does what the JavaScript kernel does, in the same order: for each tile,
;; each of its segments (map j), each weight w of voxel s in it, c[j][b] = c[j][b] + (w * y[s][b]),
;; with w converted exactly to float64 (f64x2.mul then f64x2.add: two roundings, no fused
;; multiply-add), so the results are bit-identical. A segment's 8 sums stay in 4 registers.
;;
;; `solve` is the second step (solveBatch in image/maps_projection.ts): x = G⁺ c for the batch's 8
;; columns, G⁺ the k x k float64 pseudo-inverse (row-major, 8-byte aligned), x written as c is
;; laid out (row i's 8 volumes at x + 64 i). Row i's 8 sums run over j ascending, each term
;; G⁺[i][j] * c[j][b] then added, as the JavaScript loop does.
(module
  (import "env" "memory" (memory 1 32768 shared))

  (func (export "project_f32")
    (param $c i32) (param $batch i32) (param $tilePtr i32) (param $segMap i32) (param $segPtr i32)
    (param $offsets i32) (param $values i32) (param $nTiles i32) (param $k i32)
    (local $t i32) (local $base i32) (local $seg i32) (local $segEnd i32) (local $j i32)
    (local $q i32) (local $e i32) (local $o i32) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (memory.fill (local.get $c) (i32.const 0) (i32.shl (local.get $k) (i32.const 6)))
    (block $tilesDone
      (loop $tiles
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $nTiles)))
        (local.set $base (i32.add (local.get $batch) (i32.shl (local.get $t) (i32.const 14))))
        (local.set $seg (i32.load (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $segEnd
          (i32.load offset=4 (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (block $segsDone
          (loop $segs
            (br_if $segsDone (i32.ge_u (local.get $seg) (local.get $segEnd)))
            (local.set $j
              (i32.add (local.get $c)
                (i32.shl
                  (i32.load (i32.add (local.get $segMap) (i32.shl (local.get $seg) (i32.const 2))))
                  (i32.const 6))))
            (local.set $q
              (i32.load (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $e
              (i32.load offset=4 (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $a0 (v128.load (local.get $j)))
            (local.set $a1 (v128.load offset=16 (local.get $j)))
            (local.set $a2 (v128.load offset=32 (local.get $j)))
            (local.set $a3 (v128.load offset=48 (local.get $j)))
            (block $wDone
              (loop $weights
                (br_if $wDone (i32.ge_u (local.get $q) (local.get $e)))
                (local.set $w
                  (f64x2.promote_low_f32x4
                    (v128.load32_splat
                      (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 2))))))
                (local.set $o
                  (i32.add (local.get $base)
                    (i32.shl (i32.load8_u (i32.add (local.get $offsets) (local.get $q)))
                      (i32.const 6))))
                (local.set $a0
                  (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (v128.load (local.get $o)))))
                (local.set $a1
                  (f64x2.add (local.get $a1)
                    (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $o)))))
                (local.set $a2
                  (f64x2.add (local.get $a2)
                    (f64x2.mul (local.get $w) (v128.load offset=32 (local.get $o)))))
                (local.set $a3
                  (f64x2.add (local.get $a3)
                    (f64x2.mul (local.get $w) (v128.load offset=48 (local.get $o)))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $weights)))
            (v128.store (local.get $j) (local.get $a0))
            (v128.store offset=16 (local.get $j) (local.get $a1))
            (v128.store offset=32 (local.get $j) (local.get $a2))
            (v128.store offset=48 (local.get $j) (local.get $a3))
            (local.set $seg (i32.add (local.get $seg) (i32.const 1)))
            (br $segs)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tiles))))

  (func (export "project_f64")
    (param $c i32) (param $batch i32) (param $tilePtr i32) (param $segMap i32) (param $segPtr i32)
    (param $offsets i32) (param $values i32) (param $nTiles i32) (param $k i32)
    (local $t i32) (local $base i32) (local $seg i32) (local $segEnd i32) (local $j i32)
    (local $q i32) (local $e i32) (local $o i32) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (memory.fill (local.get $c) (i32.const 0) (i32.shl (local.get $k) (i32.const 6)))
    (block $tilesDone
      (loop $tiles
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $nTiles)))
        (local.set $base (i32.add (local.get $batch) (i32.shl (local.get $t) (i32.const 14))))
        (local.set $seg (i32.load (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $segEnd
          (i32.load offset=4 (i32.add (local.get $tilePtr) (i32.shl (local.get $t) (i32.const 2)))))
        (block $segsDone
          (loop $segs
            (br_if $segsDone (i32.ge_u (local.get $seg) (local.get $segEnd)))
            (local.set $j
              (i32.add (local.get $c)
                (i32.shl
                  (i32.load (i32.add (local.get $segMap) (i32.shl (local.get $seg) (i32.const 2))))
                  (i32.const 6))))
            (local.set $q
              (i32.load (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $e
              (i32.load offset=4 (i32.add (local.get $segPtr) (i32.shl (local.get $seg) (i32.const 2)))))
            (local.set $a0 (v128.load (local.get $j)))
            (local.set $a1 (v128.load offset=16 (local.get $j)))
            (local.set $a2 (v128.load offset=32 (local.get $j)))
            (local.set $a3 (v128.load offset=48 (local.get $j)))
            (block $wDone
              (loop $weights
                (br_if $wDone (i32.ge_u (local.get $q) (local.get $e)))
                (local.set $w
                  (v128.load64_splat
                    (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 3)))))
                (local.set $o
                  (i32.add (local.get $base)
                    (i32.shl (i32.load8_u (i32.add (local.get $offsets) (local.get $q)))
                      (i32.const 6))))
                (local.set $a0
                  (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (v128.load (local.get $o)))))
                (local.set $a1
                  (f64x2.add (local.get $a1)
                    (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $o)))))
                (local.set $a2
                  (f64x2.add (local.get $a2)
                    (f64x2.mul (local.get $w) (v128.load offset=32 (local.get $o)))))
                (local.set $a3
                  (f64x2.add (local.get $a3)
                    (f64x2.mul (local.get $w) (v128.load offset=48 (local.get $o)))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $weights)))
            (v128.store (local.get $j) (local.get $a0))
            (v128.store offset=16 (local.get $j) (local.get $a1))
            (v128.store offset=32 (local.get $j) (local.get $a2))
            (v128.store offset=48 (local.get $j) (local.get $a3))
            (local.set $seg (i32.add (local.get $seg) (i32.const 1)))
            (br $segs)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tiles))))

  (func (export "solve")
    (param $g i32) (param $c i32) (param $x i32) (param $k i32)
    (local $i i32) (local $row i32) (local $rowEnd i32) (local $cj i32) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
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
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $row) (local.get $rowEnd)))
            (local.set $w (v128.load64_splat (local.get $row)))
            (local.set $a0
              (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (v128.load (local.get $cj)))))
            (local.set $a1
              (f64x2.add (local.get $a1)
                (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $cj)))))
            (local.set $a2
              (f64x2.add (local.get $a2)
                (f64x2.mul (local.get $w) (v128.load offset=32 (local.get $cj)))))
            (local.set $a3
              (f64x2.add (local.get $a3)
                (f64x2.mul (local.get $w) (v128.load offset=48 (local.get $cj)))))
            (local.set $row (i32.add (local.get $row) (i32.const 8)))
            (local.set $cj (i32.add (local.get $cj) (i32.const 64)))
            (br $cols)))
        (v128.store (local.get $x) (local.get $a0))
        (v128.store offset=16 (local.get $x) (local.get $a1))
        (v128.store offset=32 (local.get $x) (local.get $a2))
        (v128.store offset=48 (local.get $x) (local.get $a3))
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
