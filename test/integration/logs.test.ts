// A whole run's JSON log lines, as a deployed run writes them (FOCUS_LOG_LEVEL set): every line of
// every step names the execution and the state, and every line inside the Map names its pair.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 30, seed: 61, countries: ['de', 'at'] });
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await harness?.close();
});

describe('the log lines of a run', () => {
  it('carry the execution id and state on every line, and the resource and country inside the Map', async () => {
    vi.stubEnv('FOCUS_LOG_LEVEL', 'INFO');
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
    const run = await harness.sync();
    vi.restoreAllMocks();
    expect(run.status).toBe('SUCCEEDED');
    const lines = written.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => 'level' in line);
    const done = lines.filter((line) => typeof line.message === 'string' && line.message.endsWith(' done')).map((line) => line.state);
    expect(new Set(done)).toEqual(new Set(['Authenticate', 'LoadSchema', 'BuildDbSchema', 'GetClientState', 'FullLoad', 'CheckServerState', 'CompareState', 'Summarize']));
    for (const line of lines) {
      expect(line, JSON.stringify(line)).toMatchObject({ executionId: run.execution, service: 'focus-sync' });
      expect(typeof line.state).toBe('string');
      if (!['Authenticate', 'LoadSchema', 'BuildDbSchema', 'Summarize'].includes(line.state as string)) {
        expect(['promotions', 'promotion_items']).toContain(line.resource);
        expect(['de', 'at']).toContain(line.country);
      }
    }
  });
});
