// A forced full reload writes only the rows that differ, says in the run ledger what it found,
// and, when it fails while applying, leaves the table, its watermark and the ledger as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 400, seed: 23 });
  expect((await harness.sync()).status).toBe('SUCCEEDED');
});

afterAll(async () => {
  await harness?.close();
});

interface Found {
  pair: string;
  status: string;
  rows_loaded: string;
  rows_added: string | null;
  rows_changed: string | null;
  rows_removed: string | null;
}

async function found(execution: string): Promise<Found[]> {
  return harness.sql<Found[]>`
    SELECT resource || '/' || country AS pair, status, rows_loaded, rows_added, rows_changed, rows_removed
    FROM focus_sync.runs WHERE execution_id = ${execution} ORDER BY resource, country`;
}

/** Each row's key and the transaction that last wrote it: a row rewritten gets a new xmin. */
async function rowVersions(): Promise<Array<{ id: string; version: string }>> {
  return harness.sql`SELECT id::text, xmin::text AS version FROM focus_de.promotions ORDER BY id`;
}

async function tableBytes(): Promise<number> {
  const [{ bytes }] = await harness.sql<[{ bytes: string }]>`SELECT pg_relation_size('focus_de.promotions') AS bytes`;
  return Number(bytes);
}

const PAIRS = ['promotion_items/at', 'promotion_items/de', 'promotions/at', 'promotions/de'];

describe('a forced full reload', () => {
  it('finds and applies exactly the changes no delta has read: rows added, changed and removed, in the ledger', async () => {
    harness.simulator.mutate({ created: 4, updated: 6, deleted: 3 });
    const run = await harness.sync({ mode: 'full' });
    expect(run.status).toBe('SUCCEEDED');
    expect(await found(run.execution)).toEqual(PAIRS.map((pair) => ({ pair, status: 'in_sync', rows_loaded: '401', rows_added: '4', rows_changed: '6', rows_removed: '3' })));
    await harness.expectMirrorEqualsServer();
  });

  it('rewrites no row and grows no table when nothing changed, and says 0 / 0 / 0', async () => {
    const versions = await rowVersions();
    const bytes = await tableBytes();
    const run = await harness.sync({ mode: 'full' });
    expect(run.status).toBe('SUCCEEDED');
    expect(await found(run.execution)).toEqual(PAIRS.map((pair) => ({ pair, status: 'in_sync', rows_loaded: '401', rows_added: '0', rows_changed: '0', rows_removed: '0' })));
    expect(await rowVersions()).toEqual(versions);
    expect(await tableBytes()).toBe(bytes);
    await harness.expectMirrorEqualsServer();
  });

  it('records what a load into an empty table added, and nothing for a delta', async () => {
    await harness.sql`TRUNCATE focus_at.promotions`;
    harness.simulator.mutate({ updated: 2 });
    const run = await harness.sync();
    expect(run.status).toBe('SUCCEEDED');
    expect(await found(run.execution)).toEqual([
      { pair: 'promotion_items/at', status: 'in_sync', rows_loaded: '0', rows_added: null, rows_changed: null, rows_removed: null },
      { pair: 'promotion_items/de', status: 'in_sync', rows_loaded: '0', rows_added: null, rows_changed: null, rows_removed: null },
      { pair: 'promotions/at', status: 'in_sync', rows_loaded: '401', rows_added: '401', rows_changed: '0', rows_removed: '0' },
      { pair: 'promotions/de', status: 'in_sync', rows_loaded: '0', rows_added: null, rows_changed: null, rows_removed: null },
    ]);
    await harness.expectMirrorEqualsServer();
  });

  it('leaves every row, watermark and ledger row as they were when PostgreSQL refuses a write halfway through the apply', async () => {
    harness.simulator.mutate({ created: 2, updated: 3, deleted: 2 });
    const before = await harness.snapshot();
    // A trigger of the user's that refuses updates: the apply has already deleted and inserted rows.
    await harness.sql.unsafe(`
      CREATE FUNCTION public.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no updates today'; END $$;
      CREATE TRIGGER refuse BEFORE UPDATE ON focus_de.promotions FOR EACH ROW EXECUTE FUNCTION public.refuse()`);
    try {
      const run = await harness.sync({ mode: 'full', resources: ['promotions'], countries: ['de'] });
      expect(run.status).toBe('FAILED');
      expect(run.summary?.pairs.map((pair) => [pair.status, pair.error])).toEqual([['failed', 'DatabaseError']]);
      expect(run.summary?.pairs[0]?.cause).toContain('no updates today');
      expect(await harness.snapshot()).toEqual(before);
      expect(await found(run.execution)).toEqual([{ pair: 'promotions/de', status: 'failed', rows_loaded: '0', rows_added: null, rows_changed: null, rows_removed: null }]);
    } finally {
      await harness.sql.unsafe('DROP TRIGGER refuse ON focus_de.promotions; DROP FUNCTION public.refuse()');
    }
    const run = await harness.sync({ mode: 'full' });
    expect(run.status).toBe('SUCCEEDED');
    expect((await found(run.execution)).find((row) => row.pair === 'promotions/de')).toMatchObject({ rows_added: '2', rows_changed: '3', rows_removed: '2' });
    await harness.expectMirrorEqualsServer();
  });
});
