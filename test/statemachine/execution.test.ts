// Runs of the ASL through the local runner: which states each branch visits, and what the state carries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../statemachine/local/runner.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 50, countries: ['de'], password: 'correct-horse-battery-staple' });
});

afterAll(async () => {
  await harness?.close();
});

async function record(input: unknown = {}): Promise<{ events: ExecutionEvent[]; path: string[] }> {
  const events: ExecutionEvent[] = [];
  await harness.sync(input, { onEvent: (event) => events.push(event) });
  const path = events.filter((event) => event.type === 'StateEntered' && 'state' in event && event.state.input !== null && (event.state.input as { resource?: string }).resource === 'promotions')
    .map((event) => ('state' in event ? event.state.name : ''));
  return { events, path };
}

describe('the state machine, run locally', () => {
  it('takes the full branch when the table is empty', async () => {
    const { path } = await record();
    expect(path).toEqual(['SyncPair', 'GetClientState', 'FullOrDelta', 'FullLoad', 'CheckServerState', 'CompareState', 'InSync', 'PairInSync']);
  });

  it('takes the delta branch once the table has rows and a watermark', async () => {
    harness.simulator.mutate({ created: 1, updated: 1, deleted: 1 });
    const { path } = await record();
    expect(path).toEqual([
      'SyncPair', 'GetClientState', 'FullOrDelta', 'LoadCreated', 'LoadUpdated', 'ApplyDelta',
      'CheckServerState', 'CompareState', 'InSync', 'PairInSync',
    ]);
  });

  it('takes the full branch again when the input forces it', async () => {
    const { path } = await record({ mode: 'full' });
    expect(path).toContain('FullLoad');
    expect(path).not.toContain('LoadCreated');
  });

  it('carries names, counts and timestamps between states, never credentials, tokens or data rows', async () => {
    const { events } = await record();
    const payloads = events.flatMap((event) => ('state' in event ? [event.state.input, event.state.output] : []));
    const text = JSON.stringify(payloads);
    expect(text).not.toContain('correct-horse-battery-staple');
    expect(text).not.toMatch(/"token"|"password"|"authorization"/i);
    const names = harness.simulator.items('promotions', 'de').map((item) => item.name).filter((name): name is string => typeof name === 'string' && name.length > 8);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(text).not.toContain(JSON.stringify(name));
    for (const payload of payloads) expect(JSON.stringify(payload ?? null).length).toBeLessThan(32 * 1024);
  });
});
