// A full reload compares values exactly, type by type: a value that PostgreSQL's own equality
// calls equal but that reads back differently (jsonb 1 and 1.0, float 0 and -0) is a change.
import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../functions/core/api/ndjson.ts';
import { stagedColumns, stageLines } from '../../functions/core/db/copy.ts';
import { buildDbSchema } from '../../functions/core/db/ddl.ts';
import { acquireLease } from '../../functions/core/db/leases.ts';
import { loadEmptyTable, reloadTable } from '../../functions/core/db/mirror.ts';
import type { Resource } from '../../functions/core/resources.ts';
import { useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();
const TYPES = ['int64', 'int32', 'int16', 'database.nullint16', 'string', 'float64', 'float32', 'uuid', 'datetime', 'date', '[]string', 'bytes', 'bool', 'json'];
const resource: Resource = {
  name: 'every_type',
  attributes: [
    { name: 'id', type: 'int64', primaryKey: true },
    ...TYPES.map((type, index) => ({ name: `c${index}`, type, primaryKey: false })),
    { name: 'created_at', type: 'time', primaryKey: false },
    { name: 'updated_at', type: 'time', primaryKey: false },
  ],
};
const columns = stagedColumns(resource);
const pair = { resource: 'every_type', country: 'de', execution: 'test', reason: 'forced' };
const TABLE = 'focus_de.every_type';
const COLUMNS = `c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, created_at, updated_at`;
// One item of every type, as the API writes it; each line below changes some of its values.
const BASE: Record<string, string> = {
  c0: '9007199254740993', c1: '-2147483648', c2: '32767', c3: 'null', c4: '"käse\\tbrot"', c5: '0.1', c6: '0.5',
  c7: '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"', c8: '"2025-07-01T16:01:00.827904"', c9: '"2025-07-01"', c10: '["a","b c",null]',
  c11: '"AP8="', c12: 'true', c13: '{"a": [1, {"b": "x"}]}', created_at: '"2025-07-01T00:00:00.000000"', updated_at: '"2025-07-01T00:00:00.000000"',
};

function line(id: number, changes: Record<string, string> = {}): string {
  return `{"id":${id},${Object.entries({ ...BASE, ...changes }).map(([name, value]) => `"${name}":${value}`).join(',')}}`;
}

/** The lines as the API client yields them, one batch each. */
async function* batches(lines: string[]): AsyncGenerator<LineBatch> {
  for (const [index, text] of lines.entries()) yield { first: index + 1, lines: [text] };
}

async function rows(table: string): Promise<string[]> {
  const found = await database.sql.unsafe<Array<{ row: string }>>(`SELECT (id, ${COLUMNS})::text AS row FROM ${table} ORDER BY id`);
  return found.map(({ row }) => row);
}

describe('a full reload of a table with a column of every type', () => {
  it('counts as changed exactly the rows whose values read back differently, and makes the table read back as the lines', async () => {
    await buildDbSchema(database.sql, [resource], ['de'], 'focus_');
    expect(await acquireLease(database.sql, pair, { seconds: 60, waitMs: 0 })).toEqual({ acquired: true });
    await loadEmptyTable(database.sql, TABLE, columns, batches([1, 2, 3, 4, 5, 6, 7, 8, 9, 11].map((id) => line(id))), pair);
    // Zeros that stay zeros, and NULLs, are not changes; a zero that comes back as -0 is.
    await database.sql.unsafe(`UPDATE ${TABLE} SET c5 = 0, c6 = 0 WHERE id IN (3, 8, 11); UPDATE ${TABLE} SET c5 = NULL, c6 = NULL WHERE id = 1`);
    await database.sql.unsafe(`UPDATE ${TABLE} SET c13 = '{"n": 1}' WHERE id = 4`);
    const lines = [
      line(1, { c5: 'null', c6: 'null' }),
      line(2, { c3: '7' }),
      line(3, { c5: '-0.0', c6: '0' }),
      line(4, { c13: '{"n": 1.0}' }),
      line(5, { c10: '["a","b c"]' }),
      line(6, { c11: '"AP4="', c4: '"käse\\nbrot"' }),
      line(7, { c0: '9007199254740992' }),
      line(8, { c5: '0', c6: '0' }),
      line(10),
      line(11, { c5: '0', c6: '-0.0' }),
    ];
    const versions = await database.sql.unsafe(`SELECT id, xmin::text FROM ${TABLE} WHERE id IN (1, 8) ORDER BY id`);

    // Parts of four lines: the differences of the first two are found while the last loads.
    const result = await reloadTable(database.sql, TABLE, columns, batches(lines), pair, { again: () => batches(lines), partLines: 4 });

    expect(result).toEqual({ loaded: 10, added: 1, changed: 7, removed: 1, watermark: '2025-07-01T00:00:00.000000' });
    await stageLines(database.sql, 'public.expected', columns, batches(lines), 'every_type/de full lines', {});
    expect(await rows(TABLE)).toEqual(await rows('public.expected'));
    expect(await database.sql.unsafe(`SELECT id, xmin::text FROM ${TABLE} WHERE id IN (1, 8) ORDER BY id`)).toEqual(versions);
    const [ledger] = await database.sql`SELECT rows_loaded, rows_added, rows_changed, rows_removed FROM focus_sync.runs WHERE mode = 'full' ORDER BY started_at DESC LIMIT 1`;
    expect(ledger).toEqual({ rows_loaded: '10', rows_added: '1', rows_changed: '7', rows_removed: '1' });
  });
});
