// STEP_READS decides which secrets each deployed function may read. Here every step runs, in the
// order of a full sync and then a delta, with a runtime holding only the parts its entry names.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Part } from '../../functions/core/config.ts';
import { createRuntime, useRuntime, type Runtime } from '../../functions/core/runtime.ts';
import { STEP_READS } from '../../functions/core/secrets.ts';
import { handlerFile } from '../../statemachine/local/definition.ts';
import { lambdaContext, loadHandler } from '../../statemachine/local/runner.ts';
import { startHarness, type Harness } from '../support/harness.ts';

type State = keyof typeof STEP_READS;

let harness: Harness;
const touched = new Map<string, Set<Part>>();

beforeAll(async () => {
  harness = await startHarness({ items: 30, countries: ['de'] });
});

afterAll(async () => {
  await harness?.close();
});

/** A runtime with the state's parts only (as on Lambda), recording which of them the step uses. */
function restrictedRuntime(state: State): { runtime: Runtime; close: () => Promise<void> } {
  const reads: readonly Part[] = STEP_READS[state];
  const base = createRuntime({ ...harness.config, reads });
  const used = touched.get(state) ?? new Set<Part>();
  touched.set(state, used);
  const close = async () => {
    if (reads.includes('database')) await base.sql.end({ timeout: 5 });
  };
  const runtime = {
    config: base.config,
    get sql() {
      used.add('database');
      return base.sql;
    },
    get api() {
      used.add('api');
      return base.api;
    },
  };
  return { runtime, close };
}

async function invoke(state: State, event: unknown): Promise<Record<string, unknown>> {
  const { runtime, close } = restrictedRuntime(state);
  useRuntime(runtime);
  try {
    return await (await loadHandler(state))(event, lambdaContext(state)) as Record<string, unknown>;
  } finally {
    useRuntime(undefined);
    await close();
  }
}

describe('STEP_READS', () => {
  it('gives every step what it uses, and nothing it does not', async () => {
    const execution = 'step-reads';
    const options = await invoke('Authenticate', { execution, input: {} });
    const loaded = await invoke('LoadSchema', options);
    const tables = await invoke('BuildDbSchema', loaded);
    const pair = { ...(tables.pairs as Array<Record<string, unknown>>).find((candidate) => candidate.resource === 'promotions'), execution };

    const full = await invoke('GetClientState', pair);
    expect(full.load).toBe('full');
    const applied = await invoke('FullLoad', full);
    const server = await invoke('CheckServerState', { ...full, applied });
    const compare = await invoke('CompareState', { ...full, applied, server });
    expect(compare.inSync).toBe(true);

    harness.simulator.mutate({ created: 2, updated: 2, deleted: 1 });
    const delta = await invoke('GetClientState', { ...pair, execution: `${execution}-2` });
    expect(delta.load).toBe('delta');
    const created = await invoke('LoadCreated', delta);
    const updated = await invoke('LoadUpdated', delta);
    const deltaApplied = await invoke('ApplyDelta', delta);
    const summary = await invoke('Summarize', { execution: `${execution}-2`, pairs: [{ ...delta, created, updated, applied: deltaApplied, compare }] });
    expect(summary.failed).toBe(0);

    // Steps off this path (repairs, say) run on their SAM-style event.
    for (const state of (Object.keys(STEP_READS) as State[]).filter((name) => !touched.has(name))) {
      await invoke(state, JSON.parse(readFileSync(new URL(`../events/${basename(handlerFile(state), '.ts')}.json`, import.meta.url), 'utf8')));
    }
    expect([...touched.keys()].sort()).toEqual(Object.keys(STEP_READS).sort());
    for (const [state, used] of touched) expect([...used].sort(), state).toEqual([...STEP_READS[state as State]].sort());
  });
});
