/**
 * The boundary check of the dense kernels: a square matrix of order n as a flat row-major
 * `Float64Array`. Internal to `linalg/`.
 *
 * @module
 */

/**
 * Throw unless `n` is a non-negative integer (RangeError) and `a` a `Float64Array` of n²
 * values (TypeError); messages start with `what` and call the order `order`.
 */
export function checkSquare(a: Float64Array, n: number, what: string, order = "n"): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${what}: ${order} must be a non-negative integer, found ${n}`);
  }
  if (!(a instanceof Float64Array) || a.length !== n * n) {
    throw new TypeError(
      `${what}: expected a Float64Array of ${n * n} values (${order} = ${n}), found ${
        a instanceof Float64Array ? `${a.length} values` : typeof a
      }`,
    );
  }
}
