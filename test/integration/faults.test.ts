// Every fault the simulator can inject, on every endpoint class: the run either converges to an
// exact mirror, or fails with the named error and leaves every table and watermark untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../simulator/index.ts';
import { ENDPOINTS, FAULT_MATRIX, type Endpoint } from '../support/fault-matrix.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 60, seed: 31, countries: ['de'], schema: undefined });
  expect((await harness.sync()).status).toBe('SUCCEEDED');
});

afterAll(async () => {
  await harness?.close();
});

describe('the fault matrix', () => {
  for (const row of FAULT_MATRIX) {
    for (const endpoint of Object.keys(ENDPOINTS) as Endpoint[]) {
      const outcome = row.outcome(endpoint);
      it(`${row.fault} on ${endpoint}: ${outcome === 'converges' ? 'converges' : `fails with ${outcome}, tables untouched`}`, async () => {
        // Every kind of line must have lines to break: change a few items of each kind first.
        harness.simulator.mutate({ created: 3, updated: 3, deleted: 3, resource: 'promotions' });
        const before = await harness.snapshot();
        harness.simulator.addFault({ match: ENDPOINTS[endpoint], ...row.inject } as Fault);
        try {
          const run = await harness.sync({ mode: endpoint === 'full lines' ? 'full' : 'auto', resources: ['promotions'] });
          const errors = [run.error?.name, ...(run.summary?.pairs.map((pair) => pair.error) ?? [])].filter(Boolean);
          if (outcome === 'converges') {
            expect(run.status, JSON.stringify(run.summary ?? run.error)).toBe('SUCCEEDED');
            await harness.expectMirrorEqualsServer();
          } else {
            expect(run.status).toBe('FAILED');
            expect(errors).toContain(outcome);
            // The state is asked after the data was applied whole: the run failed, but only in checking it.
            if (endpoint === 'state') await harness.expectMirrorEqualsServer();
            else expect(await harness.snapshot()).toEqual(before);
          }
        } finally {
          harness.simulator.clearFaults();
        }
        expect((await harness.sync()).status).toBe('SUCCEEDED');
        await harness.expectMirrorEqualsServer();
      });
    }
  }
});
