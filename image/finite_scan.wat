;; NaN/±Infinity checks over a range of a memory, 128-bit SIMD (image/finite_scan_wasm.ts).
;; Each function answers 1 when a value in [p, p + n * size) has an all-ones exponent (NaN or
;; ±Infinity), else 0. n must be a multiple of 8 (f32) or 4 (f64): 32 bytes per iteration.
;; Assembled by scripts/build_wasm.ts into image/finite_scan_wasm_bytes.ts.
(module
  (memory (import "env" "memory") 1)
  (func (export "f32") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $acc v128) (local $m v128)
    (local.set $m (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (v128.or (local.get $acc)
          (i32x4.eq (v128.and (v128.load (local.get $p)) (local.get $m)) (local.get $m))))
        (local.set $acc (v128.or (local.get $acc)
          (i32x4.eq (v128.and (v128.load offset=16 (local.get $p)) (local.get $m)) (local.get $m))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $l)))
    (v128.any_true (local.get $acc)))
  (func (export "f64") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $acc v128) (local $m v128)
    (local.set $m (v128.const i64x2 0x7ff0000000000000 0x7ff0000000000000))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (v128.or (local.get $acc)
          (i64x2.eq (v128.and (v128.load (local.get $p)) (local.get $m)) (local.get $m))))
        (local.set $acc (v128.or (local.get $acc)
          (i64x2.eq (v128.and (v128.load offset=16 (local.get $p)) (local.get $m)) (local.get $m))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $l)))
    (v128.any_true (local.get $acc)))
)
