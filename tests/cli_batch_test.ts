import assert from "node:assert/strict";
import { type BatchDeps, type BatchSubject, formatSummary, runBatch } from "../cli/batch.ts";
import { createProgress, formatBar, formatDuration } from "../cli/progress.ts";
import type { Matrix } from "../types.ts";

const SUBJECTS: BatchSubject[] = ["s1", "s2", "s3", "s4", "s5"].map((s) => ({
  image: `${s}_bold.nii.gz`,
  subject: s,
}));

function quietProgress(lines: string[] = []) {
  return createProgress({ write: (t) => lines.push(t), isTerminal: false, quiet: false });
}

const ok = (it: string) => ({
  ok: true as const,
  value: { data: Float64Array.from([Number(it.slice(1))]), shape: [1, 1] } as Matrix,
});

/**
 * Fake effects. The fake transform reports each item through `onOutcome` (in `order`, as
 * completion order; default input order) unless `silent`, then returns them in input order.
 */
function fakeDeps(opts: {
  failPrepare?: string;
  failTransform?: string;
  existing?: string[];
  /** Called before item `it` is reported (e.g. to abort). */
  before?: (it: string) => void;
  /** Items the transform never finishes (it hangs there, ignoring the signal). */
  hang?: string;
  order?: (items: readonly string[]) => number[];
  silent?: boolean;
  slowWrite?: string;
}) {
  const written: string[] = [];
  const calls: string[][] = [];
  const records: string[] = [];
  const deps: BatchDeps<string> = {
    outputsExist: (s) => Promise.resolve(opts.existing?.includes(s.subject) ?? false),
    prepare: (s) =>
      s.subject === opts.failPrepare
        ? Promise.reject(new Error(`confounds of ${s.subject} missing`))
        : Promise.resolve(s.subject),
    async transform(items, { onOutcome }) {
      calls.push([...items]);
      const outcomes = items.map((it) =>
        it === opts.failTransform
          ? { ok: false as const, error: new Error(`${it} is corrupt`) }
          : ok(it)
      );
      const order = opts.order?.(items) ?? items.map((_, i) => i);
      for (const i of order) {
        opts.before?.(items[i]!);
        if (items[i] === opts.hang) await new Promise(() => {});
        if (!opts.silent) await onOutcome(i, outcomes[i]!);
      }
      return outcomes;
    },
    async write(s, p, m) {
      assert.equal(p, s.subject);
      if (s.subject === opts.slowWrite) await new Promise((r) => setTimeout(r, 30));
      written.push(`${s.subject}=${m.data[0]}`);
    },
    onFailure(s) {
      records.push(`fail ${s.subject}`);
      return Promise.resolve();
    },
    onSuccess(s) {
      records.push(`ok ${s.subject}`);
      return Promise.resolve();
    },
  };
  return { deps, written, calls, records };
}

Deno.test("cli batch: one call over all prepared subjects, handled as they finish; one failing subject does not stop the others", async () => {
  const { deps, written, calls, records } = fakeDeps({
    failTransform: "s2",
    failPrepare: "s4",
    order: (items) => items.map((_, i) => items.length - 1 - i), // completion: last first
  });
  const lines: string[] = [];
  const summary = await runBatch(SUBJECTS, deps, {
    skipExisting: false,
    progress: quietProgress(lines),
  });
  assert.deepEqual(calls, [["s1", "s2", "s3", "s5"]]);
  assert.deepEqual(written, ["s5=5", "s3=3", "s1=1"]); // in completion order
  assert.deepEqual(summary.failed.map((f) => f.subject), ["s4", "s2"]);
  assert.deepEqual(summary.succeeded.map((s) => s.subject), ["s5", "s3", "s1"]);
  assert.ok(records.includes("fail s2") && records.includes("ok s5"));
  assert.equal(summary.interrupted, false);
  const text = formatSummary(summary);
  assert.match(text, /5 subjects: 3 succeeded, 2 failed/);
  assert.match(text, /s2 \(s2_bold\.nii\.gz\): s2 is corrupt/);
  assert.match(text, /s4 \(s4_bold\.nii\.gz\): confounds of s4 missing/);
  assert.ok(lines.some((l) => /\[1\/5\] s4 FAILED: confounds of s4 missing/.test(l)));
  assert.ok(lines.some((l) => /\[4\/5\] s2 FAILED: s2 is corrupt/.test(l)));
});

Deno.test("cli batch: outcomes not reported through onOutcome are handled from the result", async () => {
  const { deps, written } = fakeDeps({ silent: true, failTransform: "s3" });
  const summary = await runBatch(SUBJECTS, deps, {
    skipExisting: false,
    progress: quietProgress(),
  });
  assert.deepEqual(written, ["s1=1", "s2=2", "s4=4", "s5=5"]);
  assert.deepEqual(summary.failed.map((f) => f.subject), ["s3"]);
});

Deno.test("cli batch: a transform that throws fails the subjects not yet handled", async () => {
  const { deps, written } = fakeDeps({});
  const base = deps.transform;
  deps.transform = async (items, hooks) => {
    await hooks.onOutcome(0, ok(items[0]!));
    await hooks.onOutcome(0, ok(items[0]!)); // reported twice: handled once
    throw new Error("boom");
  };
  const summary = await runBatch(SUBJECTS, deps, {
    skipExisting: false,
    progress: quietProgress(),
  });
  assert.deepEqual(written, ["s1=1"]);
  assert.deepEqual(summary.failed.map((f) => f.subject), ["s2", "s3", "s4", "s5"]);
  assert.ok(summary.failed.every((f) => f.error.message === "boom"));
  deps.transform = base;
});

Deno.test("cli batch: skip-existing skips subjects whose outputs exist", async () => {
  const { deps, written, calls } = fakeDeps({ existing: ["s1", "s3"] });
  const summary = await runBatch(SUBJECTS, deps, { skipExisting: true, progress: quietProgress() });
  assert.deepEqual(summary.skipped.map((s) => s.subject), ["s1", "s3"]);
  assert.deepEqual(calls, [["s2", "s4", "s5"]]);
  assert.deepEqual(written, ["s2=2", "s4=4", "s5=5"]);
  assert.match(formatSummary(summary), /3 succeeded, 2 skipped \(outputs existed\), 0 failed/);
  const again = fakeDeps({ existing: ["s1", "s3"] });
  await runBatch(SUBJECTS, again.deps, { skipExisting: false, progress: quietProgress() });
  assert.equal(again.written.length, 5);
});

Deno.test("cli batch: abort stops at once, keeps finished outputs, lists the rest", async () => {
  const controller = new AbortController();
  const { deps, written } = fakeDeps({
    hang: "s3", // a transform that ignores the signal: the runner does not wait for it
    before: (it) => {
      if (it === "s3") controller.abort();
    },
  });
  let seenSignal: AbortSignal | undefined;
  const base = deps.transform;
  deps.transform = (items, hooks) => {
    seenSignal = hooks.signal;
    return base(items, hooks);
  };
  const summary = await runBatch(SUBJECTS, deps, {
    skipExisting: false,
    signal: controller.signal,
    progress: quietProgress(),
  });
  assert.equal(seenSignal, controller.signal); // the transform gets the signal
  assert.equal(summary.interrupted, true);
  assert.deepEqual(written, ["s1=1", "s2=2"]);
  assert.deepEqual(summary.notRun.map((s) => s.subject), ["s3", "s4", "s5"]);
  const text = formatSummary(summary);
  assert.match(text, /interrupted; 5 subjects: 2 succeeded, 0 failed, 3 not run/);
  assert.match(text, /--skip-existing to resume/);
});

Deno.test("cli batch: abort waits for the write in progress and ignores later outcomes", async () => {
  const controller = new AbortController();
  const { deps, written } = fakeDeps({ slowWrite: "s2" });
  deps.transform = (items, { onOutcome }) => {
    // s1 and s2 finish; the abort comes while s2 is written; s3 is reported after the abort.
    const w1 = onOutcome(0, ok(items[0]!));
    const w2 = onOutcome(1, ok(items[1]!));
    controller.abort();
    const w3 = onOutcome(2, ok(items[2]!));
    return Promise.all([w1, w2, w3]).then(() => items.map(ok));
  };
  const summary = await runBatch(SUBJECTS, deps, {
    skipExisting: false,
    signal: controller.signal,
    progress: quietProgress(),
  });
  assert.equal(summary.interrupted, true);
  assert.deepEqual(written, ["s1=1", "s2=2"]); // s2's write finished before the runner returned
  assert.deepEqual(summary.succeeded.map((s) => s.subject), ["s1", "s2"]);
  assert.deepEqual(summary.notRun.map((s) => s.subject), ["s3", "s4", "s5"]);
});

Deno.test("cli progress: bar, durations, log lines, quiet", () => {
  assert.equal(formatDuration(65), "1:05");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(NaN), "--:--");
  assert.equal(
    formatBar({ total: 4, done: 2, failed: 1, elapsed: 4 }, 8),
    "[####----] 2/4 subjects  0.50/s  ETA 0:04  1 failed",
  );
  assert.match(formatBar({ total: 4, done: 0, failed: 0, elapsed: 0 }), /-\.--\/s {2}ETA --:--/);

  let t = 0;
  const tty: string[] = [];
  const bar = createProgress({
    write: (s) => tty.push(s),
    isTerminal: true,
    quiet: false,
    now: () => t,
  });
  bar.start(2, 1);
  t = 1;
  bar.succeeded("a", 1);
  t = 2;
  bar.succeeded("b", 1);
  bar.finish();
  const out = tty.join("");
  assert.match(out, /2 subjects to process \(1 skipped: outputs exist\)/);
  assert.ok(out.includes("\r\x1b[2K[############------------] 1/2 subjects  1.00/s  ETA 0:01"));
  assert.ok(out.endsWith("2/2 subjects  1.00/s  ETA 0:00\n"));

  const quiet: string[] = [];
  const q = createProgress({ write: (s) => quiet.push(s), isTerminal: false, quiet: true });
  q.start(2, 0);
  q.succeeded("a", 1);
  q.failed("b", "broken");
  q.finish();
  assert.deepEqual(quiet, ["niimask: [2/2] b FAILED: broken\n"]);
});
