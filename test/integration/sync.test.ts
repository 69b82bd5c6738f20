// The whole sequence flow against the simulator and a real PostgreSQL: the mirror must equal the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../functions/core/messages.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 300, seed: 7 });
});

afterAll(async () => {
  await harness?.close();
});

function loads(summary: Summary | undefined): string[][] {
  return (summary?.pairs ?? []).map((pair) => [`${pair.resource}/${pair.country}`, pair.load ?? '', pair.reason ?? '', pair.status]).sort();
}

async function watermarks(): Promise<Array<{ resource: string; country: string; watermark: string }>> {
  return harness.sql`SELECT resource, country, to_char(watermark, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS watermark FROM focus_sync.state ORDER BY 1, 2`;
}

describe('sync against the simulator', () => {
  it('makes every table equal to the API after a first, full load', async () => {
    const run = await harness.sync();
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    expect(loads(run.summary)).toEqual([
      ['promotion_items/at', 'full', 'empty table', 'in_sync'],
      ['promotion_items/de', 'full', 'empty table', 'in_sync'],
      ['promotions/at', 'full', 'empty table', 'in_sync'],
      ['promotions/de', 'full', 'empty table', 'in_sync'],
    ]);
    expect(run.summary?.pairs.every((pair) => pair.rows?.loaded === 300 && pair.clientCount === 300 && pair.serverCount === 300)).toBe(true);
    await harness.expectMirrorEqualsServer();
  });

  it('changes nothing when the server has not changed', async () => {
    const before = await watermarks();
    const run = await harness.sync();
    expect(run.status).toBe('SUCCEEDED');
    expect(loads(run.summary).map(([pair, load]) => [pair, load])).toEqual([
      ['promotion_items/at', 'delta'], ['promotion_items/de', 'delta'], ['promotions/at', 'delta'], ['promotions/de', 'delta'],
    ]);
    expect(run.summary?.pairs.map((pair) => pair.rows)).toEqual(Array(4).fill({ loaded: 0, created: 0, updated: 0, deleted: 0 }));
    expect(await watermarks()).toEqual(before);
    await harness.expectMirrorEqualsServer();
  });

  it('stays equal to the API through rounds of random creates, updates and deletes', async () => {
    for (const [round, change] of [{ created: 5, updated: 7, deleted: 3 }, { created: 0, updated: 20, deleted: 0 }, { created: 12, updated: 0, deleted: 9 }, { created: 1, updated: 1, deleted: 1 }].entries()) {
      harness.simulator.mutate(change);
      const run = await harness.sync();
      expect(run.status, `round ${round}: ${run.error?.cause}`).toBe('SUCCEEDED');
      for (const pair of run.summary!.pairs) {
        expect(pair).toMatchObject({ load: 'delta', status: 'in_sync' });
        expect(pair.rows).toMatchObject({ created: change.created, updated: change.updated, deleted: change.deleted });
      }
      await harness.expectMirrorEqualsServer();
    }
  });

  it('moves the watermark to the newest change of each pair, to the microsecond', async () => {
    harness.simulator.mutate({ created: 2, updated: 2 });
    await harness.sync();
    for (const { resource, country, watermark } of await watermarks()) {
      const newest = harness.simulator.items(resource, country)
        .flatMap((item) => [item.created_at as string, item.updated_at as string])
        .reduce((latest, timestamp) => (timestamp > latest ? timestamp : latest));
      expect(watermark, `${resource}/${country}`).toBe(newest);
    }
  });

  it('reloads everything when asked for a full load, even with nothing changed', async () => {
    const run = await harness.sync({ mode: 'full' });
    expect(run.status).toBe('SUCCEEDED');
    expect(loads(run.summary).map(([pair, load, reason]) => [pair, load, reason])).toEqual([
      ['promotion_items/at', 'full', 'forced'], ['promotion_items/de', 'full', 'forced'], ['promotions/at', 'full', 'forced'], ['promotions/de', 'full', 'forced'],
    ]);
    await harness.expectMirrorEqualsServer();
  });

  it('syncs only the resources and countries the execution input names', async () => {
    harness.simulator.mutate({ created: 3 });
    const run = await harness.sync({ resources: ['promotions'], countries: ['at'] });
    expect(loads(run.summary)).toEqual([['promotions/at', 'delta', 'since watermark', 'in_sync']]);
    const [{ count }] = await harness.sql<[{ count: string }]>`SELECT count(*) FROM focus_de.promotions`;
    expect(Number(count)).toBe(harness.simulator.totalItems('promotions', 'de') - 3);
    await harness.sync();
    await harness.expectMirrorEqualsServer();
  });

  it('re-reads a window before the watermark when asked, harmlessly', async () => {
    const before = await watermarks();
    harness.simulator.mutate({ created: 2, updated: 0, deleted: 0 });
    const run = await harness.sync({ resources: ['promotions'] }, { config: { lookbackSeconds: 3600 } });
    expect(run.status).toBe('SUCCEEDED');
    for (const pair of run.summary!.pairs) {
      expect(pair.reason).toBe('since watermark, re-reading 3600 s before it');
      // The earlier rounds' changes of the last hour come again, and are applied again, idempotently.
      expect(pair.rows!.created).toBeGreaterThan(2);
    }
    await harness.sync();
    await harness.expectMirrorEqualsServer();
    const after = await watermarks();
    after.forEach((row, index) => expect(row.watermark > before[index]!.watermark).toBe(true));
  });
});
