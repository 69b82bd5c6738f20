// A sync process killed anywhere (the machine dies, Lambda times out) leaves every table and
// watermark as it was; the next run takes the dead run's pairs over at once (test/integration/stopped-runs.test.ts) and converges.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { startSyncProcess, watchSync } from '../support/sync-process.ts';

const LEASE_SECONDS = 10;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 3000, seed: 41, countries: ['de'] });
  expect((await harness.sync()).status).toBe('SUCCEEDED');
});

afterAll(async () => {
  await harness?.close();
});

function startSync(args: string[], env: Record<string, string> = {}): ChildProcess {
  return startSyncProcess(harness.config, args, { FOCUS_LEASE_SECONDS: String(LEASE_SECONDS), ...env });
}

/**
 * Waits until the process is inside `state` (whose request the simulator stalls) and, if given,
 * `until` holds, then kills it as a power cut would.
 */
async function killInside(child: ChildProcess, state: string, until?: () => Promise<boolean>): Promise<void> {
  const run = watchSync(child);
  await run.inside(state);
  for (let waited = 0; until && !(await until()); waited += 50) {
    if (waited > 20_000) throw new Error(`${state}: what the kill waits for did not happen: ${JSON.stringify(await stagingTables())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  await run.exited;
}

/** Whether a transaction has written to the promotions table and not yet ended: ApplyDelta's, its upsert made. */
async function upserted(): Promise<boolean> {
  const [{ writing }] = await harness.sql<[{ writing: boolean }]>`SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = to_regclass('focus_de.promotions') AND mode = 'RowExclusiveLock' AND granted) AS writing`;
  return writing;
}

async function stagingTables(): Promise<ReadonlyArray<{ tablename: string }>> {
  return harness.sql`SELECT tablename FROM pg_tables WHERE schemaname = 'focus_sync' AND tablename LIKE 'stage%' ORDER BY tablename COLLATE "C"`;
}

describe('a sync process killed', () => {
  it('in the middle of a full reload changes nothing; the next run converges and drops the parts the dead run staged', async () => {
    harness.simulator.mutate({ created: 10, updated: 10, deleted: 10 });
    const before = await harness.snapshot();
    harness.simulator.addFault({ match: '/promotions/de/full/lines', stallAfterLines: 1_000, stallMs: 60_000 });
    // Parts of 100 lines: when the stream stalls, some are staged and the next is loading.
    const staged = async () => (await stagingTables()).length >= 3;
    await killInside(startSync(['--mode', 'full', '--resources', 'promotions'], { FOCUS_RELOAD_PART_LINES: '100' }), 'FullLoad', staged);
    harness.simulator.clearFaults();
    expect(await harness.snapshot()).toEqual(before);
    // The parts staged, one after another, and the table of their differences; the part being
    // loaded, in a transaction that died with the connection, is not there.
    const left = (await stagingTables()).map(({ tablename }) => tablename.replace(/^stage_[0-9a-f]{16}_/, ''));
    expect(left).toEqual(['differences', 'full', ...Array.from({ length: left.length - 2 }, (_, index) => `full_${index + 1}`)]);
    harness.config.lease = { seconds: 60, waitMs: (LEASE_SECONDS + 5) * 1000 };
    const next = await harness.sync();
    expect(next.status, JSON.stringify(next.summary)).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
    expect(await stagingTables()).toEqual([]);
  });

  it('inside ApplyDelta, its upsert made and the deleted items still being read, applies nothing; the next run converges and drops the staging tables the dead run left', async () => {
    harness.simulator.mutate({ created: 10, updated: 10, deleted: 10 });
    const before = await harness.snapshot();
    harness.simulator.addFault({ match: '/promotions/de/deleted/lines', stallAfterLines: 1, stallMs: 60_000 });
    await killInside(startSync(['--resources', 'promotions']), 'ApplyDelta', upserted);
    harness.simulator.clearFaults();
    expect(await harness.snapshot()).toEqual(before);
    expect(await stagingTables()).toHaveLength(2);
    const next = await harness.sync();
    expect(next.status, JSON.stringify(next.summary)).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
    expect(await stagingTables()).toEqual([]);
  });
});
