// Live progress of the loads, for a person: on a terminal, one line per running load redrawn in
// place under the step timeline; otherwise (a pipe, a CI log) a plain line per load every few seconds.
import { duration, estimate, type Progress } from '../../functions/core/telemetry/progress.ts';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressView {
  /** Prints a timeline line, keeping the live lines below it. */
  write(line: string): void;
  update(progress: Progress): void;
  /** Clears the live lines (the loads ended). */
  close(): void;
}

export const PLAIN_INTERVAL_MS = 5_000;

// ANSI: to the start of the line N lines up, then erase to the end of the screen.
const up = (lines: number) => `\x1b[${lines}F\x1b[J`;

export function progressView(output: Output, plainIntervalMs = PLAIN_INTERVAL_MS): ProgressView {
  return output.isTTY ? liveView(output) : plainView(output, plainIntervalMs);
}

/**
 * `promotions/de  FullLoad  ⋯ 1,234,567 rows  45,678 rows/s  27.1 s`, aligned with the timeline;
 * once the server's total is known, `1,234,567 / 2,000,000 rows  61%` and the time left at the end.
 */
export function progressLine(progress: Progress): string {
  const pair = progress.resource && progress.country ? `${progress.resource}/${progress.country}` : progress.what;
  const number = (value: number) => value.toLocaleString('en-US');
  const left = estimate(progress);
  const rows = left ? `${number(progress.rows).padStart(11)} / ${number(progress.total!)} rows  ${String(left.percent).padStart(3)}%` : `${number(progress.rows).padStart(11)} rows`;
  const timeLeft = left?.remainingMs === undefined ? '' : `  ${duration(left.remainingMs)} left`;
  return `${pair.padEnd(24)} ${(progress.state ?? '').padEnd(16)} ⋯ ${rows}  ${number(progress.rowsPerSecond).padStart(9)} rows/s  ${(progress.elapsedMs / 1000).toFixed(1).padStart(6)} s${timeLeft}`;
}

function liveView(output: Output): ProgressView {
  const running = new Map<string, Progress>();
  let drawn = 0;
  const redraw = (before = '') => {
    const lines = [...running.values()].map((progress) => `${progressLine(progress)}\n`).join('');
    // One write per redraw, so the terminal never shows the block half cleared.
    output.write(`${drawn > 0 ? up(drawn) : ''}${before}${lines}`);
    drawn = running.size;
  };
  return {
    write: (line) => redraw(`${line}\n`),
    update: (progress) => {
      const key = keyOf(progress);
      if (progress.done) running.delete(key);
      else running.set(key, progress);
      redraw();
    },
    close: () => {
      running.clear();
      if (drawn > 0) redraw();
    },
  };
}

function plainView(output: Output, intervalMs: number): ProgressView {
  const printedAt = new Map<string, number>();
  return {
    write: (line) => output.write(`${line}\n`),
    update: (progress) => {
      const key = keyOf(progress);
      if (progress.done) {
        printedAt.delete(key);
        return;
      }
      // A short load prints nothing: its step's ✓ line says all.
      if (progress.elapsedMs - (printedAt.get(key) ?? 0) < intervalMs) return;
      printedAt.set(key, progress.elapsedMs);
      output.write(`${progressLine(progress)}\n`);
    },
    close: () => printedAt.clear(),
  };
}

function keyOf(progress: Progress): string {
  return `${progress.executionId}/${progress.what}`;
}
