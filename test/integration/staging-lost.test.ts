// Staging tables are unlogged, and PostgreSQL empties those when it crashes or fails over. A delta
// whose stage was emptied between its load step and its apply must apply nothing and say why; a
// full reload, which stages and applies in one step, is cut short by the crash and applies nothing;
// and the next run must converge. The crash is real: a backend killed with SIGKILL makes PostgreSQL
// restart all its processes and reset every unlogged table, so this file has a PostgreSQL of its own.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../functions/core/db/connection.ts';
import { stagingTable } from '../../functions/core/db/identifiers.ts';
import { StagingLost } from '../../functions/core/errors.ts';
import { applyDelta, fullLoad, getClientState, stageDelta } from '../../functions/core/pair-sync.ts';
import { startEmbeddedPostgres } from '../../statemachine/local/embedded-postgres.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { withPass } from '../support/pass.ts';

let directory: string;
let postgres: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let harness: Harness;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'focus-sync-staging-lost-'));
  // The embedded PostgreSQL runs as its own user when we are root: it must be able to enter it.
  await chmod(directory, 0o755);
  postgres = await startEmbeddedPostgres(join(directory, 'postgres'), { persistent: false });
  harness = await startHarness({ items: 400, seed: 23, countries: ['de'] }, postgres.url);
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await postgres?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** Kills one backend with SIGKILL: PostgreSQL then restarts every process, resets unlogged tables and takes connections again. */
async function crashPostgres(): Promise<void> {
  const victim = connect(postgres.url, { max: 1 });
  const [{ pid }] = await victim<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
  process.kill(pid, 'SIGKILL');
  await victim.end({ timeout: 1 }).catch(() => {});
  for (let attempt = 1; ; attempt += 1) {
    const probe = connect(postgres.url, { max: 1 });
    try {
      await probe`SELECT 1`;
      return;
    } catch (error) {
      if (attempt === 100) throw error;
      await sleep(100);
    } finally {
      await probe.end({ timeout: 1 }).catch(() => {});
    }
  }
}

describe('a stage PostgreSQL emptied in a crash', () => {
  it('is not applied as a delta: the mirror and its watermark stay as they were, and the next run converges', async () => {
    expect((await harness.sync()).status).toBe('SUCCEEDED');
    harness.simulator.mutate({ created: 6, updated: 5, deleted: 4 });
    const before = await harness.snapshot();
    await withPass(harness, 'auto', 'local-staging-lost-auto', async (runtime, pair) => {
      const state = await getClientState(runtime, pair);
      expect(state.load).toBe('delta');
      for (const kind of ['created', 'updated'] as const) await stageDelta(runtime, state, kind);
      await crashPostgres();
      const [{ held }] = await harness.sql<[{ held: string }]>`SELECT count(*) AS held FROM ${harness.sql.unsafe(stagingTable(pair.execution, 'promotions', 'de', 'created'))}`;
      expect(Number(held), 'the crash emptied the unlogged stage').toBe(0);
      const error = await applyDelta(runtime, state).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StagingLost);
      expect((error as Error).message).toMatch(/^promotions\/de: LoadCreated staged 6 created lines in "focus_sync"\."stage_\w+_created", which is now empty: PostgreSQL empties unlogged tables when it crashes or fails over\. Nothing was applied/);
    });
    expect(await harness.snapshot()).toEqual(before);
    const next = await harness.sync();
    expect(next.status).toBe('SUCCEEDED');
    expect(next.summary?.pairs.find((pair) => pair.resource === 'promotions')).toMatchObject({ load: 'delta', status: 'in_sync' });
    await harness.expectMirrorEqualsServer();
  }, 60_000);

  it('cuts a full reload short: it fails, applies nothing, and the next run converges', async () => {
    harness.simulator.mutate({ created: 3, updated: 3, deleted: 3 });
    const before = await harness.snapshot();
    // The stream stalls after 200 lines, inside the reload's staging, while the transaction that
    // would apply it holds the table. The crash ends both, and empties what was staged.
    harness.simulator.addFault({ match: '/promotions/de/full/lines', stallAfterLines: 200, stallMs: 60_000 });
    await withPass(harness, 'full', 'local-staging-lost-full', async (runtime, pair) => {
      const state = await getClientState(runtime, pair);
      expect(state.load).toBe('full');
      const reload = fullLoad(runtime, { ...pair, reason: state.reason }).catch((caught: unknown) => caught);
      const differences = stagingTable(pair.execution, 'promotions', 'de', 'differences');
      for (let waited = 0; (await harness.sql`SELECT to_regclass(${differences}) AS found`)[0]!.found === null; waited += 50) {
        if (waited > 20_000) throw new Error('the reload did not begin staging');
        await sleep(50);
      }
      await crashPostgres();
      expect(await reload).toMatchObject({ name: 'DatabaseUnavailable' });
    });
    harness.simulator.clearFaults();
    expect(await harness.snapshot()).toEqual(before);
    expect((await harness.sync({ mode: 'full' })).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
    expect(await harness.sql`SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'stage\\_%'`).toEqual([]);
  }, 60_000);
});
