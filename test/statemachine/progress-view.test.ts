// npm run sync's live progress: redrawn in place on a terminal, plain periodic lines in a pipe.
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../functions/core/telemetry/progress.ts';
import { progressLine, progressView } from '../../statemachine/local/progress-view.ts';

const progress = (resource: string, rows: number, elapsedMs: number, done = false): Progress => ({
  executionId: 'local-1', state: 'FullLoad', resource, country: 'de', what: `${resource}/de full lines`, rows, elapsedMs, rowsPerSecond: Math.round((rows * 1000) / elapsedMs), done,
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
