// Property: whatever the interleaving of server changes (shared microseconds, items created,
// changed and deleted between runs), faults and runs, every pair a run reports in sync equals the
// server's data, and every pair a run reports failed is exactly as it was before that run.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesFromSchema, type Resource } from '../../functions/core/resources.ts';
import type { Fault } from '../../simulator/index.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { comparableItems, readMirror } from '../support/mirror.ts';

let harness: Harness;
let resources: Resource[];

beforeAll(async () => {
  harness = await startHarness({ items: 40, seed: 61, countries: ['de', 'at'] });
  resources = resourcesFromSchema(harness.simulator.schema as never);
  // A first run creates the tables the property compares; from there on, anything goes.
  expect((await harness.sync()).status).toBe('SUCCEEDED');
});

afterAll(async () => {
  await harness?.close();
});

type PairKey = `${string}/${string}`;

async function pairState(resource: Resource, country: string): Promise<unknown> {
  const [state] = await harness.sql`SELECT watermark::text, last_run FROM focus_sync.state WHERE resource = ${resource.name} AND country = ${country}`;
  return { rows: await readMirror(harness.sql, resource.name, country, resource.attributes), state: state ?? null };
}

async function everyPair(): Promise<Map<PairKey, unknown>> {
  const states = new Map<PairKey, unknown>();
  for (const resource of resources) for (const country of ['de', 'at']) states.set(`${resource.name}/${country}`, await pairState(resource, country));
  return states;
}

const FAULTS: Array<Omit<Fault, 'match'>> = [{ status: 503 }, { dropAfterLines: 1 }, { malformedAtLine: 1 }, { status: 404 }] as never;
const action = fc.oneof(
  fc.record({ kind: fc.constant('mutate' as const), created: fc.nat(4), updated: fc.nat(4), deleted: fc.nat(4), resource: fc.constantFrom(undefined, 'promotions') }),
  fc.record({
    kind: fc.constant('sync' as const),
    full: fc.boolean(),
    fault: fc.option(fc.record({ match: fc.constantFrom('/full/lines', '/created/lines', '/updated/lines', '/deleted/lines'), fault: fc.constantFrom(...FAULTS) }), { nil: undefined }),
  }),
);

describe('any interleaving of changes, faults and runs', () => {
  it('leaves each pair equal to the server when in sync, and as it was when failed', async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 6 }), async (actions) => {
      for (const step of actions) {
        if (step.kind === 'mutate') {
          harness.simulator.mutate({ created: step.created, updated: step.updated, deleted: step.deleted, ...(step.resource && { resource: step.resource }) });
          continue;
        }
        const before = await everyPair();
        if (step.fault) harness.simulator.addFault({ match: step.fault.match, ...step.fault.fault } as Fault);
        const run = await harness.sync(step.full ? { mode: 'full' } : {});
        harness.simulator.clearFaults();
        expect(run.summary, run.error?.cause).toBeDefined();
        for (const pair of run.summary!.pairs) {
          const resource = resources.find((candidate) => candidate.name === pair.resource)!;
          const key: PairKey = `${pair.resource}/${pair.country}`;
          if (pair.status === 'in_sync') {
            expect((await pairState(resource, pair.country) as { rows: unknown }).rows, key)
              .toEqual(comparableItems(harness.simulator.items(pair.resource, pair.country), resource.attributes));
          } else {
            expect(pair.status, key).toBe('failed');
            expect(await pairState(resource, pair.country), key).toEqual(before.get(key));
          }
        }
      }
    }), { numRuns: 12 });
    expect((await harness.sync()).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  }, 300_000);
});
