import assert from "node:assert/strict";
import { clean } from "../signal/clean.ts";

Deno.test("clean: an unknown filter method throws a clear error (nilearn raises ValueError)", () => {
  const signals = {
    data: Float64Array.from({ length: 40 }, (_, i) => Math.sin(i)),
    shape: [40, 1] as [number, number],
  };
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => clean(signals, { filter: "fourier" as any, lowPass: 0.1, tR: 2 }),
    (err: unknown) => {
      assert.ok(err instanceof RangeError);
      assert.match(err.message, /filter/);
      assert.match(err.message, /fourier/);
      // the conformance runner reads "not implemented" as an unwritten stub, never as an expected error
      assert.doesNotMatch(err.message, /not implemented/i);
      return true;
    },
  );
});
