// The tables follow the API's schema: created once, idempotent after, and grown when it gains attributes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDbSchema } from '../../functions/core/db/ddl.ts';
import { resourcesFromSchema } from '../../functions/core/resources.ts';
import { defaultSchema, type SchemaDocument } from '../../simulator/index.ts';
import { startHarness, type Harness } from '../support/harness.ts';

function withoutAttribute(schema: SchemaDocument, resource: string, attribute: string): SchemaDocument {
  const copy = structuredClone(schema);
  copy.resources[resource]!.attributes = copy.resources[resource]!.attributes.filter((entry) => !(attribute in entry));
  return copy;
}

let before: Harness;
let after: Harness;

beforeAll(async () => {
  before = await startHarness({ items: 120, seed: 5, schema: withoutAttribute(defaultSchema(), 'promotions', 'metadata') });
});

afterAll(async () => {
  await after?.close();
  await before?.close();
});

describe('the tables', () => {
  it('are created on the first run, with the API column names and types', async () => {
    expect((await before.sync()).status).toBe('SUCCEEDED');
    const columns = await before.sql`
      SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'focus_de' AND table_name = 'promotion_items' ORDER BY ordinal_position`;
    expect(columns.map((column) => `${column.column_name} ${column.data_type}`)).toEqual([
      'id bigint', 'promotion_id bigint', 'external_ref bigint', 'sku character varying', 'product_uuid uuid', 'quantity integer',
      'max_per_customer integer', 'unit_price real', 'image bytea', 'reviewed_at timestamp without time zone',
      'created_at timestamp without time zone', 'updated_at timestamp without time zone',
    ]);
    const [key] = await before.sql`SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = 'focus_de.promotion_items'::regclass AND contype = 'p'`;
    expect(key?.definition).toBe('PRIMARY KEY (id)');
  });

  it('are left as they are when the schema is built again', async () => {
    const resources = resourcesFromSchema(before.simulator.schema as never);
    const snapshot = await before.snapshot();
    expect(await buildDbSchema(before.sql, resources, ['de', 'at'], 'focus_')).toEqual([]);
    expect(await buildDbSchema(before.sql, resources, ['de', 'at'], 'focus_')).toEqual([]);
    expect(await before.snapshot()).toEqual(snapshot);
  });

  it('gain a column when the API gains an attribute, filled by a full reload of that resource', async () => {
    await before.simulator.stop();
    after = await startHarness({ items: 120, seed: 5 }, before.config.databaseUrl);
    const run = await after.sync();
    expect(run.status, run.error?.cause).toBe('SUCCEEDED');
    const reasons = Object.fromEntries(run.summary!.pairs.map((pair) => [`${pair.resource}/${pair.country}`, [pair.load, pair.reason]]));
    expect(reasons).toEqual({
      'promotions/de': ['full', 'schema gained attributes'],
      'promotions/at': ['full', 'schema gained attributes'],
      'promotion_items/de': ['delta', 'since watermark'],
      'promotion_items/at': ['delta', 'since watermark'],
    });
    await after.expectMirrorEqualsServer();
    const next = await after.sync();
    expect(next.summary!.pairs.every((pair) => pair.load === 'delta')).toBe(true);
  });

  it('report a column whose API type changed instead of altering it', async () => {
    const resources = resourcesFromSchema(after.simulator.schema as never);
    const changed = resources.map((resource) => ({
      ...resource,
      attributes: resource.attributes.map((attribute) => (attribute.name === 'priority' ? { ...attribute, type: 'string' } : attribute)),
    }));
    const warnings = await buildDbSchema(after.sql, changed, ['de'], 'focus_');
    expect(warnings).toEqual(['"focus_de"."promotions"."priority" is integer but the API now says string (character varying); left unchanged: alter it by hand or drop the table for a full reload']);
    const [column] = await after.sql`SELECT data_type FROM information_schema.columns WHERE table_schema = 'focus_de' AND table_name = 'promotions' AND column_name = 'priority'`;
    expect(column?.data_type).toBe('integer');
  });
});
