// Two runs at once (a schedule firing during a manual run, or two laptops) never write the same
// table at the same time: one syncs a pair, the other waits or skips it, and the mirror ends exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FocusApi, type LineMode } from '../../functions/core/api/client.ts';
import type { LineBatch } from '../../functions/core/api/ndjson.ts';
import { stagingTable } from '../../functions/core/db/identifiers.ts';
import { acquireLease } from '../../functions/core/db/leases.ts';
import { LeaseLost } from '../../functions/core/errors.ts';
import { applyDelta, getClientState, stageDelta } from '../../functions/core/pair-sync.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { withPass } from '../support/pass.ts';
import { runSyncProcess } from '../support/sync-process.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 3000, seed: 21, countries: ['de'] });
});

afterAll(async () => {
  await harness?.close();
});

function syncProcess(): Promise<{ code: number | null; output: string }> {
  return runSyncProcess(harness.config);
}

describe('two runs at once', () => {
  it('both succeed, each pair synced by one of them at a time, and the mirror is exact', async () => {
    const runs = await Promise.all([syncProcess(), syncProcess()]);
    for (const run of runs) expect(run.code, run.output).toBe(0);
    await harness.expectMirrorEqualsServer();
    harness.simulator.mutate({ created: 20, updated: 20, deleted: 20 });
    const again = await Promise.all([syncProcess(), syncProcess()]);
    for (const run of again) expect(run.code, run.output).toBe(0);
    await harness.expectMirrorEqualsServer();
    expect(await harness.sql`SELECT * FROM focus_sync.leases`).toEqual([]);
  });

  it('skips a pair another run holds, without failing, and leaves it to that run', async () => {
    harness.simulator.mutate({ created: 5 });
    const other = { resource: 'promotions', country: 'de', execution: 'someone-else' };
    expect(await acquireLease(harness.sql, other, { seconds: 600, waitMs: 0 })).toEqual({ acquired: true });
    const run = await harness.sync();
    expect(run.status).toBe('SUCCEEDED');
    const byPair = Object.fromEntries(run.summary!.pairs.map((pair) => [pair.resource, pair]));
    expect(byPair.promotions).toMatchObject({ status: 'skipped', load: 'skip' });
    expect(byPair.promotions?.reason).toContain('someone-else');
    expect(byPair.promotion_items).toMatchObject({ status: 'in_sync' });
    expect(run.summary).toMatchObject({ inSync: 1, skipped: 1, failed: 0 });
    await harness.sql`DELETE FROM focus_sync.leases WHERE execution = 'someone-else'`;
    expect((await harness.sync()).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  });
});

/** The real client; once the updated lines of promotions/de have all been read (LoadUpdated's), `then` runs. */
class AfterUpdatedLines extends FocusApi {
  readonly #then: () => Promise<unknown>;

  constructor(then: () => Promise<unknown>) {
    super(harness.config.api);
    this.#then = then;
  }

  override async *lines(resource: string, country: string, mode: LineMode, since?: string): AsyncGenerator<LineBatch> {
    yield* super.lines(resource, country, mode, since);
    if (resource === 'promotions' && country === 'de' && mode === 'updated') await this.#then();
  }
}

describe('a run whose lease another run took over during its delta', () => {
  it('applies nothing of the pair, fails it with LeaseLost, and the next run converges', async () => {
    harness.simulator.mutate({ created: 7, updated: 7, deleted: 7 });
    const pair = async () => {
      const { tables, state } = await harness.snapshot() as { tables: Record<string, unknown>; state: Array<{ resource: string }> };
      return { rows: tables['promotions/de'], state: state.filter((row) => row.resource === 'promotions') };
    };
    const before = await pair();
    const takeOver = () => harness.sql`UPDATE focus_sync.leases SET execution = 'usurper' WHERE resource = 'promotions' AND country = 'de'`;
    const run = await harness.sync({}, { api: new AfterUpdatedLines(takeOver) });
    expect(run.summary).toMatchObject({ inSync: 1, failed: 1 });
    expect(run.summary!.pairs.find((p) => p.resource === 'promotions')).toMatchObject({ status: 'failed', error: expect.stringContaining('LeaseLost') });
    expect(await pair()).toEqual(before);
    await harness.sql`DELETE FROM focus_sync.leases WHERE execution = 'usurper'`;
    expect((await harness.sync()).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  });
});

describe('ApplyDelta of a run that no longer holds the pair', () => {
  /** A delta of promotions/de by hand: its created and updated items staged, then `lose`, then ApplyDelta's error. */
  async function applyAfter(execution: string, lose: (pair: { execution: string }) => Promise<unknown>, lease?: { seconds: number }): Promise<{ error: unknown; deletedStaged: boolean }> {
    let outcome!: { error: unknown; deletedStaged: boolean };
    await withPass(harness, 'auto', execution, async (runtime, pair) => {
      const state = await getClientState(runtime, pair);
      expect(state.load).toBe('delta');
      for (const kind of ['created', 'updated'] as const) await stageDelta(runtime, state, kind);
      await lose(pair);
      const config = { ...runtime.config, lease: { ...runtime.config.lease, ...lease } };
      const error = await applyDelta({ ...runtime, config }, state).then(() => undefined, (caught: unknown) => caught);
      const [{ found }] = await harness.sql<[{ found: string | null }]>`SELECT to_regclass(${stagingTable(execution, 'promotions', 'de', 'deleted')}) AS found`;
      outcome = { error, deletedStaged: found !== null };
    });
    return outcome;
  }

  it('fails with LeaseLost before it stages anything when another run has taken the pair over', async () => {
    harness.simulator.mutate({ created: 4, updated: 4, deleted: 4 });
    const before = await harness.snapshot();
    const { error, deletedStaged } = await applyAfter('local-taken-over', (pair) => harness.sql`UPDATE focus_sync.leases SET execution = 'usurper' WHERE execution = ${pair.execution}`);
    expect(error).toBeInstanceOf(LeaseLost);
    expect(deletedStaged).toBe(false);
    expect(await harness.snapshot()).toEqual(before);
    await harness.sql`DELETE FROM focus_sync.leases WHERE execution = 'usurper'`;
    expect((await harness.sync()).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  });

  it('applies nothing when its lease expires between its renewal and its transaction', async () => {
    harness.simulator.mutate({ created: 4, updated: 4, deleted: 4 });
    const before = await harness.snapshot();
    // A lease of one microsecond: ApplyDelta renews it, and it has expired when the transaction checks it.
    const { error, deletedStaged } = await applyAfter('local-expired', async () => {}, { seconds: 0.000_001 });
    expect(error).toBeInstanceOf(LeaseLost);
    expect(deletedStaged, 'the deleted items were staged, beside the transaction').toBe(true);
    expect(await harness.snapshot()).toEqual(before);
    expect((await harness.sync()).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  });
});
