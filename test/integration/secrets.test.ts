// The password and the tokens never appear in what a run prints, in its errors, or in the state
// machine's inputs and outputs: not after a full sync, not after a failed one.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

const ROOT = join(import.meta.dirname, '../..');
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
  const { api, databaseUrl } = harness.config;
  const child = spawn(process.execPath, ['statemachine/local/sync.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env, FOCUS_API_URL: api.url, FOCUS_BUSINESS_SERVICE: api.businessService, FOCUS_COUNTRIES: api.countries.join(','),
      FOCUS_USERNAME: api.username, FOCUS_PASSWORD: password, DATABASE_URL: databaseUrl,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk; });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
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
