// The whole sequence flow against the simulator and a real PostgreSQL: the mirror must equal the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 300, seed: 7 });
});

afterAll(async () => {
  await harness?.close();
});

describe('sync against the simulator', () => {
  it('makes every table equal to the API after a first, full load', async () => {
    const run = await harness.sync();
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.summary?.pairs.map((pair) => [pair.resource, pair.country, pair.load, pair.reason, pair.status]).sort()).toEqual([
      ['promotion_items', 'at', 'full', 'empty table', 'in_sync'],
      ['promotion_items', 'de', 'full', 'empty table', 'in_sync'],
      ['promotions', 'at', 'full', 'empty table', 'in_sync'],
      ['promotions', 'de', 'full', 'empty table', 'in_sync'],
    ]);
    await harness.expectMirrorEqualsServer();
  });
});
