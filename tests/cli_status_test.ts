import assert from "node:assert/strict";
import {
  classifySubjects,
  collectStatus,
  formatStatus,
  parseStatusArgs,
  runStatus,
  summarizeStatus,
} from "../cli/status.ts";
import {
  failureRecordName,
  makeFailureRecord,
  parseFailureRecord,
  removeFailureRecord,
  writeFailureRecord,
} from "../cli/failure_record.ts";

Deno.test("classifySubjects: done needs TSV and JSON; failed needs a record; else missing", () => {
  const images = ["a/s1_bold.nii.gz", "a/s2_bold.nii.gz", "a/s3_bold.nii.gz", "a/s4_bold.nii.gz"];
  const files = new Set([
    "s1_timeseries.tsv",
    "s1_timeseries.json",
    "s1_timeseries.failed.json", // stale record: s1 succeeded later
    "s2_timeseries.tsv", // JSON missing: interrupted
    "s3_timeseries.failed.json",
  ]);
  const failures = new Map([
    ["s1", makeFailureRecord("a/s1_bold.nii.gz", "s1", new Error("old"), { time: "t" })],
    ["s3", makeFailureRecord("a/s3_bold.nii.gz", "s3", new RangeError("bad dims"), { time: "t" })],
  ]);
  const st = classifySubjects(images, files, failures);
  assert.deepEqual(st.map((s) => s.state), ["done", "missing", "failed", "missing"]);
  assert.equal(st[2]!.error, "RangeError: bad dims");
  assert.deepEqual(summarizeStatus(st), { done: 1, missing: 2, failed: 1, total: 4 });
  assert.equal(formatStatus(st, "todo"), "a/s2_bold.nii.gz\na/s3_bold.nii.gz\na/s4_bold.nii.gz\n");
  assert.equal(formatStatus(st, "done"), "a/s1_bold.nii.gz\n");
  assert.equal(formatStatus(st, "failed"), "a/s3_bold.nii.gz\n");
  const report = formatStatus(st, "report");
  assert.match(report, /^failed\ts3\ta\/s3_bold\.nii\.gz\tRangeError: bad dims$/m);
  assert.match(report, /^missing\ts4\ta\/s4_bold\.nii\.gz$/m);
  assert.match(report, /1 done, 2 missing, 1 failed \(of 4\)\n$/);
  const json = JSON.parse(formatStatus(st, "json"));
  assert.equal(json.summary.failed, 1);
  assert.equal(json.subjects[2].state, "failed");
});

Deno.test("classifySubjects reports an unreadable failure record as failed", () => {
  const st = classifySubjects(["x.nii"], new Set(), new Map([["x", new SyntaxError("truncated")]]));
  assert.equal(st[0]!.state, "failed");
  assert.match(st[0]!.error!, /unreadable failure record: truncated/);
});

Deno.test("failure records round-trip and reject invalid content", () => {
  const rec = makeFailureRecord("i.nii", "i", new TypeError("wrong shape"), {
    time: "2024-01-01T00:00:00.000Z",
    shard: "2/3",
    slurmJobId: "17",
  });
  const back = parseFailureRecord(JSON.stringify(rec), "p");
  assert.deepEqual(back, rec);
  assert.equal(back.errorName, "TypeError");
  assert.throws(() => parseFailureRecord('{"image": "x"', "f.json"), /f\.json: not valid JSON/);
  assert.throws(() => parseFailureRecord("[1]", "f.json"), /expected a JSON object/);
  assert.throws(() => parseFailureRecord('{"image":"x","subject":"x"}', "f.json"), /"error"/);
});

Deno.test("parseStatusArgs: flags, values and usage errors", () => {
  assert.deepEqual(parseStatusArgs(["--out", "o", "--list=todo", "a.nii", "b.nii"]), {
    out: "o",
    listing: "todo",
    images: ["a.nii", "b.nii"],
    help: false,
  });
  assert.deepEqual(parseStatusArgs(["--out=o", "--", "--weird.nii"]).images, ["--weird.nii"]);
  assert.equal(parseStatusArgs(["--help"]).help, true);
  assert.throws(() => parseStatusArgs(["a.nii"]), /--out DIR is required/);
  assert.throws(() => parseStatusArgs(["--out", "o"]), /image paths/);
  assert.throws(() => parseStatusArgs(["--out"]), /--out expects a value/);
  assert.throws(() => parseStatusArgs(["--out", "o", "--list", "all", "a"]), /got "all"/);
  assert.throws(() => parseStatusArgs(["--out", "o", "--bogus", "a"]), /unknown option "--bogus"/);
});

Deno.test("collectStatus and runStatus read an output directory with records", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask-status-" });
  try {
    const out = `${dir}/out`;
    await Deno.mkdir(out);
    const imgs = ["d/s1_bold.nii.gz", "d/s2_bold.nii.gz", "d/s3_bold.nii.gz", "d/s4.nii"];
    await Deno.writeTextFile(`${out}/s1_timeseries.tsv`, "map-000\n1\n");
    await Deno.writeTextFile(`${out}/s1_timeseries.json`, "{}");
    await writeFailureRecord(
      out,
      makeFailureRecord(imgs[1]!, "s2", new Error("corrupt gzip"), { time: "t" }),
    );
    await Deno.writeTextFile(`${out}/${failureRecordName("s3")}`, '{"image":'); // partial
    await Deno.writeTextFile(`${out}/s9_timeseries.failed.json`, "not ours");
    const st = await collectStatus(out, imgs);
    assert.deepEqual(st.map((s) => s.state), ["done", "failed", "failed", "missing"]);
    assert.equal(st[1]!.error, "Error: corrupt gzip");
    assert.match(st[2]!.error!, /unreadable failure record/);

    let stdout = "";
    let stderr = "";
    const io = {
      stdout: (s: string) => void (stdout += s),
      stderr: (s: string) => void (stderr += s),
    };
    assert.equal(await runStatus(["--out", out, "--list", "todo", ...imgs], io), 1);
    assert.equal(stdout, `${imgs[1]}\n${imgs[2]}\n${imgs[3]}\n`);

    // s2 succeeds on resubmission: its record goes away, it becomes done
    await removeFailureRecord(out, "s2");
    await removeFailureRecord(out, "s2"); // idempotent
    await Deno.writeTextFile(`${out}/s2_timeseries.tsv`, "x\n");
    await Deno.writeTextFile(`${out}/s2_timeseries.json`, "{}");
    stdout = "";
    assert.equal(await runStatus(["--out", out, imgs[0]!, imgs[1]!], io), 0);
    assert.match(stdout, /^2 done, 0 missing, 0 failed \(of 2\)\n$/);

    // no output directory yet: all missing
    assert.deepEqual(
      (await collectStatus(`${dir}/nope`, imgs)).map((s) => s.state),
      ["missing", "missing", "missing", "missing"],
    );
    // images named as extract names them (the same subject from another folder or X.nii)
    stdout = "";
    assert.equal(await runStatus(["--out", out, "--list", "done", "e/s1.nii"], io), 0);
    assert.equal(stdout, "e/s1.nii\n");
    stderr = "";
    assert.equal(await runStatus(["--out", out, "a/s1_bold.nii.gz", "b/s1.nii"], io), 2);
    assert.match(stderr, /both give the subject name "s1"/);
    // usage errors exit 2 with a message
    stderr = "";
    assert.equal(await runStatus(["--list", "todo", "a.nii"], io), 2);
    assert.match(stderr, /--out DIR is required/);
    stderr = "";
    assert.equal(await runStatus(["--out", `${out}/s1_timeseries.tsv`, "a.nii"], io), 2);
    assert.match(stderr, /cannot read --out/);
    // no temporary files left behind by writeFailureRecord
    const names = [];
    for await (const e of Deno.readDir(out)) names.push(e.name);
    assert.ok(!names.some((n) => n.includes(".tmp")), names.join(","));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
