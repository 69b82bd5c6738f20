// Progress of a long load: told to local listeners a few times a second, logged every few seconds.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createInvocation, within } from '../../../functions/core/telemetry/logging.ts';
import { ASK_TOTAL_AFTER_MS, duration, LoadProgress, LOG_INTERVAL_MS, onProgress, type Progress } from '../../../functions/core/telemetry/progress.ts';

const KEYS = { executionId: 'exec-7', state: 'FullLoad', resource: 'promotions', country: 'de' };

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the progress of a load', () => {
  it('tells listeners the rows, the rate and the elapsed time of the running step, and when it ends', async () => {
    const told: Progress[] = [];
    const stop = onProgress((progress) => told.push(progress));
    try {
      await within(createInvocation(KEYS), async () => {
        const progress = new LoadProgress('promotions/de full lines');
        progress.update(100); // too soon after the start: nothing told
        vi.advanceTimersByTime(1_000);
        progress.update(5_000);
        vi.advanceTimersByTime(100);
        progress.update(5_500); // within the listener interval: nothing told
        vi.advanceTimersByTime(900);
        progress.finish(9_000);
      });
    } finally {
      stop();
    }
    expect(told).toEqual([
      { ...KEYS, what: 'promotions/de full lines', rows: 5_000, elapsedMs: 1_000, rowsPerSecond: 5_000, done: false },
      { ...KEYS, what: 'promotions/de full lines', rows: 9_000, elapsedMs: 2_000, rowsPerSecond: 4_500, done: true },
    ]);
  });

  it('logs a line every few seconds of a long load, with the invocation\'s keys', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'focus-sync-FullLoad');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    await within(createInvocation(KEYS), async () => {
      const progress = new LoadProgress('promotions/de full lines');
      for (let second = 1; second <= 12; second += 1) {
        vi.advanceTimersByTime(1_000);
        progress.update(second * 10_000);
      }
    });
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map((line) => [line.message, line.rows, line.rowsPerSecond])).toEqual([
      ['promotions/de full lines: 50000 rows so far', 50_000, 10_000],
      ['promotions/de full lines: 100000 rows so far', 100_000, 10_000],
    ]);
    expect(logged[0]).toMatchObject({ ...KEYS, level: 'INFO', elapsedMs: LOG_INTERVAL_MS });
  });

  it('asks the server\'s total once the load has run a while, then tells and logs how far it is and the time left', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'focus-sync-FullLoad');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    const told: Progress[] = [];
    const stop = onProgress((progress) => told.push(progress));
    let asked = 0;
    try {
      await within(createInvocation(KEYS), async () => {
        const progress = new LoadProgress('promotions/de full lines', async () => {
          asked += 1;
          return 100_000;
        });
        vi.advanceTimersByTime(ASK_TOTAL_AFTER_MS / 2);
        progress.update(5_000); // too early to ask: a short load costs the API nothing
        expect(asked).toBe(0);
        for (let second = 1; second <= 5; second += 1) {
          vi.advanceTimersByTime(second === 1 ? ASK_TOTAL_AFTER_MS / 2 : 1_000);
          progress.update(second * 10_000);
          await Promise.resolve(); // the server answers
        }
        progress.finish(100_000);
      });
    } finally {
      stop();
    }
    expect(asked).toBe(1);
    // The first update after a second asks; the answer counts from the next one on.
    expect(told.map((progress) => progress.total)).toEqual([undefined, undefined, 100_000, 100_000, 100_000, 100_000, 100_000]);
    expect(told.at(-2)).toMatchObject({ rows: 50_000, total: 100_000, rowsPerSecond: 10_000, elapsedMs: 5_000 });
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map((line) => line.message)).toEqual(['promotions/de full lines: 50000 of 100000 rows (50%), about 5 s left']);
    expect(logged[0]).toMatchObject({ rows: 50_000, total: 100_000, percent: 50, remainingMs: 5_000 });
  });

  it('goes on as before when the server does not tell its total', async () => {
    const told: Progress[] = [];
    const stop = onProgress((progress) => told.push(progress));
    try {
      await within(createInvocation(KEYS), async () => {
        const progress = new LoadProgress('promotions/de full lines', () => Promise.reject(new Error('HTTP 503')));
        for (let second = 1; second <= 3; second += 1) {
          vi.advanceTimersByTime(1_000);
          progress.update(second * 10_000);
          await Promise.resolve();
        }
      });
    } finally {
      stop();
    }
    expect(told).toHaveLength(3);
    for (const progress of told) expect(progress).not.toHaveProperty('total');
  });

  it('writes the time left in seconds, minutes or hours', () => {
    expect([duration(4_400), duration(65_000), duration(3_725_000)]).toEqual(['4 s', '1 min 05 s', '1 h 02 min']);
  });
});
