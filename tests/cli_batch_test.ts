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

function fakeDeps(opts: {
  failPrepare?: string;
  failTransform?: string;
  existing?: string[];
  onTransform?: (items: readonly string[]) => void;
  hang?: string;
}) {
  const written: string[] = [];
  const chunks: string[][] = [];
  const records: string[] = [];
  const deps: BatchDeps<string> = {
    outputsExist: (s) => Promise.resolve(opts.existing?.includes(s.subject) ?? false),
    prepare: (s) =>
      s.subject === opts.failPrepare
        ? Promise.reject(new Error(`confounds of ${s.subject} missing`))
        : Promise.resolve(s.subject),
    transform(items) {
      chunks.push([...items]);
      opts.onTransform?.(items);
      if (opts.hang !== undefined && items.includes(opts.hang)) return new Promise(() => {});
      return Promise.resolve(
        items.map((it) =>
          it === opts.failTransform
            ? { ok: false as const, error: new Error(`${it} is corrupt`) }
            : {
              ok: true as const,
              value: { data: Float64Array.from([Number(it.slice(1))]), shape: [1, 1] } as Matrix,
            }
        ),
      );
    },
    write(s, p, m) {
      assert.equal(p, s.subject);
      written.push(`${s.subject}=${m.data[0]}`);
      return Promise.resolve();
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
  return { deps, written, chunks, records };
}

Deno.test("cli batch: one failing subject does not stop the others", async () => {
  const { deps, written, chunks, records } = fakeDeps({ failTransform: "s2", failPrepare: "s4" });
  const lines: string[] = [];
  const summary = await runBatch(SUBJECTS, deps, {
    chunkSize: 2,
    skipExisting: false,
    progress: quietProgress(lines),
  });
  assert.deepEqual(written, ["s1=1", "s3=3", "s5=5"]);
  assert.deepEqual(chunks, [["s1", "s2"], ["s3"], ["s5"]]);
  assert.deepEqual(summary.failed.map((f) => f.subject), ["s2", "s4"]);
  assert.deepEqual(summary.succeeded.map((s) => s.subject), ["s1", "s3", "s5"]);
  assert.ok(records.includes("fail s2") && records.includes("ok s5"));
  assert.equal(summary.interrupted, false);
  const text = formatSummary(summary);
  assert.match(text, /5 subjects: 3 succeeded, 2 failed/);
  assert.match(text, /s2 \(s2_bold\.nii\.gz\): s2 is corrupt/);
  assert.match(text, /s4 \(s4_bold\.nii\.gz\): confounds of s4 missing/);
  assert.ok(lines.some((l) => /\[2\/5\] s2 FAILED: s2 is corrupt/.test(l)));
});

Deno.test("cli batch: a transform that throws fails its whole chunk only", async () => {
  const { deps, written } = fakeDeps({});
  const base = deps.transform;
  deps.transform = (items) =>
    items.includes("s1") ? Promise.reject(new Error("boom")) : base(items);
  const summary = await runBatch(SUBJECTS, deps, {
    chunkSize: 2,
    skipExisting: false,
    progress: quietProgress(),
  });
  assert.deepEqual(summary.failed.map((f) => f.subject), ["s1", "s2"]);
  assert.deepEqual(written, ["s3=3", "s4=4", "s5=5"]);
});

Deno.test("cli batch: skip-existing skips subjects whose outputs exist", async () => {
  const { deps, written } = fakeDeps({ existing: ["s1", "s3"] });
  const summary = await runBatch(SUBJECTS, deps, {
    chunkSize: 1,
    skipExisting: true,
    progress: quietProgress(),
  });
  assert.deepEqual(summary.skipped.map((s) => s.subject), ["s1", "s3"]);
  assert.deepEqual(written, ["s2=2", "s4=4", "s5=5"]);
  assert.match(formatSummary(summary), /3 succeeded, 2 skipped \(outputs existed\), 0 failed/);
  const again = fakeDeps({ existing: ["s1", "s3"] });
  await runBatch(SUBJECTS, again.deps, {
    chunkSize: 1,
    skipExisting: false,
    progress: quietProgress(),
  });
  assert.equal(again.written.length, 5);
});

Deno.test("cli batch: abort stops at once, keeps finished outputs, lists the rest", async () => {
  const controller = new AbortController();
  const { deps, written } = fakeDeps({
    hang: "s3",
    onTransform: (items) => {
      if (items.includes("s3")) queueMicrotask(() => controller.abort());
    },
  });
  const summary = await runBatch(SUBJECTS, deps, {
    chunkSize: 1,
    skipExisting: false,
    signal: controller.signal,
    progress: quietProgress(),
  });
  assert.equal(summary.interrupted, true);
  assert.deepEqual(written, ["s1=1", "s2=2"]);
  assert.deepEqual(summary.notRun.map((s) => s.subject), ["s3", "s4", "s5"]);
  const text = formatSummary(summary);
  assert.match(text, /interrupted; 5 subjects: 2 succeeded, 0 failed, 3 not run/);
  assert.match(text, /--skip-existing to resume/);
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
