;; Dense float64 linear algebra kernels, 128-bit SIMD (two float64 lanes), for
;; linalg/linalg_simd.ts. Every output element gets the same operations in the same order as the
;; JavaScript code in linalg/sym_eig.ts and connectome/_dense.ts: f64x2.mul then f64x2.add or
;; f64x2.sub (never fused), sums in the same index order; lanes are independent elements.
;; Addresses are byte offsets into the imported memory; matrices are row-major with a row stride
;; of $s float64 values; vectors are indexed by absolute position (element j at v + 8 j).
;; Column ranges [$k1, $n) are processed in pairs up to $k1 + roundup2($n - $k1): callers keep a
;; zero padding column after the last one. Assembled by scripts/build_wasm.ts into
;; linalg/linalg_simd_wasm.ts.
(module
  (memory (import "env" "memory") 1)

  ;; Plane rotations of the implicit QL sweeps applied to the columns of Z, held in strips of
  ;; eight components (rows of Z): strip t, at $zt + t $stripb, holds components 8t .. 8t+7 of
  ;; column j at byte 64 j, so that a strip is contiguous. Sweep q is given by hdr[q] = (first, m)
  ;; (two int32) and its m - first rotations (cos, sin) (two float64 each, i = m-1 down to first)
  ;; follow the previous sweep's in $rots. For each strip [$t0, $t1) in turn, every sweep:
  ;; carry = Z[m]; for i = m-1 down to first: Z[i+1] = sin Z[i] + cos carry,
  ;; carry = cos Z[i] - sin carry; Z[first] = carry.
  (func (export "rot") (param $zt i32) (param $stripb i32) (param $hdr i32) (param $ns i32)
    (param $rots i32) (param $t0 i32) (param $t1 i32)
    (local $t i32) (local $tend i32) (local $h i32) (local $hend i32)
    (local $r i32) (local $p i32) (local $pend i32)
    (local $c v128) (local $sn v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local.set $t (i32.add (local.get $zt) (i32.mul (local.get $t0) (local.get $stripb))))
    (local.set $tend (i32.add (local.get $zt) (i32.mul (local.get $t1) (local.get $stripb))))
    (local.set $hend (i32.add (local.get $hdr) (i32.shl (local.get $ns) (i32.const 3))))
    (block $strips_done
      (loop $strips
        (br_if $strips_done (i32.ge_u (local.get $t) (local.get $tend)))
        (local.set $h (local.get $hdr))
        (local.set $r (local.get $rots))
        (block $sweeps_done
          (loop $sweeps
            (br_if $sweeps_done (i32.ge_u (local.get $h) (local.get $hend)))
            ;; p = row m, pend = row first
            (local.set $p (i32.add (local.get $t)
              (i32.shl (i32.load offset=4 (local.get $h)) (i32.const 6))))
            (local.set $pend (i32.add (local.get $t)
              (i32.shl (i32.load (local.get $h)) (i32.const 6))))
            (local.set $c0 (v128.load (local.get $p)))
            (local.set $c1 (v128.load offset=16 (local.get $p)))
            (local.set $c2 (v128.load offset=32 (local.get $p)))
            (local.set $c3 (v128.load offset=48 (local.get $p)))
            (block $rot_done
              (loop $rot
                (br_if $rot_done (i32.le_u (local.get $p) (local.get $pend)))
                (local.set $p (i32.sub (local.get $p) (i32.const 64)))
                (local.set $c (v128.load64_splat (local.get $r)))
                (local.set $sn (v128.load64_splat offset=8 (local.get $r)))
                (local.set $r (i32.add (local.get $r) (i32.const 16)))
                (local.set $z0 (v128.load (local.get $p)))
                (local.set $z1 (v128.load offset=16 (local.get $p)))
                (local.set $z2 (v128.load offset=32 (local.get $p)))
                (local.set $z3 (v128.load offset=48 (local.get $p)))
                (v128.store offset=64 (local.get $p)
                  (f64x2.add (f64x2.mul (local.get $sn) (local.get $z0))
                    (f64x2.mul (local.get $c) (local.get $c0))))
                (v128.store offset=80 (local.get $p)
                  (f64x2.add (f64x2.mul (local.get $sn) (local.get $z1))
                    (f64x2.mul (local.get $c) (local.get $c1))))
                (v128.store offset=96 (local.get $p)
                  (f64x2.add (f64x2.mul (local.get $sn) (local.get $z2))
                    (f64x2.mul (local.get $c) (local.get $c2))))
                (v128.store offset=112 (local.get $p)
                  (f64x2.add (f64x2.mul (local.get $sn) (local.get $z3))
                    (f64x2.mul (local.get $c) (local.get $c3))))
                (local.set $c0 (f64x2.sub (f64x2.mul (local.get $c) (local.get $z0))
                  (f64x2.mul (local.get $sn) (local.get $c0))))
                (local.set $c1 (f64x2.sub (f64x2.mul (local.get $c) (local.get $z1))
                  (f64x2.mul (local.get $sn) (local.get $c1))))
                (local.set $c2 (f64x2.sub (f64x2.mul (local.get $c) (local.get $z2))
                  (f64x2.mul (local.get $sn) (local.get $c2))))
                (local.set $c3 (f64x2.sub (f64x2.mul (local.get $c) (local.get $z3))
                  (f64x2.mul (local.get $sn) (local.get $c3))))
                (br $rot)))
            (v128.store (local.get $p) (local.get $c0))
            (v128.store offset=16 (local.get $p) (local.get $c1))
            (v128.store offset=32 (local.get $p) (local.get $c2))
            (v128.store offset=48 (local.get $p) (local.get $c3))
            (local.set $h (i32.add (local.get $h) (i32.const 8)))
            (br $sweeps)))
        (local.set $t (i32.add (local.get $t) (local.get $stripb)))
        (br $strips))))

  ;; Number of bytes of the pairs covering [$k1, $n): 16 * ceil(($n - $k1) / 2).
  (func $span (param $k1 i32) (param $n i32) (result i32)
    (i32.shl (i32.and (i32.add (i32.sub (local.get $n) (local.get $k1)) (i32.const 1))
      (i32.const -2)) (i32.const 3)))

  ;; y[k1..) = Σ_j x[j] M[j][k1..), j = k1 .. n-1 ascending (p = A v of the tridiagonalisation
  ;; on the full symmetric A, where no previous update computed it).
  (func (export "gemv_t") (param $m i32) (param $s i32) (param $x i32) (param $k1 i32)
    (param $n i32) (param $y i32)
    (local $bytes i32) (local $j i32) (local $row i32) (local $q i32) (local $y0 i32)
    (local $yend i32) (local $xj f64) (local $xv v128)
    (local.set $bytes (call $span (local.get $k1) (local.get $n)))
    (local.set $y0 (i32.add (local.get $y) (i32.shl (local.get $k1) (i32.const 3))))
    (local.set $yend (i32.add (local.get $y0) (local.get $bytes)))
    (memory.fill (local.get $y0) (i32.const 0) (local.get $bytes))
    (local.set $j (local.get $k1))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $xj (f64.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $xv (f64x2.splat (local.get $xj)))
        (local.set $row (i32.add (local.get $m) (i32.shl
          (i32.add (i32.mul (local.get $j) (local.get $s)) (local.get $k1)) (i32.const 3))))
        (local.set $q (local.get $y0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $q) (local.get $yend)))
            (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q))
              (f64x2.mul (local.get $xv) (v128.load (local.get $row)))))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (local.set $row (i32.add (local.get $row) (i32.const 16)))
            (br $cols)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows))))

  ;; y[k1..) += x[i] * M[i][k1..) (one row of a transposed matrix-vector product).
  (func $axpy_row (param $row i32) (param $x i32) (param $i i32) (param $y i32) (param $k1 i32)
    (param $n i32)
    (local $q i32) (local $end i32) (local $xv v128)
    (local.set $q (i32.add (local.get $y) (i32.shl (local.get $k1) (i32.const 3))))
    (local.set $end (i32.add (local.get $q) (call $span (local.get $k1) (local.get $n))))
    (local.set $row (i32.add (local.get $row) (i32.shl (local.get $k1) (i32.const 3))))
    (local.set $xv (f64x2.splat
      (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
        (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q))
          (f64x2.mul (local.get $xv) (v128.load (local.get $row)))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (br $cols))))

  ;; Row i of the symmetric rank-2 update: A[i][k1..) = A - (v[i] w + w[i] v).
  (func $syr2_row (param $row i32) (param $v i32) (param $w i32) (param $i i32) (param $k1 i32)
    (param $n i32)
    (local $off i32) (local $end i32) (local $vi v128) (local $wi v128)
    (local.set $vi (f64x2.splat
      (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))))))
    (local.set $wi (f64x2.splat
      (f64.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 3))))))
    (local.set $off (i32.shl (local.get $k1) (i32.const 3)))
    (local.set $end (i32.add (local.get $off) (call $span (local.get $k1) (local.get $n))))
    (local.set $row (i32.add (local.get $row) (local.get $off)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (v128.store (local.get $row) (f64x2.sub (v128.load (local.get $row))
          (f64x2.add
            (f64x2.mul (local.get $vi) (v128.load (i32.add (local.get $w) (local.get $off))))
            (f64x2.mul (local.get $wi) (v128.load (i32.add (local.get $v) (local.get $off)))))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (br $cols))))

  ;; Rows [$i0, $i1) of the symmetric rank-2 update of the full matrix (columns [$k1, $n)); with
  ;; $x2 != 0, each updated row i then adds x2[i] A[i][k1..) to y2 (zeroed first): p = A v of the
  ;; next reduction step, summed over rows ascending, in the same pass over A (two rows at a
  ;; time: y2 = (y2 + x2[i] A[i]) + x2[i+1] A[i+1]).
  (func (export "syr2") (param $a i32) (param $s i32) (param $v i32) (param $w i32)
    (param $k1 i32) (param $n i32) (param $i0 i32) (param $i1 i32) (param $x2 i32)
    (param $y2 i32)
    (local $i i32) (local $row i32) (local $row1 i32) (local $off i32) (local $end i32)
    (local $vi0 v128) (local $wi0 v128) (local $vi1 v128) (local $wi1 v128)
    (local $xa v128) (local $xb v128) (local $wv v128) (local $vv v128)
    (local $a0 v128) (local $a1 v128) (local $rowb i32)
    (local.set $rowb (i32.shl (local.get $s) (i32.const 3)))
    (local.set $i (local.get $i0))
    (if (local.get $x2)
      (then
        (memory.fill
          (i32.add (local.get $y2) (i32.shl (local.get $k1) (i32.const 3)))
          (i32.const 0)
          (call $span (local.get $k1) (local.get $n)))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $i1)))
            (local.set $off (i32.shl (local.get $i) (i32.const 3)))
            (local.set $vi0 (f64x2.splat (f64.load (i32.add (local.get $v) (local.get $off)))))
            (local.set $vi1 (f64x2.splat
              (f64.load offset=8 (i32.add (local.get $v) (local.get $off)))))
            (local.set $wi0 (f64x2.splat (f64.load (i32.add (local.get $w) (local.get $off)))))
            (local.set $wi1 (f64x2.splat
              (f64.load offset=8 (i32.add (local.get $w) (local.get $off)))))
            (local.set $xa (f64x2.splat (f64.load (i32.add (local.get $x2) (local.get $off)))))
            (local.set $xb (f64x2.splat
              (f64.load offset=8 (i32.add (local.get $x2) (local.get $off)))))
            (local.set $row (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowb))))
            (local.set $row1 (i32.add (local.get $row) (local.get $rowb)))
            (local.set $off (i32.shl (local.get $k1) (i32.const 3)))
            (local.set $end (i32.add (local.get $off) (call $span (local.get $k1) (local.get $n))))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_u (local.get $off) (local.get $end)))
                (local.set $wv (v128.load (i32.add (local.get $w) (local.get $off))))
                (local.set $vv (v128.load (i32.add (local.get $v) (local.get $off))))
                (local.set $a0 (f64x2.sub (v128.load (i32.add (local.get $row) (local.get $off)))
                  (f64x2.add (f64x2.mul (local.get $vi0) (local.get $wv))
                    (f64x2.mul (local.get $wi0) (local.get $vv)))))
                (v128.store (i32.add (local.get $row) (local.get $off)) (local.get $a0))
                (local.set $a1 (f64x2.sub (v128.load (i32.add (local.get $row1) (local.get $off)))
                  (f64x2.add (f64x2.mul (local.get $vi1) (local.get $wv))
                    (f64x2.mul (local.get $wi1) (local.get $vv)))))
                (v128.store (i32.add (local.get $row1) (local.get $off)) (local.get $a1))
                (v128.store (i32.add (local.get $y2) (local.get $off))
                  (f64x2.add
                    (f64x2.add (v128.load (i32.add (local.get $y2) (local.get $off)))
                      (f64x2.mul (local.get $xa) (local.get $a0)))
                    (f64x2.mul (local.get $xb) (local.get $a1))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $cols)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $i) (local.get $i1)))
        (local.set $row (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowb))))
        (call $syr2_row (local.get $row) (local.get $v) (local.get $w) (local.get $i)
          (local.get $k1) (local.get $n))
        (if (local.get $x2)
          (then (call $axpy_row (local.get $row) (local.get $x2) (local.get $i) (local.get $y2)
            (local.get $k1) (local.get $n))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; Q = H_0 H_1 ... H_{n-3} on one strip of 64 columns [$j0, $j0 + 64) of Q, held at $qs with
  ;; row i at $qs + 512 i (the identity there on entry; columns past n zero). Every reflector,
  ;; k = n-3 down to 0 with beta[k] != 0 (v in row k of $hvm, stride $s, from k + 1), is applied
  ;; to the strip before the next strip is touched (columns are independent):
  ;; u = vᵀ Q[k+1:, strip] summed over rows ascending, eight rows per load and store of u, then
  ;; Q[i][strip] -= (beta v[i]) u. Each column's own entries start at k + 1; an odd first one is
  ;; done alone. $j1 - $j0 columns are real; $u is scratch for 64 values.
  (func (export "formq") (param $qs i32) (param $s i32) (param $hvm i32) (param $beta i32)
    (param $n i32) (param $j0 i32) (param $j1 i32) (param $u i32)
    (local $k i32) (local $k1 i32) (local $b f64) (local $js i32) (local $hv i32)
    (local $i i32) (local $p i32) (local $pu i32) (local $o i32) (local $uend i32)
    (local $odd i32) (local $col i32) (local $acc v128)
    (local $v0 f64) (local $v1 f64) (local $v2 f64) (local $v3 f64) (local $v4 f64) (local $v5 f64) (local $v6 f64) (local $v7 f64)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $x4 v128) (local $x5 v128) (local $x6 v128) (local $x7 v128)
    (local.set $k (i32.sub (local.get $n) (i32.const 3)))
    (block $refl_done
      (loop $refl
        (br_if $refl_done (i32.lt_s (local.get $k) (i32.const 0)))
        (local.set $k1 (i32.add (local.get $k) (i32.const 1)))
        (local.set $b (f64.load (i32.add (local.get $beta) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $js (select (local.get $k1) (local.get $j0)
          (i32.gt_s (local.get $k1) (local.get $j0))))
        (if (i32.and (f64.ne (local.get $b) (f64.const 0))
              (i32.lt_s (local.get $js) (local.get $j1)))
          (then
            (local.set $odd (i32.and (i32.sub (local.get $j1) (local.get $js)) (i32.const 1)))
            (local.set $uend (i32.add (local.get $u)
              (i32.shl (i32.sub (local.get $j1) (local.get $js)) (i32.const 3))))
            (memory.fill (local.get $u) (i32.const 0)
              (i32.shl (i32.sub (local.get $j1) (local.get $js)) (i32.const 3)))
            ;; the reflector, v[i] at hv + 8 i; column js of row i at col + 512 i
            (local.set $hv (i32.add (local.get $hvm)
              (i32.shl (i32.mul (local.get $k) (local.get $s)) (i32.const 3))))
            (local.set $col (i32.add (local.get $qs)
              (i32.shl (i32.sub (local.get $js) (local.get $j0)) (i32.const 3))))
            ;; u = vᵀ Q[k1:, js:j1], 8 rows per load and store of u, then one by one
            (local.set $i (local.get $k1))
            (block $u8_done
              (loop $u8
                (br_if $u8_done (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
                (local.set $p (i32.add (local.get $col) (i32.shl (local.get $i) (i32.const 9))))
                (local.set $o (i32.add (local.get $hv) (i32.shl (local.get $i) (i32.const 3))))
                (local.set $v0 (f64.load offset=0 (local.get $o)))
                (local.set $v1 (f64.load offset=8 (local.get $o)))
                (local.set $v2 (f64.load offset=16 (local.get $o)))
                (local.set $v3 (f64.load offset=24 (local.get $o)))
                (local.set $v4 (f64.load offset=32 (local.get $o)))
                (local.set $v5 (f64.load offset=40 (local.get $o)))
                (local.set $v6 (f64.load offset=48 (local.get $o)))
                (local.set $v7 (f64.load offset=56 (local.get $o)))
                (local.set $pu (local.get $u))
                (if (local.get $odd)
                  (then
                    (f64.store (local.get $pu) (f64.add (f64.add (f64.add (f64.add (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $pu))
                      (f64.mul (local.get $v0) (f64.load offset=0 (local.get $p))))
                      (f64.mul (local.get $v1) (f64.load offset=512 (local.get $p))))
                      (f64.mul (local.get $v2) (f64.load offset=1024 (local.get $p))))
                      (f64.mul (local.get $v3) (f64.load offset=1536 (local.get $p))))
                      (f64.mul (local.get $v4) (f64.load offset=2048 (local.get $p))))
                      (f64.mul (local.get $v5) (f64.load offset=2560 (local.get $p))))
                      (f64.mul (local.get $v6) (f64.load offset=3072 (local.get $p))))
                      (f64.mul (local.get $v7) (f64.load offset=3584 (local.get $p)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 8)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 8)))))
                (local.set $x0 (f64x2.splat (local.get $v0)))
                (local.set $x1 (f64x2.splat (local.get $v1)))
                (local.set $x2 (f64x2.splat (local.get $v2)))
                (local.set $x3 (f64x2.splat (local.get $v3)))
                (local.set $x4 (f64x2.splat (local.get $v4)))
                (local.set $x5 (f64x2.splat (local.get $v5)))
                (local.set $x6 (f64x2.splat (local.get $v6)))
                (local.set $x7 (f64x2.splat (local.get $v7)))
                (block $c_done
                  (loop $c
                    (br_if $c_done (i32.ge_u (local.get $pu) (local.get $uend)))
                    (local.set $acc (v128.load (local.get $pu)))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x0) (v128.load offset=0 (local.get $p)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x1) (v128.load offset=512 (local.get $p)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x2) (v128.load offset=1024 (local.get $p)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x3) (v128.load offset=1536 (local.get $p)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x4) (v128.load offset=2048 (local.get $p)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x5) (v128.load offset=2560 (local.get $p)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x6) (v128.load offset=3072 (local.get $p)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.mul (local.get $x7) (v128.load offset=3584 (local.get $p)))))
                    (v128.store (local.get $pu) (local.get $acc))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 16)))
                    (br $c)))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $u8)))
            (block $u1_done
              (loop $u1
                (br_if $u1_done (i32.ge_s (local.get $i) (local.get $n)))
                (local.set $p (i32.add (local.get $col) (i32.shl (local.get $i) (i32.const 9))))
                (local.set $v0 (f64.load (i32.add (local.get $hv) (i32.shl (local.get $i) (i32.const 3)))))
                (local.set $pu (local.get $u))
                (if (local.get $odd)
                  (then
                    (f64.store (local.get $pu) (f64.add (f64.load (local.get $pu))
                      (f64.mul (local.get $v0) (f64.load (local.get $p)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 8)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 8)))))
                (local.set $x0 (f64x2.splat (local.get $v0)))
                (block $c_done
                  (loop $c
                    (br_if $c_done (i32.ge_u (local.get $pu) (local.get $uend)))
                    (v128.store (local.get $pu) (f64x2.add (v128.load (local.get $pu))
                      (f64x2.mul (local.get $x0) (v128.load (local.get $p)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 16)))
                    (br $c)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $u1)))
            ;; Q[k1:, js:j1] -= (b v) u, 8 rows per load of u, then one by one
            (local.set $i (local.get $k1))
            (block $g8_done
              (loop $g8
                (br_if $g8_done (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
                (local.set $p (i32.add (local.get $col) (i32.shl (local.get $i) (i32.const 9))))
                (local.set $o (i32.add (local.get $hv) (i32.shl (local.get $i) (i32.const 3))))
                (local.set $v0 (f64.mul (local.get $b) (f64.load offset=0 (local.get $o))))
                (local.set $v1 (f64.mul (local.get $b) (f64.load offset=8 (local.get $o))))
                (local.set $v2 (f64.mul (local.get $b) (f64.load offset=16 (local.get $o))))
                (local.set $v3 (f64.mul (local.get $b) (f64.load offset=24 (local.get $o))))
                (local.set $v4 (f64.mul (local.get $b) (f64.load offset=32 (local.get $o))))
                (local.set $v5 (f64.mul (local.get $b) (f64.load offset=40 (local.get $o))))
                (local.set $v6 (f64.mul (local.get $b) (f64.load offset=48 (local.get $o))))
                (local.set $v7 (f64.mul (local.get $b) (f64.load offset=56 (local.get $o))))
                (local.set $pu (local.get $u))
                (if (local.get $odd)
                  (then
                    (f64.store offset=0 (local.get $p) (f64.sub (f64.load offset=0 (local.get $p))
                      (f64.mul (local.get $v0) (f64.load (local.get $pu)))))
                    (f64.store offset=512 (local.get $p) (f64.sub (f64.load offset=512 (local.get $p))
                      (f64.mul (local.get $v1) (f64.load (local.get $pu)))))
                    (f64.store offset=1024 (local.get $p) (f64.sub (f64.load offset=1024 (local.get $p))
                      (f64.mul (local.get $v2) (f64.load (local.get $pu)))))
                    (f64.store offset=1536 (local.get $p) (f64.sub (f64.load offset=1536 (local.get $p))
                      (f64.mul (local.get $v3) (f64.load (local.get $pu)))))
                    (f64.store offset=2048 (local.get $p) (f64.sub (f64.load offset=2048 (local.get $p))
                      (f64.mul (local.get $v4) (f64.load (local.get $pu)))))
                    (f64.store offset=2560 (local.get $p) (f64.sub (f64.load offset=2560 (local.get $p))
                      (f64.mul (local.get $v5) (f64.load (local.get $pu)))))
                    (f64.store offset=3072 (local.get $p) (f64.sub (f64.load offset=3072 (local.get $p))
                      (f64.mul (local.get $v6) (f64.load (local.get $pu)))))
                    (f64.store offset=3584 (local.get $p) (f64.sub (f64.load offset=3584 (local.get $p))
                      (f64.mul (local.get $v7) (f64.load (local.get $pu)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 8)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 8)))))
                (local.set $x0 (f64x2.splat (local.get $v0)))
                (local.set $x1 (f64x2.splat (local.get $v1)))
                (local.set $x2 (f64x2.splat (local.get $v2)))
                (local.set $x3 (f64x2.splat (local.get $v3)))
                (local.set $x4 (f64x2.splat (local.get $v4)))
                (local.set $x5 (f64x2.splat (local.get $v5)))
                (local.set $x6 (f64x2.splat (local.get $v6)))
                (local.set $x7 (f64x2.splat (local.get $v7)))
                (block $c_done
                  (loop $c
                    (br_if $c_done (i32.ge_u (local.get $pu) (local.get $uend)))
                    (local.set $acc (v128.load (local.get $pu)))
                    (v128.store offset=0 (local.get $p) (f64x2.sub (v128.load offset=0 (local.get $p))
                      (f64x2.mul (local.get $x0) (local.get $acc))))
                    (v128.store offset=512 (local.get $p) (f64x2.sub (v128.load offset=512 (local.get $p))
                      (f64x2.mul (local.get $x1) (local.get $acc))))
                    (v128.store offset=1024 (local.get $p) (f64x2.sub (v128.load offset=1024 (local.get $p))
                      (f64x2.mul (local.get $x2) (local.get $acc))))
                    (v128.store offset=1536 (local.get $p) (f64x2.sub (v128.load offset=1536 (local.get $p))
                      (f64x2.mul (local.get $x3) (local.get $acc))))
                    (v128.store offset=2048 (local.get $p) (f64x2.sub (v128.load offset=2048 (local.get $p))
                      (f64x2.mul (local.get $x4) (local.get $acc))))
                    (v128.store offset=2560 (local.get $p) (f64x2.sub (v128.load offset=2560 (local.get $p))
                      (f64x2.mul (local.get $x5) (local.get $acc))))
                    (v128.store offset=3072 (local.get $p) (f64x2.sub (v128.load offset=3072 (local.get $p))
                      (f64x2.mul (local.get $x6) (local.get $acc))))
                    (v128.store offset=3584 (local.get $p) (f64x2.sub (v128.load offset=3584 (local.get $p))
                      (f64x2.mul (local.get $x7) (local.get $acc))))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 16)))
                    (br $c)))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $g8)))
            (block $g1_done
              (loop $g1
                (br_if $g1_done (i32.ge_s (local.get $i) (local.get $n)))
                (local.set $p (i32.add (local.get $col) (i32.shl (local.get $i) (i32.const 9))))
                (local.set $v0 (f64.mul (local.get $b)
                  (f64.load (i32.add (local.get $hv) (i32.shl (local.get $i) (i32.const 3))))))
                (local.set $pu (local.get $u))
                (if (local.get $odd)
                  (then
                    (f64.store (local.get $p) (f64.sub (f64.load (local.get $p))
                      (f64.mul (local.get $v0) (f64.load (local.get $pu)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 8)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 8)))))
                (local.set $x0 (f64x2.splat (local.get $v0)))
                (block $c_done
                  (loop $c
                    (br_if $c_done (i32.ge_u (local.get $pu) (local.get $uend)))
                    (v128.store (local.get $p) (f64x2.sub (v128.load (local.get $p))
                      (f64x2.mul (local.get $x0) (v128.load (local.get $pu)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $pu (i32.add (local.get $pu) (i32.const 16)))
                    (br $c)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $g1)))
))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $refl))))

  ;; Rows [$ia, $iend) (even) of out += a b, for square matrices of order $np and row stride $ld
  ;; (multiples of 8), every entry accumulated over k ascending: blocks of 256 k, strips of 8
  ;; columns, two rows at a time with their 16 sums in registers, two k per iteration (block
  ;; lengths are even). With $lower, only the strips that meet the lower triangle (entries above
  ;; the diagonal of those strips are computed too).
  (func (export "gemm") (param $a i32) (param $b i32) (param $out i32) (param $np i32)
    (param $ld i32) (param $lower i32) (param $ia i32) (param $iend i32)
    (local $jbend i32)
    (local $rowb i32) (local $k0 i32) (local $kend i32) (local $j0 i32) (local $i0 i32)
    (local $k i32) (local $pa i32) (local $pb i32) (local $pb2 i32) (local $po i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128)
    (local $b3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local.set $rowb (i32.shl (local.get $ld) (i32.const 3)))
    (local.set $jbend (select (local.get $iend) (local.get $np) (local.get $lower)))
    (local.set $k0 (i32.const 0))
    (block $kb_done
      (loop $kb
        (br_if $kb_done (i32.ge_s (local.get $k0) (local.get $np)))
        (local.set $kend (i32.add (local.get $k0) (i32.const 256)))
        (if (i32.gt_s (local.get $kend) (local.get $np))
          (then (local.set $kend (local.get $np))))
        (local.set $j0 (i32.const 0))
        (block $jb_done
          (loop $jb
            (br_if $jb_done (i32.ge_s (local.get $j0) (local.get $jbend)))
            (local.set $i0 (select (local.get $j0) (local.get $ia)
              (i32.and (local.get $lower) (i32.gt_s (local.get $j0) (local.get $ia)))))
            (block $ib_done
              (loop $ib
                (br_if $ib_done (i32.ge_s (local.get $i0) (local.get $iend)))
                (local.set $po (i32.add (local.get $out) (i32.shl
                  (i32.add (i32.mul (local.get $i0) (local.get $ld)) (local.get $j0))
                  (i32.const 3))))
                (local.set $r0 (v128.load (local.get $po)))
                (local.set $r1 (v128.load offset=16 (local.get $po)))
                (local.set $r2 (v128.load offset=32 (local.get $po)))
                (local.set $r3 (v128.load offset=48 (local.get $po)))
                (local.set $q0 (v128.load (i32.add (local.get $po) (local.get $rowb))))
                (local.set $q1 (v128.load offset=16 (i32.add (local.get $po) (local.get $rowb))))
                (local.set $q2 (v128.load offset=32 (i32.add (local.get $po) (local.get $rowb))))
                (local.set $q3 (v128.load offset=48 (i32.add (local.get $po) (local.get $rowb))))
                (local.set $pa (i32.add (local.get $a) (i32.shl
                  (i32.add (i32.mul (local.get $i0) (local.get $ld)) (local.get $k0))
                  (i32.const 3))))
                (local.set $pb (i32.add (local.get $b) (i32.shl
                  (i32.add (i32.mul (local.get $k0) (local.get $ld)) (local.get $j0))
                  (i32.const 3))))
                (local.set $k (local.get $k0))
                (block $k_done
                  (loop $kl
                    (br_if $k_done (i32.ge_s (local.get $k) (local.get $kend)))
                    (local.set $a0 (v128.load64_splat (local.get $pa)))
                    (local.set $a1 (v128.load64_splat (i32.add (local.get $pa) (local.get $rowb))))
                    (local.set $b0 (v128.load (local.get $pb)))
                    (local.set $b1 (v128.load offset=16 (local.get $pb)))
                    (local.set $b2 (v128.load offset=32 (local.get $pb)))
                    (local.set $b3 (v128.load offset=48 (local.get $pb)))
                    (local.set $r0 (f64x2.add (local.get $r0)
                      (f64x2.mul (local.get $a0) (local.get $b0))))
                    (local.set $r1 (f64x2.add (local.get $r1)
                      (f64x2.mul (local.get $a0) (local.get $b1))))
                    (local.set $r2 (f64x2.add (local.get $r2)
                      (f64x2.mul (local.get $a0) (local.get $b2))))
                    (local.set $r3 (f64x2.add (local.get $r3)
                      (f64x2.mul (local.get $a0) (local.get $b3))))
                    (local.set $q0 (f64x2.add (local.get $q0)
                      (f64x2.mul (local.get $a1) (local.get $b0))))
                    (local.set $q1 (f64x2.add (local.get $q1)
                      (f64x2.mul (local.get $a1) (local.get $b1))))
                    (local.set $q2 (f64x2.add (local.get $q2)
                      (f64x2.mul (local.get $a1) (local.get $b2))))
                    (local.set $q3 (f64x2.add (local.get $q3)
                      (f64x2.mul (local.get $a1) (local.get $b3))))
                    (local.set $pb2 (i32.add (local.get $pb) (local.get $rowb)))
                    (local.set $a0 (v128.load64_splat offset=8 (local.get $pa)))
                    (local.set $a1
                      (v128.load64_splat offset=8 (i32.add (local.get $pa) (local.get $rowb))))
                    (local.set $b0 (v128.load (local.get $pb2)))
                    (local.set $b1 (v128.load offset=16 (local.get $pb2)))
                    (local.set $b2 (v128.load offset=32 (local.get $pb2)))
                    (local.set $b3 (v128.load offset=48 (local.get $pb2)))
                    (local.set $r0 (f64x2.add (local.get $r0)
                      (f64x2.mul (local.get $a0) (local.get $b0))))
                    (local.set $r1 (f64x2.add (local.get $r1)
                      (f64x2.mul (local.get $a0) (local.get $b1))))
                    (local.set $r2 (f64x2.add (local.get $r2)
                      (f64x2.mul (local.get $a0) (local.get $b2))))
                    (local.set $r3 (f64x2.add (local.get $r3)
                      (f64x2.mul (local.get $a0) (local.get $b3))))
                    (local.set $q0 (f64x2.add (local.get $q0)
                      (f64x2.mul (local.get $a1) (local.get $b0))))
                    (local.set $q1 (f64x2.add (local.get $q1)
                      (f64x2.mul (local.get $a1) (local.get $b1))))
                    (local.set $q2 (f64x2.add (local.get $q2)
                      (f64x2.mul (local.get $a1) (local.get $b2))))
                    (local.set $q3 (f64x2.add (local.get $q3)
                      (f64x2.mul (local.get $a1) (local.get $b3))))
                    (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
                    (local.set $pb (i32.add (local.get $pb2) (local.get $rowb)))
                    (local.set $k (i32.add (local.get $k) (i32.const 2)))
                    (br $kl)))
                (v128.store (local.get $po) (local.get $r0))
                (v128.store offset=16 (local.get $po) (local.get $r1))
                (v128.store offset=32 (local.get $po) (local.get $r2))
                (v128.store offset=48 (local.get $po) (local.get $r3))
                (v128.store (i32.add (local.get $po) (local.get $rowb)) (local.get $q0))
                (v128.store offset=16 (i32.add (local.get $po) (local.get $rowb)) (local.get $q1))
                (v128.store offset=32 (i32.add (local.get $po) (local.get $rowb)) (local.get $q2))
                (v128.store offset=48 (i32.add (local.get $po) (local.get $rowb)) (local.get $q3))
                (local.set $i0 (i32.add (local.get $i0) (i32.const 2)))
                (br $ib)))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 8)))
            (br $jb)))
        (local.set $k0 (local.get $kend))
        (br $kb))))
)
