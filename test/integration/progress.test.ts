// A long load's live line, as npm run sync prints it: rows against the server's total, the
// percentage and the time left once the server has told its total; the line of old without one.
// And a full load of the state machine asks the server for that total, when it lasts.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { LineBatch } from '../../functions/core/api/ndjson.ts';
import { stagedColumns, stageLines } from '../../functions/core/db/copy.ts';
import { ASK_TOTAL_AFTER_MS, LISTENER_INTERVAL_MS, onProgress, type TotalRows } from '../../functions/core/telemetry/progress.ts';
import { progressView } from '../../statemachine/local/progress-view.ts';
import { useTestDatabase } from '../support/database.ts';
import { startHarness } from '../support/harness.ts';
import { keyAndTimes } from '../support/resources.ts';

const database = useTestDatabase();
const resource = keyAndTimes;
const BATCHES = 4;
const BATCH_ROWS = 1_000;

let stopListening: (() => void) | undefined;
afterEach(() => stopListening?.());

/** Batches of lines as the API client yields them, the second one after the load has run long enough to ask for a total. */
async function* slowLines(): AsyncGenerator<LineBatch> {
  for (let batch = 0; batch < BATCHES; batch += 1) {
    const lines = Array.from({ length: BATCH_ROWS }, (_, index) => `{"id":${batch * BATCH_ROWS + index + 1},"created_at":"2025-07-01T16:01:00.827904","updated_at":null}`);
    yield { first: batch * BATCH_ROWS + 1, lines, bytes: Buffer.from(`${lines.join('\n')}\n`) };
    await sleep(batch === 0 ? ASK_TOTAL_AFTER_MS + 100 : LISTENER_INTERVAL_MS + 100);
  }
}

/** What npm run sync prints of the load, in a pipe (here a plain line at most every 200 ms) and on a terminal. */
async function load(total?: TotalRows): Promise<{ plain: string[]; live: string[] }> {
  const plain: string[] = [];
  const live: string[] = [];
  const pipe = progressView({ write: (text: string) => plain.push(text) }, LISTENER_INTERVAL_MS);
  const terminal = progressView({ isTTY: true, write: (text: string) => live.push(text) });
  stopListening = onProgress((progress) => {
    pipe.update(progress);
    terminal.update(progress);
  });
  const rows = await stageLines(database.sql, 'public.staged', stagedColumns(resource), slowLines(), 'things/de full lines', {}, { total });
  expect(rows).toBe(BATCHES * BATCH_ROWS);
  return { plain, live };
}

describe('a long load\'s progress', () => {
  it('shows rows against the server\'s total, the percentage and the time left, in a pipe and on a terminal', async () => {
    let asked = 0;
    const { plain, live } = await load(async () => {
      asked += 1;
      return BATCHES * BATCH_ROWS;
    });
    expect(asked).toBe(1);
    const withTotal = /⋯ +[\d,]+ \/ 4,000 rows +\d+% +[\d,]+ rows\/s +[\d.]+ s {2}\d+ s left\n$/;
    expect(plain.filter((line) => withTotal.test(line)).length, plain.join('')).toBeGreaterThan(0);
    expect(live.filter((text) => withTotal.test(text)).length, live.join('')).toBeGreaterThan(0);
    expect(plain.join('')).toMatch(/3,000 \/ 4,000 rows {3}75%/);
  });

  it('shows the line as before when no total is known', async () => {
    const { plain } = await load();
    expect(plain.length).toBeGreaterThan(0);
    for (const line of plain) expect(line).toMatch(/⋯ +[\d,]+ rows +[\d,]+ rows\/s +[\d.]+ s\n$/);
  });
});

describe('a full load through the state machine', () => {
  it('asks the server for its total once it has run a second, and a short one asks nothing', async () => {
    const harness = await startHarness({ items: 3_000, countries: ['de'] });
    try {
      const stateRequests = () => harness.simulator.requests().filter((request) => request.path.endsWith('/promotions/de/state')).length;
      expect((await harness.sync({ resources: ['promotions'] })).status).toBe('SUCCEEDED');
      expect(stateRequests()).toBe(1); // CheckServerState's only
      harness.simulator.clearRequests();
      // The stream pauses past ASK_TOTAL_AFTER_MS, then the rest of the lines come: the load asks.
      harness.simulator.addFault({ match: '/full/lines', stallAfterLines: 500, stallMs: ASK_TOTAL_AFTER_MS + 200 });
      expect((await harness.sync({ mode: 'full', resources: ['promotions'] })).status).toBe('SUCCEEDED');
      expect(stateRequests()).toBe(2);
    } finally {
      await harness.close();
    }
  });
});
