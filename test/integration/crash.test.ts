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

function startSync(args: string[]): ChildProcess {
  return startSyncProcess(harness.config, args, { FOCUS_LEASE_SECONDS: String(LEASE_SECONDS) });
}

/** Waits until the process is inside `state` (whose request the simulator stalls), then kills it as a power cut would. */
async function killInside(child: ChildProcess, state: string): Promise<void> {
  const run = watchSync(child);
  await run.inside(state);
  child.kill('SIGKILL');
  await run.exited;
}

async function stagingTables(): Promise<readonly unknown[]> {
  return harness.sql`SELECT tablename FROM pg_tables WHERE schemaname = 'focus_sync' AND tablename LIKE 'stage%'`;
}

describe('a sync process killed', () => {
  it('in the middle of a full reload changes nothing and leaves no staging table; the next run converges', async () => {
    harness.simulator.mutate({ created: 10, updated: 10, deleted: 10 });
    const before = await harness.snapshot();
    harness.simulator.addFault({ match: '/promotions/de/full/lines', stallAfterLines: 1_000, stallMs: 60_000 });
    await killInside(startSync(['--mode', 'full', '--resources', 'promotions']), 'FullLoad');
    harness.simulator.clearFaults();
    expect(await harness.snapshot()).toEqual(before);
    // The staging table and its COPY are one transaction, which died with the connection.
    expect(await stagingTables()).toEqual([]);
    harness.config.lease = { seconds: 60, waitMs: (LEASE_SECONDS + 5) * 1000 };
    const next = await harness.sync();
    expect(next.status, JSON.stringify(next.summary)).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
    expect(await stagingTables()).toEqual([]);
  });

  it('between delta steps applies nothing; the next run converges and drops the staging tables the dead run left', async () => {
    harness.simulator.mutate({ created: 10, updated: 10, deleted: 10 });
    const before = await harness.snapshot();
    harness.simulator.addFault({ match: '/promotions/de/deleted/lines', stallAfterLines: 1, stallMs: 60_000 });
    await killInside(startSync(['--resources', 'promotions']), 'LoadDeleted');
    harness.simulator.clearFaults();
    expect(await harness.snapshot()).toEqual(before);
    expect(await stagingTables()).toHaveLength(2);
    const next = await harness.sync();
    expect(next.status, JSON.stringify(next.summary)).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
    expect(await stagingTables()).toEqual([]);
  });
});
