// A stopped run never blocks or misleads the next one. Each stop below (Ctrl-C or SIGTERM locally,
// an execution ABORTED or TIMED_OUT on AWS) is followed at once by a run with the default lease
// settings, which must take every pair over without waiting and converge to the exact mirror.
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stepFunctionsExecutions } from '../../functions/core/executions.ts';
import { createRuntime, useRuntime } from '../../functions/core/runtime.ts';
import { lambdaContext, loadHandler } from '../../statemachine/local/runner.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { runSyncProcess, startSyncProcess, watchSync, type WatchedSync } from '../support/sync-process.ts';

const ARN = 'arn:aws:states:eu-central-1:123456789012:execution:FocusSync-sync';
const sfn = mockClient(SFNClient);
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 3000, seed: 51, countries: ['de'] });
  expect((await harness.sync()).status).toBe('SUCCEEDED');
});

afterEach(() => {
  harness.simulator.clearFaults();
  sfn.reset();
});

afterAll(async () => {
  sfn.restore();
  await harness?.close();
});

/** `npm run sync` as its own process, once it is inside `state` of promotions/de. */
async function startInside(args: string[], state: string): Promise<WatchedSync> {
  const run = watchSync(startSyncProcess(harness.config, args));
  await run.inside(state);
  return run;
}

/** promotions/de, the pair each stop interrupts, and its watermark (the other pair may finish before the stop). */
async function stoppedPair(): Promise<unknown> {
  const { tables, state } = await harness.snapshot() as { tables: Record<string, unknown>; state: Array<{ resource: string }> };
  return { rows: tables['promotions/de'], state: state.filter((row) => row.resource === 'promotions') };
}

async function ledgerOf(execution: string): Promise<Array<{ pair: string; status: string; error: string | null }>> {
  return harness.sql`SELECT resource || '/' || country AS pair, status, error FROM focus_sync.runs WHERE execution_id = ${execution} ORDER BY 1`;
}

async function leftovers(): Promise<{ leases: readonly unknown[]; staging: readonly unknown[] }> {
  return {
    leases: await harness.sql`SELECT resource, country, execution FROM focus_sync.leases`,
    staging: await harness.sql`SELECT tablename FROM pg_tables WHERE schemaname = 'focus_sync' AND tablename LIKE 'stage%'`,
  };
}

/** The next run, with the default lease settings, as its own process: it must find every pair free and converge. */
async function nextRunConverges(): Promise<void> {
  const started = Date.now();
  const next = await runSyncProcess(harness.config);
  expect(next.code, next.output).toBe(0);
  expect(next.output).toMatch(/SUCCEEDED: every pair is in sync \(2 in sync, 0 skipped, 0 failed\)\.\n$/);
  // Not a wait for a lease: the default wait is 10 s, the default lease 120 s.
  expect(Date.now() - started).toBeLessThan(10_000);
  await harness.expectMirrorEqualsServer();
  expect(await leftovers()).toEqual({ leases: [], staging: [] });
}

function executionOf(output: string): string {
  return /Execution (local-\S+) /.exec(output)![1]!;
}

describe('a local run stopped by a signal', () => {
  it('Ctrl-C while a delta loads: rolls back, releases its pairs, records them aborted, says what it left and exits 130', async () => {
    harness.simulator.mutate({ created: 30, updated: 30, deleted: 30 });
    const before = await stoppedPair();
    harness.simulator.addFault({ match: '/promotions/de/updated/lines', stallAfterLines: 5, stallMs: 60_000 });
    const run = await startInside([], 'LoadUpdated');
    run.child.kill('SIGINT');
    expect(await run.exited, run.output()).toBe(130);
    expect(run.output()).toContain('promotions/de: left as it was (stopped in LoadUpdated; its open transaction rolled back)');
    expect(run.output()).toMatch(/ABORTED by SIGINT: \d pairs? left unfinished and released/);
    expect(run.output()).not.toContain('in sync (');
    expect(await stoppedPair()).toEqual(before);
    expect(await leftovers()).toEqual({ leases: [], staging: [] });
    const rows = await ledgerOf(executionOf(run.output()));
    expect(rows.find((row) => row.pair === 'promotions/de')).toMatchObject({ status: 'aborted', error: expect.stringContaining('SIGINT stopped the run') });
    harness.simulator.clearFaults();
    await nextRunConverges();
  });

  it('SIGTERM during a full load exits 143, with the table as it was', async () => {
    const before = await stoppedPair();
    harness.simulator.addFault({ match: '/promotions/de/full/lines', stallAfterLines: 1_000, stallMs: 60_000 });
    const run = await startInside(['--mode', 'full'], 'FullLoad');
    run.child.kill('SIGTERM');
    expect(await run.exited, run.output()).toBe(143);
    expect(await stoppedPair()).toEqual(before);
    harness.simulator.clearFaults();
    await nextRunConverges();
  });

  it('kill -9 during a forced full reload: the next run sees at once that the holder died, records it abandoned and converges', async () => {
    harness.simulator.mutate({ created: 10, updated: 10, deleted: 10 });
    const before = await stoppedPair();
    harness.simulator.addFault({ match: '/promotions/de/full/lines', stallAfterLines: 1_000, stallMs: 60_000 });
    const run = await startInside(['--mode', 'full'], 'FullLoad');
    run.child.kill('SIGKILL');
    await run.exited;
    harness.simulator.clearFaults();
    expect(await stoppedPair()).toEqual(before);
    const [dead] = await harness.sql<[{ execution: string }]>`SELECT execution FROM focus_sync.leases WHERE resource = 'promotions'`;
    await nextRunConverges();
    const rows = await ledgerOf(dead!.execution);
    expect(rows.find((row) => row.pair === 'promotions/de')).toMatchObject({ status: 'abandoned', error: expect.stringMatching(/^abandoned: its process died in FullLoad, its database session closed/) });
  });
});

describe('an execution on AWS that ends without reaching Summarize', () => {
  /** GetClientState and LoadCreated of a deployed execution (no local proof of life): it then holds promotions/de, with a staged table. */
  async function deployedExecutionHolding(name: string): Promise<void> {
    useRuntime(createRuntime(harness.config));
    try {
      const pair = { resource: 'promotions', country: 'de', mode: 'auto', onOutOfSync: 'delta-then-full', execution: name, executionArn: `${ARN}:${name}` };
      const state = await (await loadHandler('GetClientState'))(pair, lambdaContext('GetClientState')) as Record<string, unknown>;
      expect(state.load).toBe('delta');
      await (await loadHandler('LoadCreated'))(state, lambdaContext('LoadCreated'));
    } finally {
      useRuntime(undefined);
    }
    expect((await leftovers()).staging).toHaveLength(1);
  }

  it('ABORTED: ReleaseExecution, called by the EventBridge rule, records its pairs aborted and frees them; the next run converges', async () => {
    harness.simulator.mutate({ created: 7, updated: 7, deleted: 7 });
    const before = await stoppedPair();
    await deployedExecutionHolding('stopped-in-console');
    const event = { 'detail-type': 'Step Functions Execution Status Change', 'source': 'aws.states', 'detail': { executionArn: `${ARN}:stopped-in-console`, name: 'stopped-in-console', status: 'ABORTED' } };
    useRuntime(createRuntime(harness.config));
    try {
      const releaseExecution = await loadHandler('ReleaseExecution');
      const released = await releaseExecution(event, lambdaContext('ReleaseExecution'));
      expect(released).toEqual({ execution: 'stopped-in-console', status: 'ABORTED', pairs: [{ resource: 'promotions', country: 'de', applied: false, step: 'LoadCreated' }] });
      // Again, as EventBridge may deliver an event twice: nothing left to do.
      expect(await releaseExecution(event, lambdaContext('ReleaseExecution'))).toMatchObject({ pairs: [] });
    } finally {
      useRuntime(undefined);
    }
    expect(await stoppedPair()).toEqual(before);
    expect(await leftovers()).toEqual({ leases: [], staging: [] });
    expect(await ledgerOf('stopped-in-console')).toEqual([{ pair: 'promotions/de', status: 'aborted', error: expect.stringContaining('ended ABORTED') }]);
    await nextRunConverges();
  });

  it('TIMED_OUT: the next execution\'s GetClientState asks Step Functions, takes the pair over at once and records the dead one abandoned', async () => {
    harness.simulator.mutate({ created: 4, updated: 4, deleted: 4 });
    await deployedExecutionHolding('timed-out');
    sfn.on(DescribeExecutionCommand, { executionArn: `${ARN}:timed-out` }).resolves({ status: 'TIMED_OUT' });
    const run = await harness.sync({}, { executions: stepFunctionsExecutions(), config: { lease: { seconds: 120, waitMs: 10_000 } } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.summary).toMatchObject({ inSync: 2, skipped: 0, failed: 0 });
    expect(run.summary!.pairs.find((pair) => pair.resource === 'promotions')!.reason).toContain('took the pair over from timed-out: Step Functions reports it TIMED_OUT in LoadCreated');
    expect(sfn.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([`${ARN}:timed-out`]);
    await harness.expectMirrorEqualsServer();
    expect(await leftovers()).toEqual({ leases: [], staging: [] });
    expect(await ledgerOf('timed-out')).toEqual([{ pair: 'promotions/de', status: 'abandoned', error: expect.stringContaining('Step Functions reports it TIMED_OUT') }]);
  });

  it('still RUNNING: the pair is skipped, never called in sync, and the run says until when it is held', async () => {
    await deployedExecutionHolding('still-running');
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const run = await harness.sync({}, { executions: stepFunctionsExecutions() });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.summary).toMatchObject({ inSync: 1, skipped: 1, failed: 0 });
    expect(run.summary!.pairs.find((pair) => pair.resource === 'promotions')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^another run \(still-running\) is syncing this pair; its lease runs to \S+ \S+ and is renewed while it works$/) });
    await harness.sql`DELETE FROM focus_sync.leases`;
    await harness.sql.unsafe(`DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'focus_sync' AND tablename LIKE 'stage%' LOOP EXECUTE 'DROP TABLE focus_sync.' || t; END LOOP; END $$`);
  });
});

describe('npm run sync with a pair a live run holds', () => {
  it('names the skipped pair and its holder, warns that it is stale, counts what happened on its last line, and exits 75', async () => {
    await harness.sql`INSERT INTO focus_sync.leases (resource, country, execution, expires_at) VALUES ('promotions', 'de', 'someone-else', now() + interval '10 minutes')`;
    await harness.sql`UPDATE focus_sync.runs SET finished_at = now() - interval '3 hours', started_at = now() - interval '3 hours' WHERE resource = 'promotions'`;
    try {
      const run = await runSyncProcess(harness.config, [], { FOCUS_LEASE_WAIT_SECONDS: '0', FOCUS_MAX_LAG_MINUTES: '60' });
      expect(run.code, run.output).toBe(75);
      const lines = run.output.trimEnd().split('\n');
      expect(lines).toContainEqual(expect.stringMatching(/^Skipped promotions\/de: another run \(someone-else\) is syncing this pair; its lease runs to .+\.$/));
      expect(lines).toContain('⚠ promotions/de was last in sync 3 h 0 min ago, more than FOCUS_MAX_LAG_MINUTES allows.');
      expect(lines.at(-1)).toMatch(/^Execution \S+ SUCCEEDED but did not sync every pair: 1 in sync, 1 skipped, 0 failed\. Try again when the runs holding the skipped pairs end\.$/);
      expect(run.output).not.toContain('every pair is in sync');
      const [status] = await harness.sql<[{ lag_minutes: number }]>`SELECT extract(epoch FROM lag) / 60 AS lag_minutes FROM focus_sync.pair_status WHERE resource = 'promotions'`;
      expect(Math.round(Number(status!.lag_minutes))).toBe(180);
    } finally {
      await harness.sql`DELETE FROM focus_sync.leases WHERE execution = 'someone-else'`;
    }
  });
});
