/**
 * Bounded concurrency for per-subject work (in-process; web workers come later).
 *
 * @module
 */

/**
 * Run `fn` over `items` with at most `limit` calls in flight; one settled outcome per item, in
 * input order. A failing item never stops the others.
 *
 * @param items inputs.
 * @param limit maximum concurrent calls (>= 1).
 * @param fn the work for one item (receives the item and its index).
 * @returns the settled outcomes, in input order.
 */
export async function settledPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { status: "fulfilled", value: await fn(items[i]!, i) };
      } catch (reason) {
        out[i] = { status: "rejected", reason };
      }
    }
  }
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, () => worker()));
  return out;
}
