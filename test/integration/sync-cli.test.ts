// `npm run sync` as a user runs it: a first run, then a forced full one, both in the run ledger with
// their modes and counts; a wrong option refused before anything starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { runSyncProcess } from '../support/sync-process.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 60, seed: 71, countries: ['de'] });
});

afterAll(async () => {
  await harness?.close();
});

async function ledger(): Promise<Array<{ execution_id: string; pair: string; mode: string; reason: string; status: string; rows_loaded: string; client_count: string; server_count: string }>> {
  return harness.sql`
    SELECT execution_id, resource || '/' || country AS pair, mode, reason, status, rows_loaded, client_count, server_count
    FROM focus_sync.runs ORDER BY min(started_at) OVER (PARTITION BY execution_id), resource, country`;
}

describe('npm run sync', () => {
  it('records `npm run sync` and `npm run sync -- --mode full` in the ledger, with their modes and counts', async () => {
    const first = await runSyncProcess(harness.config);
    expect(first.code, first.output).toBe(0);
    harness.simulator.mutate({ created: 4, updated: 3, deleted: 2 });
    const full = await runSyncProcess(harness.config, ['--mode', 'full']);
    expect(full.code, full.output).toBe(0);

    const rows = await ledger();
    const executions = [...new Set(rows.map((row) => row.execution_id))];
    expect(executions).toHaveLength(2);
    expect(first.output).toContain(executions[0]);
    expect(full.output).toContain(executions[1]);
    const server = (pair: string) => String(harness.simulator.totalItems(...(pair.split('/') as [string, string])));
    expect(rows.map(({ execution_id, ...row }) => [executions.indexOf(execution_id), row])).toEqual(
      ['promotion_items/de', 'promotions/de', 'promotion_items/de', 'promotions/de'].map((pair, index) => [index < 2 ? 0 : 1, {
        pair, mode: 'full', reason: index < 2 ? 'empty table' : 'forced', status: 'in_sync',
        rows_loaded: index < 2 ? '60' : server(pair), client_count: index < 2 ? '60' : server(pair), server_count: index < 2 ? '60' : server(pair),
      }]),
    );
  });

  it('refuses a wrong option at once, naming the field and the values it may take, and starts nothing', async () => {
    const before = await ledger();
    harness.simulator.clearRequests();
    const refused = await runSyncProcess(harness.config, ['--mode', 'bogus']);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('The execution input is not valid: mode: Invalid option: expected one of "auto"|"full"');
    expect(harness.simulator.requests()).toEqual([]);
    expect(await ledger()).toEqual(before);
  });
});
