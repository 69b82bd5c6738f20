// The WebAssembly fast path of a load, end to end: the benchmark's two resources (one of them with
// a column of every API type), with the simulator's unicode, quotes, backslashes and control
// characters, loaded in full, changed in rounds and reloaded, equal the API row by row every time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FocusApi } from '../../functions/core/api/client.ts';
import { encodeLines, RowLines, stagedColumns } from '../../functions/core/db/copy.ts';
import { Transcoder } from '../../functions/core/db/transcoder/transcoder.ts';
import { resourcesFromSchema } from '../../functions/core/resources.ts';
import { ROOT } from '../../statemachine/local/npm-scripts.ts';
import { startHarness, type Harness } from '../support/harness.ts';

for (const file of ['bench/schema.json', 'bench/every-type.json']) {
  describe(`a resource every column of which the WebAssembly transcoder encodes (${file})`, () => {
    const schema = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
    let harness: Harness;

    beforeAll(async () => {
      harness = await startHarness({ items: 3000, seed: 23, countries: ['de', 'at'], schema });
    });

    afterAll(async () => {
      await harness?.close();
    });

    it('is one (else this test would check the JavaScript path again)', () => {
      for (const resource of resourcesFromSchema(schema)) {
        expect(Transcoder.for(stagedColumns(resource))).toBeDefined();
        expect(Transcoder.for(stagedColumns(resource, true))).toBeDefined();
      }
    });

    it('leaves none of the simulator\'s lines to JavaScript: unicode, escapes, nulls, nested json, big integers and all', async () => {
      const api = new FocusApi(harness.config.api);
      for (const resource of resourcesFromSchema(schema)) {
        const rows = new RowLines();
        for await (const _chunk of encodeLines(api.lines(resource.name, 'de', 'full'), stagedColumns(resource), 'test', rows)) { /* counted */ }
        expect(rows.count).toBe(3000);
        expect(rows.byJavaScript).toBe(0);
      }
    });

    it('equals the API after a full load, rounds of changes and a forced reload', async () => {
      expect((await harness.sync()).status).toBe('SUCCEEDED');
      await harness.expectMirrorEqualsServer();
      for (const change of [{ created: 40, updated: 70, deleted: 30 }, { created: 0, updated: 300, deleted: 0 }, { created: 5, updated: 5, deleted: 5 }]) {
        harness.simulator.mutate(change);
        const run = await harness.sync();
        expect(run.status).toBe('SUCCEEDED');
        expect(run.summary!.pairs.every((pair) => pair.load === 'delta' && pair.rows?.updated === change.updated)).toBe(true);
        await harness.expectMirrorEqualsServer();
      }
      harness.simulator.mutate({ created: 3, updated: 3, deleted: 3 });
      const reload = await harness.sync({ mode: 'full' });
      expect(reload.summary!.pairs.every((pair) => pair.load === 'full' && pair.status === 'in_sync')).toBe(true);
      await harness.expectMirrorEqualsServer();
    });
  });
}
