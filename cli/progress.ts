/**
 * Progress reporting of a batch: a redrawn progress bar on a terminal (subjects done/total,
 * rate, ETA), one plain log line per subject otherwise, nothing with `--quiet`.
 *
 * The formatting functions are pure; {@link createProgress} takes the writer, the terminal flag
 * and the clock as arguments, so it is testable without a terminal.
 *
 * @module
 */

/** Counts of a batch in progress. */
export interface ProgressState {
  /** Subjects to process (after skipping). */
  readonly total: number;
  /** Subjects finished (succeeded or failed). */
  readonly done: number;
  /** Of which failed. */
  readonly failed: number;
  /** Seconds since the batch started. */
  readonly elapsed: number;
}

/**
 * A duration as `m:ss` or `h:mm:ss`.
 *
 * @param seconds duration (s).
 * @returns the text, `--:--` when unknown.
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * formatDuration(3725); // "1:02:05"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * One progress-bar line, e.g. `[########------------] 12/30 subjects  1.50/s  ETA 0:12  1 failed`.
 *
 * @param state the counts.
 * @param width bar width in characters (default 24).
 * @returns the line (no newline).
 * @example
 * ```ts
 * import { formatBar } from "./progress.ts";
 * formatBar({ total: 4, done: 2, failed: 0, elapsed: 4 }, 4); // "[##--] 2/4 subjects  0.50/s  ETA 0:04"
 * ```
 */
export function formatBar(state: ProgressState, width = 24): string {
  const { total, done, failed, elapsed } = state;
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const rate = elapsed > 0 && done > 0 ? done / elapsed : NaN;
  const eta = Number.isFinite(rate) ? (total - done) / rate : NaN;
  let line = `[${bar}] ${done}/${total} subjects  ` +
    (Number.isFinite(rate) ? `${rate.toFixed(2)}/s` : "-.--/s") +
    `  ETA ${formatDuration(eta)}`;
  if (failed > 0) line += `  ${failed} failed`;
  return line;
}

/** Receives a batch's events. */
export interface Progress {
  /** The batch starts: `total` subjects to process, `skipped` already done. */
  start(total: number, skipped: number): void;
  /** A subject finished successfully. */
  succeeded(subject: string, seconds: number): void;
  /** A subject failed. */
  failed(subject: string, message: string): void;
  /** An informational line. */
  log(line: string): void;
  /** The batch ended (clears the bar). */
  finish(): void;
}

/** How {@link createProgress} writes. */
export interface ProgressOptions {
  /** Writes text to the terminal/log (stderr). */
  readonly write: (text: string) => void;
  /** stderr is a terminal: draw a bar. */
  readonly isTerminal: boolean;
  /** No progress output at all (failures are still reported). */
  readonly quiet: boolean;
  /** Clock in seconds (default `performance.now() / 1000`). */
  readonly now?: () => number;
}

/**
 * A progress reporter writing a bar (terminal), log lines (not a terminal) or only failures
 * (quiet).
 *
 * @param options where and how to write.
 * @returns the reporter.
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = createProgress({ write: (t) => lines.push(t), isTerminal: false, quiet: false });
 * p.start(1, 0);
 * p.succeeded("sub-01", 0.5);
 * p.finish();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const { write, isTerminal, quiet } = options;
  const now = options.now ?? (() => performance.now() / 1000);
  let total = 0;
  let done = 0;
  let failed = 0;
  let t0 = now();
  let barShown = false;
  const CLEAR = "\r\x1b[2K";
  const state = (): ProgressState => ({ total, done, failed, elapsed: now() - t0 });
  const redraw = () => {
    if (quiet || !isTerminal) return;
    write(CLEAR + formatBar(state()));
    barShown = true;
  };
  const line = (text: string, always = false) => {
    if (quiet && !always) return;
    if (isTerminal && barShown) write(CLEAR);
    write(text + "\n");
    redraw();
  };
  return {
    start(n, skipped) {
      total = n;
      done = 0;
      failed = 0;
      t0 = now();
      const skipText = skipped > 0 ? ` (${skipped} skipped: outputs exist)` : "";
      line(`niimask: ${n} subject${n === 1 ? "" : "s"} to process${skipText}`);
    },
    succeeded(subject, seconds) {
      done++;
      if (isTerminal) redraw();
      else line(`niimask: [${done}/${total}] ${subject} done (${seconds.toFixed(1)} s)`);
    },
    failed(subject, message) {
      done++;
      failed++;
      line(`niimask: [${done}/${total}] ${subject} FAILED: ${message}`, true);
    },
    log(text) {
      line(`niimask: ${text}`);
    },
    finish() {
      if (isTerminal && barShown && !quiet) write(CLEAR + formatBar(state()) + "\n");
      barShown = false;
    },
  };
}
