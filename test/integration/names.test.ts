// Names from the API reach SQL only quoted: keywords, mixed case, spaces, quotes and semicolons
// become tables and columns named exactly as the API names them; an unknown type becomes JSONB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaDocument } from '../../simulator/index.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const attribute = (type: string, primary = false) => ({ primary_key: primary, foreign_key: false, type });
const schema: SchemaDocument = {
  resources: {
    'Select "Promo"; DROP TABLE x': {
      allowedQueryModes: ['full', 'created', 'updated', 'deleted'],
      attributes: [
        { id: attribute('int64', true) },
        { Order: attribute('string') },
        { 'user id': attribute('int32') },
        { 'a;b"c': attribute('bool') },
        { geometry: attribute('geo.point') },
        { created_at: attribute('time') },
        { updated_at: attribute('time') },
      ],
    },
  },
};

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ items: 50, seed: 71, countries: ['DE'], schema });
});

afterAll(async () => {
  await harness?.close();
});

describe('names and types from the API', () => {
  it('are mirrored exactly, through a full load and a delta', async () => {
    const warnings: unknown[] = [];
    const first = await harness.sync({}, { onEvent: (event) => { if (event.type === 'StateExited' && event.state.name === 'BuildDbSchema') warnings.push(...(event.state.output as { warnings: unknown[] }).warnings); } });
    expect(first.status, first.error?.cause).toBe('SUCCEEDED');
    expect(warnings).toEqual(['Select "Promo"; DROP TABLE x.geometry: unknown API type "geo.point", stored as JSONB']);
    const columns = await harness.sql`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'focus_de' ORDER BY ordinal_position`;
    expect(columns.map((column) => [column.column_name, column.data_type])).toEqual([
      ['id', 'bigint'], ['Order', 'character varying'], ['user id', 'integer'], ['a;b"c', 'boolean'], ['geometry', 'jsonb'],
      ['created_at', 'timestamp without time zone'], ['updated_at', 'timestamp without time zone'],
    ]);
    await harness.expectMirrorEqualsServer();
    harness.simulator.mutate({ created: 3, updated: 3, deleted: 3 });
    expect((await harness.sync()).status).toBe('SUCCEEDED');
    await harness.expectMirrorEqualsServer();
  });
});
