// The password and the tokens never appear in what a run prints, in its errors, or in the state
// machine's inputs and outputs: not after a full sync, not after a failed one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { runSyncProcess } from '../support/sync-process.ts';

const PASSWORD = 'pw-3f9c-do-not-print';
const WRONG_PASSWORD = 'wrong-7d1e-do-not-print';
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 80, seed: 51, countries: ['de'], password: PASSWORD });
});

afterAll(async () => {
  await harness?.close();
});

function syncProcess(args: string[], password = PASSWORD): Promise<{ code: number | null; output: string }> {
  return runSyncProcess(harness.config, args, { FOCUS_PASSWORD: password });
}

describe('secrets', () => {
  it('never appear in what a successful, a failing and a refused run print, nor in any state', async () => {
    const printed: string[] = [];
    const full = await syncProcess(['--mode', 'full']);
    expect(full.code, full.output).toBe(0);
    printed.push(full.output);
    harness.simulator.addFault({ match: '/created/lines', status: 403, times: 10 });
    const failing = await syncProcess([]);
    harness.simulator.clearFaults();
    expect(failing.code, failing.output).toBe(1);
    expect(failing.output).toContain('ApiRequestFailed');
    printed.push(failing.output);
    const refused = await syncProcess([], WRONG_PASSWORD);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('AuthenticationFailed');
    printed.push(refused.output);

    const states: unknown[] = [];
    const onEvent = (event: Parameters<NonNullable<Parameters<Harness['sync']>[1]>['onEvent'] & {}>[0]) => {
      if ('state' in event) states.push(event.state.input, event.state.output);
    };
    const run = await harness.sync({}, { onEvent });
    printed.push(JSON.stringify(run));
    harness.simulator.addFault({ match: '/updated/lines', status: 403 });
    const failed = await harness.sync({}, { onEvent });
    expect(failed.status).toBe('FAILED');
    printed.push(JSON.stringify(failed));

    const everything = printed.join('\n') + JSON.stringify(states);
    const tokens = harness.simulator.issuedTokens();
    expect(tokens.length).toBeGreaterThan(3);
    for (const secret of [PASSWORD, WRONG_PASSWORD, ...tokens]) expect(everything).not.toContain(secret);
  });
});
