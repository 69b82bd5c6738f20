// The run ledger answers the morning questions from the database: did the runs work, how many
// rows changed, where did it stop; and it never records a pass whose data was rolled back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokenStreamApi } from '../support/faulty-api.ts';
import { startHarness, type Harness } from '../support/harness.ts';

interface LedgerRow {
  execution_id: string;
  pair: string;
  mode: string | null;
  reason: string | null;
  status: string;
  rows_loaded: string;
  rows_created: string;
  rows_updated: string;
  rows_deleted: string;
  client_count: string | null;
  server_count: string | null;
  in_sync: boolean | null;
  watermark_before: string | null;
  watermark_after: string | null;
  error: string | null;
  finished: boolean;
}

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 120, seed: 21, countries: ['de'] });
});

afterAll(async () => {
  await harness?.close();
});

async function ledger(execution: string, sql = harness.sql): Promise<LedgerRow[]> {
  return sql<LedgerRow[]>`
    SELECT execution_id, resource || '/' || country AS pair, mode, reason, status, rows_loaded, rows_created, rows_updated, rows_deleted,
           client_count, server_count, in_sync, watermark_before, watermark_after, error,
           finished_at IS NOT NULL AND finished_at >= started_at AS finished
    FROM focus_sync.runs WHERE execution_id = ${execution} ORDER BY resource, country`;
}

describe('the run ledger', () => {
  let first = '';
  let second = '';

  it('records a first sync: a full load per pair, its rows, both counts and the watermark it reached', async () => {
    const run = await harness.sync();
    expect(run.status).toBe('SUCCEEDED');
    first = run.execution;
    const rows = await ledger(first);
    expect(rows.map((row) => row.pair)).toEqual(['promotion_items/de', 'promotions/de']);
    for (const row of rows) {
      expect(row).toMatchObject({ mode: 'full', reason: 'empty table', status: 'in_sync', rows_loaded: '120', rows_created: '0', client_count: '120', server_count: '120', in_sync: true, watermark_before: null, error: null, finished: true });
      expect(row.watermark_after).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    }
  });

  it('records a delta with exactly the changes, then a forced full load, as two more executions', async () => {
    harness.simulator.mutate({ created: 3, updated: 5, deleted: 2 });
    const delta = await harness.sync();
    expect(delta.status).toBe('SUCCEEDED');
    const full = await harness.sync({ mode: 'full' });
    expect(full.status).toBe('SUCCEEDED');
    second = full.execution;
    const firstRows = await ledger(first);
    for (const row of await ledger(delta.execution)) {
      const before = firstRows.find((candidate) => candidate.pair === row.pair)!;
      expect(row).toMatchObject({ mode: 'delta', reason: 'since watermark', status: 'in_sync', rows_loaded: '0', rows_created: '3', rows_updated: '5', rows_deleted: '2', client_count: '121', in_sync: true, watermark_before: before.watermark_after });
      expect(row.watermark_after! > row.watermark_before!).toBe(true);
    }
    for (const row of await ledger(second)) {
      expect(row).toMatchObject({ mode: 'full', reason: 'forced', status: 'in_sync', rows_loaded: '121', client_count: '121', server_count: '121', in_sync: true, finished: true });
    }
    const [{ executions }] = await harness.sql<[{ executions: string }]>`SELECT count(DISTINCT execution_id) AS executions FROM focus_sync.runs`;
    expect(Number(executions)).toBe(3);
  });

  it('rolls the row of a pass back with its data: a full load that breaks mid-stream leaves a failed row with the error, never an applied one', async () => {
    const fresh = await startHarness({ items: 150, seed: 22, countries: ['at'] });
    try {
      const run = await fresh.sync({}, { api: new BrokenStreamApi(fresh.config, 'full', 60) });
      expect(run.status).toBe('FAILED');
      const rows = await ledger(run.execution, fresh.sql);
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row).toMatchObject({ status: 'failed', mode: null, rows_loaded: '0', watermark_after: null, in_sync: null, finished: true });
        expect(row.error).toMatch(/^ApiUnavailable: .*mid-stream/);
      }
      expect(await fresh.sql`SELECT * FROM focus_sync.runs WHERE status = 'applied'`).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('applies no data when its ledger row cannot be written: the row and the data are one transaction', async () => {
    harness.simulator.mutate({ created: 1, updated: 2, deleted: 1 });
    const before = await harness.snapshot();
    await harness.sql.unsafe(`CREATE FUNCTION focus_sync.refuse_ledger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger refused (test)'; END $$`);
    await harness.sql.unsafe(`CREATE TRIGGER refuse_ledger BEFORE INSERT ON focus_sync.runs FOR EACH ROW WHEN (NEW.status = 'applied') EXECUTE FUNCTION focus_sync.refuse_ledger()`);
    try {
      const run = await harness.sync();
      expect(run.status).toBe('FAILED');
      expect(await harness.snapshot()).toEqual(before);
      expect((await ledger(run.execution)).map((row) => [row.status, row.watermark_after])).toEqual([['failed', null], ['failed', null]]);
    } finally {
      await harness.sql.unsafe('DROP TRIGGER refuse_ledger ON focus_sync.runs');
      await harness.sql.unsafe('DROP FUNCTION focus_sync.refuse_ledger()');
    }
  });

  it('records a pair that fails out of sync with its counts and error, and the others in sync', async () => {
    await harness.addStrayRow();
    const run = await harness.sync({}, { config: { outOfSyncRepair: 'none' } });
    expect(run.status).toBe('FAILED');
    const rows = await ledger(run.execution);
    expect(rows.find((row) => row.pair === 'promotions/de')).toMatchObject({ mode: 'delta', status: 'failed', rows_created: '1', rows_deleted: '1', client_count: '122', server_count: '121', in_sync: false, finished: true });
    expect(rows.find((row) => row.pair === 'promotions/de')?.error).toMatch(/^OutOfSync: promotions\/de is out of sync: 122 rows/);
    expect(rows.find((row) => row.pair === 'promotion_items/de')).toMatchObject({ status: 'in_sync', error: null });
  });

  it('answers the morning questions through focus_sync.pair_status: last success, last failure, lag', async () => {
    const repaired = await harness.sync({ mode: 'full', resources: ['promotions'] });
    expect(repaired.status).toBe('SUCCEEDED');
    const status = await harness.sql<Array<{ pair: string; last_status: string; last_execution: string; last_success_execution: string; last_failure_error: string | null; last_success_watermark: string; lag: unknown }>>`
      SELECT resource || '/' || country AS pair, last_status, last_execution, last_success_execution, last_failure_error, last_success_watermark, lag
      FROM focus_sync.pair_status ORDER BY 1`;
    expect(status.map((row) => [row.pair, row.last_status])).toEqual([['promotion_items/de', 'in_sync'], ['promotions/de', 'in_sync']]);
    const promotions = status.find((row) => row.pair === 'promotions/de')!;
    expect(promotions.last_execution).toBe(repaired.execution);
    expect(promotions.last_success_execution).toBe(repaired.execution);
    expect(promotions.last_failure_error).toMatch(/^OutOfSync/);
    expect(status.find((row) => row.pair === 'promotion_items/de')!.last_failure_error).toMatch(/^DatabaseError: .*ledger refused/);
    const [{ watermark }] = await harness.sql<[{ watermark: string }]>`SELECT to_char(watermark, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS watermark FROM focus_sync.state WHERE resource = 'promotions' AND country = 'de'`;
    expect(promotions.last_success_watermark).toBe(watermark);
    expect(promotions.lag).not.toBeNull();
  });
});
