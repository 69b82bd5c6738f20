// npm run sync's live progress: redrawn in place on a terminal, plain periodic lines in a pipe.
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../functions/core/telemetry/progress.ts';
import { progressLine, progressView } from '../../statemachine/local/progress-view.ts';

const progress = (resource: string, rows: number, elapsedMs: number, done = false, total?: number): Progress => ({
  executionId: 'local-1', state: 'FullLoad', resource, country: 'de', what: `${resource}/de full lines`, rows, elapsedMs, rowsPerSecond: Math.round((rows * 1000) / elapsedMs), done,
  ...(total !== undefined && { total }),
});

function output(isTTY: boolean) {
  const written: string[] = [];
  return { written, isTTY, write: (text: string) => written.push(text) };
}

describe('the progress view', () => {
  it('shows the pair, the step, rows, rows/s and elapsed time', () => {
    expect(progressLine(progress('promotions', 1_234_567, 27_100))).toBe(
      'promotions/de            FullLoad         ⋯   1,234,567 rows     45,556 rows/s    27.1 s');
  });

  it('once the server\'s total is known, shows rows against it, the percentage and the time left', () => {
    expect(progressLine(progress('promotions', 412_345, 9_000, false, 1_000_000))).toBe(
      'promotions/de            FullLoad         ⋯     412,345 / 1,000,000 rows   41%     45,816 rows/s     9.0 s  13 s left');
    expect(progressLine(progress('promotions', 1_000_200, 20_000, false, 1_000_000))).toContain('1,000,200 / 1,000,000 rows  100%');
    expect(progressLine(progress('promotions', 1_000_200, 20_000, false, 1_000_000))).toMatch(/0 s left$/);
  });

  it('shows the same line, total and all, on a terminal and in a pipe', () => {
    const tty = output(true);
    const pipe = output(false);
    const long = progress('promotions', 500_000, 10_000, false, 1_000_000);
    progressView(tty).update(long);
    progressView(pipe, 5_000).update(long);
    expect(tty.written).toEqual([`${progressLine(long)}\n`]);
    expect(pipe.written).toEqual([`${progressLine(long)}\n`]);
    expect(pipe.written[0]).toContain('500,000 / 1,000,000 rows   50%');
    expect(pipe.written[0]).toContain('10 s left');
  });

  it('on a terminal, keeps one line per running load under the timeline and redraws it in place', () => {
    const tty = output(true);
    const view = progressView(tty);
    view.update(progress('promotions', 1_000, 1_000));
    view.update(progress('promotion_items', 2_000, 1_000));
    view.write('promotions/de            CheckServerState …');
    view.update(progress('promotion_items', 4_000, 2_000, true));
    view.close();
    expect(tty.written).toEqual([
      `${progressLine(progress('promotions', 1_000, 1_000))}\n`,
      `\x1b[1F\x1b[J${progressLine(progress('promotions', 1_000, 1_000))}\n${progressLine(progress('promotion_items', 2_000, 1_000))}\n`,
      `\x1b[2F\x1b[Jpromotions/de            CheckServerState …\n${progressLine(progress('promotions', 1_000, 1_000))}\n${progressLine(progress('promotion_items', 2_000, 1_000))}\n`,
      `\x1b[2F\x1b[J${progressLine(progress('promotions', 1_000, 1_000))}\n`,
      '\x1b[1F\x1b[J',
    ]);
  });

  it('in a pipe, prints a plain line per load every few seconds, and nothing for a short load', () => {
    const pipe = output(false);
    const view = progressView(pipe, 5_000);
    view.update(progress('promotion_items', 500, 800));
    view.update(progress('promotion_items', 900, 1_000, true));
    for (const seconds of [1, 3, 5, 7, 10, 11]) view.update(progress('promotions', seconds * 1_000, seconds * 1_000));
    view.write('promotions/de            FullLoad         ✓');
    expect(pipe.written).toEqual([
      `${progressLine(progress('promotions', 5_000, 5_000))}\n`,
      `${progressLine(progress('promotions', 10_000, 10_000))}\n`,
      'promotions/de            FullLoad         ✓\n',
    ]);
  });
});
