// Nothing lost, nothing half-applied: a failed run leaves every table and watermark as it was,
// names what failed, and the next run converges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../statemachine/local/runner.ts';
import { BrokenStreamApi } from '../support/faulty-api.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 250, seed: 11 });
  const first = await harness.sync();
  expect(first.status).toBe('SUCCEEDED');
});

afterAll(async () => {
  await harness?.close();
});

/** The pairs of a run that did not fail with `error`, each with what it ended with instead. */
function notFailedWith(run: RunResult, error: string): unknown[] | undefined {
  return run.summary?.pairs.filter((pair) => !(pair.status === 'failed' && pair.error === error)).map((pair) => [pair.resource, pair.country, pair.status, pair.error, pair.cause]);
}

describe('a run that fails', () => {
  it('keeps every row and watermark when a forced full load breaks halfway', async () => {
    harness.simulator.mutate({ created: 4, updated: 4, deleted: 4 });
    const before = await harness.snapshot();
    const run = await harness.sync({ mode: 'full' }, { api: new BrokenStreamApi(harness.config, 'full', 100) });
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('SyncFailed');
    expect(run.summary?.pairs).toHaveLength(4);
    expect(notFailedWith(run, 'ApiUnavailable')).toEqual([]);
    expect(run.summary?.pairs[0]?.cause).toContain('mid-stream');
    expect(await harness.snapshot()).toEqual(before);
    const staging = await harness.sql`SELECT tablename FROM pg_tables WHERE schemaname = 'focus_sync' AND tablename LIKE 'stage_%'`;
    expect(staging).toEqual([]);
  });

  it('applies nothing when the delta breaks after created and updated were staged', async () => {
    const before = await harness.snapshot();
    const run = await harness.sync({}, { api: new BrokenStreamApi(harness.config, 'deleted', 1) });
    expect(run.status).toBe('FAILED');
    expect(run.summary?.pairs).toHaveLength(4);
    expect(notFailedWith(run, 'ApiUnavailable')).toEqual([]);
    expect(await harness.snapshot()).toEqual(before);
  });

  it('converges on the next run', async () => {
    const run = await harness.sync();
    expect(run.status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  });

  it('repairs a pair whose count differs: another delta from the same watermark, then a full reload', async () => {
    await harness.addStrayRow();
    const server = harness.simulator.totalItems('promotions', 'de');
    const run = await harness.sync();
    expect(run.status).toBe('SUCCEEDED');
    const byPair = Object.fromEntries(run.summary!.pairs.map((pair) => [`${pair.resource}/${pair.country}`, pair]));
    expect(byPair['promotions/de']).toMatchObject({
      status: 'in_sync', load: 'full', onOutOfSync: 'delta-then-full', clientCount: server, serverCount: server,
      repairs: [{ load: 'delta', clientCount: server + 1, serverCount: server }, { load: 'delta', clientCount: server + 1, serverCount: server }],
    });
    expect(byPair['promotions/at']).toMatchObject({ status: 'in_sync', repairs: [] });
    await harness.expectMirrorEqualsServer();
  });

  it('fails a pair whose count differs with OutOfSync and both counts when repairs are off, and still syncs the others', async () => {
    await harness.addStrayRow();
    const run = await harness.sync({}, { config: { outOfSyncRepair: 'none' } });
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('SyncFailed');
    const byPair = Object.fromEntries(run.summary!.pairs.map((pair) => [`${pair.resource}/${pair.country}`, pair]));
    const server = harness.simulator.totalItems('promotions', 'de');
    expect(byPair['promotions/de']).toMatchObject({ status: 'failed', error: 'OutOfSync', onOutOfSync: 'none' });
    expect(byPair['promotions/de']?.cause).toBe(`promotions/de is out of sync: ${server + 1} rows in the mirror, ${server} on the server; the next run repairs changes made during this one, run with mode "full" if it persists`);
    for (const pair of ['promotions/at', 'promotion_items/de', 'promotion_items/at']) expect(byPair[pair]?.status).toBe('in_sync');
  });

  it('repairs the extra row with a forced full load', async () => {
    expect((await harness.sync({ mode: 'full', resources: ['promotions'], countries: ['de'] })).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  });
});

describe('a first full load that fails', () => {
  it('leaves the table empty and without a watermark, and the next run loads it in full', async () => {
    const fresh = await startHarness({ items: 150, seed: 12, countries: ['de'] });
    try {
      const run = await fresh.sync({}, { api: new BrokenStreamApi(fresh.config, 'full', 120) });
      expect(run.summary?.pairs.map((pair) => [pair.error, pair.load])).toEqual([['ApiUnavailable', null], ['ApiUnavailable', null]]);
      const [{ rows }] = await fresh.sql<[{ rows: string }]>`SELECT (SELECT count(*) FROM focus_de.promotions) + (SELECT count(*) FROM focus_de.promotion_items) AS rows`;
      expect(Number(rows)).toBe(0);
      expect(await fresh.sql`SELECT * FROM focus_sync.state`).toEqual([]);
      const next = await fresh.sync();
      expect(next.summary?.pairs.map((pair) => [pair.load, pair.reason, pair.status])).toEqual([['full', 'empty table', 'in_sync'], ['full', 'empty table', 'in_sync']]);
      await fresh.expectMirrorEqualsServer();
    } finally {
      await fresh.close();
    }
  });
});

describe('a run that cannot start', () => {
  it('refuses a wrong execution input at the first step, naming the field', async () => {
    const run = await harness.sync({ mode: 'bogus' });
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('InvalidInput');
    expect(run.error?.cause).toContain('mode');
    expect(run.error?.cause).toContain('"auto"');
  });

  it('refuses an unknown field (a typo), naming it, but takes the Comment the Step Functions console puts in', async () => {
    const typo = await harness.sync({ modes: 'full' });
    expect(typo.error?.name).toBe('InvalidInput');
    expect(typo.error?.cause).toContain('"modes"');
    const fromConsole = await harness.sync({ Comment: 'Insert your JSON here' });
    expect(fromConsole.status, fromConsole.error?.cause).toBe('SUCCEEDED');
  });

  it('refuses an unknown resource, naming it and those the API offers', async () => {
    const run = await harness.sync({ resources: ['promotions', 'coupons'] });
    expect(run.error?.name).toBe('InvalidInput');
    expect(run.error?.cause).toContain('"coupons"');
    expect(run.error?.cause).toContain('"promotion_items"');
  });

  it('fails with AuthenticationFailed on wrong credentials, without repeating the password', async () => {
    const wrong = { ...harness.config, api: { ...harness.config.api, password: 'not-the-password-9f3a' } };
    const { FocusApi } = await import('../../functions/core/api/client.ts');
    const run = await harness.sync({}, { api: new FocusApi(wrong.api) });
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('AuthenticationFailed');
    expect(JSON.stringify(run)).not.toContain('not-the-password-9f3a');
  });
});
